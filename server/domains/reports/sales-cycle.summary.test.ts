import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportAnswer } from '../../../common/schemas/reports';
import type { Db } from '../../db/client';
import { searchTextOf } from '../../lib/search-text';
import { buildBusinessLine, buildDepartment, buildOpportunity, buildUser, signedIn } from '../../test/factories';
import { createTestApp, secondInstanceDatabase, uniq, type Client, type TestApp } from '../../test/harness';
import { leads } from '../leads/leads.tables';
import { opportunities, opportunityStageChanges, pipelineStages } from '../opportunities/opportunities.tables';
import { salesCycleSummary } from './sales-cycle.summary';
import { catchUp, forget, type Summary } from './summaries';

/**
 * The sales cycle summary (sales-cycle.summary.ts) never disagrees with a recomputation from the base rows: after
 * changes of every kind its triggers cover — stage history entries inserted, moved and deleted; opportunities won,
 * lost, closed at another instant, created at another instant, reassigned (owner and department), moved to another
 * business line and customer, given a lead, deleted; a lead's creation changed, a lead deleted — (1) the summary's
 * rows equal a full rebuild's, and (2) the report's figures, for whole months (read from the summary) and for a
 * range that is not (read from the base rows), by business line, owner and department, for an executive and for a
 * salesperson who sees their own and their team's opportunities, equal those worked out here from the test's own
 * record of the rows. A change committed while a catch-up runs is caught up by the next one.
 */
let t: TestApp;
let db: Db;
let exec: Client;
let seller: Client;
let top: string;
let s1: string;
let s2: string;
let wonStage: string;
const team: Record<'A' | 'B', string> = { A: '', B: '' };
const line: Record<'A' | 'B', string> = { A: '', B: '' };
const person: Record<'p1' | 'p2' | 'p3', { id: string; team: 'A' | 'B' }> = {
  p1: { id: '', team: 'A' },
  p2: { id: '', team: 'A' },
  p3: { id: '', team: 'B' },
};
type Who = keyof typeof person;

/** The test's own record of an opportunity: its history is [stage, instant] in order, the last one its closing. */
type Opp = {
  id: string;
  line: 'A' | 'B';
  owner: Who;
  department: 'A' | 'B';
  status: 'won' | 'lost';
  created: string;
  closed: string;
  lead: { id: string; created: string } | null;
  history: { id: string; stage: string; at: string }[];
  members: Who[];
};
const opps: Opp[] = [];

const DAY = 86_400_000;
const plus = (at: string, ms: number) => new Date(Date.parse(at) + ms).toISOString();
const secondsBetween = (from: string, to: string) =>
  Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / 1000));

async function addLead(created: string) {
  const name = uniq('线索');
  const [l] = await db
    .insert(leads)
    .values({ companyName: name, searchText: searchTextOf([name]), status: 'converted', createdAt: new Date(created) })
    .returning({ id: leads.id });
  return { id: l.id, created };
}

async function addChange(o: Opp, stage: string, at: string) {
  const [c] = await db
    .insert(opportunityStageChanges)
    .values({
      opportunityId: o.id,
      toStageId: stage,
      toStatus: stage === wonStage ? o.status : 'open',
      at: new Date(at),
    })
    .returning({ id: opportunityStageChanges.id });
  o.history.push({ id: c.id, stage, at });
  o.history.sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
}

/** A won (or lost) opportunity: created in s1, the moves [stage, ms after creation], closed `days` after creation. */
async function addOpp(spec: {
  line: 'A' | 'B';
  owner: Who;
  created: string;
  days: number;
  lead?: string;
  moves?: [string, number][];
  status?: 'won' | 'lost';
}) {
  const made = await buildOpportunity(t, { ownerId: person[spec.owner].id, businessLineId: line[spec.line] });
  const lead = spec.lead ? await addLead(spec.lead) : null;
  const o: Opp = {
    id: made.id,
    line: spec.line,
    owner: spec.owner,
    department: person[spec.owner].team,
    status: spec.status ?? 'won',
    created: spec.created,
    closed: plus(spec.created, spec.days * DAY),
    lead,
    history: [],
    members: [],
  };
  await db
    .update(opportunities)
    .set({
      status: o.status,
      leadId: lead?.id ?? null,
      departmentId: team[o.department],
      createdAt: new Date(o.created),
      closedAt: new Date(o.closed),
      stageId: wonStage,
    })
    .where(eq(opportunities.id, o.id));
  await db.delete(opportunityStageChanges).where(eq(opportunityStageChanges.opportunityId, o.id));
  await addChange(o, s1, o.created);
  for (const [stage, ms] of spec.moves ?? []) await addChange(o, stage, plus(o.created, ms));
  await addChange(o, wonStage, o.closed);
  opps.push(o);
  return o;
}

