import { and, count, eq, ne, not, or, sql, type SQL } from 'drizzle-orm';
import type { Page } from '../../../common/schemas/common';
import type { Contact, ContactCreate, ContactListQuery, ContactUpdate } from '../../../common/schemas/customers';
import { inTransaction, type Ctx } from '../../context';
import { fixedLimit, pageOffset, preparedOnce } from '../../db/client';
import { AppError, notFound } from '../../errors';
import { offsetOf, orderFrom, pageCountedAlong, pageWithTotal, totalAlong } from '../../lib/listing';
import {
  nameRank,
  searchShape,
  searchValues,
  shownColumns,
  textMatches,
  type Shown,
  type Term,
} from '../../lib/search';
import { searchTextOf } from '../../lib/search-text';
import { actorKey } from '../../policy';
import { recordAudit } from '../audit/audit.service';
import { seesEveryCustomer, visibleCustomers } from './customers.policy';
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
    erasedAt: c.erasedAt?.toISOString() ?? null,
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

/**
 * The contacts the reader may see — of one customer if asked, and if q is given those whose own words
 * (name, phones, e-mails …) or whose customer's contain it — as a subquery of their shown columns that
 * the list orders, pages and counts. Values are placeholders (`customerId`, searchValues').
 */
function listedContacts(ctx: Ctx, query: ContactListQuery, term: Term | null) {
  // Without the customers when the reader sees them all: nothing to filter by, and a key lookup per match saved.
  const joined = !seesEveryCustomer(ctx.actor);
  const select = (search?: SQL) => {
    const from = ctx.db.select(shownColumns(contacts)).from(contacts).$dynamic();
    return (joined ? from.innerJoin(customers, eq(customers.id, contacts.customerId)) : from).where(
      and(
        joined ? visibleCustomers(ctx.actor) : undefined,
        query.customerId ? eq(contacts.customerId, sql.placeholder('customerId')) : undefined,
        search,
      ),
    );
  };
  if (!term) return select().as('listed');
  const own = textMatches(contacts, term);
  // Joined to the visible customers: the customers matching by their own words or a contact's are read by
  // key first (as the customer list reads them), then those of their contacts that match or whose customer
  // does — with every match joined to the customers, PostgreSQL read all the visible customers instead.
  if (joined) return select(and(customerSearchByIds(term), or(own, textMatches(customers, term)))).as('listed');
  // Alone: the contacts that match, and the others of the customers that match, each through its index — an
  // OR of the two compared every row with the id of every customer that matched.
  const ofCustomers = sql`${contacts.customerId} = ANY(ARRAY(SELECT ${customers.id} FROM ${customers} WHERE ${textMatches(customers, term)}))`;
  return select(own)
    .unionAll(select(and(ofCustomers, not(own))))
    .as('listed');
}

type Listed = ReturnType<typeof listedContacts>;

/** The columns of the listed contacts, as shownColumns(contacts) names them. */
const columnsOf = (listed: Listed) =>
  Object.fromEntries(
    Object.keys(shownColumns(contacts)).map((name) => [name, listed[name as keyof Listed]]),
  ) as Listed['_']['selectedFields'];

/**
 * Contacts are visible exactly when their customer is. The statements are built once per reader, shape
 * (search, order, one customer's) and page size, and prepared.
 */
export async function findContacts(ctx: Ctx, query: ContactListQuery): Promise<Page<Contact>> {
  const term: Term | null = query.q ? { q: query.q, placeholders: true, opaque: true } : null;
  const shape = [query.q ? searchShape(query.q) : '', query.sort ?? '', query.customerId ? 'customer' : ''].join(',');
  const key = `${actorKey(ctx.actor)}|${shape}`;
  const offset = pageOffset(query);
  const pageKey = `${offset.key}|${key}`;
  const sorted = () => {
    const listed = listedContacts(ctx, query, term);
    const order = orderFrom(query.sort, { name: listed.name, createdAt: listed.createdAt }, 'name', listed.id);
    // A search without a chosen order puts the contacts named q, then those whose name starts with it, first.
    if (term && !query.sort) order.unshift(nameRank(listed.name, term));
    return { listed, order, limit: fixedLimit(query.pageSize), offset: offset.offset };
  };
  const values = { ...(query.q ? searchValues(query.q) : {}), customerId: query.customerId };
  const paged = { ...values, offset: offsetOf(query) };
  const counted = () =>
    preparedOnce(ctx.db, `contact-count|${key}`, () =>
      ctx.db
        .select({ total: count() })
        .from(listedContacts(ctx, query, term))
        .prepare(''),
    ).execute(values);
  // A search reads and sorts every match for any page: the page's rows carry their number.
  const { rows, total } = term
    ? await pageCountedAlong(
        query,
        preparedOnce(ctx.db, `contact-search|${pageKey}`, () => {
          const { listed, order, limit, offset } = sorted();
          return ctx.db
            .select({ contact: columnsOf(listed), total: totalAlong() })
            .from(listed)
            .orderBy(...order)
            .limit(limit)
            .offset(offset)
            .prepare(''); // named by preparedOnce
        }).execute(paged),
        counted,
      )
    : await pageWithTotal(
        query,
        preparedOnce(ctx.db, `contact-list|${pageKey}`, () => {
          const { listed, order, limit, offset } = sorted();
          return ctx.db
            .select({ contact: columnsOf(listed) })
            .from(listed)
            .orderBy(...order)
            .limit(limit)
            .offset(offset)
            .prepare('');
        }).execute(paged),
        counted,
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
    if (before.erasedAt) throw new AppError('CONTACT_ERASED');
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
    // The anonymised row keeps the history's links (contact logs, opportunities): it stays.
    if (before.erasedAt) throw new AppError('CONTACT_ERASED');
    await tx.db.delete(contacts).where(eq(contacts.id, id));
    await recordAudit(tx, { action: 'delete', entityType: 'contact', entityId: id, before });
  });
}
