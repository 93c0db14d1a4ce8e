import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { eq } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPglite, openDatabase, type Database } from '../../db/client';
import { MIGRATIONS_DIR, migrateDatabase } from '../../db/migrate';
import { bootstrapDatabase } from '../../seed/bootstrap';
import { signedIn } from '../../test/factories';
import { createTestApp, uniq, until, type TestApp } from '../../test/harness';
import { storeFile } from '../files/files.service';
import { files } from '../files/files.tables';
import { BackupError, queryOf, readBackup, restoreBackup, tableChecksums, writeBackup } from './backup';
import { backupRuns } from './operations.tables';

/**
 * Backup and restore on the engine under test, on a database of this file's own (a PostgreSQL database created for
 * it, or a PGlite directory), since restoring replaces the whole database.
 */
const databaseUrl = inject('databaseUrl');
/** The schema this version ships: the newest migration's tag. */
const LATEST_MIGRATION: string = JSON.parse(
  readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8'),
).entries.at(-1).tag;
const work = mkdtempSync(path.join(os.tmpdir(), 'gongdan-backup-test-'));
let target: { databaseUrl: string } | { dataDir: string };
let dropDatabase = async () => {};

async function open(): Promise<Database> {
  return 'databaseUrl' in target
    ? openDatabase({ databaseUrl: target.databaseUrl, poolSize: 4 })
    : openDatabase({ dataDir: target.dataDir });
}

