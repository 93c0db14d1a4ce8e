import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildDepartment, buildUser, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { auditLogs } from '../audit/audit.tables';
import { customers } from '../customers/customers.tables';
import { notifications } from '../notifications/notifications.tables';
import { qualifications } from '../people/people.tables';
import { today } from '../receivables/fixtures';
import { userBusinessLines, users } from '../staff/staff.tables';
import { engagementLines, engagements } from './engagements.tables';
import { AUDIT_PHASES, buildOrderWithLines, buildTemplate } from './fixtures';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

/** YYYY-MM-DD plus days, computed here on its own. */
const plus = (date: string, days: number) => {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
};
/** Hundredths of an amount or of hours, for sums made in the test. */
const hundredths = (value: string) => Math.round(Number(value) * 100);
const asMoney = (h: number) => (h / 100).toFixed(2);

async function customerNameOf(customerId: string) {
  const [row] = await t.database.db
    .select({ name: customers.name })
    .from(customers)
    .where(eq(customers.id, customerId));
  return row.name;
}

/** A practice department with its manager and a staff member to lead, and a salesperson elsewhere owning orders. */
async function firm() {
  const db = t.database.db;
  const practice = await buildDepartment(db, { name: uniq('审计一部') });
  const manager = await signedIn(t, { roleCode: 'manager', departmentId: practice.id });
  const lead = await signedIn(t, { roleCode: 'staff', departmentId: practice.id });
  const seller = await signedIn(t, { departmentId: practice.id });
  const line = await buildBusinessLine(db, { name: uniq('审计') });
  const template = await buildTemplate(db, line.id);
  return { practice, manager, lead, seller, line, template };
}

