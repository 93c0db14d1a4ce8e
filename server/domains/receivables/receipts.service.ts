import { alias } from 'drizzle-orm/pg-core';
import { and, count, eq, gt, gte, lte, sql } from 'drizzle-orm';
import type { Page } from '../../../common/schemas/common';
import type { Receipt, ReceiptAllocate, ReceiptCreate, ReceiptListQuery } from '../../../common/schemas/receivables';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, invalidInput, notFound } from '../../errors';
import { containsPattern, offsetOf, orderFrom, pageWithTotal } from '../../lib/listing';
import { recordAudit } from '../audit/audit.service';
import { contracts, orders } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { fromHundredths, toHundredths } from '../opportunities/quotes.service';
import { users } from '../staff/staff.tables';
import { allocateOldestFirst, openTotal, type Line } from '../../../common/allocation';
import {
  allocationsOf,
  checkAmountAndDate,
  linesOf,
  moveTerms,
  subjectColumns,
  subjectDimensions,
  visibleThroughSubject,
} from './records';
import { receiptAllocations, receipts } from './receivables.tables';
import { assertReceivable, chosenLines, lockSubject, lockTerms, openTerms, subjectOf, type Subject } from './subjects';

/**
 * Receipts 到款: money that arrived, recorded by finance against a contract (or an order without one) and
 * spread over its terms — the oldest due first, or as chosen. More than is outstanding is refused unless the
 * excess is held as the receipt's credit (`unallocated`), which can be allocated later. A wrong receipt is
 * reversed with a reason (its terms' `received` go back), never deleted. Every change locks the receipt and
 * then the terms (by id), so two people at once queue, and the second one is told what changed.
 */

const creators = alias(users, 'receipt_creators');
const reversers = alias(users, 'receipt_reversers');

function selectReceipts(db: Db) {
  return db
    .select({
      receipt: receipts,
      customerName: customers.name,
      ...subjectColumns,
      createdByName: creators.displayName,
      reversedByName: reversers.displayName,
    })
    .from(receipts)
    .innerJoin(customers, eq(customers.id, receipts.customerId))
    .leftJoin(contracts, eq(contracts.id, receipts.contractId))
    .leftJoin(orders, eq(orders.id, receipts.orderId))
    .leftJoin(creators, eq(creators.id, receipts.createdBy))
    .leftJoin(reversers, eq(reversers.id, receipts.reversedBy))
    .$dynamic();
}
type Row = Awaited<ReturnType<ReturnType<typeof selectReceipts>['execute']>>[number];

async function present(db: Db, rows: Row[]): Promise<Receipt[]> {
  const allocations = await allocationsOf(
    db,
    'receipt',
    rows.map((r) => r.receipt.id),
  );
  return rows.map(({ receipt: r, ...names }) => ({
    id: r.id,
    customerId: r.customerId,
    customerName: names.customerName,
    contractId: r.contractId,
    orderId: r.orderId,
    subjectNumber: names.subjectNumber,
    subjectTitle: names.subjectTitle,
    receivedOn: r.receivedOn,
    amount: r.amount,
    unallocated: r.unallocated,
    payer: r.payer,
    bankReference: r.bankReference,
    note: r.note,
    status: r.status,
    reversedReason: r.reversedReason,
    reversedAt: r.reversedAt?.toISOString() ?? null,
    reversedByName: names.reversedByName,
    createdByName: names.createdByName,
    createdAt: r.createdAt.toISOString(),
    allocations: allocations.get(r.id) ?? [],
  }));
}

const visible = (ctx: Ctx) => visibleThroughSubject(ctx.actor, receipts);

