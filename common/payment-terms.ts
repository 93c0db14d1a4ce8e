/**
 * The one rule for a payment plan's amounts, shared by the server (which checks and stores them) and the web
 * app (which shows the running total as one types): a fixed amount is taken as given; a percentage of the
 * contract amount is rounded half up to the cent — except that when every term is a percentage and they add up
 * to exactly 100 %, the last one takes what rounding left, so three times 33.3333 % of ¥100.00 is 33.33, 33.33
 * and 33.34. All in integers: cents, and percentages in ten-thousandths of a percent.
 */

/** "33.3333" → 333333n: a percentage with at most four decimals, in ten-thousandths of a percent. */
export function percentUnits(value: string): bigint {
  const [whole, fraction = ''] = value.split('.');
  return BigInt(whole) * 10_000n + BigInt(fraction.padEnd(4, '0'));
}

/** A term as far as its amount goes: a fixed amount in cents, a percentage in ten-thousandths, or nothing yet. */
export type TermShare = { cents: bigint } | { percent: bigint } | null;

/** Each term's amount in cents (null for a term with nothing given), for a contract of `whole` cents. */
export function termAmounts(whole: bigint, shares: readonly TermShare[]): (bigint | null)[] {
  const allPercent =
    shares.length > 0 &&
    shares.every((s) => s !== null && 'percent' in s) &&
    shares.reduce((sum, s) => sum + (s as { percent: bigint }).percent, 0n) === 1_000_000n;
  let sum = 0n;
  return shares.map((share, index) => {
    if (share === null) return null;
    const cents =
      'cents' in share
        ? share.cents
        : allPercent && index === shares.length - 1
          ? whole - sum
          : (whole * share.percent + 500_000n) / 1_000_000n;
    sum += cents;
    return cents;
  });
}