describe('engagements from confirmed orders', () => {
  it('makes one per line from the business line’s template: amounts, phases and tasks planned from the start', async () => {
    const { manager, lead, seller, line, template } = await firm();
    const order = await buildOrderWithLines(
      t.database.db,
      [
        { businessLineId: line.id, description: '2025年度财务报表审计', amount: '12000.00' },
        { businessLineId: line.id, description: '专项审计', amount: '8000.50' },
      ],
      { ownerId: seller.user.id },
    );
    const customerName = await customerNameOf(order.customerId);
    const startsOn = '2026-03-02';
    const res = await manager.client.post('/api/v1/engagements', { orderId: order.id, leadId: lead.user.id, startsOn });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.items).toHaveLength(2);

    // Phases follow one another: 3, 10 and 2 days from the start.
    const phaseDates = [
      [startsOn, plus(startsOn, 3)],
      [plus(startsOn, 3), plus(startsOn, 13)],
      [plus(startsOn, 13), plus(startsOn, 15)],
    ];
    const hours = AUDIT_PHASES.flatMap((p) => p.tasks.map((task) => hundredths(task.plannedHours!)));
    const totalHours = hours.reduce((a, b) => a + b, 0) / 100; // 2.5 + 6.5 + 0.25
    for (const [i, [description, amount]] of [
      ['2025年度财务报表审计', '12000.00'],
      ['专项审计', '8000.50'],
    ].entries()) {
      const e = res.body.items[i];
      expect(e).toMatchObject({
        title: expect.stringContaining(description),
        status: 'in-progress',
        customerId: order.customerId,
        customerName,
        orderId: order.id,
        orderNumber: order.number,
        businessLineId: line.id,
        businessLineName: line.name,
        leadId: lead.user.id,
        leadName: lead.user.displayName,
        amount,
        startsOn,
        dueOn: plus(startsOn, 15),
        progress: 0,
        currentPhase: '业务承接',
        contractId: null,
        templateId: template.id,
        templateName: template.name,
        cycle: 'once',
        departmentId: lead.user.departmentId,
        salesOwnerId: seller.user.id,
        salesOwnerName: seller.user.displayName,
        plannedHours: String(totalHours),
        mayChange: true,
      });
      expect(e.title).toContain(customerName);
      expect(e.lines).toEqual([{ orderLineId: order.lineIds[i], description, amount }]);
      expect(e.members).toEqual([
        {
          userId: lead.user.id,
          name: lead.user.displayName,
          departmentName: expect.any(String),
          roles: ['manager'],
          isPracticingCpa: false,
        },
      ]);
      expect(
        e.phases.map((p: { name: string; startsOn: string; dueOn: string; status: string; plannedHours: string }) => [
          p.name,
          p.startsOn,
          p.dueOn,
          p.status,
          p.plannedHours,
        ]),
      ).toEqual([
        ['业务承接', ...phaseDates[0], 'pending', '2.5'],
        ['现场审计', ...phaseDates[1], 'pending', String((hundredths('6.5') + hundredths('0.25')) / 100)],
        ['出具报告', ...phaseDates[2], 'pending', null],
      ]);
      expect(e.phases[1]).toMatchObject({ kind: 'work', roles: ['assistant', 'signing-cpa'], qualification: 'cpa' });
      expect(e.phases[1].tasks).toEqual([
        expect.objectContaining({
          title: '存货监盘',
          role: 'assistant',
          position: 1,
          assigneeId: null,
          assigneeName: null,
          startsOn: phaseDates[1][0],
          dueOn: phaseDates[1][1],
          plannedHours: '6.5',
          status: 'todo',
          startedAt: null,
          doneAt: null,
          notes: 0,
        }),
        expect.objectContaining({ title: '银行函证', position: 2, plannedHours: '0.25' }),
      ]);
    }
    // The lead heard of both; the audit log has both.
    const ids = res.body.items.map((e: { id: string }) => e.id);
    const told = await t.database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, lead.user.id), eq(notifications.kind, 'engagement-lead')));
    expect(told.map((n) => n.entityId).sort()).toEqual([...ids].sort());
    const audited = await t.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityType, 'engagement'), inArray(auditLogs.entityId, ids)));
    expect(audited.map((a) => a.action)).toEqual(['create', 'create']);

    // Every line has its engagement now.
    const again = await manager.client.post('/api/v1/engagements', { orderId: order.id, leadId: lead.user.id });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ORDER_LINE_TAKEN');

    // The lead finds them in the list, with the order's filter.
    const list = await lead.client.get('/api/v1/engagements', { orderId: order.id, sort: 'title' });
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(
      list.body.items.map((e: { progress: number; currentPhase: string }) => [e.progress, e.currentPhase]),
    ).toEqual([
      [0, '业务承接'],
      [0, '业务承接'],
    ]);
  });

  it('merges the chosen lines into one: their exact sum, the order’s title, today as the start by default', async () => {
    const { manager, lead, seller, line } = await firm();
    const order = await buildOrderWithLines(
      t.database.db,
      [
        { businessLineId: line.id, description: '验资', amount: '1000.10' },
        { businessLineId: line.id, description: '审计', amount: '2000.20' },
        { businessLineId: line.id, description: '咨询', amount: '0.05' },
      ],
      { ownerId: seller.user.id },
    );
    const res = await manager.client.post('/api/v1/engagements', {
      orderId: order.id,
      lineIds: [order.lineIds[2], order.lineIds[0]],
      merge: true,
      leadId: lead.user.id,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.items).toHaveLength(1);
    const [e] = res.body.items;
    expect(e.amount).toBe(asMoney(hundredths('1000.10') + hundredths('0.05')));
    expect(e.title).toContain(order.title);
    expect(e.startsOn).toBe(today());
    expect(e.dueOn).toBe(plus(today(), 15));
    expect(e.lines.map((l: { description: string }) => l.description)).toEqual(['验资', '咨询']);

    // The line left over is the default next time.
    const rest = await manager.client.post('/api/v1/engagements', { orderId: order.id, leadId: lead.user.id });
    expect(rest.status, JSON.stringify(rest.body)).toBe(201);
    expect(rest.body.items.map((x: { amount: string }) => x.amount)).toEqual(['2000.20']);
  });

  it('runs a monthly one (代理记账) for a year from its start when its order has no contract', async () => {
    const { manager, lead, seller } = await firm();
    const bookkeeping = await buildBusinessLine(t.database.db, { name: uniq('代理记账') });
    await buildTemplate(t.database.db, bookkeeping.id, { cycle: 'monthly' });
    const order = await buildOrderWithLines(
      t.database.db,
      [{ businessLineId: bookkeeping.id, description: '2026年度代理记账', amount: '6000.00' }],
      { ownerId: seller.user.id },
    );
    const res = await manager.client.post('/api/v1/engagements', {
      orderId: order.id,
      leadId: lead.user.id,
      startsOn: '2026-03-02',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // A year less a day: the daily job adds its months up to then (only the first is planned now).
    expect(res.body.items[0]).toMatchObject({ cycle: 'monthly', startsOn: '2026-03-02', dueOn: '2027-03-01' });
  });

  it('refuses a line taken twice (409, nothing written), an unknown line, a draft order and a line without a template', async () => {
    const { manager, lead, seller, line } = await firm();
    const db = t.database.db;
    const order = await buildOrderWithLines(
      db,
      [
        { businessLineId: line.id, description: '年报审计', amount: '5000' },
        { businessLineId: line.id, description: '税审', amount: '3000' },
      ],
      { ownerId: seller.user.id },
    );
    const first = await manager.client.post('/api/v1/engagements', {
      orderId: order.id,
      lineIds: [order.lineIds[0]],
      leadId: lead.user.id,
    });
    expect(first.status).toBe(201);
    const twice = await manager.client.post('/api/v1/engagements', {
      orderId: order.id,
      lineIds: [order.lineIds[1], order.lineIds[0]],
      leadId: lead.user.id,
    });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('ORDER_LINE_TAKEN');
    expect(await db.select().from(engagements).where(eq(engagements.orderId, order.id))).toHaveLength(1);
    expect(await db.select().from(engagementLines).where(eq(engagementLines.orderLineId, order.lineIds[1]))).toEqual(
      [],
    );

    const unknown = await manager.client.post('/api/v1/engagements', {
      orderId: order.id,
      lineIds: [randomUUID()],
      leadId: lead.user.id,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.issues).toEqual([
      expect.objectContaining({ path: 'lineIds.0', message: '订单中没有这条明细' }),
    ]);

    const draft = await buildOrderWithLines(db, [{ businessLineId: line.id, description: '审计', amount: '1' }], {
      ownerId: seller.user.id,
      status: 'draft',
    });
    const notConfirmed = await manager.client.post('/api/v1/engagements', { orderId: draft.id, leadId: lead.user.id });
    expect(notConfirmed.status).toBe(409);
    expect(notConfirmed.body.error.code).toBe('ORDER_NOT_CONFIRMED');

    const bare = await buildBusinessLine(db, { name: uniq('资产评估') });
    await buildTemplate(db, bare.id, { active: false }); // an inactive one does not count
    const other = await buildOrderWithLines(db, [{ businessLineId: bare.id, description: '评估', amount: '9' }], {
      ownerId: seller.user.id,
    });
    const noTemplate = await manager.client.post('/api/v1/engagements', { orderId: other.id, leadId: lead.user.id });
    expect(noTemplate.status).toBe(400);
    expect(noTemplate.body.error.code).toBe('ENGAGEMENT_TEMPLATE_REQUIRED');
    expect(noTemplate.body.error.message).toContain(bare.name);

    // A template given must be active and of the line's business line.
    const elsewhere = await buildTemplate(db, line.id, { name: uniq('其他') });
    const wrongTemplate = await manager.client.post('/api/v1/engagements', {
      orderId: other.id,
      leadId: lead.user.id,
      templateId: elsewhere.id,
    });
    expect(wrongTemplate.status).toBe(400);
    expect(wrongTemplate.body.error.details.issues[0].path).toBe('templateId');
    expect(await db.select().from(engagements).where(eq(engagements.orderId, other.id))).toEqual([]);
  });

  it('lets exactly one of two people making the same line at once succeed', async () => {
    const { manager, lead, seller, line } = await firm();
    const order = await buildOrderWithLines(
      t.database.db,
      [{ businessLineId: line.id, description: '年报审计', amount: '5000' }],
      {
        ownerId: seller.user.id,
      },
    );
    const body = { orderId: order.id, lineIds: order.lineIds, leadId: lead.user.id };
    const results = await Promise.all([
      manager.client.post('/api/v1/engagements', body),
      admin.post('/api/v1/engagements', body),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)!.body.error.code).toBe('ORDER_LINE_TAKEN');
    expect(await t.database.db.select().from(engagements).where(eq(engagements.orderId, order.id))).toHaveLength(1);
  });

  it('refuses a lead from a department the manager does not manage, and an order they cannot see', async () => {
    const { manager, seller, line } = await firm();
    const outsider = await signedIn(t, { roleCode: 'staff' });
    const order = await buildOrderWithLines(
      t.database.db,
      [{ businessLineId: line.id, description: '审计', amount: '1' }],
      {
        ownerId: seller.user.id,
      },
    );
    const res = await manager.client.post('/api/v1/engagements', { orderId: order.id, leadId: outsider.user.id });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues).toEqual([
      expect.objectContaining({ path: 'leadId', message: '项目负责人须是您本人，或您所管理部门的人员' }),
    ]);
    expect(await t.database.db.select().from(engagements).where(eq(engagements.orderId, order.id))).toEqual([]);

    const foreign = await buildOrderWithLines(t.database.db, [
      { businessLineId: line.id, description: '审计', amount: '1' },
    ]);
    const unseen = await manager.client.post('/api/v1/engagements', { orderId: foreign.id, leadId: manager.user.id });
    expect(unseen.status).toBe(404);
    // A salesperson may not make engagements at all.
    expect(
      (await seller.client.post('/api/v1/engagements', { orderId: order.id, leadId: seller.user.id })).status,
    ).toBe(403);
  });
});

describe('who sees an engagement', () => {
  it('its team, lead, sales owner and the lead’s department manager; finance sees all; another salesperson nothing', async () => {
    const db = t.database.db;
    const sales = await buildDepartment(db, { name: uniq('市场部') });
    const practice = await buildDepartment(db, { name: uniq('审计二部') });
    const seller = await signedIn(t, { departmentId: sales.id });
    const lead = await signedIn(t, { roleCode: 'staff', departmentId: practice.id });
    const leadsManager = await signedIn(t, { roleCode: 'manager', departmentId: practice.id });
    const member = await signedIn(t, { roleCode: 'staff' });
    const otherSeller = await signedIn(t);
    const otherManager = await signedIn(t, { roleCode: 'manager' });
    const finance = await signedIn(t, { roleCode: 'finance' });
    const line = await buildBusinessLine(db);
    await buildTemplate(db, line.id);
    const order = await buildOrderWithLines(
      db,
      [{ businessLineId: line.id, description: '年报审计', amount: '5000' }],
      {
        ownerId: seller.user.id,
      },
    );
    const made = await admin.post('/api/v1/engagements', { orderId: order.id, leadId: lead.user.id });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const id = made.body.items[0].id as string;
    const staffed = await lead.client.put(`/api/v1/engagements/${id}/members`, {
      members: [
        { userId: lead.user.id, roles: ['manager'] },
        { userId: member.user.id, roles: ['assistant'] },
      ],
    });
    expect(staffed.status, JSON.stringify(staffed.body)).toBe(200);
    const customerName = await customerNameOf(order.customerId);

    const sees = async (client: Client) => {
      const detail = await client.get(`/api/v1/engagements/${id}`);
      const list = await client.get('/api/v1/engagements', { q: customerName });
      expect(list.status).toBe(200);
      return [detail.status, list.body.items.map((e: { id: string }) => e.id)];
    };
    for (const who of [lead, member, seller, leadsManager, finance])
      expect(await sees(who.client), who.user.displayName).toEqual([200, [id]]);
    for (const who of [otherSeller, otherManager])
      expect(await sees(who.client), who.user.displayName).toEqual([404, []]);

    // Only the lead and the lead's department manager may plan it.
    const mayChange = async (client: Client) => (await client.get(`/api/v1/engagements/${id}`)).body.mayChange;
    expect([await mayChange(lead.client), await mayChange(leadsManager.client)]).toEqual([true, true]);
    expect([await mayChange(member.client), await mayChange(seller.client), await mayChange(finance.client)]).toEqual([
      false,
      false,
      false,
    ]);
    expect((await member.client.patch(`/api/v1/engagements/${id}`, { title: '改名' })).status).toBe(403);
    expect((await otherManager.client.patch(`/api/v1/engagements/${id}`, { title: '改名' })).status).toBe(404);

    // mine: those I lead or am on the team of.
    const mine = async (client: Client) =>
      (await client.get('/api/v1/engagements', { q: customerName, mine: 'true' })).body.items.length;
    expect([await mine(member.client), await mine(lead.client), await mine(seller.client)]).toEqual([1, 1, 0]);
    // The member heard they were added.
    const [told] = await db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, member.user.id), eq(notifications.kind, 'engagement-member')));
    expect(told).toMatchObject({ entityType: 'engagement', entityId: id });
  });
});

