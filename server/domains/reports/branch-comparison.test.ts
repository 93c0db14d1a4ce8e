import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportAnswer } from '../../../common/schemas/reports';
import type { Db } from '../../db/client';
import { searchTextOf } from '../../lib/search-text';
import {
  buildBranch,
  buildBusinessLine,
  buildDepartment,
  buildUser,
  setDepartmentManager,
  signedIn,
} from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { contracts, orders } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { users } from '../staff/staff.tables';
import { exportedRows } from './test-support';

/**
 * 分所业绩对比: orders (count and amount) by branch against the same period a year earlier, and month by month. The
 * expected figures are added up here from the orders this test makes, in fen.
 */
let t: TestApp;
let db: Db;
let exec: Client;
let line: string;
let beijing: string;
let shanghai: string;
let empty: string;
let managerDept: string;
let manager: Client;

const PERIOD = { from: '2025-01-01', to: '2025-12-31' };

async function order(
  spec: {
    owner: string;
    amount: string;
    confirmedOn: string;
    status?: 'confirmed' | 'completed' | 'draft' | 'cancelled';
  },
  contractBranch?: string,
) {
  const [owner] = await db.select().from(users).where(eq(users.id, spec.owner));
  const name = uniq('对比客户');
  const [customer] = await db
    .insert(customers)
    .values({ name, ownerId: spec.owner, searchText: searchTextOf([name]) })
    .returning();
  let contractId: string | null = null;
  if (contractBranch) {
    const [c] = await db
      .insert(contracts)
      .values({
        title: uniq('合同'),
        customerId: customer.id,
        businessLineId: line,
        ownerId: spec.owner,
        departmentId: owner.departmentId!,
        branchId: contractBranch,
        amount: spec.amount,
        status: 'signed',
      })
      .returning();
    contractId = c.id;
  }
  await db.insert(orders).values({
    title: uniq('订单'),
    contractId,
    customerId: customer.id,
    businessLineId: line,
    ownerId: spec.owner,
    departmentId: owner.departmentId!,
    amount: spec.amount,
    status: spec.status ?? 'confirmed',
    confirmedOn: spec.confirmedOn,
  });
}

async function sellerIn(branchId: string, departmentId?: string) {
  const user = await buildUser(db, { departmentId });
  await db.update(users).set({ branchId }).where(eq(users.id, user.id));
  return user.id;
}

const rowOf = (answer: ReportAnswer, key: string) => answer.tables[0].rows.find((r) => r.key === key);

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db;
  line = (await buildBusinessLine(db)).id;
  beijing = (await buildBranch(db, uniq('北京'))).id;
  shanghai = (await buildBranch(db, uniq('上海'))).id;
  empty = (await buildBranch(db, uniq('西宁'))).id;
  exec = (await signedIn(t, { roleCode: 'executive' })).client;
  managerDept = (await buildDepartment(db)).id;
  const m = await signedIn(t, { roleCode: 'manager', departmentId: managerDept });
  await setDepartmentManager(db, managerDept, m.user.id);
  manager = m.client;

  const bj = await sellerIn(beijing, managerDept);
  const sh = await sellerIn(shanghai);
  // 北京 in 2025: two orders (one completed), one on the period's last day; one order the day after is 2026's.
  await order({ owner: bj, amount: '120000.50', confirmedOn: '2025-01-01' });
  await order({ owner: bj, amount: '30000.25', confirmedOn: '2025-12-31', status: 'completed' });
  await order({ owner: bj, amount: '99999.99', confirmedOn: '2026-01-01' });
  // Not orders: a draft and a cancelled one.
  await order({ owner: bj, amount: '5000', confirmedOn: '2025-06-01', status: 'draft' });
  await order({ owner: bj, amount: '7000', confirmedOn: '2025-06-01', status: 'cancelled' });
  // 上海: one in 2025 — and one by the 北京 seller whose contract was signed by 上海 (the contract's branch wins).
  await order({ owner: sh, amount: '80000', confirmedOn: '2025-03-15' });
  await order({ owner: bj, amount: '10000.10', confirmedOn: '2025-03-20' }, shanghai);
  // A year earlier (2024): 北京 one order.
  await order({ owner: bj, amount: '100000', confirmedOn: '2024-05-05' });
});
afterAll(() => t.close());

