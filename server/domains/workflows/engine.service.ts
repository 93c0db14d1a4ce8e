import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Decision, InstanceStatus, WorkflowSubjectKind } from '../../../common/schemas/workflows';
import { Decision as DecisionSchema } from '../../../common/schemas/workflows';
import { inTransaction, type Ctx, type JobsTx } from '../../context';
import { AppError, forbidden, invalidInput, notFound } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { notify, type NotificationKind } from '../notifications/notifications.service';
import { getUserNames } from '../staff/actors';
import { users } from '../staff/staff.tables';
import { applicableWorkflow } from './definitions.service';
import { maySeeInstance } from './access';
import { assertAttachable } from './attachments.service';
import { handlerOf, type SubjectFacts } from './registry';
import { resolveStep } from './resolve';
import { workflowAssignments, workflowInstances, workflowTransitions, workflowVersions } from './workflows.tables';

type InstanceRow = typeof workflowInstances.$inferSelect;
type VersionRow = typeof workflowVersions.$inferSelect;
type NewTransition = Omit<typeof workflowTransitions.$inferInsert, 'instanceId' | 'seq'>;

/** Appends transitions to an instance's history, numbered after the ones it has (under the instance's lock). */
async function append(tx: JobsTx, instance: InstanceRow, entries: NewTransition[]): Promise<void> {
  await tx.db
    .insert(workflowTransitions)
    .values(entries.map((entry, i) => ({ ...entry, instanceId: instance.id, seq: instance.transitions + i + 1 })));
  instance.transitions += entries.length;
  await tx.db
    .update(workflowInstances)
    .set({ transitions: instance.transitions })
    .where(eq(workflowInstances.id, instance.id));
}

async function versionOf(tx: JobsTx, instance: InstanceRow): Promise<VersionRow> {
  const [version] = await tx.db.select().from(workflowVersions).where(eq(workflowVersions.id, instance.versionId));
  return version;
}

async function tell(tx: JobsTx, instance: InstanceRow, userIds: string[], kind: NotificationKind, step?: string) {
  await notify(
    tx,
    [...new Set(userIds)].map((userId) => ({
      userId,
      kind,
      params: { title: instance.summary.title, step: step ?? null },
      entityType: 'workflow-instance',
      entityId: instance.id,
    })),
  );
}

/**
 * Starts step `position` (1-based) of an instance as a new round: resolves who decides, records them on
 * the step and in the history, schedules the time-limit reminder, and tells them.
 */
async function startStep(
  tx: JobsTx,
  instance: InstanceRow,
  version: VersionRow,
  position: number,
  by: { actorId: string | null },
): Promise<void> {
  const step = version.steps[position - 1];
  const facts = instance.facts as SubjectFacts;
  const { assignees, note } = await resolveStep(tx.db, step, facts, instance.submittedBy, version.fallbackUserId);
  const round = instance.round + 1;
  const dueAt = step.timeLimitHours ? new Date(Date.now() + step.timeLimitHours * 3_600_000) : null;
  const [updated] = await tx.db
    .update(workflowInstances)
    .set({ status: 'running', currentStep: position, round, stepStartedAt: sql`now()`, dueAt })
    .where(eq(workflowInstances.id, instance.id))
    .returning();
  Object.assign(instance, updated);
  await tx.db
    .insert(workflowAssignments)
    .values(assignees.map((a) => ({ instanceId: instance.id, round, step: position, ...a })));
  const names = await getUserNames(
    tx.db,
    assignees.map((a) => a.userId),
  );
  await append(tx, instance, [
    {
      action: 'step',
      step: position,
      actorId: by.actorId,
      assignees: assignees.map((a) => ({ id: a.userId, name: names.get(a.userId) ?? '' })),
      note,
    },
  ]);
  if (dueAt) await tx.jobs.send(tx.db, 'workflow.overdue', { instanceId: instance.id, round }, { startAfter: dueAt });
  await tell(
    tx,
    instance,
    assignees.map((a) => a.userId),
    'approval-waiting',
    step.nameZh,
  );
}

