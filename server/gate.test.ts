import http from 'node:http';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PERMISSION_KEYS } from '../common/permissions';
import { auditLogs } from './domains/audit/audit.tables';
import { customers } from './domains/customers/customers.tables';
import { LIVE_UNAUTHENTICATED } from './plugins/live';
import { signedIn } from './test/factories';
import { createTestApp, uniq, type Client, type Response, type TestApp } from './test/harness';

/**
 * The sign-in and CSRF gate decides by the route the router matched, never by the address text:
 * every route, however its address is spelled, either answers as the route (401 / 403 from the
 * gate) or matches no route (404 from the not-found handler) — never 2xx, never a validation
 * error (the route's own input checks come after the gate), never 500.
 *
 * Sent over a real socket (node:http sends the path byte for byte; app.inject would normalise
 * `/./`, `..` and `//` through WHATWG URL parsing first).
 */

let t: TestApp;
let port: number;
let agent: http.Agent;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as { port: number }).port;
  agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
});
afterAll(async () => {
  agent.destroy();
  await t.close();
});

const SAMPLE_ID = '6f1c1d7e-8a7b-4c55-9a51-3c2f0b7d1e01';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type Raw = Pick<Response, 'status' | 'body'>;
function raw(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Raw> {
  const { headers = {}, body } = options;
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: {
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            /* not JSON */
          }
          resolve({ status: response.statusCode!, body: parsed });
        });
      },
    );
    request.on('error', reject);
    if (body !== undefined) request.write(body);
    request.end();
  });
}

/** Runs `work` on every item, a few at a time (the order of the results is the items'). */
async function eachConcurrently<T>(items: T[], work: (item: T) => Promise<void>, width = 6) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** Every registered route (method by method) with the address it answers, parameters filled in. */
function registeredRoutes() {
  return t.app.routeTable.flatMap((route) =>
    [route.method].flat().map((method) => ({
      method,
      pattern: route.url,
      url: route.url.replace(/:token\.ics$/, 'sample.ics').replace(/:\w+/g, SAMPLE_ID),
      public: route.config?.public === true,
      websocket: Boolean((route as { websocket?: boolean }).websocket),
    })),
  );
}

const encodeLetters = (segment: string, upper = false) =>
  segment.replace(/[a-z]/gi, (c) => {
    const hex = `%${c.charCodeAt(0).toString(16)}`;
    return upper ? hex.toUpperCase() : hex;
  });

/**
 * Spellings of an address `/api/…`. `reaches`: Fastify's router (find-my-way: case-sensitive,
 * percent-decoding the path, no duplicate-slash or dot-segment folding) matches the route itself,
 * so the gate must answer; the others match no route today and must at least never get past it.
 */
