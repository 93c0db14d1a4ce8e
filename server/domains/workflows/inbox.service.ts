import { and, asc, count, desc, eq, isNotNull, max, sql } from 'drizzle-orm';
import { alias, type PgColumn } from 'drizzle-orm/pg-core';
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
import { fixedLimit, preparedOnce, type Db } from '../../db/client';
import { notFound } from '../../errors';
import { offsetOf, pageWithTotal } from '../../lib/listing';
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

/** The reader of an inbox: a placeholder, so that each box's statements are built once and prepared. */
const reader = sql.placeholder('reader');

/** Ids of the instances waiting for the reader now (their own or delegated to them). */
const waitingIds = sql`SELECT ${workflowAssignments.instanceId} FROM ${workflowAssignments}
    WHERE ${workflowAssignments.userId} = ${reader} AND ${workflowAssignments.open}`;

/** The instances the reader decided a step of, with when they last did. */
const decidedBy = (db: Db) =>
  db
    .select({ instanceId: workflowAssignments.instanceId, at: max(workflowAssignments.decidedAt).as('decided_at') })
    .from(workflowAssignments)
    .where(and(eq(workflowAssignments.userId, reader), isNotNull(workflowAssignments.decision)))
    .groupBy(workflowAssignments.instanceId)
    .as('decided');

const filtersOf = (query: Query) => [
  query.subjectKind ? eq(workflowInstances.subjectKind, sql.placeholder('kind')) : undefined,
  query.status ? eq(workflowInstances.status, sql.placeholder('status')) : undefined,
];

/** Which instances the waiting and mine boxes hold. */
const boxWhere = (query: Query) =>
  and(
    query.box === 'waiting'
      ? sql`${workflowInstances.id} IN (${waitingIds})`
      : eq(workflowInstances.submittedBy, reader),
    ...filtersOf(query),
  );

/** A page of one box with its filters (the offset a placeholder). */
function boxPage(db: Db, query: Query) {
  const offset = sql.placeholder('offset');
  if (query.box === 'decided') {
    const decided = decidedBy(db);
    return selectSummaries(db)
      .innerJoin(decided, eq(decided.instanceId, workflowInstances.id))
      .where(and(...filtersOf(query)))
      .orderBy(desc(decided.at), asc(workflowInstances.id))
      .limit(fixedLimit(query.pageSize))
      .offset(offset)
      .prepare(''); // named by preparedOnce
  }
  return selectSummaries(db)
    .where(boxWhere(query))
    .orderBy(
      ...(query.box === 'waiting'
        ? [asc(workflowInstances.stepStartedAt), asc(workflowInstances.id)]
        : [desc(workflowInstances.submittedAt), asc(workflowInstances.id)]),
    )
    .limit(fixedLimit(query.pageSize))
    .offset(offset)
    .prepare(''); // named by preparedOnce
}

/** How many instances one box holds with its filters. */
function boxCount(db: Db, query: Query) {
  if (query.box === 'decided') {
    const decided = decidedBy(db);
    return db
      .select({ total: count() })
      .from(workflowInstances)
      .innerJoin(decided, eq(decided.instanceId, workflowInstances.id))
      .where(and(...filtersOf(query)))
      .prepare(''); // named by preparedOnce
  }
  return db.select({ total: count() }).from(workflowInstances).where(boxWhere(query)).prepare(''); // named by preparedOnce
}

/** How many instances wait for the reader: their open assignments alone (the partial index), not the instances. */
const waitingCount = (db: Db) =>
  preparedOnce(db, 'approvals-waiting-count', () =>
    db
      .select({ total: sql<number>`count(DISTINCT ${workflowAssignments.instanceId})::int` })
      .from(workflowAssignments)
      .where(and(eq(workflowAssignments.userId, reader), eq(workflowAssignments.open, true)))
      .prepare(''),
  );

/**
 * The approvals inbox 审批: waiting for me (待我审批, oldest first — the longest waiting on top), mine (我发起的,
 * newest first) and decided by me (已处理, most recently decided first). The reader is on every instance
 * listed, so each is theirs to see. Opened with every page view and after every decision: each box and filter
 * shape is built once and prepared, the reader, the filters and the offset its placeholders.
 */
export async function listApprovals(ctx: Ctx, query: Query): Promise<Page<InstanceSummary>> {
  const shape = `${query.box}|${query.subjectKind ? 'kind' : ''}|${query.status ? 'status' : ''}`;
  const values = { reader: ctx.actor.id, kind: query.subjectKind, status: query.status, offset: offsetOf(query) };
  const { rows, total } = await pageWithTotal(
    query,
    preparedOnce(ctx.db, `approvals|${shape}|${query.pageSize}`, () => boxPage(ctx.db, query)).execute(values),
    () =>
      (query.box === 'waiting' && !query.subjectKind && !query.status
        ? waitingCount(ctx.db)
        : preparedOnce(ctx.db, `approvals-count|${shape}`, () => boxCount(ctx.db, query))
      ).execute(values),
  );
  return { items: rows.map(presentSummary), total, page: query.page, pageSize: query.pageSize };
}

