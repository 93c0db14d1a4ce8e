import {
  type Placeholder,
  aliasedTable,
  and,
  asc,
  between,
  count,
  desc,
  eq,
  exists,
  ilike,
  inArray,
  or,
  sql,
  type SQL,
} from 'drizzle-orm';
import type { z } from 'zod';
import type { Page } from '../../../common/schemas/common';
import {
  DAYS_AHEAD,
  LOCKED_TIMESHEET_STATUSES,
  MAX_DAY_HOURS,
  TIME_CATEGORIES,
  type BudgetWarning,
  type EngagementBudget,
  type TimeCategory,
  type TimeEntry,
  type TimeEntryListQuery,
  type TimesheetEngagement,
  type TimesheetInput,
  type TimesheetRow,
  type TimesheetStatus,
  type TimesheetWeek,
} from '../../../common/schemas/timesheets';
import { inTransaction, type Ctx } from '../../context';
import { preparedOnce, type Db } from '../../db/client';
import { AppError, invalidInput, notFound, type InputIssue } from '../../errors';
import { containsPattern, offsetOf, orderFrom, outer, pageWithTotal } from '../../lib/listing';
import { addDays } from '../../lib/time';
import { actorKey, visibleTo, type Actor } from '../../policy';
import { recordAudit } from '../audit/audit.service';
import { today } from '../contracts/contracts.service';
import { customers } from '../customers/customers.tables';
import { fromHundredths, toHundredths } from '../opportunities/quotes.service';
import { users } from '../staff/staff.tables';
import { applicableWorkflow } from '../workflows/definitions.service';
import { latestApprovals, submitForApproval } from '../workflows/engine.service';
import { registerSubjectKind, type SubjectFacts } from '../workflows/registry';
import { managerOf } from '../workflows/resolve';
import { workflowAssignments, workflowInstances, workflowTransitions } from '../workflows/workflows.tables';
import { ENDED, hoursText } from './engagements.service';
import { visibleEngagements } from './engagements.policy';
import { engagementMembers, engagementPhases, engagements, engagementTasks } from './engagements.tables';
import { timeEntries, timesheetWeeks } from './timesheets.tables';

/**
 * 工时 and the weekly timesheet. A person's entries of a week are written only as the whole week's grid (PUT), in a
 * transaction that first makes sure their timesheet_weeks row exists and locks it (INSERT … ON CONFLICT DO NOTHING,
 * SELECT … FOR UPDATE): two saves of one week never interleave, so the per-day sum checked after writing (≤ 24 h)
 * holds whatever runs at once. A submitted week waits for its approval (workflow kind `timesheet`; approved at once
 * when no flow applies, as contracts are) and is locked, as is an approved one; a returned week is editable again.
 * Hours are exact: sums in SQL numeric or in bigint hundredths, never floats.
 */

type WeekRow = typeof timesheetWeeks.$inferSelect;
type EntryRow = typeof timeEntries.$inferSelect;

const MAX_DAY = toHundredths(MAX_DAY_HOURS);

/** Hours as the API writes them, from hundredths: "6.5", "8", "0". */
const hoursFrom = (hundredths: bigint) => hoursText(fromHundredths(hundredths))!;

/** Monday to Sunday of the week starting on `weekStart`. */
export function weekDays(weekStart: string): string[] {
  return Array.from({ length: 7 }, (_, i) => addDays(weekStart, i));
}

/** The Monday of a date's week. */
export function mondayOf(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}

const isLocked = (status: TimesheetStatus) => LOCKED_TIMESHEET_STATUSES.includes(status);
const lockedError = (status: TimesheetStatus) =>
  new AppError('TIMESHEET_WEEK_LOCKED', { statusKey: `timesheetStatus.${status}` });

/** People whose time the actor sees: themselves; their department subtree's (managers); everyone's (scope all). */
export const readablePeople = (actor: Actor) =>
  visibleTo(actor, 'engagements:read', { owner: users.id, department: users.departmentId });

/** The actor holds (or held) a step of an approval of the person's week: the approver may read it. */
const approvesWeekOf = (actor: Actor, weekStart: string) =>
  exists(
    sql`(SELECT 1 FROM ${timesheetWeeks} w
      JOIN ${workflowInstances} i ON i.subject_kind = 'timesheet' AND i.subject_id = w.id
      JOIN ${workflowAssignments} a ON a.instance_id = i.id
      WHERE w.user_id = ${outer(users.id)} AND w.week_start = ${weekStart} AND a.user_id = ${actor.id})`,
  );