const SPELLINGS: { name: string; spell: (path: string) => string; reaches?: boolean; malformed?: boolean }[] = [
  { name: 'as documented', spell: (p) => p, reaches: true },
  { name: '/%61pi/', spell: (p) => p.replace(/^\/api\//, '/%61pi/'), reaches: true },
  { name: '/ap%69/', spell: (p) => p.replace(/^\/api\//, '/ap%69/'), reaches: true },
  { name: '/api/v%31/', spell: (p) => p.replace(/^\/api\/v1\//, '/api/v%31/'), reaches: true },
  { name: 'every letter percent-encoded', spell: (p) => encodeLetters(p), reaches: true },
  { name: 'every letter percent-encoded, upper-case hex', spell: (p) => encodeLetters(p, true), reaches: true },
  { name: 'absolute-form request target', spell: (p) => `http://127.0.0.1${p}`, reaches: true },
  { name: 'absolute-form with a foreign host', spell: (p) => `http://elsewhere.example${p}`, reaches: true },
  { name: 'empty query', spell: (p) => `${p}?`, reaches: true },
  { name: 'leading //', spell: (p) => `/${p}` },
  { name: '/api//', spell: (p) => p.replace(/^\/api\//, '/api//') },
  { name: 'trailing /', spell: (p) => `${p}/` },
  { name: 'trailing //', spell: (p) => `${p}//` },
  { name: '/./ in front', spell: (p) => `/.${p}` },
  { name: '/./ inside', spell: (p) => p.replace(/^\/api\//, '/api/./') },
  { name: '/../ inside', spell: (p) => p.replace(/^\/api\/v1\//, '/api/v1/../v1/') },
  { name: '%2e segment', spell: (p) => `/%2e${p}` },
  { name: '%2F for /', spell: (p) => p.replace(/^\/api\//, '/api%2F') },
  { name: 'UPPER CASE', spell: (p) => p.toUpperCase() },
  { name: 'Api', spell: (p) => p.replace(/^\/api\//, '/Api/') },
  { name: '%41PI (upper-case letters encoded)', spell: (p) => p.replace(/^\/api\//, '/%41PI/') },
  { name: ';parameter', spell: (p) => `${p};x` },
  { name: 'backslash', spell: (p) => p.replace(/^\/api\//, '/api\\') },
  { name: 'NUL in the path', spell: (p) => p.replace(/^\/api\//, '/api%00/') },
  { name: 'broken escape', spell: (p) => `${p}%zz`, malformed: true },
];

/** A role with every permission, so that no permission check could answer in the gate's place. */
async function everything(): Promise<Client> {
  const { client: admin } = await signedIn(t, { roleCode: 'admin' });
  const code = uniq('gate').toLowerCase();
  const role = await admin.post('/api/v1/roles', {
    code,
    name: '全部权限',
    grants: Object.fromEntries(PERMISSION_KEYS.map((p) => [p, 'all'])),
  });
  expect(role.status).toBe(201);
  return (await signedIn(t, { roleCode: code })).client;
}

async function myAuditRows(client: Client) {
  const [row] = await t.database.db
    .select({ n: count() })
    .from(auditLogs)
    .where(eq(auditLogs.actorId, client.me!.user.id));
  return row.n;
}

describe('the sign-in and CSRF gate', () => {
  it('is open only on the routes configured public, named here one by one', () => {
    const open = registeredRoutes()
      .filter((r) => r.public)
      .map((r) => `${r.method} ${r.pattern}`)
      .filter((r) => !/^(GET|HEAD) \/api\/docs(\/|$)/.test(r));
    expect(new Set(open)).toEqual(
      new Set([
        'GET /api/health',
        'HEAD /api/health',
        'GET /api/ready',
        'HEAD /api/ready',
        // Outside the session gate: off (404) without METRICS_TOKEN, its own bearer token otherwise (plugins/metrics.ts).
        'GET /metrics',
        'HEAD /metrics',
        'GET /api/openapi.json',
        'HEAD /api/openapi.json',
        'POST /api/v1/auth/login',
        'POST /api/v1/auth/login/two-factor',
        'GET /api/v1/calendar/feed/:token.ics',
        'HEAD /api/v1/calendar/feed/:token.ics',
        'GET /api/v1/events',
        'HEAD /api/v1/events',
      ]),
    );
    // The API documentation is public as registered (third-party routes, marked by their scope).
    expect(
      registeredRoutes()
        .filter((r) => r.pattern.startsWith('/api/docs'))
        .every((r) => r.public),
    ).toBe(true);
  });

  it('serves the API documentation to anyone', async () => {
    for (const path of ['/api/docs', '/api/docs/', '/api/docs/json', '/%61pi/docs/json']) {
      expect((await raw('GET', path)).status, path).toBe(200);
    }
  });

  it('refuses every write route without the CSRF token (403) and anonymous callers (401), however the address is spelled', async () => {
    const client = await everything();
    const before = await myAuditRows(client);
    const writes = registeredRoutes().filter((r) => !SAFE_METHODS.has(r.method) && !r.public);
    expect(writes.length).toBeGreaterThan(90);
    expect(writes.map((r) => `${r.method} ${r.pattern}`)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/customers',
        'POST /api/v1/customers/import',
        'POST /api/v1/notifications/read-all',
        'POST /api/v1/contact-logs/:id/attachments',
      ]),
    );
    const failures: string[] = [];
    const cases = writes.flatMap((route) => SPELLINGS.map((spelling) => ({ route, spelling })));
    await eachConcurrently(cases, async ({ route, spelling }) => {
      {
        const path = spelling.spell(route.url);
        const body = route.method === 'DELETE' ? undefined : '{}';
        const signedInNoToken = await raw(route.method, path, { headers: { cookie: client.cookie! }, body });
        const anonymous = await raw(route.method, path, { body });
        const expectations = [
          { who: 'signed in without token', res: signedInNoToken, status: 403, code: 'CSRF_TOKEN_INVALID' },
          { who: 'anonymous', res: anonymous, status: 401, code: 'UNAUTHENTICATED' },
        ];
        for (const { who, res, status, code } of expectations) {
          const answer = `${res.status} ${res.body?.error?.code ?? JSON.stringify(res.body).slice(0, 80)}`;
          const gate = answer === `${status} ${code}`;
          const noRoute = answer === '404 ROUTE_NOT_FOUND';
          const badAddress = spelling.malformed && answer === '400 VALIDATION_FAILED';
          if (spelling.reaches ? !gate : !(gate || noRoute || badAddress))
            failures.push(`${route.method} ${path} (${spelling.name}), ${who}: ${answer}`);
        }
      }
    });
    expect(failures).toEqual([]);
    expect(await myAuditRows(client)).toBe(before);
  }, 240_000);

  it('answers anonymous callers of every other route 401, however the address is spelled, and never 500', async () => {
    const reads = registeredRoutes().filter((r) => SAFE_METHODS.has(r.method) && !r.public && !r.websocket);
    expect(reads.length).toBeGreaterThan(70);
    const failures: string[] = [];
    const cases = reads.flatMap((route) => SPELLINGS.map((spelling) => ({ route, spelling })));
    await eachConcurrently(cases, async ({ route, spelling }) => {
      {
        const path = spelling.spell(route.url);
        const res = await raw(route.method, path);
        // HEAD answers carry no body: the status tells.
        const answer = route.method === 'HEAD' ? `${res.status}` : `${res.status} ${res.body?.error?.code}`;
        const expected = route.method === 'HEAD' ? ['401', '404'] : ['401 UNAUTHENTICATED', '404 ROUTE_NOT_FOUND'];
        if (spelling.malformed) expected.push(route.method === 'HEAD' ? '400' : '400 VALIDATION_FAILED');
        if (spelling.reaches ? answer !== expected[0] : !expected.includes(answer))
          failures.push(`${route.method} ${path} (${spelling.name}): ${answer}`);
      }
    });
    expect(failures).toEqual([]);
  }, 240_000);

  it('creates no customer for POST /%61pi/v1/customers without the token, and answers anonymous /%61pi/v1/auth/me with 401', async () => {
    const client = await everything();
    const name = uniq('绕过网关');
    for (const path of ['/%61pi/v1/customers', '/ap%69/v1/customers', '/api/v1/%63ustomers']) {
      const res = await raw('POST', path, { headers: { cookie: client.cookie! }, body: JSON.stringify({ name }) });
      expect(res.status, path).toBe(403);
      expect(res.body.error).toEqual({ code: 'CSRF_TOKEN_INVALID', message: '安全校验失败，请刷新页面后重试' });
    }
    expect(await t.database.db.select().from(customers).where(eq(customers.name, name))).toEqual([]);
    // With the token the same spelling is the same route: it works.
    const made = await raw('POST', '/%61pi/v1/customers', {
      headers: { cookie: client.cookie!, 'x-csrf-token': client.csrfToken! },
      body: JSON.stringify({ name }),
    });
    expect(made.status).toBe(201);

    const me = await raw('GET', '/%61pi/v1/auth/me', { headers: { 'accept-language': 'en-US' } });
    expect(me.status).toBe(401);
    expect(me.body.error).toEqual({ code: 'UNAUTHENTICATED', message: 'Please sign in first' });
    // An address that matches nothing is the not-found handler's, signed in or not: 404, never 500.
    const nothing = await raw('GET', '/%61pi/v1/nothing-here');
    expect(nothing.status).toBe(404);
    expect(nothing.body.error.code).toBe('ROUTE_NOT_FOUND');
    const nothingWrite = await raw('POST', '/%61pi/v1/nothing-here', {
      headers: { cookie: client.cookie! },
      body: '{}',
    });
    expect(nothingWrite.status).toBe(404);
  });

  it('imports nothing through a spelled address without the token', async () => {
    const client = await everything();
    const name = uniq('导入绕过');
    const boundary = '----gongdan-gate';
    const payload = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n客户名称\n${name}\n\r\n--${boundary}--\r\n`,
    );
    for (const path of ['/%61pi/v1/customers/import', '/api/v1/customers/%69mport']) {
      const res = await raw('POST', path, {
        headers: {
          cookie: client.cookie!,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(payload.length),
        },
        body: payload,
      });
      expect(res.status, path).toBe(403);
      expect(res.body.error.code).toBe('CSRF_TOKEN_INVALID');
    }
    expect(await t.database.db.select().from(customers).where(eq(customers.name, name))).toEqual([]);
  });

  it('leaves notifications unread for POST /%61pi/v1/notifications/read-all without the token', async () => {
    const { client: manager, user } = await signedIn(t, { roleCode: 'manager' });
    const admin = await everything();
    // Assigning a lead notifies its new owner.
    const lead = await admin.post('/api/v1/leads', { companyName: uniq('已读绕过'), ownerId: user.id });
    expect(lead.status, JSON.stringify(lead.body)).toBe(201);
    const unread = async () => (await manager.get('/api/v1/notifications/unread-count')).body.unread;
    expect(await unread()).toBeGreaterThan(0);
    const before = await unread();
    const res = await raw('POST', '/%61pi/v1/notifications/read-all', {
      headers: { cookie: manager.cookie! },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('CSRF_TOKEN_INVALID');
    expect(await unread()).toBe(before);
  });

  it('keeps the live channel closed to anonymous callers at a spelled address', async () => {
    const code = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/%61pi/v1/events`);
      socket.on('close', (closeCode) => resolve(closeCode));
      socket.on('error', reject);
    });
    expect(code).toBe(LIVE_UNAUTHENTICATED);
  });
});
