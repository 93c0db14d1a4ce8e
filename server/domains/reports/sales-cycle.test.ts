import { and, asc, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportAnswer } from '../../../common/schemas/reports';
import type { Db } from '../../db/client';
import { searchTextOf } from '../../lib/search-text';
import {
  buildBusinessLine,
  buildDepartment,
  buildOpportunity,
  buildUser,
  setDepartmentManager,
  signedIn,
} from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { auditLogs } from '../audit/audit.tables';
import { leads } from '../leads/leads.tables';
import { opportunities, opportunityStageChanges, pipelineStages } from '../opportunities/opportunities.tables';
import { daysOf } from './sales-cycle.report';
import { exportedRows } from './test-support';

/**
 * 销售周期: the opportunities won in the period, days from creation (and from the lead's creation) to won, days per
 * stage from the stage history, against the firm's target per business line. Expected days are worked out here from
 * the instants this test writes: whole seconds, then tenths of a day rounded half up with Math.round.
 */
let t: TestApp;
let db: Db;
let exec: Client;
let admin: Client;
let manager: Client;
let line1: string;
let line2: string;
let root: string;
let a: string; // in the manager's department
let b: string;
let s1: string;
let s2: string;
let wonStage: string;

const PERIOD = { from: '2024-07-01', to: '2024-09-30' };
const DAY = 86_400_000;

type Spec = {
  line: () => string;
  owner: () => string;
  created: string;
  closed: string;
  status?: 'won' | 'lost';
  lead?: string;
  /** Moves after creation: [stage, ms after creation]. */
  moves?: [() => string, number][];
};
type Made = Spec & { id: string; seconds: number; leadSeconds: number | null; stays: Map<string, number> };
const made: Made[] = [];

const plus = (at: string, ms: number) => new Date(Date.parse(at) + ms).toISOString();

async function won(spec: Spec) {
  const opp = await buildOpportunity(t, { ownerId: spec.owner(), businessLineId: spec.line() });
  let leadId: string | null = null;
  if (spec.lead) {
    const name = uniq('线索');
    const [l] = await db
      .insert(leads)
      .values({
        companyName: name,
        searchText: searchTextOf([name]),
        status: 'converted',
        createdAt: new Date(spec.lead),
      })
      .returning();
    leadId = l.id;
  }
  const status = spec.status ?? 'won';
  await db
    .update(opportunities)
    .set({
      status,
      leadId,
      createdAt: new Date(spec.created),
      closedAt: new Date(spec.closed),
      stageId: wonStage,
    })
    .where(eq(opportunities.id, opp.id));
  // The history: the first open stage at creation, the moves, then won at closing.
  await db.delete(opportunityStageChanges).where(eq(opportunityStageChanges.opportunityId, opp.id));
  const entries: [string, string, 'open' | 'won' | 'lost'][] = [
    [s1, spec.created, 'open'],
    ...(spec.moves ?? []).map(([stage, ms]) => [stage(), plus(spec.created, ms), 'open'] as [string, string, 'open']),
    [wonStage, spec.closed, status],
  ];
  for (const [stage, at, to] of entries)
    await db
      .insert(opportunityStageChanges)
      .values({ opportunityId: opp.id, toStageId: stage, toStatus: to, at: new Date(at) });
  const stays = new Map<string, number>();
  for (let i = 0; i < entries.length - 1; i++) {
    const [stage, at] = entries[i];
    stays.set(stage, (stays.get(stage) ?? 0) + (Date.parse(entries[i + 1][1]) - Date.parse(at)) / 1000);
  }
  made.push({
    ...spec,
    id: opp.id,
    seconds: (Date.parse(spec.closed) - Date.parse(spec.created)) / 1000,
    leadSeconds: spec.lead ? (Date.parse(spec.closed) - Date.parse(spec.lead)) / 1000 : null,
    stays,
  });
}

/** Tenths of a day, rounded half up, as text ("5.8"); null without any. */
const days = (totalSeconds: number, n: number) =>
  n ? (Math.round((totalSeconds * 10) / (n * 86400)) / 10).toFixed(1) : null;
const avg = (xs: number[]) =>
  days(
    xs.reduce((s, x) => s + x, 0),
    xs.length,
  );
