import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { PGlite } from '@electric-sql/pglite';
import { desc, eq, sql } from 'drizzle-orm';
import type pg from 'pg';
import { VERSION } from '../../version';
import { createPglite, openDatabase, rowsOf, type Database, type Db, type Engine } from '../../db/client';
import { MIGRATIONS_DIR, migrateDatabase } from '../../db/migrate';
import { TarError, tar, untar, type TarEntry } from '../../lib/tar';
import { backupRuns } from './operations.tables';

/**
 * Backup and restore of the whole database (uploaded files are stored in it, files.tables.ts) on both engines.
 *
 * A backup file is a tar holding `manifest.json` and one database part: `database.tar.gz` (PGlite: its data
 * directory, read while no statement runs) or `database.pgdump` (PostgreSQL: `pg_dump -Fc` in the snapshot the
 * row counts were taken in). The manifest names the schema version (last migration), the rows of every table, a
 * sha256 of each part, the app version, engine and time; restore checks all of it before it changes anything.
 */

export const BACKUP_FILE_PATTERN = /^gongdan-backup-\d{8}-\d{6}(-\d+)?\.gdbak$/;
const SCHEMAS = ['public', 'drizzle', 'pgboss'];
/** Not part of a PGlite backup: the serving lock (pidfile) — and the backups directory when it lies inside. */
export const SERVE_LOCK_FILE = 'gongdan-serve.pid';

export type BackupManifest = {
  format: 'gongdan-backup';
  formatVersion: 1;
  appVersion: string;
  engine: Engine;
  createdAt: string;
  schema: { lastMigration: string | null; migrations: number };
  /** Rows per table (`schema.table`) at the moment of the backup. */
  tables: Record<string, number>;
  /** md5 of each table's rows (see tableChecksums), when asked for. */
  checksums?: Record<string, string>;
  parts: { name: string; bytes: number; sha256: string }[];
};

export type BackupErrorCode =
  | 'BACKUP_CORRUPT'
  | 'BACKUP_TOOLS_MISSING'
  | 'BACKUP_ENGINE_MISMATCH'
  | 'BACKUP_NEWER_SCHEMA'
  | 'BACKUP_DATA_DIR_IN_USE'
  | 'BACKUP_DATABASE_IN_USE'
  | 'BACKUP_VERIFY_FAILED'
  | 'BACKUP_FAILED';

/** A failure with a stable code; the CLI prints `CODE: message`. */
export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

type Journal = { entries: { idx: number; when: number; tag: string }[] };
function journal(): Journal {
  return JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as Journal;
}

type Query = (text: string) => Promise<Record<string, unknown>[]>;

async function schemaVersion(query: Query): Promise<BackupManifest['schema']> {
  const [exists] = await query(`SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS present`);
  if (!exists.present) return { lastMigration: null, migrations: 0 };
  const [row] = await query(
    `SELECT count(*)::int AS n, max(created_at)::text AS last FROM drizzle.__drizzle_migrations`,
  );
  const last = row.last === null ? null : Number(row.last);
  const entry = journal().entries.find((e) => e.when === last);
  return { lastMigration: entry?.tag ?? (last === null ? null : `unknown:${last}`), migrations: Number(row.n) };
}

async function tableNames(query: Query): Promise<string[]> {
  const rows = await query(
    `SELECT n.nspname AS s, c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname IN (${SCHEMAS.map((s) => `'${s}'`).join(',')})
      ORDER BY 1, 2`,
  );
  return rows.map((r) => `${r.s as string}.${r.t as string}`);
}

const qualified = (table: string) => table.split('.').map(quoteIdent).join('.');

async function rowCounts(query: Query): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await tableNames(query)) {
    const [row] = await query(`SELECT count(*)::int AS n FROM ${qualified(table)}`);
    counts[table] = Number(row.n);
  }
  return counts;
}

