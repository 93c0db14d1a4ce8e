import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { AcceptanceItem } from '../../../common/schemas/opportunities';
import {
  OPPORTUNITY_ORIGINS,
  OPPORTUNITY_STATUSES,
  QUOTE_STATUSES,
  STAGE_KINDS,
  TASK_STATUSES,
} from '../../../common/schemas/opportunities';
import { auditedColumns } from '../../db/columns';
import { searchGramsColumn } from '../../lib/search';
import { campaigns } from '../campaigns/campaigns.tables';
import { contacts, customers } from '../customers/customers.tables';
import { leads } from '../leads/leads.tables';
import { businessLines, departments, users } from '../staff/staff.tables';

/**
 * Pipeline stages, per business line (null = the default pipeline for lines without their own).
 * `kind` open stages are the board's columns; one `won` and one `lost` stage end each pipeline.
 * `requiredFields` must be filled before an opportunity enters the stage (e.g. a quote before 商务报价).
 */
export const pipelineStages = pgTable(
  'pipeline_stages',
  {
    ...auditedColumns(),
    businessLineId: uuid('business_line_id').references(() => businessLines.id),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    position: integer('position').notNull(),
    kind: text('kind', { enum: STAGE_KINDS }).notNull().default('open'),
    /** Win probability in whole percent, 0–100. */
    probability: integer('probability').notNull(),
    requiredFields: text('required_fields')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    active: boolean('active').notNull().default(true),
  },
  (t) => [index('pipeline_stages_line_idx').on(t.businessLineId, t.position)],
);

/** 销售机会. */
export const opportunities = pgTable(
  'opportunities',
  {
    ...auditedColumns(),
    name: text('name').notNull(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    businessLineId: uuid('business_line_id')
      .notNull()
      .references(() => businessLines.id),
    stageId: uuid('stage_id')
      .notNull()
      .references(() => pipelineStages.id),
    status: text('status', { enum: OPPORTUNITY_STATUSES }).notNull().default('open'),
    /** Whole percent; set from the stage, adjustable by the owner. */
    probability: integer('probability').notNull(),
    /** CNY, exact. */
    expectedAmount: numeric('expected_amount', { precision: 14, scale: 2 }),
    expectedCloseOn: date('expected_close_on'),
    nextStep: text('next_step'),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id),
    /** The owner's department when the opportunity was created or reassigned (for department scope and reports). */
    departmentId: uuid('department_id').references(() => departments.id),
    leadId: uuid('lead_id').references(() => leads.id, { onDelete: 'set null' }),
    campaignId: uuid('campaign_id').references(() => campaigns.id),
    lostReason: text('lost_reason'),
    competitor: text('competitor'),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    stageEnteredAt: timestamp('stage_entered_at', { withTimezone: true }).notNull().defaultNow(),
    /** Run as a project: milestones and tasks across departments. */
    isProject: boolean('is_project').notNull().default(false),
    /** Independence check overridden when won despite a conflicting engagement. */
    independenceOverrideReason: text('independence_override_reason'),
    independenceOverrideBy: uuid('independence_override_by').references(() => users.id),
    independenceOverrideAt: timestamp('independence_override_at', { withTimezone: true }),
    /** Where it came from when the system proposed it: a renewal 续约 or a cross-sell suggestion 交叉销售 (their id). */
    originKind: text('origin_kind', { enum: OPPORTUNITY_ORIGINS }),
    originId: uuid('origin_id'),
    searchText: text('search_text').notNull(),
    searchGrams: searchGramsColumn(),
  },
  (t) => [
    index('opportunities_board_idx').on(t.businessLineId, t.status, t.stageId),
    index('opportunities_owner_idx').on(t.ownerId, t.status),
    index('opportunities_customer_idx').on(t.customerId),
    index('opportunities_close_idx').on(t.expectedCloseOn),
    // Reports read the opportunities created in a period (lead conversion, sales cycle).
    index('opportunities_created_idx').on(t.createdAt),
    index('opportunities_search_trgm_idx').using('gin', sql`${t.searchText} gin_trgm_ops`),
    // One- and two-character Chinese words (华达): trigrams need three characters (server/lib/search.ts).
    index('opportunities_search_grams_idx').using('gin', t.searchGrams),
  ],
);

/** The opportunity team: people from any department with a role (e.g. 项目经理, 签字注册会计师); they see the opportunity. */
export const opportunityMembers = pgTable(
  'opportunity_members',
  {
    opportunityId: uuid('opportunity_id')
      .notNull()
      .references(() => opportunities.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.opportunityId, t.userId] }), index('opportunity_members_user_idx').on(t.userId)],
);