const median = (xs: number[]) => {
  const s = [...xs].sort((p, q) => p - q);
  const m = Math.floor(s.length / 2);
  if (!s.length) return null;
  return s.length % 2 ? days(s[m], 1) : days(s[m - 1] + s[m], 2);
};
const inPeriod = (m: Made) =>
  (m.status ?? 'won') === 'won' &&
  plus(m.closed, 8 * 3600_000).slice(0, 10) >= PERIOD.from &&
  plus(m.closed, 8 * 3600_000).slice(0, 10) <= PERIOD.to;
const expectedOf = (list: Made[]) => {
  const fromLead = list.filter((m) => m.leadSeconds !== null).map((m) => m.leadSeconds!);
  return {
    won: list.length,
    averageDays: avg(list.map((m) => m.seconds)),
    medianDays: median(list.map((m) => m.seconds)),
    fromLead: fromLead.length,
    leadAverageDays: avg(fromLead),
    leadMedianDays: median(fromLead),
  };
};
const rowOf = (answer: ReportAnswer, key: string, table = 0) => answer.tables[table].rows.find((r) => r.key === key);

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db;
  line1 = (await buildBusinessLine(db)).id;
  line2 = (await buildBusinessLine(db)).id;
  root = (await buildDepartment(db)).id;
  const d1 = (await buildDepartment(db, { parentId: root })).id;
  const d2 = (await buildDepartment(db, { parentId: root })).id;
  exec = (await signedIn(t, { roleCode: 'executive' })).client;
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
  const m = await signedIn(t, { roleCode: 'manager', departmentId: d1 });
  await setDepartmentManager(db, d1, m.user.id);
  manager = m.client;
  a = (await buildUser(db, { departmentId: d1 })).id;
  b = (await buildUser(db, { departmentId: d2 })).id;
  // New lines use the default pipeline.
  const stages = await db
    .select()
    .from(pipelineStages)
    .where(and(isNull(pipelineStages.businessLineId), eq(pipelineStages.active, true)))
    .orderBy(asc(pipelineStages.position));
  [s1, s2] = stages.filter((s) => s.kind === 'open').map((s) => s.id);
  wonStage = stages.find((s) => s.kind === 'won')!.id;

  const L1 = () => line1;
  const L2 = () => line2;
  const A = () => a;
  const B = () => b;
  const S1 = () => s1;
  const S2 = () => s2;
  // Line 1: three won (an odd count). Closed at midnight Shanghai on 1 July (16:00 UTC on 30 June): in the period.
  await won({
    line: L1,
    owner: A,
    created: '2024-06-20T00:00:00Z',
    closed: '2024-06-30T16:00:00Z',
    lead: '2024-06-15T00:00:00Z',
    moves: [
      [S2, 3 * DAY],
      [S1, 5 * DAY], // back to the first stage: its two stays add up
    ],
  });
  await won({
    line: L1,
    owner: B,
    created: '2024-07-10T00:00:00Z',
    closed: plus('2024-07-10T00:00:00Z', 20.5 * DAY),
    moves: [[S2, 8 * DAY]],
  });
  await won({
    line: L1,
    owner: A,
    created: '2024-08-01T00:00:00Z',
    closed: plus('2024-08-01T00:00:00Z', 33 * DAY + 1000),
    lead: '2024-07-20T00:00:00Z',
  });
  // Line 2: two won (an even count: the median is the mean of the two, 5.75 days → 5.8).
  await won({
    line: L2,
    owner: B,
    created: '2024-09-01T00:00:00Z',
    closed: plus('2024-09-01T00:00:00Z', 4 * DAY),
    moves: [[S2, DAY]],
  });
  await won({ line: L2, owner: A, created: '2024-09-02T00:00:00Z', closed: plus('2024-09-02T00:00:00Z', 7.5 * DAY) });
  // Not in the period: one second before midnight on 1 July; midnight on 1 October; and a lost one.
  await won({ line: L1, owner: A, created: '2024-06-01T00:00:00Z', closed: '2024-06-30T15:59:59Z' });
  await won({ line: L2, owner: B, created: '2024-09-01T00:00:00Z', closed: '2024-09-30T16:00:00Z' });
  await won({ line: L2, owner: A, created: '2024-07-01T00:00:00Z', closed: '2024-07-05T00:00:00Z', status: 'lost' });

  const targets = await admin.put('/api/v1/sales-cycle-targets', {
    items: [
      { businessLineId: line1, targetDays: 30 },
      { businessLineId: line2, targetDays: 5 },
    ],
  });
  expect(targets.status).toBe(200);
});
afterAll(() => t.close());