/** md5 of each table's rows in a stable order: equal exactly when the rows are. */
export async function tableChecksums(query: Query): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const table of await tableNames(query)) {
    const [row] = await query(
      `SELECT coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '-') AS sum FROM ${qualified(table)} t`,
    );
    sums[table] = row.sum as string;
  }
  return sums;
}

/** A raw query on a Drizzle database. */
export function queryOf(db: Db): Query {
  return (text) => rowsOf<Record<string, unknown>>(db, sql.raw(text));
}

type EmscriptenFs = {
  readdir(path: string): string[];
  stat(path: string): { mode: number; mtime: Date };
  isFile(mode: number): boolean;
  isDir(mode: number): boolean;
  readFile(path: string, options: { encoding: 'binary' }): Uint8Array;
};

/** The PGlite data directory as tar entries, read under PGlite's query lock (no statement runs meanwhile). */
function readPgliteDataDir(lite: PGlite, skipTopLevel: Set<string>): TarEntry[] {
  const mod = lite.Module as unknown as { FS: EmscriptenFs; ENV: Record<string, string> };
  const root = mod.ENV.PGDATA;
  const entries: TarEntry[] = [];
  const walk = (dir: string, relative: string) => {
    for (const name of mod.FS.readdir(dir)) {
      if (name === '.' || name === '..') continue;
      if (!relative && skipTopLevel.has(name)) continue;
      const full = `${dir}/${name}`;
      const rel = relative ? `${relative}/${name}` : name;
      const st = mod.FS.stat(full);
      if (mod.FS.isDir(st.mode)) {
        entries.push({ name: rel, type: 'directory', data: Buffer.alloc(0) });
        walk(full, rel);
      } else if (mod.FS.isFile(st.mode)) {
        entries.push({ name: rel, type: 'file', data: Buffer.from(mod.FS.readFile(full, { encoding: 'binary' })) });
      }
    }
  };
  walk(root, '');
  return entries;
}

/** A tool of the PostgreSQL client (pg_dump, pg_restore, psql); BACKUP_TOOLS_MISSING when it is not on the PATH. */
function requireTool(tool: string): string {
  const probe = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    throw new BackupError(
      'BACKUP_TOOLS_MISSING',
      `${tool} was not found: backups of PostgreSQL need the PostgreSQL client tools (pg_dump, pg_restore, psql) ` +
        `of the server's major version or newer on the PATH (e.g. apt-get install postgresql-client)`,
    );
  return tool;
}

function run(tool: string, args: string[], stdin?: (input: NodeJS.WritableStream) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: [stdin ? 'pipe' : 'ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new BackupError('BACKUP_FAILED', `${tool} failed (exit ${code}): ${stderr.trim().slice(0, 2000)}`)),
    );
    if (stdin) stdin(child.stdin!).catch(reject);
  });
}

function connectionString(database: Database): string {
  const options = (database.client as unknown as { options: { connectionString?: string } }).options;
  if (!options.connectionString) throw new Error('PostgreSQL pool without a connection string');
  return options.connectionString;
}

