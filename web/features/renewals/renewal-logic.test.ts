import { describe, expect, it } from 'vitest';
import type { RenewalRateRow, RenewalRule } from '../../../common/schemas/renewals';
import { changedRules, daysBetween, ratePercent, rateTotals, yearOf } from './renewal-logic';

const row = (name: string, won: number, lost: number, open: number, wonAmount: string, previousAmount: string) =>
  ({
    key: name,
    name,
    raised: won + lost + open,
    won,
    lost,
    open,
    rate: ratePercent(won, lost),
    wonAmount,
    previousAmount,
  }) satisfies RenewalRateRow;

describe('renewals on the web', () => {
  it('computes the renewal rate in tenths of a percent, half up, and none when nothing was decided', () => {
    expect(ratePercent(2, 1)).toBe('66.7'); // 66.666…
    expect(ratePercent(1, 2)).toBe('33.3'); // 33.333…
    expect(ratePercent(1, 7)).toBe('12.5'); // exactly 12.5
    expect(ratePercent(1, 15)).toBe('6.3'); // 6.25 → 6.3 (half up)
    expect(ratePercent(3, 0)).toBe('100.0');
    expect(ratePercent(0, 4)).toBe('0.0');
    expect(ratePercent(0, 0)).toBeNull();
  });

  it('adds the table up exactly: counts, money in cents, the rate of the sums', () => {
    const totals = rateTotals([
      row('审计', 2, 1, 1, '120000.10', '150000.05'),
      row('代理记账', 1, 0, 2, '0.20', '36000'),
      row('税务', 0, 0, 0, '0', '0'),
    ]);
    // 0.1 + 0.2 in floats is 0.30000000000000004; in cents it is 120000.30.
    expect(totals).toEqual({
      raised: 7,
      won: 3,
      lost: 1,
      open: 3,
      rate: '75.0',
      wonAmount: '120000.30',
      previousAmount: '186000.05',
    });
    expect(rateTotals([]).rate).toBeNull();
  });

  it('saves only the business lines whose rule changed', () => {
    const rules: RenewalRule[] = [
      { businessLineId: 'a', businessLineName: '审计', leadDays: 60, active: true, saved: false },
      { businessLineId: 'b', businessLineName: '代理记账', leadDays: 30, active: true, saved: true },
      { businessLineId: 'c', businessLineName: '税务', leadDays: 45, active: false, saved: true },
    ];
    expect(
      changedRules(rules, [
        { businessLineId: 'a', leadDays: 60, active: true },
        { businessLineId: 'b', leadDays: 31, active: true },
        { businessLineId: 'c', leadDays: 45, active: true },
      ]),
    ).toEqual([
      { businessLineId: 'b', body: { leadDays: 31, active: true } },
      { businessLineId: 'c', body: { leadDays: 45, active: true } },
    ]);
  });

  it('reads the default period and day distances from dates alone', () => {
    expect(yearOf('2026-12-06')).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    expect(daysBetween('2026-12-06', '2027-01-05')).toBe(30);
    expect(daysBetween('2026-03-30', '2026-03-28')).toBe(-2);
  });
});
