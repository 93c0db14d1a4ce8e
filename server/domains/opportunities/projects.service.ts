import { and, asc, eq, max, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type {
  Milestone,
  MilestoneCreate,
  MilestoneUpdate,
  Project,
  ProjectTask,
  ProjectTaskCreate,
  ProjectTaskUpdate,
} from '../../../common/schemas/opportunities';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, inactiveReference, invalidInput, notFound } from '../../errors';
import type { Actor } from '../../policy';
import { recordAudit } from '../audit/audit.service';
import { departments, users } from '../staff/staff.tables';
import { opportunityFor } from './acceptance.service';
import { writableOpportunities } from './opportunities.policy';
import { opportunities, projectMilestones, projectTasks } from './opportunities.tables';

type MilestoneInput = z.infer<typeof MilestoneCreate>;
type MilestonePatch = z.infer<typeof MilestoneUpdate>;
type TaskInput = z.infer<typeof ProjectTaskCreate>;
type TaskPatch = z.infer<typeof ProjectTaskUpdate>;

/** Done ÷ all in whole percent, rounded down (100 only when everything is done); 0 without tasks. */
export function progressOf(tasks: { status: string }[]): number {
  if (tasks.length === 0) return 0;
  return Math.floor((tasks.filter((t) => t.status === 'done').length * 100) / tasks.length);
}

function selectTasks(db: Db) {
  return db
    .select({ task: projectTasks, assigneeName: users.displayName, assigneeDepartmentName: departments.name })
    .from(projectTasks)
    .leftJoin(users, eq(users.id, projectTasks.assigneeId))
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .$dynamic();
}

function presentTask(r: {
  task: typeof projectTasks.$inferSelect;
  assigneeName: string | null;
  assigneeDepartmentName: string | null;
}): ProjectTask {
  const t = r.task;
  return {
    id: t.id,
    milestoneId: t.milestoneId,
    title: t.title,
    assigneeId: t.assigneeId,
    assigneeName: r.assigneeName,
    assigneeDepartmentName: r.assigneeDepartmentName,
    startsOn: t.startsOn,
    dueOn: t.dueOn,
    status: t.status,
    doneAt: t.doneAt?.toISOString() ?? null,
  };
}

function presentMilestone(
  m: typeof projectMilestones.$inferSelect,
  tasks: { milestoneId: string | null; status: string }[],
): Milestone {
  return {
    id: m.id,
    name: m.name,
    dueOn: m.dueOn,
    position: m.position,
    progress: progressOf(tasks.filter((t) => t.milestoneId === m.id)),
  };
}

/** The project plan of an opportunity (any opportunity; without a plan, empty lists and 0%). */
export async function getProject(ctx: Ctx, opportunityId: string): Promise<Project> {
  await opportunityFor(ctx, opportunityId);
  return loadProject(ctx.db, opportunityId);
}

async function loadProject(db: Db, opportunityId: string): Promise<Project> {
  const milestones = await db
    .select()
    .from(projectMilestones)
    .where(eq(projectMilestones.opportunityId, opportunityId))
    .orderBy(asc(projectMilestones.position), asc(projectMilestones.id));
  const tasks = (
    await selectTasks(db)
      .where(eq(projectTasks.opportunityId, opportunityId))
      .orderBy(sql`${projectTasks.dueOn} asc nulls last`, asc(projectTasks.createdAt), asc(projectTasks.id))
  ).map(presentTask);
  return {
    opportunityId,
    progress: progressOf(tasks),
    milestones: milestones.map((m) => presentMilestone(m, tasks)),
    tasks,
  };
}

async function getMilestone(db: Db, opportunityId: string, milestoneId: string): Promise<Milestone> {
  const [row] = await db
    .select()
    .from(projectMilestones)
    .where(and(eq(projectMilestones.id, milestoneId), eq(projectMilestones.opportunityId, opportunityId)));
  if (!row) throw notFound();
  const tasks = await db
    .select({ milestoneId: projectTasks.milestoneId, status: projectTasks.status })
    .from(projectTasks)
    .where(eq(projectTasks.milestoneId, milestoneId));
  return presentMilestone(row, tasks);
}