/** The manifest without its parts, and the database part, taken consistently from an open (maybe serving) database. */
async function snapshot(
  database: Database,
  options: { checksums: boolean; skipTopLevel: Set<string> },
): Promise<{ manifest: Omit<BackupManifest, 'parts'>; part: { name: string; data: Buffer } }> {
  const createdAt = new Date().toISOString();
  const head = { format: 'gongdan-backup' as const, formatVersion: 1 as const, appVersion: VERSION, createdAt };
  if (database.engine === 'pglite') {
    const lite = database.client as PGlite;
    let entries: TarEntry[] = [];
    let schema: BackupManifest['schema'] = { lastMigration: null, migrations: 0 };
    let tables: Record<string, number> = {};
    let checksums: Record<string, string> | undefined;
    // The transaction lock keeps every other statement and transaction out; the data directory is read after a
    // checkpoint, between statements — what a restart would find.
    await lite.transaction(async (tx) => {
      const query: Query = async (text) => (await tx.query<Record<string, unknown>>(text)).rows;
      schema = await schemaVersion(query);
      tables = await rowCounts(query);
      if (options.checksums) checksums = await tableChecksums(query);
      await tx.exec('CHECKPOINT');
      entries = await lite._runExclusiveQuery(async () => readPgliteDataDir(lite, options.skipTopLevel));
    });
    const data = await promisify(gzip)(tar(entries));
    return {
      manifest: { ...head, engine: 'pglite', schema, tables, ...(checksums ? { checksums } : {}) },
      part: { name: 'database.tar.gz', data },
    };
  }
  const pgDump = requireTool('pg_dump');
  const client = await (database.client as pg.Pool).connect();
  const temp = path.join(os.tmpdir(), `gongdan-dump-${randomBytes(6).toString('hex')}.pgdump`);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const query: Query = async (text) => (await client.query(text)).rows as Record<string, unknown>[];
    const [{ id }] = await query('SELECT pg_export_snapshot() AS id');
    const schema = await schemaVersion(query);
    const tables = await rowCounts(query);
    const checksums = options.checksums ? await tableChecksums(query) : undefined;
    await run(pgDump, [
      '--format=custom',
      `--snapshot=${id as string}`,
      '--file',
      temp,
      '--dbname',
      connectionString(database),
    ]);
    const data = await readFile(temp);
    return {
      manifest: { ...head, engine: 'postgres', schema, tables, ...(checksums ? { checksums } : {}) },
      part: { name: 'database.pgdump', data },
    };
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
    await rm(temp, { force: true });
  }
}

/**
 * Writes a backup of `database` (which may be serving) to `file` (written aside, then renamed into place) and
 * returns its manifest. `checksums` adds every table's md5 to the manifest (tests; costly on large tables).
 */
export async function writeBackup(
  database: Database,
  file: string,
  options: { checksums?: boolean; backupDir?: string; dataDir?: string } = {},
): Promise<BackupManifest & { sizeBytes: number }> {
  const skipTopLevel = new Set([SERVE_LOCK_FILE]);
  if (options.backupDir && options.dataDir) {
    const relative = path.relative(path.resolve(options.dataDir), path.resolve(options.backupDir));
    if (relative && !relative.startsWith('..') && !path.isAbsolute(relative))
      skipTopLevel.add(relative.split(path.sep)[0]);
  }
  const { manifest: head, part } = await snapshot(database, { checksums: options.checksums ?? false, skipTopLevel });
  const manifest: BackupManifest = {
    ...head,
    parts: [{ name: part.name, bytes: part.data.length, sha256: sha256(part.data) }],
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2));
  const container = tar([
    { name: 'manifest.json', type: 'file', data: manifestBytes },
    { name: 'manifest.sha256', type: 'file', data: Buffer.from(`${sha256(manifestBytes)}  manifest.json\n`) },
    { name: part.name, type: 'file', data: part.data },
  ]);
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const partial = `${file}.partial`;
  await writeFile(partial, container);
  await rename(partial, file);
  return { ...manifest, sizeBytes: container.length };
}