export async function findReceipts(ctx: Ctx, query: ReceiptListQuery): Promise<Page<Receipt>> {
  const pattern = query.q ? containsPattern(query.q) : null;
  const where = and(
    visible(ctx),
    query.contractId ? eq(receipts.contractId, query.contractId) : undefined,
    query.orderId ? eq(receipts.orderId, query.orderId) : undefined,
    query.customerId ? eq(receipts.customerId, query.customerId) : undefined,
    query.from ? gte(receipts.receivedOn, query.from) : undefined,
    query.to ? lte(receipts.receivedOn, query.to) : undefined,
    query.status ? eq(receipts.status, query.status) : undefined,
    ...subjectDimensions(query, receipts),
    query.withCredit ? and(eq(receipts.status, 'valid'), gt(receipts.unallocated, '0')) : undefined,
    pattern
      ? sql`(${receipts.payer} ILIKE ${pattern} OR ${receipts.bankReference} ILIKE ${pattern} OR ${customers.name} ILIKE ${pattern}
          OR ${contracts.number} ILIKE ${pattern} OR ${contracts.title} ILIKE ${pattern} OR ${orders.number} ILIKE ${pattern})`
      : undefined,
  );
  const order = orderFrom(
    query.sort,
    { receivedOn: receipts.receivedOn, amount: receipts.amount, createdAt: receipts.createdAt },
    '-receivedOn',
    receipts.id,
  );
  const { rows, total } = await pageWithTotal(
    query,
    selectReceipts(ctx.db)
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () =>
      ctx.db
        .select({ total: count() })
        .from(receipts)
        .innerJoin(customers, eq(customers.id, receipts.customerId))
        .leftJoin(contracts, eq(contracts.id, receipts.contractId))
        .leftJoin(orders, eq(orders.id, receipts.orderId))
        .where(where),
  );
  return { items: await present(ctx.db, rows), total, page: query.page, pageSize: query.pageSize };
}

export async function getReceipt(ctx: Ctx, id: string): Promise<Receipt> {
  const [row] = await selectReceipts(ctx.db).where(and(eq(receipts.id, id), visible(ctx)));
  if (!row) throw notFound();
  return (await present(ctx.db, [row]))[0];
}

const allocationExceeds = () => new AppError('RECEIPT_ALLOCATION_EXCEEDS');

/**
 * What `cents` (a new receipt's amount, or a receipt's credit) allocates to the subject's locked terms, and
 * what is left. Auto: oldest due first; the caller decides what a rest means.
 */
async function plan(
  ctx: Ctx,
  subject: Subject,
  allocation: ReceiptCreate['allocation'],
  cents: bigint,
): Promise<{ lines: Line[]; rest: bigint; outstanding: bigint }> {
  const terms = openTerms(await lockTerms(ctx, subject), 'received');
  const outstanding = openTotal(terms);
  if (allocation === undefined || allocation === 'auto') return { ...allocateOldestFirst(terms, cents), outstanding };
  const { lines, sum } = chosenLines(ctx, terms, allocation, allocationExceeds);
  if (sum > cents) throw allocationExceeds();
  return { lines, rest: cents - sum, outstanding };
}

async function writeLines(ctx: Ctx, receiptId: string, lines: Line[]): Promise<void> {
  if (lines.length === 0) return;
  await ctx.db
    .insert(receiptAllocations)
    .values(
      lines.map((l) => ({ receiptId, termId: l.termId, amount: fromHundredths(l.cents), createdBy: ctx.actor.id })),
    )
    .onConflictDoUpdate({
      target: [receiptAllocations.receiptId, receiptAllocations.termId],
      set: { amount: sql`${receiptAllocations.amount} + excluded.amount` },
    });
  await moveTerms(ctx.db, 'received', lines, 1);
}

const audited = (lines: Line[]) => lines.map((l) => ({ termId: l.termId, amount: fromHundredths(l.cents) }));

export async function createReceipt(ctx: Ctx, input: ReceiptCreate): Promise<Receipt> {
  const cents = checkAmountAndDate(ctx, input.amount, input.receivedOn, 'receivedOn');
  const id = await inTransaction(ctx, async (tx) => {
    const subject = await lockSubject(tx, input);
    assertReceivable(subject);
    const { lines, rest, outstanding } = await plan(tx, subject, input.allocation, cents);
    if (rest > 0n && !input.holdExcess) {
      if (input.allocation === undefined || input.allocation === 'auto')
        throw new AppError('RECEIPT_EXCEEDS_OUTSTANDING', {
          amount: fromHundredths(cents),
          outstanding: fromHundredths(outstanding),
        });
      throw invalidInput(tx.actor.locale, [
        {
          path: 'body.allocation',
          key: 'validation.receiptNotAllocated',
          params: { allocated: fromHundredths(cents - rest), amount: fromHundredths(cents) },
        },
      ]);
    }
    const [receipt] = await tx.db
      .insert(receipts)
      .values({
        customerId: subject.customerId,
        contractId: subject.kind === 'contract' ? subject.id : null,
        orderId: subject.kind === 'order' ? subject.id : null,
        receivedOn: input.receivedOn,
        amount: fromHundredths(cents),
        unallocated: fromHundredths(rest),
        payer: input.payer,
        bankReference: input.bankReference ?? null,
        note: input.note ?? null,
        createdBy: tx.actor.id,
      })
      .returning();
    await writeLines(tx, receipt.id, lines);
    await recordAudit(tx, {
      action: 'create',
      entityType: 'receipt',
      entityId: receipt.id,
      after: { ...receipt, allocations: audited(lines) },
    });
    return receipt.id;
  });
  return getReceipt(ctx, id);
}

