import { and, asc, count, desc, eq, or, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { Page } from '../../../common/schemas/common';
import type {
  Explanation,
  Sheet,
  SheetCreate,
  SheetListQuery,
  SheetLine,
  SheetSummary,
} from '../../../common/schemas/commissions';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, notFound } from '../../errors';
import { containsPattern, offsetOf, orderFrom, pageWithTotal } from '../../lib/listing';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { recordAudit } from '../audit/audit.service';
import { lockedForChange } from '../contracts/contracts.service';
import { visibleContracts, visibleOrders } from '../contracts/contracts.policy';
import { contracts, orders } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { workflowAssignments, workflowInstances } from '../workflows/workflows.tables';
import { businessLines, departments, users } from '../staff/staff.tables';
import { draftableContracts, draftableOrders, visibleSheets, wholeSheets, writableSheets } from './commissions.policy';
import { commissionLines, commissionPolicies, commissionSheets, commissionSources } from './commissions.tables';
import { scaled } from './compute';
import { draftSubjects, moneyText, refusalOf } from './drafting';
import { monthBounds, type Subject } from './gather';
import { POLICY_LOCK, policyInForce } from './policies.service';

/**
 * Allocation sheets 分配表: one month of one contract (or of an order without one). Drafting gathers what is not yet
 * counted — the receipts received up to the month's end (their part allocated to the subject's terms), the reversals
 * of receipts counted before (a negative line now), the approved hours of the subject's engagements up to the month's
 * end — and the people (the sale side: the owner 业务承接人, the contract's other team members as 顾问; the work side:
 * each engagement's lead 项目负责人 and team with their roles), applies the policy version in force on the month's
 * first day (compute.ts) and writes a line per person and side with its explanation — gather.ts and drafting.ts, the
 * same code as the month's drafting of every subject (month.service.ts). What it counted is recorded in
 * commission_sources under a unique key, so nothing is ever counted twice: two people drafting at once meet there
 * (or at the one-live-sheet-per-month index) and the second is refused with nothing written.
 */

type SheetRow = typeof commissionSheets.$inferSelect;

export { moneyText, monthBounds };
const fenOf = (value: string) => scaled(value, 2);

/** The subject, locked against concurrent drafting of it; 403 when the actor only sees it, 404 otherwise. */
async function lockSubject(tx: Ctx, input: z.output<typeof SheetCreate>): Promise<Subject> {
  if (input.contractId) {
    const id = input.contractId;
    const row = await lockedForChange(
      tx.db
        .select({
          ownerId: contracts.ownerId,
          departmentId: contracts.departmentId,
          businessLineId: contracts.businessLineId,
        })
        .from(contracts)
        .where(and(eq(contracts.id, id), draftableContracts(tx.actor)))
        .for('share'),
      () =>
        tx.db
          .select({ id: contracts.id })
          .from(contracts)
          .where(and(eq(contracts.id, id), visibleContracts(tx.actor))),
    );
    return { ...row, contractId: id, orderId: null };
  }
  const id = input.orderId!;
  const row = await lockedForChange(
    tx.db
      .select({
        ownerId: orders.ownerId,
        departmentId: orders.departmentId,
        businessLineId: orders.businessLineId,
        contractId: orders.contractId,
      })
      .from(orders)
      .where(and(eq(orders.id, id), draftableOrders(tx.actor)))
      .for('share'),
    () =>
      tx.db
        .select({ id: orders.id })
        .from(orders)
        .where(and(eq(orders.id, id), visibleOrders(tx.actor))),
  );
  // An order of a contract is counted with its contract.
  if (row.contractId) throw new AppError('COMMISSION_ORDER_OF_CONTRACT');
  return {
    contractId: null,
    orderId: id,
    ownerId: row.ownerId,
    departmentId: row.departmentId,
    businessLineId: row.businessLineId,
  };
}

/** Drafts the month's sheet of a contract or order (see the module's comment); 201 with the sheet. */
export async function draftSheet(ctx: Ctx, input: z.output<typeof SheetCreate>): Promise<Sheet> {
  let id: string;
  try {
    id = await inTransaction(ctx, (tx) => draftLocked(tx, input));
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal) throw new AppError(refusal, { period: input.period });
    throw error;
  }
  return getSheet(ctx, id);
}

async function draftLocked(tx: Ctx, input: z.output<typeof SheetCreate>): Promise<string> {
  await tx.db.execute(sql`SELECT pg_advisory_xact_lock_shared(${POLICY_LOCK})`);
  const subject = await lockSubject(tx, input);
  const { first } = monthBounds(input.period);
  if (first > localDate(new Date(), FIRM_TIME_ZONE))
    throw new AppError('COMMISSION_PERIOD_FUTURE', { period: input.period });
  const policy = await policyInForce(tx.db, first);
  if (!policy) throw new AppError('COMMISSION_NO_POLICY', { period: input.period });
  // The month's drafting of one subject: the same gathering, arithmetic and writing.
  const { drafted, refused } = await draftSubjects(tx, input.period, policy, [subject]);
  if (refused.length) throw new AppError(refused[0].code, { period: input.period });
  return drafted[0].sheetId;
}