describe('branch comparison', () => {
  it('adds up each branch’s orders of the period against a year earlier, a branch without orders as zeros', async () => {
    const res = await exec.get('/api/v1/reports/branch-comparison', { ...PERIOD, businessLineId: line });
    expect(res.status).toBe(200);
    const answer = res.body as ReportAnswer;
    const bj = rowOf(answer, beijing)!;
    expect(bj.cells).toMatchObject({ orders: 2, amount: '150000.75', prevOrders: 1, prevAmount: '100000.00' });
    // (150000.75 − 100000) / 100000 = 50.00075 % → 50.0
    expect(bj.cells.change).toBe('50.0');
    expect(rowOf(answer, shanghai)!.cells).toMatchObject({
      orders: 2,
      amount: '90000.10',
      prevOrders: 0,
      change: null,
    });
    expect(rowOf(answer, empty)!.cells).toMatchObject({ orders: 0, amount: '0.00', prevOrders: 0, prevAmount: '0.00' });
    expect(answer.tables[0].total!.cells).toMatchObject({ orders: 4, amount: '240000.85', prevAmount: '100000.00' });
    expect(answer.headline).toContain('62.5'); // 150000.75 / 240000.85 = 62.49… %
    expect(bj.drill!.amount).toEqual({
      path: '/orders',
      query: { businessLineId: line, branchId: beijing, confirmedFrom: PERIOD.from, confirmedTo: PERIOD.to },
    });
  });

  it('gives month by month a column per branch', async () => {
    const res = await exec.get('/api/v1/reports/branch-comparison', { ...PERIOD, businessLineId: line, by: 'month' });
    expect(res.status).toBe(200);
    const answer = res.body as ReportAnswer;
    expect(answer.tables[0].rows.map((r) => r.key)).toHaveLength(12);
    expect(rowOf(answer, '2025-01')!.cells[`amount:${beijing}`]).toBe('120000.50');
    expect(rowOf(answer, '2025-03')!.cells[`amount:${shanghai}`]).toBe('90000.10');
    expect(rowOf(answer, '2025-12')!.cells).toMatchObject({ [`amount:${beijing}`]: '30000.25', amount: '30000.25' });
    expect(answer.tables[0].total!.cells.amount).toBe('240000.85');
  });

  it('shows a manager only his department’s orders', async () => {
    const res = await manager.get('/api/v1/reports/branch-comparison', { ...PERIOD, businessLineId: line });
    expect(res.status).toBe(200);
    const answer = res.body as ReportAnswer;
    // The 北京 seller is in his department; the 上海 seller is not — but the 北京 seller's 上海-signed order is.
    expect(rowOf(answer, beijing)!.cells).toMatchObject({ orders: 2, amount: '150000.75' });
    expect(rowOf(answer, shanghai)!.cells).toMatchObject({ orders: 1, amount: '10000.10' });
  });

  it('exports exactly the page’s figures as .xlsx', async () => {
    const query = new URLSearchParams({ ...PERIOD, businessLineId: line }).toString();
    const page = (await exec.get(`/api/v1/reports/branch-comparison?${query}`)).body as ReportAnswer;
    const values = await exportedRows(t, exec, 'branch-comparison', query);
    const last = values.at(-1)!;
    expect(last[0]).toBe(page.tables[0].total!.cells.branch);
    expect(last[2]).toBe(240000.85);
    const bjName = rowOf(page, beijing)!.cells.branch;
    expect(values.find((v) => v[0] === bjName)!.slice(1, 5)).toEqual([2, 150000.75, 1, 100000]);
  });

  it('refuses a preset with dates, an end before the start and an unknown branch, with a clear message', async () => {
    const both = await exec.get('/api/v1/reports/branch-comparison', { period: 'last-year', from: '2025-01-01' });
    expect(both.status).toBe(400);
    expect(both.body.error.code).toBe('VALIDATION_FAILED');
    const order = await exec.get('/api/v1/reports/branch-comparison', { from: '2025-02-01', to: '2025-01-01' });
    expect(order.status).toBe(400);
    expect(JSON.stringify(order.body.error.details)).toContain('结束日期不能早于开始日期');
    const unknown = await exec.get('/api/v1/reports/branch-comparison', {
      ...PERIOD,
      branchId: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.error.details)).toContain('branchId');
    const bad = await exec.get('/api/v1/reports/branch-comparison', { ...PERIOD, by: 'year' });
    expect(bad.status).toBe(400);
  });

  it('resolves last year in the firm’s time zone', async () => {
    const res = await exec.get('/api/v1/reports/branch-comparison', { period: 'last-year', businessLineId: line });
    expect(res.status).toBe(200);
    const year = Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4)) - 1;
    expect(res.body).toMatchObject({ from: `${year}-01-01`, to: `${year}-12-31` });
  });

  it('is listed in the reader’s catalogue in their language', async () => {
    const zh = await exec.get('/api/v1/reports');
    expect(zh.body.items).toContainEqual(expect.objectContaining({ kind: 'branch-comparison', title: '分所业绩对比' }));
    const english = (await signedIn(t, { roleCode: 'executive' })).client;
    expect((await english.patch('/api/v1/auth/me', { locale: 'en-US' })).status).toBe(200);
    const en = await english.get('/api/v1/reports');
    expect(en.body.items).toContainEqual(
      expect.objectContaining({ kind: 'branch-comparison', title: 'Branch comparison' }),
    );
  });
});
