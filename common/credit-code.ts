/**
 * 统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters from a
 * 31-character alphabet (no I, O, S, V, Z); the last is a check character.
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character for the first 17 characters, or null if one is outside the alphabet. */
export function creditCodeCheckChar(first17: string): string | null {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = ALPHABET.indexOf(first17[i]);
    if (value < 0) return null;
    sum += value * WEIGHTS[i];
  }
  return ALPHABET[(31 - (sum % 31)) % 31];
}

export function normalizeCreditCode(code: string): string {
  return code.trim().toUpperCase();
}

export function isValidCreditCode(code: string): boolean {
  const c = normalizeCreditCode(code);
  return /^[0-9A-HJ-NPQRTUWXY]{18}$/.test(c) && creditCodeCheckChar(c.slice(0, 17)) === c[17];
}