async function getTask(db: Db, opportunityId: string, taskId: string): Promise<ProjectTask> {
  const [row] = await selectTasks(db).where(
    and(eq(projectTasks.id, taskId), eq(projectTasks.opportunityId, opportunityId)),
  );
  if (!row) throw notFound();
  return presentTask(row);
}

export async function createMilestone(ctx: Ctx, opportunityId: string, input: MilestoneInput): Promise<Milestone> {
  return inTransaction(ctx, async (tx) => {
    // Locked: two milestones added at once get distinct positions.
    await opportunityFor(tx, opportunityId, { write: true, lock: true });
    const [{ last }] = await tx.db
      .select({ last: max(projectMilestones.position) })
      .from(projectMilestones)
      .where(eq(projectMilestones.opportunityId, opportunityId));
    const [row] = await tx.db
      .insert(projectMilestones)
      .values({
        opportunityId,
        name: input.name,
        dueOn: input.dueOn ?? null,
        position: (last ?? -1) + 1,
        createdBy: ctx.actor.id,
      })
      .returning({ id: projectMilestones.id });
    const after = await getMilestone(tx.db, opportunityId, row.id);
    await recordAudit(tx, {
      action: 'create',
      entityType: 'project-milestone',
      entityId: row.id,
      after: { ...after, opportunityId },
    });
    return after;
  });
}

export async function updateMilestone(
  ctx: Ctx,
  opportunityId: string,
  milestoneId: string,
  patch: MilestonePatch,
): Promise<Milestone> {
  return inTransaction(ctx, async (tx) => {
    await opportunityFor(tx, opportunityId, { write: true });
    const before = await getMilestone(tx.db, opportunityId, milestoneId);
    await tx.db
      .update(projectMilestones)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(projectMilestones.id, milestoneId));
    const after = await getMilestone(tx.db, opportunityId, milestoneId);
    await recordAudit(tx, { action: 'update', entityType: 'project-milestone', entityId: milestoneId, before, after });
    return after;
  });
}

/** Removes a milestone; its tasks stay in the project, without a milestone. */
export async function deleteMilestone(ctx: Ctx, opportunityId: string, milestoneId: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    await opportunityFor(tx, opportunityId, { write: true });
    const before = await getMilestone(tx.db, opportunityId, milestoneId);
    const detached = await tx.db
      .update(projectTasks)
      .set({ milestoneId: null, updatedAt: new Date() })
      .where(eq(projectTasks.milestoneId, milestoneId))
      .returning({ id: projectTasks.id });
    await tx.db.delete(projectMilestones).where(eq(projectMilestones.id, milestoneId));
    await recordAudit(tx, {
      action: 'delete',
      entityType: 'project-milestone',
      entityId: milestoneId,
      before: { ...before, opportunityId },
      after: { detachedTaskIds: detached.map((t) => t.id) },
    });
  });
}

/** Checks a task's references and dates against the project (400 VALIDATION_FAILED / INACTIVE_REFERENCE). */
async function assertTaskInput(
  ctx: Ctx,
  opportunityId: string,
  task: { milestoneId?: string | null; assigneeId?: string | null; startsOn?: string | null; dueOn?: string | null },
) {
  if (task.startsOn && task.dueOn && task.dueOn < task.startsOn)
    throw invalidInput(ctx.actor.locale, [{ path: 'body.dueOn', key: 'validation.endBeforeStart' }]);
  if (task.milestoneId) {
    const [milestone] = await ctx.db
      .select({ id: projectMilestones.id })
      .from(projectMilestones)
      .where(and(eq(projectMilestones.id, task.milestoneId), eq(projectMilestones.opportunityId, opportunityId)));
    if (!milestone)
      throw invalidInput(ctx.actor.locale, [{ path: 'body.milestoneId', key: 'validation.notInProject' }]);
  }
  if (task.assigneeId) {
    const [assignee] = await ctx.db.select({ active: users.active }).from(users).where(eq(users.id, task.assigneeId));
    if (!assignee?.active) throw inactiveReference('field.assignee');
  }
}

/**
 * Whether the task is assigned to this user (in that opportunity, when given). Being a task's
 * assignee lets one change its status and see it on Today, whatever one may see of the opportunity.
 */
