/**
 * The commission arithmetic 佣金计算, pure and exact (bigint fen, no database): which rule of a policy version applies
 * to whom (the most specific first; rules of equal specificity that could meet the same person are a definition
 * error), and what each rule gives — by amount (a percentage of the received amount, optionally tiered by what the
 * contract has received in all), by hours (approved hours × an hourly rate) or a pool (a percentage of the received
 * amount, split by approved hours or by the lead's shares, to the fen by largest remainder so the parts add up to the
 * pool exactly). Every line carries its explanation: the receipts or time entries it counted, the rule, and the
 * formula's steps with their numbers.
 */

import {
  COMMISSION_ROLES,
  SALE_ROLES,
  WORK_ROLES,
  type CommissionMethod,
  type CommissionRole,
} from '../../../common/schemas/commissions';
import type { StaffCategory } from '../../../common/schemas/staff';

export { COMMISSION_ROLES, type CommissionRole, type StaffCategory };

/** What a rule matches on; null: any. */
export type RuleMatch = {
  businessLineId: string | null;
  role: CommissionRole | null;
  staffCategory: StaffCategory | null;
  practising: boolean | null;
  departmentId: string | null;
  branchId: string | null;
};
const MATCH_FIELDS = ['businessLineId', 'role', 'staffCategory', 'practising', 'departmentId', 'branchId'] as const;

/** A tier of a by-amount rule: `percent` of what the contract receives up to `upTo` in all (null: above the last). */
export type Tier = { upTo: string | null; percent: string };

/** The sale side pays for bringing the work in (业务承接), the work side for doing it (项目组): a person may have one rule of each. */
export type Side = 'sale' | 'work';
export const sideOf = (role: CommissionRole): Side =>
  (SALE_ROLES as readonly string[]).includes(role) ? 'sale' : 'work';

export type Rule = { key: string; side: Side; match: RuleMatch } & (
  | { method: 'amount'; tiers: Tier[] }
  | { method: 'hours'; hourlyRate: string }
  | { method: 'pool'; percent: string; split: 'hours' | 'shares' }
);

/** One person on the subject (a contract with its engagements): who they are and the roles they hold on it. */
export type Person = {
  userId: string;
  roles: CommissionRole[];
  staffCategory: StaffCategory;
  practising: boolean;
  departmentId: string | null;
  branchId: string | null;
};

/** A receipt's part allocated to the contract in the period (negative: a reversal). */
export type Received = { id: string; fen: bigint; receivedOn: string };
/** An approved time entry of the period on the subject's engagements. */
export type Worked = { id: string; userId: string; hundredths: bigint };

export type SheetInput = {
  businessLineId: string;
  rules: readonly Rule[];
  people: readonly Person[];
  /** What the contract had received before the period (for the tiers). */
  receivedBefore: bigint;
  received: readonly Received[];
  worked: readonly Worked[];
  /** For pools split by shares: the lead's shares per person (decimal strings); missing means 0. */
  shares?: ReadonlyMap<string, string>;
};

/** One step of a line's formula, rendered by the reader in their language. */
export type FormulaStep =
  | { kind: 'received'; receiptId: string; base: bigint; percent: string; value: micro }
  | { kind: 'hours'; hundredths: bigint; rate: bigint; value: micro }
  | { kind: 'pool'; base: bigint; percent: string; pool: bigint }
  | { kind: 'share'; pool: bigint; weight: string; total: string; value: bigint };

/** An amount in millionths of a fen before the line is rounded: the exact product of fen and a percentage or hours. */
type micro = bigint;

export type SheetLine = {
  userId: string;
  role: CommissionRole;
  ruleKey: string;
  method: CommissionMethod;
  /** To the fen. */
  fen: bigint;
  steps: FormulaStep[];
  receiptIds: string[];
  timeEntryIds: string[];
};

