import { and, asc, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import { reportQuery, type ReportAnswer, type ReportDrill, type ReportRow } from '../../../common/schemas/reports';
import type { Ctx } from '../../context';
import { say } from '../../lib/label';
import { customers } from '../customers/customers.tables';
import { visibleOpportunities } from '../opportunities/opportunities.policy';
import { lostFromStage } from '../opportunities/opportunities.service';
import { opportunities, opportunityStageChanges, pipelineStages } from '../opportunities/opportunities.tables';
import { pipelineOf } from '../opportunities/pipeline.service';
import { users } from '../staff/staff.tables';
import { scopeOf } from '../../policy';
import { count, percent, sumCount } from './cells';
import { inDepartment, resolveFilters, when, wholeMonths, type Resolved } from './filters';
import { funnelSummary, ownOrTeam, visibleEntries, wholeDepartments } from './funnel.summary';
import { reportFunnelCounts, reportFunnelEntries } from './funnel.summary.tables';
import { catchUp } from './summaries';
import { defineReport } from './registry';

export const FunnelLossQuery = reportQuery({});

const L = {
  title: { zh: '销售漏斗流失', en: 'Funnel loss' },
  description: {
    zh: '期间内进入各阶段的销售机会：推进、在该阶段流失或仍停留，以及流失原因',
    en: 'Opportunities entering each stage in the period: moved on, lost there or still open there, and the lost reasons',
  },
  stage: { zh: '阶段', en: 'Stage' },
  entered: { zh: '进入', en: 'Entered' },
  movedOn: { zh: '已推进', en: 'Moved on' },
  lost: { zh: '在此流失', en: 'Lost there' },
  open: { zh: '仍在此阶段', en: 'Still open there' },
  lostShare: { zh: '流失率', en: 'Loss rate' },
  reasons: { zh: '流失原因', en: 'Lost reasons' },
  reason: { zh: '原因', en: 'Reason' },
  count: { zh: '机会数', en: 'Opportunities' },
  noReason: { zh: '（未填写）', en: '(none given)' },
  total: { zh: '合计', en: 'Total' },
  headline: {
    zh: '最多流失在「{stage}」：{lost} 个机会，占流失的 {share}%',
    en: 'Most are lost at “{stage}”: {lost} opportunities, {share}% of all lost',
  },
};

/**
 * How an opportunity fared at a stage it entered in the period, by its CURRENT state (so the drill-down to the
 * opportunities list, which can only see the present, shows exactly the records behind each figure):
 * - lost there: lost now, and its latest change to lost came from that stage;
 * - open there: open now, in that stage;
 * - moved on: anything else (further on, won, lost at a later stage, or moved back). An opportunity reopened after
 *   being lost is no longer lost.
 * "Entering" a stage is a change into an open stage (to_status 'open'): creation writes the first one
 * (insertOpportunity records from null to the first stage), moves and reopenings the others. An opportunity counts
 * once per stage it entered in the period, however often it entered it.
 *
 * Stages of several pipelines (business lines may have their own; the default pipeline has business_line_id null)
 * are grouped by their Chinese name, the key every pipeline shares for "the same step" (商务报价 of the default
 * pipeline and of a line's own): with a business line, the rows are that line's pipeline in force (its own stages,
 * else the default ones) in position order; without one, every active open stage of every pipeline, one row per
 * name, ordered by the smallest position of the name (then the default pipeline's first). A stage no longer in use
 * that opportunities still entered in the period gets a row after them. Each row's drill-down names every stage id
 * of its name (the list takes a comma-separated list), so the list counts as the row does.
 */
type StageInfo = {
  id: string;
  businessLineId: string | null;
  nameZh: string;
  nameEn: string;
  position: number;
  active: boolean;
};

type Group = { name: string; label: string; ids: string[]; position: number; inDefault: boolean };

type Figure = { stage: string; outcome: 'moved' | 'lost' | 'open'; reason: string | null; n: number };

const OWNER_BRANCH = sql`${users.branchId}`;

function filtersOf(ctx: Ctx, f: Resolved): SQL {
  return sql`${visibleOpportunities(ctx.actor)}
    AND ${when(f.businessLineId, (id) => sql`${opportunities.businessLineId} = ${id}`)}
    AND ${when(f.branchId, (id) => sql`${OWNER_BRANCH} = ${id}`)}
    AND ${when(f.regionId, (id) => sql`${customers.regionId} = ${id}`)}
    AND ${when(f.ownerId, (id) => sql`${opportunities.ownerId} = ${id}`)}
    AND ${inDepartment(f, sql`${opportunities.departmentId}`)}`;
}

/**
 * Per stage name: the opportunities that entered it in the period by outcome (and the lost ones by reason). A period
 * of whole months is read from the funnel summary (funnel.summary.ts), any other from the base rows; both give the
 * same figures.
 */
async function figures(ctx: Ctx, f: Resolved): Promise<Figure[]> {
  if (!wholeMonths(f)) return fromBaseRows(ctx, f);
  await catchUp(ctx.db, funnelSummary);
  const result = await ctx.db.execute(fromSummary(ctx, f));
  return (result as unknown as { rows: Figure[] }).rows.map((r) => ({ ...r, n: count(r.n) }));
}

/**
 * The figures of a period of whole months [A, B] from the summary: an opportunity counts once per stage name, on its
 * row of the first month in the period it entered that name (the month in [A, B], the previous month of that name
 * none or before A). Without an owner, branch or region filter, the counts (grouped without the owner) answer for
 * the departments the reader sees whole, and the entries for the rest he sees (his own, his teams'); with one of
 * those filters, the entries alone.
 */
function fromSummary(ctx: Ctx, f: Resolved): SQL {
  const first = f.from;
  const last = `${f.to.slice(0, 7)}-01`;
  const inPeriod = (t: typeof reportFunnelEntries | typeof reportFunnelCounts) =>
    sql`${t.month} >= ${first}::date AND ${t.month} <= ${last}::date
      AND (${t.prevMonth} IS NULL OR ${t.prevMonth} < ${first}::date)`;
  const e = reportFunnelEntries;
  const k = reportFunnelCounts;
  const lineAndDepartment = (t: typeof e | typeof k) =>
    sql`${when(f.businessLineId, (id) => sql`${t.businessLineId} = ${id}`)} AND ${inDepartment(f, sql`${t.departmentId}`)}`;
  if (f.ownerId || f.branchId || f.regionId) {
    return sql`SELECT ${e.stage} AS stage, ${e.outcome} AS outcome, ${e.lostReason} AS reason, count(*)::int AS n
      FROM ${e}
      WHERE ${inPeriod(e)} AND ${visibleEntries(ctx.actor)} AND ${lineAndDepartment(e)}
        AND ${when(f.ownerId, (id) => sql`${e.ownerId} = ${id}`)}
        AND ${when(f.branchId, (id) => sql`${e.ownerId} IN (SELECT ${users.id} FROM ${users} WHERE ${users.branchId} = ${id})`)}
        AND ${when(f.regionId, (id) => sql`${e.regionId} = ${id}`)}
      GROUP BY 1, 2, 3`;
  }
  const whole = wholeDepartments(ctx.actor, sql`${k.departmentId}`);
  const rest =
    scopeOf(ctx.actor, 'opportunities:read') === 'all'
      ? sql``
      : sql`UNION ALL
        SELECT ${e.stage}, ${e.outcome}, ${e.lostReason}, 1 FROM ${e}
        WHERE ${e.opportunityId} IN ${ownOrTeam(ctx.actor)} AND ${inPeriod(e)} AND ${visibleEntries(ctx.actor)}
          AND NOT ${wholeDepartments(ctx.actor, sql`${e.departmentId}`)} AND ${lineAndDepartment(e)}`;
  return sql`SELECT stage, outcome, reason, sum(n)::int AS n FROM (
      SELECT ${k.stage} AS stage, ${k.outcome} AS outcome, ${k.lostReason} AS reason, ${k.n} AS n FROM ${k}
      WHERE ${inPeriod(k)} AND ${whole} AND ${lineAndDepartment(k)}
      ${rest}) x
    GROUP BY 1, 2, 3`;
}

/**
 * The same from the base rows. Each opportunity is judged once (its state now, the stage it was lost at when lost —
 * looked up for the lost ones only), then counted for every stage it entered; the owner and the customer are joined
 * only for their filters.
 */
async function fromBaseRows(ctx: Ctx, f: Resolved): Promise<Figure[]> {
  const result = await ctx.db.execute(sql`
    WITH entered AS (
      SELECT DISTINCT c.opportunity_id, s.name_zh
      FROM ${opportunityStageChanges} c JOIN ${pipelineStages} s ON s.id = c.to_stage_id
      WHERE c.to_status = 'open' AND s.kind = 'open' AND c.at >= ${f.start} AND c.at < ${f.end}
    ), opp AS MATERIALIZED (
      SELECT ${opportunities.id} AS id, ${opportunities.status} AS status, cs.name_zh AS stage_now,
        ${opportunities.lostReason} AS lost_reason,
        CASE WHEN ${opportunities.status} = 'lost' THEN (SELECT ls.name_zh FROM ${pipelineStages} ls
          WHERE ls.id = ${lostFromStage}) END AS lost_at
      FROM ${opportunities}
      JOIN ${pipelineStages} cs ON cs.id = ${opportunities.stageId}
      ${f.branchId ? sql`JOIN ${users} ON ${users.id} = ${opportunities.ownerId}` : sql``}
      ${f.regionId ? sql`JOIN ${customers} ON ${customers.id} = ${opportunities.customerId}` : sql``}
      WHERE ${opportunities.id} IN (SELECT opportunity_id FROM entered) AND ${filtersOf(ctx, f)}
    ), judged AS (
      SELECT e.name_zh AS stage,
        CASE WHEN n.status = 'open' AND n.stage_now = e.name_zh THEN 'open'
          WHEN n.status = 'lost' AND n.lost_at = e.name_zh THEN 'lost'
          ELSE 'moved' END AS outcome,
        n.lost_reason
      FROM entered e JOIN opp n ON n.id = e.opportunity_id
    )
    SELECT stage, outcome, CASE WHEN outcome = 'lost' THEN lost_reason END AS reason, count(*)::int AS n
    FROM judged GROUP BY 1, 2, 3`);
  return (result as unknown as { rows: Figure[] }).rows.map((r) => ({ ...r, n: count(r.n) }));
}

/** The rows: the stage names of the pipeline in question, in order (see above), with every id of each name. */
async function stageGroups(ctx: Ctx, f: Resolved, seen: Set<string>): Promise<Group[]> {
  const locale = ctx.actor.locale;
  const stages: StageInfo[] = await ctx.db
    .select({
      id: pipelineStages.id,
      businessLineId: pipelineStages.businessLineId,
      nameZh: pipelineStages.nameZh,
      nameEn: pipelineStages.nameEn,
      position: pipelineStages.position,
      active: pipelineStages.active,
    })
    .from(pipelineStages)
    .where(
      and(
        eq(pipelineStages.kind, 'open'),
        f.businessLineId
          ? or(eq(pipelineStages.businessLineId, f.businessLineId), isNull(pipelineStages.businessLineId))
          : undefined,
      ),
    )
    .orderBy(sql`${pipelineStages.businessLineId} NULLS FIRST`, asc(pipelineStages.position), asc(pipelineStages.id));
  const groups = new Map<string, Group>();
  const add = (s: StageInfo, position: number) => {
    const g = groups.get(s.nameZh);
    if (g) {
      g.position = Math.min(g.position, position);
      g.inDefault ||= s.businessLineId === null;
      return;
    }
    const label = locale === 'en-US' ? s.nameEn : s.nameZh;
    groups.set(s.nameZh, { name: s.nameZh, label, ids: [], position, inDefault: s.businessLineId === null });
  };
  if (f.businessLineId) {
    // The line's pipeline in force gives the rows and their order.
    const { stages: inForce } = await pipelineOf(ctx.db, f.businessLineId);
    inForce.filter((s) => s.kind === 'open').forEach((s, i) => add(s, i));
  } else {
    for (const s of stages.filter((s) => s.active)) add(s, s.position);
  }
  // Names no longer in use that opportunities entered in the period: after the others.
  for (const s of stages) if (!groups.has(s.nameZh) && seen.has(s.nameZh)) add(s, 100_000 + s.position);
  for (const s of stages) groups.get(s.nameZh)?.ids.push(s.id);
  return [...groups.values()].sort(
    (a, b) =>
      a.position - b.position || Number(b.inDefault) - Number(a.inDefault) || a.name.localeCompare(b.name, 'zh-CN'),
  );
}

export const funnelLoss = defineReport({
  kind: 'funnel-loss',
  title: L.title,
  description: L.description,
  query: FunnelLossQuery,
  async run(ctx, query): Promise<ReportAnswer> {
    const locale = ctx.actor.locale;
    const f = await resolveFilters(ctx, query);
    const rowsOf = await figures(ctx, f);
    const groups = await stageGroups(ctx, f, new Set(rowsOf.map((r) => r.stage)));

    const base: Record<string, string> = {
      mode: 'list',
      ...(f.businessLineId ? { businessLineId: f.businessLineId } : {}),
      ...(f.branchId ? { branchId: f.branchId } : {}),
      ...(f.regionId ? { regionId: f.regionId } : {}),
      ...(f.departmentId ? { departmentId: f.departmentId } : {}),
      ...(f.ownerId ? { ownerId: f.ownerId } : {}),
    };
    const drillOf = (g: Group, extra: Record<string, string> = {}): ReportDrill => {
      const ids = g.ids.join(',');
      return {
        path: '/opportunities',
        query: { ...base, enteredStageId: ids, enteredFrom: f.from, enteredTo: f.to, ...extra },
      };
    };
    const sum = (stage: string, outcome?: Figure['outcome']) =>
      rowsOf.filter((r) => r.stage === stage && (!outcome || r.outcome === outcome)).reduce((s, r) => s + r.n, 0);

    const rows: ReportRow[] = groups.map((g) => {
      const ids = g.ids.join(',');
      const entered = sum(g.name);
      const lost = sum(g.name, 'lost');
      const all = drillOf(g);
      return {
        key: g.name,
        cells: {
          stage: g.label,
          entered,
          movedOn: sum(g.name, 'moved'),
          lost,
          open: sum(g.name, 'open'),
          lostShare: percent(lost, entered),
        },
        drill: {
          stage: all,
          entered: all,
          movedOn: drillOf(g, { movedOnFromStageId: ids }),
          lost: drillOf(g, { status: 'lost', lostAtStageId: ids }),
          open: drillOf(g, { status: 'open', stageId: ids }),
        },
      };
    });
    const totalLost = sumCount(rows, 'lost');
    const totalEntered = sumCount(rows, 'entered');
    // The stage where most are lost (the first in the pipeline's order on a tie).
    const worst = rows.reduce<ReportRow | undefined>(
      (top, row) => (Number(row.cells.lost) > Number(top?.cells.lost ?? 0) ? row : top),
      undefined,
    );
    const headline = worst
      ? say(L.headline, locale, {
          stage: worst.cells.stage as string,
          lost: worst.cells.lost as number,
          share: percent(worst.cells.lost as number, totalLost)!,
        })
      : null;

    // The lost reasons per stage: the stage's order, then the most frequent reason first.
    const reasonRows: ReportRow[] = [];
    for (const g of groups) {
      const lostHere = rowsOf
        .filter((r) => r.stage === g.name && r.outcome === 'lost')
        .sort((a, b) => b.n - a.n || (a.reason ?? '').localeCompare(b.reason ?? '', 'zh-CN'));
      for (const r of lostHere) {
        const drill = drillOf(g, { status: 'lost', lostAtStageId: g.ids.join(',') });
        if (r.reason) drill.query.lostReason = r.reason;
        reasonRows.push({
          key: `${g.name}:${r.reason ?? ''}`,
          cells: { stage: g.label, reason: r.reason ?? say(L.noReason, locale), count: r.n },
          // Without a reason there is no list filter for it: the figure stays a figure.
          drill: r.reason ? { count: drill, reason: drill } : undefined,
        });
      }
    }

    return {
      kind: 'funnel-loss',
      title: say(L.title, locale),
      from: f.from,
      to: f.to,
      filtersText: f.text,
      headline,
      tables: [
        {
          title: null,
          columns: [
            { key: 'stage', label: say(L.stage, locale), kind: 'text' },
            { key: 'entered', label: say(L.entered, locale), kind: 'count' },
            { key: 'movedOn', label: say(L.movedOn, locale), kind: 'count' },
            { key: 'lost', label: say(L.lost, locale), kind: 'count' },
            { key: 'open', label: say(L.open, locale), kind: 'count' },
            { key: 'lostShare', label: say(L.lostShare, locale), kind: 'percent' },
          ],
          rows,
          total: {
            key: 'total',
            cells: {
              stage: say(L.total, locale),
              entered: totalEntered,
              movedOn: sumCount(rows, 'movedOn'),
              lost: totalLost,
              open: sumCount(rows, 'open'),
              lostShare: percent(totalLost, totalEntered),
            },
          },
        },
        {
          title: say(L.reasons, locale),
          columns: [
            { key: 'stage', label: say(L.stage, locale), kind: 'text' },
            { key: 'reason', label: say(L.reason, locale), kind: 'text' },
            { key: 'count', label: say(L.count, locale), kind: 'count' },
          ],
          rows: reasonRows,
          total: {
            key: 'total',
            cells: { stage: say(L.total, locale), reason: null, count: sumCount(reasonRows, 'count') },
          },
        },
      ],
      chart: {
        type: 'stacked-bar',
        category: 'stage',
        series: ['movedOn', 'lost', 'open'],
        horizontal: true,
        tones: ['good', 'loss', 'open'],
      },
    };
  },
});
