import { sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { Page } from '../../../common/schemas/common';
import {
  AGEING_BUCKETS,
  RECEIVABLE_CONTRACT_STATUSES,
  RECEIVABLE_ORDER_STATUSES,
  type Ageing,
  type AgeingBucket,
  type ReceivableGroup,
  type ReceivableGrouping,
  type Receivables,
  type ReceivablesQuery,
  type ReceivableTerm,
  type ReceivableTermsQuery,
} from '../../../common/schemas/receivables';
import type { Ctx } from '../../context';
import { fixedLimit, pageOffset, preparedRows, type Db } from '../../db/client';
import { actorKey } from '../../policy';
import { containsPattern, offsetOf } from '../../lib/listing';
import { addDays, FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { receivableContracts, receivableOrders } from '../contracts/contracts.policy';
import { contracts, orders, paymentTerms } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { branches, departments, users } from '../staff/staff.tables';

/**
 * Receivables 应收账款: what the terms of signed contracts (and of orders without a contract) still wait for,
 * grouped by customer, contract, owner, department or branch, aged by days past the due date as of today in
 * the firm's time zone. Sums are SQL numeric, exact; the reader sees the contracts and orders of their
 * `receivables:read` scope. A term is on one side or the other: a contract's, or an order's — the two sides
 * are one UNION ALL with the same columns.
 */

/** The filters of the ageing, its drill-down and the export. */
export type Filters = Pick<
  ReceivablesQuery,
  'q' | 'customerId' | 'ownerId' | 'departmentId' | 'businessLineId' | 'branchId' | 'regionId'
> & {
  contractId?: string;
  orderId?: string;
  subjectId?: string;
};

type Side = {
  /** The side's FROM: the terms joined to their contract or order. */
  from: SQL;
  /** Open to receivables (status) and within the reader's scope. */
  where: SQL[];
  id: SQL;
  customerId: SQL;
  ownerId: SQL;
  departmentId: SQL;
  businessLineId: SQL;
  branchId: SQL;
  number: SQL;
  title: SQL;
  status: SQL;
  kind: 'contract' | 'order';
};

const inList = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

function sides(ctx: Ctx): Side[] {
  return [
    {
      kind: 'contract',
      from: sql`${paymentTerms} JOIN ${contracts} ON ${contracts.id} = ${paymentTerms.contractId}`,
      where: [sql`${contracts.status} IN (${inList(RECEIVABLE_CONTRACT_STATUSES)})`, receivableContracts(ctx.actor)],
      id: sql`${contracts.id}`,
      customerId: sql`${contracts.customerId}`,
      ownerId: sql`${contracts.ownerId}`,
      departmentId: sql`${contracts.departmentId}`,
      businessLineId: sql`${contracts.businessLineId}`,
      branchId: sql`${contracts.branchId}`,
      number: sql`${contracts.number}`,
      title: sql`${contracts.title}`,
      status: sql`${contracts.status}`,
    },
    {
      kind: 'order',
      from: sql`${paymentTerms} JOIN ${orders} ON ${orders.id} = ${paymentTerms.orderId}`,
      where: [sql`${orders.status} IN (${inList(RECEIVABLE_ORDER_STATUSES)})`, receivableOrders(ctx.actor)],
      id: sql`${orders.id}`,
      customerId: sql`${orders.customerId}`,
      ownerId: sql`${orders.ownerId}`,
      departmentId: sql`${orders.departmentId}`,
      businessLineId: sql`${orders.businessLineId}`,
      // An order has no signing branch: its owner's.
      branchId: sql`(SELECT u.branch_id FROM ${users} u WHERE u.id = ${orders.ownerId})`,
      number: sql`${orders.number}`,
      title: sql`${orders.title}`,
      status: sql`${orders.status}`,
    },
  ];
}

/** The group key of a term on a side. */
function keyOf(side: Side, groupBy: ReceivableGrouping): SQL {
  switch (groupBy) {
    case 'customer':
      return side.customerId;
    case 'contract':
      return side.id;
    case 'owner':
      return side.ownerId;
    case 'department':
      return side.departmentId;
    case 'branch':
      return side.branchId;
  }
}

/** The filters that narrow the terms, in the order their values are named. */
const FILTER_NAMES = [
  'customerId',
  'ownerId',
  'businessLineId',
  'departmentId',
  'branchId',
  'regionId',
  'contractId',
  'orderId',
  'subjectId',
  'q',
] as const satisfies readonly (keyof Filters)[];

/**
 * The conditions of the filters set on a side. `values` gives each filter's value (`q`'s as its LIKE pattern):
 * filterValues(filters), or placeholderFilters for a statement prepared per shape.
 */
function filtersOn(side: Side, filters: Filters, values: Record<string, unknown> = filterValues(filters)): SQL[] {
  const v = (name: (typeof FILTER_NAMES)[number]) => sql`${values[name]}`;
  const where: SQL[] = [];
  if (filters.customerId) where.push(sql`${side.customerId} = ${v('customerId')}`);
  if (filters.ownerId) where.push(sql`${side.ownerId} = ${v('ownerId')}`);
  if (filters.businessLineId) where.push(sql`${side.businessLineId} = ${v('businessLineId')}`);
  if (filters.departmentId)
    where.push(
      sql`${side.departmentId} IN (SELECT d.id FROM ${departments} d WHERE d.path LIKE (SELECT p.path FROM ${departments} p WHERE p.id = ${v('departmentId')}) || '%')`,
    );
  // The reports' rule (销售报表): a contract's branch, else its owner's; the customer's region.
  if (filters.branchId)
    where.push(
      sql`coalesce(${side.branchId}, (SELECT u.branch_id FROM ${users} u WHERE u.id = ${side.ownerId})) = ${v('branchId')}`,
    );
  if (filters.regionId)
    where.push(sql`(SELECT c.region_id FROM ${customers} c WHERE c.id = ${side.customerId}) = ${v('regionId')}`);
  if (filters.contractId) where.push(side.kind === 'contract' ? sql`${side.id} = ${v('contractId')}` : sql`false`);
  if (filters.orderId) where.push(side.kind === 'order' ? sql`${side.id} = ${v('orderId')}` : sql`false`);
  if (filters.subjectId) where.push(sql`${side.id} = ${v('subjectId')}`);
  if (filters.q) {
    const pattern = v('q');
    where.push(
      sql`(${side.number} ILIKE ${pattern} OR ${side.title} ILIKE ${pattern}
        OR EXISTS (SELECT 1 FROM ${customers} c WHERE c.id = ${side.customerId} AND c.name ILIKE ${pattern}))`,
    );
  }
  return where;
}

/** The values of the filters set, for a statement built with their placeholders (`placeholderFilters`). */
function filterValues(filters: Filters): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const name of FILTER_NAMES)
    if (filters[name]) values[name] = name === 'q' ? containsPattern(filters.q!) : filters[name];
  return values;
}

