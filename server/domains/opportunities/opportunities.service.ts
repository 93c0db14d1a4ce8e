import { alias, type PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { and, asc, count, desc, eq, gte, inArray, isNull, lte, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Page } from '../../../common/schemas/common';
import type {
  Board,
  BoardQuery,
  Opportunity,
  OpportunityCreate,
  OpportunityListQuery,
  OpportunityMember,
  OpportunityMove,
  OpportunityTotals,
  OpportunityUpdate,
  StageChange,
  StageRequirement,
} from '../../../common/schemas/opportunities';
import { inTransaction, type Ctx } from '../../context';
import { stageEntered } from './stage-entry';
import { preparedOnce, type Db } from '../../db/client';
import { AppError, forbidden, inactiveReference, notFound } from '../../errors';
import { isoText, offsetOf, orderFrom, outer, pageWithTotal } from '../../lib/listing';
import { shownColumns, textMatches, type Shown } from '../../lib/search';
import { searchTextOf } from '../../lib/search-text';
import { FIRM_TIME_ZONE } from '../../lib/time';
import { actorKey, can, departmentSubtree, scopeOf } from '../../policy';
import { recordAudit } from '../audit/audit.service';
import { assertCampaignOpen } from '../campaigns/campaigns.service';
import { campaigns } from '../campaigns/campaigns.tables';
import { visibleCustomers } from '../customers/customers.policy';
import { contacts, customers } from '../customers/customers.tables';
import { assertActiveReferences } from '../staff/reference.service';
import { businessLines, departments, users } from '../staff/staff.tables';
import { assertAcceptanceComplete, assertOpen, findIndependenceConflicts, opportunityFor } from './acceptance.service';
import { memberOf, visibleOpportunities } from './opportunities.policy';
import { opportunities, opportunityMembers, opportunityStageChanges, pipelineStages } from './opportunities.tables';
import { overrideState } from './independence-approval';
import { isUsable } from './quote-approval';
import { findQuotes } from './quotes.service';
import {
  firstOpenStage,
  lineExists,
  pipelineOf,
  presentStage,
  requirementList,
  stageName,
  type StageRow,
} from './pipeline.service';

type Row = Shown<typeof opportunities>;

const owners = alias(users, 'opportunity_owners');
const overriders = alias(users, 'opportunity_overriders');

/** expected amount × probability, exact to the cent (numeric arithmetic, rounded half away from zero). */
const weighted = sql`round(${opportunities.expectedAmount} * ${opportunities.probability} / 100.0, 2)`;
/** An exact sum of money as text with two decimals ("0.00" when there is nothing to add). */
const moneySum = (value: SQL | typeof opportunities.expectedAmount) =>
  sql<string>`coalesce(sum(${value}), 0)::numeric(16, 2)::text`;

/** The team as a column of the opportunity's own query (oldest member first). */
const membersOf = sql<
  OpportunityMember[]
>`coalesce((SELECT json_agg(json_build_object('userId', mu.id, 'name', mu.display_name, 'departmentName', md.name, 'role', m.role) ORDER BY m.created_at, mu.display_name)
  FROM ${opportunityMembers} m JOIN ${users} mu ON mu.id = m.user_id LEFT JOIN ${departments} md ON md.id = mu.department_id
  WHERE m.opportunity_id = ${outer(opportunities.id)}), '[]'::json)`;

function selectOpportunities(db: Db) {
  return db
    .select({
      row: shownColumns(opportunities),
      customerName: customers.name,
      contactName: contacts.name,
      businessLineName: businessLines.name,
      stageNameZh: pipelineStages.nameZh,
      stageNameEn: pipelineStages.nameEn,
      ownerName: owners.displayName,
      campaignName: campaigns.name,
      overrideByName: overriders.displayName,
      weightedAmount: sql<string | null>`${weighted}::text`,
      members: membersOf,
    })
    .from(opportunities)
    .innerJoin(customers, eq(customers.id, opportunities.customerId))
    .leftJoin(contacts, eq(contacts.id, opportunities.contactId))
    .innerJoin(businessLines, eq(businessLines.id, opportunities.businessLineId))
    .innerJoin(pipelineStages, eq(pipelineStages.id, opportunities.stageId))
    .innerJoin(owners, eq(owners.id, opportunities.ownerId))
    .leftJoin(campaigns, eq(campaigns.id, opportunities.campaignId))
    .leftJoin(overriders, eq(overriders.id, opportunities.independenceOverrideBy))
    .$dynamic();
}

type Joined = {
  row: Row;
  customerName: string;
  contactName: string | null;
  businessLineName: string;
  stageNameZh: string;
  stageNameEn: string;
  ownerName: string;
  campaignName: string | null;
  overrideByName: string | null;
  weightedAmount: string | null;
  members: OpportunityMember[];
};

function present(r: Joined): Opportunity {
  const o = r.row;
  return {
    id: o.id,
    name: o.name,
    customerId: o.customerId,
    customerName: r.customerName,
    contactId: o.contactId,
    contactName: r.contactName,
    businessLineId: o.businessLineId,
    businessLineName: r.businessLineName,
    stageId: o.stageId,
    stageNameZh: r.stageNameZh,
    stageNameEn: r.stageNameEn,
    status: o.status,
    probability: o.probability,
    expectedAmount: o.expectedAmount,
    weightedAmount: r.weightedAmount,
    expectedCloseOn: o.expectedCloseOn,
    nextStep: o.nextStep,
    ownerId: o.ownerId,
    ownerName: r.ownerName,
    departmentId: o.departmentId,
    leadId: o.leadId,
    campaignId: o.campaignId,
    campaignName: r.campaignName,
    lostReason: o.lostReason,
    competitor: o.competitor,
    closedAt: o.closedAt?.toISOString() ?? null,
    stageEnteredAt: o.stageEnteredAt.toISOString(),
    isProject: o.isProject,
    members: r.members,
    independenceOverride:
      o.independenceOverrideReason && o.independenceOverrideBy && o.independenceOverrideAt
        ? {
            reason: o.independenceOverrideReason,
            byUserId: o.independenceOverrideBy,
            byUserName: r.overrideByName ?? '',
            at: o.independenceOverrideAt.toISOString(),
          }
        : null,
    origin: o.originKind && o.originId ? { kind: o.originKind, id: o.originId } : null,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}

// ---------- the filters shared by the list, its totals and the board ----------

export type OpportunityFilters = Pick<
  OpportunityListQuery,
  | 'q'
  | 'view'
  | 'status'
  | 'businessLineId'
  | 'stageId'
  | 'regionId'
  | 'ownerId'
  | 'customerId'
  | 'campaignId'
  | 'minAmount'
  | 'maxAmount'
  | 'closeFrom'
  | 'closeTo'
  | 'noCloseDate'
  | 'branchId'
  | 'departmentId'
  | 'enteredStageId'
  | 'enteredFrom'
  | 'enteredTo'
  | 'lostAtStageId'
  | 'movedOnFromStageId'
  | 'lostReason'
  | 'closedFrom'
  | 'closedTo'
>;

/** The filters compared with one value each, by the name of their placeholder in a prepared statement. */
const VALUE_FILTERS = [
  'status',
  'businessLineId',
  'stageId',
  'ownerId',
  'customerId',
  'campaignId',
  'regionId',
  'minAmount',
  'maxAmount',
  'closeFrom',
  'closeTo',
  'branchId',
  'departmentId',
  'enteredStageId',
  'enteredFrom',
  'enteredTo',
  'lostAtStageId',
  'movedOnFromStageId',
  'lostReason',
  'closedFrom',
  'closedTo',
] as const;

/** A comma-separated list of stage ids (StageIds) as a uuid[] in SQL. */
const stageIds = (list: SQL | string) => sql`string_to_array(${list}::text, ',')::uuid[]`;

/** The instant a local date (Asia/Shanghai, the firm's zone) begins; `next`: the day after it. */
const localMidnight = (date: SQL | string, next = false) =>
  next
    ? sql`((${date}::date + 1)::timestamp AT TIME ZONE ${FIRM_TIME_ZONE})`
    : sql`(${date}::date::timestamp AT TIME ZONE ${FIRM_TIME_ZONE})`;

/** The stage an opportunity was in when it was last lost (its latest change to lost). */
export const lostFromStage = sql`(SELECT c.from_stage_id FROM ${opportunityStageChanges} c
  WHERE c.opportunity_id = ${outer(opportunities.id)} AND c.to_status = 'lost' ORDER BY c.at DESC, c.id DESC LIMIT 1)`;

/**
 * The one WHERE of every opportunity list: visibility, the view and the filters. With `placeholders`,
 * each value filter is `sql.placeholder(<its name>)` instead of its value, for a statement prepared once
 * per shape (see filterShape); the values are then filterValues(f).
 */
export function opportunityFilter(ctx: Ctx, f: Partial<OpportunityFilters>, placeholders = false): SQL {
  const { actor } = ctx;
  const v = <K extends (typeof VALUE_FILTERS)[number]>(name: K) =>
    (placeholders ? sql.placeholder(name) : f[name]) as NonNullable<OpportunityFilters[K]>;
  const conditions: (SQL | undefined)[] = [visibleOpportunities(actor)];
  if (f.view === 'mine') conditions.push(eq(opportunities.ownerId, actor.id));
  if (f.view === 'team')
    conditions.push(
      actor.departmentPath ? inArray(opportunities.departmentId, departmentSubtree(actor.departmentPath)) : sql`false`,
    );
  if (f.view === 'member') conditions.push(memberOf(actor));
  if (f.status) conditions.push(eq(opportunities.status, v('status')));
  if (f.businessLineId) conditions.push(eq(opportunities.businessLineId, v('businessLineId')));
  if (f.stageId) conditions.push(sql`${opportunities.stageId} = ANY(${stageIds(v('stageId'))})`);
  if (f.ownerId) conditions.push(eq(opportunities.ownerId, v('ownerId')));
  if (f.customerId) conditions.push(eq(opportunities.customerId, v('customerId')));
  if (f.campaignId) conditions.push(eq(opportunities.campaignId, v('campaignId')));
  if (f.regionId)
    conditions.push(
      sql`${outer(opportunities.customerId)} IN (SELECT ${customers.id} FROM ${customers} WHERE ${eq(customers.regionId, v('regionId'))})`,
    );
  if (f.minAmount) conditions.push(gte(opportunities.expectedAmount, v('minAmount')));
  if (f.maxAmount) conditions.push(lte(opportunities.expectedAmount, v('maxAmount')));
  if (f.closeFrom) conditions.push(gte(opportunities.expectedCloseOn, v('closeFrom')));
  if (f.closeTo) conditions.push(lte(opportunities.expectedCloseOn, v('closeTo')));
  if (f.noCloseDate) conditions.push(isNull(opportunities.expectedCloseOn));
  if (f.branchId)
    conditions.push(
      sql`${outer(opportunities.ownerId)} IN (SELECT ${users.id} FROM ${users} WHERE ${eq(users.branchId, v('branchId'))})`,
    );
  if (f.departmentId)
    conditions.push(
      sql`${outer(opportunities.departmentId)} IN (SELECT d.id FROM ${departments} d
        WHERE d.path LIKE (SELECT p.path FROM ${departments} p WHERE p.id = ${v('departmentId')}) || '%')`,
    );
  if (f.enteredStageId || f.enteredFrom || f.enteredTo) {
    const entered = [
      sql`c.opportunity_id = ${outer(opportunities.id)}`,
      sql`c.to_status = 'open'`,
      f.enteredStageId ? sql`c.to_stage_id = ANY(${stageIds(v('enteredStageId'))})` : undefined,
      f.enteredFrom ? sql`c.at >= ${localMidnight(v('enteredFrom'))}` : undefined,
      f.enteredTo ? sql`c.at < ${localMidnight(v('enteredTo'), true)}` : undefined,
    ].filter((c) => c !== undefined);
    conditions.push(sql`EXISTS (SELECT 1 FROM ${opportunityStageChanges} c WHERE ${sql.join(entered, sql` AND `)})`);
  }
  if (f.lostAtStageId)
    conditions.push(sql`${opportunities.status} = 'lost' AND ${lostFromStage} = ANY(${stageIds(v('lostAtStageId'))})`);
  if (f.movedOnFromStageId) {
    const ids = stageIds(v('movedOnFromStageId'));
    conditions.push(
      sql`EXISTS (SELECT 1 FROM ${opportunityStageChanges} c WHERE c.opportunity_id = ${outer(opportunities.id)}
          AND c.to_status = 'open' AND c.to_stage_id = ANY(${ids}))
        AND NOT (${opportunities.status} = 'open' AND ${opportunities.stageId} = ANY(${ids}))
        AND NOT (${opportunities.status} = 'lost' AND coalesce(${lostFromStage} = ANY(${ids}), false))`,
    );
  }
  if (f.lostReason) conditions.push(eq(opportunities.lostReason, v('lostReason')));
  // Closed between two local dates of the firm (midnight Asia/Shanghai bounds), both included.
  if (f.closedFrom)
    conditions.push(
      sql`${opportunities.closedAt} >= (${v('closedFrom')}::date::timestamp AT TIME ZONE ${FIRM_TIME_ZONE})`,
    );
  if (f.closedTo)
    conditions.push(
      sql`${opportunities.closedAt} < ((${v('closedTo')}::date + 1)::timestamp AT TIME ZONE ${FIRM_TIME_ZONE})`,
    );
  if (f.q) conditions.push(textMatches(opportunities, f.q));
  return and(...conditions)!;
}

/**
 * What a statement built by opportunityFilter(…, true) depends on besides its placeholders: the view
 * and which value filters are present. Null with a search (its predicate's form depends on the words).
 */
function filterShape(f: Partial<OpportunityFilters>): string | null {
  if (f.q) return null;
  return [f.view ?? 'all', ...VALUE_FILTERS.filter((name) => f[name]), ...(f.noCloseDate ? ['noCloseDate'] : [])].join(
    ',',
  );
}

/** The values of the value filters present, for a statement built with placeholders. */
function filterValues(f: Partial<OpportunityFilters>): Record<string, unknown> {
  return Object.fromEntries(VALUE_FILTERS.filter((name) => f[name]).map((name) => [name, f[name]]));
}

// ---------- reading ----------

export async function findOpportunities(ctx: Ctx, query: OpportunityListQuery): Promise<Page<Opportunity>> {
  const where = opportunityFilter(ctx, query);
  const order = orderFrom(
    query.sort,
    {
      createdAt: opportunities.createdAt,
      name: opportunities.name,
      expectedAmount: opportunities.expectedAmount,
      expectedCloseOn: opportunities.expectedCloseOn,
      probability: opportunities.probability,
      stageEnteredAt: opportunities.stageEnteredAt,
    },
    '-createdAt',
    opportunities.id,
  );
  const { rows, total } = await pageWithTotal(
    query,
    selectOpportunities(ctx.db)
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () => ctx.db.select({ total: count() }).from(opportunities).where(where),
  );
  return { items: rows.map(present), total, page: query.page, pageSize: query.pageSize };
}

/** Count, Σ expected amount and Σ weighted amount of the filtered list, exact. */
export async function getOpportunityTotals(ctx: Ctx, query: Partial<OpportunityFilters>): Promise<OpportunityTotals> {
  const [row] = await ctx.db
    .select({ count: count(), totalAmount: moneySum(opportunities.expectedAmount), weightedAmount: moneySum(weighted) })
    .from(opportunities)
    .where(opportunityFilter(ctx, query));
  return row;
}

/** One of the largest of a list (getLargestOpportunities): what a start page shows of it. */
export type LargeOpportunity = {
  id: string;
  name: string;
  customerName: string;
  ownerName: string;
  stageNameZh: string;
  stageNameEn: string;
  expectedAmount: string | null;
  expectedCloseOn: string | null;
};

/**
 * The totals of the filtered list (as getOpportunityTotals) and its first `n` rows sorted by expected amount,
 * largest first (as findOpportunities with sort -expectedAmount: empty amounts last, then by id), in one statement
 * reading the list's rows once — without the count of every row a list page adds.
 */
export async function getLargestOpportunities(
  ctx: Ctx,
  query: Partial<OpportunityFilters>,
  n: number,
): Promise<{ totals: OpportunityTotals; largest: LargeOpportunity[] }> {
  // The list’s rows kept narrow (id, amount, probability), read twice: once for the sums (weighted as `weighted`),
  // once for the top n.
  const result = await ctx.db.execute(sql`WITH listed AS MATERIALIZED (
      SELECT ${opportunities.id} AS id, ${opportunities.expectedAmount} AS amount, ${opportunities.probability} AS probability
      FROM ${opportunities} WHERE ${opportunityFilter(ctx, query)}
    )
    SELECT t.count, t."totalAmount", t."weightedAmount",
      coalesce((SELECT json_agg(json_build_object('id', o.id, 'name', o.name, 'customerName', c.name,
          'ownerName', u.display_name, 'stageNameZh', s.name_zh, 'stageNameEn', s.name_en,
          'expectedAmount', o.expected_amount::text, 'expectedCloseOn', o.expected_close_on::text)
          ORDER BY top.amount DESC NULLS LAST, top.id)
        FROM (SELECT id, amount FROM listed ORDER BY amount DESC NULLS LAST, id LIMIT ${n}) top
          JOIN ${opportunities} o ON o.id = top.id JOIN ${customers} c ON c.id = o.customer_id
          JOIN ${users} u ON u.id = o.owner_id JOIN ${pipelineStages} s ON s.id = o.stage_id), '[]'::json) AS largest
    FROM (SELECT count(*)::int AS count, coalesce(sum(amount), 0)::numeric(16, 2)::text AS "totalAmount",
        coalesce(sum(round(amount * probability / 100.0, 2)), 0)::numeric(16, 2)::text AS "weightedAmount"
      FROM listed) t`);
  const [row] = (
    result as unknown as {
      rows: { count: number; totalAmount: string; weightedAmount: string; largest: LargeOpportunity[] }[];
    }
  ).rows;
  return {
    totals: { count: Number(row.count), totalAmount: row.totalAmount, weightedAmount: row.weightedAmount },
    largest: row.largest,
  };
}

export async function getOpportunity(ctx: Ctx, id: string): Promise<Opportunity> {
  const [row] = await selectOpportunities(ctx.db).where(and(eq(opportunities.id, id), visibleOpportunities(ctx.actor)));
  if (!row) throw notFound();
  return present(row);
}

/** What the board shows: what is open, and what closed in the last CLOSED_DAYS (with placeholders, see opportunityFilter). */
const boardWhere = (ctx: Ctx, query: BoardQuery) =>
  and(
    opportunityFilter(ctx, query, true),
    sql`(${opportunities.status} = 'open' OR ${opportunities.closedAt} >= now() - make_interval(days => ${CLOSED_DAYS}::int))`,
  );

/** The column of an opportunity: its stage while open, its status once closed. */
const boardColumn = sql<string>`CASE WHEN ${opportunities.status} = 'open' THEN ${opportunities.stageId}::text ELSE ${opportunities.status} END`;

/** Count and exact sums per column, over the whole column. */
function boardTotals(ctx: Ctx, query: BoardQuery) {
  return ctx.db
    .select({
      column: boardColumn,
      count: count(),
      totalAmount: moneySum(opportunities.expectedAmount),
      weightedAmount: moneySum(weighted),
    })
    .from(opportunities)
    .where(boardWhere(ctx, query))
    .groupBy(boardColumn)
    .prepare('');
}

/** The newest arrivals of each column: perStage per open stage, closedLimit for won and lost. */
function boardCards(ctx: Ctx, query: BoardQuery) {
  const ranked = ctx.db
    .select({
      id: opportunities.id,
      name: opportunities.name,
      customerName: sql<string>`${customers.name}`.as('card_customer_name'),
      ownerName: sql<string>`${owners.displayName}`.as('card_owner_name'),
      expectedAmount: opportunities.expectedAmount,
      expectedCloseOn: opportunities.expectedCloseOn,
      probability: opportunities.probability,
      stageEnteredAt: isoText(opportunities.stageEnteredAt).as('card_entered_at'),
      column: sql<string>`${boardColumn}`.as('card_column'),
      rank: sql<number>`row_number() OVER (PARTITION BY ${boardColumn} ORDER BY ${opportunities.stageEnteredAt} DESC, ${opportunities.id})`.as(
        'card_rank',
      ),
    })
    .from(opportunities)
    .innerJoin(customers, eq(customers.id, opportunities.customerId))
    .innerJoin(owners, eq(owners.id, opportunities.ownerId))
    .where(boardWhere(ctx, query))
    .as('ranked');
  return ctx.db
    .select()
    .from(ranked)
    .where(
      sql`${ranked.rank} <= CASE WHEN ${ranked.column} IN ('won', 'lost') THEN ${sql.placeholder('closedLimit')}::int ELSE ${sql.placeholder('perStage')}::int END`,
    )
    .orderBy(ranked.column, ranked.rank)
    .prepare('');
}

/** Won and lost cards on the board: closed in the last days, at most this many per column. */
const CLOSED_DAYS = 30;
const CLOSED_CARDS = 20;

/**
 * One business line's board: a column per open stage of its pipeline (plus any older stage that
 * still holds matching open opportunities, e.g. of the default pipeline before the line got its
 * own), then won and lost with what closed in the last 30 days. Totals cover the whole column;
 * cards are the newest arrivals. Two queries: the aggregates, and the cards ranked per column.
 */
export async function getBoard(ctx: Ctx, query: BoardQuery): Promise<Board> {
  if (!(await lineExists(ctx.db, query.businessLineId))) throw notFound();
  const { stages } = await pipelineOf(ctx.db, query.businessLineId);
  // Both statements are built once per reader and filter shape and prepared (named on PostgreSQL): the board
  // is read all day and its SQL costs less to run than to build. A search builds them for the request.
  const shape = filterShape(query);
  const prepared = <P extends { execute(values: Record<string, unknown>): Promise<unknown> }>(
    name: string,
    build: () => P,
  ): P => (shape === null ? build() : preparedOnce(ctx.db, `board-${name}:${actorKey(ctx.actor)}:${shape}`, build));
  const values = {
    ...filterValues(query),
    perStage: query.perStage,
    closedLimit: Math.min(CLOSED_CARDS, query.perStage),
  };
  const [totals, cards] = await Promise.all([
    prepared('totals', () => boardTotals(ctx, query)).execute(values),
    prepared('cards', () => boardCards(ctx, query)).execute(values),
  ]);

  // Open stages outside the line's pipeline that hold matching opportunities keep a column.
  const known = new Set(stages.map((s) => s.id));
  const others = totals.map((t) => t.column).filter((c) => c !== 'won' && c !== 'lost' && !known.has(c));
  const older = others.length
    ? await ctx.db
        .select()
        .from(pipelineStages)
        .where(inArray(pipelineStages.id, others))
        .orderBy(asc(pipelineStages.position), asc(pipelineStages.id))
    : [];
  const open = stages.filter((s) => s.kind === 'open');
  const closed = stages.filter((s) => s.kind !== 'open');
  const columns = [...open, ...older, ...closed].map((stage) => {
    const key = stage.kind === 'open' ? stage.id : stage.kind;
    const sum = totals.find((t) => t.column === key);
    return {
      stage: presentStage(stage),
      count: sum?.count ?? 0,
      totalAmount: sum?.totalAmount ?? '0.00',
      weightedAmount: sum?.weightedAmount ?? '0.00',
      cards: cards
        .filter((c) => c.column === key)
        .map((c) => ({
          id: c.id,
          name: c.name,
          customerName: c.customerName,
          ownerName: c.ownerName,
          expectedAmount: c.expectedAmount,
          expectedCloseOn: c.expectedCloseOn,
          probability: c.probability,
          stageEnteredAt: c.stageEnteredAt,
        })),
    };
  });
  return { businessLineId: query.businessLineId, columns };
}

export async function findStageHistory(ctx: Ctx, id: string): Promise<StageChange[]> {
  await assertVisible(ctx, id);
  const from = alias(pipelineStages, 'from_stages');
  const to = alias(pipelineStages, 'to_stages');
  const rows = await ctx.db
    .select({
      change: opportunityStageChanges,
      fromZh: from.nameZh,
      fromEn: from.nameEn,
      toZh: to.nameZh,
      toEn: to.nameEn,
      byName: users.displayName,
    })
    .from(opportunityStageChanges)
    .leftJoin(from, eq(from.id, opportunityStageChanges.fromStageId))
    .innerJoin(to, eq(to.id, opportunityStageChanges.toStageId))
    .leftJoin(users, eq(users.id, opportunityStageChanges.byUserId))
    .where(eq(opportunityStageChanges.opportunityId, id))
    .orderBy(asc(opportunityStageChanges.at), asc(opportunityStageChanges.id));
  return rows.map(({ change: c, ...r }) => ({
    id: c.id,
    fromStageId: c.fromStageId,
    fromStageNameZh: r.fromZh,
    fromStageNameEn: r.fromEn,
    toStageId: c.toStageId,
    toStageNameZh: r.toZh,
    toStageNameEn: r.toEn,
    fromStatus: c.fromStatus,
    toStatus: c.toStatus,
    note: c.note,
    at: c.at.toISOString(),
    byUserId: c.byUserId,
    byUserName: r.byName,
  }));
}

async function assertVisible(ctx: Ctx, id: string): Promise<void> {
  const [row] = await ctx.db
    .select({ id: opportunities.id })
    .from(opportunities)
    .where(and(eq(opportunities.id, id), visibleOpportunities(ctx.actor)));
  if (!row) throw notFound();
}

// ---------- checks ----------

/**
 * The owner's department, for a new owner. A new opportunity is one's own; giving one to someone
 * else, or changing the owner later (even to oneself, e.g. as a team member), needs the write
 * scope over the new owner (department subtree, or all).
 */
async function departmentOfOwner(ctx: Ctx, ownerId: string, options: { reassign: boolean }): Promise<string | null> {
  const [owner] = await ctx.db
    .select({ active: users.active, departmentId: users.departmentId, path: departments.path })
    .from(users)
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .where(eq(users.id, ownerId));
  if (!owner?.active) throw inactiveReference('field.owner');
  if (options.reassign || ownerId !== ctx.actor.id) {
    const scope = scopeOf(ctx.actor, 'opportunities:write');
    const inSubtree =
      scope === 'department' && Boolean(ctx.actor.departmentPath && owner.path?.startsWith(ctx.actor.departmentPath));
    if (scope !== 'all' && !inSubtree) throw forbidden();
  }
  return owner.departmentId;
}

async function assertContactOf(db: Db, customerId: string, contactId: string | null | undefined) {
  if (!contactId) return;
  const [contact] = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.id, contactId), eq(contacts.customerId, customerId)));
  if (!contact) throw inactiveReference('field.contact');
}