/** Every stage or status change of an opportunity, never rewritten: the input of sales-cycle timing. */
export const opportunityStageChanges = pgTable(
  'opportunity_stage_changes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    opportunityId: uuid('opportunity_id')
      .notNull()
      .references(() => opportunities.id, { onDelete: 'cascade' }),
    fromStageId: uuid('from_stage_id').references(() => pipelineStages.id),
    toStageId: uuid('to_stage_id')
      .notNull()
      .references(() => pipelineStages.id),
    fromStatus: text('from_status', { enum: OPPORTUNITY_STATUSES }),
    toStatus: text('to_status', { enum: OPPORTUNITY_STATUSES }).notNull(),
    note: text('note'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    byUserId: uuid('by_user_id').references(() => users.id),
  },
  (t) => [
    index('opportunity_stage_changes_opp_idx').on(t.opportunityId, t.at),
    // Reports read the changes of a period (funnel loss, sales cycle).
    index('opportunity_stage_changes_at_idx').on(t.at),
  ],
);

/** Quotes, versioned per opportunity (1, 2, …); each keeps its line items. Amounts in CNY, exact. */
export const quotes = pgTable(
  'quotes',
  {
    ...auditedColumns(),
    opportunityId: uuid('opportunity_id')
      .notNull()
      .references(() => opportunities.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    status: text('status', { enum: QUOTE_STATUSES }).notNull().default('draft'),
    validUntil: date('valid_until'),
    notes: text('notes'),
    total: numeric('total', { precision: 14, scale: 2 }).notNull(),
    /** The same lines at the firm's list fees 标准收费 (null: quoted before list fees were kept = the total). */
    listTotal: numeric('list_total', { precision: 14, scale: 2 }),
  },
  (t) => [uniqueIndex('quotes_version_key').on(t.opportunityId, t.version)],
);

export const quoteItems = pgTable(
  'quote_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    quoteId: uuid('quote_id')
      .notNull()
      .references(() => quotes.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    businessLineId: uuid('business_line_id').references(() => businessLines.id),
    description: text('description').notNull(),
    quantity: numeric('quantity', { precision: 12, scale: 2 }).notNull(),
    unitPrice: numeric('unit_price', { precision: 14, scale: 2 }).notNull(),
    /** The list fee per unit (标准收费); null: the quoted price is the list fee. */
    listUnitPrice: numeric('list_unit_price', { precision: 14, scale: 2 }),
    amount: numeric('amount', { precision: 14, scale: 2 }).notNull(),
  },
  // A quote's items are read by their quote (and deleted with it: without this, every cascade scanned the table).
  (t) => [index('quote_items_quote_idx').on(t.quoteId, t.position)],
);

/** A project's milestones (an opportunity run as a project). */
export const projectMilestones = pgTable(
  'project_milestones',
  {
    ...auditedColumns(),
    opportunityId: uuid('opportunity_id')
      .notNull()
      .references(() => opportunities.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    dueOn: date('due_on'),
    position: integer('position').notNull(),
  },
  (t) => [index('project_milestones_opp_idx').on(t.opportunityId)],
);

export const projectTasks = pgTable(
  'project_tasks',
  {
    ...auditedColumns(),
    opportunityId: uuid('opportunity_id')
      .notNull()
      .references(() => opportunities.id, { onDelete: 'cascade' }),
    milestoneId: uuid('milestone_id').references(() => projectMilestones.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    assigneeId: uuid('assignee_id').references(() => users.id),
    startsOn: date('starts_on'),
    dueOn: date('due_on'),
    status: text('status', { enum: TASK_STATUSES }).notNull().default('todo'),
    doneAt: timestamp('done_at', { withTimezone: true }),
  },
  (t) => [
    index('project_tasks_opp_idx').on(t.opportunityId),
    index('project_tasks_assignee_idx').on(t.assigneeId, t.status),
  ],
);

/** The engagement acceptance checklist of a business line (audit, capital verification …): items to confirm before winning. */
export const acceptanceChecklists = pgTable('acceptance_checklists', {
  businessLineId: uuid('business_line_id')
    .primaryKey()
    .references(() => businessLines.id),
  items: jsonb('items').$type<AcceptanceItem[]>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
});

/** An opportunity's answers to its checklist: which items were confirmed, by whom, when. */
export const opportunityAcceptance = pgTable('opportunity_acceptance', {
  opportunityId: uuid('opportunity_id')
    .primaryKey()
    .references(() => opportunities.id, { onDelete: 'cascade' }),
  /** item key → confirmation */
  answers: jsonb('answers')
    .$type<Record<string, { checked: boolean; note: string | null; by: string; at: string }>>()
    .notNull(),
  completedAt: timestamp('completed_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Business lines that may not both serve one customer at once (e.g. 代理记账 with 审计): independence. Stored once per pair, a < b. */
export const businessLineConflicts = pgTable(
  'business_line_conflicts',
  {
    lineA: uuid('line_a')
      .notNull()
      .references(() => businessLines.id),
    lineB: uuid('line_b')
      .notNull()
      .references(() => businessLines.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.lineA, t.lineB] })],
);
