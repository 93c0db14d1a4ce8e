import { z } from 'zod';
import { ActiveFilter, DateOnly, Id, Timestamp, listQuery, optionalText, text } from './common';
import { INSTANCE_STATUSES } from './workflows';

/**
 * Engagements 业务项目 (server/domains/engagements): the work a confirmed order becomes — phases, people, work
 * orders 工单 (the tasks assigned to a person) — and the engagement templates 业务模板 per business line it is
 * made from. Hours are exact decimal strings in quarter hours ("6.5", "0.25").
 */

/** What a person does on an engagement: 项目经理, 签字注册会计师, 助理, 复核人, 评估师, 造价工程师, 记账会计. */
export const ENGAGEMENT_ROLES = [
  'manager',
  'signing-cpa',
  'assistant',
  'reviewer',
  'appraiser',
  'cost-engineer',
  'bookkeeper',
] as const;
export type EngagementRole = (typeof ENGAGEMENT_ROLES)[number];

/**
 * Professional qualifications 执业资格 a phase may need and a person may hold: 注册会计师, 资产评估师, 造价工程师,
 * 税务师. The signing CPAs must be practising 执业 (the staff record's flag).
 */
export const QUALIFICATIONS = ['cpa', 'asset-appraiser', 'cost-engineer', 'tax-agent'] as const;
export type Qualification = (typeof QUALIFICATIONS)[number];

/** A phase is ordinary work, or the review 复核, the report 出具报告 or the archiving 归档 the engagement ends with. */
export const PHASE_KINDS = ['work', 'review', 'report', 'archive'] as const;
export type PhaseKind = (typeof PHASE_KINDS)[number];

/** Once (an audit, a valuation) or a monthly cycle (代理记账: 收票 → 记账 → 报税 → 装订 every month). */
export const ENGAGEMENT_CYCLES = ['once', 'monthly'] as const;
export type EngagementCycle = (typeof ENGAGEMENT_CYCLES)[number];

/** in-progress → in-review → reported → closed 结项; cancelled with a reason. */
export const ENGAGEMENT_STATUSES = ['in-progress', 'in-review', 'reported', 'closed', 'cancelled'] as const;
export type EngagementStatus = (typeof ENGAGEMENT_STATUSES)[number];

