import { and, asc, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leads } from '../leads/leads.tables';
import { opportunities, opportunityMembers, pipelineStages } from '../opportunities/opportunities.tables';
import { buildDepartment, buildOpportunity, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type Seller = { user: { id: string; departmentId: string | null }; client: Client };
type ActivityBody = { id: string; status: string; subject: string; stageId: string | null; [key: string]: unknown };

const HOUR = 3600_000;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((a) => a.id);

async function createCustomer(client: Client, overrides: Record<string, unknown> = {}) {
  const res = await client.post('/api/v1/customers', { name: uniq('西安华达建设有限公司'), ...overrides });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string };
}

/* Leads are written straight into their table: the activities only need one with an owner. */
async function insertLead(owner: Seller['user']) {
  const [row] = await t.database.db
    .insert(leads)
    .values({
      companyName: uniq('咸阳新材料有限公司'),
      status: 'contacting',
      ownerId: owner.id,
      assignedAt: new Date(),
      searchText: '',
    })
    .returning({ id: leads.id, companyName: leads.companyName });
  return row;
}

async function defaultStages() {
  return t.database.db
    .select()
    .from(pipelineStages)
    .where(and(isNull(pipelineStages.businessLineId), eq(pipelineStages.kind, 'open'), eq(pipelineStages.active, true)))
    .orderBy(asc(pipelineStages.position));
}

async function opportunityOf(owner: Seller, customerId: string) {
  const opp = await buildOpportunity(t, { ownerId: owner.user.id, customerId });
  return { id: opp.id, name: opp.name, stageId: opp.stageId };
}

async function log(client: Client, body: Record<string, unknown>) {
  const res = await client.post('/api/v1/activities', { category: 'call', subject: uniq('电话沟通'), ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as ActivityBody;
}

describe('activities on a lead', () => {
  it('are logged and planned, listed as an agenda, and invisible outside the lead’s reach', async () => {
    const team = await buildDepartment(t.database.db);
    const seller = await signedIn(t, { departmentId: team.id });
    const lead = await insertLead(seller.user);

    const called = await log(seller.client, { leadId: lead.id, subject: '电话沟通需求', notes: '客户关心审计费用' });
    expect(called).toMatchObject({
      status: 'done',
      leadId: lead.id,
      leadName: lead.companyName,
      ownerId: seller.user.id,
      customerId: null,
      opportunityId: null,
      stageId: null,
      dueAt: null,
    });
    expect(Date.now() - Date.parse(called.doneAt as string)).toBeLessThan(60_000);
    const mailed = await log(seller.client, {
      leadId: lead.id,
      category: 'materials',
      subject: '寄送资质材料',
      doneAt: at(-24 * HOUR),
    });
    const later = await log(seller.client, {
      leadId: lead.id,
      category: 'call',
      subject: '回访',
      status: 'planned',
      dueAt: at(48 * HOUR),
    });
    const sooner = await log(seller.client, {
      leadId: lead.id,
      category: 'question',
      subject: '答复问题',
      status: 'planned',
      dueAt: at(24 * HOUR),
    });
    expect(sooner).toMatchObject({ status: 'planned', doneAt: null });

    // Planned first, soonest first; then what was done, newest first.
    const agenda = await seller.client.get('/api/v1/activities', { leadId: lead.id });
    expect(ids(agenda)).toEqual([sooner.id, later.id, called.id, mailed.id]);
    expect(agenda.body.total).toBe(4);
    expect(ids(await seller.client.get('/api/v1/activities', { leadId: lead.id, status: 'planned' }))).toEqual([
      sooner.id,
      later.id,
    ]);
    expect(ids(await seller.client.get('/api/v1/activities', { leadId: lead.id, sort: '-createdAt' }))).toEqual([
      sooner.id,
      later.id,
      mailed.id,
      called.id,
    ]);
    expect(
      ids(
        await seller.client.get('/api/v1/activities', {
          leadId: lead.id,
          dueFrom: at(36 * HOUR),
          dueTo: at(72 * HOUR),
        }),
      ),
    ).toEqual([later.id]);

    // The manager of the seller's department sees them; a salesperson of another department does not, by any route.
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: team.id });
    expect(ids(await manager.client.get('/api/v1/activities', { leadId: lead.id }))).toHaveLength(4);
    const stranger = await signedIn(t);
    expect((await stranger.client.get(`/api/v1/activities/${called.id}`)).status).toBe(404);
    const theirs = await stranger.client.get('/api/v1/activities', { leadId: lead.id });
    expect(theirs.body).toMatchObject({ items: [], total: 0 });
    expect(ids(await stranger.client.get('/api/v1/activities', { pageSize: 100 }))).not.toContain(called.id);
    expect((await stranger.client.patch(`/api/v1/activities/${called.id}`, { subject: '改' })).status).toBe(404);
    expect((await stranger.client.post(`/api/v1/activities/${sooner.id}/complete`, {})).status).toBe(404);
    expect((await stranger.client.delete(`/api/v1/activities/${called.id}`)).status).toBe(404);
    expect(
      (await stranger.client.post('/api/v1/activities', { leadId: lead.id, category: 'call', subject: 'x' })).status,
    ).toBe(404);
    // Someone who reads only customers may call the route, and finds nothing of the lead's.
    const staff = await signedIn(t, { roleCode: 'staff' });
    expect((await staff.client.get(`/api/v1/activities/${called.id}`)).status).toBe(404);

    // Without any parent read permission, the route itself is closed.
    const admin = await signedIn(t, { roleCode: 'admin' });
    const code = uniq('noparent').toLowerCase();
    expect(
      (await admin.client.post('/api/v1/roles', { code, name: uniq('只看员工'), grants: { 'staff:read': 'own' } }))
        .status,
    ).toBe(201);
    const outsider = await signedIn(t, { roleCode: code });
    expect((await outsider.client.get('/api/v1/activities')).status).toBe(403);
    expect((await outsider.client.post('/api/v1/activities', { leadId: lead.id })).status).toBe(403);
  });
});

