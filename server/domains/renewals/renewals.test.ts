import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client';
import { createTestApp, secondInstanceDatabase, uniq, type Client, type TestApp } from '../../test/harness';
import { buildBusinessLine, buildUser, signedIn } from '../../test/factories';
import { searchTextOf } from '../../lib/search-text';
import { contractLines, contractMembers, contracts, orderLines, orders } from '../contracts/contracts.tables';
import { customers, customerServices } from '../customers/customers.tables';
import { notifications } from '../notifications/notifications.tables';
import { opportunities, opportunityMembers, quoteItems, quotes } from '../opportunities/opportunities.tables';
import { runRenewals } from './renewals.job';
import { renewals } from './renewals.tables';

/*
 * The renewal job with the clock moved (asOf in 2031, so no other data of a shared database is due), run twice and on
 * two instances at once; the rules' lead days; the opportunity's amount, quote, team and link; a former customer
 * skipped; raising by hand once only; the renewal rate against figures computed here.
 */
let t: TestApp;
let db: Db;
let owner: { id: string; departmentId: string | null };
let member: { id: string };
let sales: Client;
let admin: Client;
let line: string;
let otherLine: string;

async function customer(status: 'customer' | 'former' = 'customer') {
  const name = uniq('续约客户有限公司');
  const [row] = await db
    .insert(customers)
    .values({ name, ownerId: owner.id, status, searchText: searchTextOf([name]) })
    .returning({ id: customers.id });
  return { id: row.id, name };
}

/** A signed recurring contract with two lines (amounts in yuan) and a team member. */
async function contract(customerId: string, endOn: string | null, lines: string[], businessLineId = line) {
  const amount = lines.reduce((s, a) => s + Math.round(Number(a) * 100), 0);
  const [row] = await db
    .insert(contracts)
    .values({
      title: uniq('审计合同'),
      customerId,
      businessLineId,
      ownerId: owner.id,
      departmentId: owner.departmentId!,
      amount: (amount / 100).toFixed(2),
      status: 'signed',
      signedOn: '2030-05-01',
      endOn,
      recurringCycle: 'annual',
      number: uniq('HT'),
    })
    .returning({ id: contracts.id });
  await db
    .insert(contractLines)
    .values(lines.map((a, i) => ({ contractId: row.id, position: i, description: `服务 ${i + 1}`, amount: a })));
  await db.insert(contractMembers).values({ contractId: row.id, userId: member.id });
  return { id: row.id, amount: (amount / 100).toFixed(2) };
}

const mine = (ids: string[]) =>
  db.select().from(renewals).where(inArray(renewals.sourceId, ids)).orderBy(renewals.dueOn);
const ctx = () => ({ db, jobs: t.app.jobs });

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db;
  line = (await buildBusinessLine(db, { name: uniq('年审') })).id;
  otherLine = (await buildBusinessLine(db, { name: uniq('代账') })).id;
  const s = await signedIn(t, { roleCode: 'salesperson' });
  owner = s.user;
  sales = s.client;
  member = await buildUser(db);
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
}, 180_000);
afterAll(() => t?.close());

