import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportAnswer } from '../../../common/schemas/reports';
import type { Db } from '../../db/client';
import { searchTextOf } from '../../lib/search-text';
import {
  buildBranch,
  buildBusinessLine,
  buildDepartment,
  buildOpportunity,
  buildRegion,
  buildUser,
  setDepartmentManager,
  signedIn,
} from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { campaigns } from '../campaigns/campaigns.tables';
import { leads } from '../leads/leads.tables';
import { opportunities } from '../opportunities/opportunities.tables';
import { users } from '../staff/staff.tables';
import { exportedRows } from './test-support';

/**
 * 线索转化: of the leads created in the period, how many became opportunities and how many won sales. The expected
 * figures are counted here from the leads this test makes (their months from the instants plus eight hours).
 */
let t: TestApp;
let db: Db;
let exec: Client;
let manager: Client;
let line: string;
let north: string;
let south: string;
let campaign: string;
let branch: string;
let dept: string;
let mine: string; // a seller in the manager's department, in `branch`
let other: string; // a seller elsewhere

const PERIOD = { from: '2025-03-01', to: '2025-05-31' };

type Spec = {
  name: string;
  at: string;
  owner: string | null;
  region?: string;
  source?: string;
  campaign?: string;
  outcome?: 'open' | 'won' | 'lost';
  convertedAt?: string;
};
const specs: (Spec & { id: string })[] = [];

async function lead(spec: Spec) {
  let opportunityId: string | null = null;
  if (spec.outcome) {
    const opp = await buildOpportunity(t, { ownerId: spec.owner ?? mine, businessLineId: line });
    if (spec.outcome !== 'open')
      await db
        .update(opportunities)
        .set({ status: spec.outcome, closedAt: new Date(spec.convertedAt ?? spec.at) })
        .where(eq(opportunities.id, opp.id));
    opportunityId = opp.id;
  }
  const name = uniq(spec.name);
  const [row] = await db
    .insert(leads)
    .values({
      companyName: name,
      searchText: searchTextOf([name]),
      businessLineId: line,
      regionId: spec.region ?? null,
      source: spec.source ?? null,
      campaignId: spec.campaign ?? null,
      ownerId: spec.owner,
      queueDepartmentId: spec.owner ? null : dept,
      status: spec.outcome ? 'converted' : 'contacting',
      opportunityId,
      convertedAt: spec.outcome ? new Date(spec.convertedAt ?? spec.at) : null,
      createdAt: new Date(spec.at),
    })
    .returning();
  specs.push({ ...spec, id: row.id });
}

/** The month of an instant in Asia/Shanghai (eight hours ahead of UTC all year), counted without the database. */
const shanghaiMonth = (at: string) => new Date(Date.parse(at) + 8 * 3600_000).toISOString().slice(0, 7);
const inPeriod = (s: Spec) => {
  const day = new Date(Date.parse(s.at) + 8 * 3600_000).toISOString().slice(0, 10);
  return day >= PERIOD.from && day <= PERIOD.to;
};
const expected = (list: Spec[]) => {
  const created = list.length;
  const converted = list.filter((s) => s.outcome).length;
  const won = list.filter((s) => s.outcome === 'won').length;
  const share = (n: number) => (created ? (Math.round((n * 1000) / created) / 10).toFixed(1) : null);
  return { created, converted, won, convertedShare: share(converted), wonShare: share(won) };
};
const rowOf = (answer: ReportAnswer, key: string) => answer.tables[0].rows.find((r) => r.key === key);
const idsOf = (list: { id: string }[]) => list.map((l) => l.id).sort();

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db;
  line = (await buildBusinessLine(db)).id;
  north = (await buildRegion(db, uniq('西北'))).id;
  south = (await buildRegion(db, uniq('华南'))).id;
  branch = (await buildBranch(db, uniq('西安'))).id;
  dept = (await buildDepartment(db)).id;
  exec = (await signedIn(t, { roleCode: 'executive' })).client;
  const m = await signedIn(t, { roleCode: 'manager', departmentId: dept });
  await setDepartmentManager(db, dept, m.user.id);
  manager = m.client;
  mine = (await buildUser(db, { departmentId: dept })).id;
  await db.update(users).set({ branchId: branch }).where(eq(users.id, mine));
  other = (await buildUser(db)).id;
  const [c] = await db
    .insert(campaigns)
    .values({ name: uniq('年审讲座'), type: 'seminar', ownerId: other })
    .returning();
  campaign = c.id;

  // Created in March (Shanghai), converted in April, and won: March's row.
  await lead({
    name: '三月线索',
    at: '2025-03-10T02:00:00Z',
    owner: mine,
    region: north,
    source: '讲座',
    campaign,
    outcome: 'won',
    convertedAt: '2025-04-02T03:00:00Z',
  });
  // One second before midnight Shanghai on 1 April: still March.
  await lead({ name: '三月末', at: '2025-03-31T15:59:59Z', owner: mine, region: north, source: '讲座' });
  // Midnight Shanghai on 1 April (16:00 UTC the day before): April's; converted, its opportunity still open.
  await lead({ name: '四月初', at: '2025-03-31T16:00:00Z', owner: other, region: south, outcome: 'open' });
  // Midnight Shanghai on 1 March: in the period (March); converted, its opportunity lost.
  await lead({ name: '三月初', at: '2025-02-28T16:00:00Z', owner: other, region: south, outcome: 'lost' });
  // One second before it: February, outside the period.
  await lead({ name: '二月末', at: '2025-02-28T15:59:59Z', owner: mine, region: north, outcome: 'won' });
  // In the manager's queue, no region, no source: April.
  await lead({ name: '排队线索', at: '2025-04-20T04:00:00Z', owner: null, campaign });
  // After the period (1 June Shanghai).
  await lead({ name: '六月', at: '2025-05-31T16:00:00Z', owner: other, region: south });
});
afterAll(() => t.close());

