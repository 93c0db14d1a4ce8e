import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn } from '../../test/factories';
import { Client, createTestApp, secondInstanceDatabase, type TestApp } from '../../test/harness';
import { buildContract, cents, money, termsOf, today, type Built } from './fixtures';
import { receiptAllocations, receipts } from './receivables.tables';

/**
 * Finance staff writing at the same moment over two app instances on one database: on PostgreSQL each instance
 * has its own pool, so the requests really run in parallel and meet at the receipt's and the terms' row locks.
 */

let t: TestApp;
let t2: TestApp;
let closeSecond: () => Promise<void>;
let clerks: Client[];
beforeAll(async () => {
  t = await createTestApp();
  const second = await secondInstanceDatabase(t.database);
  closeSecond = second.close;
  t2 = await createTestApp({ database: second.database });
  const a = (await signedIn(t, { roleCode: 'finance' })).client;
  const b = (await signedIn(t, { roleCode: 'finance' })).client;
  // Each of the two people on each instance.
  clerks = [a, b, onSecond(a), onSecond(b)];
});
afterAll(async () => {
  await t2.close();
  await closeSecond();
  await t.close();
});

const onSecond = (client: Client) => new Client(t2.app, client.cookie, client.csrfToken, client.me);
const db = () => t.database.db;

/** No term was overpaid, and each term's `received` is what the valid receipts gave it. */
async function consistent(contract: Built) {
  for (const term of await termsOf(db(), contract)) {
    expect(cents(term.received)).toBeLessThanOrEqual(cents(term.amount));
    const given = await db()
      .select({ amount: receiptAllocations.amount })
      .from(receiptAllocations)
      .innerJoin(receipts, eq(receipts.id, receiptAllocations.receiptId))
      .where(and(eq(receiptAllocations.termId, term.id), eq(receipts.status, 'valid')));
    expect(money(given.reduce((n, g) => n + cents(g.amount), 0n))).toBe(term.received);
  }
}

const record = (client: Client, contract: Built, body: Record<string, unknown>) =>
  client.post('/api/v1/receipts', {
    contractId: contract.id,
    receivedOn: today(),
    payer: '西安华达科技有限公司',
    ...body,
  });

describe('finance staff at the same moment', () => {
  it('allocating one receipt’s credit 8 times at once on two instances: one result, a clear 409 for the others, nothing half-written', async () => {
    const contract = await buildContract(db(), [
      { amount: '1000.00', due: -10 },
      { amount: '1000.00', due: null },
      { amount: '1000.00', due: null },
    ]);
    const held = await record(clerks[0], contract, {
      amount: '1500.00',
      allocation: [{ termId: contract.terms[0].id, amount: '500.00' }],
      holdExcess: true,
    });
    expect(held.status, JSON.stringify(held.body)).toBe(201);
    expect(held.body.unallocated).toBe('1000.00');
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        clerks[i % 4].post(`/api/v1/receipts/${held.body.id}/allocate`, { allocation: 'auto', unallocated: '1000.00' }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(7).fill(409)]);
    for (const refused of answers.filter((a) => a.status === 409))
      expect(refused.body.error).toMatchObject({
        code: 'RECEIPT_CHANGED',
        message: '该到款刚被他人处理过（现未分配余额 ¥0.00），请刷新后重试',
      });
    // Oldest due first: 500 finishes the first term, 500 to the second.
    expect((await termsOf(db(), contract)).map((s) => s.received)).toEqual(['1000.00', '500.00', '0.00']);
    const [stored] = await db().select().from(receipts).where(eq(receipts.id, held.body.id));
    expect(stored.unallocated).toBe('0.00');
    await consistent(contract);
  });

  it('8 receipts of ¥2,000 at once against ¥10,000 outstanding: 5 recorded, 3 refused as more than is outstanding, never overpaid', async () => {
    const contract = await buildContract(db(), [
      { amount: '3000.00', due: -40 },
      { amount: '3000.00', due: -20 },
      { amount: '4000.00', due: null },
    ]);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => record(clerks[i % 4], contract, { amount: '2000.00' })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 201, 201, 201, 400, 400, 400]);
    expect(new Set(answers.filter((a) => a.status === 400).map((a) => a.body.error.code))).toEqual(
      new Set(['RECEIPT_EXCEEDS_OUTSTANDING']),
    );
    expect((await termsOf(db(), contract)).map((s) => s.received)).toEqual(['3000.00', '3000.00', '4000.00']);
    expect(await db().select().from(receipts).where(eq(receipts.contractId, contract.id))).toHaveLength(5);
    await consistent(contract);
  });

  it('a reversal and an allocation of the same receipt at once: one waits for the other, and the terms add up either way', async () => {
    const contract = await buildContract(db(), [
      { amount: '1000.00', due: -10 },
      { amount: '1000.00', due: -5 },
    ]);
    const held = await record(clerks[0], contract, {
      amount: '1200.00',
      allocation: [{ termId: contract.terms[0].id, amount: '400.00' }],
      holdExcess: true,
    });
    const [reverse, allocate] = await Promise.all([
      clerks[1].post(`/api/v1/receipts/${held.body.id}/reverse`, { reason: '重复登记' }),
      clerks[2].post(`/api/v1/receipts/${held.body.id}/allocate`, { allocation: 'auto', unallocated: '800.00' }),
    ]);
    expect(reverse.status).toBe(200);
    expect([200, 409]).toContain(allocate.status);
    if (allocate.status === 409) expect(allocate.body.error.code).toBe('RECEIPT_REVERSED');
    // Reversed in the end, whatever came first: nothing stays on the terms.
    expect((await termsOf(db(), contract)).map((s) => s.received)).toEqual(['0.00', '0.00']);
    await consistent(contract);
  });
});