type RequirementState = Pick<
  Row,
  'expectedAmount' | 'expectedCloseOn' | 'nextStep' | 'contactId' | 'businessLineId'
> & { id: string | null };

/** A quote that needs no approval, or was approved: what 商务报价 (a stage requiring a quote) asks for. */
async function hasUsableQuote(ctx: Ctx, opportunityId: string): Promise<boolean> {
  const quotes = await findQuotes(ctx, opportunityId);
  return quotes.some((q) => isUsable(q.approval));
}

/**
 * What a stage asks for before an opportunity enters it: STAGE_REQUIREMENTS_MISSING listing the
 * missing fields; then the engagement acceptance checklist (always before winning).
 */
async function assertStageRequirements(ctx: Ctx, state: RequirementState, stage: StageRow): Promise<void> {
  const missing: StageRequirement[] = [];
  for (const requirement of stage.requiredFields as StageRequirement[]) {
    let present = true;
    if (requirement === 'expectedAmount') present = state.expectedAmount !== null;
    if (requirement === 'expectedCloseOn') present = state.expectedCloseOn !== null;
    if (requirement === 'nextStep') present = Boolean(state.nextStep);
    if (requirement === 'contact') present = state.contactId !== null;
    if (requirement === 'quote') present = state.id !== null && (await hasUsableQuote(ctx, state.id));
    if (requirement === 'team') {
      present =
        state.id !== null &&
        (
          await ctx.db
            .select({ id: opportunityMembers.userId })
            .from(opportunityMembers)
            .where(eq(opportunityMembers.opportunityId, state.id))
            .limit(1)
        ).length > 0;
    }
    if (!present) missing.push(requirement);
  }
  if (missing.length) {
    const locale = ctx.actor.locale;
    throw new AppError(
      'STAGE_REQUIREMENTS_MISSING',
      { stage: stageName(locale, stage), missing: requirementList(locale, missing) },
      { stageId: stage.id, missing },
    );
  }
  if (stage.requiredFields.includes('acceptance') || stage.kind === 'won') {
    await assertAcceptanceComplete(ctx.db, {
      id: state.id ?? '00000000-0000-0000-0000-000000000000',
      businessLineId: state.businessLineId,
    });
  }
}

