import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportAnswer } from '../../../common/schemas/reports';
import type { Db } from '../../db/client';
import { searchTextOf } from '../../lib/search-text';
import { buildBusinessLine, buildDepartment, buildUser, signedIn } from '../../test/factories';
import { createTestApp, secondInstanceDatabase, uniq, type Client, type TestApp } from '../../test/harness';
import { orders } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { engagements } from '../engagements/engagements.tables';
import { timeEntries, timesheetWeeks } from '../engagements/timesheets.tables';
import { catchUp, forget, type Summary } from './summaries';
import { workloadSummary } from './workload.summary';

/**
 * The workload summary (workload.summary.ts) never disagrees with a recomputation from the base rows: after changes
 * of every kind its triggers cover — time entries written through the timesheet API and by SQL (inserted, hours,
 * date across weeks and months, billable, engagement, person, deleted), weeks submitted, returned, resubmitted and
 * deleted, an engagement moved to another business line, a person moved to another department — (1) the summary's
 * rows equal a full rebuild's, and (2) the report's figures, for a whole month (read from the summary) and for a
 * range that is not (read from the entries), equal the figures added up here from the test's own record of the rows.
 * A change committed while a catch-up runs is caught up by the next one.
 */
let t: TestApp;
let db: Db;
let exec: Client;
let staff: Client;
let top: string;
const team: Record<'A' | 'B', string> = { A: '', B: '' };
const line: Record<'A' | 'B' | 'C', string> = { A: '', B: '', C: '' };
const engagementOf: Record<'A' | 'B', string> = { A: '', B: '' };
/** The engagement's business line, as the test knows it. */
const lineOfEngagement: Record<'A' | 'B', 'A' | 'B' | 'C'> = { A: 'A', B: 'B' };
const person: Record<string, { id: string; department: 'A' | 'B' }> = {};

type Week = { id: string; who: string; monday: string; status: 'open' | 'submitted' | 'approved' | 'returned' };
type Entry = { id: string; who: string; on: string; hours: string; engagement: 'A' | 'B' | null; billable: boolean };
/** The test's own record of the base rows it made and changed. */
const weeks: Week[] = [];
let entries: Entry[] = [];

const mondayOf = (date: string) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
};
const hundredths = (text: string) => Math.round(Number(text) * 100);
const oneDecimal = (h: number) => {
  const tenths = Math.floor((h * 10 + 50) / 100);
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
};

async function addWeek(who: string, monday: string, status: Week['status']) {
  const [w] = await db
    .insert(timesheetWeeks)
    .values({ userId: person[who].id, weekStart: monday, status })
    .returning({ id: timesheetWeeks.id });
  weeks.push({ id: w.id, who, monday, status });
  return w.id;
}
async function addEntry(e: Omit<Entry, 'id'>) {
  const [row] = await db
    .insert(timeEntries)
    .values({
      userId: person[e.who].id,
      workDate: e.on,
      engagementId: e.engagement ? engagementOf[e.engagement] : null,
      category: e.engagement ? 'engagement' : 'training',
      hours: e.hours,
      billable: e.billable,
    })
    .returning({ id: timeEntries.id });
  entries.push({ ...e, id: row.id });
  return row.id;
}

/** Hours and billable hours by person (or line) of the entries counted in [from, to], in hundredths. */
function expectedOf(from: string, to: string, by: 'person' | 'line') {
  const out = new Map<string, { hours: number; billable: number }>();
  for (const e of entries) {
    if (e.on < from || e.on > to) continue;
    const week = weeks.find((w) => w.who === e.who && w.monday === mondayOf(e.on));
    if (!week || (week.status !== 'submitted' && week.status !== 'approved')) continue;
    const key = by === 'person' ? person[e.who].id : e.engagement ? line[lineOfEngagement[e.engagement]] : 'none';
    const sums = out.get(key) ?? { hours: 0, billable: 0 };
    sums.hours += hundredths(e.hours);
    if (e.billable) sums.billable += hundredths(e.hours);
    out.set(key, sums);
  }
  return out;
}

