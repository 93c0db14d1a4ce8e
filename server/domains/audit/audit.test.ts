import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin', displayName: '审计管理员' })).client;
});
afterAll(() => t.close());

describe('audit log', () => {
  it('records who changed what, when, with before and after, in order', async () => {
    const start = new Date(Date.now() - 1000).toISOString();
    const created = await admin.post('/api/v1/branches', { name: uniq('深圳') });
    await admin.patch(`/api/v1/branches/${created.body.id}`, { name: uniq('广州') });
    const res = await admin.get('/api/v1/audit-logs', { entityType: 'branch', entityId: created.body.id, from: start });
    expect(res.status).toBe(200);
    expect(res.body.items.map((e: { action: string }) => e.action)).toEqual(['update', 'create']);
    const [update, create] = res.body.items;
    expect(update).toMatchObject({ actorId: admin.me!.user.id, actorName: '审计管理员', entityType: 'branch' });
    expect(update.before.name).toBe(created.body.name);
    expect(update.after.name).not.toBe(created.body.name);
    expect(create.before).toBeNull();
    expect(update.requestId).toEqual(expect.any(String));
    expect(new Date(update.at).getTime()).toBeGreaterThanOrEqual(new Date(create.at).getTime());
  });

  it('filters by actor, action and time window', async () => {
    const { client: otherAdmin, user } = await signedIn(t, { roleCode: 'admin' });
    await otherAdmin.post('/api/v1/regions', { name: uniq('华北') });
    const byActor = await admin.get('/api/v1/audit-logs', { actorId: user.id });
    expect(byActor.body.total).toBe(1);
    expect(byActor.body.items[0].entityType).toBe('region');
    expect((await admin.get('/api/v1/audit-logs', { actorId: user.id, action: 'delete' })).body.total).toBe(0);
    expect((await admin.get('/api/v1/audit-logs', { actorId: user.id, to: '2000-01-01T00:00:00Z' })).body.total).toBe(
      0,
    );
    expect((await admin.get('/api/v1/audit-logs', { from: 'yesterday' })).status).toBe(400);
    expect((await admin.get('/api/v1/audit-logs', { entityType: 'spaceship' })).status).toBe(400);
  });

  it('is readable by executives, not by managers or salespeople, and has no write routes', async () => {
    expect((await (await signedIn(t, { roleCode: 'executive' })).client.get('/api/v1/audit-logs')).status).toBe(200);
    expect((await (await signedIn(t, { roleCode: 'manager' })).client.get('/api/v1/audit-logs')).status).toBe(403);
    expect((await (await signedIn(t, { roleCode: 'salesperson' })).client.get('/api/v1/audit-logs')).status).toBe(403);
    const entry = (await admin.get('/api/v1/audit-logs', { pageSize: 1 })).body.items[0];
    expect((await admin.delete(`/api/v1/audit-logs/${entry.id}`)).status).toBe(404);
    expect((await admin.patch(`/api/v1/audit-logs/${entry.id}`, { action: 'create' })).status).toBe(404);
  });
});
