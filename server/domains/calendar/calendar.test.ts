import { eq } from 'drizzle-orm';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activities } from '../activities/activities.tables';
import { users } from '../staff/staff.tables';
import { buildBusinessLine, buildDepartment, buildOpportunity, signedIn } from '../../test/factories';
import { buildOrderWithLines, buildTemplate } from '../engagements/fixtures';
import { day } from '../receivables/fixtures';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

async function createCustomer(client: Client) {
  const res = await client.post('/api/v1/customers', { name: uniq('西安华达建设有限公司') });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string };
}

async function activity(client: Client, body: Record<string, unknown>) {
  const res = await client.post('/api/v1/activities', { category: 'call', subject: uniq('电话沟通'), ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; subject: string };
}

const cancel = (id: string) =>
  t.database.db.update(activities).set({ status: 'cancelled' }).where(eq(activities.id, id));

/** The calendar's ids, in order, among `known` (other test files may share the database). */
async function calendar(client: Client, query: { from: string; to: string; scope?: string }, known: Set<string>) {
  const res = await client.get('/api/v1/calendar', query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.items as { id: string }[]).map((a) => a.id).filter((id) => known.has(id));
}

describe('the calendar of a range', () => {
  it('shows my work and, in team scope, what I may see — placed at due or done time, in [from, to)', async () => {
    const team = await buildDepartment(t.database.db);
    const seller = await signedIn(t, { departmentId: team.id });
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: team.id });
    const colleague = await signedIn(t, { departmentId: team.id });
    const helper = await signedIn(t);
    const stranger = await signedIn(t);
    const customer = await createCustomer(seller.client);

    // A week in March 2027 (Beijing time): the first due at `from` is in, the one due at `to` is out.
    const from = '2027-03-01T09:00:00+08:00';
    const to = '2027-03-10T09:00:00+08:00';
    const first = await activity(seller.client, {
      customerId: customer.id,
      category: 'visit',
      status: 'planned',
      dueAt: from,
    });
    const shared = await activity(seller.client, {
      customerId: customer.id,
      status: 'planned',
      dueAt: '2027-03-05T14:30:00+08:00',
      assigneeIds: [helper.user.id],
    });
    const atEnd = await activity(seller.client, { customerId: customer.id, status: 'planned', dueAt: to });
    const before = await activity(seller.client, {
      customerId: customer.id,
      status: 'planned',
      dueAt: '2027-03-01T08:59:00+08:00',
    });
    const cancelled = await activity(seller.client, {
      customerId: customer.id,
      status: 'planned',
      dueAt: '2027-03-03T10:00:00+08:00',
    });
    await cancel(cancelled.id);
    const known = new Set([first.id, shared.id, atEnd.id, before.id, cancelled.id]);

    const range = { from, to };
    expect(await calendar(seller.client, range, known)).toEqual([first.id, shared.id]);
    expect(await calendar(seller.client, { ...range, scope: 'mine' }, known)).toEqual([first.id, shared.id]);
    // The assignee has it in their own calendar; the manager has the department's work in team scope only.
    expect(await calendar(helper.client, range, known)).toEqual([shared.id]);
    expect(await calendar(manager.client, { ...range, scope: 'mine' }, known)).toEqual([]);
    expect(await calendar(manager.client, { ...range, scope: 'team' }, known)).toEqual([first.id, shared.id]);
    // Another salesperson — of the same department or elsewhere — sees none of it.
    expect(await calendar(colleague.client, { ...range, scope: 'team' }, known)).toEqual([]);
    expect(await calendar(stranger.client, { ...range, scope: 'team' }, known)).toEqual([]);

    // The answer is the activity itself, as GET /api/v1/activities/:id gives it.
    const res = await seller.client.get('/api/v1/calendar', range);
    const item = res.body.items.find((a: { id: string }) => a.id === first.id);
    expect(item).toEqual((await seller.client.get(`/api/v1/activities/${first.id}`)).body);
    // The same instants written in another offset select the same activities.
    expect(await calendar(seller.client, { from: '2027-03-01T01:00:00Z', to: '2027-03-10T01:00:00Z' }, known)).toEqual([
      first.id,
      shared.id,
    ]);
  });

  it('places done work at the time it was done, planned work at its due time', async () => {
    const seller = await signedIn(t);
    const customer = await createCustomer(seller.client);
    const called = await activity(seller.client, { customerId: customer.id, doneAt: at(-2 * HOUR) });
    const next = await activity(seller.client, { customerId: customer.id, status: 'planned', dueAt: at(3 * HOUR) });
    // Done three days ago though it was due in two hours: it sits three days back.
    const early = await activity(seller.client, { customerId: customer.id, doneAt: at(-3 * DAY), dueAt: at(2 * HOUR) });
    const known = new Set([called.id, next.id, early.id]);
    expect(await calendar(seller.client, { from: at(-DAY), to: at(DAY) }, known)).toEqual([called.id, next.id]);
    expect(await calendar(seller.client, { from: at(-4 * DAY), to: at(-2 * DAY) }, known)).toEqual([early.id]);
  });

  it('refuses ranges that are not instants with an offset, empty, reversed or longer than 100 days', async () => {
    const { client } = await signedIn(t);
    const from = '2027-03-01T00:00:00+08:00';
    const bad: Record<string, string>[] = [
      { from, to: from },
      { from, to: '2027-02-28T00:00:00+08:00' },
      { from, to: '2027-06-09T00:00:01+08:00' },
      { from: '2027-03-01T00:00:00', to: '2027-03-02T00:00:00+08:00' },
      { from: '2027-03-01', to: '2027-03-02T00:00:00+08:00' },
      { from: 'tomorrow', to: '2027-03-02T00:00:00+08:00' },
      { from },
      { from, to: '2027-03-02T00:00:00+08:00', scope: 'everyone' },
    ];
    for (const query of bad) {
      const res = await client.get('/api/v1/calendar', query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const local = await client.get('/api/v1/calendar', { from: '2027-03-01T00:00:00', to: from });
    expect(local.body.error.details.issues).toEqual([
      expect.objectContaining({ path: 'querystring.from', code: 'invalid_format' }),
    ]);
    const tooLong = await client.get('/api/v1/calendar', { from, to: '2027-06-10T00:00:00+08:00' });
    expect(tooLong.body.error.details.issues).toEqual([
      expect.objectContaining({ path: 'querystring.to', message: expect.stringContaining('100') }),
    ]);
    expect((await client.get('/api/v1/calendar', { from, to: '2027-06-09T00:00:00+08:00' })).status).toBe(200);
    expect((await t.anon.get('/api/v1/calendar', { from, to: '2027-03-02T00:00:00+08:00' })).status).toBe(401);
  });
});

/** The next 1 December, 10:00 Beijing time, still ahead (2026-12-01T10:00:00+08:00 when these tests were written). */
function nextFirstOfDecember(): string {
  const year = new Date().getUTCFullYear();
  const thisYear = `${year}-12-01T10:00:00+08:00`;
  return Date.parse(thisYear) > Date.now() + HOUR ? thisYear : `${year + 1}-12-01T10:00:00+08:00`;
}

type Feed = { name: string; events: Map<string, ICAL.Event> };

async function createFeed(client: Client): Promise<string> {
  const res = await client.post('/api/v1/me/calendar-feed');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.url).toMatch(/^http:\/\/localhost(:80)?\/api\/v1\/calendar\/feed\/[\w-]{32}\.ics$/);
  return new URL(res.body.url).pathname;
}

