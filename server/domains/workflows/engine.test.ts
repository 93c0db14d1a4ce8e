import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBusinessLine,
  buildDepartment,
  buildOpportunity,
  buildUser,
  setDepartmentManager,
  signedIn,
} from '../../test/factories';
import { createTestApp, multipart, type Client, type TestApp } from '../../test/harness';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { notifications } from '../notifications/notifications.tables';
import { remindOverdue } from './engine.service';
import { workflowTransitions } from './workflows.tables';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

type Step = Record<string, unknown>;

/**
 * A team of its own (a department with a salesperson and a manager, a business line) and a quote flow for
 * that line alone — so that flows made by other tests never apply to this test's quotes.
 */
async function team(steps: (people: { managerId: string }) => Step[], flow: Record<string, unknown> = {}) {
  const department = await buildDepartment(t.database.db);
  const seller = await signedIn(t, { departmentId: department.id });
  const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
  const fallback = await signedIn(t, { roleCode: 'executive', departmentId: null });
  const line = await buildBusinessLine(t.database.db);
  const created = await admin.post('/api/v1/workflows', {
    subjectKind: 'quote',
    nameZh: '报价折扣审批',
    nameEn: 'Quote discount',
    conditions: [
      { field: 'discountPercent', op: 'gt', value: '10' },
      { field: 'businessLineId', op: 'eq', value: line.id },
    ],
    steps: steps({ managerId: manager.user.id }),
    fallbackUserId: fallback.user.id,
    ...flow,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const opportunity = await buildOpportunity(t, { ownerId: seller.user.id, businessLineId: line.id });
  return { department, seller, manager, fallback, line, opportunity, flow: created.body };
}

const managerStep = {
  nameZh: '部门经理',
  nameEn: 'Manager',
  assignee: { kind: 'role-in-department', roleCode: 'manager' },
};

async function quote(seller: Client, opportunityId: string, unitPrice: string, listUnitPrice = '10000') {
  const res = await seller.post(`/api/v1/opportunities/${opportunityId}/quotes`, {
    items: [{ description: '年报审计', quantity: '1', unitPrice, listUnitPrice }],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; discountPercent: string; approval: { required: boolean; status: string | null } };
}

const quoteUrl = (opportunityId: string, quoteId: string) => `/api/v1/opportunities/${opportunityId}/quotes/${quoteId}`;

async function submit(client: Client, opportunityId: string, quoteId: string) {
  const res = await client.post(`${quoteUrl(opportunityId, quoteId)}/submit`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.approval.instanceId as string;
}

const decide = (client: Client, id: string, body: Record<string, unknown>) =>
  client.post(`/api/v1/workflow-instances/${id}/decide`, body);

describe('the head of the business line', () => {
  it('decides a step naming them once administrators set the head; without one the fallback does, saying why', async () => {
    const head = await signedIn(t, { roleCode: 'manager' });
    const headStep = {
      nameZh: '业务负责人',
      nameEn: 'Head of the line',
      assignee: { kind: 'relation', relation: 'business-line-head' },
    };
    const { seller, fallback, line, opportunity } = await team(() => [headStep]);
    const before = await submit(seller.client, opportunity.id, (await quote(seller.client, opportunity.id, '8000')).id);
    const nobody = await seller.client.get(`/api/v1/workflow-instances/${before}`);
    expect(nobody.body.steps[0]).toMatchObject({ note: 'nobody' });
    expect(nobody.body.steps[0].assignees.map((a: { userId: string }) => a.userId)).toEqual([fallback.user.id]);

    const set = await admin.patch(`/api/v1/business-lines/${line.id}`, { headUserId: head.user.id });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.headUserId).toBe(head.user.id);
    const inactive = await buildUser(t.database.db, { active: false });
    const refused = await admin.patch(`/api/v1/business-lines/${line.id}`, { headUserId: inactive.id });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('INACTIVE_REFERENCE');

    const id = await submit(seller.client, opportunity.id, (await quote(seller.client, opportunity.id, '7000')).id);
    const instance = await seller.client.get(`/api/v1/workflow-instances/${id}`);
    expect(instance.body.steps[0].assignees.map((a: { userId: string }) => a.userId)).toEqual([head.user.id]);
    expect((await head.client.get('/api/v1/approvals/count')).body.waiting).toBe(1);
  });
});

describe('a quote over the discount limit', () => {
  it('is sent only after approval: returned once with a comment, resubmitted, approved at both steps, with its whole history', async () => {
    const { seller, manager, fallback, opportunity, department } = await team(() => [
      managerStep,
      {
        nameZh: '上级审批',
        nameEn: 'Owner’s manager',
        assignee: { kind: 'relation', relation: 'owner-manager' },
        returnTo: [1],
      },
    ]);
    await setDepartmentManager(t.database.db, department.id, manager.user.id);
    // 20% below list: 8,000.00 against 10,000.00.
    const q = await quote(seller.client, opportunity.id, '8000');
    expect(q).toMatchObject({ discountPercent: '20.00', approval: { required: true, status: null } });
    const refused = await seller.client.patch(quoteUrl(opportunity.id, q.id), { status: 'sent' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('QUOTE_APPROVAL_REQUIRED');

    const id = await submit(seller.client, opportunity.id, q.id);
    expect((await seller.client.post(`${quoteUrl(opportunity.id, q.id)}/submit`)).body.error.code).toBe(
      'WORKFLOW_RUNNING',
    );
    expect((await manager.client.get('/api/v1/approvals/count')).body.waiting).toBe(1);
    const inbox = await manager.client.get('/api/v1/approvals', { box: 'waiting' });
    expect(inbox.body.items.map((i: { id: string }) => i.id)).toEqual([id]);
    expect(inbox.body.items[0]).toMatchObject({ currentStep: 1, submittedByName: seller.user.displayName });
    // The submitter cannot decide; a colleague who may not see the quote does not learn it exists.
    expect((await decide(seller.client, id, { action: 'approve' })).status).toBe(403);
    const { client: stranger } = await signedIn(t);
    expect((await decide(stranger, id, { action: 'approve' })).status).toBe(404);
    expect((await stranger.get(`/api/v1/workflow-instances/${id}`)).status).toBe(404);

    const returned = await decide(manager.client, id, { action: 'return', returnTo: 0, comment: '请补充折扣理由' });
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect(returned.body).toMatchObject({ status: 'returned', currentStep: null });
    expect((await manager.client.get('/api/v1/approvals/count')).body.waiting).toBe(0);
    const seen = await seller.client.get(`/api/v1/workflow-instances/${id}`);
    expect(seen.body.transitions.find((tr: { action: string }) => tr.action === 'return')).toMatchObject({
      comment: '请补充折扣理由',
      actorName: manager.user.displayName,
    });

    expect(await submit(seller.client, opportunity.id, q.id)).toBe(id);
    expect((await decide(manager.client, id, { action: 'approve', comment: '同意' })).body).toMatchObject({
      status: 'running',
      currentStep: 2,
    });
    // Step 2 is the owner's manager — the manager already decided step 1, but is still the one named here.
    const second = await manager.client.get(`/api/v1/workflow-instances/${id}`);
    expect(second.body.steps[1].assignees.map((a: { userId: string }) => a.userId)).toEqual([manager.user.id]);
    expect(second.body.returnTargets).toEqual([0, 1]);
    const approved = await decide(manager.client, id, { action: 'approve' });
    expect(approved.body).toMatchObject({ status: 'approved', currentStep: null });
    expect(
      approved.body.transitions.map((tr: { action: string; step: number | null }) => `${tr.action}:${tr.step}`),
    ).toEqual(['submit:null', 'step:1', 'return:1', 'submit:null', 'step:1', 'approve:1', 'step:2', 'approve:2']);
    expect((await seller.client.patch(quoteUrl(opportunity.id, q.id), { status: 'sent' })).status).toBe(200);
    const history = await seller.client.get('/api/v1/workflow-instances', { subjectKind: 'quote', subjectId: q.id });
    expect(history.body.latest).toMatchObject({ id, status: 'approved' });
    expect(history.body.latest.transitions).toHaveLength(8);
    expect(history.body.earlier).toEqual([]);
    expect((await stranger.get('/api/v1/workflow-instances', { subjectKind: 'quote', subjectId: q.id })).status).toBe(
      404,
    );
    // The submitter was told of the return and of the approval; the fallback was never involved.
    const told = await t.database.db.select().from(notifications).where(eq(notifications.entityId, id));
    expect(
      told
        .filter((n) => n.userId === seller.user.id)
        .map((n) => n.kind)
        .sort(),
    ).toEqual(['approval-approved', 'approval-returned']);
    expect(told.some((n) => n.userId === fallback.user.id)).toBe(false);
    // History nobody can rewrite, not even with SQL.
    await expect(
      t.database.db
        .update(workflowTransitions)
        .set({ comment: 'changed' })
        .where(eq(workflowTransitions.instanceId, id)),
    ).rejects.toThrow();
  });

  it('needs nothing within the limit: a 10% discount is sent at once', async () => {
    const { seller, opportunity } = await team(() => [managerStep]);
    const q = await quote(seller.client, opportunity.id, '9000');
    expect(q).toMatchObject({ discountPercent: '10.00', approval: { required: false, status: null } });
    expect((await seller.client.patch(quoteUrl(opportunity.id, q.id), { status: 'sent' })).status).toBe(200);
    expect((await seller.client.post(`${quoteUrl(opportunity.id, q.id)}/submit`)).body.error.code).toBe(
      'WORKFLOW_NO_FLOW',
    );
  });

  it('rejected: the flow ends, the quote stays unsendable; withdrawn by its submitter likewise', async () => {
    const { seller, manager, opportunity } = await team(() => [managerStep]);
    const q1 = await quote(seller.client, opportunity.id, '5000');
    const id1 = await submit(seller.client, opportunity.id, q1.id);
    expect((await decide(manager.client, id1, { action: 'reject', comment: '折扣过大' })).body.status).toBe('rejected');
    expect((await decide(manager.client, id1, { action: 'approve' })).body.error.code).toBe('WORKFLOW_NOT_RUNNING');
    expect((await seller.client.patch(quoteUrl(opportunity.id, q1.id), { status: 'sent' })).status).toBe(409);
    // A rejected quote is settled: asking again means a new version.
    const again = await seller.client.post(`${quoteUrl(opportunity.id, q1.id)}/submit`);
    expect(again.body.error).toMatchObject({
      code: 'QUOTE_APPROVAL_SETTLED',
      message: expect.stringContaining('驳回'),
    });
    const q2 = await quote(seller.client, opportunity.id, '5000');
    const id2 = await submit(seller.client, opportunity.id, q2.id);
    expect((await manager.client.post(`/api/v1/workflow-instances/${id2}/withdraw`, {})).status).toBe(403);
    const withdrawn = await seller.client.post(`/api/v1/workflow-instances/${id2}/withdraw`, { comment: '重新报价' });
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn', mayWithdraw: false });
    expect((await manager.client.get('/api/v1/approvals/count')).body.waiting).toBe(0);
    const decided = await manager.client.get('/api/v1/approvals', { box: 'decided' });
    expect(decided.body.items.map((i: { id: string }) => i.id)).toEqual([id1]);
    const mine = await seller.client.get('/api/v1/approvals', { box: 'mine' });
    expect(mine.body.items.map((i: { id: string; status: string }) => [i.id, i.status])).toEqual([
      [id2, 'withdrawn'],
      [id1, 'rejected'],
    ]);
    // Submitted again: the quote's timeline has the new approval in full, the withdrawn one as a summary whose
    // history is read when it is opened.
    const id3 = await submit(seller.client, opportunity.id, q2.id);
    const timeline = await manager.client.get('/api/v1/workflow-instances', { subjectKind: 'quote', subjectId: q2.id });
    expect(timeline.status).toBe(200);
    expect(timeline.body.latest).toMatchObject({ id: id3, status: 'running', mayDecide: true });
    expect(timeline.body.latest.transitions.map((tr: { action: string }) => tr.action)).toEqual(['submit', 'step']);
    expect(timeline.body.earlier).toEqual([expect.objectContaining({ id: id2, status: 'withdrawn' })]);
    expect(timeline.body.earlier[0]).not.toHaveProperty('transitions');
    const earlier = await manager.client.get(`/api/v1/workflow-instances/${id2}`);
    expect(earlier.body.transitions.at(-1)).toMatchObject({ action: 'withdraw', comment: '重新报价' });
    // A subject without approvals has an empty timeline.
    const q3 = await quote(seller.client, opportunity.id, '9900');
    const none = await seller.client.get('/api/v1/workflow-instances', { subjectKind: 'quote', subjectId: q3.id });
    expect(none.body).toEqual({ latest: null, earlier: [] });
  });
});

describe('documents on a decision', () => {
  it('are uploaded to the instance by whoever may act on it, named once by a decision, and shown and served with the history', async () => {
    const { seller, manager, opportunity } = await team(() => [managerStep]);
    const q = await quote(seller.client, opportunity.id, '7000');
    const id = await submit(seller.client, opportunity.id, q.id);
    const upload = (client: Client, filename: string) => {
      const { payload, headers } = multipart([{ filename, content: Buffer.from(`${filename} 内容`) }]);
      return client.request('POST', `/api/v1/workflow-instances/${id}/attachments`, undefined, { payload, headers });
    };
    const { client: stranger } = await signedIn(t);
    expect((await upload(stranger, 'x.pdf')).status).toBe(404);
    const papers = await upload(manager.client, '审批意见.pdf');
    expect(papers.status, JSON.stringify(papers.body)).toBe(201);
    const sellers = await upload(seller.client, '客户说明.pdf');
    expect(sellers.status).toBe(201);
    // Someone else's document cannot be named in my decision.
    const foreign = await decide(manager.client, id, { action: 'approve', attachmentIds: [sellers.body.id] });
    expect(foreign.status).toBe(400);
    const approved = await decide(manager.client, id, { action: 'approve', attachmentIds: [papers.body.id] });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const decision = approved.body.transitions.find((tr: { action: string }) => tr.action === 'approve');
    expect(decision.attachments.map((a: { filename: string }) => a.filename)).toEqual(['审批意见.pdf']);
    const download = await seller.client.get(`/api/v1/workflow-instances/${id}/attachments/${papers.body.id}`);
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect((await stranger.get(`/api/v1/workflow-instances/${id}/attachments/${papers.body.id}`)).status).toBe(404);
  });
});

describe('who decides', () => {
  it('all of a department: every member must approve; any of them: the first approval moves on, a second click is 409', async () => {
    const finance = await buildDepartment(t.database.db);
    const [a, b] = await Promise.all([1, 2].map(() => signedIn(t, { roleCode: 'finance', departmentId: finance.id })));
    const { seller, opportunity } = await team(() => [
      {
        nameZh: '财务全体',
        nameEn: 'All finance',
        mode: 'all',
        assignee: { kind: 'department', departmentId: finance.id },
      },
      {
        nameZh: '财务任一',
        nameEn: 'Any finance',
        mode: 'any',
        assignee: { kind: 'department', departmentId: finance.id },
      },
    ]);
    const q = await quote(seller.client, opportunity.id, '1000');
    const id = await submit(seller.client, opportunity.id, q.id);
    expect((await decide(a.client, id, { action: 'approve' })).body).toMatchObject({
      status: 'running',
      currentStep: 1,
    });
    expect((await decide(a.client, id, { action: 'approve' })).body.error.code).toBe('WORKFLOW_ALREADY_DECIDED');
    // Handing b's decision to a, who already approved, would count a twice: refused, b still holds it.
    const twice = await b.client.post(`/api/v1/workflow-instances/${id}/delegate`, { userId: a.user.id });
    expect(twice.status).toBe(400);
    expect(twice.body.error.details.issues).toEqual([
      { path: 'userId', code: 'custom', message: '这位同事已对本步作出决定，请另选一位' },
    ]);
    expect((await decide(b.client, id, { action: 'approve' })).body).toMatchObject({ currentStep: 2 });
    const [first, second] = await Promise.all([
      decide(a.client, id, { action: 'approve' }),
      decide(b.client, id, { action: 'approve' }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const final = await seller.client.get(`/api/v1/workflow-instances/${id}`);
    expect(final.body.status).toBe('approved');
    expect(
      final.body.transitions.filter((tr: { action: string; step: number }) => tr.action === 'approve' && tr.step === 2),
    ).toHaveLength(1);
  });

  it('nobody named: the fallback decides and the step says why; a standing delegation and a one-off delegation hand it on', async () => {
    const away = await buildUser(t.database.db);
    const stand = await signedIn(t);
    const { seller, fallback, opportunity } = await team(() => [
      // A role nobody holds in the seller's department or above it.
      { nameZh: '财务审核', nameEn: 'Finance', assignee: { kind: 'role-in-department', roleCode: 'finance' } },
      { nameZh: '指定人', nameEn: 'Named', assignee: { kind: 'user', userId: away.id } },
    ]);
    const awayClient = await t.login(away.username);
    // Today on the firm's calendar (delegations are dated there): not the UTC date, a day behind after 16:00 UTC.
    const today = localDate(new Date(), FIRM_TIME_ZONE);
    const delegation = await awayClient.post('/api/v1/delegations', {
      delegateId: stand.user.id,
      startsOn: today,
      endsOn: today,
    });
    expect(delegation.status, JSON.stringify(delegation.body)).toBe(201);
    const q = await quote(seller.client, opportunity.id, '1000');
    const id = await submit(seller.client, opportunity.id, q.id);
    const first = await fallback.client.get(`/api/v1/workflow-instances/${id}`);
    expect(first.body.steps[0]).toMatchObject({
      note: 'nobody',
      assignees: [{ userId: fallback.user.id, reason: 'fallback' }],
    });
    // The fallback hands this one decision to a colleague, who approves it.
    const colleague = await signedIn(t);
    expect(
      (await fallback.client.post(`/api/v1/workflow-instances/${id}/delegate`, { userId: colleague.user.id })).status,
    ).toBe(200);
    expect((await decide(fallback.client, id, { action: 'approve' })).status).toBe(403);
    const moved = await decide(colleague.client, id, { action: 'approve' });
    expect(moved.body.steps[1].assignees).toEqual([
      expect.objectContaining({ userId: stand.user.id, reason: 'standing', forUserId: away.id }),
    ]);
    // The person away never held the step: to them it is a record like any other they may not see.
    expect((await decide(awayClient, id, { action: 'approve' })).status).toBe(404);
    expect((await decide(stand.client, id, { action: 'approve' })).body.status).toBe('approved');
  });

  it('a deactivated assignee’s open step goes to the fallback, and the history says so', async () => {
    const { seller, manager, fallback, opportunity } = await team(() => [managerStep]);
    const q = await quote(seller.client, opportunity.id, '1000');
    const id = await submit(seller.client, opportunity.id, q.id);
    expect((await admin.post(`/api/v1/users/${manager.user.id}/deactivate`)).status).toBeLessThan(300);
    const after = await fallback.client.get(`/api/v1/workflow-instances/${id}`);
    expect(after.body.mayDecide).toBe(true);
    expect(after.body.transitions.at(-1)).toMatchObject({
      action: 'reassign',
      note: 'deactivated',
      forUserName: manager.user.displayName,
    });
  });

  it('a step past its time limit reminds its assignees once, however often the job runs', async () => {
    const { seller, manager, opportunity } = await team(() => [{ ...managerStep, timeLimitHours: 24 }]);
    const q = await quote(seller.client, opportunity.id, '1000');
    const id = await submit(seller.client, opportunity.id, q.id);
    const before = await manager.client.get(`/api/v1/workflow-instances/${id}`);
    expect(Date.parse(before.body.dueAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    const tx = { db: t.database.db, jobs: t.app.jobs };
    const runs = await Promise.all([remindOverdue(tx, id, 1), remindOverdue(tx, id, 1), remindOverdue(tx, id, 2)]);
    expect(runs.filter(Boolean)).toHaveLength(1);
    const told = await t.database.db.select().from(notifications).where(eq(notifications.entityId, id));
    expect(told.filter((n) => n.kind === 'approval-overdue').map((n) => n.userId)).toEqual([manager.user.id]);
  });
});
