import { getTableColumns, is, sql, SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from './client';

/**
 * The JSON of one statement stays about under this many characters (under 128 kB as UTF-16, V8's
 * large-object size), so a big insert never builds one huge string: rows go in several statements.
 */
const STATEMENT_JSON = 60_000;

/** A row for insertMany: the table's insert type, where a value may also be undefined (not given). */
export type InsertRow<T extends PgTable> = { [K in keyof T['$inferInsert']]?: T['$inferInsert'][K] | undefined };

/**
 * Inserts many rows with few statements of ONE parameter each: the rows as a JSON array, which the
 * database expands (`jsonb_to_record`). Drizzle's multi-row insert makes a parameter of every value
 * (10,000 for 500 rows of 20 columns) and builds them one by one, which cost more CPU than the
 * database took to insert them (the customer import: ~20 s of the server's 40 s). The same rows
 * as `db.insert(table).values(rows)`, with the same meaning of a value left out: the columns are
 * those any row gives; a row without a value (undefined) gets the column's default — a SQL
 * default or a static value, not a `$defaultFn` (no table has one) —, null is NULL.
 * Values travel as JSON: a Date as its ISO text, a jsonb column's value as it is. A column every
 * row gives the same scalar (a string, number, boolean, null or Date: who and when wrote them, the
 * import batch) travels once, as a parameter: the rows of an import are a quarter shorter.
 *
 * `also` writes rows derived from the same ones in the same statement, so that they need not be
 * built and sent (an import's history and audit entries): data-modifying statements over `src`,
 * the rows as a relation with a column per given key (named as the key, typed as the table's) and
 * `r`, the row's JSON with every column given — which may carry keys that are not columns.
 * Foreign keys to the inserted rows hold: their checks run at the end of the statement.
 */
export async function insertMany<T extends PgTable>(
  db: Db,
  table: T,
  rows: InsertRow<T>[],
  { also }: { also?: (src: SQL) => SQL[] } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const given = new Set<string>();
  for (const row of rows) for (const key in row) if (row[key as keyof typeof row] !== undefined) given.add(key);
  const columns = Object.entries(getTableColumns(table) as Record<string, PgColumn>).filter(([key]) => given.has(key));
  const shared = rows.length > 1 ? sharedValues(rows, columns) : new Map<string, unknown>();
  const varying = columns.filter(([key]) => !shared.has(key));
  const typed = sql.join(
    varying.map(([key, c]) => sql`${sql.identifier(key)} ${sql.raw(c.getSQLType())}`),
    sql`, `,
  );
  const constants = columns
    .filter(([key]) => shared.has(key))
    .map(([key, c]) => {
      const value = shared.get(key);
      return sql`${value instanceof Date ? value.toISOString() : value}::${sql.raw(c.getSQLType())} AS ${sql.identifier(key)}`;
    });
  const values = sql.join(
    columns.map(([key, c]) => {
      const value = sql`x.${sql.identifier(key)}`;
      if (!c.hasDefault || c.default === undefined || rows.every((row) => row[key as keyof typeof row] !== undefined))
        return value;
      const fallback = is(c.default, SQL) ? c.default : sql`${c.mapToDriverValue(c.default)}`;
      return sql`CASE WHEN x.r ? ${key} THEN ${value} ELSE ${fallback} END`;
    }),
    sql`, `,
  );
  const names = sql.join(
    columns.map(([, c]) => sql.identifier(c.name)),
    sql`, `,
  );
  const unshared = (row: InsertRow<T>) => {
    if (shared.size === 0) return row;
    const rest: Record<string, unknown> = {};
    for (const key in row) if (!shared.has(key)) rest[key] = row[key as keyof typeof row];
    return rest;
  };
  // What derived statements read as `r`: the row with the shared values put back.
  const r = also && shared.size > 0 ? sql`r || ${JSON.stringify(Object.fromEntries(shared))}::jsonb AS r` : sql`r`;
  // Rows per statement, from the size of the first (rows of one insert are alike).
  const perStatement = Math.max(1, Math.floor(STATEMENT_JSON / JSON.stringify(unshared(rows[0])).length));
  for (let i = 0; i < rows.length; i += perStatement) {
    const json = JSON.stringify(rows.slice(i, i + perStatement).map(unshared));
    const src = sql`SELECT ${r}, x.*${constants.length > 0 ? sql`, ${sql.join(constants, sql`, `)}` : sql``}
      FROM jsonb_array_elements(${json}::jsonb) AS r, jsonb_to_record(r) AS x(${typed})`;
    const derived = also?.(sql`src`) ?? [];
    await db.execute(
      derived.length === 0
        ? sql`INSERT INTO ${table} (${names}) SELECT ${values} FROM (${src}) AS x`
        : sql`WITH src AS (${src}), ${sql.join(
            derived.map((statement, n) => sql`${sql.identifier(`also${n}`)} AS (${statement})`),
            sql`, `,
          )} INSERT INTO ${table} (${names}) SELECT ${values} FROM src AS x`,
    );
  }
}

/**
 * The columns every row gives the same scalar (not a jsonb column's value, not an array), with that value; none when
 * every column would be (jsonb_to_record needs a column).
 */
function sharedValues<T extends PgTable>(rows: InsertRow<T>[], columns: [string, PgColumn][]): Map<string, unknown> {
  const shared = new Map<string, unknown>();
  for (const [key, c] of columns) {
    const first = rows[0][key as keyof InsertRow<T>] as unknown;
    if (
      first === undefined ||
      c.dataType === 'json' ||
      (typeof first === 'object' && first !== null && !(first instanceof Date))
    )
      continue;
    const same =
      first instanceof Date
        ? (v: unknown) => v instanceof Date && v.getTime() === first.getTime()
        : (v: unknown) => v === first;
    if (rows.every((row) => same(row[key as keyof InsertRow<T>]))) shared.set(key, first);
  }
  return shared.size === columns.length ? new Map() : shared;
}
