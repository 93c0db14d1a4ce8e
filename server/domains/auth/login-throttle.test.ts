import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app';
import { loadConfig } from '../../config';
import { buildUser } from '../../test/factories';
import { Client, TEST_PASSWORD, createTestApp, randomIp, uniq, type TestApp } from '../../test/harness';
import { loginFailures } from './auth.tables';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

function loginAs(app: TestApp, username: string, password: string, ip: string, lang = 'zh-CN') {
  return app.anon.request(
    'POST',
    '/api/v1/auth/login',
    { username, password },
    { remoteAddress: ip, headers: { 'accept-language': lang } },
  );
}

/** The wait an account was last given, in seconds (null: none), as the database holds it. */
async function waitOf(username: string): Promise<number | null> {
  const [row] = await t.database.db
    .select({
      wait: sql<number | null>`extract(epoch from ${loginFailures.lockedUntil} - ${loginFailures.lastFailureAt})::int`,
    })
    .from(loginFailures)
    .where(eq(loginFailures.key, `user:${username}`));
  return row?.wait ?? null;
}

/** Lets an account's wait run out (as if the seconds had passed). */
async function waitOut(username: string) {
  await t.database.db
    .update(loginFailures)
    .set({ lockedUntil: sql`now() - interval '1 second'` })
    .where(eq(loginFailures.key, `user:${username}`));
}

