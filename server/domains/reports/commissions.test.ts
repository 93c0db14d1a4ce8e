import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportAnswer } from '../../../common/schemas/reports';
import type { Db } from '../../db/client';
import {
  buildBranch,
  buildBusinessLine,
  buildDepartment,
  buildUser,
  setDepartmentManager,
  signedIn,
} from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { commissionLines, commissionPolicies, commissionSheets } from '../commissions/commissions.tables';
import { buildContract } from '../receivables/fixtures';
import { users } from '../staff/staff.tables';
import { exportedRows } from './test-support';

/**
 * 佣金计提与发放: the months' commission lines, accrued (sheets not yet paid) against paid, by person, department,
 * business line and month — through the commissions domain's 佣金汇总. The expected sums are made here from the lines
 * this test writes.
 */
let t: TestApp;
let db: Db;
let exec: Client;
let manager: Client;
let line: string;
let top: string;
let teamA: string;
let teamB: string;
let beijing: string;
const people: Record<string, { id: string; team: 'A' | 'B' }> = {};

const PERIOD = { from: '2025-01-01', to: '2025-12-31' };
type Sheet = {
  owner: 'p1' | 'p2';
  period: string;
  status: 'draft' | 'in-approval' | 'approved' | 'paid' | 'cancelled';
  lines: { who: 'p1' | 'p2'; amount: string }[];
};
const SHEETS: Sheet[] = [
  // The first month, paid: the owner and another department's person on the work side.
  {
    owner: 'p1',
    period: '2025-01',
    status: 'paid',
    lines: [
      { who: 'p1', amount: '1200.50' },
      { who: 'p2', amount: '300.25' },
    ],
  },
  { owner: 'p1', period: '2025-02', status: 'in-approval', lines: [{ who: 'p1', amount: '800.00' }] },
  // Cancelled: out. December of the year before and January after: out of the period.
  { owner: 'p1', period: '2025-03', status: 'cancelled', lines: [{ who: 'p1', amount: '999.99' }] },
  { owner: 'p1', period: '2024-12', status: 'paid', lines: [{ who: 'p1', amount: '50.00' }] },
  { owner: 'p2', period: '2026-01', status: 'draft', lines: [{ who: 'p2', amount: '70.00' }] },
  // The last month, a draft of 上海's other department.
  { owner: 'p2', period: '2025-12', status: 'draft', lines: [{ who: 'p2', amount: '450.10' }] },
  { owner: 'p2', period: '2025-06', status: 'approved', lines: [{ who: 'p2', amount: '0.05' }] },
];

const cents = (text: string) => {
  const [w, f = ''] = text.split('.');
  return BigInt(w) * 100n + BigInt(f.padEnd(2, '0'));
};
const text = (c: bigint) => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;

/** Sums of the lines of the period's live sheets that pass `pick`. */
function expected(pick: (sheet: Sheet, who: string) => boolean) {
  let accrued = 0n;
  let paid = 0n;
  let lines = 0;
  for (const s of SHEETS) {
    if (s.status === 'cancelled' || s.period < '2025-01' || s.period > '2025-12') continue;
    for (const l of s.lines.filter((x) => pick(s, x.who))) {
      lines += 1;
      if (s.status === 'paid') paid += cents(l.amount);
      else accrued += cents(l.amount);
    }
  }
  return { lines, accrued: text(accrued), paid: text(paid), amount: text(accrued + paid) };
}

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db;
  line = (await buildBusinessLine(db)).id;
  beijing = (await buildBranch(db, uniq('北京'))).id;
  top = (await buildDepartment(db)).id;
  teamA = (await buildDepartment(db, { parentId: top })).id;
  teamB = (await buildDepartment(db, { parentId: top })).id;
  exec = (await signedIn(t, { roleCode: 'executive' })).client;
  const m = await signedIn(t, { roleCode: 'manager', departmentId: teamA });
  await setDepartmentManager(db, teamA, m.user.id);
  manager = m.client;
  for (const [key, team] of [
    ['p1', 'A'],
    ['p2', 'B'],
  ] as const) {
    const user = await buildUser(db, { departmentId: team === 'A' ? teamA : teamB });
    people[key] = { id: user.id, team };
  }
  await db.update(users).set({ branchId: beijing }).where(eq(users.id, people.p1.id));
  const [policy] = await db
    .insert(commissionPolicies)
    .values({
      version: 800_000 + Math.floor(Math.random() * 99_999),
      name: uniq('报表政策'),
      effectiveFrom: '1900-01-01',
      status: 'draft',
      rules: [],
    })
    .returning();
  for (const s of SHEETS) {
    const contract = await buildContract(db, [{ amount: '10000', due: -10 }], {
      ownerId: people[s.owner].id,
      businessLineId: line,
    });
    const total = s.lines.reduce((n, l) => n + cents(l.amount), 0n);
    const [sheet] = await db
      .insert(commissionSheets)
      .values({
        period: s.period,
        contractId: contract.id,
        businessLineId: line,
        ownerId: people[s.owner].id,
        departmentId: contract.departmentId,
        policyId: policy.id,
        receivedBefore: '0',
        received: '10000',
        hours: '0',
        total: text(total),
        status: s.status,
      })
      .returning();
    await db.insert(commissionLines).values(
      s.lines.map((l, i) => ({
        sheetId: sheet.id,
        userId: people[l.who].id,
        side: i === 0 ? ('sale' as const) : ('work' as const),
        role: i === 0 ? ('sales-owner' as const) : ('project-lead' as const),
        ruleKey: `R${i}`,
        method: 'amount' as const,
        computed: l.amount,
        amount: l.amount,
        explanation: {},
      })),
    );
  }
});
afterAll(() => t.close());