const placeholderFilters = Object.fromEntries(FILTER_NAMES.map((name) => [name, sql.placeholder(name)]));

/** The day ages are counted to and the bounds of the buckets (days past due 1–30, 31–90, 91–180, over 180). */
export function ageingBounds(asOf: string) {
  return { asOf, d1: addDays(asOf, -1), d30: addDays(asOf, -30), d90: addDays(asOf, -90), d180: addDays(asOf, -180) };
}
/** The bounds as values, or as placeholders of the same names (a prepared statement's: ageingBounds gives the values). */
type Bounds = Record<keyof ReturnType<typeof ageingBounds>, string | Placeholder>;
const placeholderBounds: Bounds = {
  asOf: sql.placeholder('asOf'),
  d1: sql.placeholder('d1'),
  d30: sql.placeholder('d30'),
  d90: sql.placeholder('d90'),
  d180: sql.placeholder('d180'),
};

/** The condition of a bucket on a due-date column. */
function inBucket(due: SQL, bucket: AgeingBucket, b: Bounds): SQL {
  switch (bucket) {
    case 'not-due':
      return sql`(${due} IS NULL OR ${due} >= ${b.asOf}::date)`;
    case 'd1-30':
      return sql`(${due} <= ${b.d1}::date AND ${due} >= ${b.d30}::date)`;
    case 'd31-90':
      return sql`(${due} < ${b.d30}::date AND ${due} >= ${b.d90}::date)`;
    case 'd91-180':
      return sql`(${due} < ${b.d90}::date AND ${due} >= ${b.d180}::date)`;
    case 'over-180':
      return sql`${due} < ${b.d180}::date`;
  }
}

const and = (conditions: SQL[]) => sql.join(conditions, sql` AND `);

/** The open terms (something outstanding) of the reader's receivables, with their group key. */
function openTermsOf(ctx: Ctx, groupBy: ReceivableGrouping, filters: Filters, values?: Record<string, unknown>): SQL {
  const parts = sides(ctx).map(
    (side) => sql`SELECT ${keyOf(side, groupBy)} AS key, ${paymentTerms.amount} - ${paymentTerms.received} AS open,
      ${paymentTerms.dueOn} AS due FROM ${side.from}
      WHERE ${and([sql`${paymentTerms.received} < ${paymentTerms.amount}`, ...side.where, ...filtersOn(side, filters, values)])}`,
  );
  return sql.join(parts, sql` UNION ALL `);
}

