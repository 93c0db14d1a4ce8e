import { and, eq, isNull } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildOpportunity, signedIn } from '../../test/factories';
import { createTestApp, type Client, type TestApp } from '../../test/harness';
import { businessLines } from '../staff/staff.tables';
import { opportunities, pipelineStages, quotes } from './opportunities.tables';
import { fromHundredths, lineAmount, toHundredths } from './quotes.service';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

type Seller = Awaited<ReturnType<typeof signedIn>>;

/** An opportunity of `seller` (first stage of the default pipeline), won or lost straight in the table when asked. */
async function makeOpportunity(seller: Seller, options: { status?: 'won' | 'lost' } = {}) {
  const opp = await buildOpportunity(t, { ownerId: seller.user.id });
  if (options.status) {
    const [stage] = await t.database.db
      .select()
      .from(pipelineStages)
      .where(and(isNull(pipelineStages.businessLineId), eq(pipelineStages.kind, options.status)));
    await t.database.db
      .update(opportunities)
      .set({ status: options.status, stageId: stage.id, closedAt: new Date() })
      .where(eq(opportunities.id, opp.id));
  }
  return opp;
}

const url = (id: string) => `/api/v1/opportunities/${id}/quotes`;

describe('quotes', () => {
  it('versions quotes 1, 2, 3 per opportunity with exact amounts and totals, newest first', async () => {
    const seller = await signedIn(t);
    const opp = await makeOpportunity(seller);
    const v1 = await seller.client.post(url(opp.id), {
      validUntil: '2026-12-31',
      notes: '含差旅',
      items: [
        { description: '年报审计', quantity: '3', unitPrice: '33.33' },
        { description: '差旅', unitPrice: '0.10' },
        { description: '资料', quantity: '1', unitPrice: '0.2' },
      ],
    });
    expect(v1.status).toBe(201);
    expect(v1.body).toMatchObject({
      version: 1,
      status: 'draft',
      total: '100.29',
      validUntil: '2026-12-31',
      notes: '含差旅',
      createdBy: seller.user.id,
      createdByName: seller.user.displayName,
    });
    expect(
      v1.body.items.map((i: { quantity: string; unitPrice: string; amount: string }) => [
        i.quantity,
        i.unitPrice,
        i.amount,
      ]),
    ).toEqual([
      ['3.00', '33.33', '99.99'],
      ['1.00', '0.10', '0.10'],
      ['1.00', '0.20', '0.20'],
    ]);
    // 1.5 × 0.05 = 0.075 → 0.08 (half up); 0.33 × 100000.01 = 33000.0033 → 33000.00.
    const v2 = await seller.client.post(url(opp.id), {
      items: [{ description: '咨询', quantity: '1.5', unitPrice: '0.05' }],
    });
    expect(v2.body).toMatchObject({ version: 2, total: '0.08' });
    const line = (await buildBusinessLine(t.database.db)).id;
    const v3 = await seller.client.post(url(opp.id), {
      items: [
        { description: '月度记账', quantity: '12', unitPrice: '12500', businessLineId: line },
        { description: '专项', quantity: '0.33', unitPrice: '100000.01' },
      ],
    });
    expect(v3.body).toMatchObject({ version: 3, total: '183000.00' });
    expect(v3.body.items[0]).toMatchObject({ position: 0, businessLineId: line, amount: '150000.00' });

    const list = await seller.client.get(url(opp.id));
    expect(list.status).toBe(200);
    expect(list.body.map((q: { version: number; total: string }) => [q.version, q.total])).toEqual([
      [3, '183000.00'],
      [2, '0.08'],
      [1, '100.29'],
    ]);
    // Another opportunity starts again at 1.
    const other = await makeOpportunity(seller);
    expect(
      (await seller.client.post(url(other.id), { items: [{ description: '审计', unitPrice: '1' }] })).body.version,
    ).toBe(1);
    const audit = await admin.get('/api/v1/audit-logs', { entityType: 'quote', entityId: v1.body.id });
    expect(audit.body.items[0]).toMatchObject({ action: 'create', actorId: seller.user.id });
  });

  it('gives two quotes created at the same moment versions 1 and 2', async () => {
    const seller = await signedIn(t);
    const opp = await makeOpportunity(seller);
    const [a, b] = await Promise.all([
      seller.client.post(url(opp.id), { items: [{ description: 'A', unitPrice: '100' }] }),
      seller.client.post(url(opp.id), { items: [{ description: 'B', unitPrice: '200' }] }),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect([a.body.version, b.body.version].sort()).toEqual([1, 2]);
  });

  it('keeps one accepted quote at a time and leaves the opportunity alone', async () => {
    const seller = await signedIn(t);
    const opp = await makeOpportunity(seller);
    const [before] = await t.database.db.select().from(opportunities).where(eq(opportunities.id, opp.id));
    const v1 = (await seller.client.post(url(opp.id), { items: [{ description: 'A', unitPrice: '100' }] })).body;
    const v2 = (await seller.client.post(url(opp.id), { items: [{ description: 'B', unitPrice: '200' }] })).body;
    const sent = await seller.client.patch(`${url(opp.id)}/${v1.id}`, { status: 'sent' });
    expect(sent.body.status).toBe('sent');
    expect((await seller.client.patch(`${url(opp.id)}/${v1.id}`, { status: 'accepted' })).body.status).toBe('accepted');
    expect((await seller.client.patch(`${url(opp.id)}/${v2.id}`, { status: 'accepted' })).body.status).toBe('accepted');
    const list = (await seller.client.get(url(opp.id))).body;
    expect(list.map((q: { version: number; status: string }) => [q.version, q.status])).toEqual([
      [2, 'accepted'],
      [1, 'rejected'],
    ]);
    const [after] = await t.database.db.select().from(opportunities).where(eq(opportunities.id, opp.id));
    expect(after.expectedAmount).toBeNull();
    expect(after.updatedAt).toEqual(before.updatedAt);
    const audit = await admin.get('/api/v1/audit-logs', { entityType: 'quote', entityId: v1.id, action: 'status' });
    expect(audit.body.items.map((e: { after: { status: string } }) => e.after.status)).toEqual([
      'rejected',
      'accepted',
      'sent',
    ]);

    const bad = await seller.client.patch(`${url(opp.id)}/${v1.id}`, { status: 'signed' });
    expect(bad.status).toBe(400);
    // A quote of another opportunity is not found under this one.
    const other = await makeOpportunity(seller);
    expect((await seller.client.patch(`${url(other.id)}/${v1.id}`, { status: 'sent' })).status).toBe(404);
  });

  it('refuses quotes on a won or lost opportunity', async () => {
    const seller = await signedIn(t);
    for (const status of ['won', 'lost'] as const) {
      const opp = await makeOpportunity(seller, { status });
      const res = await seller.client.post(url(opp.id), { items: [{ description: 'A', unitPrice: '100' }] });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('OPPORTUNITY_CLOSED');
      expect(res.body.error.message).toContain(status === 'won' ? '赢单' : '输单');
      expect((await seller.client.get(url(opp.id))).body).toEqual([]);
    }
  });

  it('refuses bad input, changing nothing', async () => {
    const seller = await signedIn(t);
    const opp = await makeOpportunity(seller);
    const noItems = await seller.client.post(url(opp.id), { items: [] });
    expect(noItems.status).toBe(400);
    const float = await seller.client.post(url(opp.id), { items: [{ description: 'A', unitPrice: 100.5 }] });
    expect(float.status).toBe(400);
    const thirdDecimal = await seller.client.post(url(opp.id), {
      items: [{ description: 'A', quantity: '1.005', unitPrice: '1' }],
    });
    expect(thirdDecimal.body.error.details.issues[0]).toMatchObject({
      path: 'body.items.0.quantity',
      message: '请输入数量，最多两位小数',
    });
    const huge = await seller.client.post(url(opp.id), {
      items: [{ description: 'A', quantity: '1000', unitPrice: '999999999999' }],
    });
    expect(huge.status).toBe(400);
    expect(huge.body.error.details.issues[0]).toMatchObject({
      path: 'body.items.0.quantity',
      message: '金额不能超过 999999999999.99',
    });
    const sum = await seller.client.post(url(opp.id), {
      items: [
        { description: 'A', unitPrice: '600000000000' },
        { description: 'B', unitPrice: '600000000000' },
      ],
    });
    expect(sum.body.error.details.issues[0].path).toBe('body.items');
    const retired = await buildBusinessLine(t.database.db);
    await t.database.db.update(businessLines).set({ active: false }).where(eq(businessLines.id, retired.id));
    const inactive = await seller.client.post(url(opp.id), {
      items: [{ description: 'A', unitPrice: '1', businessLineId: retired.id }],
    });
    expect(inactive.status).toBe(400);
    expect(inactive.body.error.code).toBe('INACTIVE_REFERENCE');
    expect((await t.database.db.select().from(quotes).where(eq(quotes.opportunityId, opp.id))).length).toBe(0);
  });

  it('shows and changes quotes only for those who may see and change the opportunity', async () => {
    const seller = await signedIn(t);
    const opp = await makeOpportunity(seller);
    const quote = (await seller.client.post(url(opp.id), { items: [{ description: 'A', unitPrice: '100' }] })).body;
    const { client: stranger } = await signedIn(t);
    expect((await stranger.get(url(opp.id))).status).toBe(404);
    expect((await stranger.post(url(opp.id), { items: [{ description: 'A', unitPrice: '1' }] })).status).toBe(404);
    expect((await stranger.patch(`${url(opp.id)}/${quote.id}`, { status: 'accepted' })).status).toBe(404);
    // Finance reads every opportunity but quotes none.
    const { client: finance } = await signedIn(t, { roleCode: 'finance' });
    expect((await finance.get(url(opp.id))).body).toHaveLength(1);
    expect((await finance.post(url(opp.id), { items: [{ description: 'A', unitPrice: '1' }] })).status).toBe(403);
    // The owner's department manager may quote.
    const { client: manager } = await signedIn(t, { roleCode: 'manager', departmentId: seller.user.departmentId });
    expect((await manager.post(url(opp.id), { items: [{ description: 'B', unitPrice: '2' }] })).body.version).toBe(2);
    expect((await t.anon.get(url(opp.id))).status).toBe(401);
  });

  it('computes line amounts as exact decimal arithmetic would (property)', () => {
    const decimal = (maxWhole: number) =>
      fc
        .tuple(fc.integer({ min: 0, max: maxWhole }), fc.integer({ min: 0, max: 99 }))
        .map(([w, f]) => `${w}.${String(f).padStart(2, '0')}`);
    fc.assert(
      fc.property(decimal(10_000_000), decimal(10_000_000), (quantity, price) => {
        // Reference: the product of the two decimals in 1/10,000, rounded half up to hundredths.
        const exact = BigInt(quantity.replace('.', '')) * BigInt(price.replace('.', ''));
        const expected = exact / 100n + (exact % 100n >= 50n ? 1n : 0n);
        expect(lineAmount(quantity, price)).toBe(expected);
        expect(toHundredths(fromHundredths(expected))).toBe(expected);
      }),
    );
  });
});
