import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildDepartment, setDepartmentManager, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { activities } from '../activities/activities.tables';
import { onLeadStatus, onOpportunityStageEntered } from './playbooks.service';
import { opportunityStageChanges } from '../opportunities/opportunities.tables';
import { leadStatusChanges } from '../leads/leads.tables';
import { knowledgeArticles } from './knowledge.tables';
import { loadActor } from '../staff/actors';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type Stage = { id: string; nameZh: string; kind: string };
type Person = { user: { id: string; departmentId: string | null }; client: Client };

/** The firm's calendar day (Asia/Shanghai, UTC+8 all year) `days` from today, computed without the server's helpers. */
function shanghaiDay(days: number): string {
  const shifted = new Date(Date.now() + 8 * 3600_000);
  const day = Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate() + days);
  return new Date(day).toISOString().slice(0, 10);
}
/** 18:00 in Shanghai on that day, as an instant. */
const dueOn = (days: number) => new Date(`${shanghaiDay(days)}T18:00:00+08:00`).toISOString();

async function stagesOf(client: Client, businessLineId: string): Promise<Record<string, Stage>> {
  const res = await client.get('/api/v1/pipelines', { businessLineId });
  expect(res.status).toBe(200);
  return Object.fromEntries(res.body.stages.map((s: Stage) => [s.nameZh, s]));
}

/** A department with a manager (role manager: knowledge:manage) and a salesperson in it. */
async function team() {
  const department = await buildDepartment(t.database.db);
  const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
  await setDepartmentManager(t.database.db, department.id, manager.user.id);
  const seller = await signedIn(t, { departmentId: department.id });
  return { department, manager, seller };
}