const money = (value: SQL) => sql`coalesce(${value}, 0)::numeric(16, 2)::text`;

/** The ageing columns of a GROUP BY over `open` / `due`, with each summed over all groups too (window). */
export function ageingColumns(b: Bounds, withTotals: boolean): SQL {
  const due = sql.raw('due');
  const sums: [string, SQL][] = [
    ['outstanding', sql`sum(open)`],
    ...AGEING_BUCKETS.map((bucket): [string, SQL] => [
      bucket,
      sql`sum(open) FILTER (WHERE ${inBucket(due, bucket, b)})`,
    ]),
  ];
  const columns = sums.map(([name, sum]) => sql`${money(sum)} AS ${sql.identifier(name)}`);
  columns.push(sql`count(*)::int AS terms`);
  if (withTotals) {
    for (const [name, sum] of sums)
      columns.push(sql`${money(sql`sum(${sum}) OVER ()`)} AS ${sql.identifier(`total:${name}`)}`);
    columns.push(sql`sum(count(*)) OVER ()::int AS "total:terms"`, sql`count(*) OVER ()::int AS "total:groups"`);
  }
  return sql.join(columns, sql`, `);
}

export type AgeingRow = Record<string, string | number | null>;

export const ageingOf = (row: AgeingRow | undefined, prefix = ''): Ageing => ({
  outstanding: String(row?.[`${prefix}outstanding`] ?? '0.00'),
  'not-due': String(row?.[`${prefix}not-due`] ?? '0.00'),
  'd1-30': String(row?.[`${prefix}d1-30`] ?? '0.00'),
  'd31-90': String(row?.[`${prefix}d31-90`] ?? '0.00'),
  'd91-180': String(row?.[`${prefix}d91-180`] ?? '0.00'),
  'over-180': String(row?.[`${prefix}over-180`] ?? '0.00'),
  terms: Number(row?.[`${prefix}terms`] ?? 0),
});

/** Today in the firm's time zone (what "past due" is counted against everywhere). */
export const firmToday = () => localDate(new Date(), FIRM_TIME_ZONE);

async function rowsOf(db: Db, query: SQL): Promise<AgeingRow[]> {
  return ((await db.execute(query)) as unknown as { rows: AgeingRow[] }).rows;
}

/**
 * The groups of one page with their ageing, most outstanding first (or most overdue: `overdue`), and the
 * totals over every group; `limit: null` gives every group (the export). The ageing is read all day: its
 * statements are built once per reader, grouping, order, filters set and page size, and prepared — the day,
 * the bounds and the filters' values are placeholders; the page size and the first page's OFFSET 0 are in the
 * text (see fixedLimit).
 */
async function groupsOf(
  ctx: Ctx,
  query: Pick<ReceivablesQuery, 'groupBy' | 'sort'> & Filters,
  page: { pageSize: number; page: number } | null,
  asOf: string,
): Promise<{ groups: ReceivableGroup[]; totals: Ageing; total: number }> {
  const shape = [query.groupBy, query.sort ?? '', ...FILTER_NAMES.filter((name) => query[name])].join(',');
  const key = `${actorKey(ctx.actor)}|${shape}`;
  const values = { ...ageingBounds(asOf), ...filterValues(query), offset: page ? offsetOf(page) : 0 };
  const terms = () => openTermsOf(ctx, query.groupBy, query, placeholderFilters);
  const paged = page ? pageOffset(page) : undefined;
  const limit = paged?.key ?? 'all';
  const rows = await preparedRows<AgeingRow>(ctx.db, `receivables-groups|${limit}|${key}`, () => {
    const b = placeholderBounds;
    const by =
      query.sort?.replace('-', '') === 'overdue'
        ? sql`sum(open) FILTER (WHERE NOT (${inBucket(sql.raw('due'), 'not-due', b)}))`
        : sql`sum(open)`;
    const direction = query.sort?.startsWith('-') || !query.sort ? sql`DESC` : sql`ASC`;
    const window = page && paged ? sql`LIMIT ${fixedLimit(page.pageSize)} OFFSET ${paged.offset}` : sql``;
    return sql`SELECT key, ${ageingColumns(b, true)} FROM (${terms()}) t
      GROUP BY key ORDER BY coalesce(${by}, 0) ${direction}, key NULLS LAST ${window}`;
  }).execute(values);
  let totals: Ageing;
  let total: number;
  if (rows.length) {
    totals = ageingOf(rows[0], 'total:');
    total = Number(rows[0]['total:groups']);
  } else {
    // A page past the end: the totals alone.
    const [all] = await preparedRows<AgeingRow>(
      ctx.db,
      `receivables-totals|${key}`,
      () =>
        sql`SELECT ${ageingColumns(placeholderBounds, false)}, count(DISTINCT key)::int AS groups FROM (${terms()}) t`,
    ).execute(values);
    totals = ageingOf(all);
    total = Number(all?.groups ?? 0);
  }
  const names = await namesOf(
    ctx.db,
    query.groupBy,
    rows.map((r) => r.key as string | null).filter((k): k is string => k !== null),
  );
  const groups = rows.map((row) => {
    const key = row.key as string | null;
    const named = key ? names.get(key) : undefined;
    return { key, name: named?.name ?? null, detail: named?.detail ?? null, ...ageingOf(row) };
  });
  return { groups, totals, total };
}

