import { eq } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, buildUser } from '../../test/factories';
import {
  Client,
  TEST_PASSWORD,
  createTestApp,
  randomIp,
  sleep,
  uniq,
  type Response,
  type TestApp,
} from '../../test/harness';
import { auditLogs } from '../audit/audit.tables';
import { users } from '../staff/staff.tables';
import { loginChallenges, loginFailures, sessions } from './auth.tables';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

/** The code an authenticator app shows for the secret, `steps` periods from now. */
function codeFor(secret: string, steps = 0) {
  const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
  return totp.generate({ timestamp: Date.now() + steps * 30_000 });
}
/** Waits out the last seconds of a 30-second step, so that a code made now is judged in the same step. */
async function awayFromStepEdge() {
  const into = Date.now() % 30_000;
  if (into > 25_000) await sleep(30_500 - into);
}
/** A six-digit code that is not the secret's in the accepted window. */
function wrongCodeFor(secret: string) {
  const valid = new Set([-1, 0, 1].map((s) => codeFor(secret, s)));
  let code = '000000';
  for (let n = 0; valid.has(code); n++) code = String(n).padStart(6, '0');
  return code;
}

function passwordStep(username: string, ip = randomIp(), lang = 'zh-CN') {
  return t.anon.request(
    'POST',
    '/api/v1/auth/login',
    { username, password: TEST_PASSWORD },
    { remoteAddress: ip, headers: { 'accept-language': lang } },
  );
}
function secondStep(body: object, ip = randomIp(), lang = 'zh-CN') {
  return t.anon.request('POST', '/api/v1/auth/login/two-factor', body, {
    remoteAddress: ip,
    headers: { 'accept-language': lang },
  });
}
function clientFrom(res: Response): Client {
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] as string | string[]);
  const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
  return new Client(t.app, cookie, res.body.csrfToken, res.body);
}

/**
 * A signed-in person who has turned two-factor sign-in on in their settings; returns the secret and recovery codes.
 * Confirmed with the code of the step before (a clock a little behind), so that the current step's code is unused.
 */
async function enrolled(roleCode = 'salesperson') {
  const { user, client } = await signedIn(t, { roleCode });
  const start = await client.post('/api/v1/auth/two-factor/enrol');
  expect(start.status).toBe(200);
  const confirm = await client.post('/api/v1/auth/two-factor/confirm', { code: codeFor(start.body.secret, -1) });
  expect(confirm.status).toBe(200);
  return { user, client, secret: start.body.secret as string, recoveryCodes: confirm.body.recoveryCodes as string[] };
}

