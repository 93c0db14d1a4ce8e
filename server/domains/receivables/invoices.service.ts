import { alias } from 'drizzle-orm/pg-core';
import { and, count, eq, gte, lte, sql } from 'drizzle-orm';
import type { Page } from '../../../common/schemas/common';
import type { Invoice, InvoiceCreate, InvoiceListQuery } from '../../../common/schemas/receivables';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, duplicate, invalidInput, notFound } from '../../errors';
import { containsPattern, offsetOf, orderFrom, pageWithTotal } from '../../lib/listing';
import { recordAudit } from '../audit/audit.service';
import { contracts, orders } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { fromHundredths } from '../opportunities/quotes.service';
import { users } from '../staff/staff.tables';
import { allocateOldestFirst, openTotal } from '../../../common/allocation';
import {
  allocationsOf,
  checkAmountAndDate,
  linesOf,
  moveTerms,
  subjectColumns,
  subjectDimensions,
  visibleThroughSubject,
} from './records';
import { invoiceAllocations, invoices } from './receivables.tables';
import { assertReceivable, chosenLines, lockSubject, lockTerms, openTerms, subjectOf } from './subjects';

/**
 * Invoices 发票 (增值税普通发票 / 专用发票): number, kind, amount and date, against the terms of a contract
 * (or an order without one) — the oldest due first, or as chosen — never more than a term has left to
 * invoice. Voided with a reason, never deleted: the terms' `invoiced` go back.
 */

const creators = alias(users, 'invoice_creators');

function selectInvoices(db: Db) {
  return db
    .select({
      invoice: invoices,
      customerName: customers.name,
      ...subjectColumns,
      createdByName: creators.displayName,
    })
    .from(invoices)
    .innerJoin(customers, eq(customers.id, invoices.customerId))
    .leftJoin(contracts, eq(contracts.id, invoices.contractId))
    .leftJoin(orders, eq(orders.id, invoices.orderId))
    .leftJoin(creators, eq(creators.id, invoices.createdBy))
    .$dynamic();
}
type Row = Awaited<ReturnType<ReturnType<typeof selectInvoices>['execute']>>[number];

async function present(db: Db, rows: Row[]): Promise<Invoice[]> {
  const allocations = await allocationsOf(
    db,
    'invoice',
    rows.map((r) => r.invoice.id),
  );
  return rows.map(({ invoice: i, ...names }) => ({
    id: i.id,
    customerId: i.customerId,
    customerName: names.customerName,
    contractId: i.contractId,
    orderId: i.orderId,
    subjectNumber: names.subjectNumber,
    subjectTitle: names.subjectTitle,
    number: i.number,
    kind: i.kind,
    issuedOn: i.issuedOn,
    amount: i.amount,
    status: i.status,
    voidedReason: i.voidedReason,
    note: i.note,
    createdByName: names.createdByName,
    createdAt: i.createdAt.toISOString(),
    allocations: allocations.get(i.id) ?? [],
  }));
}

const visible = (ctx: Ctx) => visibleThroughSubject(ctx.actor, invoices);

export async function findInvoices(ctx: Ctx, query: InvoiceListQuery): Promise<Page<Invoice>> {
  const pattern = query.q ? containsPattern(query.q) : null;
  const where = and(
    visible(ctx),
    query.contractId ? eq(invoices.contractId, query.contractId) : undefined,
    query.orderId ? eq(invoices.orderId, query.orderId) : undefined,
    query.customerId ? eq(invoices.customerId, query.customerId) : undefined,
    query.from ? gte(invoices.issuedOn, query.from) : undefined,
    query.to ? lte(invoices.issuedOn, query.to) : undefined,
    query.status ? eq(invoices.status, query.status) : undefined,
    ...subjectDimensions(query, invoices),
    query.kind ? eq(invoices.kind, query.kind) : undefined,
    pattern
      ? sql`(${invoices.number} ILIKE ${pattern} OR ${customers.name} ILIKE ${pattern}
          OR ${contracts.number} ILIKE ${pattern} OR ${contracts.title} ILIKE ${pattern} OR ${orders.number} ILIKE ${pattern})`
      : undefined,
  );
  const order = orderFrom(
    query.sort,
    { issuedOn: invoices.issuedOn, amount: invoices.amount, createdAt: invoices.createdAt },
    '-issuedOn',
    invoices.id,
  );
  const { rows, total } = await pageWithTotal(
    query,
    selectInvoices(ctx.db)
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () =>
      ctx.db
        .select({ total: count() })
        .from(invoices)
        .innerJoin(customers, eq(customers.id, invoices.customerId))
        .leftJoin(contracts, eq(contracts.id, invoices.contractId))
        .leftJoin(orders, eq(orders.id, invoices.orderId))
        .where(where),
  );
  return { items: await present(ctx.db, rows), total, page: query.page, pageSize: query.pageSize };
}

