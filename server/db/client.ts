import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import {
  PGlite,
  parse,
  protocol,
  type PGliteOptions,
  type QueryOptions,
  type Results,
  type Transaction,
} from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql, type ExtractTablesWithRelations, type Placeholder, type SQL } from 'drizzle-orm';
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

/**
 * The pending list of the GIN search indexes, in kB, for every session of the app. GIN queues new entries in a list
 * that every search reads in full until it is merged (by a vacuum, or by the insert that overflows it); PGlite never
 * vacuums, and the default 4 MB made a search that finds nothing take 2–30 ms per table after an import. 128 kB keeps
 * that under a millisecond. It is a session setting rather than a property of each index (migration 0052) so that a
 * bulk writer can raise it for its own transactions: merging 4 MB at a time is 3–4× cheaper (lib/search.ts,
 * bulkSearchIndexing).
 */
export const GIN_PENDING_LIST_KB = 128;

/** Embedded PGlite with the extensions the migrations use (pg_trgm for the search indexes). */
export function createPglite(options: Omit<PGliteOptions, 'extensions'> = {}): Promise<PGlite> {
  return PGlite.create({ ...options, extensions: { pg_trgm } });
}

/** Opens PostgreSQL when a URL is given, otherwise embedded PGlite (in `dataDir`, or in memory). */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if ('databaseUrl' in options) {
    // JIT off: PostgreSQL compiled the customer timeline's 17-branch statement on every request (6 s of JIT for 2 ms
    // of work, docs/benchmarks/renewals-2026-12-06.md) — the planner's cost estimates of wide OLTP statements pass
    // jit_above_cost while their real work is milliseconds; nothing here is a long analytic query that JIT would pay for.
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      options: `-c jit=off -c gin_pending_list_limit=${GIN_PENDING_LIST_KB}`,
    });
    // Fail fast with a clear message when the server is unreachable.
    const probe = await pool.connect();
    probe.release();
    pool.on('error', () => {
      /* idle client errors are reported on the next query */
    });
    const poolQuery = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    // Inside `pipelined`, the queries go to its connection (see there).
    pool.query = ((...args: unknown[]) => batches.getStore()?.query(args) ?? poolQuery(...args)) as typeof pool.query;
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    pools.set(db, pool);
    return { db, engine: 'postgres', client: pool, close: () => pool.end() };
  }
  const lite = options.pglite ?? (await createPglite({ dataDir: options.dataDir }));
  await lite.exec(`SET gin_pending_list_limit = ${GIN_PENDING_LIST_KB}`);
  withNamedStatements(lite);
  const db = drizzlePglite(lite, { schema }) as unknown as Db;
  return { db, engine: 'pglite', client: lite, close: () => lite.close() };
}

/** The pool of each PostgreSQL database (PGlite has one connection and no pool). */
const pools = new WeakMap<Db, pg.Pool>();
/** The pipelined batch the current request runs its queries in (`pipelined`). */
type Batch = { query(args: unknown[]): Promise<unknown> | null };
const batches = new AsyncLocalStorage<Batch>();
/** The parts of a pg client that pipelining uses (its socket; the pipeline flag, off outside a batch). */
type PipelinedClient = pg.PoolClient & { pipeline: boolean; connection: { stream: Socket } };

/**
 * Runs `fn` with the queries it sends through the pool (not those of a transaction it opens) pipelined on ONE
 * connection: they are written together — one write for all the queries started in the same turn of the event loop
 * — and PostgreSQL answers them in order. For a page of many small independent statements (Today: 17): each
 * statement sent on its own connection cost a system call to write it and a wake-up of its PostgreSQL process (the
 * server's profile was dominated by writev), and the page held up to the whole pool. Each query keeps its own
 * error (a Sync after each). The connection goes back to the pool when `fn` and every query it started have ended;
 * a query started after that (a task `fn` left running) goes through the pool again. PGlite: `fn` as it is.
 * For reads: a transaction opened inside works (on a connection of its own), but waiting for a second connection
 * while holding this one can starve the pool when every connection is held by such a request.
 */
