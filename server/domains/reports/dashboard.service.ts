import { sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { Dashboard, Indicators, PipelineFigures } from '../../../common/schemas/dashboard';
import {
  RECEIVABLE_CONTRACT_STATUSES,
  RECEIVABLE_ORDER_STATUSES,
  ReceivablesQuery,
} from '../../../common/schemas/receivables';
import { WorkOrderListQuery } from '../../../common/schemas/engagements';
import { ApprovalListQuery } from '../../../common/schemas/workflows';
import { REPORT_PERMISSION } from '../../../common/schemas/reports';
import type { Ctx } from '../../context';
import { addDays } from '../../lib/time';
import { can, scopeOf, type Actor } from '../../policy';
import { visibleActivities } from '../activities/activities.policy';
import { activities } from '../activities/activities.tables';
import { receivableContracts, receivableOrders, visibleOrders } from '../contracts/contracts.policy';
import { contracts, orders, paymentTerms } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { visibleEngagements } from '../engagements/engagements.policy';
import { engagements } from '../engagements/engagements.tables';
import { myWorkOrders } from '../engagements/tasks.service';
import { getTimesheet, mondayOf } from '../engagements/timesheets.service';
import { workload } from '../engagements/workload.service';
import { getLargestOpportunities, getOpportunityTotals } from '../opportunities/opportunities.service';
import { requirementsOf, requiredSql } from '../people/people.service';
import { cpeEntries, qualifications } from '../people/people.tables';
import { ageingBounds, getReceivables } from '../receivables/receivables.service';
import { visibleThroughSubject } from '../receivables/records';
import { receipts } from '../receivables/receivables.tables';
import { visibleCustomers } from '../customers/customers.policy';
import { departments, users } from '../staff/staff.tables';
import { countWaiting, listApprovals } from '../workflows/inbox.service';
import { knowledgeFigures } from '../knowledge/indicators';
import { average, fen, moneyText, percent } from './cells';
import { firmToday, midnight, yearBefore } from './filters';
import { reportOf } from './reports';
import { findMyPins } from './saved.service';

/**
 * The start page 首页 per reader, in one request: a section for each kind of work the reader's grants show —
 *  - firm (partners: scope all on contracts, receivables and opportunities, and not finance): the year so far against
 *    a year earlier, the pipeline, receivables over 90 days, the big deals and the three yardsticks;
 *  - team (scope department on opportunities: managers): the team's pipeline, overdue activities and workload;
 *  - sales (scope own on opportunities:write: salespeople): my month in figures (Today stays below it);
 *  - finance (those who record receipts): what to record, what falls due, what is overdue, commission steps;
 *  - work (scope own on engagements:write: engagement staff): my open work orders and my hours this week —
 * each figure read under the visibility of the list it links to (most through the lists' own services), the
 * sections in parallel.
 */

const rows = async <T>(ctx: Ctx, query: SQL) => ((await ctx.db.execute(query)) as unknown as { rows: T[] }).rows;
const list = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

/** Who sees which section (exported for the web's tests and the docs: the same rule). */
export function sectionsOf(actor: Actor) {
  const finance = can(actor, 'receipts:write') && can(actor, 'receivables:read');
  return {
    firm:
      !finance &&
      can(actor, 'contracts:read', 'all') &&
      can(actor, 'receivables:read', 'all') &&
      can(actor, 'opportunities:read', 'all'),
    team: scopeOf(actor, 'opportunities:read') === 'department',
    sales: scopeOf(actor, 'opportunities:write') === 'own',
    finance,
    work: scopeOf(actor, 'engagements:write') === 'own',
  };
}

type Range = { from: string; to: string };
const within = (column: SQL, r: Range) => sql`${column} BETWEEN ${r.from}::date AND ${r.to}::date`;
const anyWithin = (column: SQL, ranges: Range[]) =>
  sql`(${sql.join(
    ranges.map((r) => within(column, r)),
    sql` OR `,
  )})`;

/** Confirmed (or completed) orders the reader sees, confirmed within each range (one statement for all). */
async function ordersIn(ctx: Ctx, ranges: Range[]) {
  const on = sql`${orders.confirmedOn}`;
  const [row] = await rows<Record<string, number | string>>(
    ctx,
    sql`SELECT ${sql.join(
      ranges.map(
        (r, i) => sql`count(*) FILTER (WHERE ${within(on, r)})::int AS ${sql.identifier(`count${i}`)},
          coalesce(sum(${orders.amount}) FILTER (WHERE ${within(on, r)}), 0)::numeric(16,2)::text AS ${sql.identifier(`amount${i}`)}`,
      ),
      sql`, `,
    )}
      FROM ${orders} WHERE ${orders.status} IN ('confirmed', 'completed') AND ${visibleOrders(ctx.actor)}
        AND ${anyWithin(on, ranges)}`,
  );
  return ranges.map((_, i) => ({ count: Number(row[`count${i}`]), amount: String(row[`amount${i}`]) }));
}

/** Valid (not reversed) receipts of the receivables the reader sees, received within each range (one statement). */
async function receiptsIn(ctx: Ctx, ranges: Range[]): Promise<string[]> {
  const on = sql`${receipts.receivedOn}`;
  const [row] = await rows<Record<string, string>>(
    ctx,
    sql`SELECT ${sql.join(
      ranges.map(
        (r, i) =>
          sql`coalesce(sum(${receipts.amount}) FILTER (WHERE ${within(on, r)}), 0)::numeric(16,2)::text AS ${sql.identifier(`amount${i}`)}`,
      ),
      sql`, `,
    )}
      FROM ${receipts} LEFT JOIN ${contracts} ON ${contracts.id} = ${receipts.contractId}
        LEFT JOIN ${orders} ON ${orders.id} = ${receipts.orderId}
      WHERE ${receipts.status} = 'valid' AND ${anyWithin(on, ranges)}
        AND ${visibleThroughSubject(ctx.actor, receipts)}`,
  );
  return ranges.map((_, i) => row[`amount${i}`]);
}

async function pipeline(ctx: Ctx): Promise<PipelineFigures> {
  const totals = await getOpportunityTotals(ctx, { status: 'open' });
  return { count: totals.count, amount: totals.totalAmount, weighted: totals.weightedAmount };
}

/** The ageing's totals as the receivables page shows them (the reader's receivables; finance's section). */
async function ageing(ctx: Ctx) {
  const { totals } = await getReceivables(ctx, ReceivablesQuery.parse({ pageSize: 1 }));
  return totals;
}

/** Payment terms of receivable contracts and orders the reader sees, with `where` on the term `t`. */
async function termsWhere(ctx: Ctx, where: SQL) {
  const [row] = await rows<{ count: number; amount: string }>(
    ctx,
    sql`SELECT count(*)::int AS count, coalesce(sum(t.amount - t.received), 0)::numeric(16,2)::text AS amount
      FROM ${paymentTerms} t
      LEFT JOIN ${contracts} ON ${contracts.id} = t.contract_id
      LEFT JOIN ${orders} ON ${orders.id} = t.order_id
      WHERE ${where} AND (
        (t.contract_id IS NOT NULL AND ${contracts.status} IN (${list(RECEIVABLE_CONTRACT_STATUSES)})
          AND ${receivableContracts(ctx.actor)})
        OR (t.order_id IS NOT NULL AND ${orders.status} IN (${list(RECEIVABLE_ORDER_STATUSES)})
          AND ${receivableOrders(ctx.actor)}))`,
  );
  return { count: Number(row.count), amount: row.amount };
}

async function indicators(ctx: Ctx, today: string): Promise<Indicators> {
  const year = Number(today.slice(0, 4));
  const map = await requirementsOf(ctx.db);
  const yearStart = `${year}-01-01`;
  const [staff, service, knowledge] = await Promise.all([
    rows<{ people: number; qualified: number; hours: string; required: string }>(
      ctx,
      sql`SELECT count(*)::int AS people,
          count(*) FILTER (WHERE p.qualified)::int AS qualified,
          coalesce(sum(least(p.hours, p.required)) FILTER (WHERE p.required > 0), 0)::numeric(12,2)::text AS hours,
          coalesce(sum(p.required), 0)::numeric(12,2)::text AS required
        FROM (SELECT ${requiredSql(year, map)} AS required,
            coalesce((SELECT sum(e.hours) FROM ${cpeEntries} e WHERE e.user_id = ${users.id}
              AND e.taken_on BETWEEN ${yearStart}::date AND ${today}::date), 0) AS hours,
            EXISTS (SELECT 1 FROM ${qualifications} q WHERE q.user_id = ${users.id}
              AND (q.expires_on IS NULL OR q.expires_on >= ${today}::date)) AS qualified
          FROM ${users} WHERE ${users.active}) p`,
    ),
    rows<{ closed: number; on_time: number; customers: number; contacted: number }>(
      ctx,
      // Each table read once: the engagements closed this year (and of them those on time), the customers with an
      // owner (and of them those contacted in the last 90 days).
      sql`SELECT e.closed, e.on_time, c.customers, c.contacted
        FROM (SELECT count(*)::int AS closed,
            count(*) FILTER (WHERE ${engagements.closedOn} <= ${engagements.dueOn})::int AS on_time
          FROM ${engagements} WHERE ${engagements.closedOn} BETWEEN ${yearStart}::date AND ${today}::date
            AND ${engagements.dueOn} IS NOT NULL AND ${engagements.status} <> 'cancelled'
            AND ${visibleEngagements(ctx.actor)}) e,
          (SELECT count(*)::int AS customers,
            count(*) FILTER (WHERE ${customers.lastContactAt} >= ${midnight(addDays(today, -90)).toISOString()}::timestamptz)::int AS contacted
          FROM ${customers} WHERE ${customers.ownerId} IS NOT NULL AND ${visibleCustomers(ctx.actor)}) c`,
    ),
    knowledgeFigures(ctx, { start: midnight(yearStart), end: midnight(addDays(today, 1)), today }),
  ]);
  const s = staff[0];
  const c = service[0];
  return {
    staff: {
      cpeHours: s.hours,
      cpeRequired: s.required,
      cpeShare: percent(fen(s.hours), fen(s.required)),
      people: Number(s.people),
      qualified: Number(s.qualified),
      qualifiedShare: percent(Number(s.qualified), Number(s.people)),
      articlesReadPerPerson: average(knowledge.staffReads, Number(s.people)),
      articlesWrittenPerPerson: average(knowledge.staffWritten, Number(s.people)),
      playbookStepsPerPerson: average(knowledge.staffPlaybookSteps, Number(s.people)),
    },
    service: {
      closed: Number(c.closed),
      onTime: Number(c.on_time),
      onTimeShare: percent(Number(c.on_time), Number(c.closed)),
      customers: Number(c.customers),
      contacted: Number(c.contacted),
      contactedShare: percent(Number(c.contacted), Number(c.customers)),
    },
    knowledge: {
      written: knowledge.written,
      closedDeals: knowledge.closedDeals,
      lessons: knowledge.lessons,
      lessonShare: percent(knowledge.lessons, knowledge.closedDeals),
      reads: knowledge.reads,
      usefulMarks: knowledge.usefulMarks,
      stale: knowledge.stale,
    },
  };
}

async function firmSection(ctx: Ctx, today: string): Promise<NonNullable<Dashboard['firm']>> {
  const from = `${today.slice(0, 4)}-01-01`;
  const prev = yearBefore({ from, to: today });
  const ranges = [{ from, to: today }, prev];
  // Receivables over 90 days: the open terms due before the 91-180 bucket's end, i.e. its two oldest buckets
  // (d91-180 and over-180) as the receivables page ages them, read from the terms' own `received` through the
  // partial index of open terms instead of the page's grouping of every open term.
  const over90 = sql`t.received < t.amount AND t.due_on < ${ageingBounds(today).d90}::date`;
  const [[thisYear, lastYear], [received, receivedBefore], open, aged, yardsticks] = await Promise.all([
    ordersIn(ctx, ranges),
    receiptsIn(ctx, ranges),
    getLargestOpportunities(ctx, { status: 'open' }, 5),
    termsWhere(ctx, over90),
    indicators(ctx, today),
  ]);
  return {
    from,
    to: today,
    prevFrom: prev.from,
    prevTo: prev.to,
    orders: thisYear,
    prevOrders: lastYear,
    receipts: received,
    prevReceipts: receivedBefore,
    pipeline: { count: open.totals.count, amount: open.totals.totalAmount, weighted: open.totals.weightedAmount },
    overdue90: aged.amount,
    bigDeals: open.largest.map((o) => ({
      id: o.id,
      name: o.name,
      customerName: o.customerName,
      ownerName: o.ownerName,
      stageName: ctx.actor.locale === 'en-US' ? o.stageNameEn : o.stageNameZh,
      amount: o.expectedAmount ?? '0.00',
      expectedCloseOn: o.expectedCloseOn,
    })),
    indicators: yardsticks,
  };
}

async function teamSection(ctx: Ctx, today: string): Promise<NonNullable<Dashboard['team']>> {
  const weekStart = mondayOf(today);
  const path = ctx.actor.departmentPath;
  const [open, overdue, week] = await Promise.all([
    pipeline(ctx),
    // The team: the people of the manager's department and those below it; their activities he may see.
    rows<{ count: number }>(
      ctx,
      sql`SELECT count(*)::int AS count FROM ${activities}
        WHERE ${activities.status} = 'planned' AND ${activities.dueAt} < ${midnight(today).toISOString()}::timestamptz
          AND ${activities.ownerId} IN (SELECT u.id FROM ${users} u JOIN ${departments} d ON d.id = u.department_id
            WHERE ${path ? sql`d.path LIKE ${`${path}%`}` : sql`false`})
          AND ${visibleActivities(ctx.actor)}`,
    ),
    can(ctx.actor, 'engagements:read') ? workload(ctx, { from: weekStart, weeks: 1 }) : Promise.resolve(null),
  ]);
  return {
    pipeline: open,
    overdueActivities: Number(overdue[0].count),
    weekStart,
    workload: week ? { hours: week.total.hours, capacity: week.total.capacity, people: week.people.length } : null,
  };
}

async function salesSection(ctx: Ctx, today: string): Promise<NonNullable<Dashboard['sales']>> {
  const from = `${today.slice(0, 7)}-01`;
  const [y, m] = today.split('-').map(Number);
  const to = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  const [monthOrders, monthReceipts, open, done] = await Promise.all([
    can(ctx.actor, 'contracts:read') ? ordersIn(ctx, [{ from, to }]).then(([r]) => r) : Promise.resolve(null),
    can(ctx.actor, 'receivables:read') ? receiptsIn(ctx, [{ from, to }]).then(([r]) => r) : Promise.resolve(null),
    pipeline(ctx),
    rows<{ count: number }>(
      ctx,
      sql`SELECT count(*)::int AS count FROM ${activities}
        WHERE ${activities.ownerId} = ${ctx.actor.id} AND ${activities.status} = 'done'
          AND ${activities.doneAt} >= ${midnight(from).toISOString()}::timestamptz
          AND ${activities.doneAt} < ${midnight(addDays(to, 1)).toISOString()}::timestamptz`,
    ),
  ]);
  return {
    from,
    to,
    orders: monthOrders,
    receipts: monthReceipts,
    pipeline: open,
    activitiesDone: Number(done[0].count),
  };
}

async function financeSection(ctx: Ctx, today: string): Promise<NonNullable<Dashboard['finance']>> {
  const week = addDays(today, 7);
  const month = addDays(today, 30);
  const [toRecord, fallingDue, aged, sheets] = await Promise.all([
    termsWhere(ctx, sql`t.received = 0 AND t.due_on BETWEEN ${today}::date AND ${week}::date`),
    termsWhere(ctx, sql`t.received < t.amount AND t.due_on BETWEEN ${today}::date AND ${month}::date`),
    ageing(ctx),
    listApprovals(ctx, ApprovalListQuery.parse({ box: 'waiting', subjectKind: 'commission-sheet', pageSize: 1 })),
  ]);
  return {
    today,
    toRecord,
    fallingDue,
    overdue: moneyText(fen(aged.outstanding) - fen(aged['not-due'])),
    commissionSheets: sheets.total,
  };
}

async function workSection(ctx: Ctx, today: string): Promise<NonNullable<Dashboard['work']>> {
  const weekStart = mondayOf(today);
  const [open, sheet] = await Promise.all([
    myWorkOrders(ctx, WorkOrderListQuery.parse({ pageSize: 1 }) as z.output<typeof WorkOrderListQuery>),
    getTimesheet(ctx, weekStart),
  ]);
  return { openWorkOrders: open.total, weekStart, hoursThisWeek: sheet.total };
}

export async function getDashboard(ctx: Ctx): Promise<Dashboard> {
  const today = firmToday();
  const show = sectionsOf(ctx.actor);
  const [approvalsWaiting, firm, team, sales, finance, work, pins] = await Promise.all([
    countWaiting(ctx),
    show.firm ? firmSection(ctx, today) : null,
    show.team ? teamSection(ctx, today) : null,
    show.sales ? salesSection(ctx, today) : null,
    show.finance ? financeSection(ctx, today) : null,
    show.work ? workSection(ctx, today) : null,
    findMyPins(ctx),
  ]);
  return {
    date: today,
    approvalsWaiting,
    firm,
    team,
    sales,
    finance,
    work,
    // A pin of a report closed to the reader since (or not written yet) stays kept but is not shown.
    pins: pins.filter((p) => reportOf(p.kind) && can(ctx.actor, REPORT_PERMISSION[p.kind])),
  };
}
