import { and, asc, count, eq, gte, ilike, inArray, isNull, lte, ne, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { Page } from '../../../common/schemas/common';
import type {
  Order,
  OrderCreate,
  OrderListQuery,
  OrderStatus,
  PaymentTermInput,
} from '../../../common/schemas/contracts';
import { inTransaction, type Ctx } from '../../context';
import { AppError, invalidInput, notFound } from '../../errors';
import { containsPattern, offsetOf, orderFrom, pageWithTotal } from '../../lib/listing';
import { recordAudit } from '../audit/audit.service';
import { customers } from '../customers/customers.tables';
import { issueNumber, registerNumberedKind } from '../numbering/numbering.service';
import { writableOpportunities } from '../opportunities/opportunities.policy';
import { opportunities, quoteItems, quotes } from '../opportunities/opportunities.tables';
import { fromHundredths, toHundredths } from '../opportunities/quotes.service';
import { businessLines, users } from '../staff/staff.tables';
import { visibleOrders, writableContracts, writableOrders } from './contracts.policy';
import { dimensionFilters } from './dimensions';
import { checkedTerms, lockContract, lockedForChange, presentTerm, replaceTerms, today } from './contracts.service';
import { contractLines, contracts, orderLines, orders, paymentTerms } from './contracts.tables';
import { remindDueTerms } from './term-reminders';
import { dueOn } from './terms';

/**
 * 销售订单: what the engagement module turns into work. From a signed contract (its lines), or from a won
 * opportunity for simple services without a contract (lines given or its accepted quote's, and its own terms).
 * draft → confirmed (numbered: gapless, as contracts) → completed 结项 (completion-triggered terms fall due): when the
 * last of its engagements is archived (completeOrderAsSystem), or by hand ("mark completed", for orders without
 * one); cancelled with a reason.
 */

type OrderRow = typeof orders.$inferSelect;

const money = (value: string) => fromHundredths(toHundredths(value));
const orderStatusError = (status: OrderStatus) =>
  new AppError('ORDER_STATUS_INVALID', { statusKey: `orderStatus.${status}` });

function orderFilters(ctx: Ctx, query: z.infer<typeof OrderListQuery>): SQL {
  const filters: SQL[] = [visibleOrders(ctx.actor)];
  if (query.status) filters.push(eq(orders.status, query.status));
  if (query.contractId) filters.push(eq(orders.contractId, query.contractId));
  if (query.opportunityId) filters.push(eq(orders.opportunityId, query.opportunityId));
  if (query.customerId) filters.push(eq(orders.customerId, query.customerId));
  if (query.confirmedFrom) filters.push(gte(orders.confirmedOn, query.confirmedFrom));
  if (query.confirmedTo) filters.push(lte(orders.confirmedOn, query.confirmedTo));
  if (query.withoutContract) filters.push(isNull(orders.contractId));
  filters.push(
    ...dimensionFilters(query, {
      businessLine: sql`${orders.businessLineId}`,
      owner: sql`${orders.ownerId}`,
      department: sql`${orders.departmentId}`,
      contractBranch: sql`(SELECT x.branch_id FROM ${contracts} x WHERE x.id = ${orders.contractId})`,
      customer: sql`${orders.customerId}`,
    }),
  );
  if (query.q) {
    const pattern = containsPattern(query.q);
    filters.push(or(ilike(orders.title, pattern), ilike(orders.number, pattern), ilike(customers.name, pattern))!);
  }
  return and(...filters)!;
}

export async function findOrders(ctx: Ctx, query: z.infer<typeof OrderListQuery>): Promise<Page<Order>> {
  const where = orderFilters(ctx, query);
  const order = orderFrom(
    query.sort,
    { createdAt: orders.createdAt, amount: orders.amount, number: orders.number },
    '-createdAt',
    orders.id,
  );
  const { rows, total } = await pageWithTotal(
    query,
    ctx.db
      .select({ id: orders.id })
      .from(orders)
      .innerJoin(customers, eq(customers.id, orders.customerId))
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () =>
      ctx.db
        .select({ total: count() })
        .from(orders)
        .innerJoin(customers, eq(customers.id, orders.customerId))
        .where(where),
  );
  const items = await presentOrders(
    ctx,
    rows.map((r) => r.id),
  );
  return { items, total, page: query.page, pageSize: query.pageSize };
}

/** Orders in full, in the order of `ids`. */
async function presentOrders(ctx: Ctx, ids: string[]): Promise<Order[]> {
  if (ids.length === 0) return [];
  const [rows, lines, terms] = await Promise.all([
    ctx.db
      .select({
        o: orders,
        customerName: customers.name,
        businessLineName: businessLines.name,
        ownerName: users.displayName,
        contractNumber: contracts.number,
      })
      .from(orders)
      .innerJoin(customers, eq(customers.id, orders.customerId))
      .innerJoin(businessLines, eq(businessLines.id, orders.businessLineId))
      .innerJoin(users, eq(users.id, orders.ownerId))
      .leftJoin(contracts, eq(contracts.id, orders.contractId))
      .where(inArray(orders.id, ids)),
    ctx.db
      .select({ l: orderLines, businessLineName: businessLines.name })
      .from(orderLines)
      .innerJoin(businessLines, eq(businessLines.id, orderLines.businessLineId))
      .where(inArray(orderLines.orderId, ids))
      .orderBy(asc(orderLines.position)),
    ctx.db.select().from(paymentTerms).where(inArray(paymentTerms.orderId, ids)).orderBy(asc(paymentTerms.position)),
  ]);
  const byId = new Map(rows.map((r) => [r.o.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    const o = r.o;
    return [
      {
        id: o.id,
        title: o.title,
        number: o.number,
        status: o.status,
        statusReason: o.statusReason,
        contractId: o.contractId,
        contractNumber: r.contractNumber,
        opportunityId: o.opportunityId,
        customerId: o.customerId,
        customerName: r.customerName,
        businessLineId: o.businessLineId,
        businessLineName: r.businessLineName,
        ownerId: o.ownerId,
        ownerName: r.ownerName,
        amount: money(o.amount),
        confirmedOn: o.confirmedOn,
        completedOn: o.completedOn,
        recurringCycle: o.recurringCycle,
        lines: lines
          .filter((l) => l.l.orderId === id)
          .map(({ l, businessLineName }) => ({
            id: l.id,
            position: l.position,
            businessLineId: l.businessLineId,
            businessLineName,
            description: l.description,
            amount: money(l.amount),
          })),
        terms: terms.filter((t) => t.orderId === id).map(presentTerm),
        createdAt: o.createdAt.toISOString(),
        updatedAt: o.updatedAt.toISOString(),
      },
    ];
  });
}

export async function getOrder(ctx: Ctx, id: string): Promise<Order> {
  const [row] = await ctx.db
    .select({ id: orders.id })
    .from(orders)
    .where(and(eq(orders.id, id), visibleOrders(ctx.actor)));
  if (!row) throw notFound();
  return (await presentOrders(ctx, [id]))[0];
}

/** From a signed contract the actor may change, or from a won opportunity the actor may change. */
export async function createOrder(ctx: Ctx, input: z.output<typeof OrderCreate>): Promise<Order> {
  if (Boolean(input.contractId) === Boolean(input.opportunityId))
    throw invalidInput(ctx.actor.locale, [{ path: 'contractId', key: 'validation.orderSource' }]);
  const id = await inTransaction(ctx, async (tx) => {
    let values: Omit<typeof orders.$inferInsert, 'amount'>;
    let lines: { businessLineId: string; description: string; amount: string }[];
    if (input.contractId) {
      const [contract] = await tx.db
        .select()
        .from(contracts)
        .where(and(eq(contracts.id, input.contractId), writableContracts(tx.actor)));
      if (!contract) throw notFound();
      if (contract.status !== 'signed' && contract.status !== 'in-progress') throw new AppError('CONTRACT_NOT_SIGNED');
      const contractLineRows = await tx.db
        .select()
        .from(contractLines)
        .where(eq(contractLines.contractId, contract.id))
        .orderBy(asc(contractLines.position));
      values = {
        title: input.title ?? contract.title,
        contractId: contract.id,
        opportunityId: contract.opportunityId,
        customerId: contract.customerId,
        businessLineId: contract.businessLineId,
        ownerId: contract.ownerId,
        departmentId: contract.departmentId,
      };
      lines =
        input.lines ??
        contractLineRows.map((l) => ({
          businessLineId: contract.businessLineId,
          description: l.description,
          amount: l.amount,
        }));
    } else {
      const [opportunity] = await tx.db
        .select({ o: opportunities, departmentId: users.departmentId })
        .from(opportunities)
        .innerJoin(users, eq(users.id, opportunities.ownerId))
        .where(and(eq(opportunities.id, input.opportunityId!), writableOpportunities(tx.actor)));
      if (!opportunity) throw notFound();
      const o = opportunity.o;
      if (o.status !== 'won') throw new AppError('OPPORTUNITY_NOT_WON');
      const [quote] = await tx.db
        .select({ id: quotes.id })
        .from(quotes)
        .where(and(eq(quotes.opportunityId, o.id), eq(quotes.status, 'accepted')))
        .limit(1);
      const items = quote
        ? await tx.db
            .select()
            .from(quoteItems)
            .where(eq(quoteItems.quoteId, quote.id))
            .orderBy(asc(quoteItems.position))
        : [];
      values = {
        title: input.title ?? o.name,
        opportunityId: o.id,
        customerId: o.customerId,
        businessLineId: o.businessLineId,
        ownerId: o.ownerId,
        departmentId: o.departmentId ?? opportunity.departmentId ?? tx.actor.departmentId!,
      };
      lines =
        input.lines ??
        items.map((i) => ({
          businessLineId: i.businessLineId ?? o.businessLineId,
          description: i.description,
          amount: i.amount,
        }));
    }
    if (lines.length === 0) throw invalidInput(tx.actor.locale, [{ path: 'lines', key: 'validation.contractLines' }]);
    const amount = fromHundredths(lines.reduce((s, l) => s + toHundredths(l.amount), 0n));
    const terms = input.contractId ? [] : checkedTerms(tx, input.terms ?? [], amount);
    const [row] = await tx.db
      .insert(orders)
      .values({
        ...values,
        amount,
        // A contract's order recurs with its contract, not on its own.
        recurringCycle: input.contractId ? null : (input.recurringCycle ?? null),
        createdBy: tx.actor.id,
        updatedBy: tx.actor.id,
      })
      .returning();
    await tx.db.insert(orderLines).values(lines.map((l, i) => ({ orderId: row.id, position: i + 1, ...l })));
    await replaceTerms(tx, { orderId: row.id }, terms, null);
    await recordAudit(tx, { action: 'create', entityType: 'order', entityId: row.id, after: { ...row, lines } });
    return row.id;
  });
  return getOrder(ctx, id);
}

/** The order for a change under its row lock: NOT_FOUND unseen, FORBIDDEN seen but not writable. */
export const lockOrder = (tx: Ctx, id: string): Promise<OrderRow> =>
  lockedForChange(
    tx.db
      .select()
      .from(orders)
      .where(and(eq(orders.id, id), writableOrders(tx.actor)))
      .for('update'),
    () =>
      tx.db
        .select({ id: orders.id })
        .from(orders)
        .where(and(eq(orders.id, id), visibleOrders(tx.actor))),
  );

/**
 * Confirms a draft: the order number is given now (gapless); its contract, if signed, is in progress; an order
 * without a contract starts its own terms (those "on signing" fall due on confirmation) — the terms given here
 * replace those it was created with; one with a contract is paid under the contract's.
 */
export async function confirmOrder(ctx: Ctx, id: string, terms?: PaymentTermInput[]): Promise<Order> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockOrder(tx, id);
    if (before.status !== 'draft') throw orderStatusError(before.status);
    if (terms && before.contractId)
      throw invalidInput(tx.actor.locale, [{ path: 'terms', key: 'validation.orderTermsOnContract' }]);
    if (terms) await replaceTerms(tx, { orderId: id }, checkedTerms(tx, terms, before.amount), null);
    // Without a contract the order's own terms are what receivables, ageing and reminders follow: none, no confirming.
    if (!before.contractId && !terms) {
      const [held] = await tx.db
        .select({ id: paymentTerms.id })
        .from(paymentTerms)
        .where(eq(paymentTerms.orderId, id))
        .limit(1);
      if (!held) throw new AppError('ORDER_TERMS_REQUIRED');
    }
    const on = today();
    const issued = await issueNumber(tx, 'order', before.businessLineId, id);
    await tx.db
      .update(orders)
      .set({
        status: 'confirmed',
        number: issued.number,
        seriesId: issued.seriesId,
        confirmedOn: on,
        updatedAt: new Date(),
        updatedBy: tx.actor.id,
      })
      .where(eq(orders.id, id));
    if (before.contractId)
      await tx.db
        .update(contracts)
        .set({ status: 'in-progress', updatedAt: new Date() })
        .where(and(eq(contracts.id, before.contractId), eq(contracts.status, 'signed')));
    else await setDueDates(tx, { orderId: id }, { signedOn: on, completedOn: null });
    await recordAudit(tx, {
      action: 'confirm',
      entityType: 'order',
      entityId: id,
      before,
      after: { status: 'confirmed', number: issued.number, ...(terms ? { terms } : {}) },
    });
    if (!before.contractId) await remindDueTerms(tx, { orderId: id });
  });
  return getOrder(ctx, id);
}

