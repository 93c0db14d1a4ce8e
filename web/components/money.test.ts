import { describe, expect, test } from 'vitest';
import { discountPercent } from './money';

describe('money', () => {
  test('a discount is exact, in percent with two decimals rounded half up, and never below zero', () => {
    expect(discountPercent('80000.00', '100000.00')).toBe('20.00');
    expect(discountPercent('51000', '60000')).toBe('15.00');
    // 1/3 off: 33.333… → 33.33; 2/3 off: 66.666… → 66.67
    expect(discountPercent('2.00', '3.00')).toBe('33.33');
    expect(discountPercent('1.00', '3.00')).toBe('66.67');
    expect(discountPercent('120.00', '100.00')).toBe('0.00');
    expect(discountPercent('0', '0')).toBe('0.00');
  });
});