/** Ends an instance (or hands it back to its submitter): no step waits any more; the subject kind reacts. */
async function settle(
  tx: Ctx,
  instance: InstanceRow,
  status: Exclude<InstanceStatus, 'running'>,
  entry: NewTransition,
): Promise<void> {
  await tx.db
    .update(workflowAssignments)
    .set({ open: false })
    .where(and(eq(workflowAssignments.instanceId, instance.id), eq(workflowAssignments.open, true)));
  const [updated] = await tx.db
    .update(workflowInstances)
    .set({
      status,
      currentStep: null,
      dueAt: null,
      endedAt: status === 'returned' ? null : sql`now()`,
    })
    .where(eq(workflowInstances.id, instance.id))
    .returning();
  Object.assign(instance, updated);
  await append(tx, instance, [entry]);
  await handlerOf(instance.subjectKind).onSettled(tx, instance.subjectId, status);
  await recordAudit(tx, {
    action: 'status',
    entityType: 'workflow-instance',
    entityId: instance.id,
    after: { status },
  });
  if (status !== 'withdrawn' && instance.submittedBy !== tx.actor.id)
    await tell(tx, instance, [instance.submittedBy], `approval-${status}` as NotificationKind);
}

/**
 * Sends a subject for approval (call it in the subject's own transaction, from its "submit" action): the
 * first active flow of its kind whose conditions hold starts at step 1 — or, when the subject's last flow
 * was returned to its submitter, that flow starts again at step 1 with the subject as it is now.
 * WORKFLOW_RUNNING when it is already waiting for a decision; WORKFLOW_NO_FLOW when no flow applies.
 */
export async function submitForApproval(tx: Ctx, kind: WorkflowSubjectKind, subjectId: string): Promise<string> {
  const { facts, summary } = await handlerOf(kind).describe(tx, subjectId);
  const [open] = await tx.db
    .select()
    .from(workflowInstances)
    .where(
      and(
        eq(workflowInstances.subjectKind, kind),
        eq(workflowInstances.subjectId, subjectId),
        inArray(workflowInstances.status, ['running', 'returned']),
      ),
    )
    .for('update');
  if (open?.status === 'running') throw new AppError('WORKFLOW_RUNNING');
  let instance: InstanceRow;
  let version: VersionRow;
  if (open) {
    if (open.submittedBy !== tx.actor.id) throw forbidden();
    const [updated] = await tx.db
      .update(workflowInstances)
      .set({ summary, facts, status: 'running' })
      .where(eq(workflowInstances.id, open.id))
      .returning();
    instance = updated;
    version = await versionOf(tx, instance);
  } else {
    const chosen = await applicableWorkflow(tx.db, kind, facts.fields);
    if (!chosen) throw new AppError('WORKFLOW_NO_FLOW');
    version = chosen;
    [instance] = await tx.db
      .insert(workflowInstances)
      .values({
        workflowId: version.workflowId,
        versionId: version.id,
        subjectKind: kind,
        subjectId,
        status: 'running',
        summary,
        facts,
        submittedBy: tx.actor.id,
      })
      .returning();
  }
  await append(tx, instance, [{ action: 'submit', actorId: tx.actor.id }]);
  await startStep(tx, instance, version, 1, { actorId: tx.actor.id });
  await recordAudit(tx, {
    action: open ? 'status' : 'create',
    entityType: 'workflow-instance',
    entityId: instance.id,
    after: { status: 'running', subjectKind: kind, subjectId },
  });
  return instance.id;
}

