import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildDepartment, setDepartmentManager, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { addDays } from '../../lib/time';
import { auditLogs } from '../audit/audit.tables';
import { today } from '../receivables/fixtures';
import { buildOrderWithLines, buildTemplate } from './fixtures';
import { timeEntries } from './timesheets.tables';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

type Person = Awaited<ReturnType<typeof signedIn>>;

/** The Monday of a date's week. */
function mondayOf(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}
/** This week's Monday, or `weeks` weeks from it. */
const monday = (weeks = 0) => addDays(mondayOf(today()), 7 * weeks);

/** Hours as hundredths, written back as the API writes them: exact, computed here on their own. */
const h = (text: string) => Math.round(Number(text) * 100);
const hoursText = (hundredths: number) => String(hundredths / 100);

/**
 * A practice (department) with its manager 部门经理 (role manager, the department's manager), a project lead and two
 * assistants (role staff): an engagement led by the lead with one assistant on the team; the other is a colleague
 * not on it.
 */
async function practice() {
  const db = t.database.db;
  const department = await buildDepartment(db, { name: uniq('审计二部') });
  const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
  await setDepartmentManager(db, department.id, manager.user.id);
  const lead = await signedIn(t, { roleCode: 'staff', departmentId: department.id, displayName: uniq('周经理') });
  const assistant = await signedIn(t, { roleCode: 'staff', departmentId: department.id, displayName: uniq('王助理') });
  const colleague = await signedIn(t, { roleCode: 'staff', departmentId: department.id });
  const line = await buildBusinessLine(db, { name: uniq('审计') });
  await buildTemplate(db, line.id);
  const engagement = await engagementOf(manager, lead, [assistant], line.id);
  return { department, manager, lead, assistant, colleague, line, engagement };
}

type EngagementJson = { id: string; phases: { id: string; name: string; tasks: { id: string; title: string }[] }[] };