/** The report's rows against the test's figures (people with no counted hours show 0.0). */
async function expectReportRight(from: string, to: string) {
  const byPerson = (await exec.get('/api/v1/reports/workload', { from, to, departmentId: top })).body as ReportAnswer;
  const want = expectedOf(from, to, 'person');
  for (const who of Object.keys(person)) {
    const row = byPerson.tables[0].rows.find((r) => r.key === person[who].id);
    const sums = want.get(person[who].id) ?? { hours: 0, billable: 0 };
    expect(row?.cells, `${who} ${from}…${to}`).toMatchObject({
      hours: oneDecimal(sums.hours),
      billable: oneDecimal(sums.billable),
    });
  }
  const byLine = (await exec.get('/api/v1/reports/workload', { from, to, departmentId: top, by: 'businessLine' }))
    .body as ReportAnswer;
  const lines = expectedOf(from, to, 'line');
  for (const key of [line.A, line.B, line.C, 'none']) {
    const sums = lines.get(key) ?? { hours: 0, billable: 0 };
    const row = byLine.tables[0].rows.find((r) => r.key === key);
    if (!row) expect(sums.hours, `line ${key}`).toBe(0);
    else
      expect(row.cells, `line ${key}`).toMatchObject({
        hours: oneDecimal(sums.hours),
        billable: oneDecimal(sums.billable),
      });
  }
  // By department: each department's people's hours (the person's department now).
  const byDept = (await exec.get('/api/v1/reports/workload', { from, to, departmentId: top, by: 'department' }))
    .body as ReportAnswer;
  for (const d of ['A', 'B'] as const) {
    const hours = Object.keys(person)
      .filter((who) => person[who].department === d)
      .reduce((s, who) => s + (want.get(person[who].id)?.hours ?? 0), 0);
    expect(byDept.tables[0].rows.find((r) => r.key === team[d])?.cells.hours, `department ${d}`).toBe(
      oneDecimal(hours),
    );
  }
}

type SummaryRow = Record<string, string | null>;
/** This test's people's summary rows, in a fixed order. */
async function summaryRows(): Promise<SummaryRow[]> {
  const ids = `{${Object.values(person)
    .map((p) => p.id)
    .join(',')}}`;
  const result = await db.execute(sql`SELECT week_id::text, user_id::text, month::text, business_line_id::text,
      hours::text, billable::text FROM workload_summary WHERE user_id = ANY(${ids}::uuid[])
    ORDER BY week_id, month, business_line_id NULLS FIRST`);
  return (result as unknown as { rows: SummaryRow[] }).rows;
}

/** (1) the summary as caught up equals a full rebuild from the base rows. */
async function expectSummaryEqualsRebuild() {
  await catchUp(db, workloadSummary);
  const kept = await summaryRows();
  await forget(db, workloadSummary);
  await catchUp(db, workloadSummary);
  expect(kept).toEqual(await summaryRows());
  return kept;
}

const MARCH = { from: '2025-03-01', to: '2025-03-31' };
/** Not whole months: read from the entries (and cutting through the weeks of 24 February and 31 March). */
const RANGE = { from: '2025-02-26', to: '2025-04-01' };

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db;
  line.A = (await buildBusinessLine(db)).id;
  line.B = (await buildBusinessLine(db)).id;
  line.C = (await buildBusinessLine(db)).id;
  top = (await buildDepartment(db)).id;
  team.A = (await buildDepartment(db, { parentId: top })).id;
  team.B = (await buildDepartment(db, { parentId: top })).id;
  exec = (await signedIn(t, { roleCode: 'executive' })).client;
  const me = await signedIn(t, { roleCode: 'staff', departmentId: team.A });
  staff = me.client;
  person.p1 = { id: me.user.id, department: 'A' };
  person.p2 = { id: (await buildUser(db, { roleCode: 'staff', departmentId: team.A })).id, department: 'A' };
  person.p3 = { id: (await buildUser(db, { roleCode: 'staff', departmentId: team.B })).id, department: 'B' };
  for (const key of ['A', 'B'] as const) {
    const name = uniq('汇总客户');
    const [customer] = await db
      .insert(customers)
      .values({ name, ownerId: person.p1.id, searchText: searchTextOf([name]) })
      .returning();
    const common = { title: uniq('审计'), customerId: customer.id, businessLineId: line[key], amount: '1000' };
    const [order] = await db
      .insert(orders)
      .values({ ...common, ownerId: person.p1.id, departmentId: team.A, status: 'confirmed' })
      .returning();
    const [e] = await db
      .insert(engagements)
      .values({ ...common, orderId: order.id, leadId: person.p1.id, departmentId: team.A, salesOwnerId: person.p1.id })
      .returning();
    engagementOf[key] = e.id;
  }
  // Weeks around March 2025: 24 February and 31 March cross the month's edges.
  await addWeek('p1', '2025-02-24', 'approved');
  await addWeek('p1', '2025-03-03', 'submitted');
  await addWeek('p1', '2025-03-31', 'approved');
  await addWeek('p2', '2025-03-17', 'approved');
  await addWeek('p2', '2025-03-24', 'open');
  await addWeek('p3', '2025-03-17', 'approved');
  await addEntry({ who: 'p1', on: '2025-02-27', hours: '8', engagement: 'A', billable: true });
  await addEntry({ who: 'p1', on: '2025-03-01', hours: '4', engagement: 'A', billable: true });
  await addEntry({ who: 'p1', on: '2025-03-03', hours: '7.5', engagement: 'B', billable: true });
  await addEntry({ who: 'p1', on: '2025-03-04', hours: '2.25', engagement: 'A', billable: false });
  await addEntry({ who: 'p1', on: '2025-03-05', hours: '3', engagement: null, billable: false });
  await addEntry({ who: 'p1', on: '2025-03-31', hours: '6', engagement: 'B', billable: true });
  await addEntry({ who: 'p1', on: '2025-04-01', hours: '5', engagement: 'B', billable: true });
  await addEntry({ who: 'p2', on: '2025-03-18', hours: '8', engagement: 'A', billable: true });
  await addEntry({ who: 'p2', on: '2025-03-25', hours: '8', engagement: 'A', billable: true });
  await addEntry({ who: 'p2', on: '2025-03-26', hours: '4.5', engagement: 'B', billable: true });
  await addEntry({ who: 'p3', on: '2025-03-19', hours: '5.75', engagement: 'B', billable: false });
});
afterAll(() => t.close());