describe('activities on an opportunity', () => {
  it('record the stage the work was done in, and complete with the next step in one go', async () => {
    const seller = await signedIn(t);
    const customer = await createCustomer(seller.client);
    const opp = await opportunityOf(seller, customer.id);
    const stages = await defaultStages();

    const meeting = await log(seller.client, { opportunityId: opp.id, category: 'meeting', subject: '需求访谈' });
    expect(meeting).toMatchObject({
      opportunityId: opp.id,
      opportunityName: opp.name,
      customerId: customer.id,
      customerName: customer.name,
      stageId: stages[0].id,
      stageNameZh: stages[0].nameZh,
    });
    const proposal = await log(seller.client, {
      opportunityId: opp.id,
      category: 'proposal',
      subject: '提交审计方案',
      status: 'planned',
      dueAt: at(2 * HOUR),
    });
    expect(proposal.stageId).toBeNull();

    // The opportunity moves on before the proposal is done: the proposal counts in the new stage.
    await t.database.db.update(opportunities).set({ stageId: stages[2].id }).where(eq(opportunities.id, opp.id));
    const nextDue = at(72 * HOUR);
    const done = await seller.client.post(`/api/v1/activities/${proposal.id}/complete`, {
      notes: '客户认可方案，要求报价',
      next: { category: 'quote', subject: '发送商务报价', dueAt: nextDue },
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.completed).toMatchObject({
      id: proposal.id,
      status: 'done',
      notes: '客户认可方案，要求报价',
      stageId: stages[2].id,
      stageNameEn: stages[2].nameEn,
    });
    expect(Date.now() - Date.parse(done.body.completed.doneAt)).toBeLessThan(60_000);
    expect(done.body.next).toMatchObject({
      status: 'planned',
      category: 'quote',
      subject: '发送商务报价',
      opportunityId: opp.id,
      customerId: customer.id,
      ownerId: seller.user.id,
      stageId: null,
    });
    expect(Date.parse(done.body.next.dueAt)).toBe(Date.parse(nextDue));
    // The earlier meeting keeps the stage it happened in.
    expect((await seller.client.get(`/api/v1/activities/${meeting.id}`)).body.stageId).toBe(stages[0].id);

    const again = await seller.client.post(`/api/v1/activities/${proposal.id}/complete`, {});
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({
      code: 'ACTIVITY_NOT_PLANNED',
      message: '该活动已完成或已取消，不能再次完成',
    });

    // The customer's timeline includes the work on its opportunities.
    const timeline = await seller.client.get('/api/v1/activities', { customerId: customer.id });
    expect(ids(timeline)).toEqual([done.body.next.id, proposal.id, meeting.id]);

    const admin = await signedIn(t, { roleCode: 'admin' });
    const audit = await admin.client.get('/api/v1/audit-logs', { entityType: 'activity', entityId: proposal.id });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['status', 'create']);
    expect(audit.body.items[0].after).toMatchObject({ status: 'done', stageId: stages[2].id });
    expect(
      (await admin.client.get('/api/v1/audit-logs', { entityType: 'activity', entityId: done.body.next.id })).body
        .total,
    ).toBe(1);

    // Finance reads every opportunity but works on none; a team member works on it; others see nothing.
    const finance = await signedIn(t, { roleCode: 'finance' });
    expect((await finance.client.get(`/api/v1/activities/${meeting.id}`)).status).toBe(200);
    expect((await finance.client.patch(`/api/v1/activities/${meeting.id}`, { subject: '改' })).status).toBe(403);
    expect((await finance.client.post(`/api/v1/activities/${done.body.next.id}/complete`, {})).status).toBe(403);
    expect((await finance.client.delete(`/api/v1/activities/${meeting.id}`)).status).toBe(403);
    expect(
      (await finance.client.post('/api/v1/activities', { opportunityId: opp.id, category: 'call', subject: 'x' }))
        .status,
    ).toBe(403);
    const member = await signedIn(t);
    await t.database.db
      .insert(opportunityMembers)
      .values({ opportunityId: opp.id, userId: member.user.id, role: '项目经理' });
    const memberLog = await log(member.client, { opportunityId: opp.id, category: 'discussion', subject: '方案讨论' });
    expect(memberLog.stageId).toBe(stages[2].id);
    const stranger = await signedIn(t);
    expect((await stranger.client.get(`/api/v1/activities/${memberLog.id}`)).status).toBe(404);
    expect((await stranger.client.get('/api/v1/activities', { opportunityId: opp.id })).body.total).toBe(0);
    expect((await stranger.client.get('/api/v1/activities', { customerId: customer.id })).body.total).toBe(0);
  });
});