describe('days with one decimal', () => {
  it('rounds the average and the median half up from whole seconds (odd and even counts)', () => {
    expect(daysOf([])).toEqual({ average: null, median: null });
    // 5.75 days → 5.8; the median of two is their mean.
    expect(daysOf([345_600n, 648_000n])).toEqual({ average: '5.8', median: '5.8' });
    // 0.05 day exactly (4320 s) → 0.1; one second less → 0.0.
    expect(daysOf([4_320n])).toEqual({ average: '0.1', median: '0.1' });
    expect(daysOf([4_319n])).toEqual({ average: '0.0', median: '0.0' });
    // Odd: the middle one.
    expect(daysOf([86_400n, 10n * 86_400n, 2n * 86_400n])).toEqual({ average: '4.3', median: '2.0' });
  });
});

describe('sales cycle', () => {
  it('gives each business line’s average and median days to won, from the lead too, against its target', async () => {
    const res = await exec.get('/api/v1/reports/sales-cycle', { ...PERIOD, departmentId: root });
    expect(res.status).toBe(200);
    const answer = res.body as ReportAnswer;
    const within = made.filter(inPeriod);
    expect(within).toHaveLength(5);
    const one = expectedOf(within.filter((m) => m.line() === line1));
    const two = expectedOf(within.filter((m) => m.line() === line2));
    expect(rowOf(answer, line1)!.cells).toMatchObject({ ...one, targetDays: '30.0' });
    expect(rowOf(answer, line2)!.cells).toMatchObject({ ...two, targetDays: '5.0', leadAverageDays: null });
    // The gap is the average as shown minus the target.
    expect(rowOf(answer, line1)!.cells.gapDays).toBe((Number(one.averageDays) - 30).toFixed(1));
    expect(rowOf(answer, line2)!.cells).toMatchObject({ averageDays: '5.8', medianDays: '5.8', gapDays: '0.8' });
    expect(answer.tables[0].total!.cells).toMatchObject(expectedOf(within));
    expect(answer.headline).toContain(answer.tables[0].rows.find((r) => r.key === line2)!.cells.group as string);
    expect(answer.headline).toContain('0.8');
  });

  it('gives the average and median days per stage, every stay in a stage added up', async () => {
    const answer = (await exec.get('/api/v1/reports/sales-cycle', { ...PERIOD, departmentId: root }))
      .body as ReportAnswer;
    const within = made.filter(inPeriod);
    for (const stage of [s1, s2]) {
      const stays = within.filter((m) => m.stays.has(stage)).map((m) => m.stays.get(stage)!);
      expect(rowOf(answer, stage, 1)!.cells).toMatchObject({
        entered: stays.length,
        averageDays: avg(stays),
        medianDays: median(stays),
      });
    }
    // The won stage is not part of the cycle.
    expect(rowOf(answer, wonStage, 1)).toBeUndefined();
  });

  it('groups by owner and by department', async () => {
    const within = made.filter(inPeriod);
    const byOwner = (await exec.get('/api/v1/reports/sales-cycle', { ...PERIOD, departmentId: root, by: 'owner' }))
      .body as ReportAnswer;
    expect(byOwner.tables[0].rows.map((r) => r.key).sort()).toEqual([a, b].sort());
    expect(rowOf(byOwner, a)!.cells).toMatchObject({
      ...expectedOf(within.filter((m) => m.owner() === a)),
      targetDays: null,
    });
    const byDept = (
      await exec.get('/api/v1/reports/sales-cycle', {
        ...PERIOD,
        departmentId: root,
        by: 'department',
        businessLineId: line1,
      })
    ).body as ReportAnswer;
    expect(byDept.tables[0].rows).toHaveLength(2);
    expect(byDept.tables[0].total!.cells).toMatchObject({
      ...expectedOf(within.filter((m) => m.line() === line1)),
      targetDays: '30.0',
    });
  });

  it('shows a manager only his department’s won opportunities', async () => {
    const res = await manager.get('/api/v1/reports/sales-cycle', PERIOD);
    expect(res.status).toBe(200);
    const answer = res.body as ReportAnswer;
    const his = made.filter((m) => inPeriod(m) && m.owner() === a);
    expect(rowOf(answer, line1)!.cells).toMatchObject(expectedOf(his.filter((m) => m.line() === line1)));
    expect(rowOf(answer, line2)!.cells).toMatchObject(expectedOf(his.filter((m) => m.line() === line2)));
  });

  it('drills down to the won opportunities of the line closed in the period', async () => {
    const answer = (await exec.get('/api/v1/reports/sales-cycle', PERIOD)).body as ReportAnswer;
    const drill = rowOf(answer, line2)!.drill!.won;
    expect(drill).toEqual({
      path: '/opportunities',
      query: { mode: 'list', status: 'won', closedFrom: PERIOD.from, closedTo: PERIOD.to, businessLineId: line2 },
    });
    const { mode: _mode, ...query } = drill.query;
    const list = await exec.get('/api/v1/opportunities', query);
    expect(list.status).toBe(200);
    expect(list.body.items.map((o: { id: string }) => o.id).sort()).toEqual(
      made
        .filter((m) => inPeriod(m) && m.line() === line2)
        .map((m) => m.id)
        .sort(),
    );
  });

  it('exports the page’s figures as .xlsx, the same total', async () => {
    const query = new URLSearchParams({ ...PERIOD, departmentId: root }).toString();
    const page = (await exec.get(`/api/v1/reports/sales-cycle?${query}`)).body as ReportAnswer;
    const values = await exportedRows(t, exec, 'sales-cycle', query);
    const total = page.tables[0].total!.cells;
    const totalRow = values.find((v) => v[0] === total.group)!;
    expect(totalRow.slice(0, 7)).toEqual([
      total.group,
      total.won,
      Number(total.averageDays),
      Number(total.medianDays),
      total.fromLead,
      Number(total.leadAverageDays),
      Number(total.leadMedianDays),
    ]);
  });
});

