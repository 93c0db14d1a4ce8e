import {
  aliasedTable,
  and,
  count,
  desc,
  eq,
  exists,
  inArray,
  isNotNull,
  isNull,
  lte,
  sql,
  type SQL,
} from 'drizzle-orm';
import type { Page } from '../../../common/schemas/common';
import type {
  Customer,
  CustomerCreate,
  CustomerListQuery,
  CustomerUpdate,
  OwnerChange,
} from '../../../common/schemas/customers';
import { inTransaction, type Ctx } from '../../context';
import { fixedLimit, pageOffset, preparedOnce, type Db } from '../../db/client';
import { AppError, duplicate, forbidden, inactiveReference, notFound } from '../../errors';
import { offsetOf, orderFrom, outer, pageWithCappedTotal } from '../../lib/listing';
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
import { actorKey, can, scopeOf } from '../../policy';
import { recordAudit } from '../audit/audit.service';
import { assertActiveReferences } from '../staff/reference.service';
import { branches, regions, users } from '../staff/staff.tables';
import { getUserNames } from '../staff/actors';
import { syncNextContactReminder } from '../reminders/reminders.service';
import { closeOpenSuggestions } from '../suggestions/close';
import { assignableCustomers, visibleCustomers, writableCustomers } from './customers.policy';
import { contacts, customerOwnerChanges, customerServices, customerShares, customers } from './customers.tables';

const owners = aliasedTable(users, 'owners');

function selectCustomers<E extends Record<string, SQL>>(db: Db, extra: E = {} as E) {
  return db
    .select({
      row: shownColumns(customers),
      ownerName: owners.displayName,
      regionName: regions.name,
      branchName: branches.name,
      sharedWith: sharedWithOf(outer(customers.id)),
      ...extra,
    })
    .from(customers)
    .leftJoin(owners, eq(owners.id, customers.ownerId))
    .leftJoin(regions, eq(regions.id, customers.regionId))
    .leftJoin(branches, eq(branches.id, customers.branchId))
    .$dynamic();
}

/** The colleagues a customer is shared with, as a column of the customer's own query. */
const sharedWithOf = (customerId: SQL) => sql<
  { id: string; name: string }[]
>`coalesce((SELECT json_agg(json_build_object('id', u.id, 'name', u.display_name) ORDER BY u.display_name)
  FROM ${customerShares} s JOIN ${users} u ON u.id = s.user_id WHERE s.customer_id = ${customerId}), '[]'::json)`;

type Joined = {
  row: Shown<typeof customers>;
  ownerName: string | null;
  regionName: string | null;
  branchName: string | null;
  sharedWith: { id: string; name: string }[];
};