/** The newest approval of each subject (by submission), for showing where each stands. */
export async function latestApprovals(
  db: JobsTx['db'],
  kind: WorkflowSubjectKind,
  subjectIds: string[],
): Promise<Map<string, { id: string; status: InstanceStatus }>> {
  if (subjectIds.length === 0) return new Map();
  const rows = await db
    .selectDistinctOn([workflowInstances.subjectId], {
      subjectId: workflowInstances.subjectId,
      id: workflowInstances.id,
      status: workflowInstances.status,
    })
    .from(workflowInstances)
    .where(and(eq(workflowInstances.subjectKind, kind), inArray(workflowInstances.subjectId, subjectIds)))
    .orderBy(
      workflowInstances.subjectId,
      sql`${workflowInstances.submittedAt} DESC`,
      sql`${workflowInstances.id} DESC`,
    );
  return new Map(rows.map((r) => [r.subjectId, { id: r.id, status: r.status }]));
}

/** The condition "an assignment of the instance's current round". */
const ofRound = (instance: InstanceRow) =>
  and(eq(workflowAssignments.instanceId, instance.id), eq(workflowAssignments.round, instance.round));

/** The instance, locked for a decision; NOT_FOUND when the actor has no business with it. */
async function lockInstance(tx: Ctx, id: string, mayActOn: (instance: InstanceRow) => Promise<boolean>) {
  const [instance] = await tx.db.select().from(workflowInstances).where(eq(workflowInstances.id, id)).for('update');
  if (!instance || !(await mayActOn(instance))) throw notFound();
  return instance;
}

/**
 * The actor's open assignment on the instance's current round. 409 when the step is not running, or the
 * actor's decision was taken — by them, or by someone quicker on a step they held (it has moved on since);
 * 403 when the step never was theirs, or they handed it on to a delegate.
 */
async function myAssignment(tx: Ctx, instance: InstanceRow) {
  if (instance.status !== 'running') throw new AppError('WORKFLOW_NOT_RUNNING');
  const held = await tx.db
    .select()
    .from(workflowAssignments)
    .where(and(eq(workflowAssignments.instanceId, instance.id), eq(workflowAssignments.userId, tx.actor.id)));
  const mine = held.filter((a) => a.round === instance.round);
  const open = mine.find((a) => a.open);
  if (open) return open;
  // Closed in this round without a decision: handed to a delegate (a deactivated holder cannot ask).
  if (mine.length === 0 ? held.length === 0 : !mine.some((a) => a.decision)) throw forbidden();
  throw new AppError('WORKFLOW_ALREADY_DECIDED');
}

/**
 * A decision on the current step by one of its assignees (or their delegate), taken once: the instance is
 * locked, so of two approvers deciding together, or one clicking twice, the second finds the step moved
 * on and gets 409 WORKFLOW_ALREADY_DECIDED — also when they hold the next step, if they name the round
 * they decided on. Approve moves to the next step when the step's mode is
 * satisfied (any: the first approval; all: every assignee's), and ends the flow approved after the last;
 * reject ends it; return goes back to an earlier step the step allows, or to the submitter (0).
 */