const subjectTitle = sql<string>`coalesce(${contracts.title}, ${orders.title})`;
const subjectNumber = sql<string | null>`coalesce(${contracts.number}, ${orders.number})`;

function selectSummaries(db: Db) {
  return db
    .select({
      s: commissionSheets,
      subjectTitle,
      subjectNumber,
      customerName: customers.name,
      businessLineName: businessLines.name,
      ownerName: users.displayName,
      policyVersion: commissionPolicies.version,
    })
    .from(commissionSheets)
    .leftJoin(contracts, eq(contracts.id, commissionSheets.contractId))
    .leftJoin(orders, eq(orders.id, commissionSheets.orderId))
    .innerJoin(customers, sql`${customers.id} = coalesce(${contracts.customerId}, ${orders.customerId})`)
    .innerJoin(businessLines, eq(businessLines.id, commissionSheets.businessLineId))
    .innerJoin(users, eq(users.id, commissionSheets.ownerId))
    .innerJoin(commissionPolicies, eq(commissionPolicies.id, commissionSheets.policyId));
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof selectSummaries>['execute']>>[number];

function presentSummary(r: SummaryRow): SheetSummary {
  const s = r.s;
  return {
    id: s.id,
    period: s.period,
    contractId: s.contractId,
    orderId: s.orderId,
    subjectNumber: r.subjectNumber,
    subjectTitle: r.subjectTitle,
    customerName: r.customerName,
    businessLineId: s.businessLineId,
    businessLineName: r.businessLineName,
    ownerId: s.ownerId,
    ownerName: r.ownerName,
    policyVersion: r.policyVersion,
    status: s.status,
    received: s.received,
    hours: s.hours,
    total: s.total,
    paidOn: s.paidOn,
    createdAt: s.createdAt.toISOString(),
  };
}

/** The sheets the reader may see, filtered by month, status, line or contract, or found by contract or customer. */
export async function findSheets(ctx: Ctx, query: z.output<typeof SheetListQuery>): Promise<Page<SheetSummary>> {
  const filters: SQL[] = [visibleSheets(ctx.actor)];
  if (query.period) filters.push(eq(commissionSheets.period, query.period));
  if (query.status) filters.push(eq(commissionSheets.status, query.status));
  if (query.businessLineId) filters.push(eq(commissionSheets.businessLineId, query.businessLineId));
  if (query.contractId) filters.push(eq(commissionSheets.contractId, query.contractId));
  if (query.q) {
    const pattern = containsPattern(query.q);
    filters.push(
      or(
        sql`${subjectTitle} ILIKE ${pattern}`,
        sql`${subjectNumber} ILIKE ${pattern}`,
        sql`${customers.name} ILIKE ${pattern}`,
      )!,
    );
  }
  const where = and(...filters);
  const order = orderFrom(
    query.sort,
    { createdAt: commissionSheets.createdAt, period: commissionSheets.period, total: commissionSheets.total },
    '-createdAt',
    commissionSheets.id,
  );
  const { rows, total } = await pageWithTotal(
    query,
    selectSummaries(ctx.db)
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () =>
      ctx.db
        .select({ total: count() })
        .from(commissionSheets)
        .leftJoin(contracts, eq(contracts.id, commissionSheets.contractId))
        .leftJoin(orders, eq(orders.id, commissionSheets.orderId))
        .innerJoin(customers, sql`${customers.id} = coalesce(${contracts.customerId}, ${orders.customerId})`)
        .where(where),
  );
  return { items: rows.map(presentSummary), total, page: query.page, pageSize: query.pageSize };
}

/** A sheet the reader may see (404 otherwise), with its lines — only their own when they see no more of it. */
export async function getSheet(ctx: Ctx, id: string): Promise<Sheet> {
  const [row] = await selectSummaries(ctx.db).where(and(eq(commissionSheets.id, id), visibleSheets(ctx.actor)));
  if (!row) throw notFound();
  const [[whole], [writable], lines, heldStep] = await Promise.all([
    ctx.db
      .select({ one: sql`1` })
      .from(commissionSheets)
      .where(and(eq(commissionSheets.id, id), wholeSheets(ctx.actor))),
    ctx.db
      .select({ one: sql`1` })
      .from(commissionSheets)
      .where(and(eq(commissionSheets.id, id), writableSheets(ctx.actor))),
    selectLines(ctx.db, id),
    heldStepOf(ctx.db, id, ctx.actor.id),
  ]);
  const ownLinesOnly = !whole && heldStep === null;
  const s = row.s;
  const shown = ownLinesOnly ? lines.filter((l) => l.userId === ctx.actor.id) : lines;
  return {
    ...presentSummary(row),
    receivedBefore: s.receivedBefore,
    shares: s.shares,
    pools: ownLinesOnly ? [] : poolsOf(shown),
    lines: shown,
    ownLinesOnly,
    mayChange: Boolean(writable) && s.status === 'draft',
    heldStep,
    updatedAt: s.updatedAt.toISOString(),
  };
}

/** Per pool rule: the pool and what its lines do not place (nobody's hours or shares yet). */
function poolsOf(lines: SheetLine[]): Sheet['pools'] {
  const pools = new Map<string, { pool: bigint; placed: bigint; split: 'hours' | 'shares' }>();
  for (const l of lines) {
    const poolStep = l.explanation.steps.find((s) => s.kind === 'pool');
    const shareStep = l.explanation.steps.find((s) => s.kind === 'share');
    if (!poolStep || poolStep.kind !== 'pool' || !shareStep || shareStep.kind !== 'share') continue;
    const entry = pools.get(l.explanation.ruleKey) ?? {
      pool: fenOf(poolStep.pool),
      placed: 0n,
      split: shareStep.split,
    };
    entry.placed += fenOf(l.computed);
    pools.set(l.explanation.ruleKey, entry);
  }
  return [...pools].map(([ruleKey, p]) => {
    const undistributed = p.placed === 0n ? p.pool : 0n;
    return {
      ruleKey,
      pool: moneyText(p.pool),
      undistributed: moneyText(undistributed),
      reason: undistributed === 0n ? null : p.split === 'hours' ? 'no-hours' : 'no-shares',
    };
  });
}

async function selectLines(db: Db, sheetId: string): Promise<SheetLine[]> {
  const adjuster = sql<string | null>`(SELECT display_name FROM ${users} a WHERE a.id = ${commissionLines.adjustedBy})`;
  const rows = await db
    .select({ l: commissionLines, name: users.displayName, departmentName: departments.name, adjuster })
    .from(commissionLines)
    .innerJoin(users, eq(users.id, commissionLines.userId))
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .where(eq(commissionLines.sheetId, sheetId))
    .orderBy(asc(commissionLines.side), desc(commissionLines.amount), asc(users.displayName), asc(commissionLines.id));
  return rows.map(({ l, name, departmentName, adjuster: byName }) => ({
    id: l.id,
    userId: l.userId,
    name,
    departmentName,
    side: l.side,
    role: l.role,
    method: l.method,
    computed: l.computed,
    amount: l.amount,
    adjusted:
      l.adjustedAt && l.adjustReason
        ? { byName: byName ?? '', at: l.adjustedAt.toISOString(), step: l.adjustedAtStep ?? 1, reason: l.adjustReason }
        : null,
    explanation: l.explanation as Explanation,
    paidOn: l.paidOn,
  }));
}

/**
 * The step of the sheet's running flow the actor holds now, as the five steps count (② … ⑤: the flow's step + 1);
 * null when they hold none.
 */
export async function heldStepOf(db: Db, sheetId: string, userId: string): Promise<number | null> {
  const [row] = await db
    .select({ step: workflowInstances.currentStep })
    .from(workflowInstances)
    .innerJoin(
      workflowAssignments,
      and(
        eq(workflowAssignments.instanceId, workflowInstances.id),
        eq(workflowAssignments.round, workflowInstances.round),
        eq(workflowAssignments.userId, userId),
        eq(workflowAssignments.open, true),
      ),
    )
    .where(
      and(
        eq(workflowInstances.subjectKind, 'commission-sheet'),
        eq(workflowInstances.subjectId, sheetId),
        eq(workflowInstances.status, 'running'),
      ),
    )
    .limit(1);
  return row?.step ? row.step + 1 : null;
}

/** Locks a sheet the actor may change (403 when they only see it, 404 otherwise). */
export const lockSheet = (tx: Ctx, id: string): Promise<SheetRow> =>
  lockedForChange(
    tx.db
      .select()
      .from(commissionSheets)
      .where(and(eq(commissionSheets.id, id), writableSheets(tx.actor)))
      .for('update'),
    () =>
      tx.db
        .select({ id: commissionSheets.id })
        .from(commissionSheets)
        .where(and(eq(commissionSheets.id, id), visibleSheets(tx.actor))),
  );

/** Cancels a draft sheet: what it counted is free again (COMMISSION_SHEET_STATUS unless a draft). */
export async function cancelSheet(ctx: Ctx, id: string): Promise<Sheet> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockSheet(tx, id);
    if (before.status !== 'draft')
      throw new AppError('COMMISSION_SHEET_STATUS', { statusKey: `sheetStatus.${before.status}` });
    await tx.db.delete(commissionSources).where(eq(commissionSources.sheetId, id));
    await tx.db
      .update(commissionSheets)
      .set({ status: 'cancelled', updatedAt: new Date(), updatedBy: tx.actor.id })
      .where(eq(commissionSheets.id, id));
    await recordAudit(tx, {
      action: 'cancel',
      entityType: 'commission-sheet',
      entityId: id,
      before: { status: before.status },
      after: { status: 'cancelled' },
    });
  });
  return getSheet(ctx, id);
}
