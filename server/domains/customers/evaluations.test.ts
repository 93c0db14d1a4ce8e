import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { scoreOf } from './evaluations.service';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

const SHEET = {
  factors: [
    {
      key: 'revenue',
      name: '年营业收入',
      weight: 40,
      options: [
        { label: '1 亿以上', score: 100 },
        { label: '1000 万–1 亿', score: 60 },
        { label: '1000 万以下', score: 20 },
      ],
    },
    {
      key: 'lines',
      name: '可合作业务数',
      weight: 33.33,
      options: [
        { label: '3 项以上', score: 100 },
        { label: '1–2 项', score: 50 },
      ],
    },
    {
      key: 'credit',
      name: '付款信用',
      weight: 26.67,
      options: [
        { label: '按时', score: 100 },
        { label: '偶有拖欠', score: 40 },
        { label: '经常拖欠', score: 0 },
      ],
    },
  ],
  tiers: { A: 80, B: 60, C: 40 },
};

describe('customer value evaluation sheet 客户价值评估表', () => {
  it('is set up by an administrator with weights adding up to exactly 100%', async () => {
    const wrong = await admin.request('PUT', '/api/v1/evaluation-sheet', {
      ...SHEET,
      factors: SHEET.factors.map((f, i) => (i === 2 ? { ...f, weight: 26.66 } : f)),
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details.issues[0]).toMatchObject({ path: 'body.factors', message: '权重之和必须为 100%' });
    const unordered = await admin.request('PUT', '/api/v1/evaluation-sheet', {
      ...SHEET,
      tiers: { A: 50, B: 60, C: 40 },
    });
    expect(unordered.body.error.details.issues[0].message).toBe('等级分数线须满足 A > B > C');
    const { client: sales } = await signedIn(t);
    expect((await sales.request('PUT', '/api/v1/evaluation-sheet', SHEET)).status).toBe(403);
    const saved = await admin.request('PUT', '/api/v1/evaluation-sheet', SHEET);
    expect(saved.status).toBe(200);
    expect((await sales.get('/api/v1/evaluation-sheet')).body.version).toBe(saved.body.version);
  });

  it('scores a customer exactly, sets its tier, keeps the history, and lists sort and filter by it', async () => {
    await admin.request('PUT', '/api/v1/evaluation-sheet', SHEET);
    const { client } = await signedIn(t);
    const { client: stranger } = await signedIn(t);
    const big = (await client.post('/api/v1/customers', { name: uniq('大客户') })).body;
    const small = (await client.post('/api/v1/customers', { name: uniq('小客户') })).body;
    // 40×100 + 33.33×100 + 26.67×40 = 8399.8 → 83.998 → 84.00 → A
    const a = await client.post(`/api/v1/customers/${big.id}/evaluations`, {
      answers: { revenue: 0, lines: 0, credit: 1 },
    });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ score: '84.00', tier: 'A' });
    // 40×20 + 33.33×50 + 26.67×0 = 2466.5 → 24.665 → 24.67 → D
    const d = await client.post(`/api/v1/customers/${small.id}/evaluations`, {
      answers: { revenue: 2, lines: 1, credit: 2 },
      notes: '规模小',
    });
    expect(d.body).toMatchObject({ score: '24.67', tier: 'D' });
    // 40×60 + 33.33×50 + 26.67×100 = 6733.5 → 67.34 → B; the latest counts, the history stays.
    const b = await client.post(`/api/v1/customers/${big.id}/evaluations`, {
      answers: { revenue: 1, lines: 1, credit: 0 },
    });
    expect(b.body).toMatchObject({ score: '67.34', tier: 'B' });
    expect((await client.get(`/api/v1/customers/${big.id}`)).body).toMatchObject({
      valueScore: '67.34',
      valueTier: 'B',
    });
    expect(
      (await client.get(`/api/v1/customers/${big.id}/evaluations`)).body.map((e: { tier: string }) => e.tier),
    ).toEqual(['B', 'A']);

    const sorted = await client.get('/api/v1/customers', { view: 'mine', sort: '-valueScore' });
    expect(sorted.body.items.map((c: { id: string }) => c.id)).toEqual([big.id, small.id]);
    expect(
      (await client.get('/api/v1/customers', { view: 'mine', valueTier: 'D' })).body.items.map(
        (c: { id: string }) => c.id,
      ),
    ).toEqual([small.id]);

    const incomplete = await client.post(`/api/v1/customers/${big.id}/evaluations`, {
      answers: { revenue: 0, lines: 7 },
    });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.error.code).toBe('EVALUATION_INCOMPLETE');
    expect(incomplete.body.error.message).toContain('可合作业务数');
    expect(
      (await stranger.post(`/api/v1/customers/${big.id}/evaluations`, { answers: { revenue: 0, lines: 0, credit: 0 } }))
        .status,
    ).toBe(404);
    expect((await stranger.get(`/api/v1/customers/${big.id}/evaluations`)).status).toBe(404);
  });

  it('computes the score as exact decimal arithmetic would (property)', () => {
    const factor = fc.record({ weight: fc.integer({ min: 1, max: 10000 }), score: fc.integer({ min: 0, max: 100 }) });
    fc.assert(
      fc.property(fc.array(factor, { minLength: 1, maxLength: 8 }), (parts) => {
        const sheet = {
          factors: parts.map((p, i) => ({
            key: `f${i}`,
            name: `f${i}`,
            weight: p.weight / 100,
            options: [
              { label: 'x', score: p.score },
              { label: 'y', score: 0 },
            ],
          })),
        };
        const answers = Object.fromEntries(parts.map((_, i) => [`f${i}`, 0]));
        // Reference: BigInt arithmetic in 1/10,000 points, rounded half up to hundredths.
        const total = parts.reduce((sum, p) => sum + BigInt(p.weight) * BigInt(p.score), 0n);
        const hundredths = (total + 50n) / 100n;
        expect(scoreOf(sheet, answers)).toBe(`${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')}`);
      }),
    );
  });
});
