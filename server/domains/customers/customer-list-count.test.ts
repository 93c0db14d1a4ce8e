import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNT_CAP } from '../../lib/listing';
import { signedIn } from '../../test/factories';
import { createTestApp, uniq, type TestApp } from '../../test/harness';
import { customers } from './customers.tables';

let t: TestApp;
let ownerId: string;
const MANY = COUNT_CAP + 30;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  // On PostgreSQL other test files share the database: leave nothing of this size behind.
  if (ownerId) await t.database.db.delete(customers).where(eq(customers.ownerId, ownerId));
  await t.close();
});

describe('a customer list larger than the counting cap', () => {
  it('says "at least" on its first pages, exact once the count reaches the end, and pages in the default order', async () => {
    const { user, client } = await signedIn(t);
    ownerId = user.id;
    const stem = uniq('容量客户');
    const tag = uniq('百');
    // One second apart, the newest first: customer 1 is the newest.
    await t.database.db.execute(
      sql`INSERT INTO customers (name, owner_id, search_text, tags, created_at, updated_at)
          SELECT ${stem} || '-' || g, ${user.id}::uuid, 'rongliang ' || g, ARRAY[CASE WHEN g % 100 = 0 THEN ${tag} ELSE 'x' END],
                 now() - g * interval '1 second', now()
          FROM generate_series(1, ${MANY}::int) g`,
    );

    const first = await client.get('/api/v1/customers?view=mine&pageSize=20');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ total: COUNT_CAP, totalExact: false, page: 1 });
    expect(first.body.items.map((c: { name: string }) => c.name)).toEqual(
      Array.from({ length: 20 }, (_, i) => `${stem}-${i + 1}`),
    );

    // The count goes COUNT_CAP past the page's start: from page 500 on it sees the end.
    const deep = await client.get('/api/v1/customers?view=mine&pageSize=20&page=500');
    expect(deep.body).toMatchObject({ total: MANY, totalExact: true });
    expect(deep.body.items[0].name).toBe(`${stem}-${499 * 20 + 1}`);
    const last = await client.get(`/api/v1/customers?view=mine&pageSize=20&page=${Math.ceil(MANY / 20)}`);
    expect(last.body).toMatchObject({ total: MANY, totalExact: true });
    expect(last.body.items).toHaveLength(MANY % 20 || 20);

    // A filter that leaves fewer rows than the cap is counted exactly (every hundredth customer has the tag).
    const some = await client.get(`/api/v1/customers?view=mine&pageSize=20&tag=${encodeURIComponent(tag)}`);
    expect(some.body).toMatchObject({ total: Math.floor(MANY / 100), totalExact: true });
  });
});