/**
 * A stage an opportunity may go to: an active stage of the pipeline its current stage belongs
 * to, or of its business line's pipeline in force (so opportunities left in the default
 * pipeline when their line got its own keep working, and can move over).
 */
async function stageFor(ctx: Ctx, opportunity: Row, stageId: string): Promise<StageRow> {
  const [target] = await ctx.db.select().from(pipelineStages).where(eq(pipelineStages.id, stageId));
  const [current] = await ctx.db
    .select({ businessLineId: pipelineStages.businessLineId })
    .from(pipelineStages)
    .where(eq(pipelineStages.id, opportunity.stageId));
  if (target?.active) {
    if (target.businessLineId === current?.businessLineId) return target;
    const { stages } = await pipelineOf(ctx.db, opportunity.businessLineId);
    if (stages.some((s) => s.id === target.id)) return target;
  }
  throw new AppError('STAGE_NOT_IN_PIPELINE', {}, { stageId });
}

/**
 * Now, to the microsecond, read once and reused for the opportunity and its history entry. Read
 * after the row lock (not at transaction start), so the entries of one opportunity never interleave.
 */
async function instant(ctx: Ctx): Promise<SQL> {
  const result = (await ctx.db.execute(sql`SELECT clock_timestamp()::text AS now`)) as unknown as {
    rows: { now: string }[];
  };
  return sql`${result.rows[0].now}::timestamptz`;
}

