import { sql } from 'drizzle-orm';
import { reportQuery, type ReportAnswer, type ReportDrill, type ReportRow } from '../../../common/schemas/reports';
import type { Ctx } from '../../context';
import { say } from '../../lib/label';
import { addDays } from '../../lib/time';
import { customers } from '../customers/customers.tables';
import { visibleOpportunities } from '../opportunities/opportunities.policy';
import { opportunities } from '../opportunities/opportunities.tables';
import { users } from '../staff/staff.tables';
import { count, fen, moneyShown, moneyText, sumCount, sumMoney } from './cells';
import { inDepartment, lastOfMonth, monthsOf, resolveFilters, when, type Resolved } from './filters';
import { defineReport } from './registry';

export const PipelineForecastQuery = reportQuery({});

const L = {
  title: { zh: '销售预测', en: 'Pipeline forecast' },
  description: {
    zh: '在跟进的销售机会按预计结单月份：预计金额与加权金额（金额 × 赢单概率）',
    en: 'Open opportunities by expected close month: expected amount and weighted amount (amount × win probability)',
  },
  month: { zh: '预计结单月份', en: 'Expected close month' },
  count: { zh: '机会数', en: 'Opportunities' },
  amount: { zh: '预计金额', en: 'Expected amount' },
  weighted: { zh: '加权金额', en: 'Weighted amount' },
  overdue: { zh: '逾期（预计结单早于 {from}）', en: 'Overdue (expected to close before {from})' },
  undated: { zh: '未定结单日期', en: 'No expected close date' },
  total: { zh: '合计', en: 'Total' },
  headline: {
    zh: '期间内预计结单 {n} 个机会，加权金额 ¥{weighted}（预计金额 ¥{amount}）；另有逾期或未定日期的 {late} 个，加权 ¥{lateWeighted}',
    en: '{n} opportunities expected to close in the period, weighted ¥{weighted} (expected ¥{amount}); {late} more overdue or undated, weighted ¥{lateWeighted}',
  },
};

/**
 * The open pipeline by expected close month. Weighted amount = expected amount × probability %, rounded to the fen
 * half up for each opportunity, then added up — the same figure the opportunities list's totals show for the
 * drill-down (numeric arithmetic: round(amount × p / 100, 2); amounts are never negative). An opportunity without an
 * amount counts with 0.
 *
 * Rows: every month of the period (zeros included), preceded by two rows the forecast must not hide: the open
 * opportunities whose expected close date is before the period's start (overdue — they have not closed when they
 * were expected to) and those without an expected close date. Both are in the total; the headline keeps them
 * apart. Opportunities expected to close after the period are left out (they belong to a later period).
 */
type Figure = { bucket: string; n: number; amount: string; weighted: string };

function filtersOf(ctx: Ctx, f: Resolved) {
  return sql`${opportunities.status} = 'open' AND ${visibleOpportunities(ctx.actor)}
    AND ${when(f.businessLineId, (id) => sql`${opportunities.businessLineId} = ${id}`)}
    AND ${when(f.branchId, (id) => sql`${users.branchId} = ${id}`)}
    AND ${when(f.regionId, (id) => sql`${customers.regionId} = ${id}`)}
    AND ${when(f.ownerId, (id) => sql`${opportunities.ownerId} = ${id}`)}
    AND ${inDepartment(f, sql`${opportunities.departmentId}`)}`;
}

