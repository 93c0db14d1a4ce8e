import { describe, expect, it } from 'vitest';
import { rate } from './conversion';

describe('the conversion rate', () => {
  it('is part of whole in percent with one decimal, half up, and a dash for nothing suggested', () => {
    expect(rate(7, 40)).toBe('17.5%');
    expect(rate(1, 3)).toBe('33.3%');
    expect(rate(2, 3)).toBe('66.7%');
    expect(rate(1, 16)).toBe('6.3%'); // 6.25 → 6.3
    expect(rate(40, 40)).toBe('100.0%');
    expect(rate(0, 12)).toBe('0.0%');
    expect(rate(0, 0)).toBe('—');
  });
});
