import { describe, expect, it } from 'vitest';
import { average, fen, moneyShown, moneyText, percent } from './cells';

describe('report cells', () => {
  it('reads and writes money exactly, in fen', () => {
    expect(fen('1234.5')).toBe(123450n);
    expect(fen('-12.30')).toBe(-1230n);
    expect(fen(null)).toBe(0n);
    expect(moneyText(-5n)).toBe('-0.05');
    expect(moneyText(123456789012345n)).toBe('1234567890123.45');
    expect(() => fen('1.234')).toThrow(RangeError);
  });

  it('rounds shares and averages half up to one decimal', () => {
    expect(percent(1, 3)).toBe('33.3');
    expect(percent(2, 3)).toBe('66.7');
    expect(percent(1, 8)).toBe('12.5');
    expect(percent(-1, 3)).toBe('-33.3');
    expect(percent(5, 0)).toBeNull();
    expect(average(10, 4)).toBe('2.5');
    expect(average(1, 6)).toBe('0.2');
    expect(average(3, 0)).toBeNull();
  });

  it('groups thousands for sentences', () => {
    expect(moneyShown('204000.00')).toBe('204,000.00');
    expect(moneyShown('-1234567.5')).toBe('-1,234,567.5');
    expect(moneyShown('999.00')).toBe('999.00');
  });
});