describe('enrolling in settings', () => {
  it('gives a secret, an otpauth URI and a QR code; a code confirms it and shows ten recovery codes', async () => {
    const { user, client } = await signedIn(t);
    expect((await client.get('/api/v1/auth/two-factor')).body).toEqual({
      enabled: false,
      enabledAt: null,
      required: false,
      recoveryCodesLeft: 0,
    });
    const start = await client.post('/api/v1/auth/two-factor/enrol');
    expect(start.status).toBe(200);
    expect(start.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(start.body.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe(`/Gongdan 工单:${user.username}`);
    expect(uri.searchParams.get('secret')).toBe(start.body.secret);
    expect(uri.searchParams.get('issuer')).toBe('Gongdan 工单');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(start.body.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>$/);

    // Not on until confirmed: the password alone still signs in.
    expect((await passwordStep(user.username)).body.user.id).toBe(user.id);

    const wrong = await client.post('/api/v1/auth/two-factor/confirm', { code: wrongCodeFor(start.body.secret) });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('TWO_FACTOR_CODE_INVALID');
    expect(wrong.body.error.message).toBe('验证码不正确或已过期，请输入验证器应用上最新的 6 位数字');

    const confirm = await client.post('/api/v1/auth/two-factor/confirm', { code: codeFor(start.body.secret) });
    expect(confirm.status).toBe(200);
    expect(confirm.body.recoveryCodes).toHaveLength(10);
    expect(new Set(confirm.body.recoveryCodes).size).toBe(10);
    for (const code of confirm.body.recoveryCodes) expect(code).toMatch(/^[0-9a-f]{5}-[0-9a-f]{5}$/);
    const status = await client.get('/api/v1/auth/two-factor');
    expect(status.body).toMatchObject({ enabled: true, required: false, recoveryCodesLeft: 10 });
    expect((await admin.get(`/api/v1/users/${user.id}`)).body.twoFactorEnabled).toBe(true);
    // Enrolling does not end the session it was done in.
    expect((await client.get('/api/v1/auth/me')).status).toBe(200);

    const again = await client.post('/api/v1/auth/two-factor/enrol');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('TWO_FACTOR_ALREADY_ENROLLED');
  });

  it('needs a browser session, not an API token, and a started enrolment to confirm', async () => {
    const { client } = await signedIn(t);
    const notStarted = await client.post('/api/v1/auth/two-factor/confirm', { code: '123456' });
    expect(notStarted.status).toBe(409);
    expect(notStarted.body.error.code).toBe('TWO_FACTOR_ENROLMENT_NOT_STARTED');
    const token = await client.post('/api/v1/api-tokens', { name: uniq('t'), scope: 'read-write' });
    const bearer = new Client(t.app).with({ authorization: `Bearer ${token.body.token}` });
    const refused = await bearer.post('/api/v1/auth/two-factor/enrol');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('SESSION_REQUIRED');
  });
});

describe('signing in with two-factor on', () => {
  it('answers a right password with a challenge and no session; the code completes the sign-in', async () => {
    const { user, secret } = await enrolled();
    const first = await passwordStep(user.username);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ twoFactor: 'code', challenge: expect.any(String) });
    expect(first.headers['set-cookie']).toBeUndefined();

    const done = await secondStep({ challenge: first.body.challenge, code: codeFor(secret) });
    expect(done.status).toBe(200);
    expect(String(done.headers['set-cookie'])).toMatch(/^gd_session=.*HttpOnly/);
    expect(done.body.user.id).toBe(user.id);
    expect(done.body.csrfToken).toEqual(expect.any(String));
    expect(done.body).not.toHaveProperty('recoveryCodes');
    const session = clientFrom(done);
    expect((await session.get('/api/v1/auth/me')).body.user.id).toBe(user.id);
    // CSRF works as for a password sign-in.
    expect((await session.patch('/api/v1/auth/me', { displayName: uniq('名') })).status).toBe(200);

    // The challenge opened its one session.
    const reused = await secondStep({ challenge: first.body.challenge, code: codeFor(secret) });
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('LOGIN_CHALLENGE_EXPIRED');
  });

  it('accepts the code of the step before and after (clock drift), each code once, never an older one', async () => {
    await awayFromStepEdge();
    // (enrolled() confirms with the code of the step before: a clock behind is accepted.)
    const { user, secret } = await enrolled();
    const signIn = async (code: string) => {
      const first = await passwordStep(user.username);
      return secondStep({ challenge: first.body.challenge, code });
    };
    // Two steps away is refused.
    expect((await signIn(codeFor(secret, 3))).status).toBe(400);
    // A clock ahead: the next step's code signs in — once.
    const ahead = codeFor(secret, 1);
    const aheadStep = Math.floor(Date.now() / 30_000) + 1;
    expect((await signIn(ahead)).status).toBe(200);
    const replayed = await signIn(ahead);
    expect(replayed.status).toBe(400);
    expect(replayed.body.error.code).toBe('TWO_FACTOR_CODE_INVALID');
    // Nor does a code of an earlier step than the last accepted, though it is still in the window.
    expect((await signIn(codeFor(secret))).status).toBe(400);
    const [row] = await t.database.db.select({ step: users.totpLastStep }).from(users).where(eq(users.id, user.id));
    expect(row.step).toBe(aheadStep);
  });

  it('counts wrong codes: the fifth kills the challenge; they count on the sign-in limit too', async () => {
    const { user, secret } = await enrolled();
    const first = await passwordStep(user.username);
    const wrong = wrongCodeFor(secret);
    for (let left = 4; left >= 0; left--) {
      const res = await secondStep({ challenge: first.body.challenge, code: wrong }, randomIp(), 'en-US');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('TWO_FACTOR_CODE_INVALID');
      expect(res.body.error.details).toEqual({ attemptsLeft: left });
    }
    const dead = await secondStep({ challenge: first.body.challenge, code: codeFor(secret) }, randomIp(), 'en-US');
    expect(dead.status).toBe(401);
    expect(dead.body.error).toMatchObject({
      code: 'LOGIN_CHALLENGE_EXPIRED',
      message: 'This sign-in timed out or had too many wrong codes; enter your password again',
    });
    // Each wrong code counted on the account's sign-in limit as a wrong password would be (the right password did not).
    const [counter] = await t.database.db
      .select({ count: loginFailures.count })
      .from(loginFailures)
      .where(eq(loginFailures.key, `user:${user.username}`));
    expect(counter.count).toBe(5);
  });

  it('refuses an expired challenge clearly', async () => {
    const { user, secret } = await enrolled();
    const first = await passwordStep(user.username);
    await t.database.db
      .update(loginChallenges)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(loginChallenges.userId, user.id));
    const res = await secondStep({ challenge: first.body.challenge, code: codeFor(secret) });
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({
      code: 'LOGIN_CHALLENGE_EXPIRED',
      message: '本次登录已超时或验证码错误次数过多，请重新输入密码登录',
    });
  });

  it('takes a recovery code once', async () => {
    const { user, recoveryCodes } = await enrolled();
    const first = await passwordStep(user.username);
    // Case and the dash do not matter.
    const typed = recoveryCodes[3].toUpperCase().replace('-', ' ');
    const done = await secondStep({ challenge: first.body.challenge, recoveryCode: typed });
    expect(done.status).toBe(200);
    expect(done.body.user.id).toBe(user.id);
    const status = await clientFrom(done).get('/api/v1/auth/two-factor');
    expect(status.body.recoveryCodesLeft).toBe(9);

    const second = await passwordStep(user.username);
    const reused = await secondStep({ challenge: second.body.challenge, recoveryCode: recoveryCodes[3] });
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('TWO_FACTOR_CODE_INVALID');
    const other = await secondStep({ challenge: second.body.challenge, recoveryCode: recoveryCodes[4] });
    expect(other.status).toBe(200);
  });

  it('grants nothing to a half-done sign-in', async () => {
    const { user } = await enrolled('admin');
    await t.database.db.delete(sessions).where(eq(sessions.userId, user.id));
    const first = await passwordStep(user.username);
    const challenge = first.body.challenge as string;
    expect(first.headers['set-cookie']).toBeUndefined();
    // The challenge is no session cookie, no bearer token, and no CSRF token.
    for (const client of [
      new Client(t.app, `gd_session=${challenge}`),
      new Client(t.app).with({ authorization: `Bearer ${challenge}` }),
      new Client(t.app).with({ authorization: `Bearer gdt_${challenge}` }),
    ]) {
      expect((await client.get('/api/v1/auth/me')).status).toBe(401);
      expect((await client.get('/api/v1/users')).status).toBe(401);
      expect((await client.get('/api/v1/auth/two-factor')).status).toBe(401);
    }
    // Nor can it be used to turn the factor off or to start another enrolment.
    const anonDisable = await t.anon.post('/api/v1/auth/two-factor/disable', { code: '123456' });
    expect(anonDisable.status).toBe(401);
    const open = await t.database.db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(open).toHaveLength(0);
    // A wrong password gets no challenge at all.
    const wrong = await t.anon.request(
      'POST',
      '/api/v1/auth/login',
      { username: user.username, password: 'not-the-password1' },
      { remoteAddress: randomIp() },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
  });
});