export async function getInvoice(ctx: Ctx, id: string): Promise<Invoice> {
  const [row] = await selectInvoices(ctx.db).where(and(eq(invoices.id, id), visible(ctx)));
  if (!row) throw notFound();
  return (await present(ctx.db, [row]))[0];
}

const exceeds = () => new AppError('INVOICE_EXCEEDS');

export async function createInvoice(ctx: Ctx, input: InvoiceCreate): Promise<Invoice> {
  const cents = checkAmountAndDate(ctx, input.amount, input.issuedOn, 'issuedOn');
  const id = await inTransaction(ctx, async (tx) => {
    const subject = await lockSubject(tx, input);
    assertReceivable(subject);
    const [taken] = await tx.db
      .select({ id: invoices.id })
      .from(invoices)
      .where(and(eq(invoices.kind, input.kind), eq(invoices.number, input.number)));
    if (taken) throw duplicate('field.invoiceNumber', input.number);
    const terms = openTerms(await lockTerms(tx, subject), 'invoiced');
    let lines;
    if (input.allocation === undefined || input.allocation === 'auto') {
      if (cents > openTotal(terms)) throw exceeds();
      lines = allocateOldestFirst(terms, cents).lines;
    } else {
      const chosen = chosenLines(tx, terms, input.allocation, exceeds);
      if (chosen.sum !== cents)
        throw invalidInput(tx.actor.locale, [
          {
            path: 'body.allocation',
            key: 'validation.invoiceNotAllocated',
            params: { allocated: fromHundredths(chosen.sum), amount: fromHundredths(cents) },
          },
        ]);
      lines = chosen.lines;
    }
    const [invoice] = await tx.db
      .insert(invoices)
      .values({
        number: input.number,
        kind: input.kind,
        customerId: subject.customerId,
        contractId: subject.kind === 'contract' ? subject.id : null,
        orderId: subject.kind === 'order' ? subject.id : null,
        issuedOn: input.issuedOn,
        amount: fromHundredths(cents),
        note: input.note ?? null,
        createdBy: tx.actor.id,
      })
      .returning();
    await tx.db
      .insert(invoiceAllocations)
      .values(lines.map((l) => ({ invoiceId: invoice.id, termId: l.termId, amount: fromHundredths(l.cents) })));
    await moveTerms(tx.db, 'invoiced', lines, 1);
    await recordAudit(tx, {
      action: 'create',
      entityType: 'invoice',
      entityId: invoice.id,
      after: { ...invoice, allocations: lines.map((l) => ({ termId: l.termId, amount: fromHundredths(l.cents) })) },
    });
    return invoice.id;
  });
  return getInvoice(ctx, id);
}

/** Voids an invoice with a reason: what it invoiced on its terms goes back. */
export async function voidInvoice(ctx: Ctx, id: string, reason: string): Promise<Invoice> {
  await inTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .select({ invoice: invoices })
      .from(invoices)
      .leftJoin(contracts, eq(contracts.id, invoices.contractId))
      .leftJoin(orders, eq(orders.id, invoices.orderId))
      .where(and(eq(invoices.id, id), visible(tx)))
      .for('update', { of: invoices });
    if (!row) throw notFound();
    if (row.invoice.status === 'voided') throw new AppError('INVOICE_VOIDED');
    const lines = linesOf(
      await tx.db
        .select({ termId: invoiceAllocations.termId, amount: invoiceAllocations.amount })
        .from(invoiceAllocations)
        .where(eq(invoiceAllocations.invoiceId, id)),
    );
    await lockTerms(tx, subjectOf(row.invoice));
    await moveTerms(tx.db, 'invoiced', lines, -1);
    await tx.db
      .update(invoices)
      .set({ status: 'voided', voidedReason: reason, updatedAt: new Date() })
      .where(eq(invoices.id, id));
    await recordAudit(tx, {
      action: 'void',
      entityType: 'invoice',
      entityId: id,
      before: { status: row.invoice.status },
      after: { status: 'voided', reason },
    });
  });
  return getInvoice(ctx, id);
}
