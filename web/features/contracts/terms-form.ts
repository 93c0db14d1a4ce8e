import {
  TermPercent,
  type PaymentTerm,
  type PaymentTermInput,
  type TermKind,
  type TermTrigger,
} from '../../../common/schemas/contracts';
import { percentUnits, termAmounts } from '../../../common/payment-terms';
import { fromCents, toCents } from '../../components/money';

/**
 * The payment-terms editor's values and their way to and from the API, and the running total the editor
 * shows against the contract amount (no React here: the pure part, unit-tested in terms-form.test.ts).
 * Amounts are worked out exactly as the server plans them (server/domains/contracts/terms.ts): a percentage of
 * the contract amount rounded half up to the fen, and when every term is a percentage and they add up to
 * exactly 100 %, the last one takes what rounding left.
 */

/** A term is either a fixed amount or a percentage of the contract amount, never both. */
export type TermBasis = 'percent' | 'amount';

/** A date as the form holds it (antd's DatePicker gives a Dayjs, which formats itself). */
type DateValue = string | { format: (template: string) => string } | null | undefined;

export type TermRow = {
  kind: TermKind;
  basis: TermBasis;
  /** "50", "33.3333" (for `percent`). */
  percent?: string | null;
  /** "12000.00" (for `amount`). */
  amount?: string | null;
  trigger: TermTrigger;
  /** For `date`. */
  triggerDate?: DateValue;
  /** For `days-after-signing` and `days-after-completion`. */
  triggerDays?: number | null;
  note?: string | null;
};

/** The triggers that need a date, and those that need a number of days. */
export const needsDate = (trigger: TermTrigger) => trigger === 'date';
export const needsDays = (trigger: TermTrigger) =>
  trigger === 'days-after-signing' || trigger === 'days-after-completion';

/** What a new signing starts from: the seed's usual pair, 首付款 on signing and 尾款 at 结项, amounts left to fill. */
export function defaultTermRows(): TermRow[] {
  return [
    { kind: 'down-payment', basis: 'percent', percent: null, trigger: 'signing' },
    { kind: 'final', basis: 'percent', percent: null, trigger: 'completion' },
  ];
}

/** A term added under the others: a progress payment, unless it is the first. */
export function newTermRow(existing: number): TermRow {
  return { kind: existing === 0 ? 'down-payment' : 'progress', basis: 'percent', percent: null, trigger: 'signing' };
}

/** The terms a contract already has (planned when it was drafted) as editor rows. */
export function toTermRows(terms: readonly PaymentTerm[]): TermRow[] {
  return [...terms]
    .sort((a, b) => a.position - b.position)
    .map((term) => ({
      kind: term.kind,
      basis: term.percent !== null ? 'percent' : 'amount',
      percent: term.percent !== null ? trimPercent(term.percent) : null,
      amount: term.percent !== null ? null : term.amount,
      trigger: term.trigger,
      triggerDate: term.triggerDate,
      triggerDays: term.triggerDays,
      note: term.note,
    }));
}

/** "50.0000" → "50", "33.3300" → "33.33" (how the database keeps a percentage, shown as typed). */
function trimPercent(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}

const dateText = (value: DateValue): string | undefined =>
  value === null || value === undefined ? undefined : typeof value === 'string' ? value : value.format('YYYY-MM-DD');

/** The request body's terms: only the chosen basis and the trigger's own field are sent. */
export function toTermInputs(rows: readonly TermRow[]): PaymentTermInput[] {
  return rows.map((row) => ({
    kind: row.kind,
    ...(row.basis === 'percent' ? { percent: row.percent?.trim() ?? '' } : { amount: row.amount ?? '' }),
    trigger: row.trigger,
    ...(needsDate(row.trigger) ? { triggerDate: dateText(row.triggerDate) } : {}),
    ...(needsDays(row.trigger) && row.triggerDays !== null && row.triggerDays !== undefined
      ? { triggerDays: row.triggerDays }
      : {}),
    note: row.note?.trim() || null,
  }));
}

/** A percentage the server takes (0–100, up to four decimals), in ten-thousandths of a percent. */
function percentOf(value: string | null | undefined): bigint | null {
  const text = value?.trim();
  return text && TermPercent.safeParse(text).success ? percentUnits(text) : null;
}

export type TermsTally = {
  /** Each term's amount ("12000.00"), null while it cannot be worked out (nothing or nothing valid typed). */
  amounts: (string | null)[];
  /** The sum of the amounts worked out so far. */
  total: string;
  /** The contract amount less the total: what is still to be placed on a term (negative: too much). */
  remaining: string;
  /** `exact` when the terms add up to the contract amount and every term has an amount. */
  state: 'exact' | 'short' | 'over' | 'incomplete';
};

/** The running total of the editor against the contract amount. */
export function tallyTerms(rows: readonly TermRow[], contractAmount: string): TermsTally {
  const whole = toCents(contractAmount) ?? 0n;
  // The server's rule (common/payment-terms.ts), so the total shown is the total it will store.
  const cents = termAmounts(
    whole,
    rows.map((row) => {
      if (row.basis === 'amount') {
        const value = toCents(row.amount);
        return value === null ? null : { cents: value };
      }
      const percent = percentOf(row.percent);
      return percent === null ? null : { percent };
    }),
  );
  const sum = cents.reduce<bigint>((total, c) => total + (c ?? 0n), 0n);
  const remaining = whole - sum;
  const missing = cents.some((c) => c === null || c <= 0n);
  return {
    amounts: cents.map((c) => (c === null ? null : fromCents(c))),
    total: fromCents(sum),
    remaining: fromCents(remaining),
    state: remaining < 0n ? 'over' : missing ? 'incomplete' : remaining > 0n ? 'short' : 'exact',
  };
}

/**
 * Where a server issue about a term belongs in the editor: `body.terms.1.amount` (the schema's paths) or
 * `terms.1.amount` (the service's) → ['terms', 1, 'percent'] for a term given as a percentage. null when it
 * names no term field of these rows.
 */
export function termFieldOf(path: string, rows: readonly TermRow[]): (string | number)[] | null {
  const parts = path.split('.');
  if (parts[0] === 'body') parts.shift();
  if (parts[0] !== 'terms') return null;
  if (parts.length === 1) return ['terms'];
  const index = Number(parts[1]);
  const row = rows[index];
  if (!Number.isInteger(index) || !row) return null;
  const field = parts[2];
  if (field === 'amount' || field === 'percent') return ['terms', index, row.basis];
  if (field === 'kind' || field === 'trigger' || field === 'triggerDate' || field === 'triggerDays' || field === 'note')
    return ['terms', index, field];
  return ['terms', index, row.basis];
}
