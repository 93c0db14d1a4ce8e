import { z } from 'zod';
import { Id, Timestamp, optionalText, text } from './common';
import { Attachment } from './files';

/**
 * Workflow 工作流: flows of approval steps per subject kind, their versions, running instances, the
 * append-only history of transitions, and standing delegations. The engine is
 * server/domains/workflows; a subject kind declares here what its flows may test and whom they may
 * name, and registers its behaviour with the engine (docs/WORKFLOWS.md).
 */

/** What can be sent for approval. Later modules add theirs (contract, commission sheet …). */
export const WORKFLOW_SUBJECT_KINDS = [
  'quote',
  'independence-override',
  'contract',
  'timesheet',
  'engagement-review',
  'commission-sheet',
] as const;
export type WorkflowSubjectKind = (typeof WORKFLOW_SUBJECT_KINDS)[number];

/** How a condition's value is read and compared. */
export const CONDITION_FIELD_TYPES = ['money', 'percent', 'businessLine', 'department'] as const;
export type ConditionFieldType = (typeof CONDITION_FIELD_TYPES)[number];

/** People related to a subject whom a step may name (each kind says which it knows). */
export const WORKFLOW_RELATIONS = [
  /** The manager of the subject owner's department (or the nearest department above that has one). */
  'owner-manager',
  /** The manager of the submitter's department (or above). */
  'submitter-manager',
  /** The subject's project lead (kinds that have one: engagements). */
  'project-lead',
  /** The head 业务负责人 of the subject's business line. */
  'business-line-head',
] as const;
export type WorkflowRelation = (typeof WORKFLOW_RELATIONS)[number];

/** Per subject kind: the fields its flows' conditions may test, and the relations its steps may name. */
export const WORKFLOW_SUBJECTS: Record<
  WorkflowSubjectKind,
  { fields: Record<string, ConditionFieldType>; relations: readonly WorkflowRelation[] }
> = {
  quote: {
    fields: { total: 'money', discountPercent: 'percent', businessLineId: 'businessLine', departmentId: 'department' },
    relations: ['owner-manager', 'submitter-manager', 'business-line-head'],
  },
  'independence-override': {
    fields: { businessLineId: 'businessLine', departmentId: 'department' },
    relations: ['owner-manager', 'submitter-manager', 'business-line-head'],
  },
  contract: {
    fields: { amount: 'money', businessLineId: 'businessLine', departmentId: 'department' },
    relations: ['owner-manager', 'submitter-manager', 'business-line-head'],
  },
  /** A person's week of time entries (the owner is the person; the project lead: of the week's main engagement). */
  timesheet: {
    fields: { departmentId: 'department' },
    relations: ['project-lead', 'owner-manager'],
  },
  /** An engagement's review 复核 (三级复核: 项目经理 → 部门经理 → 主任会计师); its owner is the project lead. */
  'engagement-review': {
    fields: { amount: 'money', businessLineId: 'businessLine', departmentId: 'department' },
    relations: ['project-lead', 'owner-manager', 'submitter-manager', 'business-line-head'],
  },
  /** A month's commission sheet 分配表 (its owner: the subject's 业务承接人; the project lead: of its largest engagement). */
  'commission-sheet': {
    fields: { total: 'money', businessLineId: 'businessLine', departmentId: 'department' },
    relations: ['project-lead', 'owner-manager', 'submitter-manager', 'business-line-head'],
  },
};

export const CONDITION_OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in'] as const;
export const WorkflowCondition = z.strictObject({
  field: z.string().max(50),
  op: z.enum(CONDITION_OPERATORS),
  /** A decimal for money and percent ("100000.00", "10"), an id otherwise; several ids for `in`. */
  value: z.union([z.string().trim().max(50), z.array(z.string().trim().max(50)).min(1).max(50)]),
});
export type WorkflowCondition = z.infer<typeof WorkflowCondition>;

/** Who decides a step, resolved when the step starts. */
export const StepAssignee = z.discriminatedUnion('kind', [
  /** A named person. */
  z.strictObject({ kind: z.literal('user'), userId: Id }),
  /** Anyone holding the role, firm-wide. */
  z.strictObject({ kind: z.literal('role'), roleCode: z.string().trim().min(1).max(50) }),
  /** Whoever holds the role in the subject's department, or in the nearest department above it. */
  z.strictObject({ kind: z.literal('role-in-department'), roleCode: z.string().trim().min(1).max(50) }),
  /** A person related to the subject. */
  z.strictObject({ kind: z.literal('relation'), relation: z.enum(WORKFLOW_RELATIONS) }),
  /** Anyone in a department (holding the role, when one is given), e.g. 财务部. */
  z.strictObject({
    kind: z.literal('department'),
    departmentId: Id,
    roleCode: z.string().trim().min(1).max(50).nullable().optional(),
  }),
]);
export type StepAssignee = z.infer<typeof StepAssignee>;

