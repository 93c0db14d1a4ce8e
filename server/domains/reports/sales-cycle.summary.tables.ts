import { bigint, index, pgTable, primaryKey, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The sales cycle report's summary 销售周期汇总 (sales-cycle.summary.ts), keyed by opportunity: a row per WON
 * opportunity with its closing instant, the columns the report groups and filters by and the policy reads (owner,
 * department, business line, customer), and its cycle in whole seconds from its creation and from its lead's
 * creation (none without a lead). The owner's branch, the customer's region and the team (opportunity_members) are
 * read live, as in the base rows' report. No foreign keys: derived rows, deleted and inserted by key.
 */
export const salesCycleSummary = pgTable(
  'sales_cycle_summary',
  {
    /** The opportunity (opportunities.id): the key. */
    opportunityId: uuid('opportunity_id').primaryKey(),
    closedAt: timestamp('closed_at', { withTimezone: true }).notNull(),
    ownerId: uuid('owner_id').notNull(),
    departmentId: uuid('department_id'),
    businessLineId: uuid('business_line_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    /** Whole seconds from the opportunity's creation to its closing (never negative). */
    seconds: bigint('seconds', { mode: 'bigint' }).notNull(),
    /** Whole seconds from its lead's creation to its closing; null without a lead. */
    leadSeconds: bigint('lead_seconds', { mode: 'bigint' }),
  },
  (t) => [index('sales_cycle_summary_closed_idx').on(t.closedAt)],
);

/**
 * The won opportunities' stays per stage (any kind: the report keeps the open ones, read live from pipeline_stages),
 * from the stage history as stage-times.service.ts's visits: the ended visits' whole seconds added up, and the
 * start of a visit not ended (the history's last entry, counted up to now when read), if that is in this stage.
 */
export const salesCycleSummaryStays = pgTable(
  'sales_cycle_summary_stays',
  {
    opportunityId: uuid('opportunity_id').notNull(),
    stageId: uuid('stage_id').notNull(),
    seconds: bigint('seconds', { mode: 'bigint' }).notNull(),
    openSince: timestamp('open_since', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.opportunityId, t.stageId] })],
);