describe('sales cycle targets', () => {
  it('lists every line with its target to a reader, and refuses him the change', async () => {
    const res = await manager.get('/api/v1/sales-cycle-targets');
    expect(res.status).toBe(200);
    expect(res.body.items).toContainEqual(expect.objectContaining({ businessLineId: line1, targetDays: 30 }));
    const put = await manager.put('/api/v1/sales-cycle-targets', { items: [] });
    expect(put.status).toBe(403);
  });

  it('refuses days out of 1–3650, a line twice or an unknown line, in the reader’s language', async () => {
    const zero = await admin.put('/api/v1/sales-cycle-targets', { items: [{ businessLineId: line1, targetDays: 0 }] });
    expect(zero.status).toBe(400);
    expect(JSON.stringify(zero.body.error.details)).toContain('不能小于 1');
    const big = await admin
      .with({ 'accept-language': 'en-US' })
      .put('/api/v1/sales-cycle-targets', { items: [{ businessLineId: line1, targetDays: 3651 }] });
    expect(big.status).toBe(400);
    const twice = await admin.put('/api/v1/sales-cycle-targets', {
      items: [
        { businessLineId: line1, targetDays: 10 },
        { businessLineId: line1, targetDays: 12 },
      ],
    });
    expect(twice.status).toBe(400);
    expect(JSON.stringify(twice.body.error.details)).toContain('同一业务类型只能设置一个目标');
    const unknown = await admin.put('/api/v1/sales-cycle-targets', {
      items: [{ businessLineId: '00000000-0000-4000-8000-000000000000', targetDays: 10 }],
    });
    expect(unknown.status).toBe(400);
    const still = await exec.get('/api/v1/sales-cycle-targets');
    expect(still.body.items).toContainEqual(expect.objectContaining({ businessLineId: line2, targetDays: 5 }));
  });

  it('replaces the set and audits the change', async () => {
    const res = await admin.put('/api/v1/sales-cycle-targets', {
      items: [
        { businessLineId: line1, targetDays: 30 },
        { businessLineId: line2, targetDays: 6 },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.items).toContainEqual(expect.objectContaining({ businessLineId: line2, targetDays: 6 }));
    const answer = (await exec.get('/api/v1/reports/sales-cycle', { ...PERIOD, departmentId: root }))
      .body as ReportAnswer;
    expect(rowOf(answer, line2)!.cells).toMatchObject({ targetDays: '6.0', gapDays: '-0.2' });
    const [entry] = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityType, 'sales-cycle-targets'), eq(auditLogs.actorId, admin.me!.user.id)))
      .orderBy(asc(auditLogs.at))
      .then((rows) => rows.slice(-1));
    expect(entry.after).toMatchObject({ items: expect.arrayContaining([{ businessLineId: line2, targetDays: 6 }]) });
    // Put back for the tests that read 5.
    await admin.put('/api/v1/sales-cycle-targets', {
      items: [
        { businessLineId: line1, targetDays: 30 },
        { businessLineId: line2, targetDays: 5 },
      ],
    });
  });
});