/** How many approvals wait for the reader: the menu's badge. */
export async function countWaiting(ctx: Ctx): Promise<number> {
  const [{ total }] = await waitingCount(ctx.db).execute({ reader: ctx.actor.id });
  return total;
}

const forUser = alias(users, 'for_user');
const amongInstances = (column: PgColumn) => sql`${column} = ANY(${sql.placeholder('ids')}::uuid[])`;

/** The assignments of some instances with the names of whom they are held by and for (built once, prepared). */
const assignmentsOf = (db: Db) =>
  preparedOnce(db, 'workflow-assignments-of', () =>
    db
      .select({ a: workflowAssignments, userName: users.displayName, forUserName: forUser.displayName })
      .from(workflowAssignments)
      .innerJoin(users, eq(users.id, workflowAssignments.userId))
      .leftJoin(forUser, eq(forUser.id, workflowAssignments.forUserId))
      .where(amongInstances(workflowAssignments.instanceId))
      .orderBy(asc(workflowAssignments.round), asc(workflowAssignments.createdAt))
      .prepare(''),
  );

/** The transitions of some instances with the names of their actors (built once, prepared). */
const transitionsOf = (db: Db) =>
  preparedOnce(db, 'workflow-transitions-of', () =>
    db
      .select({ t: workflowTransitions, actorName: users.displayName, forUserName: forUser.displayName })
      .from(workflowTransitions)
      .leftJoin(users, eq(users.id, workflowTransitions.actorId))
      .leftJoin(forUser, eq(forUser.id, workflowTransitions.forUserId))
      .where(amongInstances(workflowTransitions.instanceId))
      .orderBy(asc(workflowTransitions.seq))
      .prepare(''),
  );

/** Instances in full: steps with who held them in their latest round, and the whole history. */
async function presentInstances(ctx: Ctx, rows: SummaryRow[]): Promise<Instance[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.instance.id);
  const [assignments, transitions, attachments] = await Promise.all([
    assignmentsOf(ctx.db).execute({ ids }),
    transitionsOf(ctx.db).execute({ ids }),
    attachmentsOf(ctx.db, ids),
  ]);
  const me = ctx.actor.id;
  return rows.map((r) => {
    const i = r.instance;
    const mine = assignments.filter(({ a }) => a.instanceId === i.id);
    const history = transitions.filter(({ t }) => t.instanceId === i.id);
    const steps = r.steps.map((step, index) => {
      const position = index + 1;
      const rounds = mine.filter(({ a }) => a.step === position).map(({ a }) => a.round);
      const latest = rounds.length ? Math.max(...rounds) : null;
      const held = mine.filter(({ a }) => a.step === position && a.round === latest);
      const started = history.filter(({ t }) => t.action === 'step' && t.step === position).at(-1)?.t;
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
        assignees: held.map(({ a, userName, forUserName }) => ({
          userId: a.userId,
          userName,
          reason: a.reason,
          forUserId: a.forUserId,
          forUserName,
          decision: a.decision,
          decidedAt: a.decidedAt?.toISOString() ?? null,
        })),
        note: started?.note ?? null,
      };
    });
    const openMine = mine.some(({ a }) => a.open && a.userId === me && a.round === i.round);
    const current = i.currentStep ? r.steps[i.currentStep - 1] : null;
    return {
      ...presentSummary(r),
      steps,
      transitions: history.map(({ t, actorName, forUserName }): Transition => ({
        id: t.id,
        action: t.action,
        step: t.step,
        toStep: t.toStep,
        actorId: t.actorId,
        actorName,
        forUserName,
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
  const [row] = await preparedOnce(ctx.db, 'workflow-instance', () =>
    selectSummaries(ctx.db)
      .where(eq(workflowInstances.id, sql.placeholder('id')))
      .prepare(''),
  ).execute({ id });
  if (!row || !(await maySeeInstance(ctx, row.instance))) throw notFound();
  return (await presentInstances(ctx, [row]))[0];
}

/**
 * Every approval of a subject, newest first: the timeline on its page. NOT_FOUND when the reader may not see it
 * (asked alongside reading the instances, which are dropped then).
 */
export async function subjectInstances(ctx: Ctx, kind: WorkflowSubjectKind, subjectId: string): Promise<Instance[]> {
  const [visible, rows] = await Promise.all([
    handlerOf(kind).canSee(ctx, subjectId),
    preparedOnce(ctx.db, 'workflow-instances-of-subject', () =>
      selectSummaries(ctx.db)
        .where(
          and(
            eq(workflowInstances.subjectKind, sql.placeholder('kind')),
            eq(workflowInstances.subjectId, sql.placeholder('subjectId')),
          ),
        )
        .orderBy(desc(workflowInstances.submittedAt), desc(workflowInstances.id))
        .prepare(''),
    ).execute({ kind, subjectId }),
  ]);
  if (!visible) throw notFound();
  return presentInstances(ctx, rows);
}