export async function pipelined<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const pool = pools.get(db);
  if (!pool || batches.getStore()) return fn();
  const client = (await pool.connect()) as PipelinedClient;
  const socket = client.connection.stream;
  const pending = new Set<Promise<unknown>>();
  let open = true;
  let corked = false;
  let broken: Error | undefined;
  client.pipeline = true;
  const batch: Batch = {
    query(args) {
      if (!open) return null;
      if (!corked) {
        corked = true;
        socket.cork();
        setImmediate(() => {
          corked = false;
          socket.uncork();
        });
      }
      const query = (client.query as (...a: unknown[]) => Promise<unknown>)(...args);
      const settled: Promise<void> = query.then(
        () => {
          pending.delete(settled);
        },
        (error: Error & { code?: string }) => {
          if (!error.code) broken = error; // not an answer of PostgreSQL: the connection is not to be reused
          pending.delete(settled);
        },
      );
      pending.add(settled);
      return query;
    },
  };
  try {
    return await batches.run(batch, fn);
  } finally {
    open = false;
    while (pending.size) await Promise.all(pending);
    client.pipeline = false;
    client.release(broken);
  }
}

type Messages = Awaited<ReturnType<PGlite['execProtocolStream']>>;
/** Named statements PGlite keeps parsed (see withNamedStatements). */
const MAX_NAMED_STATEMENTS = 1000;
type NamedQuery = (text: string, params?: unknown[], options?: QueryOptions & { name?: string }) => Promise<Results>;
const withNamed = new WeakSet<PGlite>();

/** Protocol messages in one buffer: PGlite handles them in one call, as a server reads them off its socket. */
function messages(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * PGlite runs a query that carries a statement name (preparedOnce names them, see named()) as a real named
 * prepared statement: parsed and described once per PGlite instance, afterwards only bound and executed —
 * one call into PGlite instead of the five of its query() (parse, describe, bind, describe, execute), and
 * the plan of an unchanged statement may be kept as on PostgreSQL. Outside a transaction the call waits for
 * PGlite's transaction lock like query(); inside one (the transaction's own query) only for the query lock.
 * Statements outlive a rollback (a rollback does not undo a Parse); the MAX_NAMED_STATEMENTS most recently used are
 * kept, the least recently used closed, so readers and list shapes cannot grow PGlite's memory without bound.
 */
function withNamedStatements(lite: PGlite) {
  if (withNamed.has(lite)) return;
  withNamed.add(lite);
  const { serialize } = protocol;
  const statements = new Map<string, { types: number[]; row: Messages[number] | undefined }>();
  const send = (message: Uint8Array) => lite.execProtocolStream(message, { syncToFs: false });
  const run = async (name: string, text: string, params: unknown[], options: QueryOptions, inTransaction: boolean) => {
    let statement = statements.get(name);
    if (statement) {
      statements.delete(name); // moved last: the map is kept in order of use
      statements.set(name, statement);
    } else {
      if (statements.size >= MAX_NAMED_STATEMENTS) {
        const oldest = statements.keys().next().value!;
        // Forgotten only once closed: a name still parsed in PGlite must never be parsed again.
        await send(messages(serialize.close({ type: 'S', name: oldest }), serialize.sync())).then(
          () => statements.delete(oldest),
          () => {}, // e.g. inside a failed transaction: closed another time
        );
      }
      const described = await send(
        messages(serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()),
      );
      const types = parse.parseDescribeStatementResults(described);
      statement = { types, row: described.find((m) => m.name === 'rowDescription') };
      statements.set(name, statement);
    }
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = options.serializers?.[statement.types[i]] ?? lite.serializers[statement.types[i]];
      return serializer ? serializer(value) : String(value);
    });
    const answer = await send(
      messages(serialize.bind({ statement: name, values }), serialize.execute({}), serialize.sync()),
    );
    if (!inTransaction) await lite.syncToFs();
    return parse.parseResults(statement.row ? [statement.row, ...answer] : answer, lite.parsers, options)[0];
  };
  const query = lite.query.bind(lite) as NamedQuery;
  const named: NamedQuery = async (text, params = [], options = {}) => {
    if (!options.name) return query(text, params, options);
    await lite._checkReady();
    return lite._runExclusiveTransaction(() =>
      lite._runExclusiveQuery(() => run(options.name!, text, params, options, false)),
    );
  };
  lite.query = named as PGlite['query'];
  const transaction = lite.transaction.bind(lite);
  lite.transaction = <T>(callback: (tx: Transaction) => Promise<T>) =>
    transaction((tx) => {
      const txQuery = tx.query.bind(tx) as NamedQuery;
      const namedInTx: NamedQuery = async (text, params = [], options = {}) => {
        if (!options.name) return txQuery(text, params, options);
        if (tx.closed) throw new Error('Transaction is closed');
        return lite._runExclusiveQuery(() => run(options.name!, text, params, options, true));
      };
      tx.query = namedInTx as Transaction['query'];
      return callback(tx);
    });
}

