import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { creditCodeCheckChar, isValidCreditCode } from './credit-code';

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

describe('unified social credit code', () => {
  it('accepts real published codes and rejects a changed check character', () => {
    // Published codes of well-known companies.
    for (const code of ['91350100M000100Y43', '91110000100017707H', '91310000132200821H', '914403001922038216']) {
      expect(isValidCreditCode(code), code).toBe(true);
      const wrong = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
      expect(isValidCreditCode(wrong), wrong).toBe(false);
    }
  });

  it('rejects wrong lengths and letters outside the alphabet (I, O, S, V, Z)', () => {
    expect(isValidCreditCode('91350100M000100Y4')).toBe(false);
    expect(isValidCreditCode('91350100M000100Y431')).toBe(false);
    expect(isValidCreditCode('91350100I000100Y43')).toBe(false);
    expect(isValidCreditCode('')).toBe(false);
  });

  it('any 17 characters plus their check character are valid, and any other last character is not (property)', () => {
    const body = fc.array(fc.constantFrom(...ALPHABET), { minLength: 17, maxLength: 17 }).map((a) => a.join(''));
    fc.assert(
      fc.property(body, fc.constantFrom(...ALPHABET), (first17, last) => {
        const check = creditCodeCheckChar(first17)!;
        expect(isValidCreditCode(first17 + check)).toBe(true);
        expect(isValidCreditCode((first17 + check).toLowerCase())).toBe(true);
        if (last !== check) expect(isValidCreditCode(first17 + last)).toBe(false);
      }),
    );
  });
});
