import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CROSS_SELL_LATER_DAYS } from '../../../common/schemas/cross-sell';
import { inTransaction, type Ctx } from '../../context';
import { insertMany } from '../../db/bulk';
import { FIRM_TIME_ZONE, addDays, localDate } from '../../lib/time';
import { searchTextOf } from '../../lib/search-text';
import { buildBusinessLine, buildRegion, buildUser, signedIn } from '../../test/factories';
import { createTestApp, uniq, until, type Client, type TestApp } from '../../test/harness';
import { contracts, orderLines, orders } from '../contracts/contracts.tables';
import { customerServices, customers } from '../customers/customers.tables';
import { businessLineConflicts, opportunities } from '../opportunities/opportunities.tables';
import { loadActor } from '../staff/actors';
import { users } from '../staff/staff.tables';
import { computeCrossSell } from './compute';
import { crossSellSuggestions } from './cross-sell.tables';
import { findCrossSell } from './cross-sell.service';

/**
 * 交叉销售 against a small hand-made firm whose right answers are worked out below. Every name is unique to this run
 * (PostgreSQL tests share one database): the industry, the lines, the regions — so the groups are ours alone.
 *
 * Lines: A 审计, T 税务咨询, K 代理记账 (K × A: independence), V 评估.
 * Group (IND, medium, R1) — 12 customers, so 11 others ≥ 5: level industry-size-region.
 *   X  buys A (a signed contract) and V (a confirmed order's line); also a T contract completed 7 years ago (too old)
 *      and a draft T contract (not bought).
 *   P1–P4 buy V (order) and K (an active recurring service).
 *   P5–P8 buy A (contract) with an order under it whose lines are V and T.
 *   P9, P10 buy A and T.   P11 buys A only.
 * For X (buys A, V): T — base A: 7 others buy A (P5–P11), 6 of them T (P5–P10) = 85.7 %; base V: 8 (P1–P8), 4 T
 *   = 50 % → T open, 6 of 7, base A. K — base A: none buy K; base V: 8, 4 K (P1–P4) = 50 % ≥ 30 % → but K × A:
 *   excluded by A.
 * For P11 (buys A): T — base A: 7 others (X, P5–P10), 6 T → 6/7; V — base A: 7, V: X, P5–P8 = 5 → 5/7; K: none.
 * Group (IND, small, R1) = Y, Z1, Z2 — too few; (IND, small) adds Z3–Z5 (R2): Y has 5 others → level industry-size.
 *   Y buys A; Z1–Z4 buy A and T, Z5 A only → T: 4 of 5 (80 %), open.
 * W (IND, large, R1) alone; (IND, large) alone → level industry: 18 others (12 + 6). W buys T: similar = the others
 *   buying T = P5–P10, Z1–Z4 = 10; of them A: 10 → A 10/10; V: P5–P8 = 4 → 4/10 = 40 %; K: 0.
 * N has no industry: nothing.
 */

let t: TestApp;
let db: TestApp['database']['db'];
let s1: Awaited<ReturnType<typeof signedIn>>;
let s2: Client;
let admin: Client;
const IND = uniq('制造业');
let L: Record<'A' | 'T' | 'K' | 'V', { id: string; name: string }>;
const C: Record<string, string> = {};
const today = () => localDate(new Date(), FIRM_TIME_ZONE);

const ctxOf = async (userId: string, locale: 'zh-CN' | 'en-US' = 'zh-CN'): Promise<Ctx> => ({
  db,
  actor: { ...(await loadActor(db, userId))!, locale },
  requestId: 'test',
  jobs: t.app.jobs,
});
const recompute = () => inTransaction({ db, jobs: t.app.jobs }, (tx) => computeCrossSell(tx));
const rowsOf = (customer: string) =>
  db.select().from(crossSellSuggestions).where(eq(crossSellSuggestions.customerId, C[customer]));
const suggestion = async (customer: string, line: keyof typeof L) => {
  const [row] = await db
    .select()
    .from(crossSellSuggestions)
    .where(and(eq(crossSellSuggestions.customerId, C[customer]), eq(crossSellSuggestions.businessLineId, L[line].id)));
  return row;
};

