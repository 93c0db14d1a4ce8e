import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessLines } from '../staff/staff.tables';
import { leads } from '../leads/leads.tables';
import { opportunities, pipelineStages } from '../opportunities/opportunities.tables';
import { buildBusinessLine, buildOpportunity, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((c) => c.id);

async function createCampaign(client: Client, overrides: Record<string, unknown> = {}) {
  const res = await client.post('/api/v1/campaigns', { name: uniq('年报审计研讨会'), type: 'seminar', ...overrides });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string };
}

/* Leads and opportunities are written straight into the tables: only their campaign matters here. */
async function insertLead(campaignId: string, status: 'new' | 'converted' = 'new') {
  const [row] = await t.database.db
    .insert(leads)
    .values({ companyName: uniq('线索公司'), campaignId, status, searchText: '' })
    .returning({ id: leads.id });
  return row.id;
}

/** An opportunity from the campaign (the factory's, in the first stage), then closed as won or lost straight in the table. */
async function opportunityFrom(campaignId: string, status: 'open' | 'won' | 'lost', expectedAmount: string | null) {
  const opp = await buildOpportunity(t, { campaignId, expectedAmount });
  if (status !== 'open') {
    const [stage] = await t.database.db
      .select()
      .from(pipelineStages)
      .where(and(isNull(pipelineStages.businessLineId), eq(pipelineStages.kind, status)))
      .limit(1);
    await t.database.db
      .update(opportunities)
      .set({ status, stageId: stage.id, probability: stage.probability, closedAt: new Date() })
      .where(eq(opportunities.id, opp.id));
  }
  return opp.id;
}