/** What prepared queries of Drizzle 0.45 carry (node-postgres and PGlite alike). */
type NodePgPrepared = { queryString?: string; queryConfig?: { name?: string }; rawQueryConfig?: { name?: string } };
const statementNames = new Map<string, string>();

/**
 * Names a prepared query after a hash of its SQL text, so that on PostgreSQL each pooled
 * connection parses and plans it once and afterwards only binds parameters (the session lookup:
 * 0.6 ms → 0.2 ms), and PGlite parses it once (withNamedStatements). A query whose text varies
 * (e.g. by the reader's visibility scope) gets one name per variant, so names never clash. When the
 * prepared query does not look as expected (another Drizzle version) it stays unnamed — slower, never wrong.
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
 * it embeds a visibility condition). The MAX_PREPARED_PER_DB most recently used keys are kept per database.
 */
export function preparedOnce<P extends Prepared>(db: Db, key: string, build: () => P): P {
  let cache = preparedByDb.get(db);
  if (!cache) preparedByDb.set(db, (cache = new Map()));
  let prepared = cache.get(key) as P | undefined;
  if (prepared) {
    cache.delete(key); // most recently used last: the hot statements (the session lookup) are never the ones dropped
  } else {
    prepared = named(build());
    if (cache.size >= MAX_PREPARED_PER_DB) cache.delete(cache.keys().next().value!);
  }
  cache.set(key, prepared);
  return prepared;
}

/**
 * preparedOnce for a raw statement: `build` gives the SQL (values that change per call as `sql.placeholder(name)`),
 * built once per database and key, named and executed as the query builder's prepared queries are; answers its rows.
 */
export function preparedRows<T>(
  db: Db,
  key: string,
  build: () => SQL,
): { execute(values?: Record<string, unknown>): Promise<T[]> } {
  const prepared = preparedOnce(db, key, () => {
    const internals = db as unknown as {
      session: { prepareQuery(query: unknown, fields: undefined, name: string, arrayMode: boolean): Prepared };
      dialect: { sqlToQuery(query: SQL): unknown };
    };
    return internals.session.prepareQuery(internals.dialect.sqlToQuery(build()), undefined, '', false);
  });
  return { execute: async (values) => ((await prepared.execute(values)) as { rows: T[] }).rows };
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

/**
 * A placeholder the planner cannot look into: `(SELECT $n::type)`, evaluated once before the statement runs (an
 * InitPlan; still an index condition). A prepared statement whose parameters change the estimates — a date
 * compared with `<=`, an owner's id — can get a custom plan that looks cheaper than the generic one, and
 * PostgreSQL then plans it on every execution (Today's calls due: 0.54 ms of planning for 0.4 ms of work). With
 * its parameters opaque, every plan is the generic one and it is planned once per connection.
 */
export function opaquePlaceholder(name: string, type: 'uuid' | 'date'): SQL {
  return sql`(SELECT ${sql.placeholder(name)}::${sql.raw(type)})`;
}

/**
 * The OFFSET of a page of a prepared list, and the part of the statement's key that goes with the page (its size, and
 * whether it is the first): the first page has 0 written into its text, the others the placeholder `offset`. With
 * `OFFSET $n` on every page PostgreSQL may judge the generic plan worse than a custom one and plan the first page —
 * the one read all day — on every request (the partner's customer list: 0.4 ms of planning for 0.3 ms of work).
 */
export function pageOffset(query: { page: number; pageSize: number }): { offset: number | Placeholder; key: string } {
  return query.page === 1
    ? { offset: fixedLimit(0), key: `${query.pageSize}|first` }
    : { offset: sql.placeholder('offset'), key: `${query.pageSize}|next` };
}

/** The rows of a raw statement, typed by the caller (both drivers answer `{rows}`). */
export async function rowsOf<T>(db: Db, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

/**
 * A list as ONE array parameter (`= ANY(${arrayParam(ids, 'uuid')})`): Drizzle expands a JS array in a `sql`
 * template into one parameter per value, which `ANY(...)` cannot take.
 */
export function arrayParam(values: readonly string[], type: 'uuid' | 'text'): SQL {
  const literal = `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
  return sql`${literal}::${sql.raw(type)}[]`;
}
