import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, gt, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { ApiToken } from '../../../common/schemas/auth';
import type { Ctx } from '../../context';
import { preparedOnce, runNamed, type Db } from '../../db/client';
import { AppError, notFound } from '../../errors';
import type { Actor } from '../../policy';
import { actorThrough, getUserCredentials, recordLogin } from '../staff/actors';
import { dummyPasswordHash, verifyPassword } from './passwords';
import { apiTokens, loginFailures, sessions } from './auth.tables';
import { users } from '../staff/staff.tables';

export const SESSION_COOKIE = 'gd_session';
export const API_TOKEN_PREFIX = 'gdt_';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const randomToken = () => randomBytes(32).toString('base64url');

export type LoginPolicy = { maxFailures: number; windowMinutes: number; sessionTtlHours: number };
export type LoginInput = { username: string; password: string; ip: string; userAgent?: string };

function failureKeys(input: LoginInput) {
  return { user: `user:${input.username}`, ip: `ip:${input.ip}` };
}

/** Per-user limit as configured; per address four times that (an office shares one address). */
async function assertNotRateLimited(db: Db, input: LoginInput, policy: LoginPolicy) {
  const keys = failureKeys(input);
  const windowStart = new Date(Date.now() - policy.windowMinutes * 60_000);
  const rows = await db
    .select()
    .from(loginFailures)
    .where(and(inArray(loginFailures.key, [keys.user, keys.ip]), gt(loginFailures.windowStart, windowStart)));
  const limited = rows.some((r) => r.count >= (r.key === keys.user ? policy.maxFailures : policy.maxFailures * 4));
  if (limited)
    throw new AppError(
      'LOGIN_RATE_LIMITED',
      { minutes: policy.windowMinutes },
      { retryAfterMinutes: policy.windowMinutes },
    );
}

async function countFailure(db: Db, input: LoginInput, policy: LoginPolicy) {
  const windowStart = new Date(Date.now() - policy.windowMinutes * 60_000);
  for (const key of Object.values(failureKeys(input))) {
    await db
      .insert(loginFailures)
      .values({ key, count: 1, windowStart: new Date() })
      .onConflictDoUpdate({
        target: loginFailures.key,
        set: {
          count: sql`CASE WHEN ${loginFailures.windowStart} > ${windowStart} THEN ${loginFailures.count} + 1 ELSE 1 END`,
          windowStart: sql`CASE WHEN ${loginFailures.windowStart} > ${windowStart} THEN ${loginFailures.windowStart} ELSE now() END`,
        },
      });
  }
}

/** Checks the password and opens a session. Failures are counted per user and per address. */
export async function login(db: Db, input: LoginInput, policy: LoginPolicy) {
  await assertNotRateLimited(db, input, policy);
  const user = await getUserCredentials(db, input.username);
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);
  if (!user || !ok) {
    await countFailure(db, input, policy);
    throw new AppError('INVALID_CREDENTIALS');
  }
  if (!user.active) throw new AppError('ACCOUNT_DEACTIVATED');
  await db.delete(loginFailures).where(eq(loginFailures.key, failureKeys(input).user));
  const token = randomToken();
  const csrfToken = randomToken();
  await db.insert(sessions).values({
    tokenHash: sha256(token),
    csrfToken,
    userId: user.id,
    expiresAt: new Date(Date.now() + policy.sessionTtlHours * 3_600_000),
    ip: input.ip,
    userAgent: input.userAgent?.slice(0, 300),
  });
  await recordLogin(db, user.id);
  // Expired sessions are swept on sign-in; there is no other place that needs them gone.
  await db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
  return { token, csrfToken, userId: user.id };
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

export async function resolveApiToken(db: Db, token: string): Promise<Actor | null> {
  const [found] = await runNamed(
    actorThrough(db, {
      table: apiTokens,
      userId: apiTokens.userId,
      where: and(
        eq(apiTokens.tokenHash, sha256(token)),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, new Date())),
      )!,
      extra: { tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt },
    }),
  );
  if (!found) return null;
  const { tokenId, lastUsedAt, ...actor } = found;
  if (!lastUsedAt || Date.now() - lastUsedAt.getTime() > 60_000) {
    await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, tokenId));
  }
  return actor;
}

export async function logout(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Ends a user's sessions (optionally all but one) and revokes their API tokens. */
export async function revokeCredentials(
  db: Db,
  userId: string,
  options: { keepSessionId?: string; keepTokens?: boolean } = {},
) {
  await db
    .delete(sessions)
    .where(
      and(eq(sessions.userId, userId), options.keepSessionId ? ne(sessions.id, options.keepSessionId) : undefined),
    );
  if (!options.keepTokens) {
    await db
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)));
  }
}

function presentToken(row: typeof apiTokens.$inferSelect): ApiToken {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
  };
}

export async function findOwnApiTokens(ctx: Ctx): Promise<ApiToken[]> {
  const rows = await ctx.db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, ctx.actor.id), isNull(apiTokens.revokedAt)))
    .orderBy(desc(apiTokens.createdAt));
  return rows.map(presentToken);
}

/** The token is returned once; only its hash is kept. */
export async function createApiToken(ctx: Ctx, input: { name: string; expiresInDays?: number | null }) {
  const token = `${API_TOKEN_PREFIX}${randomToken()}`;
  const [row] = await ctx.db
    .insert(apiTokens)
    .values({
      userId: ctx.actor.id,
      name: input.name,
      prefix: token.slice(0, 10),
      tokenHash: sha256(token),
      expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
    })
    .returning();
  return { ...presentToken(row), token };
}

export async function revokeApiToken(ctx: Ctx, id: string): Promise<void> {
  const revoked = await ctx.db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, ctx.actor.id), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  if (revoked.length === 0) throw notFound();
}