/** The person's name if the actor may read their week (404 otherwise, as for nobody). */
async function readablePerson(ctx: Ctx, userId: string, weekStart: string): Promise<string> {
  const [person] =
    userId === ctx.actor.id
      ? await preparedOnce(ctx.db, 'timesheet-own-name', () =>
          ctx.db
            .select({ name: users.displayName })
            .from(users)
            .where(eq(users.id, sql.placeholder('userId')))
            .prepare(''),
        ).execute({ userId })
      : await ctx.db
          .select({ name: users.displayName })
          .from(users)
          .where(and(eq(users.id, userId), or(readablePeople(ctx.actor), approvesWeekOf(ctx.actor, weekStart))));
  if (!person) throw notFound();
  return person.name;
}

/** The person's week row, made if missing and locked until the transaction ends: every writer of the week takes it. */
async function lockWeek(tx: Ctx, userId: string, weekStart: string): Promise<WeekRow> {
  await tx.db.insert(timesheetWeeks).values({ userId, weekStart }).onConflictDoNothing();
  const [week] = await tx.db
    .select()
    .from(timesheetWeeks)
    .where(and(eq(timesheetWeeks.userId, userId), eq(timesheetWeeks.weekStart, weekStart)))
    .for('update');
  return week;
}

/** The engagement is led by the person or they are on its team. */
const onTeam = (userId: string) =>
  or(
    eq(engagements.leadId, userId),
    exists(
      sql`(SELECT 1 FROM ${engagementMembers} WHERE ${and(eq(engagementMembers.engagementId, outer(engagements.id)), eq(engagementMembers.userId, userId))})`,
    ),
  )!;

/**
 * The ids of the engagements the person leads or is on the team of, as an array the engagements' primary key is
 * read by (`id = ANY(ARRAY(…))`): their few hundred engagements, not a scan of every engagement with `onTeam`.
 */
const teamOf = (userId: string | Placeholder) =>
  sql`ANY(ARRAY(SELECT ${engagementMembers.engagementId} FROM ${engagementMembers} WHERE ${eq(engagementMembers.userId, userId)}
    UNION SELECT ${engagements.id} FROM ${engagements} WHERE ${eq(engagements.leadId, userId)}))`;

const inWeek = (weekStart: string) => between(timeEntries.workDate, weekStart, addDays(weekStart, 6));

function selectEntries(db: Db) {
  return db
    .select({
      e: timeEntries,
      engagementTitle: engagements.title,
      engagementStatus: engagements.status,
      customerName: customers.name,
      taskTitle: engagementTasks.title,
    })
    .from(timeEntries)
    .leftJoin(engagements, eq(engagements.id, timeEntries.engagementId))
    .leftJoin(customers, eq(customers.id, engagements.customerId))
    .leftJoin(engagementTasks, eq(engagementTasks.id, timeEntries.taskId));
}

type EntryWithNames = Awaited<ReturnType<ReturnType<typeof selectEntries>['where']>>[number];

/**
 * Names in Chinese order. One collator for every comparison: `localeCompare(b, 'zh-CN')` builds one per call
 * (≈ 6 µs each — milliseconds for a week of fifty rows).
 */
const byName = new Intl.Collator('zh-CN');

/** The grid's rows: one per engagement (and work order) or category, billable flag and note; hours per day. */
function rowsOf(entries: EntryWithNames[]): TimesheetRow[] {
  const rows = new Map<string, { row: TimesheetRow; cells: Map<string, bigint>; total: bigint }>();
  for (const r of entries) {
    const e = r.e;
    const key = JSON.stringify([e.engagementId, e.taskId, e.category, e.billable, e.note]);
    let entry = rows.get(key);
    if (!entry) {
      entry = {
        row: {
          engagementId: e.engagementId,
          engagementTitle: r.engagementTitle,
          customerName: r.customerName,
          engagementStatus: r.engagementStatus,
          taskId: e.taskId,
          taskTitle: r.taskTitle,
          category: e.category,
          billable: e.billable,
          note: e.note,
          hours: {},
          total: '0',
        },
        cells: new Map(),
        total: 0n,
      };
      rows.set(key, entry);
    }
    const h = toHundredths(e.hours);
    entry.cells.set(e.workDate, (entry.cells.get(e.workDate) ?? 0n) + h);
    entry.total += h;
  }
  const order = (row: TimesheetRow) => TIME_CATEGORIES.indexOf(row.category);
  return [...rows.values()]
    .map(({ row, cells, total }) => ({
      ...row,
      hours: Object.fromEntries([...cells.entries()].sort().map(([date, h]) => [date, hoursFrom(h)])),
      total: hoursFrom(total),
    }))
    .sort(
      (a, b) =>
        order(a) - order(b) ||
        byName.compare(a.engagementTitle ?? '', b.engagementTitle ?? '') ||
        (a.engagementId ?? '').localeCompare(b.engagementId ?? '') ||
        // Its work orders first, then the engagement's other time.
        Number(a.taskId === null) - Number(b.taskId === null) ||
        byName.compare(a.taskTitle ?? '', b.taskTitle ?? '') ||
        Number(b.billable) - Number(a.billable) ||
        byName.compare(a.note ?? '', b.note ?? ''),
    );
}