describe('renewals 续约', () => {
  it('refuses a recurring cycle that makes no sense and a lead time of 0 days', async () => {
    const c = await customer();
    for (const recurringCycle of ['0', 'biweekly']) {
      const res = await admin.post('/api/v1/contracts', { customerId: c.id, businessLineId: line, recurringCycle });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const zero = await admin.put(`/api/v1/renewal-rules/${line}`, { leadDays: 0, active: true });
    expect(zero.status).toBe(400);
    const refused = await sales.put(`/api/v1/renewal-rules/${line}`, { leadDays: 30, active: true });
    expect(refused.status).toBe(403);
    const saved = await admin.put(`/api/v1/renewal-rules/${line}`, { leadDays: 30, active: true });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ businessLineId: line, leadDays: 30, active: true, saved: true });
    const rules = await sales.get('/api/v1/renewal-rules');
    expect(rules.body.find((r: { businessLineId: string }) => r.businessLineId === otherLine)).toMatchObject({
      leadDays: 60,
      saved: false,
    });
  });

  it('raises each due season once, never a day early, with last period’s amount, lines, team and link', async () => {
    const live = await customer();
    const lost = await customer('former');
    const a = await contract(live.id, '2031-04-30', ['12000.50', '3000.25']);
    const skipped = await contract(lost.id, '2031-04-30', ['8000.00']);
    // The other line keeps the default 60 days: due 2031-05-29 is raised on 2031-03-30.
    const b = await contract(live.id, '2031-05-29', ['5000.00'], otherLine);
    // An order without a contract: confirmed 2030-04-25, annual → season 2031-04-25.
    const [order] = await db
      .insert(orders)
      .values({
        title: uniq('订单'),
        customerId: live.id,
        businessLineId: line,
        ownerId: owner.id,
        departmentId: owner.departmentId!,
        amount: '2000.00',
        status: 'confirmed',
        confirmedOn: '2030-04-25',
        recurringCycle: 'annual',
      })
      .returning({ id: orders.id });
    await db
      .insert(orderLines)
      .values({ orderId: order.id, position: 0, businessLineId: line, description: '年检', amount: '2000.00' });
    const ids = [a.id, skipped.id, b.id, order.id];

    // 2031-03-29: b is 61 days out, a 32, the order 27 (lead 30): only the order.
    await runRenewals(ctx(), { asOf: '2031-03-29' });
    expect((await mine(ids)).map((r) => r.sourceId)).toEqual([order.id]);
    // 2031-03-30: a day before a's lead time still (31 days); b is exactly 60 days out.
    await runRenewals(ctx(), { asOf: '2031-03-30' });
    expect((await mine(ids)).map((r) => r.sourceId).sort()).toEqual([order.id, b.id].sort());
    // 2031-03-31: a and the former customer's season (30 days) come due; run twice.
    await runRenewals(ctx(), { asOf: '2031-03-31' });
    const second = await runRenewals(ctx(), { asOf: '2031-03-31' });
    expect(second.raised).toBe(0);
    const rows = await mine(ids);
    expect(rows).toHaveLength(4);
    const former = rows.find((r) => r.sourceId === skipped.id)!;
    expect(former).toMatchObject({ status: 'skipped', skipReason: 'customer-former', opportunityId: null });

    const renewal = rows.find((r) => r.sourceId === a.id)!;
    expect(renewal).toMatchObject({ status: 'raised', dueOn: '2031-04-30', previousContractId: a.id });
    const [opp] = await db.select().from(opportunities).where(eq(opportunities.id, renewal.opportunityId!));
    expect(opp).toMatchObject({
      expectedAmount: '15000.75',
      expectedCloseOn: '2031-04-30',
      ownerId: owner.id,
      status: 'open',
      originKind: 'renewal',
      originId: renewal.id,
    });
    expect(opp.name).toBe(`续约：${live.name} ${opp.name.split(' ')[1]} 2031`);
    const team = await db.select().from(opportunityMembers).where(eq(opportunityMembers.opportunityId, opp.id));
    expect(team.map((m) => m.userId)).toEqual([member.id]);
    const [quote] = await db.select().from(quotes).where(eq(quotes.id, renewal.quoteId!));
    expect(quote).toMatchObject({ opportunityId: opp.id, status: 'draft', version: 1, total: '15000.75' });
    const items = await db
      .select()
      .from(quoteItems)
      .where(eq(quoteItems.quoteId, quote.id))
      .orderBy(quoteItems.position);
    expect(items.map((i) => [i.description, i.amount])).toEqual([
      ['服务 1', '12000.50'],
      ['服务 2', '3000.25'],
    ]);
    // The order's renewal: its line in the quote.
    const fromOrder = rows.find((r) => r.sourceId === order.id)!;
    const [orderQuote] = await db
      .select()
      .from(quoteItems)
      .innerJoin(quotes, eq(quotes.id, quoteItems.quoteId))
      .where(eq(quotes.id, fromOrder.quoteId!));
    expect(orderQuote.quote_items).toMatchObject({ description: '年检', amount: '2000.00' });
    // The owner is told once per raised renewal.
    const told = await db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, owner.id), eq(notifications.kind, 'renewal-due')));
    expect(told.map((n) => n.entityId).sort()).toEqual(
      rows
        .filter((r) => r.opportunityId)
        .map((r) => r.opportunityId)
        .sort(),
    );

    // Read through the API as the owner.
    const one = await sales.get(`/api/v1/renewals/${renewal.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      state: 'raised',
      previousAmount: '15000.75',
      services: ['服务 1', '服务 2'],
      previousContractId: a.id,
      quoteId: quote.id,
      lessonFlagged: false,
    });
    expect(one.body.team.map((m: { userId: string }) => m.userId)).toEqual([member.id]);
    // Another salesperson: the renewal and raising its season answer as for a random id.
    const { client: stranger } = await signedIn(t, { roleCode: 'salesperson' });
    const hidden = await stranger.get(`/api/v1/renewals/${renewal.id}`);
    const random = await stranger.get(`/api/v1/renewals/${randomUUID()}`);
    expect([hidden.status, hidden.body.error.code]).toEqual([404, random.body.error.code]);
    const raiseHidden = await stranger.post('/api/v1/renewals', { source: 'contract', sourceId: a.id });
    const raiseRandom = await stranger.post('/api/v1/renewals', { source: 'contract', sourceId: randomUUID() });
    expect(raiseHidden.body).toEqual(raiseRandom.body);
  });

  it('raises a season once on two instances at the same moment', async () => {
    const c = await customer();
    const k = await contract(c.id, '2031-06-15', ['7000.00']);
    const second = await secondInstanceDatabase(t.database);
    try {
      const results = await Promise.all([
        runRenewals(ctx(), { asOf: '2031-05-20' }),
        runRenewals({ db: second.database.db, jobs: t.app.jobs }, { asOf: '2031-05-20' }),
      ]);
      const rows = await mine([k.id]);
      expect(rows).toHaveLength(1);
      const made = await db.select().from(opportunities).where(eq(opportunities.customerId, c.id));
      expect(made).toHaveLength(1);
      expect(results.reduce((s, r) => s + r.raised, 0)).toBeGreaterThanOrEqual(1);
    } finally {
      await second.close();
    }
  });

  it('raises one by hand once only, and never for a lost customer', async () => {
    const c = await customer();
    const k = await contract(c.id, '2032-01-31', ['900.00']);
    const lostOne = await customer('former');
    const l = await contract(lostOne.id, '2032-01-31', ['900.00']);
    const refused = await sales.post('/api/v1/renewals', { source: 'contract', sourceId: l.id });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('RENEWAL_CUSTOMER_LOST');
    expect(await mine([l.id])).toHaveLength(0);

    const first = await sales.post('/api/v1/renewals', { source: 'contract', sourceId: k.id, note: '提前续约' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ state: 'raised', dueOn: '2032-01-31', previousAmount: '900.00' });
    const again = await sales.post('/api/v1/renewals', { source: 'contract', sourceId: k.id });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('RENEWAL_ALREADY_RAISED');
    const made = await db.select().from(opportunities).where(eq(opportunities.customerId, c.id));
    expect(made).toHaveLength(1);
    // The job later finds it there.
    await runRenewals(ctx(), { asOf: '2031-12-31' });
    expect(await mine([k.id])).toHaveLength(1);
  });

  it('counts the renewal rate and flags a renewal lost for a lesson, once', async () => {
    // Three seasons in 2033 on the main line: two won (10.10 + 20.20), one lost, one still open.
    const c = await customer();
    const made = [];
    for (const [day, amount] of [
      ['2033-02-10', '10.10'],
      ['2033-02-11', '20.20'],
      ['2033-02-12', '30.30'],
      ['2033-02-13', '40.40'],
    ] as const)
      made.push(await contract(c.id, day, [amount]));
    await runRenewals(ctx(), { asOf: '2033-01-20' });
    const rows = await mine(made.map((m) => m.id));
    expect(rows).toHaveLength(4);
    const setStatus = (i: number, status: 'won' | 'lost') =>
      db
        .update(opportunities)
        .set({ status, closedAt: new Date(), lostReason: status === 'lost' ? '价格' : null })
        .where(eq(opportunities.id, rows[i].opportunityId!));
    await setStatus(0, 'won');
    await setStatus(1, 'won');
    await setStatus(2, 'lost');

    const rate = await sales.get('/api/v1/renewals/rate', { from: '2033-01-01', to: '2033-12-31' });
    expect(rate.status).toBe(200);
    const row = rate.body.find((r: { key: string }) => r.key === line);
    // won ÷ (won + lost) = 2 ÷ 3 = 66.666… → 66.7; amounts exact.
    expect(row).toMatchObject({
      raised: 4,
      won: 2,
      lost: 1,
      open: 1,
      rate: '66.7',
      wonAmount: '30.30',
      previousAmount: '101.00',
    });
    const report = await sales.get('/api/v1/reports/renewals', { from: '2033-01-01', to: '2033-12-31' });
    expect(report.status).toBe(200);
    const reportRow = report.body.tables[0].rows.find((r: { key: string }) => r.key === line);
    expect(reportRow.cells).toMatchObject({ raised: 4, won: 2, lost: 1, rate: '66.7', wonAmount: '30.30' });
    expect(reportRow.drill.lost).toEqual({
      path: '/renewals',
      query: { dueFrom: '2033-01-01', dueTo: '2033-12-31', businessLineId: line, state: 'lost' },
    });

    const list = await sales.get('/api/v1/renewals', { state: 'lost', customerId: c.id });
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual([rows[2].id]);
    expect(list.body.items[0]).toMatchObject({ lessonFlagged: true, lostReason: '价格' });
    await runRenewals(ctx(), { asOf: '2033-01-21' });
    await runRenewals(ctx(), { asOf: '2033-01-21' });
    const [flagged] = await mine([made[2].id]);
    expect(flagged.lessonFlaggedAt).not.toBeNull();
    const asked = await db
      .select()
      .from(notifications)
      .where(and(eq(notifications.kind, 'renewal-lesson'), eq(notifications.entityId, rows[2].opportunityId!)));
    expect(asked).toHaveLength(1);

    // Today: my open renewals, the nearest season first.
    const today = await sales.get('/api/v1/today');
    expect(today.body.renewals.length).toBeGreaterThan(0);
    const seasons = today.body.renewals.map((r: { dueOn: string }) => r.dueOn);
    expect(seasons).toEqual([...seasons].sort());
    expect(today.body.renewals.every((r: { state: string }) => r.state === 'raised')).toBe(true);
  });

  it('lists the seasons due with the day they will be raised', async () => {
    const c = await customer();
    const [service] = await db
      .insert(customerServices)
      .values({ customerId: c.id, businessLineId: line, cycle: 'annual', nextDueOn: sql`(current_date + 40)` as never })
      .returning({ id: customerServices.id, nextDueOn: customerServices.nextDueOn });
    const due = await sales.get('/api/v1/renewals/due', { days: 60, businessLineId: line, pageSize: 100 });
    expect(due.status).toBe(200);
    const item = due.body.items.find((d: { sourceId: string }) => d.sourceId === service.id);
    const raiseOn = new Date(`${service.nextDueOn}T00:00:00Z`);
    raiseOn.setUTCDate(raiseOn.getUTCDate() - 30);
    expect(item).toMatchObject({
      source: 'service',
      dueOn: service.nextDueOn,
      raiseOn: raiseOn.toISOString().slice(0, 10),
    });
  });
});
