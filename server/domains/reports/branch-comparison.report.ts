import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { reportQuery, type ReportRow } from '../../../common/schemas/reports';
import type { Ctx } from '../../context';
import { say } from '../../lib/label';
import { visibleOrders } from '../contracts/contracts.policy';
import { contracts, orders } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { branches, users } from '../staff/staff.tables';
import { count, fen, moneyShown, moneyText, percent, sumCount, sumMoney, type Cells } from './cells';
import { inDepartment, monthsOf, resolveFilters, when, yearBefore, type Resolved } from './filters';
import { defineReport } from './registry';

export const BranchComparisonQuery = reportQuery({
  /** A row per branch (with the same period a year earlier), or a row per month with a column per branch. */
  by: z.enum(['branch', 'month']).default('branch'),
});

const L = {
  title: { zh: '分所业绩对比', en: 'Branch comparison' },
  description: {
    zh: '各分所的订单数与金额，与上年同期对比，或逐月对比',
    en: 'Orders (count and amount) by branch against the same period a year earlier, or month by month',
  },
  branch: { zh: '分所', en: 'Branch' },
  month: { zh: '月份', en: 'Month' },
  orders: { zh: '订单数', en: 'Orders' },
  amount: { zh: '订单金额', en: 'Amount' },
  prevOrders: { zh: '上年同期订单数', en: 'Orders a year earlier' },
  prevAmount: { zh: '上年同期金额', en: 'Amount a year earlier' },
  change: { zh: '金额同比', en: 'Change in amount' },
  total: { zh: '合计', en: 'Total' },
  noBranch: { zh: '未指定分所', en: 'No branch' },
  headline: {
    zh: '{top}的订单金额最高：¥{amount}，占全部的 {share}%',
    en: '{top} has the largest amount: ¥{amount}, {share}% of all',
  },
};

/**
 * The branch of an order: its contract's (the branch 分所 that signed it) when the contract names one, else its
 * owner's. An order counts in the period it was confirmed (confirmed or completed; drafts and cancelled ones are
 * not orders yet, or any more).
 */
const BRANCH = sql`coalesce(${contracts.branchId}, ${users.branchId})`;

function ordersIn(ctx: Ctx, f: Resolved): SQL {
  return sql`${orders} LEFT JOIN ${contracts} ON ${contracts.id} = ${orders.contractId}
    JOIN ${users} ON ${users.id} = ${orders.ownerId}
    ${f.regionId ? sql`JOIN ${customers} ON ${customers.id} = ${orders.customerId}` : sql``}
    WHERE ${orders.status} IN ('confirmed', 'completed') AND ${visibleOrders(ctx.actor)}
      AND ${when(f.businessLineId, (id) => sql`${orders.businessLineId} = ${id}`)}
      AND ${when(f.branchId, (id) => sql`${BRANCH} = ${id}`)}
      AND ${when(f.regionId, (id) => sql`${customers.regionId} = ${id}`)}
      AND ${when(f.ownerId, (id) => sql`${orders.ownerId} = ${id}`)}
      AND ${inDepartment(f, sql`${orders.departmentId}`)}`;
}

type Figures = { branch: string | null; month?: string; orders: number; amount: string };

/** The period's orders by branch (and month), as the reader may see them. */
async function figures(ctx: Ctx, f: Resolved, range: { from: string; to: string }, byMonth: boolean) {
  const month = byMonth ? sql`, to_char(${orders.confirmedOn}, 'YYYY-MM')` : sql``;
  const result = await ctx.db.execute(sql`
    SELECT ${BRANCH} AS branch ${month} ${byMonth ? sql`AS month` : sql``}, count(*)::int AS orders,
      sum(${orders.amount})::numeric(16,2)::text AS amount
    FROM ${ordersIn(ctx, f)} AND ${orders.confirmedOn} BETWEEN ${range.from} AND ${range.to}
    GROUP BY 1 ${byMonth ? sql`, 2` : sql``}`);
  return (result as unknown as { rows: Figures[] }).rows;
}

/** Every active branch (a branch without orders is a row of zeros), and those inactive ones that had orders. */
async function branchList(ctx: Ctx, f: Resolved, seen: Set<string | null>) {
  const rows = await ctx.db
    .select({ id: branches.id, name: branches.name, active: branches.active })
    .from(branches)
    .orderBy(branches.sortOrder, branches.name);
  const list: { id: string | null; name: string }[] = rows
    .filter((b) => (f.branchId ? b.id === f.branchId : b.active || seen.has(b.id)))
    .map((b) => ({ id: b.id, name: b.name }));
  if (seen.has(null)) list.push({ id: null, name: say(L.noBranch, ctx.actor.locale) });
  return list;
}