/** Not closed or cancelled, and led by the person or with them on the team. */
const openFor = (userId: Placeholder) =>
  and(sql`${engagements.status} NOT IN ('closed', 'cancelled')`, sql`${engagements.id} = ${teamOf(userId)}`);

/**
 * Open engagements the person leads or is on the team of, then their work orders on these: each statement built once
 * per database and prepared (the grid page reads them on every visit).
 */
async function engagementsFor(db: Db, userId: string): Promise<TimesheetEngagement[]> {
  const open = await preparedOnce(db, 'timesheet-engagements', () =>
    db
      .select({ id: engagements.id, title: engagements.title, customerName: customers.name })
      .from(engagements)
      .innerJoin(customers, eq(customers.id, engagements.customerId))
      .where(openFor(sql.placeholder('userId')))
      .orderBy(asc(engagements.title), asc(engagements.id))
      .prepare(''),
  ).execute({ userId });
  if (open.length === 0) return [];
  const tasks = await preparedOnce(db, 'timesheet-engagement-tasks', () =>
    db
      .select({
        id: engagementTasks.id,
        engagementId: engagementTasks.engagementId,
        title: engagementTasks.title,
        phaseName: engagementPhases.name,
      })
      .from(engagementTasks)
      .innerJoin(engagementPhases, eq(engagementPhases.id, engagementTasks.phaseId))
      .where(
        and(
          sql`${engagementTasks.engagementId} = ANY(${sql.placeholder('engagementIds')}::uuid[])`,
          eq(engagementTasks.assigneeId, sql.placeholder('userId')),
        ),
      )
      .orderBy(asc(engagementPhases.position), asc(engagementTasks.position), asc(engagementTasks.id))
      .prepare(''),
  ).execute({ engagementIds: open.map((e) => e.id), userId });
  return open.map((e) => ({
    ...e,
    tasks: tasks.filter((t) => t.engagementId === e.id).map(({ id, title, phaseName }) => ({ id, title, phaseName })),
  }));
}

const decidedByUsers = aliasedTable(users, 'decided_by_users');

/** Why the week's approval was returned or rejected (its newest such comment). */
async function returnComment(db: Db, instanceId: string): Promise<string | null> {
  const [row] = await db
    .select({ comment: workflowTransitions.comment })
    .from(workflowTransitions)
    .where(
      and(eq(workflowTransitions.instanceId, instanceId), inArray(workflowTransitions.action, ['return', 'reject'])),
    )
    .orderBy(desc(workflowTransitions.seq))
    .limit(1);
  return row?.comment ?? null;
}

/**
 * A person's week (default: the reader's): the days, the grid's rows with their hours, the totals per day and for the
 * week, where its approval stands, and — for one's own week — the engagements one may log time on. Someone else's
 * week is readable by the managers of their department (scope department), by partners and finance (all) and by
 * whoever decides its approval; 404 for everyone else.
 */
