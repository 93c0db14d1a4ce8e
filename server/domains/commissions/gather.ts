import { sql, type SQL } from 'drizzle-orm';
import type { CommissionRole } from '../../../common/schemas/commissions';
import type { Db } from '../../db/client';
import { addDays, FIRM_TIME_ZONE, zonedInstant } from '../../lib/time';
import { contractMembers } from '../contracts/contracts.tables';
import { engagementMembers, engagements } from '../engagements/engagements.tables';
import { timeEntries, timesheetWeeks } from '../engagements/timesheets.tables';
import { receipts } from '../receivables/receivables.tables';
import { users } from '../staff/staff.tables';
import { commissionSheets, commissionSources } from './commissions.tables';
import { scaled, type Person, type Received, type Worked } from './compute';

/**
 * What drafting a sheet 分配表 reads, for any number of subjects at once (a contract, or an order without one): the
 * single draft gathers one, the month's drafting and the what-if 模拟 every subject of a month — the same few
 * set-based statements, run one after another (inside a transaction they share one connection), whatever the count.
 */

/** A contract (or an order without one) whose month is drafted: whose it is, and its business line. */
export type Subject = {
  contractId: string | null;
  orderId: string | null;
  ownerId: string;
  departmentId: string | null;
  businessLineId: string;
};

/** The subject's id (a contract's or an order's: the one-live-sheet index's key). */
export const subjectKey = (s: Pick<Subject, 'contractId' | 'orderId'>) => s.contractId ?? s.orderId!;

/** The first and last day of a month YYYY-MM. */
export function monthBounds(period: string): { first: string; last: string } {
  const [y, m] = period.split('-').map(Number);
  const first = `${period}-01`;
  const next = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
  return { first, last: addDays(next, -1) };
}

/** The end of a month's last day in the firm's zone: a reversal made before then counts that month. */
export const endOfMonth = (last: string) => zonedInstant(addDays(last, 1), { hour: 0 }, FIRM_TIME_ZONE);

export type Gathered = {
  /** Receipts not yet counted (their part allocated to the subject), and reversals (negative). */
  received: Received[];
  reversedIds: Set<string>;
  receiptDates: Map<string, string>;
  /** What was counted before (the tiers run on from there). */
  receivedBefore: bigint;
  /** Approved time entries not yet counted. */
  worked: Worked[];
  people: Person[];
};

/** Ids as one uuid[] parameter (a thousand subjects are one parameter, not a thousand). */
const uuids = (ids: Iterable<string>): SQL => sql`${`{${[...ids].join(',')}}`}::uuid[]`;
const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;
const fenOf = (value: string) => scaled(value, 2);

/**
 * What drafting gathers for each subject: receipts and reversals not yet counted up to the month's end (`last`), what
 * was counted before, the approved hours not yet counted, and the people. With `month` (the what-if, about the policy
 * rather than the ledger) it ignores what sheets counted: the valid receipts received in that month, the valid receipts
 * received before it (for the tiers), the approved hours worked in it; no reversals. What was counted before is read
 * through the subjects' live sheets (a cancelled one has no sources left), then each sheet's sources by its index —
 * not every receipt ever counted hashed against them (the one-live-sheet index's expression has no statistics).
 * Every subject given has an entry, empty when nothing is there.
 */