async function setDueDates(
  tx: Ctx,
  parent: { contractId: string } | { orderId: string },
  events: { signedOn: string | null; completedOn: string | null },
) {
  const where =
    'contractId' in parent ? eq(paymentTerms.contractId, parent.contractId) : eq(paymentTerms.orderId, parent.orderId);
  for (const t of await tx.db.select().from(paymentTerms).where(where))
    await tx.db
      .update(paymentTerms)
      .set({ dueOn: dueOn(t, events) ?? t.dueOn })
      .where(eq(paymentTerms.id, t.id));
}

/**
 * Marks a confirmed order completed 结项 (the engagement module does this when its engagements close —
 * completeOrderAsSystem —; this is the manual fallback for orders without one): the terms that fall due on completion
 * (or N days after) get their due dates and remind the owner and finance; a contract whose orders are all completed
 * (or cancelled) is completed.
 */
export async function completeOrder(ctx: Ctx, id: string, completedOn = today()): Promise<Order> {
  if (completedOn > today())
    throw invalidInput(ctx.actor.locale, [{ path: 'completedOn', key: 'validation.doneInFuture' }]);
  await inTransaction(ctx, async (tx) => {
    const before = await lockOrder(tx, id);
    await completeLocked(tx, before, completedOn, (contractId) => lockContract(tx, contractId));
  });
  return getOrder(ctx, id);
}

