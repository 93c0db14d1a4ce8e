import { and, asc, count, eq, exists, ilike, ne, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { Page } from '../../../common/schemas/common';
import type {
  Task,
  TaskCreate,
  TaskNote,
  TaskStatus,
  TaskUpdate,
  WorkOrder,
  WorkOrderListQuery,
} from '../../../common/schemas/engagements';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, forbidden, invalidInput, notFound } from '../../errors';
import { containsPattern, offsetOf, orderFrom, outer, pageWithTotal } from '../../lib/listing';
import type { Actor } from '../../policy';
import { recordAudit } from '../audit/audit.service';
import { assertQuota } from '../customers/contact-logs.service';
import { customers } from '../customers/customers.tables';
import { getFile, lockUploadsOf, storeFile, type Upload } from '../files/files.service';
import { files } from '../files/files.tables';
import { notify } from '../notifications/notifications.service';
import { users } from '../staff/staff.tables';
import { ENDED, engagementStatusError, lockEngagement, presentTask, selectTasks } from './engagements.service';
import { visibleEngagements, writableEngagements } from './engagements.policy';
import {
  engagementMembers,
  engagementPhases,
  engagements,
  engagementTaskNotes,
  engagementTasks,
} from './engagements.tables';

/**
 * 工单: the tasks of an engagement's phases, assigned to a person. Those who may plan the engagement create, change
 * and assign them (to members of the team); the assignee — or a planner — starts and finishes one; the team and
 * its planners comment on it and attach working papers 底稿. Everyone sees the work orders assigned to them
 * (我的工单, Today), whether or not they may open the engagement.
 */

type TaskRow = typeof engagementTasks.$inferSelect;

/** Who sees a task: those who see its engagement, and its assignee (their own work order). */
const taskSeen = (actor: Actor) => or(eq(engagementTasks.assigneeId, actor.id), visibleEngagements(actor))!;

const memberOf = (actor: Actor) =>
  exists(
    sql`(SELECT 1 FROM ${engagementMembers} WHERE ${and(eq(engagementMembers.engagementId, outer(engagements.id)), eq(engagementMembers.userId, actor.id))})`,
  );

/** A task the actor sees (404 otherwise), with what they may do to it; locked for a change when asked. */
async function taskFor(ctx: Ctx, id: string, lock = false) {
  const query = ctx.db
    .select({
      t: engagementTasks,
      engagementStatus: engagements.status,
      writable: sql<boolean>`${writableEngagements(ctx.actor)}`,
      member: sql<boolean>`${memberOf(ctx.actor)}`,
    })
    .from(engagementTasks)
    .innerJoin(engagements, eq(engagements.id, engagementTasks.engagementId))
    .where(and(eq(engagementTasks.id, id), taskSeen(ctx.actor)));
  const [row] = lock ? await query.for('update', { of: engagementTasks }) : await query;
  if (!row) throw notFound();
  return { ...row, writable: Boolean(row.writable), member: Boolean(row.member) };
}

async function presentTaskById(ctx: Ctx, id: string): Promise<Task> {
  const [row] = await selectTasks(ctx.db).where(eq(engagementTasks.id, id));
  return presentTask(row);
}

async function assertMember(tx: Ctx, engagementId: string, userId: string) {
  const [member] = await tx.db
    .select({ userId: engagementMembers.userId })
    .from(engagementMembers)
    .where(and(eq(engagementMembers.engagementId, engagementId), eq(engagementMembers.userId, userId)));
  if (!member) throw invalidInput(tx.actor.locale, [{ path: 'assigneeId', key: 'validation.notEngagementMember' }]);
}

function assertDates(tx: Ctx, startsOn: string | null, dueOn: string | null) {
  if (startsOn && dueOn && dueOn < startsOn)
    throw invalidInput(tx.actor.locale, [{ path: 'dueOn', key: 'validation.dueBeforeStart' }]);
}

/** A phase's planned hours are its tasks'. */
async function sumPhaseHours(tx: Ctx, phaseId: string) {
  await tx.db
    .update(engagementPhases)
    .set({
      plannedHours: sql`(SELECT sum(t.planned_hours) FROM ${engagementTasks} t WHERE t.phase_id = ${phaseId})`,
    })
    .where(eq(engagementPhases.id, phaseId));
}

async function touch(tx: Ctx, engagementId: string) {
  await tx.db
    .update(engagements)
    .set({ updatedAt: new Date(), updatedBy: tx.actor.id })
    .where(eq(engagements.id, engagementId));
}

