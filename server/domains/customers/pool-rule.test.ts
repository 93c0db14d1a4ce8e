import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { customers } from './customers.tables';
import { returnInactiveCustomersToPool } from './pool-rule.service';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(async () => {
  await admin.patch('/api/v1/customer-settings', { poolReturnDays: null });
  await t.close();
});

describe('the inactive-customer rule (back to the pool)', () => {
  it('returns customers nobody contacted for N days to the pool, with history, and leaves recent ones', async () => {
    const { client, user } = await signedIn(t);
    const quiet = (await client.post('/api/v1/customers', { name: uniq('久未联系') })).body;
    const active = (await client.post('/api/v1/customers', { name: uniq('常联系') })).body;
    // Real time and the longest rule (ten years): on PostgreSQL other test files share the
    // database, and their customers' dates are all recent, so only these two are in play.
    const now = new Date();
    const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);
    // Both were created twenty years ago; one was contacted last week.
    await t.database.db
      .update(customers)
      .set({ createdAt: daysAgo(7300) })
      .where(eq(customers.id, quiet.id));
    await t.database.db
      .update(customers)
      .set({ createdAt: daysAgo(7300), lastContactAt: daysAgo(7) })
      .where(eq(customers.id, active.id));

    expect(await returnInactiveCustomersToPool(t.database.db, now)).toBe(0); // no rule set: nothing happens
    const { client: sales } = await signedIn(t);
    expect((await sales.patch('/api/v1/customer-settings', { poolReturnDays: 3650 })).status).toBe(403);
    expect((await admin.patch('/api/v1/customer-settings', { poolReturnDays: 3 })).status).toBe(400);
    expect((await admin.patch('/api/v1/customer-settings', { poolReturnDays: 3650 })).body).toMatchObject({
      poolReturnDays: 3650,
    });
    // The change is in the audit log, which still lists (its ids are validated on the way out).
    const changes = await admin.get('/api/v1/audit-logs', { entityType: 'customer-settings' });
    expect(changes.status).toBe(200);
    expect(changes.body.items[0].after).toMatchObject({ poolReturnDays: 3650 });

    expect(await returnInactiveCustomersToPool(t.database.db, now)).toBe(1);
    expect((await client.get(`/api/v1/customers/${quiet.id}`)).body.ownerId).toBeNull();
    expect((await client.get(`/api/v1/customers/${active.id}`)).body.ownerId).toBe(user.id);
    const history = (await client.get(`/api/v1/customers/${quiet.id}/owner-history`)).body;
    expect(history[0]).toMatchObject({
      kind: 'auto-release',
      fromUserId: user.id,
      toUserId: null,
      reason: '3650 天未联系',
    });
    const audit = await admin.get('/api/v1/audit-logs', { entityId: quiet.id, action: 'auto-release' });
    expect(audit.body.items[0]).toMatchObject({ actorId: null, before: { ownerId: user.id } });
    // Running again finds nothing more to do for these two.
    await returnInactiveCustomersToPool(t.database.db, now);
    expect((await client.get(`/api/v1/customers/${active.id}`)).body.ownerId).toBe(user.id);
  });
});
