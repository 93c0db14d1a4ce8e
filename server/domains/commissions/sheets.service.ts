import { and, asc, count, desc, eq, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { Page } from '../../../common/schemas/common';
import type {
  CommissionRole,
  Explanation,
  FormulaStep,
  Sheet,
  SheetCreate,
  SheetListQuery,
  SheetLine,
  SheetSummary,
} from '../../../common/schemas/commissions';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, isUniqueViolation, notFound } from '../../errors';
import { containsPattern, offsetOf, orderFrom, pageWithTotal } from '../../lib/listing';
import { addDays, FIRM_TIME_ZONE, localDate, zonedInstant } from '../../lib/time';
import { recordAudit } from '../audit/audit.service';
import { lockedForChange } from '../contracts/contracts.service';
import { visibleContracts, visibleOrders } from '../contracts/contracts.policy';
import { contractMembers, contracts, orders } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { engagementMembers, engagements } from '../engagements/engagements.tables';
import { timeEntries, timesheetWeeks } from '../engagements/timesheets.tables';
import { receipts } from '../receivables/receivables.tables';
import { workflowAssignments, workflowInstances } from '../workflows/workflows.tables';
import { businessLines, departments, users } from '../staff/staff.tables';
import { draftableContracts, draftableOrders, visibleSheets, wholeSheets, writableSheets } from './commissions.policy';
import { commissionLines, commissionPolicies, commissionSheets, commissionSources } from './commissions.tables';
import { computeSheet, decimal, scaled, type Person, type Received, type Worked } from './compute';
import { asRules, POLICY_LOCK, policyInForce } from './policies.service';

/**
 * Allocation sheets 分配表: one month of one contract (or of an order without one). Drafting gathers what is not yet
 * counted — the receipts received up to the month's end (their part allocated to the subject's terms), the reversals
 * of receipts counted before (a negative line now), the approved hours of the subject's engagements up to the month's
 * end — and the people (the sale side: the owner 业务承接人, the contract's other team members as 顾问; the work side:
 * each engagement's lead 项目负责人 and team with their roles), applies the policy version in force on the month's
 * first day (compute.ts) and writes a line per person and side with its explanation. What it counted is recorded in
 * commission_sources under a unique key, so nothing is ever counted twice: two people drafting at once meet there
 * (or at the one-live-sheet-per-month index) and the second is refused with nothing written.
 */

type SheetRow = typeof commissionSheets.$inferSelect;

const MICRO = 1_000_000n;
/** Fen as a signed decimal text ("-800.00"). */
export const moneyText = (fen: bigint) => decimalFixed(fen, 2);
function decimalFixed(value: bigint, places: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const unit = 10n ** BigInt(places);
  return `${negative ? '-' : ''}${abs / unit}.${String(abs % unit).padStart(places, '0')}`;
}
/** Millionths of a fen shown to the fen, half away from zero. */
const microText = (micro: bigint) => {
  const negative = micro < 0n;
  const abs = negative ? -micro : micro;
  return moneyText((negative ? -1n : 1n) * ((abs * 2n + MICRO) / (2n * MICRO)));
};
const fenOf = (value: string) => scaled(value, 2);

/** The first and last day of a month YYYY-MM. */
export function monthBounds(period: string): { first: string; last: string } {
  const [y, m] = period.split('-').map(Number);
  const first = `${period}-01`;
  const next = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
  return { first, last: addDays(next, -1) };
}

export type Subject = {
  contractId: string | null;
  orderId: string | null;
  ownerId: string;
  departmentId: string | null;
  businessLineId: string;
};