/** A work order's status: 待办 → 进行中 → 已完成. A phase's status is its tasks'. */
export const TASK_STATUSES = ['todo', 'in-progress', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const PHASE_STATUSES = ['pending', 'in-progress', 'done'] as const;
export type PhaseStatus = (typeof PHASE_STATUSES)[number];

/** Hours in quarter hours, 0–9999.75: "8", "6.5", "0.25". */
export const Hours = z
  .string()
  .trim()
  .regex(/^(0|[1-9]\d{0,3})(\.(0|00|25|5|50|75))?$/, { message: 'validation.hours' });

// ——— Templates 业务模板 ———

export const TemplateTaskInput = z.strictObject({
  title: text(200),
  role: z.enum(ENGAGEMENT_ROLES),
  plannedHours: Hours.optional(),
});
export const TemplatePhaseInput = z.strictObject({
  name: text(100),
  kind: z.enum(PHASE_KINDS).default('work'),
  /** Planned length in calendar days (the phases follow one another from the engagement's start). */
  durationDays: z.int().min(0).max(366),
  /** The roles the phase needs; staffing suggests people for them. */
  roles: z.array(z.enum(ENGAGEMENT_ROLES)).max(ENGAGEMENT_ROLES.length).default([]),
  /** The qualification the phase's people need (e.g. cost-engineer for 工程审价's 审核). */
  qualification: z.enum(QUALIFICATIONS).nullable().default(null),
  tasks: z.array(TemplateTaskInput).max(50).default([]),
});
export type TemplatePhaseInput = z.input<typeof TemplatePhaseInput>;

export const EngagementTemplateInput = z.strictObject({
  businessLineId: Id,
  name: text(100),
  cycle: z.enum(ENGAGEMENT_CYCLES).default('once'),
  active: z.boolean().default(true),
  note: optionalText(500),
  phases: z.array(TemplatePhaseInput).min(1).max(30),
});
export type EngagementTemplateInput = z.input<typeof EngagementTemplateInput>;

export const TemplateTask = z.object({
  title: z.string(),
  role: z.enum(ENGAGEMENT_ROLES),
  plannedHours: z.string().nullable(),
});
export const TemplatePhase = z.object({
  name: z.string(),
  kind: z.enum(PHASE_KINDS),
  durationDays: z.int(),
  roles: z.array(z.enum(ENGAGEMENT_ROLES)),
  qualification: z.enum(QUALIFICATIONS).nullable(),
  tasks: z.array(TemplateTask),
});
export type TemplatePhase = z.infer<typeof TemplatePhase>;

export const EngagementTemplate = z.object({
  id: Id,
  businessLineId: Id,
  businessLineName: z.string(),
  name: z.string(),
  cycle: z.enum(ENGAGEMENT_CYCLES),
  active: z.boolean(),
  note: z.string().nullable(),
  phases: z.array(TemplatePhase),
  /** The sum of the tasks' planned hours. */
  plannedHours: z.string(),
  /** Engagements made from it. */
  engagements: z.int(),
  updatedAt: Timestamp,
});
export type EngagementTemplate = z.infer<typeof EngagementTemplate>;

export const EngagementTemplateListQuery = listQuery(['name', 'updatedAt'] as const, {
  businessLineId: Id.optional(),
  active: ActiveFilter,
});

// ——— Engagements 业务项目 ———

/** Made from a confirmed order: the chosen lines (default: every line not yet in an engagement). */
export const EngagementCreate = z.strictObject({
  orderId: Id,
  lineIds: z.array(Id).min(1).max(50).optional(),
  /** One engagement for all the chosen lines (true) or one per line (false, the default). */
  merge: z.boolean().default(false),
  /** Default: the business line's active template (the first by name). */
  templateId: Id.optional(),
  /** The project lead 项目负责人. */
  leadId: Id,
  /** Default: today in the firm's zone. */
  startsOn: DateOnly.optional(),
});
export type EngagementCreate = z.input<typeof EngagementCreate>;

export const EngagementUpdate = z.strictObject({
  title: text(200).optional(),
  leadId: Id.optional(),
  dueOn: DateOnly.nullable().optional(),
  plannedHours: Hours.nullable().optional(),
});

export const EngagementCancel = z.strictObject({ reason: text(500) });

/**
 * Issuing the report 出具报告 once the review passed: two different practising CPAs of the team sign it (签字注册会计师);
 * the report number 报告文号 comes from the business line's `report` series. issuedOn: default today, not later.
 */
export const ReportIssue = z.strictObject({
  signers: z.array(Id).length(2),
  issuedOn: DateOnly.optional(),
});
export type ReportIssue = z.input<typeof ReportIssue>;

export const MemberInput = z.strictObject({
  userId: Id,
  roles: z.array(z.enum(ENGAGEMENT_ROLES)).min(1).max(ENGAGEMENT_ROLES.length),
});
/** The whole team at once (staffing 人员安排). */
export const MembersInput = z.strictObject({ members: z.array(MemberInput).max(100) });

export const Member = z.object({
  userId: Id,
  name: z.string(),
  departmentName: z.string().nullable(),
  roles: z.array(z.enum(ENGAGEMENT_ROLES)),
  isPracticingCpa: z.boolean(),
});
export type Member = z.infer<typeof Member>;

export const TaskCreate = z.strictObject({
  phaseId: Id,
  title: text(200),
  role: z.enum(ENGAGEMENT_ROLES).nullable().optional(),
  assigneeId: Id.nullable().optional(),
  startsOn: DateOnly.nullable().optional(),
  dueOn: DateOnly.nullable().optional(),
  plannedHours: Hours.nullable().optional(),
});
export const TaskUpdate = TaskCreate.omit({ phaseId: true }).partial();
export const TaskStatusChange = z.strictObject({ status: z.enum(TASK_STATUSES) });

export const Task = z.object({
  id: Id,
  engagementId: Id,
  phaseId: Id,
  position: z.int(),
  title: z.string(),
  role: z.enum(ENGAGEMENT_ROLES).nullable(),
  assigneeId: Id.nullable(),
  assigneeName: z.string().nullable(),
  startsOn: z.string().nullable(),
  dueOn: z.string().nullable(),
  plannedHours: z.string().nullable(),
  status: z.enum(TASK_STATUSES),
  startedAt: Timestamp.nullable(),
  doneAt: Timestamp.nullable(),
  notes: z.int(),
});
export type Task = z.infer<typeof Task>;

export const Phase = z.object({
  id: Id,
  position: z.int(),
  name: z.string(),
  kind: z.enum(PHASE_KINDS),
  status: z.enum(PHASE_STATUSES),
  roles: z.array(z.enum(ENGAGEMENT_ROLES)),
  qualification: z.enum(QUALIFICATIONS).nullable(),
  startsOn: z.string().nullable(),
  dueOn: z.string().nullable(),
  plannedHours: z.string().nullable(),
  tasks: z.array(Task),
});
export type Phase = z.infer<typeof Phase>;

export const EngagementLine = z.object({ orderLineId: Id, description: z.string(), amount: z.string() });

export const EngagementSummary = z.object({
  id: Id,
  title: z.string(),
  status: z.enum(ENGAGEMENT_STATUSES),
  customerId: Id,
  customerName: z.string(),
  orderId: Id,
  orderNumber: z.string().nullable(),
  businessLineId: Id,
  businessLineName: z.string(),
  leadId: Id,
  leadName: z.string(),
  amount: z.string(),
  startsOn: z.string().nullable(),
  dueOn: z.string().nullable(),
  /** Done tasks in per cent of all tasks (0 without tasks). */
  progress: z.int(),
  /** The first phase not done (null when all are). */
  currentPhase: z.string().nullable(),
  createdAt: Timestamp,
});
export type EngagementSummary = z.infer<typeof EngagementSummary>;

export const Engagement = EngagementSummary.extend({
  contractId: Id.nullable(),
  contractNumber: z.string().nullable(),
  templateId: Id.nullable(),
  templateName: z.string().nullable(),
  cycle: z.enum(ENGAGEMENT_CYCLES),
  departmentId: Id,
  departmentName: z.string(),
  salesOwnerId: Id,
  salesOwnerName: z.string(),
  statusReason: z.string().nullable(),
  closedOn: z.string().nullable(),
  plannedHours: z.string().nullable(),
  reportNumber: z.string().nullable(),
  reportIssuedOn: z.string().nullable(),
  /** The two signing CPAs 签字注册会计师 of the issued report (empty before it is issued). */
  reportSigners: z.array(z.object({ userId: Id, name: z.string() })),
  /** Where the newest review 复核 (workflow kind `engagement-review`) stands; null: never sent through a flow. */
  reviewStatus: z.enum(INSTANCE_STATUSES).nullable(),
  /** The review passed (approved, or sent while no flow applied): the report may be issued. */
  reviewPassed: z.boolean(),
  lines: z.array(EngagementLine),
  members: z.array(Member),
  phases: z.array(Phase),
  /** The reader may plan and staff it (the lead, or engagements:write within the scope). */
  mayChange: z.boolean(),
  /** The reader may send it for review 提交复核: a planner, or someone on its team. */
  mayReview: z.boolean(),
  updatedAt: Timestamp,
});
export type Engagement = z.infer<typeof Engagement>;

export const EngagementListQuery = listQuery(['createdAt', 'startsOn', 'dueOn', 'title'] as const, {
  status: z.enum(ENGAGEMENT_STATUSES).optional(),
  businessLineId: Id.optional(),
  customerId: Id.optional(),
  orderId: Id.optional(),
  leadId: Id.optional(),
  /** Only those I lead or am a member of. */
  mine: z.enum(['true', 'false']).optional(),
});
export type EngagementListQuery = z.infer<typeof EngagementListQuery>;

export const EngagementsCreated = z.object({ items: z.array(Engagement) });

/** 我的工单: my tasks across engagements (open by default), earliest due first. */
export const WorkOrderListQuery = listQuery(['dueOn', 'createdAt'] as const, {
  status: z.enum([...TASK_STATUSES, 'open', 'all']).default('open'),
  engagementId: Id.optional(),
});
export const WorkOrder = Task.extend({
  engagementTitle: z.string(),
  customerName: z.string(),
  phaseName: z.string(),
  engagementStatus: z.enum(ENGAGEMENT_STATUSES),
});
export type WorkOrder = z.infer<typeof WorkOrder>;

export const TaskNoteInput = z.strictObject({ body: text(2000) });
export const TaskNote = z.object({
  id: Id,
  authorId: Id,
  authorName: z.string(),
  body: z.string().nullable(),
  fileId: Id.nullable(),
  fileName: z.string().nullable(),
  createdAt: Timestamp,
});
export type TaskNote = z.infer<typeof TaskNote>;

/** Who could fill a role: people with the engagement's business line (and the qualification), least loaded first. */
export const StaffingQuery = z.strictObject({
  role: z.enum(ENGAGEMENT_ROLES),
  phaseId: Id.optional(),
});
export const StaffingSuggestion = z.object({
  userId: Id,
  name: z.string(),
  departmentName: z.string().nullable(),
  isPracticingCpa: z.boolean(),
  /** Has the engagement's business line. */
  sameLine: z.boolean(),
  /** Open work orders across engagements now. */
  openTasks: z.int(),
  /** Why the person is listed first or last (e.g. not practising for a signing role). */
  qualified: z.boolean(),
  /** The qualifications asked for (by the role or the phase) that the person holds, valid (a CPA: practising). */
  qualifications: z.array(z.enum(QUALIFICATIONS)),
});
export const StaffingSuggestions = z.object({ items: z.array(StaffingSuggestion) });