describe('lead conversion', () => {
  it('counts each month’s created leads, converted and won, by the month they were created in (every month a row)', async () => {
    const res = await exec.get('/api/v1/reports/lead-conversion', { ...PERIOD, businessLineId: line });
    expect(res.status).toBe(200);
    const answer = res.body as ReportAnswer;
    expect(answer.tables[0].rows.map((r) => r.key)).toEqual(['2025-03', '2025-04', '2025-05']);
    const within = specs.filter(inPeriod);
    for (const month of ['2025-03', '2025-04', '2025-05']) {
      expect(rowOf(answer, month)!.cells).toMatchObject(expected(within.filter((s) => shanghaiMonth(s.at) === month)));
    }
    // March: the lead converted in April is March's, with its win; the one made at midnight on 1 March too.
    expect(rowOf(answer, '2025-03')!.cells).toMatchObject({ created: 3, converted: 2, won: 1, wonShare: '33.3' });
    expect(rowOf(answer, '2025-05')!.cells).toMatchObject({ created: 0, converted: 0, convertedShare: null });
    expect(answer.tables[0].total!.cells).toMatchObject(expected(within));
    expect(answer.headline).toContain('5');
  });

  it('groups by region, source and campaign, with the leads without one as their own row', async () => {
    const within = specs.filter(inPeriod);
    const byRegion = (
      await exec.get('/api/v1/reports/lead-conversion', { ...PERIOD, businessLineId: line, by: 'region' })
    ).body as ReportAnswer;
    expect(rowOf(byRegion, north)!.cells).toMatchObject(expected(within.filter((s) => s.region === north)));
    expect(rowOf(byRegion, south)!.cells).toMatchObject(expected(within.filter((s) => s.region === south)));
    expect(rowOf(byRegion, 'none')!.cells).toMatchObject(expected(within.filter((s) => !s.region)));
    expect(rowOf(byRegion, 'none')!.drill).toBeUndefined();

    const bySource = (
      await exec.get('/api/v1/reports/lead-conversion', { ...PERIOD, businessLineId: line, by: 'source' })
    ).body as ReportAnswer;
    expect(rowOf(bySource, '讲座')!.cells).toMatchObject(expected(within.filter((s) => s.source === '讲座')));

    const byCampaign = (
      await exec.get('/api/v1/reports/lead-conversion', { ...PERIOD, businessLineId: line, by: 'campaign' })
    ).body as ReportAnswer;
    expect(rowOf(byCampaign, campaign)!.cells).toMatchObject(expected(within.filter((s) => s.campaign === campaign)));
    expect(byCampaign.tables[0].rows).toHaveLength(2); // the campaign, and none
  });

  it('drills down to exactly the leads behind each figure', async () => {
    const answer = (await exec.get('/api/v1/reports/lead-conversion', { ...PERIOD, businessLineId: line }))
      .body as ReportAnswer;
    const march = rowOf(answer, '2025-03')!;
    const marchLeads = specs.filter((s) => inPeriod(s) && shanghaiMonth(s.at) === '2025-03');
    for (const [column, wanted] of [
      ['created', marchLeads],
      ['converted', marchLeads.filter((s) => s.outcome)],
      ['won', marchLeads.filter((s) => s.outcome === 'won')],
    ] as const) {
      const drill = march.drill![column];
      expect(drill.path).toBe('/leads');
      const list = await exec.get('/api/v1/leads', drill.query);
      expect(list.status).toBe(200);
      expect(idsOf(list.body.items)).toEqual(idsOf(wanted));
    }
    expect(march.drill!.won.query).toEqual({
      businessLineId: line,
      createdFrom: '2025-03-01',
      createdTo: '2025-03-31',
      won: 'true',
    });
    const everything = await exec.get('/api/v1/leads', answer.tables[0].total!.drill!.won.query);
    expect(idsOf(everything.body.items)).toEqual(idsOf(specs.filter((s) => inPeriod(s) && s.outcome === 'won')));
    const byRegion = (
      await exec.get('/api/v1/reports/lead-conversion', { ...PERIOD, businessLineId: line, by: 'region' })
    ).body as ReportAnswer;
    const northLeads = await exec.get('/api/v1/leads', rowOf(byRegion, north)!.drill!.created.query);
    expect(idsOf(northLeads.body.items)).toEqual(idsOf(specs.filter((s) => inPeriod(s) && s.region === north)));
  });

  it('shows a manager only his department’s leads (his sellers’ and his queue’s)', async () => {
    const res = await manager.get('/api/v1/reports/lead-conversion', { ...PERIOD, businessLineId: line });
    expect(res.status).toBe(200);
    const answer = res.body as ReportAnswer;
    const his = specs.filter((s) => inPeriod(s) && (s.owner === mine || s.owner === null));
    expect(answer.tables[0].total!.cells).toMatchObject(expected(his));
    for (const month of ['2025-03', '2025-04']) {
      expect(rowOf(answer, month)!.cells).toMatchObject(expected(his.filter((s) => shanghaiMonth(s.at) === month)));
    }
  });

  it('filters by branch and department as the leads list does', async () => {
    const byBranch = (
      await exec.get('/api/v1/reports/lead-conversion', { ...PERIOD, businessLineId: line, branchId: branch })
    ).body as ReportAnswer;
    expect(byBranch.tables[0].total!.cells).toMatchObject(
      expected(specs.filter((s) => inPeriod(s) && s.owner === mine)),
    );
    const drill = rowOf(byBranch, '2025-03')!.drill!.created;
    expect(drill.query.branchId).toBe(branch);
    const list = await exec.get('/api/v1/leads', drill.query);
    expect(idsOf(list.body.items)).toEqual(
      idsOf(specs.filter((s) => inPeriod(s) && s.owner === mine && shanghaiMonth(s.at) === '2025-03')),
    );
    const byDept = (
      await exec.get('/api/v1/reports/lead-conversion', { ...PERIOD, businessLineId: line, departmentId: dept })
    ).body as ReportAnswer;
    expect(byDept.tables[0].total!.cells).toMatchObject(
      expected(specs.filter((s) => inPeriod(s) && (s.owner === mine || s.owner === null))),
    );
  });

  it('exports the page’s figures as .xlsx, the same total', async () => {
    const query = new URLSearchParams({ ...PERIOD, businessLineId: line }).toString();
    const page = (await exec.get(`/api/v1/reports/lead-conversion?${query}`)).body as ReportAnswer;
    const values = await exportedRows(t, exec, 'lead-conversion', query);
    const total = page.tables[0].total!.cells;
    expect(values.at(-1)).toEqual([
      total.group,
      total.created,
      total.converted,
      Number(total.convertedShare),
      total.won,
      Number(total.wonShare),
    ]);
  });
});

