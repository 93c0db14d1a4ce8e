import { and, asc, count, desc, eq, inArray, isNotNull, max, sql, type SQL } from 'drizzle-orm';
import type { Page } from '../../../common/schemas/common';
import type {
  Instance,
  InstanceSummary,
  Transition,
  WorkflowSubjectKind,
  ApprovalListQuery,
} from '../../../common/schemas/workflows';
import type { z } from 'zod';
import type { Ctx } from '../../context';
import type { Db } from '../../db/client';
import { notFound } from '../../errors';
import { offsetOf } from '../../lib/listing';
import { getUserNames } from '../staff/actors';
import { users } from '../staff/staff.tables';
import { attachmentsOf } from './attachments.service';
import { maySeeInstance } from './access';
import { handlerOf } from './registry';
import { workflowAssignments, workflowInstances, workflowTransitions, workflowVersions } from './workflows.tables';

type Query = z.output<typeof ApprovalListQuery>;

function summaryColumns() {
  return {
    instance: workflowInstances,
    workflowNameZh: workflowVersions.nameZh,
    workflowNameEn: workflowVersions.nameEn,
    version: workflowVersions.version,
    steps: workflowVersions.steps,
    submittedByName: users.displayName,
  };
}
type SummaryRow = {
  instance: typeof workflowInstances.$inferSelect;
  workflowNameZh: string;
  workflowNameEn: string;
  version: number;
  steps: (typeof workflowVersions.$inferSelect)['steps'];
  submittedByName: string;
};

function presentSummary(r: SummaryRow): InstanceSummary {
  const i = r.instance;
  const current = i.currentStep ? r.steps[i.currentStep - 1] : null;
  return {
    id: i.id,
    subjectKind: i.subjectKind,
    subjectId: i.subjectId,
    summary: i.summary,
    status: i.status,
    workflowNameZh: r.workflowNameZh,
    workflowNameEn: r.workflowNameEn,
    version: r.version,
    currentStep: i.currentStep,
    round: i.round,
    currentStepNameZh: current?.nameZh ?? null,
    currentStepNameEn: current?.nameEn ?? null,
    stepCount: r.steps.length,
    submittedBy: i.submittedBy,
    submittedByName: r.submittedByName,
    submittedAt: i.submittedAt.toISOString(),
    endedAt: i.endedAt?.toISOString() ?? null,
    dueAt: i.dueAt?.toISOString() ?? null,
  };
}

const selectSummaries = (db: Db) =>
  db
    .select(summaryColumns())
    .from(workflowInstances)
    .innerJoin(workflowVersions, eq(workflowVersions.id, workflowInstances.versionId))
    .innerJoin(users, eq(users.id, workflowInstances.submittedBy))
    .$dynamic();

/** Ids of the instances waiting for the reader now (their own or delegated to them). */
const waitingFor = (userId: string) =>
  sql`SELECT ${workflowAssignments.instanceId} FROM ${workflowAssignments}
    WHERE ${workflowAssignments.userId} = ${userId} AND ${workflowAssignments.open}`;

/**
 * The approvals inbox 审批: waiting for me (待我审批, oldest first — the longest waiting on top), mine (我发起的,
 * newest first) and decided by me (已处理, most recently decided first). The reader is on every instance
 * listed, so each is theirs to see.
 */
export async function listApprovals(ctx: Ctx, query: Query): Promise<Page<InstanceSummary>> {
  const me = ctx.actor.id;
  const filters: (SQL | undefined)[] = [
    query.subjectKind ? eq(workflowInstances.subjectKind, query.subjectKind) : undefined,
    query.status ? eq(workflowInstances.status, query.status) : undefined,
  ];
  let where: SQL;
  let order: SQL[];
  if (query.box === 'waiting') {
    where = and(sql`${workflowInstances.id} IN (${waitingFor(me)})`, ...filters)!;
    order = [asc(workflowInstances.stepStartedAt), asc(workflowInstances.id)];
  } else if (query.box === 'mine') {
    where = and(eq(workflowInstances.submittedBy, me), ...filters)!;
    order = [desc(workflowInstances.submittedAt), asc(workflowInstances.id)];
  } else {
    const decided = ctx.db
      .select({ instanceId: workflowAssignments.instanceId, at: max(workflowAssignments.decidedAt).as('decided_at') })
      .from(workflowAssignments)
      .where(and(eq(workflowAssignments.userId, me), isNotNull(workflowAssignments.decision)))
      .groupBy(workflowAssignments.instanceId)
      .as('decided');
    const rows = await selectSummaries(ctx.db)
      .innerJoin(decided, eq(decided.instanceId, workflowInstances.id))
      .where(and(...filters))
      .orderBy(desc(decided.at), asc(workflowInstances.id))
      .limit(query.pageSize)
      .offset(offsetOf(query));
    const [{ total }] = await ctx.db
      .select({ total: count() })
      .from(workflowInstances)
      .innerJoin(decided, eq(decided.instanceId, workflowInstances.id))
      .where(and(...filters));
    return { items: rows.map(presentSummary), total, page: query.page, pageSize: query.pageSize };
  }
  const [rows, [{ total }]] = await Promise.all([
    selectSummaries(ctx.db)
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    ctx.db.select({ total: count() }).from(workflowInstances).where(where),
  ]);
  return { items: rows.map(presentSummary), total, page: query.page, pageSize: query.pageSize };
}