/** Shanghai's date of an instant. */
const firmDate = (at: string) => plus(at, 8 * 3600_000).slice(0, 10);
const days = (total: number, n: number) => (n ? (Math.round((total * 10) / (n * 86400)) / 10).toFixed(1) : null);
const averageOf = (xs: number[]) =>
  days(
    xs.reduce((s, x) => s + x, 0),
    xs.length,
  );
const medianOf = (xs: number[]) => {
  const s = [...xs].sort((p, q) => p - q);
  const m = Math.floor(s.length / 2);
  if (!s.length) return null;
  return s.length % 2 ? days(s[m], 1) : days(s[m - 1] + s[m], 2);
};
const cyclesOf = (list: Opp[]) => {
  const cycles = list.map((o) => secondsBetween(o.created, o.closed));
  const fromLead = list.filter((o) => o.lead).map((o) => secondsBetween(o.lead!.created, o.closed));
  return {
    won: list.length,
    averageDays: averageOf(cycles),
    medianDays: medianOf(cycles),
    fromLead: fromLead.length,
    leadAverageDays: averageOf(fromLead),
    leadMedianDays: medianOf(fromLead),
  };
};
/** Per open stage (s1, s2): each opportunity's stays there added up, over those that entered it. */
const staysOf = (list: Opp[], stage: string) => {
  const per: number[] = [];
  for (const o of list) {
    let total: number | null = null;
    for (let i = 0; i < o.history.length - 1; i++)
      if (o.history[i].stage === stage) total = (total ?? 0) + secondsBetween(o.history[i].at, o.history[i + 1].at);
    if (total !== null) per.push(total);
  }
  return { entered: per.length, averageDays: averageOf(per), medianDays: medianOf(per) };
};

type By = 'businessLine' | 'owner' | 'department';
const keyOf = (o: Opp, by: By) =>
  by === 'businessLine' ? line[o.line] : by === 'owner' ? person[o.owner].id : team[o.department];

/** The report's figures against the test's, for a reader seeing `visible` of the opportunities. */
async function expectReportRight(from: string, to: string) {
  const inPeriod = (o: Opp) => o.status === 'won' && firmDate(o.closed) >= from && firmDate(o.closed) <= to;
  const readers: [string, Client, (o: Opp) => boolean, Record<string, string>][] = [
    ['executive', exec, () => true, { departmentId: top }],
    ['salesperson', seller, (o) => o.owner === 'p1' || o.members.includes('p1'), {}],
  ];
  for (const [who, client, sees, filter] of readers)
    for (const by of ['businessLine', 'owner', 'department'] as By[]) {
      const answer = (await client.get('/api/v1/reports/sales-cycle', { from, to, by, ...filter }))
        .body as ReportAnswer;
      const list = opps.filter((o) => inPeriod(o) && sees(o));
      const keys = new Set(list.map((o) => keyOf(o, by)));
      const label = `${who} by ${by} ${from}…${to}`;
      for (const key of keys)
        expect(answer.tables[0].rows.find((r) => r.key === key)?.cells, `${label} ${key}`).toMatchObject(
          cyclesOf(list.filter((o) => keyOf(o, by) === key)),
        );
      const shown = answer.tables[0].rows.filter((r) => r.cells.won !== 0).map((r) => r.key);
      expect(new Set(shown), label).toEqual(keys);
      expect(answer.tables[0].total?.cells, `${label} total`).toMatchObject(cyclesOf(list));
      for (const stage of [s1, s2])
        expect(answer.tables[1].rows.find((r) => r.key === stage)?.cells, `${label} stage`).toMatchObject(
          staysOf(list, stage),
        );
    }
}

type Row = Record<string, string | null>;
/** This test's opportunities' summary rows and stays, in a fixed order. */
async function summaryRows(): Promise<{ rows: Row[]; stays: Row[] }> {
  const ids = `{${opps.map((o) => o.id).join(',')}}`;
  const rows = await db.execute(sql`SELECT opportunity_id::text, closed_at::text, owner_id::text,
      department_id::text, business_line_id::text, customer_id::text, seconds::text, lead_seconds::text
    FROM sales_cycle_summary WHERE opportunity_id = ANY(${ids}::uuid[]) ORDER BY opportunity_id`);
  const stays = await db.execute(sql`SELECT opportunity_id::text, stage_id::text, seconds::text, open_since::text
    FROM sales_cycle_summary_stays WHERE opportunity_id = ANY(${ids}::uuid[]) ORDER BY opportunity_id, stage_id`);
  return { rows: (rows as unknown as { rows: Row[] }).rows, stays: (stays as unknown as { rows: Row[] }).rows };
}