describe('staffing', () => {
  it('suggests a practising CPA with the business line first for a signing role, the least loaded first otherwise', async () => {
    const db = t.database.db;
    const { manager, lead, seller, line } = await firm();
    const order = await buildOrderWithLines(
      db,
      [{ businessLineId: line.id, description: '年报审计', amount: '5000' }],
      {
        ownerId: seller.user.id,
      },
    );
    const made = await manager.client.post('/api/v1/engagements', { orderId: order.id, leadId: lead.user.id });
    const engagement = made.body.items[0];
    const cpa = await signedIn(t, { roleCode: 'staff', displayName: uniq('甲注师') });
    const assistant = await signedIn(t, { roleCode: 'staff', displayName: uniq('乙助理') });
    const cpaElsewhere = await signedIn(t, { roleCode: 'staff' });
    await db
      .update(users)
      .set({ isPracticingCpa: true })
      .where(inArray(users.id, [cpa.user.id, cpaElsewhere.user.id]));
    await db.insert(userBusinessLines).values([
      { userId: cpa.user.id, businessLineId: line.id },
      { userId: assistant.user.id, businessLineId: line.id },
    ]);
    // Qualified for a CPA's work: a valid CPA certificate (people records) and practising.
    await db
      .insert(qualifications)
      .values(
        [cpa, cpaElsewhere].map((p) => ({ userId: p.user.id, kind: 'cpa' as const, certificateNo: uniq('1100') })),
      );

    const suggest = (query: Record<string, string>) =>
      manager.client.get(`/api/v1/engagements/${engagement.id}/staffing`, query);
    const signing = await suggest({ role: 'signing-cpa' });
    expect(signing.status, JSON.stringify(signing.body)).toBe(200);
    expect(signing.body.items[0]).toEqual({
      userId: cpa.user.id,
      name: cpa.user.displayName,
      departmentName: expect.any(String),
      isPracticingCpa: true,
      sameLine: true,
      openTasks: 0,
      qualified: true,
      qualifications: ['cpa'],
    });
    expect(signing.body.items.length).toBeLessThanOrEqual(20);
    // The field-work phase needs a CPA too.
    const fieldWork = engagement.phases[1];
    const forPhase = await suggest({ role: 'assistant', phaseId: fieldWork.id });
    expect(forPhase.body.items[0].userId).toBe(cpa.user.id);

    // Any assistant: both with the line come first, the one with less open work first.
    const staffed = await manager.client.put(`/api/v1/engagements/${engagement.id}/members`, {
      members: [
        { userId: lead.user.id, roles: ['manager'] },
        { userId: cpa.user.id, roles: ['signing-cpa'] },
      ],
    });
    expect(staffed.status).toBe(200);
    const task = fieldWork.tasks[0];
    expect(
      (await manager.client.patch(`/api/v1/engagement-tasks/${task.id}`, { assigneeId: cpa.user.id })).status,
    ).toBe(200);
    const assistants = await suggest({ role: 'assistant' });
    expect(assistants.status, JSON.stringify(assistants.body)).toBe(200);
    expect(assistants.body.items.slice(0, 2)).toEqual([
      expect.objectContaining({ userId: assistant.user.id, sameLine: true, openTasks: 0, qualified: true }),
      expect.objectContaining({ userId: cpa.user.id, sameLine: true, openTasks: 1, qualified: true }),
    ]);

    // Only for those who staff it.
    expect((await cpa.client.get(`/api/v1/engagements/${engagement.id}/staffing`, { role: 'assistant' })).status).toBe(
      403,
    );
    const { client: stranger } = await signedIn(t, { roleCode: 'manager' });
    expect((await stranger.get(`/api/v1/engagements/${engagement.id}/staffing`, { role: 'assistant' })).status).toBe(
      404,
    );
  });

  it('keeps the lead on the team, takes nobody off with open work orders, and accepts active people only', async () => {
    const db = t.database.db;
    const { manager, lead, seller, line } = await firm();
    const order = await buildOrderWithLines(
      db,
      [{ businessLineId: line.id, description: '年报审计', amount: '5000' }],
      {
        ownerId: seller.user.id,
      },
    );
    const engagement = (await manager.client.post('/api/v1/engagements', { orderId: order.id, leadId: lead.user.id }))
      .body.items[0];
    const helper = await signedIn(t, { roleCode: 'staff', displayName: uniq('丙助理') });
    const url = `/api/v1/engagements/${engagement.id}/members`;
    const team = [
      { userId: lead.user.id, roles: ['manager'] },
      { userId: helper.user.id, roles: ['assistant'] },
    ];
    expect((await manager.client.put(url, { members: team })).status).toBe(200);
    const task = engagement.phases[1].tasks[0];
    await manager.client.patch(`/api/v1/engagement-tasks/${task.id}`, { assigneeId: helper.user.id });

    const withoutLead = await manager.client.put(url, { members: [team[1]] });
    expect(withoutLead.status).toBe(400);
    expect(withoutLead.body.error.details.issues[0]).toMatchObject({
      path: 'members',
      message: '项目负责人须在项目组中',
    });
    const withoutHelper = await manager.client.put(url, { members: [team[0]] });
    expect(withoutHelper.status).toBe(400);
    expect(withoutHelper.body.error.details.issues[0].message).toContain(helper.user.displayName);
    const gone = await buildUser(db, { roleCode: 'staff', active: false });
    const inactive = await manager.client.put(url, {
      members: [...team, { userId: gone.id, roles: ['assistant'] }],
    });
    expect(inactive.status).toBe(400);
    expect(inactive.body.error.details.issues[0].path).toBe('members.2.userId');
    expect((await manager.client.get(`/api/v1/engagements/${engagement.id}`)).body.members).toHaveLength(2);

    // The lead is handed to a member only.
    const notMember = await manager.client.patch(`/api/v1/engagements/${engagement.id}`, { leadId: seller.user.id });
    expect(notMember.status).toBe(400);
    expect(notMember.body.error.details.issues[0].path).toBe('leadId');
  });
});

