import { asc, getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

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