export async function getTimesheet(ctx: Ctx, weekStart: string, userId = ctx.actor.id): Promise<TimesheetWeek> {
  const days = weekDays(weekStart);
  const own = userId === ctx.actor.id;
  // Who may read the week, with the week itself: one round trip, not two (a 404 throws the rest away unseen).
  // The week's row and entries: built once per database and prepared, as the grid page reads them on every visit.
  const [userName, [found], entries, options] = await Promise.all([
    readablePerson(ctx, userId, weekStart),
    preparedOnce(ctx.db, 'timesheet-week', () =>
      ctx.db
        .select({ w: timesheetWeeks, decidedByName: decidedByUsers.displayName })
        .from(timesheetWeeks)
        .leftJoin(decidedByUsers, eq(decidedByUsers.id, timesheetWeeks.decidedBy))
        .where(
          and(
            eq(timesheetWeeks.userId, sql.placeholder('userId')),
            eq(timesheetWeeks.weekStart, sql.placeholder('weekStart')),
          ),
        )
        .prepare(''),
    ).execute({ userId, weekStart }),
    preparedOnce(ctx.db, 'timesheet-entries', () =>
      selectEntries(ctx.db)
        .where(
          and(
            eq(timeEntries.userId, sql.placeholder('userId')),
            sql`${timeEntries.workDate} BETWEEN ${sql.placeholder('weekStart')} AND ${sql.placeholder('weekEnd')}`,
          ),
        )
        .orderBy(asc(timeEntries.workDate), asc(timeEntries.createdAt), asc(timeEntries.id))
        .prepare(''),
    ).execute({ userId, weekStart, weekEnd: days[6] }),
    own ? engagementsFor(ctx.db, userId) : Promise.resolve([]),
  ]);
  const week = found?.w;
  const status: TimesheetStatus = week?.status ?? 'open';
  const latest = week ? (await latestApprovals(ctx.db, 'timesheet', [week.id])).get(week.id) : undefined;
  const comment = latest && status === 'returned' ? await returnComment(ctx.db, latest.id) : null;

  const perDay = new Map<string, bigint>(days.map((d) => [d, 0n]));
  let total = 0n;
  let billable = 0n;
  for (const { e } of entries) {
    const h = toHundredths(e.hours);
    perDay.set(e.workDate, (perDay.get(e.workDate) ?? 0n) + h);
    total += h;
    if (e.billable) billable += h;
  }
  return {
    id: week?.id ?? null,
    userId,
    userName,
    weekStart,
    days,
    status,
    submittedAt: week?.submittedAt?.toISOString() ?? null,
    decidedAt: week?.decidedAt?.toISOString() ?? null,
    decidedByName: found?.decidedByName ?? null,
    approval: latest ? { instanceId: latest.id, status: latest.status } : null,
    comment,
    rows: rowsOf(entries),
    dayTotals: days.map((d) => hoursFrom(perDay.get(d)!)),
    total: hoursFrom(total),
    billableTotal: hoursFrom(billable),
    mayEdit: own && !isLocked(status),
    maySubmit: own && !isLocked(status) && total > 0n,
    engagements: options,
    lastDay: addDays(today(), DAYS_AHEAD),
  };
}

type Cell = {
  row: number;
  workDate: string;
  engagementId: string | null;
  taskId: string | null;
  category: TimeCategory;
  billable: boolean;
  note: string | null;
  hours: bigint;
};

/** What makes two entries the same (an unchanged entry is kept as it is, with its id and creation). */
const signature = (e: Omit<Cell, 'row'>) =>
  JSON.stringify([e.workDate, e.engagementId, e.taskId, e.category, e.billable, e.note, String(e.hours)]);

const cellOf = (e: EntryRow): Omit<Cell, 'row'> => ({
  workDate: e.workDate,
  engagementId: e.engagementId,
  taskId: e.taskId,
  category: e.category,
  billable: e.billable,
  note: e.note,
  hours: toHundredths(e.hours),
});

/** The cells of the grid with hours, checked against the week and the days ahead one may log (400 per field). */
function cellsOf(ctx: Ctx, weekStart: string, input: z.output<typeof TimesheetInput>): Cell[] {
  const days = new Set(weekDays(weekStart));
  const lastDay = addDays(today(), DAYS_AHEAD);
  const issues: InputIssue[] = [];
  const cells: Cell[] = [];
  input.rows.forEach((row, i) => {
    const engagementId = row.engagementId ?? null;
    for (const [date, text] of Object.entries(row.hours)) {
      const path = `rows.${i}.hours.${date}`;
      if (!days.has(date)) {
        issues.push({ path, key: 'validation.timeOutsideWeek' });
        continue;
      }
      const hours = toHundredths(text);
      if (hours === 0n) continue;
      if (date > lastDay) {
        issues.push({ path, key: 'validation.timeTooFarAhead', params: { date: lastDay } });
        continue;
      }
      cells.push({
        row: i,
        workDate: date,
        engagementId,
        taskId: engagementId ? (row.taskId ?? null) : null,
        category: row.category,
        billable: row.billable ?? Boolean(engagementId),
        note: row.note ?? null,
        hours,
      });
    }
  });
  if (issues.length) throw invalidInput(ctx.actor.locale, issues);
  return cells;
}

/** The first day whose hours add up to more than 24, with its total. */
function dayOver24(cells: { workDate: string; hours: bigint }[]): { date: string; hours: string } | null {
  const perDay = new Map<string, bigint>();
  for (const c of cells) perDay.set(c.workDate, (perDay.get(c.workDate) ?? 0n) + c.hours);
  const over = [...perDay.entries()].sort().find(([, h]) => h > MAX_DAY);
  return over ? { date: over[0], hours: hoursFrom(over[1]) } : null;
}

const overError = (over: { date: string; hours: string }) => new AppError('TIMESHEET_DAY_OVER_24', over, over);