/** A backup file read and checked (manifest, checksum of each part, schema known to this version); nothing changed. */
export async function readBackup(file: string): Promise<{ manifest: BackupManifest; part: Buffer }> {
  let container: Buffer;
  try {
    container = await readFile(file);
  } catch (error) {
    throw new BackupError('BACKUP_CORRUPT', `cannot read the backup ${file}: ${(error as Error).message}`);
  }
  const corrupt = (why: string) =>
    new BackupError('BACKUP_CORRUPT', `${file} is not an intact Gongdan backup (${why}); nothing was changed`);
  let entries: TarEntry[];
  try {
    entries = untar(container);
  } catch (error) {
    if (error instanceof TarError) throw corrupt(error.message);
    throw error;
  }
  const manifestEntry = entries.find((e) => e.name === 'manifest.json');
  if (!manifestEntry) throw corrupt('no manifest');
  const manifestSum = entries
    .find((e) => e.name === 'manifest.sha256')
    ?.data.toString('utf8')
    .split(/\s/)[0];
  if (manifestSum !== sha256(manifestEntry.data)) throw corrupt('the checksum of the manifest does not match');
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(manifestEntry.data.toString('utf8')) as BackupManifest;
  } catch {
    throw corrupt('unreadable manifest');
  }
  if (manifest.format !== 'gongdan-backup' || manifest.formatVersion !== 1 || !Array.isArray(manifest.parts))
    throw corrupt('unknown format');
  if (manifest.parts.length !== 1 || !['pglite', 'postgres'].includes(manifest.engine))
    throw corrupt('unexpected parts');
  const [expected] = manifest.parts;
  const part = entries.find((e) => e.name === expected.name);
  if (!part) throw corrupt(`${expected.name} is missing`);
  if (part.data.length !== expected.bytes || sha256(part.data) !== expected.sha256)
    throw corrupt(`the checksum of ${expected.name} does not match`);
  const known = journal().entries.map((e) => e.tag);
  if (manifest.schema.lastMigration && !known.includes(manifest.schema.lastMigration))
    throw new BackupError(
      'BACKUP_NEWER_SCHEMA',
      `${file} was made by a newer Gongdan (schema ${manifest.schema.lastMigration}); upgrade Gongdan before restoring it`,
    );
  return { manifest, part: part.data };
}

/** Checks a restored database against its manifest (rows per table, and checksums when the manifest has them). */
async function verifyRestored(db: Db, manifest: BackupManifest): Promise<void> {
  const query = queryOf(db);
  const counts = await rowCounts(query);
  const wrong = Object.entries(manifest.tables).filter(([table, n]) => counts[table] !== n);
  if (manifest.checksums) {
    const sums = await tableChecksums(query);
    for (const [table, sum] of Object.entries(manifest.checksums))
      if (sums[table] !== sum && !wrong.some(([t]) => t === table)) wrong.push([table, -1]);
  }
  if (wrong.length)
    throw new BackupError(
      'BACKUP_VERIFY_FAILED',
      `the restored database differs from the backup's manifest in ${wrong.map(([t]) => t).join(', ')}`,
    );
}

/** After restore and migration: runs the backup recorded as under way can never finish. */
async function settle(database: Database): Promise<void> {
  await migrateDatabase(database);
  await database.db
    .update(backupRuns)
    .set({ status: 'failed', error: 'interrupted: the database was restored', finishedAt: new Date() })
    .where(eq(backupRuns.status, 'running'));
}

export type RestoreResult = { manifest: BackupManifest; previousDataDir: string | null };

/**
 * Restores a backup into PostgreSQL at `databaseUrl` (replacing the schemas public, drizzle and pgboss in one
 * transaction) or into the PGlite directory `dataDir` (built aside, checked and migrated, then swapped in; the
 * previous directory is kept beside it). Nothing changes when the file is not intact or not for this engine.
 */
export async function restoreBackup(
  file: string,
  target: { databaseUrl: string } | { dataDir: string; backupDir?: string },
): Promise<RestoreResult> {
  const { manifest, part } = await readBackup(file);
  if ('databaseUrl' in target) {
    if (manifest.engine !== 'postgres')
      throw new BackupError(
        'BACKUP_ENGINE_MISMATCH',
        `${file} is a backup of the embedded database (PGlite); restore it with DATA_DIR set and DATABASE_URL unset`,
      );
    await restorePostgres(target.databaseUrl, part, manifest);
    return { manifest, previousDataDir: null };
  }
  if (manifest.engine !== 'pglite')
    throw new BackupError(
      'BACKUP_ENGINE_MISMATCH',
      `${file} is a backup of PostgreSQL; restore it with DATABASE_URL set to the database to restore into`,
    );
  return { manifest, previousDataDir: await restorePglite(target.dataDir, target.backupDir, part, manifest) };
}