describe('changing and cancelling', () => {
  it('changes the title, due date and budget, refuses a due date before the start, and cancels once with a reason', async () => {
    const { manager, lead, seller, line } = await firm();
    const order = await buildOrderWithLines(
      t.database.db,
      [{ businessLineId: line.id, description: '年报审计', amount: '5000' }],
      {
        ownerId: seller.user.id,
      },
    );
    const engagement = (
      await manager.client.post('/api/v1/engagements', {
        orderId: order.id,
        leadId: lead.user.id,
        startsOn: '2026-04-01',
      })
    ).body.items[0];
    const url = `/api/v1/engagements/${engagement.id}`;
    const changed = await lead.client.patch(url, {
      title: '2025 年报审计',
      dueOn: '2026-05-31',
      plannedHours: '120.5',
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ title: '2025 年报审计', dueOn: '2026-05-31', plannedHours: '120.5' });
    const early = await lead.client.patch(url, { dueOn: '2026-03-31' });
    expect(early.status).toBe(400);
    expect(early.body.error.details.issues[0]).toMatchObject({ path: 'dueOn', message: '截止日期不能早于开始日期' });
    const badHours = await lead.client.patch(url, { plannedHours: '1.3' });
    expect(badHours.status).toBe(400);

    const cancelled = await lead.client.post(`${url}/cancel`, { reason: '客户终止委托' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', statusReason: '客户终止委托' });
    const twice = await lead.client.post(`${url}/cancel`, { reason: '再次' });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({
      code: 'ENGAGEMENT_STATUS_INVALID',
      message: '业务项目当前状态为“已取消”，不能执行此操作',
    });
    expect((await lead.client.patch(url, { title: 'x' })).status).toBe(409);
    expect((await lead.client.get('/api/v1/engagements', { status: 'cancelled', orderId: order.id })).body.total).toBe(
      1,
    );
  });
});
