import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import {
  AGEING_BUCKETS,
  RECEIVABLE_CONTRACT_STATUSES,
  RECEIVABLE_ORDER_STATUSES,
} from '../../../common/schemas/receivables';
import { reportQuery, type ReportDrill, type ReportRow } from '../../../common/schemas/reports';
import type { Ctx } from '../../context';
import { say } from '../../lib/label';
import { scopeOf, visibleTo } from '../../policy';
import { receivableContracts, receivableOrders } from '../contracts/contracts.policy';
import { SIGNED } from '../contracts/contracts.service';
import { contractMembers, contracts, orders, paymentTerms } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { ageingBounds, ageingColumns, ageingOf, type AgeingRow } from '../receivables/receivables.service';
import { invoices, receiptAllocations, receipts } from '../receivables/receivables.tables';
import { branches, businessLines, users } from '../staff/staff.tables';
import { type Cells, fen, moneyShown, moneyText, percent, sumMoney } from './cells';
import { firmToday, inDepartment, lastOfMonth, monthsOf, resolveFilters, when, type Resolved } from './filters';
import { defineReport } from './registry';
import { catchUp } from './summaries';
import { revenueSummary } from './revenue.summary';
import { revenueSummaryDays, revenueSummaryMonths, revenueSummaryOpen } from './revenue.summary.tables';

export const RevenueQuery = reportQuery({
  /** A row per month of the period, per business line or per branch. */
  by: z.enum(['month', 'businessLine', 'branch']).default('month'),
});

const L = {
  title: { zh: '收入与应收', en: 'Revenue and receivables' },
  description: {
    zh: '签约、开票、到款与应收余额，按月份、业务类型或分所；期末应收账龄',
    en: 'Contracted, invoiced, received and outstanding by month, business line or branch; ageing at the period’s end',
  },
  month: { zh: '月份', en: 'Month' },
  businessLine: { zh: '业务类型', en: 'Business line' },
  branch: { zh: '分所', en: 'Branch' },
  contracted: { zh: '签约金额', en: 'Contracted' },
  invoiced: { zh: '开票金额', en: 'Invoiced' },
  received: { zh: '到款金额', en: 'Received' },
  outstanding: { zh: '应收余额', en: 'Outstanding' },
  total: { zh: '合计', en: 'Total' },
  noBranch: { zh: '未指定分所', en: 'No branch' },
  ageingTitle: { zh: '应收账龄（截至 {date}）', en: 'Ageing of receivables (as of {date})' },
  bucket: { zh: '账龄', en: 'Age' },
  amount: { zh: '未收金额', en: 'Outstanding' },
  share: { zh: '占比', en: 'Share' },
  'not-due': { zh: '未到期', en: 'Not yet due' },
  'd1-30': { zh: '逾期 1–30 天', en: '1–30 days overdue' },
  'd31-90': { zh: '逾期 31–90 天', en: '31–90 days overdue' },
  'd91-180': { zh: '逾期 91–180 天', en: '91–180 days overdue' },
  'over-180': { zh: '逾期 180 天以上', en: 'Over 180 days overdue' },
  headline: {
    zh: '期间到款 ¥{received}，为签约金额的 {share}%；截至 {date} 逾期应收 ¥{overdue}',
    en: 'Received ¥{received} in the period, {share}% of the contracted amount; ¥{overdue} overdue as of {date}',
  },
};

/*
 * What is counted (decided for issue 16):
 * - contracted: contracts signed in the period (signed_on; those that stand signed — signed, in progress, completed,
 *   terminated; a voided one was annulled) plus orders without a contract confirmed in the period (confirmed_on;
 *   confirmed or completed), at their amounts;
 * - invoiced: invoices dated in the period (issued_on), voided ones out;
 * - received: receipts dated in the period (received_on), their whole amount (credit not yet allocated included).
 *   A reversed receipt is out altogether, in every month: reversal corrects a receipt recorded by mistake (the
 *   receivables domain puts what it gave its terms back), so the report shows what the receipts list shows with
 *   status 「有效」 — a month's figure may fall when a receipt of it is reversed later;
 * - outstanding at a month's end (the period's end for the other groupings, and never past today): the open amount
 *   (amount − what valid receipts dated by then gave the term) of terms due by that day (due_on ≤ the day) of
 *   receivable contracts and orders (as the receivables domain: signed, in progress, completed; confirmed,
 *   completed) signed or confirmed by then; a month wholly after today has none (null);
 * - the ageing: the same open amounts at min(period's end, today), aged by the receivables domain's buckets and bounds
 *   (ageingColumns), so that as of today it is the 应收账款 page's ageing.
 * Dimensions: a contract's branch, else its owner's (an order: its owner's); the customer's region; the record's
 * business line, department (subtree) and owner; receipts, invoices and terms take their contract's or order's.
 * Visibility: receivableContracts / receivableOrders (receivables:read).
 *
 * Where it is read (issue 16's bound, a year under 300 ms): from the revenue summary (revenue.summary.ts), caught
 * up before each read — whole months from its month rows, the days of a month the report needs to the day (today's
 * month, a custom range) from its day rows, the ageing from the terms' open spans; the records a reader sees only
 * as a contract's team member from the day and open rows, by subject. The base-row SQL below (baseFigures,
 * baseAgeing) gives the same figures: revenue.summary.test.ts checks the two against each other.
 */

