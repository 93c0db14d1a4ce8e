import { and, count, eq, ilike, lte, or, type SQL } from 'drizzle-orm';
import type { Page } from '../../../common/schemas/common';
import type {
  CustomerService,
  CustomerServiceCreate,
  CustomerServiceListQuery,
  CustomerServiceUpdate,
} from '../../../common/schemas/customers';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { notFound } from '../../errors';
import { containsPattern, offsetOf, orderFrom, pageWithTotal } from '../../lib/listing';
import { recordAudit } from '../audit/audit.service';
import { assertActiveReferences } from '../staff/reference.service';
import { businessLines } from '../staff/staff.tables';
import { visibleCustomers } from './customers.policy';
import { assertCustomerWritable, customerSearch } from './customers.service';
import { customerServices, customers } from './customers.tables';

const MONTHS = { monthly: 1, quarterly: 3, annual: 12 } as const;

/** The date one cycle after `date` (YYYY-MM-DD); the 31st of a short month becomes its last day. */
export function nextOccurrence(date: string, cycle: keyof typeof MONTHS): string {
  const [y, m, d] = date.split('-').map(Number);
  const months = m - 1 + MONTHS[cycle];
  const year = y + Math.floor(months / 12);
  const month = months % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return `${year}-${String(month + 1).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

function selectServices(db: Db) {
  return db
    .select({ service: customerServices, businessLineName: businessLines.name })
    .from(customerServices)
    .innerJoin(customers, eq(customers.id, customerServices.customerId))
    .innerJoin(businessLines, eq(businessLines.id, customerServices.businessLineId))
    .$dynamic();
}

function present(r: { service: typeof customerServices.$inferSelect; businessLineName: string }): CustomerService {
  const s = r.service;
  return {
    id: s.id,
    customerId: s.customerId,
    businessLineId: s.businessLineId,
    businessLineName: r.businessLineName,
    cycle: s.cycle,
    nextDueOn: s.nextDueOn,
    active: s.active,
    notes: s.notes,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

/** `q` finds the service (its business line, its notes) or its customer as the customer search finds it. */
export async function findCustomerServices(ctx: Ctx, query: CustomerServiceListQuery): Promise<Page<CustomerService>> {
  const filters: (SQL | undefined)[] = [visibleCustomers(ctx.actor)];
  if (query.q) {
    const pattern = containsPattern(query.q);
    filters.push(
      or(ilike(businessLines.name, pattern), ilike(customerServices.notes, pattern), customerSearch(query.q)),
    );
  }
  if (query.customerId) filters.push(eq(customerServices.customerId, query.customerId));
  if (query.businessLineId) filters.push(eq(customerServices.businessLineId, query.businessLineId));
  if (query.dueBy) filters.push(lte(customerServices.nextDueOn, query.dueBy));
  if (query.active !== 'all') filters.push(eq(customerServices.active, query.active === 'true'));
  const where = and(...filters);
  const order = orderFrom(
    query.sort,
    { nextDueOn: customerServices.nextDueOn, createdAt: customerServices.createdAt },
    'nextDueOn',
    customerServices.id,
  );
  const { rows, total } = await pageWithTotal(
    query,
    selectServices(ctx.db)
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () =>
      ctx.db
        .select({ total: count() })
        .from(customerServices)
        .innerJoin(customers, eq(customers.id, customerServices.customerId))
        .innerJoin(businessLines, eq(businessLines.id, customerServices.businessLineId))
        .where(where),
  );
  return { items: rows.map(present), total, page: query.page, pageSize: query.pageSize };
}

export async function getCustomerService(ctx: Ctx, id: string): Promise<CustomerService> {
  const [row] = await selectServices(ctx.db).where(and(eq(customerServices.id, id), visibleCustomers(ctx.actor)));
  if (!row) throw notFound();
  return present(row);
}

export async function createCustomerService(ctx: Ctx, input: CustomerServiceCreate): Promise<CustomerService> {
  return inTransaction(ctx, async (tx) => {
    await assertCustomerWritable(tx, input.customerId);
    await assertActiveReferences(tx.db, 'businessLine', [input.businessLineId]);
    const [row] = await tx.db
      .insert(customerServices)
      .values({ ...input, createdBy: ctx.actor.id })
      .returning({ id: customerServices.id });
    const after = await getCustomerService(tx, row.id);
    await recordAudit(tx, { action: 'create', entityType: 'customer-service', entityId: row.id, after });
    return after;
  });
}

export async function updateCustomerService(
  ctx: Ctx,
  id: string,
  patch: CustomerServiceUpdate,
): Promise<CustomerService> {
  return inTransaction(ctx, async (tx) => {
    const before = await getCustomerService(tx, id);
    await assertCustomerWritable(tx, before.customerId);
    await assertActiveReferences(tx.db, 'businessLine', [patch.businessLineId]);
    await tx.db
      .update(customerServices)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(customerServices.id, id));
    const after = await getCustomerService(tx, id);
    await recordAudit(tx, { action: 'update', entityType: 'customer-service', entityId: id, before, after });
    return after;
  });
}

/** This occurrence is done: the next one is a cycle later. */
export async function completeCustomerService(ctx: Ctx, id: string): Promise<CustomerService> {
  return inTransaction(ctx, async (tx) => {
    const before = await getCustomerService(tx, id);
    await assertCustomerWritable(tx, before.customerId);
    await tx.db
      .update(customerServices)
      .set({ nextDueOn: nextOccurrence(before.nextDueOn, before.cycle), updatedAt: new Date() })
      .where(eq(customerServices.id, id));
    const after = await getCustomerService(tx, id);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'customer-service',
      entityId: id,
      before: { nextDueOn: before.nextDueOn },
      after: { nextDueOn: after.nextDueOn },
    });
    return after;
  });
}

export async function deleteCustomerService(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const before = await getCustomerService(tx, id);
    await assertCustomerWritable(tx, before.customerId);
    await tx.db.delete(customerServices).where(eq(customerServices.id, id));
    await recordAudit(tx, { action: 'delete', entityType: 'customer-service', entityId: id, before });
  });
}
