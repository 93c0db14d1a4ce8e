import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBusinessLine,
  buildDepartment,
  buildRegion,
  buildUser,
  setDepartmentManager,
  signedIn,
} from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { searchTextOf } from '../../lib/search-text';
import { campaigns } from '../campaigns/campaigns.tables';
import { customers } from '../customers/customers.tables';
import { notifications } from '../notifications/notifications.tables';
import { leads } from './leads.tables';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

type Lead = {
  id: string;
  ownerId: string | null;
  queueDepartmentId: string | null;
  status: string;
  companyName: string;
  campaignId: string | null;
};

/** A sales department with a manager and salespeople, and a business line and region of its own (so no other test's rule matches). */
async function salesTeam(size = 3) {
  const department = await buildDepartment(t.database.db, { name: uniq('审计一部') });
  const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
  await setDepartmentManager(t.database.db, department.id, manager.user.id);
  const people = [];
  for (let i = 0; i < size; i++)
    people.push(await signedIn(t, { roleCode: 'salesperson', departmentId: department.id }));
  const line = await buildBusinessLine(t.database.db, { name: uniq('审计') });
  const region = await buildRegion(t.database.db, uniq('西北'));
  return { department, manager, people, line, region };
}

async function rule(body: Record<string, unknown>) {
  const res = await admin.post('/api/v1/assignment-rules', { name: uniq('规则'), strategy: 'round-robin', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string };
}

async function newLead(client: Client, body: Record<string, unknown>): Promise<Lead> {
  const res = await client.post('/api/v1/leads', { companyName: uniq('西安秦川机械有限公司'), ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Lead;
}

describe('automatic assignment', () => {
  it('gives leads in turn to the rule’s salespeople, records the rule, and notifies the assignee', async () => {
    const team = await salesTeam(3);
    const r = await rule({
      businessLineId: team.line.id,
      regionId: team.region.id,
      memberIds: team.people.map((p) => p.user.id),
    });
    const got: string[] = [];
    for (let i = 0; i < 9; i++)
      got.push(
        (await newLead(team.manager.client, { businessLineId: team.line.id, regionId: team.region.id })).ownerId!,
      );
    for (const p of team.people) expect(got.filter((id) => id === p.user.id)).toHaveLength(3);
    // In turn, not just in equal numbers.
    expect(got.slice(0, 3)).toEqual(got.slice(3, 6));

    const lead = await newLead(team.manager.client, { businessLineId: team.line.id, regionId: team.region.id });
    expect(lead).toMatchObject({ assignedByRule: r.name });
    const history = await team.manager.client.get(`/api/v1/leads/${lead.id}/history`);
    expect(history.body.assignments).toMatchObject([
      { toUserId: lead.ownerId, ruleId: r.id, ruleName: r.name, strategy: 'round-robin', byUserId: null },
    ]);
    expect(history.body.statuses).toMatchObject([{ fromStatus: null, toStatus: 'new' }]);
    const notes = await t.database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, lead.ownerId!), eq(notifications.entityId, lead.id)));
    expect(notes).toMatchObject([
      { kind: 'lead-assigned', entityType: 'lead', params: { company: lead.companyName, rule: r.name } },
    ]);
  });

  it('least open leads goes to whoever has the fewest unfinished leads', async () => {
    const team = await salesTeam(2);
    const [busy, free] = team.people;
    for (let i = 0; i < 2; i++) await newLead(team.manager.client, { ownerId: busy.user.id });
    await rule({ businessLineId: team.line.id, strategy: 'least-open', memberIds: [busy.user.id, free.user.id] });
    const owners = [];
    for (let i = 0; i < 3; i++)
      owners.push((await newLead(team.manager.client, { businessLineId: team.line.id })).ownerId);
    // free had 0 → gets two to catch up (0→1→2), then the tie goes in turn.
    expect(owners.slice(0, 2)).toEqual([free.user.id, free.user.id]);
  });

  it('sends a lead nobody may take to the rule’s queue, where only that department’s managers see and assign it', async () => {
    const team = await salesTeam(1);
    const [only] = team.people;
    await rule({ businessLineId: team.line.id, queueDepartmentId: team.department.id, memberIds: [only.user.id] });
    await admin.post(`/api/v1/users/${only.user.id}/deactivate`);
    const { client: outsider } = await signedIn(t, { roleCode: 'manager' });
    const lead = await newLead(outsider, { businessLineId: team.line.id });
    expect(lead).toMatchObject({ ownerId: null, queueDepartmentId: team.department.id });

    const queue = await team.manager.client.get('/api/v1/leads', { view: 'queue', pageSize: 100 });
    expect(queue.body.items.map((l: Lead) => l.id)).toContain(lead.id);
    // The queue's manager is told there is a lead to hand out.
    const bell = await team.manager.client.get('/api/v1/notifications');
    expect(bell.body.items[0]).toMatchObject({
      kind: 'lead-queued',
      entityId: lead.id,
      message: `新线索进入「${team.department.name}」待分配：${lead.companyName}`,
    });
    expect((await outsider.get(`/api/v1/leads/${lead.id}`)).status).toBe(404);

    const someone = await buildUser(t.database.db, { departmentId: team.department.id });
    const assigned = await team.manager.client.post(`/api/v1/leads/${lead.id}/assign`, {
      ownerId: someone.id,
      reason: '王总客户，熟悉情况',
    });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    expect(assigned.body).toMatchObject({ ownerId: someone.id, queueDepartmentId: null, assignedByRule: null });
    const history = await team.manager.client.get(`/api/v1/leads/${lead.id}/history`);
    expect(
      history.body.assignments.map((a: { toUserId: string | null; byUserId: string | null; reason: string | null }) => [
        a.toUserId,
        a.byUserId,
        a.reason,
      ]),
    ).toEqual([
      [null, null, null],
      [someone.id, team.manager.user.id, '王总客户，熟悉情况'],
    ]);
  });

  it('leaves a lead no rule matches in the queue of the department that took it in', async () => {
    const team = await salesTeam(0);
    const lead = await newLead(team.manager.client, { businessLineId: team.line.id });
    expect(lead).toMatchObject({ ownerId: null, queueDepartmentId: team.department.id });
  });

  it('refuses a rule without an active salesperson, and rules are for administrators', async () => {
    const gone = await buildUser(t.database.db, { active: false });
    const res = await admin.post('/api/v1/assignment-rules', {
      name: uniq('规则'),
      strategy: 'round-robin',
      memberIds: [gone.id],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ASSIGNMENT_RULE_NO_MEMBERS');
    const { client: sales } = await signedIn(t);
    expect(
      (await sales.post('/api/v1/assignment-rules', { name: 'x', strategy: 'round-robin', memberIds: [] })).status,
    ).toBe(403);
  });
});

describe('working a lead', () => {
  it('moves new → contacting → qualified; refuses impossible moves and disqualifying without a reason; keeps every step', async () => {
    const { client, user } = await signedIn(t);
    const lead = await newLead(client, { ownerId: user.id });
    const bad = await client
      .with({ 'accept-language': 'zh-CN' })
      .post(`/api/v1/leads/${lead.id}/status`, { status: 'new' });
    expect(bad.status).toBe(200); // same status: nothing to do
    expect((await client.post(`/api/v1/leads/${lead.id}/status`, { status: 'contacting' })).body.status).toBe(
      'contacting',
    );
    const noReason = await client.post(`/api/v1/leads/${lead.id}/status`, { status: 'disqualified' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('REASON_REQUIRED');
    const back = await client
      .with({ 'accept-language': 'zh-CN' })
      .post(`/api/v1/leads/${lead.id}/status`, { status: 'new' });
    expect(back.status).toBe(409);
    expect(back.body.error).toMatchObject({ code: 'LEAD_STATUS_INVALID', message: '线索不能从“跟进中”改为“新线索”' });
    expect(
      (await client.post(`/api/v1/leads/${lead.id}/status`, { status: 'disqualified', reason: '已有合作事务所' })).body,
    ).toMatchObject({ status: 'disqualified', disqualifyReason: '已有合作事务所' });
    expect((await client.post(`/api/v1/leads/${lead.id}/status`, { status: 'contacting' })).body).toMatchObject({
      status: 'contacting',
      disqualifyReason: null,
    });
    const history = await client.get(`/api/v1/leads/${lead.id}/history`);
    expect(
      history.body.statuses.map(
        (s: { fromStatus: string | null; toStatus: string }) => `${s.fromStatus}→${s.toStatus}`,
      ),
    ).toEqual(['null→new', 'new→contacting', 'contacting→disqualified', 'disqualified→contacting']);
  });

  it('is invisible to a salesperson of another department, visible to the owner’s manager', async () => {
    const team = await salesTeam(1);
    const [owner] = team.people;
    const lead = await newLead(owner.client, { ownerId: owner.user.id });
    const { client: other } = await signedIn(t);
    expect((await other.get(`/api/v1/leads/${lead.id}`)).status).toBe(404);
    expect((await other.get(`/api/v1/leads/${lead.id}/history`)).status).toBe(404);
    expect((await other.post(`/api/v1/leads/${lead.id}/status`, { status: 'contacting' })).status).toBe(404);
    expect((await other.get('/api/v1/leads', { pageSize: 100 })).body.items.map((l: Lead) => l.id)).not.toContain(
      lead.id,
    );
    expect((await team.manager.client.get(`/api/v1/leads/${lead.id}`)).status).toBe(200);
    expect(
      (await team.manager.client.get('/api/v1/leads', { view: 'team', pageSize: 100 })).body.items.map(
        (l: Lead) => l.id,
      ),
    ).toContain(lead.id);
    // A salesperson may not give their lead to someone else.
    expect((await owner.client.post(`/api/v1/leads/${lead.id}/assign`, { ownerId: team.manager.user.id })).status).toBe(
      403,
    );
  });
});

describe('conversion', () => {
  async function qualifiedLead(extra: Record<string, unknown> = {}) {
    const { client, user } = await signedIn(t);
    const line = await buildBusinessLine(t.database.db, { name: uniq('验资') });
    const [campaign] = await t.database.db
      .insert(campaigns)
      .values({ name: uniq('年报审计研讨会'), type: 'seminar', ownerId: user.id, searchText: 'x' })
      .returning();
    const lead = await newLead(client, {
      ownerId: user.id,
      businessLineId: line.id,
      campaignId: campaign.id,
      contactName: '赵会计',
      contactTitle: '财务经理',
      phone: '13991234567',
      ...extra,
    });
    await client.post(`/api/v1/leads/${lead.id}/status`, { status: 'qualified' });
    return { client, user, line, campaign, lead };
  }

  it('creates the customer, contact and opportunity with the campaign kept; a second conversion fails cleanly', async () => {
    const { client, user, line, campaign, lead } = await qualifiedLead();
    // The campaign ends before the lead converts: no new lead may name it, but this lead keeps its attribution.
    await t.database.db.update(campaigns).set({ status: 'cancelled' }).where(eq(campaigns.id, campaign.id));
    const late = await client.post('/api/v1/leads', { companyName: uniq('迟到的线索'), campaignId: campaign.id });
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe('INACTIVE_REFERENCE');
    const res = await client.post(`/api/v1/leads/${lead.id}/convert`, {
      opportunity: { name: '2026 年报审计', expectedAmount: '86000.00' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.customerCreated).toBe(true);
    const customer = await client.get(`/api/v1/customers/${res.body.customerId}`);
    expect(customer.body).toMatchObject({ name: lead.companyName, ownerId: user.id, phone: '13991234567' });
    const contacts = await client.get('/api/v1/contacts', { customerId: res.body.customerId });
    expect(contacts.body.items).toMatchObject([
      { id: res.body.contactId, name: '赵会计', title: '财务经理', phones: ['13991234567'], isPrimary: true },
    ]);
    const opportunity = await client.get(`/api/v1/opportunities/${res.body.opportunityId}`);
    expect(opportunity.body).toMatchObject({
      name: '2026 年报审计',
      businessLineId: line.id,
      campaignId: campaign.id,
      leadId: lead.id,
      ownerId: user.id,
      expectedAmount: '86000.00',
      contactId: res.body.contactId,
    });
    expect((await client.get(`/api/v1/leads/${lead.id}`)).body).toMatchObject({
      status: 'converted',
      customerId: res.body.customerId,
      opportunityId: res.body.opportunityId,
    });

    const again = await client.post(`/api/v1/leads/${lead.id}/convert`, { opportunity: { name: '再来一次' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('LEAD_ALREADY_CONVERTED');
    const history = await client.get(`/api/v1/leads/${lead.id}/history`);
    expect(history.body.statuses.map((s: { toStatus: string }) => s.toStatus)).toEqual([
      'new',
      'qualified',
      'converted',
    ]);
  });

  it('keeps the database refusing a lead that points at an opportunity that does not exist', async () => {
    // leads.opportunity_id's foreign key lives in the migrations only (the table modules may not import each other).
    const { lead } = await qualifiedLead();
    const error = await t.database.db
      .update(leads)
      .set({ opportunityId: randomUUID() })
      .where(eq(leads.id, lead.id))
      .then(
        () => null,
        (e: { cause?: { code?: string } }) => e,
      );
    expect(error?.cause?.code).toBe('23503'); // foreign_key_violation
  });

  it('converts exactly once when two browsers convert at the same moment', async () => {
    const { client, lead } = await qualifiedLead();
    const results = await Promise.all(
      [1, 2].map((i) => client.post(`/api/v1/leads/${lead.id}/convert`, { opportunity: { name: `同时转化 ${i}` } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)!.body.error.code).toBe('LEAD_ALREADY_CONVERTED');
    const opportunities = await client.get('/api/v1/opportunities', { q: lead.companyName.slice(-8), pageSize: 100 });
    expect(opportunities.body.items.filter((o: { leadId: string }) => o.leadId === lead.id)).toHaveLength(1);
  });

  it('warns about a similar existing customer, then links it when asked — nothing half-converted in between', async () => {
    const { client, user, lead } = await qualifiedLead();
    const name = lead.companyName.replace('有限公司', '股份有限公司');
    const [existing] = await t.database.db
      .insert(customers)
      .values({ name, ownerId: user.id, searchText: searchTextOf([name]) })
      .returning();
    const suspected = await client.post(`/api/v1/leads/${lead.id}/convert`, { opportunity: { name: '审计' } });
    expect(suspected.status).toBe(409);
    expect(suspected.body.error.code).toBe('CUSTOMER_DUPLICATE_SUSPECTED');
    expect(suspected.body.error.details.candidates).toMatchObject([{ id: existing.id, name }]);
    expect((await client.get(`/api/v1/leads/${lead.id}`)).body.status).toBe('qualified');

    const linked = await client.post(`/api/v1/leads/${lead.id}/convert`, {
      customerId: existing.id,
      opportunity: { name: '审计' },
    });
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    expect(linked.body).toMatchObject({ customerId: existing.id, customerCreated: false });
  });

  it('refuses to convert a lead that is not qualified, or into a customer the salesperson cannot see', async () => {
    const { client, user } = await signedIn(t);
    const line = await buildBusinessLine(t.database.db);
    const lead = await newLead(client, { ownerId: user.id, businessLineId: line.id });
    const early = await client.post(`/api/v1/leads/${lead.id}/convert`, { opportunity: { name: '审计' } });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('LEAD_NOT_QUALIFIED');
    await client.post(`/api/v1/leads/${lead.id}/status`, { status: 'qualified' });
    const stranger = await buildUser(t.database.db);
    const [hidden] = await t.database.db
      .insert(customers)
      .values({ name: uniq('别人的客户'), ownerId: stranger.id, searchText: 'x' })
      .returning();
    expect(
      (await client.post(`/api/v1/leads/${lead.id}/convert`, { customerId: hidden.id, opportunity: { name: '审计' } }))
        .status,
    ).toBe(404);
    expect((await client.get(`/api/v1/leads/${lead.id}`)).body.status).toBe('qualified');
  });
});