/** The subject, locked against concurrent drafting of it; 403 when the actor only sees it, 404 otherwise. */
async function lockSubject(tx: Ctx, input: z.output<typeof SheetCreate>): Promise<Subject> {
  if (input.contractId) {
    const id = input.contractId;
    const row = await lockedForChange(
      tx.db
        .select({
          ownerId: contracts.ownerId,
          departmentId: contracts.departmentId,
          businessLineId: contracts.businessLineId,
        })
        .from(contracts)
        .where(and(eq(contracts.id, id), draftableContracts(tx.actor)))
        .for('share'),
      () =>
        tx.db
          .select({ id: contracts.id })
          .from(contracts)
          .where(and(eq(contracts.id, id), visibleContracts(tx.actor))),
    );
    return { ...row, contractId: id, orderId: null };
  }
  const id = input.orderId!;
  const row = await lockedForChange(
    tx.db
      .select({
        ownerId: orders.ownerId,
        departmentId: orders.departmentId,
        businessLineId: orders.businessLineId,
        contractId: orders.contractId,
      })
      .from(orders)
      .where(and(eq(orders.id, id), draftableOrders(tx.actor)))
      .for('share'),
    () =>
      tx.db
        .select({ id: orders.id })
        .from(orders)
        .where(and(eq(orders.id, id), visibleOrders(tx.actor))),
  );
  // An order of a contract is counted with its contract.
  if (row.contractId) throw new AppError('COMMISSION_ORDER_OF_CONTRACT');
  return {
    contractId: null,
    orderId: id,
    ownerId: row.ownerId,
    departmentId: row.departmentId,
    businessLineId: row.businessLineId,
  };
}

/** The subject's engagements (not cancelled). */
const engagementsOf = (s: Subject): SQL =>
  and(
    s.contractId ? eq(engagements.contractId, s.contractId) : eq(engagements.orderId, s.orderId!),
    ne(engagements.status, 'cancelled'),
  )!;

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

/**
 * What drafting gathers: receipts and reversals not yet counted, what was counted before, approved hours, people.
 * With `month` (the what-if 模拟, about the policy rather than the ledger) it ignores what sheets counted: the valid
 * receipts received in that month, the valid receipts received before it (for the tiers), the approved hours worked in
 * it; no reversals. What was counted before is read through the subject's live sheets (a cancelled one has no sources
 * left): the one-live-sheet index finds them, then their sources by sheet — not every receipt ever counted hashed
 * against them, the plan a join gets (the index's expression has no statistics, being partial).
 */
