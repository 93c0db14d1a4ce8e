import dayjs from 'dayjs';
import { describe, expect, test } from 'vitest';
import { ContractSign, type PaymentTerm } from '../../../common/schemas/contracts';
import { defaultTermRows, tallyTerms, termFieldOf, toTermInputs, toTermRows, type TermRow } from './terms-form';

const pct = (percent: string, over: Partial<TermRow> = {}): TermRow => ({
  kind: 'progress',
  basis: 'percent',
  percent,
  trigger: 'signing',
  ...over,
});
const fixed = (amount: string, over: Partial<TermRow> = {}): TermRow => ({
  kind: 'progress',
  basis: 'amount',
  amount,
  trigger: 'signing',
  ...over,
});

describe('the payment-terms editor', () => {
  test('50 % on signing and 50 % at completion of ¥12,000.00 add up exactly', () => {
    const tally = tallyTerms([pct('50'), pct('50', { trigger: 'completion' })], '12000.00');
    expect(tally).toEqual({ amounts: ['6000.00', '6000.00'], total: '12000.00', remaining: '0.00', state: 'exact' });
  });

  test('three thirds of ¥100.00: percentages rounded half up, the last takes what rounding left (as the server)', () => {
    const tally = tallyTerms([pct('33.3333'), pct('33.3333'), pct('33.3334')], '100.00');
    expect(tally.amounts).toEqual(['33.33', '33.33', '33.34']);
    expect(tally.state).toBe('exact');
    // Not all percentages adding to 100: each is rounded on its own, and the editor says what is left.
    const short = tallyTerms([pct('33.3333'), pct('33.3333')], '100.00');
    expect(short.amounts).toEqual(['33.33', '33.33']);
    expect(short).toMatchObject({ total: '66.66', remaining: '33.34', state: 'short' });
  });

  test('a fixed amount beside a percentage: 30 % of ¥85,000.50 is ¥25,500.15 (half up), the rest is what is left', () => {
    // 85,000.50 × 0.3 = 25,500.15 exactly; 85,000.50 × 0.125 = 10,625.0625 → 10,625.06.
    const tally = tallyTerms([pct('30'), pct('12.5'), fixed('40000')], '85000.50');
    expect(tally.amounts).toEqual(['25500.15', '10625.06', '40000.00']);
    expect(tally.total).toBe('76125.21');
    expect(tally.remaining).toBe('8875.29');
    expect(tally.state).toBe('short');
  });

  test('too much is "over" with a negative remainder; a term without a valid amount keeps it incomplete', () => {
    expect(tallyTerms([fixed('7000'), fixed('6000')], '12000')).toMatchObject({
      total: '13000.00',
      remaining: '-1000.00',
      state: 'over',
    });
    // 100.5 % and "abc" are not percentages the server takes: no amount for them, nothing counted.
    const bad = tallyTerms([pct('100.5'), pct('abc'), fixed('12000')], '12000');
    expect(bad.amounts).toEqual([null, null, '12000.00']);
    expect(bad).toMatchObject({ total: '12000.00', remaining: '0.00', state: 'incomplete' });
    // A zero term is refused by the server (validation.termZero), so it is not complete either.
    expect(tallyTerms([fixed('12000'), pct('0')], '12000').state).toBe('incomplete');
    expect(tallyTerms([], '12000').state).toBe('short');
  });

  test('amounts stay exact at the largest contract amount (no floating point)', () => {
    const tally = tallyTerms([pct('33.3333'), fixed('0.01'), pct('0.0001')], '999999999999.99');
    // 999,999,999,999.99 × 0.333333 = 333,332,999,999.99666667 → 333,333,000,000.00;
    // × 0.000001 = 999,999.99999999 → 1,000,000.00 (a float gives 333332999999.99664 and 999999.9999999901).
    expect(tally.amounts).toEqual(['333333000000.00', '0.01', '1000000.00']);
    expect(tally.total).toBe('333334000000.01');
    expect(tally.remaining).toBe('666665999999.98');
  });

  test('sends only the chosen basis and the trigger’s own field, in a body the server schema accepts', () => {
    const rows: TermRow[] = [
      // A percentage typed, then switched to an amount: only the amount goes.
      { kind: 'down-payment', basis: 'amount', amount: '3000.00', percent: '25', trigger: 'signing', triggerDays: 9 },
      { kind: 'progress', basis: 'percent', percent: ' 25 ', trigger: 'date', triggerDate: dayjs('2026-06-30') },
      { kind: 'final', basis: 'percent', percent: '50', trigger: 'days-after-completion', triggerDays: 30, note: ' ' },
    ];
    const terms = toTermInputs(rows);
    expect(terms).toEqual([
      { kind: 'down-payment', amount: '3000.00', trigger: 'signing', note: null },
      { kind: 'progress', percent: '25', trigger: 'date', triggerDate: '2026-06-30', note: null },
      { kind: 'final', percent: '50', trigger: 'days-after-completion', triggerDays: 30, note: null },
    ]);
    expect(ContractSign.safeParse({ signedOn: '2026-05-01', terms }).success).toBe(true);
  });

  test('starts a signing from 首付款 on signing and 尾款 at completion, amounts left to fill', () => {
    const rows = defaultTermRows();
    expect(rows.map((r) => [r.kind, r.trigger, r.percent])).toEqual([
      ['down-payment', 'signing', null],
      ['final', 'completion', null],
    ]);
    expect(tallyTerms(rows, '12000').state).toBe('incomplete');
  });

  test('reads the terms planned on a draft back as rows (a percentage as typed, a fixed amount as such)', () => {
    const term = (over: Partial<PaymentTerm>): PaymentTerm => ({
      id: '00000000-0000-4000-8000-000000000001',
      position: 1,
      kind: 'down-payment',
      amount: '6000.00',
      percent: '50.0000',
      trigger: 'signing',
      triggerDate: null,
      triggerDays: null,
      note: null,
      dueOn: null,
      invoiced: '0.00',
      received: '0.00',
      outstanding: '6000.00',
      ...over,
    });
    const rows = toTermRows([
      term({ position: 2, kind: 'final', percent: null, trigger: 'days-after-completion', triggerDays: 30 }),
      term({ percent: '12.5000' }),
    ]);
    expect(rows).toEqual([
      expect.objectContaining({ kind: 'down-payment', basis: 'percent', percent: '12.5', amount: null }),
      expect.objectContaining({ kind: 'final', basis: 'amount', amount: '6000.00', triggerDays: 30 }),
    ]);
  });

  test('a server issue about a term lands on the field the row shows (amount or percent)', () => {
    const rows = [pct('50'), fixed('6000', { trigger: 'date' })];
    expect(termFieldOf('body.terms.0.amount', rows)).toEqual(['terms', 0, 'percent']);
    expect(termFieldOf('terms.1.amount', rows)).toEqual(['terms', 1, 'amount']);
    expect(termFieldOf('terms.1.triggerDate', rows)).toEqual(['terms', 1, 'triggerDate']);
    expect(termFieldOf('body.terms', rows)).toEqual(['terms']);
    expect(termFieldOf('terms.5.amount', rows)).toBeNull();
    expect(termFieldOf('body.signedOn', rows)).toBeNull();
  });
});