/** Names of the groups of a page, looked up by key (prepared per grouping, the keys as one array). */
async function namesOf(
  db: Db,
  groupBy: ReceivableGrouping,
  keys: string[],
): Promise<Map<string, { name: string; detail: string | null }>> {
  const found = new Map<string, { name: string; detail: string | null }>();
  if (keys.length === 0) return found;
  const named = preparedRows<{ id: string; name: string; detail: string | null }>(
    db,
    `receivables-names|${groupBy}`,
    () => {
      const ids = sql`ANY(${sql.placeholder('ids')}::uuid[])`;
      switch (groupBy) {
        case 'customer':
          return sql`SELECT id, name, NULL AS detail FROM ${customers} WHERE id = ${ids}`;
        case 'owner':
          return sql`SELECT id, display_name AS name, NULL AS detail FROM ${users} WHERE id = ${ids}`;
        case 'department':
          return sql`SELECT id, name, NULL AS detail FROM ${departments} WHERE id = ${ids}`;
        case 'branch':
          return sql`SELECT id, name, NULL AS detail FROM ${branches} WHERE id = ${ids}`;
        case 'contract':
          return sql`SELECT x.id, coalesce(x.number || ' ', '') || x.title AS name, c.name AS detail
            FROM ${contracts} x JOIN ${customers} c ON c.id = x.customer_id WHERE x.id = ${ids}
            UNION ALL
            SELECT x.id, coalesce(x.number || ' ', '') || x.title AS name, c.name AS detail
            FROM ${orders} x JOIN ${customers} c ON c.id = x.customer_id WHERE x.id = ${ids}`;
      }
    },
  );
  for (const row of await named.execute({ ids: `{${keys.join(',')}}` }))
    found.set(row.id, { name: row.name, detail: row.detail });
  return found;
}

export async function getReceivables(ctx: Ctx, query: ReceivablesQuery): Promise<Receivables> {
  const asOf = firmToday();
  const { groups, totals, total } = await groupsOf(ctx, query, { pageSize: query.pageSize, page: query.page }, asOf);
  return { groupBy: query.groupBy, asOf, items: groups, totals, total, page: query.page, pageSize: query.pageSize };
}

/** Every group (the export). */
export function allGroups(ctx: Ctx, query: Pick<ReceivablesQuery, 'groupBy'> & Filters, asOf: string) {
  return groupsOf(ctx, query, null, asOf);
}

/** The columns of a term on its side, as the drill-down shows it. */
function termColumns(side: Side, b: Bounds): SQL {
  const due = sql`${paymentTerms.dueOn}`;
  const bucket = sql`CASE ${sql.join(
    AGEING_BUCKETS.map((k) => sql`WHEN ${inBucket(due, k, b)} THEN ${k}`),
    sql` `,
  )} END`;
  return sql`${paymentTerms.id} AS id, ${paymentTerms.position} AS position, ${paymentTerms.kind} AS kind,
    ${paymentTerms.trigger} AS trigger, ${side.customerId} AS customer_id,
    (SELECT c.name FROM ${customers} c WHERE c.id = ${side.customerId}) AS customer_name,
    ${side.kind === 'contract' ? side.id : sql`NULL::uuid`} AS contract_id,
    ${side.kind === 'order' ? side.id : sql`NULL::uuid`} AS order_id,
    ${side.number} AS subject_number, ${side.title} AS subject_title, ${side.status} AS subject_status,
    ${side.ownerId} AS owner_id, (SELECT u.display_name FROM ${users} u WHERE u.id = ${side.ownerId}) AS owner_name,
    ${due}::text AS due_on, ${paymentTerms.amount}::text AS amount, ${paymentTerms.invoiced}::text AS invoiced,
    ${paymentTerms.received}::text AS received, (${paymentTerms.amount} - ${paymentTerms.received})::text AS outstanding,
    (${b.asOf}::date - ${due})::int AS days_overdue, ${bucket} AS bucket`;
}

