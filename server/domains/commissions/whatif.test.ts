import { inArray } from 'drizzle-orm';
import { translate } from '../../../common/i18n';
import type { RuleInput } from '../../../common/schemas/commissions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildDepartment, signedIn } from '../../test/factories';
import { createTestApp, uniq, until, type Client, type TestApp } from '../../test/harness';
import { engagementMembers, engagements } from '../engagements/engagements.tables';
import { timeEntries, timesheetWeeks } from '../engagements/timesheets.tables';
import { buildContract, buildOrder } from '../receivables/fixtures';
import { receipts } from '../receivables/receivables.tables';
import { commissionPolicies, commissionSheets } from './commissions.tables';
import { addDays } from '../../lib/time';
import { monthsBetween } from './whatif.service';

/**
 * The what-if 模拟: a draft version run over two past months against the version in force then, on a job, writing
 * nothing. Everything is in a year of long ago picked for this run (PG tests share one database: no other test's
 * months; the version in force is adopted as a row, so no other test's adoption is blocked). Expectations worked out
 * in the comments.
 */
let t: TestApp;
let finance: Client;
beforeAll(async () => {
  t = await createTestApp({ workers: ['commission.what-if'] });
  finance = (await signedIn(t, { roleCode: 'finance' })).client;
});
afterAll(() => t.close());

const year = 1900 + Math.floor(Math.random() * 80);
const march = `${year}-03`;
const april = `${year}-04`;

/** The Monday on or before a day. */
const mondayOf = (date: string) => {
  const d = new Date(`${date}T00:00:00Z`);
  return addDays(date, -((d.getUTCDay() + 6) % 7));
};
/** A Monday in March, its week wholly in March. */
const marchMonday = mondayOf(`${march}-12`);

const any = {
  businessLineId: null,
  role: null,
  staffCategory: null,
  practising: null,
  departmentId: null,
  branchId: null,
};

/** The current rules: 3 % to the sales owner, 40/h to assistants. */
const CURRENT: RuleInput[] = [
  {
    key: 'S1',
    name: '承接提成',
    side: 'sale',
    match: { ...any, role: 'sales-owner' },
    method: 'amount',
    tiers: [{ upTo: null, percent: '3' }],
  },
  {
    key: 'W1',
    name: '助理工时',
    side: 'work',
    match: { ...any, role: 'assistant' },
    method: 'hours',
    hourlyRate: '40',
  },
];

/** The draft: 5 % up to 40,000 received then 6 %, but 1 % on the second line; 50/h to assistants. */
const proposedRules = (secondLine: string): RuleInput[] => [
  {
    key: 'S1',
    name: '承接提成（分档）',
    side: 'sale',
    match: { ...any, role: 'sales-owner' },
    method: 'amount',
    tiers: [
      { upTo: '40000', percent: '5' },
      { upTo: null, percent: '6' },
    ],
  },
  {
    key: 'S2',
    name: '二线承接提成',
    side: 'sale',
    match: { ...any, role: 'sales-owner', businessLineId: secondLine },
    method: 'amount',
    tiers: [{ upTo: null, percent: '1' }],
  },
  {
    key: 'W1',
    name: '助理工时',
    side: 'work',
    match: { ...any, role: 'assistant' },
    method: 'hours',
    hourlyRate: '50',
  },
];