export type PoolNote = {
  ruleKey: string;
  pool: bigint;
  undistributed: bigint;
  reason: 'no-hours' | 'no-shares' | null;
};

export type Sheet = { lines: SheetLine[]; pools: PoolNote[] };

/** A decimal string with up to `places` decimals as an integer scaled by 10^places (exact; no float). */
export function scaled(value: string, places: number): bigint {
  const text = value.trim();
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = (negative ? text.slice(1) : text).split('.');
  if (fraction.length > places) throw new RangeError(`${value}: more than ${places} decimals`);
  const n = BigInt(whole || '0') * 10n ** BigInt(places) + BigInt(fraction.padEnd(places, '0') || '0');
  return negative ? -n : n;
}

/** Rounds a quotient half away from zero: a fen's half goes up for payments and down for reversals alike. */
export function roundDiv(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n * 2n + d) / (2n * d);
  return negative ? -q : q;
}

/** How many of the match fields a rule sets: the more, the more specific. */
export const specificity = (match: RuleMatch) => MATCH_FIELDS.filter((f) => match[f] !== null).length;

/** Whether some person could meet both rules: no field set in both with different values. */
const overlap = (a: RuleMatch, b: RuleMatch) =>
  MATCH_FIELDS.every((f) => a[f] === null || b[f] === null || a[f] === b[f]);

export type DefinitionProblem =
  | { problem: 'ambiguous'; keys: [string, string] }
  | { problem: 'tiers'; key: string }
  | { problem: 'percent'; key: string }
  | { problem: 'rate'; key: string }
  | { problem: 'side'; key: string };

const PERCENT_MAX = scaled('100', 4);
/** Millionths of a fen in a fen. */
const MICRO = 1_000_000n;

/**
 * A policy version's rules checked as a whole: each rule's numbers (a percentage 0–100 with up to four decimals, tiers
 * ascending with only the last open, a rate not negative), its role on its side, and every two rules of one side and
 * equal specificity that some person could meet both — which of them applies would be a guess, so it is an error
 * naming both.
 */
export function checkRules(rules: readonly Rule[]): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const percentOk = (p: string) => {
    try {
      const v = scaled(p, 4);
      return v >= 0n && v <= PERCENT_MAX;
    } catch {
      return false;
    }
  };
  for (const rule of rules) {
    if (rule.match.role !== null && sideOf(rule.match.role) !== rule.side)
      problems.push({ problem: 'side', key: rule.key });
    if (rule.method === 'amount') {
      const bounds = rule.tiers.map((t) => (t.upTo === null ? null : scaled(t.upTo, 2)));
      const ascending = bounds.every((b, i) =>
        i === bounds.length - 1 ? b === null : b !== null && b > 0n && (i === 0 || b > bounds[i - 1]!),
      );
      if (rule.tiers.length === 0 || !ascending) problems.push({ problem: 'tiers', key: rule.key });
      if (!rule.tiers.every((t) => percentOk(t.percent))) problems.push({ problem: 'percent', key: rule.key });
    } else if (rule.method === 'pool') {
      if (!percentOk(rule.percent)) problems.push({ problem: 'percent', key: rule.key });
    } else if (scaled(rule.hourlyRate, 2) < 0n) problems.push({ problem: 'rate', key: rule.key });
  }
  for (let i = 0; i < rules.length; i++)
    for (let j = i + 1; j < rules.length; j++) {
      const [a, b] = [rules[i], rules[j]];
      if (a.side === b.side && specificity(a.match) === specificity(b.match) && overlap(a.match, b.match))
        problems.push({ problem: 'ambiguous', keys: [a.key, b.key] });
    }
  return problems;
}

type Context = { businessLineId: string; role: CommissionRole } & Omit<Person, 'userId' | 'roles'>;

const matches = (match: RuleMatch, ctx: Context) => MATCH_FIELDS.every((f) => match[f] === null || match[f] === ctx[f]);

