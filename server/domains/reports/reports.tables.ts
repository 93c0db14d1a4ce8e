import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { REPORT_KINDS } from '../../../common/schemas/reports';
import { auditedColumns } from '../../db/columns';
import { businessLines, users } from '../staff/staff.tables';

/** A report with its filters pinned to a user's start page, in their order. */
export const reportPins = pgTable(
  'report_pins',
  {
    ...auditedColumns(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: REPORT_KINDS }).notNull(),
    /** The report's query as the page had it (filters and options; a preset period stays a preset). */
    query: jsonb('query').$type<Record<string, string>>().notNull(),
    title: text('title'),
    position: integer('position').notNull().default(0),
  },
  (t) => [index('report_pins_user_idx').on(t.userId, t.position)],
);

/**
 * A scheduled report 定期报表: the report with its filters, sent by e-mail weekly or monthly with the figures and the
 * .xlsx. `nextRunAt` is the instant the next one is due; the job that sends it moves it on in the same transaction
 * (a conditional update), so each is sent exactly once across instances.
 */
export const reportSubscriptions = pgTable(
  'report_subscriptions',
  {
    ...auditedColumns(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: REPORT_KINDS }).notNull(),
    query: jsonb('query').$type<Record<string, string>>().notNull(),
    frequency: text('frequency', { enum: ['weekly', 'monthly'] }).notNull(),
    active: boolean('active').notNull().default(true),
    nextRunAt: timestamp('next_run_at', { withTimezone: true }).notNull(),
    lastSentAt: timestamp('last_sent_at', { withTimezone: true }),
  },
  (t) => [
    index('report_subscriptions_due_idx')
      .on(t.nextRunAt)
      .where(sql`${t.active}`),
    index('report_subscriptions_user_idx').on(t.userId),
  ],
);

/** The firm's best practice 最佳实践: the target sales cycle in days per business line (the sales-cycle report's gap). */
export const salesCycleTargets = pgTable(
  'sales_cycle_targets',
  {
    businessLineId: uuid('business_line_id')
      .primaryKey()
      .references(() => businessLines.id, { onDelete: 'cascade' }),
    targetDays: integer('target_days').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    updatedBy: uuid('updated_by').references(() => users.id),
  },
  (t) => [check('sales_cycle_targets_days_check', sql`${t.targetDays} > 0 AND ${t.targetDays} <= 3650`)],
);

/**
 * Report summaries 报表汇总: tables of figures kept from the base rows so that a year's report reads thousands of rows,
 * not millions. Each summary has a name (`funnel`, `revenue` …) and a key per base record it is built from (an
 * opportunity, a contract …). Triggers on the base tables mark a key stale here in the same transaction as the change;
 * the summary is brought up to date (catchUp, summaries.ts) before it is read and by a job, so it never answers from
 * an older state than the base rows it is read with.
 */
export const reportStale = pgTable(
  'report_stale',
  {
    summary: text('summary').notNull(),
    key: uuid('key').notNull(),
  },
  // Not unique: each change adds its own row. With a key unique, a change whose key was already stale added nothing
  // (ON CONFLICT DO NOTHING) — and a catch-up running meanwhile took the older row and rebuilt the key without the
  // change (not yet committed): it was lost. Now its row stays for the next catch-up.
  (t) => [index('report_stale_summary_idx').on(t.summary, t.key)],
);

/** When each summary was last built in full (none yet: the first catch-up builds it from every base row). */
export const reportSummaries = pgTable('report_summaries', {
  summary: text('summary').primaryKey(),
  builtAt: timestamp('built_at', { withTimezone: true }).notNull().defaultNow(),
});