export async function gatherAll(
  db: Db,
  subjects: readonly Subject[],
  last: string,
  month?: { first: string },
): Promise<Map<string, Gathered>> {
  const byKey = new Map<string, Gathered>();
  for (const s of subjects)
    byKey.set(subjectKey(s), {
      received: [],
      reversedIds: new Set(),
      receiptDates: new Map(),
      receivedBefore: 0n,
      worked: [],
      people: [],
    });
  if (subjects.length === 0) return byKey;
  const contractIds = new Set(subjects.flatMap((s) => (s.contractId ? [s.contractId] : [])));
  const orderIds = new Set(subjects.flatMap((s) => (s.contractId ? [] : [s.orderId!])));
  const cs = uuids(contractIds);
  const os = uuids(orderIds);
  /** A row's subject: its contract's when that is one, else its order's (an order without a contract). */
  const ownerOf = (contractId: string | null, orderId: string | null) =>
    byKey.get(contractId && contractIds.has(contractId) ? contractId : orderIds.has(orderId ?? '') ? orderId! : '');

  type ReceiptRow = {
    id: string;
    contract_id: string | null;
    order_id: string | null;
    received_on: string;
    allocated: string;
  };
  const ofSubjects = sql`(r.contract_id = ANY(${cs}) OR r.order_id = ANY(${os}))`;
  const fresh = rowsOf<ReceiptRow>(
    await db.execute(sql`
      SELECT r.id, r.contract_id, r.order_id, r.received_on::text AS received_on,
        (r.amount - r.unallocated)::text AS allocated
      FROM ${receipts} r
      WHERE ${ofSubjects} AND r.status = 'valid' AND r.received_on <= ${last}::date AND r.amount > r.unallocated
        AND ${
          month
            ? sql`r.received_on >= ${month.first}::date`
            : sql`NOT EXISTS (SELECT 1 FROM ${commissionSources} c WHERE c.kind = 'receipt' AND c.source_id = r.id)`
        }`),
  );
  const reversed = month
    ? []
    : rowsOf<ReceiptRow>(
        await db.execute(sql`
      SELECT r.id, r.contract_id, r.order_id, r.received_on::text AS received_on, c.amount::text AS allocated
      FROM ${receipts} r JOIN ${commissionSources} c ON c.kind = 'receipt' AND c.source_id = r.id
      WHERE ${ofSubjects} AND r.status = 'reversed' AND r.reversed_at < ${endOfMonth(last).toISOString()}::timestamptz
        AND NOT EXISTS (SELECT 1 FROM ${commissionSources} x WHERE x.kind = 'reversal' AND x.source_id = r.id)`),
      );
  for (const [rows, sign] of [
    [fresh, 1n],
    [reversed, -1n],
  ] as const)
    for (const r of rows) {
      const got = ownerOf(r.contract_id, r.order_id);
      if (!got) continue;
      got.received.push({ id: r.id, fen: sign * fenOf(r.allocated), receivedOn: r.received_on });
      got.receiptDates.set(r.id, r.received_on);
      if (sign < 0n) got.reversedIds.add(r.id);
    }

  const before = rowsOf<{ key: string; total: string }>(
    await db.execute(
      month
        ? sql`
      SELECT CASE WHEN r.contract_id = ANY(${cs}) THEN r.contract_id ELSE r.order_id END AS key,
        sum(r.amount - r.unallocated)::text AS total
      FROM ${receipts} r
      WHERE ${ofSubjects} AND r.status = 'valid' AND r.received_on < ${month.first}::date
      GROUP BY 1`
        : sql`
      SELECT h.key, sum(s.total)::text AS total
      FROM (SELECT id, coalesce(contract_id, order_id) AS key FROM ${commissionSheets}
            WHERE coalesce(contract_id, order_id) = ANY(${uuids(byKey.keys())}) AND status <> 'cancelled') h
      CROSS JOIN LATERAL (
        SELECT sum(CASE c.kind WHEN 'receipt' THEN c.amount ELSE -c.amount END) AS total
        FROM ${commissionSources} c WHERE c.sheet_id = h.id AND c.kind IN ('receipt', 'reversal')) s
      GROUP BY h.key`,
    ),
  );
  for (const b of before) {
    const got = byKey.get(b.key);
    if (got && b.total !== null) got.receivedBefore = fenOf(b.total);
  }

  // The approved week of an entry's day, written on week_start so that it is the index's range (one row, not the
  // person's every earlier week).
  const worked = rowsOf<{
    id: string;
    user_id: string;
    hours: string;
    contract_id: string | null;
    order_id: string | null;
  }>(
    await db.execute(sql`
      SELECT t.id, t.user_id, t.hours::text AS hours, e.contract_id, e.order_id
      FROM ${timeEntries} t
      JOIN ${engagements} e ON e.id = t.engagement_id
      JOIN ${timesheetWeeks} w ON w.user_id = t.user_id AND w.status = 'approved'
        AND w.week_start BETWEEN t.work_date - 6 AND t.work_date
      WHERE (e.contract_id = ANY(${cs}) OR e.order_id = ANY(${os})) AND e.status <> 'cancelled'
        AND t.work_date <= ${last}::date
        AND ${
          month
            ? sql`t.work_date >= ${month.first}::date`
            : sql`NOT EXISTS (SELECT 1 FROM ${commissionSources} c WHERE c.kind = 'time-entry' AND c.source_id = t.id)`
        }`),
  );
  for (const w of worked)
    ownerOf(w.contract_id, w.order_id)?.worked.push({ id: w.id, userId: w.user_id, hundredths: fenOf(w.hours) });

  await peopleOf(db, subjects, byKey, { contractIds, orderIds, ownerOf });
  return byKey;
}

