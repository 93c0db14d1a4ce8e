import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildDepartment, buildOpportunity, signedIn } from '../../test/factories';
import { Client, createTestApp, secondInstanceDatabase, type TestApp } from '../../test/harness';
import { workflowAssignments, workflowInstances, workflowTransitions } from './workflows.tables';

/**
 * Decisions taken at the same moment, over two app instances on one database: on PostgreSQL each instance
 * has its own pool, so the requests really run in parallel and meet at the instance's row lock.
 */

let t: TestApp;
let t2: TestApp;
let closeSecond: () => Promise<void>;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  const second = await secondInstanceDatabase(t.database);
  closeSecond = second.close;
  t2 = await createTestApp({ database: second.database });
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(async () => {
  await t2.close();
  await closeSecond();
  await t.close();
});

/** The same signed-in person, sending through the second app instance. */
const onSecond = (client: Client) => new Client(t2.app, client.cookie, client.csrfToken, client.me);

/** A seller with a manager, and a quote flow of steps for a business line of its own; the quote submitted. */
async function submitted(steps: (people: { managerId: string; fallbackId: string }) => Record<string, unknown>[]) {
  const department = await buildDepartment(t.database.db);
  const seller = await signedIn(t, { departmentId: department.id });
  const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
  const fallback = await signedIn(t, { roleCode: 'executive', departmentId: null });
  const line = await buildBusinessLine(t.database.db);
  const flow = await admin.post('/api/v1/workflows', {
    subjectKind: 'quote',
    nameZh: '并发审批',
    nameEn: 'Concurrent approvals',
    conditions: [{ field: 'businessLineId', op: 'eq', value: line.id }],
    steps: steps({ managerId: manager.user.id, fallbackId: fallback.user.id }),
    fallbackUserId: fallback.user.id,
  });
  expect(flow.status, JSON.stringify(flow.body)).toBe(201);
  const opportunity = await buildOpportunity(t, { ownerId: seller.user.id, businessLineId: line.id });
  const quotes = `/api/v1/opportunities/${opportunity.id}/quotes`;
  const quote = await seller.client.post(quotes, {
    items: [{ description: '年报审计', quantity: '1', unitPrice: '7000', listUnitPrice: '10000' }],
  });
  expect(quote.status, JSON.stringify(quote.body)).toBe(201);
  const submit = await seller.client.post(`${quotes}/${quote.body.id}/submit`);
  expect(submit.status, JSON.stringify(submit.body)).toBe(200);
  return { manager, instanceId: submit.body.approval.instanceId as string };
}

async function transitions(instanceId: string, action: 'approve' | 'step', step: number) {
  return t.database.db
    .select()
    .from(workflowTransitions)
    .where(
      and(
        eq(workflowTransitions.instanceId, instanceId),
        eq(workflowTransitions.action, action),
        eq(workflowTransitions.step, step),
      ),
    );
}

const managerStep = (managerId: string) => ({
  nameZh: '部门经理',
  nameEn: 'Manager',
  assignee: { kind: 'user', userId: managerId },
});

describe('decisions at the same moment', () => {
  it('20 assignees of an "any" step approve at once on two app instances: one transition, one 200 and 19 × 409, the next step started once', async () => {
    const approvers = await buildDepartment(t.database.db);
    const people = [];
    for (let i = 0; i < 20; i++) people.push(await signedIn(t, { departmentId: approvers.id }));
    const { manager, instanceId } = await submitted(({ managerId }) => [
      {
        nameZh: '任一审核',
        nameEn: 'Any reviewer',
        mode: 'any',
        assignee: { kind: 'department', departmentId: approvers.id },
      },
      managerStep(managerId),
    ]);
    const answers = await Promise.all(
      people.map(({ client }, i) =>
        (i % 2 ? onSecond(client) : client).post(`/api/v1/workflow-instances/${instanceId}/decide`, {
          action: 'approve',
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(19).fill(409)]);
    expect(new Set(answers.filter((a) => a.status === 409).map((a) => a.body.error.code))).toEqual(
      new Set(['WORKFLOW_ALREADY_DECIDED']),
    );
    expect(await transitions(instanceId, 'approve', 1)).toHaveLength(1);
    expect(await transitions(instanceId, 'step', 2)).toHaveLength(1);
    const decided = await t.database.db
      .select()
      .from(workflowAssignments)
      .where(and(eq(workflowAssignments.instanceId, instanceId), eq(workflowAssignments.step, 1)));
    expect(decided).toHaveLength(20);
    expect(decided.filter((a) => a.decision)).toHaveLength(1);
    const [instance] = await t.database.db.select().from(workflowInstances).where(eq(workflowInstances.id, instanceId));
    expect(instance).toMatchObject({ status: 'running', currentStep: 2, round: 2 });
    expect((await manager.client.get('/api/v1/approvals/count')).body.waiting).toBe(1);
  });

  it('one person clicking approve 5 times at once: one 200 — also when they hold the next step, as the clicks name the round they saw', async () => {
    // Only this step is theirs.
    const alone = await submitted(({ managerId, fallbackId }) => [
      managerStep(managerId),
      { nameZh: '合伙人', nameEn: 'Partner', assignee: { kind: 'user', userId: fallbackId } },
    ]);
    const clicks = (client: Client, instanceId: string, body: Record<string, unknown>) =>
      Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          (i % 2 ? onSecond(client) : client).post(`/api/v1/workflow-instances/${instanceId}/decide`, body),
        ),
      );
    const once = await clicks(alone.manager.client, alone.instanceId, { action: 'approve' });
    expect(once.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409]);
    expect(await transitions(alone.instanceId, 'approve', 1)).toHaveLength(1);
    expect(await transitions(alone.instanceId, 'step', 2)).toHaveLength(1);

    // The manager holds step 1 and step 2 (the owner's manager): the clicks are for round 1, as the inbox showed
    // it, so none of them lands on step 2.
    const both = await submitted(({ managerId }) => [
      managerStep(managerId),
      { nameZh: '上级审批', nameEn: 'Owner’s manager', assignee: { kind: 'role-in-department', roleCode: 'manager' } },
    ]);
    const seen = await both.manager.client.get(`/api/v1/workflow-instances/${both.instanceId}`);
    expect(seen.body).toMatchObject({ currentStep: 1, round: 1, mayDecide: true });
    const twice = await clicks(both.manager.client, both.instanceId, { action: 'approve', round: seen.body.round });
    expect(twice.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409]);
    expect(await transitions(both.instanceId, 'approve', 1)).toHaveLength(1);
    expect(await transitions(both.instanceId, 'approve', 2)).toHaveLength(0);
    const after = await both.manager.client.get(`/api/v1/workflow-instances/${both.instanceId}`);
    expect(after.body).toMatchObject({ status: 'running', currentStep: 2, round: 2, mayDecide: true });
  });
});
