import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildDepartment, buildOpportunity, buildUser, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { auditLogs } from '../audit/audit.tables';
import { businessLineConflicts } from './opportunities.tables';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type Opp = {
  id: string;
  stageId: string;
  stageNameZh: string;
  status: string;
  probability: number;
  [key: string]: unknown;
};
type Stage = { id: string; nameZh: string; kind: string; probability: number };
type Change = {
  fromStageId: string | null;
  toStageId: string;
  toStageNameZh: string;
  fromStatus: string | null;
  toStatus: string;
  at: string;
  byUserName: string | null;
  note: string | null;
};

const DEFAULT_STAGES = ['初步接洽', '需求分析', '方案建议', '商务报价', '商务谈判', '赢单', '输单'];

async function createCustomer(client: Client, name = uniq('西安华达建设有限公司')) {
  const res = await client.post('/api/v1/customers', { name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string };
}

async function createOpportunity(client: Client, body: Record<string, unknown>): Promise<Opp> {
  const res = await client.post('/api/v1/opportunities', { name: uniq('年报审计'), ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function stagesOf(client: Client, businessLineId: string): Promise<Record<string, Stage>> {
  const res = await client.get('/api/v1/pipelines', { businessLineId });
  expect(res.status).toBe(200);
  return Object.fromEntries(res.body.stages.map((s: Stage) => [s.nameZh, s]));
}

const move = (client: Client, id: string, body: Record<string, unknown>) =>
  client.post(`/api/v1/opportunities/${id}/move`, body);
const history = async (client: Client, id: string): Promise<Change[]> =>
  (await client.get(`/api/v1/opportunities/${id}/stage-history`)).body;
const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((o) => o.id);

/** A salesperson in a department under a parent one, with a customer and a business line of their own. */
async function salesSetup() {
  const parent = await buildDepartment(t.database.db);
  const department = await buildDepartment(t.database.db, { parentId: parent.id });
  const seller = await signedIn(t, { departmentId: department.id });
  const line = await buildBusinessLine(t.database.db);
  const customer = await createCustomer(seller.client);
  return { parent, department, seller, line, customer };
}

describe('creating an opportunity', () => {
  it('starts in the first stage of the line’s pipeline with its probability, owner and department, and a first history entry', async () => {
    const { department, seller, line, customer } = await salesSetup();
    const opp = await createOpportunity(seller.client, {
      name: '2026年度财务报表审计',
      customerId: customer.id,
      businessLineId: line.id,
      expectedAmount: '12500',
      expectedCloseOn: '2026-12-31',
    });
    expect(opp).toMatchObject({
      name: '2026年度财务报表审计',
      customerId: customer.id,
      customerName: customer.name,
      businessLineId: line.id,
      businessLineName: line.name,
      stageNameZh: '初步接洽',
      stageNameEn: 'First contact',
      status: 'open',
      probability: 10,
      expectedAmount: '12500.00',
      weightedAmount: '1250.00',
      expectedCloseOn: '2026-12-31',
      ownerId: seller.user.id,
      ownerName: seller.user.displayName,
      departmentId: department.id,
      members: [],
      closedAt: null,
      independenceOverride: null,
      isProject: false,
      contactId: null,
      campaignId: null,
    });
    const changes = await history(seller.client, opp.id);
    expect(changes).toEqual([
      expect.objectContaining({
        fromStageId: null,
        toStageId: opp.stageId,
        toStageNameZh: '初步接洽',
        fromStatus: null,
        toStatus: 'open',
        byUserName: seller.user.displayName,
      }),
    ]);
    // Found by its name and its customer's name (also in pinyin initials).
    for (const q of ['财务报表', customer.name.slice(0, 6), 'cwbb'])
      expect(ids(await seller.client.get('/api/v1/opportunities', { q })), q).toContain(opp.id);
    const [audit] = await t.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityType, 'opportunity'), eq(auditLogs.entityId, opp.id)));
    expect(audit).toMatchObject({ action: 'create', actorId: seller.user.id });
  });

  it('refuses a customer the actor cannot see (404), an inactive line, another owner without the scope, and a stage whose requirements are not met', async () => {
    const { seller, line, customer } = await salesSetup();
    const other = await signedIn(t);
    expect(
      (
        await other.client.post('/api/v1/opportunities', {
          name: 'x',
          customerId: customer.id,
          businessLineId: line.id,
        })
      ).status,
    ).toBe(404);
    const admin = (await signedIn(t, { roleCode: 'admin' })).client;
    const closedLine = await buildBusinessLine(t.database.db);
    await admin.patch(`/api/v1/business-lines/${closedLine.id}`, { active: false });
    const inactive = await seller.client.post('/api/v1/opportunities', {
      name: 'x',
      customerId: customer.id,
      businessLineId: closedLine.id,
    });
    expect(inactive.status).toBe(400);
    expect(inactive.body.error.code).toBe('INACTIVE_REFERENCE');
    const colleague = await buildUser(t.database.db, { departmentId: seller.user.departmentId });
    const forOther = await seller.client.post('/api/v1/opportunities', {
      name: 'x',
      customerId: customer.id,
      businessLineId: line.id,
      ownerId: colleague.id,
    });
    expect(forOther.status).toBe(403);
    const stages = await stagesOf(seller.client, line.id);
    const quoted = await seller.client.post('/api/v1/opportunities', {
      name: 'x',
      customerId: customer.id,
      businessLineId: line.id,
      stageId: stages['商务报价'].id,
    });
    expect(quoted.status).toBe(409);
    expect(quoted.body.error).toMatchObject({ code: 'STAGE_REQUIREMENTS_MISSING', details: { missing: ['quote'] } });
    expect(quoted.body.error.message).toBe('进入“商务报价”前请先完成：报价');
    expect((await seller.client.get('/api/v1/opportunities', { customerId: customer.id })).body.total).toBe(0);
    // A chosen open stage whose requirements are met is fine.
    const proposal = await createOpportunity(seller.client, {
      customerId: customer.id,
      businessLineId: line.id,
      stageId: stages['方案建议'].id,
      expectedAmount: '800.5',
    });
    expect(proposal).toMatchObject({
      stageNameZh: '方案建议',
      probability: 40,
      expectedAmount: '800.50',
      weightedAmount: '320.20',
    });
  });

  it('lets a manager create one for a salesperson of the department, who then owns it with their department', async () => {
    const { parent, department, seller, line, customer } = await salesSetup();
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: parent.id });
    const opp = await createOpportunity(manager.client, {
      customerId: customer.id,
      businessLineId: line.id,
      ownerId: seller.user.id,
    });
    expect(opp).toMatchObject({ ownerId: seller.user.id, departmentId: department.id });
    expect((await seller.client.get(`/api/v1/opportunities/${opp.id}`)).status).toBe(200);
    const outsider = await buildUser(t.database.db);
    expect(
      (
        await manager.client.post('/api/v1/opportunities', {
          name: 'x',
          customerId: customer.id,
          businessLineId: line.id,
          ownerId: outsider.id,
        })
      ).status,
    ).toBe(403);
  });
});