/**
 * The people of each subject with their roles on either side (the sale side: the owner 业务承接人, the contract's
 * other team members as 顾问; the work side: each engagement's lead 项目负责人 and team with their roles), and what
 * the rules match on — in name order.
 */
async function peopleOf(
  db: Db,
  subjects: readonly Subject[],
  byKey: Map<string, Gathered>,
  of: {
    contractIds: Set<string>;
    orderIds: Set<string>;
    ownerOf: (contractId: string | null, orderId: string | null) => Gathered | undefined;
  },
): Promise<void> {
  const roles = new Map<string, Map<string, Set<CommissionRole>>>();
  const add = (key: string, userId: string, role: CommissionRole) => {
    const subject = roles.get(key) ?? new Map<string, Set<CommissionRole>>();
    roles.set(key, subject.set(userId, (subject.get(userId) ?? new Set()).add(role)));
  };
  for (const s of subjects) add(subjectKey(s), s.ownerId, 'sales-owner');
  const owners = new Map(subjects.map((s) => [subjectKey(s), s.ownerId]));
  if (of.contractIds.size) {
    const members = rowsOf<{ contract_id: string; user_id: string }>(
      await db.execute(sql`
        SELECT m.contract_id, m.user_id FROM ${contractMembers} m
        WHERE m.contract_id = ANY(${uuids(of.contractIds)}) ORDER BY m.contract_id, m.user_id`),
    );
    for (const m of members) if (m.user_id !== owners.get(m.contract_id)) add(m.contract_id, m.user_id, 'consultant');
  }
  const work = rowsOf<{
    contract_id: string | null;
    order_id: string | null;
    lead_id: string;
    user_id: string | null;
    roles: string[] | null;
  }>(
    await db.execute(sql`
      SELECT e.contract_id, e.order_id, e.lead_id, m.user_id, m.roles
      FROM ${engagements} e LEFT JOIN ${engagementMembers} m ON m.engagement_id = e.id
      WHERE (e.contract_id = ANY(${uuids(of.contractIds)}) OR e.order_id = ANY(${uuids(of.orderIds)}))
        AND e.status <> 'cancelled'
      ORDER BY e.created_at, e.id, m.user_id`),
  );
  for (const w of work) {
    const key = w.contract_id && of.contractIds.has(w.contract_id) ? w.contract_id : w.order_id;
    if (!key || !roles.has(key)) continue;
    add(key, w.lead_id, 'project-lead');
    if (w.user_id) for (const role of w.roles ?? []) add(key, w.user_id, role as CommissionRole);
  }
  const ids = new Set([...roles.values()].flatMap((people) => [...people.keys()]));
  const rows = rowsOf<{
    id: string;
    staff_category: Person['staffCategory'];
    is_practicing_cpa: boolean;
    department_id: string | null;
    branch_id: string | null;
  }>(
    await db.execute(sql`
      SELECT u.id, u.staff_category, u.is_practicing_cpa, u.department_id, u.branch_id FROM ${users} u
      WHERE u.id = ANY(${uuids(ids)}) ORDER BY u.display_name, u.id`),
  );
  for (const [key, people] of roles) {
    const got = byKey.get(key)!;
    for (const u of rows) {
      const its = people.get(u.id);
      if (!its) continue;
      got.people.push({
        userId: u.id,
        roles: [...its],
        staffCategory: u.staff_category,
        practising: u.is_practicing_cpa,
        departmentId: u.department_id,
        branchId: u.branch_id,
      });
    }
  }
}