/** The rule that applies to a person in a role: the most specific of the role's side that matches (null: none). */
export function ruleFor(rules: readonly Rule[], ctx: Context): Rule | null {
  let best: Rule | null = null;
  const side = sideOf(ctx.role);
  for (const rule of rules) {
    if (rule.side !== side || !matches(rule.match, ctx)) continue;
    if (!best || specificity(rule.match) > specificity(best.match)) best = rule;
  }
  return best;
}

/**
 * Per person and side (sale, work): the one rule that applies, through the role whose rule is the most specific (of
 * equally specific ones, the role first in COMMISSION_ROLES). So a person who is lead and signing CPA is paid once
 * for their work, and a salesperson on the team once for the sale and once for the work.
 */
function assignments(input: SheetInput): { person: Person; role: CommissionRole; rule: Rule }[] {
  const out: { person: Person; role: CommissionRole; rule: Rule }[] = [];
  for (const person of input.people) {
    for (const side of [SALE_ROLES, WORK_ROLES] as readonly (readonly CommissionRole[])[]) {
      let chosen: { role: CommissionRole; rule: Rule } | null = null;
      for (const role of side) {
        if (!person.roles.includes(role)) continue;
        const rule = ruleFor(input.rules, { ...person, businessLineId: input.businessLineId, role });
        if (rule && (!chosen || specificity(rule.match) > specificity(chosen.rule.match))) chosen = { role, rule };
      }
      if (chosen) out.push({ person, ...chosen });
    }
  }
  return out;
}

/** The receipts in order (date, then id): each a segment of the contract's running total. */
function segments(input: SheetInput) {
  let total = input.receivedBefore;
  return [...input.received]
    .sort((a, b) => (a.receivedOn === b.receivedOn ? (a.id < b.id ? -1 : 1) : a.receivedOn < b.receivedOn ? -1 : 1))
    .map((r) => {
      const from = total;
      total += r.fen;
      return { receipt: r, from, to: total };
    });
}

/**
 * A by-amount rule over the receipts: each receipt's part of the contract's running total is split over the tiers it
 * crosses, each part × its tier's percentage (a reversal runs the total back, negative); the sum rounded to the fen
 * once.
 */
function byAmount(tiers: readonly Tier[], input: SheetInput): { steps: FormulaStep[]; fen: bigint } {
  const steps: FormulaStep[] = [];
  let sum = 0n;
  for (const { receipt, from, to } of segments(input)) {
    const [low, high, sign] = from <= to ? [from, to, 1n] : [to, from, -1n];
    let floor = 0n;
    for (const tier of tiers) {
      const ceiling = tier.upTo === null ? null : scaled(tier.upTo, 2);
      const start = low > floor ? low : floor;
      const end = ceiling === null || high < ceiling ? high : ceiling;
      if (end > start) {
        // fen × (percent × 10^4) is fen × percent / 100 in millionths of a fen: exact.
        const value = sign * (end - start) * scaled(tier.percent, 4);
        steps.push({
          kind: 'received',
          receiptId: receipt.id,
          base: sign * (end - start),
          percent: tier.percent,
          value,
        });
        sum += value;
      }
      if (ceiling === null) break;
      floor = ceiling;
    }
  }
  return { steps, fen: roundDiv(sum, MICRO) };
}

/** Largest remainder: `total` fen over the weights, floors first, the fen left to the largest remainders (ties: order given). */
export function splitByWeights(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((s, w) => s + w, 0n);
  if (sum <= 0n) return weights.map(() => 0n);
  const sign = total < 0n ? -1n : 1n;
  const abs = total * sign;
  const parts = weights.map((w) => (abs * w) / sum);
  let left = abs - parts.reduce((s, p) => s + p, 0n);
  const order = weights
    .map((w, i) => ({ i, remainder: (abs * w) % sum }))
    .sort((a, b) => (a.remainder === b.remainder ? a.i - b.i : a.remainder > b.remainder ? -1 : 1));
  for (const { i } of order) {
    if (left === 0n) break;
    parts[i] += 1n;
    left -= 1n;
  }
  return parts.map((p) => p * sign);
}