export async function gather(db: Db, s: Subject, last: string, month?: { first: string }) {
  const subject = s.contractId ? sql`r.contract_id = ${s.contractId}` : sql`r.order_id = ${s.orderId}`;
  const subjectKey = s.contractId ?? s.orderId!;
  // The end of the month's last day in the firm's zone: a reversal made before then counts this month.
  const endOfMonth = zonedInstant(addDays(last, 1), { hour: 0 }, FIRM_TIME_ZONE);
  const none = Promise.resolve({ rows: [] as unknown[] });
  const [fresh, reversed, before, worked] = await Promise.all([
    db.execute(sql`
      SELECT r.id, r.received_on::text AS received_on, (r.amount - r.unallocated)::text AS allocated
      FROM ${receipts} r
      WHERE ${subject} AND r.status = 'valid' AND r.received_on <= ${last}::date AND r.amount > r.unallocated
        AND ${
          month
            ? sql`r.received_on >= ${month.first}::date`
            : sql`NOT EXISTS (SELECT 1 FROM ${commissionSources} c WHERE c.kind = 'receipt' AND c.source_id = r.id)`
        }`),
    month
      ? none
      : db.execute(sql`
      SELECT r.id, r.received_on::text AS received_on, c.amount::text AS allocated
      FROM ${receipts} r JOIN ${commissionSources} c ON c.kind = 'receipt' AND c.source_id = r.id
      WHERE ${subject} AND r.status = 'reversed' AND r.reversed_at < ${endOfMonth.toISOString()}::timestamptz
        AND NOT EXISTS (SELECT 1 FROM ${commissionSources} x WHERE x.kind = 'reversal' AND x.source_id = r.id)`),
    month
      ? db.execute(sql`
      SELECT coalesce(sum(r.amount - r.unallocated), 0)::text AS total
      FROM ${receipts} r
      WHERE ${subject} AND r.status = 'valid' AND r.received_on < ${month.first}::date`)
      : db.execute(sql`
      SELECT coalesce(sum(CASE c.kind WHEN 'receipt' THEN c.amount ELSE -c.amount END), 0)::text AS total
      FROM ${commissionSources} c
      WHERE c.sheet_id = ANY(ARRAY(SELECT h.id FROM ${commissionSheets} h
                                   WHERE coalesce(h.contract_id, h.order_id) = ${subjectKey} AND h.status <> 'cancelled'))
        AND c.kind IN ('receipt', 'reversal')`),
    db
      .select({ id: timeEntries.id, userId: timeEntries.userId, hours: timeEntries.hours })
      .from(timeEntries)
      .innerJoin(engagements, eq(engagements.id, timeEntries.engagementId))
      .innerJoin(
        timesheetWeeks,
        and(
          eq(timesheetWeeks.userId, timeEntries.userId),
          eq(timesheetWeeks.status, 'approved'),
          // The week holding the day, written on week_start so that it is the index's range (one row, not the
          // person's every earlier week).
          sql`${timesheetWeeks.weekStart} BETWEEN ${timeEntries.workDate} - 6 AND ${timeEntries.workDate}`,
        ),
      )
      .where(
        and(
          engagementsOf(s),
          sql`${timeEntries.workDate} <= ${last}::date`,
          month
            ? sql`${timeEntries.workDate} >= ${month.first}::date`
            : sql`NOT EXISTS (SELECT 1 FROM ${commissionSources} c WHERE c.kind = 'time-entry' AND c.source_id = ${timeEntries.id})`,
        ),
      ),
  ]);
  type ReceiptRow = { id: string; received_on: string; allocated: string };
  const received: Received[] = [
    ...rowsOf<ReceiptRow>(fresh).map((r) => ({ id: r.id, fen: fenOf(r.allocated), receivedOn: r.received_on })),
    ...rowsOf<ReceiptRow>(reversed).map((r) => ({ id: r.id, fen: -fenOf(r.allocated), receivedOn: r.received_on })),
  ];
  return {
    received,
    reversedIds: new Set(rowsOf<ReceiptRow>(reversed).map((r) => r.id)),
    receiptDates: new Map(received.map((r) => [r.id, r.receivedOn])),
    receivedBefore: fenOf(rowsOf<{ total: string }>(before)[0].total),
    worked: worked.map((w): Worked => ({ id: w.id, userId: w.userId, hundredths: fenOf(w.hours) })),
    people: await peopleOf(db, s),
  };
}

/** The people of the subject with their roles on either side, and what the rules match on. */
async function peopleOf(db: Db, s: Subject): Promise<Person[]> {
  const roles = new Map<string, Set<CommissionRole>>();
  const add = (userId: string, role: CommissionRole) => roles.set(userId, (roles.get(userId) ?? new Set()).add(role));
  add(s.ownerId, 'sales-owner');
  if (s.contractId)
    for (const m of await db
      .select({ userId: contractMembers.userId })
      .from(contractMembers)
      .where(eq(contractMembers.contractId, s.contractId)))
      if (m.userId !== s.ownerId) add(m.userId, 'consultant');
  const work = await db
    .select({ leadId: engagements.leadId, userId: engagementMembers.userId, roles: engagementMembers.roles })
    .from(engagements)
    .leftJoin(engagementMembers, eq(engagementMembers.engagementId, engagements.id))
    .where(engagementsOf(s));
  for (const w of work) {
    add(w.leadId, 'project-lead');
    if (w.userId) for (const role of w.roles ?? []) add(w.userId, role as CommissionRole);
  }
  const ids = [...roles.keys()];
  const rows = await db
    .select({
      id: users.id,
      staffCategory: users.staffCategory,
      practising: users.isPracticingCpa,
      departmentId: users.departmentId,
      branchId: users.branchId,
    })
    .from(users)
    .where(inArray(users.id, ids))
    .orderBy(asc(users.displayName), asc(users.id));
  return rows.map((u) => ({
    userId: u.id,
    roles: [...roles.get(u.id)!],
    staffCategory: u.staffCategory,
    practising: u.practising,
    departmentId: u.departmentId,
    branchId: u.branchId,
  }));
}