async function waitDone(client: Client, id: string) {
  let last: { status: string } = { status: 'running' };
  await until(
    async () => {
      const res = await client.get(`/api/v1/commission-what-ifs/${id}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      last = res.body;
      return last.status !== 'running';
    },
    60_000,
    'the what-if to finish',
  );
  return last as {
    status: string;
    done: number;
    total: number;
    result: {
      totals: { current: string; proposed: string; difference: string };
      byPerson: { userId: string; current: string; proposed: string; difference: string }[];
      byBusinessLine: { businessLineId: string; current: string; proposed: string; difference: string }[];
      winners: { userId: string; difference: string }[];
      losers: { userId: string; difference: string }[];
    };
  };
}

describe('the what-if 模拟', () => {
  it('lists the months of a range', () => {
    expect(monthsBetween('1999-11', '2000-02')).toEqual(['1999-11', '1999-12', '2000-01', '2000-02']);
    expect(monthsBetween('2026-05', '2026-05')).toEqual(['2026-05']);
  });

  it('compares a draft with the version in force, per person and business line, writing nothing', async () => {
    const db = t.database.db;
    const practice = await buildDepartment(db, { name: uniq('审计一部') });
    const line = (await buildBusinessLine(db, { name: uniq('审计') })).id;
    const second = (await buildBusinessLine(db, { name: uniq('验资') })).id;
    const owner = await signedIn(t, { roleCode: 'salesperson', departmentId: practice.id, displayName: uniq('李明') });
    const other = await signedIn(t, { roleCode: 'salesperson', departmentId: practice.id, displayName: uniq('郑强') });
    const aide = await signedIn(t, { roleCode: 'staff', departmentId: practice.id, displayName: uniq('吴芳') });
    const lead = await signedIn(t, { roleCode: 'staff', departmentId: practice.id, displayName: uniq('周杰') });
    // The version in force from January of that year (a row: adopting through the API could meet another test's sheets).
    await db.insert(commissionPolicies).values({
      version: 600_000 + Math.floor(Math.random() * 99_999),
      name: uniq('现行政策'),
      effectiveFrom: `${year}-01-01`,
      status: 'adopted',
      rules: CURRENT,
    });
    const draft = await finance.post('/api/v1/commission-policies', {
      name: uniq('拟议政策'),
      effectiveFrom: `${year + 1}-01-01`,
      rules: proposedRules(second),
    });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);

    const c1 = await buildContract(db, [{ amount: '100000', due: null }], {
      ownerId: owner.user.id,
      businessLineId: line,
    });
    const order = await buildOrder(db, [], { ownerId: owner.user.id, customerId: c1.customerId, contractId: c1.id });
    const c2 = await buildContract(db, [{ amount: '5000', due: null }], {
      ownerId: other.user.id,
      businessLineId: second,
    });
    const receipt = (contract: { id: string; customerId: string }, receivedOn: string, amount: string) => ({
      customerId: contract.customerId,
      contractId: contract.id,
      receivedOn,
      amount,
      unallocated: '0',
      payer: uniq('付款单位'),
    });
    await db.insert(receipts).values([
      receipt(c1, `${march}-10`, '30000'),
      receipt(c1, `${april}-20`, '20000'),
      receipt(c2, `${april}-02`, '1000'),
      // May: after the range.
      receipt(c1, `${year}-05-06`, '7000'),
      // Reversed: not counted.
      { ...receipt(c2, `${april}-03`, '900'), status: 'reversed' as const, reversedAt: new Date() },
    ]);
    const [engagement] = await db
      .insert(engagements)
      .values({
        title: uniq('年度审计'),
        customerId: c1.customerId,
        contractId: c1.id,
        orderId: order.id,
        businessLineId: line,
        amount: '100000',
        leadId: lead.user.id,
        departmentId: practice.id,
        salesOwnerId: owner.user.id,
      })
      .returning();
    await db
      .insert(engagementMembers)
      .values({ engagementId: engagement.id, userId: aide.user.id, roles: ['assistant'] });
    // March: 10.5 approved hours; 6 more in the next week, only submitted.
    await db.insert(timesheetWeeks).values([
      { userId: aide.user.id, weekStart: marchMonday, status: 'approved' },
      { userId: aide.user.id, weekStart: addDays(marchMonday, 7), status: 'submitted' },
    ]);
    await db.insert(timeEntries).values(
      [
        [marchMonday, '8'],
        [addDays(marchMonday, 1), '2.5'],
        [addDays(marchMonday, 7), '6'],
      ].map(([workDate, hours]) => ({
        userId: aide.user.id,
        workDate,
        engagementId: engagement.id,
        category: 'engagement' as const,
        hours,
        billable: true,
      })),
    );

    const started = await finance.post(`/api/v1/commission-policies/${draft.body.id}/what-if`, {
      from: march,
      to: april,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const whatIf = await waitDone(finance, started.body.id);
    expect(whatIf.status).toBe('done');
    // At least: c1 in March and April, c2 in April.
    expect(whatIf.total).toBeGreaterThanOrEqual(3);
    expect(whatIf.done).toBe(whatIf.total);
    const r = whatIf.result;
    const person = (id: string) => r.byPerson.find((p) => p.userId === id);
    // The owner: March 30,000 × 3% = 900.00 now, × 5% = 1,500.00 proposed; April 20,000 × 3% = 600.00 now,
    // proposed 10,000 × 5% (up to 40,000 with 30,000 before) + 10,000 × 6% = 500.00 + 600.00 = 1,100.00.
    expect(person(owner.user.id)).toMatchObject({ current: '1500.00', proposed: '2600.00', difference: '1100.00' });
    // The assistant: 10.5 approved hours × 40 = 420.00 now, × 50 = 525.00 proposed (the submitted week not counted).
    expect(person(aide.user.id)).toMatchObject({ current: '420.00', proposed: '525.00', difference: '105.00' });
    // The other owner: 1,000 on the second line × 3% = 30.00 now, × 1% = 10.00 proposed (the reversed 900 not counted).
    expect(person(other.user.id)).toMatchObject({ current: '30.00', proposed: '10.00', difference: '-20.00' });
    // The lead has no rule on either side.
    expect(person(lead.user.id)).toBeUndefined();
    const byLine = (id: string) => r.byBusinessLine.find((l) => l.businessLineId === id);
    expect(byLine(line)).toMatchObject({ current: '1920.00', proposed: '3125.00', difference: '1205.00' });
    expect(byLine(second)).toMatchObject({ current: '30.00', proposed: '10.00', difference: '-20.00' });
    expect(r.winners.map((w) => w.userId)).toContain(owner.user.id);
    expect(r.losers.map((l) => l.userId)).toContain(other.user.id);
    expect(r.winners.every((w) => Number(w.difference) > 0)).toBe(true);
    expect(r.losers.every((l) => Number(l.difference) < 0)).toBe(true);
    // Totals are the lines' (all contracts of those months): checked in fen against the business lines.
    const fen = (v: string) => BigInt(v.replace('.', ''));
    const sum = (key: 'current' | 'proposed') => r.byBusinessLine.reduce((s, l) => s + fen(l[key]), 0n);
    expect(fen(r.totals.current)).toBe(sum('current'));
    expect(fen(r.totals.proposed)).toBe(sum('proposed'));
    expect(fen(r.totals.difference)).toBe(sum('proposed') - sum('current'));
    // Nothing written: no sheet for either contract.
    const sheets = await db
      .select({ id: commissionSheets.id })
      .from(commissionSheets)
      .where(inArray(commissionSheets.contractId, [c1.id, c2.id]));
    expect(sheets).toEqual([]);
  });

  it('refuses a bad range, an unknown version or what-if, and those who do not keep the policy', async () => {
    const draft = await finance.post('/api/v1/commission-policies', {
      name: uniq('拟议政策'),
      effectiveFrom: `${year + 1}-01-01`,
      rules: CURRENT,
    });
    expect(draft.status).toBe(201);
    const url = `/api/v1/commission-policies/${draft.body.id}/what-if`;
    const backwards = await finance.post(url, { from: april, to: march });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details.issues).toEqual([
      { path: 'to', code: 'custom', message: translate('zh-CN', 'validation.whatIfRange', { max: 36 }) },
    ]);
    expect((await finance.post(url, { from: '2999-01', to: '2999-02' })).status).toBe(400);
    expect((await finance.post(url, { from: `${year}-01`, to: `${year + 3}-12` })).status).toBe(400);
    expect((await finance.post(url, { from: '2026-13', to: '2026-12' })).status).toBe(400);
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(
      (await finance.post(`/api/v1/commission-policies/${missing}/what-if`, { from: march, to: april })).status,
    ).toBe(404);
    expect((await finance.get(`/api/v1/commission-what-ifs/${missing}`)).status).toBe(404);
    const sales = await signedIn(t, { roleCode: 'salesperson' });
    expect((await sales.client.post(url, { from: march, to: april })).status).toBe(403);
  });
});
