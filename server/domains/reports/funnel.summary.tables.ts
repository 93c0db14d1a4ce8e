import { date, index, integer, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';

/**
 * The funnel-loss summary 漏斗流失汇总 (funnel.summary.ts), per opportunity (its key): one row per stage NAME it
 * entered and month (Asia/Shanghai) it entered it in, with the previous month it entered that name (null: never
 * before), so a period of whole months [A, B] counts each opportunity once per name: the rows with `month` in
 * [A, B] and `prev_month` null or before A. The outcome at that name is the opportunity's CURRENT one (open there,
 * lost there, moved on), as the report judges it; the dimensions are the opportunity's current ones (the customer's
 * region). Derived rows only: no foreign keys, rebuilt by key.
 */
export const reportFunnelEntries = pgTable(
  'report_funnel_entries',
  {
    opportunityId: uuid('opportunity_id').notNull(),
    stage: text('stage').notNull(),
    month: date('month').notNull(),
    prevMonth: date('prev_month'),
    outcome: text('outcome', { enum: ['moved', 'lost', 'open'] }).notNull(),
    /** The opportunity's lost reason, on the rows where it was lost (else null). */
    lostReason: text('lost_reason'),
    businessLineId: uuid('business_line_id').notNull(),
    departmentId: uuid('department_id'),
    ownerId: uuid('owner_id').notNull(),
    regionId: uuid('region_id'),
  },
  (t) => [
    index('report_funnel_entries_opp_idx').on(t.opportunityId),
    index('report_funnel_entries_month_idx').on(t.month),
    index('report_funnel_entries_owner_idx').on(t.ownerId, t.month),
  ],
);

/**
 * The same rows counted by everything but the owner and the region (a year is ~11,000 rows here against ~164,000
 * entries): what a reader who sees whole departments (or the firm) reads without an owner, branch or region filter.
 * Kept with the entries in the same catch-up (the old rows of a key subtracted, its new rows added).
 */
export const reportFunnelCounts = pgTable(
  'report_funnel_counts',
  {
    stage: text('stage').notNull(),
    month: date('month').notNull(),
    prevMonth: date('prev_month'),
    outcome: text('outcome', { enum: ['moved', 'lost', 'open'] }).notNull(),
    lostReason: text('lost_reason'),
    businessLineId: uuid('business_line_id').notNull(),
    departmentId: uuid('department_id'),
    n: integer('n').notNull(),
  },
  (t) => [
    unique('report_funnel_counts_group')
      .on(t.month, t.stage, t.prevMonth, t.outcome, t.lostReason, t.businessLineId, t.departmentId)
      .nullsNotDistinct(),
  ],
);
