import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../errors';
import { buildBusinessLine, buildOpportunity, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { assertAcceptanceComplete, findIndependenceConflicts } from './acceptance.service';
import { businessLineConflicts, opportunities, pipelineStages } from './opportunities.tables';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

type Seller = Awaited<ReturnType<typeof signedIn>>;

/** An opportunity of `seller` (first stage of the default pipeline), won or lost straight in the table when asked. */
async function makeOpportunity(
  seller: Seller,
  options: { businessLineId: string; customerId?: string; status?: 'won' | 'lost' },
) {
  const opp = await buildOpportunity(t, {
    ownerId: seller.user.id,
    businessLineId: options.businessLineId,
    customerId: options.customerId,
  });
  if (options.status) {
    const [stage] = await t.database.db
      .select()
      .from(pipelineStages)
      .where(and(isNull(pipelineStages.businessLineId), eq(pipelineStages.kind, options.status)));
    await t.database.db
      .update(opportunities)
      .set({ status: options.status, stageId: stage.id, closedAt: new Date() })
      .where(eq(opportunities.id, opp.id));
  }
  return opp;
}

/** What assertAcceptanceComplete throws, or null when it passes. */
async function acceptanceError(opportunity: { id: string; businessLineId: string }) {
  try {
    await assertAcceptanceComplete(t.database.db, opportunity);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
}

const ITEMS = [
  { key: 'independence', labelZh: '已确认独立性', labelEn: 'Independence confirmed' },
  { key: 'competence', labelZh: '具备专业胜任能力', labelEn: 'Competence available' },
  { key: 'fees', labelZh: '收费已评估', labelEn: 'Fees assessed' },
];

describe('acceptance checklists 业务承接检查表', () => {
  it('are set per business line by those who configure sales, with unique item keys', async () => {
    const line = await buildBusinessLine(t.database.db);
    const { client: seller } = await signedIn(t);
    expect((await seller.get(`/api/v1/acceptance-checklists/${line.id}`)).body).toEqual({
      businessLineId: line.id,
      items: [],
    });
    expect((await seller.request('PUT', `/api/v1/acceptance-checklists/${line.id}`, { items: ITEMS })).status).toBe(
      403,
    );
    const twice = await admin.request('PUT', `/api/v1/acceptance-checklists/${line.id}`, {
      items: [...ITEMS, { ...ITEMS[1], labelZh: '另一项' }],
    });
    expect(twice.status).toBe(400);
    expect(twice.body.error.details.issues).toEqual([
      { path: 'body.items', code: 'custom', message: '检查项代码不能重复：competence' },
    ]);
    const badKey = await admin.request('PUT', `/api/v1/acceptance-checklists/${line.id}`, {
      items: [{ ...ITEMS[0], key: 'Has Space' }],
    });
    expect(badKey.status).toBe(400);
    expect((await seller.get(`/api/v1/acceptance-checklists/${line.id}`)).body.items).toEqual([]);

    const saved = await admin.request('PUT', `/api/v1/acceptance-checklists/${line.id}`, { items: ITEMS });
    expect(saved.status).toBe(200);
    expect((await seller.get(`/api/v1/acceptance-checklists/${line.id}`)).body).toEqual({
      businessLineId: line.id,
      items: ITEMS,
    });
    const audit = await admin.get('/api/v1/audit-logs', { entityType: 'acceptance-checklist', entityId: line.id });
    expect(audit.body.items[0].after.items).toEqual(ITEMS);

    const missing = '6f1c1d7e-8a7b-4c55-9a51-3c2f0b7d1e01';
    expect((await seller.get(`/api/v1/acceptance-checklists/${missing}`)).status).toBe(404);
    expect((await admin.request('PUT', `/api/v1/acceptance-checklists/${missing}`, { items: ITEMS })).status).toBe(404);
  });

  it('records an opportunity’s answers, and winning waits until every item is confirmed', async () => {
    const line = await buildBusinessLine(t.database.db);
    await admin.request('PUT', `/api/v1/acceptance-checklists/${line.id}`, { items: ITEMS });
    const seller = await signedIn(t);
    const opp = await makeOpportunity(seller, { businessLineId: line.id });
    const url = `/api/v1/opportunities/${opp.id}/acceptance`;

    const fresh = (await seller.client.get(url)).body;
    expect(fresh).toMatchObject({ opportunityId: opp.id, required: true, complete: false, completedAt: null });
    expect(
      fresh.items.map((i: { key: string; checked: boolean; byUserName: string | null }) => [
        i.key,
        i.checked,
        i.byUserName,
      ]),
    ).toEqual([
      ['independence', false, null],
      ['competence', false, null],
      ['fees', false, null],
    ]);
    expect((await acceptanceError(opp))?.params).toEqual({ count: 3 });

    const unknown = await seller.client.request('PUT', url, {
      answers: { independence: { checked: true }, conflicts: { checked: true } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('VALIDATION_FAILED');
    expect(unknown.body.error.details.issues).toEqual([
      { path: 'body.answers.conflicts', code: 'custom', message: '检查表中没有此项' },
    ]);
    expect((await seller.client.get(url)).body.items[0].checked).toBe(false);

    const partial = await seller.client.request('PUT', url, {
      answers: { independence: { checked: true, note: '已查询关联方' }, competence: { checked: true } },
    });
    expect(partial.status).toBe(200);
    expect(partial.body.items[0]).toMatchObject({
      key: 'independence',
      checked: true,
      note: '已查询关联方',
      byUserName: seller.user.displayName,
    });
    expect(Date.parse(partial.body.items[0].at)).toBeGreaterThan(Date.now() - 60_000);
    expect(partial.body).toMatchObject({ complete: false, completedAt: null });
    const left = await acceptanceError(opp);
    expect(left?.code).toBe('ACCEPTANCE_INCOMPLETE');
    expect(left?.params).toEqual({ count: 1 });

    const complete = (await seller.client.request('PUT', url, { answers: { fees: { checked: true } } })).body;
    expect(complete.complete).toBe(true);
    expect(complete.completedAt).not.toBeNull();
    expect(await acceptanceError(opp)).toBeNull();
    // Saying the same again changes neither who nor when.
    const again = (
      await seller.client.request('PUT', url, { answers: { independence: { checked: true, note: '已查询关联方' } } })
    ).body;
    expect(again.completedAt).toBe(complete.completedAt);
    expect(again.items[0].at).toBe(partial.body.items[0].at);

    // Unchecking one later clears the completion.
    const unchecked = (
      await seller.client.request('PUT', url, { answers: { competence: { checked: false, note: '项目经理待定' } } })
    ).body;
    expect(unchecked).toMatchObject({ complete: false, completedAt: null });
    expect((await acceptanceError(opp))?.params).toEqual({ count: 1 });
    await seller.client.request('PUT', url, { answers: { competence: { checked: true } } });
    expect(await acceptanceError(opp)).toBeNull();
    // An item added to the checklist later must be confirmed too.
    await admin.request('PUT', `/api/v1/acceptance-checklists/${line.id}`, {
      items: [...ITEMS, { key: 'aml', labelZh: '反洗钱审查', labelEn: 'AML screening' }],
    });
    expect((await acceptanceError(opp))?.params).toEqual({ count: 1 });
    expect((await seller.client.get(url)).body).toMatchObject({ complete: false, completedAt: null });

    const audit = await admin.get('/api/v1/audit-logs', { entityType: 'opportunity', entityId: opp.id });
    expect(audit.body.items.length).toBeGreaterThanOrEqual(4);
    expect(audit.body.items[0].actorId).toBe(seller.user.id);
  });

  it('requires nothing of a line without a checklist', async () => {
    const line = await buildBusinessLine(t.database.db);
    const seller = await signedIn(t);
    const opp = await makeOpportunity(seller, { businessLineId: line.id });
    const res = await seller.client.get(`/api/v1/opportunities/${opp.id}/acceptance`);
    expect(res.body).toEqual({ opportunityId: opp.id, required: false, items: [], complete: true, completedAt: null });
    expect(await acceptanceError(opp)).toBeNull();
    expect(
      (await seller.client.request('PUT', `/api/v1/opportunities/${opp.id}/acceptance`, { answers: {} })).status,
    ).toBe(200);
  });

  it('is private to those who see the opportunity, and frozen once it is closed', async () => {
    const line = await buildBusinessLine(t.database.db);
    await admin.request('PUT', `/api/v1/acceptance-checklists/${line.id}`, { items: ITEMS });
    const seller = await signedIn(t);
    const opp = await makeOpportunity(seller, { businessLineId: line.id });
    const url = `/api/v1/opportunities/${opp.id}/acceptance`;
    const { client: stranger } = await signedIn(t);
    expect((await stranger.get(url)).status).toBe(404);
    expect((await stranger.request('PUT', url, { answers: { fees: { checked: true } } })).status).toBe(404);
    expect((await stranger.get(`/api/v1/opportunities/${opp.id}/independence`)).status).toBe(404);
    const { client: finance } = await signedIn(t, { roleCode: 'finance' });
    expect((await finance.get(url)).status).toBe(200);
    expect((await finance.request('PUT', url, { answers: { fees: { checked: true } } })).status).toBe(403);

    const won = await makeOpportunity(seller, { businessLineId: line.id, status: 'won' });
    const closed = await seller.client.request('PUT', `/api/v1/opportunities/${won.id}/acceptance`, {
      answers: { fees: { checked: true } },
    });
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('OPPORTUNITY_CLOSED');
  });
});

describe('permissions', () => {
  it('refuses every quote, project, acceptance and independence route to a role without the grant (403)', async () => {
    const code = uniq('nosales').toLowerCase();
    expect(
      (await admin.post('/api/v1/roles', { code, name: uniq('无销售权限'), grants: { 'customers:read': 'own' } }))
        .status,
    ).toBe(201);
    const { client } = await signedIn(t, { roleCode: code });
    const { client: staff } = await signedIn(t, { roleCode: 'staff' });
    const id = '6f1c1d7e-8a7b-4c55-9a51-3c2f0b7d1e01';
    const o = `/api/v1/opportunities/${id}`;
    const reads = [
      `${o}/quotes`,
      `${o}/project`,
      `${o}/acceptance`,
      `${o}/independence`,
      `/api/v1/acceptance-checklists/${id}`,
      '/api/v1/business-line-conflicts',
    ];
    const writes: [string, string][] = [
      ['POST', `${o}/quotes`],
      ['PATCH', `${o}/quotes/${id}`],
      ['POST', `${o}/milestones`],
      ['PATCH', `${o}/milestones/${id}`],
      ['DELETE', `${o}/milestones/${id}`],
      ['POST', `${o}/tasks`],
      ['PATCH', `${o}/tasks/${id}`],
      ['DELETE', `${o}/tasks/${id}`],
      ['PUT', `${o}/acceptance`],
    ];
    const configure: [string, string][] = [
      ['PUT', `/api/v1/acceptance-checklists/${id}`],
      ['PUT', '/api/v1/business-line-conflicts'],
    ];
    for (const url of reads) expect((await client.get(url)).status, url).toBe(403);
    // Staff may read opportunities they are on, but change nothing; only sales configuration sets checklists and conflicts.
    for (const [method, url] of [...writes, ...configure]) {
      expect(
        (await client.request(method as 'POST', url, method === 'DELETE' ? undefined : {})).status,
        `${method} ${url}`,
      ).toBe(403);
      expect(
        (await staff.request(method as 'POST', url, method === 'DELETE' ? undefined : {})).status,
        `${method} ${url}`,
      ).toBe(403);
    }
  });
});

describe('independence 独立性', () => {
  type Pair = { lineA: string; lineB: string };
  const pairsNow = async (): Promise<Pair[]> =>
    (await admin.get('/api/v1/business-line-conflicts')).body.map((p: Pair) => ({ lineA: p.lineA, lineB: p.lineB }));
  // The set is firm-wide and other test files share the database: keep theirs, remove only our own.
  const removePairsOf = async (lineId: string) =>
    admin.request('PUT', '/api/v1/business-line-conflicts', {
      pairs: (await pairsNow()).filter((p) => p.lineA !== lineId && p.lineB !== lineId),
    });

  it('keeps conflicting business lines as normalised pairs; a line cannot conflict with itself', async () => {
    const db = t.database.db;
    const [x, y] = [await buildBusinessLine(db), await buildBusinessLine(db)];
    const self = await admin.request('PUT', '/api/v1/business-line-conflicts', {
      pairs: [...(await pairsNow()), { lineA: x.id, lineB: x.id }],
    });
    expect(self.status).toBe(400);
    expect(self.body.error.details.issues[0].message).toBe('业务类型不能与自身互斥');
    const { client: seller } = await signedIn(t);
    expect((await seller.request('PUT', '/api/v1/business-line-conflicts', { pairs: [] })).status).toBe(403);
    const unknown = await admin.request('PUT', '/api/v1/business-line-conflicts', {
      pairs: [{ lineA: x.id, lineB: '6f1c1d7e-8a7b-4c55-9a51-3c2f0b7d1e01' }],
    });
    expect(unknown.body.error.code).toBe('INACTIVE_REFERENCE');

    const current = await pairsNow();
    const saved = await admin.request('PUT', '/api/v1/business-line-conflicts', {
      pairs: [...current, { lineA: y.id, lineB: x.id }, { lineA: x.id, lineB: y.id }],
    });
    expect(saved.status).toBe(200);
    const mine = (await seller.get('/api/v1/business-line-conflicts')).body.filter(
      (p: Pair) => p.lineA === x.id || p.lineB === x.id,
    );
    const [low, high] = [x, y].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(mine).toEqual([{ lineA: low.id, lineAName: low.name, lineB: high.id, lineBName: high.name }]);
    const audit = await admin.get('/api/v1/audit-logs', {
      entityType: 'business-line-conflicts',
      actorId: admin.me!.user.id,
    });
    expect(audit.body.items[0].after.pairs).toContain(`${low.name} × ${high.name}`);
    await removePairsOf(x.id);
    expect((await pairsNow()).some((p) => p.lineA === x.id || p.lineB === x.id)).toBe(false);
  });

  it('reports open or won work of the same customer in a conflicting line, only when the pair is configured', async () => {
    const db = t.database.db;
    const bookkeeping = await buildBusinessLine(db, { name: uniq('代理记账') });
    const audit = await buildBusinessLine(db, { name: uniq('审计') });
    const tax = await buildBusinessLine(db, { name: uniq('税务咨询') });
    const seller = await signedIn(t);
    const customer = (await seller.client.post('/api/v1/customers', { name: uniq('华达科技') })).body;
    const service = (
      await seller.client.post('/api/v1/customer-services', {
        customerId: customer.id,
        businessLineId: bookkeeping.id,
        cycle: 'monthly',
        nextDueOn: '2026-06-30',
      })
    ).body;
    const auditDeal = await makeOpportunity(seller, { businessLineId: audit.id, customerId: customer.id });
    const check = async (id: string) =>
      (await seller.client.get(`/api/v1/opportunities/${id}/independence`)).body.conflicts;

    // Not configured: nothing to report.
    expect(await check(auditDeal.id)).toEqual([]);

    // Configured straight in the table: the PUT replaces the firm-wide set, which other test files use at the same time.
    const [lineA, lineB] = [audit.id, bookkeeping.id].sort();
    await db.insert(businessLineConflicts).values({ lineA, lineB });
    expect(await check(auditDeal.id)).toEqual([
      {
        kind: 'service',
        id: service.id,
        name: bookkeeping.name,
        businessLineId: bookkeeping.id,
        businessLineName: bookkeeping.name,
        ownerName: seller.user.displayName,
      },
    ]);

    // Open and won opportunities of the conflicting line count; lost ones, other lines and other customers do not.
    const openBookkeeping = await makeOpportunity(seller, { businessLineId: bookkeeping.id, customerId: customer.id });
    const wonBookkeeping = await makeOpportunity(seller, {
      businessLineId: bookkeeping.id,
      customerId: customer.id,
      status: 'won',
    });
    await makeOpportunity(seller, { businessLineId: bookkeeping.id, customerId: customer.id, status: 'lost' });
    await makeOpportunity(seller, { businessLineId: tax.id, customerId: customer.id });
    await makeOpportunity(seller, { businessLineId: bookkeeping.id });
    await makeOpportunity(seller, { businessLineId: audit.id, customerId: customer.id });
    const found = await check(auditDeal.id);
    expect(found.map((c: { kind: string; id: string }) => [c.kind, c.id])).toEqual([
      ['service', service.id],
      ['opportunity', openBookkeeping.id],
      ['opportunity', wonBookkeeping.id],
    ]);
    expect(found[1]).toMatchObject({
      name: openBookkeeping.name,
      businessLineName: bookkeeping.name,
      ownerName: seller.user.displayName,
    });
    // The same, called as winning does.
    expect((await findIndependenceConflicts(db, auditDeal)).map((c) => c.id)).toEqual([
      service.id,
      openBookkeeping.id,
      wonBookkeeping.id,
    ]);
    // Seen from the bookkeeping side, the audit work conflicts (the other audit deal too); the tax deal never does.
    const fromBookkeeping = await check(openBookkeeping.id);
    expect(fromBookkeeping.map((c: { kind: string; businessLineId: string }) => [c.kind, c.businessLineId])).toEqual([
      ['opportunity', audit.id],
      ['opportunity', audit.id],
    ]);

    // An ended service no longer conflicts.
    expect((await seller.client.patch(`/api/v1/customer-services/${service.id}`, { active: false })).status).toBe(200);
    expect((await check(auditDeal.id)).map((c: { id: string }) => c.id)).toEqual([
      openBookkeeping.id,
      wonBookkeeping.id,
    ]);

    await db
      .delete(businessLineConflicts)
      .where(and(eq(businessLineConflicts.lineA, lineA), eq(businessLineConflicts.lineB, lineB)));
    expect(await check(auditDeal.id)).toEqual([]);
  });
});