describe('campaigns 市场活动', () => {
  it('are created by managers with business lines and an exact budget, searched by pinyin, filtered and sorted; salespeople only read', async () => {
    const { user: manager, client } = await signedIn(t, { roleCode: 'manager' });
    const audit = await buildBusinessLine(t.database.db, { name: uniq('审计') });
    const tax = await buildBusinessLine(t.database.db, { name: uniq('税务') });
    const suffix = uniq('').slice(1);
    const created = await client.post('/api/v1/campaigns', {
      name: `A 华东年报审计研讨会${suffix}`,
      type: 'seminar',
      status: 'active',
      startsOn: '2026-03-01',
      endsOn: '2026-03-02',
      budget: '12500.5',
      businessLineIds: [audit.id, tax.id],
      description: '面向制造业客户',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      type: 'seminar',
      status: 'active',
      startsOn: '2026-03-01',
      endsOn: '2026-03-02',
      budget: '12500.50',
      ownerId: manager.id,
      ownerName: manager.displayName,
      leadCount: 0,
      convertedCount: 0,
      wonAmount: '0.00',
    });
    expect(created.body.businessLines.map((l: { id: string }) => l.id).sort()).toEqual([audit.id, tax.id].sort());
    const mailing = await createCampaign(client, { name: `B 税务政策邮件${suffix}`, type: 'mailing' });

    const { client: sales } = await signedIn(t);
    // Pinyin initials, full pinyin and Chinese fragments all find it, for any reader.
    for (const q of ['hdnb', 'huadong', '年报审计', suffix]) {
      expect(ids(await sales.get('/api/v1/campaigns', { q, pageSize: 100 })), q).toContain(created.body.id);
    }
    expect(ids(await sales.get('/api/v1/campaigns', { q: 'hdnb', pageSize: 100 }))).not.toContain(mailing.id);
    const byLine = await sales.get('/api/v1/campaigns', { businessLineId: tax.id });
    expect(ids(byLine)).toEqual([created.body.id]);
    expect(ids(await sales.get('/api/v1/campaigns', { q: suffix, type: 'mailing' }))).toEqual([mailing.id]);
    expect(ids(await sales.get('/api/v1/campaigns', { q: suffix, status: 'active' }))).toEqual([created.body.id]);
    expect(ids(await sales.get('/api/v1/campaigns', { q: suffix, sort: 'name' }))).toEqual([
      created.body.id,
      mailing.id,
    ]);
    expect(ids(await sales.get('/api/v1/campaigns', { q: suffix, sort: '-name' }))).toEqual([
      mailing.id,
      created.body.id,
    ]);
    expect((await sales.get(`/api/v1/campaigns/${created.body.id}`)).body.name).toBe(`A 华东年报审计研讨会${suffix}`);

    // Reading is not managing.
    expect((await sales.post('/api/v1/campaigns', { name: 'x', type: 'web' })).status).toBe(403);
    expect((await sales.patch(`/api/v1/campaigns/${created.body.id}`, { name: 'x' })).status).toBe(403);
    expect((await sales.delete(`/api/v1/campaigns/${created.body.id}`)).status).toBe(403);
    // A role without campaigns:read does not see them at all.
    const { client: staff } = await signedIn(t, { roleCode: 'staff' });
    expect((await staff.get('/api/v1/campaigns')).status).toBe(403);
    expect((await staff.get(`/api/v1/campaigns/${created.body.id}`)).status).toBe(403);

    // Renamed (and found under the new name), one line dropped; audited with before and after.
    const updated = await client.patch(`/api/v1/campaigns/${created.body.id}`, {
      name: `西北财税沙龙${suffix}`,
      businessLineIds: [audit.id],
      status: 'completed',
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      status: 'completed',
      budget: '12500.50',
      businessLines: [{ id: audit.id, name: audit.name }],
    });
    expect(ids(await sales.get('/api/v1/campaigns', { q: 'xbcs' }))).toContain(created.body.id);
    expect(ids(await sales.get('/api/v1/campaigns', { q: 'hdnb' }))).not.toContain(created.body.id);
    const { client: admin } = await signedIn(t, { roleCode: 'admin' });
    const log = await admin.get('/api/v1/audit-logs', { entityType: 'campaign', entityId: created.body.id });
    expect(log.body.items.map((e: { action: string }) => e.action)).toEqual(['update', 'create']);
    expect(log.body.items[0].before.status).toBe('active');
    expect(log.body.items[0].after.status).toBe('completed');
  });

  it('refuses bad input and changes nothing', async () => {
    const { client } = await signedIn(t, { roleCode: 'manager' });
    const campaign = await createCampaign(client, { startsOn: '2026-05-01', budget: '8000' });

    const money = await client.post('/api/v1/campaigns', { name: uniq('活动'), type: 'web', budget: '12.345' });
    expect(money.status).toBe(400);
    expect(money.body.error.details.issues[0]).toMatchObject({
      path: 'body.budget',
      message: '请输入金额，最多两位小数，例如 12500.00',
    });
    const dates = await client.post('/api/v1/campaigns', {
      name: uniq('活动'),
      type: 'web',
      startsOn: '2026-05-02',
      endsOn: '2026-05-01',
    });
    expect(dates.status).toBe(400);
    expect(dates.body.error.details.issues[0]).toMatchObject({
      path: 'body.endsOn',
      message: '结束日期不能早于开始日期',
    });

    // An end before the stored start, sent alone, is caught too.
    const early = await client.patch(`/api/v1/campaigns/${campaign.id}`, { endsOn: '2026-04-30', budget: '1' });
    expect(early.status).toBe(400);
    expect(early.body.error.details.issues[0]).toMatchObject({
      path: 'body.endsOn',
      message: '结束日期不能早于开始日期',
    });

    // A deactivated business line cannot be added; nothing of the patch is kept.
    const line = await buildBusinessLine(t.database.db);
    await t.database.db.update(businessLines).set({ active: false }).where(eq(businessLines.id, line.id));
    const inactive = await client.patch(`/api/v1/campaigns/${campaign.id}`, {
      name: '不应保存',
      businessLineIds: [line.id],
    });
    expect(inactive.status).toBe(400);
    expect(inactive.body.error).toMatchObject({ code: 'INACTIVE_REFERENCE', message: '所选业务类型已停用或不存在' });
    const unknown = await client.post('/api/v1/campaigns', { name: uniq('活动'), type: 'web', ownerId: campaign.id });
    expect(unknown.status).toBe(400);
    const kept = await client.get(`/api/v1/campaigns/${campaign.id}`);
    expect(kept.body).toMatchObject({ name: campaign.name, budget: '8000.00', endsOn: null, businessLines: [] });
    expect((await client.get('/api/v1/campaigns/6f1c1d7e-8a7b-4c55-9a51-3c2f0b7d1e01')).status).toBe(404);
  });

  it('attributes leads, conversions and the exact won amount of its opportunities', async () => {
    const { client } = await signedIn(t, { roleCode: 'manager' });
    const campaign = await createCampaign(client);
    const other = await createCampaign(client);
    await insertLead(campaign.id);
    await insertLead(campaign.id);
    await insertLead(campaign.id, 'converted');
    await insertLead(other.id, 'converted');
    // Amounts a float would get wrong; open and lost opportunities do not count, nor amounts left empty.
    await opportunityFrom(campaign.id, 'won', '1234567890.10');
    await opportunityFrom(campaign.id, 'won', '0.20');
    await opportunityFrom(campaign.id, 'won', null);
    await opportunityFrom(campaign.id, 'open', '5000.00');
    await opportunityFrom(campaign.id, 'lost', '7000.00');

    const got = await client.get(`/api/v1/campaigns/${campaign.id}`);
    expect(got.body).toMatchObject({ leadCount: 3, convertedCount: 1, wonAmount: '1234567890.30' });
    const listed = (await client.get('/api/v1/campaigns', { q: campaign.name })).body.items[0];
    expect(listed).toMatchObject({ id: campaign.id, leadCount: 3, convertedCount: 1, wonAmount: '1234567890.30' });
    expect((await client.get(`/api/v1/campaigns/${other.id}`)).body).toMatchObject({
      leadCount: 1,
      convertedCount: 1,
      wonAmount: '0.00',
    });
  });

  it('is deleted only while no lead or opportunity came from it', async () => {
    const { client } = await signedIn(t, { roleCode: 'manager' });
    const unused = await createCampaign(client, { businessLineIds: [(await buildBusinessLine(t.database.db)).id] });
    expect((await client.delete(`/api/v1/campaigns/${unused.id}`)).status).toBe(200);
    expect((await client.get(`/api/v1/campaigns/${unused.id}`)).status).toBe(404);

    const used = await createCampaign(client);
    await insertLead(used.id);
    const refused = await client.delete(`/api/v1/campaigns/${used.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('REFERENCE_IN_USE');
    expect((await client.get(`/api/v1/campaigns/${used.id}`)).body.leadCount).toBe(1);

    const withDeal = await createCampaign(client);
    await opportunityFrom(withDeal.id, 'open', null);
    expect((await client.delete(`/api/v1/campaigns/${withDeal.id}`)).body.error.code).toBe('REFERENCE_IN_USE');

    const { client: admin } = await signedIn(t, { roleCode: 'admin' });
    const log = await admin.get('/api/v1/audit-logs', { entityType: 'campaign', entityId: unused.id });
    expect(log.body.items.map((e: { action: string }) => e.action)).toEqual(['delete', 'create']);
  });
});