/**
 * The reader's whole week at once (the grid): their entries of the week become exactly the grid's cells with hours
 * — unchanged ones kept, the others deleted and inserted — in one transaction under the week's lock. Refused, with
 * nothing written: a locked week (TIMESHEET_WEEK_LOCKED), a day over 24 hours (TIMESHEET_DAY_OVER_24), time changed
 * on a closed or cancelled engagement (TIME_ENGAGEMENT_CLOSED), an engagement the person is not on the team of or a
 * work order of another engagement (400 on the row), dates outside the week or too far ahead (400 on the cell).
 */
export async function saveTimesheet(
  ctx: Ctx,
  weekStart: string,
  input: z.output<typeof TimesheetInput>,
): Promise<TimesheetWeek> {
  const me = ctx.actor.id;
  const cells = cellsOf(ctx, weekStart, input);
  await inTransaction(ctx, async (tx) => {
    const week = await lockWeek(tx, me, weekStart);
    if (isLocked(week.status)) throw lockedError(week.status);
    const existing = await tx.db
      .select()
      .from(timeEntries)
      .where(and(eq(timeEntries.userId, me), inWeek(weekStart)));

    // Unchanged entries stay; the rest of the old go, the rest of the new come.
    const pool = new Map<string, EntryRow[]>();
    for (const e of existing) {
      const key = signature(cellOf(e));
      pool.set(key, [...(pool.get(key) ?? []), e]);
    }
    const added: Cell[] = [];
    for (const cell of cells) {
      const same = pool.get(signature(cell));
      if (same?.length) same.pop();
      else added.push(cell);
    }
    const removed = [...pool.values()].flat();
    if (added.length === 0 && removed.length === 0) return;

    // The engagements whose time changes: the person on the team, the engagement not over (shared lock: it cannot
    // be closed meanwhile), a work order of that engagement.
    const changed = [...new Set([...added, ...removed].flatMap((e) => (e.engagementId ? [e.engagementId] : [])))];
    if (changed.length) {
      const found = await tx.db
        .select({
          id: engagements.id,
          title: engagements.title,
          status: engagements.status,
          member: sql<boolean>`${onTeam(me)}`,
        })
        .from(engagements)
        .where(inArray(engagements.id, changed))
        .for('share');
      const byId = new Map(found.map((e) => [e.id, e]));
      const taskIds = [...new Set(added.flatMap((c) => (c.taskId ? [c.taskId] : [])))];
      const taskOf = new Map(
        taskIds.length
          ? (
              await tx.db
                .select({ id: engagementTasks.id, engagementId: engagementTasks.engagementId })
                .from(engagementTasks)
                .where(inArray(engagementTasks.id, taskIds))
            ).map((t) => [t.id, t.engagementId])
          : [],
      );
      const issues = new Map<string, InputIssue>();
      for (const c of added) {
        if (!c.engagementId) continue;
        if (!byId.get(c.engagementId)?.member)
          issues.set(`rows.${c.row}.engagementId`, {
            path: `rows.${c.row}.engagementId`,
            key: 'validation.timeEngagementNotMember',
          });
        else if (c.taskId && taskOf.get(c.taskId) !== c.engagementId)
          issues.set(`rows.${c.row}.taskId`, {
            path: `rows.${c.row}.taskId`,
            key: 'validation.timeTaskOtherEngagement',
          });
      }
      if (issues.size) throw invalidInput(tx.actor.locale, [...issues.values()]);
      const closed = changed.map((id) => byId.get(id)).find((e) => e && ENDED.includes(e.status));
      if (closed) throw new AppError('TIME_ENGAGEMENT_CLOSED', { title: closed.title });
    }

    // Before writing (a cell of 9999 hours would not fit the column); the sum in SQL below is the guard.
    const over = dayOver24(cells);
    if (over) throw overError(over);

    if (removed.length)
      await tx.db.delete(timeEntries).where(
        inArray(
          timeEntries.id,
          removed.map((e) => e.id),
        ),
      );
    if (added.length)
      await tx.db.insert(timeEntries).values(
        added.map((c) => ({
          userId: me,
          workDate: c.workDate,
          engagementId: c.engagementId,
          taskId: c.taskId,
          category: c.category,
          hours: fromHundredths(c.hours),
          billable: c.billable,
          note: c.note,
          createdBy: me,
          updatedBy: me,
        })),
      );
    // The rule itself, on what is stored now (the week's lock keeps anyone else from adding to these days).
    const [tooMuch] = await tx.db
      .select({ date: timeEntries.workDate, hours: sql<string>`sum(${timeEntries.hours})::text` })
      .from(timeEntries)
      .where(and(eq(timeEntries.userId, me), inWeek(weekStart)))
      .groupBy(timeEntries.workDate)
      .having(sql`sum(${timeEntries.hours}) > ${MAX_DAY_HOURS}::numeric`)
      .orderBy(asc(timeEntries.workDate))
      .limit(1);
    if (tooMuch) throw overError({ date: tooMuch.date, hours: hoursText(tooMuch.hours)! });

    await tx.db.update(timesheetWeeks).set({ updatedAt: new Date() }).where(eq(timesheetWeeks.id, week.id));
    const brief = (e: Omit<Cell, 'row'>) => ({
      workDate: e.workDate,
      engagementId: e.engagementId,
      taskId: e.taskId,
      category: e.category,
      billable: e.billable,
      note: e.note,
      hours: hoursFrom(e.hours),
    });
    await recordAudit(tx, {
      action: 'update',
      entityType: 'timesheet',
      entityId: week.id,
      before: { weekStart, removed: removed.map((e) => brief(cellOf(e))) },
      after: { weekStart, added: added.map(brief) },
    });
  });
  return getTimesheet(ctx, weekStart);
}

