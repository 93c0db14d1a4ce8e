import { and, eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildDepartment, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { addDays } from '../../lib/time';
import { today } from '../receivables/fixtures';
import { buildOrderWithLines, buildTemplate } from './fixtures';
import { timeEntries } from './timesheets.tables';

/**
 * The weekly timesheet against a model of it, through the HTTP API: random sequences of grid saves (one at a time or
 * two at once), submissions, approvals and returns on two weeks of one person. After every step each week is what
 * the model says — its status and its hours per row and day —, no day of the person holds more than 24 hours, and an
 * approved week is exactly as it was approved.
 */

let t: TestApp;
let person: Client;
let personId: string;
let approver: Client;
let e1: string;
let e2: string;
beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  const department = await buildDepartment(db, { name: uniq('审计四部') });
  const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
  const me = await signedIn(t, { roleCode: 'staff', departmentId: department.id });
  person = me.client;
  personId = me.user.id;
  const boss = await signedIn(t, { roleCode: 'staff', departmentId: department.id });
  approver = boss.client;
  const line = await buildBusinessLine(db, { name: uniq('审计') });
  await buildTemplate(db, line.id);
  // Two engagements the person leads: the second cancelled (time on it is refused).
  const ids: string[] = [];
  for (const title of ['年报审计', '专项审计']) {
    const order = await buildOrderWithLines(db, [{ businessLineId: line.id, description: title, amount: '10000' }], {
      ownerId: manager.user.id,
    });
    const made = await manager.client.post('/api/v1/engagements', { orderId: order.id, leadId: me.user.id });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    ids.push(made.body.items[0].id);
  }
  [e1, e2] = ids;
  expect((await person.post(`/api/v1/engagements/${e2}/cancel`, { reason: '客户取消' })).status).toBe(200);
  const { client: admin } = await signedIn(t, { roleCode: 'admin' });
  const flow = await admin.post('/api/v1/workflows', {
    subjectKind: 'timesheet',
    nameZh: '工时审批',
    nameEn: 'Timesheet approval',
    conditions: [{ field: 'departmentId', op: 'eq', value: department.id }],
    steps: [{ nameZh: '审核', nameEn: 'Check', assignee: { kind: 'user', userId: boss.user.id } }],
    fallbackUserId: manager.user.id,
  });
  expect(flow.status, JSON.stringify(flow.body)).toBe(201);
});
afterAll(() => t.close());

/** The rows a grid may have: engagement time (billable or not), time on the cancelled one, two categories. */
const KINDS = ['e1', 'e1-internal', 'e2', 'training', 'leave'] as const;
type Kind = (typeof KINDS)[number];
const rowOf = (kind: Kind) =>
  ({
    e1: { engagementId: e1, category: 'engagement' },
    'e1-internal': { engagementId: e1, category: 'engagement', billable: false },
    e2: { engagementId: e2, category: 'engagement' },
    training: { category: 'training' },
    leave: { category: 'leave' },
  })[kind];
const kindOf = (row: { engagementId: string | null; billable: boolean; category: string }): Kind =>
  row.engagementId === e1
    ? row.billable
      ? 'e1'
      : 'e1-internal'
    : row.engagementId === e2
      ? 'e2'
      : (row.category as Kind);

/** A grid: rows of quarter hours per day (0–16 h a cell, often none). */
type Grid = { kind: Kind; quarters: number[] }[];
const gridArb: fc.Arbitrary<Grid> = fc.array(
  fc.record({
    kind: fc.constantFrom(...KINDS),
    quarters: fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 64 })), {
      minLength: 7,
      maxLength: 7,
    }),
  }),
  { maxLength: 3 },
);

type Command =
  | { op: 'save'; week: number; grid: Grid }
  | { op: 'race'; week: number; grids: [Grid, Grid] }
  | { op: 'submit'; week: number }
  | { op: 'approve'; week: number }
  | { op: 'return'; week: number };
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('save' as const), week: fc.nat(1), grid: gridArb }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('race' as const), week: fc.nat(1), grids: fc.tuple(gridArb, gridArb) }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('submit' as const), week: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('approve' as const), week: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('return' as const), week: fc.nat(1) }) },
);

/** A week's hours as "kind date" → hundredths (rows of one kind add up, as the grid shows them). */
type Cells = Map<string, number>;
type WeekModel = {
  start: string;
  status: 'open' | 'submitted' | 'approved' | 'returned';
  cells: Cells;
  instanceId: string | null;
  /** The hours as approved. */
  approved: Cells | null;
};

function cellsOf(start: string, grid: Grid): Cells {
  const cells: Cells = new Map();
  for (const row of grid)
    row.quarters.forEach((q, i) => {
      if (q === 0) return;
      const key = `${row.kind} ${addDays(start, i)}`;
      cells.set(key, (cells.get(key) ?? 0) + q * 25);
    });
  return cells;
}

const dayTotals = (start: string, cells: Cells) =>
  Array.from({ length: 7 }, (_, i) => {
    const date = addDays(start, i);
    return [...cells].filter(([key]) => key.endsWith(date)).reduce((s, [, h]) => s + h, 0);
  });

/** What saving the grid answers on the week as the model has it. */
function expectedSave(w: WeekModel, grid: Grid): { status: number; code?: string } {
  if (w.status === 'submitted' || w.status === 'approved') return { status: 409, code: 'TIMESHEET_WEEK_LOCKED' };
  const cells = cellsOf(w.start, grid);
  if ([...cells.keys()].some((k) => k.startsWith('e2 '))) return { status: 409, code: 'TIME_ENGAGEMENT_CLOSED' };
  if (dayTotals(w.start, cells).some((h) => h > 2400)) return { status: 400, code: 'TIMESHEET_DAY_OVER_24' };
  return { status: 200 };
}

