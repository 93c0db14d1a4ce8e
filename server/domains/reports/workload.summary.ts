import { sql } from 'drizzle-orm';
import type { Summary } from './summaries';
import { workloadSummary as table } from './workload.summary.tables';

/**
 * The workload report's summary (workload.summary.tables.ts), keyed by timesheet week: a week's rows are its time
 * entries' hours and billable hours per month of the entry's date and business line of its engagement, only while
 * the week is submitted or approved (what the report counts; an open or returned week, or a week gone, has no rows).
 * The triggers of migration 0036 mark a week stale when one of its entries is written or deleted (its old and new
 * week), when the week is made, deleted or moves in or out of submitted/approved, and when an engagement with entries
 * changes business line.
 */
export const WORKLOAD_SUMMARY = 'workload';

export const workloadSummary: Summary = {
  name: WORKLOAD_SUMMARY,
  async rebuild(db, keys) {
    const all = keys === 'all';
    const mine = all ? sql`true` : sql`w.id = ANY(${`{${keys.join(',')}}`}::uuid[])`;
    await db.execute(
      all ? sql`DELETE FROM ${table}` : sql`DELETE FROM ${table} WHERE week_id = ANY(${`{${keys.join(',')}}`}::uuid[])`,
    );
    // The week's entries: every entry, hash-joined on its Monday, for a full build; a few weeks' by the entries'
    // (person, date) index, the Monday repeated so that the planner expects a week's rows, not a range's guess.
    const ofWeek = all
      ? sql`w.week_start = date_trunc('week', te.work_date::timestamp)::date`
      : sql`te.work_date BETWEEN w.week_start AND w.week_start + 6
          AND w.week_start = date_trunc('week', te.work_date::timestamp)::date`;
    await db.execute(sql`INSERT INTO ${table} (week_id, user_id, month, business_line_id, hours, billable)
      SELECT w.id, w.user_id, date_trunc('month', te.work_date::timestamp)::date, e.business_line_id,
        sum(te.hours), coalesce(sum(te.hours) FILTER (WHERE te.billable), 0)
      FROM timesheet_weeks w
      JOIN time_entries te ON te.user_id = w.user_id AND ${ofWeek}
      LEFT JOIN engagements e ON e.id = te.engagement_id
      WHERE w.status IN ('submitted', 'approved') AND ${mine}
      GROUP BY w.id, w.user_id, 3, e.business_line_id`);
  },
};