describe('the leads list’s report filters', () => {
  it('takes created dates in the firm’s zone, source, converted and won; refuses a bad flag', async () => {
    const base = { businessLineId: line, pageSize: 100 };
    const april = await exec.get('/api/v1/leads', { ...base, createdFrom: '2025-04-01', createdTo: '2025-04-30' });
    expect(idsOf(april.body.items)).toEqual(idsOf(specs.filter((s) => shanghaiMonth(s.at) === '2025-04')));
    const source = await exec.get('/api/v1/leads', { ...base, source: '讲座' });
    expect(idsOf(source.body.items)).toEqual(idsOf(specs.filter((s) => s.source === '讲座')));
    const notConverted = await exec.get('/api/v1/leads', { ...base, converted: 'false' });
    expect(idsOf(notConverted.body.items)).toEqual(idsOf(specs.filter((s) => !s.outcome)));
    const won = await exec.get('/api/v1/leads', { ...base, won: 'true' });
    expect(idsOf(won.body.items)).toEqual(idsOf(specs.filter((s) => s.outcome === 'won')));
    const notWon = await exec.get('/api/v1/leads', { ...base, won: 'false' });
    expect(idsOf(notWon.body.items)).toEqual(idsOf(specs.filter((s) => s.outcome !== 'won')));
    const bad = await exec.get('/api/v1/leads', { ...base, won: 'yes' });
    expect(bad.status).toBe(400);
    const badDate = await exec.get('/api/v1/leads', { ...base, createdFrom: '2025-13-01' });
    expect(badDate.status).toBe(400);
  });
});
