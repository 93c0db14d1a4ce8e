import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGEING_BUCKETS, type AgeingBucket } from '../../../common/schemas/receivables';
import { buildBranch, buildDepartment, signedIn } from '../../test/factories';
import { createTestApp, type Client, type TestApp } from '../../test/harness';
import { buildContract, buildOrder, cents, day, money, today } from './fixtures';

let t: TestApp;
let finance: Client;
beforeAll(async () => {
  t = await createTestApp();
  finance = (await signedIn(t, { roleCode: 'finance' })).client;
});
afterAll(() => t.close());

const db = () => t.database.db;

/** The bucket a term due `daysAgo` days ago falls in, by the rule as the requirement states it. */
function bucketOf(daysAgo: number | null): AgeingBucket {
  if (daysAgo === null || daysAgo <= 0) return 'not-due';
  if (daysAgo <= 30) return 'd1-30';
  if (daysAgo <= 90) return 'd31-90';
  if (daysAgo <= 180) return 'd91-180';
  return 'over-180';
}

/** Expected ageing of terms: outstanding (amount − received) summed per bucket, in cents. */
function expectedAgeing(terms: { daysAgo: number | null; amount: string; received?: string }[]) {
  const sums = Object.fromEntries(AGEING_BUCKETS.map((b) => [b, 0n])) as Record<AgeingBucket, bigint>;
  let outstanding = 0n;
  let open = 0;
  for (const term of terms) {
    const left = cents(term.amount) - cents(term.received ?? '0');
    if (left === 0n) continue;
    sums[bucketOf(term.daysAgo)] += left;
    outstanding += left;
    open++;
  }
  return {
    outstanding: money(outstanding),
    ...Object.fromEntries(AGEING_BUCKETS.map((b) => [b, money(sums[b])])),
    terms: open,
  };
}