/**
 * Tells a work order's new assignee of it (work-order-assigned: the task, its customer and engagement, the due date),
 * in the transaction that assigns it: not when it is unassigned, kept with the same person, or taken by the actor.
 */
async function tellAssignee(tx: Ctx, task: TaskRow, previousAssigneeId: string | null) {
  const assigneeId = task.assigneeId;
  if (!assigneeId || assigneeId === previousAssigneeId || assigneeId === tx.actor.id) return;
  const [engagement] = await tx.db
    .select({ title: engagements.title, customerName: customers.name })
    .from(engagements)
    .innerJoin(customers, eq(customers.id, engagements.customerId))
    .where(eq(engagements.id, task.engagementId));
  await notify(tx, [
    {
      userId: assigneeId,
      kind: 'work-order-assigned',
      params: {
        task: task.title,
        engagement: engagement.title,
        customer: engagement.customerName,
        due: task.dueOn ?? '—',
      },
      entityType: 'engagement-task',
      entityId: task.id,
    },
  ]);
}

/** A task in a phase of an engagement in progress (its dates default to the phase's), for those who plan it. */
export async function createTask(ctx: Ctx, engagementId: string, input: z.output<typeof TaskCreate>): Promise<Task> {
  const id = await inTransaction(ctx, async (tx) => {
    const engagement = await lockEngagement(tx, engagementId);
    if (engagement.status !== 'in-progress') throw engagementStatusError(engagement.status);
    const [phase] = await tx.db
      .select()
      .from(engagementPhases)
      .where(and(eq(engagementPhases.id, input.phaseId), eq(engagementPhases.engagementId, engagementId)));
    if (!phase) throw invalidInput(tx.actor.locale, [{ path: 'phaseId', key: 'validation.invalid' }]);
    if (input.assigneeId) await assertMember(tx, engagementId, input.assigneeId);
    const startsOn = input.startsOn === undefined ? phase.startsOn : input.startsOn;
    const dueOn = input.dueOn === undefined ? phase.dueOn : input.dueOn;
    assertDates(tx, startsOn, dueOn);
    const [{ last }] = await tx.db
      .select({ last: sql<number>`coalesce(max(${engagementTasks.position}), 0)`.mapWith(Number) })
      .from(engagementTasks)
      .where(eq(engagementTasks.phaseId, phase.id));
    const [row] = await tx.db
      .insert(engagementTasks)
      .values({
        engagementId,
        phaseId: phase.id,
        position: last + 1,
        title: input.title,
        role: input.role ?? null,
        assigneeId: input.assigneeId ?? null,
        startsOn,
        dueOn,
        plannedHours: input.plannedHours ?? null,
        createdBy: tx.actor.id,
        updatedBy: tx.actor.id,
      })
      .returning();
    if (row.plannedHours !== null) await sumPhaseHours(tx, phase.id);
    await touch(tx, engagementId);
    await recordAudit(tx, { action: 'create', entityType: 'engagement-task', entityId: row.id, after: row });
    await tellAssignee(tx, row, null);
    return row.id;
  });
  return presentTaskById(ctx, id);
}

/**
 * Re-plans a task (title, role, assignee — a member —, dates, hours): for those who plan the engagement (403 else).
 * A new assignee (not the planner themself) is told of it.
 */
export async function updateTask(ctx: Ctx, id: string, input: z.output<typeof TaskUpdate>): Promise<Task> {
  await inTransaction(ctx, async (tx) => {
    const found = await taskFor(tx, id, true);
    if (!found.writable) throw forbidden();
    if (found.engagementStatus !== 'in-progress') throw engagementStatusError(found.engagementStatus);
    const before = found.t;
    if (input.assigneeId) await assertMember(tx, before.engagementId, input.assigneeId);
    const startsOn = input.startsOn === undefined ? before.startsOn : input.startsOn;
    const dueOn = input.dueOn === undefined ? before.dueOn : input.dueOn;
    assertDates(tx, startsOn, dueOn);
    const [after] = await tx.db
      .update(engagementTasks)
      .set({
        title: input.title ?? before.title,
        role: input.role === undefined ? before.role : input.role,
        assigneeId: input.assigneeId === undefined ? before.assigneeId : input.assigneeId,
        startsOn,
        dueOn,
        plannedHours: input.plannedHours === undefined ? before.plannedHours : input.plannedHours,
        updatedAt: new Date(),
        updatedBy: tx.actor.id,
      })
      .where(eq(engagementTasks.id, id))
      .returning();
    if (input.plannedHours !== undefined) await sumPhaseHours(tx, before.phaseId);
    await touch(tx, before.engagementId);
    await recordAudit(tx, { action: 'update', entityType: 'engagement-task', entityId: id, before, after });
    await tellAssignee(tx, after, before.assigneeId);
  });
  return presentTaskById(ctx, id);
}