describe('who sees an opportunity', () => {
  it('is 404 everywhere for a salesperson of another department, and visible to the managers of the owner’s department', async () => {
    const { parent, department, seller, line, customer } = await salesSetup();
    const opp = await createOpportunity(seller.client, {
      customerId: customer.id,
      businessLineId: line.id,
      expectedAmount: '5000',
    });
    const stages = await stagesOf(seller.client, line.id);
    const { client: stranger } = await signedIn(t);
    expect((await stranger.get(`/api/v1/opportunities/${opp.id}`)).status).toBe(404);
    expect((await stranger.get(`/api/v1/opportunities/${opp.id}/stage-history`)).status).toBe(404);
    expect((await stranger.patch(`/api/v1/opportunities/${opp.id}`, { name: '改名' })).status).toBe(404);
    expect((await move(stranger, opp.id, { stageId: stages['输单'].id, lostReason: 'x' })).status).toBe(404);
    expect((await stranger.post(`/api/v1/opportunities/${opp.id}/reopen`, {})).status).toBe(404);
    expect((await stranger.request('PUT', `/api/v1/opportunities/${opp.id}/members`, { members: [] })).status).toBe(
      404,
    );
    expect((await stranger.get('/api/v1/opportunities', { businessLineId: line.id })).body.total).toBe(0);
    expect((await stranger.get('/api/v1/opportunities/totals', { businessLineId: line.id })).body).toEqual({
      count: 0,
      totalAmount: '0.00',
      weightedAmount: '0.00',
    });
    const board = await stranger.get('/api/v1/opportunities/board', { businessLineId: line.id });
    expect(board.status).toBe(200);
    expect(board.body.columns.flatMap((c: { cards: unknown[] }) => c.cards)).toEqual([]);
    expect(board.body.columns.map((c: { count: number }) => c.count)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    // Nothing changed by the attempts.
    expect((await seller.client.get(`/api/v1/opportunities/${opp.id}`)).body).toMatchObject({
      name: opp.name,
      status: 'open',
      stageId: opp.stageId,
    });

    // The manager of the parent department sees it in every list and may work on it.
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: parent.id });
    expect((await manager.client.get(`/api/v1/opportunities/${opp.id}`)).status).toBe(200);
    expect(ids(await manager.client.get('/api/v1/opportunities', { businessLineId: line.id }))).toEqual([opp.id]);
    expect(ids(await manager.client.get('/api/v1/opportunities', { businessLineId: line.id, view: 'team' }))).toEqual([
      opp.id,
    ]);
    expect(ids(await manager.client.get('/api/v1/opportunities', { businessLineId: line.id, view: 'mine' }))).toEqual(
      [],
    );
    expect(ids(await seller.client.get('/api/v1/opportunities', { businessLineId: line.id, view: 'mine' }))).toEqual([
      opp.id,
    ]);
    const managerBoard = await manager.client.get('/api/v1/opportunities/board', { businessLineId: line.id });
    expect(managerBoard.body.columns[0]).toMatchObject({
      count: 1,
      totalAmount: '5000.00',
      weightedAmount: '500.00',
      cards: [{ id: opp.id, customerName: customer.name, ownerName: seller.user.displayName }],
    });
    // A manager of a sibling department does not.
    const sibling = await buildDepartment(t.database.db, { parentId: parent.id });
    const otherManager = await signedIn(t, { roleCode: 'manager', departmentId: sibling.id });
    expect((await otherManager.client.get(`/api/v1/opportunities/${opp.id}`)).status).toBe(404);

    // Reassigning: a salesperson may not; the manager may, to someone of the department, and the department follows the owner.
    const colleagueDepartment = await buildDepartment(t.database.db, { parentId: parent.id });
    const colleague = await buildUser(t.database.db, { departmentId: colleagueDepartment.id });
    expect((await seller.client.patch(`/api/v1/opportunities/${opp.id}`, { ownerId: colleague.id })).status).toBe(403);
    const reassigned = await manager.client.patch(`/api/v1/opportunities/${opp.id}`, {
      ownerId: colleague.id,
      probability: 35,
    });
    expect(reassigned.status).toBe(200);
    expect(reassigned.body).toMatchObject({
      ownerId: colleague.id,
      departmentId: colleagueDepartment.id,
      probability: 35,
      weightedAmount: '1750.00',
    });
    expect((await seller.client.get(`/api/v1/opportunities/${opp.id}`)).status).toBe(404);
    expect(department.id).not.toBe(colleagueDepartment.id);
  });

  it('is seen by team members while they are on the team, whatever their department or role', async () => {
    const { seller, line, customer } = await salesSetup();
    const opp = await createOpportunity(seller.client, { customerId: customer.id, businessLineId: line.id });
    const cpaDepartment = await buildDepartment(t.database.db, { name: uniq('审计二部') });
    const cpa = await signedIn(t, {
      roleCode: 'staff',
      departmentId: cpaDepartment.id,
      displayName: uniq('注册会计师'),
    });
    const pm = await buildUser(t.database.db);
    expect((await cpa.client.get(`/api/v1/opportunities/${opp.id}`)).status).toBe(404);

    const team = await seller.client.request('PUT', `/api/v1/opportunities/${opp.id}/members`, {
      members: [
        { userId: pm.id, role: '项目经理' },
        { userId: cpa.user.id, role: '签字注册会计师' },
      ],
    });
    expect(team.status, JSON.stringify(team.body)).toBe(200);
    expect(team.body.members).toEqual(
      expect.arrayContaining([
        { userId: cpa.user.id, name: cpa.user.displayName, departmentName: cpaDepartment.name, role: '签字注册会计师' },
        { userId: pm.id, name: pm.displayName, departmentName: expect.any(String), role: '项目经理' },
      ]),
    );
    expect((await cpa.client.get(`/api/v1/opportunities/${opp.id}`)).status).toBe(200);
    expect((await cpa.client.get(`/api/v1/opportunities/${opp.id}/stage-history`)).status).toBe(200);
    expect(ids(await cpa.client.get('/api/v1/opportunities', { view: 'member' }))).toEqual([opp.id]);
    // Staff read, but change nothing.
    expect((await cpa.client.patch(`/api/v1/opportunities/${opp.id}`, { name: '改名' })).status).toBe(403);

    // An inactive user cannot join; the team stays as it was.
    const gone = await buildUser(t.database.db, { active: false });
    const refused = await seller.client.request('PUT', `/api/v1/opportunities/${opp.id}/members`, {
      members: [{ userId: gone.id, role: '助理' }],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('INACTIVE_REFERENCE');
    expect((await seller.client.get(`/api/v1/opportunities/${opp.id}`)).body.members).toHaveLength(2);

    const removed = await seller.client.request('PUT', `/api/v1/opportunities/${opp.id}/members`, {
      members: [{ userId: pm.id, role: '项目经理（复核）' }],
    });
    expect(removed.body.members).toEqual([
      { userId: pm.id, name: pm.displayName, departmentName: expect.any(String), role: '项目经理（复核）' },
    ]);
    expect((await cpa.client.get(`/api/v1/opportunities/${opp.id}`)).status).toBe(404);
    expect(ids(await cpa.client.get('/api/v1/opportunities', { view: 'member' }))).toEqual([]);
  });
});

describe('moving an opportunity', () => {
  it('goes through every stage once its requirements are met, and the history shows each step in order', async () => {
    const { seller, line, customer } = await salesSetup();
    const stages = await stagesOf(seller.client, line.id);
    expect(Object.keys(stages)).toEqual(DEFAULT_STAGES);
    const opp = await createOpportunity(seller.client, { customerId: customer.id, businessLineId: line.id });

    // Each stage asks for something first.
    const needsContact = await move(seller.client, opp.id, { stageId: stages['需求分析'].id });
    expect(needsContact.status).toBe(409);
    expect(needsContact.body.error).toMatchObject({
      code: 'STAGE_REQUIREMENTS_MISSING',
      details: { missing: ['contact'] },
    });
    const skip = await move(seller.client, opp.id, { stageId: stages['商务报价'].id });
    expect(skip.status).toBe(409);
    expect(skip.body.error.code).toBe('STAGE_REQUIREMENTS_MISSING');
    expect(skip.body.error.details.missing).toEqual(['quote']);
    expect(skip.body.error.message).toContain('报价');
    expect((await seller.client.get(`/api/v1/opportunities/${opp.id}`)).body).toMatchObject({
      stageId: opp.stageId,
      probability: 10,
    });
    expect(await history(seller.client, opp.id)).toHaveLength(1);

    const contact = await seller.client.post('/api/v1/contacts', { customerId: customer.id, name: '王会计' });
    expect(contact.status).toBe(201);
    expect(
      (
        await seller.client.patch(`/api/v1/opportunities/${opp.id}`, {
          contactId: contact.body.id,
          expectedAmount: '36000',
          expectedCloseOn: '2026-12-20',
        })
      ).status,
    ).toBe(200);
    const quote = await seller.client.post(`/api/v1/opportunities/${opp.id}/quotes`, {
      items: [{ description: '年报审计', unitPrice: '36000' }],
    });
    expect(quote.status, JSON.stringify(quote.body)).toBe(201);

    const path = ['需求分析', '方案建议', '商务报价', '商务谈判', '赢单'];
    for (const name of path) {
      const res = await move(seller.client, opp.id, { stageId: stages[name].id, note: `进入${name}` });
      expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body).toMatchObject({
        stageNameZh: name,
        probability: name === '赢单' ? 100 : stages[name].probability,
      });
    }
    const won = (await seller.client.get(`/api/v1/opportunities/${opp.id}`)).body;
    expect(won).toMatchObject({ status: 'won', probability: 100, stageNameZh: '赢单', weightedAmount: '36000.00' });
    expect(won.closedAt).toEqual(expect.any(String));

    const changes = await history(seller.client, opp.id);
    expect(changes.map((c) => c.toStageNameZh)).toEqual(['初步接洽', ...path]);
    expect(changes.map((c) => c.toStatus)).toEqual(['open', 'open', 'open', 'open', 'open', 'won']);
    expect(changes.slice(1).map((c) => c.note)).toEqual(path.map((name) => `进入${name}`));
    for (let i = 1; i < changes.length; i++) {
      expect(changes[i].fromStageId).toBe(changes[i - 1].toStageId);
      expect(changes[i].fromStatus).toBe(changes[i - 1].toStatus);
      expect(Date.parse(changes[i].at)).toBeGreaterThanOrEqual(Date.parse(changes[i - 1].at));
      expect(changes[i].byUserName).toBe(seller.user.displayName);
    }

    // Won is final until reopened; the same stage again changes nothing.
    const again = await move(seller.client, opp.id, { stageId: stages['赢单'].id });
    expect(again.status).toBe(200);
    const closed = await move(seller.client, opp.id, { stageId: stages['商务谈判'].id });
    expect(closed.status).toBe(409);
    expect(closed.body.error).toMatchObject({
      code: 'OPPORTUNITY_CLOSED',
      message: '该商机已赢单，请先重新打开',
      details: { status: 'won' },
    });
    expect((await seller.client.patch(`/api/v1/opportunities/${opp.id}`, { probability: 50 })).body.error.code).toBe(
      'OPPORTUNITY_CLOSED',
    );
    expect(await history(seller.client, opp.id)).toHaveLength(changes.length);
  });

  it('needs a reason to lose; a lost one cannot move until it is reopened, into the last open stage it was in', async () => {
    const { seller, line, customer } = await salesSetup();
    const stages = await stagesOf(seller.client, line.id);
    const opp = await createOpportunity(seller.client, {
      customerId: customer.id,
      businessLineId: line.id,
      expectedAmount: '9000',
    });
    expect((await move(seller.client, opp.id, { stageId: stages['方案建议'].id })).status).toBe(200);

    const noReason = await move(seller.client, opp.id, { stageId: stages['输单'].id });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('REASON_REQUIRED');
    const blank = await move(seller.client, opp.id, { stageId: stages['输单'].id, lostReason: '' });
    expect(blank.body.error.code).toBe('REASON_REQUIRED');
    const lost = await move(seller.client, opp.id, {
      stageId: stages['输单'].id,
      lostReason: '报价高于竞争对手',
      competitor: '某会计师事务所',
    });
    expect(lost.status).toBe(200);
    expect(lost.body).toMatchObject({
      status: 'lost',
      probability: 0,
      weightedAmount: '0.00',
      lostReason: '报价高于竞争对手',
      competitor: '某会计师事务所',
    });

    const blocked = await move(seller.client, opp.id, { stageId: stages['商务谈判'].id });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.code).toBe('OPPORTUNITY_CLOSED');
    expect(blocked.body.error.message).toContain('输单');

    const reopened = await seller.client.post(`/api/v1/opportunities/${opp.id}/reopen`, { note: '客户重新询价' });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({
      status: 'open',
      stageNameZh: '方案建议',
      probability: 40,
      lostReason: null,
      competitor: null,
      closedAt: null,
    });
    const notClosed = await seller.client.post(`/api/v1/opportunities/${opp.id}/reopen`, {});
    expect(notClosed.status).toBe(409);
    expect(notClosed.body.error.code).toBe('OPPORTUNITY_NOT_CLOSED');
    const last = (await history(seller.client, opp.id)).at(-1)!;
    expect(last).toMatchObject({
      fromStatus: 'lost',
      toStatus: 'open',
      toStageNameZh: '方案建议',
      note: '客户重新询价',
    });

    // Reopening into a chosen stage; a stage of another line's pipeline is refused.
    expect((await move(seller.client, opp.id, { stageId: stages['输单'].id, lostReason: '预算取消' })).status).toBe(
      200,
    );
    const admin = (await signedIn(t, { roleCode: 'admin' })).client;
    const otherLine = await buildBusinessLine(t.database.db);
    const own = await admin.request('PUT', '/api/v1/pipelines', {
      businessLineId: otherLine.id,
      stages: [
        { nameZh: '接洽', nameEn: 'Contact', probability: 20 },
        { nameZh: '成交', nameEn: 'Won', kind: 'won', probability: 100 },
        { nameZh: '丢单', nameEn: 'Lost', kind: 'lost', probability: 0 },
      ],
    });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    const foreign = await seller.client.post(`/api/v1/opportunities/${opp.id}/reopen`, {
      stageId: own.body.stages[0].id,
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('STAGE_NOT_IN_PIPELINE');
    const chosen = await seller.client.post(`/api/v1/opportunities/${opp.id}/reopen`, {
      stageId: stages['初步接洽'].id,
    });
    expect(chosen.body).toMatchObject({ status: 'open', stageNameZh: '初步接洽', probability: 10 });
    const foreignMove = await move(seller.client, opp.id, { stageId: own.body.stages[0].id });
    expect(foreignMove.body.error.code).toBe('STAGE_NOT_IN_PIPELINE');
  });

  it('keeps the history consistent when two moves of one opportunity race', async () => {
    const { seller, line, customer } = await salesSetup();
    const stages = await stagesOf(seller.client, line.id);
    const contact = (await seller.client.post('/api/v1/contacts', { customerId: customer.id, name: '刘出纳' })).body;
    for (let round = 0; round < 3; round++) {
      const opp = await createOpportunity(seller.client, {
        customerId: customer.id,
        businessLineId: line.id,
        contactId: contact.id,
        expectedAmount: '100',
      });
      const results = await Promise.all([
        move(seller.client, opp.id, { stageId: stages['需求分析'].id }),
        move(seller.client, opp.id, { stageId: stages['方案建议'].id }),
      ]);
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      const changes = await history(seller.client, opp.id);
      expect(changes).toHaveLength(3);
      for (let i = 1; i < changes.length; i++) {
        expect(changes[i].fromStageId).toBe(changes[i - 1].toStageId);
        expect(Date.parse(changes[i].at)).toBeGreaterThanOrEqual(Date.parse(changes[i - 1].at));
      }
      const now = (await seller.client.get(`/api/v1/opportunities/${opp.id}`)).body;
      expect(now.stageId).toBe(changes[2].toStageId);
      expect(now.stageEnteredAt).toBe(changes[2].at);
    }
  });

  it('checks independence before winning: a conflicting engagement needs an exception a partner approved', async () => {
    const { seller, customer } = await salesSetup();
    const audit = await buildBusinessLine(t.database.db, { name: uniq('审计') });
    const bookkeeping = await buildBusinessLine(t.database.db, { name: uniq('代理记账') });
    const [lineA, lineB] = [audit.id, bookkeeping.id].sort();
    const db = t.database.db;
    // The pair set is firm-wide: add ours right before each check and remove it afterwards.
    const addPair = () => db.insert(businessLineConflicts).values({ lineA, lineB }).onConflictDoNothing();
    try {
      const engagement = await createOpportunity(seller.client, {
        name: '代理记账服务',
        customerId: customer.id,
        businessLineId: bookkeeping.id,
      });
      const deal = await createOpportunity(seller.client, {
        customerId: customer.id,
        businessLineId: audit.id,
        expectedAmount: '20000',
      });
      const stages = await stagesOf(seller.client, audit.id);
      await addPair();
      const refused = await move(seller.client, deal.id, { stageId: stages['赢单'].id });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('INDEPENDENCE_CONFLICT');
      expect(refused.body.error.details.conflicts).toEqual([
        expect.objectContaining({ kind: 'opportunity', id: engagement.id, businessLineId: bookkeeping.id }),
      ]);
      expect(refused.body.error.message).toContain('代理记账服务');
      expect((await seller.client.get(`/api/v1/opportunities/${deal.id}`)).body).toMatchObject({
        status: 'open',
        independenceOverride: null,
      });

      // The exception goes to a partner, by the flow of kind independence-override (for this test's line only).
      const partner = await signedIn(t, { roleCode: 'executive', departmentId: null });
      const admin = (await signedIn(t, { roleCode: 'admin' })).client;
      const flow = await admin.post('/api/v1/workflows', {
        subjectKind: 'independence-override',
        nameZh: '独立性例外审批',
        nameEn: 'Independence exception',
        conditions: [{ field: 'businessLineId', op: 'eq', value: audit.id }],
        steps: [{ nameZh: '合伙人审批', nameEn: 'Partner', assignee: { kind: 'user', userId: partner.user.id } }],
        fallbackUserId: partner.user.id,
      });
      expect(flow.status, JSON.stringify(flow.body)).toBe(201);
      await addPair();
      const reason = '记账业务由分所独立团队承接';
      const requested = await seller.client.post(`/api/v1/opportunities/${deal.id}/independence-override`, { reason });
      expect(requested.status, JSON.stringify(requested.body)).toBe(200);
      await addPair();
      const pending = await move(seller.client, deal.id, { stageId: stages['赢单'].id });
      expect(pending.body.error.code).toBe('INDEPENDENCE_APPROVAL_PENDING');
      const [waiting] = (await partner.client.get('/api/v1/approvals')).body.items;
      expect(waiting).toMatchObject({ subjectKind: 'independence-override', subjectId: deal.id });
      expect(waiting.summary.facts).toContainEqual({ key: 'reason', value: reason });
      expect(
        (await partner.client.post(`/api/v1/workflow-instances/${waiting.id}/decide`, { action: 'approve' })).status,
      ).toBe(200);
      await addPair();
      const won = await move(seller.client, deal.id, { stageId: stages['赢单'].id });
      expect(won.status, JSON.stringify(won.body)).toBe(200);
      expect(won.body).toMatchObject({
        status: 'won',
        independenceOverride: {
          reason,
          byUserId: partner.user.id,
          byUserName: partner.user.displayName,
          at: expect.any(String),
        },
      });
    } finally {
      await db
        .delete(businessLineConflicts)
        .where(and(eq(businessLineConflicts.lineA, lineA), eq(businessLineConflicts.lineB, lineB)));
    }
  });

  it('needs the acceptance checklist complete before winning', async () => {
    const { seller, line, customer } = await salesSetup();
    const admin = (await signedIn(t, { roleCode: 'admin' })).client;
    const checklist = await admin.request('PUT', `/api/v1/acceptance-checklists/${line.id}`, {
      items: [{ key: 'independence', labelZh: '独立性确认', labelEn: 'Independence confirmed' }],
    });
    expect(checklist.status, JSON.stringify(checklist.body)).toBe(200);
    const opp = await createOpportunity(seller.client, { customerId: customer.id, businessLineId: line.id });
    const stages = await stagesOf(seller.client, line.id);
    const refused = await move(seller.client, opp.id, { stageId: stages['赢单'].id });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'ACCEPTANCE_INCOMPLETE' });
    expect(
      (
        await seller.client.request('PUT', `/api/v1/opportunities/${opp.id}/acceptance`, {
          answers: { independence: { checked: true } },
        })
      ).status,
    ).toBe(200);
    expect((await move(seller.client, opp.id, { stageId: stages['赢单'].id })).body.status).toBe('won');
  });
});

