import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../context';
import { addDays, localDate, localParts } from '../../lib/time';
import { activities, activityAssignees } from '../activities/activities.tables';
import { customers } from '../customers/customers.tables';
import { raiseInactiveSuggestions } from '../suggestions/suggestions.service';
import { buildBusinessLine, buildDepartment, setDepartmentManager, signedIn } from '../../test/factories';
import { createTestApp, uniq, type TestApp } from '../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** A zone where it is now well inside the day, so "later today" exists whenever the test runs. */
function zoneAwayFromMidnight(): string {
  return ['Asia/Shanghai', 'Europe/London', 'America/New_York', 'Pacific/Auckland'].find((z) => {
    const { hour } = localParts(new Date(), z);
    return hour >= 2 && hour <= 20;
  })!;
}

describe('Today 今日', () => {
  it('tells a salesperson what is overdue and due today, whom to call and why, what goes quiet, which audits are due, and new leads — only their own', async () => {
    const tz = zoneAwayFromMidnight();
    const date = localDate(new Date(), tz);
    const { client, user } = await signedIn(t);
    const admin = (await signedIn(t, { roleCode: 'admin' })).client;
    const customer = (await client.post('/api/v1/customers', { name: uniq('西安华达建设有限公司') })).body;
    await client.post('/api/v1/contacts', {
      customerId: customer.id,
      name: '张财务',
      phones: ['13900001111'],
      isPrimary: true,
    });

    const overdue = await client.post('/api/v1/activities', {
      category: 'call',
      subject: '催交审计资料',
      status: 'planned',
      dueAt: new Date(Date.now() + 60_000).toISOString(),
      customerId: customer.id,
    });
    await t.database.db
      .update(activities)
      .set({ dueAt: new Date(Date.now() - 2 * 86_400_000) })
      .where(eq(activities.id, overdue.body.id));
    const later = await client.post('/api/v1/activities', {
      category: 'visit',
      subject: '拜访财务总监',
      status: 'planned',
      dueAt: new Date(Date.now() + 60 * 60_000).toISOString(),
      customerId: customer.id,
    });
    const tomorrow = await client.post('/api/v1/activities', {
      category: 'meeting',
      subject: '下周方案会',
      status: 'planned',
      dueAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      customerId: customer.id,
    });
    expect([overdue.status, later.status, tomorrow.status]).toEqual([201, 201, 201]);

    await client.post('/api/v1/contact-logs', {
      customerId: customer.id,
      direction: 'inbound',
      channel: 'phone',
      summary: '客户来电，约今天回电',
      nextContactOn: date,
    });
    const quiet = (await client.post('/api/v1/customers', { name: uniq('宝鸡秦川机械') })).body;
    await t.database.db
      .update(customers)
      .set({ createdAt: new Date(Date.now() - 100 * 86_400_000) })
      .where(eq(customers.id, quiet.id));
    await inTransaction({ db: t.database.db, jobs: t.app.jobs }, (tx) =>
      raiseInactiveSuggestions(tx, { customerIds: [quiet.id] }),
    );
    const line = await buildBusinessLine(t.database.db, { name: uniq('年报审计') });
    await client.post('/api/v1/customer-services', {
      customerId: customer.id,
      businessLineId: line.id,
      cycle: 'annual',
      nextDueOn: addDays(date, 10),
    });
    await client.post('/api/v1/customer-services', {
      customerId: quiet.id,
      businessLineId: line.id,
      cycle: 'annual',
      nextDueOn: addDays(date, 90),
    });
    const lead = await admin.post('/api/v1/leads', {
      companyName: uniq('咸阳新世纪商贸'),
      contactName: '刘经理',
      phone: '13800002222',
      ownerId: user.id,
    });
    expect(lead.status).toBe(201);

    const today = await client.get('/api/v1/today', { tz });
    expect(today.status, JSON.stringify(today.body)).toBe(200);
    expect(today.body).toMatchObject({ date, timeZone: tz });
    expect(today.body.overdue.map((a: { subject: string }) => a.subject)).toEqual(['催交审计资料']);
    expect(today.body.today.map((a: { subject: string }) => a.subject)).toEqual(['拜访财务总监']);
    expect(today.body.callsDue).toEqual([
      {
        customerId: customer.id,
        customerName: customer.name,
        nextContactOn: date,
        lastContactAt: expect.any(String),
        contactId: expect.any(String),
        contactName: '张财务',
        phone: '13900001111',
      },
    ]);
    expect(today.body.inactive).toMatchObject([{ customerId: quiet.id, days: 100 }]);
    expect(today.body.servicesDue).toMatchObject([
      { customerId: customer.id, businessLineName: line.name, nextDueOn: addDays(date, 10) },
    ]);
    expect(today.body.newLeads).toMatchObject([{ id: lead.body.id, contactName: '刘经理', phone: '13800002222' }]);

    // The call cannot happen today: move it to tomorrow, and it leaves the list (its reminder moves too).
    const moved = await client.post(`/api/v1/customers/${customer.id}/next-contact`, { on: addDays(date, 1) });
    expect(moved.body.nextContactOn).toBe(addDays(date, 1));
    expect((await client.get('/api/v1/today', { tz })).body.callsDue).toEqual([]);
    expect(
      (await client.post(`/api/v1/customers/${customer.id}/next-contact`, { on: '2027-02-30' })).body.error.code,
    ).toBe('VALIDATION_FAILED');

    // Nobody else's day shows any of it.
    const other = await signedIn(t);
    const theirs = (await other.client.get('/api/v1/today', { tz })).body;
    for (const section of [
      'overdue',
      'today',
      'reminders',
      'callsDue',
      'inactive',
      'servicesDue',
      'newLeads',
      'queuedLeads',
    ])
      expect(theirs[section]).toEqual([]);
    expect((await other.client.post(`/api/v1/customers/${customer.id}/next-contact`, { on: null })).status).toBe(404);
  });

  it('shows a manager the leads waiting in their department’s queue, and a salesperson none', async () => {
    const department = await buildDepartment(t.database.db);
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
    await setDepartmentManager(t.database.db, department.id, manager.user.id);
    const seller = await signedIn(t, { departmentId: department.id });
    const lead = await seller.client.post('/api/v1/leads', { companyName: uniq('铜川新材料'), contactName: '赵主任' });
    expect(lead.body).toMatchObject({ ownerId: null, queueDepartmentId: department.id });
    const theirs = (await manager.client.get('/api/v1/today')).body;
    expect(theirs.queuedLeads).toMatchObject([
      { id: lead.body.id, contactName: '赵主任', queueDepartmentName: department.name },
    ]);
    expect((await seller.client.get('/api/v1/today')).body.queuedLeads).toEqual([]);
  });

  it('shows today’s tasks however many are overdue', async () => {
    const tz = zoneAwayFromMidnight();
    const { client, user } = await signedIn(t);
    const customer = (await client.post('/api/v1/customers', { name: uniq('积压客户') })).body;
    const longAgo = new Date(Date.now() - 10 * 86_400_000);
    await t.database.db.insert(activities).values(
      Array.from({ length: 60 }, (_, i) => ({
        category: 'call',
        subject: `积压 ${i}`,
        status: 'planned' as const,
        dueAt: longAgo,
        ownerId: user.id,
        customerId: customer.id,
      })),
    );
    await client.post('/api/v1/activities', {
      category: 'visit',
      subject: '今天的拜访',
      status: 'planned',
      dueAt: new Date(Date.now() + 30 * 60_000).toISOString(),
      customerId: customer.id,
    });
    const today = (await client.get('/api/v1/today', { tz })).body;
    expect(today.overdue).toHaveLength(50);
    expect(today.today.map((a: { subject: string }) => a.subject)).toEqual(['今天的拜访']);

    // Work a colleague gave me, older than all of mine, comes first — once, even where I also own it.
    const colleague = await signedIn(t);
    const theirs = (await colleague.client.post('/api/v1/customers', { name: uniq('同事客户') })).body;
    const given = await t.database.db
      .insert(activities)
      .values(
        [0, 1].map((i) => ({
          category: 'call',
          subject: `同事交办 ${i}`,
          status: 'planned' as const,
          dueAt: new Date(longAgo.getTime() - (2 - i) * 86_400_000),
          ownerId: colleague.user.id,
          customerId: theirs.id,
        })),
      )
      .returning({ id: activities.id });
    const [mine] = await t.database.db
      .select({ id: activities.id })
      .from(activities)
      .where(and(eq(activities.subject, '积压 0'), eq(activities.ownerId, user.id)));
    await t.database.db
      .insert(activityAssignees)
      .values([...given.map((g) => ({ activityId: g.id, userId: user.id })), { activityId: mine.id, userId: user.id }]);
    const withGiven = (await client.get('/api/v1/today', { tz })).body;
    const subjects = withGiven.overdue.map((a: { subject: string }) => a.subject);
    expect(subjects).toHaveLength(50);
    expect(subjects.slice(0, 2)).toEqual(['同事交办 0', '同事交办 1']);
    expect(new Set(subjects).size).toBe(50);
  });

  it('refuses an unknown time zone with a clear message', async () => {
    const { client } = await signedIn(t);
    const res = await client.get('/api/v1/today', { tz: 'Asia/Xian' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(res.body.error.details)).toContain('无效的时区');
  });
});
