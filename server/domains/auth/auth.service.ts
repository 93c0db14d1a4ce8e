import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, inArray, isNull, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import { translate, type Locale } from '../../../common/i18n';
import type { ApiTokenScope } from '../../../common/schemas/auth';
import { preparedOnce, type Db } from '../../db/client';
import { AppError } from '../../errors';
import type { Actor } from '../../policy';
import { actorThrough, getUserCredentials, recordLogin } from '../staff/actors';
import { dummyPasswordHash, verifyPassword } from './passwords';
import { apiTokens, loginFailures, sessions } from './auth.tables';
import { users } from '../staff/staff.tables';

export const SESSION_COOKIE = 'gd_session';
export const API_TOKEN_PREFIX = 'gdt_';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
export const randomToken = () => randomBytes(32).toString('base64url');

export type LoginPolicy = {
  /** Failures on one account before each further try must wait (1 s, doubling). */
  maxFailures: number;
  /** How long failures are remembered, and the per-address window. */
  windowMinutes: number;
  /** The longest wait between tries on one account. */
  maxDelayMinutes: number;
  /** Failures from one address within the window before the address waits the window out. */
  ipMaxFailures: number;
  sessionTtlHours: number;
};
export type LoginInput = { username: string; password: string; ip: string; userAgent?: string; locale: Locale };

const interval = (seconds: SQL | number) => sql`make_interval(secs => ${seconds})`;

/**
 * The wait after an account's n-th failure in a row: none below maxFailures, then 1 s, 2 s, 4 s …
 * up to maxDelayMinutes (OWASP's growing lockout, so a guesser gets a handful of tries an hour).
 */
function accountDelay(count: SQL, policy: LoginPolicy) {
  return sql`CASE WHEN ${count} >= ${policy.maxFailures}
    THEN now() + ${interval(sql`least(power(2, least(${count} - ${policy.maxFailures}, 30)), ${policy.maxDelayMinutes * 60})`)}
    END`;
}

/**
 * Lets one attempt in for a key, counting it at once (so that a burst of parallel guesses cannot
 * slip past the limit while the password is being checked): the key's counter goes up and its lock
 * is set when the limit is reached. Returns the seconds to wait when the key is locked (nothing counted).
 */
async function admit(db: Db, kind: 'user' | 'ip', key: string, policy: LoginPolicy): Promise<number | null> {
  const window = interval(policy.windowMinutes * 60);
  const f = loginFailures;
  // An account forgets its failures a window after the last one or after its wait ended; an address
  // counts in fixed windows.
  const stale =
    kind === 'user'
      ? sql`coalesce(${f.lockedUntil}, ${f.lastFailureAt}) <= now() - ${window}`
      : sql`${f.windowStart} <= now() - ${window}`;
  const count = sql`CASE WHEN ${stale} THEN 1 ELSE ${f.count} + 1 END`;
  const lock = (n: SQL) =>
    kind === 'user'
      ? accountDelay(n, policy)
      : sql`CASE WHEN ${n} >= ${policy.ipMaxFailures} THEN (CASE WHEN ${stale} THEN now() ELSE ${f.windowStart} END) + ${window} END`;
  const first = sql`1`;
  const admitted = await db
    .insert(f)
    .values({
      key,
      count: 1,
      windowStart: sql`now()`,
      lastFailureAt: sql`now()`,
      lockedUntil:
        kind === 'user'
          ? accountDelay(first, policy)
          : sql`CASE WHEN 1 >= ${policy.ipMaxFailures} THEN now() + ${window} END`,
    })
    .onConflictDoUpdate({
      target: f.key,
      set: {
        count,
        windowStart: sql`CASE WHEN ${stale} THEN now() ELSE ${f.windowStart} END`,
        lastFailureAt: sql`now()`,
        lockedUntil: lock(count),
      },
      setWhere: sql`${f.lockedUntil} IS NULL OR ${f.lockedUntil} <= now()`,
    })
    .returning({ key: f.key });
  if (admitted.length > 0) return null;
  const [row] = await db
    .select({ wait: sql<number>`ceil(extract(epoch from ${f.lockedUntil} - now()))::int` })
    .from(f)
    .where(eq(f.key, key));
  return Math.max(1, row?.wait ?? 1);
}

