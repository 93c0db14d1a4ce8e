import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client';
import { openTestDatabase, secondInstanceDatabase } from '../../test/harness';
import type { Database } from '../../db/client';
import { catchUp, forget, type Summary } from './summaries';

/**
 * The catch-up of report summaries (summaries.ts), on a summary of its own that records what it was asked to rebuild:
 * built in full once, then only the keys marked stale, each once — also with two instances catching up at once.
 */
let database: Database;
let db: Db;

beforeAll(async () => {
  database = await openTestDatabase();
  db = database.db;
});
afterAll(() => database.close());

function recorder(name: string) {
  const calls: (string[] | 'all')[] = [];
  const summary: Summary = {
    name,
    async rebuild(tx, keys) {
      // Work inside the catch-up's transaction, as a real summary does, so overlapping catch-ups would show.
      await tx.execute(sql`SELECT pg_sleep(0.05)`);
      calls.push(keys === 'all' ? 'all' : [...keys].sort());
    },
  };
  return { summary, calls };
}

const mark = (name: string, ...keys: string[]) =>
  db.execute(sql`INSERT INTO report_stale (summary, key)
    SELECT ${name}, k::uuid FROM unnest(${`{${keys.join(',')}}`}::text[]) k ON CONFLICT DO NOTHING`);

describe('report summaries are caught up', () => {
  it('builds a new summary in full once, then rebuilds only the stale keys, and nothing when none is stale', async () => {
    const name = `test-${randomUUID()}`;
    const { summary, calls } = recorder(name);
    const early = randomUUID();
    await mark(name, early); // marked before the first build: the full build covers it
    await catchUp(db, summary);
    expect(calls).toEqual(['all']);
    await catchUp(db, summary);
    expect(calls).toEqual(['all']);

    const [a, b] = [randomUUID(), randomUUID()];
    await mark(name, a, b, a);
    await catchUp(db, summary);
    expect(calls).toEqual(['all', [a, b].sort()]);
    await catchUp(db, summary);
    expect(calls).toHaveLength(2);

    await forget(db, summary);
    await catchUp(db, summary);
    expect(calls.at(-1)).toBe('all');
  });

  it('two instances catching up at once rebuild each stale key once between them', async () => {
    const name = `test-${randomUUID()}`;
    const { summary, calls } = recorder(name);
    await catchUp(db, summary);
    const keys = Array.from({ length: 20 }, () => randomUUID());
    await mark(name, ...keys);
    const second = await secondInstanceDatabase(database);
    try {
      await Promise.all([catchUp(db, summary), catchUp(second.database.db, summary), catchUp(db, summary)]);
    } finally {
      await second.close();
    }
    const rebuilt = calls.slice(1).flatMap((c) => (c === 'all' ? ['all'] : c));
    expect(rebuilt.sort()).toEqual([...keys].sort());
    const left = await db.execute(sql`SELECT count(*)::int AS n FROM report_stale WHERE summary = ${name}`);
    expect((left as unknown as { rows: { n: number }[] }).rows[0].n).toBe(0);
  });
});
