import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildDepartment, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { activities } from '../activities/activities.tables';
import { opportunities, opportunityStageChanges } from './opportunities.tables';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type Stage = { id: string; nameZh: string; kind: string };
type Seller = { user: { id: string; departmentId: string | null }; client: Client };
type Counts = { total: number; byCategory: Record<string, number> };
type Visit = {
  stageId: string;
  stageNameZh: string;
  stageNameEn: string;
  stageKind: string;
  enteredAt: string;
  leftAt: string | null;
  seconds: number;
  activities: Counts;
};
type StageTotal = {
  stageId: string;
  stageNameZh: string;
  stageKind: string;
  visits: number;
  seconds: number;
  current: boolean;
  activities: Counts;
};
type StageTimes = {
  opportunityId: string;
  asOf: string;
  visits: Visit[];
  stages: StageTotal[];
  seconds: number;
  activitiesOutsideVisits: Counts;
};
type Duration = {
  stageId: string;
  stageNameZh: string;
  pipelineBusinessLineId: string | null;
  position: number;
  active: boolean;
  opportunities: number;
  current: number;
  totalSeconds: number;
  averageSeconds: number | null;
  medianSeconds: number | null;
  totalActivities: number;
  averageActivities: number | null;
};
type Durations = { asOf: string; opportunities: number; stages: Duration[] };

