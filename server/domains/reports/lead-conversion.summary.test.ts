import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportAnswer } from '../../../common/schemas/reports';
import type { Db } from '../../db/client';
import { searchTextOf } from '../../lib/search-text';
import {
  buildBusinessLine,
  buildDepartment,
  buildOpportunity,
  buildRegion,
  buildUser,
  setDepartmentManager,
  signedIn,
} from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { leads } from '../leads/leads.tables';
import { opportunities } from '../opportunities/opportunities.tables';
import { users } from '../staff/staff.tables';
import { firmToday } from './filters';
import { leadConversionSummary } from './lead-conversion.summary';
import { catchUp, forget } from './summaries';

/**
 * The lead-conversion summary 线索转化汇总 never disagrees with a recomputation from the base rows: after changes of
 * every kind its triggers cover (a lead created, its creation time, region, source, assignee, queue, line and status
 * changed, converted into an opportunity, that opportunity won and then deleted, a lead deleted — each alone), (1)
 * its rows are those of a full rebuild, and (2) the report's figures by every grouping, for the partner and a manager,
 * from the summary (whole months) and from the base rows (other periods), equal those counted here in TypeScript.
 */
let t: TestApp;
let db: Db;
let exec: Client;
let manager: Client;
let lines: string[];
let teamDept: string;
let otherDept: string;
let regions: string[];
let mine: string;
let other: string;
const made: string[] = [];

const year = Number(firmToday().slice(0, 4)) - 1;
const at = (month: number, day: number, hour = 2) => new Date(Date.UTC(year, month - 1, day, hour));

async function lead(values: Partial<typeof leads.$inferInsert> & { createdAt: Date }) {
  const name = uniq('汇总线索');
  const [row] = await db
    .insert(leads)
    .values({
      companyName: name,
      searchText: searchTextOf([name]),
      businessLineId: lines[0],
      status: 'contacting',
      ...values,
    })
    .returning();
  made.push(row.id);
  return row.id;
}

const GROUPS = ['month', 'region', 'source', 'campaign', 'businessLine'] as const;
type Counted = Record<string, { created: number; converted: number; won: number }>;

/** The figures counted from the base rows here: per group value, the leads created in [start, end) the reader sees. */
async function recomputed(who: 'exec' | 'manager', by: (typeof GROUPS)[number], start: number, end: number) {
  const rows = await db.select().from(leads).where(inArray(leads.id, made));
  const people = new Map((await db.select().from(users)).map((u) => [u.id, u]));
  const opps = new Map((await db.select().from(opportunities)).map((o) => [o.id, o]));
  const out: Counted = {};
  for (const l of rows) {
    const time = l.createdAt.getTime();
    if (time < start || time >= end || !lines.includes(l.businessLineId!)) continue;
    if (l.businessLineId !== lines[0]) continue; // the report is asked for lines[0]
    const department = l.ownerId ? people.get(l.ownerId)!.departmentId : l.queueDepartmentId;
    if (who === 'manager' && department !== teamDept) continue;
    const local = new Date(time + 8 * 3600_000).toISOString();
    const key =
      by === 'month'
        ? local.slice(0, 7)
        : ((by === 'region'
            ? l.regionId
            : by === 'source'
              ? l.source
              : by === 'campaign'
                ? l.campaignId
                : l.businessLineId) ?? 'none');
    out[key] ??= { created: 0, converted: 0, won: 0 };
    out[key].created += 1;
    if (l.status === 'converted') out[key].converted += 1;
    if (l.opportunityId && opps.get(l.opportunityId)?.status === 'won') out[key].won += 1;
  }
  return out;
}

async function reported(client: Client, query: Record<string, string>) {
  const res = await client.get('/api/v1/reports/lead-conversion', query);
  expect(res.status).toBe(200);
  const out: Counted = {};
  for (const row of (res.body as ReportAnswer).tables[0].rows) {
    const c = row.cells as Record<string, number>;
    if (c.created) out[row.key] = { created: c.created, converted: c.converted, won: c.won };
  }
  return out;
}

const midnight = (date: string) => Date.parse(`${date}T00:00:00+08:00`);

