import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import {
  RENEWAL_DEFAULT_LEAD_DAYS,
  type RecurringCycle,
  type RenewalRunResult,
  type RenewalSource,
} from '../../../common/schemas/renewals';
import { inTransaction, type JobsTx } from '../../context';
import { rowsOf, type Db } from '../../db/client';
import { searchTextOf } from '../../lib/search-text';
import { addDays, FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { contractLines, contractMembers, contracts, orderLines, orders } from '../contracts/contracts.tables';
import { customers, customerServices } from '../customers/customers.tables';
import { notify } from '../notifications/notifications.service';
import {
  opportunities,
  opportunityMembers,
  opportunityStageChanges,
  quoteItems,
  quotes,
} from '../opportunities/opportunities.tables';
import { firstOpenStage, pipelineOf } from '../opportunities/pipeline.service';
import { businessLines, users } from '../staff/staff.tables';
import { renewalRules, renewals } from './renewals.tables';

/**
 * The renewal job 续约 (issue 19): every season due within its business line's lead days raises, exactly once per
 * (source, source id, season), a renewal opportunity for the owner with last period's amount, lines (a draft quote)
 * and team — claimed by `INSERT … ON CONFLICT DO NOTHING` on renewals_season_key in the transaction that makes the
 * opportunity, so a second run or a second instance at the same moment raises nothing more.
 *
 * Set-based: the due seasons are selected in one statement off the partial indexes (contracts_recurring_idx,
 * orders_recurring_idx, customer_services_due_idx), then raised in batches of BATCH (a handful of statements each,
 * in one transaction per batch). Raising writes the opportunity rows directly (first open stage of the line's
 * pipeline, its first stage-history entry) rather than through insertOpportunity one by one.
 */

const BATCH = 500;
/** Contracts and orders in these states recur (signed and not voided or terminated; confirmed orders). */
const SIGNED = sql`('signed', 'in-progress', 'completed')`;
const CONFIRMED = sql`('confirmed', 'completed')`;
const DEFAULT_ROLE = '团队成员';

/** One cycle later (a date column or expression). */
const plusCycle = (date: SQL, cycle: SQL) =>
  sql`(${date} + CASE ${cycle} WHEN 'monthly' THEN interval '1 month' WHEN 'quarterly' THEN interval '3 months' ELSE interval '12 months' END)::date`;

/** A season found (one row of `seasons`), with what raising it needs. */
export type Season = {
  source: RenewalSource;
  sourceId: string;
  dueOn: string;
  cycle: RecurringCycle;
  customerId: string;
  customerName: string;
  customerStatus: 'prospect' | 'customer' | 'former';
  businessLineId: string;
  businessLineName: string;
  leadDays: number;
  ruleActive: boolean;
  previousContractId: string | null;
  previousContractNumber: string | null;
  previousOrderId: string | null;
  previousOrderNumber: string | null;
  previousAmount: string | null;
  ownerId: string | null;
  ownerName: string | null;
  departmentId: string | null;
};

export type SeasonFilter =
  | { from: string; to: string; asOf?: string; unraised: boolean; businessLineId?: string; ownerId?: string }
  | { source: RenewalSource; sourceId: string };

/**
 * The seasons of the recurring services, contracts and orders: in a window of due dates (the job, the due list) or
 * of one source (raising one now). With `asOf`, only those whose line's rule is active and whose lead time has come
 * (due ≤ asOf + lead days); with `unraised`, only those without a renewal yet.
 */
export function seasonsQuery(
  filter: SeasonFilter,
  extra: { visible?: SQL; page?: { limit: number; offset: number } } = {},
): SQL {
  const one = 'source' in filter ? filter : null;
  const win = 'source' in filter ? null : filter;
  const only = (source: RenewalSource, id: SQL) =>
    one ? (one.source === source ? sql`${id} = ${one.sourceId}` : sql`false`) : sql`true`;
  const serviceWhere = win ? sql`s.next_due_on BETWEEN ${win.from}::date AND ${win.to}::date` : sql`true`;
  // A contract without an end date recurs a cycle after signing: at most twelve months back.
  const contractWhere = win
    ? sql`(c.end_on BETWEEN ${win.from}::date AND ${win.to}::date
        OR (c.end_on IS NULL AND c.signed_on BETWEEN ${win.from}::date - 366 AND ${win.to}::date))`
    : sql`true`;
  const orderWhere = win ? sql`o.confirmed_on BETWEEN ${win.from}::date - 366 AND ${win.to}::date` : sql`true`;
  const seasons = sql`
    SELECT 'service'::text AS source, s.id AS source_id, s.next_due_on AS due_on, s.cycle::text AS cycle,
      s.customer_id, s.business_line_id, pc.id AS prev_contract_id, po.id AS prev_order_id
    FROM ${customerServices} s
    LEFT JOIN LATERAL (SELECT c.id FROM ${contracts} c WHERE c.customer_id = s.customer_id
      AND c.business_line_id = s.business_line_id AND c.status IN ${SIGNED}
      ORDER BY c.signed_on DESC NULLS LAST, c.created_at DESC LIMIT 1) pc ON true
    LEFT JOIN LATERAL (SELECT o.id FROM ${orders} o WHERE pc.id IS NULL AND o.customer_id = s.customer_id
      AND o.business_line_id = s.business_line_id AND o.status IN ${CONFIRMED}
      ORDER BY o.confirmed_on DESC NULLS LAST, o.created_at DESC LIMIT 1) po ON true
    WHERE s.active AND ${serviceWhere} AND ${only('service', sql`s.id`)}
    UNION ALL
    SELECT 'contract', c.id, coalesce(c.end_on, ${plusCycle(sql`c.signed_on`, sql`c.recurring_cycle`)}),
      c.recurring_cycle::text, c.customer_id, c.business_line_id, c.id, NULL::uuid
    FROM ${contracts} c
    WHERE c.recurring_cycle IS NOT NULL AND c.status IN ${SIGNED} AND (c.end_on IS NOT NULL OR c.signed_on IS NOT NULL)
      AND ${contractWhere} AND ${only('contract', sql`c.id`)}
    UNION ALL
    SELECT 'order', o.id, ${plusCycle(sql`o.confirmed_on`, sql`o.recurring_cycle`)}, o.recurring_cycle::text,
      o.customer_id, o.business_line_id, NULL::uuid, o.id
    FROM ${orders} o
    WHERE o.recurring_cycle IS NOT NULL AND o.contract_id IS NULL AND o.status IN ${CONFIRMED}
      AND o.confirmed_on IS NOT NULL AND ${orderWhere} AND ${only('order', sql`o.id`)}`;
  const conditions: SQL[] = [];
  if (win) {
    conditions.push(sql`x.due_on BETWEEN ${win.from}::date AND ${win.to}::date`);
    if (win.asOf)
      conditions.push(
        sql`coalesce(rr.active, true) AND x.due_on <= ${win.asOf}::date + coalesce(rr.lead_days, ${RENEWAL_DEFAULT_LEAD_DAYS})`,
      );
    else conditions.push(sql`coalesce(rr.active, true)`);
    if (win.unraised)
      conditions.push(sql`NOT EXISTS (SELECT 1 FROM ${renewals} rn
        WHERE rn.source = x.source AND rn.source_id = x.source_id AND rn.due_on = x.due_on)`);
    if (win.businessLineId) conditions.push(sql`x.business_line_id = ${win.businessLineId}`);
    if (win.ownerId) conditions.push(sql`coalesce(cu.owner_id, pc.owner_id, po.owner_id) = ${win.ownerId}`);
  }
  if (extra.visible) conditions.push(extra.visible);
  const where = conditions.length ? sql.join(conditions, sql` AND `) : sql`true`;
  const columns = sql`x.source AS "source", x.source_id AS "sourceId", x.due_on::text AS "dueOn", x.cycle AS "cycle",
      x.customer_id AS "customerId", cu.name AS "customerName", cu.status AS "customerStatus",
      x.business_line_id AS "businessLineId", bl.name AS "businessLineName",
      coalesce(rr.lead_days, ${RENEWAL_DEFAULT_LEAD_DAYS})::int AS "leadDays", coalesce(rr.active, true) AS "ruleActive",
      pc.id AS "previousContractId", pc.number AS "previousContractNumber",
      po.id AS "previousOrderId", po.number AS "previousOrderNumber",
      coalesce(pc.amount, po.amount)::text AS "previousAmount",
      ou.id AS "ownerId", ou.display_name AS "ownerName", ou.department_id AS "departmentId",
      count(*) OVER ()::int AS "total"`;
  const page = extra.page
    ? sql`ORDER BY x.due_on, x.source, x.source_id LIMIT ${extra.page.limit} OFFSET ${extra.page.offset}`
    : sql`ORDER BY x.source, x.source_id, x.due_on`;
  // The customer table is named as such so that visibleCustomers() applies to it.
  return sql`WITH seasons AS (${seasons})
    SELECT ${columns}
    FROM seasons x
    JOIN ${customers} ON ${customers.id} = x.customer_id
    JOIN ${customers} cu ON cu.id = x.customer_id
    JOIN ${businessLines} bl ON bl.id = x.business_line_id
    LEFT JOIN ${renewalRules} rr ON rr.business_line_id = x.business_line_id
    LEFT JOIN ${contracts} pc ON pc.id = x.prev_contract_id
    LEFT JOIN ${orders} po ON po.id = x.prev_order_id
    LEFT JOIN ${users} ou ON ou.id = coalesce(cu.owner_id, pc.owner_id, po.owner_id) AND ou.active
    WHERE ${where}
    ${page}`;
}

export async function findSeasons(db: Db, filter: SeasonFilter, extra: Parameters<typeof seasonsQuery>[1] = {}) {
  return rowsOf<Season & { total: number }>(db, seasonsQuery(filter, extra));
}

export type RaiseOutcome = { raised: number; skipped: number; alreadyRaised: number; ids: Map<string, string> };

const keyOf = (s: { source: string; sourceId: string; dueOn: string }) => `${s.source}:${s.sourceId}:${s.dueOn}`;

/**
 * Raises the given seasons in the caller's transaction: claims each (source, source id, season) in renewals — the
 * ones another run claimed first are left alone — and for the claimed ones of a live customer makes the opportunity,
 * its team, its draft quote and the owner's notification. A former customer's season is recorded skipped; one
 * without any owner is not recorded (renewals.owner_id is required) and counted skipped.
 */
export async function raiseSeasons(
  tx: JobsTx,
  seasons: Season[],
  by: { actorId: string | null; note?: string | null },
): Promise<RaiseOutcome> {
  const outcome: RaiseOutcome = { raised: 0, skipped: 0, alreadyRaised: 0, ids: new Map() };
  const rows = seasons
    .filter((s) => {
      if (s.ownerId) return true;
      outcome.skipped++;
      return false;
    })
    .map((s) => {
      const skipReason = s.customerStatus === 'former' ? ('customer-former' as const) : null;
      return {
        season: s,
        id: randomUUID(),
        opportunityId: skipReason ? null : randomUUID(),
        quoteId: skipReason ? null : randomUUID(),
        skipReason,
      };
    });
  if (rows.length === 0) return outcome;
  const claim = rows.map((r) => ({
    id: r.id,
    source: r.season.source,
    source_id: r.season.sourceId,
    due_on: r.season.dueOn,
    cycle: r.season.cycle,
    customer_id: r.season.customerId,
    business_line_id: r.season.businessLineId,
    previous_contract_id: r.season.previousContractId,
    previous_order_id: r.season.previousOrderId,
    previous_amount: r.season.previousAmount,
    owner_id: r.season.ownerId,
    department_id: r.season.departmentId,
    status: r.skipReason ? 'skipped' : 'raised',
    skip_reason: r.skipReason,
  }));
  const claimed = await rowsOf<{ id: string }>(
    tx.db,
    sql`INSERT INTO ${renewals} (id, source, source_id, due_on, cycle, customer_id, business_line_id,
        previous_contract_id, previous_order_id, previous_amount, owner_id, department_id, status, skip_reason, created_by)
      SELECT x.id, x.source, x.source_id, x.due_on, x.cycle, x.customer_id, x.business_line_id, x.previous_contract_id,
        x.previous_order_id, x.previous_amount, x.owner_id, x.department_id, x.status, x.skip_reason, ${by.actorId}::uuid
      FROM jsonb_to_recordset(${JSON.stringify(claim)}::jsonb) AS x(id uuid, source text, source_id uuid, due_on date,
        cycle text, customer_id uuid, business_line_id uuid, previous_contract_id uuid, previous_order_id uuid,
        previous_amount numeric, owner_id uuid, department_id uuid, status text, skip_reason text)
      ON CONFLICT DO NOTHING
      RETURNING id`,
  );
  const mine = new Set(claimed.map((c) => c.id));
  outcome.alreadyRaised += rows.length - mine.size;
  const won = rows.filter((r) => mine.has(r.id));
  for (const r of won) outcome.ids.set(keyOf(r.season), r.id);
  outcome.skipped += won.filter((r) => r.skipReason).length;
  const raise = won.filter((r) => !r.skipReason);
  outcome.raised += raise.length;
  if (raise.length === 0) return outcome;

  // The first open stage of each line's pipeline in force.
  const stages = new Map<string, { id: string; probability: number }>();
  for (const lineId of new Set(raise.map((r) => r.season.businessLineId))) {
    const first = firstOpenStage((await pipelineOf(tx.db, lineId)).stages);
    stages.set(lineId, { id: first.id, probability: first.probability });
  }
  const opps = raise.map((r) => {
    const s = r.season;
    const name = `续约：${s.customerName} ${s.businessLineName} ${s.dueOn.slice(0, 4)}`;
    const stage = stages.get(s.businessLineId)!;
    return {
      id: r.opportunityId!,
      renewal_id: r.id,
      quote_id: r.quoteId!,
      name,
      customer_id: s.customerId,
      business_line_id: s.businessLineId,
      stage_id: stage.id,
      probability: stage.probability,
      expected_amount: s.previousAmount,
      expected_close_on: s.dueOn,
      owner_id: s.ownerId,
      department_id: s.departmentId,
      search_text: searchTextOf([name, s.customerName]),
      next_step: by.note ?? null,
      prev_contract_id: s.previousContractId,
      prev_order_id: s.previousOrderId,
    };
  });
  const input = sql`jsonb_to_recordset(${JSON.stringify(opps)}::jsonb) AS x(id uuid, renewal_id uuid, quote_id uuid,
    name text, customer_id uuid, business_line_id uuid, stage_id uuid, probability int, expected_amount numeric,
    expected_close_on date, owner_id uuid, department_id uuid, search_text text, next_step text,
    prev_contract_id uuid, prev_order_id uuid)`;
  await tx.db.execute(sql`INSERT INTO ${opportunities} (id, name, customer_id, business_line_id, stage_id, status,
      probability, expected_amount, expected_close_on, next_step, owner_id, department_id, origin_kind, origin_id,
      stage_entered_at, search_text, created_by)
    SELECT x.id, x.name, x.customer_id, x.business_line_id, x.stage_id, 'open', x.probability, x.expected_amount,
      x.expected_close_on, x.next_step, x.owner_id, x.department_id, 'renewal', x.renewal_id, now(), x.search_text,
      ${by.actorId}::uuid
    FROM ${input}`);
  await tx.db
    .execute(sql`INSERT INTO ${opportunityStageChanges} (opportunity_id, to_stage_id, to_status, at, by_user_id)
    SELECT x.id, x.stage_id, 'open', now(), ${by.actorId}::uuid FROM ${input}`);
  // The team: the previous contract's members, with their role on its opportunity when they had one.
  await tx.db.execute(sql`INSERT INTO ${opportunityMembers} (opportunity_id, user_id, role)
    SELECT x.id, cm.user_id, coalesce(om.role, ${DEFAULT_ROLE})
    FROM ${input}
    JOIN ${contractMembers} cm ON cm.contract_id = x.prev_contract_id
    JOIN ${users} u ON u.id = cm.user_id AND u.active
    JOIN ${contracts} pc ON pc.id = x.prev_contract_id
    LEFT JOIN ${opportunityMembers} om ON om.opportunity_id = pc.opportunity_id AND om.user_id = cm.user_id
    ON CONFLICT DO NOTHING`);
  // The draft quote: last period's lines at last period's amounts (one each), version 1.
  const lines = sql`(SELECT x.id AS opportunity_id, x.quote_id, l.position, pc.business_line_id, l.description, l.amount
      FROM ${input} JOIN ${contracts} pc ON pc.id = x.prev_contract_id JOIN ${contractLines} l ON l.contract_id = pc.id
    UNION ALL
    SELECT x.id, x.quote_id, l.position, l.business_line_id, l.description, l.amount
      FROM ${input} JOIN ${orderLines} l ON l.order_id = x.prev_order_id WHERE x.prev_contract_id IS NULL)`;
  await tx.db.execute(sql`INSERT INTO ${quotes} (id, opportunity_id, version, status, total, list_total, created_by)
    SELECT q.quote_id, q.opportunity_id, 1, 'draft', sum(q.amount), sum(q.amount), ${by.actorId}::uuid
    FROM ${lines} q GROUP BY q.quote_id, q.opportunity_id`);
  await tx.db.execute(sql`INSERT INTO ${quoteItems} (quote_id, position, business_line_id, description, quantity,
      unit_price, list_unit_price, amount)
    SELECT q.quote_id, row_number() OVER (PARTITION BY q.quote_id ORDER BY q.position) - 1, q.business_line_id,
      q.description, 1, q.amount, q.amount, q.amount
    FROM ${lines} q`);
  await tx.db.execute(sql`UPDATE ${renewals} r SET opportunity_id = x.id,
      quote_id = (SELECT q.id FROM ${quotes} q WHERE q.id = x.quote_id)
    FROM ${input} WHERE r.id = x.renewal_id`);
  await notify(
    tx,
    raise.map((r) => ({
      userId: r.season.ownerId!,
      kind: 'renewal-due' as const,
      params: { customer: r.season.customerName, businessLine: r.season.businessLineName, dueOn: r.season.dueOn },
      entityType: 'opportunity',
      entityId: r.opportunityId!,
    })),
  );
  return outcome;
}

/**
 * Lost at renewal → a lesson 复盘: every renewal whose opportunity is lost and not yet flagged is flagged, and its
 * owner asked (once: the flag is set under the row lock, a second run finds it set) to write the lesson the
 * opportunity's closing prompt (knowledge/capture.service.ts) collects.
 */
export async function flagLostRenewals(tx: JobsTx): Promise<number> {
  const flagged = await rowsOf<{ id: string; ownerId: string; opportunityId: string; name: string }>(
    tx.db,
    sql`UPDATE ${renewals} r SET lesson_flagged_at = now()
      FROM ${opportunities} o
      WHERE o.id = r.opportunity_id AND o.status = 'lost' AND r.lesson_flagged_at IS NULL
      RETURNING r.id, o.owner_id AS "ownerId", o.id AS "opportunityId", o.name`,
  );
  await notify(
    tx,
    flagged.map((f) => ({
      userId: f.ownerId,
      kind: 'renewal-lesson' as const,
      params: { opportunity: f.name },
      entityType: 'opportunity',
      entityId: f.opportunityId,
    })),
  );
  return flagged.length;
}

/** The firm's today (Asia/Shanghai). */
export const firmToday = () => localDate(new Date(), FIRM_TIME_ZONE);

/**
 * The renewal job as of a day: the seasons due within their line's lead days, raised in batches (one transaction
 * each), then the lost renewals flagged for a lesson. Safe to run twice or on several instances at once.
 */
export async function runRenewals(
  ctx: JobsTx,
  options: { asOf: string; actorId?: string | null },
): Promise<RenewalRunResult> {
  const { asOf } = options;
  const [{ maxLead }] = await rowsOf<{ maxLead: number | null }>(
    ctx.db,
    sql`SELECT max(lead_days)::int AS "maxLead" FROM ${renewalRules} WHERE active`,
  );
  const to = addDays(asOf, Math.max(maxLead ?? 0, RENEWAL_DEFAULT_LEAD_DAYS));
  const due = await findSeasons(ctx.db, { from: asOf, to, asOf, unraised: true });
  const result: RenewalRunResult = { asOf, considered: due.length, raised: 0, skipped: 0, alreadyRaised: 0 };
  for (let i = 0; i < due.length; i += BATCH) {
    const batch = due.slice(i, i + BATCH);
    const outcome = await inTransaction(ctx, (tx) => raiseSeasons(tx, batch, { actorId: options.actorId ?? null }));
    result.raised += outcome.raised;
    result.skipped += outcome.skipped;
    result.alreadyRaised += outcome.alreadyRaised;
  }
  await inTransaction(ctx, (tx) => flagLostRenewals(tx));
  return result;
}

/** The scheduled job: as of the firm's today. */
export const runRenewalsToday = (ctx: JobsTx) => runRenewals(ctx, { asOf: firmToday() });