type TermRow = {
  id: string;
  position: number;
  kind: ReceivableTerm['kind'];
  trigger: ReceivableTerm['trigger'];
  customer_id: string;
  customer_name: string;
  contract_id: string | null;
  order_id: string | null;
  subject_number: string | null;
  subject_title: string;
  subject_status: string;
  owner_id: string;
  owner_name: string;
  due_on: string | null;
  amount: string;
  invoiced: string;
  received: string;
  outstanding: string;
  days_overdue: number | null;
  bucket: AgeingBucket;
};

const presentTerm = (r: TermRow): ReceivableTerm => ({
  id: r.id,
  position: Number(r.position),
  kind: r.kind,
  trigger: r.trigger,
  customerId: r.customer_id,
  customerName: r.customer_name,
  contractId: r.contract_id,
  orderId: r.order_id,
  subjectNumber: r.subject_number,
  subjectTitle: r.subject_title,
  subjectStatus: r.subject_status,
  ownerId: r.owner_id,
  ownerName: r.owner_name,
  dueOn: r.due_on,
  amount: r.amount,
  invoiced: r.invoiced,
  received: r.received,
  outstanding: r.outstanding,
  daysOverdue: r.days_overdue === null ? null : Number(r.days_overdue),
  bucket: r.bucket,
});

/** The terms behind the drill-down's filters, as one UNION ALL (without order or limit). */
function termsOf(ctx: Ctx, query: Omit<ReceivableTermsQuery, 'page' | 'pageSize'>, b: Bounds): SQL {
  const parts = sides(ctx).map((side) => {
    const where = [...side.where, ...filtersOn(side, query)];
    if (query.state !== 'all') where.push(sql`${paymentTerms.received} < ${paymentTerms.amount}`);
    if (query.groupBy && query.key)
      where.push(
        query.key === 'none'
          ? sql`${keyOf(side, query.groupBy)} IS NULL`
          : sql`${keyOf(side, query.groupBy)} = ${query.key}`,
      );
    if (query.bucket) where.push(inBucket(sql`${paymentTerms.dueOn}`, query.bucket, b));
    return sql`SELECT ${termColumns(side, b)} FROM ${side.from} WHERE ${and(where)}`;
  });
  return sql.join(parts, sql` UNION ALL `);
}

/** The drill-down: the terms behind a group and/or bucket, the oldest due first. */
export async function findReceivableTerms(ctx: Ctx, query: ReceivableTermsQuery): Promise<Page<ReceivableTerm>> {
  const b = ageingBounds(firmToday());
  const rows = (await rowsOf(
    ctx.db,
    sql`SELECT *, count(*) OVER ()::int AS total FROM (${termsOf(ctx, query, b)}) t
      ORDER BY due_on NULLS LAST, subject_number NULLS LAST, position, id
      LIMIT ${query.pageSize} OFFSET ${offsetOf(query)}`,
  )) as unknown as (TermRow & { total: number })[];
  let total = rows.length ? Number(rows[0].total) : 0;
  if (!rows.length && query.page > 1) {
    const [row] = await rowsOf(ctx.db, sql`SELECT count(*)::int AS n FROM (${termsOf(ctx, query, b)}) t`);
    total = Number(row.n);
  }
  return { items: rows.map(presentTerm), total, page: query.page, pageSize: query.pageSize };
}

/** Every open term behind the filters, a batch at a time in due-date order (the export). */
export async function* eachOpenTerm(ctx: Ctx, filters: Filters, asOf: string): AsyncGenerator<ReceivableTerm[]> {
  const b = ageingBounds(asOf);
  const BATCH = 2_000;
  let after: { due: string; id: string } | null = null;
  for (;;) {
    const keyset: SQL = after
      ? sql`WHERE (coalesce(due_on, '9999-12-31'), id) > (${after.due}, ${after.id}::uuid)`
      : sql``;
    const rows = (await rowsOf(
      ctx.db,
      sql`SELECT * FROM (${termsOf(ctx, { ...filters, state: 'open' }, b)}) t ${keyset}
        ORDER BY coalesce(due_on, '9999-12-31'), id LIMIT ${BATCH}`,
    )) as unknown as TermRow[];
    if (rows.length) yield rows.map(presentTerm);
    if (rows.length < BATCH) return;
    const last = rows[rows.length - 1];
    after = { due: last.due_on ?? '9999-12-31', id: last.id };
  }
}
