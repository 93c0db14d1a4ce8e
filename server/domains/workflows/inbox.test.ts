import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildDepartment, buildOpportunity, signedIn } from '../../test/factories';
import { createTestApp, type Client, type TestApp } from '../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type Page = { items: { id: string; status: string }[]; total: number };
const ids = (page: Page) => page.items.map((i) => i.id);

describe('the approvals inbox', () => {
  it('pages and filters every box: waiting oldest first, mine newest first, decided; the badge counts what waits', async () => {
    const department = await buildDepartment(t.database.db);
    const seller = await signedIn(t, { departmentId: department.id });
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
    const fallback = await signedIn(t, { roleCode: 'executive', departmentId: null });
    const admin = (await signedIn(t, { roleCode: 'admin' })).client;
    const line = await buildBusinessLine(t.database.db);
    const flow = await admin.post('/api/v1/workflows', {
      subjectKind: 'quote',
      nameZh: '收件箱',
      nameEn: 'Inbox',
      conditions: [{ field: 'businessLineId', op: 'eq', value: line.id }],
      steps: [{ nameZh: '部门经理', nameEn: 'Manager', assignee: { kind: 'role-in-department', roleCode: 'manager' } }],
      fallbackUserId: fallback.user.id,
    });
    expect(flow.status, JSON.stringify(flow.body)).toBe(201);
    const opportunity = await buildOpportunity(t, { ownerId: seller.user.id, businessLineId: line.id });
    const submitted: string[] = [];
    for (let i = 0; i < 3; i++) {
      const quotes = `/api/v1/opportunities/${opportunity.id}/quotes`;
      const quote = await seller.client.post(quotes, {
        items: [{ description: '年报审计', quantity: '1', unitPrice: '8000', listUnitPrice: '10000' }],
      });
      const submit = await seller.client.post(`${quotes}/${quote.body.id}/submit`);
      expect(submit.status, JSON.stringify(submit.body)).toBe(200);
      submitted.push(submit.body.approval.instanceId);
    }
    const inbox = async (client: Client, query: Record<string, string | number>) => {
      const res = await client.get('/api/v1/approvals', query);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as Page;
    };

    const first = await inbox(manager.client, { box: 'waiting', pageSize: 2 });
    expect(first).toMatchObject({ total: 3 });
    expect(ids(first)).toEqual(submitted.slice(0, 2));
    expect(await inbox(manager.client, { box: 'waiting', pageSize: 2, page: 2 })).toMatchObject({
      total: 3,
      items: [{ id: submitted[2] }],
    });
    expect(ids(await inbox(seller.client, { box: 'mine' }))).toEqual([...submitted].reverse());

    expect(
      (await manager.client.post(`/api/v1/workflow-instances/${submitted[1]}/decide`, { action: 'reject' })).status,
    ).toBe(200);
    expect((await manager.client.get('/api/v1/approvals/count')).body).toEqual({ waiting: 2 });
    expect(await inbox(manager.client, { box: 'waiting', subjectKind: 'quote', pageSize: 1 })).toMatchObject({
      total: 2,
      items: [{ id: submitted[0] }],
    });
    expect(await inbox(manager.client, { box: 'waiting', subjectKind: 'independence-override' })).toEqual(
      expect.objectContaining({ items: [], total: 0 }),
    );
    expect(await inbox(seller.client, { box: 'mine', status: 'rejected' })).toMatchObject({
      total: 1,
      items: [{ id: submitted[1], status: 'rejected' }],
    });
    expect(ids(await inbox(seller.client, { box: 'mine', status: 'running', pageSize: 1, page: 2 }))).toEqual([
      submitted[0],
    ]);
    expect(await inbox(manager.client, { box: 'decided' })).toMatchObject({ total: 1, items: [{ id: submitted[1] }] });
    expect(await inbox(manager.client, { box: 'decided', status: 'running' })).toMatchObject({ total: 0, items: [] });
    // Nothing waits for the seller, and the manager submitted nothing.
    expect(await inbox(seller.client, { box: 'waiting' })).toMatchObject({ total: 0, items: [] });
    expect(await inbox(manager.client, { box: 'mine' })).toMatchObject({ total: 0, items: [] });
  });
});