type By = z.output<typeof RevenueQuery>['by'];

/**
 * The contracts and orders without a contract the reader sees under receivables:read, with their dimensions. The
 * branch and the customer's region cost a lookup per record: they are read only when a filter or the grouping needs
 * them (NULL otherwise).
 */
function subjects(ctx: Ctx, f: Resolved, by: By): SQL {
  const needBranch = Boolean(f.branchId) || by === 'branch';
  const needRegion = Boolean(f.regionId);
  const ownerBranch = (owner: SQL) =>
    needBranch ? sql`(SELECT u.branch_id FROM ${users} u WHERE u.id = ${owner})` : sql`NULL::uuid`;
  const regionOf = (customer: SQL) =>
    needRegion ? sql`(SELECT cu.region_id FROM ${customers} cu WHERE cu.id = ${customer})` : sql`NULL::uuid`;
  const all = sql`SELECT ${contracts.id} AS id, 'contract' AS kind, ${contracts.status} AS status,
      ${contracts.signedOn} AS made_on, ${contracts.amount} AS amount, ${contracts.businessLineId} AS line,
      ${needBranch ? sql`coalesce(${contracts.branchId}, ${ownerBranch(sql`${contracts.ownerId}`)})` : sql`NULL::uuid`} AS branch,
      ${contracts.departmentId} AS department, ${contracts.ownerId} AS owner,
      ${regionOf(sql`${contracts.customerId}`)} AS region
    FROM ${contracts} WHERE ${receivableContracts(ctx.actor)}
    UNION ALL
    SELECT ${orders.id}, 'order', ${orders.status}, ${orders.confirmedOn}, ${orders.amount}, ${orders.businessLineId},
      ${ownerBranch(sql`${orders.ownerId}`)}, ${orders.departmentId}, ${orders.ownerId}, ${regionOf(sql`${orders.customerId}`)}
    FROM ${orders} WHERE ${orders.contractId} IS NULL AND ${receivableOrders(ctx.actor)}`;
  return sql`SELECT * FROM (${all}) x
    WHERE ${when(f.businessLineId, (id) => sql`x.line = ${id}`)}
      AND ${when(f.branchId, (id) => sql`x.branch = ${id}`)}
      AND ${when(f.regionId, (id) => sql`x.region = ${id}`)}
      AND ${when(f.ownerId, (id) => sql`x.owner = ${id}`)}
      AND ${inDepartment(f, sql`x.department`)}`;
}

const list = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

/** The group key of a subject row under alias `a`. */
const keyOf = (by: By, a: string): SQL =>
  by === 'businessLine' ? sql.raw(`${a}.line::text`) : by === 'branch' ? sql.raw(`${a}.branch::text`) : sql`NULL::text`;

/** The receivable terms of the subjects `s`: their subject's columns, the term's id, amount and due date. */
const receivableTerms = sql`SELECT s.*, ${paymentTerms.id} AS term, ${paymentTerms.amount} AS term_amount,
    ${paymentTerms.dueOn} AS due
  FROM ${paymentTerms} JOIN s ON s.id = coalesce(${paymentTerms.contractId}, ${paymentTerms.orderId})
  WHERE (s.kind = 'contract' AND s.status IN (${list(RECEIVABLE_CONTRACT_STATUSES)}))
     OR (s.kind = 'order' AND s.status IN (${list(RECEIVABLE_ORDER_STATUSES)}))`;

