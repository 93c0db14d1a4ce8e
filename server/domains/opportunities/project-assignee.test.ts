import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpportunity, signedIn } from '../../test/factories';
import { createTestApp, type TestApp } from '../../test/harness';
import { opportunityMembers } from './opportunities.tables';

/**
 * Issue 10 item 9: engagement staff (项目人员, role `staff`: read own, no write) work on the
 * project tasks given to them — the status only; planning stays with those who may change the
 * opportunity.
 */
let t: TestApp;
let admin: Awaited<ReturnType<typeof signedIn>>['client'];
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

const base = (id: string) => `/api/v1/opportunities/${id}`;

async function projectWithTaskFor(assigneeId: string, { member }: { member: boolean }) {
  const seller = await signedIn(t);
  const opp = await buildOpportunity(t, { ownerId: seller.user.id, isProject: true });
  if (member)
    await t.database.db
      .insert(opportunityMembers)
      .values({ opportunityId: opp.id, userId: assigneeId, role: '签字注册会计师' });
  const task = (
    await seller.client.post(`${base(opp.id)}/tasks`, { title: '编制总体审计策略', assigneeId, dueOn: '2026-03-10' })
  ).body;
  expect(task.assigneeId).toBe(assigneeId);
  return { seller, opp, task };
}

describe('project tasks and their assignees', () => {
  it('lets a 项目人员 on the team change the status of their own task (it was 403)', async () => {
    const staff = await signedIn(t, { roleCode: 'staff' });
    const { seller, opp, task } = await projectWithTaskFor(staff.user.id, { member: true });
    // They see the project …
    expect((await staff.client.get(`${base(opp.id)}/project`)).body.tasks).toHaveLength(1);
    // … and work on their task.
    const doing = await staff.client.patch(`${base(opp.id)}/tasks/${task.id}`, { status: 'doing' });
    expect(doing.status).toBe(200);
    expect(doing.body).toMatchObject({ status: 'doing', doneAt: null });
    const done = await staff.client.patch(`${base(opp.id)}/tasks/${task.id}`, { status: 'done' });
    expect(done.status).toBe(200);
    expect(done.body.doneAt).not.toBeNull();
    // The owner sees the progress, and the audit log says who did it.
    expect((await seller.client.get(`${base(opp.id)}/project`)).body.progress).toBe(100);
    const audit = await admin.get('/api/v1/audit-logs', { entityType: 'project-task', entityId: task.id });
    expect(audit.body.items[0]).toMatchObject({ action: 'status', actorName: staff.user.displayName });
  });

  it('lets an assignee outside the team change the status without seeing the rest of the opportunity', async () => {
    const staff = await signedIn(t, { roleCode: 'staff' });
    const { seller, opp, task } = await projectWithTaskFor(staff.user.id, { member: false });
    expect((await staff.client.get(`${base(opp.id)}/project`)).status).toBe(404);
    expect((await staff.client.get(base(opp.id))).status).toBe(404);
    const res = await staff.client.patch(`${base(opp.id)}/tasks/${task.id}`, { status: 'done' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: task.id, status: 'done' });
    expect((await seller.client.get(`${base(opp.id)}/project`)).body.tasks[0].status).toBe('done');
  });

  it('does not let an assignee without the right to change the opportunity re-plan, re-assign or delete the task', async () => {
    const staff = await signedIn(t, { roleCode: 'staff' });
    const colleague = await signedIn(t, { roleCode: 'staff' });
    const { seller, opp, task } = await projectWithTaskFor(staff.user.id, { member: true });
    for (const patch of [
      { assigneeId: colleague.user.id },
      { assigneeId: null },
      { title: '改个名字' },
      { dueOn: '2026-12-31' },
      { status: 'done', milestoneId: null },
    ]) {
      const res = await staff.client.patch(`${base(opp.id)}/tasks/${task.id}`, patch);
      expect(res.status, JSON.stringify(patch)).toBe(403);
      expect(res.body.error).toMatchObject({
        code: 'TASK_ASSIGNEE_STATUS_ONLY',
        message: '您是该任务的负责人，只能更改它的状态；其他修改请联系商机负责人',
      });
    }
    expect((await staff.client.delete(`${base(opp.id)}/tasks/${task.id}`)).status).toBe(403);
    expect((await staff.client.post(`${base(opp.id)}/tasks`, { title: '新任务' })).status).toBe(403);
    const project = (await seller.client.get(`${base(opp.id)}/project`)).body;
    expect(project.tasks).toHaveLength(1);
    expect(project.tasks[0]).toMatchObject({
      title: '编制总体审计策略',
      assigneeId: staff.user.id,
      dueOn: '2026-03-10',
      status: 'todo',
    });
  });

  it('still refuses other people’s tasks: 403 on a team one can see, 404 on one one cannot', async () => {
    const assignee = await signedIn(t, { roleCode: 'staff' });
    const teammate = await signedIn(t, { roleCode: 'staff' });
    const { seller, opp, task } = await projectWithTaskFor(assignee.user.id, { member: true });
    await t.database.db
      .insert(opportunityMembers)
      .values({ opportunityId: opp.id, userId: teammate.user.id, role: '审计助理' });
    expect((await teammate.client.patch(`${base(opp.id)}/tasks/${task.id}`, { status: 'done' })).status).toBe(403);
    const stranger = await signedIn(t);
    expect((await stranger.client.patch(`${base(opp.id)}/tasks/${task.id}`, { status: 'done' })).status).toBe(404);
    // One's task in another project does not open this one.
    const outsider = await signedIn(t, { roleCode: 'staff' });
    const other = await projectWithTaskFor(outsider.user.id, { member: false });
    expect((await outsider.client.patch(`${base(opp.id)}/tasks/${other.task.id}`, { status: 'done' })).status).toBe(
      404,
    );
    expect((await outsider.client.patch(`${base(opp.id)}/tasks/${task.id}`, { status: 'done' })).status).toBe(403);
    expect((await seller.client.get(`${base(opp.id)}/project`)).body.tasks[0].status).toBe('todo');
  });

  it('lets a salesperson assigned a task on a colleague’s opportunity change its status, not its plan', async () => {
    const sales = await signedIn(t);
    const { opp, task } = await projectWithTaskFor(sales.user.id, { member: false });
    expect((await sales.client.patch(`${base(opp.id)}/tasks/${task.id}`, { status: 'doing' })).status).toBe(200);
    const moved = await sales.client.patch(`${base(opp.id)}/tasks/${task.id}`, { dueOn: '2026-04-01' });
    expect(moved.status).toBe(403);
    expect(moved.body.error.code).toBe('TASK_ASSIGNEE_STATUS_ONLY');
  });
});