async function checkFigures() {
  const periods = [
    { from: `${year}-01-01`, to: `${year}-12-31` },
    { from: `${year}-03-01`, to: `${year}-04-30` },
    { from: `${year}-03-02`, to: `${year}-12-30` }, // not whole months: the base rows
  ];
  for (const p of periods) {
    const end = midnight(p.to) + 86_400_000;
    for (const by of GROUPS)
      for (const [who, client] of [
        ['exec', exec],
        ['manager', manager],
      ] as const) {
        const want = await recomputed(who, by, midnight(p.from), end);
        const got = await reported(client, { ...p, by, businessLineId: lines[0] });
        expect({ who, by, p, got }).toEqual({ who, by, p, got: want });
      }
  }
}

async function snapshot() {
  const list = `{${lines.join(',')}}`;
  const entries = await db.execute(sql`SELECT lead_id, month::text, owner_id, queue_department_id, business_line_id,
      region_id, source, campaign_id, converted, won FROM report_lead_entries
    WHERE business_line_id = ANY(${list}::uuid[]) ORDER BY 1`);
  const counts = await db.execute(sql`SELECT kind, value, month::text, owner_id, queue_department_id, business_line_id,
      created, converted, won FROM report_lead_counts
    WHERE business_line_id = ANY(${list}::uuid[]) ORDER BY 1, 2, 3, 4, 5, 6`);
  return {
    entries: (entries as unknown as { rows: unknown[] }).rows,
    counts: (counts as unknown as { rows: unknown[] }).rows,
  };
}

async function checkAgainstRebuild() {
  await catchUp(db, leadConversionSummary);
  const kept = await snapshot();
  expect(kept.entries.length).toBeGreaterThan(0);
  await forget(db, leadConversionSummary);
  await catchUp(db, leadConversionSummary);
  expect(kept).toEqual(await snapshot());
}

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db;
  lines = [(await buildBusinessLine(db)).id, (await buildBusinessLine(db)).id];
  regions = [(await buildRegion(db)).id, (await buildRegion(db)).id];
  const root = (await buildDepartment(db)).id;
  teamDept = (await buildDepartment(db, { parentId: root })).id;
  otherDept = (await buildDepartment(db, { parentId: root })).id;
  exec = (await signedIn(t, { roleCode: 'executive' })).client;
  const m = await signedIn(t, { roleCode: 'manager', departmentId: teamDept });
  await setDepartmentManager(db, teamDept, m.user.id);
  manager = m.client;
  mine = (await buildUser(db, { departmentId: teamDept })).id;
  other = (await buildUser(db, { departmentId: otherDept })).id;
  await lead({ createdAt: at(3, 1), ownerId: mine, regionId: regions[0], source: '讲座' });
  await lead({ createdAt: at(3, 31, 17), ownerId: other, regionId: regions[1], source: '转介绍' }); // 1 April in Shanghai
  await lead({ createdAt: at(4, 10), ownerId: null, queueDepartmentId: teamDept, source: '讲座' });
  await lead({ createdAt: at(5, 5), ownerId: mine });
});

afterAll(() => t.close());

describe('lead-conversion summary', () => {
  it('equals a full rebuild and the figures from the base rows after changes of every kind', async () => {
    await checkAgainstRebuild();
    await checkFigures();
    const opp = await buildOpportunity(t, { ownerId: mine, businessLineId: lines[0] });
    const changes: (() => Promise<unknown>)[] = [
      () => lead({ createdAt: at(6, 1), ownerId: other, regionId: regions[0] }),
      () =>
        db
          .update(leads)
          .set({ createdAt: at(2, 27) })
          .where(eq(leads.id, made[0])),
      () => db.update(leads).set({ regionId: regions[1], source: '展会' }).where(eq(leads.id, made[1])),
      () => db.update(leads).set({ ownerId: mine, queueDepartmentId: null }).where(eq(leads.id, made[2])),
      () => db.update(leads).set({ ownerId: null, queueDepartmentId: otherDept }).where(eq(leads.id, made[3])),
      () => db.update(leads).set({ businessLineId: lines[1] }).where(eq(leads.id, made[4])),
      () =>
        db
          .update(leads)
          .set({ status: 'converted', opportunityId: opp.id, convertedAt: at(4, 20) })
          .where(eq(leads.id, made[0])),
      () =>
        db
          .update(opportunities)
          .set({ status: 'won', closedAt: at(5, 1) })
          .where(eq(opportunities.id, opp.id)),
      () => db.update(leads).set({ status: 'disqualified' }).where(eq(leads.id, made[1])),
      () => db.delete(opportunities).where(eq(opportunities.id, opp.id)),
      () => db.delete(leads).where(eq(leads.id, made[3])),
    ];
    for (const change of changes) {
      await change();
      await checkAgainstRebuild();
    }
    await checkFigures();
  });
});
