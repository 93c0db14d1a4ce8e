import { describe, expect, it } from 'vitest';
import { formatNumber, parsePattern, periodOf, type ParsedPattern } from './pattern';

const parsed = (pattern: string) => {
  const result = parsePattern(pattern);
  if ('problem' in result) throw new Error(result.problem);
  return result as ParsedPattern;
};

describe('number patterns', () => {
  it('writes the year and the zero-padded sequence', () => {
    expect(formatNumber(parsed('SJ-{yyyy}-{seq:4}'), '2026-03-01', 1)).toBe('SJ-2026-0001');
    expect(formatNumber(parsed('华会审字〔{yyyy}〕第{seq:4}号'), '2026-12-31', 37)).toBe('华会审字〔2026〕第0037号');
    expect(formatNumber(parsed('DD{yy}{seq:3}'), '2027-01-01', 12)).toBe('DD27012');
    // A sequence longer than its width is written in full, never cut.
    expect(formatNumber(parsed('HT{seq:2}'), '2026-05-05', 1234)).toBe('HT1234');
  });

  it('restarts the sequence every year only when the number shows the year', () => {
    expect(periodOf(parsed('SJ-{yyyy}-{seq:4}'), '2026-06-30')).toBe('2026');
    expect(periodOf(parsed('SJ{yy}-{seq:4}'), '2027-01-01')).toBe('2027');
    expect(periodOf(parsed('HT-{seq:6}'), '2026-06-30')).toBe('all');
  });

  it('names what is wrong with a pattern', () => {
    expect(parsePattern('SJ-{yyyy}')).toEqual({ problem: 'no-seq' });
    expect(parsePattern('{seq:3}-{seq:3}')).toEqual({ problem: 'two-seq' });
    expect(parsePattern('SJ-{mm}-{seq:3}')).toEqual({ problem: 'unknown-token', token: '{mm}' });
    expect(parsePattern('SJ-{seq:0}')).toEqual({ problem: 'seq-width', token: '{seq:0}' });
    expect(parsePattern('SJ-{seq:12}')).toEqual({ problem: 'seq-width', token: '{seq:12}' });
    expect(parsePattern('SJ-{yyyy-{seq:3}')).toEqual({ problem: 'unbalanced' });
    expect(parsePattern('SJ-}{seq:3}')).toEqual({ problem: 'unbalanced' });
  });
});
