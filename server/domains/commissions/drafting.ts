import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { ErrorCode } from '../../../common/errors';
import type { Explanation, FormulaStep } from '../../../common/schemas/commissions';
import type { Ctx } from '../../context';
import { insertMany, type InsertRow } from '../../db/bulk';
import { isUniqueViolation } from '../../errors';
import { recordAudits } from '../audit/audit.service';
import { commissionLines, commissionPolicies, commissionSheets, commissionSources } from './commissions.tables';
import { computeSheet, decimal, type Rule } from './compute';
import { gatherAll, monthBounds, subjectKey, type Gathered, type Subject } from './gather';
import { asRules } from './policies.service';

/**
 * Drafting 分配表 for any number of subjects of one month at once — the single draft (one subject) and the month's
 * drafting (every subject the actor may draft) are this same code: the subjects' live sheets of the month, what is
 * there to count (gather.ts), the policy's arithmetic (compute.ts), then the sheets, their lines and what they counted
 * in a few bulk inserts, and their audit entries. What is counted is recorded in commission_sources under a unique key
 * — every receipt and reversal, and every approved time entry gathered (also those no rule pays: counted once, never
 * gathered again) — so nothing is ever counted twice: two drafts at once meet there (or at the one-live-sheet index)
 * and the statement fails; the caller decides what that refuses (the single draft: itself; the month: the one subject,
 * drafted again alone in a savepoint).
 */

type PolicyRow = typeof commissionPolicies.$inferSelect;