const HOUR = 3600;
const DAY = 24 * HOUR;
/** The stage history is rewritten to start here, so durations are exact. */
const T0 = Date.parse('2025-01-06T01:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const iso = (seconds: number) => at(seconds).toISOString();
const OPEN_STAGES = ['初步接洽', '需求分析', '方案建议', '商务报价', '商务谈判'];

async function stagesOf(client: Client, businessLineId: string): Promise<Record<string, Stage>> {
  const res = await client.get('/api/v1/pipelines', { businessLineId });
  expect(res.status).toBe(200);
  return Object.fromEntries(res.body.stages.map((s: Stage) => [s.nameZh, s]));
}

/** A customer with a contact (需求分析 needs one), owned by the seller. */
async function customerOf(seller: Seller) {
  const customer = await seller.client.post('/api/v1/customers', { name: uniq('西安华达建设有限公司') });
  expect(customer.status, JSON.stringify(customer.body)).toBe(201);
  const contact = await seller.client.post('/api/v1/contacts', { customerId: customer.body.id, name: '王会计' });
  expect(contact.status, JSON.stringify(contact.body)).toBe(201);
  return { customerId: customer.body.id as string, contactId: contact.body.id as string };
}

/** An opportunity of the seller that may enter the first three stages (contact and amount given). */
async function opportunityOf(seller: Seller, businessLineId: string) {
  const res = await seller.client.post('/api/v1/opportunities', {
    name: uniq('年报审计'),
    businessLineId,
    expectedAmount: '20000',
    ...(await customerOf(seller)),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; stageId: string };
}

async function move(seller: Seller, id: string, stageId: string, extra: Record<string, unknown> = {}) {
  const res = await seller.client.post(`/api/v1/opportunities/${id}/move`, { stageId, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** Moves through the named stages, in order. */
async function moveThrough(seller: Seller, id: string, stages: Record<string, Stage>, names: string[]) {
  for (const name of names) await move(seller, id, stages[name].id);
}

/** Sets the instants of the opportunity's history entries, oldest first (offsets from T0 in seconds). */
async function retime(opportunityId: string, offsets: number[]) {
  const db = t.database.db;
  const rows = await db
    .select({ id: opportunityStageChanges.id })
    .from(opportunityStageChanges)
    .where(eq(opportunityStageChanges.opportunityId, opportunityId))
    .orderBy(asc(opportunityStageChanges.at), asc(opportunityStageChanges.id));
  expect(rows.length).toBe(offsets.length);
  for (const [i, row] of rows.entries())
    await db
      .update(opportunityStageChanges)
      .set({ at: at(offsets[i]) })
      .where(eq(opportunityStageChanges.id, row.id));
}

/** Logs a done activity on the opportunity through the API (it records the stage the opportunity is in). */
async function logDone(seller: Seller, opportunityId: string, category: string, doneAt?: string) {
  const res = await seller.client.post('/api/v1/activities', {
    opportunityId,
    category,
    subject: uniq('沟通'),
    ...(doneAt ? { doneAt } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; stageId: string };
}

const setDoneAt = (activityId: string, offset: number) =>
  t.database.db
    .update(activities)
    .set({ doneAt: at(offset) })
    .where(eq(activities.id, activityId));

/** A done activity written straight into the table, in a stage at a time. */
async function insertDone(
  seller: Seller,
  opportunityId: string,
  stageId: string | null,
  offset: number,
  category = 'call',
) {
  const [opp] = await t.database.db
    .select({ customerId: opportunities.customerId })
    .from(opportunities)
    .where(eq(opportunities.id, opportunityId));
  await t.database.db.insert(activities).values({
    category,
    subject: uniq('拜访'),
    status: 'done',
    doneAt: at(offset),
    ownerId: seller.user.id,
    customerId: opp.customerId,
    opportunityId,
    stageId,
    createdBy: seller.user.id,
  });
}

const stageTimes = async (client: Client, id: string) => {
  const res = await client.get(`/api/v1/opportunities/${id}/stage-times`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as StageTimes;
};

const durations = async (client: Client, query: Record<string, string>) => {
  const res = await client.get('/api/v1/reports/stage-durations', query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Durations;
};
const byName = (report: Durations) => Object.fromEntries(report.stages.map((s) => [s.stageNameZh, s]));

/** A department under a parent one, its salesperson, and a business line of the test's own (the default pipeline). */
async function salesSetup() {
  const parent = await buildDepartment(t.database.db);
  const department = await buildDepartment(t.database.db, { parentId: parent.id });
  const seller = await signedIn(t, { departmentId: department.id });
  const line = await buildBusinessLine(t.database.db);
  const stages = await stagesOf(seller.client, line.id);
  return { parent, department, seller, line, stages };
}

describe('stage times of an opportunity', () => {
  it('lists every stay in a stage in order, with exact durations that add up, and the done activities of each stay', async () => {
    const { seller, line, stages } = await salesSetup();
    const opp = await opportunityOf(seller, line.id);
    const other = await opportunityOf(seller, line.id);

    // Work along the way: each done activity records the stage the opportunity is in.
    const a1 = await logDone(seller, opp.id, 'call');
    await move(seller, opp.id, stages['需求分析'].id);
    const a2 = await logDone(seller, opp.id, 'visit');
    const a3 = await logDone(seller, opp.id, 'meeting');
    await move(seller, opp.id, stages['方案建议'].id);
    const a4 = await logDone(seller, opp.id, 'proposal');
    await move(seller, opp.id, stages['需求分析'].id); // back again
    const a5 = await logDone(seller, opp.id, 'call');
    await move(seller, opp.id, stages['输单'].id, { lostReason: '预算取消' });
    const reopened = await seller.client.post(`/api/v1/opportunities/${opp.id}/reopen`, { note: '客户重新询价' });
    expect(reopened.body).toMatchObject({ status: 'open', stageId: stages['需求分析'].id });
    // Logged after the reopening, but said to be done long before the opportunity first reached 需求分析.
    const late = await logDone(seller, opp.id, 'email', iso(DAY));
    expect([a1, a2, a3, a4, a5, late].map((a) => a.stageId)).toEqual([
      stages['初步接洽'].id,
      stages['需求分析'].id,
      stages['需求分析'].id,
      stages['方案建议'].id,
      stages['需求分析'].id,
      stages['需求分析'].id,
    ]);
    // Not counted: a planned activity, and work on another opportunity.
    expect(
      (
        await seller.client.post('/api/v1/activities', {
          opportunityId: opp.id,
          category: 'call',
          subject: '回访',
          status: 'planned',
          dueAt: new Date(Date.now() + DAY * 1000).toISOString(),
        })
      ).status,
    ).toBe(201);
    await logDone(seller, other.id, 'call');

    // 初步接洽 2 days, 需求分析 3 days, 方案建议 1 day, 需求分析 4 hours, 输单 20 hours, then 需求分析 until now.
    const entries = [0, 2 * DAY, 5 * DAY, 6 * DAY, 6 * DAY + 4 * HOUR, 7 * DAY];
    await retime(opp.id, entries);
    await setDoneAt(a1.id, HOUR);
    await setDoneAt(a2.id, 2 * DAY); // the very instant it entered: in
    await setDoneAt(a3.id, 5 * DAY - 1); // a second before it left: in
    await setDoneAt(a4.id, 5 * DAY + HOUR);
    await setDoneAt(a5.id, 6 * DAY + HOUR);

    const times = await stageTimes(seller.client, opp.id);
    const none = { total: 0, byCategory: {} };
    expect(times.opportunityId).toBe(opp.id);
    expect(times.visits.map((v) => v.stageNameZh)).toEqual([
      '初步接洽',
      '需求分析',
      '方案建议',
      '需求分析',
      '输单',
      '需求分析',
    ]);
    expect(times.visits.slice(0, 5)).toEqual([
      {
        stageId: stages['初步接洽'].id,
        stageNameZh: '初步接洽',
        stageNameEn: 'First contact',
        stageKind: 'open',
        enteredAt: iso(0),
        leftAt: iso(2 * DAY),
        seconds: 2 * DAY,
        activities: { total: 1, byCategory: { call: 1 } },
      },
      {
        stageId: stages['需求分析'].id,
        stageNameZh: '需求分析',
        stageNameEn: 'Needs analysis',
        stageKind: 'open',
        enteredAt: iso(2 * DAY),
        leftAt: iso(5 * DAY),
        seconds: 3 * DAY,
        activities: { total: 2, byCategory: { visit: 1, meeting: 1 } },
      },
      {
        stageId: stages['方案建议'].id,
        stageNameZh: '方案建议',
        stageNameEn: 'Proposal',
        stageKind: 'open',
        enteredAt: iso(5 * DAY),
        leftAt: iso(6 * DAY),
        seconds: DAY,
        activities: { total: 1, byCategory: { proposal: 1 } },
      },
      {
        stageId: stages['需求分析'].id,
        stageNameZh: '需求分析',
        stageNameEn: 'Needs analysis',
        stageKind: 'open',
        enteredAt: iso(6 * DAY),
        leftAt: iso(6 * DAY + 4 * HOUR),
        seconds: 4 * HOUR,
        activities: { total: 1, byCategory: { call: 1 } },
      },
      {
        stageId: stages['输单'].id,
        stageNameZh: '输单',
        stageNameEn: 'Lost',
        stageKind: 'lost',
        enteredAt: iso(6 * DAY + 4 * HOUR),
        leftAt: iso(7 * DAY),
        seconds: 20 * HOUR,
        activities: none,
      },
    ]);
    // The current stay runs until asOf; the stays add up to the whole time since creation.
    const current = times.visits[5];
    expect(current).toMatchObject({
      stageId: stages['需求分析'].id,
      enteredAt: iso(7 * DAY),
      leftAt: null,
      activities: none,
    });
    const sinceReopen = (Date.parse(times.asOf) - at(7 * DAY).getTime()) / 1000;
    expect(current.seconds).toBeGreaterThanOrEqual(Math.floor(sinceReopen) - 1);
    expect(current.seconds).toBeLessThanOrEqual(Math.floor(sinceReopen) + 1);
    expect(times.seconds).toBe(times.visits.reduce((sum, v) => sum + v.seconds, 0));
    expect(times.seconds).toBe(7 * DAY + current.seconds);

    // Per stage over all stays, in pipeline order.
    expect(times.stages).toEqual([
      {
        stageId: stages['初步接洽'].id,
        stageNameZh: '初步接洽',
        stageNameEn: 'First contact',
        stageKind: 'open',
        visits: 1,
        seconds: 2 * DAY,
        current: false,
        activities: { total: 1, byCategory: { call: 1 } },
      },
      {
        stageId: stages['需求分析'].id,
        stageNameZh: '需求分析',
        stageNameEn: 'Needs analysis',
        stageKind: 'open',
        visits: 3,
        seconds: 3 * DAY + 4 * HOUR + current.seconds,
        current: true,
        activities: { total: 3, byCategory: { visit: 1, meeting: 1, call: 1 } },
      },
      {
        stageId: stages['方案建议'].id,
        stageNameZh: '方案建议',
        stageNameEn: 'Proposal',
        stageKind: 'open',
        visits: 1,
        seconds: DAY,
        current: false,
        activities: { total: 1, byCategory: { proposal: 1 } },
      },
      {
        stageId: stages['输单'].id,
        stageNameZh: '输单',
        stageNameEn: 'Lost',
        stageKind: 'lost',
        visits: 1,
        seconds: 20 * HOUR,
        current: false,
        activities: none,
      },
    ]);
    // The back-dated e-mail falls in no stay of 需求分析: reported apart, never lost silently.
    expect(times.activitiesOutsideVisits).toEqual({ total: 1, byCategory: { email: 1 } });

    // An activity done exactly when the stay ended belongs to the next one (stays are [entered, left)).
    await setDoneAt(a3.id, 5 * DAY);
    const after = await stageTimes(seller.client, opp.id);
    expect(after.visits[1].activities).toEqual({ total: 1, byCategory: { visit: 1 } });
    expect(after.activitiesOutsideVisits).toEqual({ total: 2, byCategory: { email: 1, meeting: 1 } });
  });

  it('has one running stay for a new opportunity', async () => {
    const { seller, line, stages } = await salesSetup();
    const opp = await opportunityOf(seller, line.id);
    const times = await stageTimes(seller.client, opp.id);
    expect(times.visits).toEqual([
      expect.objectContaining({
        stageId: stages['初步接洽'].id,
        leftAt: null,
        activities: { total: 0, byCategory: {} },
      }),
    ]);
    expect(times.visits[0].seconds).toBeGreaterThanOrEqual(0);
    expect(times.visits[0].seconds).toBeLessThan(60);
    expect(times.stages).toEqual([
      expect.objectContaining({ stageId: stages['初步接洽'].id, visits: 1, current: true }),
    ]);
    expect(times.activitiesOutsideVisits).toEqual({ total: 0, byCategory: {} });
  });

  it('is 404 for someone who cannot see the opportunity, visible to the owner’s department manager, and checks its input', async () => {
    const { parent, seller, line } = await salesSetup();
    const opp = await opportunityOf(seller, line.id);
    const { client: stranger } = await signedIn(t);
    const hidden = await stranger.get(`/api/v1/opportunities/${opp.id}/stage-times`);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe('NOT_FOUND');
    expect((await stranger.get(`/api/v1/opportunities/${randomUUID()}/stage-times`)).status).toBe(404);
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: parent.id });
    expect((await manager.client.get(`/api/v1/opportunities/${opp.id}/stage-times`)).status).toBe(200);
    const bad = await seller.client.get('/api/v1/opportunities/not-an-id/stage-times');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect((await t.anon.get(`/api/v1/opportunities/${opp.id}/stage-times`)).status).toBe(401);
  });
});

describe('stage durations report', () => {
  it('gives per stage how many opportunities entered it and the exact mean and median of their total time there', async () => {
    const { seller, line, stages } = await salesSetup();
    const [a, b, c] = [
      await opportunityOf(seller, line.id),
      await opportunityOf(seller, line.id),
      await opportunityOf(seller, line.id),
    ];
    // a: 初步接洽 1 day, 需求分析 1 day, 方案建议 1 day, 需求分析 again 2 days (3 days in all, counted once), then 方案建议.
    await moveThrough(seller, a.id, stages, ['需求分析', '方案建议', '需求分析', '方案建议']);
    await retime(a.id, [0, DAY, 2 * DAY, 3 * DAY, 5 * DAY]);
    // b: 初步接洽 2 days, 需求分析 1 day, then 方案建议.
    await moveThrough(seller, b.id, stages, ['需求分析', '方案建议']);
    await retime(b.id, [0, 2 * DAY, 3 * DAY]);
    // c: 初步接洽 6 days, 需求分析 10 days, then 方案建议.
    await moveThrough(seller, c.id, stages, ['需求分析', '方案建议']);
    await retime(c.id, [0, 6 * DAY, 16 * DAY]);
    // Done work in 需求分析: a once in each stay, b once; one back-dated before b reached it does not count.
    await insertDone(seller, a.id, stages['需求分析'].id, DAY + HOUR);
    await insertDone(seller, a.id, stages['需求分析'].id, 3 * DAY + HOUR, 'visit');
    await insertDone(seller, b.id, stages['需求分析'].id, 2 * DAY + HOUR);
    await insertDone(seller, b.id, stages['需求分析'].id, HOUR);
    await insertDone(seller, c.id, stages['初步接洽'].id, HOUR);

    const report = await durations(seller.client, { businessLineId: line.id });
    expect(report.opportunities).toBe(3);
    expect(report.stages.map((s) => s.stageNameZh)).toEqual(OPEN_STAGES);
    const s = byName(report);
    expect(s['初步接洽']).toEqual({
      stageId: stages['初步接洽'].id,
      stageNameZh: '初步接洽',
      stageNameEn: 'First contact',
      pipelineBusinessLineId: null,
      position: 0,
      active: true,
      opportunities: 3,
      current: 0,
      totalSeconds: 9 * DAY,
      averageSeconds: 3 * DAY,
      medianSeconds: 2 * DAY,
      totalActivities: 1,
      averageActivities: 0.33,
    });
    // 3, 1 and 10 days: mean 14/3 days = 403200 s, median 3 days (each opportunity once, however often it came back).
    expect(s['需求分析']).toMatchObject({
      opportunities: 3,
      current: 0,
      totalSeconds: 14 * DAY,
      averageSeconds: 403200,
      medianSeconds: 3 * DAY,
      totalActivities: 3,
      averageActivities: 1,
    });
    // All three are still in 方案建议: counted with their time so far.
    expect(s['方案建议']).toMatchObject({ opportunities: 3, current: 3, averageActivities: 0 });
    expect(s['方案建议'].averageSeconds).toBeGreaterThan(0);
    // Stages nobody reached are listed empty; won and lost are not sales-cycle time.
    for (const name of ['商务报价', '商务谈判'])
      expect(s[name]).toMatchObject({
        opportunities: 0,
        current: 0,
        totalSeconds: 0,
        averageSeconds: null,
        medianSeconds: null,
        totalActivities: 0,
        averageActivities: null,
      });
  });

  it('takes the median of an even count as the mean of the middle two, rounded to the nearest second', async () => {
    const { seller, line, stages } = await salesSetup();
    const offsets = [DAY, DAY + 1, 2 * DAY, 5 * DAY];
    for (const seconds of offsets) {
      const opp = await opportunityOf(seller, line.id);
      await move(seller, opp.id, stages['需求分析'].id);
      await retime(opp.id, [0, seconds]);
    }
    // 1 d, 1 d + 1 s, 2 d, 5 d: median (1 d + 1 s + 2 d) / 2 = 129600.5 → 129601; mean 777601 / 4 = 194400.25 → 194400.
    expect(byName(await durations(seller.client, { businessLineId: line.id }))['初步接洽']).toMatchObject({
      opportunities: 4,
      totalSeconds: 777601,
      medianSeconds: 129601,
      averageSeconds: 194400,
    });
  });

  it('lists the stages of every pipeline involved: the default pipeline’s, then a line’s own one', async () => {
    const { seller, line, stages } = await salesSetup();
    const opp = await opportunityOf(seller, line.id);
    const admin = (await signedIn(t, { roleCode: 'admin' })).client;
    const own = await admin.request('PUT', '/api/v1/pipelines', {
      businessLineId: line.id,
      stages: [
        { nameZh: '接洽', nameEn: 'Contact', probability: 20 },
        { nameZh: '成交', nameEn: 'Won', kind: 'won', probability: 100 },
        { nameZh: '丢单', nameEn: 'Lost', kind: 'lost', probability: 0 },
      ],
    });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    const contact = own.body.stages[0] as Stage;
    await move(seller, opp.id, contact.id);
    await retime(opp.id, [0, 2 * DAY]);

    const report = await durations(seller.client, { businessLineId: line.id });
    expect(report.stages.map((s) => [s.stageNameZh, s.pipelineBusinessLineId, s.opportunities])).toEqual([
      ...OPEN_STAGES.map((name) => [name, null, name === '初步接洽' ? 1 : 0]),
      ['接洽', line.id, 1],
    ]);
    expect(byName(report)['初步接洽']).toMatchObject({
      stageId: stages['初步接洽'].id,
      averageSeconds: 2 * DAY,
      current: 0,
    });
    expect(byName(report)['接洽']).toMatchObject({ current: 1 });
    const times = await stageTimes(seller.client, opp.id);
    expect(times.stages.map((s) => [s.stageNameZh, s.seconds === 2 * DAY, s.current])).toEqual([
      ['初步接洽', true, false],
      ['接洽', false, true],
    ]);
  });

  it('filters by business line, department subtree and creation dates, within what the caller may see', async () => {
    const parent = await buildDepartment(t.database.db);
    const east = await buildDepartment(t.database.db, { parentId: parent.id });
    const west = await buildDepartment(t.database.db, { parentId: parent.id });
    const eastSeller = await signedIn(t, { departmentId: east.id });
    const westSeller = await signedIn(t, { departmentId: west.id });
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: parent.id });
    const line = await buildBusinessLine(t.database.db);
    const otherLine = await buildBusinessLine(t.database.db);
    const stages = await stagesOf(eastSeller.client, line.id);

    /** An opportunity that spent `days` in 初步接洽, created at `createdAt`. */
    async function spent(seller: Seller, businessLineId: string, days: number, createdAt = '2025-03-05T02:00:00.000Z') {
      const opp = await opportunityOf(seller, businessLineId);
      await move(seller, opp.id, stages['需求分析'].id);
      await retime(opp.id, [0, days * DAY]);
      await t.database.db
        .update(opportunities)
        .set({ createdAt: new Date(createdAt) })
        .where(eq(opportunities.id, opp.id));
      return opp;
    }
    await spent(eastSeller, line.id, 1, '2025-02-28T16:30:00.000Z'); // 2025-03-01 00:30 in Shanghai
    await spent(eastSeller, line.id, 3, '2025-03-09T15:59:59.000Z'); // 2025-03-09 23:59:59 in Shanghai
    await spent(westSeller, line.id, 8, '2025-03-09T16:00:00.000Z'); // 2025-03-10 00:00 in Shanghai
    await spent(eastSeller, otherLine.id, 20, '2025-04-01T02:00:00.000Z');

    const first = (report: Durations) => byName(report)['初步接洽'];
    // The manager sees both departments; the line filter leaves out the other line.
    expect(first(await durations(manager.client, { businessLineId: line.id }))).toMatchObject({
      opportunities: 3,
      averageSeconds: 4 * DAY,
      medianSeconds: 3 * DAY,
    });
    expect(first(await durations(manager.client, { businessLineId: otherLine.id }))).toMatchObject({
      opportunities: 1,
      averageSeconds: 20 * DAY,
    });
    // Department subtree: one child, or the parent with both children.
    expect(first(await durations(manager.client, { businessLineId: line.id, departmentId: east.id }))).toMatchObject({
      opportunities: 2,
      averageSeconds: 2 * DAY,
      medianSeconds: 2 * DAY,
    });
    expect(first(await durations(manager.client, { businessLineId: line.id, departmentId: west.id }))).toMatchObject({
      opportunities: 1,
      averageSeconds: 8 * DAY,
    });
    expect(first(await durations(manager.client, { departmentId: parent.id }))).toMatchObject({
      opportunities: 4,
      averageSeconds: 8 * DAY,
      medianSeconds: 5.5 * DAY,
    });
    // Created in [from, to): dates in the firm's time zone, `to` excluded.
    expect(
      first(await durations(manager.client, { departmentId: parent.id, from: '2025-03-01', to: '2025-03-10' })),
    ).toMatchObject({ opportunities: 2, averageSeconds: 2 * DAY });
    expect(first(await durations(manager.client, { departmentId: parent.id, from: '2025-03-10' }))).toMatchObject({
      opportunities: 2,
      averageSeconds: 14 * DAY,
    });
    expect(
      first(await durations(manager.client, { departmentId: parent.id, from: '2025-03-10', to: '2025-03-11' })),
    ).toMatchObject({ opportunities: 1, averageSeconds: 8 * DAY });
    expect(first(await durations(manager.client, { departmentId: parent.id, to: '2025-03-01' }))).toBeUndefined();
    expect(
      await durations(manager.client, { departmentId: parent.id, from: '2025-03-05', to: '2025-03-05' }),
    ).toMatchObject({ opportunities: 0, stages: [] });

    // A salesperson counts only their own opportunities, even when asking for the whole department.
    expect(first(await durations(eastSeller.client, { businessLineId: line.id }))).toMatchObject({
      opportunities: 2,
      averageSeconds: 2 * DAY,
    });
    expect(first(await durations(westSeller.client, { departmentId: parent.id }))).toMatchObject({
      opportunities: 1,
      averageSeconds: 8 * DAY,
    });
    // Someone who sees none of them gets the line's pipeline, empty.
    const { client: stranger } = await signedIn(t);
    const empty = await durations(stranger, { businessLineId: line.id });
    expect(empty.opportunities).toBe(0);
    expect(empty.stages.map((s) => [s.stageNameZh, s.opportunities, s.averageSeconds])).toEqual(
      OPEN_STAGES.map((name) => [name, 0, null]),
    );
  });

  it('refuses bad input with 400 VALIDATION_FAILED', async () => {
    const { seller, line, department } = await salesSetup();
    const cases: [Record<string, string>, string][] = [
      [{ from: '2025-02-30' }, 'querystring.from'],
      [{ from: '2025/03/01' }, 'querystring.from'],
      [{ to: 'yesterday' }, 'querystring.to'],
      [{ from: '2025-03-10', to: '2025-03-01' }, 'querystring.to'],
      [{ businessLineId: 'abc' }, 'querystring.businessLineId'],
      [{ businessLineId: randomUUID() }, 'querystring.businessLineId'],
      [{ businessLineId: line.id, departmentId: randomUUID() }, 'querystring.departmentId'],
      [{ departmentId: department.id, ownerId: seller.user.id }, 'querystring'],
    ];
    for (const [query, path] of cases) {
      const res = await seller.client.get('/api/v1/reports/stage-durations', query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(
        res.body.error.details.issues.map((i: { path: string }) => i.path),
        JSON.stringify(query),
      ).toContain(path);
    }
    const reversed = await seller.client.get('/api/v1/reports/stage-durations', {
      from: '2025-03-10',
      to: '2025-03-01',
    });
    expect(reversed.body.error.details.issues[0].message).toBe('结束日期不能早于开始日期');
    expect((await t.anon.get('/api/v1/reports/stage-durations')).status).toBe(401);
  });
});
