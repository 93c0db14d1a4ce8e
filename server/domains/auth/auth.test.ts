import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client';
import { buildUser, signedIn } from '../../test/factories';
import { Client, TEST_PASSWORD, createTestApp, randomIp, type TestApp } from '../../test/harness';
import { users } from '../staff/staff.tables';
import { sessions } from './auth.tables';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

function loginAs(username: string, password: string, ip = randomIp(), lang = 'zh-CN') {
  return t.anon.request(
    'POST',
    '/api/v1/auth/login',
    { username, password },
    { remoteAddress: ip, headers: { 'accept-language': lang } },
  );
}

describe('sign-in', () => {
  it('sets an HttpOnly session cookie and returns the user, grants and CSRF token', async () => {
    const user = await buildUser(t.database.db, { roleCode: 'manager' });
    const res = await loginAs(user.username.toUpperCase(), TEST_PASSWORD);
    expect(res.status).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^gd_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(res.body.user.username).toBe(user.username);
    expect(res.body.user).not.toHaveProperty('passwordHash');
    expect(res.body.grants['staff:read']).toBe('department');
    expect(res.body.csrfToken).toEqual(expect.any(String));
    const [row] = await t.database.db
      .select({ lastLoginAt: users.lastLoginAt })
      .from(users)
      .where(eq(users.id, user.id));
    expect(row.lastLoginAt).not.toBeNull();
  });

  it('rejects a wrong password or unknown user with the same localised error', async () => {
    const user = await buildUser(t.database.db);
    const wrong = await loginAs(user.username, 'not-the-password1');
    const unknown = await loginAs('nobody-at-all', 'not-the-password1', randomIp(), 'en-US');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toEqual({ code: 'INVALID_CREDENTIALS', message: '用户名或密码错误' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toEqual({ code: 'INVALID_CREDENTIALS', message: 'Wrong username or password' });
  });

  // Sign-in limits (per account with a growing wait, per address with a high ceiling): login-throttle.test.ts.

  it('refuses a deactivated user, and ends the sessions they had', async () => {
    const { user, client } = await signedIn(t);
    expect((await client.get('/api/v1/auth/me')).status).toBe(200);
    await t.database.db.update(users).set({ active: false }).where(eq(users.id, user.id));
    const me = await client.get('/api/v1/auth/me');
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('UNAUTHENTICATED');
    const again = await loginAs(user.username, TEST_PASSWORD);
    expect(again.status).toBe(403);
    expect(again.body.error.code).toBe('ACCOUNT_DEACTIVATED');
  });

  it('validates the login body', async () => {
    const res = await t.anon.post('/api/v1/auth/login', { username: 'a', password: 'b', admin: true });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.issues[0].message).toContain('admin');
  });
});

describe('session', () => {
  it('signs out: the cookie stops working', async () => {
    const { client } = await signedIn(t);
    expect((await client.post('/api/v1/auth/logout')).status).toBe(200);
    expect((await client.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('protects cookie-authenticated writes against CSRF and changes nothing without the token', async () => {
    const { client } = await signedIn(t, { displayName: '原名' });
    const noToken = new Client(t.app, client.cookie, null);
    const res = await noToken.patch('/api/v1/auth/me', { displayName: '被篡改' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('CSRF_TOKEN_INVALID');
    const forged = new Client(t.app, client.cookie, 'forged-token');
    expect((await forged.patch('/api/v1/auth/me', { displayName: '被篡改' })).status).toBe(403);
    expect((await client.get('/api/v1/auth/me')).body.user.displayName).toBe('原名');
    expect((await client.patch('/api/v1/auth/me', { displayName: '新名' })).body.user.displayName).toBe('新名');
  });

  it('keeps the language per user and answers in it', async () => {
    const { client } = await signedIn(t);
    const res = await client.patch('/api/v1/auth/me', { locale: 'en-US' });
    expect(res.body.user.locale).toBe('en-US');
    const err = await client.get('/api/v1/users/not-a-uuid');
    expect(err.body.error.message).toBe('Some of the data is invalid; please check and try again');
    expect((await client.patch('/api/v1/auth/me', { locale: 'fr-FR' })).status).toBe(400);
  });

  it('slides the expiry as the session is used, writing it at most once a minute, and still ends at once', async () => {
    const { client } = await signedIn(t);
    const userId = client.me!.user.id;
    const row = async () => (await t.database.db.select().from(sessions).where(eq(sessions.userId, userId)))[0];
    const set = (secondsSinceSeen: number, expiresInSeconds: number) =>
      t.database.db
        .update(sessions)
        .set({
          lastSeenAt: new Date(Date.now() - secondsSinceSeen * 1000),
          expiresAt: new Date(Date.now() + expiresInSeconds * 1000),
        })
        .where(eq(sessions.userId, userId));
    // Seen 30 s ago: the request writes nothing, the expiry stays where it was.
    await set(30, 3600);
    const before = await row();
    expect((await client.get('/api/v1/auth/me')).status).toBe(200);
    expect(await row()).toEqual(before);
    // Seen two minutes ago: the expiry slides to a full session length from now.
    await set(120, 3600);
    expect((await client.get('/api/v1/auth/me')).status).toBe(200);
    const slid = await row();
    expect(slid.expiresAt.getTime()).toBeGreaterThan(Date.now() + (t.config.sessionTtlHours * 3600 - 600) * 1000);
    expect(slid.lastSeenAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    // Signing out ends it at once.
    expect((await client.post('/api/v1/auth/logout')).status).toBe(200);
    expect((await client.get('/api/v1/auth/me')).status).toBe(401);
    // Past its expiry a session is refused however recently it was seen. (Not revived afterwards: on the
    // shared PostgreSQL any sign-in elsewhere sweeps expired sessions away.)
    const { client: other } = await signedIn(t);
    const otherId = other.me!.user.id;
    expect((await other.get('/api/v1/auth/me')).status).toBe(200);
    await t.database.db
      .update(sessions)
      .set({ lastSeenAt: new Date(), expiresAt: new Date(Date.now() - 1000) })
      .where(eq(sessions.userId, otherId));
    expect((await other.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('is shared by two app instances on one database (sessions live in the database)', async () => {
    const { client } = await signedIn(t);
    // A second instance with its own connection (pool) where the engine allows one.
    const databaseUrl = process.env.DATABASE_URL;
    const database = databaseUrl ? await openDatabase({ databaseUrl, poolSize: 2 }) : t.database;
    const second = await createTestApp({ database });
    try {
      const there = new Client(second.app, client.cookie, client.csrfToken);
      const me = await there.get('/api/v1/auth/me');
      expect(me.status).toBe(200);
      expect(me.body.user.id).toBe(client.me!.user.id);
      // Signing out on one instance ends the session on the other.
      expect((await there.post('/api/v1/auth/logout')).status).toBe(200);
      expect((await client.get('/api/v1/auth/me')).status).toBe(401);
    } finally {
      await second.close();
      if (databaseUrl) await database.close();
    }
  });
});

describe('passwords', () => {
  it('changes the own password after proving the current one; other sessions end', async () => {
    const user = await buildUser(t.database.db);
    const first = await t.login(user.username);
    const second = await t.login(user.username);
    const wrong = await first.post('/api/v1/auth/password', {
      currentPassword: 'nope-nope-1',
      newPassword: 'Another-pass-2',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('WRONG_PASSWORD');
    const weak = await first.post('/api/v1/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.details.issues[0].message).toBe('密码至少 8 位，且须同时包含字母和数字');
    expect(
      (await first.post('/api/v1/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'Another-pass-2' }))
        .status,
    ).toBe(200);
    expect((await first.get('/api/v1/auth/me')).status).toBe(200);
    expect((await second.get('/api/v1/auth/me')).status).toBe(401);
    expect((await loginAs(user.username, TEST_PASSWORD)).status).toBe(401);
    expect((await loginAs(user.username, 'Another-pass-2')).status).toBe(200);
  });

  it('stores argon2id hashes only', async () => {
    const user = await buildUser(t.database.db);
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
  });
});

describe('API tokens', () => {
  it('authenticate integrations with a bearer token (no CSRF needed) until revoked', async () => {
    const { client } = await signedIn(t, { displayName: '集成' });
    const created = await client.post('/api/v1/api-tokens', {
      name: '报表同步',
      scope: 'read-write',
      expiresInDays: 30,
    });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(token).toMatch(/^gdt_/);
    const bearer = new Client(t.app, null, null, null, { authorization: `Bearer ${token}` });
    expect((await bearer.get('/api/v1/auth/me')).body.user.displayName).toBe('集成');
    expect((await bearer.patch('/api/v1/auth/me', { displayName: '集成2' })).status).toBe(200);
    const list = await client.get('/api/v1/api-tokens');
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).not.toHaveProperty('token');
    expect(list.body[0].lastUsedAt).not.toBeNull();
    expect((await client.delete(`/api/v1/api-tokens/${created.body.id}`)).status).toBe(200);
    expect((await bearer.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('cannot revoke another user’s token (404) and rejects garbage bearer tokens', async () => {
    const a = await signedIn(t);
    const b = await signedIn(t);
    const created = await a.client.post('/api/v1/api-tokens', { name: 'a' });
    expect((await b.client.delete(`/api/v1/api-tokens/${created.body.id}`)).status).toBe(404);
    const garbage = new Client(t.app, null, null, null, { authorization: 'Bearer gdt_nonsense' });
    expect((await garbage.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('stores only a hash of session cookies', async () => {
    const { client } = await signedIn(t);
    const value = client.cookie!.split('=')[1];
    const rows = await t.database.db.select().from(sessions).where(eq(sessions.userId, client.me!.user.id));
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).not.toBe(value);
    expect(rows[0].tokenHash).toHaveLength(64);
  });
});