/** Fetches a feed anonymously (as a calendar app does) and parses it with ical.js. */
async function readFeed(path: string): Promise<Feed> {
  const res = await t.anon.get(path);
  expect(res.status, String(res.body)).toBe(200);
  expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
  expect(res.headers['cache-control']).toBe('no-store');
  const calendar = new ICAL.Component(ICAL.parse(res.body as string));
  const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  return {
    name: String(calendar.getFirstPropertyValue('x-wr-calname')),
    events: new Map(events.map((e) => [e.uid, e])),
  };
}

async function expectGone(path: string) {
  const res = await t.anon.get(path);
  expect(res.status).toBe(404);
  expect(res.body.error.code).toBe('CALENDAR_FEED_NOT_FOUND');
}

const shanghaiHour = (d: Date) =>
  Number(new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', hour: 'numeric', hourCycle: 'h23' }).format(d));
const minutes = (e: ICAL.Event) => (e.endDate.toJSDate().getTime() - e.startDate.toJSDate().getTime()) / 60_000;
const categoriesOf = (e: ICAL.Event) =>
  e.component.getAllProperties('categories').flatMap((p) => p.getValues().map(String));

describe('the iCalendar feed', () => {
  it('gives calendar apps my planned and done activities, in Chinese, at the exact times', async () => {
    const team = await buildDepartment(t.database.db);
    const displayName = uniq('王小明');
    const seller = await signedIn(t, { departmentId: team.id, displayName });
    const colleague = await signedIn(t, { departmentId: team.id });
    const customer = await createCustomer(seller.client);
    const opp = await buildOpportunity(t, { ownerId: seller.user.id, customerId: customer.id });

    const due = nextFirstOfDecember();
    const visit = await activity(seller.client, {
      customerId: customer.id,
      category: 'visit',
      subject: '年审沟通',
      status: 'planned',
      dueAt: due,
      notes: '带上去年的审计报告',
    });
    const doneAt = at(-2 * DAY);
    const call = await activity(seller.client, {
      opportunityId: opp.id,
      category: 'call',
      subject: '确认报价',
      doneAt,
      notes: '客户接受报价',
    });
    // The colleague's meeting with me on it is in my feed; their own call is not.
    const colleagueCustomer = await createCustomer(colleague.client);
    const meeting = await activity(colleague.client, {
      customerId: colleagueCustomer.id,
      category: 'meeting',
      subject: '方案评审',
      status: 'planned',
      dueAt: at(5 * DAY),
      assigneeIds: [seller.user.id],
    });
    const theirs = await activity(colleague.client, {
      customerId: colleagueCustomer.id,
      status: 'planned',
      dueAt: at(5 * DAY),
    });
    // Outside the window (90 days back, 365 ahead) or cancelled: not in it.
    const longAgo = await activity(seller.client, { customerId: customer.id, doneAt: at(-100 * DAY) });
    const farAhead = await activity(seller.client, {
      customerId: customer.id,
      status: 'planned',
      dueAt: at(400 * DAY),
    });
    const cancelled = await activity(seller.client, { customerId: customer.id, status: 'planned', dueAt: at(DAY) });
    await cancel(cancelled.id);

    const path = await createFeed(seller.client);
    expect((await seller.client.get('/api/v1/me/preferences')).body.calendarFeed).toBe(true);
    const feed = await readFeed(path);
    expect(feed.name).toBe(`Gongdan 工单 · ${displayName}`);
    expect([...feed.events.keys()].sort()).toEqual([visit.id, call.id, meeting.id].map((id) => `${id}@gongdan`).sort());
    for (const id of [theirs.id, longAgo.id, farAhead.id, cancelled.id])
      expect(feed.events.has(`${id}@gongdan`)).toBe(false);

    const v = feed.events.get(`${visit.id}@gongdan`)!;
    expect(v.summary).toBe('上门拜访 · 年审沟通');
    expect(v.startDate.toJSDate().getTime()).toBe(Date.parse(due));
    expect(shanghaiHour(v.startDate.toJSDate())).toBe(10);
    expect(minutes(v)).toBe(60);
    expect(v.component.getFirstPropertyValue('status')).toBe('CONFIRMED');
    expect(v.description).toContain(customer.name);
    expect(v.description).toContain('带上去年的审计报告');

    const c = feed.events.get(`${call.id}@gongdan`)!;
    expect(c.summary).toBe('电话沟通 · 确认报价');
    expect(c.startDate.toJSDate().getTime()).toBe(Math.floor(Date.parse(doneAt) / 1000) * 1000);
    expect(minutes(c)).toBe(30);
    expect(categoriesOf(c)).toContain('已完成');
    expect(c.description).toContain(opp.name);
    expect(c.description).toContain('客户接受报价');

    expect(feed.events.get(`${meeting.id}@gongdan`)!.summary).toBe('会议 · 方案评审');
  });

  it('stops answering at an address replaced by a new one, or revoked', async () => {
    const { client } = await signedIn(t);
    const first = await createFeed(client);
    await readFeed(first);
    const second = await createFeed(client);
    expect(second).not.toBe(first);
    await expectGone(first);
    await readFeed(second);

    const revoked = await client.delete('/api/v1/me/calendar-feed');
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ ok: true });
    await expectGone(second);
    expect((await client.get('/api/v1/me/preferences')).body.calendarFeed).toBe(false);
    // Revoking again changes nothing; a made-up address is not found either.
    expect((await client.delete('/api/v1/me/calendar-feed')).status).toBe(200);
    await expectGone(`/api/v1/calendar/feed/${'x'.repeat(32)}.ics`);
    // Managing the feed needs a session.
    expect((await t.anon.post('/api/v1/me/calendar-feed')).status).toBe(401);
  });

  it('shows only its own user’s activities, and nothing once that user is deactivated', async () => {
    const me = await signedIn(t);
    const other = await signedIn(t);
    const mine = await activity(me.client, {
      customerId: (await createCustomer(me.client)).id,
      status: 'planned',
      dueAt: at(DAY),
    });
    const theirs = await activity(other.client, {
      customerId: (await createCustomer(other.client)).id,
      status: 'planned',
      dueAt: at(DAY),
    });
    const myFeed = await createFeed(me.client);
    const theirFeed = await createFeed(other.client);
    expect([...(await readFeed(myFeed)).events.keys()]).toEqual([`${mine.id}@gongdan`]);
    expect([...(await readFeed(theirFeed)).events.keys()]).toEqual([`${theirs.id}@gongdan`]);

    await t.database.db.update(users).set({ active: false }).where(eq(users.id, other.user.id));
    await expectGone(theirFeed);
  });
});

