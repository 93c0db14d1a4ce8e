import { inArray, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { reportQuery, type ReportDrill, type ReportRow } from '../../../common/schemas/reports';
import type { Ctx } from '../../context';
import { say } from '../../lib/label';
import { customers } from '../customers/customers.tables';
import { leads } from '../leads/leads.tables';
import { visibleOpportunities } from '../opportunities/opportunities.policy';
import { opportunities, opportunityMembers, pipelineStages } from '../opportunities/opportunities.tables';
import { pipelineOf } from '../opportunities/pipeline.service';
import { secondsOf, visitsOf } from '../opportunities/stage-times.service';
import { visibleTo } from '../../policy';
import { businessLines, departments, users } from '../staff/staff.tables';
import { average } from './cells';
import { inDepartment, resolveFilters, when, wholeMonths, type Resolved } from './filters';
import { defineReport } from './registry';
import { salesCycleTargets } from './reports.tables';
import { salesCycleSummary } from './sales-cycle.summary';
import { salesCycleSummary as salesCycleSummaryTable, salesCycleSummaryStays } from './sales-cycle.summary.tables';
import { catchUp } from './summaries';

export const SALES_CYCLE_GROUPS = ['businessLine', 'owner', 'department'] as const;
type Group = (typeof SALES_CYCLE_GROUPS)[number];

export const SalesCycleQuery = reportQuery({
  /** A row per business line, owner or department (team) of the won opportunities. */
  by: z.enum(SALES_CYCLE_GROUPS).default('businessLine'),
});

const L = {
  title: { zh: '销售周期', en: 'Sales cycle' },
  description: {
    zh: '期间内赢单的商机从创建（或线索创建）到赢单的平均与中位天数、各阶段停留天数，对比公司设定的目标周期',
    en: 'Average and median days from creation (or the lead’s creation) to won for the opportunities won in the period, days per stage, against the firm’s target',
  },
  businessLine: { zh: '业务类型', en: 'Business line' },
  owner: { zh: '负责人', en: 'Owner' },
  department: { zh: '部门', en: 'Department' },
  won: { zh: '赢单数', en: 'Won' },
  averageDays: { zh: '平均天数', en: 'Average days' },
  medianDays: { zh: '中位天数', en: 'Median days' },
  fromLead: { zh: '来自线索', en: 'From a lead' },
  leadAverageDays: { zh: '自线索平均天数', en: 'Average days from lead' },
  leadMedianDays: { zh: '自线索中位天数', en: 'Median days from lead' },
  targetDays: { zh: '目标天数', en: 'Target days' },
  gapDays: { zh: '差距（天）', en: 'Gap (days)' },
  stages: { zh: '各阶段停留天数', en: 'Days per stage' },
  stage: { zh: '阶段', en: 'Stage' },
  entered: { zh: '经过的商机', en: 'Opportunities' },
  total: { zh: '合计', en: 'Total' },
  none: { zh: '未指定部门', en: 'No department' },
  over: {
    zh: '{line}的平均销售周期 {average} 天，超出目标 {target} 天共 {gap} 天，差距最大',
    en: '{line} is furthest over its target: {average} days on average against {target}, {gap} days over',
  },
  within: { zh: '各业务类型的平均销售周期均未超出目标', en: 'Every business line is within its target' },
};

const DAY = 86_400n;

/*
 * Days, exactly: a cycle is the whole seconds from the opportunity's (or its lead's) creation to its closing as won
 * (rounded down once); an average is Σ seconds / n, a median the middle cycle or the mean of the two middle ones;
 * each is shown in days with one decimal, rounded half up, computed in bigint from the seconds (cells.average). The
 * gap is the average as shown minus the target, so the columns agree at a glance. A stage's days are, per
 * opportunity, all its stays in that (open) stage added up, averaged over the opportunities that entered it.
 */

/** `seconds` in days with one decimal, half up; null without any. */
export function daysOf(seconds: bigint[]): { average: string | null; median: string | null } {
  if (!seconds.length) return { average: null, median: null };
  const sorted = [...seconds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = sorted.length >> 1;
  return daysFrom({
    n: sorted.length,
    seconds: seconds.reduce((s, x) => s + x, 0n),
    low: sorted.length % 2 ? sorted[mid] : sorted[mid - 1],
    high: sorted[mid],
  });
}

/**
 * The same days from a group's figures as SQL gives them: the count, the sum of the seconds, and the two middle
 * cycles (`low`, `high`: the same one for an odd count). The median is (low + high) / 2 days, which for an odd count
 * is the middle cycle exactly (twice a value over twice the divisor rounds the same).
 */
export function daysFrom(g: { n: number; seconds: bigint; low: bigint | null; high: bigint | null }) {
  if (!g.n || g.low === null || g.high === null) return { average: null, median: null };
  return { average: average(g.seconds, BigInt(g.n) * DAY), median: average(g.low + g.high, 2n * DAY) };
}

/** Tenths of a one-decimal text ("12.3" → 123n). */
const tenthsOf = (text: string) => BigInt(text.replace('.', ''));
const tenthsText = (t: bigint) => {
  const abs = t < 0n ? -t : t;
  return `${t < 0n ? '-' : ''}${abs / 10n}.${abs % 10n}`;
};
/** The shown average minus the target, one decimal. */
const gapOf = (averageText: string | null, target: number | undefined) =>
  averageText === null || target === undefined ? null : tenthsText(tenthsOf(averageText) - BigInt(target) * 10n);

/** A group's figures as SQL gives them (bigints as text): the cycles from creation and from the lead. */
type Figures = {
  n: number;
  seconds: string | null;
  low: string | null;
  high: string | null;
  leads: number;
  leadSeconds: string | null;
  leadLow: string | null;
  leadHigh: string | null;
};
/** A row of the first table's groups: `set` 1 a group of `by` (key), 2 a business line (line), 3 the total. */
type GroupFigures = Figures & { set: number; key: string | null; line: string | null };
/** Per open stage: the opportunities that entered it, each one's stays there added up (seconds). */
type StageFigures = { stage: string; n: number; seconds: string | null; low: string | null; high: string | null };

const big = (text: string | null) => (text === null ? null : BigInt(text));
const cycleDays = (g: Figures) =>
  daysFrom({ n: g.n, seconds: big(g.seconds) ?? 0n, low: big(g.low), high: big(g.high) });
const leadDays = (g: Figures) =>
  daysFrom({ n: g.leads, seconds: big(g.leadSeconds) ?? 0n, low: big(g.leadLow), high: big(g.leadHigh) });
const NONE: Figures = {
  n: 0,
  seconds: null,
  low: null,
  high: null,
  leads: 0,
  leadSeconds: null,
  leadLow: null,
  leadHigh: null,
};

/** Sum and the two middle values (low, high: percentile_disc up and down) of `x`, as text. */
const figuresSql = (x: SQL, prefix: '' | 'lead') => {
  const name = (n: string) => sql.identifier(prefix ? `${prefix}${n[0].toUpperCase()}${n.slice(1)}` : n);
  return sql`sum(${x})::text AS ${name('seconds')},
    (percentile_disc(0.5) WITHIN GROUP (ORDER BY ${x}))::text AS ${name('low')},
    (percentile_disc(0.5) WITHIN GROUP (ORDER BY ${x} DESC))::text AS ${name('high')}`;
};

/**
 * Every lead's id and creation, in the order of leads_created_idx: read from that index alone (an index-only scan,
 * a quarter of the pages of the table, which the planner otherwise reads whole to hash-join the year's won
 * opportunities with their leads). The ORDER BY keeps the subquery apart so that the index serves it; the join
 * does not depend on the order.
 */
const leadsCreated = sql`SELECT ${leads.id} AS id, ${leads.createdAt} AS created_at FROM ${leads}
  ORDER BY ${leads.createdAt} DESC NULLS LAST, ${leads.id}`;

/** The key column of `by` in `table`'s columns. */
const keyOf = (by: Group, c: { businessLineId: AnyColumn; ownerId: AnyColumn; departmentId: AnyColumn }) =>
  by === 'businessLine' ? c.businessLineId : by === 'owner' ? c.ownerId : c.departmentId;

/**
 * From the base rows: `won` (id, line, key, seconds, lead) the won opportunities of the period the reader may see,
 * `stays` (opportunity, stage, seconds) their stays per open stage from the stage history.
 */
const wonFromBase = (ctx: Ctx, f: Resolved, by: Group) => sql`won AS (
      SELECT ${opportunities.id} AS id, ${opportunities.businessLineId} AS line, ${keyOf(by, opportunities)} AS key,
        greatest(0, floor(extract(epoch FROM ${opportunities.closedAt} - ${opportunities.createdAt})))::bigint AS seconds,
        CASE WHEN l.id IS NOT NULL
          THEN greatest(0, floor(extract(epoch FROM ${opportunities.closedAt} - l.created_at)))::bigint END AS lead
      FROM ${opportunities}
        ${f.branchId ? sql`JOIN ${users} ON ${users.id} = ${opportunities.ownerId}` : sql``}
        ${f.regionId ? sql`JOIN ${customers} ON ${customers.id} = ${opportunities.customerId}` : sql``}
        LEFT JOIN (${leadsCreated}) l ON l.id = ${opportunities.leadId}
      WHERE ${opportunities.status} = 'won' AND ${opportunities.closedAt} >= ${f.start}
        AND ${opportunities.closedAt} < ${f.end} AND ${visibleOpportunities(ctx.actor)}
        AND ${when(f.businessLineId, (id) => sql`${opportunities.businessLineId} = ${id}`)}
        AND ${when(f.branchId, (id) => sql`${users.branchId} = ${id}`)}
        AND ${when(f.regionId, (id) => sql`${customers.regionId} = ${id}`)}
        AND ${when(f.ownerId, (id) => sql`${opportunities.ownerId} = ${id}`)}
        AND ${inDepartment(f, sql`${opportunities.departmentId}`)}
    ),
    v AS (${visitsOf(sql`SELECT id FROM won`)}),
    stays AS (
      SELECT v.opportunity_id AS opportunity, v.stage_id AS stage, sum(${secondsOf})::bigint AS seconds
      FROM v JOIN ${pipelineStages} s ON s.id = v.stage_id AND s.kind = 'open'
      GROUP BY 1, 2
    )`;

/**
 * The same `won` and `stays` from the summary (sales-cycle.summary.ts): its rows of the period under the
 * opportunities' policy (owner, department, and the team read live by the key), the stays of the stages open now
 * (a visit not ended counted up to now, as from the history).
 */
const wonFromSummary = (ctx: Ctx, f: Resolved, by: Group) => {
  const s = salesCycleSummaryTable;
  const visible = visibleTo(ctx.actor, 'opportunities:read', {
    owner: s.ownerId,
    department: s.departmentId,
    shared: (actor) => sql`EXISTS (SELECT 1 FROM ${opportunityMembers} m
      WHERE m.opportunity_id = ${s.opportunityId} AND m.user_id = ${actor.id})`,
  });
  return sql`won AS (
      SELECT ${s.opportunityId} AS id, ${s.businessLineId} AS line, ${keyOf(by, s)} AS key,
        ${s.seconds} AS seconds, ${s.leadSeconds} AS lead
      FROM ${s}
        ${f.branchId ? sql`JOIN ${users} ON ${users.id} = ${s.ownerId}` : sql``}
        ${f.regionId ? sql`JOIN ${customers} ON ${customers.id} = ${s.customerId}` : sql``}
      WHERE ${s.closedAt} >= ${f.start} AND ${s.closedAt} < ${f.end} AND ${visible}
        AND ${when(f.businessLineId, (id) => sql`${s.businessLineId} = ${id}`)}
        AND ${when(f.branchId, (id) => sql`${users.branchId} = ${id}`)}
        AND ${when(f.regionId, (id) => sql`${customers.regionId} = ${id}`)}
        AND ${when(f.ownerId, (id) => sql`${s.ownerId} = ${id}`)}
        AND ${inDepartment(f, sql`${s.departmentId}`)}
    ),
    stays AS (
      SELECT st.opportunity_id AS opportunity, st.stage_id AS stage,
        (st.seconds + coalesce(greatest(0, floor(extract(epoch FROM now() - st.open_since)))::bigint, 0))::bigint
          AS seconds
      FROM ${salesCycleSummaryStays} st JOIN won ON won.id = st.opportunity_id
        JOIN ${pipelineStages} s ON s.id = st.stage_id AND s.kind = 'open'
    )`;
};

/**
 * The opportunities won in the period as the reader may see them, summed up in SQL: per group of `by`, per business
 * line and in total, the count, the seconds' sum and the two middle cycles (from creation, and from the lead for
 * those from a lead); per open stage, the same over each opportunity's stays there added up.
 */
async function wonIn(ctx: Ctx, f: Resolved, by: Group): Promise<{ groups: GroupFigures[]; stages: StageFigures[] }> {
  // A whole-month period reads the summary, brought up to date first (it never answers from an older state).
  const summarised = wholeMonths(f);
  if (summarised) await catchUp(ctx.db, salesCycleSummary);
  const result = await ctx.db.execute(sql`WITH ${summarised ? wonFromSummary(ctx, f, by) : wonFromBase(ctx, f, by)},
    groups AS (
      SELECT grouping(key, line) AS set, key::text AS key, line::text AS line,
        count(*)::int AS n, ${figuresSql(sql`seconds`, '')}, count(lead)::int AS leads, ${figuresSql(sql`lead`, 'lead')}
      FROM won GROUP BY GROUPING SETS ((key), (line), ())
    ),
    stages AS (
      SELECT stage::text AS stage, count(*)::int AS n, ${figuresSql(sql`seconds`, '')} FROM stays GROUP BY stage
    )
    SELECT coalesce((SELECT json_agg(groups) FROM groups), '[]'::json) AS groups,
      coalesce((SELECT json_agg(stages) FROM stages), '[]'::json) AS stages`);
  return (result as unknown as { rows: { groups: GroupFigures[]; stages: StageFigures[] }[] }).rows[0];
}

type GroupRow = { key: string | null; name: string };

/** The rows of `by`: its groups with won opportunities (`seen`, null for those without a department), by name. */
async function groupsOf(ctx: Ctx, f: Resolved, by: Group, seen: Set<string | null>): Promise<GroupRow[]> {
  const ids = [...seen].filter((id): id is string => id !== null);
  if (by === 'businessLine') {
    const rows = await ctx.db
      .select({ id: businessLines.id, name: businessLines.name, active: businessLines.active })
      .from(businessLines)
      .orderBy(businessLines.sortOrder, businessLines.name);
    return rows
      .filter((r) => (f.businessLineId ? r.id === f.businessLineId : r.active || seen.has(r.id)))
      .map((r) => ({ key: r.id, name: r.name }));
  }
  if (by === 'owner') {
    const rows = ids.length
      ? await ctx.db
          .select({ id: users.id, name: users.displayName })
          .from(users)
          .where(inArray(users.id, ids))
          .orderBy(users.displayName)
      : [];
    return rows.map((r) => ({ key: r.id, name: r.name }));
  }
  const rows = ids.length
    ? await ctx.db
        .select({ id: departments.id, name: departments.name })
        .from(departments)
        .where(inArray(departments.id, ids))
        .orderBy(departments.path)
    : [];
  const list: GroupRow[] = rows.map((r) => ({ key: r.id, name: r.name }));
  if (seen.has(null)) list.push({ key: null, name: say(L.none, ctx.actor.locale) });
  return list;
}

/** The open stages to list: those the won opportunities stayed in, and the active ones of the pipeline in view. */
async function stagesOf(ctx: Ctx, f: Resolved, visited: string[]) {
  const { stages } = await pipelineOf(ctx.db, f.businessLineId ?? null);
  const inView = stages.filter((s) => s.kind === 'open').map((s) => s.id);
  const ids = [...new Set([...inView, ...visited])];
  if (!ids.length) return [];
  return ctx.db
    .select({ stage: pipelineStages, lineName: businessLines.name })
    .from(pipelineStages)
    .leftJoin(businessLines, sql`${businessLines.id} = ${pipelineStages.businessLineId}`)
    .where(inArray(pipelineStages.id, ids))
    .orderBy(
      sql`${pipelineStages.businessLineId} IS NOT NULL`,
      businessLines.sortOrder,
      businessLines.name,
      pipelineStages.position,
      pipelineStages.id,
    );
}

export const salesCycle = defineReport({
  kind: 'sales-cycle',
  title: L.title,
  description: L.description,
  query: SalesCycleQuery,
  async run(ctx, query) {
    const locale = ctx.actor.locale;
    const by = query.by;
    const f = await resolveFilters(ctx, query);
    const figures = await wonIn(ctx, f, by);
    const byKey = new Map(figures.groups.filter((g) => g.set === 1).map((g) => [g.key, g]));
    const byLine = new Map(figures.groups.filter((g) => g.set === 2).map((g) => [g.line, g]));
    const all = figures.groups.find((g) => g.set === 3) ?? NONE;
    const targets = new Map(
      (await ctx.db.select().from(salesCycleTargets)).map((t) => [t.businessLineId, t.targetDays]),
    );
    const groups = await groupsOf(ctx, f, by, new Set(byKey.keys()));
    const base: Record<string, string> = {
      mode: 'list',
      status: 'won',
      closedFrom: f.from,
      closedTo: f.to,
      ...(f.businessLineId ? { businessLineId: f.businessLineId } : {}),
      ...(f.regionId ? { regionId: f.regionId } : {}),
      ...(f.branchId ? { branchId: f.branchId } : {}),
      ...(f.departmentId ? { departmentId: f.departmentId } : {}),
      ...(f.ownerId ? { ownerId: f.ownerId } : {}),
    };
    const GROUP_FILTER = { businessLine: 'businessLineId', owner: 'ownerId', department: 'departmentId' } as const;
    // A target applies to a row of one business line: the line's row, or any row when one line is filtered.
    const targetOf = (key: string | null) =>
      by === 'businessLine' ? targets.get(key!) : f.businessLineId ? targets.get(f.businessLineId) : undefined;

    const figuresOf = (g: Figures, target: number | undefined) => {
      const cycle = cycleDays(g);
      const lead = leadDays(g);
      return {
        won: g.n,
        averageDays: cycle.average,
        medianDays: cycle.median,
        fromLead: g.leads,
        leadAverageDays: lead.average,
        leadMedianDays: lead.median,
        targetDays: target === undefined ? null : `${target}.0`,
        gapDays: gapOf(cycle.average, target),
      };
    };

    const rows: ReportRow[] = groups.map((g) => {
      const cells = {
        group: g.name,
        ...figuresOf(byKey.get(g.key) ?? NONE, targetOf(g.key)),
      };
      if (g.key === null) return { key: 'none', cells };
      const drill: ReportDrill = { path: '/opportunities', query: { ...base, [GROUP_FILTER[by]]: g.key } };
      return { key: g.key, cells, drill: { group: drill, won: drill } };
    });
    const everything: ReportDrill = { path: '/opportunities', query: base };
    const total: ReportRow = {
      key: 'total',
      cells: {
        group: say(L.total, locale),
        ...figuresOf(all, f.businessLineId ? targets.get(f.businessLineId) : undefined),
      },
      drill: { won: everything },
    };

    // Per stage: each opportunity's stays in the stage added up; over the opportunities that entered it.
    const stays = new Map(figures.stages.map((s) => [s.stage, s]));
    const stageList = await stagesOf(ctx, f, [...stays.keys()]);
    const stageRows: ReportRow[] = stageList.map(({ stage, lineName }) => {
      const s = stays.get(stage.id);
      const days = s
        ? daysFrom({ n: s.n, seconds: BigInt(s.seconds ?? 0), low: big(s.low), high: big(s.high) })
        : daysOf([]);
      const name = locale === 'en-US' ? stage.nameEn : stage.nameZh;
      return {
        key: stage.id,
        cells: {
          stage: lineName ? (locale === 'en-US' ? `${name} (${lineName})` : `${name}（${lineName}）`) : name,
          entered: s?.n ?? 0,
          averageDays: days.average,
          medianDays: days.median,
        },
      };
    });

    // The headline: the business line furthest over its target (whatever the rows are grouped by).
    let headline: string | null = null;
    const lines = by === 'businessLine' ? groups : await groupsOf(ctx, f, 'businessLine', new Set(byLine.keys()));
    const measured = lines
      .map((l) => {
        const target = targets.get(l.key!);
        const avg = cycleDays(byLine.get(l.key) ?? NONE).average;
        return { name: l.name, target, average: avg, gap: gapOf(avg, target) };
      })
      .filter((m) => m.gap !== null);
    if (measured.length) {
      const worst = measured.reduce((a, b) => (tenthsOf(b.gap!) > tenthsOf(a.gap!) ? b : a));
      headline =
        tenthsOf(worst.gap!) > 0n
          ? say(L.over, locale, { line: worst.name, average: worst.average!, target: worst.target!, gap: worst.gap! })
          : say(L.within, locale);
    }

    return {
      kind: 'sales-cycle',
      title: say(L.title, locale),
      from: f.from,
      to: f.to,
      filtersText: f.text,
      headline,
      tables: [
        {
          title: null,
          columns: [
            { key: 'group', label: say(L[by], locale), kind: 'text' },
            { key: 'won', label: say(L.won, locale), kind: 'count' },
            { key: 'averageDays', label: say(L.averageDays, locale), kind: 'days' },
            { key: 'medianDays', label: say(L.medianDays, locale), kind: 'days' },
            { key: 'fromLead', label: say(L.fromLead, locale), kind: 'count' },
            { key: 'leadAverageDays', label: say(L.leadAverageDays, locale), kind: 'days' },
            { key: 'leadMedianDays', label: say(L.leadMedianDays, locale), kind: 'days' },
            { key: 'targetDays', label: say(L.targetDays, locale), kind: 'days' },
            { key: 'gapDays', label: say(L.gapDays, locale), kind: 'days' },
          ],
          rows,
          total,
        },
        {
          title: say(L.stages, locale),
          columns: [
            { key: 'stage', label: say(L.stage, locale), kind: 'text' },
            { key: 'entered', label: say(L.entered, locale), kind: 'count' },
            { key: 'averageDays', label: say(L.averageDays, locale), kind: 'days' },
            { key: 'medianDays', label: say(L.medianDays, locale), kind: 'days' },
          ],
          rows: stageRows,
          total: null,
        },
      ],
      chart: {
        type: 'bar',
        category: 'group',
        series: ['averageDays', 'medianDays', 'targetDays'],
        horizontal: rows.length > 8,
        tones: ['good', 'open', 'target'],
      },
    };
  },
});
