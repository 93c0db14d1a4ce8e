import { asc, getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

/** `%fragment%` for ILIKE with the user's `%`, `_` and `\` taken literally. */
export function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * ORDER BY from a `sort` query value (`field` or `-field`), validated against the same
 * allow-list as the schema; `id` is appended so pages are stable.
 */
export function orderFrom<K extends string>(
  sort: string | undefined,
  columns: Record<K, PgColumn | SQL>,
  fallback: NoInfer<K> | `-${NoInfer<K>}`,
  tieBreaker: PgColumn,
): SQL[] {
  const value = sort ?? fallback;
  const descending = value.startsWith('-');
  const key = (descending ? value.slice(1) : value) as K;
  const column = columns[key];
  // Empty values last in both directions: what a reader of a sorted list expects. (An index that serves a
  // descending list is written `desc nulls last` to match, e.g. customers_created_idx.)
  return [descending ? sql`${column} desc nulls last` : sql`${column} asc nulls last`, asc(tieBreaker)];
}

export function offsetOf(query: { page: number; pageSize: number }): number {
  return (query.page - 1) * query.pageSize;
}

/**
 * A column always written as "table"."column". Drizzle leaves columns unqualified in the
 * select list of a single-table select, where a correlated subquery would then bind an outer
 * column to the inner table (`"department_id" = "id"` inside `FROM users`). Use this for
 * every outer column referenced inside a subquery, wherever it stands.
 */
export function outer(column: PgColumn): SQL {
  return sql.raw(`"${getTableName(column.table)}"."${column.name}"`);
}

/**
 * An instant as the API shows it — what Date#toISOString() writes (UTC, milliseconds) — formatted by the
 * database, for answers built in SQL (a JSON text, a column read as text) where JS never sees a Date.
 */
export function isoText(value: SQL | PgColumn): SQL<string> {
  return sql<string>`to_char(${value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * The rows of one page and the total behind them. The count query runs only when the page
 * cannot tell: a first page that is not full, or any non-empty page that is not full, is the
 * whole rest of the list, so its total is known without counting.
 */
export async function pageWithTotal<T>(
  query: { page: number; pageSize: number },
  rows: PromiseLike<T[]>,
  count: () => PromiseLike<{ total: number }[]>,
): Promise<{ rows: T[]; total: number }> {
  const found = await rows;
  if (found.length < query.pageSize && (found.length > 0 || query.page === 1))
    return { rows: found, total: offsetOf(query) + found.length };
  const [{ total }] = await count();
  return { rows: found, total };
}

/** The number of rows the whole statement finds before its LIMIT, on each row of the page (pageCountedAlong). */
export const totalAlong = () => sql<number>`count(*) OVER ()`.mapWith(Number);

/**
 * As pageWithTotal, in one statement, for a list that reads every row it finds for any page anyway
 * (a search sorted by how well each row matches): its rows carry the total (`total: totalAlong()`),
 * instead of a second statement finding the same rows again to count them. Only a page past the
 * end has no row to carry it; then `count` runs.
 */
export async function pageCountedAlong<T extends { total: number }>(
  query: { page: number },
  rows: PromiseLike<T[]>,
  count: () => PromiseLike<{ total: number }[]>,
): Promise<{ rows: T[]; total: number }> {
  const found = await rows;
  if (found.length > 0) return { rows: found, total: found[0].total };
  if (query.page === 1) return { rows: found, total: 0 };
  const [{ total }] = await count();
  return { rows: found, total };
}

/**
 * How far a capped count goes past the start of the page: beyond it a list's total is a lower
 * bound (`totalExact: false`, shown as "10,000+"). Counting every visible row of a 100,000-row
 * list on each page costs more than the page itself (on PGlite, whose one connection serves everybody).
 */
export const COUNT_CAP = 10_000;

/**
 * As pageWithTotal, but the count stops COUNT_CAP rows past the page's start: `countUpTo(limit)`
 * counts at most `limit` rows. When more rows are there, `total` is the page's start + COUNT_CAP
 * and `totalExact` is false, so the pager still reaches the next pages and the count grows as one pages on.
 */
export async function pageWithCappedTotal<T>(
  query: { page: number; pageSize: number },
  rows: PromiseLike<T[]>,
  countUpTo: (limit: number) => PromiseLike<{ total: number }[]>,
): Promise<{ rows: T[]; total: number; totalExact: boolean }> {
  const found = await rows;
  if (found.length < query.pageSize && (found.length > 0 || query.page === 1))
    return { rows: found, total: offsetOf(query) + found.length, totalExact: true };
  const cap = offsetOf(query) + COUNT_CAP;
  const [{ total }] = await countUpTo(cap + 1);
  return total > cap ? { rows: found, total: cap, totalExact: false } : { rows: found, total, totalExact: true };
}

/**
 * Rows of `table` that came back as JSON (`row_to_json`, `json_agg` in a sub-select — one round
 * trip for a record and its children) turned back into the rows Drizzle would have returned:
 * snake_case keys to properties, timestamps to Dates. Extra keys are left for the caller.
 */
export function rowFromJson<T extends PgTable>(table: T, json: Record<string, unknown>): T['$inferSelect'] {
  const row: Record<string, unknown> = {};
  for (const [property, column] of Object.entries(getTableColumns(table))) {
    const value = json[column.name];
    row[property] =
      value !== null && value !== undefined && column.dataType === 'date' ? new Date(value as string) : (value ?? null);
  }
  return row as T['$inferSelect'];
}
