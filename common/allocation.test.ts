import { describe, expect, it } from 'vitest';
import { allocateOldestFirst, checkChosen, oldestFirst, openTotal, type OpenTerm } from './allocation';

const term = (id: string, position: number, dueOn: string | null, open: bigint): OpenTerm => ({
  id,
  position,
  dueOn,
  open,
});

describe('allocation over payment terms', () => {
  const terms = [
    term('a', 1, '2026-05-01', 30_000_00n),
    term('b', 2, '2026-03-15', 20_000_10n),
    term('c', 3, null, 15_000_00n),
    term('d', 4, '2026-03-15', 1_00n),
    term('e', 5, null, 5_000_00n),
  ];

  it('orders by due date (ties by position), then the terms without one by position', () => {
    expect(oldestFirst(terms).map((t) => t.id)).toEqual(['b', 'd', 'a', 'c', 'e']);
  });

  it('fills each term in that order, partly the last, and tells what is left', () => {
    expect(allocateOldestFirst(terms, 20_000_50n)).toEqual({
      lines: [
        { termId: 'b', cents: 20_000_10n },
        { termId: 'd', cents: 40n },
      ],
      rest: 0n,
    });
    const all = openTotal(terms);
    expect(allocateOldestFirst(terms, all + 1n).rest).toBe(1n);
    expect(allocateOldestFirst(terms, 0n)).toEqual({ lines: [], rest: 0n });
    // A settled term takes nothing.
    expect(allocateOldestFirst([term('x', 1, '2026-01-01', 0n), ...terms], 5n).lines).toEqual([
      { termId: 'b', cents: 5n },
    ]);
  });

  it('checks chosen lines: an unknown term, one named twice, zero, more than the term can take', () => {
    const { sum, problems } = checkChosen(terms, [
      { termId: 'a', cents: 100n },
      { termId: 'zz', cents: 1n },
      { termId: 'a', cents: 1n },
      { termId: 'c', cents: 0n },
      { termId: 'd', cents: 1_01n },
    ]);
    expect(sum).toBe(203n);
    expect(problems).toEqual([
      { index: 1, problem: 'unknown-term' },
      { index: 2, problem: 'twice' },
      { index: 3, problem: 'zero' },
      { index: 4, problem: 'exceeds-term' },
    ]);
  });
});
