import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildDepartment, setDepartmentManager, signedIn } from '../../test/factories';
import { createTestApp, uniq, type TestApp } from '../../test/harness';
import { addDays } from '../../lib/time';
import { today } from '../receivables/fixtures';
import { engagementTasks } from './engagements.tables';
import { buildOrderWithLines, buildTemplate } from './fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type Person = Awaited<ReturnType<typeof signedIn>>;
type Cell = { weekStart: string; hours: string; billable: string; planned: string; percent: number; state: string };
type Row = {
  userId: string;
  name: string;
  departmentName: string | null;
  capacity: string;
  weeks: Cell[];
  total: string;
};

/** The Monday of a date's week. */
function mondayOf(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}
const monday = (weeks = 0) => addDays(mondayOf(today()), 7 * weeks);

/** Hours in hundredths and back, computed here on their own. */
const h = (text: string) => Math.round(Number(text) * 100);
const text = (hundredths: number) => String(hundredths / 100);
const sum = (...hours: string[]) => text(hours.reduce((s, x) => s + h(x), 0));

/**
 * Two practices: in the first, its manager, a project lead and an assistant on an engagement, and a colleague with
 * nothing logged; in the second, one person with hours. All hours are logged through the weekly timesheet.
 */
async function firm() {
  const db = t.database.db;
  const department = await buildDepartment(db, { name: uniq('审计一部') });
  const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
  await setDepartmentManager(db, department.id, manager.user.id);
  const lead = await signedIn(t, { roleCode: 'staff', departmentId: department.id, displayName: uniq('周经理') });
  const assistant = await signedIn(t, { roleCode: 'staff', departmentId: department.id, displayName: uniq('王助理') });
  const colleague = await signedIn(t, { roleCode: 'staff', departmentId: department.id, displayName: uniq('李同事') });
  const other = await buildDepartment(db, { name: uniq('评估部') });
  const outsider = await signedIn(t, { roleCode: 'staff', departmentId: other.id, displayName: uniq('赵评估') });
  const line = await buildBusinessLine(db, { name: uniq('审计') });
  await buildTemplate(db, line.id);
  const order = await buildOrderWithLines(db, [{ businessLineId: line.id, description: '年报审计', amount: '30000' }], {
    ownerId: manager.user.id,
  });
  const made = await manager.client.post('/api/v1/engagements', {
    orderId: order.id,
    leadId: lead.user.id,
    startsOn: addDays(today(), -30),
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const engagementId = made.body.items[0].id as string;
  const staffed = await lead.client.put(`/api/v1/engagements/${engagementId}/members`, {
    members: [
      { userId: lead.user.id, roles: ['manager'] },
      { userId: assistant.user.id, roles: ['assistant'] },
    ],
  });
  expect(staffed.status, JSON.stringify(staffed.body)).toBe(200);
  const tasks = (staffed.body.phases as { tasks: { id: string }[] }[]).flatMap((p) => p.tasks);
  return { department, other, manager, lead, assistant, colleague, outsider, engagementId, tasks };
}

async function log(person: Person, weekStart: string, rows: object[]) {
  const res = await person.client.put(`/api/v1/timesheets/${weekStart}`, { rows });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

const days = (weekStart: string, hours: string[]) =>
  Object.fromEntries(hours.map((hour, i) => [addDays(weekStart, i), hour]));

async function readWorkload(person: Person, query: Record<string, string | number>) {
  const res = await person.client.get('/api/v1/workload', query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { weeks: string[]; people: Row[]; totals: { weekStart: string; hours: string }[] };
}

describe('workload 工作负荷', () => {
  it('sums each person’s hours per week against 40 hours, with planned open work, most hours first', async () => {
    const f = await firm();
    const [w1, w2] = [monday(-2), monday(-1)];
    // The assistant: 8 + 8.5 billable and 6.25 of training in week 2; 3 hours in week 1.
    await log(f.assistant, w2, [
      { engagementId: f.engagementId, category: 'engagement', hours: days(w2, ['8', '8.5']) },
      { category: 'training', hours: days(w2, ['0', '0', '6.25']) },
    ]);
    await log(f.assistant, w1, [
      { engagementId: f.engagementId, category: 'engagement', billable: false, hours: days(w1, ['3']) },
    ]);
    // The lead: 8.25 a day for five days in week 2 (over 40).
    await log(f.lead, w2, [
      {
        engagementId: f.engagementId,
        category: 'engagement',
        hours: days(w2, ['8.25', '8.25', '8.25', '8.25', '8.25']),
      },
    ]);
    // Planned: two open work orders of the assistant due in this week, one done (not counted).
    const db = t.database.db;
    const week0 = monday(0);
    const [a, b, c] = f.tasks;
    await db
      .update(engagementTasks)
      .set({ assigneeId: f.assistant.user.id, dueOn: addDays(week0, 2), plannedHours: '6.5' })
      .where(eq(engagementTasks.id, a.id));
    await db
      .update(engagementTasks)
      .set({ assigneeId: f.assistant.user.id, dueOn: addDays(week0, 6), plannedHours: '0.25' })
      .where(eq(engagementTasks.id, b.id));
    await db
      .update(engagementTasks)
      .set({ assigneeId: f.assistant.user.id, dueOn: week0, plannedHours: '9', status: 'done' })
      .where(eq(engagementTasks.id, c.id));

    // A date in the middle of the week names its Monday.
    const body = await readWorkload(f.manager, { from: addDays(w1, 3), weeks: 3 });
    expect(body.weeks).toEqual([w1, w2, week0]);
    const mine = new Set([f.manager, f.lead, f.assistant, f.colleague].map((p) => p.user.id));
    const people = body.people.filter((p) => mine.has(p.userId));
    // 41.25 hours, then 25.75, then the manager and the colleague with none.
    expect(people.map((p) => p.userId).slice(0, 2)).toEqual([f.lead.user.id, f.assistant.user.id]);
    const lead = people.find((p) => p.userId === f.lead.user.id)!;
    const assistant = people.find((p) => p.userId === f.assistant.user.id)!;
    const colleague = people.find((p) => p.userId === f.colleague.user.id)!;
    const leadWeek2 = sum('8.25', '8.25', '8.25', '8.25', '8.25');
    expect(lead).toMatchObject({ capacity: '40', total: leadWeek2 });
    expect(lead.weeks[1]).toEqual({
      weekStart: w2,
      hours: leadWeek2,
      billable: leadWeek2,
      planned: '0',
      percent: Math.floor((h(leadWeek2) * 100) / h('40')),
      state: 'over',
    });
    const assistantWeek2 = sum('8', '8.5', '6.25');
    expect(assistant.weeks).toEqual([
      { weekStart: w1, hours: '3', billable: '0', planned: '0', percent: Math.floor(300 / 40), state: 'under' },
      {
        weekStart: w2,
        hours: assistantWeek2,
        billable: sum('8', '8.5'),
        planned: '0',
        percent: Math.floor((h(assistantWeek2) * 100) / h('40')),
        state: 'ok',
      },
      { weekStart: week0, hours: '0', billable: '0', planned: sum('6.5', '0.25'), percent: 0, state: 'under' },
    ]);
    expect(assistant.total).toBe(sum('3', assistantWeek2));
    expect(colleague.weeks.map((w) => w.state)).toEqual(['under', 'under', 'under']);
    expect(colleague.total).toBe('0');
    expect(assistant.departmentName).toBe(f.department.name);
    // Only the manager's department is shown to him: the totals are theirs.
    expect(body.people.every((p) => p.departmentName === f.department.name)).toBe(true);
    expect(body.people.map((p) => p.userId)).not.toContain(f.outsider.user.id);
    expect(body.totals[1]).toMatchObject({ weekStart: w2, hours: sum(leadWeek2, assistantWeek2) });
  });

  it('shows staff only themselves, managers their department, finance and partners everyone', async () => {
    const f = await firm();
    const week = monday(-1);
    await log(f.outsider, week, [{ category: 'internal', hours: days(week, ['7.75']) }]);
    await log(f.assistant, week, [{ engagementId: f.engagementId, category: 'engagement', hours: days(week, ['2']) }]);

    const self = await readWorkload(f.assistant, { from: week, weeks: 1 });
    expect(self.people.map((p) => p.userId)).toEqual([f.assistant.user.id]);
    expect(self.totals).toEqual([{ weekStart: week, hours: '2', billable: '2', planned: '0', capacity: '40' }]);

    const managed = (await readWorkload(f.manager, { from: week, weeks: 1 })).people.map((p) => p.userId);
    expect(managed).toEqual(
      expect.arrayContaining([f.manager, f.lead, f.assistant, f.colleague].map((p) => p.user.id)),
    );
    expect(managed).not.toContain(f.outsider.user.id);
    // Asking for another department shows nobody of it.
    const elsewhere = await readWorkload(f.manager, { from: week, weeks: 1, departmentId: f.other.id });
    expect(elsewhere.people).toEqual([]);

    for (const roleCode of ['finance', 'executive']) {
      const reader = await signedIn(t, { roleCode });
      const everyone = (await readWorkload(reader, { from: week, weeks: 1 })).people;
      const ids = everyone.map((p) => p.userId);
      expect(ids).toEqual(expect.arrayContaining([f.outsider.user.id, f.assistant.user.id, f.lead.user.id]));
      expect(everyone.find((p) => p.userId === f.outsider.user.id)!.weeks[0]).toMatchObject({
        hours: '7.75',
        billable: '0',
        state: 'under',
      });
      // Narrowed to one department (and those below it).
      const narrowed = await readWorkload(reader, { from: week, weeks: 1, departmentId: f.other.id });
      expect(narrowed.people.map((p) => p.userId)).toEqual([f.outsider.user.id]);
    }
  });

  it('measures a person against their own weekly capacity from the people record (30 h), others against 40', async () => {
    const f = await firm();
    const admin = await signedIn(t, { roleCode: 'admin' });
    const saved = await admin.client.put(`/api/v1/people/${f.assistant.user.id}/profile`, {
      titleLevel: 'junior',
      weeklyCapacity: '30',
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const week = monday(-1);
    // 32 hours each: over 30, within 40.
    const thirtyTwo = ['8', '8', '8', '8'];
    await log(f.assistant, week, [
      { engagementId: f.engagementId, category: 'engagement', hours: days(week, thirtyTwo) },
    ]);
    await log(f.lead, week, [{ engagementId: f.engagementId, category: 'engagement', hours: days(week, thirtyTwo) }]);
    const body = await readWorkload(f.manager, { from: week, weeks: 1 });
    const assistant = body.people.find((p) => p.userId === f.assistant.user.id)!;
    const lead = body.people.find((p) => p.userId === f.lead.user.id)!;
    expect(assistant.capacity).toBe('30');
    expect(assistant.weeks[0]).toMatchObject({ hours: '32', percent: Math.floor((32 * 100) / 30), state: 'over' });
    expect(lead.capacity).toBe('40');
    expect(lead.weeks[0]).toMatchObject({ hours: '32', percent: 80, state: 'ok' });
    // The week's capacity is the sum of everyone's shown.
    const expected = body.people.reduce((sum, p) => sum + h(p.capacity), 0);
    expect((body.totals[0] as { capacity?: string }).capacity).toBe(text(expected));
  });

  it('refuses bad weeks and dates (400) and callers without engagements', async () => {
    const staff = await signedIn(t, { roleCode: 'staff' });
    for (const [query, path] of [
      [{ weeks: 0 }, 'querystring.weeks'],
      [{ weeks: 14 }, 'querystring.weeks'],
      [{ weeks: 'x' }, 'querystring.weeks'],
      [{ from: '2026-02-30' }, 'querystring.from'],
      [{ from: 'tomorrow' }, 'querystring.from'],
      [{ departmentId: 'x' }, 'querystring.departmentId'],
    ] as const) {
      const res = await staff.client.get('/api/v1/workload', query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual([path]);
    }
    const admin = await signedIn(t, { roleCode: 'admin' });
    const role = await admin.client.post('/api/v1/roles', {
      code: uniq('nowork').toLowerCase(),
      name: '无业务',
      grants: { 'customers:read': 'own' },
    });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    const stranger = await signedIn(t, { roleCode: role.body.code });
    expect((await stranger.client.get('/api/v1/workload')).body.error.code).toBe('FORBIDDEN');
  });
});