describe('the ageing 账龄', () => {
  // Days past due at every edge: 0 (due today) is not yet overdue; 1 and 30 are 1–30; 31 and 90; 91 and 180; 181.
  const edges = [null, -5, 0, 1, 30, 31, 90, 91, 180, 181, 400];

  it('puts every term in its bucket at the edges (day 0, 1, 30, 31, 90, 91, 180, 181), counted to today in the firm’s time zone, exactly', async () => {
    const specs = edges.map((daysAgo, i) => ({
      daysAgo,
      amount: money(100_000n + BigInt(i) * 1_001n + 7n),
      received: i === 3 ? '500.00' : undefined,
    }));
    const contract = await buildContract(
      db(),
      specs.map((s) => ({ amount: s.amount, due: s.daysAgo === null ? null : -s.daysAgo, received: s.received })),
    );
    const res = await finance.get('/api/v1/receivables', { groupBy: 'contract', customerId: contract.customerId });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.asOf).toBe(today());
    expect(res.body.items).toHaveLength(1);
    const expected = expectedAgeing(specs);
    expect(res.body.items[0]).toMatchObject({ key: contract.id, ...expected });
    expect(res.body.totals).toEqual(expected);
    // Each bucket by itself, for the record: day 1 and day 30 in 1–30, day 31 not.
    const oneToThirty = specs.filter((s) => s.daysAgo === 1 || s.daysAgo === 30);
    expect(res.body.items[0]['d1-30']).toBe(
      money(oneToThirty.reduce((n, s) => n + cents(s.amount) - cents(s.received ?? '0'), 0n)),
    );

    // The drill-down behind one bucket: exactly its terms, oldest due first, with their figures.
    for (const bucket of AGEING_BUCKETS) {
      const drill = await finance.get('/api/v1/receivables/terms', {
        groupBy: 'contract',
        key: contract.id,
        bucket,
      });
      expect(drill.status).toBe(200);
      const want = specs
        .map((s, i) => ({ ...s, id: contract.terms[i].id }))
        .filter((s) => bucketOf(s.daysAgo) === bucket);
      expect(drill.body.items.map((i: { id: string }) => i.id).sort()).toEqual(want.map((w) => w.id).sort());
      for (const item of drill.body.items) {
        const spec = want.find((w) => w.id === item.id)!;
        expect(item).toMatchObject({
          bucket,
          amount: spec.amount,
          outstanding: money(cents(spec.amount) - cents(spec.received ?? '0')),
          daysOverdue: spec.daysAgo,
          dueOn: spec.daysAgo === null ? null : day(-spec.daysAgo),
        });
      }
    }
  });

  it('groups by customer, contract, owner, department and branch with the same totals, most outstanding first, paged', async () => {
    const department = await buildDepartment(db());
    const below = await buildDepartment(db(), { parentId: department.id });
    const branch = await buildBranch(db());
    const a = await signedIn(t, { departmentId: department.id });
    const b = await signedIn(t, { departmentId: below.id });
    const first = await buildContract(
      db(),
      [
        { amount: '1000.00', due: -10 },
        { amount: '2000.00', due: 5 },
      ],
      { ownerId: a.user.id, branchId: branch.id },
    );
    const second = await buildContract(db(), [{ amount: '500.50', due: -100 }], {
      ownerId: a.user.id,
      customerId: first.customerId,
    });
    const third = await buildOrder(db(), [{ amount: '7000.00', due: -200, received: '1000.00' }], {
      ownerId: b.user.id,
    });
    // A voided contract and a paid term count for nothing.
    await buildContract(db(), [{ amount: '9999.00', due: -10 }], { ownerId: a.user.id, status: 'voided' });
    await buildContract(db(), [{ amount: '300.00', due: -10, received: '300.00' }], { ownerId: b.user.id });

    const all = expectedAgeing([
      { daysAgo: 10, amount: '1000.00' },
      { daysAgo: -5, amount: '2000.00' },
      { daysAgo: 100, amount: '500.50' },
      { daysAgo: 200, amount: '7000.00', received: '1000.00' },
    ]);
    const groups: Record<string, [string | null, string][]> = {
      customer: [
        [third.customerId, '6000.00'],
        [first.customerId, '3500.50'],
      ],
      contract: [
        [third.id, '6000.00'],
        [first.id, '3000.00'],
        [second.id, '500.50'],
      ],
      owner: [
        [b.user.id, '6000.00'],
        [a.user.id, '3500.50'],
      ],
      department: [
        [below.id, '6000.00'],
        [department.id, '3500.50'],
      ],
      // The order has no signing branch: its owner's (none); the second contract none either.
      branch: [
        [null, '6500.50'],
        [branch.id, '3000.00'],
      ],
    };
    for (const [groupBy, expected] of Object.entries(groups)) {
      const res = await finance.get('/api/v1/receivables', { groupBy, departmentId: department.id });
      expect(res.status).toBe(200);
      expect(res.body.items.map((g: { key: string | null; outstanding: string }) => [g.key, g.outstanding])).toEqual(
        expected,
      );
      expect(res.body.totals).toEqual(all);
      expect(res.body.total).toBe(expected.length);
      expect(res.body.items.every((g: { name: string | null; key: string | null }) => g.key === null || g.name)).toBe(
        true,
      );
    }
    const contractGroup = (
      await finance.get('/api/v1/receivables', { groupBy: 'contract', departmentId: department.id })
    ).body.items[1];
    expect(contractGroup.detail).toBeTruthy(); // the customer's name
    const page2 = await finance.get('/api/v1/receivables', {
      groupBy: 'contract',
      departmentId: department.id,
      pageSize: 2,
      page: 2,
    });
    expect(page2.body.items.map((g: { key: string }) => g.key)).toEqual([second.id]);
    expect(page2.body.totals).toEqual(all);
    const past = await finance.get('/api/v1/receivables', {
      groupBy: 'contract',
      departmentId: department.id,
      page: 9,
    });
    expect(past.body).toMatchObject({ items: [], total: 3, totals: all });
    const overdueFirst = await finance.get('/api/v1/receivables', {
      groupBy: 'contract',
      departmentId: department.id,
      sort: 'outstanding',
    });
    expect(overdueFirst.body.items.map((g: { key: string }) => g.key)).toEqual([second.id, first.id, third.id]);

    // Drill into the "no branch" group, and by a search.
    const none = await finance.get('/api/v1/receivables/terms', {
      groupBy: 'branch',
      key: 'none',
      departmentId: department.id,
    });
    expect(none.body.items.map((i: { outstanding: string }) => i.outstanding)).toEqual(['6000.00', '500.50']);
    const searched = await finance.get('/api/v1/receivables', { groupBy: 'contract', q: second.title });
    expect(searched.body.items.map((g: { key: string }) => g.key)).toEqual([second.id]);
    const byNumber = await finance.get('/api/v1/receivables/terms', { q: third.number! });
    expect(byNumber.body.items.map((i: { orderId: string }) => i.orderId)).toEqual([third.id]);
  });
});