/** How many approvals wait for the reader: the menu's badge. */
export async function countWaiting(ctx: Ctx): Promise<number> {
  const [{ n }] = await ctx.db
    .select({ n: sql<number>`count(DISTINCT ${workflowAssignments.instanceId})::int` })
    .from(workflowAssignments)
    .where(and(eq(workflowAssignments.userId, ctx.actor.id), eq(workflowAssignments.open, true)));
  return n;
}

/** Instances in full: steps with who held them in their latest round, and the whole history. */
async function presentInstances(ctx: Ctx, rows: SummaryRow[]): Promise<Instance[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.instance.id);
  const [assignments, transitions] = await Promise.all([
    ctx.db
      .select()
      .from(workflowAssignments)
      .where(inArray(workflowAssignments.instanceId, ids))
      .orderBy(asc(workflowAssignments.round), asc(workflowAssignments.createdAt)),
    ctx.db
      .select()
      .from(workflowTransitions)
      .where(inArray(workflowTransitions.instanceId, ids))
      .orderBy(asc(workflowTransitions.seq)),
  ]);
  const attachments = await attachmentsOf(ctx.db, ids);
  const names = await getUserNames(ctx.db, [
    ...assignments.flatMap((a) => [a.userId, a.forUserId ?? a.userId]),
    ...transitions.flatMap((t) => [t.actorId, t.forUserId].filter((x): x is string => !!x)),
  ]);
  const me = ctx.actor.id;
  return rows.map((r) => {
    const i = r.instance;
    const mine = assignments.filter((a) => a.instanceId === i.id);
    const history = transitions.filter((t) => t.instanceId === i.id);
    const steps = r.steps.map((step, index) => {
      const position = index + 1;
      const rounds = mine.filter((a) => a.step === position).map((a) => a.round);
      const latest = rounds.length ? Math.max(...rounds) : null;
      const held = mine.filter((a) => a.step === position && a.round === latest);
      const started = history.filter((t) => t.action === 'step' && t.step === position).at(-1);
      const state: 'waiting' | 'current' | 'done' =
        i.status === 'running' && i.currentStep === position
          ? 'current'
          : i.status === 'approved' || (i.status === 'running' && i.currentStep! > position)
            ? 'done'
            : 'waiting';
      return {
        position,
        nameZh: step.nameZh,
        nameEn: step.nameEn,
        mode: step.mode,
        state,
        dueAt: state === 'current' ? (i.dueAt?.toISOString() ?? null) : null,
        assignees: held.map((a) => ({
          userId: a.userId,
          userName: names.get(a.userId) ?? '',
          reason: a.reason,
          forUserId: a.forUserId,
          forUserName: a.forUserId ? (names.get(a.forUserId) ?? null) : null,
          decision: a.decision,
          decidedAt: a.decidedAt?.toISOString() ?? null,
        })),
        note: started?.note ?? null,
      };
    });
    const openMine = mine.some((a) => a.open && a.userId === me && a.round === i.round);
    const current = i.currentStep ? r.steps[i.currentStep - 1] : null;
    return {
      ...presentSummary(r),
      steps,
      transitions: history.map((t): Transition => ({
        id: t.id,
        action: t.action,
        step: t.step,
        toStep: t.toStep,
        actorId: t.actorId,
        actorName: t.actorId ? (names.get(t.actorId) ?? null) : null,
        forUserName: t.forUserId ? (names.get(t.forUserId) ?? null) : null,
        comment: t.comment,
        assignees: t.assignees,
        note: t.note,
        attachments: t.attachmentIds.flatMap((id) => attachments.get(id) ?? []),
        at: t.at.toISOString(),
      })),
      mayDecide: i.status === 'running' && openMine,
      mayWithdraw: i.submittedBy === me && (i.status === 'running' || i.status === 'returned'),
      returnTargets: i.status === 'running' && openMine && current ? [0, ...current.returnTo] : [],
    };
  });
}

/** One instance, for its submitter, anyone who held a step, and whoever may see its subject. */
export async function getInstance(ctx: Ctx, id: string): Promise<Instance> {
  const [row] = await selectSummaries(ctx.db).where(eq(workflowInstances.id, id));
  if (!row || !(await maySeeInstance(ctx, row.instance))) throw notFound();
  return (await presentInstances(ctx, [row]))[0];
}

/** Every approval of a subject, newest first: the timeline on its page. NOT_FOUND when the reader may not see it. */
export async function subjectInstances(ctx: Ctx, kind: WorkflowSubjectKind, subjectId: string): Promise<Instance[]> {
  if (!(await handlerOf(kind).canSee(ctx, subjectId))) throw notFound();
  const rows = await selectSummaries(ctx.db)
    .where(and(eq(workflowInstances.subjectKind, kind), eq(workflowInstances.subjectId, subjectId)))
    .orderBy(desc(workflowInstances.submittedAt), desc(workflowInstances.id));
  return presentInstances(ctx, rows);
}