const MICRO = 1_000_000n;
/** Fen as a signed decimal text ("-800.00"). */
export const moneyText = (fen: bigint) => decimalFixed(fen, 2);
export function decimalFixed(value: bigint, places: number): string {
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

/** Why a subject's sheet was not drafted. */
export type Refusal = Extract<
  ErrorCode,
  'COMMISSION_SHEET_EXISTS' | 'COMMISSION_SHEET_EMPTY' | 'COMMISSION_SOURCE_COUNTED' | 'COMMISSION_NO_POLICY'
>;
export type DraftOutcome = {
  drafted: { key: string; sheetId: string }[];
  refused: { key: string; code: Refusal }[];
};

/** What a failed drafting statement says of the subject(s) it drafted: refused for that reason, or a real failure. */
export function refusalOf(error: unknown): Refusal | null {
  if (isUniqueViolation(error, 'commission_sheets_subject_period_key')) return 'COMMISSION_SHEET_EXISTS';
  if (isUniqueViolation(error, 'commission_sources_key')) return 'COMMISSION_SOURCE_COUNTED';
  // Two drafts inserting what each other counted, in other orders: one is chosen to fail.
  const e = ((error as { cause?: unknown })?.cause ?? error) as { code?: string };
  if (e?.code === '40P01') return 'COMMISSION_SOURCE_COUNTED';
  return null;
}

/**
 * Drafts the month's sheet of each subject (locked by the caller against changes, in a transaction holding the
 * policy's lock shared), under `policy` (in force on the month's first day). A subject with a live sheet of the month,
 * or with nothing new to count up to the month's end, is refused with its reason; a unique violation (someone else
 * counted the same at once) fails the whole call.
 */
export async function draftSubjects(
  tx: Ctx,
  period: string,
  policy: PolicyRow,
  subjects: readonly Subject[],
): Promise<DraftOutcome> {
  const outcome: DraftOutcome = { drafted: [], refused: [] };
  if (subjects.length === 0) return outcome;
  const keys = subjects.map(subjectKey);
  const liveSheets = async (of: string[]) => {
    const { rows } = (await tx.db.execute(sql`
      SELECT coalesce(contract_id, order_id) AS key FROM ${commissionSheets}
      WHERE coalesce(contract_id, order_id) = ANY(${`{${of.join(',')}}`}::uuid[]) AND period = ${period}
        AND status <> 'cancelled'`)) as unknown as { rows: { key: string }[] };
    return new Set(rows.map((r) => r.key));
  };
  const exists = await liveSheets(keys);
  for (const key of keys) if (exists.has(key)) outcome.refused.push({ key, code: 'COMMISSION_SHEET_EXISTS' });
  const open = subjects.filter((s) => !exists.has(subjectKey(s)));
  const gathered = await gatherAll(tx.db, open, monthBounds(period).last);

  const rules = asRules(policy.rules);
  const names = new Map(policy.rules.map((r) => [r.key, r.name]));
  const sheets: InsertRow<typeof commissionSheets>[] = [];
  const lines: InsertRow<typeof commissionLines>[] = [];
  const sources: InsertRow<typeof commissionSources>[] = [];
  const audits: Parameters<typeof recordAudits>[2] = [];
  // Nothing left to count may mean that someone else's draft of the month committed after the check above (each
  // statement reads what is committed when it starts): that is the sheet that exists, not an empty month.
  const empty = open.map(subjectKey).filter((key) => {
    const got = gathered.get(key)!;
    return got.received.length === 0 && got.worked.length === 0;
  });
  const madeMeanwhile = empty.length > 0 ? await liveSheets(empty) : new Set<string>();
  for (const subject of open) {
    const key = subjectKey(subject);
    const got = gathered.get(key)!;
    if (got.received.length === 0 && got.worked.length === 0) {
      outcome.refused.push({
        key,
        code: madeMeanwhile.has(key) ? 'COMMISSION_SHEET_EXISTS' : 'COMMISSION_SHEET_EMPTY',
      });
      continue;
    }
    const id = randomUUID();
    const drafted = draftOne(id, subject, got, policy, rules, names);
    sheets.push({ ...drafted.sheet, period, createdBy: tx.actor.id, updatedBy: tx.actor.id });
    lines.push(...drafted.lines);
    sources.push(...drafted.sources);
    audits.push({
      action: 'create',
      entityType: 'commission-sheet',
      entityId: id,
      after: { period, policyVersion: policy.version, received: drafted.sheet.received, total: drafted.sheet.total },
    });
    outcome.drafted.push({ key, sheetId: id });
  }
  // In the subjects' order, and what they counted in the key's order, so that two drafts at once meet in one order.
  await insertMany(tx.db, commissionSheets, sheets);
  await insertMany(tx.db, commissionLines, lines);
  sources.sort((a, b) => (a.kind! < b.kind! ? -1 : a.kind! > b.kind! ? 1 : a.sourceId! < b.sourceId! ? -1 : 1));
  await insertMany(tx.db, commissionSources, sources);
  await recordAudits(tx.db, { actorId: tx.actor.id, requestId: tx.requestId }, audits);
  return outcome;
}

/** One subject's sheet (the policy's arithmetic on what was gathered), its lines with their explanations, its sources. */
function draftOne(
  sheetId: string,
  subject: Subject,
  got: Gathered,
  policy: PolicyRow,
  rules: Rule[],
  names: Map<string, string>,
) {
  const sheet = computeSheet({
    businessLineId: subject.businessLineId,
    rules,
    people: got.people,
    receivedBefore: got.receivedBefore,
    received: got.received,
    worked: got.worked,
  });
  const total = sheet.lines.reduce((sum, l) => sum + l.fen, 0n);
  const receivedTotal = got.received.reduce((sum, r) => sum + r.fen, 0n);
  const hoursTotal = got.worked.reduce((sum, w) => sum + w.hundredths, 0n);
  return {
    sheet: {
      id: sheetId,
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
    },
    lines: sheet.lines.map((l) => {
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
        sheetId,
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
    // Counted: every receipt and reversal, and every approved time entry gathered — also those no line used (no
    // rule pays that person's hours, or the pool is split by shares): they are never gathered again.
    sources: [
      ...got.received.map((r) => ({
        sheetId,
        kind: got.reversedIds.has(r.id) ? ('reversal' as const) : ('receipt' as const),
        sourceId: r.id,
        amount: moneyText(r.fen < 0n ? -r.fen : r.fen),
      })),
      ...got.worked.map((w) => ({
        sheetId,
        kind: 'time-entry' as const,
        sourceId: w.id,
        amount: decimalFixed(w.hundredths, 2),
      })),
    ],
  };
}
