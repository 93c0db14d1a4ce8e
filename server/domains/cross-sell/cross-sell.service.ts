import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { translate } from '../../../common/i18n';
import {
  CROSS_SELL_LATER_DAYS,
  type CrossSellAccept,
  type CrossSellConversionRow,
  type CrossSellDismiss,
  type CrossSellListQuery,
  type CrossSellSuggestion,
} from '../../../common/schemas/cross-sell';
import type { Page } from '../../../common/schemas/common';
import { TODAY_CROSS_SELL_SHOWN } from '../../../common/schemas/today';
import { inTransaction, type Ctx } from '../../context';
import { fixedLimit, preparedOnce } from '../../db/client';
import { AppError, forbidden, notFound } from '../../errors';
import { containsPattern, offsetOf, orderFrom, pageWithTotal } from '../../lib/listing';
import { FIRM_TIME_ZONE, addDays, localDate } from '../../lib/time';
import { actorKey, can, scopeOf } from '../../policy';
import { recordAudit } from '../audit/audit.service';
import { visibleCustomers, writableCustomers } from '../customers/customers.policy';
import { customers } from '../customers/customers.tables';
import { insertOpportunity } from '../opportunities/opportunities.service';
import { opportunities } from '../opportunities/opportunities.tables';
import { businessLines, departments, regions, users } from '../staff/staff.tables';
import { crossSellSuggestions as s } from './cross-sell.tables';

/**
 * 交叉销售建议 as people use them: the lists (mine, the team's — a manager's —, one customer's with the excluded ones
 * and their rule), accepting (an opportunity with the suggestion as its origin, once), dismissing (why; `later` until
 * CROSS_SELL_LATER_DAYS from today), the conversion of suggestions, and Today's few. Every read goes through the
 * customers' visibility: a suggestion of a customer one cannot see does not exist (404).
 */

const line = alias(businessLines, 'cs_line');
const base = alias(businessLines, 'cs_base');
const conflict = alias(businessLines, 'cs_conflict');
const owner = alias(users, 'cs_owner');
const resolver = alias(users, 'cs_resolver');

const columns = {
  id: s.id,
  status: s.status,
  customerId: s.customerId,
  customerName: customers.name,
  ownerId: customers.ownerId,
  ownerName: owner.displayName,
  businessLineId: s.businessLineId,
  businessLineName: line.name,
  score: s.score,
  level: s.level,
  segment: s.segment,
  regionName: regions.name,
  baseLineId: s.baseLineId,
  baseLineName: base.name,
  similarCount: s.similarCount,
  buyingCount: s.buyingCount,
  excludedByLineId: s.excludedByLineId,
  excludedByLineName: conflict.name,
  dismissReason: s.dismissReason,
  dismissNote: s.dismissNote,
  opportunityId: s.opportunityId,
  computedAt: s.computedAt,
  resolvedAt: s.resolvedAt,
  resolvedByName: resolver.displayName,
};

function selectSuggestions(ctx: Ctx) {
  return ctx.db
    .select(columns)
    .from(s)
    .innerJoin(customers, eq(customers.id, s.customerId))
    .innerJoin(line, eq(line.id, s.businessLineId))
    .leftJoin(base, eq(base.id, s.baseLineId))
    .leftJoin(conflict, eq(conflict.id, s.excludedByLineId))
    .leftJoin(owner, eq(owner.id, customers.ownerId))
    .leftJoin(resolver, eq(resolver.id, s.resolvedBy))
    .leftJoin(regions, sql`${regions.id} = (${s.segment} ->> 'regionId')::uuid`);
}

type Row = Awaited<ReturnType<typeof selectSuggestions>>[number];

/** A row in the reader's language: the evidence in words, the exclusion's rule. */
function present(ctx: Ctx, r: Row): CrossSellSuggestion {
  const locale = ctx.actor.locale;
  const params = {
    similar: r.similarCount,
    buying: r.buyingCount,
    industry: r.segment.industry ?? '',
    base: r.baseLineName ?? '',
    line: r.businessLineName,
  };
  return {
    id: r.id,
    status: r.status,
    customerId: r.customerId,
    customerName: r.customerName,
    ownerId: r.ownerId,
    ownerName: r.ownerName,
    businessLineId: r.businessLineId,
    businessLineName: r.businessLineName,
    score: (Math.round(Number(r.score) * 1000) / 10).toFixed(1),
    evidence: {
      level: r.level,
      industry: r.segment.industry,
      size: r.segment.size,
      regionName: r.regionName,
      baseLineId: r.baseLineId,
      baseLineName: r.baseLineName,
      similarCount: r.similarCount,
      buyingCount: r.buyingCount,
    },
    evidenceText: translate(locale, r.baseLineId ? 'crossSell.evidence' : 'crossSell.evidenceNoBase', params),
    exclusion:
      r.status === 'excluded' && r.excludedByLineId
        ? {
            conflictLineId: r.excludedByLineId,
            conflictLineName: r.excludedByLineName ?? '',
            ruleText: translate(locale, 'crossSell.rule', { line: r.businessLineName, conflict: r.excludedByLineName }),
          }
        : null,
    dismissReason: r.dismissReason,
    dismissNote: r.dismissNote,
    opportunityId: r.opportunityId,
    computedAt: r.computedAt.toISOString(),
    resolvedAt: r.resolvedAt?.toISOString() ?? null,
    resolvedByName: r.resolvedByName,
  };
}