async function opportunityOf(seller: Person, businessLineId: string) {
  const customer = await seller.client.post('/api/v1/customers', { name: uniq('西安华达建设有限公司') });
  expect(customer.status, JSON.stringify(customer.body)).toBe(201);
  const contact = await seller.client.post('/api/v1/contacts', { customerId: customer.body.id, name: '王会计' });
  expect(contact.status).toBe(201);
  const res = await seller.client.post('/api/v1/opportunities', {
    name: uniq('年报审计'),
    businessLineId,
    expectedAmount: '20000',
    customerId: customer.body.id,
    contactId: contact.body.id,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; stageId: string };
}

async function move(seller: Person, id: string, stageId: string) {
  const res = await seller.client.post(`/api/v1/opportunities/${id}/move`, { stageId });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** The planned activities on a record, read from the database (what was scheduled, whoever sees it). */
async function plannedOn(where: { opportunityId?: string; leadId?: string }) {
  const rows = await t.database.db
    .select({
      subject: activities.subject,
      ownerId: activities.ownerId,
      dueAt: activities.dueAt,
      category: activities.category,
    })
    .from(activities)
    .where(
      where.opportunityId ? eq(activities.opportunityId, where.opportunityId) : eq(activities.leadId, where.leadId!),
    );
  return rows
    .map((r) => ({ ...r, dueAt: r.dueAt?.toISOString() }))
    .sort((a, b) => a.subject.localeCompare(b.subject, 'zh'));
}

const proposalSteps = [
  { subject: '准备审计服务方案', category: 'proposal', dueOffsetDays: 2, assignee: 'owner' },
  { subject: '安排合伙人拜访', category: 'visit', dueOffsetDays: 5, assignee: 'owner-manager', notes: '带上上年报告' },
];
const checklist = [{ text: '确认审计范围' }, { text: '了解上年审计机构' }, { text: '独立性检查' }];

describe('opportunity playbooks', () => {
  it('entering a stage schedules its activities once, for the right people and days; another stage its own', async () => {
    const { manager, seller } = await team();
    const line = await buildBusinessLine(t.database.db, { name: uniq('审计') });
    const stages = await stagesOf(manager.client, line.id);
    const created = await manager.client.post('/api/v1/playbooks', {
      kind: 'opportunity',
      businessLineId: line.id,
      stageId: stages['需求分析'].id,
      activities: proposalSteps,
      checklist,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.checklist.map((c: { text: string }) => c.text)).toEqual(checklist.map((c) => c.text));
    expect(created.body.updatedByName).toBe((await loadActor(t.database.db, manager.user.id))!.displayName);
    const second = await manager.client.post('/api/v1/playbooks', {
      kind: 'opportunity',
      businessLineId: line.id,
      stageId: stages['方案建议'].id,
      activities: [{ subject: '发送报价前复核', category: 'call', dueOffsetDays: 0, assignee: 'owner' }],
    });
    expect(second.status).toBe(201);

    const opp = await opportunityOf(seller, line.id);
    expect(await plannedOn({ opportunityId: opp.id })).toEqual([]);
    await move(seller, opp.id, stages['需求分析'].id);
    expect(await plannedOn({ opportunityId: opp.id })).toEqual([
      { subject: '安排合伙人拜访', ownerId: manager.user.id, dueAt: dueOn(5), category: 'visit' },
      { subject: '准备审计服务方案', ownerId: seller.user.id, dueAt: dueOn(2), category: 'proposal' },
    ]);

    // The seller sees the one assigned to him in his agenda; the manager his.
    const mine = await seller.client.get('/api/v1/activities', { ownerId: seller.user.id, status: 'planned' });
    expect(mine.body.items.map((a: { subject: string }) => a.subject)).toContain('准备审计服务方案');

    // The same entry again (a repeated event) schedules nothing more.
    const [entry] = await t.database.db
      .select({ id: opportunityStageChanges.id })
      .from(opportunityStageChanges)
      .where(
        and(
          eq(opportunityStageChanges.opportunityId, opp.id),
          eq(opportunityStageChanges.toStageId, stages['需求分析'].id),
        ),
      );
    const actor = (await loadActor(t.database.db, seller.user.id))!;
    const ctx = { db: t.database.db, actor, requestId: 'test', jobs: t.app.jobs };
    await onOpportunityStageEntered(ctx, { opportunityId: opp.id, stageId: stages['需求分析'].id, entryId: entry.id });
    expect(await plannedOn({ opportunityId: opp.id })).toHaveLength(2);

    // The next stage brings its own; the guide shows the current stage's.
    await move(seller, opp.id, stages['方案建议'].id);
    const after = await plannedOn({ opportunityId: opp.id });
    expect(after).toHaveLength(3);
    expect(after.find((a) => a.subject === '发送报价前复核')).toMatchObject({
      ownerId: seller.user.id,
      dueAt: dueOn(0),
    });
    const guide = await seller.client.get(`/api/v1/opportunities/${opp.id}/guide`);
    expect(guide.status).toBe(200);
    expect(guide.body.playbookId).toBe(second.body.id);
    expect(guide.body.activities.map((a: { subject: string }) => a.subject)).toEqual(['发送报价前复核']);

    // Back to 需求分析 later: a new entry, scheduled again.
    await move(seller, opp.id, stages['需求分析'].id);
    expect(await plannedOn({ opportunityId: opp.id })).toHaveLength(5);
  });

  it('an opportunity created in a stage with a playbook is scheduled; no playbook, nothing', async () => {
    const { manager, seller } = await team();
    const line = await buildBusinessLine(t.database.db, { name: uniq('代理记账') });
    const stages = await stagesOf(manager.client, line.id);
    const res = await manager.client.post('/api/v1/playbooks', {
      kind: 'opportunity',
      businessLineId: line.id,
      stageId: stages['初步接洽'].id,
      activities: [{ subject: '电话了解记账需求', category: 'call', dueOffsetDays: 1, assignee: 'owner' }],
    });
    expect(res.status).toBe(201);
    const opp = await opportunityOf(seller, line.id);
    expect(await plannedOn({ opportunityId: opp.id })).toEqual([
      { subject: '电话了解记账需求', ownerId: seller.user.id, dueAt: dueOn(1), category: 'call' },
    ]);
    // Another line without playbooks: nothing scheduled, an empty guide.
    const other = await buildBusinessLine(t.database.db);
    const plain = await opportunityOf(seller, other.id);
    await move(seller, plain.id, (await stagesOf(seller.client, other.id))['需求分析'].id);
    expect(await plannedOn({ opportunityId: plain.id })).toEqual([]);
    const guide = await seller.client.get(`/api/v1/opportunities/${plain.id}/guide`);
    expect(guide.body).toMatchObject({ playbookId: null, checklist: [], activities: [] });
  });

  it('the guide shows the checklist and who ticked it; only those who work on it may tick', async () => {
    const { manager, seller } = await team();
    const line = await buildBusinessLine(t.database.db);
    const stages = await stagesOf(manager.client, line.id);
    const pb = await manager.client.post('/api/v1/playbooks', {
      kind: 'opportunity',
      businessLineId: line.id,
      stageId: stages['初步接洽'].id,
      checklist,
    });
    expect(pb.status).toBe(201);
    const opp = await opportunityOf(seller, line.id);
    const itemId = pb.body.checklist[0].id;
    const ticked = await seller.client.post(`/api/v1/opportunities/${opp.id}/guide/checklist`, { itemId, done: true });
    expect(ticked.status, JSON.stringify(ticked.body)).toBe(200);
    const guide = await seller.client.get(`/api/v1/opportunities/${opp.id}/guide`);
    expect(guide.body.writable).toBe(true);
    expect(guide.body.checklist.map((c: { text: string; done: boolean }) => [c.text, c.done])).toEqual([
      ['确认审计范围', true],
      ['了解上年审计机构', false],
      ['独立性检查', false],
    ]);
    expect(guide.body.checklist[0].doneBy).toBe((await loadActor(t.database.db, seller.user.id))!.displayName);

    // Finance reads every opportunity but works on none: 404 as for an unknown one, nothing changes.
    const finance = await signedIn(t, { roleCode: 'finance' });
    const seen = await finance.client.get(`/api/v1/opportunities/${opp.id}/guide`);
    expect(seen.status).toBe(200);
    expect(seen.body.writable).toBe(false);
    const refused = await finance.client.post(`/api/v1/opportunities/${opp.id}/guide/checklist`, {
      itemId: pb.body.checklist[1].id,
      done: true,
    });
    expect(refused.status).toBe(404);
    // A salesperson of another department does not see it at all.
    const stranger = await signedIn(t);
    expect((await stranger.client.get(`/api/v1/opportunities/${opp.id}/guide`)).status).toBe(404);
    expect(
      (await stranger.client.post(`/api/v1/opportunities/${opp.id}/guide/checklist`, { itemId, done: false })).status,
    ).toBe(404);
    // An item that is not on the checklist.
    expect(
      (await seller.client.post(`/api/v1/opportunities/${opp.id}/guide/checklist`, { itemId: 'nope', done: true }))
        .status,
    ).toBe(404);
    const again = await seller.client.get(`/api/v1/opportunities/${opp.id}/guide`);
    expect(again.body.checklist.filter((c: { done: boolean }) => c.done)).toHaveLength(1);
    // Unticking.
    await seller.client.post(`/api/v1/opportunities/${opp.id}/guide/checklist`, { itemId, done: false });
    const cleared = await seller.client.get(`/api/v1/opportunities/${opp.id}/guide`);
    expect(cleared.body.checklist.every((c: { done: boolean }) => !c.done)).toBe(true);
  });

  it('templates and articles the reader cannot see are "not available", untitled', async () => {
    const { manager, seller } = await team();
    const line = await buildBusinessLine(t.database.db);
    const stages = await stagesOf(manager.client, line.id);
    const [open, secret, template] = await t.database.db
      .insert(knowledgeArticles)
      .values([
        { kind: 'experience', title: '年报审计承接要点', ownerId: manager.user.id, visibility: 'firm' },
        {
          kind: 'experience',
          title: '某客户内部定价底线',
          ownerId: manager.user.id,
          visibility: 'department',
          departmentId: manager.user.departmentId!,
        },
        { kind: 'template', templateUse: 'proposal', title: '审计服务方案模板', ownerId: manager.user.id },
      ])
      .returning({ id: knowledgeArticles.id });
    const pb = await manager.client.post('/api/v1/playbooks', {
      kind: 'opportunity',
      businessLineId: line.id,
      stageId: stages['初步接洽'].id,
      templateIds: [template.id],
      articleIds: [open.id, secret.id],
    });
    expect(pb.status, JSON.stringify(pb.body)).toBe(201);
    // An article is not a template.
    const wrong = await manager.client.patch(`/api/v1/playbooks/${pb.body.id}`, { templateIds: [open.id] });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('INACTIVE_REFERENCE');

    // Someone of another department on the opportunity's team sees the opportunity, not the department's article.
    const outsider = await signedIn(t);
    const opp = await opportunityOf(seller, line.id);
    const members = await seller.client.put(`/api/v1/opportunities/${opp.id}/members`, {
      members: [{ userId: outsider.user.id, role: '项目经理' }],
    });
    expect(members.status, JSON.stringify(members.body)).toBe(200);
    const guide = await outsider.client.get(`/api/v1/opportunities/${opp.id}/guide`);
    expect(guide.status).toBe(200);
    expect(guide.body.templates).toEqual([
      { id: template.id, available: true, title: '审计服务方案模板', kind: 'template' },
    ]);
    expect(guide.body.articles).toEqual([
      { id: open.id, available: true, title: '年报审计承接要点', kind: 'experience' },
      { id: secret.id, available: false, title: null, kind: null },
    ]);
    expect(JSON.stringify(guide.body)).not.toContain('定价底线');
    // The manager's department sees it.
    const own = await seller.client.get(`/api/v1/opportunities/${opp.id}/guide`);
    expect(own.body.articles[1]).toMatchObject({ available: true, title: '某客户内部定价底线' });
  });
});

describe('lead playbooks', () => {
  it('a lead status change schedules the status playbook (its line’s before every line’s), once per entry', async () => {
    const { manager, seller } = await team();
    const line = await buildBusinessLine(t.database.db);
    const everyLine = await manager.client.post('/api/v1/playbooks', {
      kind: 'lead',
      businessLineId: null,
      leadStatus: 'contacting',
      activities: [{ subject: '首次电话沟通', category: 'call', dueOffsetDays: 1, assignee: 'owner' }],
      checklist: [{ text: '确认联系人职务' }],
    });
    // Another test may have written the every-line playbook already: use that one.
    let generic = everyLine.body;
    if (everyLine.status === 409) {
      const list = await manager.client.get('/api/v1/playbooks', { kind: 'lead' });
      generic = list.body.items.find(
        (p: { businessLineId: string | null; leadStatus: string }) =>
          p.businessLineId === null && p.leadStatus === 'contacting',
      );
    } else expect(everyLine.status, JSON.stringify(everyLine.body)).toBe(201);
    const specific = await manager.client.post('/api/v1/playbooks', {
      kind: 'lead',
      businessLineId: line.id,
      leadStatus: 'qualified',
      activities: [{ subject: '约见财务负责人', category: 'visit', dueOffsetDays: 3, assignee: 'owner-manager' }],
    });
    expect(specific.status).toBe(201);

    const lead = await seller.client.post('/api/v1/leads', {
      companyName: uniq('西安秦川机械有限公司'),
      businessLineId: line.id,
      ownerId: seller.user.id,
    });
    expect(lead.status, JSON.stringify(lead.body)).toBe(201);
    const status = (s: string) => seller.client.post(`/api/v1/leads/${lead.body.id}/status`, { status: s });
    expect((await status('contacting')).status).toBe(200);
    const scheduled = await plannedOn({ leadId: lead.body.id });
    expect(scheduled.map((a) => a.subject)).toEqual(generic.activities.map((a: { subject: string }) => a.subject));
    expect(scheduled[0]).toMatchObject({ ownerId: seller.user.id, dueAt: dueOn(generic.activities[0].dueOffsetDays) });

    // The same entry again: nothing more.
    const [entry] = await t.database.db
      .select({ id: leadStatusChanges.id })
      .from(leadStatusChanges)
      .where(and(eq(leadStatusChanges.leadId, lead.body.id), eq(leadStatusChanges.toStatus, 'contacting')));
    const actor = (await loadActor(t.database.db, seller.user.id))!;
    await onLeadStatus(
      { db: t.database.db, actor, requestId: 'test', jobs: t.app.jobs },
      { leadId: lead.body.id, status: 'contacting', entryId: entry.id },
    );
    expect(await plannedOn({ leadId: lead.body.id })).toHaveLength(scheduled.length);

    expect((await status('qualified')).status).toBe(200);
    const qualified = (await plannedOn({ leadId: lead.body.id })).find((a) => a.subject === '约见财务负责人');
    expect(qualified).toMatchObject({ ownerId: manager.user.id, dueAt: dueOn(3) });

    const guide = await seller.client.get(`/api/v1/leads/${lead.body.id}/guide`);
    expect(guide.status).toBe(200);
    expect(guide.body).toMatchObject({ playbookId: specific.body.id, leadStatus: 'qualified' });
    expect(guide.body.activities.map((a: { subject: string }) => a.subject)).toEqual(['约见财务负责人']);
    await expect((await signedIn(t)).client.get(`/api/v1/leads/${lead.body.id}/guide`)).resolves.toMatchObject({
      status: 404,
    });
  });
});

describe('writing playbooks', () => {
  it('managers and administrators write; salespeople read', async () => {
    const { manager, seller } = await team();
    const line = await buildBusinessLine(t.database.db);
    const stages = await stagesOf(manager.client, line.id);
    const body = { kind: 'opportunity', businessLineId: line.id, stageId: stages['商务报价'].id, checklist };
    const refused = await seller.client.post('/api/v1/playbooks', body);
    expect(refused.status).toBe(403);
    const admin = await signedIn(t, { roleCode: 'admin' });
    const created = await admin.client.post('/api/v1/playbooks', body);
    expect(created.status).toBe(201);
    const id = created.body.id;
    const list = await seller.client.get('/api/v1/playbooks', { businessLineId: line.id });
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { id: string }) => p.id)).toEqual([id]);
    expect((await seller.client.get(`/api/v1/playbooks/${id}`)).status).toBe(200);
    expect((await seller.client.patch(`/api/v1/playbooks/${id}`, { active: false })).status).toBe(403);
    expect((await seller.client.delete(`/api/v1/playbooks/${id}`)).status).toBe(403);

    // Editing keeps the items' ids (ticks refer to them) and records who changed it.
    const items = created.body.checklist;
    const edited = await manager.client.patch(`/api/v1/playbooks/${id}`, {
      checklist: [...items, { text: '确认付款方式' }],
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.checklist.slice(0, 3)).toEqual(items);
    expect(edited.body.checklist[3]).toMatchObject({ text: '确认付款方式' });
    expect(edited.body.updatedBy).toBe(manager.user.id);
    const audit = await admin.client.get('/api/v1/audit-logs', { entityType: 'playbook', entityId: id });
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual(['create', 'update']);

    expect((await manager.client.delete(`/api/v1/playbooks/${id}`)).status).toBe(200);
    expect((await manager.client.get(`/api/v1/playbooks/${id}`)).status).toBe(404);
  });

  it('bad input is refused with its code and changes nothing', async () => {
    const { manager } = await team();
    const line = await buildBusinessLine(t.database.db);
    const otherLine = await buildBusinessLine(t.database.db);
    const stages = await stagesOf(manager.client, line.id);
    // A line with a pipeline of its own: its stages are not the default pipeline's.
    const admin = await signedIn(t, { roleCode: 'admin' });
    const own = await admin.client.put('/api/v1/pipelines', {
      businessLineId: otherLine.id,
      stages: [
        { nameZh: '方案讨论', nameEn: 'Discussion', kind: 'open', probability: 30 },
        { nameZh: '赢单', nameEn: 'Won', kind: 'won', probability: 100 },
        { nameZh: '输单', nameEn: 'Lost', kind: 'lost', probability: 0 },
      ],
    });
    const base = { kind: 'opportunity', businessLineId: line.id, stageId: stages['商务谈判'].id };
    const step = { subject: '电话回访', category: 'call', dueOffsetDays: 1, assignee: 'owner' };
    const post = (body: object) => manager.client.post('/api/v1/playbooks', body);

    const unknownStage = await post({ ...base, stageId: '00000000-0000-4000-8000-000000000001' });
    expect([unknownStage.status, unknownStage.body.error.code]).toEqual([400, 'INACTIVE_REFERENCE']);
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    {
      const foreign = own.body.stages.find((s: Stage) => s.nameZh === '方案讨论');
      const wrongLine = await post({ ...base, stageId: foreign.id });
      expect([wrongLine.status, wrongLine.body.error.code]).toEqual([400, 'STAGE_NOT_IN_PIPELINE']);
    }
    for (const offset of [366, -366, 1.5]) {
      const res = await post({ ...base, activities: [{ ...step, dueOffsetDays: offset }] });
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    const empty = await post({ ...base, activities: [{ ...step, subject: '  ' }] });
    expect([empty.status, empty.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(JSON.stringify(empty.body)).toContain('activities');
    const noStage = await post({ kind: 'opportunity', businessLineId: line.id });
    expect([noStage.status, noStage.body.error.code]).toEqual([400, 'PLAYBOOK_TARGET_INVALID']);
    const leadWithStage = await post({ kind: 'lead', leadStatus: 'new', stageId: stages['商务谈判'].id });
    expect([leadWithStage.status, leadWithStage.body.error.code]).toEqual([400, 'PLAYBOOK_TARGET_INVALID']);
    const badCategory = await post({ ...base, activities: [{ ...step, category: 'teleport' }] });
    expect([badCategory.status, badCategory.body.error.code]).toEqual([400, 'INACTIVE_REFERENCE']);
    const badUser = await post({
      ...base,
      activities: [{ ...step, assignee: '00000000-0000-4000-8000-000000000002' }],
    });
    expect([badUser.status, badUser.body.error.code]).toEqual([400, 'INACTIVE_REFERENCE']);
    const dupItems = await post({
      ...base,
      checklist: [
        { id: 'a', text: '一' },
        { id: 'a', text: '二' },
      ],
    });
    expect([dupItems.status, dupItems.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await manager.client.get('/api/v1/playbooks', { businessLineId: line.id })).body.items).toEqual([]);

    expect((await post({ ...base, activities: [step] })).status).toBe(201);
    const duplicate = await post(base);
    expect([duplicate.status, duplicate.body.error.code]).toEqual([409, 'PLAYBOOK_EXISTS']);
    expect(duplicate.body.error.message).toContain('销售指引');
    expect((await manager.client.get('/api/v1/playbooks', { businessLineId: line.id })).body.items).toHaveLength(1);
  });
});
