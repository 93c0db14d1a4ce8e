import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { inject } from 'vitest';
import type { Me } from '../../common/schemas/auth';
import { buildApp } from '../app';
import { loadConfig, type Config } from '../config';
import { createPglite, openDatabase, type Database } from '../db/client';
import type { JobsOptions, QueueName } from '../jobs/engine';
import { startWorkers } from '../jobs/workers';

// Tests read answers field by field; typing every body would only restate the schemas.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Response = { status: number; body: any; headers: Record<string, unknown> };

/** An HTTP caller: anonymous, or signed in with a session cookie (sending the CSRF header on writes). */
export class Client {
  constructor(
    readonly app: FastifyInstance,
    readonly cookie: string | null = null,
    readonly csrfToken: string | null = null,
    readonly me: Me | null = null,
    readonly headers: Record<string, string> = {},
  ) {}

  async request(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    extra: Partial<InjectOptions> = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrfToken && method !== 'GET') headers['x-csrf-token'] = this.csrfToken;
    const res = await this.app.inject({
      method,
      url,
      ...extra,
      headers: { ...headers, ...((extra.headers as Record<string, string>) ?? {}) },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    const text = res.body;
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.statusCode, body: parsed, headers: res.headers };
  }
  get(url: string, query?: Record<string, string | number | boolean | undefined>) {
    const qs = query
      ? new URLSearchParams(
          Object.entries(query)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, String(v)]),
        ).toString()
      : '';
    return this.request('GET', qs ? `${url}?${qs}` : url);
  }
  post(url: string, body?: unknown) {
    return this.request('POST', url, body ?? {});
  }
  patch(url: string, body: unknown) {
    return this.request('PATCH', url, body);
  }
  put(url: string, body: unknown) {
    return this.request('PUT', url, body);
  }
  delete(url: string) {
    return this.request('DELETE', url);
  }
  /** The same caller with another header (e.g. Accept-Language). */
  with(headers: Record<string, string>): Client {
    return new Client(this.app, this.cookie, this.csrfToken, this.me, { ...this.headers, ...headers });
  }
}

export type TestApp = {
  app: FastifyInstance;
  database: Database;
  config: Config;
  anon: Client;
  /** Signs in and returns a client holding the session cookie. */
  login(username: string, password?: string): Promise<Client>;
  close(): Promise<void>;
};

export const TEST_PASSWORD = 'test-pass-2026';

/** A random address, so failed sign-ins in one test never rate-limit another. */
export function randomIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2] || 1}`;
}

let pgliteParts: Promise<{ wasm: WebAssembly.Module; bundle: Blob; template: Blob }> | undefined;

/**
 * PGlite's engine compiled once per module instance (a worker: its test files share modules, vitest.config.ts), with
 * its file bundle and the migrated template: left to itself every PGlite compiles its 9 MB of
 * WebAssembly again (and V8 optimises it again in the background, on the same two cores).
 */
function pgliteOnce() {
  pgliteParts ??= (async () => {
    const dist = new URL('.', import.meta.resolve('@electric-sql/pglite'));
    return {
      wasm: await WebAssembly.compile(readFileSync(new URL('pglite.wasm', dist))),
      bundle: new Blob([readFileSync(new URL('pglite.data', dist))]),
      template: new Blob([readFileSync(inject('pgliteTemplate')!)]),
    };
  })();
  return pgliteParts;
}

/** Opens this test file's database: a pool on the PostgreSQL under test, or a PGlite loaded from the migrated template. */
export async function openTestDatabase(): Promise<Database> {
  const databaseUrl = inject('databaseUrl');
  if (databaseUrl) return openDatabase({ databaseUrl, poolSize: 4 });
  const { wasm, bundle, template } = await pgliteOnce();
  const lite = await createPglite({ loadDataDir: template, pgliteWasmModule: wasm, fsBundle: bundle });
  return openDatabase({ pglite: lite });
}

/**
 * A test app on this file's database (or the one given — two apps on one database are two
 * instances). `workers` makes it work those job queues too, polling every half second (tests
 * sharing the PostgreSQL database each keep to the queues they test).
 */
export async function createTestApp(
  options: {
    database?: Database;
    config?: Partial<Config>;
    workers?: QueueName[];
    jobs?: JobsOptions;
    liveCheckMs?: number;
  } = {},
): Promise<TestApp> {
  const database = options.database ?? (await openTestDatabase());
  const config = { ...loadConfig({}), jobPollSeconds: 0.5, ...options.config };
  const app = await buildApp({
    database,
    config,
    jobs: options.jobs,
    liveCheckMs: options.liveCheckMs,
    checkResponses: true,
  });
  if (options.workers) await startWorkers(app, config, options.workers);
  await app.ready();
  const anon = new Client(app);
  return {
    app,
    database,
    config,
    anon,
    async login(username, password = TEST_PASSWORD) {
      const res = await anon.request(
        'POST',
        '/api/v1/auth/login',
        { username, password },
        { remoteAddress: randomIp() },
      );
      if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
      const setCookie = ([] as string[]).concat(res.headers['set-cookie'] as string | string[]);
      const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
      return new Client(app, cookie, res.body.csrfToken, res.body as Me);
    },
    async close() {
      await app.close();
      if (!options.database) await database.close();
    },
  };
}

/** A unique suffix for names that must not collide across tests sharing one database. */
export function uniq(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `check` holds (polling), or fails naming `what` after `ms`. */
export async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * The database handle of a second app instance next to `first`: on PostgreSQL its own pool (so
 * jobs and LISTEN/NOTIFY really cross connections), on PGlite the one embedded database. `close`
 * closes only what it opened.
 */
export async function secondInstanceDatabase(
  first: Database,
): Promise<{ database: Database; close: () => Promise<void> }> {
  if (first.engine === 'pglite') return { database: first, close: async () => {} };
  const database = await openTestDatabase();
  return { database, close: () => database.close() };
}

/** A multipart/form-data body with the given text fields, then files, named as browsers do (raw UTF-8). */
export function multipart(
  parts: { filename: string; content: Buffer; type?: string }[],
  fields: Record<string, string> = {},
) {
  const boundary = `----gongdan${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  for (const p of parts) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${p.filename}"\r\nContent-Type: ${p.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
    );
    chunks.push(p.content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
