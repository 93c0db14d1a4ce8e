import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportAnswer, ReportDrill } from '../../../common/schemas/reports';
import type { Db } from '../../db/client';
import { searchTextOf } from '../../lib/search-text';
import { buildBusinessLine, buildDepartment, buildUser, setDepartmentManager, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { customers } from '../customers/customers.tables';
import { opportunities, pipelineStages } from '../opportunities/opportunities.tables';
import { exportedRows } from './test-support';

/**
 * 销售预测: the open opportunities' expected and weighted amounts by expected close month. The opportunities are rows
 * made here; the expected figures are added up below in fen (bigint), each weighted amount rounded half up on its
 * own before adding; every figure's drill-down is opened on the opportunities list and its totals.
 */
let t: TestApp;
let db: Db;
let exec: Client;
let manager: Client;
let line: string;
let teamDept: string;

type Spec = {
  key: string;
  closeOn: string | null;
  amount: string | null;
  probability: number;
  status?: 'open' | 'won' | 'lost';
  team?: boolean;
};
const specs: Spec[] = [
  { key: 'jan-a', closeOn: '2026-01-15', amount: '10000.05', probability: 25 }, // 2500.0125 → 2500.01
  { key: 'jan-b', closeOn: '2026-01-31', amount: '333.33', probability: 15 }, // 49.9995 → 50.00
  { key: 'feb-no-amount', closeOn: '2026-02-01', amount: null, probability: 30 },
  { key: 'feb-other', closeOn: '2026-02-15', amount: '5000', probability: 50, team: false },
  { key: 'mar-last-day', closeOn: '2026-03-31', amount: '100.10', probability: 5 }, // 5.005 → 5.01 (half up)
  { key: 'overdue', closeOn: '2025-12-31', amount: '1000', probability: 40 },
  { key: 'undated', closeOn: null, amount: '200.50', probability: 10 },
  { key: 'after', closeOn: '2026-04-01', amount: '7777', probability: 60 },
  { key: 'lost', closeOn: '2026-02-10', amount: '9999', probability: 0, status: 'lost' },
  { key: 'won', closeOn: '2026-02-11', amount: '8888', probability: 100, status: 'won' },
];
const ids = new Map<string, string>();
const PERIOD = { from: '2026-01-01', to: '2026-03-31' };

function fenOf(text: string | null): bigint {
  if (!text) return 0n;
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
}
const yuan = (fen: bigint) => `${fen / 100n}.${String(fen % 100n).padStart(2, '0')}`;
/** amount × p %, half up to the fen (amounts are never negative). */
const weightedFen = (s: Spec) => (fenOf(s.amount) * BigInt(s.probability) + 50n) / 100n;

/** The open ones of a bucket ('overdue', 'undated' or a month), added up by hand. */
function bucket(which: Spec[], key: string) {
  const inIt = which.filter(
    (s) =>
      (s.status ?? 'open') === 'open' &&
      (key === 'undated'
        ? s.closeOn === null
        : key === 'overdue'
          ? s.closeOn !== null && s.closeOn < PERIOD.from
          : s.closeOn?.slice(0, 7) === key),
  );
  return {
    ids: inIt.map((s) => ids.get(s.key)!).sort(),
    count: inIt.length,
    amount: yuan(inIt.reduce((sum, s) => sum + fenOf(s.amount), 0n)),
    weighted: yuan(inIt.reduce((sum, s) => sum + weightedFen(s), 0n)),
  };
}
const BUCKETS = ['overdue', 'undated', '2026-01', '2026-02', '2026-03'];

async function listed(client: Client, drill: ReportDrill) {
  expect(drill.path).toBe('/opportunities');
  const { mode, ...query } = drill.query;
  expect(mode).toBe('list');
  const list = await client.get('/api/v1/opportunities', { ...query, pageSize: 100 });
  const totals = await client.get('/api/v1/opportunities/totals', query);
  expect([list.status, totals.status]).toEqual([200, 200]);
  return {
    ids: (list.body.items as { id: string }[]).map((o) => o.id).sort(),
    weighted: totals.body.weightedAmount as string,
  };
}

async function check(client: Client, answer: ReportAnswer, which: Spec[]) {
  expect(answer.tables[0].rows.map((r) => r.key)).toEqual(BUCKETS);
  for (const key of BUCKETS) {
    const row = answer.tables[0].rows.find((r) => r.key === key)!;
    const want = bucket(which, key);
    expect({ key, ...row.cells, month: undefined }).toEqual({
      key,
      count: want.count,
      amount: want.amount,
      weighted: want.weighted,
      month: undefined,
    });
    // The list behind the figure: the same opportunities, and its totals the same weighted amount.
    expect({ key, ...(await listed(client, row.drill!.weighted)) }).toEqual({
      key,
      ids: want.ids,
      weighted: want.weighted,
    });
  }
  const all = BUCKETS.map((k) => bucket(which, k));
  expect(answer.tables[0].total!.cells).toMatchObject({
    count: all.reduce((n, b) => n + b.count, 0),
    weighted: yuan(all.reduce((n, b) => n + fenOf(b.weighted), 0n)),
    amount: yuan(all.reduce((n, b) => n + fenOf(b.amount), 0n)),
  });
}

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db;
  line = (await buildBusinessLine(db)).id;
  teamDept = (await buildDepartment(db)).id;
  const otherDept = (await buildDepartment(db)).id;
  exec = (await signedIn(t, { roleCode: 'executive' })).client;
  const m = await signedIn(t, { roleCode: 'manager', departmentId: teamDept });
  await setDepartmentManager(db, teamDept, m.user.id);
  manager = m.client;
  const mine = await buildUser(db, { departmentId: teamDept });
  const other = await buildUser(db, { departmentId: otherDept });
  const stages = await db
    .select()
    .from(pipelineStages)
    .where(and(isNull(pipelineStages.businessLineId), eq(pipelineStages.active, true)));
  const stageOf = (status: string) =>
    stages.find((s) => (status === 'open' ? s.kind === 'open' : s.kind === status))!.id;
  for (const s of specs) {
    const owner = s.team === false ? other : mine;
    const name = uniq('预测客户');
    const [customer] = await db
      .insert(customers)
      .values({ name, ownerId: owner.id, searchText: searchTextOf([name]) })
      .returning();
    const oppName = uniq(`预测机会${s.key}`);
    const [row] = await db
      .insert(opportunities)
      .values({
        name: oppName,
        customerId: customer.id,
        businessLineId: line,
        stageId: stageOf(s.status ?? 'open'),
        status: s.status ?? 'open',
        probability: s.probability,
        expectedAmount: s.amount,
        expectedCloseOn: s.closeOn,
        ownerId: owner.id,
        departmentId: owner.departmentId,
        searchText: searchTextOf([oppName, name]),
      })
      .returning();
    ids.set(s.key, row.id);
  }
});
afterAll(() => t.close());