/** The sheet of one subject for one period: a line per person and rule, the pools with what they could not place. */
export function computeSheet(input: SheetInput): Sheet {
  const lines: SheetLine[] = [];
  const pools: PoolNote[] = [];
  const receivedTotal = input.received.reduce((s, r) => s + r.fen, 0n);
  const receiptIds = [...input.received].map((r) => r.id).sort();
  const workedBy = new Map<string, Worked[]>();
  for (const w of input.worked) workedBy.set(w.userId, [...(workedBy.get(w.userId) ?? []), w]);
  const hoursOf = (userId: string) => (workedBy.get(userId) ?? []).reduce((s, w) => s + w.hundredths, 0n);
  const entriesOf = (userId: string) => (workedBy.get(userId) ?? []).map((w) => w.id).sort();

  const assigned = assignments(input);
  for (const { person, role, rule } of assigned) {
    if (rule.method === 'amount') {
      const { steps, fen } = byAmount(rule.tiers, input);
      lines.push({
        userId: person.userId,
        role,
        ruleKey: rule.key,
        method: 'amount',
        fen,
        steps,
        receiptIds,
        timeEntryIds: [],
      });
    } else if (rule.method === 'hours') {
      const hundredths = hoursOf(person.userId);
      const rate = scaled(rule.hourlyRate, 2);
      // hundredths of an hour × fen is in hundredths of a fen: × 10^4 → millionths.
      const value = hundredths * rate * 10_000n;
      lines.push({
        userId: person.userId,
        role,
        ruleKey: rule.key,
        method: 'hours',
        fen: roundDiv(value, MICRO),
        steps: [{ kind: 'hours', hundredths, rate, value }],
        receiptIds: [],
        timeEntryIds: entriesOf(person.userId),
      });
    }
  }
  // Pools: one per pool rule, among everyone it applies to, in the order of the people given.
  for (const rule of input.rules) {
    if (rule.method !== 'pool') continue;
    const members = assigned.filter((a) => a.rule.key === rule.key);
    if (members.length === 0) continue;
    const pool = roundDiv(receivedTotal * scaled(rule.percent, 4), MICRO);
    const weights = members.map((m) =>
      rule.split === 'hours' ? hoursOf(m.person.userId) : scaled(input.shares?.get(m.person.userId) ?? '0', 4),
    );
    const total = weights.reduce((s, w) => s + w, 0n);
    const parts = splitByWeights(pool, weights);
    const weightText = (w: bigint) => (rule.split === 'hours' ? decimal(w, 2) : decimal(w, 4));
    members.forEach((m, i) =>
      lines.push({
        userId: m.person.userId,
        role: m.role,
        ruleKey: rule.key,
        method: 'pool',
        fen: parts[i],
        steps: [
          { kind: 'pool', base: receivedTotal, percent: rule.percent, pool },
          { kind: 'share', pool, weight: weightText(weights[i]), total: weightText(total), value: parts[i] },
        ],
        receiptIds,
        timeEntryIds: rule.split === 'hours' ? entriesOf(m.person.userId) : [],
      }),
    );
    pools.push({
      ruleKey: rule.key,
      pool,
      undistributed: total > 0n ? 0n : pool,
      reason: total > 0n ? null : rule.split === 'hours' ? 'no-hours' : 'no-shares',
    });
  }
  return { lines, pools };
}

/** A scaled integer as a plain decimal without trailing zeros ("6.5", "40", "-0.25"). */
export function decimal(value: bigint, places: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const unit = 10n ** BigInt(places);
  const fraction = String(abs % unit)
    .padStart(places, '0')
    .replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / unit}${fraction ? `.${fraction}` : ''}`;
}
