import { sql } from 'drizzle-orm';
import type { CustomerFigures } from '../../../common/schemas/customer-story';
import type { Ctx } from '../../context';
import { rowsOf } from '../../db/client';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { receivableContracts, receivableOrders, visibleContracts, visibleOrders } from '../contracts/contracts.policy';
import { visibleOpportunities } from '../opportunities/opportunities.policy';
import { requireVisibleCustomer } from './timeline.service';

const CYCLE_MONTHS = { monthly: 1, quarterly: 3, annual: 12 } as const;
type Cycle = keyof typeof CYCLE_MONTHS;

/** An exact decimal string as fen. */
export function fen(amount: string | null): bigint {
  if (!amount) return 0n;
  const [whole, fraction = ''] = amount.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
}
export function fromFen(value: bigint): string {
  return `${value / 100n}.${String(value % 100n).padStart(2, '0')}`;
}

/** A date plus whole months, the day kept within the month (01-31 + 1 month → 02-28). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** The first season on or after today: `from` itself when not past, else `from` plus whole cycles. */
export function nextSeason(from: string, cycle: Cycle, today: string): string {
  const step = CYCLE_MONTHS[cycle];
  let n = 0;
  let due = from;
  while (due < today && n < 1200) due = addMonths(from, step * ++n);
  return due;
}

type Sale = { year: number; business_line_id: string; business_line_name: string; amount: string; first_on: string };
type Season = {
  source: 'service' | 'contract' | 'order' | 'renewal';
  business_line_name: string;
  due_on: string;
  cycle: Cycle | null;
  renewal_id: string | null;
};

/**
 * The customer card's figures (GET /customers/:id/figures) over what the reader may see: what was sold — contracts
 * and orders — under contracts:read (visibleContracts / visibleOrders); money — received and outstanding — under
 * receivables:read of the contract or order (receivableContracts / receivableOrders). Exact: sums in the database's
 * numeric, added in fen.
 */
