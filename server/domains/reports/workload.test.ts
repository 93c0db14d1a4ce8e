import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportAnswer } from '../../../common/schemas/reports';
import type { Db } from '../../db/client';
import { searchTextOf } from '../../lib/search-text';
import { addDays, FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { buildBusinessLine, buildDepartment, buildUser, setDepartmentManager, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { orders } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { engagements } from '../engagements/engagements.tables';
import { timeEntries, timesheetWeeks } from '../engagements/timesheets.tables';
import { personProfiles } from '../people/people.tables';
import { exportedRows } from './test-support';

/**
 * 工作量与利用率: hours of submitted and approved weeks by person, department and business line, billable share,
 * capacity (weekly × days ÷ 7) and utilisation. Expected figures are added up here from the entries this test makes.
 */
let t: TestApp;
let db: Db;
let exec: Client;
let manager: Client;
let top: string;
let teamA: string;
let teamB: string;
let lineA: string;
let lineB: string;
const people: Record<string, { id: string; department: string; weekly: number }> = {};

// March 2025: 31 days.
const PERIOD = { from: '2025-03-01', to: '2025-03-31' };
const DAYS = 31;

type Entry = {
  who: string;
  on: string;
  hours: string;
  line?: 'A' | 'B';
  billable?: boolean;
  week: 'open' | 'submitted' | 'approved' | 'returned';
};
const ENTRIES: Entry[] = [
  // Saturday 1 March (the first day, a local date) of an approved week that began in February; 28 February out.
  { who: 'p1', on: '2025-02-28', hours: '8', line: 'A', billable: true, week: 'approved' },
  { who: 'p1', on: '2025-03-01', hours: '4', line: 'A', billable: true, week: 'approved' },
  // A submitted week: billable, not billable on an engagement, training.
  { who: 'p1', on: '2025-03-03', hours: '8', line: 'A', billable: true, week: 'submitted' },
  { who: 'p1', on: '2025-03-04', hours: '2.25', line: 'A', billable: false, week: 'submitted' },
  { who: 'p1', on: '2025-03-05', hours: '4', week: 'submitted' },
  // A draft week and a returned one: not counted.
  { who: 'p1', on: '2025-03-10', hours: '8', line: 'A', billable: true, week: 'open' },
  { who: 'p3', on: '2025-03-11', hours: '8', line: 'B', billable: true, week: 'returned' },
  // The last day, in; the next day (same week), out.
  { who: 'p1', on: '2025-03-31', hours: '7.5', line: 'B', billable: true, week: 'approved' },
  { who: 'p1', on: '2025-04-01', hours: '8', line: 'B', billable: true, week: 'approved' },
  { who: 'p3', on: '2025-03-18', hours: '10', line: 'B', billable: true, week: 'approved' },
  { who: 'p2', on: '2025-03-19', hours: '6', line: 'A', billable: true, week: 'approved' },
];

const hundredths = (text: string) => Math.round(Number(text) * 100);
const oneDecimal = (h: number) => {
  const tenths = Math.floor((h * 10 + 50) / 100); // h in hundredths ≥ 0, half up
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
};
const share = (part: number, whole: number) => {
  if (whole === 0) return null;
  const tenths = Math.floor((part * 2000) / whole + 1) >> 1; // half up
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
};
const mondayOf = (date: string) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
};
const countedEntries = ENTRIES.filter(
  (e) => e.on >= PERIOD.from && e.on <= PERIOD.to && (e.week === 'submitted' || e.week === 'approved'),
);
/** Expected cells of a set of people (and optionally one line's entries). */
function expected(who: string[], line?: 'A' | 'B') {
  const mine = countedEntries.filter((e) => who.includes(e.who) && (!line || e.line === line));
  const hours = mine.reduce((s, e) => s + hundredths(e.hours), 0);
  const billable = mine.filter((e) => e.billable).reduce((s, e) => s + hundredths(e.hours), 0);
  // Weekly capacity × 31 ÷ 7, in hundredths, half up.
  const capacity = who.reduce((s, p) => s + Math.floor((people[p].weekly * 100 * DAYS * 2 + 7) / 14), 0);
  return {
    hours: oneDecimal(hours),
    billable: oneDecimal(billable),
    billableShare: share(billable, hours),
    capacity: oneDecimal(capacity),
    utilisation: share(hours, capacity),
  };
}

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db;
  lineA = (await buildBusinessLine(db)).id;
  lineB = (await buildBusinessLine(db)).id;
  top = (await buildDepartment(db)).id;
  teamA = (await buildDepartment(db, { parentId: top })).id;
  teamB = (await buildDepartment(db, { parentId: top })).id;
  exec = (await signedIn(t, { roleCode: 'executive' })).client;
  const m = await signedIn(t, { roleCode: 'manager', departmentId: teamA });
  await setDepartmentManager(db, teamA, m.user.id);
  manager = m.client;
  people.mgr = { id: m.user.id, department: teamA, weekly: 40 };
  for (const [key, department, weekly] of [
    ['p1', teamA, 40],
    ['p3', teamA, 20],
    ['p2', teamB, 40],
  ] as const) {
    const user = await buildUser(db, { roleCode: 'staff', departmentId: department });
    people[key] = { id: user.id, department, weekly };
    if (weekly !== 40) await db.insert(personProfiles).values({ userId: user.id, weeklyCapacity: String(weekly) });
  }
  // One engagement per business line, led by p1.
  const engagementOf: Record<string, string> = {};
  for (const [key, line] of [
    ['A', lineA],
    ['B', lineB],
  ] as const) {
    const name = uniq('工时客户');
    const [customer] = await db
      .insert(customers)
      .values({ name, ownerId: people.p1.id, searchText: searchTextOf([name]) })
      .returning();
    const common = {
      title: uniq('审计'),
      customerId: customer.id,
      businessLineId: line,
      amount: '1000',
    };
    const [order] = await db
      .insert(orders)
      .values({ ...common, ownerId: people.p1.id, departmentId: teamA, status: 'confirmed' })
      .returning();
    const [e] = await db
      .insert(engagements)
      .values({
        ...common,
        orderId: order.id,
        leadId: people.p1.id,
        departmentId: teamA,
        salesOwnerId: people.p1.id,
      })
      .returning();
    engagementOf[key] = e.id;
  }
  const weeks = new Map<string, string>();
  for (const e of ENTRIES) {
    const key = `${e.who}|${mondayOf(e.on)}`;
    if (!weeks.has(key)) {
      await db.insert(timesheetWeeks).values({ userId: people[e.who].id, weekStart: mondayOf(e.on), status: e.week });
      weeks.set(key, e.week);
    }
    expect(weeks.get(key)).toBe(e.week);
    await db.insert(timeEntries).values({
      userId: people[e.who].id,
      workDate: e.on,
      engagementId: e.line ? engagementOf[e.line] : null,
      category: e.line ? 'engagement' : 'training',
      hours: e.hours,
      billable: e.billable ?? false,
    });
  }
});
afterAll(() => t.close());

