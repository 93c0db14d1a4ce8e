import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createPglite, openDatabase } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { Jobs } from '../jobs/engine';
import { bootstrapDatabase } from '../seed/bootstrap';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PostgreSQL under test, when DATABASE_URL is set. */
    databaseUrl: string | null;
    /** A migrated PGlite data directory as a tarball, which every test file loads (fast) instead of creating one (slow). */
    pgliteTemplate: string | null;
  }
}

/**
 * Prepares one migrated database for the whole run: on PostgreSQL the schema of the
 * DATABASE_URL database is reset (its name must contain "test"); on PGlite a template is
 * built once and dumped. Test files isolate themselves with factories, not fresh databases.
 */
export default async function setup(project: TestProject) {
  const databaseUrl = process.env.DATABASE_URL || null;
  if (databaseUrl) {
    const name = new URL(databaseUrl).pathname.slice(1);
    if (!/test/i.test(name))
      throw new Error(`Refusing to reset database "${name}": tests only run on a database whose name contains "test"`);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(
      'DROP SCHEMA IF EXISTS public CASCADE; DROP SCHEMA IF EXISTS drizzle CASCADE; DROP SCHEMA IF EXISTS pgboss CASCADE; CREATE SCHEMA public;',
    );
    await client.end();
    const database = await openDatabase({ databaseUrl, poolSize: 2 });
    await migrateDatabase(database);
    await bootstrapDatabase(database.db);
    await (await Jobs.open(database)).stop(); // installs the job schema once, not in every test file
    await database.close();
    project.provide('databaseUrl', databaseUrl);
    project.provide('pgliteTemplate', null);
    return;
  }
  const lite = await createPglite();
  const database = await openDatabase({ pglite: lite });
  await migrateDatabase(database);
  await bootstrapDatabase(database.db);
  await (await Jobs.open(database)).stop();
  const dump = await lite.dumpDataDir('none');
  await lite.close();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gongdan-test-'));
  const file = path.join(dir, 'template.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('databaseUrl', null);
  project.provide('pgliteTemplate', file);
  return () => rmSync(dir, { recursive: true, force: true });
}
