import { asc, inArray, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { reportQuery, type ReportDrill, type ReportRow } from '../../../common/schemas/reports';
import type { Ctx } from '../../context';
import { say } from '../../lib/label';
import { FIRM_TIME_ZONE } from '../../lib/time';
import { visibleTo } from '../../policy';
import { campaigns } from '../campaigns/campaigns.tables';
import { visibleLeads } from '../leads/leads.policy';
import { leadBranchId, leadDepartmentId } from '../leads/leads.service';
import { leads } from '../leads/leads.tables';
import { opportunities } from '../opportunities/opportunities.tables';
import { businessLines, regions, users } from '../staff/staff.tables';
import { count, percent, sumCount } from './cells';
import { inDepartment, monthsOf, resolveFilters, when, wholeMonths, type Resolved } from './filters';
import { leadConversionSummary } from './lead-conversion.summary';
import { reportLeadCounts } from './lead-conversion.summary.tables';
import { defineReport } from './registry';
import { catchUp } from './summaries';

export const LEAD_CONVERSION_GROUPS = ['month', 'region', 'source', 'campaign', 'businessLine'] as const;
type Group = (typeof LEAD_CONVERSION_GROUPS)[number];

export const LeadConversionQuery = reportQuery({
  /** A row per creation month (the firm's zone), region, source, campaign or business line of the leads. */
  by: z.enum(LEAD_CONVERSION_GROUPS).default('month'),
});

const L = {
  title: { zh: '线索转化', en: 'Lead conversion' },
  description: {
    zh: '期间内新建的线索有多少转为商机、多少最终成交，按月份、区域、来源、市场活动或业务类型',
    en: 'Of the leads created in the period, how many became opportunities and how many won sales — by month, region, source, campaign or business line',
  },
  month: { zh: '创建月份', en: 'Month created' },
  region: { zh: '区域', en: 'Region' },
  source: { zh: '来源', en: 'Source' },
  campaign: { zh: '市场活动', en: 'Campaign' },
  businessLine: { zh: '业务类型', en: 'Business line' },
  created: { zh: '新建线索', en: 'Leads created' },
  converted: { zh: '转为商机', en: 'Became opportunities' },
  convertedShare: { zh: '商机转化率 %', en: 'To opportunity %' },
  won: { zh: '成交', en: 'Won sales' },
  wonShare: { zh: '成交转化率 %', en: 'To won sale %' },
  total: { zh: '合计', en: 'Total' },
  none: { zh: '未指定', en: 'None' },
  headline: {
    zh: '期间新建线索 {created} 条：{converted} 条转为商机（{convertedShare}%），{won} 条成交（{wonShare}%）',
    en: '{created} leads created in the period: {converted} became opportunities ({convertedShare}%), {won} won sales ({wonShare}%)',
  },
};

/**
 * 线索转化. A lead counts in the period (and the month, in Asia/Shanghai) it was created — a lead created in March
 * and converted in April is March's. Converted: it became an opportunity (status converted); won: that opportunity
 * is won now. Dimensions of a lead: its own region, source, campaign and business line; its assignee's branch; its
 * assignee's department (the queue's while it waits in one), as the leads list filters them.
 */
const GROUP: Record<Group, SQL> = {
  month: sql`to_char(${leads.createdAt} AT TIME ZONE ${sql.raw(`'${FIRM_TIME_ZONE}'`)}, 'YYYY-MM')`,
  region: sql`${leads.regionId}::text`,
  source: sql`${leads.source}`,
  campaign: sql`${leads.campaignId}::text`,
  businessLine: sql`${leads.businessLineId}::text`,
};

type Figures = { grp: string | null; created: number; converted: number; won: number };

async function figures(ctx: Ctx, f: Resolved, by: Group): Promise<Figures[]> {
  if (wholeMonths(f) && !f.regionId) {
    await catchUp(ctx.db, leadConversionSummary);
    const result = await ctx.db.execute(fromSummary(ctx, f, by));
    return (result as unknown as { rows: Figures[] }).rows;
  }
  const result = await ctx.db.execute(sql`
    SELECT ${GROUP[by]} AS grp, count(*)::int AS created,
      (count(*) FILTER (WHERE ${leads.status} = 'converted'))::int AS converted,
      (count(*) FILTER (WHERE ${opportunities.status} = 'won'))::int AS won
    FROM ${leads} LEFT JOIN ${opportunities} ON ${opportunities.id} = ${leads.opportunityId}
    WHERE ${leads.createdAt} >= ${f.start} AND ${leads.createdAt} < ${f.end} AND ${visibleLeads(ctx.actor)}
      AND ${when(f.businessLineId, (id) => sql`${leads.businessLineId} = ${id}`)}
      AND ${when(f.regionId, (id) => sql`${leads.regionId} = ${id}`)}
      AND ${when(f.ownerId, (id) => sql`${leads.ownerId} = ${id}`)}
      AND ${when(f.branchId, (id) => sql`${leadBranchId} = ${id}`)}
      AND ${inDepartment(f, leadDepartmentId)}
    GROUP BY 1`);
  return (result as unknown as { rows: Figures[] }).rows;
}

/**
 * The same figures from the summary's counts (a period of whole months without a region filter: the counts have no
 * region but as a grouping): the visibility rule of leads and the filters on the counts' assignee, queue and line,
 * the assignee's department and branch read from users.
 */
function fromSummary(ctx: Ctx, f: Resolved, by: Group): SQL {
  const k = reportLeadCounts;
  const ownerOf = (column: SQL) => sql`(SELECT ${column} FROM ${users} WHERE ${users.id} = ${k.ownerId})`;
  return sql`SELECT ${by === 'month' ? sql`to_char(${k.month}, 'YYYY-MM')` : sql`${k.value}`} AS grp,
      sum(${k.created})::int AS created, sum(${k.converted})::int AS converted, sum(${k.won})::int AS won
    FROM ${k}
    WHERE ${k.kind} = ${by} AND ${k.month} >= ${f.from}::date AND ${k.month} <= ${`${f.to.slice(0, 7)}-01`}::date
      AND ${visibleTo(ctx.actor, 'leads:read', { owner: k.ownerId, ownerDepartment: true, department: k.queueDepartmentId })}
      AND ${when(f.businessLineId, (id) => sql`${k.businessLineId} = ${id}`)}
      AND ${when(f.ownerId, (id) => sql`${k.ownerId} = ${id}`)}
      AND ${when(f.branchId, (id) => sql`${ownerOf(sql`${users.branchId}`)} = ${id}`)}
      AND ${inDepartment(f, sql`coalesce(${ownerOf(sql`${users.departmentId}`)}, ${k.queueDepartmentId})`)}
    GROUP BY 1`;
}

type GroupRow = { key: string | null; name: string; from?: string; to?: string };

/** The rows: every month of the period; every active region / business line (or the one filtered); the campaigns and sources seen. */
async function groupsOf(ctx: Ctx, f: Resolved, by: Group, seen: Set<string | null>): Promise<GroupRow[]> {
  const none = say(L.none, ctx.actor.locale);
  const withNone = (list: GroupRow[]) => (seen.has(null) ? [...list, { key: null, name: none }] : list);
  switch (by) {
    case 'month':
      return monthsOf(f).map((month) => {
        const [y, m] = month.split('-').map(Number);
        const first = `${month}-01`;
        const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
        return { key: month, name: month, from: first < f.from ? f.from : first, to: last > f.to ? f.to : last };
      });
    case 'region':
    case 'businessLine': {
      const table = by === 'region' ? regions : businessLines;
      const chosen = by === 'region' ? f.regionId : f.businessLineId;
      const rows = await ctx.db
        .select({ id: table.id, name: table.name, active: table.active })
        .from(table)
        .orderBy(table.sortOrder, table.name);
      return withNone(
        rows
          .filter((r) => (chosen ? r.id === chosen : r.active || seen.has(r.id)))
          .map((r) => ({ key: r.id, name: r.name })),
      );
    }
    case 'campaign': {
      const ids = [...seen].filter((id): id is string => id !== null);
      const rows = ids.length
        ? await ctx.db
            .select({ id: campaigns.id, name: campaigns.name })
            .from(campaigns)
            .where(inArray(campaigns.id, ids))
            .orderBy(asc(campaigns.name))
        : [];
      return withNone(rows.map((r) => ({ key: r.id, name: r.name })));
    }
    case 'source':
      return withNone(
        [...seen]
          .filter((s): s is string => s !== null)
          .sort((a, b) => a.localeCompare(b, 'zh-CN'))
          .map((s) => ({ key: s, name: s })),
      );
  }
}

/** The leads list's filter naming a row's group (none for "not set": the list cannot ask for a missing value). */
const GROUP_FILTER: Record<Exclude<Group, 'month'>, string> = {
  region: 'regionId',
  source: 'source',
  campaign: 'campaignId',
  businessLine: 'businessLineId',
};

export const leadConversion = defineReport({
  kind: 'lead-conversion',
  title: L.title,
  description: L.description,
  query: LeadConversionQuery,
  async run(ctx, query) {
    const locale = ctx.actor.locale;
    const by = query.by;
    const f = await resolveFilters(ctx, query);
    const rowsOf = await figures(ctx, f, by);
    const groups = await groupsOf(ctx, f, by, new Set(rowsOf.map((r) => r.grp)));
    const base: Record<string, string> = {
      ...(f.businessLineId ? { businessLineId: f.businessLineId } : {}),
      ...(f.regionId ? { regionId: f.regionId } : {}),
      ...(f.branchId ? { branchId: f.branchId } : {}),
      ...(f.departmentId ? { departmentId: f.departmentId } : {}),
      ...(f.ownerId ? { ownerId: f.ownerId } : {}),
    };

    /** The leads behind a row's figures: created in its days (the period's by default), converted, won. */
    const drillsOf = (narrow: Record<string, string>): Record<string, ReportDrill> => {
      const query = { ...base, createdFrom: f.from, createdTo: f.to, ...narrow };
      const all: ReportDrill = { path: '/leads', query };
      return {
        group: all,
        created: all,
        converted: { path: '/leads', query: { ...query, converted: 'true' } },
        won: { path: '/leads', query: { ...query, won: 'true' } },
      };
    };

    const rows: ReportRow[] = groups.map((g) => {
      const hit = rowsOf.find((r) => r.grp === g.key);
      const created = count(hit?.created);
      const converted = count(hit?.converted);
      const won = count(hit?.won);
      const cells = {
        group: g.name,
        created,
        converted,
        convertedShare: percent(converted, created),
        won,
        wonShare: percent(won, created),
      };
      if (by !== 'month' && g.key === null) return { key: 'none', cells };
      const query = {
        createdFrom: g.from ?? f.from,
        createdTo: g.to ?? f.to,
        ...(by !== 'month' ? { [GROUP_FILTER[by]]: g.key! } : {}),
      };
      return { key: g.key!, cells, drill: drillsOf(query) };
    });

    const created = sumCount(rows, 'created');
    const converted = sumCount(rows, 'converted');
    const won = sumCount(rows, 'won');
    const totals = {
      created,
      converted,
      convertedShare: percent(converted, created),
      won,
      wonShare: percent(won, created),
    };
    return {
      kind: 'lead-conversion',
      title: say(L.title, locale),
      from: f.from,
      to: f.to,
      filtersText: f.text,
      headline:
        created > 0
          ? say(L.headline, locale, {
              ...totals,
              convertedShare: totals.convertedShare!,
              wonShare: totals.wonShare!,
            })
          : null,
      tables: [
        {
          title: null,
          columns: [
            { key: 'group', label: say(L[by], locale), kind: 'text' },
            { key: 'created', label: say(L.created, locale), kind: 'count' },
            { key: 'converted', label: say(L.converted, locale), kind: 'count' },
            { key: 'convertedShare', label: say(L.convertedShare, locale), kind: 'percent' },
            { key: 'won', label: say(L.won, locale), kind: 'count' },
            { key: 'wonShare', label: say(L.wonShare, locale), kind: 'percent' },
          ],
          rows,
          total: { key: 'total', cells: { group: say(L.total, locale), ...totals }, drill: drillsOf({}) },
        },
      ],
      chart: {
        type: by === 'month' ? 'line' : 'bar',
        category: 'group',
        series: ['created', 'converted', 'won'],
        horizontal: by !== 'month' && rows.length > 8,
      },
    };
  },
});