export async function decide(ctx: Ctx, id: string, body: Decision): Promise<void> {
  const decision = DecisionSchema.parse(body);
  await inTransaction(ctx, async (tx) => {
    const instance = await lockInstance(tx, id, (i) => maySeeInstance(tx, i));
    const assignment = await myAssignment(tx, instance);
    if (decision.round !== undefined && decision.round !== instance.round)
      throw new AppError('WORKFLOW_ALREADY_DECIDED');
    const version = await versionOf(tx, instance);
    const position = instance.currentStep!;
    const step = version.steps[position - 1];
    if (decision.action === 'return') {
      const target = decision.returnTo ?? 0;
      if (target !== 0 && !step.returnTo.includes(target))
        throw invalidInput(ctx.actor.locale, [{ path: 'returnTo', key: 'validation.workflowReturnTarget' }]);
    }
    await tx.db
      .update(workflowAssignments)
      .set({ open: false, decision: decision.action, decidedAt: sql`now()` })
      .where(eq(workflowAssignments.id, assignment.id));
    await assertAttachable(tx, instance.id, decision.attachmentIds);
    const entry: NewTransition = {
      action: decision.action,
      step: position,
      actorId: ctx.actor.id,
      forUserId: assignment.forUserId,
      comment: decision.comment ?? null,
      attachmentIds: decision.attachmentIds,
    };
    if (decision.action === 'reject') return settle(tx, instance, 'rejected', entry);
    if (decision.action === 'return') {
      const target = decision.returnTo ?? 0;
      if (target === 0) return settle(tx, instance, 'returned', { ...entry, toStep: 0 });
      await tx.db
        .update(workflowAssignments)
        .set({ open: false })
        .where(and(eq(workflowAssignments.instanceId, instance.id), eq(workflowAssignments.open, true)));
      await append(tx, instance, [{ ...entry, toStep: target }]);
      await startStep(tx, instance, version, target, { actorId: ctx.actor.id });
      return tell(tx, instance, [instance.submittedBy], 'approval-returned');
    }
    const stillOpen =
      step.mode === 'all'
        ? await tx.db
            .select({ id: workflowAssignments.id })
            .from(workflowAssignments)
            .where(and(ofRound(instance), eq(workflowAssignments.open, true)))
        : [];
    if (stillOpen.length > 0) return append(tx, instance, [entry]);
    if (position === version.steps.length) return settle(tx, instance, 'approved', entry);
    await tx.db
      .update(workflowAssignments)
      .set({ open: false })
      .where(and(eq(workflowAssignments.instanceId, instance.id), eq(workflowAssignments.open, true)));
    await append(tx, instance, [entry]);
    await startStep(tx, instance, version, position + 1, { actorId: ctx.actor.id });
  });
}

/** The submitter takes the request back, while it runs or waits for them; the subject is editable again. */
export async function withdraw(ctx: Ctx, id: string, comment: string | null | undefined): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const instance = await lockInstance(tx, id, (i) => maySeeInstance(tx, i));
    if (instance.submittedBy !== ctx.actor.id) throw forbidden();
    if (instance.status !== 'running' && instance.status !== 'returned') throw new AppError('WORKFLOW_NOT_RUNNING');
    await settle(tx, instance, 'withdrawn', {
      action: 'withdraw',
      step: instance.currentStep,
      actorId: ctx.actor.id,
      comment: comment ?? null,
    });
  });
}

/** An assignee hands this one decision to a colleague, who then holds the step in their place. */
export async function delegate(ctx: Ctx, id: string, to: string, comment: string | null | undefined): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const instance = await lockInstance(tx, id, (i) => maySeeInstance(tx, i));
    const assignment = await myAssignment(tx, instance);
    const [target] = await tx.db
      .select({ id: users.id, name: users.displayName })
      .from(users)
      .where(and(eq(users.id, to), eq(users.active, true)));
    if (!target || to === ctx.actor.id || to === instance.submittedBy)
      throw invalidInput(ctx.actor.locale, [{ path: 'userId', key: 'validation.workflowDelegate' }]);
    // Someone who already decided this step cannot take a second decision on it (an "all" step would
    // count one person twice).
    const [decided] = await tx.db
      .select({ id: workflowAssignments.id })
      .from(workflowAssignments)
      .where(and(ofRound(instance), eq(workflowAssignments.userId, to), isNotNull(workflowAssignments.decision)));
    if (decided) throw invalidInput(ctx.actor.locale, [{ path: 'userId', key: 'validation.workflowDelegateDecided' }]);
    await tx.db.update(workflowAssignments).set({ open: false }).where(eq(workflowAssignments.id, assignment.id));
    await handOver(tx, instance, [
      { userId: to, reason: 'delegated', forUserId: assignment.forUserId ?? ctx.actor.id },
    ]);
    await append(tx, instance, [
      {
        action: 'delegate',
        step: instance.currentStep,
        actorId: ctx.actor.id,
        comment: comment ?? null,
        assignees: [{ id: target.id, name: target.name }],
      },
    ]);
    await tell(
      tx,
      instance,
      [to],
      'approval-waiting',
      (await versionOf(tx, instance)).steps[instance.currentStep! - 1].nameZh,
    );
  });
}