describe('lists, totals and the board', () => {
  it('sum exactly: 0.10 + 0.20 is 0.30 and 3 × 33.33 is 99.99, in the totals and on the board', async () => {
    const { seller, line, customer } = await salesSetup();
    const amounts = ['0.10', '0.20', '33.33', '33.33', '33.33'];
    const created: Opp[] = [];
    for (const expectedAmount of amounts)
      created.push(
        await createOpportunity(seller.client, { customerId: customer.id, businessLineId: line.id, expectedAmount }),
      );
    const noAmount = await createOpportunity(seller.client, { customerId: customer.id, businessLineId: line.id });

    const small = await seller.client.get('/api/v1/opportunities/totals', {
      businessLineId: line.id,
      minAmount: '0.10',
      maxAmount: '0.20',
    });
    expect(small.body).toEqual({ count: 2, totalAmount: '0.30', weightedAmount: '0.03' });
    const thirds = await seller.client.get('/api/v1/opportunities/totals', {
      businessLineId: line.id,
      minAmount: '33',
    });
    // 10 % of 33.33 is 3.333 → 3.33 per opportunity, as each row shows it.
    expect(thirds.body).toEqual({ count: 3, totalAmount: '99.99', weightedAmount: '9.99' });
    const all = await seller.client.get('/api/v1/opportunities/totals', { businessLineId: line.id });
    expect(all.body).toEqual({ count: 6, totalAmount: '100.29', weightedAmount: '10.02' });
    const list = await seller.client.get('/api/v1/opportunities', { businessLineId: line.id, sort: 'expectedAmount' });
    expect(list.body.items.map((o: Opp) => o.expectedAmount)).toEqual([...amounts, null]);
    expect(list.body.items.map((o: Opp) => o.weightedAmount)).toEqual(['0.01', '0.02', '3.33', '3.33', '3.33', null]);

    const board = await seller.client.get('/api/v1/opportunities/board', { businessLineId: line.id, perStage: 2 });
    expect(board.status, JSON.stringify(board.body)).toBe(200);
    expect(board.body.columns.map((c: { stage: Stage }) => c.stage.nameZh)).toEqual(DEFAULT_STAGES);
    const [first] = board.body.columns;
    expect(first).toMatchObject({ count: 6, totalAmount: '100.29', weightedAmount: '10.02' });
    // The newest arrivals first, two of them; the totals still cover the whole column.
    expect(first.cards.map((c: { id: string }) => c.id)).toEqual([noAmount.id, created[4].id]);
    expect(first.cards[1]).toMatchObject({
      name: created[4].name,
      customerName: customer.name,
      ownerName: seller.user.displayName,
      expectedAmount: '33.33',
      probability: 10,
    });

    // A lost one leaves its column for the lost column.
    const stages = await stagesOf(seller.client, line.id);
    expect(
      (await move(seller.client, created[1].id, { stageId: stages['输单'].id, lostReason: '客户自行处理' })).status,
    ).toBe(200);
    const after = (await seller.client.get('/api/v1/opportunities/board', { businessLineId: line.id })).body.columns;
    expect(after[0]).toMatchObject({ count: 5, totalAmount: '100.09', weightedAmount: '10.00' });
    expect(after[6]).toMatchObject({
      count: 1,
      totalAmount: '0.20',
      weightedAmount: '0.00',
      cards: [{ id: created[1].id }],
    });
    expect(
      (await seller.client.get('/api/v1/opportunities/totals', { businessLineId: line.id, status: 'open' })).body,
    ).toEqual({ count: 5, totalAmount: '100.09', weightedAmount: '10.00' });
  });

  it('filters by view, status, stage, region, owner, customer, amount, close date and text', async () => {
    const { parent, seller, line, customer } = await salesSetup();
    const admin = (await signedIn(t, { roleCode: 'admin' })).client;
    const region = await admin.post('/api/v1/regions', { name: uniq('西北') });
    expect(region.status).toBe(201);
    const northwest = await createCustomer(seller.client);
    await seller.client.patch(`/api/v1/customers/${northwest.id}`, { regionId: region.body.id });
    const a = await createOpportunity(seller.client, {
      name: uniq('验资'),
      customerId: northwest.id,
      businessLineId: line.id,
      expectedAmount: '500',
      expectedCloseOn: '2026-03-01',
    });
    const b = await createOpportunity(seller.client, {
      customerId: customer.id,
      businessLineId: line.id,
      expectedAmount: '1500',
      expectedCloseOn: '2026-06-30',
    });
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: parent.id });
    const c = await createOpportunity(manager.client, { customerId: customer.id, businessLineId: line.id });
    const stages = await stagesOf(seller.client, line.id);
    await move(seller.client, b.id, { stageId: stages['方案建议'].id });

    const find = async (query: Record<string, string>) =>
      ids(
        await manager.client.get('/api/v1/opportunities', { businessLineId: line.id, pageSize: 100, ...query }),
      ).sort();
    expect(await find({})).toEqual([a.id, b.id, c.id].sort());
    expect(await find({ view: 'mine' })).toEqual([c.id]);
    expect(await find({ ownerId: seller.user.id })).toEqual([a.id, b.id].sort());
    expect(await find({ regionId: region.body.id })).toEqual([a.id]);
    expect(await find({ customerId: customer.id })).toEqual([b.id, c.id].sort());
    expect(await find({ stageId: stages['方案建议'].id })).toEqual([b.id]);
    expect(await find({ status: 'open' })).toEqual([a.id, b.id, c.id].sort());
    expect(await find({ status: 'won' })).toEqual([]);
    expect(await find({ minAmount: '1000' })).toEqual([b.id]);
    expect(await find({ maxAmount: '1000' })).toEqual([a.id]);
    expect(await find({ closeFrom: '2026-04-01', closeTo: '2026-12-31' })).toEqual([b.id]);
    expect(await find({ q: a.name as string })).toEqual([a.id]);
    const sorted = await manager.client.get('/api/v1/opportunities', {
      businessLineId: line.id,
      sort: '-expectedAmount',
    });
    expect(ids(sorted)).toEqual([b.id, a.id, c.id]);
    const totals = await manager.client.get('/api/v1/opportunities/totals', {
      businessLineId: line.id,
      ownerId: seller.user.id,
    });
    expect(totals.body).toEqual({ count: 2, totalAmount: '2000.00', weightedAmount: '650.00' });
    const board = await manager.client.get('/api/v1/opportunities/board', {
      businessLineId: line.id,
      regionId: region.body.id,
    });
    expect(board.body.columns[0]).toMatchObject({ count: 1, cards: [{ id: a.id }] });
    expect(board.body.columns[2]).toMatchObject({ count: 0, cards: [] });
    // The board's statements are prepared once per reader and filter shape: the same shape with another value,
    // or another reader with the same filters, gets its own answer.
    const onBoard = async (client: Client, query: Record<string, string>) =>
      (await client.get('/api/v1/opportunities/board', { businessLineId: line.id, ...query })).body.columns
        .flatMap((column: { cards: { id: string }[] }) => column.cards.map((card) => card.id))
        .sort();
    expect(await onBoard(manager.client, { minAmount: '1000' })).toEqual([b.id]);
    expect(await onBoard(manager.client, { minAmount: '100' })).toEqual([a.id, b.id].sort());
    expect(await onBoard(manager.client, { view: 'mine' })).toEqual([c.id]);
    expect(await onBoard(seller.client, { view: 'mine' })).toEqual([a.id, b.id].sort());
    expect(
      (
        await manager.client.get('/api/v1/opportunities/board', {
          businessLineId: '6f1c1d7e-8a7b-4c55-9a51-3c2f0b7d1e01',
        })
      ).status,
    ).toBe(404);
  });

  it('builds opportunities for other tests through the factory', async () => {
    const owner = await buildUser(t.database.db);
    const opp = await buildOpportunity(t, { ownerId: owner.id, expectedAmount: '10' });
    expect(opp).toMatchObject({
      ownerId: owner.id,
      stageNameZh: '初步接洽',
      probability: 10,
      expectedAmount: '10.00',
      weightedAmount: '1.00',
    });
    const client = await t.login(owner.username);
    expect((await client.get(`/api/v1/opportunities/${opp.id}/stage-history`)).body).toHaveLength(1);
  });
});
