import { sql, type SQL } from 'drizzle-orm';
import type { Page } from '../../../common/schemas/common';
import {
  RENEWAL_DEFAULT_LEAD_DAYS,
  type Renewal,
  type RenewalDue,
  type RenewalDueQuery,
  type RenewalListQuery,
  type RenewalRaise,
  type RenewalRateQuery,
  type RenewalRateRow,
  type RenewalRule,
  type RenewalRuleUpdate,
  type RenewalRunResult,
} from '../../../common/schemas/renewals';
import { TODAY_RENEWALS_SHOWN } from '../../../common/schemas/today';
import { inTransaction, type Ctx } from '../../context';
import { fixedLimit, preparedRows, rowsOf } from '../../db/client';
import { AppError, forbidden, notFound } from '../../errors';
import { offsetOf } from '../../lib/listing';
import { addDays } from '../../lib/time';
import { actorKey, can } from '../../policy';
import { recordAudit } from '../audit/audit.service';
import { contractLines, contracts, orderLines, orders } from '../contracts/contracts.tables';
import { visibleCustomers } from '../customers/customers.policy';
import { customers } from '../customers/customers.tables';
import { visibleOpportunities } from '../opportunities/opportunities.policy';
import { opportunities, opportunityMembers } from '../opportunities/opportunities.tables';
import { percent } from '../reports/cells';
import { branches, businessLines, users } from '../staff/staff.tables';
import { findSeasons, firmToday, raiseSeasons, runRenewals } from './renewals.job';
import { renewalRules, renewals } from './renewals.tables';

const MONEY = sql`::numeric(16, 2)::text`;

/**
 * Who sees a renewal: a raised one as its opportunity is seen (visibleOpportunities), a skipped one (no opportunity)
 * as its customer is (visibleCustomers). Both tables are joined under their own names.
 */
function visibleRenewals(ctx: Ctx): SQL {
  return sql`((${renewals.opportunityId} IS NOT NULL AND ${visibleOpportunities(ctx.actor)})
    OR (${renewals.opportunityId} IS NULL AND ${visibleCustomers(ctx.actor)}))`;
}

/** A renewal's state: skipped, else its opportunity's (open = raised). */
const stateOf = sql<string>`CASE WHEN ${renewals.status} = 'skipped' THEN 'skipped'
  WHEN ${opportunities.status} = 'won' THEN 'won' WHEN ${opportunities.status} = 'lost' THEN 'lost' ELSE 'raised' END`;

type Row = Omit<Renewal, 'lessonFlagged' | 'raisedAt'> & { lessonFlagged: boolean; raisedAt: string; total: number };

function selectRenewals(ctx: Ctx, where: SQL, tail: SQL): SQL {
  return sql`SELECT ${renewals.id} AS "id", ${stateOf} AS "state", ${renewals.skipReason} AS "skipReason",
      ${renewals.source} AS "source", ${renewals.sourceId} AS "sourceId", ${renewals.cycle} AS "cycle",
      ${renewals.dueOn}::text AS "dueOn", ${renewals.customerId} AS "customerId", ${customers.name} AS "customerName",
      ${renewals.businessLineId} AS "businessLineId", bl.name AS "businessLineName",
      ${renewals.previousContractId} AS "previousContractId", pc.number AS "previousContractNumber",
      ${renewals.previousOrderId} AS "previousOrderId", po.number AS "previousOrderNumber",
      ${renewals.previousAmount}${MONEY} AS "previousAmount",
      coalesce((SELECT json_agg(l.description ORDER BY l.position) FROM ${contractLines} l
          WHERE l.contract_id = ${renewals.previousContractId}),
        (SELECT json_agg(l.description ORDER BY l.position) FROM ${orderLines} l
          WHERE l.order_id = ${renewals.previousOrderId}), '[]'::json) AS "services",
      coalesce((SELECT json_agg(json_build_object('userId', mu.id, 'name', mu.display_name, 'role', m.role)
          ORDER BY m.created_at, mu.display_name)
        FROM ${opportunityMembers} m JOIN ${users} mu ON mu.id = m.user_id
        WHERE m.opportunity_id = ${renewals.opportunityId}), '[]'::json) AS "team",
      ${renewals.ownerId} AS "ownerId", ou.display_name AS "ownerName",
      ${renewals.opportunityId} AS "opportunityId", ${opportunities.name} AS "opportunityName",
      ${renewals.quoteId} AS "quoteId", ${renewals.letterContractId} AS "letterContractId",
      ${opportunities.lostReason} AS "lostReason",
      (${renewals.lessonFlaggedAt} IS NOT NULL OR ${opportunities.status} IS NOT DISTINCT FROM 'lost') AS "lessonFlagged",
      ${renewals.raisedAt} AS "raisedAt", count(*) OVER ()::int AS "total"
    FROM ${renewals}
    JOIN ${customers} ON ${customers.id} = ${renewals.customerId}
    JOIN ${businessLines} bl ON bl.id = ${renewals.businessLineId}
    JOIN ${users} ou ON ou.id = ${renewals.ownerId}
    LEFT JOIN ${opportunities} ON ${opportunities.id} = ${renewals.opportunityId}
    LEFT JOIN ${contracts} pc ON pc.id = ${renewals.previousContractId}
    LEFT JOIN ${orders} po ON po.id = ${renewals.previousOrderId}
    WHERE ${visibleRenewals(ctx)} AND ${where}
    ${tail}`;
}

