import { randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildOpportunity, signedIn } from '../../test/factories';
import { Client, createTestApp, secondInstanceDatabase, type TestApp } from '../../test/harness';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { opportunities, pipelineStages } from '../opportunities/opportunities.tables';

/**
 * Many people signing at once on two app instances (on PostgreSQL each has its own pool, so the signings
 * really run in parallel and meet at the series' counter row): consecutive numbers, none twice, none skipped.
 */

let t: TestApp;
let t2: TestApp;
let closeSecond: () => Promise<void>;
beforeAll(async () => {
  t = await createTestApp();
  const second = await secondInstanceDatabase(t.database);
  closeSecond = second.close;
  t2 = await createTestApp({ database: second.database });
});
afterAll(async () => {
  await t2.close();
  await closeSecond();
  await t.close();
});

const onSecond = (client: Client) => new Client(t2.app, client.cookie, client.csrfToken, client.me);

describe('contract numbers under concurrency', () => {
  // PGlite runs one statement at a time whatever the instances: a dozen show the same there, in a quarter of the time.
  const PER_SELLER = () => (t.database.engine === 'pglite' ? 3 : 10);
  it('50 signings at once over two instances give 50 consecutive numbers with no gap and no duplicate', async () => {
    const admin = (await signedIn(t, { roleCode: 'admin' })).client;
    const line = await buildBusinessLine(t.database.db);
    const prefix = `C${randomBytes(3).toString('hex').toUpperCase()}`;
    const series = await admin.post('/api/v1/number-series', {
      kind: 'contract',
      businessLineId: line.id,
      name: '并发合同',
      pattern: `${prefix}-{yyyy}-{seq:4}`,
    });
    expect(series.status, JSON.stringify(series.body)).toBe(201);

    // Several sellers, each with a won opportunity of the line and approved contracts made from it.
    const sellers = await Promise.all([1, 2, 3, 4, 5].map(() => signedIn(t)));
    const [won] = await t.database.db
      .select()
      .from(pipelineStages)
      .where(and(isNull(pipelineStages.businessLineId), eq(pipelineStages.kind, 'won')));
    const contracts: { id: string; client: Client }[] = [];
    for (const seller of sellers) {
      const opportunity = await buildOpportunity(t, {
        ownerId: seller.user.id,
        businessLineId: line.id,
        expectedAmount: '10000',
      });
      await t.database.db
        .update(opportunities)
        .set({ status: 'won', stageId: won.id, closedAt: new Date() })
        .where(eq(opportunities.id, opportunity.id));
      for (let i = 0; i < PER_SELLER(); i++) {
        const created = await seller.client.post('/api/v1/contracts', { opportunityId: opportunity.id });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        const submitted = await seller.client.post(`/api/v1/contracts/${created.body.id}/submit`);
        expect(submitted.body.status).toBe('approved');
        contracts.push({ id: created.body.id, client: seller.client });
      }
    }

    const terms = [{ kind: 'final', percent: '100', trigger: 'signing' }];
    const results = await Promise.all(
      contracts.map(({ id, client }, i) =>
        (i % 2 ? onSecond(client) : client).post(`/api/v1/contracts/${id}/sign`, { terms }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(contracts.map(() => 200));
    const year = localDate(new Date(), FIRM_TIME_ZONE).slice(0, 4);
    const numbers = results.map((r) => r.body.number as string).sort();
    expect(numbers).toEqual(
      Array.from({ length: contracts.length }, (_, i) => `${prefix}-${year}-${String(i + 1).padStart(4, '0')}`),
    );

    const register = await admin.get(`/api/v1/number-series/${series.body.id}/register`);
    expect(register.body).toMatchObject({ lastSeq: contracts.length, gaps: [] });
    expect(register.body.items.map((i: { subjectId: string }) => i.subjectId).sort()).toEqual(
      contracts.map((c) => c.id).sort(),
    );
  }, 120_000);
});