export const STEP_MODES = ['any', 'all'] as const;
export const WorkflowStep = z.strictObject({
  nameZh: text(50),
  nameEn: text(50),
  assignee: StepAssignee,
  /** any: one approval moves on; all: every assignee must approve. */
  mode: z.enum(STEP_MODES).default('any'),
  /** Hours the step may take before its assignees are reminded (once). */
  timeLimitHours: z
    .int()
    .min(1)
    .max(24 * 90)
    .nullable()
    .optional(),
  /** Earlier steps (1-based positions) the step may return the subject to; the submitter always. */
  returnTo: z.array(z.int().min(1).max(20)).max(20).default([]),
});
export type WorkflowStep = z.infer<typeof WorkflowStep>;
export type WorkflowStepInput = z.input<typeof WorkflowStep>;

export const WorkflowInput = z.strictObject({
  subjectKind: z.enum(WORKFLOW_SUBJECT_KINDS),
  nameZh: text(100),
  nameEn: text(100),
  /** Flows of a kind are tried in ascending priority; the first whose conditions all hold runs. */
  priority: z.int().min(0).max(1000).default(100),
  conditions: z.array(WorkflowCondition).max(10).default([]),
  steps: z.array(WorkflowStep).max(20),
  /** Decides whatever nobody else can (a step that resolves to nobody, a deactivated assignee). */
  fallbackUserId: Id,
  active: z.boolean().default(true),
});
export type WorkflowInput = z.input<typeof WorkflowInput>;

export const Workflow = z.object({
  id: Id,
  subjectKind: z.enum(WORKFLOW_SUBJECT_KINDS),
  nameZh: z.string(),
  nameEn: z.string(),
  priority: z.int(),
  active: z.boolean(),
  /** The current version: editing a flow makes a new one; running instances keep theirs. */
  version: z.int(),
  conditions: z.array(WorkflowCondition),
  steps: z.array(WorkflowStep),
  fallbackUserId: Id,
  fallbackUserName: z.string().nullable(),
  runningCount: z.int(),
  updatedAt: Timestamp,
  updatedByName: z.string().nullable(),
});
export type Workflow = z.infer<typeof Workflow>;
export const WorkflowListQuery = z.strictObject({
  subjectKind: z.enum(WORKFLOW_SUBJECT_KINDS).optional(),
  active: z.enum(['true', 'false', 'all']).default('all'),
});
export const WorkflowVersion = z.object({
  version: z.int(),
  nameZh: z.string(),
  nameEn: z.string(),
  conditions: z.array(WorkflowCondition),
  steps: z.array(WorkflowStep),
  fallbackUserId: Id,
  createdAt: Timestamp,
  createdByName: z.string().nullable(),
});
export type WorkflowVersion = z.infer<typeof WorkflowVersion>;

// ---------- instances ----------

export const INSTANCE_STATUSES = ['running', 'returned', 'approved', 'rejected', 'withdrawn'] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];
export const DECISIONS = ['approve', 'reject', 'return'] as const;
export const TRANSITION_ACTIONS = [
  'submit',
  'approve',
  'reject',
  'return',
  'withdraw',
  'delegate',
  'reassign',
  'overdue',
  'step',
  'complete',
] as const;
export type TransitionAction = (typeof TRANSITION_ACTIONS)[number];

/** Why a person holds a step. */
export const ASSIGNMENT_REASONS = ['resolved', 'fallback', 'delegated', 'standing', 'reassigned'] as const;

export const Assignment = z.object({
  userId: Id,
  userName: z.string(),
  reason: z.enum(ASSIGNMENT_REASONS),
  /** For a delegated or standing assignment, whom it was for. */
  forUserId: Id.nullable(),
  forUserName: z.string().nullable(),
  decision: z.enum(DECISIONS).nullable(),
  decidedAt: Timestamp.nullable(),
});
export type Assignment = z.infer<typeof Assignment>;

/** "What is being approved", as the subject kind describes it: a title and a few labelled figures. */
export const SubjectSummary = z.object({
  title: z.string(),
  /** Labels are message keys of the web app (workflow.field.*), values already formatted or raw money. */
  facts: z.array(z.object({ key: z.string(), value: z.string(), money: z.boolean().optional() })),
  /** Where the subject is shown in the web app. */
  link: z.string(),
});
export type SubjectSummary = z.infer<typeof SubjectSummary>;

