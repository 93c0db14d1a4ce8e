import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { and, asc, eq, exists, inArray, or, sql, type SQL } from 'drizzle-orm';
import {
  UNDER_PERCENT,
  type Workload,
  type WorkloadPerson,
  type WorkloadQuery,
  type WorkloadState,
  type WorkloadTotal,
} from '../../../common/schemas/workload';
import type { Ctx } from '../../context';
import { preparedOnce } from '../../db/client';
import { addDays } from '../../lib/time';
import { actorKey, departmentSubtree } from '../../policy';
import { today } from '../contracts/contracts.service';
import { fromHundredths, toHundredths } from '../opportunities/quotes.service';
import { weeklyCapacityOf } from '../people/people.service';
import { departments, roles, users } from '../staff/staff.tables';
import { engagements, engagementTasks } from './engagements.tables';
import { mondayOf, readablePeople } from './timesheets.service';
import { timeEntries } from './timesheets.tables';

/**
 * Workload 工作负荷: per person and week, the hours they logged against their weekly capacity (their people record's,
 * DEFAULT_WEEKLY_CAPACITY without one), and the planned hours of their open work orders due that week. The people are
 * those whose time the reader sees (themselves; their department subtree's as a manager; everyone for partners and
 * finance), optionally of one department subtree: everyone who does engagement work (their role may write
 * engagements) and is active, and anyone with hours or planned work in the weeks. Sums are SQL numeric, one statement
 * each grouped by person and Monday-week; the rest is bigint hundredths.
 */

/** Hours as the API writes them: "6.5", "40", "0". */
const hoursFrom = (hundredths: bigint) => fromHundredths(hundredths).replace(/\.?0+$/, '');
const hundredths = (value: string | null) => (value === null ? 0n : toHundredths(value));

/** The Monday of a date, as SQL (a date; no time zone involved). */
const weekOf = (column: AnyPgColumn) => sql<string>`date_trunc('week', ${column}::timestamp)::date`;

function stateOf(hours: bigint, capacity: bigint): WorkloadState {
  if (hours > capacity) return 'over';
  if (hours * 100n < capacity * BigInt(UNDER_PERCENT)) return 'under';
  return 'ok';
}

/**
 * The people whose workload the actor may read, of the chosen department subtree, and the key of that condition
 * (the reader and the subtree's path) for the statements prepared with it.
 */
async function peopleCondition(ctx: Ctx, departmentId: string | undefined): Promise<{ who: SQL; key: string }> {
  const key = actorKey(ctx.actor);
  if (!departmentId) return { who: readablePeople(ctx.actor), key };
  const [department] = await ctx.db
    .select({ path: departments.path })
    .from(departments)
    .where(eq(departments.id, departmentId));
  // An unknown department has nobody in it.
  if (!department) return { who: sql`false`, key: `${key}|none` };
  return {
    who: and(readablePeople(ctx.actor), inArray(users.departmentId, departmentSubtree(department.path)))!,
    key: `${key}|${department.path}`,
  };
}

