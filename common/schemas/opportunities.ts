import { z } from 'zod';
import { INSTANCE_STATUSES } from './workflows';
import { DateOnly, Id, Money, Percent, Timestamp, listQuery, optionalText, text } from './common';

export const STAGE_KINDS = ['open', 'won', 'lost'] as const;
export const OPPORTUNITY_STATUSES = ['open', 'won', 'lost'] as const;
/** An opportunity the system proposed: from a renewal 续约 or a cross-sell suggestion 交叉销售. */
export const OPPORTUNITY_ORIGINS = ['renewal', 'cross-sell'] as const;
export type OpportunityStatus = (typeof OPPORTUNITY_STATUSES)[number];
export const QUOTE_STATUSES = ['draft', 'sent', 'accepted', 'rejected'] as const;
export const TASK_STATUSES = ['todo', 'doing', 'done'] as const;
/** What a stage can require before an opportunity enters it. */
export const STAGE_REQUIREMENTS = [
  'expectedAmount',
  'expectedCloseOn',
  'nextStep',
  'contact',
  'quote',
  'team',
  'acceptance',
] as const;
export type StageRequirement = (typeof STAGE_REQUIREMENTS)[number];
/** Activity categories of the sales cycle (leads use the light ones). */
export const OPPORTUNITY_ACTIVITY_CATEGORIES = [
  'meeting',
  'proposal',
  'discussion',
  'quote',
  'negotiation',
  'call',
  'visit',
  'email',
] as const;

// ---------- stages ----------

export const Stage = z.object({
  id: Id,
  businessLineId: Id.nullable(),
  nameZh: z.string(),
  nameEn: z.string(),
  position: z.int(),
  kind: z.enum(STAGE_KINDS),
  probability: Percent,
  requiredFields: z.array(z.enum(STAGE_REQUIREMENTS)),
  active: z.boolean(),
});
export type Stage = z.infer<typeof Stage>;

const StageInput = z.strictObject({
  /** Present for an existing stage; absent for a new one. */
  id: Id.optional(),
  nameZh: text(50),
  nameEn: text(50),
  kind: z.enum(STAGE_KINDS).default('open'),
  probability: Percent,
  requiredFields: z.array(z.enum(STAGE_REQUIREMENTS)).max(STAGE_REQUIREMENTS.length).default([]),
});
/**
 * A business line's whole pipeline, in order. Exactly one `won` and one `lost` stage; stages left
 * out are deactivated (kept for history), never deleted. businessLineId null = the default pipeline.
 */
export const PipelineInput = z.strictObject({
  businessLineId: Id.nullable(),
  stages: z.array(StageInput).min(3).max(20),
});
export type PipelineInput = z.input<typeof PipelineInput>;
export const PipelineQuery = z.strictObject({ businessLineId: Id.optional() });
export const Pipeline = z.object({
  businessLineId: Id.nullable(),
  /** false: this line has no pipeline of its own and uses the default one. */
  own: z.boolean(),
  stages: Stage.array(),
});
export type Pipeline = z.infer<typeof Pipeline>;

// ---------- opportunities ----------

export const OpportunityMember = z.object({
  userId: Id,
  name: z.string(),
  departmentName: z.string().nullable(),
  role: z.string(),
});
export type OpportunityMember = z.infer<typeof OpportunityMember>;