describe('work orders 工单 on the calendar', () => {
  it('puts my work orders on their due date (mine), the team’s for a reader of the engagement, none once cancelled', async () => {
    const db = t.database.db;
    const practice = await buildDepartment(db, { name: uniq('审计五部') });
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: practice.id });
    const assistant = await signedIn(t, { roleCode: 'staff', departmentId: practice.id });
    const colleague = await signedIn(t, { roleCode: 'staff', departmentId: practice.id });
    const line = await buildBusinessLine(db, { name: uniq('审计') });
    await buildTemplate(db, line.id);
    const seller = await signedIn(t, { departmentId: practice.id });
    const order = await buildOrderWithLines(
      db,
      [{ businessLineId: line.id, description: '年报审计', amount: '9000' }],
      {
        ownerId: seller.user.id,
      },
    );
    const made = await manager.client.post('/api/v1/engagements', { orderId: order.id, leadId: manager.user.id });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const id = made.body.items[0].id as string;
    const team = await manager.client.put(`/api/v1/engagements/${id}/members`, {
      members: [
        { userId: manager.user.id, roles: ['manager'] },
        { userId: assistant.user.id, roles: ['assistant'] },
      ],
    });
    const [task, later] = team.body.phases.flatMap((p: { tasks: { id: string }[] }) => p.tasks);
    for (const [taskId, dueOn] of [
      [task.id, day(3)],
      [later.id, day(60)],
    ])
      expect(
        (await manager.client.patch(`/api/v1/engagement-tasks/${taskId}`, { assigneeId: assistant.user.id, dueOn }))
          .status,
      ).toBe(200);

    // The next fortnight, as the browser asks for it: instants with an offset.
    const range = { from: at(-DAY), to: at(14 * DAY) };
    const workOrders = async (client: Client, scope: string) => {
      const res = await client.get('/api/v1/calendar', { ...range, scope });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body.workOrders as { id: string; dueOn: string; engagementId: string }[]).filter(
        (w) => w.engagementId === id,
      );
    };
    expect(await workOrders(assistant.client, 'mine')).toEqual([
      expect.objectContaining({ id: task.id, dueOn: day(3) }),
    ]);
    expect(await workOrders(colleague.client, 'mine')).toEqual([]);
    expect((await workOrders(manager.client, 'team')).map((w) => w.id)).toEqual([task.id]);
    expect(await workOrders(manager.client, 'mine')).toEqual([]);

    expect((await manager.client.post(`/api/v1/engagements/${id}/cancel`, { reason: '客户取消委托' })).status).toBe(
      200,
    );
    expect(await workOrders(assistant.client, 'mine')).toEqual([]);
  });
});

