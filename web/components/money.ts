/**
 * Money as the API sends it: exact decimal strings ("12500", "12500.5", "12500.50"). Sums and
 * products are done in BigInt cents, never in floats; the server gives every total it can.
 */

const MONEY = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

/** "12500.5" → 1250050n; null for anything that is not a decimal with at most two places. */
export function toCents(value: string | null | undefined): bigint | null {
  if (value === null || value === undefined) return null;
  const match = MONEY.exec(value.trim());
  if (!match) return null;
  const cents = BigInt(match[2]) * 100n + BigInt((match[3] ?? '').padEnd(2, '0'));
  return match[1] ? -cents : cents;
}

/** 1250050n → "12500.50". */
export function fromCents(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const text = `${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
  return negative ? `-${text}` : text;
}

/** Σ of money strings (empty ones count as 0). */
export function sumMoney(values: (string | null | undefined)[]): string {
  return fromCents(values.reduce<bigint>((sum, v) => sum + (toCents(v) ?? 0n), 0n));
}

/**
 * quantity × unit price, rounded half up to the cent: "2.5" × "1000.33" = "2500.83".
 * null when either is missing or malformed.
 */
export function multiplyMoney(
  quantity: string | null | undefined,
  unitPrice: string | null | undefined,
): string | null {
  const q = toCents(quantity); // the quantity in hundredths
  const p = toCents(unitPrice);
  if (q === null || p === null) return null;
  const product = q * p; // in 1/10000 of a yuan
  const negative = product < 0n;
  const abs = negative ? -product : product;
  const rounded = (abs + 50n) / 100n;
  return fromCents(negative ? -rounded : rounded);
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "1234567.5" → "¥1,234,567.50"; null/empty → the fallback. */
export function formatMoney(value: string | null | undefined, fallback = '—'): string {
  const cents = toCents(value);
  if (cents === null) return fallback;
  const [whole, decimals] = fromCents(cents < 0n ? -cents : cents).split('.');
  return `${cents < 0n ? '-' : ''}¥${groupThousands(whole)}.${decimals}`;
}

/** A short form for tight places: "¥1,234,568" (whole yuan, half up). */
export function formatMoneyShort(value: string | null | undefined, fallback = '—'): string {
  const cents = toCents(value);
  if (cents === null) return fallback;
  const abs = cents < 0n ? -cents : cents;
  return `${cents < 0n ? '-' : ''}¥${groupThousands(((abs + 50n) / 100n).toString())}`;
}

/**
 * How far `total` is below the `list` amount, in percent with two decimals rounded half up, exactly (as the
 * server computes a quote's discount): "80000" of "100000" → "20.00"; at or above the list amount, "0.00".
 */
export function discountPercent(total: string | null | undefined, list: string | null | undefined): string {
  const quoted = toCents(total) ?? 0n;
  const full = toCents(list) ?? 0n;
  if (full <= 0n || quoted >= full) return '0.00';
  return fromCents(((full - quoted) * 20_000n + full) / (2n * full));
}

/** Compare two money strings (for "min ≤ max" checks): -1, 0 or 1. */
export function compareMoney(a: string, b: string): number {
  const x = toCents(a) ?? 0n;
  const y = toCents(b) ?? 0n;
  return x < y ? -1 : x > y ? 1 : 0;
}
