import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dashboard } from '../../../common/schemas/dashboard';
import type { Opportunity } from '../../../common/schemas/opportunities';
import type { Db } from '../../db/client';
import { addDays } from '../../lib/time';
import {
  buildBusinessLine,
  buildDepartment,
  buildOpportunity,
  setDepartmentManager,
  signedIn,
} from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { activities } from '../activities/activities.tables';
import { opportunities } from '../opportunities/opportunities.tables';
import { orders } from '../contracts/contracts.tables';
import { engagementTasks } from '../engagements/engagements.tables';
import { buildOrderWithLines, buildTemplate } from '../engagements/fixtures';
import { buildContract, buildOrder, day, today } from '../receivables/fixtures';
import { receipts } from '../receivables/receivables.tables';

/**
 * The start page per role: each section present only with its grants, its figures added up here from the rows
 * this test makes (in fen). Sections over the whole firm (partners, finance) are read before and after the rows are
 * made, and the difference is what the rows add (the PostgreSQL test database is shared).
 */
let t: TestApp;
let db: Db;

const fen = (money: string) => {
  const [whole, fraction = ''] = money.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
};
const money = (cents: bigint) => `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
const diff = (after: string, before: string) => money(fen(after) - fen(before));

/**
 * Runs `check` — read the firm-wide figures, make rows, read them again, compare — until a try is not disturbed: on
 * PostgreSQL the test database is shared, and the files running beside this one now and then add deals, orders or
 * receipts of their own between the two reads (a pipeline grew by 5 deals instead of 1). Each try makes its rows
 * anew; a check that fails every time fails the test with its last error.
 */
async function undisturbed(check: (attempt: number) => Promise<void>, tries = 4): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await check(attempt);
    } catch (error) {
      if (attempt >= tries) throw error;
    }
  }
}

const dashboard = async (client: Client): Promise<Dashboard> => {
  const res = await client.get('/api/v1/dashboard');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

/** The Monday of today's week (firm's zone). */
function monday(): string {
  const date = today();
  return addDays(date, -((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7));
}

async function receipt(spec: { customerId: string; orderId: string; amount: string; on: string; reversed?: boolean }) {
  await db.insert(receipts).values({
    customerId: spec.customerId,
    orderId: spec.orderId,
    receivedOn: spec.on,
    amount: spec.amount,
    unallocated: spec.amount,
    payer: uniq('付款人'),
    status: spec.reversed ? 'reversed' : 'valid',
  });
}

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db;
});
afterAll(() => t.close());

describe('the start page per role', () => {
  it('gives each role its sections and no other', async () => {
    const roles = ['executive', 'manager', 'salesperson', 'finance', 'staff'] as const;
    const answers = await Promise.all(
      roles.map(async (roleCode) => dashboard((await signedIn(t, { roleCode })).client)),
    );
    const present = (d: Dashboard) =>
      (['firm', 'team', 'sales', 'finance', 'work'] as const).filter((key) => d[key] !== null);
    expect(answers.map(present)).toEqual([['firm'], ['team'], ['sales'], ['finance'], ['work']]);
    // 知识积累 is measured (its figures are worked out in knowledge/related.test.ts).
    expect(answers[0].firm!.indicators.knowledge).toEqual({
      written: expect.any(Number),
      closedDeals: expect.any(Number),
      lessons: expect.any(Number),
      lessonShare: answers[0].firm!.indicators.knowledge.closedDeals > 0 ? expect.any(String) : null,
      reads: expect.any(Number),
      usefulMarks: expect.any(Number),
      stale: expect.any(Number),
    });
    expect((await t.anon.get('/api/v1/dashboard')).status).toBe(401);
  });

  it('gives a salesperson his month: orders, receipts (a reversal not counted), open pipeline, activities done', async () => {
    const seller = await signedIn(t, { roleCode: 'salesperson' });
    const me = seller.user.id;
    const first = `${today().slice(0, 7)}-01`;
    const a = await buildOrder(db, [{ amount: '12000.50', due: 10 }], { ownerId: me });
    const b = await buildOrder(db, [{ amount: '3000.25', due: 10 }], { ownerId: me });
    const old = await buildOrder(db, [{ amount: '99999', due: 10 }], { ownerId: me });
    const draft = await buildOrder(db, [{ amount: '5000', due: 10 }], { ownerId: me, status: 'draft' });
    await db.update(orders).set({ confirmedOn: today() }).where(eq(orders.id, a.id));
    await db
      .update(orders)
      .set({ confirmedOn: first })
      .where(inArray(orders.id, [b.id, draft.id]));
    await db
      .update(orders)
      .set({ confirmedOn: addDays(first, -1) })
      .where(eq(orders.id, old.id));
    await receipt({ customerId: a.customerId, orderId: a.id, amount: '2000.10', on: first });
    await receipt({ customerId: a.customerId, orderId: a.id, amount: '700', on: today(), reversed: true });
    await receipt({ customerId: old.customerId, orderId: old.id, amount: '800', on: addDays(first, -1) });
    const o1 = await buildOpportunity(t, { ownerId: me, expectedAmount: '10000.00' });
    const o2 = await buildOpportunity(t, { ownerId: me, expectedAmount: '2500.50' });
    const weighted = (o: typeof o1) => (fen(o.expectedAmount!) * BigInt(o.probability)) / 100n;
    const done = (doneAt: Date) => ({
      ownerId: me,
      category: 'call',
      subject: uniq('电话'),
      status: 'done' as const,
      doneAt,
      customerId: a.customerId,
    });
    await db
      .insert(activities)
      .values([done(new Date()), done(new Date(Date.parse(`${first}T00:00:00+08:00`) - 1000))]);

    const { sales } = await dashboard(seller.client);
    expect(sales).toMatchObject({
      from: first,
      orders: { count: 2, amount: money(fen('12000.50') + fen('3000.25')) },
      receipts: '2000.10',
      pipeline: {
        count: 2,
        amount: money(fen('10000.00') + fen('2500.50')),
        weighted: money(weighted(o1) + weighted(o2)),
      },
      activitiesDone: 1,
    });
  });

  it('gives a manager his team: pipeline, overdue activities, workload this week; and a staff member his work', async () => {
    const department = await buildDepartment(db, { name: uniq('审计二部') });
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
    await setDepartmentManager(db, department.id, manager.user.id);
    const seller = await signedIn(t, { roleCode: 'salesperson', departmentId: department.id });
    const staffer = await signedIn(t, { roleCode: 'staff', departmentId: department.id });
    const outsider = await signedIn(t, { roleCode: 'salesperson' });
    const mine = await buildOpportunity(t, { ownerId: seller.user.id, expectedAmount: '8000' });
    await buildOpportunity(t, { ownerId: outsider.user.id, expectedAmount: '70000' });
    const planned = (ownerId: string, dueAt: Date) => ({
      ownerId,
      category: 'call',
      subject: uniq('拜访'),
      status: 'planned' as const,
      dueAt,
      opportunityId: mine.id,
    });
    const yesterday = new Date(Date.now() - 86_400_000 - 60_000);
    await db
      .insert(activities)
      .values([
        planned(seller.user.id, yesterday),
        planned(seller.user.id, new Date(Date.now() + 2 * 86_400_000)),
        planned(outsider.user.id, yesterday),
      ]);
    // The staff member logs 3.5 hours on Monday and has two open work orders (one done besides).
    const week = monday();
    const logged = await staffer.client.put(`/api/v1/timesheets/${week}`, {
      rows: [{ category: 'training', hours: { [week]: '3.5' } }],
    });
    expect(logged.status, JSON.stringify(logged.body)).toBe(200);
    const line = await buildBusinessLine(db, { name: uniq('审计') });
    await buildTemplate(db, line.id);
    const order = await buildOrderWithLines(
      db,
      [{ businessLineId: line.id, description: '年报审计', amount: '30000' }],
      {
        ownerId: manager.user.id,
      },
    );
    const made = await manager.client.post('/api/v1/engagements', {
      orderId: order.id,
      leadId: manager.user.id,
      startsOn: addDays(today(), -10),
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const tasks = await db
      .select({ id: engagementTasks.id })
      .from(engagementTasks)
      .where(eq(engagementTasks.engagementId, made.body.items[0].id));
    await db
      .update(engagementTasks)
      .set({ assigneeId: staffer.user.id })
      .where(inArray(engagementTasks.id, [tasks[0].id, tasks[1].id, tasks[2].id]));
    await db.update(engagementTasks).set({ status: 'done' }).where(eq(engagementTasks.id, tasks[2].id));

    const { team } = await dashboard(manager.client);
    expect(team).toMatchObject({
      pipeline: { count: 1, amount: '8000.00' },
      overdueActivities: 1,
      weekStart: week,
      // Those who do engagement work in his department: himself and the staff member, 40 hours each.
      workload: { hours: '3.5', capacity: '80', people: 2 },
    });
    const { work } = await dashboard(staffer.client);
    expect(work).toEqual({ openWorkOrders: 2, weekStart: week, hoursThisWeek: '3.5' });
  });

  it('gives finance what to record, what falls due, what is overdue', async () => {
    const finance = (await signedIn(t, { roleCode: 'finance' })).client;
    await undisturbed(async () => {
      const before = (await dashboard(finance)).finance!;
      await buildContract(db, [
        { amount: '1000.10', due: 3 }, // to record (nothing received) and falling due
        { amount: '2000', due: 20, received: '500' }, // falling due (1500 outstanding)
        { amount: '400.40', due: -40, received: '100' }, // overdue 300.40
        { amount: '600', due: 60 }, // later
      ]);
      await buildContract(db, [{ amount: '800', due: 5 }], { status: 'draft' }); // not receivable
      const after = (await dashboard(finance)).finance!;
      expect(after.toRecord.count - before.toRecord.count).toBe(1);
      expect(diff(after.toRecord.amount, before.toRecord.amount)).toBe('1000.10');
      expect(after.fallingDue.count - before.fallingDue.count).toBe(2);
      expect(diff(after.fallingDue.amount, before.fallingDue.amount)).toBe('2500.10');
      expect(diff(after.overdue, before.overdue)).toBe('300.40');
      expect(after.commissionSheets).toBeGreaterThanOrEqual(0);
    });
  });

  it('gives a partner the year against the last, the pipeline, receivables over 90 days and the big deals', async () => {
    const exec = (await signedIn(t, { roleCode: 'executive' })).client;
    const seller = await signedIn(t, { roleCode: 'salesperson' });
    await undisturbed(async (attempt) => {
      const before = (await dashboard(exec)).firm!;
      const now = await buildOrder(db, [{ amount: '4321.09', due: -100 }], { ownerId: seller.user.id });
      const then = await buildOrder(db, [{ amount: '1234.56', due: 10 }], { ownerId: seller.user.id });
      await db.update(orders).set({ confirmedOn: before.from }).where(eq(orders.id, now.id));
      await db.update(orders).set({ confirmedOn: before.prevTo }).where(eq(orders.id, then.id));
      await receipt({ customerId: now.customerId, orderId: now.id, amount: '321.09', on: before.to });
      await receipt({ customerId: then.customerId, orderId: then.id, amount: '34.56', on: before.prevFrom });
      // (Larger on each try, so that this try's is the largest.)
      const bigAmount = `${987654320 + attempt}.00`;
      const big = await buildOpportunity(t, { ownerId: seller.user.id, expectedAmount: bigAmount });

      const after = (await dashboard(exec)).firm!;
      expect(after.orders.count - before.orders.count).toBe(1);
      expect(diff(after.orders.amount, before.orders.amount)).toBe('4321.09');
      expect(after.prevOrders.count - before.prevOrders.count).toBe(1);
      expect(diff(after.prevOrders.amount, before.prevOrders.amount)).toBe('1234.56');
      expect(diff(after.receipts, before.receipts)).toBe('321.09');
      expect(diff(after.prevReceipts, before.prevReceipts)).toBe('34.56');
      expect(after.pipeline.count - before.pipeline.count).toBe(1);
      expect(diff(after.pipeline.amount, before.pipeline.amount)).toBe(bigAmount);
      // The receipt is not allocated to the term: the term is still 4321.09 outstanding, 100 days past due.
      expect(diff(after.overdue90, before.overdue90)).toBe('4321.09');
      expect(after.bigDeals[0]).toMatchObject({ id: big.id, amount: bigAmount, ownerName: seller.user.displayName });
      expect(after.bigDeals.length).toBeLessThanOrEqual(5);
      expect(after.indicators.knowledge.written).toBeGreaterThanOrEqual(0);
      expect(after.prevFrom).toBe(`${Number(before.from.slice(0, 4)) - 1}-01-01`);
      expect(day(0)).toBe(after.to);
    });
  });

  it('gives a partner the receivables over 90 days as the 应收账款 page ages them, the day 90 not yet counted', async () => {
    const exec = (await signedIn(t, { roleCode: 'executive' })).client;
    const agedOver90 = async () => {
      const res = await exec.get('/api/v1/receivables', { pageSize: 1 });
      expect(res.status).toBe(200);
      const totals = res.body.totals as Record<string, string>;
      return money(fen(totals['d91-180']) + fen(totals['over-180']));
    };
    await undisturbed(async () => {
      const before = (await dashboard(exec)).firm!;
      expect(before.overdue90).toBe(await agedOver90());
      await buildContract(db, [
        { amount: '1000.01', due: -91 }, // 91 days past due: counted
        { amount: '2000', due: -90 }, // 90 days: the 31-90 bucket, not counted
        { amount: '3000.30', due: -400, received: '1000.10' }, // 2000.20 still open
        { amount: '500', due: -200, received: '500' }, // paid: nothing open
        { amount: '700', due: null }, // no due date yet
      ]);
      await buildContract(db, [{ amount: '9000', due: -300 }], { status: 'draft' }); // not a receivable
      await buildOrder(db, [{ amount: '123.45', due: -181 }]); // an order's term
      await buildOrder(db, [{ amount: '800', due: -181 }], { status: 'draft' }); // not a receivable
      const after = (await dashboard(exec)).firm!;
      expect(diff(after.overdue90, before.overdue90)).toBe(money(fen('1000.01') + fen('2000.20') + fen('123.45')));
      expect(after.overdue90).toBe(await agedOver90());
    });
  });

  it('gives a partner the five largest open deals, largest first, and the whole open pipeline they come from', async () => {
    const exec = (await signedIn(t, { roleCode: 'executive' })).client;
    const seller = await signedIn(t, { roleCode: 'salesperson' });
    await undisturbed(async () => {
      const before = (await dashboard(exec)).firm!;
      // Larger than any open deal so far (the PostgreSQL test database is shared); two of the same amount.
      const base = fen(before.bigDeals[0]?.amount ?? '0') + 100_000n;
      const amounts = [base + 40_000n, base + 30_050n, base + 30_050n, base + 20_000n, base + 19_999n].map(money);
      const made: Opportunity[] = [];
      for (const expectedAmount of [...amounts, money(base)])
        made.push(await buildOpportunity(t, { ownerId: seller.user.id, expectedAmount }));
      const lost = await buildOpportunity(t, { ownerId: seller.user.id, expectedAmount: money(base + 50_000n) });
      await db.update(opportunities).set({ status: 'lost' }).where(eq(opportunities.id, lost.id));

      const after = (await dashboard(exec)).firm!;
      const tied = [made[1].id, made[2].id].sort();
      expect(after.bigDeals.map((d) => d.id)).toEqual([made[0].id, ...tied, made[3].id, made[4].id]);
      expect(after.bigDeals.map((d) => d.amount)).toEqual(amounts);
      expect(after.bigDeals[0]).toMatchObject({
        name: made[0].name,
        customerName: made[0].customerName,
        ownerName: seller.user.displayName,
        stageName: made[0].stageNameZh,
        expectedCloseOn: made[0].expectedCloseOn,
      });
      // The pipeline: the six open ones added, the lost one not.
      const weighted = (o: Opportunity) => (fen(o.expectedAmount!) * BigInt(o.probability) + 50n) / 100n;
      expect(after.pipeline.count - before.pipeline.count).toBe(6);
      expect(diff(after.pipeline.amount, before.pipeline.amount)).toBe(
        money(made.reduce((sum, o) => sum + fen(o.expectedAmount!), 0n)),
      );
      expect(diff(after.pipeline.weighted, before.pipeline.weighted)).toBe(
        money(made.reduce((sum, o) => sum + weighted(o), 0n)),
      );
    });
  });
});
