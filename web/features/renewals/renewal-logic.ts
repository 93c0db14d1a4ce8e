import type { RenewalRateRow, RenewalRule, RenewalRuleUpdate } from '../../../common/schemas/renewals';
import { sumMoney } from '../../components/money';

/** The renewal-rate panel's default period: the calendar year of `today` (YYYY-MM-DD). */
export function yearOf(today: string): { from: string; to: string } {
  const year = today.slice(0, 4);
  return { from: `${year}-01-01`, to: `${year}-12-31` };
}

/**
 * won ÷ (won + lost) in percent, one decimal, half up — as the server computes each row's — exactly, in integers;
 * null when nothing was decided.
 */
export function ratePercent(won: number, lost: number): string | null {
  const decided = won + lost;
  if (decided <= 0) return null;
  // tenths of a percent, half up: ⌊(won × 1000 × 2 + decided) ÷ (2 × decided)⌋
  const tenths = Math.floor((won * 2000 + decided) / (2 * decided));
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}

export type RateTotals = Omit<RenewalRateRow, 'key' | 'name'>;

/** The whole table's line: the counts and amounts added up, the rate of the sums (not an average of rates). */
export function rateTotals(rows: readonly RenewalRateRow[]): RateTotals {
  const add = (pick: (r: RenewalRateRow) => number) => rows.reduce((sum, r) => sum + pick(r), 0);
  const won = add((r) => r.won);
  const lost = add((r) => r.lost);
  return {
    raised: add((r) => r.raised),
    won,
    lost,
    open: add((r) => r.open),
    rate: ratePercent(won, lost),
    wonAmount: sumMoney(rows.map((r) => r.wonAmount)),
    previousAmount: sumMoney(rows.map((r) => r.previousAmount)),
  };
}

/** One line of the rules form. */
export type RuleValues = { businessLineId: string; leadDays: number | null; active: boolean };

/** The lines whose rule the form changed (or that were never saved and are now): each is one PUT. */
export function changedRules(
  rules: readonly RenewalRule[],
  values: readonly RuleValues[],
): { businessLineId: string; body: RenewalRuleUpdate }[] {
  const before = new Map(rules.map((r) => [r.businessLineId, r]));
  return values.flatMap((v) => {
    const rule = before.get(v.businessLineId);
    if (!rule || v.leadDays === null) return [];
    if (rule.leadDays === v.leadDays && rule.active === v.active) return [];
    return [{ businessLineId: v.businessLineId, body: { leadDays: v.leadDays, active: v.active } }];
  });
}

/** Whole days from `from` to `to` (both YYYY-MM-DD; negative when `to` is earlier), without time zones. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
