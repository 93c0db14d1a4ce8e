import { describe, expect, test } from 'vitest';
import { isYearly, previewNumber } from './series-form';

describe('the number pattern preview', () => {
  test('fills the year and the zero-padded sequence', () => {
    expect(previewNumber('SJ-{yyyy}-{seq:4}', '2026-03-05', 1)).toBe('SJ-2026-0001');
    expect(previewNumber('华会审字〔{yyyy}〕第{seq:4}号', '2026-12-31', 37)).toBe('华会审字〔2026〕第0037号');
    expect(previewNumber('DD{yy}{seq:3}', '2027-01-01', 12345)).toBe('DD2712345');
  });

  test('shows nothing for a pattern the server refuses (no sequence, two, an unknown token, a stray brace)', () => {
    expect(previewNumber('SJ-{yyyy}', '2026-01-01', 1)).toBeNull();
    expect(previewNumber('{seq:2}-{seq:3}', '2026-01-01', 1)).toBeNull();
    expect(previewNumber('SJ-{mm}-{seq:4}', '2026-01-01', 1)).toBeNull();
    expect(previewNumber('SJ-{seq:0}', '2026-01-01', 1)).toBeNull();
    expect(previewNumber('SJ-{seq:4', '2026-01-01', 1)).toBeNull();
  });

  test('a pattern with a year restarts yearly (its register is per year); one without runs on', () => {
    expect(isYearly('SJ-{yyyy}-{seq:4}')).toBe(true);
    expect(isYearly('{yy}{seq:3}')).toBe(true);
    expect(isYearly('HT{seq:6}')).toBe(false);
  });
});