/** The best first: highest share, then the most similar customers behind it. */
const best = [desc(s.score), desc(s.similarCount), asc(s.id)];

/**
 * The list: mine (customers I own now), team (every customer I see), or one customer's (all its suggestions, the
 * excluded ones with their rule, open first). Without a status, the lists show the open ones.
 */
export async function findCrossSell(ctx: Ctx, query: CrossSellListQuery): Promise<Page<CrossSellSuggestion>> {
  const conditions: (SQL | undefined)[] = [visibleCustomers(ctx.actor)];
  if (query.customerId) conditions.push(eq(s.customerId, query.customerId));
  else if (query.view === 'mine') conditions.push(eq(customers.ownerId, ctx.actor.id));
  if (query.status) conditions.push(eq(s.status, query.status));
  else if (!query.customerId) conditions.push(eq(s.status, 'open'));
  if (query.businessLineId) conditions.push(eq(s.businessLineId, query.businessLineId));
  if (query.ownerId) conditions.push(eq(customers.ownerId, query.ownerId));
  // q: the customer's or the service's name.
  if (query.q)
    conditions.push(
      sql`(${customers.name} ILIKE ${containsPattern(query.q)} OR EXISTS (SELECT 1 FROM ${businessLines} q_line
        WHERE q_line.id = ${s.businessLineId} AND q_line.name ILIKE ${containsPattern(query.q)}))`,
    );
  const where = and(...conditions);
  const statusOrder = sql`array_position(ARRAY['open', 'excluded', 'accepted', 'dismissed'], ${s.status})`;
  const order = query.sort
    ? orderFrom(query.sort, { score: s.score, computedAt: s.computedAt, customerName: customers.name }, '-score', s.id)
    : [statusOrder, ...best];
  const { rows, total } = await pageWithTotal(
    query,
    selectSuggestions(ctx)
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () =>
      ctx.db
        .select({ total: sql<number>`count(*)::int` })
        .from(s)
        .innerJoin(customers, eq(customers.id, s.customerId))
        .where(where),
  );
  return { items: rows.map((r) => present(ctx, r)), total, page: query.page, pageSize: query.pageSize };
}

async function getSuggestion(ctx: Ctx, id: string): Promise<CrossSellSuggestion> {
  const [row] = await selectSuggestions(ctx).where(and(eq(s.id, id), visibleCustomers(ctx.actor)));
  if (!row) throw notFound();
  return present(ctx, row);
}

/** The suggestion locked (FOR UPDATE) with its customer, if the reader sees the customer; else 404. */
async function lockSuggestion(ctx: Ctx, id: string) {
  const [row] = await ctx.db
    .select({
      id: s.id,
      status: s.status,
      opportunityId: s.opportunityId,
      customerId: s.customerId,
      customerName: customers.name,
      ownerId: customers.ownerId,
      businessLineId: s.businessLineId,
      writable: sql<boolean>`coalesce(${writableCustomers(ctx.actor)}, false)`,
    })
    .from(s)
    .innerJoin(customers, eq(customers.id, s.customerId))
    .where(and(eq(s.id, id), visibleCustomers(ctx.actor)))
    .for('update', { of: s });
  if (!row) throw notFound();
  return row;
}

/**
 * Accepting: an opportunity in the line's first open stage with the suggestion as its origin, for the customer's
 * owner when the actor may give opportunities to them (else for the actor), under a lock on the suggestion — accepted
 * twice, even at once, makes one opportunity; the second hears CROSS_SELL_ALREADY_ACCEPTED with its id.
 */
export async function acceptCrossSell(ctx: Ctx, id: string, input: CrossSellAccept): Promise<CrossSellSuggestion> {
  if (!can(ctx.actor, 'opportunities:write')) throw forbidden();
  await inTransaction(ctx, async (tx) => {
    const row = await lockSuggestion(tx, id);
    if (row.status === 'accepted')
      throw new AppError('CROSS_SELL_ALREADY_ACCEPTED', {}, { opportunityId: row.opportunityId });
    if (row.status === 'excluded') throw new AppError('CROSS_SELL_EXCLUDED');
    if (!row.writable) throw forbidden();
    const ownerId = await opportunityOwner(tx, row.ownerId);
    const [lineRow] = await tx.db
      .select({ name: businessLines.name })
      .from(businessLines)
      .where(eq(businessLines.id, row.businessLineId));
    const name =
      input.name ??
      translate(ctx.actor.locale, 'crossSell.opportunityName', { customer: row.customerName, line: lineRow.name });
    const opportunity = await insertOpportunity(
      tx,
      { name: name.slice(0, 200), customerId: row.customerId, businessLineId: row.businessLineId, ownerId },
      { origin: { kind: 'cross-sell', id } },
    );
    await tx.db
      .update(s)
      .set({ status: 'accepted', opportunityId: opportunity.id, resolvedBy: ctx.actor.id, resolvedAt: new Date() })
      .where(eq(s.id, id));
    await recordAudit(tx, {
      action: 'status',
      entityType: 'cross-sell-suggestion',
      entityId: id,
      before: { status: row.status },
      after: { status: 'accepted', opportunityId: opportunity.id },
    });
  });
  return getSuggestion(ctx, id);
}

