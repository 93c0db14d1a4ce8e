import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';
import { demoNotice, listenHost } from './main';
import { openTestDatabase } from './test/harness';

const BIN = path.resolve(import.meta.dirname, '../bin/gongdan.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'gongdan-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the real `gongdan` command with a clean environment plus the given variables. */
function gongdan(args: string[], env: Record<string, string> = {}) {
  const { DATABASE_URL: _ignored, ...base } = process.env;
  return spawnSync(process.execPath, [BIN, ...args], {
    env: { ...base, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('configuration', () => {
  it('explains bad values instead of failing later', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://localhost/x' })).toThrow(
      /DATABASE_URL: must be a URL like postgres:\/\//,
    );
    expect(loadConfig({ PORT: '8080', DATABASE_URL: '' })).toMatchObject({ port: 8080, databaseUrl: undefined });
  });

  it('the command prints one clear line for a bad PORT and exits 2, without a stack trace', () => {
    const res = gongdan(['serve'], { PORT: 'not-a-port', DATA_DIR: path.join(tmp, 'never') });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('Invalid configuration');
    expect(res.stderr).toContain('PORT');
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports an unreachable PostgreSQL clearly', () => {
    const res = gongdan(['migrate'], { DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/nowhere' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('Cannot open the PostgreSQL at postgres://nobody:***@127.0.0.1:1/nowhere');
    expect(res.stderr).not.toContain('secret');
  });

  it('has --help and refuses unknown commands', () => {
    const help = gongdan(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/gongdan serve \[--demo\]/);
    expect(help.stdout).toMatch(/user create/);
    const unknown = gongdan(['explode']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command: explode');
  });
});

describe('production install', () => {
  it('creates the first administrator, serves without demo data, and stops cleanly on SIGTERM', async () => {
    const dataDir = path.join(tmp, 'prod');
    const weak = gongdan(['user', 'create', '--username', 'boss', '--password', 'short'], { DATA_DIR: dataDir });
    expect(weak.status).toBe(2);
    expect(weak.stderr).toContain('--password');
    const created = gongdan(
      ['user', 'create', '--username', 'boss', '--name', '陈合伙人', '--password', 'First-admin-1'],
      { DATA_DIR: dataDir },
    );
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain('created user boss (admin)');

    const port = 34000 + Math.floor(Math.random() * 2000);
    const { DATABASE_URL: _ignored, ...base } = process.env;
    const server = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...base, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' },
    });
    let output = '';
    server.stdout.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
    try {
      const url = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 600 && !output.includes('serving on'); i++) await new Promise((r) => setTimeout(r, 100));
      const health = await (await fetch(`${url}/api/health`)).json();
      expect(health).toMatchObject({ status: 'ok', engine: 'pglite' });
      const login = (username: string, password: string) =>
        fetch(`${url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password }),
        });
      expect((await login('boss', 'First-admin-1')).status).toBe(200);
      expect((await login('sales1', 'demo-2026')).status).toBe(401);
      // A calendar feed's address is its secret: the log shows it masked.
      expect((await fetch(`${url}/api/v1/calendar/feed/s3cret-feed-token.ics`)).status).toBe(404);
      expect((await fetch(`${url}/api/v1/c%61lendar/feed/s3cret-other-token.ics`)).status).toBe(404);
      for (let i = 0; i < 50 && !output.includes('"statusCode":404'); i++) await new Promise((r) => setTimeout(r, 100)); // logs are written asynchronously
      // Structured JSON logs with request ids.
      const lines = output
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.some((l) => l.reqId && l.req?.url === '/api/health')).toBe(true);
      expect(output).not.toContain('First-admin-1');
      expect(output).not.toContain('s3cret-feed-token');
      expect(output).not.toContain('s3cret-other-token');
      expect(lines.some((l) => l.req?.url === '/api/v1/calendar/feed/***')).toBe(true);
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"stopped"');
  }, 120_000);
});

describe('the demo firm (known passwords)', () => {
  it('listens on 127.0.0.1 unless HOST is set, and says so with a warning that the passwords are public', () => {
    expect(loadConfig({}).host).toBeNull();
    expect(listenHost(loadConfig({}), true)).toBe('127.0.0.1');
    expect(listenHost(loadConfig({}), false)).toBe('0.0.0.0');
    expect(listenHost(loadConfig({ HOST: '0.0.0.0' }), true)).toBe('0.0.0.0');
    expect(listenHost(loadConfig({ HOST: '10.0.0.5' }), false)).toBe('10.0.0.5');
    const local = demoNotice(loadConfig({ PORT: '3100' }));
    expect(local.level).toBe('info');
    expect(local.message).toContain('http://127.0.0.1:3100 only');
    expect(local.message).toContain('demo passwords are public');
    const exposed = demoNotice(loadConfig({ PORT: '3100', HOST: '0.0.0.0' }));
    expect(exposed.level).toBe('warn');
    expect(exposed.message).toContain('http://0.0.0.0:3100');
    expect(exposed.message).toContain('demo passwords are public');
  });

  it('`gongdan serve --demo` without HOST is not reachable from another address and logs the URL', async () => {
    const dataDir = path.join(tmp, 'demo');
    // A database with a user already: --demo serves it without loading the demo firm (quicker), listening as a demo does.
    expect(
      gongdan(['user', 'create', '--username', 'boss', '--password', 'First-admin-1'], { DATA_DIR: dataDir }).status,
    ).toBe(0);
    const port = 36000 + Math.floor(Math.random() * 2000);
    const { DATABASE_URL: _ignored, HOST: _host, ...base } = process.env;
    const server = spawn(process.execPath, [BIN, 'serve', '--demo'], {
      env: { ...base, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info', RULES_CRON: 'off' },
    });
    let output = '';
    server.stdout.on('data', (chunk) => (output += chunk));
    server.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
    try {
      for (let i = 0; i < 600 && !output.includes('serving on') && server.exitCode === null; i++)
        await new Promise((r) => setTimeout(r, 100));
      // The notice follows the "serving on" line; logs are written asynchronously.
      for (let i = 0; i < 30 && !output.includes('Demo firm:'); i++) await new Promise((r) => setTimeout(r, 100));
      const notice = output
        .split('\n')
        .filter((l) => l.includes('Demo firm:'))
        .map((l) => JSON.parse(l));
      expect(notice, output).toHaveLength(1);
      expect(notice[0].msg).toContain(`http://127.0.0.1:${port} only`);
      expect(notice[0].msg).toContain('demo passwords are public');
      expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
      // Every 127.x address is this machine too: a server on all addresses would answer there.
      await expect(fetch(`http://127.0.0.2:${port}/api/health`)).rejects.toThrow();
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 120_000);
});

describe('graceful shutdown', () => {
  it('finishes in-flight requests before closing, and refuses new ones', async () => {
    const database = await openTestDatabase();
    const app = await buildApp({ database, config: loadConfig({}) });
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    app.get('/api/slow', { config: { public: true } }, async () => {
      started();
      await new Promise((r) => setTimeout(r, 300));
      return { done: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const slow = fetch(`http://127.0.0.1:${port}/api/slow`).then(async (r) => ({
      status: r.status,
      body: await r.json(),
    }));
    await inFlight;
    const closing = app.close();
    await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
    expect(await slow).toEqual({ status: 200, body: { done: true } });
    await closing;
    await database.close();
  });
});
