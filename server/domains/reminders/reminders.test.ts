import { randomUUID } from 'node:crypto';
import { and, count, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../context';
import { signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { activities } from '../activities/activities.tables';
import { customers } from '../customers/customers.tables';
import { backfillReminders, fireReminder } from './reminders.service';
import { reminders } from './reminders.tables';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** The system's side (jobs, start-up work): the test database and its job queue. */
const system = () => ({ db: t.database.db, jobs: t.app.jobs });

const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

async function customerOf(client: Client) {
  const res = await client.post('/api/v1/customers', { name: uniq('提醒客户') });
  expect(res.status).toBe(201);
  return res.body as { id: string; name: string };
}

/** Fires a reminder now, as its job would when the time comes. */
async function fire(id: string) {
  const [r] = await t.database.db.select().from(reminders).where(eq(reminders.id, id));
  return inTransaction(system(), (tx) => fireReminder(tx, id, r.remindAt.toISOString()));
}

const upcoming = async (client: Client) =>
  (await client.get('/api/v1/reminders', { state: 'upcoming' })).body.items as {
    id: string;
    kind: string;
    remindAt: string;
    activityId: string | null;
    customerId: string | null;
    title: string;
  }[];
const due = async (client: Client) =>
  (await client.get('/api/v1/reminders', { state: 'due' })).body.items as {
    id: string;
    title: string;
    note: string | null;
  }[];

describe('reminders I set myself', () => {
  it('refuses a past time, a missing or double target, and records I cannot see — creating nothing', async () => {
    const { client } = await signedIn(t);
    const other = await signedIn(t);
    const mine = await customerOf(client);
    const theirs = await customerOf(other.client);
    const past = await client.post('/api/v1/reminders', { customerId: mine.id, remindAt: inMinutes(-5) });
    expect(past.status).toBe(400);
    expect(past.body.error).toMatchObject({ code: 'REMINDER_IN_PAST', message: '提醒时间须晚于现在' });
    const english = await client
      .with({ 'accept-language': 'en-US' })
      .post('/api/v1/reminders', { remindAt: inMinutes(5) });
    expect(english.status).toBe(400);
    expect(english.body.error.code).toBe('VALIDATION_FAILED');
    expect(
      (await client.post('/api/v1/reminders', { customerId: mine.id, leadId: randomUUID(), remindAt: inMinutes(5) }))
        .status,
    ).toBe(400);
    expect((await client.post('/api/v1/reminders', { customerId: randomUUID(), remindAt: inMinutes(5) })).status).toBe(
      404,
    );
    expect((await client.post('/api/v1/reminders', { customerId: theirs.id, remindAt: inMinutes(5) })).status).toBe(
      404,
    );
    expect((await client.post('/api/v1/reminders', { customerId: mine.id, remindAt: 'tomorrow' })).status).toBe(400);
    expect(await upcoming(client)).toEqual([]);
  });

  it('goes off once, shows as due, can be snoozed (not into the past) and dismissed', async () => {
    const { client } = await signedIn(t);
    const customer = await customerOf(client);
    const made = await client.post('/api/v1/reminders', {
      customerId: customer.id,
      remindAt: inMinutes(30),
      note: '催收审计资料',
    });
    expect(made.status).toBe(201);
    expect(await upcoming(client)).toMatchObject([{ id: made.body.id, kind: 'custom', title: customer.name }]);
    expect(await fire(made.body.id)).toBe(true);
    expect(await fire(made.body.id)).toBe(false); // a second run of its job does nothing
    expect(await due(client)).toMatchObject([{ id: made.body.id, note: '催收审计资料' }]);
    const bell = await client.get('/api/v1/notifications');
    expect(bell.body).toMatchObject({
      unread: 1,
      items: [
        { kind: 'custom-reminder', message: `提醒：${customer.name}`, entityType: 'customer', entityId: customer.id },
      ],
    });

    expect(
      (await client.post(`/api/v1/reminders/${made.body.id}/snooze`, { until: inMinutes(-1) })).body.error.code,
    ).toBe('REMINDER_IN_PAST');
    const snoozed = await client.post(`/api/v1/reminders/${made.body.id}/snooze`, { until: inMinutes(60) });
    expect(snoozed.body).toMatchObject({ firedAt: null, doneAt: null });
    expect(await due(client)).toEqual([]);
    expect(await fire(made.body.id)).toBe(true);
    expect((await client.post(`/api/v1/reminders/${made.body.id}/dismiss`)).body.doneAt).not.toBeNull();
    expect(await due(client)).toEqual([]);
    // Someone else's reminder is not theirs to touch.
    const stranger = await signedIn(t);
    expect((await stranger.client.post(`/api/v1/reminders/${made.body.id}/dismiss`)).status).toBe(404);
  });
});

describe('activity reminders', () => {
  it('remind the owner and the assignees their lead time ahead, follow a reschedule, and go when it is done or deleted', async () => {
    const { client, user } = await signedIn(t);
    const colleague = await signedIn(t);
    expect((await colleague.client.patch('/api/v1/me/preferences', { reminderLeadMinutes: 60 })).status).toBe(200);
    const customer = await customerOf(client);
    const dueAt = inMinutes(120);
    const activity = await client.post('/api/v1/activities', {
      category: 'visit',
      subject: '拜访财务总监',
      status: 'planned',
      dueAt,
      customerId: customer.id,
      assigneeIds: [colleague.user.id],
    });
    expect(activity.status, JSON.stringify(activity.body)).toBe(201);
    expect(activity.body.assignees).toEqual([{ id: colleague.user.id, name: colleague.user.displayName }]);
    const mine = await upcoming(client);
    expect(mine).toMatchObject([{ kind: 'activity-due', activityId: activity.body.id, title: '拜访财务总监' }]);
    expect(Date.parse(mine[0].remindAt)).toBe(Date.parse(dueAt) - 15 * 60_000);
    const theirs = await upcoming(colleague.client);
    expect(Date.parse(theirs[0].remindAt)).toBe(Date.parse(dueAt) - 60 * 60_000);
    // The assignee sees the activity.
    expect((await colleague.client.get(`/api/v1/activities/${activity.body.id}`)).status).toBe(200);

    const later = inMinutes(240);
    expect((await client.patch(`/api/v1/activities/${activity.body.id}`, { dueAt: later })).status).toBe(200);
    expect(Date.parse((await upcoming(client))[0].remindAt)).toBe(Date.parse(later) - 15 * 60_000);

    // Fired, then done: the reminder is dealt with; the bell says what was due.
    await fire((await upcoming(client))[0].id);
    expect((await client.get('/api/v1/notifications')).body.items[0]).toMatchObject({
      kind: 'activity-due',
      message: '活动即将到期：拜访财务总监',
    });
    expect((await client.post(`/api/v1/activities/${activity.body.id}/complete`, { notes: '已见面' })).status).toBe(
      200,
    );
    expect(await due(client)).toEqual([]);
    expect(await upcoming(colleague.client)).toEqual([]);

    // Deleted before it is due: its reminder is gone, and the job finds nothing to do.
    const doomed = await client.post('/api/v1/activities', {
      category: 'call',
      subject: '回访',
      status: 'planned',
      dueAt: inMinutes(90),
      customerId: customer.id,
    });
    const [reminder] = await upcoming(client);
    expect(reminder.activityId).toBe(doomed.body.id);
    expect((await client.delete(`/api/v1/activities/${doomed.body.id}`)).status).toBe(200);
    expect(await upcoming(client)).toEqual([]);
    expect(await inTransaction(system(), (tx) => fireReminder(tx, reminder.id, reminder.remindAt))).toBe(false);
    expect((await client.get('/api/v1/notifications')).body.total).toBe(1);
    void user;
  });
});

describe('next-contact reminders', () => {
  it('come at 09:00 in the owner’s time zone on the date the latest contact set, and follow the customer to a new owner', async () => {
    const { client } = await signedIn(t);
    const customer = await customerOf(client);
    const log = await client.post('/api/v1/contact-logs', {
      customerId: customer.id,
      direction: 'inbound',
      channel: 'phone',
      summary: '客户来电问年审',
      nextContactOn: '2027-03-15',
    });
    expect(log.status, JSON.stringify(log.body)).toBe(201);
    expect(await upcoming(client)).toMatchObject([
      { kind: 'next-contact', customerId: customer.id, remindAt: '2027-03-15T01:00:00.000Z' },
    ]);

    expect((await client.patch('/api/v1/me/preferences', { timeZone: 'Mars/Olympus' })).body.error.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await client.patch('/api/v1/me/preferences', { timeZone: 'Europe/Berlin' })).body.timeZone).toBe(
      'Europe/Berlin',
    );
    await client.post('/api/v1/contact-logs', {
      customerId: customer.id,
      direction: 'outbound',
      channel: 'phone',
      summary: '约定 7 月再联系',
      nextContactOn: '2027-07-01',
    });
    expect(await upcoming(client)).toMatchObject([{ kind: 'next-contact', remindAt: '2027-07-01T07:00:00.000Z' }]); // 09:00 CEST

    const admin = (await signedIn(t, { roleCode: 'admin' })).client;
    const newOwner = await signedIn(t);
    expect((await admin.post(`/api/v1/customers/${customer.id}/assign`, { ownerId: newOwner.user.id })).status).toBe(
      200,
    );
    expect(await upcoming(client)).toEqual([]);
    expect(await upcoming(newOwner.client)).toMatchObject([
      { kind: 'next-contact', customerId: customer.id, remindAt: '2027-07-01T01:00:00.000Z' },
    ]);
  });
});

describe('the bell', () => {
  it('lists my notifications newest first, marks them read, and never shows or touches anyone else’s', async () => {
    const { client } = await signedIn(t);
    const customer = await customerOf(client);
    for (const note of ['一', '二']) {
      const r = await client.post('/api/v1/reminders', { customerId: customer.id, remindAt: inMinutes(10), note });
      await fire(r.body.id);
    }
    const page = await client.get('/api/v1/notifications');
    expect(page.body).toMatchObject({ total: 2, unread: 2 });
    expect(page.body.items.map((n: { params: { note: string } }) => n.params.note)).toEqual(['二', '一']);
    // Worded in the reader's language when read.
    expect((await client.patch('/api/v1/auth/me', { locale: 'en-US' })).status).toBe(200);
    expect((await client.get('/api/v1/notifications')).body.items[0].message).toBe(`Reminder: ${customer.name}`);
    const stranger = await signedIn(t);
    expect((await stranger.client.post(`/api/v1/notifications/${page.body.items[0].id}/read`)).status).toBe(404);
    expect((await stranger.client.get('/api/v1/notifications')).body.total).toBe(0);
    expect((await client.post(`/api/v1/notifications/${page.body.items[0].id}/read`)).status).toBe(200);
    expect((await client.get('/api/v1/notifications/unread-count')).body.unread).toBe(1);
    expect((await client.post('/api/v1/notifications/read-all')).body.read).toBe(1);
    expect((await client.get('/api/v1/notifications', { unread: 'true' })).body.items).toEqual([]);
  });
});

describe('reminders stay right when things change', () => {
  it('a reminder on a customer I lost shows and says nothing; one I dismissed before it went off never goes off', async () => {
    const { client, user } = await signedIn(t);
    const admin = (await signedIn(t, { roleCode: 'admin' })).client;
    const other = await signedIn(t);
    const customer = await customerOf(client);
    const lost = await client.post('/api/v1/reminders', {
      customerId: customer.id,
      remindAt: inMinutes(30),
      note: '续约',
    });
    const kept = await client.post('/api/v1/reminders', {
      customerId: (await customerOf(client)).id,
      remindAt: inMinutes(30),
    });
    expect((await admin.post(`/api/v1/customers/${customer.id}/assign`, { ownerId: other.user.id })).status).toBe(200);
    expect((await upcoming(client)).map((r) => r.id)).toEqual([kept.body.id]);
    expect(await fire(lost.body.id)).toBe(false);
    expect((await client.get('/api/v1/notifications')).body.total).toBe(0);

    expect((await client.post(`/api/v1/reminders/${kept.body.id}/dismiss`)).status).toBe(200);
    expect(await upcoming(client)).toEqual([]);
    expect(await fire(kept.body.id)).toBe(false);
    // Deactivated people are told nothing.
    const third = await client.post('/api/v1/reminders', {
      customerId: (await customerOf(client)).id,
      remindAt: inMinutes(30),
    });
    expect((await admin.post(`/api/v1/users/${user.id}/deactivate`)).status).toBe(200);
    expect(await fire(third.body.id)).toBe(false);
  });

  it('a snoozed and dismissed activity reminder is not brought back by an unrelated edit; a new due time does bring it back', async () => {
    const { client } = await signedIn(t);
    const colleague = await signedIn(t);
    const customer = await customerOf(client);
    const activity = await client.post('/api/v1/activities', {
      category: 'call',
      subject: '确认进场',
      status: 'planned',
      dueAt: inMinutes(60),
      customerId: customer.id,
    });
    const [r] = await upcoming(client);
    await fire(r.id);
    await client.post(`/api/v1/reminders/${r.id}/snooze`, { until: inMinutes(20) });
    await fire(r.id);
    await client.post(`/api/v1/reminders/${r.id}/dismiss`);
    expect(
      (
        await client.patch(`/api/v1/activities/${activity.body.id}`, {
          assigneeIds: [colleague.user.id],
          notes: '带上底稿',
        })
      ).status,
    ).toBe(200);
    expect(await due(client)).toEqual([]);
    expect(await upcoming(client)).toEqual([]);
    // The assignee may reschedule and complete it (not more).
    const later = inMinutes(180);
    expect((await colleague.client.patch(`/api/v1/activities/${activity.body.id}`, { dueAt: later })).status).toBe(200);
    expect(Date.parse((await upcoming(client))[0].remindAt)).toBe(Date.parse(later) - 15 * 60_000);
    expect((await colleague.client.patch(`/api/v1/activities/${activity.body.id}`, { assigneeIds: [] })).status).toBe(
      403,
    );
    expect((await colleague.client.delete(`/api/v1/activities/${activity.body.id}`)).status).toBe(403);
    expect(
      (await colleague.client.post(`/api/v1/activities/${activity.body.id}/complete`, { notes: '已确认' })).status,
    ).toBe(200);
    expect(await upcoming(client)).toEqual([]);
  });

  it('a new time zone or lead time moves the reminders still to come', async () => {
    const { client } = await signedIn(t);
    const customer = await customerOf(client);
    await client.post('/api/v1/contact-logs', {
      customerId: customer.id,
      direction: 'outbound',
      channel: 'phone',
      summary: '约定再联系',
      nextContactOn: '2027-05-10',
    });
    const dueAt = inMinutes(300);
    await client.post('/api/v1/activities', {
      category: 'visit',
      subject: '拜访',
      status: 'planned',
      dueAt,
      customerId: customer.id,
    });
    expect(
      (await client.patch('/api/v1/me/preferences', { timeZone: 'America/New_York', reminderLeadMinutes: 60 })).status,
    ).toBe(200);
    const byKind = Object.fromEntries((await upcoming(client)).map((r) => [r.kind, r.remindAt]));
    expect(byKind['next-contact']).toBe('2027-05-10T13:00:00.000Z'); // 09:00 EDT
    expect(Date.parse(byKind['activity-due'])).toBe(Date.parse(dueAt) - 60 * 60_000);
  });

  it('are scheduled at start for work planned before reminders existed', async () => {
    const { client, user } = await signedIn(t);
    const customer = await customerOf(client);
    const dueAt = new Date(Date.now() + 2 * 3_600_000);
    const [old] = await t.database.db
      .insert(activities)
      .values({
        category: 'call',
        subject: '升级前计划的回访',
        status: 'planned',
        dueAt,
        ownerId: user.id,
        customerId: customer.id,
      })
      .returning();
    expect(await upcoming(client)).toEqual([]);
    expect(await backfillReminders(system())).toBeGreaterThanOrEqual(1);
    expect(await upcoming(client)).toMatchObject([{ kind: 'activity-due', activityId: old.id }]);
    await backfillReminders(system());
    expect(await upcoming(client)).toHaveLength(1);
  });

  it('are scheduled at start for every one of hundreds of customers with a next contact date, in short steps', async () => {
    const { user } = await signedIn(t);
    const made = await t.database.db
      .insert(customers)
      .values(
        Array.from({ length: 450 }, (_, i) => ({
          name: `升级前的客户 ${i}`,
          searchText: `升级前的客户 ${i}`,
          ownerId: user.id,
          nextContactOn: '2099-01-01',
        })),
      )
      .returning({ id: customers.id });
    const scheduled = async () =>
      (
        await t.database.db
          .select({ n: count() })
          .from(reminders)
          .where(
            and(
              eq(reminders.kind, 'next-contact'),
              inArray(
                reminders.customerId,
                made.map((c) => c.id),
              ),
            ),
          )
      )[0].n;
    expect(await backfillReminders(system())).toBeGreaterThanOrEqual(450);
    expect(await scheduled()).toBe(450);
    await backfillReminders(system());
    expect(await scheduled()).toBe(450); // nothing twice
  });
});
