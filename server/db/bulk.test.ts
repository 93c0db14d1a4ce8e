import { randomBytes, randomUUID } from 'node:crypto';
import { asc, sql } from 'drizzle-orm';
import { boolean, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../test/harness';
import { insertMany } from './bulk';
import { rowsOf, type Database } from './client';

const name = `bulk_${randomBytes(4).toString('hex')}`;
const things = pgTable(name, {
  id: uuid('id').primaryKey().defaultRandom(),
  n: integer('n').notNull(),
  label: text('label').notNull().default('none'),
  note: text('note'),
  tags: text('tags')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  done: boolean('done').notNull().default(false),
  data: jsonb('data'),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
});

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
  await database.db.execute(
    sql.raw(`CREATE TABLE ${name} (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), n integer NOT NULL,
      label text NOT NULL DEFAULT 'none', note text, tags text[] NOT NULL DEFAULT '{}', done boolean NOT NULL DEFAULT false,
      data jsonb, at timestamptz NOT NULL DEFAULT now())`),
  );
  await database.db.execute(
    sql.raw(`CREATE TABLE ${name}_notes (thing_id uuid NOT NULL REFERENCES ${name} (id), text text NOT NULL)`),
  );
});
afterAll(async () => {
  await database.db.execute(sql.raw(`DROP TABLE ${name}_notes, ${name}`));
  await database.close();
});

describe('insertMany', () => {
  it('writes what a Drizzle insert writes: values of every type, a default where a row gives none, null as NULL', async () => {
    const at = new Date('2026-12-05T08:30:00.123Z');
    await insertMany(database.db, things, [
      {
        n: 1,
        label: '北京 "华达", \\ 换行\n',
        note: null,
        tags: ['审计', 'a,b', '{x}'],
        done: true,
        data: { nested: [1, '二'], none: null },
        at,
      },
      { n: 2, note: 'plain' },
      { n: 3, label: undefined, tags: [], data: null },
    ]);
    const rows = await database.db.select().from(things).orderBy(asc(things.n));
    expect(rows.map(({ id: _id, at: _at, ...rest }) => rest)).toEqual([
      {
        n: 1,
        label: '北京 "华达", \\ 换行\n',
        note: null,
        tags: ['审计', 'a,b', '{x}'],
        done: true,
        data: { nested: [1, '二'], none: null },
      },
      { n: 2, label: 'none', note: 'plain', tags: [], done: false, data: null },
      { n: 3, label: 'none', note: null, tags: [], done: false, data: null },
    ]);
    expect(rows[0].at.toISOString()).toBe(at.toISOString());
    expect(new Set(rows.map((r) => r.id)).size).toBe(3);
    await insertMany(database.db, things, []);
    expect(await database.db.$count(things)).toBe(3);
  });

  it('writes every row of an insert too big for one statement', async () => {
    const note = '华达'.repeat(300);
    await insertMany(
      database.db,
      things,
      Array.from({ length: 500 }, (_, i) => ({ n: 1000 + i, note, ...(i % 2 ? { label: 'odd' } : {}) })),
    );
    const rows = await database.db
      .select({ n: things.n, label: things.label, note: things.note })
      .from(things)
      .where(sql`${things.n} >= 1000`)
      .orderBy(asc(things.n));
    expect(rows).toEqual(Array.from({ length: 500 }, (_, i) => ({ n: 1000 + i, label: i % 2 ? 'odd' : 'none', note })));
  });

  it('writes rows derived from the same ones in the same statement, which may refer to them', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({
      id: randomUUID(),
      n: 5000 + i,
      note: '华达'.repeat(100), // several statements
      extra: `第${i}号`, // no column: only the derived rows read it
    }));
    await insertMany(database.db, things, rows, {
      also: (src) => [
        sql`INSERT INTO ${sql.identifier(`${name}_notes`)} (thing_id, text) SELECT id, (r ->> 'extra') || '/' || n FROM ${src}`,
      ],
    });
    const notes = await rowsOf<{ thing_id: string; text: string }>(
      database.db,
      sql.raw(`SELECT thing_id, text FROM ${name}_notes`),
    );
    expect(notes.map((r) => [r.thing_id, r.text]).sort()).toEqual(
      rows.map((r, i) => [r.id, `第${i}号/${5000 + i}`]).sort(),
    );
    expect(await database.db.$count(things, sql`${things.n} >= 5000`)).toBe(300);
  });

  it('writes a value every row gives alike (sent once) as given, to the rows and to what is derived from them', async () => {
    const at = new Date('2026-12-07T09:15:00.456Z');
    const rows = Array.from({ length: 200 }, (_, i) => ({
      id: randomUUID(),
      n: 7000 + i,
      label: '同一个',
      note: null,
      done: true,
      at,
      data: { same: true },
      extra: `第${i}号`,
    }));
    await insertMany(database.db, things, rows, {
      also: (src) => [
        sql`INSERT INTO ${sql.identifier(`${name}_notes`)} (thing_id, text)
          SELECT id, concat_ws('/', r ->> 'extra', r ->> 'label', r ->> 'done', label, n) FROM ${src}`,
      ],
    });
    const written = await database.db
      .select()
      .from(things)
      .where(sql`${things.n} >= 7000 AND ${things.n} < 8000`)
      .orderBy(asc(things.n));
    expect(written.map(({ at: when, ...rest }) => ({ ...rest, at: when.toISOString() }))).toEqual(
      rows.map(({ extra: _extra, ...row }) => ({ ...row, tags: [], at: at.toISOString() })),
    );
    const notes = await rowsOf<{ thing_id: string; text: string }>(
      database.db,
      sql.raw(`SELECT thing_id, text FROM ${name}_notes WHERE text LIKE '%同一个%'`),
    );
    expect(notes.map((r) => [r.thing_id, r.text]).sort()).toEqual(
      rows.map((r, i) => [r.id, `第${i}号/同一个/true/同一个/${7000 + i}`]).sort(),
    );
    // Two rows alike in every column given: written as two.
    await insertMany(database.db, things, [
      { n: 9000, label: 'twin' },
      { n: 9000, label: 'twin' },
    ]);
    expect(await database.db.$count(things, sql`${things.n} = 9000 AND ${things.label} = 'twin'`)).toBe(2);
  });
});
