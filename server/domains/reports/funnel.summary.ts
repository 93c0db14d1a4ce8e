import { sql, type SQL } from 'drizzle-orm';
import { FIRM_TIME_ZONE } from '../../lib/time';
import { departmentSubtree, scopeOf, visibleTo, type Actor } from '../../policy';
import { customers } from '../customers/customers.tables';
import {
  opportunities,
  opportunityMembers,
  opportunityStageChanges,
  pipelineStages,
} from '../opportunities/opportunities.tables';
import { reportFunnelCounts, reportFunnelEntries } from './funnel.summary.tables';
import type { Summary } from './summaries';

/**
 * The funnel-loss summary 漏斗流失汇总 (funnel.summary.tables.ts), keyed by opportunity. Its rows are what the
 * funnel-loss report computes from the base rows (funnel-loss.report.ts), cut by month:
 * - an entry is a change into an open stage (to_status 'open', a stage of kind open), grouped by the stage's Chinese
 *   name and the month of the change in Asia/Shanghai, with the previous such month of the same name (lag);
 * - the outcome is judged on the opportunity now: open there (open, in a stage of that name), lost there (lost, and
 *   its latest change to lost came from a stage of that name), else moved on;
 * - the dimensions are the opportunity's business line, department and owner and its customer's region.
 *
 * What marks an opportunity stale (the triggers of migration 0036, `-- custom: funnel summary`): any insert, change
 * or delete of its stage changes; its insert and delete, and a change of its status, stage, lost reason, owner,
 * department, business line or customer; a change of its customer's region; a change of the name or kind of a stage
 * it entered, was lost from or is in. The owner's branch and the team (opportunity_members) are read with the
 * summary, not kept in it.
 */
export const funnelSummary: Summary = {
  name: 'funnel',
  async rebuild(db, keys) {
    if (keys === 'all') {
      await db.execute(sql`DELETE FROM ${reportFunnelCounts}`);
      await db.execute(sql`DELETE FROM ${reportFunnelEntries}`);
      await db.execute(sql`INSERT INTO ${reportFunnelEntries} ${entriesOf(null)}`);
      await db.execute(sql`INSERT INTO ${reportFunnelCounts} (${COUNTED}, n)
        SELECT ${COUNTED}, count(*)::int FROM ${reportFunnelEntries} GROUP BY ${COUNTED}`);
      return;
    }
    const ids = `{${keys.join(',')}}`;
    // The keys' old rows are taken out of the counts, their new rows added; groups left at 0 are dropped.
    await db.execute(sql`WITH old AS (
        DELETE FROM ${reportFunnelEntries} WHERE opportunity_id = ANY(${ids}::uuid[]) RETURNING *)
      INSERT INTO ${reportFunnelCounts} (${COUNTED}, n)
      SELECT ${COUNTED}, -count(*)::int FROM old GROUP BY ${COUNTED}
      ${ADD}`);
    await db.execute(sql`WITH new AS (INSERT INTO ${reportFunnelEntries} ${entriesOf(ids)} RETURNING *)
      INSERT INTO ${reportFunnelCounts} (${COUNTED}, n)
      SELECT ${COUNTED}, count(*)::int FROM new GROUP BY ${COUNTED}
      ${ADD}`);
    await db.execute(sql`DELETE FROM ${reportFunnelCounts} WHERE n = 0`);
  },
};

/** The columns the counts group by (all of an entry's but the opportunity, its owner and its region). */
const COUNTED = sql.raw('month, stage, prev_month, outcome, lost_reason, business_line_id, department_id');
const ADD = sql.raw(
  `ON CONFLICT ON CONSTRAINT report_funnel_counts_group DO UPDATE SET n = report_funnel_counts.n + excluded.n`,
);

