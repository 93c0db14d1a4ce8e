import { and, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { translate } from '../../../common/i18n';
import type { MonthDraft, MonthDraftInput, MonthDraftResult } from '../../../common/schemas/commissions';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, notFound } from '../../errors';
import type { Jobs } from '../../jobs/engine';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { contracts, orders } from '../contracts/contracts.tables';
import { engagements } from '../engagements/engagements.tables';
import { timeEntries, timesheetWeeks } from '../engagements/timesheets.tables';
import { receipts } from '../receivables/receivables.tables';
import { loadActor } from '../staff/actors';
import { draftableContracts, draftableOrders } from './commissions.policy';
import { commissionSources } from './commissions.tables';
import { draftSubjects, refusalOf, type DraftOutcome, type Refusal } from './drafting';
import { endOfMonth, monthBounds, subjectKey, type Subject } from './gather';
import { POLICY_LOCK, policyInForce } from './policies.service';

/**
 * Drafting every sheet 分配表 of a month at once (commissions:write): every contract (or order without one) the actor
 * may draft — as the single draft allows them — with something not yet counted up to the month's end, on the job
 * queue `commission.month` with its progress (done of total subjects) in the job's data and its result (drafted,
 * skipped with reasons) as its output. The subjects go in chunks, each chunk one transaction: its subjects locked,
 * gathered at once and drafted in bulk (drafting.ts, the single draft's code) inside a savepoint; when that meets
 * another draft (a live sheet of the month, something counted at once — the unique indexes), the chunk is drafted
 * again one subject at a time, each in its own savepoint, so that one refusal skips that subject with its reason and
 * the rest are drafted. Nothing is counted twice: commission_sources' unique key decides.
 */

const QUEUE = 'commission.month';
/** Subjects per transaction: a few statements each, progress after each. */
const CHUNK = 250;
/** The skipped subjects listed in the result (all are counted). */
const LISTED = 500;

/** Starts drafting a month's sheets (not one after this month; a policy in force); its job's id. */
export async function startMonthDraft(ctx: Ctx, input: z.output<typeof MonthDraftInput>) {
  const { first } = monthBounds(input.period);
  if (first > localDate(new Date(), FIRM_TIME_ZONE))
    throw new AppError('COMMISSION_PERIOD_FUTURE', { period: input.period });
  if (!(await policyInForce(ctx.db, first))) throw new AppError('COMMISSION_NO_POLICY', { period: input.period });
  const id = await ctx.jobs.send(ctx.db, QUEUE, {
    actorId: ctx.actor.id,
    period: input.period,
    requestId: ctx.requestId,
  });
  return { id: id! };
}

type Stored = { actorId: string; period: string; done?: number; total?: number };

/** A month's drafting as its starter follows it: progress, then the result (404 for anyone else, or no such job). */
export async function getMonthDraft(ctx: Ctx, id: string): Promise<MonthDraft> {
  const job = await ctx.jobs.boss.getJobById<Stored>(QUEUE, id);
  if (!job || job.data.actorId !== ctx.actor.id) throw notFound();
  const done = job.data.done ?? 0;
  const total = job.data.total ?? 0;
  if (job.state === 'completed') {
    const result = job.output as MonthDraftResult;
    return { id, status: 'done', done: result.subjects, total: result.subjects, result };
  }
  if (job.state === 'failed' || job.state === 'cancelled') return { id, status: 'failed', done, total };
  return { id, status: 'running', done, total };
}

type Candidate = Subject & { number: string | null; title: string };

/**
 * The subjects with something not yet counted up to the month's end — a valid receipt, a reversal of a counted one, an
 * approved time entry of their engagements — that the actor may draft, in key order (two drafts at once meet in it).
 */
