import { and, count, eq, ne, type SQL } from 'drizzle-orm';
import type { Page } from '../../../common/schemas/common';
import type { Contact, ContactCreate, ContactListQuery, ContactUpdate } from '../../../common/schemas/customers';
import { inTransaction, type Ctx } from '../../context';
import { notFound } from '../../errors';
import { offsetOf, orderFrom, pageWithTotal } from '../../lib/listing';
import { nameRank, shownColumns, type Shown } from '../../lib/search';
import { searchTextOf } from '../../lib/search-text';
import { recordAudit } from '../audit/audit.service';
import { visibleCustomers } from './customers.policy';
import { assertCustomerWritable, customerSearchByIds } from './customers.service';
import { contacts, customers } from './customers.tables';

export function presentContact(c: Shown<typeof contacts>): Contact {
  return {
    id: c.id,
    customerId: c.customerId,
    name: c.name,
    title: c.title,
    department: c.department,
    phones: c.phones,
    emails: c.emails,
    wechat: c.wechat,
    isPrimary: c.isPrimary,
    notes: c.notes,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function contactSearchText(c: {
  name: string;
  title?: string | null;
  department?: string | null;
  emails?: string[];
  wechat?: string | null;
  phones?: string[];
}) {
  return searchTextOf([c.name, c.title, c.department, ...(c.emails ?? []), c.wechat], c.phones ?? []);
}

/** Contacts are visible exactly when their customer is. */
export async function findContacts(ctx: Ctx, query: ContactListQuery): Promise<Page<Contact>> {
  const filters: (SQL | undefined)[] = [visibleCustomers(ctx.actor)];
  if (query.customerId) filters.push(eq(contacts.customerId, query.customerId));
  if (query.q) filters.push(customerSearchByIds(query.q));
  const where = and(...filters);
  const order = orderFrom(query.sort, { name: contacts.name, createdAt: contacts.createdAt }, 'name', contacts.id);
  // A search without a chosen order puts the contacts named q, then those whose name starts with it, first.
  if (query.q && !query.sort) order.unshift(nameRank(contacts.name, query.q));
  const { rows, total } = await pageWithTotal(
    query,
    ctx.db
      .select({ contact: shownColumns(contacts) })
      .from(contacts)
      .innerJoin(customers, eq(customers.id, contacts.customerId))
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () =>
      ctx.db
        .select({ total: count() })
        .from(contacts)
        .innerJoin(customers, eq(customers.id, contacts.customerId))
        .where(where),
  );
  return { items: rows.map((r) => presentContact(r.contact)), total, page: query.page, pageSize: query.pageSize };
}

export async function getContact(ctx: Ctx, id: string): Promise<Contact> {
  const [row] = await ctx.db
    .select({ contact: shownColumns(contacts) })
    .from(contacts)
    .innerJoin(customers, eq(customers.id, contacts.customerId))
    .where(and(eq(contacts.id, id), visibleCustomers(ctx.actor)));
  if (!row) throw notFound();
  return presentContact(row.contact);
}

/** One primary contact per customer: marking one clears the others. */
async function clearOtherPrimaries(ctx: Ctx, customerId: string, keepId: string) {
  await ctx.db
    .update(contacts)
    .set({ isPrimary: false })
    .where(and(eq(contacts.customerId, customerId), ne(contacts.id, keepId)));
}

export async function createContact(ctx: Ctx, input: ContactCreate): Promise<Contact> {
  return inTransaction(ctx, async (tx) => {
    await assertCustomerWritable(tx, input.customerId);
    const [row] = await tx.db
      .insert(contacts)
      .values({
        ...input,
        phones: input.phones ?? [],
        emails: input.emails ?? [],
        searchText: contactSearchText(input),
        createdBy: ctx.actor.id,
      })
      .returning();
    if (row.isPrimary) await clearOtherPrimaries(tx, row.customerId, row.id);
    const after = presentContact(row);
    await recordAudit(tx, { action: 'create', entityType: 'contact', entityId: row.id, after });
    return after;
  });
}

export async function updateContact(ctx: Ctx, id: string, patch: ContactUpdate): Promise<Contact> {
  return inTransaction(ctx, async (tx) => {
    const before = await getContact(tx, id);
    await assertCustomerWritable(tx, before.customerId);
    const merged = {
      ...before,
      ...patch,
      phones: patch.phones ?? before.phones,
      emails: patch.emails ?? before.emails,
    };
    const [row] = await tx.db
      .update(contacts)
      .set({ ...patch, searchText: contactSearchText(merged), updatedAt: new Date() })
      .where(eq(contacts.id, id))
      .returning();
    if (patch.isPrimary) await clearOtherPrimaries(tx, row.customerId, row.id);
    const after = presentContact(row);
    await recordAudit(tx, { action: 'update', entityType: 'contact', entityId: id, before, after });
    return after;
  });
}

export async function deleteContact(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const before = await getContact(tx, id);
    await assertCustomerWritable(tx, before.customerId);
    await tx.db.delete(contacts).where(eq(contacts.id, id));
    await recordAudit(tx, { action: 'delete', entityType: 'contact', entityId: id, before });
  });
}