export async function isTaskAssignee(db: Db, userId: string, taskId: string, opportunityId?: string): Promise<boolean> {
  const [task] = await db
    .select({ id: projectTasks.id })
    .from(projectTasks)
    .where(
      and(
        eq(projectTasks.id, taskId),
        eq(projectTasks.assigneeId, userId),
        opportunityId === undefined ? undefined : eq(projectTasks.opportunityId, opportunityId),
      ),
    );
  return task !== undefined;
}

async function opportunityWritable(db: Db, actor: Actor, opportunityId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: opportunities.id })
    .from(opportunities)
    .where(and(eq(opportunities.id, opportunityId), writableOpportunities(actor)));
  return row !== undefined;
}

/** A task for anyone in the firm (active staff only), optionally under a milestone. */
export async function createTask(ctx: Ctx, opportunityId: string, input: TaskInput): Promise<ProjectTask> {
  return inTransaction(ctx, async (tx) => {
    await opportunityFor(tx, opportunityId, { write: true });
    await assertTaskInput(tx, opportunityId, input);
    const [row] = await tx.db
      .insert(projectTasks)
      .values({
        opportunityId,
        milestoneId: input.milestoneId ?? null,
        title: input.title,
        assigneeId: input.assigneeId ?? null,
        startsOn: input.startsOn ?? null,
        dueOn: input.dueOn ?? null,
        createdBy: ctx.actor.id,
      })
      .returning({ id: projectTasks.id });
    const after = await getTask(tx.db, opportunityId, row.id);
    await recordAudit(tx, {
      action: 'create',
      entityType: 'project-task',
      entityId: row.id,
      after: { ...after, opportunityId },
    });
    return after;
  });
}

/** Changes a task; `done` records when, leaving `done` clears it. Dates are checked as they will be after the change. */
export async function updateTask(
  ctx: Ctx,
  opportunityId: string,
  taskId: string,
  patch: TaskPatch,
): Promise<ProjectTask> {
  return inTransaction(ctx, async (tx) => {
    if (await isTaskAssignee(tx.db, ctx.actor.id, taskId, opportunityId)) {
      // The assignee works on their own task even without the right to change the opportunity (项目人员,
      // a colleague from another department): its status only — what it is, who does it and when stay
      // with those who plan the project.
      const onlyStatus = Object.keys(patch).every((key) => key === 'status');
      if (!onlyStatus && !(await opportunityWritable(tx.db, ctx.actor, opportunityId)))
        throw new AppError('TASK_ASSIGNEE_STATUS_ONLY');
    } else {
      await opportunityFor(tx, opportunityId, { write: true });
    }
    const before = await getTask(tx.db, opportunityId, taskId);
    const merged = { ...before, ...patch };
    await assertTaskInput(tx, opportunityId, {
      milestoneId: patch.milestoneId,
      // An assignee deactivated since may stay; a new one must be active.
      assigneeId: patch.assigneeId !== before.assigneeId ? patch.assigneeId : undefined,
      startsOn: merged.startsOn,
      dueOn: merged.dueOn,
    });
    const doneAt =
      patch.status === undefined || patch.status === before.status
        ? undefined
        : patch.status === 'done'
          ? new Date()
          : null;
    await tx.db
      .update(projectTasks)
      .set({ ...patch, ...(doneAt === undefined ? {} : { doneAt }), updatedAt: new Date() })
      .where(eq(projectTasks.id, taskId));
    const after = await getTask(tx.db, opportunityId, taskId);
    await recordAudit(tx, {
      action: patch.status && patch.status !== before.status ? 'status' : 'update',
      entityType: 'project-task',
      entityId: taskId,
      before,
      after,
    });
    return after;
  });
}

export async function deleteTask(ctx: Ctx, opportunityId: string, taskId: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    await opportunityFor(tx, opportunityId, { write: true });
    const before = await getTask(tx.db, opportunityId, taskId);
    await tx.db.delete(projectTasks).where(eq(projectTasks.id, taskId));
    await recordAudit(tx, {
      action: 'delete',
      entityType: 'project-task',
      entityId: taskId,
      before: { ...before, opportunityId },
    });
  });
}
