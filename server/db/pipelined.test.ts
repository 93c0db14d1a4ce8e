import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../test/harness';
import { pipelined, preparedRows, rowsOf, type Database } from './client';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

const backend = async () =>
  (await rowsOf<{ pid: number }>(database.db, sql`SELECT pg_backend_pid()::int AS pid`))[0]!.pid;
/** A prepared statement answering its parameter after a pause (so that the queries overlap). */
const echo = (value: number, pauseMs = 0) =>
  preparedRows<{ value: number; pid: number }>(
    database.db,
    'pipelined-echo',
    () =>
      sql`SELECT ${sql.placeholder('value')}::int AS value, pg_backend_pid()::int AS pid, pg_sleep(${sql.placeholder('pause')}::float8 / 1000)`,
  ).execute({ value, pause: pauseMs });

describe('pipelined queries', () => {
  it('answers each of many concurrent queries with its own rows, all over one connection', async () => {
    const values = Array.from({ length: 24 }, (_, i) => i * 7);
    const answers = await pipelined(database.db, () =>
      Promise.all(values.map((value, i) => echo(value, i % 3 === 0 ? 5 : 0))),
    );
    expect(answers.map((rows) => rows[0]!.value)).toEqual(values);
    expect(new Set(answers.map((rows) => rows[0]!.pid)).size).toBe(1);
  });

  it('reports a failing query as its own error while the others still answer', async () => {
    const results = await pipelined(database.db, () =>
      Promise.allSettled([echo(1), rowsOf(database.db, sql`SELECT 1 / ${0}::int AS x`), echo(3)]),
    );
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: [{ value: 1 }] });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { cause: { code: '22012' } } }); // division_by_zero
    expect(results[2]).toMatchObject({ status: 'fulfilled', value: [{ value: 3 }] });
    // The connection is back in service: the next batch answers.
    expect((await pipelined(database.db, () => echo(4)))[0]!.value).toBe(4);
  });

  it('keeps a transaction opened inside to its own connection, and rolls it back on error', async () => {
    await database.db.execute(sql`CREATE TABLE IF NOT EXISTS pipelined_probe (n int)`);
    const inside = await pipelined(database.db, async () => {
      const outerPid = await backend();
      const txPid = await database.db
        .transaction(async (tx) => {
          await tx.execute(sql`INSERT INTO pipelined_probe VALUES (41)`);
          const [row] = await rowsOf<{ pid: number }>(tx, sql`SELECT pg_backend_pid()::int AS pid`);
          throw Object.assign(new Error('undo'), { pid: row!.pid });
        })
        .catch((error: { pid: number }) => error.pid);
      return { outerPid, txPid };
    });
    const [left] = await rowsOf<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM pipelined_probe WHERE n = 41`,
    );
    expect(left!.n).toBe(0);
    if (database.engine === 'postgres') expect(inside.txPid).not.toBe(inside.outerPid);
  });

  it('sends a query started after the batch ended through the pool, and gives the connection back', async () => {
    let later: Promise<unknown> | null = null;
    await pipelined(database.db, async () => {
      // A task the batch leaves running, querying after the batch is over.
      later = new Promise((resolve) => setTimeout(resolve, 30)).then(() => echo(9));
      return backend();
    });
    const [row] = (await later!) as { value: number; pid: number }[];
    expect(row!.value).toBe(9);
    if (database.engine === 'postgres') {
      const pool = database.client as import('pg').Pool;
      expect(pool.totalCount - pool.idleCount).toBe(0); // nothing checked out once everything answered
    }
  });
});
