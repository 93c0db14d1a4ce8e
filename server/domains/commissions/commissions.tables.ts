import { sql } from 'drizzle-orm';
import {
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  COMMISSION_METHODS,
  COMMISSION_ROLES,
  COMMISSION_SIDES,
  POLICY_STATUSES,
  SHEET_STATUSES,
  type RuleInput,
} from '../../../common/schemas/commissions';
import { auditedColumns } from '../../db/columns';
import { contracts, orders } from '../contracts/contracts.tables';
import { businessLines, departments, users } from '../staff/staff.tables';
import { workflowInstances } from '../workflows/workflows.tables';

const money = (name: string) => numeric(name, { precision: 14, scale: 2 });

/**
 * 佣金政策: each row one version of the firm's policy — its rules as one JSON document, checked as a whole when saved
 * (server/domains/commissions/compute.ts checkRules) — a draft (editable, what-if only) or adopted (in force from its
 * date until a later adopted one; never changed again).
 */
export const commissionPolicies = pgTable(
  'commission_policies',
  {
    ...auditedColumns(),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    effectiveFrom: date('effective_from').notNull(),
    status: text('status', { enum: POLICY_STATUSES }).notNull().default('draft'),
    note: text('note'),
    rules: jsonb('rules').$type<RuleInput[]>().notNull(),
    adoptedAt: timestamp('adopted_at', { withTimezone: true }),
    adoptedBy: uuid('adopted_by').references(() => users.id),
  },
  (t) => [
    uniqueIndex('commission_policies_version_key').on(t.version),
    index('commission_policies_in_force_idx')
      .on(t.effectiveFrom)
      .where(sql`${t.status} = 'adopted'`),
  ],
);

/**
 * 分配表: one month of one contract (or order without one) — its receipts and its engagements' approved hours of the
 * month, under the policy version in force — drafted, sent through the five-step flow (workflow kind
 * `commission-sheet`), approved, then paid. At most one live sheet per subject and month.
 */
export const commissionSheets = pgTable(
  'commission_sheets',
  {
    ...auditedColumns(),
    period: text('period').notNull(),
    contractId: uuid('contract_id').references(() => contracts.id),
    orderId: uuid('order_id').references(() => orders.id),
    businessLineId: uuid('business_line_id')
      .notNull()
      .references(() => businessLines.id),
    /** The subject's owner (业务承接人) and department: whose sheet it is, for visibility. */
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id),
    departmentId: uuid('department_id').references(() => departments.id),
    policyId: uuid('policy_id')
      .notNull()
      .references(() => commissionPolicies.id),
    status: text('status', { enum: SHEET_STATUSES }).notNull().default('draft'),
    /** What the contract had received before the month (the tiers run on from there). */
    receivedBefore: money('received_before').notNull(),
    received: money('received').notNull(),
    hours: numeric('hours', { precision: 10, scale: 2 }).notNull(),
    total: money('total').notNull(),
    /** The project lead's shares for pools split by shares: { userId: "3" }. */
    shares: jsonb('shares').$type<Record<string, string>>().notNull().default({}),
    workflowInstanceId: uuid('workflow_instance_id').references(() => workflowInstances.id),
    paidOn: date('paid_on'),
    note: text('note'),
    updatedBy: uuid('updated_by').references(() => users.id),
  },
  (t) => [
    check('commission_sheets_one_subject', sql`num_nonnulls(${t.contractId}, ${t.orderId}) = 1`),
    check('commission_sheets_period', sql`${t.period} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
    uniqueIndex('commission_sheets_subject_period_key')
      .on(sql`coalesce(${t.contractId}, ${t.orderId})`, t.period)
      .where(sql`${t.status} <> 'cancelled'`),
    index('commission_sheets_period_idx').on(t.period, t.status),
    index('commission_sheets_owner_idx').on(t.ownerId),
  ],
);

/**
 * A person's line of a sheet: the rule and role it came from, what the policy computed and what stands after any
 * adjustment (by whom, at which step, why), with the explanation — the formula's steps and the receipts or time
 * entries it counted.
 */
export const commissionLines = pgTable(
  'commission_lines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sheetId: uuid('sheet_id')
      .notNull()
      .references(() => commissionSheets.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    side: text('side', { enum: COMMISSION_SIDES }).notNull(),
    role: text('role', { enum: COMMISSION_ROLES }).notNull(),
    ruleKey: text('rule_key').notNull(),
    method: text('method', { enum: COMMISSION_METHODS }).notNull(),
    computed: money('computed').notNull(),
    amount: money('amount').notNull(),
    explanation: jsonb('explanation').notNull(),
    adjustedBy: uuid('adjusted_by').references(() => users.id),
    adjustedAt: timestamp('adjusted_at', { withTimezone: true }),
    adjustedAtStep: integer('adjusted_at_step'),
    adjustReason: text('adjust_reason'),
    paidOn: date('paid_on'),
  },
  (t) => [
    uniqueIndex('commission_lines_key').on(t.sheetId, t.userId, t.side),
    index('commission_lines_user_idx').on(t.userId),
  ],
);

/**
 * What a live sheet counted: a receipt (its part allocated to the subject), a receipt's reversal (counted after the
 * receipt was paid out: a negative line next period) or an approved time entry. Unique: nothing is counted twice —
 * two people computing the same month at once meet here. A cancelled sheet's rows are deleted when it is cancelled.
 */
export const commissionSources = pgTable(
  'commission_sources',
  {
    sheetId: uuid('sheet_id')
      .notNull()
      .references(() => commissionSheets.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['receipt', 'reversal', 'time-entry'] }).notNull(),
    sourceId: uuid('source_id').notNull(),
    amount: numeric('amount', { precision: 14, scale: 2 }).notNull(),
  },
  (t) => [
    uniqueIndex('commission_sources_key').on(t.kind, t.sourceId),
    index('commission_sources_sheet_idx').on(t.sheetId),
  ],
);