function rateLimited(seconds: number, locale: Locale) {
  const wait =
    seconds < 60
      ? translate(locale, seconds === 1 ? 'time.second' : 'time.seconds', { n: seconds })
      : translate(locale, seconds <= 60 ? 'time.minute' : 'time.minutes', { n: Math.ceil(seconds / 60) });
  return new AppError(
    'LOGIN_RATE_LIMITED',
    { wait },
    { retryAfterSeconds: seconds, retryAfterMinutes: Math.ceil(seconds / 60) },
  );
}

/** Lets a sign-in attempt (a password or a second-factor code) in, counting it per address and per account. */
export async function admitSignIn(
  db: Db,
  attempt: { username: string; ip: string; locale: Locale },
  policy: LoginPolicy,
): Promise<void> {
  const ipWait = await admit(db, 'ip', `ip:${attempt.ip}`, policy);
  if (ipWait !== null) throw rateLimited(ipWait, attempt.locale);
  const userWait = await admit(db, 'user', `user:${attempt.username}`, policy);
  if (userWait !== null) throw rateLimited(userWait, attempt.locale);
}

/** A refused attempt: the account's wait starts from the failure, not from when the check began. */
export async function recordSignInFailure(db: Db, username: string, policy: LoginPolicy): Promise<void> {
  await db
    .update(loginFailures)
    .set({ lastFailureAt: sql`now()`, lockedUntil: accountDelay(sql`${loginFailures.count}`, policy) })
    .where(eq(loginFailures.key, `user:${username}`));
}

/**
 * Uncounts an attempt that succeeded without opening a session (a right password when a code is still
 * owed, a right code in one's settings); any wait already set stands.
 */
export async function uncountSignIn(db: Db, attempt: { username: string; ip: string }): Promise<void> {
  await db
    .update(loginFailures)
    .set({ count: sql`greatest(${loginFailures.count} - 1, 0)` })
    .where(inArray(loginFailures.key, [`user:${attempt.username}`, `ip:${attempt.ip}`]));
}

/**
 * Checks the password. Attempts are limited per account — by the name typed, so made-up names never
 * lock out a real account and a known name looks like an unknown one — with a growing wait, and per
 * address with a much higher ceiling (an office behind one address keeps working). The attempt stays
 * counted until a session opens (see openSession): a right password alone, when a second factor is
 * owed, does not clear the account's counter.
 */
export async function checkPassword(db: Db, input: LoginInput, policy: LoginPolicy): Promise<{ id: string }> {
  await admitSignIn(db, input, policy);
  const user = await getUserCredentials(db, input.username);
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);
  if (!user || !ok) {
    await recordSignInFailure(db, input.username, policy);
    throw new AppError('INVALID_CREDENTIALS');
  }
  if (!user.active) throw new AppError('ACCOUNT_DEACTIVATED');
  return { id: user.id };
}

/**
 * Opens a session after a complete sign-in: clears the account's counter and uncounts the successful
 * attempts (the password, and the code when there was one) from the address.
 */
export async function openSession(
  db: Db,
  signIn: { userId: string; username: string; ip: string; userAgent?: string },
  policy: LoginPolicy,
  attempts = 1,
) {
  const ipKey = `ip:${signIn.ip}`;
  await db.delete(loginFailures).where(eq(loginFailures.key, `user:${signIn.username}`));
  await db
    .update(loginFailures)
    .set({
      count: sql`greatest(${loginFailures.count} - ${attempts}, 0)`,
      lockedUntil: sql`CASE WHEN ${loginFailures.count} - ${attempts} >= ${policy.ipMaxFailures} THEN ${loginFailures.lockedUntil} END`,
    })
    .where(eq(loginFailures.key, ipKey));
  const token = randomToken();
  const csrfToken = randomToken();
  await db.insert(sessions).values({
    tokenHash: sha256(token),
    csrfToken,
    userId: signIn.userId,
    expiresAt: new Date(Date.now() + policy.sessionTtlHours * 3_600_000),
    ip: signIn.ip,
    userAgent: signIn.userAgent?.slice(0, 300),
  });
  await recordLogin(db, signIn.userId);
  // Expired sessions and forgotten failure counters are swept on sign-in; nothing else needs them gone.
  await db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
  await db
    .delete(loginFailures)
    .where(
      sql`greatest(${loginFailures.lastFailureAt}, ${loginFailures.lockedUntil}) < now() - ${interval(policy.windowMinutes * 60)}`,
    );
  return { token, csrfToken, userId: signIn.userId };
}