describe('a role that requires two-factor sign-in', () => {
  it('makes a person who has not enrolled enrol at sign-in, then ask for a code; they cannot turn it off', async () => {
    const code = uniq('r2fa')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '');
    const role = await admin.post('/api/v1/roles', {
      code,
      name: uniq('两步角色'),
      grants: { 'customers:read': 'own' },
    });
    expect(role.body.requiresTwoFactor).toBe(false);
    const patched = await admin.patch(`/api/v1/roles/${role.body.id}`, { requiresTwoFactor: true });
    expect(patched.status).toBe(200);
    expect(patched.body.requiresTwoFactor).toBe(true);

    const user = await buildUser(t.database.db, { roleCode: code });
    const first = await passwordStep(user.username);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ twoFactor: 'enrol', challenge: expect.any(String) });
    expect(first.body.otpauthUri).toContain(`secret=${first.body.secret}`);
    expect(first.body.qrSvg).toMatch(/^<svg/);
    expect(first.headers['set-cookie']).toBeUndefined();

    // A recovery code cannot stand in for confirming the new secret.
    const noRecovery = await secondStep({ challenge: first.body.challenge, recoveryCode: 'aaaaa-bbbbb' });
    expect(noRecovery.status).toBe(400);
    const done = await secondStep({ challenge: first.body.challenge, code: codeFor(first.body.secret) });
    expect(done.status).toBe(200);
    expect(done.body.user.id).toBe(user.id);
    expect(done.body.recoveryCodes).toHaveLength(10);
    const session = clientFrom(done);
    expect((await session.get('/api/v1/auth/two-factor')).body).toMatchObject({ enabled: true, required: true });

    const next = await passwordStep(user.username);
    expect(next.body).toEqual({ twoFactor: 'code', challenge: expect.any(String) });

    const off = await session.post('/api/v1/auth/two-factor/disable', { code: codeFor(first.body.secret, 1) });
    expect(off.status).toBe(409);
    expect(off.body.error.code).toBe('TWO_FACTOR_REQUIRED_BY_ROLE');
  });
});