/** Writes one entry of the stage history and runs the stage-entry hooks. */
async function recordStageChange(
  ctx: Ctx,
  change: {
    opportunityId: string;
    from: Row | null;
    toStageId: string;
    toStatus: Row['status'];
    note?: string | null;
    at: SQL;
  },
) {
  const [entry] = await ctx.db
    .insert(opportunityStageChanges)
    .values({
      opportunityId: change.opportunityId,
      fromStageId: change.from?.stageId ?? null,
      fromStatus: change.from?.status ?? null,
      toStageId: change.toStageId,
      toStatus: change.toStatus,
      note: change.note ?? null,
      at: change.at,
      byUserId: ctx.actor.id,
    })
    .returning({ id: opportunityStageChanges.id });
  // Entering a stage: what other domains do then (playbooks schedule their activities), in this transaction.
  await stageEntered(ctx, { opportunityId: change.opportunityId, stageId: change.toStageId, entryId: entry.id });
}

// ---------- writing ----------

/** Where a converted lead's opportunity came from: the lead and its campaign (kept even if the campaign has ended). */
type Origin = {
  leadId?: string | null;
  campaignId?: string | null;
  /** The suggestion it was made from (a renewal, a cross-sell suggestion). */
  origin?: { kind: (typeof opportunities.$inferInsert)['originKind'] & string; id: string };
};