const rowOf = (answer: ReportAnswer, key: string) => answer.tables[0].rows.find((r) => r.key === key)!;

describe('workload and utilisation', () => {
  it('adds up each person’s submitted and approved hours of the period against their capacity', async () => {
    const res = await exec.get('/api/v1/reports/workload', { ...PERIOD, departmentId: top });
    expect(res.status).toBe(200);
    const answer = res.body as ReportAnswer;
    expect(answer.tables[0].rows.map((r) => r.key).sort()).toEqual(
      ['p1', 'p2', 'p3', 'mgr'].map((p) => people[p].id).sort(),
    );
    for (const p of ['p1', 'p2', 'p3', 'mgr']) {
      expect(rowOf(answer, people[p].id).cells, p).toMatchObject(expected([p]));
    }
    // p1: 4 + 8 + 2.25 + 4 + 7.5 = 25.75 h, 19.5 billable; capacity 40 × 31 ÷ 7 = 177.14 h.
    expect(rowOf(answer, people.p1.id).cells).toMatchObject({ hours: '25.8', billable: '19.5', capacity: '177.1' });
    // The manager with no hours: a row of zeros.
    expect(rowOf(answer, people.mgr.id).cells).toMatchObject({ hours: '0.0', billableShare: null, utilisation: '0.0' });
    expect(answer.tables[0].total!.cells).toMatchObject(expected(['p1', 'p2', 'p3', 'mgr']));
  });

  it('counts capacity up to today when the period reaches into the future', async () => {
    // A week ending today and a month still ahead: p3's 20 h a week over the 7 days so far is 20 h, not 20 × 37 ÷ 7.
    const today = localDate(new Date(), FIRM_TIME_ZONE);
    const res = await manager.get('/api/v1/reports/workload', {
      from: addDays(today, -6),
      to: addDays(today, 30),
      departmentId: teamA,
    });
    expect(res.status).toBe(200);
    expect(rowOf(res.body, people.p3.id).cells.capacity).toBe('20.0');
    const ahead = await manager.get('/api/v1/reports/workload', { from: addDays(today, 1), to: addDays(today, 30) });
    expect(rowOf(ahead.body, people.p3.id).cells).toMatchObject({ capacity: '0.0', utilisation: null });
  });

  it('groups by department and by business line', async () => {
    const byDept = (await exec.get('/api/v1/reports/workload', { ...PERIOD, departmentId: top, by: 'department' }))
      .body as ReportAnswer;
    expect(rowOf(byDept, teamA).cells).toMatchObject(expected(['p1', 'p3', 'mgr']));
    expect(rowOf(byDept, teamB).cells).toMatchObject(expected(['p2']));
    const byLine = (await exec.get('/api/v1/reports/workload', { ...PERIOD, departmentId: top, by: 'businessLine' }))
      .body as ReportAnswer;
    const all = ['p1', 'p2', 'p3', 'mgr'];
    const { capacity: _a, utilisation: _b, ...lineA_ } = expected(all, 'A');
    const { capacity: _c, utilisation: _d, ...lineB_ } = expected(all, 'B');
    expect(rowOf(byLine, lineA).cells).toMatchObject(lineA_);
    expect(rowOf(byLine, lineB).cells).toMatchObject(lineB_);
    // Training is not on an engagement: its own row.
    expect(rowOf(byLine, 'none').cells).toMatchObject({ hours: '4.0', billable: '0.0' });
    expect(byLine.tables[0].total!.cells.hours).toBe(expected(all).hours);
    expect(byLine.tables[0].columns.map((c) => c.key)).not.toContain('capacity');
  });

  it('keeps one business line’s hours', async () => {
    const res = await exec.get('/api/v1/reports/workload', { ...PERIOD, departmentId: top, businessLineId: lineB });
    const answer = res.body as ReportAnswer;
    expect(rowOf(answer, people.p1.id).cells).toMatchObject({ hours: expected(['p1'], 'B').hours });
    expect(rowOf(answer, people.p2.id).cells).toMatchObject({ hours: '0.0' });
  });

  it('shows a manager only his department’s people', async () => {
    const res = await manager.get('/api/v1/reports/workload', PERIOD);
    expect(res.status).toBe(200);
    const answer = res.body as ReportAnswer;
    expect(answer.tables[0].rows.map((r) => r.key).sort()).toEqual(['p1', 'p3', 'mgr'].map((p) => people[p].id).sort());
    expect(answer.tables[0].total!.cells).toMatchObject(expected(['p1', 'p3', 'mgr']));
  });

  it('lists the people who do the work: not administrators and partners without hours', async () => {
    // A department of its own, so the other cases' people are not in it.
    const other = (await buildDepartment(db)).id;
    const [admin, partner, busy, worker] = await Promise.all(
      (['admin', 'executive', 'executive', 'staff'] as const).map((roleCode) =>
        buildUser(db, { roleCode, departmentId: other }),
      ),
    );
    // A partner who logs time in a submitted week: listed with it.
    await db.insert(timesheetWeeks).values({ userId: busy.id, weekStart: '2025-03-10', status: 'submitted' });
    await db
      .insert(timeEntries)
      .values({ userId: busy.id, workDate: '2025-03-12', category: 'training', hours: '3', billable: false });
    for (const range of [PERIOD, { from: '2025-03-02', to: '2025-03-30' }]) {
      const answer = (await exec.get('/api/v1/reports/workload', { ...range, departmentId: other }))
        .body as ReportAnswer;
      const keys = answer.tables[0].rows.map((r) => r.key);
      expect(keys.sort(), JSON.stringify(range)).toEqual([busy.id, worker.id].sort());
      expect(keys).not.toContain(admin.id);
      expect(keys).not.toContain(partner.id);
      expect(rowOf(answer, busy.id).cells.hours).toBe('3.0');
    }
  });

  it('exports exactly the page’s figures as .xlsx', async () => {
    const query = new URLSearchParams({ ...PERIOD, departmentId: top }).toString();
    const page = (await exec.get(`/api/v1/reports/workload?${query}`)).body as ReportAnswer;
    const values = await exportedRows(t, exec, 'workload', query);
    const total = page.tables[0].total!.cells;
    expect(values.at(-1)!.slice(0, 6)).toEqual([
      total.person,
      Number(total.hours),
      Number(total.billable),
      Number(total.billableShare),
      Number(total.capacity),
      Number(total.utilisation),
    ]);
  });
});