/** What the approval flows of kind `timesheet` may test, and whom they resolve from. */
async function factsOf(db: Db, week: WeekRow, departmentId: string | null): Promise<SubjectFacts> {
  // The project lead: of the engagement with the most of the week's hours that the person does not lead
  // themselves — else, as "the project lead (or their manager)", the person's manager.
  const [main] = await db
    .select({ leadId: engagements.leadId })
    .from(timeEntries)
    .innerJoin(engagements, eq(engagements.id, timeEntries.engagementId))
    .where(
      and(eq(timeEntries.userId, week.userId), inWeek(week.weekStart), sql`${engagements.leadId} <> ${week.userId}`),
    )
    .groupBy(engagements.leadId)
    .orderBy(desc(sql`sum(${timeEntries.hours})`), asc(engagements.leadId))
    .limit(1);
  return {
    fields: { departmentId },
    ownerId: week.userId,
    departmentId,
    businessLineId: null,
    projectLeadId: main?.leadId ?? (await managerOf(db, week.userId)),
  };
}

/**
 * Submits the reader's week: approved at once when no flow of kind `timesheet` applies, else sent for approval
 * (a returned one goes back to its flow's first step) and locked until decided. TIMESHEET_WEEK_LOCKED when it is
 * submitted or approved already, TIMESHEET_WEEK_EMPTY without hours.
 */
export async function submitTimesheet(ctx: Ctx, weekStart: string): Promise<TimesheetWeek> {
  await inTransaction(ctx, async (tx) => {
    const week = await lockWeek(tx, tx.actor.id, weekStart);
    if (isLocked(week.status)) throw lockedError(week.status);
    const [{ n }] = await tx.db
      .select({ n: count() })
      .from(timeEntries)
      .where(and(eq(timeEntries.userId, week.userId), inWeek(weekStart)));
    if (n === 0) throw new AppError('TIMESHEET_WEEK_EMPTY');
    const latest = (await latestApprovals(tx.db, 'timesheet', [week.id])).get(week.id);
    const facts = await factsOf(tx.db, week, tx.actor.departmentId);
    // A week returned to its submitter goes back to the same flow; otherwise the flow that applies now, if any.
    const flow = latest?.status === 'returned' || (await applicableWorkflow(tx.db, 'timesheet', facts.fields));
    const now = new Date();
    if (flow) {
      await tx.db
        .update(timesheetWeeks)
        .set({ status: 'submitted', submittedAt: now, decidedAt: null, decidedBy: null, updatedAt: now })
        .where(eq(timesheetWeeks.id, week.id));
      const instanceId = await submitForApproval(tx, 'timesheet', week.id);
      await tx.db.update(timesheetWeeks).set({ instanceId }).where(eq(timesheetWeeks.id, week.id));
    } else {
      await tx.db
        .update(timesheetWeeks)
        .set({ status: 'approved', submittedAt: now, decidedAt: now, decidedBy: null, updatedAt: now })
        .where(eq(timesheetWeeks.id, week.id));
    }
    await recordAudit(tx, {
      action: 'submit',
      entityType: 'timesheet',
      entityId: week.id,
      before: { status: week.status },
      after: { weekStart, status: flow ? 'submitted' : 'approved' },
    });
  });
  return getTimesheet(ctx, weekStart);
}