/** Drafts the month's sheet of a contract or order (see the module's comment); 201 with the sheet. */
export async function draftSheet(ctx: Ctx, input: z.output<typeof SheetCreate>): Promise<Sheet> {
  let id: string;
  try {
    id = await inTransaction(ctx, (tx) => draftLocked(tx, input));
  } catch (error) {
    if (isUniqueViolation(error, 'commission_sheets_subject_period_key'))
      throw new AppError('COMMISSION_SHEET_EXISTS', { period: input.period });
    if (isUniqueViolation(error, 'commission_sources_key')) throw new AppError('COMMISSION_SOURCE_COUNTED');
    throw error;
  }
  return getSheet(ctx, id);
}

async function draftLocked(tx: Ctx, input: z.output<typeof SheetCreate>): Promise<string> {
  await tx.db.execute(sql`SELECT pg_advisory_xact_lock_shared(${POLICY_LOCK})`);
  const subject = await lockSubject(tx, input);
  const { first, last } = monthBounds(input.period);
  if (first > localDate(new Date(), FIRM_TIME_ZONE))
    throw new AppError('COMMISSION_PERIOD_FUTURE', { period: input.period });
  const [live] = await tx.db
    .select({ id: commissionSheets.id })
    .from(commissionSheets)
    .where(
      and(
        sql`coalesce(${commissionSheets.contractId}, ${commissionSheets.orderId}) = ${subject.contractId ?? subject.orderId}`,
        eq(commissionSheets.period, input.period),
        ne(commissionSheets.status, 'cancelled'),
      ),
    );
  if (live) throw new AppError('COMMISSION_SHEET_EXISTS', { period: input.period });
  const policy = await policyInForce(tx.db, first);
  if (!policy) throw new AppError('COMMISSION_NO_POLICY', { period: input.period });
  const got = await gather(tx.db, subject, last);
  if (got.received.length === 0 && got.worked.length === 0)
    throw new AppError('COMMISSION_SHEET_EMPTY', { period: input.period });

  const rules = asRules(policy.rules);
  const sheet = computeSheet({
    businessLineId: subject.businessLineId,
    rules,
    people: got.people,
    receivedBefore: got.receivedBefore,
    received: got.received,
    worked: got.worked,
  });
  const names = new Map(policy.rules.map((r) => [r.key, r.name]));
  const total = sheet.lines.reduce((sum, l) => sum + l.fen, 0n);
  const receivedTotal = got.received.reduce((sum, r) => sum + r.fen, 0n);
  const hoursTotal = got.worked.reduce((sum, w) => sum + w.hundredths, 0n);
  const [row] = await tx.db
    .insert(commissionSheets)
    .values({
      period: input.period,
      contractId: subject.contractId,
      orderId: subject.orderId,
      businessLineId: subject.businessLineId,
      ownerId: subject.ownerId,
      departmentId: subject.departmentId,
      policyId: policy.id,
      receivedBefore: moneyText(got.receivedBefore),
      received: moneyText(receivedTotal),
      hours: decimalFixed(hoursTotal, 2),
      total: moneyText(total),
      createdBy: tx.actor.id,
      updatedBy: tx.actor.id,
    })
    .returning();
  if (sheet.lines.length)
    await tx.db.insert(commissionLines).values(
      sheet.lines.map((l) => {
        const rule = rules.find((r) => r.key === l.ruleKey)!;
        const explanation: Explanation = {
          policyId: policy.id,
          policyVersion: policy.version,
          ruleKey: l.ruleKey,
          ruleName: names.get(l.ruleKey) ?? l.ruleKey,
          steps: l.steps.map((step): FormulaStep => {
            switch (step.kind) {
              case 'received':
                return {
                  kind: 'received',
                  receiptId: step.receiptId,
                  receivedOn: got.receiptDates.get(step.receiptId)!,
                  base: moneyText(step.base),
                  percent: step.percent,
                  value: microText(step.value),
                };
              case 'hours':
                return {
                  kind: 'hours',
                  hours: decimal(step.hundredths, 2),
                  rate: moneyText(step.rate),
                  value: microText(step.value),
                };
              case 'pool':
                return { kind: 'pool', base: moneyText(step.base), percent: step.percent, pool: moneyText(step.pool) };
              case 'share':
                return {
                  kind: 'share',
                  split: rule.method === 'pool' ? rule.split : 'hours',
                  weight: step.weight,
                  total: step.total,
                  pool: moneyText(step.pool),
                  value: moneyText(step.value),
                };
            }
          }),
          receiptIds: l.receiptIds,
          timeEntryIds: l.timeEntryIds,
        };
        return {
          sheetId: row.id,
          userId: l.userId,
          side: rule.side,
          role: l.role,
          ruleKey: l.ruleKey,
          method: l.method,
          computed: moneyText(l.fen),
          amount: moneyText(l.fen),
          explanation,
        };
      }),
    );
  // Counted: every receipt and reversal, and the time entries a line used.
  const usedEntries = new Set(sheet.lines.flatMap((l) => l.timeEntryIds));
  const sources = [
    ...got.received.map((r) => ({
      sheetId: row.id,
      kind: got.reversedIds.has(r.id) ? ('reversal' as const) : ('receipt' as const),
      sourceId: r.id,
      amount: moneyText(r.fen < 0n ? -r.fen : r.fen),
    })),
    ...got.worked
      .filter((w) => usedEntries.has(w.id))
      .map((w) => ({
        sheetId: row.id,
        kind: 'time-entry' as const,
        sourceId: w.id,
        amount: decimalFixed(w.hundredths, 2),
      })),
  ];
  if (sources.length) await tx.db.insert(commissionSources).values(sources);
  await recordAudit(tx, {
    action: 'create',
    entityType: 'commission-sheet',
    entityId: row.id,
    after: { period: row.period, policyVersion: policy.version, received: row.received, total: row.total },
  });
  return row.id;
}

