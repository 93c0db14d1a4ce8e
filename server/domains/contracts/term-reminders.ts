import { sql } from 'drizzle-orm';
import { RECEIVABLE_CONTRACT_STATUSES, RECEIVABLE_ORDER_STATUSES } from '../../../common/schemas/receivables';
import { inTransaction, type JobsTx } from '../../context';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { customers } from '../customers/customers.tables';
import { notify, type NewNotification } from '../notifications/notifications.service';
import { roles, users } from '../staff/staff.tables';
import { contracts, orders, paymentTerms } from './contracts.tables';

/**
 * Payment-term reminders 付款提醒: a term that falls due (today, or earlier and never reminded of that date)
 * and still waits for money tells the contract's (or order's) owner and finance — every active user of the
 * finance role — once per due date. "Once" is a conditional UPDATE of `reminded_for` to the due date in the
 * transaction that notifies: a retry, a second app instance or the daily job after a completion's reminder
 * finds nothing left to do. A term whose due date moves is reminded of the new date.
 *
 * Called by the daily job (server/jobs/workers.ts) for every term, and by the contracts domain the moment an
 * event makes terms due (an order or contract completed: the final payment), for that contract or order.
 */

const list = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

type Due = {
  id: string;
  contract_id: string | null;
  order_id: string | null;
  position: number;
  due_on: string;
  outstanding: string;
  owner_id: string;
  customer_name: string;
  subject: string;
};

/**
 * Reminds of the due terms of one contract or order (or of all, with `limit` per call), in the caller's
 * transaction; returns how many terms it reminded of. `today` defaults to the firm's.
 */
export async function remindDueTerms(
  tx: JobsTx,
  scope: { contractId?: string; orderId?: string; limit?: number } = {},
  today: string = localDate(new Date(), FIRM_TIME_ZONE),
): Promise<number> {
  const only = scope.contractId
    ? sql`AND t.contract_id = ${scope.contractId}`
    : scope.orderId
      ? sql`AND t.order_id = ${scope.orderId}`
      : sql``;
  // SKIP LOCKED: a term being paid right now is left for the next run (it may be settled by then); another
  // instance's batch is not waited for. A row it reminded meanwhile fails the re-checked WHERE of the UPDATE.
  const result = (await tx.db.execute(sql`
    WITH due AS (
      SELECT t.id FROM ${paymentTerms} t
      WHERE t.due_on <= ${today}::date AND t.received < t.amount AND t.reminded_for IS DISTINCT FROM t.due_on ${only}
        AND (EXISTS (SELECT 1 FROM ${contracts} c WHERE c.id = t.contract_id AND c.status IN (${list(RECEIVABLE_CONTRACT_STATUSES)}))
          OR EXISTS (SELECT 1 FROM ${orders} o WHERE o.id = t.order_id AND o.status IN (${list(RECEIVABLE_ORDER_STATUSES)})))
      ORDER BY t.due_on, t.id
      ${scope.limit ? sql`LIMIT ${scope.limit}` : sql``}
      FOR UPDATE OF t SKIP LOCKED
    ), reminded AS (
      UPDATE ${paymentTerms} t SET reminded_for = t.due_on
      FROM due WHERE t.id = due.id AND t.reminded_for IS DISTINCT FROM t.due_on AND t.received < t.amount
      RETURNING t.id, t.contract_id, t.order_id, t.position, t.due_on::text AS due_on,
        (t.amount - t.received)::text AS outstanding
    )
    SELECT r.*, coalesce(c.owner_id, o.owner_id) AS owner_id, k.name AS customer_name,
      coalesce(c.number, o.number, c.title, o.title) AS subject
    FROM reminded r
    LEFT JOIN ${contracts} c ON c.id = r.contract_id
    LEFT JOIN ${orders} o ON o.id = r.order_id
    JOIN ${customers} k ON k.id = coalesce(c.customer_id, o.customer_id)
    ORDER BY r.due_on, r.id`)) as unknown as { rows: Due[] };
  const due = result.rows;
  if (due.length === 0) return 0;
  const finance = (
    (await tx.db.execute(
      sql`SELECT u.id FROM ${users} u JOIN ${roles} r ON r.id = u.role_id WHERE r.code = 'finance' AND u.active`,
    )) as unknown as { rows: { id: string }[] }
  ).rows.map((u) => u.id);
  const items: NewNotification[] = [];
  for (const term of due) {
    const recipients = new Set([term.owner_id, ...finance]);
    for (const userId of recipients)
      items.push({
        userId,
        kind: term.due_on === today ? 'payment-due' : 'payment-overdue',
        params: {
          customer: term.customer_name,
          subject: term.subject,
          position: Number(term.position),
          dueOn: term.due_on,
          outstanding: term.outstanding,
        },
        entityType: term.contract_id ? 'contract' : 'order',
        entityId: term.contract_id ?? term.order_id!,
      });
  }
  await notify(tx, items);
  return due.length;
}

/** The daily job: every due term, in short transactions of `batch` terms each. */
export async function remindAllDueTerms(
  jobs: JobsTx,
  options: { batch?: number; today?: string } = {},
): Promise<number> {
  const batch = options.batch ?? 200;
  let reminded = 0;
  for (;;) {
    const n = await inTransaction(jobs, (tx) => remindDueTerms(tx, { limit: batch }, options.today));
    reminded += n;
    if (n < batch) return reminded;
  }
}