/** (1) the summary as caught up equals a full rebuild from the base rows. */
async function expectSummaryEqualsRebuild() {
  await catchUp(db, salesCycleSummary);
  const kept = await summaryRows();
  await forget(db, salesCycleSummary);
  await catchUp(db, salesCycleSummary);
  expect(kept).toEqual(await summaryRows());
  return kept;
}

/** Whole months (the summary) and a range that is not (the base rows), both cutting through the closings. */
const QUARTER = { from: '2024-07-01', to: '2024-09-30' };
const RANGE = { from: '2024-07-05', to: '2024-09-20' };

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db;
  line.A = (await buildBusinessLine(db)).id;
  line.B = (await buildBusinessLine(db)).id;
  top = (await buildDepartment(db)).id;
  team.A = (await buildDepartment(db, { parentId: top })).id;
  team.B = (await buildDepartment(db, { parentId: top })).id;
  exec = (await signedIn(t, { roleCode: 'executive' })).client;
  const me = await signedIn(t, { roleCode: 'salesperson', departmentId: team.A });
  seller = me.client;
  person.p1.id = me.user.id;
  person.p2.id = (await buildUser(db, { departmentId: team.A })).id;
  person.p3.id = (await buildUser(db, { departmentId: team.B })).id;
  const stages = await db
    .select()
    .from(pipelineStages)
    .where(and(isNull(pipelineStages.businessLineId), eq(pipelineStages.active, true)))
    .orderBy(asc(pipelineStages.position));
  [s1, s2] = stages.filter((s) => s.kind === 'open').map((s) => s.id);
  wonStage = stages.find((s) => s.kind === 'won')!.id;

  await addOpp({ line: 'A', owner: 'p1', created: '2024-06-20T03:00:00Z', days: 20, lead: '2024-06-01T00:00:00Z', moves: [[s2, 3 * DAY], [s1, 5 * DAY]] }); // prettier-ignore
  await addOpp({ line: 'A', owner: 'p2', created: '2024-07-02T00:00:00Z', days: 12.5, moves: [[s2, 4 * DAY]] });
  await addOpp({ line: 'A', owner: 'p3', created: '2024-07-15T00:00:00Z', days: 30.25, lead: '2024-07-01T00:00:00Z' });
  await addOpp({ line: 'B', owner: 'p1', created: '2024-08-01T00:00:00Z', days: 9, moves: [[s2, 2 * DAY]] });
  await addOpp({ line: 'B', owner: 'p2', created: '2024-08-10T00:00:00Z', days: 17.75, lead: '2024-08-01T00:00:00Z' });
  await addOpp({ line: 'B', owner: 'p3', created: '2024-06-01T00:00:00Z', days: 40, moves: [[s2, 10 * DAY]] });
  await addOpp({ line: 'A', owner: 'p2', created: '2024-08-20T00:00:00Z', days: 6, status: 'lost' });
  await addOpp({ line: 'B', owner: 'p1', created: '2024-09-01T00:00:00Z', days: 11, lead: '2024-08-25T00:00:00Z' });
});
afterAll(() => t.close());

