/**
 * How money is spread over payment terms (server/domains/receivables, and the web app's preview), pure and exact (bigint cents): receipts take what the terms still
 * wait for (amount − received), invoices what is not yet invoiced (amount − invoiced).
 */

/** A term with what it can still take, in cents. */
export type OpenTerm = { id: string; position: number; dueOn: string | null; open: bigint };
export type Line = { termId: string; cents: bigint };

/**
 * The oldest due first: terms with a due date by that date (then position), then those without one by
 * position. YYYY-MM-DD strings compare as dates.
 */
export function oldestFirst<T extends Pick<OpenTerm, 'position' | 'dueOn'>>(terms: readonly T[]): T[] {
  return [...terms].sort((a, b) => {
    if (a.dueOn !== b.dueOn) {
      if (a.dueOn === null) return 1;
      if (b.dueOn === null) return -1;
      return a.dueOn < b.dueOn ? -1 : 1;
    }
    return a.position - b.position;
  });
}

/** `cents` over the terms, oldest due first, each up to what it can take; `rest` is what none took. */
export function allocateOldestFirst(terms: readonly OpenTerm[], cents: bigint): { lines: Line[]; rest: bigint } {
  const lines: Line[] = [];
  let rest = cents;
  for (const term of oldestFirst(terms)) {
    if (rest === 0n) break;
    if (term.open <= 0n) continue;
    const take = term.open < rest ? term.open : rest;
    lines.push({ termId: term.id, cents: take });
    rest -= take;
  }
  return { lines, rest };
}

/** What the terms can still take in all. */
export const openTotal = (terms: readonly OpenTerm[]) =>
  terms.reduce((sum, t) => sum + (t.open > 0n ? t.open : 0n), 0n);

export type ChosenProblem =
  | { index: number; problem: 'unknown-term' }
  | { index: number; problem: 'zero' }
  | { index: number; problem: 'twice' }
  | { index: number; problem: 'exceeds-term' };

/**
 * Chosen lines checked against the terms: each names one of them (once), is more than zero and no more than
 * the term can take. The caller compares the sum with what there is to allocate.
 */
export function checkChosen(
  terms: readonly OpenTerm[],
  chosen: readonly { termId: string; cents: bigint }[],
): { lines: Line[]; sum: bigint; problems: ChosenProblem[] } {
  const byId = new Map(terms.map((t) => [t.id, t]));
  const seen = new Set<string>();
  const problems: ChosenProblem[] = [];
  let sum = 0n;
  chosen.forEach((line, index) => {
    const term = byId.get(line.termId);
    if (!term) problems.push({ index, problem: 'unknown-term' });
    else if (seen.has(line.termId)) problems.push({ index, problem: 'twice' });
    else if (line.cents <= 0n) problems.push({ index, problem: 'zero' });
    else if (line.cents > term.open) problems.push({ index, problem: 'exceeds-term' });
    seen.add(line.termId);
    sum += line.cents;
  });
  return { lines: chosen.map((l) => ({ termId: l.termId, cents: l.cents })), sum, problems };
}
