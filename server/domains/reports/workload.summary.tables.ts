import { date, index, numeric, pgTable, uuid } from 'drizzle-orm/pg-core';

/**
 * The workload report's summary 工时汇总 (workload.summary.ts): the hours of each handed-in timesheet week (submitted or
 * approved), per month the week's days fall in (a week across a month's end gives two months) and business line of
 * the engagement (none: time off an engagement), with its billable part. Keyed by the week: its rows are rebuilt from
 * its time entries whenever an entry, the week's status or an engagement's business line changes. The person's
 * department, branch and region are not kept: the report reads them from the person, as the base rows' report does.
 * No foreign keys: derived rows, deleted and inserted by key (a week gone leaves none after its catch-up).
 */
export const workloadSummary = pgTable(
  'workload_summary',
  {
    /** The timesheet week (timesheet_weeks.id): the key. */
    weekId: uuid('week_id').notNull(),
    userId: uuid('user_id').notNull(),
    /** The first day of the month these hours fall in. */
    month: date('month').notNull(),
    businessLineId: uuid('business_line_id'),
    hours: numeric('hours', { precision: 9, scale: 2 }).notNull(),
    billable: numeric('billable', { precision: 9, scale: 2 }).notNull(),
  },
  (t) => [
    // The catch-up's deletes by key; a year's hours (a range of months); a person's hours in a period (the people).
    index('workload_summary_week_idx').on(t.weekId),
    index('workload_summary_month_idx').on(t.month),
    index('workload_summary_user_idx').on(t.userId, t.month),
  ],
);
