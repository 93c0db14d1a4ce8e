import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn } from '../../test/factories';
import { Client, TEST_PASSWORD, createTestApp, uniq, type TestApp } from '../../test/harness';
import { apiTokens } from './auth.tables';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const bearer = (token: string) => new Client(t.app, null, null, null, { authorization: `Bearer ${token}` });

async function newToken(client: Client, body: Record<string, unknown> = {}) {
  const res = await client.post('/api/v1/api-tokens', { name: uniq('集成'), ...body });
  expect(res.status).toBe(201);
  return { ...res.body, caller: bearer(res.body.token as string) } as {
    id: string;
    name: string;
    scope: string;
    token: string;
    caller: Client;
  };
}

/** The SQL texts the app sends while `fn` runs (on either engine, through the driver's query()). */
async function queriesDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const client = t.database.client as unknown as { query: (...args: unknown[]) => Promise<unknown> };
  const original = client.query;
  const texts: string[] = [];
  client.query = (...args: unknown[]) => {
    const first = args[0];
    texts.push(typeof first === 'string' ? first : (first as { text: string }).text);
    return original.apply(client, args);
  };
  try {
    await fn();
  } finally {
    client.query = original;
  }
  return texts;
}

describe('API token scopes', () => {
  it('a read-only token reads but is refused every write (403 API_TOKEN_READ_ONLY); a read-write token writes', async () => {
    const { client } = await signedIn(t, { displayName: '只读集成', roleCode: 'manager' });
    const readOnly = await newToken(client); // read-only unless asked for more
    expect(readOnly.scope).toBe('read-only');
    expect((await readOnly.caller.get('/api/v1/auth/me')).body.user.displayName).toBe('只读集成');
    expect((await readOnly.caller.get('/api/v1/customers')).status).toBe(200);

    const patch = await readOnly.caller.patch('/api/v1/auth/me', { displayName: '改名' });
    expect(patch.status).toBe(403);
    expect(patch.body.error).toEqual({ code: 'API_TOKEN_READ_ONLY', message: '此 API 令牌为只读，不能修改数据' });
    // Refused before validation, on any route and method.
    expect((await readOnly.caller.post('/api/v1/customers', { nonsense: true })).body.error.code).toBe(
      'API_TOKEN_READ_ONLY',
    );
    expect((await readOnly.caller.delete(`/api/v1/api-tokens/${readOnly.id}`)).status).toBe(403);
    const english = await readOnly.caller.with({ 'accept-language': 'en-US' }).post('/api/v1/auth/logout');
    expect(english.status).toBe(403);
    expect((await client.get('/api/v1/auth/me')).body.user.displayName).toBe('只读集成');

    const readWrite = await newToken(client, { scope: 'read-write' });
    expect(readWrite.scope).toBe('read-write');
    expect((await readWrite.caller.patch('/api/v1/auth/me', { displayName: '读写集成' })).status).toBe(200);
    expect((await client.get('/api/v1/auth/me')).body.user.displayName).toBe('读写集成');

    const list = await client.get('/api/v1/api-tokens');
    expect(list.body.map((x: { scope: string }) => x.scope).sort()).toEqual(['read-only', 'read-write']);
    const bad = await client.post('/api/v1/api-tokens', { name: 'x', scope: 'admin' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toBe('body.scope');
  });

  it('authenticates in one prepared query (with the scope) and writes the last use at most once a minute', async () => {
    const { client } = await signedIn(t);
    const token = await newToken(client, { scope: 'read-only' });
    const touching = (table: string, texts: string[]) => texts.filter((q) => q.includes(`"${table}"`));

    const first = await queriesDuring(() => token.caller.get('/api/v1/auth/me'));
    expect(touching('api_tokens', first)).toHaveLength(2); // the look-up, then the first use recorded
    const [{ lastUsedAt }] = await t.database.db
      .select({ lastUsedAt: apiTokens.lastUsedAt })
      .from(apiTokens)
      .where(eq(apiTokens.id, token.id));
    expect(lastUsedAt).not.toBeNull();

    const again = await queriesDuring(() => token.caller.get('/api/v1/auth/me'));
    expect(touching('api_tokens', again)).toHaveLength(1); // the look-up only: actor, role, scope in one query
    expect(touching('api_tokens', again)[0]).toMatch(/^select/i);
    const listed = (await client.get('/api/v1/api-tokens')).body[0];
    expect(listed.lastUsedAt).toBe(lastUsedAt!.toISOString());

    // The scope comes with the same look-up: a refused write costs no further query.
    let refused: { status: number } | undefined;
    const write = await queriesDuring(async () => {
      refused = await token.caller.patch('/api/v1/auth/me', { displayName: '改名' });
    });
    expect(refused!.status).toBe(403);
    expect(write).toHaveLength(1);

    // A minute later the next use is recorded again.
    await t.database.db
      .update(apiTokens)
      .set({ lastUsedAt: sql`now() - interval '2 minutes'` })
      .where(eq(apiTokens.id, token.id));
    expect(touching('api_tokens', await queriesDuring(() => token.caller.get('/api/v1/auth/me')))).toHaveLength(2);

    // The session look-up stays one query as well.
    const bySession = await queriesDuring(() => client.get('/api/v1/auth/me'));
    expect(touching('sessions', bySession)).toHaveLength(1);
  });

  it('an expired token answers 401 and is listed as expired', async () => {
    const { client } = await signedIn(t);
    const token = await newToken(client, { expiresInDays: 30 });
    const listed = (await client.get('/api/v1/api-tokens')).body[0];
    expect(listed.status).toBe('active');
    expect(new Date(listed.expiresAt).getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);
    await t.database.db
      .update(apiTokens)
      .set({ expiresAt: sql`now() - interval '1 minute'` })
      .where(eq(apiTokens.id, token.id));
    const res = await token.caller.get('/api/v1/auth/me');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    expect((await client.get('/api/v1/api-tokens')).body[0].status).toBe('expired');
  });
});

describe('managing tokens', () => {
  it('needs a signed-in session: a token cannot create or revoke tokens (403 SESSION_REQUIRED)', async () => {
    const { client } = await signedIn(t);
    const token = await newToken(client, { scope: 'read-write' });
    const mint = await token.caller.post('/api/v1/api-tokens', { name: '再来一个', scope: 'read-write' });
    expect(mint.status).toBe(403);
    expect(mint.body.error).toEqual({
      code: 'SESSION_REQUIRED',
      message: '请登录网页后操作；API 令牌不能创建或吊销令牌',
    });
    expect((await token.caller.delete(`/api/v1/api-tokens/${token.id}`)).body.error.code).toBe('SESSION_REQUIRED');
    const mine = (await client.get('/api/v1/api-tokens')).body;
    expect(mine).toHaveLength(1);
    expect(mine[0].status).toBe('active');
    // The token may still read its own list.
    expect((await token.caller.get('/api/v1/api-tokens')).status).toBe(200);
  });

  it('a password change revokes my tokens unless I keep them; an administrator’s reset revokes them', async () => {
    const { user, client } = await signedIn(t);
    const admin = (await signedIn(t, { roleCode: 'admin' })).client;
    const first = await newToken(client);
    expect(
      (await client.post('/api/v1/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'Second-pass-2' }))
        .status,
    ).toBe(200);
    expect((await first.caller.get('/api/v1/auth/me')).status).toBe(401);
    expect((await client.get('/api/v1/api-tokens')).body).toEqual([]);
    const audit = await admin.get('/api/v1/audit-logs', { entityId: user.id, action: 'change-password' });
    expect(audit.body.items[0].after).toEqual({ apiTokensRevoked: 1 });

    const kept = await newToken(client);
    expect(
      (
        await client.post('/api/v1/auth/password', {
          currentPassword: 'Second-pass-2',
          newPassword: 'Third-pass-3',
          keepApiTokens: true,
        })
      ).status,
    ).toBe(200);
    expect((await kept.caller.get('/api/v1/auth/me')).status).toBe(200);
    expect((await client.get('/api/v1/auth/me')).status).toBe(200); // this session stays

    expect((await admin.post(`/api/v1/users/${user.id}/reset-password`, { newPassword: 'Fourth-pass-4' })).status).toBe(
      200,
    );
    expect((await kept.caller.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('administrators list everyone’s tokens and revoke any (audited); nobody else may', async () => {
    const a = await signedIn(t, { displayName: uniq('甲') });
    const b = await signedIn(t);
    const admin = await signedIn(t, { roleCode: 'admin' });
    const aToken = await newToken(a.client, { name: uniq('甲的报表'), scope: 'read-write' });
    const bToken = await newToken(b.client);

    const listed = await admin.client.get('/api/v1/admin/api-tokens', { userId: a.user.id });
    expect(listed.status).toBe(200);
    expect(listed.body.total).toBe(1);
    expect(listed.body.items[0]).toMatchObject({
      id: aToken.id,
      name: aToken.name,
      scope: 'read-write',
      status: 'active',
      userId: a.user.id,
      username: a.user.username,
      userDisplayName: a.user.displayName,
      lastUsedAt: null,
    });
    expect(listed.body.items[0]).not.toHaveProperty('token');
    expect(listed.body.items[0]).not.toHaveProperty('tokenHash');
    const searched = await admin.client.get('/api/v1/admin/api-tokens', { q: a.user.displayName });
    expect(searched.body.items.map((x: { id: string }) => x.id)).toEqual([aToken.id]);

    // Others: 403, even managers and the token's own owner.
    const manager = await signedIn(t, { roleCode: 'manager' });
    for (const who of [manager.client, a.client]) {
      expect((await who.get('/api/v1/admin/api-tokens')).status).toBe(403);
      expect((await who.delete(`/api/v1/admin/api-tokens/${bToken.id}`)).body.error.code).toBe('FORBIDDEN');
    }
    // An administrator's own token cannot do it either.
    const adminToken = await newToken(admin.client, { scope: 'read-write' });
    expect((await adminToken.caller.delete(`/api/v1/admin/api-tokens/${aToken.id}`)).body.error.code).toBe(
      'SESSION_REQUIRED',
    );

    expect((await admin.client.delete(`/api/v1/admin/api-tokens/${aToken.id}`)).status).toBe(200);
    expect((await aToken.caller.get('/api/v1/auth/me')).status).toBe(401);
    expect((await admin.client.delete(`/api/v1/admin/api-tokens/${aToken.id}`)).status).toBe(404);
    const revoked = await admin.client.get('/api/v1/admin/api-tokens', { userId: a.user.id, status: 'revoked' });
    expect(revoked.body.items[0]).toMatchObject({ id: aToken.id, status: 'revoked' });
    expect(revoked.body.items[0].revokedAt).not.toBeNull();
    expect((await admin.client.get('/api/v1/admin/api-tokens', { userId: a.user.id })).body.total).toBe(0);

    const audit = await admin.client.get('/api/v1/audit-logs', { entityType: 'api-token', entityId: aToken.id });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['revoke', 'create']);
    expect(audit.body.items[0]).toMatchObject({
      actorId: admin.user.id,
      before: { name: aToken.name, userId: a.user.id, scope: 'read-write', revokedAt: null },
    });
    expect(audit.body.items[0].after.revokedAt).not.toBeNull();
    expect(JSON.stringify(audit.body.items)).not.toContain(aToken.token);

    // A user's own revocation is audited too.
    expect((await b.client.delete(`/api/v1/api-tokens/${bToken.id}`)).status).toBe(200);
    const own = await admin.client.get('/api/v1/audit-logs', { entityId: bToken.id, action: 'revoke' });
    expect(own.body.items[0].actorId).toBe(b.user.id);

    expect((await admin.client.get('/api/v1/admin/api-tokens', { status: 'bogus' })).status).toBe(400);
  });
});