export async function createOpportunity(ctx: Ctx, input: OpportunityCreate, extra: Origin = {}): Promise<Opportunity> {
  if (!can(ctx.actor, 'opportunities:write')) throw forbidden();
  return inTransaction(ctx, (tx) => insertOpportunity(tx, input, extra));
}

/**
 * Creates an opportunity inside the caller's transaction (lead conversion uses this): the customer
 * must be visible to the actor; it starts in the first open stage of its line's pipeline (or a
 * chosen open stage whose requirements it meets) with that stage's probability.
 */
export async function insertOpportunity(ctx: Ctx, input: OpportunityCreate, extra: Origin = {}): Promise<Opportunity> {
  const [customer] = await ctx.db
    .select({ id: customers.id, name: customers.name })
    .from(customers)
    .where(and(eq(customers.id, input.customerId), visibleCustomers(ctx.actor)));
  if (!customer) throw notFound();
  await assertActiveReferences(ctx.db, 'businessLine', [input.businessLineId]);
  const ownerId = input.ownerId ?? ctx.actor.id;
  const departmentId = await departmentOfOwner(ctx, ownerId, { reassign: false });
  await assertContactOf(ctx.db, customer.id, input.contactId);
  await assertCampaignOpen(ctx.db, input.campaignId);
  const { stages } = await pipelineOf(ctx.db, input.businessLineId);
  let stage = firstOpenStage(stages);
  const fields = {
    name: input.name,
    customerId: customer.id,
    contactId: input.contactId ?? null,
    businessLineId: input.businessLineId,
    expectedAmount: input.expectedAmount ?? null,
    expectedCloseOn: input.expectedCloseOn ?? null,
    nextStep: input.nextStep ?? null,
    campaignId: input.campaignId ?? extra.campaignId ?? null,
    isProject: input.isProject ?? false,
  };
  if (input.stageId && input.stageId !== stage.id) {
    const chosen = stages.find((s) => s.id === input.stageId && s.kind === 'open');
    if (!chosen) throw new AppError('STAGE_NOT_IN_PIPELINE', {}, { stageId: input.stageId });
    await assertStageRequirements(ctx, { ...fields, id: null }, chosen);
    stage = chosen;
  }
  const at = await instant(ctx);
  const [row] = await ctx.db
    .insert(opportunities)
    .values({
      ...fields,
      stageId: stage.id,
      status: 'open',
      probability: stage.probability,
      ownerId,
      departmentId,
      leadId: extra.leadId ?? null,
      originKind: extra.origin?.kind ?? null,
      originId: extra.origin?.id ?? null,
      stageEnteredAt: at,
      searchText: searchTextOf([input.name, customer.name]),
      createdBy: ctx.actor.id,
    })
    .returning();
  await recordStageChange(ctx, { opportunityId: row.id, from: null, toStageId: stage.id, toStatus: 'open', at });
  const [created] = await selectOpportunities(ctx.db).where(eq(opportunities.id, row.id));
  const after = present(created);
  await recordAudit(ctx, { action: 'create', entityType: 'opportunity', entityId: row.id, after });
  return after;
}