describe('work orders 工单 in the iCalendar feed', () => {
  it('gives my open work orders as all-day events on their due date, linking to the engagement', async () => {
    const db = t.database.db;
    const practice = await buildDepartment(db, { name: uniq('代账一部') });
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: practice.id });
    const assistant = await signedIn(t, { roleCode: 'staff', departmentId: practice.id });
    const colleague = await signedIn(t, { roleCode: 'staff', departmentId: practice.id });
    const line = await buildBusinessLine(db, { name: uniq('审计') });
    await buildTemplate(db, line.id);
    const seller = await signedIn(t, { departmentId: practice.id });
    const engagement = async (description: string) => {
      const order = await buildOrderWithLines(db, [{ businessLineId: line.id, description, amount: '9000' }], {
        ownerId: seller.user.id,
      });
      const made = await manager.client.post('/api/v1/engagements', {
        orderId: order.id,
        leadId: manager.user.id,
        startsOn: day(-10),
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      const id = made.body.items[0].id as string;
      const team = await manager.client.put(`/api/v1/engagements/${id}/members`, {
        members: [
          { userId: manager.user.id, roles: ['manager'] },
          { userId: assistant.user.id, roles: ['assistant'] },
          { userId: colleague.user.id, roles: ['assistant'] },
        ],
      });
      expect(team.status, JSON.stringify(team.body)).toBe(200);
      const tasks = team.body.phases.flatMap((p: { tasks: { id: string; title: string }[] }) => p.tasks);
      return { id, title: team.body.title as string, customerName: team.body.customerName as string, tasks };
    };
    const assign = async (taskId: string, body: object) =>
      expect((await manager.client.patch(`/api/v1/engagement-tasks/${taskId}`, body)).status).toBe(200);

    const audit = await engagement('年报审计');
    const [acceptance, stocktake, confirmations] = audit.tasks;
    await assign(acceptance.id, { assigneeId: assistant.user.id, dueOn: day(-5) }); // overdue, still open
    await assign(stocktake.id, { assigneeId: assistant.user.id, dueOn: day(40) });
    await assign(confirmations.id, { assigneeId: colleague.user.id, dueOn: day(2) }); // someone else's
    expect(
      (await assistant.client.post(`/api/v1/engagement-tasks/${stocktake.id}/status`, { status: 'in-progress' }))
        .status,
    ).toBe(200);
    const cancelled = await engagement('专项审计');
    await assign(cancelled.tasks[0].id, { assigneeId: assistant.user.id, dueOn: day(3) });
    expect(
      (await manager.client.post(`/api/v1/engagements/${cancelled.id}/cancel`, { reason: '客户取消委托' })).status,
    ).toBe(200);
    const undated = await engagement('验资');
    await assign(undated.tasks[0].id, { assigneeId: assistant.user.id, dueOn: null });

    const path = await createFeed(assistant.client);
    const uid = (id: string) => `work-order-${id}@gongdan`;
    const workOrders = (feed: Feed) => [...feed.events.keys()].filter((k) => k.startsWith('work-order-')).sort();
    let feed = await readFeed(path);
    expect(workOrders(feed)).toEqual([uid(acceptance.id), uid(stocktake.id)].sort());

    const e = feed.events.get(uid(stocktake.id))!;
    expect(e.startDate.isDate).toBe(true);
    expect(e.startDate.toString()).toBe(day(40));
    expect(e.endDate.toString()).toBe(day(41));
    expect(e.summary).toBe(`工单 · 存货监盘 · ${audit.customerName}`);
    expect(e.description).toBe(`客户：${audit.customerName}\n业务项目：${audit.title}\n阶段：现场审计\n进行中`);
    expect(String(e.component.getFirstPropertyValue('url'))).toMatch(
      new RegExp(`^http://localhost(:80)?/engagements/${audit.id}$`),
    );
    expect(categoriesOf(e)).toEqual(['工单', '进行中']);
    const overdue = feed.events.get(uid(acceptance.id))!;
    expect([overdue.startDate.toString(), overdue.startDate.isDate]).toEqual([day(-5), true]);
    expect(overdue.description).toBe(`客户：${audit.customerName}\n业务项目：${audit.title}\n阶段：业务承接`);

    // The colleague's feed has theirs only; a finished work order leaves mine, the other keeps its UID.
    expect(workOrders(await readFeed(await createFeed(colleague.client)))).toEqual([uid(confirmations.id)]);
    expect(
      (await assistant.client.post(`/api/v1/engagement-tasks/${acceptance.id}/status`, { status: 'done' })).status,
    ).toBe(200);
    feed = await readFeed(path);
    expect(workOrders(feed)).toEqual([uid(stocktake.id)]);
  });
});
