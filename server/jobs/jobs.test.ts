import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications } from '../domains/notifications/notifications.tables';
import { reminders } from '../domains/reminders/reminders.tables';
import type { Db } from '../db/client';
import { signedIn } from '../test/factories';
import { createTestApp, secondInstanceDatabase, sleep, uniq, until, type Client, type TestApp } from '../test/harness';

let a: TestApp;
beforeAll(async () => {
  a = await createTestApp();
});
afterAll(() => a.close());

async function customerOf(client: Client) {
  const res = await client.post('/api/v1/customers', { name: uniq('提醒测试客户') });
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

describe('durable reminders', () => {
  it('two instances deliver 1,000 reminders due within seconds, each exactly once — even when its job runs twice', async () => {
    const { client, user } = await signedIn(t());
    const customer = await customerOf(client);
    const second = await secondInstanceDatabase(a.database);
    const one = await createTestApp({ database: a.database, workers: ['reminder.fire'] });
    const two = await createTestApp({ database: second.database, workers: ['reminder.fire'] });
    try {
      // Made through the API for an hour from now (so no request can ask for a time already past, however
      // loaded the machine), then brought forward to a few seconds from now, as a moved reminder is: each
      // gets a job for its new time and a second one, as a redelivery after a crash would give. The jobs the
      // API scheduled for the old time find nothing to fire.
      const ids: string[] = [];
      const later = new Date(Date.now() + 3_600_000).toISOString();
      for (let group = 0; group < 40; group++) {
        const made = await Promise.all(
          Array.from({ length: 25 }, (_, i) =>
            client.post('/api/v1/reminders', { customerId: customer.id, remindAt: later, note: `r-${group * 25 + i}` }),
          ),
        );
        for (const res of made) {
          expect(res.status, JSON.stringify(res.body)).toBe(201);
          ids.push(res.body.id);
        }
      }
      const db = a.database.db;
      const soon = Date.now() + 3_000;
      await db.transaction(async (tx) => {
        for (const [i, id] of ids.entries()) {
          const due = new Date(soon + (i % 20) * 200); // spread over four seconds
          await tx.update(reminders).set({ remindAt: due }).where(eq(reminders.id, id));
          for (let copy = 0; copy < 2; copy++)
            await a.app.jobs.send(
              tx as unknown as Db,
              'reminder.fire',
              { reminderId: id, remindAt: due.toISOString() },
              { startAfter: due },
            );
        }
      });
      await until(
        async () => {
          const [{ fired }] = await db
            .select({ fired: sql<number>`count(*)::int` })
            .from(reminders)
            .where(and(inArray(reminders.id, ids), isNotNull(reminders.firedAt)));
          return fired === ids.length;
        },
        90_000,
        'all reminders to fire',
      );
      await sleep(1_500); // let the duplicate jobs run too
      const delivered = await db
        .select({ note: sql<string>`${notifications.params}->>'note'`, n: sql<number>`count(*)::int` })
        .from(notifications)
        .where(and(eq(notifications.userId, user.id), eq(notifications.kind, 'custom-reminder')))
        .groupBy(sql`${notifications.params}->>'note'`);
      expect(delivered.length).toBe(1_000);
      expect(delivered.every((d) => d.n === 1)).toBe(true);
      // Nothing fired early.
      const [{ early }] = await db
        .select({ early: sql<number>`count(*)::int` })
        .from(reminders)
        .where(and(inArray(reminders.id, ids), sql`${reminders.firedAt} < ${reminders.remindAt}`));
      expect(early).toBe(0);
    } finally {
      await one.close();
      await two.close();
      await second.close();
    }
  }, 180_000);

  it('still fires after a restart that happened before it was due', async () => {
    const { client, user } = await signedIn(t());
    const customer = await customerOf(client);
    // Scheduled while no instance works the queue; that instance is gone before the time comes.
    const res = await client.post('/api/v1/reminders', {
      customerId: customer.id,
      remindAt: new Date(Date.now() + 2_000).toISOString(),
      note: 'after restart',
    });
    expect(res.status).toBe(201);
    await sleep(2_500);
    const [before] = await a.database.db.select().from(reminders).where(eq(reminders.id, res.body.id));
    expect(before.firedAt).toBeNull();
    const restarted = await createTestApp({ database: a.database, workers: ['reminder.fire'] });
    try {
      await until(
        async () =>
          (
            await a.database.db
              .select()
              .from(notifications)
              .where(and(eq(notifications.userId, user.id), eq(notifications.kind, 'custom-reminder')))
          ).length === 1,
        30_000,
        'the reminder after the restart',
      );
      const mine = await client.get('/api/v1/notifications');
      expect(mine.body.unread).toBe(1);
      expect(mine.body.items[0].message).toBe(
        `提醒：${(await client.get(`/api/v1/customers/${customer.id}`)).body.name}`,
      );
    } finally {
      await restarted.close();
    }
  }, 60_000);
});

/** The file's app (a function, so tests read it after beforeAll ran). */
const t = () => a;