function present(r: Row): Renewal {
  const { total: _total, ...rest } = r;
  return {
    ...rest,
    raisedAt: new Date(r.raisedAt).toISOString(),
  } as Renewal;
}

const SORTS: Record<string, SQL> = {
  dueOn: sql`${renewals.dueOn}`,
  raisedAt: sql`${renewals.raisedAt}`,
  previousAmount: sql`${renewals.previousAmount}`,
};

export async function findRenewals(ctx: Ctx, query: RenewalListQuery): Promise<Page<Renewal>> {
  const where: SQL[] = [sql`true`];
  if (query.state) where.push(sql`${stateOf} = ${query.state}`);
  if (query.businessLineId) where.push(sql`${renewals.businessLineId} = ${query.businessLineId}`);
  if (query.ownerId) where.push(sql`${renewals.ownerId} = ${query.ownerId}`);
  if (query.customerId) where.push(sql`${renewals.customerId} = ${query.customerId}`);
  if (query.dueFrom) where.push(sql`${renewals.dueOn} >= ${query.dueFrom}::date`);
  if (query.dueTo) where.push(sql`${renewals.dueOn} <= ${query.dueTo}::date`);
  if (query.q) {
    const like = `%${query.q.replace(/[%_\\]/g, '\\$&')}%`;
    where.push(sql`(${customers.name} ILIKE ${like} OR ${opportunities.name} ILIKE ${like})`);
  }
  const sort = query.sort ?? 'dueOn';
  const desc = sort.startsWith('-');
  const column = SORTS[desc ? sort.slice(1) : sort];
  const order = sql`ORDER BY ${column} ${sql.raw(desc ? 'DESC NULLS LAST' : 'ASC NULLS LAST')}, ${renewals.id}
    LIMIT ${query.pageSize} OFFSET ${offsetOf(query)}`;
  const rows = await rowsOf<Row>(ctx.db, selectRenewals(ctx, sql.join(where, sql` AND `), order));
  return { items: rows.map(present), total: rows[0]?.total ?? 0, page: query.page, pageSize: query.pageSize };
}

export async function getRenewal(ctx: Ctx, id: string): Promise<Renewal> {
  const [row] = await rowsOf<Row>(ctx.db, selectRenewals(ctx, sql`${renewals.id} = ${id}`, sql``));
  if (!row) throw notFound();
  return present(row);
}

/** Mine, raised and open, the nearest season first (Today); nothing without opportunities:read. */
export async function todayRenewals(ctx: Ctx): Promise<Renewal[]> {
  if (!can(ctx.actor, 'opportunities:read')) return [];
  // Prepared per reader: Today is opened all day, and planning this statement cost more than running it.
  const rows = await preparedRows<Row>(ctx.db, `today-renewals|${actorKey(ctx.actor)}`, () =>
    selectRenewals(
      ctx,
      sql`${renewals.ownerId} = ${ctx.actor.id} AND ${renewals.status} = 'raised' AND ${opportunities.status} = 'open'`,
      sql`ORDER BY ${renewals.dueOn}, ${renewals.id} LIMIT ${fixedLimit(TODAY_RENEWALS_SHOWN)}`,
    ),
  ).execute();
  return rows.map(present);
}

