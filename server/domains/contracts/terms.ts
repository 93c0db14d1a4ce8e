import type { PaymentTermInput, TermTrigger } from '../../../common/schemas/contracts';
import { percentUnits, termAmounts } from '../../../common/payment-terms';
import { fromHundredths, toHundredths } from '../opportunities/quotes.service';

/**
 * Payment terms 付款条件, pure: amounts from percentages (exact), the check that they add up to the contract
 * amount, and due dates from their triggers as events happen.
 */

export type TermProblem =
  | { index: number; field: 'amount'; key: 'validation.termAmountOrPercent' }
  | { index: number; field: 'triggerDate'; key: 'validation.termTriggerDate' }
  | { index: number; field: 'triggerDays'; key: 'validation.termTriggerDays' }
  | { index: number; field: 'amount'; key: 'validation.termZero' };

export type PlannedTerm = {
  position: number;
  kind: PaymentTermInput['kind'];
  amount: string;
  percent: string | null;
  trigger: TermTrigger;
  triggerDate: string | null;
  triggerDays: number | null;
  note: string | null;
};

/**
 * The terms with their amounts (common/payment-terms.ts: percentages of `contractAmount` exact to the cent). Returns the problems of each term (its index
 * and field) and, separately, whether the amounts add up to the contract amount.
 */
export function planTerms(
  inputs: PaymentTermInput[],
  contractAmount: string,
): { terms: PlannedTerm[]; problems: TermProblem[]; total: string; addsUp: boolean } {
  const problems: TermProblem[] = [];
  const whole = toHundredths(contractAmount);
  const amounts = termAmounts(
    whole,
    inputs.map((t) =>
      t.amount !== undefined
        ? { cents: toHundredths(t.amount) }
        : t.percent !== undefined
          ? { percent: percentUnits(t.percent) }
          : null,
    ),
  );
  let sum = 0n;
  const terms = inputs.map((input, index): PlannedTerm => {
    if ((input.amount === undefined) === (input.percent === undefined))
      problems.push({ index, field: 'amount', key: 'validation.termAmountOrPercent' });
    if (input.trigger === 'date' && !input.triggerDate)
      problems.push({ index, field: 'triggerDate', key: 'validation.termTriggerDate' });
    if (
      (input.trigger === 'days-after-signing' || input.trigger === 'days-after-completion') &&
      input.triggerDays === undefined
    )
      problems.push({ index, field: 'triggerDays', key: 'validation.termTriggerDays' });
    const cents = amounts[index] ?? 0n;
    if (amounts[index] !== null && cents <= 0n) problems.push({ index, field: 'amount', key: 'validation.termZero' });
    sum += cents;
    return {
      position: index + 1,
      kind: input.kind,
      amount: fromHundredths(cents),
      percent: input.amount === undefined ? (input.percent ?? null) : null,
      trigger: input.trigger,
      triggerDate: input.trigger === 'date' ? (input.triggerDate ?? null) : null,
      triggerDays:
        input.trigger === 'days-after-signing' || input.trigger === 'days-after-completion'
          ? (input.triggerDays ?? null)
          : null,
      note: input.note ?? null,
    };
  });
  return { terms, problems, total: fromHundredths(sum), addsUp: sum === whole };
}

/** YYYY-MM-DD plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/** When a term falls due, given what has happened: null while its event has not. */
export function dueOn(
  term: Pick<PlannedTerm, 'trigger' | 'triggerDate' | 'triggerDays'>,
  events: { signedOn: string | null; completedOn: string | null },
): string | null {
  switch (term.trigger) {
    case 'signing':
      return events.signedOn;
    case 'date':
      return term.triggerDate;
    case 'days-after-signing':
      return events.signedOn && addDays(events.signedOn, term.triggerDays ?? 0);
    case 'completion':
      return events.completedOn;
    case 'days-after-completion':
      return events.completedOn && addDays(events.completedOn, term.triggerDays ?? 0);
  }
}
