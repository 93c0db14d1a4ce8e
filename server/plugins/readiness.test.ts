import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app';
import { loadConfig } from '../config';
import { MIGRATIONS_DIR } from '../db/migrate';
import { startWorkers } from '../jobs/workers';
import { createTestApp, openTestDatabase, type TestApp } from '../test/harness';

const ALL_OK = { database: 'ok', migrations: 'ok', jobs: 'ok' };

let t: TestApp;
let ahead: string;
beforeAll(async () => {
  // Workers on a queue no other test works (so none of its jobs are taken from another file on a shared database).
  t = await createTestApp({ workers: ['rule.report-summaries'] });
  // The migrations of a newer version: this one's and one more, not applied to the database.
  ahead = mkdtempSync(path.join(os.tmpdir(), 'gongdan-ready-'));
  cpSync(path.join(MIGRATIONS_DIR, 'meta'), path.join(ahead, 'meta'), { recursive: true });
  const journalFile = path.join(ahead, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as {
    entries: { idx: number; when: number; tag: string }[];
  };
  const last = journal.entries.at(-1)!;
  journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 60_000, tag: '9999_not_applied' });
  writeFileSync(journalFile, JSON.stringify(journal));
});
afterAll(async () => {
  await t.close();
  rmSync(ahead, { recursive: true, force: true });
});

describe('/api/ready', () => {
  it('is 200 to anyone when the database answers, every migration is applied and the workers run', async () => {
    const res = await t.anon.get('/api/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: ALL_OK });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('is 503 naming the jobs while the workers have not started (or have stopped)', async () => {
    const idle = await createTestApp({ database: t.database });
    try {
      const res = await idle.anon.get('/api/ready');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'not_ready', checks: { ...ALL_OK, jobs: 'not_running' } });
      // Alive all the same.
      expect((await idle.anon.get('/api/health')).status).toBe(200);
      await startWorkers(idle.app, idle.config, ['rule.report-summaries']);
      expect((await idle.anon.get('/api/ready')).status).toBe(200);
      await idle.app.jobs.stop();
      expect((await idle.anon.get('/api/ready')).body.checks.jobs).toBe('not_running');
    } finally {
      await idle.close();
    }
  });

  it('is 503 naming the migrations when this version ships one the database lacks', async () => {
    const config = { ...loadConfig({}), jobPollSeconds: 0.5 };
    const app = await buildApp({ database: t.database, config, readiness: { migrationsFolder: ahead } });
    try {
      await startWorkers(app, config, ['rule.report-summaries']);
      await app.ready();
      const res = await app.inject({ method: 'GET', url: '/api/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'not_ready', checks: { ...ALL_OK, migrations: 'pending' } });
    } finally {
      await app.close();
    }
  });

  it('is 503 naming the database once it no longer answers', async () => {
    const database = await openTestDatabase();
    const config = { ...loadConfig({}), jobPollSeconds: 0.5 };
    const app = await buildApp({ database, config });
    try {
      await startWorkers(app, config, ['rule.report-summaries']);
      await app.ready();
      expect((await app.inject({ method: 'GET', url: '/api/ready' })).statusCode).toBe(200);
      await database.close();
      const res = await app.inject({ method: 'GET', url: '/api/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({
        status: 'not_ready',
        checks: { database: 'unreachable', migrations: 'unknown', jobs: 'ok' },
      });
    } finally {
      // The job engine and the live events cannot say goodbye to a closed database.
      await app.close().catch(() => {});
    }
  });
});