beforeAll(async () => {
  t = await createTestApp({ workers: ['cross-sell.compute'] });
  db = t.database.db;
  s1 = await signedIn(t);
  s2 = (await signedIn(t)).client;
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
  const [a, tx, k, v] = await Promise.all(
    ['审计', '税务咨询', '代理记账', '评估'].map((n) => buildBusinessLine(db, { name: uniq(n) })),
  );
  L = { A: a, T: tx, K: k, V: v };
  const [ka, kb] = [L.K.id, L.A.id].sort();
  await db.insert(businessLineConflicts).values({ lineA: ka, lineB: kb });
  const [r1, r2] = [await buildRegion(db), await buildRegion(db)];
  const [owner] = await db.select({ departmentId: users.departmentId }).from(users).where(eq(users.id, s1.user.id));
  const dept = owner.departmentId!;

  const spec: [string, string | null, 'small' | 'medium' | 'large', string][] = [
    ['X', IND, 'medium', r1.id],
    ...['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8', 'P9', 'P10', 'P11'].map(
      (n) => [n, IND, 'medium', r1.id] as [string, string, 'medium', string],
    ),
    ['Y', IND, 'small', r1.id],
    ['Z1', IND, 'small', r1.id],
    ['Z2', IND, 'small', r1.id],
    ['Z3', IND, 'small', r2.id],
    ['Z4', IND, 'small', r2.id],
    ['Z5', IND, 'small', r2.id],
    ['W', IND, 'large', r1.id],
    ['N', null, 'medium', r1.id],
  ];
  for (const [key, industry, size, regionId] of spec) {
    const name = uniq(`交叉客户${key}`);
    const [row] = await db
      .insert(customers)
      .values({
        name,
        industry,
        size,
        regionId,
        ownerId: s1.user.id,
        status: 'customer',
        searchText: searchTextOf([name]),
      })
      .returning({ id: customers.id });
    C[key] = row.id;
  }
  const signed = addDays(today(), -100);
  const contract = (customer: string, line: keyof typeof L, extra: Partial<typeof contracts.$inferInsert> = {}) => ({
    id: crypto.randomUUID(),
    title: '合同',
    customerId: C[customer],
    businessLineId: L[line].id,
    ownerId: s1.user.id,
    departmentId: dept,
    amount: '1000',
    status: 'signed' as const,
    signedOn: signed,
    ...extra,
  });
  const contractRows = [
    contract('X', 'A'),
    contract('X', 'T', {
      status: 'completed',
      signedOn: addDays(today(), -7 * 366),
      completedOn: addDays(today(), -7 * 365),
    }),
    contract('X', 'T', { status: 'draft', signedOn: null }),
    ...['P5', 'P6', 'P7', 'P8', 'P9', 'P10', 'P11', 'Y', 'Z1', 'Z2', 'Z3', 'Z4', 'Z5', 'N'].map((c) =>
      contract(c, 'A'),
    ),
    ...['P9', 'P10', 'Z1', 'Z2', 'Z3', 'Z4', 'W'].map((c) => contract(c, 'T', { status: 'in-progress' })),
  ];
  await insertMany(db, contracts, contractRows);
  const order = (customer: string, line: keyof typeof L, contractId: string | null = null) => ({
    id: crypto.randomUUID(),
    title: '订单',
    contractId,
    customerId: C[customer],
    businessLineId: L[line].id,
    ownerId: s1.user.id,
    departmentId: dept,
    amount: '1000',
    status: 'confirmed' as const,
    confirmedOn: signed,
  });
  const orderRows = [
    order('X', 'V'),
    ...['P1', 'P2', 'P3', 'P4'].map((c) => order(c, 'V')),
    ...['P5', 'P6', 'P7', 'P8'].map((c) => order(c, 'A', contractRows.find((r) => r.customerId === C[c])!.id)),
  ];
  await insertMany(db, orders, orderRows);
  await insertMany(
    db,
    orderLines,
    orderRows.flatMap((o) =>
      o.contractId
        ? [
            { orderId: o.id, position: 1, businessLineId: L.V.id, description: '评估', amount: '500' },
            { orderId: o.id, position: 2, businessLineId: L.T.id, description: '税务', amount: '500' },
          ]
        : [{ orderId: o.id, position: 1, businessLineId: o.businessLineId, description: '服务', amount: '1000' }],
    ),
  );
  await insertMany(
    db,
    customerServices,
    ['P1', 'P2', 'P3', 'P4'].map((c) => ({
      customerId: C[c],
      businessLineId: L.K.id,
      cycle: 'monthly' as const,
      nextDueOn: addDays(today(), 20),
    })),
  );
}, 60_000);
afterAll(() => t.close());

/** What a customer was suggested: line key → [status, similar, buying, base key, level, excluded-by key]. */
async function answersOf(customer: string) {
  const key = (id: string | null) => (Object.keys(L) as (keyof typeof L)[]).find((k) => L[k].id === id) ?? null;
  const rows = await rowsOf(customer);
  return Object.fromEntries(
    rows.map((r) => [
      key(r.businessLineId),
      [r.status, r.similarCount, r.buyingCount, key(r.baseLineId), r.level, key(r.excludedByLineId)],
    ]),
  );
}