export async function updateOpportunity(ctx: Ctx, id: string, patch: OpportunityUpdate): Promise<Opportunity> {
  return inTransaction(ctx, async (tx) => {
    const current = await opportunityFor(tx, id, { write: true, lock: true });
    const before = await getOpportunity(tx, id);
    if (patch.probability !== undefined && patch.probability !== current.probability) assertOpen(current);
    const set: PgUpdateSetSource<typeof opportunities> = {};
    if (patch.name !== undefined) {
      set.name = patch.name;
      set.searchText = searchTextOf([patch.name, before.customerName]);
    }
    if (patch.contactId !== undefined) {
      await assertContactOf(tx.db, current.customerId, patch.contactId);
      set.contactId = patch.contactId;
    }
    if (patch.expectedAmount !== undefined) set.expectedAmount = patch.expectedAmount;
    if (patch.expectedCloseOn !== undefined) set.expectedCloseOn = patch.expectedCloseOn;
    if (patch.nextStep !== undefined) set.nextStep = patch.nextStep;
    if (patch.probability !== undefined) set.probability = patch.probability;
    if (patch.isProject !== undefined) set.isProject = patch.isProject;
    if (patch.campaignId !== undefined) {
      await assertCampaignOpen(tx.db, patch.campaignId);
      set.campaignId = patch.campaignId;
    }
    if (patch.ownerId !== undefined && patch.ownerId !== current.ownerId) {
      set.departmentId = await departmentOfOwner(tx, patch.ownerId, { reassign: true });
      set.ownerId = patch.ownerId;
    }
    if (Object.keys(set).length === 0) return before;
    await tx.db
      .update(opportunities)
      .set({ ...set, updatedAt: new Date() })
      .where(eq(opportunities.id, id));
    // A new owner may take it out of the actor's sight: present it anyway, this once.
    const [row] = await selectOpportunities(tx.db).where(eq(opportunities.id, id));
    const after = present(row);
    await recordAudit(tx, {
      action: patch.ownerId !== undefined && patch.ownerId !== current.ownerId ? 'assign' : 'update',
      entityType: 'opportunity',
      entityId: id,
      before,
      after,
    });
    return after;
  });
}

