import { sql, type SQL } from 'drizzle-orm';
import { FIRM_TIME_ZONE } from '../../lib/time';
import { leads } from '../leads/leads.tables';
import { opportunities } from '../opportunities/opportunities.tables';
import { reportLeadCounts, reportLeadEntries } from './lead-conversion.summary.tables';
import type { Summary } from './summaries';

/**
 * The lead-conversion summary 线索转化汇总 (lead-conversion.summary.tables.ts), keyed by lead: what the report counts
 * from the base rows (lead-conversion.report.ts) — a lead in the month it was created, converted when its status is
 * converted, won when its opportunity is won now — per lead, and counted per grouping.
 *
 * What marks a lead stale (migration 0036, `-- custom: lead-conversion summary`): its insert and delete, a change of
 * its creation time, status, opportunity, assignee, queue, business line, region, source or campaign; a change of
 * the status of its opportunity, or that opportunity's deletion. The assignee's department and branch are read
 * with the summary (users), not kept in it.
 */
export const leadConversionSummary: Summary = {
  name: 'lead-conversion',
  async rebuild(db, keys) {
    if (keys === 'all') {
      await db.execute(sql`DELETE FROM ${reportLeadCounts}`);
      await db.execute(sql`DELETE FROM ${reportLeadEntries}`);
      await db.execute(sql`INSERT INTO ${reportLeadEntries} ${entriesOf(null)}`);
      await db.execute(sql`INSERT INTO ${reportLeadCounts} ${countsOf(sql`${reportLeadEntries}`, 1)}`);
      return;
    }
    const ids = `{${keys.join(',')}}`;
    await db.execute(sql`WITH old AS (DELETE FROM ${reportLeadEntries} WHERE lead_id = ANY(${ids}::uuid[]) RETURNING *)
      INSERT INTO ${reportLeadCounts} ${countsOf(sql`old`, -1)} ${ADD}`);
    await db.execute(sql`WITH new AS (INSERT INTO ${reportLeadEntries} ${entriesOf(ids)} RETURNING *)
      INSERT INTO ${reportLeadCounts} ${countsOf(sql`new`, 1)} ${ADD}`);
    await db.execute(sql`DELETE FROM ${reportLeadCounts} WHERE created = 0`);
  },
};

const ADD = sql.raw(`ON CONFLICT ON CONSTRAINT report_lead_counts_group DO UPDATE SET
  created = report_lead_counts.created + excluded.created, converted = report_lead_counts.converted + excluded.converted,
  won = report_lead_counts.won + excluded.won`);

/** The counts of entries `from`, once per grouping, times `sign`. */
function countsOf(from: SQL, sign: 1 | -1): SQL {
  return sql`(kind, value, month, owner_id, queue_department_id, business_line_id, created, converted, won)
    SELECT g.kind, g.value, e.month, e.owner_id, e.queue_department_id, e.business_line_id,
      ${sign} * count(*)::int, ${sign} * (count(*) FILTER (WHERE e.converted))::int,
      ${sign} * (count(*) FILTER (WHERE e.won))::int
    FROM ${from} e CROSS JOIN LATERAL (VALUES ('month', NULL::text), ('region', e.region_id::text),
      ('source', e.source), ('campaign', e.campaign_id::text), ('businessLine', e.business_line_id::text)) g(kind, value)
    GROUP BY 1, 2, 3, 4, 5, 6`;
}

/** The entries of the leads `ids` (a uuid[] literal; null: all), in the table's column order. */
function entriesOf(ids: string | null): SQL {
  return sql`SELECT l.id, date_trunc('month', l.created_at AT TIME ZONE ${FIRM_TIME_ZONE})::date, l.owner_id,
      l.queue_department_id, l.business_line_id, l.region_id, l.source, l.campaign_id, l.status = 'converted',
      coalesce(o.status = 'won', false)
    FROM ${leads} l LEFT JOIN ${opportunities} o ON o.id = l.opportunity_id
    WHERE ${ids === null ? sql`true` : sql`l.id = ANY(${ids}::uuid[])`}`;
}