/**
 * The outstanding balance at each day of `ends` (an SQL date array) per group, in one pass over the terms and their
 * allocations. A term is open at day e when it is due by then and its contract or order signed or confirmed by then
 * (made_on ≤ e), for its amount less what valid receipts dated by e gave it. Written as changes of the balance:
 * the term adds its amount from the day it counts (the later of its due date and made_on), each valid allocation
 * takes its amount away from the later of that day and its receipt's — so the balance at e is the sum of the
 * changes dated by e, a pass over the terms and allocations instead of one per term and day. (What valid receipts
 * gave a term never exceeds its amount — `received`, their sum, is checked ≤ amount —, so no term is below zero and
 * the sum is the open amounts'; a group shows at a day when something is open then, as before.)
 */
const outstandingAt = (by: By, ends: SQL) => sql`t AS (${receivableTerms}),
  changes AS (
    SELECT ${keyOf(by, 't')} AS key, greatest(t.due, coalesce(t.made_on, t.due)) AS day, t.term_amount AS amount
    FROM t WHERE t.due IS NOT NULL
    UNION ALL
    SELECT ${keyOf(by, 't')}, greatest(r.received_on, t.due, coalesce(t.made_on, t.due)), -a.amount
    FROM ${receiptAllocations} a JOIN ${receipts} r ON r.id = a.receipt_id AND r.status = 'valid'
    JOIN t ON t.term = a.term_id WHERE t.due IS NOT NULL),
  daily AS (SELECT key, day, sum(amount) AS amount FROM changes
    WHERE day <= (SELECT max(e) FROM unnest(${ends}) e) GROUP BY 1, 2)
  SELECT daily.key, e.at, sum(daily.amount) AS amount FROM unnest(${ends}) e(at) JOIN daily ON daily.day <= e.at
  GROUP BY 1, 2 HAVING sum(daily.amount) > 0`;

type Figure = {
  figure: 'contracted' | 'invoiced' | 'received' | 'outstanding';
  key: string | null;
  month: string;
  amount: string;
};

/** The figures from the base rows (what the summary is checked against; see revenueFigures). */
async function baseFigures(ctx: Ctx, f: Resolved, by: By, ends: string[]): Promise<Figure[]> {
  const period = (column: SQL) => sql`${column} BETWEEN ${f.from} AND ${f.to}`;
  const endsArray = sql`${`{${ends.join(',')}}`}::date[]`;
  const outstanding = ends.length
    ? sql`UNION ALL SELECT 'outstanding', o.key, to_char(o.at, 'YYYY-MM'), o.amount FROM o`
    : sql``;
  const result = await ctx.db.execute(sql`WITH s AS (${subjects(ctx, f, by)})
    ${ends.length ? sql`, o AS (WITH ${outstandingAt(by, endsArray)})` : sql``}
    SELECT figure, key, month, coalesce(amount, 0)::numeric(16,2)::text AS amount FROM (
      SELECT 'contracted' AS figure, ${keyOf(by, 's')} AS key, to_char(s.made_on, 'YYYY-MM') AS month,
        sum(s.amount) AS amount
      FROM s WHERE ${period(sql`s.made_on`)}
        AND ((s.kind = 'contract' AND s.status IN (${list(SIGNED)}))
          OR (s.kind = 'order' AND s.status IN ('confirmed', 'completed')))
      GROUP BY 2, 3
      UNION ALL
      SELECT 'invoiced', ${keyOf(by, 's')}, to_char(i.issued_on, 'YYYY-MM'), sum(i.amount)
      FROM ${invoices} i JOIN s ON s.id = coalesce(i.contract_id, i.order_id)
      WHERE i.status = 'valid' AND ${period(sql`i.issued_on`)} GROUP BY 2, 3
      UNION ALL
      SELECT 'received', ${keyOf(by, 's')}, to_char(r.received_on, 'YYYY-MM'), sum(r.amount)
      FROM ${receipts} r JOIN s ON s.id = coalesce(r.contract_id, r.order_id)
      WHERE r.status = 'valid' AND ${period(sql`r.received_on`)} GROUP BY 2, 3
      ${outstanding}
    ) x`);
  return (result as unknown as { rows: Figure[] }).rows;
}

/**
 * The ageing at `asOf`: the terms of contracts and orders made by then (any due date), each for its amount less what
 * valid receipts dated by then gave it (added up once per term), bucketed by due date.
 */