const auditStage = (o: Pick<Row, 'stageId' | 'status' | 'probability'>, stage?: { nameZh: string }) => ({
  stageId: o.stageId,
  stage: stage?.nameZh,
  status: o.status,
  probability: o.probability,
});

/**
 * Moves an opportunity on the board: to an open stage (its requirements met), to won (the
 * requirements, the acceptance checklist and the independence check) or to lost (with a reason).
 * Atomic under a row lock; the same stage again changes nothing.
 */
export async function moveOpportunity(ctx: Ctx, id: string, input: OpportunityMove): Promise<Opportunity> {
  return inTransaction(ctx, async (tx) => {
    const current = await opportunityFor(tx, id, { write: true, lock: true });
    if (input.stageId === current.stageId) return getOpportunity(tx, id);
    assertOpen(current);
    const target = await stageFor(tx, current, input.stageId);
    if (target.kind === 'lost' && !input.lostReason) throw new AppError('REASON_REQUIRED', {}, { field: 'lostReason' });
    await assertStageRequirements(tx, current, target);
    const status = target.kind;
    const at = await instant(tx);
    const set: PgUpdateSetSource<typeof opportunities> = {
      stageId: target.id,
      status,
      probability: status === 'won' ? 100 : status === 'lost' ? 0 : target.probability,
      stageEnteredAt: at,
      closedAt: status === 'open' ? null : at,
      updatedAt: new Date(),
    };
    if (status === 'lost') {
      set.lostReason = input.lostReason;
      set.competitor = input.competitor ?? null;
    }
    if (status === 'won') {
      // Conflicting work of the customer: won only with an independence exception a partner approved for it.
      const conflicts = await findIndependenceConflicts(tx.db, current);
      const state = conflicts.length ? await overrideState(tx, id, conflicts) : 'approved';
      if (state === 'pending') throw new AppError('INDEPENDENCE_APPROVAL_PENDING');
      if (state === null) {
        const names = conflicts
          .map((c) => `${c.name}（${c.businessLineName}）`)
          .join(tx.actor.locale === 'zh-CN' ? '、' : ', ');
        throw new AppError('INDEPENDENCE_CONFLICT', { conflicts: names }, { conflicts });
      }
    }
    await tx.db.update(opportunities).set(set).where(eq(opportunities.id, id));
    await recordStageChange(tx, {
      opportunityId: id,
      from: current,
      toStageId: target.id,
      toStatus: status,
      note: input.note,
      at,
    });
    const [fromStage] = await tx.db
      .select({ nameZh: pipelineStages.nameZh })
      .from(pipelineStages)
      .where(eq(pipelineStages.id, current.stageId));
    const after = await getOpportunity(tx, id);
    await recordAudit(tx, {
      action: status === 'open' ? 'move' : status,
      entityType: 'opportunity',
      entityId: id,
      before: auditStage(current, fromStage),
      after: {
        ...auditStage(after, target),
        note: input.note ?? null,
        ...(status === 'lost' ? { lostReason: after.lostReason, competitor: after.competitor } : {}),
        ...(status === 'won' && current.independenceOverrideAt
          ? { independenceOverrideReason: current.independenceOverrideReason }
          : {}),
      },
    });
    return after;
  });
}

