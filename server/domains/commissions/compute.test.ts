import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { demoCommissionRules } from '../../seed/demo-commission-rules';
import {
  checkRules,
  computeSheet,
  splitByWeights,
  type CommissionRole,
  type Person,
  type Rule,
  type SheetInput,
  type StaffCategory,
} from './compute';

/**
 * The demo policy against cases computed by hand (the expected amounts are written out in yuan, worked out in the
 * comment beside each case — never by calling the code under test), and the properties of the arithmetic.
 */
const line = (code: string) => `line-${code}`;
const rules = demoCommissionRules(line);

const person = (
  userId: string,
  roles: CommissionRole[],
  extra: { category?: StaffCategory; practising?: boolean } = {},
): Person => ({
  userId,
  roles,
  staffCategory: extra.category ?? 'frontline',
  practising: extra.practising ?? false,
  departmentId: 'dept-1',
  branchId: 'branch-xa',
});

/** yuan "1,234.56" from fen, written independently of the module's own formatting. */
const yuan = (fen: bigint) => {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  return `${negative ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
};
const fen = (value: string) => BigInt(Math.round(Number(value) * 100));
const receipt = (id: string, value: string, on = '2026-06-10') => ({ id, fen: fen(value), receivedOn: on });
const hours = (id: string, userId: string, value: string) => ({
  id,
  userId,
  hundredths: BigInt(Math.round(Number(value) * 100)),
});

type Case = {
  name: string;
  input: Partial<SheetInput> & Pick<SheetInput, 'businessLineId' | 'people'>;
  /** userId → [rule key, yuan] per line expected, in any order. */
  expect: [string, string, string][];
};

const CASES: Case[] = [
  {
    // 30,000.00 × 3 % = 900.00 (the first tier).
    name: '审计 业务承接人, first tier',
    input: {
      businessLineId: line('SJ'),
      people: [person('owner', ['sales-owner'])],
      received: [receipt('r1', '30000')],
    },
    expect: [['owner', 'S1', '900.00']],
  },
  {
    // Before 80,000.00; receives 50,000.00: 20,000.00 × 3 % = 600.00 and 30,000.00 × 5 % = 1,500.00 → 2,100.00.
    name: 'a receipt crossing the tier at ¥100,000',
    input: {
      businessLineId: line('SJ'),
      people: [person('owner', ['sales-owner'])],
      receivedBefore: fen('80000'),
      received: [receipt('r1', '50000')],
    },
    expect: [['owner', 'S1', '2100.00']],
  },
  {
    // Before 120,000.00: all of 10,000.00 in the upper tier, × 5 % = 500.00.
    name: 'above the tier',
    input: {
      businessLineId: line('SJ'),
      people: [person('owner', ['sales-owner'])],
      receivedBefore: fen('120000'),
      received: [receipt('r1', '10000')],
    },
    expect: [['owner', 'S1', '500.00']],
  },
  {
    // Before 90,000.00; 5,000.00 on the 3rd (× 3 % = 150.00), then 10,000.00 on the 10th: 5,000.00 × 3 % = 150.00
    // and 5,000.00 × 5 % = 250.00 → 550.00 (given out of order: the dates decide).
    name: 'two receipts, in date order',
    input: {
      businessLineId: line('SJ'),
      people: [person('owner', ['sales-owner'])],
      receivedBefore: fen('90000'),
      received: [receipt('r2', '10000', '2026-06-10'), receipt('r1', '5000', '2026-06-03')],
    },
    expect: [['owner', 'S1', '550.00']],
  },
  {
    // 验资 flat 6 %: 12,345.67 × 6 % = 740.7402 → 740.74.
    name: '验资 业务承接人, flat, rounded to the fen',
    input: {
      businessLineId: line('YZ'),
      people: [person('owner', ['sales-owner'])],
      received: [receipt('r1', '12345.67')],
    },
    expect: [['owner', 'S2', '740.74']],
  },
  {
    // 代理记账 业务承接人 8 %: 3,000.00 × 8 % = 240.00.
    name: '代理记账 业务承接人 (普通业务人员)',
    input: {
      businessLineId: line('DZ'),
      people: [person('owner', ['sales-owner'])],
      received: [receipt('r1', '3000')],
    },
    expect: [['owner', 'S3', '240.00']],
  },
  {
    // 代理记账 顾问 12 %: 3,000.00 × 12 % = 360.00 — more than the ordinary salesperson's 240.00 above.
    name: '代理记账 顾问 at the consultant’s rate',
    input: {
      businessLineId: line('DZ'),
      people: [person('adviser', ['consultant'])],
      received: [receipt('r1', '3000')],
    },
    expect: [['adviser', 'S4', '360.00']],
  },
  {
    // A consultant elsewhere (审计) 2 %: 50,000.00 × 2 % = 1,000.00.
    name: 'a consultant on another line',
    input: {
      businessLineId: line('SJ'),
      people: [person('adviser', ['consultant'])],
      received: [receipt('r1', '50000')],
    },
    expect: [['adviser', 'S5', '1000.00']],
  },
  {
    // 代理记账 bookkeeper by the hour: 12.5 h × 40.00 = 500.00.
    name: '代理记账 普通业务人员 by the hour',
    input: {
      businessLineId: line('DZ'),
      people: [person('keeper', ['bookkeeper'])],
      worked: [hours('t1', 'keeper', '8'), hours('t2', 'keeper', '4.5')],
    },
    expect: [['keeper', 'W5', '500.00']],
  },
  {
    // 审计 pool 10 % of 50,000.00 = 5,000.00 by hours 40 : 20 : 15 (75): 2,666.666… / 1,333.333… / 1,000.00 →
    // floors 2,666.66 + 1,333.33 + 1,000.00 = 4,999.99; the fen left goes to the largest remainder (lead) → 2,666.67.
    name: '审计 team pool by hours, largest remainder',
    input: {
      businessLineId: line('SJ'),
      people: [person('lead', ['project-lead']), person('aide', ['assistant']), person('field', ['manager'])],
      received: [receipt('r1', '50000')],
      worked: [hours('t1', 'lead', '40'), hours('t2', 'aide', '20'), hours('t3', 'field', '15')],
    },
    expect: [
      ['lead', 'W1', '2666.67'],
      ['aide', 'W1', '1333.33'],
      ['field', 'W1', '1000.00'],
    ],
  },
  {
    // A practising signing CPA on 审计 by the hour instead: 10.5 h × 150.00 = 1,575.00; the pool (10 % of 20,000.00 =
    // 2,000.00) is the assistant's alone.
    name: '执业 signing CPA by the hour, out of the pool',
    input: {
      businessLineId: line('SJ'),
      people: [person('cpa', ['signing-cpa'], { practising: true }), person('aide', ['assistant'])],
      received: [receipt('r1', '20000')],
      worked: [hours('t1', 'cpa', '10.5'), hours('t2', 'aide', '6')],
    },
    expect: [
      ['cpa', 'W2', '1575.00'],
      ['aide', 'W1', '2000.00'],
    ],
  },
  {
    // Not practising: the signing role's own rule does not hold, the pool does — 10 % of 20,000.00 = 2,000.00 by
    // 10 h : 10 h → 1,000.00 each.
    name: '非执业 in a signing role shares the pool',
    input: {
      businessLineId: line('SJ'),
      people: [person('cpa', ['signing-cpa'], { practising: false }), person('aide', ['assistant'])],
      received: [receipt('r1', '20000')],
      worked: [hours('t1', 'cpa', '10'), hours('t2', 'aide', '10')],
    },
    expect: [
      ['cpa', 'W1', '1000.00'],
      ['aide', 'W1', '1000.00'],
    ],
  },
  {
    // 后勤 helping on 审计: 8 h × 30.00 = 240.00, not in the pool.
    name: '后勤 on an audit by the hour',
    input: {
      businessLineId: line('SJ'),
      people: [person('clerk', ['assistant'], { category: 'backoffice' })],
      received: [receipt('r1', '10000')],
      worked: [hours('t1', 'clerk', '8')],
    },
    expect: [['clerk', 'W3', '240.00']],
  },
  {
    // 管理层 have no rule of their own: the pool — 10 % of 10,000.00 = 1,000.00, theirs alone.
    name: '管理层 on an audit share the pool',
    input: {
      businessLineId: line('SJ'),
      people: [person('boss', ['reviewer'], { category: 'management' })],
      received: [receipt('r1', '10000')],
      worked: [hours('t1', 'boss', '3')],
    },
    expect: [['boss', 'W1', '1000.00']],
  },
  {
    // 验资 pool 8 % of 20,000.00 = 1,600.00 by shares 3 : 2 : 1: 800.00, 533.333…, 266.666… → floors 800.00 +
    // 533.33 + 266.66 = 1,599.99, the fen to the largest remainder (the third) → 266.67.
    name: '验资 pool by the lead’s shares',
    input: {
      businessLineId: line('YZ'),
      people: [person('a', ['project-lead']), person('b', ['signing-cpa']), person('c', ['assistant'])],
      received: [receipt('r1', '20000')],
      shares: new Map([
        ['a', '3'],
        ['b', '2'],
        ['c', '1'],
      ]),
    },
    expect: [
      ['a', 'W4', '800.00'],
      ['b', 'W4', '533.33'],
      ['c', 'W4', '266.67'],
    ],
  },
  {
    // 工程审价 by the hour, 非执业: 7.25 h × 80.00 = 580.00.
    name: '工程审价 非执业 by the hour',
    input: {
      businessLineId: line('GC'),
      people: [person('eng', ['cost-engineer'])],
      worked: [hours('t1', 'eng', '7.25')],
    },
    expect: [['eng', 'W6', '580.00']],
  },
  {
    // 工程审价 执业: 7.25 h × 120.00 = 870.00.
    name: '工程审价 执业 at the higher rate',
    input: {
      businessLineId: line('GC'),
      people: [person('eng', ['cost-engineer'], { practising: true })],
      worked: [hours('t1', 'eng', '7.25')],
    },
    expect: [['eng', 'W7', '870.00']],
  },
  {
    // 资产评估 has no work rule: only the sale side, 10,000.00 × 3 % = 300.00; the appraiser gets no line.
    name: 'a line without a work rule',
    input: {
      businessLineId: line('PG'),
      people: [person('owner', ['sales-owner']), person('valuer', ['appraiser'])],
      received: [receipt('r1', '10000')],
      worked: [hours('t1', 'valuer', '20')],
    },
    expect: [['owner', 'S1', '300.00']],
  },
  {
    // A salesperson also on the audit team: the sale 10,000.00 × 3 % = 300.00, and the pool 10 % = 1,000.00 by
    // 5 h : 15 h → 250.00 and 750.00.
    name: 'one person on both sides',
    input: {
      businessLineId: line('SJ'),
      people: [person('seller', ['sales-owner', 'assistant']), person('aide', ['assistant'])],
      received: [receipt('r1', '10000')],
      worked: [hours('t1', 'seller', '5'), hours('t2', 'aide', '15')],
    },
    expect: [
      ['seller', 'S1', '300.00'],
      ['seller', 'W1', '250.00'],
      ['aide', 'W1', '750.00'],
    ],
  },
  {
    // Lead and practising signing CPA at once: paid once for the work, by the more specific rule (W2): 4 h × 150.00 =
    // 600.00.
    name: 'two work roles, one rule',
    input: {
      businessLineId: line('SJ'),
      people: [person('lead', ['project-lead', 'signing-cpa'], { practising: true })],
      received: [receipt('r1', '10000')],
      worked: [hours('t1', 'lead', '4')],
    },
    expect: [['lead', 'W2', '600.00']],
  },
  {
    // A reversal after payout, with 110,000.00 received before: back to 90,000.00 — 10,000.00 × 5 % = 500.00 and
    // 10,000.00 × 3 % = 300.00 taken back → −800.00.
    name: 'a reversed receipt runs the tiers back',
    input: {
      businessLineId: line('SJ'),
      people: [person('owner', ['sales-owner'])],
      receivedBefore: fen('110000'),
      received: [receipt('r1', '-20000')],
    },
    expect: [['owner', 'S1', '-800.00']],
  },
  {
    // Half a fen rounds up: 0.25 × 6 % = 0.015 → 0.02.
    name: 'half a fen rounds up',
    input: {
      businessLineId: line('YZ'),
      people: [person('owner', ['sales-owner'])],
      received: [receipt('r1', '0.25')],
    },
    expect: [['owner', 'S2', '0.02']],
  },
  {
    // Exactly ¥100,000.00 (× 3 % = 3,000.00), then 0.01 above it (× 5 % = 0.0005): 3,000.0005 rounds to 3,000.00.
    name: 'the tier’s edge, rounded once per line',
    input: {
      businessLineId: line('SJ'),
      people: [person('owner', ['sales-owner'])],
      received: [receipt('r1', '100000', '2026-06-01'), receipt('r2', '0.01', '2026-06-02')],
    },
    expect: [['owner', 'S1', '3000.00']],
  },
  {
    // 代理记账 consultant and bookkeeper, the same contract: 5,000.00 × 12 % = 600.00; 9.75 h × 40.00 = 390.00.
    name: '代理记账 顾问 beside a bookkeeper',
    input: {
      businessLineId: line('DZ'),
      people: [person('adviser', ['consultant']), person('keeper', ['bookkeeper'])],
      received: [receipt('r1', '5000')],
      worked: [hours('t1', 'keeper', '9.75')],
    },
    expect: [
      ['adviser', 'S4', '600.00'],
      ['keeper', 'W5', '390.00'],
    ],
  },
];

describe('the demo policy, case by case, to the fen', () => {
  it('has no definition problem', () => {
    expect(checkRules(rules)).toEqual([]);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const sheet = computeSheet({ rules, receivedBefore: 0n, received: [], worked: [], ...c.input });
    const got = sheet.lines.map((l) => [l.userId, l.ruleKey, yuan(l.fen)]);
    expect(got).toEqual(expect.arrayContaining(c.expect));
    expect(got).toHaveLength(c.expect.length);
  });

  it('has at least twenty cases', () => expect(CASES.length).toBeGreaterThanOrEqual(20));
});

describe('explanations', () => {
  it('names the receipts and the tier parts of a by-amount line', () => {
    const sheet = computeSheet({
      businessLineId: line('SJ'),
      rules,
      people: [person('owner', ['sales-owner'])],
      receivedBefore: fen('80000'),
      received: [receipt('r1', '50000')],
      worked: [],
    });
    const [only] = sheet.lines;
    expect(only.receiptIds).toEqual(['r1']);
    expect(only.steps.map((s) => (s.kind === 'received' ? [s.receiptId, yuan(s.base), s.percent] : null))).toEqual([
      ['r1', '20000.00', '3'],
      ['r1', '30000.00', '5'],
    ]);
  });

  it('names the time entries of a pool share and the pool it came from', () => {
    const sheet = computeSheet({
      businessLineId: line('SJ'),
      rules,
      people: [person('a', ['assistant']), person('b', ['assistant'])],
      receivedBefore: 0n,
      received: [receipt('r1', '1000')],
      worked: [hours('t1', 'a', '1'), hours('t2', 'a', '2'), hours('t3', 'b', '1')],
    });
    const a = sheet.lines.find((l) => l.userId === 'a')!;
    expect(a.timeEntryIds).toEqual(['t1', 't2']);
    expect(a.steps[0]).toMatchObject({ kind: 'pool', pool: 10000n, percent: '10' });
    expect(a.steps[1]).toMatchObject({ kind: 'share', weight: '3', total: '4', value: 7500n });
    expect(sheet.pools).toEqual([{ ruleKey: 'W1', pool: 10000n, undistributed: 0n, reason: null }]);
  });

  it('says so when a pool has nobody to go to', () => {
    const byHours = computeSheet({
      businessLineId: line('SJ'),
      rules,
      people: [person('a', ['assistant'])],
      receivedBefore: 0n,
      received: [receipt('r1', '1000')],
      worked: [],
    });
    expect(byHours.pools).toEqual([{ ruleKey: 'W1', pool: 10000n, undistributed: 10000n, reason: 'no-hours' }]);
    const byShares = computeSheet({
      businessLineId: line('YZ'),
      rules,
      people: [person('a', ['assistant'])],
      receivedBefore: 0n,
      received: [receipt('r1', '1000')],
      worked: [],
    });
    expect(byShares.pools[0]).toMatchObject({ undistributed: 8000n, reason: 'no-shares' });
    expect(byShares.lines.map((l) => l.fen)).toEqual([0n]);
  });
});

describe('definition problems', () => {
  const base = rules[0];
  const sale = (key: string, match: Partial<Rule['match']>, percent = '3'): Rule => ({
    key,
    side: 'sale',
    match: { ...base.match, role: null, ...match },
    method: 'amount',
    tiers: [{ upTo: null, percent }],
  });

  it('refuses two rules equally specific that one person could meet', () => {
    const problems = checkRules([sale('A', { businessLineId: 'x' }), sale('B', { role: 'sales-owner' })]);
    expect(problems).toEqual([{ problem: 'ambiguous', keys: ['A', 'B'] }]);
  });

  it('allows them when no person could meet both, or one is more specific', () => {
    expect(checkRules([sale('A', { businessLineId: 'x' }), sale('B', { businessLineId: 'y' })])).toEqual([]);
    expect(
      checkRules([sale('A', { businessLineId: 'x' }), sale('B', { businessLineId: 'x', role: 'consultant' })]),
    ).toEqual([]);
  });

  it('refuses percentages over 100 or negative, tiers out of order, a role of the other side', () => {
    expect(checkRules([sale('A', {}, '100.5')])).toEqual([{ problem: 'percent', key: 'A' }]);
    expect(checkRules([sale('A', {}, '-1')])).toEqual([{ problem: 'percent', key: 'A' }]);
    const unordered: Rule = {
      ...sale('T', {}),
      method: 'amount',
      tiers: [
        { upTo: '100', percent: '3' },
        { upTo: '50', percent: '4' },
        { upTo: null, percent: '5' },
      ],
    };
    expect(checkRules([unordered])).toEqual([{ problem: 'tiers', key: 'T' }]);
    expect(checkRules([{ ...sale('S', { role: 'assistant' }) }])).toEqual([{ problem: 'side', key: 'S' }]);
  });
});

describe('properties', () => {
  it('a split always adds up to the pool exactly, each part within a fen of its exact share', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -10_000_000_000n, max: 10_000_000_000n }),
        fc.array(fc.bigInt({ min: 0n, max: 1_000_000n }), { minLength: 1, maxLength: 30 }),
        (total, weights) => {
          const parts = splitByWeights(total, weights);
          const sum = weights.reduce((s, w) => s + w, 0n);
          if (sum === 0n) return parts.every((p) => p === 0n);
          expect(parts.reduce((s, p) => s + p, 0n)).toBe(total);
          parts.forEach((p, i) => {
            // |p × sum − total × w| < sum: within one fen of the exact share.
            const gap = p * sum - total * weights[i];
            expect(gap < 0n ? -gap : gap).toBeLessThan(sum);
          });
          return true;
        },
      ),
    );
  });

  it('a pool’s lines add up to the pool, whatever the hours', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 99_999_999 }),
        fc.array(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 12 }),
        (receivedFen, quarterHours) => {
          const people = quarterHours.map((_, i) => person(`p${i}`, ['assistant']));
          const sheet = computeSheet({
            businessLineId: line('SJ'),
            rules,
            people,
            receivedBefore: 0n,
            received: [{ id: 'r', fen: BigInt(receivedFen), receivedOn: '2026-06-01' }],
            worked: quarterHours.map((q, i) => ({ id: `t${i}`, userId: `p${i}`, hundredths: BigInt(q * 25) })),
          });
          const pool = sheet.pools[0].pool;
          // 10 % of what was received, half a fen up (computed here from the integers).
          expect(pool).toBe((BigInt(receivedFen) * 10n + 50n) / 100n);
          expect(sheet.lines.reduce((s, l) => s + l.fen, 0n)).toBe(pool);
        },
      ),
    );
  });
});