/** The seasons ahead with no renewal yet (the 到期 tab), the nearest first; raised on due − lead days. */
export async function findDueRenewals(ctx: Ctx, query: RenewalDueQuery): Promise<Page<RenewalDue>> {
  const from = firmToday();
  const rows = await findSeasons(
    ctx.db,
    {
      from,
      to: addDays(from, query.days),
      unraised: true,
      businessLineId: query.businessLineId,
      ownerId: query.ownerId,
    },
    { visible: visibleCustomers(ctx.actor), page: { limit: query.pageSize, offset: offsetOf(query) } },
  );
  return {
    items: rows.map((s) => ({
      source: s.source,
      sourceId: s.sourceId,
      cycle: s.cycle,
      dueOn: s.dueOn,
      raiseOn: addDays(s.dueOn, -s.leadDays),
      customerId: s.customerId,
      customerName: s.customerName,
      businessLineId: s.businessLineId,
      businessLineName: s.businessLineName,
      previousAmount: s.previousAmount,
      ownerId: s.ownerId,
      ownerName: s.ownerName,
    })),
    total: rows[0]?.total ?? 0,
    page: query.page,
    pageSize: query.pageSize,
  };
}

/**
 * Raises one season now (before the job would): the customer must be one the reader may write opportunities for;
 * once only — the season's renewal already made → RENEWAL_ALREADY_RAISED with its id; a customer lost 流失 →
 * RENEWAL_CUSTOMER_LOST, nothing made.
 */
export async function raiseRenewal(ctx: Ctx, input: RenewalRaise): Promise<Renewal> {
  if (!can(ctx.actor, 'opportunities:write')) throw forbidden();
  const id = await inTransaction(ctx, async (tx) => {
    const [season] = await findSeasons(
      tx.db,
      { source: input.source, sourceId: input.sourceId },
      { visible: visibleCustomers(ctx.actor) },
    );
    if (!season) throw notFound();
    if (season.customerStatus === 'former')
      throw new AppError('RENEWAL_CUSTOMER_LOST', {}, { customerId: season.customerId });
    const [existing] = await rowsOf<{ id: string }>(
      tx.db,
      sql`SELECT id FROM ${renewals} WHERE source = ${season.source} AND source_id = ${season.sourceId}
        AND due_on = ${season.dueOn}::date`,
    );
    if (existing) throw new AppError('RENEWAL_ALREADY_RAISED', {}, { id: existing.id });
    const outcome = await raiseSeasons(tx, [{ ...season, ownerId: season.ownerId ?? ctx.actor.id }], {
      actorId: ctx.actor.id,
      note: input.note ?? null,
    });
    const made = [...outcome.ids.values()][0];
    if (!made) {
      // Raised by another request (or the job) a moment ago.
      const [other] = await rowsOf<{ id: string }>(
        tx.db,
        sql`SELECT id FROM ${renewals} WHERE source = ${season.source} AND source_id = ${season.sourceId}
          AND due_on = ${season.dueOn}::date`,
      );
      throw new AppError('RENEWAL_ALREADY_RAISED', {}, { id: other?.id ?? null });
    }
    await recordAudit(tx, {
      action: 'create',
      entityType: 'renewal',
      entityId: made,
      after: { ...input, dueOn: season.dueOn },
    });
    return made;
  });
  return getRenewal(ctx, id);
}

// ---------- rules ----------

export async function findRenewalRules(ctx: Ctx): Promise<RenewalRule[]> {
  return rowsOf<RenewalRule>(
    ctx.db,
    sql`SELECT bl.id AS "businessLineId", bl.name AS "businessLineName",
        coalesce(rr.lead_days, ${RENEWAL_DEFAULT_LEAD_DAYS})::int AS "leadDays", coalesce(rr.active, true) AS "active",
        (rr.business_line_id IS NOT NULL) AS "saved"
      FROM ${businessLines} bl LEFT JOIN ${renewalRules} rr ON rr.business_line_id = bl.id
      WHERE bl.active ORDER BY bl.sort_order, bl.name`,
  );
}