function present(r: Joined): Customer {
  const c = r.row;
  return {
    id: c.id,
    name: c.name,
    creditCode: c.creditCode,
    industry: c.industry,
    size: c.size,
    regionId: c.regionId,
    regionName: r.regionName,
    branchId: c.branchId,
    branchName: r.branchName,
    address: c.address,
    email: c.email,
    phone: c.phone,
    status: c.status,
    source: c.source,
    tags: c.tags,
    ownerId: c.ownerId,
    ownerName: r.ownerName,
    sharedWith: r.sharedWith,
    lastContactAt: c.lastContactAt?.toISOString() ?? null,
    nextContactOn: c.nextContactOn,
    valueScore: c.valueScore,
    valueTier: c.valueTier,
    legalHoldAt: c.legalHoldAt?.toISOString() ?? null,
    legalHoldReason: c.legalHoldReason,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function customerSearchText(c: {
  name: string;
  creditCode?: string | null;
  email?: string | null;
  phone?: string | null;
}) {
  return searchTextOf([c.name, c.creditCode, c.email], c.phone ? [c.phone] : []);
}

/** The ids of the customers whose own text or a contact's contains q: two indexed lookups, deduplicated. */
const customerIdsMatching = (q: string | Term) =>
  sql`SELECT ${customers.id} FROM ${customers} WHERE ${textMatches(customers, q)}
    UNION SELECT ${contacts.customerId} FROM ${contacts} WHERE ${textMatches(contacts, q)}`;

/**
 * A customer matches a search by its own text (name, pinyin, initials, credit code) or any of its
 * contacts' (names, phones, e-mails). Written as one id set from two indexed lookups (trigrams, or
 * the Chinese grams for a one- or two-character word: server/lib/search.ts), so neither side needs
 * a sequential scan (an OR of the two defeats the indexes). This form may stand inside an OR.
 */
export function customerSearch(q: string): SQL {
  return sql`${customers.id} IN (${customerIdsMatching(q)})`;
}

/**
 * The same match when it is ANDed with the other conditions (the customer list, the answer box, the
 * contacts search): the customer's own text, or its id among those of the matching contacts collected
 * first. PostgreSQL reads this as one bitmap scan of customers — the text index's matches OR the primary
 * key's — so each matching customer is read once. (With `IN (… UNION …)` the planner joined a few thousand
 * matches to a sequential scan of every visible customer; with the union as an id array, every customer
 * matching by its own text was read twice: 306 → 114 ms for `华达` at 10,001 matches.)
 * Not inside an OR: there the array would be searched row by row.
 */
export function customerSearchByIds(q: string | Term): SQL {
  return sql`(${textMatches(customers, q)} OR ${customers.id} = ANY(ARRAY(SELECT ${contacts.customerId} FROM ${contacts} WHERE ${textMatches(contacts, q)})))`;
}

/** The list's filters compared with one value each, by the name of their placeholder in a prepared statement. */
const VALUE_FILTERS = [
  'status',
  'ownerId',
  'regionId',
  'branchId',
  'tag',
  'valueTier',
  'dueBy',
  'serviceLineId',
  'serviceDueBy',
] as const;

/**
 * The customer list's WHERE — visibility, the view, the search and the filters — with each value as
 * a placeholder (named as in VALUE_FILTERS, and searchValues' for q): one statement per reader and
 * shape (listShape) serves every value, built and prepared once.
 */
function customerListFilter(ctx: Ctx, query: CustomerListQuery): SQL {
  const v = (name: (typeof VALUE_FILTERS)[number]) => sql.placeholder(name);
  const filters: (SQL | undefined)[] = [visibleCustomers(ctx.actor)];
  if (query.view === 'mine') filters.push(eq(customers.ownerId, ctx.actor.id));
  if (query.view === 'pool') filters.push(isNull(customers.ownerId));
  if (query.view === 'shared') {
    filters.push(
      exists(
        sql`(SELECT 1 FROM ${customerShares} WHERE ${and(eq(customerShares.customerId, outer(customers.id)), eq(customerShares.userId, ctx.actor.id))})`,
      ),
    );
  }
  if (query.q) filters.push(customerSearchByIds({ q: query.q, placeholders: true }));
  if (query.status) filters.push(eq(customers.status, v('status')));
  if (query.ownerId) filters.push(eq(customers.ownerId, v('ownerId')));
  if (query.regionId) filters.push(eq(customers.regionId, v('regionId')));
  if (query.branchId) filters.push(eq(customers.branchId, v('branchId')));
  if (query.tag) filters.push(sql`${customers.tags} @> ARRAY[${v('tag')}::text]`);
  if (query.valueTier) filters.push(eq(customers.valueTier, v('valueTier')));
  if (query.dueBy) filters.push(and(isNotNull(customers.nextContactOn), lte(customers.nextContactOn, v('dueBy'))));
  if (query.serviceLineId || query.serviceDueBy) {
    const service = and(
      eq(customerServices.customerId, outer(customers.id)),
      eq(customerServices.active, true),
      query.serviceLineId ? eq(customerServices.businessLineId, v('serviceLineId')) : undefined,
      query.serviceDueBy ? lte(customerServices.nextDueOn, v('serviceDueBy')) : undefined,
    );
    filters.push(exists(sql`(SELECT 1 FROM ${customerServices} WHERE ${service})`));
  }
  return and(...filters)!;
}

/** What a statement built by customerListFilter depends on besides its placeholders and the reader. */
function listShape(query: CustomerListQuery): string {
  return [
    query.view,
    query.q ? `q:${searchShape(query.q)}` : '',
    query.sort ?? '',
    ...VALUE_FILTERS.filter((name) => query[name]),
  ].join(',');
}

export async function findCustomers(ctx: Ctx, query: CustomerListQuery): Promise<Page<Customer>> {
  // The page and the capped count are read all day and cost less to run than to build: both are built once
  // per reader, shape and page size (the first page, or the others by the OFFSET placeholder: pageOffset) and prepared.
  const key = `${actorKey(ctx.actor)}|${listShape(query)}`;
  const paged = pageOffset(query);
  const page = preparedOnce(ctx.db, `customer-list|${paged.key}|${key}`, () => {
    // A salesperson's customers (a few thousand) are read by their owner, pool and share arms and the newest
    // sorted out of them: walking the whole firm's newest-first index until 20 of theirs turn up costs 30 ms to
    // 1 s when their customers are old ones (an import sorted by salesperson) — an expression keeps it off it.
    const ownScope = scopeOf(ctx.actor, 'customers:read') === 'own';
    const order = orderFrom(
      query.sort,
      {
        name: customers.name,
        createdAt: ownScope ? sql`(${customers.createdAt} + interval '0 s')` : customers.createdAt,
        lastContactAt: customers.lastContactAt,
        nextContactOn: customers.nextContactOn,
        valueScore: customers.valueScore,
      },
      '-createdAt',
      customers.id,
    );
    // A search without a chosen order puts the customers named q, then those whose name starts with it, first.
    if (query.q && !query.sort) order.unshift(nameRank(customers.name, { q: query.q, placeholders: true }));
    // The default order (-createdAt) is read off customers_created_idx for readers beyond their own.
    return selectCustomers(ctx.db)
      .where(customerListFilter(ctx, query))
      .orderBy(...order)
      .limit(fixedLimit(query.pageSize))
      .offset(paged.offset)
      .prepare(''); // named by preparedOnce
  });
  const counted = preparedOnce(ctx.db, `customer-count|${key}`, () =>
    ctx.db
      .select({ total: count() })
      .from(
        ctx.db
          .select({ one: sql`1` })
          .from(customers)
          .where(customerListFilter(ctx, query))
          .limit(sql.placeholder('limit'))
          .as('capped'),
      )
      .prepare(''),
  );
  const values = {
    ...Object.fromEntries(VALUE_FILTERS.filter((name) => query[name]).map((name) => [name, query[name]])),
    ...(query.q ? searchValues(query.q) : {}),
  };
  // The count stops COUNT_CAP rows past the page.
  const { rows, total, totalExact } = await pageWithCappedTotal(
    query,
    page.execute({ ...values, offset: offsetOf(query) }),
    (limit) => counted.execute({ ...values, limit }),
  );
  return {
    items: (rows as unknown as Joined[]).map(present),
    total,
    totalExact,
    page: query.page,
    pageSize: query.pageSize,
  };
}

/** One customer the actor may see, or NOT_FOUND. */
export async function getCustomer(ctx: Ctx, id: string): Promise<Customer> {
  return (await getCustomerWith(ctx, id, 'customer', () => ({}))).customer;
}

/**
 * One customer the actor may see together with further columns computed in the same statement
 * (e.g. its contacts as json, for the customer page in one round trip), or NOT_FOUND. Record pages
 * are read constantly: the statement is built once per reader (`name` names the extra columns).
 */
export async function getCustomerWith<E extends Record<string, SQL>>(
  ctx: Ctx,
  id: string,
  name: string,
  extra: () => E,
) {
  const query = preparedOnce(
    ctx.db,
    `${name}|${actorKey(ctx.actor)}`,
    () =>
      selectCustomers(ctx.db, extra())
        .where(and(eq(customers.id, sql.placeholder('id')), visibleCustomers(ctx.actor)))
        .prepare(''), // named by preparedOnce
  );
  const [row] = await query.execute({ id });
  if (!row) throw notFound();
  return {
    customer: present(row as unknown as Joined),
    columns: row as unknown as { [K in keyof E]: E[K] extends SQL<infer T> ? T : never },
  };
}

/** For writes: NOT_FOUND when invisible, FORBIDDEN when visible but outside the write scope (e.g. in the pool). */
export async function assertCustomerWritable(ctx: Ctx, id: string): Promise<void> {
  const [row] = await ctx.db
    .select({ writable: sql<boolean>`${writableCustomers(ctx.actor)}` })
    .from(customers)
    .where(and(eq(customers.id, id), visibleCustomers(ctx.actor)));
  if (!row) throw notFound();
  if (!row.writable) throw forbidden();
}

async function assertActiveOwner(db: Db, ownerId: string) {
  const [owner] = await db.select({ active: users.active }).from(users).where(eq(users.id, ownerId));
  if (!owner?.active) throw inactiveReference('field.owner');
}

async function assertCreditCodeFree(db: Db, creditCode: string | null | undefined, exceptId?: string) {
  if (!creditCode) return;
  const [clash] = await db.select({ id: customers.id }).from(customers).where(eq(customers.creditCode, creditCode));
  if (clash && clash.id !== exceptId) throw duplicate('field.creditCode', creditCode);
}

async function recordOwnerChange(
  ctx: Ctx,
  change: {
    customerId: string;
    from: string | null;
    to: string | null;
    kind: OwnerChange['kind'];
    reason?: string | null;
  },
) {
  await ctx.db.insert(customerOwnerChanges).values({
    customerId: change.customerId,
    fromUserId: change.from,
    toUserId: change.to,
    kind: change.kind,
    reason: change.reason ?? null,
    byUserId: ctx.actor.id,
  });
  // The next-contact reminder goes to the new owner (or away, to the pool); the old owner's follow-up suggestion goes.
  if (change.kind !== 'create') {
    await syncNextContactReminder(ctx, change.customerId);
    await closeOpenSuggestions(ctx.db, [change.customerId]);
  }
}

export async function createCustomer(ctx: Ctx, input: CustomerCreate): Promise<Customer> {
  if (!can(ctx.actor, 'customers:write')) throw forbidden();
  const ownerId = input.ownerId === undefined ? ctx.actor.id : input.ownerId;
  // Creating a customer for someone else is an assignment.
  if (ownerId !== null && ownerId !== ctx.actor.id && !can(ctx.actor, 'customers:assign')) throw forbidden();
  return inTransaction(ctx, async (tx) => {
    await assertCreditCodeFree(tx.db, input.creditCode);
    if (ownerId) await assertActiveOwner(tx.db, ownerId);
    await assertActiveReferences(tx.db, 'region', [input.regionId]);
    await assertActiveReferences(tx.db, 'branch', [input.branchId]);
    const { ownerId: _owner, ...fields } = input;
    const [row] = await tx.db
      .insert(customers)
      .values({
        ...fields,
        tags: input.tags ?? [],
        ownerId,
        searchText: customerSearchText(input),
        createdBy: ctx.actor.id,
      })
      .returning({ id: customers.id });
    await recordOwnerChange(tx, { customerId: row.id, from: null, to: ownerId, kind: 'create' });
    const after = await getCustomer(tx, row.id);
    await recordAudit(tx, { action: 'create', entityType: 'customer', entityId: row.id, after });
    return after;
  });
}

export async function updateCustomer(ctx: Ctx, id: string, patch: CustomerUpdate): Promise<Customer> {
  return inTransaction(ctx, async (tx) => {
    await assertCustomerWritable(tx, id);
    const before = await getCustomer(tx, id);
    await assertCreditCodeFree(tx.db, patch.creditCode, id);
    await assertActiveReferences(tx.db, 'region', [patch.regionId]);
    await assertActiveReferences(tx.db, 'branch', [patch.branchId]);
    const merged = { ...before, ...patch };
    await tx.db
      .update(customers)
      .set({ ...patch, searchText: customerSearchText(merged), updatedAt: new Date() })
      .where(eq(customers.id, id));
    const after = await getCustomer(tx, id);
    await recordAudit(tx, { action: 'update', entityType: 'customer', entityId: id, before, after });
    return after;
  });
}

/**
 * Takes a customer from the pool. Atomic: of two salespeople claiming at once, one gets
 * CUSTOMER_NOT_IN_POOL when they may still see the customer (e.g. a manager of the winner), and
 * NOT_FOUND otherwise — never an answer that tells an id of someone else's customer from an unknown one.
 */
export async function claimCustomer(ctx: Ctx, id: string): Promise<Customer> {
  if (!can(ctx.actor, 'customers:pool')) throw forbidden();
  return inTransaction(ctx, async (tx) => {
    const claimed = await tx.db
      .update(customers)
      .set({ ownerId: ctx.actor.id, releasedAt: null, updatedAt: new Date() })
      .where(and(eq(customers.id, id), isNull(customers.ownerId)))
      .returning({ id: customers.id });
    if (claimed.length === 0) {
      const [visible] = await tx.db
        .select({ id: customers.id })
        .from(customers)
        .where(and(eq(customers.id, id), visibleCustomers(tx.actor)));
      throw visible ? new AppError('CUSTOMER_NOT_IN_POOL') : notFound();
    }
    await recordOwnerChange(tx, { customerId: id, from: null, to: ctx.actor.id, kind: 'claim' });
    const after = await getCustomer(tx, id);
    await recordAudit(tx, { action: 'claim', entityType: 'customer', entityId: id, after: { ownerId: after.ownerId } });
    return after;
  });
}

/** Gives an own customer back to the pool (or, with the assign scope, anybody's). */
export async function releaseCustomer(ctx: Ctx, id: string, reason?: string | null): Promise<Customer> {
  return inTransaction(ctx, async (tx) => {
    const before = await getCustomer(tx, id);
    if (before.ownerId === null) throw new AppError('CUSTOMER_NOT_IN_POOL');
    const mayRelease = before.ownerId === ctx.actor.id ? can(ctx.actor, 'customers:pool') : await isAssignable(tx, id);
    if (!mayRelease) throw forbidden();
    await tx.db
      .update(customers)
      .set({ ownerId: null, releasedAt: new Date(), updatedAt: new Date() })
      .where(eq(customers.id, id));
    await recordOwnerChange(tx, { customerId: id, from: before.ownerId, to: null, kind: 'release', reason });
    const after = await getCustomer(tx, id);
    await recordAudit(tx, {
      action: 'release',
      entityType: 'customer',
      entityId: id,
      before: { ownerId: before.ownerId },
      after: { ownerId: null, reason },
    });
    return after;
  });
}

async function isAssignable(ctx: Ctx, id: string): Promise<boolean> {
  const [row] = await ctx.db
    .select({ id: customers.id })
    .from(customers)
    .where(and(eq(customers.id, id), assignableCustomers(ctx.actor)));
  return Boolean(row);
}

/** A manager (or above) gives a customer to another salesperson; pool customers can be assigned too. */
export async function assignCustomer(ctx: Ctx, id: string, ownerId: string, reason?: string | null): Promise<Customer> {
  if (!can(ctx.actor, 'customers:assign')) throw forbidden();
  return inTransaction(ctx, async (tx) => {
    const before = await getCustomer(tx, id);
    if (before.ownerId !== null && !(await isAssignable(tx, id))) throw forbidden();
    await assertActiveOwner(tx.db, ownerId);
    await tx.db.update(customers).set({ ownerId, releasedAt: null, updatedAt: new Date() }).where(eq(customers.id, id));
    await recordOwnerChange(tx, { customerId: id, from: before.ownerId, to: ownerId, kind: 'assign', reason });
    const after = await getCustomer(tx, id);
    await recordAudit(tx, {
      action: 'assign',
      entityType: 'customer',
      entityId: id,
      before: { ownerId: before.ownerId },
      after: { ownerId, reason },
    });
    return after;
  });
}

/** Reschedules the next contact (a call that cannot happen today); its reminder moves with it. */
export async function setNextContact(ctx: Ctx, id: string, on: string | null): Promise<Customer> {
  return inTransaction(ctx, async (tx) => {
    const before = await getCustomer(tx, id);
    await assertCustomerWritable(tx, id);
    await tx.db.update(customers).set({ nextContactOn: on, updatedAt: new Date() }).where(eq(customers.id, id));
    await syncNextContactReminder(tx, id);
    const after = await getCustomer(tx, id);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'customer',
      entityId: id,
      before: { nextContactOn: before.nextContactOn },
      after: { nextContactOn: after.nextContactOn },
    });
    return after;
  });
}