/** New open assignments on the current round, skipping people who already hold it open. */
async function handOver(
  tx: JobsTx,
  instance: InstanceRow,
  people: { userId: string; reason: 'delegated' | 'reassigned'; forUserId: string | null }[],
) {
  const holders = await tx.db
    .select({ userId: workflowAssignments.userId })
    .from(workflowAssignments)
    .where(and(ofRound(instance), eq(workflowAssignments.open, true)));
  const fresh = people.filter((p) => !holders.some((h) => h.userId === p.userId));
  if (fresh.length === 0) return;
  await tx.db
    .insert(workflowAssignments)
    .values(fresh.map((p) => ({ ...p, instanceId: instance.id, round: instance.round, step: instance.currentStep! })));
}

/**
 * A deactivated user's open steps go to each flow's fallback person (in the deactivating transaction),
 * with the reason in the history; the fallback is told.
 */
export async function reassignFromDeactivated(tx: Ctx, userId: string): Promise<void> {
  const open = await tx.db
    .select({
      assignment: workflowAssignments,
      instance: workflowInstances,
      fallbackUserId: workflowVersions.fallbackUserId,
    })
    .from(workflowAssignments)
    .innerJoin(workflowInstances, eq(workflowInstances.id, workflowAssignments.instanceId))
    .innerJoin(workflowVersions, eq(workflowVersions.id, workflowInstances.versionId))
    .where(and(eq(workflowAssignments.userId, userId), eq(workflowAssignments.open, true)))
    .for('update', { of: workflowInstances });
  const names = await getUserNames(
    tx.db,
    open.map((o) => o.fallbackUserId),
  );
  for (const { assignment, instance, fallbackUserId } of open) {
    await tx.db.update(workflowAssignments).set({ open: false }).where(eq(workflowAssignments.id, assignment.id));
    await handOver(tx, instance, [{ userId: fallbackUserId, reason: 'reassigned', forUserId: userId }]);
    await append(tx, instance, [
      {
        action: 'reassign',
        step: instance.currentStep,
        actorId: tx.actor.id,
        forUserId: userId,
        note: 'deactivated',
        assignees: [{ id: fallbackUserId, name: names.get(fallbackUserId) ?? '' }],
      },
    ]);
    await tell(tx, instance, [fallbackUserId], 'approval-waiting');
  }
}

/**
 * The time-limit reminder of a step (a job due when the step's limit passes): once per round, only while
 * that round still waits — a conditional update claims it, so a retried or duplicate job tells nobody twice.
 */
export async function remindOverdue(tx: JobsTx, instanceId: string, round: number): Promise<boolean> {
  const [instance] = await tx.db
    .update(workflowInstances)
    .set({ remindedRound: round })
    .where(
      and(
        eq(workflowInstances.id, instanceId),
        eq(workflowInstances.round, round),
        eq(workflowInstances.status, 'running'),
        sql`${workflowInstances.remindedRound} IS DISTINCT FROM ${round}`,
      ),
    )
    .returning();
  if (!instance) return false;
  const waiting = await tx.db
    .select({ userId: workflowAssignments.userId })
    .from(workflowAssignments)
    .where(
      and(
        eq(workflowAssignments.instanceId, instanceId),
        eq(workflowAssignments.round, round),
        eq(workflowAssignments.open, true),
      ),
    );
  await append(tx, instance, [{ action: 'overdue', step: instance.currentStep, assignees: [] }]);
  await tell(
    tx,
    instance,
    waiting.map((w) => w.userId),
    'approval-overdue',
  );
  return true;
}