/** The receipt, locked for update, if the actor sees it; refused once reversed. */
async function lockReceipt(ctx: Ctx, id: string) {
  const [row] = await ctx.db
    .select({ receipt: receipts })
    .from(receipts)
    .leftJoin(contracts, eq(contracts.id, receipts.contractId))
    .leftJoin(orders, eq(orders.id, receipts.orderId))
    .where(and(eq(receipts.id, id), visible(ctx)))
    .for('update', { of: receipts });
  if (!row) throw notFound();
  if (row.receipt.status === 'reversed') throw new AppError('RECEIPT_REVERSED');
  return row.receipt;
}

/**
 * Allocates (part of) a receipt's credit. `unallocated` is the credit the caller saw: when someone else
 * allocated or reversed it meanwhile, the second one gets RECEIPT_CHANGED (409) and nothing is written.
 */
export async function allocateReceipt(ctx: Ctx, id: string, input: ReceiptAllocate): Promise<Receipt> {
  await inTransaction(ctx, async (tx) => {
    const receipt = await lockReceipt(tx, id);
    const credit = toHundredths(receipt.unallocated);
    if (credit !== toHundredths(input.unallocated))
      throw new AppError('RECEIPT_CHANGED', { unallocated: receipt.unallocated });
    if (credit === 0n)
      throw invalidInput(tx.actor.locale, [{ path: 'body.unallocated', key: 'validation.receiptNoCredit' }]);
    const subject = await lockSubject(tx, {
      contractId: receipt.contractId ?? undefined,
      orderId: receipt.orderId ?? undefined,
    });
    assertReceivable(subject);
    const { lines, rest } = await plan(tx, subject, input.allocation, credit);
    if (lines.length === 0) throw allocationExceeds();
    await tx.db
      .update(receipts)
      .set({ unallocated: fromHundredths(rest), updatedAt: new Date() })
      .where(eq(receipts.id, id));
    await writeLines(tx, id, lines);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'receipt',
      entityId: id,
      before: { unallocated: receipt.unallocated },
      after: { unallocated: fromHundredths(rest), allocations: audited(lines) },
    });
  });
  return getReceipt(ctx, id);
}

/** Reverses a wrong receipt: what it gave its terms goes back; the receipt stays, marked, with the reason. */
export async function reverseReceipt(ctx: Ctx, id: string, reason: string): Promise<Receipt> {
  await inTransaction(ctx, async (tx) => {
    const receipt = await lockReceipt(tx, id);
    const given = await tx.db
      .select({ termId: receiptAllocations.termId, amount: receiptAllocations.amount })
      .from(receiptAllocations)
      .where(eq(receiptAllocations.receiptId, id));
    const lines = linesOf(given);
    // The terms in the one order every writer takes them in.
    if (lines.length) await lockTerms(tx, subjectOf(receipt));
    await moveTerms(tx.db, 'received', lines, -1);
    const reversedAt = new Date();
    await tx.db
      .update(receipts)
      .set({ status: 'reversed', reversedReason: reason, reversedAt, reversedBy: tx.actor.id, updatedAt: reversedAt })
      .where(eq(receipts.id, id));
    await recordAudit(tx, {
      action: 'reverse',
      entityType: 'receipt',
      entityId: id,
      before: { status: receipt.status },
      after: { status: 'reversed', reason, allocations: audited(lines) },
    });
  });
  return getReceipt(ctx, id);
}