export const branchComparison = defineReport({
  kind: 'branch-comparison',
  title: L.title,
  description: L.description,
  query: BranchComparisonQuery,
  async run(ctx, query) {
    const locale = ctx.actor.locale;
    const f = await resolveFilters(ctx, query);
    const drillBase = {
      ...(f.businessLineId ? { businessLineId: f.businessLineId } : {}),
      ...(f.regionId ? { regionId: f.regionId } : {}),
      ...(f.departmentId ? { departmentId: f.departmentId } : {}),
      ...(f.ownerId ? { ownerId: f.ownerId } : {}),
    };
    const drill = (branch: string | null, from: string, to: string) => ({
      path: '/orders',
      query: { ...drillBase, ...(branch ? { branchId: branch } : {}), confirmedFrom: from, confirmedTo: to },
    });

    if (query.by === 'month') {
      const rowsOf = await figures(ctx, f, f, true);
      const list = await branchList(ctx, f, new Set(rowsOf.map((r) => r.branch)));
      const key = (branch: string | null) => `amount:${branch ?? 'none'}`;
      const rows: ReportRow[] = monthsOf(f).map((month) => {
        const first = month < f.from.slice(0, 7) ? f.from : `${month}-01`;
        const from = first < f.from ? f.from : first;
        const [y, m] = month.split('-').map(Number);
        const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
        const to = last > f.to ? f.to : last;
        const cells: Cells = { month };
        const drills: NonNullable<ReportRow['drill']> = {};
        let all = 0n;
        for (const b of list) {
          const hit = rowsOf.find((r) => r.month === month && r.branch === b.id);
          cells[key(b.id)] = moneyText(fen(hit?.amount));
          all += fen(hit?.amount);
          drills[key(b.id)] = drill(b.id, from, to);
        }
        cells.amount = moneyText(all);
        drills.month = drill(null, from, to);
        drills.amount = drills.month;
        return { key: month, cells, drill: drills };
      });
      const columns = [
        { key: 'month', label: say(L.month, locale), kind: 'text' as const },
        ...list.map((b) => ({ key: key(b.id), label: b.name, kind: 'money' as const })),
        { key: 'amount', label: say(L.total, locale), kind: 'money' as const },
      ];
      const total: Cells = { month: say(L.total, locale) };
      for (const c of columns.slice(1)) total[c.key] = sumMoney(rows, c.key);
      return {
        kind: 'branch-comparison',
        title: say(L.title, locale),
        from: f.from,
        to: f.to,
        filtersText: f.text,
        headline: null,
        tables: [{ title: null, columns, rows, total: { key: 'total', cells: total } }],
        chart: { type: 'line', category: 'month', series: list.map((b) => key(b.id)), horizontal: false },
      };
    }

    const before = yearBefore(f);
    const [now, then] = await Promise.all([figures(ctx, f, f, false), figures(ctx, f, before, false)]);
    const list = await branchList(ctx, f, new Set([...now, ...then].map((r) => r.branch)));
    const rows: ReportRow[] = list.map((b) => {
      const a = now.find((r) => r.branch === b.id);
      const p = then.find((r) => r.branch === b.id);
      const amount = fen(a?.amount);
      const prevAmount = fen(p?.amount);
      const toPrev = drill(b.id, before.from, before.to);
      return {
        key: b.id ?? 'none',
        cells: {
          branch: b.name,
          orders: count(a?.orders),
          amount: moneyText(amount),
          prevOrders: count(p?.orders),
          prevAmount: moneyText(prevAmount),
          change: prevAmount === 0n ? null : percent(amount - prevAmount, prevAmount),
        },
        drill: {
          branch: drill(b.id, f.from, f.to),
          orders: drill(b.id, f.from, f.to),
          amount: drill(b.id, f.from, f.to),
          prevOrders: toPrev,
          prevAmount: toPrev,
        },
      };
    });
    const totalAmount = fen(sumMoney(rows, 'amount'));
    const totalPrev = fen(sumMoney(rows, 'prevAmount'));
    const top = [...rows].sort((a, b) => Number(fen(b.cells.amount as string) - fen(a.cells.amount as string)))[0];
    const headline =
      top && totalAmount > 0n
        ? say(L.headline, locale, {
            top: top.cells.branch as string,
            amount: moneyShown(top.cells.amount as string),
            share: percent(fen(top.cells.amount as string), totalAmount)!,
          })
        : null;
    return {
      kind: 'branch-comparison',
      title: say(L.title, locale),
      from: f.from,
      to: f.to,
      filtersText: f.text,
      headline,
      tables: [
        {
          title: null,
          columns: [
            { key: 'branch', label: say(L.branch, locale), kind: 'text' },
            { key: 'orders', label: say(L.orders, locale), kind: 'count' },
            { key: 'amount', label: say(L.amount, locale), kind: 'money' },
            { key: 'prevOrders', label: say(L.prevOrders, locale), kind: 'count' },
            { key: 'prevAmount', label: say(L.prevAmount, locale), kind: 'money' },
            { key: 'change', label: say(L.change, locale), kind: 'percent' },
          ],
          rows,
          total: {
            key: 'total',
            cells: {
              branch: say(L.total, locale),
              orders: sumCount(rows, 'orders'),
              amount: moneyText(totalAmount),
              prevOrders: sumCount(rows, 'prevOrders'),
              prevAmount: moneyText(totalPrev),
              change: totalPrev === 0n ? null : percent(totalAmount - totalPrev, totalPrev),
            },
          },
        },
      ],
      chart: { type: 'bar', category: 'branch', series: ['amount', 'prevAmount'], horizontal: false },
    };
  },
});