export async function workload(ctx: Ctx, query: WorkloadQuery): Promise<Workload> {
  const count = query.weeks;
  const first = query.from ? mondayOf(query.from) : addDays(mondayOf(today()), -7 * (count - 1));
  const weeks = Array.from({ length: count }, (_, i) => addDays(first, 7 * i));
  const last = addDays(first, 7 * count - 1);
  const { who, key: whoKey } = await peopleCondition(ctx, query.departmentId);

  // The three statements are built once per reader (and department subtree) and prepared: planning and building
  // them cost more than running them. The weeks are their parameters.
  const inRange = (column: typeof timeEntries.workDate | typeof engagementTasks.dueOn) =>
    sql`${column} BETWEEN ${sql.placeholder('first')} AND ${sql.placeholder('last')}`;
  const openWork = and(
    eq(engagements.id, engagementTasks.engagementId),
    sql`${engagementTasks.status} <> 'done'`,
    eq(engagements.status, 'in-progress'),
    sql`${engagementTasks.plannedHours} IS NOT NULL`,
    inRange(engagementTasks.dueOn),
  )!;

  const range = { first, last };
  const [people, logged, planned] = await Promise.all([
    preparedOnce(
      ctx.db,
      `workload-people|${whoKey}`,
      () =>
        ctx.db
          .select({
            id: users.id,
            name: users.displayName,
            departmentName: departments.name,
            capacity: weeklyCapacityOf,
          })
          .from(users)
          .innerJoin(roles, eq(roles.id, users.roleId))
          .leftJoin(departments, eq(departments.id, users.departmentId))
          .where(
            and(
              who,
              or(
                and(eq(users.active, true), sql`${roles.grants} ->> 'engagements:write' IS NOT NULL`),
                exists(
                  ctx.db
                    .select({ one: sql`1` })
                    .from(timeEntries)
                    .where(and(eq(timeEntries.userId, users.id), inRange(timeEntries.workDate))),
                ),
                exists(
                  ctx.db
                    .select({ one: sql`1` })
                    .from(engagementTasks)
                    .innerJoin(engagements, eq(engagements.id, engagementTasks.engagementId))
                    .where(and(eq(engagementTasks.assigneeId, users.id), openWork)),
                ),
              ),
            ),
          )
          .orderBy(asc(users.displayName), asc(users.id))
          .prepare(''), // named by preparedOnce
    ).execute(range),
    preparedOnce(ctx.db, `workload-logged|${whoKey}`, () =>
      ctx.db
        .select({
          userId: timeEntries.userId,
          week: weekOf(timeEntries.workDate),
          hours: sql<string>`sum(${timeEntries.hours})::text`,
          billable: sql<string | null>`(sum(${timeEntries.hours}) FILTER (WHERE ${timeEntries.billable}))::text`,
        })
        .from(timeEntries)
        .innerJoin(users, eq(users.id, timeEntries.userId))
        .where(and(who, inRange(timeEntries.workDate)))
        .groupBy(timeEntries.userId, weekOf(timeEntries.workDate))
        .prepare(''),
    ).execute(range),
    preparedOnce(ctx.db, `workload-planned|${whoKey}`, () =>
      ctx.db
        .select({
          userId: sql<string>`${engagementTasks.assigneeId}`,
          week: weekOf(engagementTasks.dueOn),
          hours: sql<string>`sum(${engagementTasks.plannedHours})::text`,
        })
        .from(engagementTasks)
        .innerJoin(engagements, eq(engagements.id, engagementTasks.engagementId))
        .innerJoin(users, eq(users.id, engagementTasks.assigneeId))
        .where(and(who, openWork))
        .groupBy(engagementTasks.assigneeId, weekOf(engagementTasks.dueOn))
        .prepare(''),
    ).execute(range),
  ]);

  const key = (userId: string, week: string) => `${userId}|${week}`;
  const loggedBy = new Map(logged.map((r) => [key(r.userId, r.week), r]));
  const plannedBy = new Map(planned.map((r) => [key(r.userId, r.week), hundredths(r.hours)]));

  const sums = weeks.map(() => ({ hours: 0n, billable: 0n, planned: 0n, capacity: 0n }));
  const rows = people.map((person) => {
    const capacity = toHundredths(person.capacity);
    let total = 0n;
    let billable = 0n;
    let plannedTotal = 0n;
    const cells = weeks.map((weekStart, i) => {
      const entry = loggedBy.get(key(person.id, weekStart));
      const h = hundredths(entry?.hours ?? null);
      const b = hundredths(entry?.billable ?? null);
      const p = plannedBy.get(key(person.id, weekStart)) ?? 0n;
      total += h;
      billable += b;
      plannedTotal += p;
      sums[i].hours += h;
      sums[i].billable += b;
      sums[i].planned += p;
      sums[i].capacity += capacity;
      return {
        weekStart,
        hours: hoursFrom(h),
        billable: hoursFrom(b),
        planned: hoursFrom(p),
        percent: Number((h * 100n) / capacity),
        state: stateOf(h, capacity),
      };
    });
    const row: WorkloadPerson = {
      userId: person.id,
      name: person.name,
      departmentName: person.departmentName,
      capacity: hoursFrom(capacity),
      weeks: cells,
      total: hoursFrom(total),
      billable: hoursFrom(billable),
      planned: hoursFrom(plannedTotal),
    };
    return { row, total };
  });
  // Most hours first; the names (already in order) otherwise.
  rows.sort((a, b) => (a.total === b.total ? 0 : a.total > b.total ? -1 : 1));

  const totals: WorkloadTotal[] = weeks.map((weekStart, i) => ({
    weekStart,
    hours: hoursFrom(sums[i].hours),
    billable: hoursFrom(sums[i].billable),
    planned: hoursFrom(sums[i].planned),
    capacity: hoursFrom(sums[i].capacity),
  }));
  const all = (field: 'hours' | 'billable' | 'planned' | 'capacity') =>
    hoursFrom(sums.reduce((sum, s) => sum + s[field], 0n));
  return {
    weeks,
    people: rows.map((r) => r.row),
    totals,
    total: { hours: all('hours'), billable: all('billable'), planned: all('planned'), capacity: all('capacity') },
  };
}