registerSubjectKind({
  kind: 'timesheet',
  async describe(tx, weekId) {
    const [row] = await tx.db
      .select({ w: timesheetWeeks, name: users.displayName, departmentId: users.departmentId })
      .from(timesheetWeeks)
      .innerJoin(users, eq(users.id, timesheetWeeks.userId))
      .where(and(eq(timesheetWeeks.id, weekId), or(eq(timesheetWeeks.userId, tx.actor.id), readablePeople(tx.actor))))
      .for('update', { of: timesheetWeeks });
    if (!row) throw notFound();
    const week = row.w;
    const [sums] = await tx.db
      .select({
        total: sql<string>`coalesce(sum(${timeEntries.hours}), 0)::text`,
        billable: sql<string>`coalesce(sum(${timeEntries.hours}) FILTER (WHERE ${timeEntries.billable}), 0)::text`,
      })
      .from(timeEntries)
      .where(and(eq(timeEntries.userId, week.userId), inWeek(week.weekStart)));
    const weekEnd = addDays(week.weekStart, 6);
    return {
      facts: await factsOf(tx.db, week, row.departmentId),
      summary: {
        title: `${row.name} · ${week.weekStart} – ${weekEnd}`,
        facts: [
          { key: 'week', value: `${week.weekStart} – ${weekEnd}` },
          { key: 'hours', value: hoursText(sums.total)! },
          { key: 'billableHours', value: hoursText(sums.billable)! },
        ],
        link: `/timesheet?week=${week.weekStart}&userId=${week.userId}`,
      },
    };
  },
  async canSee(ctx, weekId) {
    const [row] = await ctx.db
      .select({ one: sql`1` })
      .from(timesheetWeeks)
      .innerJoin(users, eq(users.id, timesheetWeeks.userId))
      .where(
        and(eq(timesheetWeeks.id, weekId), or(eq(timesheetWeeks.userId, ctx.actor.id), readablePeople(ctx.actor))),
      );
    return Boolean(row);
  },
  // Approved: locked for good. Returned or rejected: editable, to correct and submit again. Withdrawn: open.
  async onSettled(tx, weekId, status) {
    const now = new Date();
    const next: TimesheetStatus = status === 'approved' ? 'approved' : status === 'withdrawn' ? 'open' : 'returned';
    await tx.db
      .update(timesheetWeeks)
      .set({
        status: next,
        decidedAt: next === 'open' ? null : now,
        decidedBy: next === 'open' ? null : tx.actor.id,
        updatedAt: now,
      })
      .where(and(eq(timesheetWeeks.id, weekId), eq(timesheetWeeks.status, 'submitted')));
  },
});

// ——— Time entries (exports and reports) ———

const entryUsers = aliasedTable(users, 'entry_users');

/**
 * Time entries the reader may see — their own, their department subtree's people's (managers), everyone's (partners
 * and finance) — filtered by person, engagement, category and dates; `q` searches the note, the engagement's title
 * and the person's name. Newest day first by default.
 */
