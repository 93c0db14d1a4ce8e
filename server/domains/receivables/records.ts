import { and, asc, eq, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Ctx } from '../../context';
import type { Db } from '../../db/client';
import { invalidInput } from '../../errors';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import type { Actor } from '../../policy';
import { receivableContracts, receivableOrders } from '../contracts/contracts.policy';
import { contracts, orders, paymentTerms } from '../contracts/contracts.tables';
import { dimensionFilters, type Dimensions } from '../contracts/dimensions';
import { fromHundredths, toHundredths } from '../opportunities/quotes.service';
import type { Line } from '../../../common/allocation';
import { invoiceAllocations, receiptAllocations } from './receivables.tables';

/*
 * What receipts and invoices share: both go against a contract or an order (LEFT JOINed as `contracts` and
 * `orders` in their queries), are seen by whoever sees that one's receivables, and spread over its terms.
 */

type MoneyRecord = { contractId: PgColumn; orderId: PgColumn };

/** The record's contract or order is within the actor's receivables (the query LEFT JOINs both). */
export function visibleThroughSubject(actor: Actor, record: MoneyRecord): SQL {
  return or(
    and(isNotNull(record.contractId), receivableContracts(actor)),
    and(isNotNull(record.orderId), receivableOrders(actor)),
  )!;
}

/**
 * The reports' drill-down filters on such a query (business line, owner, department subtree, branch, customer's
 * region), as the contract or the order without one has them.
 */
export function subjectDimensions(given: Dimensions, record: MoneyRecord & { customerId: PgColumn }): SQL[] {
  return dimensionFilters(given, {
    businessLine: sql`coalesce(${contracts.businessLineId}, ${orders.businessLineId})`,
    owner: sql`coalesce(${contracts.ownerId}, ${orders.ownerId})`,
    department: sql`coalesce(${contracts.departmentId}, ${orders.departmentId})`,
    contractBranch: sql`${contracts.branchId}`,
    customer: sql`${record.customerId}`,
  });
}

/** The subject's number and title columns of such a query. */
export const subjectColumns = {
  subjectNumber: sql<string | null>`coalesce(${contracts.number}, ${orders.number})`,
  subjectTitle: sql<string>`coalesce(${contracts.title}, ${orders.title})`,
};

/** Adds (or, negative, takes back) money on terms: `received` for receipts, `invoiced` for invoices. */
export async function moveTerms(db: Db, column: 'received' | 'invoiced', lines: Line[], sign: 1 | -1): Promise<void> {
  const target = paymentTerms[column];
  for (const line of [...lines].sort((a, b) => (a.termId < b.termId ? -1 : 1))) {
    const amount = fromHundredths(line.cents);
    await db
      .update(paymentTerms)
      .set({
        [column]: sign > 0 ? sql`${target} + ${amount}::numeric` : sql`${target} - ${amount}::numeric`,
        updatedAt: new Date(),
      })
      .where(eq(paymentTerms.id, line.termId));
  }
}

export type AllocationRow = {
  ownerId: string;
  termId: string;
  position: number;
  kind: (typeof paymentTerms.$inferSelect)['kind'];
  dueOn: string | null;
  amount: string;
};

/** The terms each of the records (receipts or invoices) went to, by record, in the terms' order. */
export async function allocationsOf(
  db: Db,
  kind: 'receipt' | 'invoice',
  ids: string[],
): Promise<Map<string, Omit<AllocationRow, 'ownerId'>[]>> {
  const byRecord = new Map<string, Omit<AllocationRow, 'ownerId'>[]>();
  if (ids.length === 0) return byRecord;
  const table = kind === 'receipt' ? receiptAllocations : invoiceAllocations;
  const owner = kind === 'receipt' ? receiptAllocations.receiptId : invoiceAllocations.invoiceId;
  const rows = await db
    .select({
      ownerId: owner,
      termId: table.termId,
      position: paymentTerms.position,
      kind: paymentTerms.kind,
      dueOn: paymentTerms.dueOn,
      amount: table.amount,
    })
    .from(table)
    .innerJoin(paymentTerms, eq(paymentTerms.id, table.termId))
    .where(inArray(owner, ids))
    .orderBy(asc(paymentTerms.position));
  for (const { ownerId, ...line } of rows) {
    const list = byRecord.get(ownerId) ?? [];
    list.push(line);
    byRecord.set(ownerId, list);
  }
  return byRecord;
}

/** Allocation rows as lines in cents. */
export const linesOf = (rows: { termId: string; amount: string }[]): Line[] =>
  rows.map((r) => ({ termId: r.termId, cents: toHundredths(r.amount) }));

/** A positive amount dated no later than today (the firm's): a receipt's or an invoice's, in cents. */
export function checkAmountAndDate(ctx: Ctx, amount: string, date: string, dateField: string): bigint {
  const cents = toHundredths(amount);
  const issues = [
    ...(cents <= 0n ? [{ path: 'body.amount', key: 'validation.amountPositive' as const }] : []),
    ...(date > localDate(new Date(), FIRM_TIME_ZONE)
      ? [{ path: `body.${dateField}`, key: 'validation.dateInFuture' as const }]
      : []),
  ];
  if (issues.length) throw invalidInput(ctx.actor.locale, issues);
  return cents;
}
