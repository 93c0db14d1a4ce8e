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
} as const satisfies Record<string, { scoped: boolean }>;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_KEYS = Object.keys(PERMISSIONS) as Permission[];

export type Grants = Partial<Record<Permission, Scope>>;

export const BUILTIN_ROLES = ['admin', 'executive', 'manager', 'salesperson', 'finance', 'staff'] as const;
export type BuiltinRole = (typeof BUILTIN_ROLES)[number];

export const BUILTIN_ROLE_GRANTS: Record<BuiltinRole, Grants> = {
  admin: { 'staff:read': 'all', 'staff:manage': 'all', 'audit:read': 'all', 'customers:read': 'all', 'customers:write': 'all', 'customers:assign': 'all', 'customers:configure': 'all' },
  executive: { 'staff:read': 'all', 'audit:read': 'all', 'customers:read': 'all', 'customers:write': 'all', 'customers:pool': 'all', 'customers:assign': 'all' },
  manager: { 'staff:read': 'department', 'customers:read': 'department', 'customers:write': 'department', 'customers:pool': 'all', 'customers:assign': 'department' },
  salesperson: { 'staff:read': 'own', 'customers:read': 'own', 'customers:write': 'own', 'customers:pool': 'all' },
  finance: { 'staff:read': 'all', 'customers:read': 'all' },
  staff: { 'staff:read': 'own', 'customers:read': 'own' },
};

/** A wider scope includes every narrower one. */
export function scopeRank(scope: Scope | null | undefined): number {
  return scope ? SCOPES.indexOf(scope) + 1 : 0;
}
