import { and, asc, count, desc, eq, isNotNull, max, sql, type SQL } from 'drizzle-orm';
import type { Page } from '../../../common/schemas/common';
import type {
  Instance,
  SubjectApprovals,
  InstanceSummary,
  WorkflowSubjectKind,
  ApprovalListQuery,
} from '../../../common/schemas/workflows';
import type { z } from 'zod';
import type { Ctx } from '../../context';
import { fixedLimit, pageOffset, preparedOnce, type Db } from '../../db/client';
import { notFound } from '../../errors';
import { isoText, offsetOf, pageWithTotal } from '../../lib/listing';
import { JsonText } from '../../lib/serialize';
import { files } from '../files/files.tables';
import { users } from '../staff/staff.tables';
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

/** The reader (of an inbox, of a history): a placeholder, so that statements are built once and prepared. */
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

/** A page of one box with its filters (the offset: pageOffset). */
function boxPage(db: Db, query: Query) {
  const { offset } = pageOffset(query);
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
    preparedOnce(ctx.db, `approvals|${shape}|${pageOffset(query).key}`, () => boxPage(ctx.db, query)).execute(values),
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

/** A key of a step of the version (jsonb as stored, or null). */
const step = (key: string) => sql.raw(`s.step->'${key}'`);

/**
 * Instances as the API's Instance, in JSON the database writes — fields in the schema's order, timestamps as
 * toISOString() writes them —: steps with who held them in their latest round, the whole history with names
 * and documents, and what the reader may do. The instances are those `where` picks (of `i`, the instance);
 * each set is read once for all of them (the transitions, the assignments, the users by a hash). The answer's
 * rows: `json` with the instance's id, submitter, subject kind and subject, and `submitted_at` for ordering.
 */
const instancesAsJson = (where: SQL) => sql`WITH inst AS (SELECT i.* FROM ${workflowInstances} i WHERE ${where}),
tr AS (SELECT t.* FROM ${workflowTransitions} t WHERE t.instance_id IN (SELECT id FROM inst)),
history AS MATERIALIZED (SELECT t.instance_id, json_agg(json_build_object('id', t.id, 'action', t.action, 'step', t.step,
    'toStep', t.to_step, 'actorId', t.actor_id, 'actorName', ta.display_name, 'forUserName', tf.display_name,
    'comment', t.comment, 'assignees', t.assignees, 'note', t.note,
    'attachments', CASE WHEN t.attachment_ids = '[]'::jsonb THEN '[]'::json ELSE coalesce((
      SELECT json_agg(json_build_object('id', f.id, 'filename', f.filename, 'contentType', f.content_type,
          'size', f.size, 'createdAt', ${isoText(sql`f.created_at`)}) ORDER BY named.n)
      FROM jsonb_array_elements_text(t.attachment_ids) WITH ORDINALITY AS named(id, n)
      JOIN ${files} f ON f.id = named.id::uuid AND f.owner_type = 'workflow-instance' AND f.owner_id = t.instance_id), '[]') END,
    'at', ${isoText(sql`t.at`)}) ORDER BY t.seq) AS transitions
  FROM tr t LEFT JOIN ${users} ta ON ta.id = t.actor_id LEFT JOIN ${users} tf ON tf.id = t.for_user_id
  GROUP BY t.instance_id),
notes AS (SELECT DISTINCT ON (t.instance_id, t.step) t.instance_id, t.step, t.note FROM tr t
  WHERE t.action = 'step' ORDER BY t.instance_id, t.step, t.seq DESC),
asg AS (SELECT a.*, rank() OVER (PARTITION BY a.instance_id, a.step ORDER BY a.round DESC) AS latest
  FROM ${workflowAssignments} a WHERE a.instance_id IN (SELECT id FROM inst)),
held AS (SELECT a.instance_id, a.step, json_agg(json_build_object('userId', a.user_id, 'userName', au.display_name,
    'reason', a.reason, 'forUserId', a.for_user_id, 'forUserName', af.display_name, 'decision', a.decision,
    'decidedAt', ${isoText(sql`a.decided_at`)}) ORDER BY a.created_at) AS assignees
  FROM asg a JOIN ${users} au ON au.id = a.user_id LEFT JOIN ${users} af ON af.id = a.for_user_id
  WHERE a.latest = 1 GROUP BY a.instance_id, a.step),
mine AS MATERIALIZED (SELECT DISTINCT a.instance_id FROM asg a JOIN inst i ON i.id = a.instance_id
  WHERE a.round = i.round AND a.user_id = ${reader} AND a.open),
steps AS MATERIALIZED (SELECT i.id AS instance_id, json_agg(json_build_object(
    'position', s.n, 'nameZh', ${step('nameZh')}, 'nameEn', ${step('nameEn')}, 'mode', ${step('mode')},
    'state', st.state, 'dueAt', CASE WHEN st.state = 'current' THEN ${isoText(sql`i.due_at`)} END,
    'assignees', coalesce(h.assignees, '[]'), 'note', n.note) ORDER BY s.n) AS steps
  FROM inst i JOIN ${workflowVersions} v ON v.id = i.version_id
  CROSS JOIN LATERAL jsonb_array_elements(v.steps) WITH ORDINALITY AS s(step, n)
  CROSS JOIN LATERAL (SELECT CASE WHEN i.status = 'running' AND i.current_step = s.n THEN 'current'
    WHEN i.status = 'approved' OR (i.status = 'running' AND i.current_step > s.n) THEN 'done'
    ELSE 'waiting' END AS state) st
  LEFT JOIN held h ON h.instance_id = i.id AND h.step = s.n
  LEFT JOIN notes n ON n.instance_id = i.id AND n.step = s.n
  GROUP BY i.id)
SELECT i.id, i.submitted_by, i.subject_kind, i.subject_id, i.submitted_at, json_build_object(
  'id', i.id, 'subjectKind', i.subject_kind, 'subjectId', i.subject_id,
  'summary', json_build_object('title', i.summary->'title',
    'facts', coalesce((SELECT json_agg(CASE WHEN f ? 'money'
        THEN json_build_object('key', f->'key', 'value', f->'value', 'money', f->'money')
        ELSE json_build_object('key', f->'key', 'value', f->'value') END ORDER BY n)
      FROM jsonb_array_elements(i.summary->'facts') WITH ORDINALITY AS facts(f, n)), '[]'),
    'link', i.summary->'link'),
  'status', i.status, 'workflowNameZh', v.name_zh, 'workflowNameEn', v.name_en, 'version', v.version,
  'currentStep', i.current_step, 'round', i.round,
  'currentStepNameZh', CASE WHEN i.current_step >= 1 THEN v.steps->(i.current_step - 1)->'nameZh' END,
  'currentStepNameEn', CASE WHEN i.current_step >= 1 THEN v.steps->(i.current_step - 1)->'nameEn' END,
  'stepCount', jsonb_array_length(v.steps), 'submittedBy', i.submitted_by, 'submittedByName', u.display_name,
  'submittedAt', ${isoText(sql`i.submitted_at`)}, 'endedAt', ${isoText(sql`i.ended_at`)}, 'dueAt', ${isoText(sql`i.due_at`)},
  'steps', coalesce(sp.steps, '[]'), 'transitions', coalesce(h.transitions, '[]'),
  'mayDecide', i.status = 'running' AND m.instance_id IS NOT NULL,
  'mayWithdraw', i.submitted_by = ${reader} AND i.status IN ('running', 'returned'),
  'returnTargets', CASE WHEN i.status = 'running' AND m.instance_id IS NOT NULL AND i.current_step >= 1
    THEN ('[0]'::jsonb || coalesce(v.steps->(i.current_step - 1)->'returnTo', '[]'))::json ELSE '[]'::json END
) AS json
FROM inst i JOIN ${workflowVersions} v ON v.id = i.version_id JOIN ${users} u ON u.id = i.submitted_by
LEFT JOIN steps sp ON sp.instance_id = i.id LEFT JOIN history h ON h.instance_id = i.id
LEFT JOIN mine m ON m.instance_id = i.id`;

/** The JSON of the instance `where` picks (at most one), with who submitted it and of which subject. */
const oneInstanceJson = (db: Db, key: string, where: SQL) =>
  preparedOnce(db, key, () =>
    db
      .select({
        id: sql<string>`x.id`,
        submittedBy: sql<string>`x.submitted_by`,
        subjectKind: sql<WorkflowSubjectKind>`x.subject_kind`,
        subjectId: sql<string>`x.subject_id`,
        json: sql<string>`x.json::text`,
      })
      .from(sql`(${instancesAsJson(where)}) x`)
      .prepare(''),
  );

const byId = sql`i.id = ${sql.placeholder('id')}`;

/**
 * One instance, for its submitter, anyone who held a step, and whoever may see its subject. Who may is asked
 * before its JSON is built: a hidden instance costs what an unknown one does (no timing tells them apart).
 */
export async function getInstance(ctx: Ctx, id: string): Promise<JsonText<Instance>> {
  const [row] = await preparedOnce(ctx.db, 'workflow-instance-access', () =>
    ctx.db
      .select({
        id: workflowInstances.id,
        submittedBy: workflowInstances.submittedBy,
        subjectKind: workflowInstances.subjectKind,
        subjectId: workflowInstances.subjectId,
      })
      .from(workflowInstances)
      .where(eq(workflowInstances.id, sql.placeholder('id')))
      .prepare(''),
  ).execute({ id });
  if (!row || !(await maySeeInstance(ctx, row))) throw notFound();
  const [found] = await oneInstanceJson(ctx.db, 'workflow-instance-json', byId).execute({ id, reader: ctx.actor.id });
  if (!found) throw notFound(); // deleted in between
  return new JsonText(found.json);
}

/**
 * The approvals of a subject for the timeline on its page: the newest in full (its steps and whole history, as the
 * database writes it), the earlier ones as summaries, newest first — the page shows the newest open and loads an
 * earlier one's history (GET /workflow-instances/:id) when it is opened: a subject returned and resubmitted a dozen
 * times has 100+ KB of history nobody reads at once. NOT_FOUND when the reader may not see the subject, asked
 * first: nothing is read for a reader who may not have it.
 */
export async function subjectApprovals(
  ctx: Ctx,
  kind: WorkflowSubjectKind,
  subjectId: string,
): Promise<SubjectApprovals> {
  if (!(await handlerOf(kind).canSee(ctx, subjectId))) throw notFound();
  // Every approval as a summary, newest first; then the newest in full (one after the other: on a small server two
  // statements at once only compete for the same cores). The newest is the first summary, so the two never overlap.
  const summaries = await preparedOnce(ctx.db, 'workflow-summaries-of-subject', () =>
    selectSummaries(ctx.db)
      .where(
        and(
          eq(workflowInstances.subjectKind, sql.placeholder('kind')),
          eq(workflowInstances.subjectId, sql.placeholder('subjectId')),
        ),
      )
      .orderBy(desc(workflowInstances.submittedAt), desc(workflowInstances.id))
      .prepare(''),
  ).execute({ kind, subjectId });
  const [newest, ...earlier] = summaries;
  const [latest] = newest
    ? await oneInstanceJson(ctx.db, 'workflow-instance-json', byId).execute({
        id: newest.instance.id,
        reader: ctx.actor.id,
      })
    : [];
  return {
    latest: latest ? (JSON.parse(latest.json) as Instance) : null,
    earlier: earlier.map(presentSummary),
  };
}