describe('pipeline forecast', () => {
  it('adds up the open pipeline by close month (every month a row), overdue and undated first', async () => {
    const res = await exec.get('/api/v1/reports/pipeline-forecast', { ...PERIOD, businessLineId: line });
    expect(res.status).toBe(200);
    const answer = res.body as ReportAnswer;
    await check(exec, answer, specs);
    // Read off the hand sums: January 2500.01 + 50.00; March's 5.005 rounds up; the overdue and undated rows.
    const rows = Object.fromEntries(answer.tables[0].rows.map((r) => [r.key, r.cells]));
    expect(rows['2026-01']).toMatchObject({ count: 2, amount: '10333.38', weighted: '2550.01' });
    expect(rows['2026-03']).toMatchObject({ count: 1, weighted: '5.01' });
    expect(rows['2026-02']).toMatchObject({ count: 2, amount: '5000.00', weighted: '2500.00' });
    expect(rows.overdue).toMatchObject({ month: '逾期（预计结单早于 2026-01-01）', count: 1, weighted: '400.00' });
    expect(rows.undated).toMatchObject({ count: 1, weighted: '20.05' });
    expect(answer.headline).toBe(
      '期间内预计结单 5 个机会，加权金额 ¥5,055.02（预计金额 ¥15,433.48）；另有逾期或未定日期的 2 个，加权 ¥420.05',
    );
    expect(answer.tables[0].rows[2].drill!.amount).toEqual({
      path: '/opportunities',
      query: {
        mode: 'list',
        status: 'open',
        businessLineId: line,
        closeFrom: '2026-01-01',
        closeTo: '2026-01-31',
      },
    });
  });

  it('cuts the first and last months at the period’s ends', async () => {
    const res = await exec.get('/api/v1/reports/pipeline-forecast', {
      from: '2026-01-16',
      to: '2026-03-30',
      businessLineId: line,
    });
    const rows = Object.fromEntries((res.body as ReportAnswer).tables[0].rows.map((r) => [r.key, r]));
    // 15 January is now overdue; 31 March is after the period.
    expect(rows.overdue.cells).toMatchObject({ count: 2, weighted: '2900.01' });
    expect(rows['2026-01'].cells).toMatchObject({ count: 1, weighted: '50.00' });
    expect(rows['2026-03'].cells).toMatchObject({ count: 0, amount: '0.00', weighted: '0.00' });
    expect(rows['2026-01'].drill!.count.query).toMatchObject({ closeFrom: '2026-01-16', closeTo: '2026-01-31' });
    expect(rows.overdue.drill!.count.query).toMatchObject({ closeTo: '2026-01-15' });
    expect((await listed(exec, rows.overdue.drill!.count)).ids).toEqual([ids.get('jan-a'), ids.get('overdue')].sort());
  });

  it('shows a manager only his department’s pipeline', async () => {
    const res = await manager.get('/api/v1/reports/pipeline-forecast', { ...PERIOD, businessLineId: line });
    expect(res.status).toBe(200);
    await check(
      manager,
      res.body as ReportAnswer,
      specs.filter((s) => s.team !== false),
    );
    expect((res.body as ReportAnswer).tables[0].rows[3].cells).toMatchObject({ count: 1, weighted: '0.00' });
  });

  it('exports the page’s figures as .xlsx with the same total', async () => {
    const query = new URLSearchParams({ ...PERIOD, businessLineId: line }).toString();
    const page = (await exec.get(`/api/v1/reports/pipeline-forecast?${query}`)).body as ReportAnswer;
    const values = await exportedRows(t, exec, 'pipeline-forecast', query);
    const total = page.tables[0].total!.cells;
    expect(values.at(-1)).toEqual([total.month, total.count, Number(total.amount), Number(total.weighted)]);
    expect(total.weighted).toBe('5475.07');
  });

  it('refuses an option it does not have', async () => {
    expect((await exec.get('/api/v1/reports/pipeline-forecast', { ...PERIOD, by: 'stage' })).status).toBe(400);
  });
});