export async function customerFigures(ctx: Ctx, customerId: string): Promise<CustomerFigures> {
  await requireVisibleCustomer(ctx, customerId);
  const actor = ctx.actor;
  const c = sql`${customerId}::uuid`;
  const [[money], sales, seasons] = await Promise.all([
    rowsOf<{ received: string | null; outstanding: string | null }>(
      ctx.db,
      sql`SELECT
        (SELECT sum(receipts.amount)::text FROM receipts WHERE receipts.customer_id = ${c} AND receipts.status = 'valid' AND (
          (receipts.contract_id IS NOT NULL AND EXISTS (SELECT 1 FROM contracts WHERE contracts.id = receipts.contract_id AND ${receivableContracts(actor)}))
          OR (receipts.order_id IS NOT NULL AND EXISTS (SELECT 1 FROM orders WHERE orders.id = receipts.order_id AND ${receivableOrders(actor)})))) AS received,
        ((SELECT coalesce(sum(pt.amount - pt.received), 0) FROM payment_terms pt JOIN contracts ON contracts.id = pt.contract_id
            WHERE contracts.customer_id = ${c} AND contracts.status IN ('signed', 'in-progress', 'completed') AND ${receivableContracts(actor)})
          + (SELECT coalesce(sum(pt.amount - pt.received), 0) FROM payment_terms pt JOIN orders ON orders.id = pt.order_id
            WHERE orders.customer_id = ${c} AND orders.contract_id IS NULL AND orders.status IN ('confirmed', 'completed') AND ${receivableOrders(actor)}))::text AS outstanding`,
    ),
    rowsOf<Sale>(
      ctx.db,
      sql`SELECT s.year, s.business_line_id, bl.name AS business_line_name, sum(s.amount)::text AS amount,
          to_char(min(s.on_day), 'YYYY-MM-DD') AS first_on
        FROM (
          SELECT extract(year FROM contracts.signed_on)::int AS year, contracts.business_line_id, contracts.amount, contracts.signed_on AS on_day
          FROM contracts WHERE contracts.customer_id = ${c} AND contracts.signed_on IS NOT NULL AND contracts.status <> 'voided'
            AND ${visibleContracts(actor)}
          UNION ALL
          SELECT extract(year FROM orders.confirmed_on)::int, ol.business_line_id, ol.amount, orders.confirmed_on
          FROM orders JOIN order_lines ol ON ol.order_id = orders.id
          WHERE orders.customer_id = ${c} AND orders.contract_id IS NULL AND orders.confirmed_on IS NOT NULL
            AND orders.status IN ('confirmed', 'completed') AND ${visibleOrders(actor)}
        ) s JOIN business_lines bl ON bl.id = s.business_line_id
        GROUP BY s.year, s.business_line_id, bl.name
        ORDER BY s.year DESC, bl.name`,
    ),
    rowsOf<Season>(
      ctx.db,
      sql`SELECT 'service' AS source, bl.name AS business_line_name, to_char(cs.next_due_on, 'YYYY-MM-DD') AS due_on,
            NULL AS cycle, NULL::uuid AS renewal_id
          FROM customer_services cs JOIN business_lines bl ON bl.id = cs.business_line_id
          WHERE cs.customer_id = ${c} AND cs.active
        UNION ALL
        SELECT 'contract', bl.name, to_char(coalesce(contracts.end_on, contracts.signed_on), 'YYYY-MM-DD'), contracts.recurring_cycle, NULL
          FROM contracts JOIN business_lines bl ON bl.id = contracts.business_line_id
          WHERE contracts.customer_id = ${c} AND contracts.recurring_cycle IS NOT NULL AND contracts.signed_on IS NOT NULL
            AND contracts.status IN ('signed', 'in-progress', 'completed') AND ${visibleContracts(actor)}
        UNION ALL
        SELECT 'order', bl.name, to_char(orders.confirmed_on, 'YYYY-MM-DD'), orders.recurring_cycle, NULL
          FROM orders JOIN business_lines bl ON bl.id = orders.business_line_id
          WHERE orders.customer_id = ${c} AND orders.contract_id IS NULL AND orders.recurring_cycle IS NOT NULL
            AND orders.confirmed_on IS NOT NULL AND orders.status IN ('confirmed', 'completed') AND ${visibleOrders(actor)}
        UNION ALL
        SELECT 'renewal', bl.name, to_char(r.due_on, 'YYYY-MM-DD'), NULL, r.id
          FROM renewals r JOIN business_lines bl ON bl.id = r.business_line_id
          WHERE r.customer_id = ${c} AND r.status = 'raised' AND (r.owner_id = ${actor.id} OR r.opportunity_id IN
            (SELECT opportunities.id FROM opportunities WHERE opportunities.customer_id = ${c} AND opportunities.status = 'open' AND ${visibleOpportunities(actor)}))
            AND (r.opportunity_id IS NULL OR EXISTS (SELECT 1 FROM opportunities o WHERE o.id = r.opportunity_id AND o.status = 'open'))`,
    ),
  ]);

  const byYear = new Map<
    number,
    { total: bigint; lines: { businessLineId: string; businessLineName: string; amount: string }[] }
  >();
  let contracted = 0n;
  let firstSaleOn: string | null = null;
  for (const sale of sales) {
    const amount = fen(sale.amount);
    contracted += amount;
    if (firstSaleOn === null || sale.first_on < firstSaleOn) firstSaleOn = sale.first_on;
    const year = byYear.get(sale.year) ?? { total: 0n, lines: [] };
    year.total += amount;
    year.lines.push({
      businessLineId: sale.business_line_id,
      businessLineName: sale.business_line_name,
      amount: fromFen(amount),
    });
    byYear.set(sale.year, year);
  }

  const today = localDate(new Date(), FIRM_TIME_ZONE);
  const renewalDates = seasons
    .map((s) => ({
      businessLineName: s.business_line_name,
      dueOn:
        s.cycle && (s.source === 'contract' || s.source === 'order') ? nextSeason(s.due_on, s.cycle, today) : s.due_on,
      source: s.source,
      renewalId: s.renewal_id,
    }))
    .sort((a, b) =>
      a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : a.businessLineName.localeCompare(b.businessLineName),
    );

  return {
    customerId,
    lifetimeRevenue: fromFen(fen(money.received)),
    contracted: fromFen(contracted),
    outstanding: fromFen(fen(money.outstanding)),
    firstSaleOn,
    servicesByYear: [...byYear.entries()]
      .sort(([a], [b]) => b - a)
      .map(([year, { total, lines }]) => ({ year, total: fromFen(total), lines })),
    renewalDates,
  };
}