export const InstanceStep = z.object({
  position: z.int(),
  nameZh: z.string(),
  nameEn: z.string(),
  mode: z.enum(STEP_MODES),
  state: z.enum(['waiting', 'current', 'done']),
  dueAt: Timestamp.nullable(),
  assignees: z.array(Assignment),
  /** Why the step went to the fallback person, as a message key (workflow.note.*) with its parameters. */
  note: z.string().nullable(),
});

export const Transition = z.object({
  id: Id,
  action: z.enum(TRANSITION_ACTIONS),
  /** 1-based step position the transition happened at (null before the first step and after the end). */
  step: z.int().nullable(),
  toStep: z.int().nullable(),
  actorId: Id.nullable(),
  actorName: z.string().nullable(),
  /** When the actor decided for someone else (delegation). */
  forUserName: z.string().nullable(),
  comment: z.string().nullable(),
  /** The people the step (re)started with, as resolved. */
  assignees: z.array(z.object({ id: Id, name: z.string() })),
  note: z.string().nullable(),
  attachments: z.array(Attachment),
  at: Timestamp,
});
export type Transition = z.infer<typeof Transition>;

export const InstanceSummary = z.object({
  id: Id,
  subjectKind: z.enum(WORKFLOW_SUBJECT_KINDS),
  subjectId: Id,
  summary: SubjectSummary,
  status: z.enum(INSTANCE_STATUSES),
  workflowNameZh: z.string(),
  workflowNameEn: z.string(),
  version: z.int(),
  currentStep: z.int().nullable(),
  /** Counts the steps started (a step started again after a return is a new round): what a decision is for. */
  round: z.int(),
  currentStepNameZh: z.string().nullable(),
  currentStepNameEn: z.string().nullable(),
  stepCount: z.int(),
  submittedBy: Id,
  submittedByName: z.string(),
  submittedAt: Timestamp,
  endedAt: Timestamp.nullable(),
  dueAt: Timestamp.nullable(),
});
export type InstanceSummary = z.infer<typeof InstanceSummary>;

export const Instance = InstanceSummary.extend({
  steps: z.array(InstanceStep),
  transitions: z.array(Transition),
  /** What the reader may do now. */
  mayDecide: z.boolean(),
  mayWithdraw: z.boolean(),
  /** Positions the reader may return the subject to (0 = the submitter). */
  returnTargets: z.array(z.int()),
});
export type Instance = z.infer<typeof Instance>;

/** A subject's approvals for its timeline: the newest in full, the earlier ones as summaries, newest first. */
export const SubjectApprovals = z.object({ latest: Instance.nullable(), earlier: z.array(InstanceSummary) });
export type SubjectApprovals = z.infer<typeof SubjectApprovals>;

export const APPROVAL_BOXES = ['waiting', 'mine', 'decided'] as const;
export const ApprovalListQuery = z.strictObject({
  box: z.enum(APPROVAL_BOXES).default('waiting'),
  subjectKind: z.enum(WORKFLOW_SUBJECT_KINDS).optional(),
  status: z.enum(INSTANCE_STATUSES).optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export const ApprovalCount = z.object({ waiting: z.int() });
export const SubjectInstancesQuery = z.strictObject({
  subjectKind: z.enum(WORKFLOW_SUBJECT_KINDS),
  subjectId: Id,
});

export const Decision = z.strictObject({
  action: z.enum(DECISIONS),
  comment: optionalText(2000),
  /** For `return`: the 1-based step to go back to, or 0 for the submitter. */
  returnTo: z.int().min(0).max(20).optional(),
  /**
   * The round the decider saw (InstanceSummary.round): when the step has moved on since — a second click, or
   * a colleague quicker on an "any" step — the decision is 409 WORKFLOW_ALREADY_DECIDED instead of landing on
   * the next step they also hold.
   */
  round: z.int().min(1).optional(),
  attachmentIds: z.array(Id).max(10).default([]),
});
export type Decision = z.input<typeof Decision>;
export const Withdrawal = z.strictObject({ comment: optionalText(2000) });
export const Delegation = z.strictObject({ userId: Id, comment: optionalText(2000) });

// ---------- standing delegations ----------

export const StandingDelegation = z.object({
  id: Id,
  userId: Id,
  userName: z.string(),
  delegateId: Id,
  delegateName: z.string(),
  startsOn: z.iso.date(),
  endsOn: z.iso.date(),
  note: z.string().nullable(),
  createdAt: Timestamp,
});
export type StandingDelegation = z.infer<typeof StandingDelegation>;
export const StandingDelegationInput = z.strictObject({
  delegateId: Id,
  startsOn: z.iso.date(),
  endsOn: z.iso.date(),
  note: optionalText(500),
});