export type ResolvedSession = { actor: Actor; sessionId: string; csrfToken: string };

function sessionLookup(db: Db) {
  return actorThrough(db, {
    table: sessions,
    userId: sessions.userId,
    where: and(eq(sessions.tokenHash, sql.placeholder('tokenHash')), gt(sessions.expiresAt, sql.placeholder('now')))!,
    extra: { sessionId: sessions.id, csrfToken: sessions.csrfToken, lastSeenAt: sessions.lastSeenAt },
  }).prepare(''); // named by preparedOnce
}

/** The session behind a cookie value; slides its expiry at most once a minute. */
export async function resolveSession(db: Db, token: string, sessionTtlHours: number): Promise<ResolvedSession | null> {
  // Every request looks its session up: built once per database, planned once per connection.
  const [found] = await preparedOnce(db, 'session-lookup', () => sessionLookup(db)).execute({
    tokenHash: sha256(token),
    now: new Date(),
  });
  if (!found) return null;
  const { sessionId, csrfToken, lastSeenAt, ...actor } = found;
  if (Date.now() - lastSeenAt.getTime() > 60_000) {
    await db
      .update(sessions)
      .set({ lastSeenAt: new Date(), expiresAt: new Date(Date.now() + sessionTtlHours * 3_600_000) })
      .where(eq(sessions.id, sessionId));
  }
  return { actor, sessionId, csrfToken };
}

/** Whether a session still stands (not signed out, not expired, its user still active): long-lived connections re-check it. */
export async function sessionAlive(db: Db, sessionId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: sessions.id })
    .from(sessions)
    .innerJoin(users, and(eq(users.id, sessions.userId), eq(users.active, true)))
    .where(and(eq(sessions.id, sessionId), gt(sessions.expiresAt, new Date())));
  return Boolean(row);
}

/** What authenticated a request by API token, kept beside the actor it produced (see apiTokenOf). */
export type ApiTokenUse = { id: string; scope: ApiTokenScope };
const tokenUses = new WeakMap<Actor, ApiTokenUse>();

/** The API token a request's actor signed in with, or undefined for a session (or no) sign-in. */
export function apiTokenOf(actor: Actor | null): ApiTokenUse | undefined {
  return actor ? tokenUses.get(actor) : undefined;
}

function tokenLookup(db: Db) {
  return actorThrough(db, {
    table: apiTokens,
    userId: apiTokens.userId,
    where: and(
      eq(apiTokens.tokenHash, sql.placeholder('tokenHash')),
      isNull(apiTokens.revokedAt),
      or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql.placeholder('now'))),
    )!,
    extra: { tokenId: apiTokens.id, scope: apiTokens.scope, lastUsedAt: apiTokens.lastUsedAt },
  }).prepare(''); // named by preparedOnce
}

/** The actor behind a bearer token (one prepared query); records its last use at most once a minute. */
export async function resolveApiToken(db: Db, token: string): Promise<Actor | null> {
  const [found] = await preparedOnce(db, 'api-token-lookup', () => tokenLookup(db)).execute({
    tokenHash: sha256(token),
    now: new Date(),
  });
  if (!found) return null;
  const { tokenId, scope, lastUsedAt, ...actor } = found;
  if (!lastUsedAt || Date.now() - lastUsedAt.getTime() > 60_000) {
    await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, tokenId));
  }
  tokenUses.set(actor, { id: tokenId, scope });
  return actor;
}

export async function logout(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Ends a user's sessions (optionally all but one) and revokes their API tokens; returns how many tokens were revoked. */
export async function revokeCredentials(
  db: Db,
  userId: string,
  options: { keepSessionId?: string; keepTokens?: boolean } = {},
): Promise<number> {
  await db
    .delete(sessions)
    .where(
      and(eq(sessions.userId, userId), options.keepSessionId ? ne(sessions.id, options.keepSessionId) : undefined),
    );
  if (options.keepTokens) return 0;
  const revoked = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return revoked.length;
}