describe('the sales cycle summary', () => {
  it('equals a recomputation from the base rows after changes of every kind', async () => {
    // Built (or caught up) before the changes, so that the changes go through the triggers and a catch-up.
    await catchUp(db, salesCycleSummary);
    await expectReportRight(QUARTER.from, QUARTER.to);
    const [o1, o2, o3, o4, o5, o6, o7, o8] = opps;
    // A catch-up after each change: a change that marks nothing stale leaves the summary behind the rebuild.
    const caughtUp = () => catchUp(db, salesCycleSummary);
    const set = async (o: Opp, values: Partial<typeof opportunities.$inferInsert>) =>
      db.update(opportunities).set(values).where(eq(opportunities.id, o.id));

    // Stage history: a move inserted, one moved in time, one deleted.
    await addChange(o2, s1, plus(o2.created, 8 * DAY));
    await caughtUp();
    const moved = o4.history.find((h) => h.stage === s2)!;
    await db.execute(
      sql`UPDATE opportunity_stage_changes SET at = ${plus(o4.created, 5 * DAY)} WHERE id = ${moved.id}`,
    );
    await caughtUp();
    moved.at = plus(o4.created, 5 * DAY);
    const dropped = o6.history.find((h) => h.stage === s2)!;
    await db.execute(sql`DELETE FROM opportunity_stage_changes WHERE id = ${dropped.id}`);
    await caughtUp();
    o6.history = o6.history.filter((h) => h !== dropped);
    // Status: a won one lost, a lost one won.
    await set(o5, { status: 'lost' });
    await caughtUp();
    o5.status = 'lost';
    await set(o7, { status: 'won' });
    await caughtUp();
    o7.status = 'won';
    // Closing and creation instants (o8 out of the quarter).
    await set(o8, { closedAt: new Date('2024-10-03T00:00:00Z') });
    await caughtUp();
    o8.closed = '2024-10-03T00:00:00Z';
    o8.history[o8.history.length - 1].at = o8.closed; // the history is not rewritten: its won stays where it was
    await db.execute(sql`UPDATE opportunity_stage_changes SET at = ${o8.closed} WHERE id = ${o8.history.at(-1)!.id}`);
    await caughtUp();
    await set(o1, { createdAt: new Date('2024-06-18T03:00:00Z') });
    await caughtUp();
    o1.created = '2024-06-18T03:00:00Z';
    // Reassigned: owner and department; another business line; another customer; a lead given; the team.
    await set(o3, { ownerId: person.p1.id, departmentId: team.A });
    await caughtUp();
    o3.owner = 'p1';
    o3.department = 'A';
    await set(o2, { businessLineId: line.B });
    await caughtUp();
    o2.line = 'B';
    const other = await buildOpportunity(t, { ownerId: person.p2.id });
    await set(o2, { customerId: other.customerId });
    await caughtUp();
    await db.delete(opportunities).where(eq(opportunities.id, other.id));
    await caughtUp();
    const given = await addLead('2024-06-25T00:00:00Z');
    await set(o4, { leadId: given.id });
    await caughtUp();
    o4.lead = given;
    await db.execute(
      sql`INSERT INTO opportunity_members (opportunity_id, user_id, role) VALUES (${o2.id}, ${person.p1.id}, '协办')`,
    );
    o2.members.push('p1');
    // Leads: one's creation changed, one deleted (its opportunity keeps no lead).
    await db
      .update(leads)
      .set({ createdAt: new Date('2024-05-20T00:00:00Z') })
      .where(eq(leads.id, o1.lead!.id));
    await caughtUp();
    o1.lead!.created = '2024-05-20T00:00:00Z';
    await db.delete(leads).where(eq(leads.id, o3.lead!.id));
    await caughtUp();
    o3.lead = null;
    // An opportunity deleted.
    await db.delete(opportunities).where(eq(opportunities.id, o6.id));
    await caughtUp();
    opps.splice(opps.indexOf(o6), 1);

    // (2) the report, whole months (the summary, caught up on the read) and another range (the base rows).
    await expectReportRight(QUARTER.from, QUARTER.to);
    await expectReportRight(RANGE.from, RANGE.to);
    await expectReportRight('2024-08-01', '2024-08-31');
    // (1) the summary's rows equal a full rebuild's; and they are there.
    const kept = await expectSummaryEqualsRebuild();
    expect(kept.rows).toHaveLength(opps.filter((o) => o.status === 'won').length);
    expect(kept.stays.length).toBeGreaterThanOrEqual(kept.rows.length * 2);
  });

  it('keeps a change committed while a catch-up runs for the next catch-up', async () => {
    await catchUp(db, salesCycleSummary);
    const [o1, o2] = opps;
    // An opportunity made stale, then a catch-up that, while it runs (its keys taken, its rows rebuilt, not
    // committed), lets another connection commit a change of another opportunity.
    await db
      .update(opportunities)
      .set({ createdAt: new Date('2024-06-19T00:00:00Z') })
      .where(eq(opportunities.id, o1.id));
    o1.created = '2024-06-19T00:00:00Z';
    const second = await secondInstanceDatabase(t.database);
    try {
      const concurrent = t.database.engine !== 'pglite';
      const change = () =>
        second.database.db.execute(
          sql`UPDATE opportunities SET created_at = '2024-07-01T00:00:00Z' WHERE id = ${o2.id}`,
        );
      const slow: Summary = {
        name: salesCycleSummary.name,
        async rebuild(tx, keys) {
          await salesCycleSummary.rebuild(tx, keys);
          if (concurrent) await change(); // committed on its own connection before this catch-up commits
        },
      };
      await catchUp(db, slow);
      if (!concurrent) await change();
      o2.created = '2024-07-01T00:00:00Z';
      // The change is marked, not yet in the summary: the next catch-up (the report's read) brings it in.
      const stale = await db.execute(sql`SELECT key::text FROM report_stale WHERE summary = 'sales-cycle'`);
      expect((stale as unknown as { rows: { key: string }[] }).rows.map((r) => r.key)).toContain(o2.id);
    } finally {
      await second.close();
    }
    await expectReportRight(QUARTER.from, QUARTER.to);
    await expectSummaryEqualsRebuild();
  });
});
