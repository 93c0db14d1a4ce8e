import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpportunity, buildUser, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { opportunityMembers, projectTasks } from './opportunities.tables';
import { progressOf } from './projects.service';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

type Seller = Awaited<ReturnType<typeof signedIn>>;

const makeOpportunity = (seller: Seller) => buildOpportunity(t, { ownerId: seller.user.id, isProject: true });

const base = (id: string) => `/api/v1/opportunities/${id}`;

describe('projects', () => {
  it('starts empty at 0%', async () => {
    const seller = await signedIn(t);
    const opp = await makeOpportunity(seller);
    const res = await seller.client.get(`${base(opp.id)}/project`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ opportunityId: opp.id, progress: 0, milestones: [], tasks: [] });
  });

  it('plans milestones and tasks across departments and reports progress overall and per milestone', async () => {
    const seller = await signedIn(t);
    const opp = await makeOpportunity(seller);
    const auditor = await buildUser(t.database.db, { roleCode: 'staff', displayName: uniq('审计师') });
    const planning = await seller.client.post(`${base(opp.id)}/milestones`, { name: '审计计划', dueOn: '2026-03-31' });
    expect(planning.status).toBe(201);
    expect(planning.body).toMatchObject({ name: '审计计划', dueOn: '2026-03-31', position: 0, progress: 0 });
    const fieldwork = (await seller.client.post(`${base(opp.id)}/milestones`, { name: '现场审计' })).body;
    expect(fieldwork.position).toBe(1);

    const task = (body: object) => seller.client.post(`${base(opp.id)}/tasks`, body);
    const t1 = await task({
      title: '了解被审计单位',
      milestoneId: planning.body.id,
      assigneeId: auditor.id,
      startsOn: '2026-03-01',
      dueOn: '2026-03-10',
    });
    expect(t1.status).toBe(201);
    expect(t1.body).toMatchObject({
      status: 'todo',
      doneAt: null,
      assigneeId: auditor.id,
      assigneeName: auditor.displayName,
      startsOn: '2026-03-01',
      dueOn: '2026-03-10',
    });
    expect(t1.body.assigneeDepartmentName).toBeTruthy();
    const t2 = (
      await task({ title: '风险评估', milestoneId: planning.body.id, startsOn: '2026-03-05', dueOn: '2026-03-05' })
    ).body;
    const t3 = (await task({ title: '制定审计计划', milestoneId: planning.body.id })).body;
    const t4 = (await task({ title: '盘点', milestoneId: fieldwork.id })).body;
    await task({ title: '项目启动会' });

    const done = await seller.client.patch(`${base(opp.id)}/tasks/${t1.body.id}`, { status: 'done' });
    expect(done.body.status).toBe('done');
    expect(Date.parse(done.body.doneAt)).toBeGreaterThan(Date.now() - 60_000);
    await seller.client.patch(`${base(opp.id)}/tasks/${t4.id}`, { status: 'done' });
    await seller.client.patch(`${base(opp.id)}/tasks/${t2.id}`, { status: 'doing' });

    let project = (await seller.client.get(`${base(opp.id)}/project`)).body;
    // 2 of 5 done = 40%; 计划 1 of 3 = 33% (rounded down); 现场 1 of 1 = 100%.
    expect(project.progress).toBe(40);
    expect(project.milestones.map((m: { name: string; progress: number }) => [m.name, m.progress])).toEqual([
      ['审计计划', 33],
      ['现场审计', 100],
    ]);
    expect(project.tasks).toHaveLength(5);

    // Back from done clears when it was done; everything done is 100%.
    const reopened = await seller.client.patch(`${base(opp.id)}/tasks/${t1.body.id}`, { status: 'doing' });
    expect(reopened.body.doneAt).toBeNull();
    for (const id of project.tasks.map((x: { id: string }) => x.id))
      await seller.client.patch(`${base(opp.id)}/tasks/${id}`, { status: 'done' });
    project = (await seller.client.get(`${base(opp.id)}/project`)).body;
    expect(project.progress).toBe(100);
    expect(project.milestones.map((m: { progress: number }) => m.progress)).toEqual([100, 100]);

    // Editing and removing.
    const renamed = await seller.client.patch(`${base(opp.id)}/milestones/${fieldwork.id}`, {
      name: '现场审计与函证',
      dueOn: null,
    });
    expect(renamed.body).toMatchObject({ name: '现场审计与函证', dueOn: null, progress: 100 });
    const moved = await seller.client.patch(`${base(opp.id)}/tasks/${t3.id}`, {
      milestoneId: fieldwork.id,
      title: '审计计划定稿',
    });
    expect(moved.body).toMatchObject({ milestoneId: fieldwork.id, title: '审计计划定稿', status: 'done' });
    expect((await seller.client.delete(`${base(opp.id)}/tasks/${t2.id}`)).body).toEqual({ ok: true });
    // A removed milestone's tasks stay in the project.
    expect((await seller.client.delete(`${base(opp.id)}/milestones/${fieldwork.id}`)).status).toBe(200);
    project = (await seller.client.get(`${base(opp.id)}/project`)).body;
    expect(project.milestones.map((m: { name: string }) => m.name)).toEqual(['审计计划']);
    expect(project.tasks).toHaveLength(4);
    expect(project.tasks.find((x: { id: string }) => x.id === t4.id).milestoneId).toBeNull();

    const audit = await admin.get('/api/v1/audit-logs', { entityType: 'project-task', entityId: t1.body.id });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['status', 'status', 'status', 'create']);
    expect(
      (await admin.get('/api/v1/audit-logs', { entityType: 'project-milestone', entityId: fieldwork.id })).body.items[0]
        .action,
    ).toBe('delete');
  });

  it('refuses inactive assignees, dates out of order and milestones of another project, changing nothing', async () => {
    const seller = await signedIn(t);
    const opp = await makeOpportunity(seller);
    const gone = await buildUser(t.database.db, { active: false });
    const inactive = await seller.client.post(`${base(opp.id)}/tasks`, { title: '复核', assigneeId: gone.id });
    expect(inactive.status).toBe(400);
    expect(inactive.body.error).toMatchObject({ code: 'INACTIVE_REFERENCE', message: '所选负责人已停用或不存在' });

    const backwards = await seller.client.post(`${base(opp.id)}/tasks`, {
      title: '复核',
      startsOn: '2026-05-02',
      dueOn: '2026-05-01',
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.code).toBe('VALIDATION_FAILED');
    expect(backwards.body.error.details.issues).toEqual([
      { path: 'body.dueOn', code: 'custom', message: '结束日期不能早于开始日期' },
    ]);

    const other = await makeOpportunity(seller);
    const foreign = (await seller.client.post(`${base(other.id)}/milestones`, { name: '别的项目' })).body;
    const wrongMilestone = await seller.client.post(`${base(opp.id)}/tasks`, {
      title: '复核',
      milestoneId: foreign.id,
    });
    expect(wrongMilestone.status).toBe(400);
    expect(wrongMilestone.body.error.details.issues[0].path).toBe('body.milestoneId');
    expect((await seller.client.patch(`${base(opp.id)}/milestones/${foreign.id}`, { name: 'x' })).status).toBe(404);
    expect((await t.database.db.select().from(projectTasks).where(eq(projectTasks.opportunityId, opp.id))).length).toBe(
      0,
    );

    // Dates are checked as they will be after the change.
    const task = (
      await seller.client.post(`${base(opp.id)}/tasks`, {
        title: '出具报告',
        startsOn: '2026-05-01',
        dueOn: '2026-05-10',
      })
    ).body;
    const later = await seller.client.patch(`${base(opp.id)}/tasks/${task.id}`, { startsOn: '2026-05-11' });
    expect(later.status).toBe(400);
    expect(later.body.error.details.issues[0].message).toBe('结束日期不能早于开始日期');
    expect(
      (await seller.client.patch(`${base(opp.id)}/tasks/${task.id}`, { startsOn: '2026-05-11', dueOn: null })).status,
    ).toBe(200);
    // An assignee who left later may stay on the task; nobody new who left can be given it.
    const leaving = await buildUser(t.database.db);
    await seller.client.patch(`${base(opp.id)}/tasks/${task.id}`, { assigneeId: leaving.id });
    expect((await admin.post(`/api/v1/users/${leaving.id}/deactivate`)).status).toBe(200);
    expect((await seller.client.patch(`${base(opp.id)}/tasks/${task.id}`, { title: '出具审计报告' })).status).toBe(200);
    expect((await seller.client.patch(`${base(opp.id)}/tasks/${task.id}`, { assigneeId: gone.id })).status).toBe(400);
    expect((await seller.client.patch(`${base(opp.id)}/tasks/${task.id}`, { status: 'finished' })).status).toBe(400);
  });

  it('hides the project from those who may not see the opportunity (404 on every route)', async () => {
    const seller = await signedIn(t);
    const opp = await makeOpportunity(seller);
    const milestone = (await seller.client.post(`${base(opp.id)}/milestones`, { name: '计划' })).body;
    const task = (await seller.client.post(`${base(opp.id)}/tasks`, { title: '访谈' })).body;
    const { client: stranger } = await signedIn(t);
    const calls = [
      stranger.get(`${base(opp.id)}/project`),
      stranger.post(`${base(opp.id)}/milestones`, { name: 'x' }),
      stranger.patch(`${base(opp.id)}/milestones/${milestone.id}`, { name: 'x' }),
      stranger.delete(`${base(opp.id)}/milestones/${milestone.id}`),
      stranger.post(`${base(opp.id)}/tasks`, { title: 'x' }),
      stranger.patch(`${base(opp.id)}/tasks/${task.id}`, { status: 'done' }),
      stranger.delete(`${base(opp.id)}/tasks/${task.id}`),
    ];
    for (const res of await Promise.all(calls)) expect(res.status).toBe(404);
    const { client: finance } = await signedIn(t, { roleCode: 'finance' });
    expect((await finance.get(`${base(opp.id)}/project`)).body.tasks).toHaveLength(1);
    expect((await finance.post(`${base(opp.id)}/tasks`, { title: 'x' })).status).toBe(403);
    const project = (await seller.client.get(`${base(opp.id)}/project`)).body;
    expect(project.tasks.map((x: { status: string }) => x.status)).toEqual(['todo']);
    expect(project.milestones.map((m: { name: string }) => m.name)).toEqual(['计划']);
  });

  it('lets the opportunity team from another department work on the plan', async () => {
    const seller = await signedIn(t);
    const opp = await makeOpportunity(seller);
    const task = (await seller.client.post(`${base(opp.id)}/tasks`, { title: '函证' })).body;
    const member = await signedIn(t);
    expect((await member.client.get(`${base(opp.id)}/project`)).status).toBe(404);
    await t.database.db
      .insert(opportunityMembers)
      .values({ opportunityId: opp.id, userId: member.user.id, role: '项目经理' });
    expect(
      (await member.client.patch(`${base(opp.id)}/tasks/${task.id}`, { status: 'done', assigneeId: member.user.id }))
        .body,
    ).toMatchObject({ status: 'done', assigneeName: member.user.displayName });
    expect((await seller.client.get(`${base(opp.id)}/project`)).body.progress).toBe(100);
  });

  it('rounds progress down, so 100% means everything is done', () => {
    expect(progressOf([])).toBe(0);
    expect(progressOf([{ status: 'done' }, { status: 'done' }, { status: 'todo' }])).toBe(66);
    expect(progressOf([...Array(199)].map(() => ({ status: 'done' })).concat({ status: 'doing' }))).toBe(99);
  });
});
