import { sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { CommissionReport, CommissionReportQuery } from '../../../common/schemas/commissions';
import type { Ctx } from '../../context';
import { invalidInput } from '../../errors';
import { businessLines, departments, users } from '../staff/staff.tables';
import { wholeSheets } from './commissions.policy';
import { commissionLines, commissionSheets } from './commissions.tables';
import { scaled } from './compute';
import { moneyText } from './sheets.service';

/**
 * 佣金汇总 for finance and managers: the lines of the sheets of a range of months (cancelled ones left out), grouped by
 * person, the person's department, business line or month — what is accrued (computed, not yet paid out) against what
 * was paid. The reader's visibility holds line by line: the lines of the sheets they see whole (department, all; the
 * sheets they own or lead) and their own lines elsewhere. Sums are PostgreSQL numeric: exact.
 */
/** Narrowing by the reports' filters (销售报表): the sheet's business line; the person, their department subtree, branch, region. */
export type CommissionReportFilters = {
  businessLineId?: string;
  userId?: string;
  departmentPath?: string;
  branchId?: string;
  regionId?: string;
};

export async function commissionReport(
  ctx: Ctx,
  query: z.output<typeof CommissionReportQuery>,
  only: CommissionReportFilters = {},
): Promise<CommissionReport> {
  if (query.from > query.to) throw invalidInput(ctx.actor.locale, [{ path: 'to', key: 'validation.rangeOrder' }]);
  const group = {
    person: { key: sql`l.user_id`, label: sql`u.display_name` },
    department: { key: sql`u.department_id`, label: sql`d.name` },
    businessLine: { key: sql`commission_sheets.business_line_id`, label: sql`b.name` },
    month: { key: sql`commission_sheets.period`, label: sql`commission_sheets.period` },
  }[query.groupBy];
  // Grouped by the column itself (a uuid), shown as text: grouping 72,000 lines by a text cast costs twice as much.
  const result = await ctx.db.execute(sql`
    SELECT ${group.key}::text AS key, ${group.label} AS label, count(*)::int AS lines,
      coalesce(sum(l.amount) FILTER (WHERE commission_sheets.status <> 'paid'), 0)::text AS accrued,
      coalesce(sum(l.amount) FILTER (WHERE commission_sheets.status = 'paid'), 0)::text AS paid,
      sum(l.amount)::text AS total
    FROM ${commissionLines} l
    JOIN ${commissionSheets} ON commission_sheets.id = l.sheet_id
    JOIN ${users} u ON u.id = l.user_id
    LEFT JOIN ${departments} d ON d.id = u.department_id
    JOIN ${businessLines} b ON b.id = commission_sheets.business_line_id
    WHERE commission_sheets.status <> 'cancelled' AND commission_sheets.period BETWEEN ${query.from} AND ${query.to}
      AND (l.user_id = ${ctx.actor.id} OR ${wholeSheets(ctx.actor)})
      ${only.businessLineId ? sql`AND commission_sheets.business_line_id = ${only.businessLineId}` : sql``}
      ${only.userId ? sql`AND l.user_id = ${only.userId}` : sql``}
      ${only.branchId ? sql`AND u.branch_id = ${only.branchId}` : sql``}
      ${only.regionId ? sql`AND u.region_id = ${only.regionId}` : sql``}
      ${only.departmentPath ? sql`AND u.department_id IN (SELECT x.id FROM ${departments} x WHERE x.path LIKE ${`${only.departmentPath}%`})` : sql``}
    GROUP BY ${group.key}, 2
    ORDER BY ${query.groupBy === 'month' ? sql`1` : sql`sum(l.amount) DESC, 2`}`);
  const rows = (result as unknown as { rows: CommissionReport['rows'] }).rows.map((r) => ({
    key: r.key,
    label: r.label,
    lines: Number(r.lines),
    accrued: moneyText(scaled(r.accrued, 2)),
    paid: moneyText(scaled(r.paid, 2)),
    total: moneyText(scaled(r.total, 2)),
  }));
  const sum = (field: 'accrued' | 'paid' | 'total') => moneyText(rows.reduce((s, r) => s + scaled(r[field], 2), 0n));
  return {
    groupBy: query.groupBy,
    rows,
    totals: {
      lines: rows.reduce((s, r) => s + r.lines, 0),
      accrued: sum('accrued'),
      paid: sum('paid'),
      total: sum('total'),
    },
  };
}