describe('activities on a customer', () => {
  it('name one of the customer’s contacts, refuse bad input changing nothing, and are edited and deleted', async () => {
    const seller = await signedIn(t);
    const customer = await createCustomer(seller.client);
    const contact = await seller.client.post('/api/v1/contacts', { customerId: customer.id, name: '王会计' });
    const elsewhere = await createCustomer(seller.client);
    const otherContact = await seller.client.post('/api/v1/contacts', { customerId: elsewhere.id, name: '刘出纳' });

    const visit = await log(seller.client, {
      customerId: customer.id,
      contactId: contact.body.id,
      category: 'visit',
      subject: '上门拜访',
    });
    expect(visit).toMatchObject({ customerId: customer.id, contactName: '王会计', leadId: null, opportunityId: null });

    const bad: [Record<string, unknown>, string, string][] = [
      [{ customerId: customer.id, contactId: otherContact.body.id }, 'INACTIVE_REFERENCE', '所选联系人已停用或不存在'],
      [{}, 'body.customerId', '活动须关联一个销售线索、销售机会或客户（线索与机会不能同时关联）'],
      [{ customerId: customer.id, status: 'planned' }, 'body.dueAt', '计划中的活动须填写到期时间'],
      [{ customerId: customer.id, status: 'planned', dueAt: at(-2 * HOUR) }, 'body.dueAt', '到期时间不能早于现在'],
      [{ customerId: customer.id, doneAt: at(2 * HOUR) }, 'body.doneAt', '完成时间不能晚于现在'],
      [{ customerId: customer.id, category: 'Lunch!' }, 'body.category', ''],
      [{ customerId: customer.id, category: 'lunch' }, 'INACTIVE_REFERENCE', '所选活动类别已停用或不存在'],
    ];
    for (const [body, where, message] of bad) {
      const res = await seller.client.post('/api/v1/activities', { category: 'call', subject: '不应保存', ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      if (where === 'INACTIVE_REFERENCE') expect(res.body.error).toMatchObject({ code: where, message });
      else expect(res.body.error.details.issues[0].path).toBe(where);
      if (message && where !== 'INACTIVE_REFERENCE') expect(res.body.error.details.issues[0].message).toBe(message);
    }

    const plan = await log(seller.client, {
      customerId: customer.id,
      category: 'visit',
      subject: '年审前拜访',
      status: 'planned',
      dueAt: at(24 * HOUR),
    });
    // A next step due in the past: the completion is refused as a whole.
    const refused = await seller.client.post(`/api/v1/activities/${plan.id}/complete`, {
      notes: '已拜访',
      next: { category: 'call', subject: '回访', dueAt: at(-HOUR) },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.issues[0]).toMatchObject({
      path: 'body.next.dueAt',
      message: '到期时间不能早于现在',
    });
    expect((await seller.client.get(`/api/v1/activities/${plan.id}`)).body).toMatchObject({
      status: 'planned',
      notes: null,
    });
    expect(ids(await seller.client.get('/api/v1/activities', { customerId: customer.id }))).toEqual([
      plan.id,
      visit.id,
    ]);

    // Rescheduling: never into the past; a done activity has nothing to reschedule.
    expect((await seller.client.patch(`/api/v1/activities/${plan.id}`, { dueAt: at(-HOUR) })).status).toBe(400);
    const moved = await seller.client.patch(`/api/v1/activities/${plan.id}`, {
      dueAt: at(30 * HOUR),
      subject: '年审前拜访（改期）',
    });
    expect(moved.status).toBe(200);
    expect(moved.body.subject).toBe('年审前拜访（改期）');
    expect((await seller.client.patch(`/api/v1/activities/${visit.id}`, { dueAt: at(HOUR) })).status).toBe(400);
    expect(
      (await seller.client.patch(`/api/v1/activities/${visit.id}`, { contactId: otherContact.body.id })).body.error
        .code,
    ).toBe('INACTIVE_REFERENCE');
    const cleared = await seller.client.patch(`/api/v1/activities/${visit.id}`, {
      contactId: null,
      notes: '谈了明年的代理记账',
    });
    expect(cleared.body).toMatchObject({ contactId: null, contactName: null, notes: '谈了明年的代理记账' });

    expect((await seller.client.delete(`/api/v1/activities/${visit.id}`)).status).toBe(200);
    expect((await seller.client.get(`/api/v1/activities/${visit.id}`)).status).toBe(404);
    const admin = await signedIn(t, { roleCode: 'admin' });
    const audit = await admin.client.get('/api/v1/audit-logs', { entityType: 'activity', entityId: visit.id });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['delete', 'update', 'create']);
  });

  it('in the public pool are seen by every reader but worked on only after claiming', async () => {
    const seller = await signedIn(t);
    const pooled = await createCustomer(seller.client, { ownerId: null });
    const other = await signedIn(t);
    const refused = await other.client.post('/api/v1/activities', {
      customerId: pooled.id,
      category: 'call',
      subject: '初次联系',
    });
    expect(refused.status).toBe(403);
    expect((await other.client.post(`/api/v1/customers/${pooled.id}/claim`)).status).toBe(200);
    const called = await log(other.client, { customerId: pooled.id, subject: '初次联系' });
    expect((await other.client.post(`/api/v1/customers/${pooled.id}/release`, { reason: '暂无需求' })).status).toBe(
      200,
    );
    // Back in the pool: everyone sees the history; the author still sees their own work, but changes nothing.
    expect((await seller.client.get(`/api/v1/activities/${called.id}`)).status).toBe(200);
    expect((await other.client.get(`/api/v1/activities/${called.id}`)).status).toBe(200);
    expect((await other.client.patch(`/api/v1/activities/${called.id}`, { subject: '改' })).status).toBe(403);
  });
});

describe('activity categories', () => {
  it('are the firm’s to extend, rename and switch off; new activities take active ones only, old ones keep theirs', async () => {
    const admin = (await signedIn(t, { roleCode: 'admin' })).client;
    const seller = await signedIn(t);
    const customer = (await seller.client.post('/api/v1/customers', { name: uniq('类别测试客户') })).body;
    const code = `site-${uniq('x').slice(-8)}`;
    expect(
      (await seller.client.post('/api/v1/activity-categories', { code, nameZh: '现场盘点', nameEn: 'Stocktake' }))
        .status,
    ).toBe(403);
    const made = await admin.post('/api/v1/activity-categories', {
      code,
      nameZh: '现场盘点',
      nameEn: 'Stocktake',
      position: 15,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(
      (await admin.post('/api/v1/activity-categories', { code, nameZh: '重复', nameEn: 'Again' })).body.error.code,
    ).toBe('DUPLICATE_VALUE');
    const list = (await seller.client.get('/api/v1/activity-categories')).body.items as {
      code: string;
      nameZh: string;
      builtin: boolean;
    }[];
    expect(list.slice(0, 3).map((c) => c.code)).toEqual(['call', code, 'visit']);
    expect(list.find((c) => c.code === 'call')).toMatchObject({ nameZh: '电话沟通', builtin: true });

    const done = await log(seller.client, { customerId: customer.id, category: code, subject: '年末存货监盘' });
    expect(done.category).toBe(code);
    expect((await admin.patch(`/api/v1/activity-categories/${code}`, { active: false })).body.active).toBe(false);
    const refused = await seller.client.post('/api/v1/activities', {
      customerId: customer.id,
      category: code,
      subject: '再次监盘',
    });
    expect(refused.body.error).toMatchObject({ code: 'INACTIVE_REFERENCE', details: { field: 'category' } });
    expect((await seller.client.get(`/api/v1/activities/${done.id}`)).body.category).toBe(code);
    expect((await admin.patch('/api/v1/activity-categories/no-such-category', { active: false })).status).toBe(404);
  });
});