/** The times a status change writes: started when first begun (or done at once), done when done, undone otherwise. */
function timesFor(before: TaskRow, status: TaskStatus, now: Date) {
  if (status === 'todo') return { startedAt: before.startedAt, doneAt: null };
  return { startedAt: before.startedAt ?? now, doneAt: status === 'done' ? now : null };
}

/**
 * Starts, finishes or reopens a work order: its assignee, or someone who plans the engagement (TASK_NOT_YOURS for
 * anyone else who sees it), while the engagement is in progress.
 */
export async function setTaskStatus(ctx: Ctx, id: string, status: TaskStatus): Promise<Task> {
  await inTransaction(ctx, async (tx) => {
    const found = await taskFor(tx, id, true);
    if (found.t.assigneeId !== tx.actor.id && !found.writable) throw new AppError('TASK_NOT_YOURS');
    if (found.engagementStatus !== 'in-progress') throw engagementStatusError(found.engagementStatus);
    const before = found.t;
    if (before.status === status) return;
    const times = timesFor(before, status, new Date());
    await tx.db
      .update(engagementTasks)
      .set({ status, ...times, updatedAt: new Date(), updatedBy: tx.actor.id })
      .where(eq(engagementTasks.id, id));
    await touch(tx, before.engagementId);
    await recordAudit(tx, {
      action: 'status',
      entityType: 'engagement-task',
      entityId: id,
      before: { status: before.status, startedAt: before.startedAt, doneAt: before.doneAt },
      after: { status, ...times },
    });
  });
  return presentTaskById(ctx, id);
}

// ——— Notes and working papers ———

function selectNotes(db: Db) {
  return db
    .select({
      n: engagementTaskNotes,
      authorName: users.displayName,
      fileName: files.filename,
    })
    .from(engagementTaskNotes)
    .innerJoin(users, eq(users.id, engagementTaskNotes.authorId))
    .leftJoin(files, eq(files.id, engagementTaskNotes.fileId));
}

function presentNote(r: {
  n: typeof engagementTaskNotes.$inferSelect;
  authorName: string;
  fileName: string | null;
}): TaskNote {
  return {
    id: r.n.id,
    authorId: r.n.authorId,
    authorName: r.authorName,
    body: r.n.body,
    fileId: r.n.fileId,
    fileName: r.n.fileId ? r.fileName : null,
    createdAt: r.n.createdAt.toISOString(),
  };
}

/** A task's comments and working papers, oldest first, for whoever sees the task. */
export async function listTaskNotes(ctx: Ctx, id: string): Promise<TaskNote[]> {
  await taskFor(ctx, id);
  const rows = await selectNotes(ctx.db)
    .where(eq(engagementTaskNotes.taskId, id))
    .orderBy(asc(engagementTaskNotes.createdAt), asc(engagementTaskNotes.id));
  return rows.map(presentNote);
}

/** The task, for someone who may add to it: its assignee, the team, those who plan it; not once the engagement ended. */
async function taskToAddTo(ctx: Ctx, id: string) {
  const found = await taskFor(ctx, id);
  if (found.t.assigneeId !== ctx.actor.id && !found.member && !found.writable) throw forbidden();
  if (ENDED.includes(found.engagementStatus)) throw engagementStatusError(found.engagementStatus);
  return found;
}

async function addNote(tx: Ctx, taskId: string, note: { body: string } | { fileId: string; filename: string }) {
  const [row] = await tx.db
    .insert(engagementTaskNotes)
    .values({
      taskId,
      authorId: tx.actor.id,
      body: 'body' in note ? note.body : null,
      fileId: 'fileId' in note ? note.fileId : null,
    })
    .returning();
  await recordAudit(tx, {
    action: 'create',
    entityType: 'engagement-task-note',
    entityId: row.id,
    after: { ...row, ...('filename' in note ? { filename: note.filename } : {}) },
  });
  const [presented] = await selectNotes(tx.db).where(eq(engagementTaskNotes.id, row.id));
  return presentNote(presented);
}