export async function saveRenewalRule(
  ctx: Ctx,
  businessLineId: string,
  input: RenewalRuleUpdate,
): Promise<RenewalRule> {
  return inTransaction(ctx, async (tx) => {
    const [line] = await rowsOf<{ id: string }>(
      tx.db,
      sql`SELECT id FROM ${businessLines} WHERE id = ${businessLineId} AND active`,
    );
    if (!line) throw notFound();
    const before = (await findRenewalRules(tx)).find((r) => r.businessLineId === businessLineId);
    await tx.db
      .insert(renewalRules)
      .values({ businessLineId, leadDays: input.leadDays, active: input.active, updatedBy: ctx.actor.id })
      .onConflictDoUpdate({
        target: renewalRules.businessLineId,
        set: { leadDays: input.leadDays, active: input.active, updatedBy: ctx.actor.id, updatedAt: new Date() },
      });
    const after = (await findRenewalRules(tx)).find((r) => r.businessLineId === businessLineId)!;
    await recordAudit(tx, { action: 'update', entityType: 'renewal-rule', entityId: businessLineId, before, after });
    return after;
  });
}

/** POST /renewals/run: the job now, as of the firm's today. */
export function runRenewalsNow(ctx: Ctx): Promise<RenewalRunResult> {
  return runRenewals(ctx, { asOf: firmToday() });
}

// ---------- the renewal rate ----------

/**
 * The renewal rate 续约率 of the raised renewals whose season falls in [from, to] (skipped ones out), as the reader
 * sees their opportunities: raised, won, lost, open; rate = won ÷ (won + lost), one decimal half up; the won
 * opportunities' amounts and last period's amounts, exact. By business line, owner or the owner's branch.
 */
export async function renewalRate(
  ctx: Ctx,
  query: RenewalRateQuery,
  filters: { businessLineId?: string; ownerId?: string; branchId?: string } = {},
): Promise<RenewalRateRow[]> {
  const key = {
    businessLine: sql`${renewals.businessLineId}`,
    owner: sql`${renewals.ownerId}`,
    branch: sql`ou.branch_id`,
  }[query.groupBy];
  const name = {
    businessLine: sql`(SELECT name FROM ${businessLines} WHERE id = ${renewals.businessLineId})`,
    owner: sql`ou.display_name`,
    branch: sql`(SELECT name FROM ${branches} WHERE id = ou.branch_id)`,
  }[query.groupBy];
  const rows = await rowsOf<{
    key: string | null;
    name: string | null;
    raised: number;
    won: number;
    lost: number;
    open: number;
    wonAmount: string;
    previousAmount: string;
  }>(
    ctx.db,
    sql`SELECT ${key} AS "key", min(${name}) AS "name", count(*)::int AS "raised",
        count(*) FILTER (WHERE ${opportunities.status} = 'won')::int AS "won",
        count(*) FILTER (WHERE ${opportunities.status} = 'lost')::int AS "lost",
        count(*) FILTER (WHERE ${opportunities.status} = 'open')::int AS "open",
        coalesce(sum(${opportunities.expectedAmount}) FILTER (WHERE ${opportunities.status} = 'won'), 0)${MONEY} AS "wonAmount",
        coalesce(sum(${renewals.previousAmount}), 0)${MONEY} AS "previousAmount"
      FROM ${renewals}
      JOIN ${opportunities} ON ${opportunities.id} = ${renewals.opportunityId}
      JOIN ${users} ou ON ou.id = ${renewals.ownerId}
      WHERE ${renewals.status} = 'raised' AND ${renewals.dueOn} BETWEEN ${query.from}::date AND ${query.to}::date
        AND ${visibleOpportunities(ctx.actor)}
        ${filters.businessLineId ? sql`AND ${renewals.businessLineId} = ${filters.businessLineId}` : sql``}
        ${filters.ownerId ? sql`AND ${renewals.ownerId} = ${filters.ownerId}` : sql``}
        ${filters.branchId ? sql`AND ou.branch_id = ${filters.branchId}` : sql``}
      GROUP BY 1 ORDER BY 2 NULLS LAST, 1`,
  );
  return rows.map((r) => ({
    key: r.key,
    name: r.name ?? '—',
    raised: Number(r.raised),
    won: Number(r.won),
    lost: Number(r.lost),
    open: Number(r.open),
    rate: percent(Number(r.won), Number(r.won) + Number(r.lost)),
    wonAmount: r.wonAmount,
    previousAmount: r.previousAmount,
  }));
}