/**
 * Completes a confirmed order as the system does when the last of its engagements closes (结项), inside the caller's
 * transaction: the actor (who closed the engagement — e.g. its lead, who may not change orders) is recorded, but
 * their scope over orders and contracts is not asked; every other rule of completeOrder holds
 * (ORDER_STATUS_INVALID unless confirmed, the due dates, the reminders, the contract completed with its last order).
 */
export async function completeOrderAsSystem(tx: Ctx, id: string, completedOn = today()): Promise<void> {
  if (completedOn > today())
    throw invalidInput(tx.actor.locale, [{ path: 'completedOn', key: 'validation.doneInFuture' }]);
  const [before] = await tx.db.select().from(orders).where(eq(orders.id, id)).for('update');
  if (!before) throw notFound();
  await completeLocked(tx, before, completedOn, async (contractId) => {
    const [contract] = await tx.db.select().from(contracts).where(eq(contracts.id, contractId)).for('update');
    return contract;
  });
}

/** completeOrder's work on an order locked by the caller; `lockContractOf` locks its contract. */
async function completeLocked(
  tx: Ctx,
  before: OrderRow,
  completedOn: string,
  lockContractOf: (contractId: string) => Promise<typeof contracts.$inferSelect>,
): Promise<void> {
  const id = before.id;
  if (before.status !== 'confirmed') throw orderStatusError(before.status);
  await tx.db
    .update(orders)
    .set({ status: 'completed', completedOn, updatedAt: new Date(), updatedBy: tx.actor.id })
    .where(eq(orders.id, id));
  if (before.contractId) {
    const contract = await lockContractOf(before.contractId);
    const [open] = await tx.db
      .select({ id: orders.id })
      .from(orders)
      .where(
        and(
          eq(orders.contractId, before.contractId),
          ne(orders.id, id),
          notInArray(orders.status, ['completed', 'cancelled']),
        ),
      )
      .limit(1);
    if (!open && (contract.status === 'signed' || contract.status === 'in-progress')) {
      await tx.db
        .update(contracts)
        .set({ status: 'completed', completedOn, updatedAt: new Date(), updatedBy: tx.actor.id })
        .where(eq(contracts.id, contract.id));
      await setDueDates(tx, { contractId: contract.id }, { signedOn: contract.signedOn, completedOn });
      await recordAudit(tx, {
        action: 'complete',
        entityType: 'contract',
        entityId: contract.id,
        before: { status: contract.status },
        after: { status: 'completed', completedOn },
      });
      await remindDueTerms(tx, { contractId: contract.id });
    }
  } else {
    await setDueDates(tx, { orderId: id }, { signedOn: before.confirmedOn, completedOn });
    await remindDueTerms(tx, { orderId: id });
  }
  await recordAudit(tx, {
    action: 'complete',
    entityType: 'order',
    entityId: id,
    before,
    after: { status: 'completed', completedOn },
  });
}

export async function cancelOrder(ctx: Ctx, id: string, reason: string): Promise<Order> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockOrder(tx, id);
    if (before.status !== 'draft' && before.status !== 'confirmed') throw orderStatusError(before.status);
    await tx.db
      .update(orders)
      .set({ status: 'cancelled', statusReason: reason, updatedAt: new Date(), updatedBy: tx.actor.id })
      .where(eq(orders.id, id));
    await recordAudit(tx, {
      action: 'cancel',
      entityType: 'order',
      entityId: id,
      before,
      after: { status: 'cancelled', statusReason: reason },
    });
  });
  return getOrder(ctx, id);
}

registerNumberedKind({
  kind: 'order',
  async describe(db, ids) {
    const rows = ids.length
      ? await db
          .select({ id: orders.id, status: orders.status, title: orders.title })
          .from(orders)
          .where(inArray(orders.id, ids))
      : [];
    return new Map(rows.map((r) => [r.id, { status: r.status, title: r.title }]));
  },
});