const subjectTitle = sql<string>`coalesce(${contracts.title}, ${orders.title})`;
const subjectNumber = sql<string | null>`coalesce(${contracts.number}, ${orders.number})`;

function selectSummaries(db: Db) {
  return db
    .select({
      s: commissionSheets,
      subjectTitle,
      subjectNumber,
      customerName: customers.name,
      businessLineName: businessLines.name,
      ownerName: users.displayName,
      policyVersion: commissionPolicies.version,
    })
    .from(commissionSheets)
    .leftJoin(contracts, eq(contracts.id, commissionSheets.contractId))
    .leftJoin(orders, eq(orders.id, commissionSheets.orderId))
    .innerJoin(customers, sql`${customers.id} = coalesce(${contracts.customerId}, ${orders.customerId})`)
    .innerJoin(businessLines, eq(businessLines.id, commissionSheets.businessLineId))
    .innerJoin(users, eq(users.id, commissionSheets.ownerId))
    .innerJoin(commissionPolicies, eq(commissionPolicies.id, commissionSheets.policyId));
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof selectSummaries>['execute']>>[number];

function presentSummary(r: SummaryRow): SheetSummary {
  const s = r.s;
  return {
    id: s.id,
    period: s.period,
    contractId: s.contractId,
    orderId: s.orderId,
    subjectNumber: r.subjectNumber,
    subjectTitle: r.subjectTitle,
    customerName: r.customerName,
    businessLineId: s.businessLineId,
    businessLineName: r.businessLineName,
    ownerId: s.ownerId,
    ownerName: r.ownerName,
    policyVersion: r.policyVersion,
    status: s.status,
    received: s.received,
    hours: s.hours,
    total: s.total,
    paidOn: s.paidOn,
    createdAt: s.createdAt.toISOString(),
  };
}

/** The sheets the reader may see, filtered by month, status, line or contract, or found by contract or customer. */
export async function findSheets(ctx: Ctx, query: z.output<typeof SheetListQuery>): Promise<Page<SheetSummary>> {
  const filters: SQL[] = [visibleSheets(ctx.actor)];
  if (query.period) filters.push(eq(commissionSheets.period, query.period));
  if (query.status) filters.push(eq(commissionSheets.status, query.status));
  if (query.businessLineId) filters.push(eq(commissionSheets.businessLineId, query.businessLineId));
  if (query.contractId) filters.push(eq(commissionSheets.contractId, query.contractId));
  if (query.q) {
    const pattern = containsPattern(query.q);
    filters.push(
      or(
        sql`${subjectTitle} ILIKE ${pattern}`,
        sql`${subjectNumber} ILIKE ${pattern}`,
        sql`${customers.name} ILIKE ${pattern}`,
      )!,
    );
  }
  const where = and(...filters);
  const order = orderFrom(
    query.sort,
    { createdAt: commissionSheets.createdAt, period: commissionSheets.period, total: commissionSheets.total },
    '-createdAt',
    commissionSheets.id,
  );
  const { rows, total } = await pageWithTotal(
    query,
    selectSummaries(ctx.db)
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () =>
      ctx.db
        .select({ total: count() })
        .from(commissionSheets)
        .leftJoin(contracts, eq(contracts.id, commissionSheets.contractId))
        .leftJoin(orders, eq(orders.id, commissionSheets.orderId))
        .innerJoin(customers, sql`${customers.id} = coalesce(${contracts.customerId}, ${orders.customerId})`)
        .where(where),
  );
  return { items: rows.map(presentSummary), total, page: query.page, pageSize: query.pageSize };
}

/** A sheet the reader may see (404 otherwise), with its lines — only their own when they see no more of it. */
export async function getSheet(ctx: Ctx, id: string): Promise<Sheet> {
  const [row] = await selectSummaries(ctx.db).where(and(eq(commissionSheets.id, id), visibleSheets(ctx.actor)));
  if (!row) throw notFound();
  const [[whole], [writable], lines, heldStep] = await Promise.all([
    ctx.db
      .select({ one: sql`1` })
      .from(commissionSheets)
      .where(and(eq(commissionSheets.id, id), wholeSheets(ctx.actor))),
    ctx.db
      .select({ one: sql`1` })
      .from(commissionSheets)
      .where(and(eq(commissionSheets.id, id), writableSheets(ctx.actor))),
    selectLines(ctx.db, id),
    heldStepOf(ctx.db, id, ctx.actor.id),
  ]);
  const ownLinesOnly = !whole && heldStep === null;
  const s = row.s;
  const shown = ownLinesOnly ? lines.filter((l) => l.userId === ctx.actor.id) : lines;
  return {
    ...presentSummary(row),
    receivedBefore: s.receivedBefore,
    shares: s.shares,
    pools: ownLinesOnly ? [] : poolsOf(shown),
    lines: shown,
    ownLinesOnly,
    mayChange: Boolean(writable) && s.status === 'draft',
    heldStep,
    updatedAt: s.updatedAt.toISOString(),
  };
}

/** Per pool rule: the pool and what its lines do not place (nobody's hours or shares yet). */
function poolsOf(lines: SheetLine[]): Sheet['pools'] {
  const pools = new Map<string, { pool: bigint; placed: bigint; split: 'hours' | 'shares' }>();
  for (const l of lines) {
    const poolStep = l.explanation.steps.find((s) => s.kind === 'pool');
    const shareStep = l.explanation.steps.find((s) => s.kind === 'share');
    if (!poolStep || poolStep.kind !== 'pool' || !shareStep || shareStep.kind !== 'share') continue;
    const entry = pools.get(l.explanation.ruleKey) ?? {
      pool: fenOf(poolStep.pool),
      placed: 0n,
      split: shareStep.split,
    };
    entry.placed += fenOf(l.computed);
    pools.set(l.explanation.ruleKey, entry);
  }
  return [...pools].map(([ruleKey, p]) => {
    const undistributed = p.placed === 0n ? p.pool : 0n;
    return {
      ruleKey,
      pool: moneyText(p.pool),
      undistributed: moneyText(undistributed),
      reason: undistributed === 0n ? null : p.split === 'hours' ? 'no-hours' : 'no-shares',
    };
  });
}

async function selectLines(db: Db, sheetId: string): Promise<SheetLine[]> {
  const adjuster = sql<string | null>`(SELECT display_name FROM ${users} a WHERE a.id = ${commissionLines.adjustedBy})`;
  const rows = await db
    .select({ l: commissionLines, name: users.displayName, departmentName: departments.name, adjuster })
    .from(commissionLines)
    .innerJoin(users, eq(users.id, commissionLines.userId))
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .where(eq(commissionLines.sheetId, sheetId))
    .orderBy(asc(commissionLines.side), desc(commissionLines.amount), asc(users.displayName), asc(commissionLines.id));
  return rows.map(({ l, name, departmentName, adjuster: byName }) => ({
    id: l.id,
    userId: l.userId,
    name,
    departmentName,
    side: l.side,
    role: l.role,
    method: l.method,
    computed: l.computed,
    amount: l.amount,
    adjusted:
      l.adjustedAt && l.adjustReason
        ? { byName: byName ?? '', at: l.adjustedAt.toISOString(), step: l.adjustedAtStep ?? 1, reason: l.adjustReason }
        : null,
    explanation: l.explanation as Explanation,
    paidOn: l.paidOn,
  }));
}

/**
 * The step of the sheet's running flow the actor holds now, as the five steps count (② … ⑤: the flow's step + 1);
 * null when they hold none.
 */
export async function heldStepOf(db: Db, sheetId: string, userId: string): Promise<number | null> {
  const [row] = await db
    .select({ step: workflowInstances.currentStep })
    .from(workflowInstances)
    .innerJoin(
      workflowAssignments,
      and(
        eq(workflowAssignments.instanceId, workflowInstances.id),
        eq(workflowAssignments.round, workflowInstances.round),
        eq(workflowAssignments.userId, userId),
        eq(workflowAssignments.open, true),
      ),
    )
    .where(
      and(
        eq(workflowInstances.subjectKind, 'commission-sheet'),
        eq(workflowInstances.subjectId, sheetId),
        eq(workflowInstances.status, 'running'),
      ),
    )
    .limit(1);
  return row?.step ? row.step + 1 : null;
}

/** Locks a sheet the actor may change (403 when they only see it, 404 otherwise). */
export const lockSheet = (tx: Ctx, id: string): Promise<SheetRow> =>
  lockedForChange(
    tx.db
      .select()
      .from(commissionSheets)
      .where(and(eq(commissionSheets.id, id), writableSheets(tx.actor)))
      .for('update'),
    () =>
      tx.db
        .select({ id: commissionSheets.id })
        .from(commissionSheets)
        .where(and(eq(commissionSheets.id, id), visibleSheets(tx.actor))),
  );

/** Cancels a draft sheet: what it counted is free again (COMMISSION_SHEET_STATUS unless a draft). */
export async function cancelSheet(ctx: Ctx, id: string): Promise<Sheet> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockSheet(tx, id);
    if (before.status !== 'draft')
      throw new AppError('COMMISSION_SHEET_STATUS', { statusKey: `sheetStatus.${before.status}` });
    await tx.db.delete(commissionSources).where(eq(commissionSources.sheetId, id));
    await tx.db
      .update(commissionSheets)
      .set({ status: 'cancelled', updatedAt: new Date(), updatedBy: tx.actor.id })
      .where(eq(commissionSheets.id, id));
    await recordAudit(tx, {
      action: 'cancel',
      entityType: 'commission-sheet',
      entityId: id,
      before: { status: before.status },
      after: { status: 'cancelled' },
    });
  });
  return getSheet(ctx, id);
}