describe('cross-sell', () => {
  it('computes the hand-made answers through the job, with progress and counts', async () => {
    const started = await admin.post('/api/v1/cross-sell/runs');
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    let run: { state: string; progress: { done: number; total: number } | null; output: unknown } | undefined;
    await until(
      async () => {
        run = (await admin.get(`/api/v1/cross-sell/runs/${started.body.id}`)).body;
        return !['created', 'active'].includes(run?.state ?? 'created');
      },
      30_000,
      'the run',
    );
    expect(run!.state).toBe('completed');
    expect(run!.progress!.done).toBe(run!.progress!.total);
    expect(run!.output).toMatchObject({ customers: expect.any(Number), open: expect.any(Number) });
    // A salesperson cannot start one.
    expect((await s2.post('/api/v1/cross-sell/runs')).status).toBe(403);

    expect(await answersOf('X')).toEqual({
      T: ['open', 7, 6, 'A', 'industry-size-region', null],
      K: ['excluded', 8, 4, 'V', 'industry-size-region', 'A'],
    });
    expect(await answersOf('P11')).toEqual({
      T: ['open', 7, 6, 'A', 'industry-size-region', null],
      V: ['open', 7, 5, 'A', 'industry-size-region', null],
    });
    expect(await answersOf('Y')).toEqual({ T: ['open', 5, 4, 'A', 'industry-size', null] });
    expect(await answersOf('W')).toEqual({
      A: ['open', 10, 10, 'T', 'industry', null],
      V: ['open', 10, 4, 'T', 'industry', null],
    });
    expect(await answersOf('N')).toEqual({});
    expect((await suggestion('X', 'T')).score).toBe('0.85714');
  });

  it('shows the evidence and the rule in words, best first, to the owner only', async () => {
    const mine = await s1.client.get('/api/v1/cross-sell', { customerId: C.X });
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    expect(mine.body.items.map((i: { status: string }) => i.status)).toEqual(['open', 'excluded']);
    const [open, excluded] = mine.body.items;
    expect(open.score).toBe('85.7');
    expect(open.evidenceText).toBe(`7 家同类${IND}客户中，购买${L.A.name}的 6 家也购买了${L.T.name}`);
    expect(open.exclusion).toBeNull();
    expect(excluded.exclusion).toEqual({
      conflictLineId: L.A.id,
      conflictLineName: L.A.name,
      ruleText: `与${L.A.name}存在独立性冲突（${L.K.name} × ${L.A.name}）`,
    });
    const english = await findCrossSell(await ctxOf(s1.user.id, 'en-US'), {
      view: 'mine',
      customerId: C.X,
      page: 1,
      pageSize: 20,
    });
    expect(english.items[0].evidenceText).toBe(
      `6 of 7 similar customers in ${IND} that buy ${L.A.name} also buy ${L.T.name}`,
    );
    expect(english.items[1].exclusion!.ruleText).toBe(
      `Conflicts for independence with ${L.A.name} (${L.K.name} × ${L.A.name})`,
    );
    // Mine (open only, best first): W's A (100 %) leads.
    const list = await s1.client.get('/api/v1/cross-sell', { view: 'mine', pageSize: 100 });
    expect(list.body.items[0]).toMatchObject({ customerId: C.W, businessLineId: L.A.id, score: '100.0' });
    expect(list.body.items.every((i: { status: string }) => i.status === 'open')).toBe(true);
    expect(list.body.total).toBe(list.body.items.length);
    // Today: three of mine, best first.
    const today = await s1.client.get('/api/v1/today');
    expect(today.body.crossSell.map((i: { id: string }) => i.id)).toEqual(
      list.body.items.slice(0, 3).map((i: { id: string }) => i.id),
    );
    // Another salesperson sees none of it.
    expect((await s2.get('/api/v1/cross-sell', { customerId: C.X })).body.items).toEqual([]);
    expect((await s2.get('/api/v1/cross-sell', { view: 'team', pageSize: 100 })).body.items).not.toContainEqual(
      expect.objectContaining({ customerId: C.X }),
    );
  });

  it('accepts once: one opportunity with its origin, the second 409; never for a stranger or an excluded one', async () => {
    const xt = await suggestion('X', 'T');
    expect((await s2.post(`/api/v1/cross-sell/${xt.id}/accept`, {})).body.error.code).toBe('NOT_FOUND');
    expect((await s2.post(`/api/v1/cross-sell/${xt.id}/dismiss`, { reason: 'later' })).status).toBe(404);
    const accepted = await s1.client.post(`/api/v1/cross-sell/${xt.id}/accept`, {});
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'accepted', opportunityId: expect.any(String) });
    const again = await s1.client.post(`/api/v1/cross-sell/${xt.id}/accept`, {});
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({
      code: 'CROSS_SELL_ALREADY_ACCEPTED',
      details: { opportunityId: accepted.body.opportunityId },
    });
    const made = await db.select().from(opportunities).where(eq(opportunities.originId, xt.id));
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({
      id: accepted.body.opportunityId,
      originKind: 'cross-sell',
      customerId: C.X,
      businessLineId: L.T.id,
      ownerId: s1.user.id,
      status: 'open',
    });
    // At once, twice: still one.
    const wa = await suggestion('W', 'A');
    const both = await Promise.all([
      s1.client.post(`/api/v1/cross-sell/${wa.id}/accept`, { name: '审计（交叉销售）' }),
      s1.client.post(`/api/v1/cross-sell/${wa.id}/accept`, {}),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await db.select().from(opportunities).where(eq(opportunities.originId, wa.id))).toHaveLength(1);
    // The excluded one cannot be accepted.
    const xk = await suggestion('X', 'K');
    const refused = await s1.client.post(`/api/v1/cross-sell/${xk.id}/accept`, {});
    expect([refused.status, refused.body.error.code]).toEqual([409, 'CROSS_SELL_EXCLUDED']);
    expect(await db.select().from(opportunities).where(eq(opportunities.originId, xk.id))).toHaveLength(0);
    // Conversion: by line, accepted counted.
    const conversion = await s1.client.get('/api/v1/cross-sell/conversion');
    expect(conversion.body.find((r: { businessLineId: string }) => r.businessLineId === L.T.id)).toMatchObject({
      accepted: 1,
      won: 0,
    });
    // Recomputed: the accepted rows stay as they are.
    await recompute();
    expect((await suggestion('X', 'T')).status).toBe('accepted');
    expect((await suggestion('W', 'A')).status).toBe('accepted');
  });

  it('dismissed: not-needed never again, later back after its date; bad input refused', async () => {
    const pv = await suggestion('P11', 'V');
    const pt = await suggestion('P11', 'T');
    const bad = await s1.client.post(`/api/v1/cross-sell/${pv.id}/dismiss`, { reason: 'too-expensive' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await suggestion('P11', 'V')).status).toBe('open');
    const notNeeded = await s1.client.post(`/api/v1/cross-sell/${pv.id}/dismiss`, {
      reason: 'not-needed',
      note: '自有评估师',
    });
    expect(notNeeded.body).toMatchObject({
      status: 'dismissed',
      dismissReason: 'not-needed',
      dismissNote: '自有评估师',
    });
    const later = await s1.client.post(`/api/v1/cross-sell/${pt.id}/dismiss`, { reason: 'later' });
    expect(later.status).toBe(200);
    expect((await suggestion('P11', 'T')).dismissedUntil).toBe(addDays(today(), CROSS_SELL_LATER_DAYS));
    const twice = await s1.client.post(`/api/v1/cross-sell/${pv.id}/dismiss`, { reason: 'later' });
    expect(twice.body.error.code).toBe('CROSS_SELL_NOT_OPEN');

    await recompute();
    expect(await answersOf('P11')).toMatchObject({
      V: ['dismissed', 7, 5, 'A', 'industry-size-region', null],
      T: ['dismissed', 7, 6, 'A', 'industry-size-region', null],
    });
    // The date passes: later comes back open, not-needed does not.
    await db
      .update(crossSellSuggestions)
      .set({ dismissedUntil: addDays(today(), -1) })
      .where(eq(crossSellSuggestions.id, pt.id));
    await recompute();
    expect(await suggestion('P11', 'T')).toMatchObject({ id: pt.id, status: 'open', dismissReason: null });
    expect((await suggestion('P11', 'V')).status).toBe('dismissed');
  });

  it('follows the customer: a new owner gets the rows, a suggestion no longer true goes', async () => {
    const other = await buildUser(db);
    await db.update(customers).set({ ownerId: other.id }).where(eq(customers.id, C.W));
    // Y now buys T (an active recurring service): nothing left to suggest to Y.
    await db
      .insert(customerServices)
      .values({ customerId: C.Y, businessLineId: L.T.id, cycle: 'annual', nextDueOn: addDays(today(), 30) });
    expect((await suggestion('Y', 'T')).status).toBe('open');
    const result = await recompute();
    expect(result.removed).toBeGreaterThanOrEqual(1);
    expect(await suggestion('Y', 'T')).toBeUndefined();
    const w = await rowsOf('W');
    expect(w.map((r) => [r.status, r.ownerId])).toEqual(
      expect.arrayContaining([
        ['accepted', other.id],
        ['open', other.id],
      ]),
    );
  });
});