export async function addTaskComment(ctx: Ctx, id: string, body: string): Promise<TaskNote> {
  return inTransaction(ctx, async (tx) => {
    await taskToAddTo(tx, id);
    return addNote(tx, id, { body });
  });
}

/** Before an upload is read: who may attach, and whether a file of the announced size fits their quota. */
export async function assertCanAttach(ctx: Ctx, id: string, atLeastBytes: number): Promise<void> {
  await taskToAddTo(ctx, id);
  await assertQuota(ctx, atLeastBytes);
}

/** Stores a working paper 底稿 on a task (within the uploader's quota) as a note naming it. */
export async function attachToTask(ctx: Ctx, id: string, upload: Upload): Promise<TaskNote> {
  return inTransaction(ctx, async (tx) => {
    await taskToAddTo(tx, id);
    await lockUploadsOf(tx.db, ctx.actor.id);
    await assertQuota(tx, upload.size);
    const stored = await storeFile(tx.db, { type: 'engagement-task', id }, upload, ctx.actor.id);
    return addNote(tx, id, { fileId: stored.id, filename: stored.filename });
  });
}

/** A working paper of a task, for whoever sees the task (404 for everyone else). */
export async function getTaskFile(ctx: Ctx, id: string, fileId: string) {
  await taskFor(ctx, id);
  return getFile(ctx.db, 'engagement-task', id, fileId);
}

// ——— 我的工单 ———

/** Work orders with what their assignee is shown of the engagement: its title, customer, phase and status. */
export function selectWorkOrders(db: Db) {
  return db
    .select({
      t: engagementTasks,
      assigneeName: users.displayName,
      notes:
        sql<number>`(SELECT count(*)::int FROM ${engagementTaskNotes} n WHERE n.task_id = ${outer(engagementTasks.id)})`.mapWith(
          Number,
        ),
      engagementTitle: engagements.title,
      engagementStatus: engagements.status,
      customerName: customers.name,
      phaseName: engagementPhases.name,
    })
    .from(engagementTasks)
    .innerJoin(engagements, eq(engagements.id, engagementTasks.engagementId))
    .innerJoin(customers, eq(customers.id, engagements.customerId))
    .innerJoin(engagementPhases, eq(engagementPhases.id, engagementTasks.phaseId))
    .leftJoin(users, eq(users.id, engagementTasks.assigneeId));
}

type WorkOrderRow = Awaited<ReturnType<ReturnType<typeof selectWorkOrders>['execute']>>[number];

export function presentWorkOrder(r: WorkOrderRow): WorkOrder {
  return {
    ...presentTask(r),
    engagementTitle: r.engagementTitle,
    customerName: r.customerName,
    phaseName: r.phaseName,
    engagementStatus: r.engagementStatus,
  };
}

/** Not done, in an engagement not over. */
export const openWorkOrder = () => and(ne(engagementTasks.status, 'done'), notInArray(engagements.status, ENDED))!;

/**
 * 我的工单: the tasks assigned to me (open by default: not done, in engagements not over), earliest due first, those
 * without a due date last; `q` searches the task's and the engagement's titles and the customer's name.
 */
export async function myWorkOrders(ctx: Ctx, query: z.output<typeof WorkOrderListQuery>): Promise<Page<WorkOrder>> {
  const filters: SQL[] = [eq(engagementTasks.assigneeId, ctx.actor.id)];
  if (query.status === 'open') filters.push(openWorkOrder());
  else if (query.status !== 'all') filters.push(eq(engagementTasks.status, query.status));
  if (query.engagementId) filters.push(eq(engagementTasks.engagementId, query.engagementId));
  if (query.q) {
    const pattern = containsPattern(query.q);
    filters.push(
      or(ilike(engagementTasks.title, pattern), ilike(engagements.title, pattern), ilike(customers.name, pattern))!,
    );
  }
  const where = and(...filters);
  const { rows, total } = await pageWithTotal(
    query,
    selectWorkOrders(ctx.db)
      .where(where)
      .orderBy(
        ...orderFrom(
          query.sort,
          { dueOn: engagementTasks.dueOn, createdAt: engagementTasks.createdAt },
          'dueOn',
          engagementTasks.id,
        ),
      )
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () =>
      ctx.db
        .select({ total: count() })
        .from(engagementTasks)
        .innerJoin(engagements, eq(engagements.id, engagementTasks.engagementId))
        .innerJoin(customers, eq(customers.id, engagements.customerId))
        .where(where),
  );
  return { items: rows.map(presentWorkOrder), total, page: query.page, pageSize: query.pageSize };
}
