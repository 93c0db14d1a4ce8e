import { createHash } from 'node:crypto';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql, type ExtractTablesWithRelations } from 'drizzle-orm';
import pg from 'pg';
import * as schema from './schema';

export type Schema = typeof schema;
/** A Drizzle database or transaction; both engines produce the same type. */
export type Db = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type Engine = 'pglite' | 'postgres';

export type Database = {
  db: Db;
  engine: Engine;
  /** The underlying client, for migrations and raw access. */
  client: PGlite | pg.Pool;
  close(): Promise<void>;
};

export type DatabaseOptions = { databaseUrl: string; poolSize?: number } | { dataDir?: string; pglite?: PGlite };

/** Embedded PGlite with the extensions the migrations use (pg_trgm for the search indexes). */
export function createPglite(options: Omit<PGliteOptions, 'extensions'> = {}): Promise<PGlite> {
  return PGlite.create({ ...options, extensions: { pg_trgm } });
}

/** Opens PostgreSQL when a URL is given, otherwise embedded PGlite (in `dataDir`, or in memory). */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if ('databaseUrl' in options) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // Fail fast with a clear message when the server is unreachable.
    const probe = await pool.connect();
    probe.release();
    pool.on('error', () => {
      /* idle client errors are reported on the next query */
    });
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    return { db, engine: 'postgres', client: pool, close: () => pool.end() };
  }
  const lite = options.pglite ?? (await createPglite({ dataDir: options.dataDir }));
  const db = drizzlePglite(lite, { schema }) as unknown as Db;
  return { db, engine: 'pglite', client: lite, close: () => lite.close() };
}

/** What node-postgres prepared queries of Drizzle 0.45 carry; PGlite's have no query configs. */
type NodePgPrepared = { queryString?: string; queryConfig?: { name?: string }; rawQueryConfig?: { name?: string } };
const statementNames = new Map<string, string>();

/**
 * Names a prepared query after a hash of its SQL text, so that on PostgreSQL each pooled
 * connection parses and plans it once and afterwards only binds parameters (the session lookup:
 * 0.6 ms → 0.2 ms). A query whose text varies (e.g. by the reader's visibility scope) gets one
 * name per variant, so names never clash. When the prepared query does not look as expected
 * (PGlite, another Drizzle version) it stays unnamed — slower, never wrong.
 */
function named<P>(prepared: P): P {
  const q = prepared as NodePgPrepared;
  if (q.queryString && q.queryConfig && q.rawQueryConfig) {
    let name = statementNames.get(q.queryString);
    if (!name) {
      name = `gd_${createHash('sha1').update(q.queryString).digest('hex').slice(0, 20)}`;
      if (statementNames.size < 1_000) statementNames.set(q.queryString, name);
    }
    q.queryConfig.name = name;
    q.rawQueryConfig.name = name;
  }
  return prepared;
}

type Prepared = { execute(placeholders?: Record<string, unknown>): Promise<unknown> };
const MAX_PREPARED_PER_DB = 500;
const preparedByDb = new WeakMap<Db, Map<string, Prepared>>();

/**
 * A query built ONCE per database and key, then executed with placeholder values — for reads on
 * every request, where building the SQL costs as much as PostgreSQL takes to answer. The key must
 * name everything the built query depends on besides its placeholders (e.g. actorKey(actor) when
 * it embeds a visibility condition). The newest MAX_PREPARED_PER_DB keys are kept per database.
 */
export function preparedOnce<P extends Prepared>(db: Db, key: string, build: () => P): P {
  let cache = preparedByDb.get(db);
  if (!cache) preparedByDb.set(db, (cache = new Map()));
  let prepared = cache.get(key) as P | undefined;
  if (!prepared) {
    prepared = named(build());
    if (cache.size >= MAX_PREPARED_PER_DB) cache.delete(cache.keys().next().value!);
    cache.set(key, prepared);
  }
  return prepared;
}

/**
 * A LIMIT written into the text of a statement prepared with preparedOnce instead of sent as a
 * parameter: PostgreSQL's generic plan assumes a tenth of the rows for `LIMIT $1`, judges it worse
 * than a custom plan, and then plans again on every execution. For limits fixed per prepared key.
 */
export function fixedLimit(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`fixedLimit: ${n}`);
  return sql.raw(String(n)) as unknown as number; // Drizzle's .limit() takes SQL as it is
}
