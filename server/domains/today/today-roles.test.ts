import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leads } from '../leads/leads.tables';
import { opportunities, opportunityMembers } from '../opportunities/opportunities.tables';
import { buildOpportunity, signedIn } from '../../test/factories';
import { createTestApp, uniq, type TestApp } from '../../test/harness';

/** Issue 10 items 9 and 10: Today shows each role the work it can do — and nothing it cannot open. */
let t: TestApp;
let admin: Awaited<ReturnType<typeof signedIn>>['client'];
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

const base = (id: string) => `/api/v1/opportunities/${id}`;

describe('Today for engagement staff and other roles', () => {
  it('lists a 项目人员’s open project tasks, earliest due first, saying which projects they may open', async () => {
    const staff = await signedIn(t, { roleCode: 'staff' });
    const seller = await signedIn(t);
    const onTeam = await buildOpportunity(t, { ownerId: seller.user.id, isProject: true, name: uniq('IPO 审计') });
    await t.database.db
      .insert(opportunityMembers)
      .values({ opportunityId: onTeam.id, userId: staff.user.id, role: '签字注册会计师' });
    const elsewhere = await buildOpportunity(t, { ownerId: seller.user.id, isProject: true, name: uniq('IPO 辅导') });
    const task = (oppId: string, body: object) =>
      seller.client.post(`${base(oppId)}/tasks`, { assigneeId: staff.user.id, ...body }).then((r) => r.body);
    const milestone = (await seller.client.post(`${base(onTeam.id)}/milestones`, { name: '审计计划' })).body;
    const strategy = await task(onTeam.id, {
      title: '编制总体审计策略',
      milestoneId: milestone.id,
      dueOn: '2026-03-10',
    });
    const cycle = await task(elsewhere.id, {
      title: '收入与成本循环测试',
      startsOn: '2026-03-01',
      dueOn: '2026-03-05',
    });
    const undated = await task(onTeam.id, { title: '整理底稿' });
    const finished = await task(onTeam.id, { title: '项目启动会', dueOn: '2026-03-01' });
    await seller.client.patch(`${base(onTeam.id)}/tasks/${finished.id}`, { status: 'done' });
    await seller.client.post(`${base(onTeam.id)}/tasks`, { title: '别人的任务', assigneeId: seller.user.id });
    // A lost project's tasks are not work any more.
    const lost = await buildOpportunity(t, { ownerId: seller.user.id, isProject: true });
    await task(lost.id, { title: '已丢单项目的任务' });
    await t.database.db.update(opportunities).set({ status: 'lost' }).where(eq(opportunities.id, lost.id));

    const today = await staff.client.get('/api/v1/today');
    expect(today.status).toBe(200);
    expect(today.body.projectTasks).toEqual([
      {
        id: cycle.id,
        opportunityId: elsewhere.id,
        opportunityName: elsewhere.name,
        opportunityVisible: false,
        milestoneName: null,
        title: '收入与成本循环测试',
        startsOn: '2026-03-01',
        dueOn: '2026-03-05',
        status: 'todo',
      },
      {
        id: strategy.id,
        opportunityId: onTeam.id,
        opportunityName: onTeam.name,
        opportunityVisible: true,
        milestoneName: '审计计划',
        title: '编制总体审计策略',
        startsOn: null,
        dueOn: '2026-03-10',
        status: 'todo',
      },
      expect.objectContaining({ id: undated.id, dueOn: null, opportunityVisible: true }),
    ]);

    // Done from Today: it leaves the list.
    expect((await staff.client.patch(`${base(elsewhere.id)}/tasks/${cycle.id}`, { status: 'done' })).status).toBe(200);
    const after = (await staff.client.get('/api/v1/today')).body.projectTasks.map((x: { id: string }) => x.id);
    expect(after).toEqual([strategy.id, undated.id]);
    // The owner's Today does not list tasks assigned to others.
    expect((await seller.client.get('/api/v1/today')).body.projectTasks.map((x: { title: string }) => x.title)).toEqual(
      ['别人的任务'],
    );
  });

  it('gives no new-lead card to someone who may not read leads, even for a lead in their name', async () => {
    const finance = await signedIn(t, { roleCode: 'finance' });
    const seller = await signedIn(t);
    const toFinance = await admin.post('/api/v1/leads', { companyName: uniq('汉中茶业'), ownerId: finance.user.id });
    const toSeller = await admin.post('/api/v1/leads', { companyName: uniq('安康富硒'), ownerId: seller.user.id });
    expect([toFinance.status, toSeller.status]).toEqual([201, 201]);
    const [row] = await t.database.db.select().from(leads).where(eq(leads.id, toFinance.body.id));
    expect(row.ownerId).toBe(finance.user.id);

    expect((await finance.client.get('/api/v1/leads/' + toFinance.body.id)).status).toBe(403);
    expect((await finance.client.get('/api/v1/today')).body.newLeads).toEqual([]);
    expect((await seller.client.get('/api/v1/today')).body.newLeads.map((l: { id: string }) => l.id)).toEqual([
      toSeller.body.id,
    ]);
  });
});