describe('the workload summary', () => {
  it('equals a recomputation from the base rows after changes of every kind', async () => {
    // Built (or caught up) before the changes, so that the changes go through the triggers and a catch-up.
    await catchUp(db, workloadSummary);
    await expectReportRight(MARCH.from, MARCH.to);

    // Through the API: p1 fills the week of 10 March and hands it in (submitted, or approved at once without a flow).
    const monday = '2025-03-10';
    const saved = await staff.put(`/api/v1/timesheets/${monday}`, {
      rows: [
        { engagementId: engagementOf.A, category: 'engagement', hours: { '2025-03-10': '6', '2025-03-11': '1.5' } },
        { category: 'training', hours: { '2025-03-12': '2' } },
      ],
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const submitted = await staff.post(`/api/v1/timesheets/${monday}/submit`, {});
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    const [week] = (
      (await db.execute(sql`SELECT id::text, status FROM timesheet_weeks
        WHERE user_id = ${person.p1.id} AND week_start = ${monday}`)) as unknown as {
        rows: { id: string; status: Week['status'] }[];
      }
    ).rows;
    expect(['submitted', 'approved']).toContain(week.status);
    weeks.push({ id: week.id, who: 'p1', monday, status: week.status });
    const made = (
      (await db.execute(sql`SELECT id::text, work_date::text AS day, hours::text, engagement_id::text AS engagement, billable
        FROM time_entries WHERE user_id = ${person.p1.id} AND work_date BETWEEN '2025-03-10' AND '2025-03-16'`)) as unknown as {
        rows: { id: string; day: string; hours: string; engagement: string | null; billable: boolean }[];
      }
    ).rows;
    expect(made).toHaveLength(3);
    for (const r of made)
      entries.push({
        id: r.id,
        who: 'p1',
        on: r.day,
        hours: r.hours,
        engagement: r.engagement === engagementOf.A ? 'A' : r.engagement === engagementOf.B ? 'B' : null,
        billable: r.billable,
      });

    // By SQL, entries of handed-in weeks: inserted, hours, date (into another week and month), billable, engagement,
    // person, deleted.
    const entry = (who: string, on: string) => entries.find((e) => e.who === who && e.on === on)!;
    await addEntry({ who: 'p3', on: '2025-03-20', hours: '1.25', engagement: 'A', billable: true });
    const hours = entry('p1', '2025-03-03');
    await db.execute(sql`UPDATE time_entries SET hours = 3.75 WHERE id = ${hours.id}`);
    hours.hours = '3.75';
    const moved = entry('p1', '2025-03-04');
    await db.execute(sql`UPDATE time_entries SET work_date = '2025-02-25' WHERE id = ${moved.id}`);
    moved.on = '2025-02-25';
    const billable = entry('p1', '2025-03-31');
    await db.execute(sql`UPDATE time_entries SET billable = false WHERE id = ${billable.id}`);
    billable.billable = false;
    const other = entry('p3', '2025-03-19');
    await db.execute(sql`UPDATE time_entries SET engagement_id = ${engagementOf.A} WHERE id = ${other.id}`);
    other.engagement = 'A';
    const handed = entry('p2', '2025-03-18');
    await db.execute(sql`UPDATE time_entries SET user_id = ${person.p3.id} WHERE id = ${handed.id}`);
    handed.who = 'p3';
    const gone = entry('p1', '2025-03-01');
    await db.execute(sql`DELETE FROM time_entries WHERE id = ${gone.id}`);
    entries = entries.filter((e) => e !== gone);
    // Weeks: one returned, one open week handed in, one deleted (its entries no longer count), one returned and
    // resubmitted.
    const statusOf = async (who: string, mon: string, status: Week['status']) => {
      const w = weeks.find((x) => x.who === who && x.monday === mon)!;
      await db.execute(sql`UPDATE timesheet_weeks SET status = ${status} WHERE id = ${w.id}`);
      w.status = status;
    };
    await statusOf('p1', '2025-03-03', 'returned');
    await statusOf('p2', '2025-03-24', 'submitted');
    await statusOf('p3', '2025-03-17', 'returned');
    await statusOf('p3', '2025-03-17', 'submitted');
    const dropped = weeks.find((w) => w.who === 'p1' && w.monday === '2025-03-31')!;
    await db.execute(sql`DELETE FROM timesheet_weeks WHERE id = ${dropped.id}`);
    weeks.splice(weeks.indexOf(dropped), 1);

    // (2) the report, whole month (the summary, caught up on the read) and another range (the entries).
    await expectReportRight(MARCH.from, MARCH.to);
    await expectReportRight(RANGE.from, RANGE.to);
    await expectReportRight('2025-02-01', '2025-04-30');
    // (1) the summary's rows equal a full rebuild's; and they are not empty.
    expect((await expectSummaryEqualsRebuild()).length).toBeGreaterThanOrEqual(6);

    // Then, with nothing else stale: an engagement moves to another business line (its handed-in weeks' rows
    // follow), a person to another department (read from the person).
    await db.execute(sql`UPDATE engagements SET business_line_id = ${line.C} WHERE id = ${engagementOf.B}`);
    lineOfEngagement.B = 'C';
    await db.execute(sql`UPDATE users SET department_id = ${team.B} WHERE id = ${person.p2.id}`);
    person.p2.department = 'B';
    await expectReportRight(MARCH.from, MARCH.to);
    await expectReportRight(RANGE.from, RANGE.to);
    await expectSummaryEqualsRebuild();
  });

  it('keeps a change committed while a catch-up runs for the next catch-up', async () => {
    await catchUp(db, workloadSummary);
    const w = weeks.find((x) => x.who === 'p2' && x.monday === '2025-03-24')!;
    const e = entries.find((x) => x.who === 'p2' && x.on === '2025-03-25')!;
    // A week made stale, then a catch-up that, while it runs (its keys taken, its rows rebuilt, not committed),
    // lets another connection commit a change of another week.
    await db.execute(sql`UPDATE time_entries SET hours = 7 WHERE id = ${e.id}`);
    e.hours = '7';
    const second = await secondInstanceDatabase(t.database);
    try {
      const concurrent = t.database.engine !== 'pglite';
      const other = entries.find((x) => x.who === 'p3' && x.on === '2025-03-20')!;
      const change = () => second.database.db.execute(sql`UPDATE time_entries SET hours = 2 WHERE id = ${other.id}`);
      const slow: Summary = {
        name: workloadSummary.name,
        async rebuild(tx, keys) {
          await workloadSummary.rebuild(tx, keys);
          if (concurrent) await change(); // committed on its own connection before this catch-up commits
        },
      };
      await catchUp(db, slow);
      if (!concurrent) await change();
      other.hours = '2';
      // The change is marked, not yet in the summary: the next catch-up (the report's read) brings it in.
      const stale = await db.execute(sql`SELECT key::text FROM report_stale WHERE summary = 'workload'`);
      expect((stale as unknown as { rows: { key: string }[] }).rows.map((r) => r.key)).toContain(
        weeks.find((x) => x.who === 'p3' && x.monday === '2025-03-17')!.id,
      );
      expect(w.status).toBe('submitted');
    } finally {
      await second.close();
    }
    await expectReportRight(MARCH.from, MARCH.to);
    await expectSummaryEqualsRebuild();
  });
});
