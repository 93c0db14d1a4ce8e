/**
 * The permission catalogue. A role grants a permission with a scope; record-level
 * visibility follows the scope (own records, the department subtree, or all).
 * Later domains add their permissions here, and every list and detail read goes
 * through `server/policy.ts`, which reads these grants.
 */
export const SCOPES = ['own', 'department', 'all'] as const;
export type Scope = (typeof SCOPES)[number];

export const PERMISSIONS = {
  /** See staff records (own profile / department's staff / everyone). */
  'staff:read': { scoped: true },
  /** Create and change users, departments, branches, regions, business lines and roles. */
  'staff:manage': { scoped: false },
  /** Browse the audit log. */
  'audit:read': { scoped: false },
  /** See customers, their contacts and contact log (own and shared / department's / all); every reader sees the public pool. */
  'customers:read': { scoped: true },
  /** Create customers, change those within the scope, and log contacts with them. */
  'customers:write': { scoped: true },
  /** Claim customers from the public pool 公海 and release own ones to it. */
  'customers:pool': { scoped: false },
  /** Give customers within the scope to another salesperson. */
  'customers:assign': { scoped: true },
  /** Set up the customer value evaluation sheet (factors, weights, scales, tier thresholds). */
  'customers:configure': { scoped: false },
  /** See campaigns 市场活动 and their attribution. */
  'campaigns:read': { scoped: false },
  /** Create and change campaigns. */
  'campaigns:manage': { scoped: false },
  /** See leads (own / department's and its queue / all). */
  'leads:read': { scoped: true },
  /** Create leads, work on and convert those within the scope. */
  'leads:write': { scoped: true },
  /** Assign and reassign leads within the scope, and work the department's queue. */
  'leads:assign': { scoped: true },
  /** See opportunities (own and those one is a team member of / department's / all). */
  'opportunities:read': { scoped: true },
  /** Create opportunities, change and move those within the scope, quote, run them as projects. */
  'opportunities:write': { scoped: true },
  /** Set up pipelines and stages, lead assignment rules, acceptance checklists and conflicting business lines. */
  'sales:configure': { scoped: false },
  /** See the e-mail outbox (held, queued, failed and sent messages) and send held or failed ones again. */
  'mail:manage': { scoped: false },
  /** Set up approval flows 审批流程 (steps, who decides, conditions). */
  'workflows:manage': { scoped: false },
  /** See contracts 销售合同 and orders 销售订单 (own and those one is a team member of / department's / all). */
  'contracts:read': { scoped: true },
  /** Make contracts and orders, send them for approval, sign, complete, terminate or void those within the scope. */
  'contracts:write': { scoped: true },
  /** Set up contract templates 合同模板 and number series 编号规则. */
  'contracts:configure': { scoped: false },
  /** See receivables 应收账款, receipts and invoices (of the contracts within the scope). */
  'receivables:read': { scoped: true },
  /** Record and reverse receipts 到款 and invoices 发票 (finance). */
  'receipts:write': { scoped: false },
  /** See engagements 业务项目 (those one leads, is on the team of, or sold / the lead's department's / all). */
  'engagements:read': { scoped: true },
  /** Make engagements from confirmed orders, staff and plan them (own: those one leads / department's / all). */
  'engagements:write': { scoped: true },
  /** Set up engagement templates 业务模板 per business line. */
  'engagements:configure': { scoped: false },
  /** See commission sheets 分配表 and their lines (one's own lines / the department's / all). */
  'commissions:read': { scoped: true },
  /** Draft and send the month's sheet of a contract (own: those one owns or leads an engagement of / department's / all). */
  'commissions:write': { scoped: true },
  /** Keep the commission policy 佣金政策: draft versions, adopt them, run the what-if 模拟. */
  'commissions:configure': { scoped: false },
  /**
   * Read the knowledge base 知识库: articles visible firm-wide, to one's department subtree, or to the people of a
   * linked record (own); also the articles owned in the department subtree (department); every article (all).
   */
  'knowledge:read': { scoped: true },
  /** Write articles, lessons 复盘, customer insights and templates, and keep one's own current. */
  'knowledge:write': { scoped: false },
  /** Keep every article (owner, review date, archive) and the playbooks 销售指引 of each business line and stage. */
  'knowledge:manage': { scoped: false },
  /**
   * Chat 团队协作: one's department channels, the conversations of the records one sees, group chats and one-to-one
   * conversations one is in; start group and one-to-one conversations (GET /chat/people: colleagues' names to do so).
   */
  'chat:use': { scoped: false },
  /** Read, archive and export any conversation (a dispute), see messages' history; audited. */
  'chat:manage': { scoped: false },
} as const satisfies Record<string, { scoped: boolean }>;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_KEYS = Object.keys(PERMISSIONS) as Permission[];

export type Grants = Partial<Record<Permission, Scope>>;

export const BUILTIN_ROLES = ['admin', 'executive', 'manager', 'salesperson', 'finance', 'staff'] as const;
export type BuiltinRole = (typeof BUILTIN_ROLES)[number];

