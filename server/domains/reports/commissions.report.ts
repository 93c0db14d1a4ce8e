import { z } from 'zod';
import { reportQuery, type ReportRow } from '../../../common/schemas/reports';
import { say } from '../../lib/label';
import { commissionReport } from '../commissions/report.service';
import { businessLines } from '../staff/staff.tables';
import { fen, moneyShown, moneyText, percent, sumCount, sumMoney } from './cells';
import { monthsOf, resolveFilters } from './filters';
import { defineReport } from './registry';

export const CommissionsReportQuery = reportQuery({
  /** A row per person, per department (the person's), per business line (the sheet's) or per month. */
  by: z.enum(['person', 'department', 'businessLine', 'month']).default('person'),
});

const L = {
  title: { zh: '佣金计提与发放', en: 'Commissions' },
  description: {
    zh: '各月分配表的佣金：已计提未发放与已发放，按人员、部门、业务类型或月份',
    en: 'Commission of the months’ sheets, accrued (not yet paid) against paid, by person, department, business line or month',
  },
  person: { zh: '人员', en: 'Person' },
  department: { zh: '部门', en: 'Department' },
  businessLine: { zh: '业务类型', en: 'Business line' },
  month: { zh: '月份', en: 'Month' },
  lines: { zh: '明细行数', en: 'Lines' },
  accrued: { zh: '已计提未发放', en: 'Accrued, not paid' },
  paid: { zh: '已发放', en: 'Paid' },
  amount: { zh: '佣金合计', en: 'Total' },
  total: { zh: '合计', en: 'Total' },
  noDepartment: { zh: '未分配部门', en: 'No department' },
  headline: {
    zh: '期间佣金 ¥{total}，已发放 {share}%',
    en: 'Commission of ¥{total} in the period, {share}% paid',
  },
};

/*
 * The figures are the commissions domain's 佣金汇总 (commissionReport: the lines of the months' sheets, cancelled
 * ones out; accrued = not yet paid, paid = of paid sheets; the reader's own lines and the sheets they see whole), over
 * the months the period touches (f.from's month to f.to's), narrowed by the common filters: the sheet's business
 * line; the person (owner filter), the person's department subtree, branch and region. Every month of the period is a
 * row by month, every active business line by business line; people and departments are those with lines.
 * No drill-down: the sheets list (/commissions/sheets) lists sheets — one month and one status at a time — not the
 * people's lines these figures add up, so no list shows exactly the records behind a figure.
 */
export const commissionsReport = defineReport({
  kind: 'commissions',
  title: L.title,
  description: L.description,
  query: CommissionsReportQuery,
  async run(ctx, query) {
    const locale = ctx.actor.locale;
    const f = await resolveFilters(ctx, query);
    const by = query.by;
    const answer = await commissionReport(
      ctx,
      { from: f.from.slice(0, 7), to: f.to.slice(0, 7), groupBy: by },
      {
        businessLineId: f.businessLineId,
        userId: f.ownerId,
        departmentPath: f.departmentPath,
        branchId: f.branchId,
        regionId: f.regionId,
      },
    );
    const found = new Map(answer.rows.map((r) => [r.key, r]));
    let groups: { key: string | null; name: string }[];
    if (by === 'month') {
      groups = monthsOf(f).map((m) => ({ key: m, name: m }));
    } else if (by === 'businessLine') {
      const lines = await ctx.db
        .select({ id: businessLines.id, name: businessLines.name, active: businessLines.active })
        .from(businessLines)
        .orderBy(businessLines.sortOrder, businessLines.name);
      groups = lines
        .filter((l) => (f.businessLineId ? l.id === f.businessLineId : l.active || found.has(l.id)))
        .map((l) => ({ key: l.id, name: l.name }));
    } else {
      groups = answer.rows.map((r) => ({
        key: r.key,
        name: r.label ?? say(L.noDepartment, locale),
      }));
    }
    const rows: ReportRow[] = groups.map((g) => {
      const r = found.get(g.key);
      return {
        key: g.key ?? 'none',
        cells: {
          [by]: g.name,
          lines: r?.lines ?? 0,
          accrued: moneyText(fen(r?.accrued)),
          paid: moneyText(fen(r?.paid)),
          amount: moneyText(fen(r?.total)),
        },
      };
    });
    const total = fen(sumMoney(rows, 'amount'));
    const paid = fen(sumMoney(rows, 'paid'));
    return {
      kind: 'commissions',
      title: say(L.title, locale),
      from: f.from,
      to: f.to,
      filtersText: f.text,
      headline:
        total !== 0n
          ? say(L.headline, locale, { total: moneyShown(moneyText(total)), share: percent(paid, total) ?? '—' })
          : null,
      tables: [
        {
          title: null,
          columns: [
            { key: by, label: say(L[by], locale), kind: 'text' },
            { key: 'lines', label: say(L.lines, locale), kind: 'count' },
            { key: 'accrued', label: say(L.accrued, locale), kind: 'money' },
            { key: 'paid', label: say(L.paid, locale), kind: 'money' },
            { key: 'amount', label: say(L.amount, locale), kind: 'money' },
          ],
          rows,
          total: {
            key: 'total',
            cells: {
              [by]: say(L.total, locale),
              lines: sumCount(rows, 'lines'),
              accrued: sumMoney(rows, 'accrued'),
              paid: moneyText(paid),
              amount: moneyText(total),
            },
          },
        },
      ],
      chart: {
        type: 'stacked-bar',
        category: by,
        series: ['paid', 'accrued'],
        horizontal: by === 'person' || by === 'department',
      },
    };
  },
});