async function baseAgeing(ctx: Ctx, f: Resolved, by: By, asOf: string) {
  const result = await ctx.db.execute(sql`WITH s AS (${subjects(ctx, f, by)}),
    t AS (${receivableTerms}),
    paid AS (SELECT a.term_id, sum(a.amount) AS amount FROM ${receiptAllocations} a
      JOIN ${receipts} r ON r.id = a.receipt_id AND r.status = 'valid' AND r.received_on <= ${asOf}::date
      WHERE a.term_id IN (SELECT term FROM t) GROUP BY 1)
    SELECT ${ageingColumns(ageingBounds(asOf), false)} FROM (
      SELECT t.due, t.term_amount - coalesce(paid.amount, 0) AS open FROM t LEFT JOIN paid ON paid.term_id = t.term
      WHERE t.made_on IS NULL OR t.made_on <= ${asOf}::date) x
    WHERE open > 0`);
  return ageingOf((result as unknown as { rows: AgeingRow[] }).rows[0]);
}

const min = (...dates: string[]) => dates.reduce((a, b) => (a < b ? a : b));
const max = (...dates: string[]) => dates.reduce((a, b) => (a > b ? a : b));

/** The columns of a summary table that the filters, the grouping and the visibility read. */
type SummaryColumns = {
  subjectId?: PgColumn;
  ownerId: PgColumn;
  departmentId: PgColumn;
  businessLineId: PgColumn;
  branchId: PgColumn;
  regionId?: PgColumn;
};

/**
 * receivableContracts / receivableOrders on summary rows: `rule` is the owner / department part (their columns are
 * kept in every summary row); `shared` — the records seen only as a contract's team member (scope own or department)
 * — needs the subject's id, so it is read from the day and open rows, never from the month rows.
 */
function summaryVisibility(ctx: Ctx) {
  const scope = scopeOf(ctx.actor, 'receivables:read');
  const rule = (t: SummaryColumns) =>
    visibleTo(ctx.actor, 'receivables:read', { owner: t.ownerId, department: t.departmentId });
  const member = (t: SummaryColumns) =>
    sql`${t.subjectId} IN (SELECT ${contractMembers.contractId} FROM ${contractMembers} WHERE ${contractMembers.userId} = ${ctx.actor.id})`;
  const sharedOnly =
    scope === 'own' || scope === 'department'
      ? (t: SummaryColumns) => sql`${member(t)} AND NOT coalesce(${rule(t)}, false)`
      : null;
  return { rule, sharedOnly };
}

/** The report's filters on summary rows (the region only on those that keep it). */
const summaryFilters = (f: Resolved, t: SummaryColumns): SQL =>
  sql`${when(f.businessLineId, (id) => sql`${t.businessLineId} = ${id}`)}
    AND ${when(f.branchId, (id) => sql`${t.branchId} = ${id}`)}
    AND ${when(f.regionId, (id) => (t.regionId ? sql`${t.regionId} = ${id}` : sql`false`))}
    AND ${when(f.ownerId, (id) => sql`${t.ownerId} = ${id}`)}
    AND ${inDepartment(f, sql`${t.departmentId}`)}`;

const summaryKey = (by: By, t: SummaryColumns): SQL =>
  by === 'businessLine' ? sql`${t.businessLineId}::text` : by === 'branch' ? sql`${t.branchId}::text` : sql`NULL::text`;

const firstOf = (day: string) => `${day.slice(0, 7)}-01`;

/**
 * The figures from the summary: whole months from the month rows, and from the day rows the months the report
 * needs to the day (a period or a month-end balance that does not fall on a month's edge: today's month, a custom
 * range), everything when a region is asked for (the month rows do not keep it), and the records the reader sees
 * only as a team member. Each "atom" is a span of days (a month, or a day) with its figures: a period's flows add
 * the atoms inside it, a balance at day e the changes of the atoms ending by e.
 */