describe('sign-in limits', () => {
  it('25 bad attempts with made-up names from one address do not stop the executive signing in there', async () => {
    const office = randomIp();
    const exec = await buildUser(t.database.db, { roleCode: 'executive' });
    for (let i = 0; i < 25; i++) {
      const res = await loginAs(t, uniq('guess').toLowerCase(), 'wrong-password-1', office);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('INVALID_CREDENTIALS');
    }
    expect((await loginAs(t, exec.username, TEST_PASSWORD, office)).status).toBe(200);
  });

  it('throttles one account with a growing wait (1 s, 2 s, 4 s …), answered with Retry-After, and only that account', async () => {
    const ip = randomIp();
    const user = await buildUser(t.database.db);
    const colleague = await buildUser(t.database.db);
    for (let i = 0; i < t.config.loginMaxFailures - 1; i++) {
      expect((await loginAs(t, user.username, 'wrong-password-1', randomIp())).status).toBe(401);
      expect(await waitOf(user.username)).toBeNull(); // a few typos cost nothing
    }
    const waits: (number | null)[] = [];
    for (let i = 0; i < 4; i++) {
      if (i > 0) await waitOut(user.username);
      expect((await loginAs(t, user.username, 'wrong-password-1', randomIp())).status).toBe(401);
      waits.push(await waitOf(user.username));
    }
    expect(waits).toEqual([1, 2, 4, 8]);

    // While the account waits, even the right password from another address is refused, with the time to wait.
    const blocked = await loginAs(t, user.username, TEST_PASSWORD, randomIp());
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('LOGIN_RATE_LIMITED');
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(8);
    expect(blocked.body.error.message).toBe(`登录失败次数过多，请 ${retryAfter} 秒后再试`);
    expect(blocked.body.error.details.retryAfterSeconds).toBe(retryAfter);
    const english = await loginAs(t, user.username, TEST_PASSWORD, randomIp(), 'en-US');
    expect(english.body.error.message).toMatch(/^Too many failed sign-ins; try again in \d seconds?$/);

    // Nobody else is affected, not even from the same address.
    expect((await loginAs(t, colleague.username, TEST_PASSWORD, ip)).status).toBe(200);

    // A made-up name is throttled exactly like a real one, so the answers do not tell which exists.
    const madeUp = uniq('nobody').toLowerCase();
    const answers = [];
    for (let i = 0; i < t.config.loginMaxFailures; i++)
      answers.push((await loginAs(t, madeUp, 'wrong-password-1', randomIp())).body.error);
    expect(answers).toEqual(Array(t.config.loginMaxFailures).fill(answers[0]));
    expect(answers[0]).toEqual({ code: 'INVALID_CREDENTIALS', message: '用户名或密码错误' });
    expect(await waitOf(madeUp)).toBe(1);
  });

  it('lets a burst of parallel guesses at one account have no more tries than the limit', async () => {
    const user = await buildUser(t.database.db);
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => loginAs(t, user.username, `wrong-password-${i}`, randomIp())),
    );
    const seconds = (Date.now() - started) / 1000;
    const tried = answers.filter((a) => a.status === 401).length;
    // Past the limit the account waits 1 s, then 2 s, 4 s …: a burst that lasts longer than that (a loaded machine)
    // may rightly get one more try per wait that ended meanwhile — never the twenty an uncounted check would let in.
    const waitsEnded = Math.floor(Math.log2(1 + seconds));
    expect(tried).toBeLessThanOrEqual(t.config.loginMaxFailures + waitsEnded);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(20 - tried);
  });

  it('a successful sign-in clears the account’s failures', async () => {
    const user = await buildUser(t.database.db);
    for (let i = 0; i < t.config.loginMaxFailures; i++) await loginAs(t, user.username, 'wrong-password-1', randomIp());
    await waitOut(user.username);
    expect((await loginAs(t, user.username, TEST_PASSWORD, randomIp())).status).toBe(200);
    // The counter starts again: a few typos later the right password still works at once.
    for (let i = 0; i < t.config.loginMaxFailures - 1; i++)
      expect((await loginAs(t, user.username, 'wrong-password-1', randomIp())).status).toBe(401);
    expect((await loginAs(t, user.username, TEST_PASSWORD, randomIp())).status).toBe(200);
  });

  it('caps the wait (LOGIN_MAX_DELAY_MINUTES) and words long waits in minutes', async () => {
    const user = await buildUser(t.database.db);
    await t.database.db.insert(loginFailures).values({
      key: `user:${user.username}`,
      count: 40,
      windowStart: new Date(),
    });
    expect((await loginAs(t, user.username, 'wrong-password-1', randomIp())).status).toBe(401);
    expect(await waitOf(user.username)).toBe(t.config.loginMaxDelayMinutes * 60);
    const blocked = await loginAs(t, user.username, TEST_PASSWORD, randomIp());
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.message).toBe(`登录失败次数过多，请 ${t.config.loginMaxDelayMinutes} 分钟后再试`);
  });

  it('still stops a spray from one address at the (much higher) per-address ceiling', async () => {
    const ceiling = 30;
    const small = await createTestApp({ database: t.database, config: { loginIpMaxFailures: ceiling } });
    try {
      const attacker = randomIp();
      const exec = await buildUser(t.database.db, { roleCode: 'executive' });
      // Sign-ins that succeed from the address do not use up its allowance.
      expect((await loginAs(small, exec.username, TEST_PASSWORD, attacker)).status).toBe(200);
      for (let i = 0; i < ceiling; i++)
        expect((await loginAs(small, uniq('spray').toLowerCase(), 'Winter-2026', attacker)).status).toBe(401);
      const stopped = await loginAs(small, exec.username, TEST_PASSWORD, attacker);
      expect(stopped.status).toBe(429);
      expect(stopped.body.error.code).toBe('LOGIN_RATE_LIMITED');
      expect(Number(stopped.headers['retry-after'])).toBeGreaterThan(small.config.loginWindowMinutes * 60 - 60);
      expect(stopped.body.error.message).toBe(`登录失败次数过多，请 ${small.config.loginWindowMinutes} 分钟后再试`);
      // The account itself is fine: from anywhere else the executive signs in.
      expect((await loginAs(small, exec.username, TEST_PASSWORD, randomIp())).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe('X-Forwarded-For without TRUST_PROXY', () => {
  async function appLogging(trustProxy: boolean) {
    const lines: { level: number; msg: string; remoteAddress?: string }[] = [];
    const app = await buildApp({
      database: t.database,
      config: { ...loadConfig({}), trustProxy },
      logger: { level: 'warn', stream: { write: (line: string) => void lines.push(JSON.parse(line)) } },
    });
    await app.ready();
    return { app, client: new Client(app), lines };
  }

  it('is warned about in the log, once rather than on every request, and only while TRUST_PROXY is off', async () => {
    const { app, client, lines } = await appLogging(false);
    try {
      await client.request('GET', '/api/health', undefined, { remoteAddress: '10.9.9.9' });
      expect(lines).toEqual([]);
      for (const forwarded of ['203.0.113.7', '198.51.100.3'])
        await client.request(
          'POST',
          '/api/v1/auth/login',
          { username: 'exec', password: 'wrong-password-1' },
          {
            remoteAddress: '10.9.9.9',
            headers: { 'x-forwarded-for': forwarded },
          },
        );
      expect(lines).toHaveLength(1);
      expect(lines[0].level).toBe(40);
      expect(lines[0].msg).toContain('TRUST_PROXY');
      expect(lines[0].remoteAddress).toBe('10.9.9.9');
    } finally {
      await app.close();
    }
    // Behind a proxy that is trusted, nothing to warn about.
    const trusted = await appLogging(true);
    try {
      await trusted.client.request('GET', '/api/health', undefined, { headers: { 'x-forwarded-for': '203.0.113.7' } });
      expect(trusted.lines).toEqual([]);
    } finally {
      await trusted.app.close();
    }
  });
});
