import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../context';
import { signedIn } from '../../test/factories';
import { createTestApp, secondInstanceDatabase, until, type TestApp } from '../../test/harness';
import { customers } from '../customers/customers.tables';
import { notifications } from '../notifications/notifications.tables';
import { buildContract, buildOrder, day, today } from '../receivables/fixtures';
import { paymentTerms } from './contracts.tables';
import { remindAllDueTerms, remindDueTerms } from './term-reminders';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ workers: ['rule.term-reminders'] });
});
afterAll(() => t.close());

const db = () => t.database.db;
const system = () => ({ db: db(), jobs: t.app.jobs });

/** The payment reminders a user got about a contract or order. */
const remindersOf = (userId: string, entityId: string) =>
  db()
    .select({ kind: notifications.kind, params: notifications.params })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.entityId, entityId)));

describe('payment-term reminders 付款提醒', () => {
  it('remind the owner and finance of terms due today and overdue ones, exactly once — however many runs and instances', async () => {
    const seller = await signedIn(t);
    const finance = await signedIn(t, { roleCode: 'finance' });
    const contract = await buildContract(
      db(),
      [
        { amount: '5000.00', due: 0 },
        { amount: '3000.00', due: -20, received: '1000.00' },
        { amount: '2000.00', due: -5, received: '2000.00' },
        { amount: '1000.00', due: 3 },
        { amount: '4000.00', due: null },
      ],
      { ownerId: seller.user.id, number: null },
    );
    const voided = await buildContract(db(), [{ amount: '10.00', due: 0 }], {
      ownerId: seller.user.id,
      status: 'voided',
    });
    const draftOrder = await buildOrder(db(), [{ amount: '10.00', due: -1 }], {
      ownerId: seller.user.id,
      status: 'draft',
    });

    // Two instances at once, then again: each term once.
    const second = await secondInstanceDatabase(t.database);
    try {
      await Promise.all([
        remindAllDueTerms(system(), { batch: 3 }),
        remindAllDueTerms({ db: second.database.db, jobs: t.app.jobs }, { batch: 3 }),
      ]);
    } finally {
      await second.close();
    }
    await remindAllDueTerms(system());
    for (const user of [seller.user.id, finance.user.id]) {
      const got = await remindersOf(user, contract.id);
      expect(got.map((n) => n.kind).sort()).toEqual(['payment-due', 'payment-overdue']);
      expect(got.find((n) => n.kind === 'payment-overdue')!.params).toMatchObject({
        position: 2,
        outstanding: '2000.00',
        dueOn: day(-20),
        subject: contract.title,
      });
      expect(await remindersOf(user, voided.id)).toEqual([]);
      expect(await remindersOf(user, draftOrder.id)).toEqual([]);
    }
    const stored = await db()
      .select({ position: paymentTerms.position, remindedFor: paymentTerms.remindedFor })
      .from(paymentTerms)
      .where(eq(paymentTerms.contractId, contract.id));
    expect(stored.sort((a, b) => a.position - b.position).map((s) => s.remindedFor)).toEqual([
      today(),
      day(-20),
      null,
      null,
      null,
    ]);
    const bell = await seller.client.get('/api/v1/notifications');
    const messages = bell.body.items.map((n: { message: string }) => n.message);
    expect(messages).toContain(
      `今日到期应收：${await customerName(contract.customerId)}「${contract.title}」第 1 期，未收 ¥5000.00`,
    );
  });

  it('reminds again when the due date moves, and not at all when the transaction that would have told rolls back', async () => {
    const seller = await signedIn(t);
    const order = await buildOrder(db(), [{ amount: '800.00', due: -1 }], { ownerId: seller.user.id });
    await expect(
      inTransaction(system(), async (tx) => {
        expect(await remindDueTerms(tx, { orderId: order.id })).toBe(1);
        throw new Error('the job failed after notifying');
      }),
    ).rejects.toThrow('the job failed');
    expect(await remindersOf(seller.user.id, order.id)).toEqual([]);
    expect(await inTransaction(system(), (tx) => remindDueTerms(tx, { orderId: order.id }))).toBe(1);
    expect(await inTransaction(system(), (tx) => remindDueTerms(tx, { orderId: order.id }))).toBe(0);
    await db().update(paymentTerms).set({ dueOn: today() }).where(eq(paymentTerms.id, order.terms[0].id));
    expect(await inTransaction(system(), (tx) => remindDueTerms(tx, { orderId: order.id }))).toBe(1);
    expect((await remindersOf(seller.user.id, order.id)).map((n) => n.kind).sort()).toEqual([
      'payment-due',
      'payment-overdue',
    ]);
  });

  it('a completion reminds at once of the final payment it makes due, of that contract only (what the contracts domain calls)', async () => {
    const seller = await signedIn(t);
    const contract = await buildContract(
      db(),
      [
        { amount: '5000.00', due: -30, received: '5000.00' },
        { amount: '5000.00', due: null, kind: 'final', trigger: 'completion' },
      ],
      { ownerId: seller.user.id, status: 'in-progress' },
    );
    const other = await buildContract(db(), [{ amount: '1.00', due: -2 }], { ownerId: seller.user.id });
    const reminded = await inTransaction(system(), async (tx) => {
      // As the contracts service completes it: the status, the final term's due date, then the reminder.
      await tx.db
        .update(paymentTerms)
        .set({ dueOn: today() })
        .where(inArray(paymentTerms.id, [contract.terms[1].id]));
      return remindDueTerms(tx, { contractId: contract.id });
    });
    expect(reminded).toBe(1);
    expect(await remindersOf(seller.user.id, contract.id)).toEqual([
      expect.objectContaining({
        kind: 'payment-due',
        params: expect.objectContaining({ position: 2, outstanding: '5000.00' }),
      }),
    ]);
    expect(await remindersOf(seller.user.id, other.id)).toEqual([]);
  });

  it('runs as the daily job through the queue', async () => {
    const seller = await signedIn(t);
    const contract = await buildContract(db(), [{ amount: '321.00', due: -2 }], { ownerId: seller.user.id });
    await t.app.jobs.send(db(), 'rule.term-reminders', {});
    await until(async () => (await remindersOf(seller.user.id, contract.id)).length === 1, 20_000, 'the daily job');
  });
});

async function customerName(id: string) {
  const [row] = await db().select({ name: customers.name }).from(customers).where(eq(customers.id, id));
  return row.name;
}