const rowOf = (answer: ReportAnswer, key: string) => answer.tables[0].rows.find((r) => r.key === key)!;
const get = async (client: Client, query: Record<string, string>) => {
  const res = await client.get('/api/v1/reports/commissions', { ...PERIOD, businessLineId: line, ...query });
  expect(res.status).toBe(200);
  return res.body as ReportAnswer;
};

describe('commissions', () => {
  it('adds up each person’s accrued and paid commission of the period’s months', async () => {
    const answer = await get(exec, {});
    expect(rowOf(answer, people.p1.id).cells).toMatchObject(expected((_, who) => who === 'p1'));
    expect(rowOf(answer, people.p2.id).cells).toMatchObject(expected((_, who) => who === 'p2'));
    expect(answer.tables[0].total!.cells).toMatchObject(expected(() => true));
  });

  it('gives every month a row, a month without sheets as zeros', async () => {
    const answer = await get(exec, { by: 'month' });
    expect(answer.tables[0].rows).toHaveLength(12);
    for (const month of ['2025-01', '2025-02', '2025-03', '2025-06', '2025-12', '2025-07'])
      expect(rowOf(answer, month).cells, month).toMatchObject(expected((s) => s.period === month));
    expect(rowOf(answer, '2025-07').cells).toMatchObject({ lines: 0, accrued: '0.00', paid: '0.00' });
  });

  it('groups by department and narrows by department, branch and person', async () => {
    const byDept = await get(exec, { by: 'department' });
    expect(rowOf(byDept, teamA).cells).toMatchObject(expected((_, who) => who === 'p1'));
    expect(rowOf(byDept, teamB).cells).toMatchObject(expected((_, who) => who === 'p2'));
    const onlyB = await get(exec, { departmentId: teamB });
    expect(onlyB.tables[0].total!.cells).toMatchObject(expected((_, who) => who === 'p2'));
    const bj = await get(exec, { branchId: beijing });
    expect(bj.tables[0].total!.cells).toMatchObject(expected((_, who) => who === 'p1'));
    const one = await get(exec, { ownerId: people.p2.id, by: 'businessLine' });
    expect(rowOf(one, line).cells).toMatchObject(expected((_, who) => who === 'p2'));
  });

  it('shows a manager the sheets of his department whole, and nothing of others', async () => {
    const answer = await get(manager, {});
    expect(answer.tables[0].total!.cells).toMatchObject(expected((s) => s.owner === 'p1'));
  });

  it('exports exactly the page’s figures as .xlsx', async () => {
    const query = new URLSearchParams({ ...PERIOD, businessLineId: line, by: 'month' }).toString();
    const page = (await exec.get(`/api/v1/reports/commissions?${query}`)).body as ReportAnswer;
    const values = await exportedRows(t, exec, 'commissions', query);
    const total = page.tables[0].total!.cells;
    expect(values.at(-1)).toEqual([
      total.month,
      total.lines,
      Number(total.accrued),
      Number(total.paid),
      Number(total.amount),
    ]);
  });
});
