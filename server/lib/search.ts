import { getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm';
import { text, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import { CJK } from '../../common/search';
import type { Db } from '../db/client';
import { containsPattern } from './listing';

/**
 * Searching a record's lower-cased `search_text` (server/lib/search-text.ts) for "contains q".
 *
 * Two indexes serve it, each where the other cannot:
 * - a pg_trgm GIN index on `search_text` for queries of three characters or more (pinyin,
 *   initials, phone and credit-code fragments, longer Chinese words);
 * - a GIN index on `search_grams`, the Chinese characters of `search_text` and every pair of
 *   adjacent ones (`北京华达` → 北 京 华 达 北京 京华 华达), for the one- and two-character Chinese
 *   words people search companies and colleagues by (华达, 秦川, 李): trigrams need three characters,
 *   so for these the trigram index reads everything.
 *
 * `search_grams` is a generated column (`cjk_grams(search_text)`, a function created by
 * migration 0021; PL/pgSQL since 0053; its grams in text order, repeats kept, since 0056: every
 * use of them is a set), so every writer of `search_text` — services, import, merge, seeders, raw
 * SQL in the benchmarks — fills it without knowing, on PGlite and PostgreSQL alike. Its characters are
 * the Han ranges of `CJK` (common/search.ts); a test compares the two (search.test.ts).
 */

/**
 * A bulk writer's pending list for the search indexes, in kB (PostgreSQL's default; the app's sessions keep
 * GIN_PENDING_LIST_KB, db/client.ts). Merging larger batches is several times cheaper: 100,000 customers' entries took
 * PostgreSQL 5.7 s at 4 MB against 19.5 s at 128 kB (26.5 s without a pending list). Set it in the writer's
 * transaction (`set_config('gin_pending_list_limit', …, true)`) and call mergeSearchIndexes when done.
 */
export const BULK_GIN_PENDING_LIST_KB = 4096;

/**
 * Merges the pending lists of the GIN indexes of `tables` into the indexes, so that searches after a bulk write do
 * not read a long list. Only the owner of an index may: a database user that is not (a deployment that migrates as
 * another user) leaves it to autovacuum.
 */
export async function mergeSearchIndexes(db: Db, tables: PgTable[]): Promise<void> {
  const names = tables.map((t) => getTableName(t));
  try {
    await db.execute(sql`
      SELECT gin_clean_pending_list(i.indexrelid)
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
      WHERE am.amname = 'gin' AND i.indrelid IN (${sql.join(
        names.map((n) => sql`to_regclass(${n})`),
        sql`, `,
      )})`);
  } catch (error) {
    if ((error as { code?: string }).code !== '42501') throw error; // insufficient_privilege
  }
}

/** The generated `search_grams` column of a table that has `search_text`, for its `*.tables.ts`. */
export const searchGramsColumn = () =>
  text('search_grams')
    .array()
    .notNull()
    .generatedAlwaysAs(sql`cjk_grams(search_text)`);

/**
 * The grams of `search_grams` that every row containing `q` must have, when they are the better
 * index lookup: for a query shorter than three characters that contains Chinese, its adjacent
 * pairs of Chinese characters, or its single Chinese characters when there is no pair. Null when
 * the trigram index serves the query (three characters or more, or no Chinese at all).
 */
export function gramsOf(q: string): string[] | null {
  const chars = [...q.toLowerCase()];
  if (chars.length >= 3 || !chars.some((c) => CJK.test(c))) return null;
  const pairs: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++)
    if (CJK.test(chars[i]) && CJK.test(chars[i + 1])) pairs.push(chars[i] + chars[i + 1]);
  return pairs.length > 0 ? pairs : chars.filter((c) => CJK.test(c));
}

type Searchable = { searchText: PgColumn | SQL; searchGrams: PgColumn | SQL };

/**
 * A search for `q` as it goes into SQL, either as values (built per request) or as placeholders, for a
 * statement prepared once per shape (preparedOnce): the predicate's form depends only on
 * `searchShape(q)`, and `searchValues(q)` fills its placeholders (`qLike`, `qGrams`, `qLower`, `qPrefix`).
 */
export type Term = {
  q: string;
  placeholders: boolean;
  /**
   * Placeholders the planner does not estimate by (`(SELECT $n::text)`, see opaquePlaceholder): the statement keeps its generic plan instead
   * of being planned for every term. For the contacts search, where the custom plans were never better and, for broad
   * terms, many times worse (docs/benchmarks/load-2026-12-07.md, session 23).
   */
  opaque?: boolean;
};

/**
 * What a statement built from a Term with placeholders depends on: whether q is searched by its Chinese
 * grams (a one- or two-character Chinese word), is another word under three characters, or a longer one.
 */
export function searchShape(q: string): 'grams' | 'short' | 'like' {
  if (gramsOf(q)) return 'grams';
  return [...q].length < 3 ? 'short' : 'like';
}

/** The placeholder values of a search for q. */
export function searchValues(q: string) {
  const lower = q.toLowerCase();
  const grams = gramsOf(q);
  return {
    qLike: containsPattern(lower),
    qGrams: grams ? `{${grams.join(',')}}` : null,
    qLower: lower,
    qPrefix: `${lower.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
  };
}

const termValue = (term: Term, name: keyof ReturnType<typeof searchValues>) =>
  !term.placeholders
    ? searchValues(term.q)[name]
    : term.opaque
      ? sql`(SELECT ${sql.placeholder(name)}::text)` // as db/client.ts's opaquePlaceholder (not imported: a cycle)
      : sql.placeholder(name);

const asTerm = (q: string | Term): Term => (typeof q === 'string' ? { q, placeholders: false } : q);

/**
 * "`search_text` contains `q`", written so that an index serves it: `LIKE` on the lower-cased
 * query (the text is lower-case already; `ILIKE` rechecks many times slower), plus `search_grams @>`
 * the query's grams when it is a short Chinese word. Pass columns qualified with `outer()` when
 * the predicate stands inside a subquery of the same table.
 */
export function textMatches(columns: Searchable, q: string | Term): SQL {
  const term = asTerm(q);
  const shape = searchShape(term.q);
  // Under three characters the trigram index has nothing to look up and would return all of itself (PostgreSQL
  // sees that for a literal pattern but not for a placeholder): the LIKE is then written so that no index
  // serves it, and only rechecks the rows the grams found, or filters a scan — one plan, prepared or not.
  const text = shape === 'like' ? columns.searchText : sql`(${columns.searchText} || '')`;
  const like = sql`${text} LIKE ${termValue(term, 'qLike')}`;
  if (shape !== 'grams') return like;
  // LIKE first: where rows are filtered one by one, it is cheaper than unpacking the array.
  return sql`(${like} AND ${columns.searchGrams} @> ${termValue(term, 'qGrams')}::text[])`;
}

/**
 * How well a record's name answers `q`: 0 the name is `q`, 1 it starts with `q`, 2 it only contains
 * it somewhere in its searchable text (case-insensitive). Order a search by it first so that 华达
 * comes before 北京华达建设 — only when the reader asked for no other order.
 */
export function nameRank(name: PgColumn | SQL, q: string | Term): SQL<number> {
  const term = asTerm(q);
  return sql<number>`CASE WHEN lower(${name}) = ${termValue(term, 'qLower')} THEN 0 WHEN lower(${name}) LIKE ${termValue(term, 'qPrefix')} THEN 1 ELSE 2 END`;
}

type SearchableTable = PgTable & { searchText: PgColumn; searchGrams: PgColumn };

/** A searchable table's row as lists and pages read it: without `search_text` and `search_grams`. */
export type Shown<T extends SearchableTable> = Omit<T['$inferSelect'], 'searchText' | 'searchGrams'>;

/**
 * The columns of a searchable table without its two search columns, for `select({ row: shownColumns(t) })`:
 * they are long (the name again in pinyin and initials, every character and pair of characters), only the
 * database reads them, and fetching and parsing them was a good part of what a list page cost the server.
 */
export function shownColumns<T extends SearchableTable>(table: T) {
  const { searchText: _text, searchGrams: _grams, ...shown } = getTableColumns(table);
  return shown as Omit<ReturnType<typeof getTableColumns<T>>, 'searchText' | 'searchGrams'>;
}