async function figures(ctx: Ctx, f: Resolved): Promise<Figure[]> {
  const close = opportunities.expectedCloseOn;
  const result = await ctx.db.execute(sql`
    SELECT CASE WHEN ${close} IS NULL THEN 'undated' WHEN ${close} < ${f.from} THEN 'overdue'
        ELSE to_char(${close}, 'YYYY-MM') END AS bucket,
      count(*)::int AS n,
      coalesce(sum(${opportunities.expectedAmount}), 0)::numeric(16,2)::text AS amount,
      coalesce(sum(round(${opportunities.expectedAmount} * ${opportunities.probability} / 100.0, 2)), 0)::numeric(16,2)::text AS weighted
    FROM ${opportunities}
    ${f.branchId ? sql`JOIN ${users} ON ${users.id} = ${opportunities.ownerId}` : sql``}
    ${f.regionId ? sql`JOIN ${customers} ON ${customers.id} = ${opportunities.customerId}` : sql``}
    WHERE ${filtersOf(ctx, f)} AND (${close} IS NULL OR ${close} <= ${f.to})
    GROUP BY 1`);
  return (result as unknown as { rows: Figure[] }).rows;
}

export const pipelineForecast = defineReport({
  kind: 'pipeline-forecast',
  title: L.title,
  description: L.description,
  query: PipelineForecastQuery,
  async run(ctx, query): Promise<ReportAnswer> {
    const locale = ctx.actor.locale;
    const f = await resolveFilters(ctx, query);
    const found = await figures(ctx, f);
    const base: Record<string, string> = {
      mode: 'list',
      status: 'open',
      ...(f.businessLineId ? { businessLineId: f.businessLineId } : {}),
      ...(f.branchId ? { branchId: f.branchId } : {}),
      ...(f.regionId ? { regionId: f.regionId } : {}),
      ...(f.departmentId ? { departmentId: f.departmentId } : {}),
      ...(f.ownerId ? { ownerId: f.ownerId } : {}),
    };
    const row = (key: string, label: string, extra: Record<string, string>): ReportRow => {
      const hit = found.find((r) => r.bucket === key);
      const drill: ReportDrill = { path: '/opportunities', query: { ...base, ...extra } };
      return {
        key,
        cells: {
          month: label,
          count: count(hit?.n),
          amount: moneyText(fen(hit?.amount)),
          weighted: moneyText(fen(hit?.weighted)),
        },
        drill: { month: drill, count: drill, amount: drill, weighted: drill },
      };
    };
    const late = [
      row('overdue', say(L.overdue, locale, { from: f.from }), { closeTo: addDays(f.from, -1) }),
      row('undated', say(L.undated, locale), { noCloseDate: 'true' }),
    ];
    const months = monthsOf(f).map((month) => {
      const first = `${month}-01` < f.from ? f.from : `${month}-01`;
      const last = lastOfMonth(month) > f.to ? f.to : lastOfMonth(month);
      return row(month, month, { closeFrom: first, closeTo: last });
    });
    const rows = [...late, ...months];
    const inPeriod = { n: sumCount(months, 'count'), amount: sumMoney(months, 'amount') };
    const headline =
      sumCount(rows, 'count') > 0
        ? say(L.headline, locale, {
            n: inPeriod.n,
            weighted: moneyShown(sumMoney(months, 'weighted')),
            amount: moneyShown(inPeriod.amount),
            late: sumCount(late, 'count'),
            lateWeighted: moneyShown(sumMoney(late, 'weighted')),
          })
        : null;
    return {
      kind: 'pipeline-forecast',
      title: say(L.title, locale),
      from: f.from,
      to: f.to,
      filtersText: f.text,
      headline,
      tables: [
        {
          title: null,
          columns: [
            { key: 'month', label: say(L.month, locale), kind: 'text' },
            { key: 'count', label: say(L.count, locale), kind: 'count' },
            { key: 'amount', label: say(L.amount, locale), kind: 'money' },
            { key: 'weighted', label: say(L.weighted, locale), kind: 'money' },
          ],
          rows,
          total: {
            key: 'total',
            cells: {
              month: say(L.total, locale),
              count: sumCount(rows, 'count'),
              amount: sumMoney(rows, 'amount'),
              weighted: sumMoney(rows, 'weighted'),
            },
          },
        },
      ],
      chart: { type: 'bar', category: 'month', series: ['amount', 'weighted'], horizontal: false },
    };
  },
});