async function engagementOf(maker: Person, lead: Person, team: Person[], lineId: string): Promise<EngagementJson> {
  // Sold by the maker's department, so that they see the order.
  const order = await buildOrderWithLines(
    t.database.db,
    [{ businessLineId: lineId, description: '年报审计', amount: '30000' }],
    { ownerId: maker.user.id },
  );
  const made = await maker.client.post('/api/v1/engagements', {
    orderId: order.id,
    leadId: lead.user.id,
    startsOn: addDays(today(), -20),
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const id = made.body.items[0].id as string;
  const staffed = await lead.client.put(`/api/v1/engagements/${id}/members`, {
    members: [
      { userId: lead.user.id, roles: ['manager'] },
      ...team.map((p) => ({ userId: p.user.id, roles: ['assistant'] })),
    ],
  });
  expect(staffed.status, JSON.stringify(staffed.body)).toBe(200);
  return staffed.body;
}

const weekUrl = (weekStart: string) => `/api/v1/timesheets/${weekStart}`;

async function save(person: Person, weekStart: string, rows: object[]) {
  const res = await person.client.put(weekUrl(weekStart), { rows });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** A timesheet flow for the practice alone (flows of other tests never apply to its people). */
async function timesheetFlow(departmentId: string, assignee: object) {
  const fallback = await signedIn(t, { roleCode: 'executive', departmentId: null });
  const flow = await admin.post('/api/v1/workflows', {
    subjectKind: 'timesheet',
    nameZh: '工时审批',
    nameEn: 'Timesheet approval',
    conditions: [{ field: 'departmentId', op: 'eq', value: departmentId }],
    steps: [{ nameZh: '项目负责人', nameEn: 'Project lead', assignee }],
    fallbackUserId: fallback.user.id,
  });
  expect(flow.status, JSON.stringify(flow.body)).toBe(201);
  return flow.body;
}

async function entriesOf(userId: string) {
  return t.database.db.select().from(timeEntries).where(eq(timeEntries.userId, userId));
}

describe('the weekly timesheet 工时', () => {
  it('saves a week’s grid and reads it back, with the totals per row, per day and for the week', async () => {
    const { lead, assistant, engagement } = await practice();
    const week = monday(-1);
    const [mon, tue, wed] = [week, addDays(week, 1), addDays(week, 2)];
    const stocktake = engagement.phases[1].tasks[0];
    const empty = await assistant.client.get(weekUrl(week));
    expect(empty.status, JSON.stringify(empty.body)).toBe(200);
    expect(empty.body).toMatchObject({
      userId: assistant.user.id,
      userName: assistant.user.displayName,
      weekStart: week,
      status: 'open',
      rows: [],
      total: '0',
      dayTotals: ['0', '0', '0', '0', '0', '0', '0'],
      mayEdit: true,
      maySubmit: false,
      approval: null,
    });
    expect(empty.body.days).toEqual(Array.from({ length: 7 }, (_, i) => addDays(week, i)));
    // The engagement I am on is offered, with my work orders (none assigned yet).
    expect(empty.body.engagements).toEqual([
      expect.objectContaining({ id: engagement.id, title: expect.stringContaining('年报审计'), tasks: [] }),
    ]);
    // Once the lead gives her a work order, it is offered under its engagement (with its phase).
    const assigned = await lead.client.patch(`/api/v1/engagement-tasks/${stocktake.id}`, {
      assigneeId: assistant.user.id,
    });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    expect((await assistant.client.get(weekUrl(week))).body.engagements).toEqual([
      expect.objectContaining({
        id: engagement.id,
        tasks: [{ id: stocktake.id, title: stocktake.title, phaseName: engagement.phases[1].name }],
      }),
    ]);

    const grid = [
      {
        engagementId: engagement.id,
        taskId: stocktake.id,
        category: 'engagement',
        hours: { [mon]: '6.5', [tue]: '6.5' },
      },
      {
        engagementId: engagement.id,
        category: 'engagement',
        billable: false,
        note: '项目组内部讨论',
        hours: { [mon]: '1.25', [wed]: '0' },
      },
      { category: 'training', note: '继续教育：新收入准则', hours: { [wed]: '8', [addDays(week, 4)]: '3.75' } },
    ];
    const saved = await save(assistant, week, grid);
    // Computed here: per day, per row, the week, billable (engagement time by default).
    const perDay = new Map<string, number>();
    for (const row of grid)
      for (const [date, hours] of Object.entries(row.hours)) perDay.set(date, (perDay.get(date) ?? 0) + h(hours));
    const total = [...perDay.values()].reduce((a, b) => a + b, 0);
    expect(saved.dayTotals).toEqual(saved.days.map((d: string) => hoursText(perDay.get(d) ?? 0)));
    expect(saved.dayTotals).toEqual(['7.75', '6.5', '8', '0', '3.75', '0', '0']);
    expect(saved.total).toBe(hoursText(total));
    expect(saved.billableTotal).toBe(hoursText(h('6.5') * 2));
    expect(saved.rows).toEqual([
      expect.objectContaining({
        engagementId: engagement.id,
        taskId: stocktake.id,
        taskTitle: stocktake.title,
        category: 'engagement',
        billable: true,
        note: null,
        hours: { [mon]: '6.5', [tue]: '6.5' },
        total: '13',
      }),
      expect.objectContaining({
        engagementId: engagement.id,
        taskId: null,
        billable: false,
        note: '项目组内部讨论',
        hours: { [mon]: '1.25' },
        total: '1.25',
      }),
      expect.objectContaining({
        engagementId: null,
        engagementTitle: null,
        category: 'training',
        billable: false,
        hours: { [wed]: '8', [addDays(week, 4)]: '3.75' },
        total: '11.75',
      }),
    ]);
    expect(saved.maySubmit).toBe(true);
    expect((await assistant.client.get(weekUrl(week))).body).toEqual(saved);
    // One entry per day with hours (the "0" left out), exact in the database.
    const stored = await entriesOf(assistant.user.id);
    expect(stored.map((e) => `${e.workDate} ${e.category} ${e.hours}`).sort()).toEqual(
      [
        `${mon} engagement 6.50`,
        `${tue} engagement 6.50`,
        `${mon} engagement 1.25`,
        `${wed} training 8.00`,
        `${addDays(week, 4)} training 3.75`,
      ].sort(),
    );

    // Saving the grid again with one cell changed keeps the unchanged entries as they are.
    const again = await save(assistant, week, [{ ...grid[0], hours: { [mon]: '6.5', [tue]: '7' } }, grid[1], grid[2]]);
    expect(again.dayTotals[1]).toBe('7');
    const after = await entriesOf(assistant.user.id);
    expect(after.map((e) => e.id).filter((id) => stored.some((s) => s.id === id))).toHaveLength(4);
    const audits = await t.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityType, 'timesheet'), eq(auditLogs.actorId, assistant.user.id)));
    expect(audits).toHaveLength(2);

    // An empty grid clears the week.
    expect((await save(assistant, week, [])).total).toBe('0');
    expect(await entriesOf(assistant.user.id)).toEqual([]);
  });

  it('refuses bad input per field: quarter hours, the category, dates outside the week or too far ahead, a Tuesday', async () => {
    const { assistant, engagement } = await practice();
    const week = monday(-1);
    const put = (rows: object[], weekStart = week) => assistant.client.put(weekUrl(weekStart), { rows });
    const issues = (res: { body: { error: { details: { issues: { path: string; message: string }[] } } } }) =>
      res.body.error.details.issues.map((i) => i.path);

    const third = await put([{ category: 'internal', hours: { [week]: '6.3' } }]);
    expect(third.status).toBe(400);
    expect(issues(third)).toEqual([`body.rows.0.hours.${week}`]);
    expect(third.body.error.details.issues[0].message).toBe('工时以 0.25 小时为单位，例如 6.5');

    const mixed = await put([
      { engagementId: engagement.id, category: 'training', hours: { [week]: '1' } },
      { category: 'engagement', hours: { [week]: '1' } },
      { category: 'leave', billable: true, hours: { [week]: '1' } },
    ]);
    expect(mixed.status).toBe(400);
    expect(issues(mixed)).toEqual(['body.rows.0.category', 'body.rows.1.category', 'body.rows.2.billable']);

    const outside = await put([{ category: 'leave', hours: { [addDays(week, 7)]: '8' } }]);
    expect(outside.status).toBe(400);
    expect(issues(outside)).toEqual([`rows.0.hours.${addDays(week, 7)}`]);

    // Up to 7 days ahead: two weeks on is too far.
    const far = monday(2);
    const ahead = await put([{ category: 'leave', hours: { [far]: '8' } }], far);
    expect(ahead.status).toBe(400);
    expect(ahead.body.error.details.issues[0]).toMatchObject({ path: `rows.0.hours.${far}` });
    expect(ahead.body.error.details.issues[0].message).toContain(addDays(today(), 7));

    const tuesday = await assistant.client.get(weekUrl(addDays(week, 1)));
    expect(tuesday.status).toBe(400);
    expect(tuesday.body.error.code).toBe('VALIDATION_FAILED');
    expect(await entriesOf(assistant.user.id)).toEqual([]);
  });

  it('keeps a person’s day at 24 hours at most: 24 is fine, 24.25 refused with nothing written', async () => {
    const { assistant, engagement } = await practice();
    const week = monday(-2);
    const thu = addDays(week, 3);
    const full = await save(assistant, week, [
      { engagementId: engagement.id, category: 'engagement', hours: { [thu]: '16' } },
      { category: 'internal', hours: { [thu]: '8' } },
    ]);
    expect(full.dayTotals[3]).toBe('24');

    const over = await assistant.client.put(weekUrl(week), {
      rows: [
        { engagementId: engagement.id, category: 'engagement', hours: { [thu]: '16' } },
        { category: 'internal', hours: { [thu]: '8' } },
        { category: 'other', note: '加班', hours: { [thu]: '0.25', [week]: '2' } },
      ],
    });
    expect(over.status).toBe(400);
    expect(over.body.error).toMatchObject({
      code: 'TIMESHEET_DAY_OVER_24',
      message: `${thu} 的工时合计为 24.25 小时，一天不能超过 24 小时`,
      details: { date: thu, hours: '24.25' },
    });
    expect((await assistant.client.patch('/api/v1/auth/me', { locale: 'en-US' })).status).toBe(200);
    const en = await assistant.client.put(weekUrl(week), { rows: [{ category: 'leave', hours: { [thu]: '99' } }] });
    expect(en.status).toBe(400);
    expect(en.body.error.message).toBe(`The hours of ${thu} add up to 99: a day has at most 24 hours`);
    expect((await assistant.client.get(weekUrl(week))).body).toEqual(full);
  });

  it('refuses time changed on a closed or cancelled engagement, and keeps what was logged before', async () => {
    const { assistant, lead, engagement } = await practice();
    const week = monday(-1);
    const logged = { engagementId: engagement.id, category: 'engagement', hours: { [week]: '3' } };
    await save(assistant, week, [logged]);
    const cancelled = await lead.client.post(`/api/v1/engagements/${engagement.id}/cancel`, { reason: '客户取消' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);

    const more = await assistant.client.put(weekUrl(week), {
      rows: [{ ...logged, hours: { [week]: '3', [addDays(week, 1)]: '2' } }],
    });
    expect(more.status).toBe(409);
    expect(more.body.error.code).toBe('TIME_ENGAGEMENT_CLOSED');
    expect(more.body.error.message).toContain('已结项或已取消');
    // Taking it away changes it too.
    const removed = await assistant.client.put(weekUrl(week), { rows: [] });
    expect(removed.status).toBe(409);
    expect(removed.body.error.code).toBe('TIME_ENGAGEMENT_CLOSED');
    // Other time of the week can still be logged, the engagement's kept as it was.
    const other = await save(assistant, week, [logged, { category: 'leave', hours: { [addDays(week, 1)]: '8' } }]);
    expect(other.total).toBe('11');
    // No longer offered for new rows.
    expect(other.engagements).toEqual([]);
  });

  it('refuses an engagement one is not on (as one that does not exist) and a work order of another engagement', async () => {
    const { assistant, colleague, engagement, manager, lead, line } = await practice();
    const week = monday(-1);
    const stranger = await colleague.client.put(weekUrl(week), {
      rows: [{ engagementId: engagement.id, category: 'engagement', hours: { [week]: '2' } }],
    });
    const random = await colleague.client.put(weekUrl(week), {
      rows: [{ engagementId: randomUUID(), category: 'engagement', hours: { [week]: '2' } }],
    });
    expect(stranger.status).toBe(400);
    expect(stranger.body.error.details.issues).toEqual([
      expect.objectContaining({ path: 'rows.0.engagementId', message: '您不是此业务项目的项目组成员，不能登记工时' }),
    ]);
    expect(random.body).toEqual(stranger.body);
    expect((await colleague.client.get(weekUrl(week))).body.engagements).toEqual([]);

    const second = await engagementOf(manager, lead, [assistant], line.id);
    const wrongTask = await assistant.client.put(weekUrl(week), {
      rows: [
        {
          engagementId: engagement.id,
          taskId: second.phases[0].tasks[0].id,
          category: 'engagement',
          hours: { [week]: '2' },
        },
      ],
    });
    expect(wrongTask.status).toBe(400);
    expect(wrongTask.body.error.details.issues).toEqual([expect.objectContaining({ path: 'rows.0.taskId' })]);
    expect(await entriesOf(colleague.user.id)).toEqual([]);
    expect(await entriesOf(assistant.user.id)).toEqual([]);
    // The lead logs time on what they lead.
    expect(
      (await save(lead, week, [{ engagementId: second.id, category: 'engagement', hours: { [week]: '1' } }])).total,
    ).toBe('1');
  });

  it('submitted, the project lead approves the week; it is locked; a returned week is editable again', async () => {
    const { department, assistant, lead, manager, engagement } = await practice();
    await timesheetFlow(department.id, { kind: 'relation', relation: 'project-lead' });
    const week = monday(-1);
    const grid = [
      { engagementId: engagement.id, category: 'engagement', hours: { [week]: '6.5', [addDays(week, 1)]: '6.5' } },
    ];
    await save(assistant, week, grid);

    const submitted = await assistant.client.post(`${weekUrl(week)}/submit`);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body).toMatchObject({
      status: 'submitted',
      submittedAt: expect.any(String),
      mayEdit: false,
      maySubmit: false,
      approval: { status: 'running' },
    });
    const locked = await assistant.client.put(weekUrl(week), { rows: [] });
    expect(locked.status).toBe(409);
    expect(locked.body.error).toMatchObject({ code: 'TIMESHEET_WEEK_LOCKED', message: '本周工时已提交审批，不能修改' });
    expect((await assistant.client.post(`${weekUrl(week)}/submit`)).body.error.code).toBe('TIMESHEET_WEEK_LOCKED');

    // The lead finds it waiting, reads the week (as its approver), and returns it once.
    const waiting = await lead.client.get('/api/v1/approvals', { box: 'waiting' });
    const item = waiting.body.items.find(
      (i: { subjectKind: string; id: string }) => i.id === submitted.body.approval.instanceId,
    );
    expect(item).toMatchObject({ subjectKind: 'timesheet' });
    const read = await lead.client.get(weekUrl(week), { userId: assistant.user.id });
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    expect(read.body).toMatchObject({ total: '13', mayEdit: false, engagements: [] });
    const instanceId = submitted.body.approval.instanceId;
    const returned = await lead.client.post(`/api/v1/workflow-instances/${instanceId}/decide`, {
      action: 'return',
      comment: '周二的工时请写明工单',
    });
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    const back = (await assistant.client.get(weekUrl(week))).body;
    expect(back).toMatchObject({ status: 'returned', comment: '周二的工时请写明工单', mayEdit: true, maySubmit: true });
    await save(assistant, week, [{ ...grid[0], hours: { [week]: '6.5', [addDays(week, 1)]: '7' } }]);
    const again = await assistant.client.post(`${weekUrl(week)}/submit`);
    expect(again.body).toMatchObject({ status: 'submitted', approval: { instanceId, status: 'running' } });

    const approved = await lead.client.post(`/api/v1/workflow-instances/${instanceId}/decide`, { action: 'approve' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const done = (await assistant.client.get(weekUrl(week))).body;
    expect(done).toMatchObject({
      status: 'approved',
      decidedByName: lead.user.displayName,
      decidedAt: expect.any(String),
      comment: null,
      total: '13.5',
      mayEdit: false,
    });
    const refused = await assistant.client.put(weekUrl(week), { rows: grid });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('TIMESHEET_WEEK_LOCKED');
    expect((await assistant.client.get(weekUrl(week))).body).toEqual(done);
    // Its manager reads it too.
    expect((await manager.client.get(weekUrl(week), { userId: assistant.user.id })).body.status).toBe('approved');
  });

  it('without a flow that applies the week is approved on submission; an empty week cannot be submitted', async () => {
    const { assistant } = await practice();
    const week = monday(-3);
    const empty = await assistant.client.post(`${weekUrl(week)}/submit`);
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('TIMESHEET_WEEK_EMPTY');
    await save(assistant, week, [{ category: 'leave', hours: { [week]: '8' } }]);
    const submitted = await assistant.client.post(`${weekUrl(week)}/submit`);
    expect(submitted.body).toMatchObject({ status: 'approved', approval: null, mayEdit: false });
    expect((await assistant.client.put(weekUrl(week), { rows: [] })).body.error.code).toBe('TIMESHEET_WEEK_LOCKED');
  });

  it('two saves of the same day at once never add up to more than 24 hours', async () => {
    const { assistant, engagement } = await practice();
    const week = monday(-1);
    const day = addDays(week, 2);
    const a = [{ engagementId: engagement.id, category: 'engagement', hours: { [day]: '16' } }];
    const b = [{ category: 'internal', hours: { [day]: '16' } }];
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all([
        assistant.client.put(weekUrl(week), { rows: a }),
        assistant.client.put(weekUrl(week), { rows: b }),
      ]);
      expect(answers.map((r) => r.status)).toEqual([200, 200]);
      const stored = await entriesOf(assistant.user.id);
      const sum = stored.filter((e) => e.workDate === day).reduce((s, e) => s + h(e.hours), 0);
      expect(sum).toBe(h('16'));
      const week$ = (await assistant.client.get(weekUrl(week))).body;
      expect(week$.dayTotals[2]).toBe('16');
    }
  });

  it('someone else’s week: their manager and partners read it, a colleague or another manager gets 404', async () => {
    const { assistant, colleague, manager, engagement } = await practice();
    const week = monday(-1);
    await save(assistant, week, [{ engagementId: engagement.id, category: 'engagement', hours: { [week]: '5' } }]);
    const finance = await signedIn(t, { roleCode: 'finance' });
    const elsewhere = await signedIn(t, { roleCode: 'manager' });
    for (const reader of [manager, finance]) {
      const res = await reader.client.get(weekUrl(week), { userId: assistant.user.id });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ userId: assistant.user.id, total: '5', mayEdit: false, engagements: [] });
    }
    const random = await colleague.client.get(weekUrl(week), { userId: randomUUID() });
    expect(random.status).toBe(404);
    for (const reader of [colleague, elsewhere]) {
      const res = await reader.client.get(weekUrl(week), { userId: assistant.user.id });
      expect(res.status).toBe(404);
      expect(res.body).toEqual(random.body);
    }

    // The list of time entries follows the same rule.
    const ids = async (reader: Person, query: Record<string, string> = {}) =>
      (await reader.client.get('/api/v1/time-entries', { userId: assistant.user.id, ...query })).body.items.map(
        (e: { userId: string; hours: string }) => `${e.userId} ${e.hours}`,
      );
    expect(await ids(assistant)).toEqual([`${assistant.user.id} 5`]);
    expect(await ids(manager)).toEqual([`${assistant.user.id} 5`]);
    expect(await ids(finance, { engagementId: engagement.id, from: week, to: week })).toEqual([
      `${assistant.user.id} 5`,
    ]);
    expect(await ids(finance, { from: addDays(week, 1) })).toEqual([]);
    expect(await ids(colleague)).toEqual([]);
    expect(await ids(elsewhere)).toEqual([]);
    const listed = (await manager.client.get('/api/v1/time-entries', { userId: assistant.user.id })).body;
    expect(listed).toMatchObject({ total: 1 });
    expect(listed.items[0]).toMatchObject({
      userName: assistant.user.displayName,
      workDate: week,
      engagementId: engagement.id,
      engagementTitle: expect.stringContaining('年报审计'),
      category: 'engagement',
      billable: true,
      weekStatus: 'open',
    });
  });

  it('an engagement’s budget: planned against logged hours, per phase, warning from 80 % and from 100 %', async () => {
    const { assistant, lead, colleague, engagement } = await practice();
    const budget = async (reader: Person = lead) => {
      const res = await reader.client.get(`/api/v1/engagements/${engagement.id}/budget`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    // The template's tasks: 2.5 (业务承接), 6.5 + 0.25 (现场审计), none (出具报告): 9.25 planned.
    const planned = h('2.5') + h('6.5') + h('0.25');
    expect(await budget()).toEqual({
      plannedHours: hoursText(planned),
      actualHours: '0',
      billableHours: '0',
      percent: 0,
      warning: 'none',
      phases: [
        {
          phaseId: engagement.phases[0].id,
          name: '业务承接',
          plannedHours: '2.5',
          actualHours: '0',
          percent: 0,
          warning: 'none',
        },
        {
          phaseId: engagement.phases[1].id,
          name: '现场审计',
          plannedHours: '6.75',
          actualHours: '0',
          percent: 0,
          warning: 'none',
        },
        {
          phaseId: engagement.phases[2].id,
          name: '出具报告',
          plannedHours: null,
          actualHours: '0',
          percent: null,
          warning: 'none',
        },
      ],
      unphasedHours: '0',
    });
    const week = monday(-1);
    const [acceptance] = engagement.phases[0].tasks;
    const [stocktake] = engagement.phases[1].tasks;
    await save(lead, week, [
      { engagementId: engagement.id, taskId: acceptance.id, category: 'engagement', hours: { [week]: '2' } },
    ]);
    await save(assistant, week, [
      {
        engagementId: engagement.id,
        taskId: stocktake.id,
        category: 'engagement',
        hours: { [week]: '3', [addDays(week, 1)]: '3.5' },
      },
    ]);
    const logged = h('2') + h('3') + h('3.5');
    const first = await budget();
    expect(first).toMatchObject({
      actualHours: hoursText(logged),
      billableHours: hoursText(logged),
      percent: Math.floor((logged * 100) / planned),
      warning: 'over-80',
    });
    expect(
      first.phases.map((p: { actualHours: string; percent: number | null; warning: string }) => [
        p.actualHours,
        p.percent,
        p.warning,
      ]),
    ).toEqual([
      ['2', 80, 'over-80'],
      ['6.5', Math.floor((h('6.5') * 100) / h('6.75')), 'over-80'],
      ['0', null, 'none'],
    ]);
    // Non-billable time without a work order: on no phase; the budget used up.
    await save(assistant, week, [
      {
        engagementId: engagement.id,
        taskId: stocktake.id,
        category: 'engagement',
        hours: { [week]: '3', [addDays(week, 1)]: '3.5' },
      },
      { engagementId: engagement.id, category: 'engagement', billable: false, hours: { [addDays(week, 2)]: '0.75' } },
    ]);
    const second = await budget(assistant);
    expect(second).toMatchObject({
      actualHours: hoursText(logged + h('0.75')),
      billableHours: hoursText(logged),
      unphasedHours: '0.75',
      percent: 100,
      warning: 'over-100',
    });
    // Not for those who cannot see the engagement.
    const hidden = await colleague.client.get(`/api/v1/engagements/${engagement.id}/budget`);
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual((await colleague.client.get(`/api/v1/engagements/${randomUUID()}/budget`)).body);
  });
});
