import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSION_KEYS } from '../common/permissions';
import { createTestApp, uniq, type TestApp } from './test/harness';
import { signedIn } from './test/factories';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const SAMPLE_ID = '6f1c1d7e-8a7b-4c55-9a51-3c2f0b7d1e01';

/** Every documented route with its method, from the OpenAPI document (so new routes are covered automatically). */
function documentedRoutes(): { method: string; url: string; hasBody: boolean }[] {
  const spec = t.app.swagger() as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
  return Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      url: path.replace(/\{id\}/g, SAMPLE_ID),
      hasBody: Boolean(op.requestBody),
    })),
  );
}

describe('platform', () => {
  it('reports health and the database engine', async () => {
    const res = await t.anon.get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.engine).toBe(process.env.DATABASE_URL ? 'postgres' : 'pglite');
  });

  it('serves an OpenAPI document describing the v1 routes', async () => {
    const res = await t.anon.get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/users', '/api/v1/users/{id}', '/api/v1/auth/login', '/api/v1/audit-logs']),
    );
    const docs = await t.anon.get('/api/docs/');
    expect(docs.status).toBe(200);
  });

  it('answers every non-public route with 401 when signed out, whatever the body', async () => {
    const publicRoutes = ['/api/v1/auth/login', '/api/v1/auth/login/two-factor', '/api/health', '/api/ready'];
    const routes = documentedRoutes().filter((r) => !publicRoutes.includes(r.url));
    expect(routes.length).toBeGreaterThan(25);
    for (const route of routes) {
      const res = await t.anon.request(
        route.method as 'GET',
        route.url,
        route.method === 'GET' || route.method === 'DELETE' ? undefined : { junk: '<script>' },
      );
      expect(res.status, `${route.method} ${route.url}`).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
      expect(res.body.error.message).toBe('请先登录');
    }
  });

  it('forbids a salesperson every administrative route (403) before looking at the input', async () => {
    const { client } = await signedIn(t, { roleCode: 'salesperson' });
    const adminOnly = documentedRoutes().filter(
      (r) =>
        (r.method !== 'GET' && /\/api\/v1\/(users|departments|branches|regions|business-lines|roles)/.test(r.url)) ||
        /\/api\/v1\/audit-logs/.test(r.url),
    );
    expect(adminOnly.length).toBeGreaterThan(15);
    for (const route of adminOnly) {
      const res = await client.request(
        route.method as 'GET',
        route.url,
        route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
      );
      // Authorization runs before validation: the caller learns nothing about the schema.
      expect(res.status, `${route.method} ${route.url}`).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
  });

  it('refuses malformed ids and unknown fields on every route, changing nothing (400)', async () => {
    // A role with every permission, so that authorization never answers first.
    const { client: admin } = await signedIn(t, { roleCode: 'admin' });
    const code = uniq('everything').toLowerCase();
    await admin.post('/api/v1/roles', {
      code,
      name: '全部权限',
      grants: Object.fromEntries(PERMISSION_KEYS.map((p) => [p, 'all'])),
    });
    const { client } = await signedIn(t, { roleCode: code });
    // Changes made by this caller (other test files write to a shared PostgreSQL concurrently).
    const mine = { actorId: client.me!.user.id };
    const before = (await client.get('/api/v1/audit-logs', mine)).body.total;
    const routes = documentedRoutes();
    const withId = routes.filter((r) => r.url.includes(SAMPLE_ID));
    expect(withId.length).toBeGreaterThan(15);
    for (const route of withId) {
      const res = await client.request(
        route.method as 'GET',
        route.url.replace(SAMPLE_ID, "1' OR '1'='1"),
        route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
      );
      expect(res.status, `${route.method} ${route.url} ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const withBody = routes.filter((r) => r.hasBody);
    expect(withBody.length).toBeGreaterThan(10);
    for (const route of withBody) {
      const res = await client.request(route.method as 'POST', route.url, { unexpectedField: '<b>x</b>' });
      expect(res.status, `${route.method} ${route.url}`).toBe(400);
      expect(['VALIDATION_FAILED']).toContain(res.body.error.code);
    }
    expect((await client.get('/api/v1/audit-logs', mine)).body.total).toBe(before);
  });

  it('answers unknown API routes with a JSON 404 in the caller language', async () => {
    const { client } = await signedIn(t);
    const res = await client.with({ 'accept-language': 'en-US,en;q=0.9' }).get('/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('ROUTE_NOT_FOUND');
    // A signed-in user's own language wins over the header (zh-CN by default).
    expect(res.body.error.message).toContain('接口不存在');
    const anon = await t.anon.with({ 'accept-language': 'en-US' }).post('/api/v1/auth/login', { username: 'x' });
    expect(anon.body.error.message).toBe('Some of the data is invalid; please check and try again');
  });

  it('sets security headers and a request id on every response', async () => {
    const res = await t.anon.request('GET', '/api/health', undefined, {
      headers: { 'x-request-id': 'trace-12345678' },
    });
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-request-id']).toBe('trace-12345678');
    const other = await t.anon.get('/api/health');
    expect(other.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects malformed JSON, other content types and oversized bodies with stable codes', async () => {
    const { client } = await signedIn(t, { roleCode: 'admin' });
    const broken = await client.request('POST', '/api/v1/branches', '{"name": "北京', {
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('INVALID_JSON');
    const form = await client.request('POST', '/api/v1/branches', 'name=x', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const huge = await client.post('/api/v1/branches', { name: 'x'.repeat(2 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