const body = (start: string, grid: Grid) => ({
  rows: grid.map((row) => ({
    ...rowOf(row.kind),
    hours: Object.fromEntries(row.quarters.map((q, i) => [addDays(start, i), String(q / 4)])),
  })),
});

const hundredths = (text: string) => Math.round(Number(text) * 100);

/** The week as the person reads it, as cells. */
async function seen(w: WeekModel) {
  const res = await person.get(`/api/v1/timesheets/${w.start}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const cells: Cells = new Map();
  for (const row of res.body.rows)
    for (const [date, h] of Object.entries(row.hours as Record<string, string>)) {
      const key = `${kindOf(row)} ${date}`;
      cells.set(key, (cells.get(key) ?? 0) + hundredths(h));
    }
  return { week: res.body, cells };
}

const sorted = (cells: Cells) => [...cells].sort(([a], [b]) => a.localeCompare(b));

let run = 0;

describe('the weekly timesheet against a model', () => {
  it('any sequence of saves, submissions, approvals and returns keeps days ≤ 24 h and approved weeks unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 12 }), async (commands) => {
        // Two weeks of their own for every run, in the past (a year back per 25 runs).
        run += 1;
        const base = addDays(today(), -14 * run - 7);
        const monday = addDays(base, -((new Date(`${base}T00:00:00Z`).getUTCDay() + 6) % 7));
        const weeks: WeekModel[] = [monday, addDays(monday, -7)].map((start) => ({
          start,
          status: 'open',
          cells: new Map(),
          instanceId: null,
          approved: null,
        }));

        for (const command of commands) {
          const w = weeks[command.week];
          const url = `/api/v1/timesheets/${w.start}`;
          const what = JSON.stringify(command);
          if (command.op === 'save') {
            const expected = expectedSave(w, command.grid);
            const res = await person.put(url, body(w.start, command.grid));
            expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(expected.status);
            if (expected.code) expect(res.body.error.code).toBe(expected.code);
            else w.cells = cellsOf(w.start, command.grid);
          } else if (command.op === 'race') {
            const answers = await Promise.all(command.grids.map((grid) => person.put(url, body(w.start, grid))));
            const candidates: Cells[] = [];
            command.grids.forEach((grid, i) => {
              const expected = expectedSave(w, grid);
              expect(answers[i].status, `${what}: ${JSON.stringify(answers[i].body)}`).toBe(expected.status);
              if (expected.status === 200) candidates.push(cellsOf(w.start, grid));
            });
            // The one saved last is the week now.
            if (candidates.length) {
              const now = (await seen(w)).cells;
              const match = candidates.find((c) => JSON.stringify(sorted(c)) === JSON.stringify(sorted(now)));
              expect(match, what).toBeDefined();
              w.cells = match!;
            }
          } else if (command.op === 'submit') {
            const res = await person.post(`${url}/submit`);
            if (w.status === 'submitted' || w.status === 'approved') {
              expect(res.status).toBe(409);
              expect(res.body.error.code).toBe('TIMESHEET_WEEK_LOCKED');
            } else if (w.cells.size === 0) {
              expect(res.status).toBe(400);
              expect(res.body.error.code).toBe('TIMESHEET_WEEK_EMPTY');
            } else {
              expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(200);
              expect(res.body.status).toBe('submitted');
              // A returned week goes back to the same approval.
              if (w.status === 'returned') expect(res.body.approval.instanceId).toBe(w.instanceId);
              w.instanceId = res.body.approval.instanceId;
              w.status = 'submitted';
            }
          } else if (w.instanceId) {
            const res = await approver.post(`/api/v1/workflow-instances/${w.instanceId}/decide`, {
              action: command.op,
              ...(command.op === 'return' ? { comment: '请核对' } : {}),
            });
            if (w.status === 'submitted') {
              expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(200);
              if (command.op === 'approve') {
                w.status = 'approved';
                w.approved = new Map(w.cells);
              } else w.status = 'returned';
            } else {
              expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(409);
            }
          }

          for (const week of weeks) {
            const { week: answer, cells } = await seen(week);
            expect(answer.status, what).toBe(week.status);
            expect(sorted(cells), what).toEqual(sorted(week.cells));
            expect(answer.dayTotals.map(hundredths)).toEqual(dayTotals(week.start, week.cells));
            for (const total of answer.dayTotals) expect(hundredths(total)).toBeLessThanOrEqual(2400);
            if (week.status === 'approved') expect(sorted(cells)).toEqual(sorted(week.approved!));
            expect(answer.mayEdit).toBe(week.status === 'open' || week.status === 'returned');
          }
        }

        // In the database: no day of the person over 24 hours.
        const [worst] = await t.database.db.select({ hours: sql<string>`coalesce(max(day.total), 0)::text` }).from(
          t.database.db
            .select({ total: sql`sum(${timeEntries.hours})`.as('total') })
            .from(timeEntries)
            .where(and(eq(timeEntries.userId, personId)))
            .groupBy(timeEntries.workDate)
            .as('day'),
        );
        expect(Number(worst.hours)).toBeLessThanOrEqual(24);
      }),
      // PROP_RUNS=400 for a longer search than CI's.
      { numRuns: Number(process.env.PROP_RUNS) || 25 },
    );
  }, 300_000);
});
