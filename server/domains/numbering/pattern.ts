/**
 * Number patterns: literal text with the tokens {yyyy}, {yy} (the year of the date the number is given on)
 * and exactly one {seq:N} (the sequence, zero-padded to N figures, 1–9; a longer sequence is written in
 * full). Pure functions: parse once, format many times.
 */
export type PatternPart = { text: string } | { year: 4 | 2 } | { seq: number };

export type PatternProblem = 'unknown-token' | 'no-seq' | 'two-seq' | 'seq-width' | 'unbalanced';

export type ParsedPattern = { parts: PatternPart[]; yearly: boolean };

const TOKEN = /\{([^{}]*)\}/g;

/** The parts of a pattern, or the first problem in it. */
export function parsePattern(pattern: string): ParsedPattern | { problem: PatternProblem; token?: string } {
  const parts: PatternPart[] = [];
  let last = 0;
  let seqs = 0;
  for (const match of pattern.matchAll(TOKEN)) {
    if (match.index > last) parts.push({ text: pattern.slice(last, match.index) });
    last = match.index + match[0].length;
    const token = match[1];
    if (token === 'yyyy') parts.push({ year: 4 });
    else if (token === 'yy') parts.push({ year: 2 });
    else {
      const seq = /^seq:(\d+)$/.exec(token);
      if (!seq) return { problem: 'unknown-token', token: match[0] };
      const width = Number(seq[1]);
      if (width < 1 || width > 9) return { problem: 'seq-width', token: match[0] };
      seqs++;
      parts.push({ seq: width });
    }
  }
  if (last < pattern.length) parts.push({ text: pattern.slice(last) });
  if (parts.some((p) => 'text' in p && /[{}]/.test(p.text))) return { problem: 'unbalanced' };
  if (seqs === 0) return { problem: 'no-seq' };
  if (seqs > 1) return { problem: 'two-seq' };
  return { parts, yearly: parts.some((p) => 'year' in p) };
}

/** The period a number given on `localDate` (YYYY-MM-DD, the firm's calendar) counts in: its year, or `all`. */
export function periodOf(parsed: ParsedPattern, localDate: string): string {
  return parsed.yearly ? localDate.slice(0, 4) : 'all';
}

/** The number for sequence value `seq` given on `localDate`. */
export function formatNumber(parsed: ParsedPattern, localDate: string, seq: number): string {
  return parsed.parts
    .map((p) =>
      'text' in p
        ? p.text
        : 'year' in p
          ? p.year === 4
            ? localDate.slice(0, 4)
            : localDate.slice(2, 4)
          : String(seq).padStart(p.seq, '0'),
    )
    .join('');
}