async function candidatesOf(ctx: Ctx, last: string): Promise<Candidate[]> {
  const { rows } = (await ctx.db.execute(sql`
    SELECT DISTINCT x.contract_id, x.order_id FROM (
      SELECT r.contract_id, CASE WHEN r.contract_id IS NULL THEN r.order_id END AS order_id
      FROM ${receipts} r
      WHERE r.status = 'valid' AND r.amount > r.unallocated AND r.received_on <= ${last}::date
        AND NOT EXISTS (SELECT 1 FROM ${commissionSources} c WHERE c.kind = 'receipt' AND c.source_id = r.id)
      UNION ALL
      SELECT r.contract_id, CASE WHEN r.contract_id IS NULL THEN r.order_id END
      FROM ${receipts} r JOIN ${commissionSources} c ON c.kind = 'receipt' AND c.source_id = r.id
      WHERE r.status = 'reversed' AND r.reversed_at < ${endOfMonth(last).toISOString()}::timestamptz
        AND NOT EXISTS (SELECT 1 FROM ${commissionSources} x WHERE x.kind = 'reversal' AND x.source_id = r.id)
      UNION ALL
      SELECT e.contract_id, CASE WHEN e.contract_id IS NULL THEN e.order_id END
      FROM ${timeEntries} t
      JOIN ${engagements} e ON e.id = t.engagement_id AND e.status <> 'cancelled'
      JOIN ${timesheetWeeks} w ON w.user_id = t.user_id AND w.status = 'approved'
        AND w.week_start BETWEEN t.work_date - 6 AND t.work_date
      WHERE t.work_date <= ${last}::date
        AND NOT EXISTS (SELECT 1 FROM ${commissionSources} c WHERE c.kind = 'time-entry' AND c.source_id = t.id)
    ) x`)) as unknown as { rows: { contract_id: string | null; order_id: string | null }[] };
  const contractIds = rows.flatMap((r) => (r.contract_id ? [r.contract_id] : []));
  const orderIds = rows.flatMap((r) => (!r.contract_id && r.order_id ? [r.order_id] : []));
  const [ofContracts, ofOrders] = [
    contractIds.length
      ? await ctx.db
          .select({
            id: contracts.id,
            ownerId: contracts.ownerId,
            departmentId: contracts.departmentId,
            businessLineId: contracts.businessLineId,
            number: contracts.number,
            title: contracts.title,
          })
          .from(contracts)
          .where(
            and(sql`${contracts.id} = ANY(${`{${contractIds.join(',')}}`}::uuid[])`, draftableContracts(ctx.actor)),
          )
      : [],
    orderIds.length
      ? await ctx.db
          .select({
            id: orders.id,
            ownerId: orders.ownerId,
            departmentId: orders.departmentId,
            businessLineId: orders.businessLineId,
            number: orders.number,
            title: orders.title,
          })
          .from(orders)
          .where(
            and(
              sql`${orders.id} = ANY(${`{${orderIds.join(',')}}`}::uuid[])`,
              sql`${orders.contractId} IS NULL`,
              draftableOrders(ctx.actor),
            ),
          )
      : [],
  ];
  return [
    ...ofContracts.map(({ id, ...c }) => ({ ...c, contractId: id, orderId: null })),
    ...ofOrders.map(({ id, ...o }) => ({ ...o, contractId: null, orderId: id })),
  ].sort((a, b) => (subjectKey(a) < subjectKey(b) ? -1 : 1));
}

/** Locks the chunk's subjects against changes (as the single draft does), keeping those the actor may still draft. */
async function lockChunk(tx: Ctx, chunk: Candidate[]): Promise<Candidate[]> {
  const ids = (kind: 'contract' | 'order') =>
    `{${chunk.flatMap((s) => (kind === 'contract' ? (s.contractId ?? []) : s.contractId ? [] : [s.orderId!])).join(',')}}`;
  const locked = new Set([
    ...(
      await tx.db
        .select({ id: contracts.id })
        .from(contracts)
        .where(and(sql`${contracts.id} = ANY(${ids('contract')}::uuid[])`, draftableContracts(tx.actor)))
        .orderBy(contracts.id)
        .for('share')
    ).map((r) => r.id),
    ...(
      await tx.db
        .select({ id: orders.id })
        .from(orders)
        .where(and(sql`${orders.id} = ANY(${ids('order')}::uuid[])`, draftableOrders(tx.actor)))
        .orderBy(orders.id)
        .for('share')
    ).map((r) => r.id),
  ]);
  return chunk.filter((s) => locked.has(subjectKey(s)));
}