/** The customer's owner if the actor may own opportunities for them (the opportunities' rule), else the actor. */
async function opportunityOwner(ctx: Ctx, customerOwnerId: string | null): Promise<string> {
  if (!customerOwnerId || customerOwnerId === ctx.actor.id) return ctx.actor.id;
  const scope = scopeOf(ctx.actor, 'opportunities:write');
  if (scope === 'all') return customerOwnerId;
  if (scope !== 'department' || !ctx.actor.departmentPath) return ctx.actor.id;
  const [found] = await ctx.db
    .select({ path: departments.path, active: users.active })
    .from(users)
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .where(eq(users.id, customerOwnerId));
  return found?.active && found.path?.startsWith(ctx.actor.departmentPath) ? customerOwnerId : ctx.actor.id;
}

/** Dismissing an open suggestion: why (and a note); `later` brings it back after CROSS_SELL_LATER_DAYS. */
export async function dismissCrossSell(ctx: Ctx, id: string, input: CrossSellDismiss): Promise<CrossSellSuggestion> {
  await inTransaction(ctx, async (tx) => {
    const row = await lockSuggestion(tx, id);
    if (row.status === 'accepted')
      throw new AppError('CROSS_SELL_ALREADY_ACCEPTED', {}, { opportunityId: row.opportunityId });
    if (row.status === 'excluded') throw new AppError('CROSS_SELL_EXCLUDED');
    if (row.status !== 'open') throw new AppError('CROSS_SELL_NOT_OPEN');
    if (!row.writable) throw forbidden();
    const until =
      input.reason === 'later' ? addDays(localDate(new Date(), FIRM_TIME_ZONE), CROSS_SELL_LATER_DAYS) : null;
    await tx.db
      .update(s)
      .set({
        status: 'dismissed',
        dismissReason: input.reason,
        dismissNote: input.note ?? null,
        dismissedUntil: until,
        resolvedBy: ctx.actor.id,
        resolvedAt: new Date(),
      })
      .where(eq(s.id, id));
    await recordAudit(tx, {
      action: 'status',
      entityType: 'cross-sell-suggestion',
      entityId: id,
      before: { status: row.status },
      after: { status: 'dismissed', reason: input.reason, note: input.note ?? null, until },
    });
  });
  return getSuggestion(ctx, id);
}

/**
 * The conversion of suggestions 建议转化率 by business line, over the customers the reader sees: suggested (every
 * suggestion ever offered: open, accepted, dismissed), accepted, dismissed, and won — accepted ones whose opportunity
 * (found through its origin) was won.
 */
export async function crossSellConversion(ctx: Ctx): Promise<CrossSellConversionRow[]> {
  const rows = await ctx.db
    .select({
      businessLineId: s.businessLineId,
      businessLineName: businessLines.name,
      suggested: sql<number>`count(*)::int`,
      accepted: sql<number>`(count(*) FILTER (WHERE ${s.status} = 'accepted'))::int`,
      dismissed: sql<number>`(count(*) FILTER (WHERE ${s.status} = 'dismissed'))::int`,
      won: sql<number>`(count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ${opportunities} o
        WHERE o.origin_kind = 'cross-sell' AND o.origin_id = ${s.id} AND o.status = 'won')))::int`,
    })
    .from(s)
    .innerJoin(customers, eq(customers.id, s.customerId))
    .innerJoin(businessLines, eq(businessLines.id, s.businessLineId))
    .where(and(visibleCustomers(ctx.actor), sql`${s.status} <> 'excluded'`))
    .groupBy(s.businessLineId, businessLines.name)
    .orderBy(businessLines.name);
  return rows;
}

/**
 * Today's cross-sell 今日交叉销售: a few of my open suggestions (TODAY_CROSS_SELL_SHOWN), the ones first suggested this
 * week (new since the last weekly computation) before older ones, each group best first. Nothing records what was
 * shown: a suggestion stays until accepted or dismissed, so next week's new ones come first and the best old ones
 * fill the rest.
 */
export async function todayCrossSell(ctx: Ctx): Promise<CrossSellSuggestion[]> {
  if (!can(ctx.actor, 'customers:read')) return [];
  // Prepared per reader: Today is opened all day, and planning this statement cost more than running it.
  const rows = await preparedOnce(
    ctx.db,
    `today-cross-sell|${actorKey(ctx.actor)}`,
    () =>
      selectSuggestions(ctx)
        .where(and(eq(customers.ownerId, ctx.actor.id), eq(s.status, 'open')))
        .orderBy(sql`(${s.createdAt} > now() - interval '7 days') DESC`, ...best)
        .limit(fixedLimit(TODAY_CROSS_SELL_SHOWN))
        .prepare(''), // named by preparedOnce
  ).execute();
  return rows.map((r) => present(ctx, r));
}
