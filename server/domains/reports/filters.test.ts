import { describe, expect, it } from 'vitest';
import { monthsOf, presetRange, yearBefore } from './filters';

describe('report periods', () => {
  it('resolves the presets on the firm’s today', () => {
    expect(presetRange('this-month', '2026-02-14')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(presetRange('last-month', '2026-01-10')).toEqual({ from: '2025-12-01', to: '2025-12-31' });
    expect(presetRange('this-quarter', '2026-05-31')).toEqual({ from: '2026-04-01', to: '2026-06-30' });
    expect(presetRange('this-year', '2026-12-06')).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    expect(presetRange('last-year', '2026-01-01')).toEqual({ from: '2025-01-01', to: '2025-12-31' });
    expect(presetRange('next-12-months', '2026-12-06')).toEqual({ from: '2026-12-01', to: '2027-11-30' });
    expect(presetRange('next-12-months', '2026-01-31')).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    expect(presetRange('next-12-months', '2027-03-01')).toEqual({ from: '2027-03-01', to: '2028-02-29' });
  });

  it('lists the months of a period and goes back a year (29 February to the 28th)', () => {
    expect(monthsOf({ from: '2025-11-15', to: '2026-02-01' })).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(yearBefore({ from: '2024-02-29', to: '2024-12-31' })).toMatchObject({
      from: '2023-02-28',
      to: '2023-12-31',
    });
  });
});