describe('managing one’s own second factor', () => {
  it('regenerates recovery codes with a code (the old ones stop working) and turns it off with a code', async () => {
    const { user, client, secret, recoveryCodes } = await enrolled();
    const noCode = await client.post('/api/v1/auth/two-factor/recovery-codes', { code: wrongCodeFor(secret) });
    expect(noCode.status).toBe(400);
    const fresh = await client.post('/api/v1/auth/two-factor/recovery-codes', { code: codeFor(secret) });
    expect(fresh.status).toBe(200);
    expect(fresh.body.recoveryCodes).toHaveLength(10);
    const first = await passwordStep(user.username);
    const old = await secondStep({ challenge: first.body.challenge, recoveryCode: recoveryCodes[0] });
    expect(old.status).toBe(400);

    const wrongOff = await client.post('/api/v1/auth/two-factor/disable', { code: wrongCodeFor(secret) });
    expect(wrongOff.status).toBe(400);
    expect((await client.get('/api/v1/auth/two-factor')).body.enabled).toBe(true);
    // (The current step's code was taken by the new recovery codes: the next step's, as a clock a little ahead.)
    const off = await client.post('/api/v1/auth/two-factor/disable', { code: codeFor(secret, 1) });
    expect(off.status).toBe(200);
    expect((await client.get('/api/v1/auth/two-factor')).body).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });
    expect((await passwordStep(user.username)).body.user.id).toBe(user.id);
  });
});

describe('an administrator resetting a second factor', () => {
  it("clears it, ends the person's sessions, and is audited; others may not", async () => {
    const { user, client } = await enrolled();
    const outsider = (await signedIn(t)).client;
    const refused = await outsider.post(`/api/v1/users/${user.id}/reset-two-factor`);
    expect(refused.status).toBe(403);

    const reset = await admin.post(`/api/v1/users/${user.id}/reset-two-factor`);
    expect(reset.status).toBe(200);
    expect((await client.get('/api/v1/auth/me')).status).toBe(401);
    expect((await admin.get(`/api/v1/users/${user.id}`)).body.twoFactorEnabled).toBe(false);
    // The password alone signs in again.
    const again = await passwordStep(user.username);
    expect(again.body.user.id).toBe(user.id);
    expect((await clientFrom(again).get('/api/v1/auth/two-factor')).body.recoveryCodesLeft).toBe(0);

    const [entry] = await t.database.db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.entityId, user.id))
      .then((rows) => rows.filter((r) => r.action === 'reset-two-factor'));
    expect(entry).toMatchObject({
      actorId: admin.me!.user.id,
      entityType: 'user',
      before: { twoFactorEnabled: true },
      after: { twoFactorEnabled: false, sessionsEnded: 1 },
    });
    const log = await admin.get('/api/v1/audit-logs', { entityId: user.id, action: 'reset-two-factor' });
    expect(log.status).toBe(200);
    expect(log.body.items).toHaveLength(1);
  });
});