async function restorePostgres(databaseUrl: string, dump: Buffer, manifest: BackupManifest): Promise<void> {
  const pgRestore = requireTool('pg_restore');
  const psql = requireTool('psql');
  const database = await openDatabase({ databaseUrl, poolSize: 2 });
  const temp = path.join(os.tmpdir(), `gongdan-restore-${randomBytes(6).toString('hex')}.pgdump`);
  try {
    const [busy] = await rowsOf<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'gongdan-jobs'`,
    );
    if (busy.n > 0)
      throw new BackupError(
        'BACKUP_DATABASE_IN_USE',
        'a Gongdan server is connected to this database; stop every instance before restoring',
      );
    await writeFile(temp, dump);
    // The dump as SQL, after dropping what is there, all in one transaction: a failure leaves the database as it was.
    const script = spawn(pgRestore, ['--no-owner', '--no-acl', '--file', '-', temp], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let scriptError = '';
    script.stderr.on('data', (chunk: Buffer) => (scriptError += chunk.toString()));
    const scriptDone = new Promise<void>((resolve, reject) => {
      script.on('error', reject);
      script.on('close', (code) =>
        code === 0 ? resolve() : reject(new BackupError('BACKUP_FAILED', `pg_restore failed: ${scriptError.trim()}`)),
      );
    });
    await run(
      psql,
      ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '--dbname', databaseUrl],
      async (input) => {
        // The whole database's dump (extensions too) creates every schema but public, which it expects to exist.
        input.on('error', () => {}); // psql stopped early: its own error is the one reported
        script.stdout.on('error', () => {});
        input.write(
          `SET client_min_messages = warning;\n${SCHEMAS.map((s) => `DROP SCHEMA IF EXISTS ${s} CASCADE;`).join('\n')}\nCREATE SCHEMA public;\n`,
        );
        script.stdout.pipe(withPublicSearchPath()).pipe(input);
        await scriptDone;
      },
    );
    await scriptDone;
    await verifyRestored(database.db, manifest);
    await settle(database);
  } finally {
    await database.close();
    await rm(temp, { force: true });
  }
}

/**
 * The script pg_restore writes empties search_path; SQL functions of the schema that call one another unqualified
 * (knowledge search) are inlined while indexes are rebuilt and would not be found. The script's own statement is
 * changed to search public (it comes first, within the script's first 64 KiB).
 */
function withPublicSearchPath(): Transform {
  const EMPTY = "SELECT pg_catalog.set_config('search_path', '', false);";
  const PUBLIC = "SELECT pg_catalog.set_config('search_path', 'public, pg_catalog', false);";
  let head = '';
  let done = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (done) return callback(null, chunk);
      head += chunk.toString('utf8');
      if (head.includes(EMPTY) || head.length > 65_536) {
        done = true;
        return callback(null, Buffer.from(head.replace(EMPTY, PUBLIC)));
      }
      callback();
    },
    flush(callback) {
      callback(null, done ? undefined : Buffer.from(head.replace(EMPTY, PUBLIC)));
    },
  });
}

async function restorePglite(
  dataDir: string,
  backupDir: string | undefined,
  archive: Buffer,
  manifest: BackupManifest,
): Promise<string | null> {
  const target = path.resolve(dataDir);
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const staging = `${target}.restoring-${stamp}`;
  await rm(staging, { recursive: true, force: true });
  try {
    const lite = await createPglite({ dataDir: staging, loadDataDir: new Blob([await promisify(gunzip)(archive)]) });
    const database = await openDatabase({ pglite: lite });
    try {
      await verifyRestored(database.db, manifest);
      await settle(database);
    } finally {
      await database.close();
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  let previous: string | null = null;
  if (existsSync(target)) {
    previous = `${target}.before-restore-${stamp}`;
    await rename(target, previous);
  }
  await rename(staging, target);
  // The backups kept inside the data directory stay where they were.
  if (previous && backupDir) {
    const relative = path.relative(target, path.resolve(backupDir));
    if (relative && !relative.startsWith('..') && !path.isAbsolute(relative)) {
      const from = path.join(previous, relative);
      if (existsSync(from)) {
        await mkdir(path.dirname(path.join(target, relative)), { recursive: true });
        await rename(from, path.join(target, relative));
      }
    }
  }
  return previous;
}

/** Whether a running `gongdan serve` holds the PGlite directory (its pidfile names a live process). */
export function dataDirHolder(dataDir: string): number | null {
  const lock = path.join(dataDir, SERVE_LOCK_FILE);
  if (!existsSync(lock)) return null;
  const pid = Number(readFileSync(lock, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

/** A new backup file's name: gongdan-backup-YYYYMMDD-HHMMSS.gdbak (UTC), numbered when one exists already. */
export function backupFileName(dir: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const base = `gongdan-backup-${stamp.slice(0, 8)}-${stamp.slice(8)}`;
  let name = `${base}.gdbak`;
  for (let i = 2; existsSync(path.join(dir, name)); i++) name = `${base}-${i}.gdbak`;
  return path.join(dir, name);
}

/** Deletes all but the `keep` newest backup files in `dir` (only files named as backups are). */
export async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => BACKUP_FILE_PATTERN.test(n));
  const withTimes = await Promise.all(names.map(async (n) => ({ n, t: (await stat(path.join(dir, n))).mtimeMs })));
  withTimes.sort((a, b) => b.t - a.t || b.n.localeCompare(a.n));
  const removed = withTimes.slice(keep).map((f) => path.join(dir, f.n));
  for (const file of removed) await rm(file, { force: true });
  return removed;
}

export type BackupSettings = { backupDir: string; backupKeep: number; dataDir: string };

/**
 * One recorded backup (backup_runs): scheduled, asked for through the API, or by the command. Into `out`, or a new
 * file in the backup directory (keeping the `backupKeep` newest there). Never throws for a failed backup: the run
 * says failed, with the error.
 */
export async function takeBackup(
  database: Database,
  settings: BackupSettings,
  options: { trigger: 'schedule' | 'command' | 'api'; runId?: string; out?: string },
): Promise<typeof backupRuns.$inferSelect> {
  const { db } = database;
  let runId = options.runId;
  if (!runId) {
    const [row] = await db
      .insert(backupRuns)
      .values({ trigger: options.trigger, status: 'running' })
      .returning({ id: backupRuns.id });
    runId = row.id;
  }
  const file = options.out ? path.resolve(options.out) : backupFileName(settings.backupDir);
  try {
    const manifest = await writeBackup(database, file, {
      backupDir: settings.backupDir,
      dataDir: database.engine === 'pglite' ? settings.dataDir : undefined,
    });
    if (!options.out) await pruneBackups(settings.backupDir, settings.backupKeep);
    const { sizeBytes, ...stored } = manifest;
    const [row] = await db
      .update(backupRuns)
      .set({ status: 'done', file, sizeBytes, manifest: stored, finishedAt: new Date() })
      .where(eq(backupRuns.id, runId))
      .returning();
    return row;
  } catch (error) {
    const message = error instanceof BackupError ? `${error.code}: ${error.message}` : String((error as Error).message);
    const [row] = await db
      .update(backupRuns)
      .set({ status: 'failed', file: null, error: message.slice(0, 4000), finishedAt: new Date() })
      .where(eq(backupRuns.id, runId))
      .returning();
    return row;
  }
}

/** The latest backup runs, newest first. */
export function listBackupRuns(db: Db, limit = 50) {
  return db.select().from(backupRuns).orderBy(desc(backupRuns.startedAt)).limit(limit);
}