async function summaryFigures(ctx: Ctx, f: Resolved, by: By, ends: string[], spans: Span[]): Promise<Figure[]> {
  const { rule, sharedOnly } = summaryVisibility(ctx);
  const d = revenueSummaryDays;
  const m = revenueSummaryMonths;
  const allDays = Boolean(f.regionId);
  const toDays = new Set<string>();
  for (const span of spans)
    if (span.from !== `${span.month}-01` || span.to !== lastOfMonth(span.month)) toDays.add(`${span.month}-01`);
  for (const e of ends) if (e !== lastOfMonth(e.slice(0, 7))) toDays.add(firstOf(e));
  const dayMonths = [...toDays].sort();
  const last = f.to;
  const dayColumns = sql`${summaryKey(by, d)} AS key, ${d.day} AS first, ${d.day} AS last,
    ${d.contracted} AS contracted, ${d.invoiced} AS invoiced, ${d.received} AS received, ${d.change} AS change`;
  const inDayMonths = dayMonths.length
    ? sql.join(
        dayMonths.map((month) => sql`${d.day} BETWEEN ${month}::date AND ${lastOfMonth(month.slice(0, 7))}::date`),
        sql` OR `,
      )
    : sql`false`;
  const parts: SQL[] = [];
  if (allDays) {
    parts.push(
      sql`SELECT ${dayColumns} FROM ${d} WHERE ${rule(d)} AND ${summaryFilters(f, d)} AND ${d.day} <= ${last}::date`,
    );
  } else {
    parts.push(sql`SELECT ${summaryKey(by, m)}, ${m.month}, (${m.month} + interval '1 month' - interval '1 day')::date,
        ${m.contracted}, ${m.invoiced}, ${m.received}, ${m.change}
      FROM ${m} WHERE ${rule(m)} AND ${summaryFilters(f, m)} AND ${m.month} <= ${firstOf(last)}::date
        AND NOT (${m.month} = ANY(${`{${dayMonths.join(',')}}`}::date[]))`);
    if (dayMonths.length)
      parts.push(sql`SELECT ${dayColumns} FROM ${d} WHERE ${rule(d)} AND ${summaryFilters(f, d)} AND (${inDayMonths})`);
  }
  if (sharedOnly)
    parts.push(
      sql`SELECT ${dayColumns} FROM ${d} WHERE ${sharedOnly(d)} AND ${summaryFilters(f, d)} AND ${d.day} <= ${last}::date`,
    );
  const flow = (figure: 'contracted' | 'invoiced' | 'received') =>
    sql`SELECT ${sql.raw(`'${figure}'`)} AS figure, key, to_char(first, 'YYYY-MM') AS month, sum(${sql.identifier(figure)}) AS amount
      FROM atoms WHERE first >= ${f.from}::date AND last <= ${f.to}::date AND ${sql.identifier(figure)} <> 0
      GROUP BY 2, 3`;
  const endsArray = sql`${`{${ends.join(',')}}`}::date[]`;
  const outstanding = ends.length
    ? sql`UNION ALL
      SELECT 'outstanding', daily.key, to_char(e.at, 'YYYY-MM'), sum(daily.change)
      FROM unnest(${endsArray}) e(at)
      JOIN (SELECT key, last AS day, sum(change) AS change FROM atoms WHERE change <> 0 GROUP BY 1, 2) daily
        ON daily.day <= e.at
      GROUP BY 2, 3 HAVING sum(daily.change) > 0`
    : sql``;
  const result = await ctx.db.execute(sql`WITH atoms (key, first, last, contracted, invoiced, received, change) AS (
      ${sql.join(parts, sql` UNION ALL `)})
    SELECT figure, key, month, coalesce(amount, 0)::numeric(16,2)::text AS amount FROM (
      ${flow('contracted')} UNION ALL ${flow('invoiced')} UNION ALL ${flow('received')} ${outstanding}) x`);
  return (result as unknown as { rows: Figure[] }).rows;
}

