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
  // Empty values last in both directions: what a reader of a sorted list expects.
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