/** Drafts in a savepoint: what it drafted, or the refusal a unique index (or a deadlock) gave — anything else fails. */
async function inSavepoint(
  tx: Ctx,
  draft: (sp: Ctx) => Promise<DraftOutcome>,
): Promise<DraftOutcome | { failed: Refusal }> {
  try {
    return await tx.db.transaction((db) => draft({ ...tx, db: db as unknown as Db }));
  } catch (error) {
    const refusal = refusalOf(error);
    if (!refusal) throw error;
    return { failed: refusal };
  }
}

/** Drafts the month (the job's work) as the actor who asked; reports progress in the job's data; the result. */
export async function runMonthDraft(
  deps: { db: Db; jobs: Jobs },
  jobId: string,
  data: { actorId: string; period: string; requestId: string },
): Promise<MonthDraftResult> {
  const actor = await loadActor(deps.db, data.actorId);
  if (!actor) throw new Error('the user who asked is no longer active');
  const ctx: Ctx = { ...deps, actor, requestId: data.requestId };
  const { period } = data;
  const { first, last } = monthBounds(period);
  const candidates = await candidatesOf(ctx, last);
  const total = candidates.length;
  const report = (done: number) =>
    deps.db.execute(
      sql`UPDATE pgboss.job SET data = data || ${JSON.stringify({ done, total })}::jsonb WHERE name = ${QUEUE} AND id = ${jobId}::uuid`,
    );
  await report(0);

  let drafted = 0;
  const skipped: { subject: Candidate; code: Refusal }[] = [];
  const byKey = new Map(candidates.map((s) => [subjectKey(s), s]));
  for (let i = 0; i < candidates.length; i += CHUNK) {
    const chunk = candidates.slice(i, i + CHUNK);
    const outcome = await inTransaction(ctx, async (tx): Promise<DraftOutcome> => {
      await tx.db.execute(sql`SELECT pg_advisory_xact_lock_shared(${POLICY_LOCK})`);
      const policy = await policyInForce(tx.db, first);
      if (!policy)
        return { drafted: [], refused: chunk.map((s) => ({ key: subjectKey(s), code: 'COMMISSION_NO_POLICY' })) };
      const mine = await lockChunk(tx, chunk);
      const all = await inSavepoint(tx, (sp) => draftSubjects(sp, period, policy, mine));
      if (!('failed' in all)) return all;
      // Someone drafted some of these at once: one at a time, each refusal its subject's alone.
      const one: DraftOutcome = { drafted: [], refused: [] };
      for (const subject of mine) {
        const got = await inSavepoint(tx, (sp) => draftSubjects(sp, period, policy, [subject]));
        if ('failed' in got) one.refused.push({ key: subjectKey(subject), code: got.failed });
        else {
          one.drafted.push(...got.drafted);
          one.refused.push(...got.refused);
        }
      }
      return one;
    });
    drafted += outcome.drafted.length;
    for (const r of outcome.refused) skipped.push({ subject: byKey.get(r.key)!, code: r.code });
    await report(Math.min(i + CHUNK, total));
  }
  return {
    period,
    subjects: total,
    drafted,
    skipped: skipped.length,
    skippedSubjects: skipped.slice(0, LISTED).map(({ subject, code }) => ({
      contractId: subject.contractId,
      orderId: subject.orderId,
      subjectNumber: subject.number,
      subjectTitle: subject.title,
      code,
      message: translate(actor.locale, `error.${code}`, { period }),
    })),
  };
}