export const BUILTIN_ROLE_GRANTS: Record<BuiltinRole, Grants> = {
  admin: {
    'staff:read': 'all',
    'staff:manage': 'all',
    'audit:read': 'all',
    'customers:read': 'all',
    'customers:write': 'all',
    'customers:assign': 'all',
    'customers:configure': 'all',
    'campaigns:read': 'all',
    'campaigns:manage': 'all',
    'leads:read': 'all',
    'leads:write': 'all',
    'leads:assign': 'all',
    'opportunities:read': 'all',
    'opportunities:write': 'all',
    'sales:configure': 'all',
    'mail:manage': 'all',
    'workflows:manage': 'all',
    'contracts:read': 'all',
    'contracts:write': 'all',
    'contracts:configure': 'all',
    'receivables:read': 'all',
    'engagements:read': 'all',
    'engagements:write': 'all',
    'engagements:configure': 'all',
    'commissions:read': 'all',
    'commissions:write': 'all',
    'commissions:configure': 'all',
    'knowledge:read': 'all',
    'knowledge:write': 'all',
    'knowledge:manage': 'all',
    'chat:use': 'all',
    'chat:manage': 'all',
  },
  executive: {
    'staff:read': 'all',
    'audit:read': 'all',
    'customers:read': 'all',
    'customers:write': 'all',
    'customers:pool': 'all',
    'customers:assign': 'all',
    'campaigns:read': 'all',
    'campaigns:manage': 'all',
    'leads:read': 'all',
    'leads:write': 'all',
    'leads:assign': 'all',
    'opportunities:read': 'all',
    'opportunities:write': 'all',
    'contracts:read': 'all',
    'contracts:write': 'all',
    'receivables:read': 'all',
    'engagements:read': 'all',
    'engagements:write': 'all',
    'commissions:read': 'all',
    'commissions:write': 'all',
    'knowledge:read': 'all',
    'knowledge:write': 'all',
    'knowledge:manage': 'all',
    'chat:use': 'all',
  },
  manager: {
    'staff:read': 'department',
    'customers:read': 'department',
    'customers:write': 'department',
    'customers:pool': 'all',
    'customers:assign': 'department',
    'campaigns:read': 'all',
    'campaigns:manage': 'all',
    'leads:read': 'department',
    'leads:write': 'department',
    'leads:assign': 'department',
    'opportunities:read': 'department',
    'opportunities:write': 'department',
    'contracts:read': 'department',
    'contracts:write': 'department',
    'receivables:read': 'department',
    'engagements:read': 'department',
    'engagements:write': 'department',
    'commissions:read': 'department',
    'commissions:write': 'department',
    'knowledge:read': 'department',
    'knowledge:write': 'all',
    'knowledge:manage': 'all',
    'chat:use': 'all',
  },
  salesperson: {
    'staff:read': 'own',
    'customers:read': 'own',
    'customers:write': 'own',
    'customers:pool': 'all',
    'campaigns:read': 'all',
    'leads:read': 'own',
    'leads:write': 'own',
    'opportunities:read': 'own',
    'opportunities:write': 'own',
    'contracts:read': 'own',
    'contracts:write': 'own',
    'receivables:read': 'own',
    'engagements:read': 'own',
    'commissions:read': 'own',
    'commissions:write': 'own',
    'knowledge:read': 'own',
    'knowledge:write': 'all',
    'chat:use': 'all',
  },
  finance: {
    'staff:read': 'all',
    'customers:read': 'all',
    'campaigns:read': 'all',
    'opportunities:read': 'all',
    'contracts:read': 'all',
    'receivables:read': 'all',
    'receipts:write': 'all',
    'engagements:read': 'all',
    'commissions:read': 'all',
    'commissions:write': 'all',
    'commissions:configure': 'all',
    'knowledge:read': 'own',
    'knowledge:write': 'all',
    'chat:use': 'all',
  },
  staff: {
    'staff:read': 'own',
    'customers:read': 'own',
    'opportunities:read': 'own',
    'contracts:read': 'own',
    'engagements:read': 'own',
    'engagements:write': 'own',
    'commissions:read': 'own',
    'commissions:write': 'own',
    'knowledge:read': 'own',
    'knowledge:write': 'all',
    'chat:use': 'all',
  },
};

/** A wider scope includes every narrower one. */
export function scopeRank(scope: Scope | null | undefined): number {
  return scope ? SCOPES.indexOf(scope) + 1 : 0;
}

/**
 * Who may look colleagues up by name (GET /users/directory: the pickers and the owner filters):
 * those who share, assign or hand over work (customers:write), and those who may read staff
 * records beyond their own (staff:read department or all — they can list those users anyway).
 */
export function mayUseDirectory(grants: Grants): boolean {
  return scopeRank(grants['customers:write']) >= 1 || scopeRank(grants['staff:read']) >= scopeRank('department');
}
