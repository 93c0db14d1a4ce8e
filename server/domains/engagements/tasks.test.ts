import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildDepartment, signedIn } from '../../test/factories';
import { createTestApp, multipart, uniq, type TestApp } from '../../test/harness';
import { auditLogs } from '../audit/audit.tables';
import { notifications } from '../notifications/notifications.tables';
import { users } from '../staff/staff.tables';
import { day } from '../receivables/fixtures';
import { buildOrderWithLines, buildTemplate } from './fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type Person = Awaited<ReturnType<typeof signedIn>>;
type TaskJson = { id: string; title: string; status: string; phaseId: string };

/**
 * An engagement led by a 项目经理 (role staff, own scope) with two assistants 助理 on the team, made by the practice's
 * manager from a confirmed order of a salesperson.
 */
async function engagementWithTeam() {
  const db = t.database.db;
  const practice = await buildDepartment(db, { name: uniq('审计三部') });
  const manager = await signedIn(t, { roleCode: 'manager', departmentId: practice.id });
  const lead = await signedIn(t, { roleCode: 'staff', departmentId: practice.id });
  const assistant = await signedIn(t, { roleCode: 'staff', displayName: uniq('王助理') });
  const other = await signedIn(t, { roleCode: 'staff', displayName: uniq('李助理') });
  const seller = await signedIn(t, { departmentId: practice.id });
  const line = await buildBusinessLine(db, { name: uniq('审计') });
  await buildTemplate(db, line.id);
  const order = await buildOrderWithLines(db, [{ businessLineId: line.id, description: '年报审计', amount: '8000' }], {
    ownerId: seller.user.id,
  });
  const made = await manager.client.post('/api/v1/engagements', {
    orderId: order.id,
    leadId: lead.user.id,
    startsOn: day(-2),
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const id = made.body.items[0].id as string;
  const staffed = await lead.client.put(`/api/v1/engagements/${id}/members`, {
    members: [
      { userId: lead.user.id, roles: ['manager'] },
      { userId: assistant.user.id, roles: ['assistant'] },
      { userId: other.user.id, roles: ['assistant'] },
    ],
  });
  expect(staffed.status, JSON.stringify(staffed.body)).toBe(200);
  const engagement = staffed.body;
  const tasks = engagement.phases.flatMap((p: { tasks: TaskJson[] }) => p.tasks) as TaskJson[];
  return { id, engagement, tasks, manager, lead, assistant, other, seller };
}

const taskUrl = (id: string) => `/api/v1/engagement-tasks/${id}`;

async function assign(planner: Person, taskId: string, body: object) {
  const res = await planner.client.patch(taskUrl(taskId), body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe('work orders 工单', () => {
  it('an assistant assigned a task sees it in 我的工单 and on Today, starts and finishes it; progress follows', async () => {
    const { id, tasks, lead, assistant, other } = await engagementWithTeam();
    const [acceptance, stocktake, confirmations] = tasks;
    // Due in three days (on Today), in a month (not yet), and someone else's.
    const soon = await assign(lead, stocktake.id, { assigneeId: assistant.user.id, dueOn: day(3) });
    expect(soon).toMatchObject({
      assigneeId: assistant.user.id,
      assigneeName: assistant.user.displayName,
      dueOn: day(3),
    });
    await assign(lead, confirmations.id, { assigneeId: assistant.user.id, dueOn: day(30) });
    await assign(lead, acceptance.id, { assigneeId: other.user.id, dueOn: day(1) });

    const mine = await assistant.client.get('/api/v1/work-orders');
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    expect(mine.body.items.map((w: TaskJson) => w.id)).toEqual([stocktake.id, confirmations.id]);
    expect(mine.body.items[0]).toMatchObject({
      engagementId: id,
      engagementTitle: expect.stringContaining('年报审计'),
      customerName: expect.any(String),
      phaseName: '现场审计',
      engagementStatus: 'in-progress',
      status: 'todo',
      plannedHours: '6.5',
    });
    expect(
      (await assistant.client.get('/api/v1/work-orders', { q: '函证' })).body.items.map((w: TaskJson) => w.id),
    ).toEqual([confirmations.id]);
    const today = await assistant.client.get('/api/v1/today');
    expect(today.status).toBe(200);
    expect(today.body.workOrders.map((w: TaskJson) => w.id)).toEqual([stocktake.id]);
    expect(today.body.workOrders[0]).toMatchObject({ title: '存货监盘', phaseName: '现场审计', dueOn: day(3) });

    // Start, then finish.
    const started = await assistant.client.post(`${taskUrl(stocktake.id)}/status`, { status: 'in-progress' });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body).toMatchObject({ status: 'in-progress', startedAt: expect.any(String), doneAt: null });
    const detail = (await lead.client.get(`/api/v1/engagements/${id}`)).body;
    expect(detail.phases.map((p: { status: string }) => p.status)).toEqual(['pending', 'in-progress', 'pending']);
    const done = await assistant.client.post(`${taskUrl(stocktake.id)}/status`, { status: 'done' });
    expect(done.body).toMatchObject({ status: 'done', startedAt: started.body.startedAt, doneAt: expect.any(String) });
    expect((await assistant.client.get('/api/v1/today')).body.workOrders).toEqual([]);
    expect((await assistant.client.get('/api/v1/work-orders')).body.items.map((w: TaskJson) => w.id)).toEqual([
      confirmations.id,
    ]);
    expect(
      (await assistant.client.get('/api/v1/work-orders', { status: 'done' })).body.items.map((w: TaskJson) => w.id),
    ).toEqual([stocktake.id]);

    // One of three done: 33 %; the first phase not done is still the first.
    const listed = (await lead.client.get('/api/v1/engagements', { orderId: detail.orderId })).body.items[0];
    expect(listed).toMatchObject({ progress: Math.floor((1 * 100) / 3), currentPhase: '业务承接' });

    // Finished at once (the lead for the assistant): started and done together; reopening clears the finish.
    const direct = await lead.client.post(`${taskUrl(confirmations.id)}/status`, { status: 'done' });
    expect(direct.body.startedAt).toBe(direct.body.doneAt);
    const reopened = await assistant.client.post(`${taskUrl(confirmations.id)}/status`, { status: 'in-progress' });
    expect(reopened.body).toMatchObject({ status: 'in-progress', startedAt: direct.body.startedAt, doneAt: null });
    const audited = await t.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityType, 'engagement-task'), eq(auditLogs.entityId, stocktake.id)));
    expect(audited.map((a) => a.action).sort()).toEqual(['status', 'status', 'update']);
  });

  it('the assistant may not change another’s work order nor re-plan their own; an outsider learns nothing', async () => {
    const { tasks, lead, assistant, other } = await engagementWithTeam();
    const [acceptance, stocktake] = tasks;
    await assign(lead, stocktake.id, { assigneeId: assistant.user.id });
    await assign(lead, acceptance.id, { assigneeId: other.user.id });

    const notMine = await assistant.client.post(`${taskUrl(acceptance.id)}/status`, { status: 'in-progress' });
    expect(notMine.status).toBe(403);
    expect(notMine.body.error.code).toBe('TASK_NOT_YOURS');
    const replan = await assistant.client.patch(taskUrl(stocktake.id), { dueOn: day(60) });
    expect(replan.status).toBe(403);
    expect(replan.body.error.code).toBe('FORBIDDEN');
    const unassigned = tasks[2];
    expect((await assistant.client.post(`${taskUrl(unassigned.id)}/status`, { status: 'done' })).status).toBe(403);

    const { client: outsider } = await signedIn(t, { roleCode: 'staff' });
    const hidden = await outsider.post(`${taskUrl(stocktake.id)}/status`, { status: 'done' });
    const random = await outsider.post(`${taskUrl(randomUUID())}/status`, { status: 'done' });
    expect([hidden.status, hidden.body]).toEqual([404, random.body]);
    expect((await outsider.get('/api/v1/work-orders')).body.items).toEqual([]);
  });

  it('plans tasks: the assignee must be on the team, the due date not before the start; dates default to the phase’s', async () => {
    const { id, engagement, tasks, lead, assistant, seller } = await engagementWithTeam();
    const stranger = await assign(lead, tasks[1].id, { title: '存货监盘（二）' });
    expect(stranger.title).toBe('存货监盘（二）');
    const outside = await lead.client.patch(taskUrl(tasks[1].id), { assigneeId: seller.user.id });
    expect(outside.status).toBe(400);
    expect(outside.body.error.details.issues).toEqual([
      expect.objectContaining({ path: 'assigneeId', message: '此人不在项目组中，请先在人员安排中加入' }),
    ]);
    const backwards = await lead.client.patch(taskUrl(tasks[1].id), { startsOn: '2026-05-10', dueOn: '2026-05-09' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details.issues[0].path).toBe('dueOn');

    const report = engagement.phases[2];
    const created = await lead.client.post(`/api/v1/engagements/${id}/tasks`, {
      phaseId: report.id,
      title: '编制审计报告',
      role: 'signing-cpa',
      assigneeId: assistant.user.id,
      plannedHours: '4.75',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      phaseId: report.id,
      position: 1,
      startsOn: report.startsOn,
      dueOn: report.dueOn,
      plannedHours: '4.75',
      status: 'todo',
    });
    const after = (await lead.client.get(`/api/v1/engagements/${id}`)).body;
    expect(after.phases[2]).toMatchObject({ plannedHours: '4.75', status: 'pending' });
    expect(after.phases[2].tasks.map((x: TaskJson) => x.title)).toEqual(['编制审计报告']);
    const otherPhase = await lead.client.post(`/api/v1/engagements/${id}/tasks`, { phaseId: randomUUID(), title: 'x' });
    expect(otherPhase.status).toBe(400);
    expect(
      (await assistant.client.post(`/api/v1/engagements/${id}/tasks`, { phaseId: report.id, title: 'x' })).status,
    ).toBe(403);
  });

  it('tells a work order’s new assignee (in their language), not the planner themself, not on unassigning', async () => {
    const { id, engagement, tasks, lead, assistant, other } = await engagementWithTeam();
    const db = t.database.db;
    await db.update(users).set({ locale: 'en-US' }).where(eq(users.id, other.user.id));
    const told = async (userId: string) =>
      db
        .select({ kind: notifications.kind, params: notifications.params, entityId: notifications.entityId })
        .from(notifications)
        .where(and(eq(notifications.userId, userId), eq(notifications.kind, 'work-order-assigned')));
    const [acceptance, stocktake] = tasks;

    await assign(lead, stocktake.id, { assigneeId: assistant.user.id, dueOn: day(3) });
    expect(await told(assistant.user.id)).toEqual([
      {
        kind: 'work-order-assigned',
        params: { task: '存货监盘', engagement: engagement.title, customer: engagement.customerName, due: day(3) },
        entityId: stocktake.id,
      },
    ]);
    const bell = await assistant.client.get('/api/v1/notifications');
    const item = bell.body.items.find((n: { kind: string }) => n.kind === 'work-order-assigned');
    expect(item).toMatchObject({ entityType: 'engagement-task', entityId: stocktake.id, readAt: null });
    expect(item.message).toBe(
      `新工单分配给您：存货监盘（${engagement.customerName} · ${engagement.title}），截止 ${day(3)}`,
    );

    // Re-planned with the same assignee, or refused: no second word.
    await assign(lead, stocktake.id, { dueOn: day(4), title: '存货监盘' });
    await assign(lead, stocktake.id, { assigneeId: assistant.user.id });
    const refused = await lead.client.patch(taskUrl(acceptance.id), {
      assigneeId: other.user.id,
      startsOn: day(5),
      dueOn: day(4),
    });
    expect(refused.status).toBe(400);
    expect(await told(assistant.user.id)).toHaveLength(1);
    expect(await told(other.user.id)).toEqual([]);

    // Reassigned: the new one hears of it, in English; the previous one nothing more.
    await assign(lead, stocktake.id, { assigneeId: other.user.id });
    expect((await told(other.user.id)).map((n) => n.params.due)).toEqual([day(4)]);
    const english = (await other.client.get('/api/v1/notifications')).body.items[0];
    expect(english.message).toBe(
      `A work order was assigned to you: 存货监盘 (${engagement.customerName} · ${engagement.title}), due ${day(4)}`,
    );
    expect(await told(assistant.user.id)).toHaveLength(1);

    // Unassigned, or taken by the planner themself: nobody is told.
    await assign(lead, stocktake.id, { assigneeId: null });
    await assign(lead, acceptance.id, { assigneeId: lead.user.id });
    expect(await told(lead.user.id)).toEqual([]);
    expect(await told(other.user.id)).toHaveLength(1);

    // A task made with an assignee tells them too; one without a due date says so.
    const created = await lead.client.post(`/api/v1/engagements/${id}/tasks`, {
      phaseId: engagement.phases[2].id,
      title: '复核底稿',
      assigneeId: assistant.user.id,
      dueOn: null,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await told(assistant.user.id)).map((n) => [n.entityId, n.params.task, n.params.due])).toEqual(
      expect.arrayContaining([[created.body.id, '复核底稿', '—']]),
    );
  });

  it('comments and working papers: the team adds, whoever sees the engagement reads, others get 404', async () => {
    const { id, tasks, lead, assistant, seller } = await engagementWithTeam();
    const task = tasks[1];
    await assign(lead, task.id, { assigneeId: assistant.user.id });
    const notes = `${taskUrl(task.id)}/notes`;
    const comment = await assistant.client.post(notes, { body: '存货已监盘，差异 3 项待查' });
    expect(comment.status, JSON.stringify(comment.body)).toBe(201);
    expect(comment.body).toMatchObject({
      authorId: assistant.user.id,
      authorName: assistant.user.displayName,
      body: '存货已监盘，差异 3 项待查',
      fileId: null,
      fileName: null,
    });

    const paper = Buffer.from('盘点表,数量\n原材料,120\n');
    const upload = await assistant.client.request(
      'POST',
      `${taskUrl(task.id)}/files`,
      undefined,
      multipart([{ filename: '存货监盘表.csv', content: paper, type: 'text/csv' }]),
    );
    expect(upload.status, JSON.stringify(upload.body)).toBe(201);
    expect(upload.body).toMatchObject({ body: null, fileId: expect.any(String), fileName: '存货监盘表.csv' });

    // The lead reads both; the sales owner sees the engagement and reads them, but does not add to them.
    const read = await lead.client.get(notes);
    expect(read.status).toBe(200);
    expect(read.body.map((n: { body: string | null; fileName: string | null }) => n.body ?? n.fileName)).toEqual([
      '存货已监盘，差异 3 项待查',
      '存货监盘表.csv',
    ]);
    expect((await seller.client.get(notes)).body).toHaveLength(2);
    expect((await seller.client.post(notes, { body: '客户催报告' })).status).toBe(403);
    const download = await lead.client.get(`${taskUrl(task.id)}/files/${upload.body.fileId}`);
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toContain('text/csv');
    expect(download.body).toBe(paper.toString());
    const detail = (await lead.client.get(`/api/v1/engagements/${id}`)).body;
    expect(detail.phases[1].tasks[0].notes).toBe(2);

    const { client: outsider } = await signedIn(t, { roleCode: 'staff' });
    expect((await outsider.get(notes)).status).toBe(404);
    expect((await outsider.get(`${taskUrl(task.id)}/files/${upload.body.fileId}`)).status).toBe(404);
    expect((await outsider.post(notes, { body: '你好' })).status).toBe(404);
  });

  it('stops work on a cancelled engagement: no status changes, no notes, gone from 我的工单', async () => {
    const { id, tasks, lead, assistant } = await engagementWithTeam();
    const task = tasks[1];
    await assign(lead, task.id, { assigneeId: assistant.user.id, dueOn: day(2) });
    const cancelled = await lead.client.post(`/api/v1/engagements/${id}/cancel`, { reason: '客户解除委托' });
    expect(cancelled.status).toBe(200);
    const start = await assistant.client.post(`${taskUrl(task.id)}/status`, { status: 'in-progress' });
    expect(start.status).toBe(409);
    expect(start.body.error.code).toBe('ENGAGEMENT_STATUS_INVALID');
    expect((await assistant.client.post(`${taskUrl(task.id)}/notes`, { body: '还做吗' })).status).toBe(409);
    expect((await assistant.client.get('/api/v1/work-orders')).body.items).toEqual([]);
    expect((await assistant.client.get('/api/v1/today')).body.workOrders).toEqual([]);
    expect(
      (await assistant.client.get('/api/v1/work-orders', { status: 'all' })).body.items.map((w: TaskJson) => w.id),
    ).toEqual([task.id]);
  });
});