describe('who sees receivables', () => {
  it('a salesperson sees only their own, a manager their department’s, finance all; without the grant it is 403', async () => {
    const department = await buildDepartment(db());
    const seller = await signedIn(t, { departmentId: department.id });
    const colleague = await signedIn(t, { departmentId: department.id });
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
    const mine = await buildContract(db(), [{ amount: '100.00', due: -3 }], { ownerId: seller.user.id });
    const theirs = await buildContract(db(), [{ amount: '250.00', due: -3 }], { ownerId: colleague.user.id });
    const outside = await buildContract(db(), [{ amount: '999.00', due: -3 }]);

    const keys = async (client: Client) =>
      (await client.get('/api/v1/receivables', { groupBy: 'contract', pageSize: 100 })).body.items.map(
        (g: { key: string }) => g.key,
      );
    expect(await keys(seller.client)).toEqual([mine.id]);
    expect((await seller.client.get('/api/v1/receivables', { groupBy: 'contract' })).body.totals.outstanding).toBe(
      '100.00',
    );
    expect(await keys(manager.client)).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    expect(await keys(manager.client)).not.toContain(outside.id);
    const financeSees = await finance.get('/api/v1/receivables/terms', { contractId: outside.id });
    expect(financeSees.body.items).toHaveLength(1);
    expect((await seller.client.get('/api/v1/receivables/terms', { contractId: theirs.id })).body.items).toEqual([]);
    const staff = await signedIn(t, { roleCode: 'staff' });
    expect((await staff.client.get('/api/v1/receivables')).status).toBe(403);
    expect((await staff.client.get('/api/v1/receipts')).status).toBe(403);
    expect((await seller.client.get('/api/v1/receivables', { groupBy: 'region' })).status).toBe(400);
  });

  it('shows a salesperson the payments due on their contracts on Today, longest overdue first — not those paid, not yet due, or a colleague’s', async () => {
    const seller = await signedIn(t);
    const colleague = await signedIn(t, { departmentId: seller.user.departmentId });
    const contract = await buildContract(
      db(),
      [
        { amount: '3000.00', due: -12 },
        { amount: '2000.00', due: 0, received: '500.00' },
        { amount: '1000.00', due: -40, received: '1000.00' },
        { amount: '4000.00', due: 3 },
      ],
      { ownerId: seller.user.id },
    );
    const order = await buildOrder(db(), [{ amount: '800.00', due: -30 }], { ownerId: seller.user.id });
    await buildContract(db(), [{ amount: '5.00', due: -1 }], { ownerId: colleague.user.id });
    await buildContract(db(), [{ amount: '6.00', due: -1 }], { ownerId: seller.user.id, status: 'voided' });
    const res = await seller.client.get('/api/v1/today');
    expect(res.status).toBe(200);
    expect(
      res.body.paymentsDue.map((p: { termId: string; outstanding: string; daysOverdue: number }) => [
        p.termId,
        p.outstanding,
        p.daysOverdue,
      ]),
    ).toEqual([
      [order.terms[0].id, '800.00', 30],
      [contract.terms[0].id, '3000.00', 12],
      [contract.terms[1].id, '1500.00', 0],
    ]);
    expect(res.body.paymentsDue[1]).toMatchObject({ contractId: contract.id, position: 1, kind: 'progress' });
    const staff = await signedIn(t, { roleCode: 'staff' });
    expect((await staff.client.get('/api/v1/today')).body.paymentsDue).toEqual([]);
  });
});

describe('the export', () => {
  it('is an .xlsx that opens, with a row per group, the totals, and every open term behind them', async () => {
    const department = await buildDepartment(db());
    const owner = await signedIn(t, { departmentId: department.id });
    const first = await buildContract(
      db(),
      [
        { amount: '1234.56', due: -45 },
        { amount: '100.00', due: null },
      ],
      { ownerId: owner.user.id },
    );
    const second = await buildContract(db(), [{ amount: '99.99', due: -200 }], { ownerId: owner.user.id });
    const res = await finance.request(
      'GET',
      `/api/v1/receivables/export.xlsx?groupBy=contract&departmentId=${department.id}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(String(res.headers['content-disposition'])).toContain(encodeURIComponent(`应收账款-${today()}.xlsx`));
    const raw = await t.app.inject({
      method: 'GET',
      url: `/api/v1/receivables/export.xlsx?groupBy=contract&departmentId=${department.id}`,
      headers: { cookie: finance.cookie! },
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(raw.rawPayload as unknown as ArrayBuffer);
    const [groups, terms] = workbook.worksheets;
    expect(groups.name).toBe('应收账款');
    const values = (sheet: ExcelJS.Worksheet) =>
      sheet
        .getSheetValues()
        .filter(Boolean)
        .map((row) => (row as unknown[]).slice(1));
    const groupRows = values(groups);
    expect(groupRows[0]).toEqual([`统计日: ${today()}`]);
    expect(groupRows[1]).toEqual([
      '合同 / 订单',
      '客户',
      '未收金额',
      '未到期',
      '逾期 1–30 天',
      '逾期 31–90 天',
      '逾期 91–180 天',
      '逾期 180 天以上',
      '未结条款数',
    ]);
    // First: 1,334.56 (1,234.56 at 45 days, 100 not due); second: 99.99 over 180 days; then the totals.
    expect(groupRows.slice(2).map((r) => r.slice(2))).toEqual([
      [1334.56, 100, 0, 1234.56, 0, 0, 2],
      [99.99, 0, 0, 0, 0, 99.99, 1],
      [1434.55, 100, 0, 1234.56, 0, 99.99, 3],
    ]);
    expect(groupRows[4][0]).toBe('合计');
    const termRows = values(terms);
    expect(termRows).toHaveLength(4);
    expect(termRows[0][0]).toBe('客户');
    expect(termRows.slice(1).map((r) => [r[1], r[4], r[6], r[10], r[11], r[12]])).toEqual([
      [second.number, 1, day(-200), 99.99, 200, '逾期 180 天以上'],
      [first.number, 1, day(-45), 1234.56, 45, '逾期 31–90 天'],
      [first.number, 2, undefined, 100, undefined, '未到期'],
    ]);
  });
});
