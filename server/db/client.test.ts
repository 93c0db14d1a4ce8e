import { asc, sql } from 'drizzle-orm';
import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPglite, openDatabase, preparedOnce, type Database, type Db } from './client';

const things = pgTable('things', {
  id: uuid('id').primaryKey(),
  n: integer('n').notNull(),
  label: text('label'),
  at: timestamp('at', { withTimezone: true }).notNull(),
});
const ids = [1, 2, 3, 4, 5].map((n) => `00000000-0000-4000-8000-00000000000${n}`);
const at = (n: number) => new Date(Date.UTC(2026, 11, n, 8, 30, 0, 123));

let database: Database;
/** The Parse messages PGlite was sent: a named statement's text is parsed once, an unnamed query's every time. */
const parsed: string[] = [];
beforeAll(async () => {
  // PGlite's own protocol is what is tested here, whichever engine the other tests run on.
  const lite = await createPglite();
  database = await openDatabase({ pglite: lite });
  const execProtocolStream = lite.execProtocolStream.bind(lite);
  lite.execProtocolStream = (message, options) => {
    if (message[0] === 'P'.charCodeAt(0)) parsed.push(new TextDecoder().decode(message));
    return execProtocolStream(message, options);
  };
  await database.db.execute(
    sql`CREATE TABLE things (id uuid PRIMARY KEY, n integer NOT NULL, label text, at timestamptz NOT NULL)`,
  );
  for (const [i, id] of ids.entries())
    await database.db.insert(things).values({ id, n: i + 1, label: i % 2 ? null : `t${i + 1}`, at: at(i + 1) });
});
afterAll(() => database.close());

/** Things among some ids with n at least min, prepared once per database (a transaction is a database of its own). */
const thingsAmong = (db: Db) =>
  preparedOnce(db, 'things-among', () =>
    db
      .select()
      .from(things)
      .where(sql`${things.id} = ANY(${sql.placeholder('ids')}::uuid[]) AND ${things.n} >= ${sql.placeholder('min')}`)
      .orderBy(asc(things.n))
      .prepare(''),
  );
/** How often the statement of thingsAmong was parsed. */
const parses = () => parsed.filter((text) => text.includes('"things"."id" = ANY(')).length;

describe('preparedOnce on PGlite', () => {
  it('parses a statement once and answers each execution with its own parameters, typed as Drizzle maps them', async () => {
    const before = parses();
    const first = await thingsAmong(database.db).execute({ ids: ids.slice(0, 3), min: 2 });
    const second = await thingsAmong(database.db).execute({ ids, min: 4 });
    const none = await thingsAmong(database.db).execute({ ids: [], min: 0 });
    expect(first).toEqual([
      { id: ids[1], n: 2, label: null, at: at(2) },
      { id: ids[2], n: 3, label: 't3', at: at(3) },
    ]);
    expect(second.map((t) => t.n)).toEqual([4, 5]);
    expect(none).toEqual([]);
    expect(parses() - before).toBe(1);
  });

  it('runs the same statement inside transactions, committed or rolled back, without parsing it again', async () => {
    await thingsAmong(database.db).execute({ ids, min: 1 }); // parsed before the transactions, if not yet
    const before = parses();
    const inside = await database.db.transaction(async (tx) => {
      await tx
        .update(things)
        .set({ label: 'changed' })
        .where(sql`${things.n} = 1`);
      return thingsAmong(tx).execute({ ids: [ids[0]], min: 1 });
    });
    expect(inside.map((t) => t.label)).toEqual(['changed']);
    await expect(
      database.db.transaction(async (tx) => {
        await tx
          .update(things)
          .set({ label: 'undone' })
          .where(sql`${things.n} = 1`);
        expect((await thingsAmong(tx).execute({ ids: [ids[0]], min: 1 }))[0].label).toBe('undone');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const after = await thingsAmong(database.db).execute({ ids: [ids[0]], min: 1 });
    expect(after.map((t) => t.label)).toEqual(['changed']);
    expect(parses()).toBe(before);
  });

  it('reports a bad parameter as the database error and keeps answering afterwards', async () => {
    await expect(thingsAmong(database.db).execute({ ids: ['not-a-uuid'], min: 1 })).rejects.toThrow();
    expect((await thingsAmong(database.db).execute({ ids, min: 5 })).map((t) => t.n)).toEqual([5]);
  });
});