beforeAll(async () => {
  if (databaseUrl) {
    const name = `gongdan_backup_test_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(databaseUrl);
    url.pathname = `/${name}`;
    target = { databaseUrl: url.toString() };
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
    const database = await open();
    await migrateDatabase(database);
    await bootstrapDatabase(database.db);
    await database.close();
  } else {
    target = { dataDir: path.join(work, 'data') };
    const template = readFileSync(inject('pgliteTemplate')!);
    const lite = await createPglite({ dataDir: target.dataDir, loadDataDir: new Blob([template]) });
    await lite.close();
  }
});

afterAll(async () => {
  await dropDatabase();
  rmSync(work, { recursive: true, force: true });
});

async function checksums(database: Database) {
  return tableChecksums(queryOf(database.db));
}

/** Empties the database as a disaster would: every schema gone. */
async function wipe(database: Database) {
  await database.db.execute('DROP SCHEMA IF EXISTS pgboss CASCADE');
  await database.db.execute('DROP SCHEMA IF EXISTS drizzle CASCADE');
  await database.db.execute('DROP SCHEMA public CASCADE');
  await database.db.execute('CREATE SCHEMA public');
}

describe('backup and restore', () => {
  const fileContent = randomBytes(64 * 1024);
  let customerName: string;
  let backup: string;
  let manifest: Awaited<ReturnType<typeof writeBackup>>;
  let before: Record<string, string>;

  it('takes a backup while the app serves, and restores every table and stored file after a wipe', async () => {
    const serving = await open();
    const t: TestApp = await createTestApp({ database: serving });
    const { client, user } = await signedIn(t, { roleCode: 'admin' });
    customerName = uniq('备份客户');
    const created = await client.post('/api/v1/customers', { name: customerName });
    expect(created.status).toBe(201);
    await storeFile(
      t.database.db,
      { type: 'knowledge', id: randomUUID() },
      {
        filename: 'contract.pdf',
        size: fileContent.length,
        sha256: createHash('sha256').update(fileContent).digest('hex'),
        read: async () => fileContent,
      },
      user.id,
    );

    // Requests keep coming (reads and writes) while the backup is taken.
    let running = true;
    let served = 0;
    const traffic = (async () => {
      while (running) {
        const [write, read] = await Promise.all([
          client.post('/api/v1/customers', { name: uniq('并发客户') }),
          client.get('/api/v1/customers'),
        ]);
        expect([write.status, read.status]).toEqual([201, 200]);
        served++;
      }
    })();
    await until(async () => served > 0, 30_000, 'traffic to start');
    backup = path.join(work, 'first.gdbak');
    manifest = await writeBackup(t.database, backup, { checksums: true });
    running = false;
    await traffic;
    expect(served).toBeGreaterThan(0);
    expect(manifest.engine).toBe(t.database.engine);
    expect(manifest.schema.lastMigration).toBe(LATEST_MIGRATION);
    before = manifest.checksums!;
    const customersAtBackup = manifest.tables['public.customers'];
    expect(customersAtBackup).toBeGreaterThanOrEqual(1);
    expect(manifest.tables['public.files']).toBeGreaterThanOrEqual(1);

    await wipe(serving);
    await t.close();
    await serving.close();
    if ('dataDir' in target) rmSync(target.dataDir, { recursive: true, force: true });

    const result = await restoreBackup(backup, target);
    expect(result.manifest.createdAt).toBe(manifest.createdAt);

    const database = await open();
    try {
      // Every table, row for row, as it was at the moment of the backup (the later writes are not in it).
      expect(await checksums(database)).toEqual(before);
      const [stored] = await database.db.select().from(files).where(eq(files.filename, 'contract.pdf'));
      expect(Buffer.from(stored.content).equals(fileContent)).toBe(true);
      const app = await createTestApp({ database });
      try {
        const signed = await app.login(user.username);
        const found = await signed.get('/api/v1/customers', { q: customerName });
        expect(found.body.items.map((c: { name: string }) => c.name)).toEqual([customerName]);
      } finally {
        await app.close();
      }
    } finally {
      await database.close();
    }
  });

  it('refuses a corrupted or tampered backup and changes nothing', async () => {
    const database = await open();
    const sums = await checksums(database);
    await database.close();
    const original = readFileSync(backup);
    const damaged = Buffer.from(original);
    damaged[damaged.length - 4096] ^= 0xff; // in the database part
    // A row count changed in the manifest, the file otherwise as it was.
    const tampered = Buffer.from(
      original
        .toString('latin1')
        .replace(/("public\.customers": )(\d)/, (_, key: string, d: string) => key + ((Number(d) + 1) % 10)),
      'latin1',
    );
    expect(tampered.equals(original)).toBe(false);
    for (const [name, bytes] of [
      ['damaged', damaged],
      ['tampered', tampered],
      ['truncated', original.subarray(0, original.length >> 1)],
    ] as const) {
      const file = path.join(work, `${name}.gdbak`);
      writeFileSync(file, bytes);
      const error = await restoreBackup(file, target).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(BackupError);
      expect((error as BackupError).code, name).toBe('BACKUP_CORRUPT');
    }
    const after = await open();
    try {
      expect(await checksums(after)).toEqual(sums);
    } finally {
      await after.close();
    }
  });

  it('migrates a backup made by an older schema when restoring it', async () => {
    // The database as the version before the latest migration left it: the migrations but the last one.
    const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8'));
    const latest = journal.entries.at(-1).tag as string;
    const older = path.join(work, 'older-migrations');
    cpSync(MIGRATIONS_DIR, older, { recursive: true });
    writeFileSync(
      path.join(older, 'meta/_journal.json'),
      JSON.stringify({ ...journal, entries: journal.entries.slice(0, -1) }),
    );
    let database: Database;
    if ('dataDir' in target) {
      rmSync(target.dataDir, { recursive: true, force: true });
      database = await open();
      await migratePglite(drizzlePglite(database.client as PGlite), { migrationsFolder: older });
    } else {
      database = await open();
      await wipe(database);
      await migratePg(drizzlePg(database.client as pg.Pool), { migrationsFolder: older });
    }
    const file = path.join(work, 'older.gdbak');
    try {
      const oldManifest = await writeBackup(database, file);
      expect(oldManifest.schema.lastMigration).toBe(journal.entries.at(-2).tag);
      expect(oldManifest.schema.migrations).toBe(journal.entries.length - 1);
      await wipe(database);
    } finally {
      await database.close();
    }
    if ('dataDir' in target) rmSync(target.dataDir, { recursive: true, force: true });

    const { manifest: restored } = await restoreBackup(file, target);
    expect(restored.schema.lastMigration).not.toBe(latest);
    const after = await open();
    try {
      const [{ n }] = (await queryOf(after.db)('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations')) as {
        n: number;
      }[];
      expect(n).toBe(journal.entries.length);
      // What the latest migration made is there: the database is at the current schema.
      await bootstrapDatabase(after.db);
      await after.db.insert(backupRuns).values({ trigger: 'command', status: 'done' });
    } finally {
      await after.close();
    }
  });

  it('takes a backup for an administrator through the API, recorded in backup_runs', async () => {
    const database = await open();
    const backupDir = path.join(work, 'backups');
    const t = await createTestApp({
      database,
      config: { backupDir, backupKeep: 1, dataDir: 'dataDir' in target ? target.dataDir : work },
      workers: ['operations.backup'],
    });
    try {
      const { client: admin } = await signedIn(t, { roleCode: 'admin' });
      const { client: sales } = await signedIn(t, { roleCode: 'salesperson' });
      expect((await sales.post('/api/v1/operations/backups')).status).toBe(403);
      expect((await sales.get('/api/v1/operations/backups')).status).toBe(403);
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) {
        const asked = await admin.post('/api/v1/operations/backups');
        expect(asked.status).toBe(202);
        expect(asked.body.status).toBe('running');
        ids.push(asked.body.id);
        await until(
          async () =>
            (await admin.get('/api/v1/operations/backups')).body.items.find(
              (r: { id: string }) => r.id === asked.body.id,
            )?.status !== 'running',
          60_000,
          'the backup to finish',
        );
      }
      const listed = (await admin.get('/api/v1/operations/backups')).body.items;
      const second = listed.find((r: { id: string }) => r.id === ids[1]);
      expect(second).toMatchObject({ trigger: 'api', status: 'done', schemaVersion: LATEST_MIGRATION });
      expect(second.engine).toBe(database.engine);
      expect(second.rows).toBeGreaterThan(0);
      // BACKUP_KEEP=1: only the newest file stays, and it is intact.
      const first = listed.find((r: { id: string }) => r.id === ids[0]);
      expect(() => readFileSync(first.file)).toThrow();
      expect((await readBackup(second.file)).manifest.engine).toBe(database.engine);
    } finally {
      await t.close();
      await database.close();
    }
  });
});