/** Replaces the colleagues a customer is shared with. */
export async function shareCustomer(ctx: Ctx, id: string, userIds: string[]): Promise<Customer> {
  return inTransaction(ctx, async (tx) => {
    await assertCustomerWritable(tx, id);
    const before = await getCustomer(tx, id);
    const wanted = [...new Set(userIds)];
    if (wanted.length) {
      const [{ n }] = await tx.db
        .select({ n: count() })
        .from(users)
        .where(and(inArray(users.id, wanted), eq(users.active, true)));
      if (n !== wanted.length) throw inactiveReference('field.owner');
    }
    await tx.db.delete(customerShares).where(eq(customerShares.customerId, id));
    if (wanted.length)
      await tx.db
        .insert(customerShares)
        .values(wanted.map((userId) => ({ customerId: id, userId, createdBy: ctx.actor.id })));
    const after = await getCustomer(tx, id);
    await recordAudit(tx, {
      action: 'share',
      entityType: 'customer',
      entityId: id,
      before: { sharedWith: before.sharedWith },
      after: { sharedWith: after.sharedWith },
    });
    return after;
  });
}

export async function findOwnerChanges(ctx: Ctx, id: string): Promise<OwnerChange[]> {
  await getCustomer(ctx, id);
  const rows = await ctx.db
    .select()
    .from(customerOwnerChanges)
    .where(eq(customerOwnerChanges.customerId, id))
    .orderBy(desc(customerOwnerChanges.at), desc(customerOwnerChanges.id));
  const names = await getUserNames(
    ctx.db,
    rows.flatMap((r) => [r.fromUserId, r.toUserId, r.byUserId]).filter((x): x is string => x !== null),
  );
  const name = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    fromUserId: r.fromUserId,
    fromUserName: name(r.fromUserId),
    toUserId: r.toUserId,
    toUserName: name(r.toUserId),
    reason: r.reason,
    at: r.at.toISOString(),
    byUserId: r.byUserId,
    byUserName: name(r.byUserId),
  }));
}

/** Keeps the customer's last/next contact in step with its contact log (called by the contact-log service). */
export async function refreshContactDates(
  db: Db,
  customerId: string,
  lastContactAt: Date | null,
  nextContactOn: string | null,
): Promise<void> {
  await db.update(customers).set({ lastContactAt, nextContactOn }).where(eq(customers.id, customerId));
}
