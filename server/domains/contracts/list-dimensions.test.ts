import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client';
import { searchTextOf } from '../../lib/search-text';
import {
  buildBranch,
  buildBusinessLine,
  buildDepartment,
  buildRegion,
  buildUser,
  signedIn,
} from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { customers } from '../customers/customers.tables';
import { users } from '../staff/staff.tables';
import { contracts, orders } from './contracts.tables';

/**
 * The filters the reports' drill-down (销售报表) opens the orders and contracts lists with: the branch (the contract's,
 * else the owner's), confirmed / signed dates, business line, the customer's region, the department subtree, owner.
 */
let t: TestApp;
let db: Db;
let exec: Client;
let line: string;
let beijing: string;
let shanghai: string;
let west: string;
let parent: string;
let child: string;
let bjSeller: string;
let shSeller: string;
const made: Record<string, string> = {};

async function record(
  key: string,
  spec: { owner: string; confirmedOn: string; contractBranch?: string; region?: string; voided?: boolean },
) {
  const [owner] = await db.select().from(users).where(eq(users.id, spec.owner));
  const name = uniq('筛选客户');
  const [customer] = await db
    .insert(customers)
    .values({ name, ownerId: spec.owner, searchText: searchTextOf([name]), regionId: spec.region ?? null })
    .returning();
  let contractId: string | null = null;
  if (spec.contractBranch !== undefined) {
    const [c] = await db
      .insert(contracts)
      .values({
        title: uniq(`合同${key}`),
        customerId: customer.id,
        businessLineId: line,
        ownerId: spec.owner,
        departmentId: owner.departmentId!,
        branchId: spec.contractBranch || null,
        amount: '100',
        status: spec.voided ? 'voided' : 'signed',
        signedOn: spec.confirmedOn,
      })
      .returning();
    contractId = c.id;
    made[`contract:${key}`] = c.id;
  }
  const [o] = await db
    .insert(orders)
    .values({
      title: uniq(`订单${key}`),
      contractId,
      customerId: customer.id,
      businessLineId: line,
      ownerId: spec.owner,
      departmentId: owner.departmentId!,
      amount: '100',
      status: 'confirmed',
      confirmedOn: spec.confirmedOn,
    })
    .returning();
  made[key] = o.id;
}

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db;
  line = (await buildBusinessLine(db)).id;
  beijing = (await buildBranch(db, uniq('北京'))).id;
  shanghai = (await buildBranch(db, uniq('上海'))).id;
  west = (await buildBranch(db, uniq('西宁'))).id;
  const region = (await buildRegion(db, uniq('西北'))).id;
  parent = (await buildDepartment(db)).id;
  child = (await buildDepartment(db, { parentId: parent })).id;
  exec = (await signedIn(t, { roleCode: 'executive' })).client;
  const seller = async (branchId: string, departmentId: string) => {
    const user = await buildUser(db, { departmentId });
    await db.update(users).set({ branchId }).where(eq(users.id, user.id));
    return user.id;
  };
  bjSeller = await seller(beijing, child);
  shSeller = await seller(shanghai, (await buildDepartment(db)).id);
  // a: 北京's (owner), no contract; b: 上海's (its contract's branch) though sold by the 北京 seller;
  // c: 上海's (owner), in 西北, confirmed on the range's last day; d: the day after; e: 北京 seller, contract without a branch.
  await record('a', { owner: bjSeller, confirmedOn: '2025-01-01' });
  await record('b', { owner: bjSeller, confirmedOn: '2025-03-20', contractBranch: shanghai });
  await record('c', { owner: shSeller, confirmedOn: '2025-12-31', region });
  await record('d', { owner: shSeller, confirmedOn: '2026-01-01', region });
  await record('e', { owner: bjSeller, confirmedOn: '2025-06-01', contractBranch: '' });
  await record('v', { owner: bjSeller, confirmedOn: '2025-06-02', contractBranch: beijing, voided: true });
  made.region = region;
});
afterAll(() => t.close());

const ids = async (path: string, query: Record<string, string>) => {
  const res = await exec.get(path, { ...query, pageSize: '100' });
  expect(res.status).toBe(200);
  return (res.body.items as { id: string }[]).map((i) => i.id).sort();
};
const of = (...keys: string[]) => keys.map((k) => made[k]).sort();

describe('the orders list’s drill-down filters', () => {
  it('filters by branch — the contract’s, else the owner’s — and by confirmed dates, both ends included', async () => {
    const base = { businessLineId: line, confirmedFrom: '2025-01-01', confirmedTo: '2025-12-31' };
    expect(await ids('/api/v1/orders', { ...base, branchId: beijing })).toEqual(of('a', 'e', 'v'));
    expect(await ids('/api/v1/orders', { ...base, branchId: shanghai })).toEqual(of('b', 'c'));
    expect(await ids('/api/v1/orders', { ...base, branchId: west })).toEqual([]);
    expect(await ids('/api/v1/orders', { businessLineId: line, confirmedFrom: '2026-01-01' })).toEqual(of('d'));
  });

  it('filters by the customer’s region, the department subtree, the owner and orders without a contract', async () => {
    expect(await ids('/api/v1/orders', { businessLineId: line, regionId: made.region })).toEqual(of('c', 'd'));
    expect(await ids('/api/v1/orders', { businessLineId: line, departmentId: parent })).toEqual(of('a', 'b', 'e', 'v'));
    expect(await ids('/api/v1/orders', { businessLineId: line, ownerId: shSeller })).toEqual(of('c', 'd'));
    expect(await ids('/api/v1/orders', { businessLineId: line, withoutContract: 'true' })).toEqual(of('a', 'c', 'd'));
  });

  it('refuses a date that is not one', async () => {
    const res = await exec.get('/api/v1/orders', { confirmedFrom: '2025-13-01' });
    expect(res.status).toBe(400);
  });
});

describe('the contracts list’s drill-down filters', () => {
  it('lists the contracts signed in a range that stand signed, by branch and department', async () => {
    const range = { businessLineId: line, signedFrom: '2025-01-01', signedTo: '2025-12-31' };
    expect(await ids('/api/v1/contracts', range)).toEqual(of('contract:b', 'contract:e'));
    expect(await ids('/api/v1/contracts', { ...range, branchId: beijing })).toEqual(of('contract:e'));
    expect(await ids('/api/v1/contracts', { ...range, branchId: shanghai })).toEqual(of('contract:b'));
    expect(await ids('/api/v1/contracts', { ...range, departmentId: parent })).toEqual(of('contract:b', 'contract:e'));
    expect(await ids('/api/v1/contracts', { ...range, signedTo: '2025-05-31' })).toEqual(of('contract:b'));
  });
});
