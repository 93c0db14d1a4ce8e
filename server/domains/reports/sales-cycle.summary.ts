import { sql } from 'drizzle-orm';
import { visitsOf } from '../opportunities/stage-times.service';
import { salesCycleSummary as table, salesCycleSummaryStays as stays } from './sales-cycle.summary.tables';
import type { Summary } from './summaries';

/**
 * The sales cycle report's summary (sales-cycle.summary.tables.ts), keyed by opportunity: a won opportunity's row
 * (closing, owner, department, business line, customer, cycles in seconds) and its stays per stage from its stage
 * history; an opportunity not won (or gone) has none. The triggers of migration 0037 mark an opportunity stale when
 * a change of its stage history is written or deleted while it is won, when it is made, changed in what the summary
 * keeps (status, closing, creation, owner, department, business line, customer, lead) or deleted while won (before
 * or after the change), and when its lead's creation changes (a lead deleted sets lead_id to null: an opportunity
 * change). Stage names and kinds, owners' branches, customers' regions and teams are read live by the report.
 */
export const SALES_CYCLE_SUMMARY = 'sales-cycle';

const seconds = (from: string, to: string) =>
  sql.raw(`greatest(0, floor(extract(epoch FROM ${to} - ${from})))::bigint`);

export const salesCycleSummary: Summary = {
  name: SALES_CYCLE_SUMMARY,
  async rebuild(db, keys) {
    const all = keys === 'all';
    const list = all ? '' : `{${keys.join(',')}}`;
    const mine = (column: string) => (all ? sql`true` : sql`${sql.raw(column)} = ANY(${list}::uuid[])`);
    await db.execute(sql`DELETE FROM ${table} WHERE ${mine('opportunity_id')}`);
    await db.execute(sql`DELETE FROM ${stays} WHERE ${mine('opportunity_id')}`);
    const won = sql`o.status = 'won' AND o.closed_at IS NOT NULL AND ${mine('o.id')}`;
    await db.execute(sql`INSERT INTO ${table} (opportunity_id, closed_at, owner_id, department_id, business_line_id,
        customer_id, seconds, lead_seconds)
      SELECT o.id, o.closed_at, o.owner_id, o.department_id, o.business_line_id, o.customer_id,
        ${seconds('o.created_at', 'o.closed_at')},
        CASE WHEN l.id IS NOT NULL THEN ${seconds('l.created_at', 'o.closed_at')} END
      FROM opportunities o LEFT JOIN leads l ON l.id = o.lead_id
      WHERE ${won}`);
    await db.execute(sql`INSERT INTO ${stays} (opportunity_id, stage_id, seconds, open_since)
      SELECT v.opportunity_id, v.stage_id,
        coalesce(sum(${seconds('v.entered_at', 'v.left_at')}) FILTER (WHERE v.left_at IS NOT NULL), 0)::bigint,
        max(v.entered_at) FILTER (WHERE v.left_at IS NULL)
      FROM (${visitsOf(sql`SELECT o.id FROM opportunities o WHERE ${won}`)}) v
      GROUP BY v.opportunity_id, v.stage_id`);
  },
};