/** The ageing at `asOf` from the summary's open spans: the terms open that day, bucketed by due date. */
async function summaryAgeing(ctx: Ctx, f: Resolved, asOf: string) {
  const { rule, sharedOnly } = summaryVisibility(ctx);
  const o = revenueSummaryOpen;
  const seen = sharedOnly ? sql`(${rule(o)} OR ${sharedOnly(o)})` : rule(o);
  const query = sql`SELECT ${ageingColumns(ageingBounds(asOf), false)} FROM (
      SELECT ${o.dueOn} AS due, ${o.open} AS open FROM ${o}
      WHERE ${o.during} @> ${asOf}::date AND ${seen} AND ${summaryFilters(f, o)}) x`;
  // The terms open that day are a tenth of the spans: the planner prices a (parallel) scan of the whole table below
  // the GiST index-only scan that reads just them (36 against 135 ms over the bench's data), so it is told not to.
  const result = await ctx.db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL enable_seqscan = off`);
    const rows = await tx.execute(query);
    // Back to the default, should this run inside a caller's transaction.
    await tx.execute(sql`SET LOCAL enable_seqscan = on`);
    return rows;
  });
  return ageingOf((result as unknown as { rows: AgeingRow[] }).rows[0]);
}

type Span = { month: string; from: string; to: string };

/**
 * The report's figures and ageing: from the summary (brought up to date first), or from the base rows — the same
 * figures (revenue.test.ts checks both).
 */
export async function revenueFigures(
  ctx: Ctx,
  f: Resolved,
  by: By,
  at: { spans: Span[]; ends: string[]; asOf: string },
  source: 'summary' | 'base' = 'summary',
) {
  if (source === 'base') return Promise.all([baseFigures(ctx, f, by, at.ends), baseAgeing(ctx, f, by, at.asOf)]);
  await catchUp(ctx.db, revenueSummary);
  return Promise.all([summaryFigures(ctx, f, by, at.ends, at.spans), summaryAgeing(ctx, f, at.asOf)]);
}

/** The groups of the rows: business lines or branches (every active one, and inactive ones with figures). */
async function groupsOf(ctx: Ctx, f: Resolved, by: 'businessLine' | 'branch', seen: Set<string | null>) {
  const table = by === 'businessLine' ? businessLines : branches;
  const only = by === 'businessLine' ? f.businessLineId : f.branchId;
  const rows = await ctx.db
    .select({ id: table.id, name: table.name, active: table.active })
    .from(table)
    .orderBy(table.sortOrder, table.name);
  const out: { id: string | null; name: string }[] = rows
    .filter((r) => (only ? r.id === only : r.active || seen.has(r.id)))
    .map((r) => ({ id: r.id, name: r.name }));
  if (by === 'branch' && seen.has(null)) out.push({ id: null, name: say(L.noBranch, ctx.actor.locale) });
  return out;
}

/**
 * The report's days: each month's first and last day within the period, the days the outstanding balance is taken
 * (by month: each month's end, never past today; otherwise the period's end or today), and the ageing's day.
 */
export function datesOf(f: { from: string; to: string }, by: By, today: string) {
  const spans: Span[] = monthsOf(f).map((month) => ({
    month,
    from: max(`${month}-01`, f.from),
    to: min(lastOfMonth(month), f.to),
  }));
  const asOf = min(f.to, today);
  const ends =
    by === 'month' ? spans.filter((s) => s.from <= today).map((s) => min(s.to, today)) : f.from <= today ? [asOf] : [];
  return { spans, ends, asOf };
}

export const revenue = defineReport({
  kind: 'revenue',
  title: L.title,
  description: L.description,
  query: RevenueQuery,
  async run(ctx, query) {
    const locale = ctx.actor.locale;
    const f = await resolveFilters(ctx, query);
    const today = firmToday();
    const { spans, ends, asOf } = datesOf(f, query.by, today);
    const [rowsOf, aged] = await revenueFigures(ctx, f, query.by, { spans, ends, asOf });

    const dims = {
      ...(f.businessLineId ? { businessLineId: f.businessLineId } : {}),
      ...(f.branchId ? { branchId: f.branchId } : {}),
      ...(f.regionId ? { regionId: f.regionId } : {}),
      ...(f.departmentId ? { departmentId: f.departmentId } : {}),
      ...(f.ownerId ? { ownerId: f.ownerId } : {}),
    };
    const drills = (from: string, to: string, group: Record<string, string>): Record<string, ReportDrill> => {
      const base = { ...dims, ...group };
      const contracted = { path: '/contracts', query: { ...base, signedFrom: from, signedTo: to } };
      return {
        contracted,
        invoiced: { path: '/finance/invoices', query: { ...base, from, to, status: 'valid' } },
        received: { path: '/finance/receipts', query: { ...base, from, to, status: 'valid' } },
      };
    };
    const sumOf = (figure: Figure['figure'], match: (r: Figure) => boolean) =>
      rowsOf.filter((r) => r.figure === figure && match(r)).reduce((s, r) => s + fen(r.amount), 0n);
    const outstandingOf = (known: boolean, match: (r: Figure) => boolean) =>
      known ? moneyText(sumOf('outstanding', match)) : null;

    const category = query.by;
    let rows: ReportRow[];
    if (query.by === 'month') {
      rows = spans.map((span) => {
        const match = (r: Figure) => r.month === span.month;
        const d = drills(span.from, span.to, {});
        return {
          key: span.month,
          cells: {
            month: span.month,
            contracted: moneyText(sumOf('contracted', match)),
            invoiced: moneyText(sumOf('invoiced', match)),
            received: moneyText(sumOf('received', match)),
            outstanding: outstandingOf(span.from <= today, match),
          },
          drill: d,
        };
      });
    } else {
      const by = query.by;
      const groups = await groupsOf(ctx, f, by, new Set(rowsOf.map((r) => r.key)));
      const param = by === 'businessLine' ? 'businessLineId' : 'branchId';
      rows = groups.map((g) => {
        const match = (r: Figure) => r.key === g.id;
        // The group without a branch has no filter that lists exactly its records: no drill.
        const d = g.id ? drills(f.from, f.to, { [param]: g.id }) : undefined;
        return {
          key: g.id ?? 'none',
          cells: {
            [by]: g.name,
            contracted: moneyText(sumOf('contracted', match)),
            invoiced: moneyText(sumOf('invoiced', match)),
            received: moneyText(sumOf('received', match)),
            outstanding: outstandingOf(ends.length > 0, match),
          },
          ...(d ? { drill: d } : {}),
        };
      });
    }
    const total: Cells = {
      [category]: say(L.total, locale),
      contracted: sumMoney(rows, 'contracted'),
      invoiced: sumMoney(rows, 'invoiced'),
      received: sumMoney(rows, 'received'),
      // A balance, not a flow: by month the total is the last balance (at the period's end, or today).
      outstanding:
        query.by === 'month'
          ? ([...rows].reverse().find((r) => r.cells.outstanding !== null)?.cells.outstanding ?? null)
          : ends.length
            ? sumMoney(rows, 'outstanding')
            : null,
    };

    const overdue = fen(aged.outstanding) - fen(aged['not-due']);
    const ageingRows: ReportRow[] = AGEING_BUCKETS.map((bucket) => ({
      key: bucket,
      cells: {
        bucket: say(L[bucket], locale),
        amount: aged[bucket],
        share: percent(fen(aged[bucket]), fen(aged.outstanding)),
      },
      // As of today the 应收账款 page ages the same terms: its drill-down lists them; an earlier day has no list.
      ...(asOf === today ? { drill: { amount: { path: '/finance/receivables', query: { ...dims, bucket } } } } : {}),
    }));

    const contracted = fen(total.contracted as string);
    const received = fen(total.received as string);
    const headline =
      contracted > 0n || received > 0n
        ? say(L.headline, locale, {
            received: moneyShown(total.received as string),
            share: percent(received, contracted) ?? '—',
            overdue: moneyShown(moneyText(overdue)),
            date: asOf,
          })
        : null;

    const groupColumn = {
      key: category,
      label: say(category === 'month' ? L.month : category === 'branch' ? L.branch : L.businessLine, locale),
      kind: 'text' as const,
    };
    return {
      kind: 'revenue',
      title: say(L.title, locale),
      from: f.from,
      to: f.to,
      filtersText: f.text,
      headline,
      tables: [
        {
          title: null,
          columns: [
            groupColumn,
            { key: 'contracted', label: say(L.contracted, locale), kind: 'money' },
            { key: 'invoiced', label: say(L.invoiced, locale), kind: 'money' },
            { key: 'received', label: say(L.received, locale), kind: 'money' },
            { key: 'outstanding', label: say(L.outstanding, locale), kind: 'money' },
          ],
          rows,
          total: { key: 'total', cells: total },
        },
        {
          title: say(L.ageingTitle, locale, { date: asOf }),
          columns: [
            { key: 'bucket', label: say(L.bucket, locale), kind: 'text' },
            { key: 'amount', label: say(L.amount, locale), kind: 'money' },
            { key: 'share', label: say(L.share, locale), kind: 'percent' },
          ],
          rows: ageingRows,
          total: {
            key: 'total',
            cells: {
              bucket: say(L.total, locale),
              amount: aged.outstanding,
              share: fen(aged.outstanding) > 0n ? '100.0' : null,
            },
          },
        },
      ],
      chart: {
        type: 'bar',
        category,
        series: ['contracted', 'invoiced', 'received', 'outstanding'],
        horizontal: false,
      },
    };
  },
});