export const Opportunity = z.object({
  id: Id,
  name: z.string(),
  customerId: Id,
  customerName: z.string(),
  contactId: Id.nullable(),
  contactName: z.string().nullable(),
  businessLineId: Id,
  businessLineName: z.string(),
  stageId: Id,
  stageNameZh: z.string(),
  stageNameEn: z.string(),
  status: z.enum(OPPORTUNITY_STATUSES),
  probability: Percent,
  expectedAmount: Money.nullable(),
  /** expectedAmount × probability, exact to the cent. */
  weightedAmount: Money.nullable(),
  expectedCloseOn: DateOnly.nullable(),
  nextStep: z.string().nullable(),
  ownerId: Id,
  ownerName: z.string(),
  departmentId: Id.nullable(),
  leadId: Id.nullable(),
  campaignId: Id.nullable(),
  campaignName: z.string().nullable(),
  lostReason: z.string().nullable(),
  competitor: z.string().nullable(),
  closedAt: Timestamp.nullable(),
  stageEnteredAt: Timestamp,
  isProject: z.boolean(),
  members: OpportunityMember.array(),
  independenceOverride: z
    .object({ reason: z.string(), byUserId: Id, byUserName: z.string(), at: Timestamp })
    .nullable(),
  /** The renewal or cross-sell suggestion it came from (its source, so their conversion is measured). */
  origin: z.object({ kind: z.enum(OPPORTUNITY_ORIGINS), id: Id }).nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Opportunity = z.infer<typeof Opportunity>;

export const OpportunityCreate = z.strictObject({
  name: text(200),
  customerId: Id,
  contactId: Id.nullable().optional(),
  businessLineId: Id,
  /** Defaults to the pipeline's first stage. */
  stageId: Id.optional(),
  expectedAmount: Money.nullable().optional(),
  expectedCloseOn: DateOnly.nullable().optional(),
  nextStep: optionalText(500),
  ownerId: Id.optional(),
  campaignId: Id.nullable().optional(),
  isProject: z.boolean().optional(),
});
export type OpportunityCreate = z.infer<typeof OpportunityCreate>;

export const OpportunityUpdate = z
  .strictObject({
    name: text(200),
    contactId: Id.nullable(),
    expectedAmount: Money.nullable(),
    expectedCloseOn: DateOnly.nullable(),
    nextStep: optionalText(500),
    probability: Percent,
    ownerId: Id,
    campaignId: Id.nullable(),
    isProject: z.boolean(),
  })
  .partial();
export type OpportunityUpdate = z.infer<typeof OpportunityUpdate>;

/** A move on the board: to an open stage, to won, or to lost (with its reason). */
export const OpportunityMove = z.strictObject({
  stageId: Id,
  note: optionalText(500),
  lostReason: optionalText(500),
  competitor: optionalText(200),
  /** Winning despite a conflicting engagement of the same customer: why (recorded with who and when). */
});
export type OpportunityMove = z.infer<typeof OpportunityMove>;
/** An independence exception 独立性例外 asked of a partner: why the firm may take this work despite the conflict. */
export const IndependenceOverrideRequest = z.strictObject({ reason: text(500) });
export const OpportunityReopen = z.strictObject({ stageId: Id.optional(), note: optionalText(500) });

export const OpportunityMembersInput = z.strictObject({
  members: z.array(z.strictObject({ userId: Id, role: text(50) })).max(50),
});

export const OPPORTUNITY_VIEWS = ['visible', 'mine', 'team', 'member'] as const;

/**
 * One stage id or several, comma-separated (`a,b`): the stages of one name across pipelines, as the reports group
 * them (the default pipeline's 商务报价 and a business line's own 商务报价). At most 100.
 */
export const StageIds = z
  .string()
  .trim()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(,[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}){0,99}$/i,
    { message: 'validation.invalid' },
  );

/** Closed (won or lost) between two of the firm's local dates, both included: the sales-cycle report's drill-down. */
const closedFilters = {
  closedFrom: DateOnly.optional(),
  closedTo: DateOnly.optional(),
};
const opportunityFilters = {
  view: z.enum(OPPORTUNITY_VIEWS).default('visible'),
  status: z.enum(OPPORTUNITY_STATUSES).optional(),
  businessLineId: Id.optional(),
  /** Currently in this stage (or one of these stages). */
  stageId: StageIds.optional(),
  regionId: Id.optional(),
  ownerId: Id.optional(),
  customerId: Id.optional(),
  campaignId: Id.optional(),
  minAmount: Money.optional(),
  maxAmount: Money.optional(),
  closeFrom: DateOnly.optional(),
  closeTo: DateOnly.optional(),
  /** Without an expected close date. */
  noCloseDate: z.enum(['true']).optional(),
  /** The owner's branch 分所. */
  branchId: Id.optional(),
  /** The opportunity's department and those below it. */
  departmentId: Id.optional(),
  /**
   * Entered this stage (one of these stages) — a change into it, creation included — between enteredFrom and
   * enteredTo (local dates in Asia/Shanghai, both included); without a stage, entered any open stage then.
   */
  enteredStageId: StageIds.optional(),
  enteredFrom: DateOnly.optional(),
  enteredTo: DateOnly.optional(),
  /** Lost now, and lost from this stage (the stage of its latest change to lost). */
  lostAtStageId: StageIds.optional(),
  /** Was in this stage and moved on: neither open in it now nor lost from it (the funnel's "moved on"). */
  movedOnFromStageId: StageIds.optional(),
  /** The lost reason, exactly. */
  lostReason: z.string().trim().min(1).max(500).optional(),
  ...closedFilters,
};
export const OpportunityListQuery = listQuery(
  ['createdAt', 'name', 'expectedAmount', 'expectedCloseOn', 'probability', 'stageEnteredAt'],
  opportunityFilters,
);
export type OpportunityListQuery = z.infer<typeof OpportunityListQuery>;

/** Totals of a filtered opportunity list (the table view's footer): exact sums. */
export const OpportunityTotals = z.object({ count: z.int(), totalAmount: Money, weightedAmount: Money });
export type OpportunityTotals = z.infer<typeof OpportunityTotals>;

/** The kanban board of one business line's pipeline: the same filters, every open stage a column. */
export const BoardQuery = z.strictObject({
  ...opportunityFilters,
  businessLineId: Id,
  q: z.string().trim().max(100).optional(),
  /** Cards per column (the totals always cover the whole column). */
  perStage: z.coerce.number().int().min(1).max(2000).default(500),
});
export type BoardQuery = z.infer<typeof BoardQuery>;
export const BoardCard = z.object({
  id: Id,
  name: z.string(),
  customerName: z.string(),
  ownerName: z.string(),
  expectedAmount: Money.nullable(),
  expectedCloseOn: DateOnly.nullable(),
  probability: Percent,
  stageEnteredAt: Timestamp,
});
export type BoardCard = z.infer<typeof BoardCard>;
/**
 * Columns in order: the open stages of the line's pipeline (then any other open stage still holding
 * matching open opportunities, e.g. of the default pipeline before the line got its own), then won
 * and lost, which hold what closed in the last 30 days (count and totals of those; the 20 newest as cards).
 */
export const Board = z.object({
  businessLineId: Id,
  columns: z.array(
    z.object({
      stage: Stage,
      count: z.int(),
      totalAmount: Money,
      /** Σ amount × probability of the column's opportunities. */
      weightedAmount: Money,
      cards: BoardCard.array(),
    }),
  ),
});
export type Board = z.infer<typeof Board>;

export const StageChange = z.object({
  id: Id,
  fromStageId: Id.nullable(),
  fromStageNameZh: z.string().nullable(),
  fromStageNameEn: z.string().nullable(),
  toStageId: Id,
  toStageNameZh: z.string(),
  toStageNameEn: z.string(),
  fromStatus: z.enum(OPPORTUNITY_STATUSES).nullable(),
  toStatus: z.enum(OPPORTUNITY_STATUSES),
  note: z.string().nullable(),
  at: Timestamp,
  byUserId: Id.nullable(),
  byUserName: z.string().nullable(),
});
export type StageChange = z.infer<typeof StageChange>;

// ---------- quotes ----------

export const QuoteItem = z.object({
  id: Id,
  position: z.int(),
  businessLineId: Id.nullable(),
  description: z.string(),
  quantity: z.string(),
  unitPrice: Money,
  /** The list fee per unit (标准收费) the discount is measured from. */
  listUnitPrice: Money,
  amount: Money,
});
/** Where a quote stands with approval: required when an approval flow of kind `quote` applies to it. */
export const QuoteApproval = z.object({
  required: z.boolean(),
  status: z.enum(INSTANCE_STATUSES).nullable(),
  instanceId: Id.nullable(),
});
export type QuoteApproval = z.infer<typeof QuoteApproval>;
export const Quote = z.object({
  id: Id,
  opportunityId: Id,
  version: z.int(),
  status: z.enum(QUOTE_STATUSES),
  validUntil: DateOnly.nullable(),
  notes: z.string().nullable(),
  total: Money,
  /** The lines at list fees, and the discount from them in percent with two decimals ("20.00"). */
  listTotal: Money,
  discountPercent: z.string(),
  approval: QuoteApproval,
  items: QuoteItem.array(),
  createdBy: Id.nullable(),
  createdByName: z.string().nullable(),
  createdAt: Timestamp,
});
export type Quote = z.infer<typeof Quote>;
const Quantity = z
  .string()
  .trim()
  .regex(/^(0|[1-9]\d{0,9})(\.\d{1,2})?$/, { message: 'validation.quantity' });
export const QuoteCreate = z.strictObject({
  validUntil: DateOnly.nullable().optional(),
  notes: optionalText(2000),
  items: z
    .array(
      z.strictObject({
        businessLineId: Id.nullable().optional(),
        description: text(200),
        quantity: Quantity.default('1'),
        unitPrice: Money,
        /** The list fee per unit (标准收费); default: the unit price (no discount). */
        listUnitPrice: Money.nullable().optional(),
      }),
    )
    .min(1)
    .max(100),
});
export type QuoteCreate = z.input<typeof QuoteCreate>;
export const QuoteStatusChange = z.strictObject({ status: z.enum(QUOTE_STATUSES) });
export const QuoteParams = z.strictObject({ id: Id, quoteId: Id });

// ---------- projects ----------

export const ProjectTask = z.object({
  id: Id,
  milestoneId: Id.nullable(),
  title: z.string(),
  assigneeId: Id.nullable(),
  assigneeName: z.string().nullable(),
  assigneeDepartmentName: z.string().nullable(),
  startsOn: DateOnly.nullable(),
  dueOn: DateOnly.nullable(),
  status: z.enum(TASK_STATUSES),
  doneAt: Timestamp.nullable(),
});
export type ProjectTask = z.infer<typeof ProjectTask>;
export const Milestone = z.object({
  id: Id,
  name: z.string(),
  dueOn: DateOnly.nullable(),
  position: z.int(),
  progress: Percent,
});
export type Milestone = z.infer<typeof Milestone>;
export const Project = z.object({
  opportunityId: Id,
  /** Done tasks ÷ all tasks, whole percent. */
  progress: Percent,
  milestones: Milestone.array(),
  tasks: ProjectTask.array(),
});
export type Project = z.infer<typeof Project>;
export const MilestoneCreate = z.strictObject({ name: text(200), dueOn: DateOnly.nullable().optional() });
export const MilestoneUpdate = MilestoneCreate.partial();
export const ProjectTaskCreate = z.strictObject({
  milestoneId: Id.nullable().optional(),
  title: text(200),
  assigneeId: Id.nullable().optional(),
  startsOn: DateOnly.nullable().optional(),
  dueOn: DateOnly.nullable().optional(),
});
export const ProjectTaskUpdate = ProjectTaskCreate.extend({ status: z.enum(TASK_STATUSES) }).partial();
export const MilestoneParams = z.strictObject({ id: Id, milestoneId: Id });
export const TaskParams = z.strictObject({ id: Id, taskId: Id });

// ---------- engagement acceptance and independence ----------

export const AcceptanceItem = z.object({
  key: z.string().regex(/^[a-z0-9-]{1,40}$/),
  labelZh: text(200),
  labelEn: text(200),
});
export type AcceptanceItem = z.infer<typeof AcceptanceItem>;
export const AcceptanceChecklist = z.object({ businessLineId: Id, items: AcceptanceItem.array() });
export const AcceptanceChecklistInput = z.strictObject({
  items: z.array(z.strictObject({ key: AcceptanceItem.shape.key, labelZh: text(200), labelEn: text(200) })).max(50),
});
export const BusinessLineParams = z.strictObject({ businessLineId: Id });

export const Acceptance = z.object({
  opportunityId: Id,
  required: z.boolean(),
  items: z.array(
    AcceptanceItem.extend({
      checked: z.boolean(),
      note: z.string().nullable(),
      byUserName: z.string().nullable(),
      at: Timestamp.nullable(),
    }),
  ),
  complete: z.boolean(),
  completedAt: Timestamp.nullable(),
});
export type Acceptance = z.infer<typeof Acceptance>;
export const AcceptanceInput = z.strictObject({
  answers: z.record(z.string(), z.strictObject({ checked: z.boolean(), note: optionalText(500) })),
});

export const ConflictPair = z.object({ lineA: Id, lineAName: z.string(), lineB: Id, lineBName: z.string() });
export const ConflictPairsInput = z.strictObject({ pairs: z.array(z.strictObject({ lineA: Id, lineB: Id })).max(100) });
/** Active work of the same customer in a conflicting business line. */
export const IndependenceConflict = z.object({
  kind: z.enum(['opportunity', 'service']),
  id: Id,
  name: z.string(),
  businessLineId: Id,
  businessLineName: z.string(),
  ownerName: z.string().nullable(),
});
export type IndependenceConflict = z.infer<typeof IndependenceConflict>;
export const IndependenceCheck = z.object({ conflicts: IndependenceConflict.array() });