/** The entries of the opportunities `ids` (a uuid[] literal; null: all), in the table's column order. */
function entriesOf(ids: string | null): SQL {
  const only = (column: SQL) => (ids === null ? sql`true` : sql`${column} = ANY(${ids}::uuid[])`);
  return sql`
    WITH entered AS (
      SELECT c.opportunity_id, s.name_zh AS stage,
        date_trunc('month', c.at AT TIME ZONE ${FIRM_TIME_ZONE})::date AS month
      FROM ${opportunityStageChanges} c JOIN ${pipelineStages} s ON s.id = c.to_stage_id
      WHERE c.to_status = 'open' AND s.kind = 'open' AND ${only(sql`c.opportunity_id`)}
      GROUP BY 1, 2, 3
    ), last_lost AS (
      SELECT DISTINCT ON (c.opportunity_id) c.opportunity_id, c.from_stage_id
      FROM ${opportunityStageChanges} c
      WHERE c.to_status = 'lost' AND ${only(sql`c.opportunity_id`)}
      ORDER BY c.opportunity_id, c.at DESC, c.id DESC
    ), opp AS (
      SELECT o.id, o.status, cs.name_zh AS stage_now, o.lost_reason, o.business_line_id, o.department_id, o.owner_id,
        cu.region_id, CASE WHEN o.status = 'lost' THEN ls.name_zh END AS lost_at
      FROM ${opportunities} o
      JOIN ${pipelineStages} cs ON cs.id = o.stage_id
      JOIN ${customers} cu ON cu.id = o.customer_id
      LEFT JOIN last_lost ll ON ll.opportunity_id = o.id
      LEFT JOIN ${pipelineStages} ls ON ls.id = ll.from_stage_id
      WHERE ${only(sql`o.id`)}
    ), judged AS (
      SELECT e.opportunity_id, e.stage, e.month,
        lag(e.month) OVER (PARTITION BY e.opportunity_id, e.stage ORDER BY e.month) AS prev_month,
        CASE WHEN n.status = 'open' AND n.stage_now = e.stage THEN 'open'
          WHEN n.status = 'lost' AND n.lost_at = e.stage THEN 'lost'
          ELSE 'moved' END AS outcome,
        n.lost_reason, n.business_line_id, n.department_id, n.owner_id, n.region_id
      FROM entered e JOIN opp n ON n.id = e.opportunity_id
    )
    SELECT opportunity_id, stage, month, prev_month, outcome,
      CASE WHEN outcome = 'lost' THEN lost_reason END, business_line_id, department_id, owner_id, region_id
    FROM judged`;
}

/**
 * The opportunities' visibility rule (opportunities.policy.ts: owner, team member, department subtree, or all),
 * applied to the summary's entries: the owner and department columns are the opportunity's, the team is read from
 * opportunity_members by the entry's opportunity.
 */
export function visibleEntries(actor: Actor): SQL {
  return visibleTo(actor, 'opportunities:read', {
    owner: reportFunnelEntries.ownerId,
    department: reportFunnelEntries.departmentId,
    shared: (a) =>
      sql`${reportFunnelEntries.opportunityId} IN (SELECT ${opportunityMembers.opportunityId} FROM ${opportunityMembers}
        WHERE ${opportunityMembers.userId} = ${a.id})`,
  });
}

/**
 * The part of that rule the counts can answer (they have no owner and no team): every row for the scope `all`, the
 * department subtree for the scope `department`, nothing otherwise. What a reader sees beyond it (his own, his teams'
 * outside the subtree) is read from the entries: `visibleEntries AND NOT wholeDepartments`.
 */
export function wholeDepartments(actor: Actor, department: SQL): SQL {
  const scope = scopeOf(actor, 'opportunities:read');
  if (scope === 'all') return sql`true`;
  if (scope === 'department' && actor.departmentPath)
    return sql`coalesce(${department} IN ${departmentSubtree(actor.departmentPath)}, false)`;
  return sql`false`;
}

/**
 * The opportunities a reader sees beyond whole departments can only be his own or his teams' (the rule's other two
 * parts): their ids, from the owner and team indexes, so that the entries read for them are looked up by
 * opportunity rather than filtered out of the whole period's.
 */
export function ownOrTeam(actor: Actor): SQL {
  return sql`(SELECT ${opportunities.id} FROM ${opportunities} WHERE ${opportunities.ownerId} = ${actor.id}
    UNION SELECT ${opportunityMembers.opportunityId} FROM ${opportunityMembers} WHERE ${opportunityMembers.userId} = ${actor.id})`;
}
