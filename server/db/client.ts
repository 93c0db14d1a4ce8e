import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
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

export type DatabaseOptions =
  | { databaseUrl: string; poolSize?: number }
  | { dataDir?: string; pglite?: PGlite };

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