export async function findTimeEntries(ctx: Ctx, query: TimeEntryListQuery): Promise<Page<TimeEntry>> {
  const filters: SQL[] = [
    visibleTo(ctx.actor, 'engagements:read', { owner: timeEntries.userId, ownerDepartment: true }),
  ];
  if (query.userId) filters.push(eq(timeEntries.userId, query.userId));
  if (query.engagementId) filters.push(eq(timeEntries.engagementId, query.engagementId));
  if (query.category) filters.push(eq(timeEntries.category, query.category));
  if (query.from) filters.push(sql`${timeEntries.workDate} >= ${query.from}`);
  if (query.to) filters.push(sql`${timeEntries.workDate} <= ${query.to}`);
  if (query.q) {
    const pattern = containsPattern(query.q);
    filters.push(
      or(ilike(timeEntries.note, pattern), ilike(engagements.title, pattern), ilike(entryUsers.displayName, pattern))!,
    );
  }
  const where = and(...filters);
  const weekStatus = sql<TimesheetStatus>`coalesce((SELECT w.status FROM ${timesheetWeeks} w
    WHERE w.user_id = ${outer(timeEntries.userId)} AND w.week_start = date_trunc('week', ${outer(timeEntries.workDate)})::date), 'open')`;
  const { rows, total } = await pageWithTotal(
    query,
    ctx.db
      .select({
        e: timeEntries,
        userName: entryUsers.displayName,
        engagementTitle: engagements.title,
        taskTitle: engagementTasks.title,
        weekStatus,
      })
      .from(timeEntries)
      .innerJoin(entryUsers, eq(entryUsers.id, timeEntries.userId))
      .leftJoin(engagements, eq(engagements.id, timeEntries.engagementId))
      .leftJoin(engagementTasks, eq(engagementTasks.id, timeEntries.taskId))
      .where(where)
      .orderBy(
        ...orderFrom(
          query.sort,
          { workDate: timeEntries.workDate, createdAt: timeEntries.createdAt, hours: timeEntries.hours },
          '-workDate',
          timeEntries.id,
        ),
      )
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () =>
      ctx.db
        .select({ total: count() })
        .from(timeEntries)
        .innerJoin(entryUsers, eq(entryUsers.id, timeEntries.userId))
        .leftJoin(engagements, eq(engagements.id, timeEntries.engagementId))
        .where(where),
  );
  return {
    items: rows.map((r) => ({
      id: r.e.id,
      userId: r.e.userId,
      userName: r.userName,
      workDate: r.e.workDate,
      engagementId: r.e.engagementId,
      engagementTitle: r.engagementTitle,
      taskId: r.e.taskId,
      taskTitle: r.taskTitle,
      category: r.e.category,
      hours: hoursText(r.e.hours)!,
      billable: r.e.billable,
      note: r.e.note,
      weekStatus: r.weekStatus,
      createdAt: r.e.createdAt.toISOString(),
      updatedAt: r.e.updatedAt.toISOString(),
    })),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}

// ——— Budget ———

/** Actual in per cent of planned (rounded down), and the warning: from 80 %, from 100 %. */
function measure(planned: string | null, actual: string): { percent: number | null; warning: BudgetWarning } {
  const plan = planned === null ? 0n : toHundredths(planned);
  if (plan === 0n) return { percent: null, warning: 'none' };
  const used = toHundredths(actual);
  const percent = Number((used * 100n) / plan);
  return { percent, warning: used >= plan ? 'over-100' : used * 5n >= plan * 4n ? 'over-80' : 'none' };
}

/**
 * An engagement's planned hours against the hours logged on it (every entry, whatever its week's state), overall and
 * per phase (entries on a phase's work orders), summed in SQL; for readers of the engagement (404 otherwise).
 */
export async function engagementBudget(ctx: Ctx, id: string): Promise<EngagementBudget> {
  // One pass over the engagement's entries (its index), each sum a FILTER of it; the phases' sums at the same time
  // (one round trip, not two: they are thrown away with a 404 when the reader does not see the engagement). Built
  // once per database (and reader: the first embeds their visibility) and prepared.
  const [[engagement], phases] = await Promise.all([
    preparedOnce(ctx.db, `engagement-budget|${actorKey(ctx.actor)}`, () =>
      ctx.db
        .select({
          plannedHours: engagements.plannedHours,
          actual: sql<string>`coalesce(sum(${timeEntries.hours}), 0)::text`,
          billable: sql<string>`coalesce(sum(${timeEntries.hours}) FILTER (WHERE ${timeEntries.billable}), 0)::text`,
          unphased: sql<string>`coalesce(sum(${timeEntries.hours}) FILTER (WHERE ${timeEntries.taskId} IS NULL), 0)::text`,
        })
        .from(engagements)
        .leftJoin(timeEntries, eq(timeEntries.engagementId, engagements.id))
        .where(and(eq(engagements.id, sql.placeholder('id')), visibleEngagements(ctx.actor)))
        .groupBy(engagements.id)
        .prepare(''),
    ).execute({ id }),
    // Per phase: its work orders' entries (those of this engagement), grouped once rather than a sum per phase.
    preparedOnce(ctx.db, 'engagement-budget-phases', () =>
      ctx.db
        .select({
          phaseId: engagementPhases.id,
          name: engagementPhases.name,
          plannedHours: engagementPhases.plannedHours,
          actual: sql<string>`coalesce(sum(${timeEntries.hours}), 0)::text`,
        })
        .from(engagementPhases)
        .leftJoin(engagementTasks, eq(engagementTasks.phaseId, engagementPhases.id))
        .leftJoin(
          timeEntries,
          and(eq(timeEntries.taskId, engagementTasks.id), eq(timeEntries.engagementId, sql.placeholder('id'))),
        )
        .where(eq(engagementPhases.engagementId, sql.placeholder('id')))
        .groupBy(engagementPhases.id)
        .orderBy(asc(engagementPhases.position))
        .prepare(''),
    ).execute({ id }),
  ]);
  if (!engagement) throw notFound();
  const plannedHours = hoursText(engagement.plannedHours);
  const actualHours = hoursText(engagement.actual)!;
  return {
    plannedHours,
    actualHours,
    billableHours: hoursText(engagement.billable)!,
    ...measure(plannedHours, actualHours),
    phases: phases.map((p) => {
      const planned = hoursText(p.plannedHours);
      const actual = hoursText(p.actual)!;
      return {
        phaseId: p.phaseId,
        name: p.name,
        plannedHours: planned,
        actualHours: actual,
        ...measure(planned, actual),
      };
    }),
    unphasedHours: hoursText(engagement.unphased)!,
  };
}