/** Reopens a won or lost opportunity, into a given open stage or the last open stage it was in. */
export async function reopenOpportunity(
  ctx: Ctx,
  id: string,
  input: { stageId?: string; note?: string | null },
): Promise<Opportunity> {
  return inTransaction(ctx, async (tx) => {
    const current = await opportunityFor(tx, id, { write: true, lock: true });
    if (current.status === 'open') throw new AppError('OPPORTUNITY_NOT_CLOSED');
    let target: StageRow | undefined;
    if (input.stageId) {
      target = await stageFor(tx, current, input.stageId);
      if (target.kind !== 'open') throw new AppError('STAGE_NOT_IN_PIPELINE', {}, { stageId: input.stageId });
    } else {
      const [last] = await tx.db
        .select({ stage: pipelineStages })
        .from(opportunityStageChanges)
        .innerJoin(pipelineStages, eq(pipelineStages.id, opportunityStageChanges.toStageId))
        .where(and(eq(opportunityStageChanges.opportunityId, id), eq(opportunityStageChanges.toStatus, 'open')))
        .orderBy(desc(opportunityStageChanges.at), desc(opportunityStageChanges.id))
        .limit(1);
      target =
        last?.stage.active && last.stage.kind === 'open'
          ? await stageFor(tx, current, last.stage.id).catch(() => undefined)
          : undefined;
      target ??= firstOpenStage((await pipelineOf(tx.db, current.businessLineId)).stages);
    }
    const at = await instant(tx);
    await tx.db
      .update(opportunities)
      .set({
        stageId: target.id,
        status: 'open',
        probability: target.probability,
        stageEnteredAt: at,
        closedAt: null,
        lostReason: null,
        competitor: null,
        independenceOverrideReason: null,
        independenceOverrideBy: null,
        independenceOverrideAt: null,
        updatedAt: new Date(),
      })
      .where(eq(opportunities.id, id));
    await recordStageChange(tx, {
      opportunityId: id,
      from: current,
      toStageId: target.id,
      toStatus: 'open',
      note: input.note,
      at,
    });
    const after = await getOpportunity(tx, id);
    await recordAudit(tx, {
      action: 'reopen',
      entityType: 'opportunity',
      entityId: id,
      before: {
        ...auditStage(current),
        lostReason: current.lostReason,
        competitor: current.competitor,
        independenceOverrideReason: current.independenceOverrideReason,
      },
      after: { ...auditStage(after, target), note: input.note ?? null },
    });
    return after;
  });
}

/** Replaces the team: active users, each with a role (项目经理, 签字注册会计师 …); members see the opportunity. */
export async function setOpportunityMembers(
  ctx: Ctx,
  id: string,
  input: { members: { userId: string; role: string }[] },
): Promise<Opportunity> {
  return inTransaction(ctx, async (tx) => {
    await opportunityFor(tx, id, { write: true, lock: true });
    const before = await getOpportunity(tx, id);
    const wanted = new Map(input.members.map((m) => [m.userId.toLowerCase(), m.role]));
    const ids = [...wanted.keys()];
    if (ids.length) {
      const [{ n }] = await tx.db
        .select({ n: count() })
        .from(users)
        .where(and(inArray(users.id, ids), eq(users.active, true)));
      if (n !== ids.length) throw inactiveReference('field.member');
    }
    await tx.db
      .delete(opportunityMembers)
      .where(
        and(
          eq(opportunityMembers.opportunityId, id),
          ids.length ? notInArray(opportunityMembers.userId, ids) : undefined,
        ),
      );
    for (const [userId, role] of wanted) {
      await tx.db
        .insert(opportunityMembers)
        .values({ opportunityId: id, userId, role })
        .onConflictDoUpdate({ target: [opportunityMembers.opportunityId, opportunityMembers.userId], set: { role } });
    }
    await tx.db.update(opportunities).set({ updatedAt: new Date() }).where(eq(opportunities.id, id));
    const after = await getOpportunity(tx, id);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'opportunity',
      entityId: id,
      before: { members: before.members },
      after: { members: after.members },
    });
    return after;
  });
}
