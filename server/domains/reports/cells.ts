import type { ReportCell, ReportRow } from '../../../common/schemas/reports';

/**
 * The figures of a report cell, exact: money travels as decimal text with two decimals (PostgreSQL's numeric
 * written as text), added up in fen as bigint; shares are rounded half up to one decimal from integers.
 */

/** Fen of a money text ("1234.5", "-12.30", "0"). */
export function fen(text: string | null | undefined): bigint {
  if (!text) return 0n;
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = (negative ? text.slice(1) : text).split('.');
  if (fraction.length > 2) throw new RangeError(`${text}: more than two decimals`);
  const n = BigInt(whole || '0') * 100n + BigInt(fraction.padEnd(2, '0'));
  return negative ? -n : n;
}

/** Money text with two decimals of an amount in fen. */
export function moneyText(amount: bigint): string {
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  return `${negative ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** `part / whole` in percent with one decimal, rounded half up; null when the whole is nothing. */
export function percent(part: bigint | number, whole: bigint | number): string | null {
  const p = BigInt(part);
  const w = BigInt(whole);
  if (w === 0n) return null;
  return tenths((p * 1000n) / w, (p * 1000n) % w, w);
}

/** `total / count` with one decimal, rounded half up (average days or hours); null without a count. */
export function average(total: bigint | number, count: bigint | number): string | null {
  const t = BigInt(total) * 10n;
  const c = BigInt(count);
  if (c === 0n) return null;
  return tenths(t / c, t % c, c);
}

function tenths(quotient: bigint, remainder: bigint, divisor: bigint): string {
  const negative = quotient < 0n || (quotient === 0n && remainder < 0n);
  let q = quotient < 0n ? -quotient : quotient;
  const r = remainder < 0n ? -remainder : remainder;
  const d = divisor < 0n ? -divisor : divisor;
  if (r * 2n >= d) q += 1n;
  return `${negative && q !== 0n ? '-' : ''}${q / 10n}.${q % 10n}`;
}

/** The sum of a money column over rows, as money text. */
export function sumMoney(rows: readonly ReportRow[], key: string): string {
  return moneyText(rows.reduce((sum, row) => sum + fen(row.cells[key] as string | null), 0n));
}

/** The sum of a count column over rows. */
export function sumCount(rows: readonly ReportRow[], key: string): number {
  return rows.reduce((sum, row) => sum + Number(row.cells[key] ?? 0), 0);
}

/** A number the database wrote as text or number (count(*)::int may come back either way through drivers). */
export const count = (value: unknown): number => Number(value ?? 0);

export type Cells = Record<string, ReportCell>;

/** Money text as a sentence shows it: thousands grouped ("1,234,567.50"). */
export function moneyShown(text: string): string {
  const [whole, fraction] = text.split('.');
  const negative = whole.startsWith('-');
  const digits = negative ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}
