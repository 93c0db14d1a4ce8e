import { randomBytes } from 'node:crypto';
import { and, count, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import { renderSVG } from 'uqr';
import type { Locale } from '../../../common/i18n';
import type { TwoFactorEnrolment, TwoFactorNeeded, TwoFactorStatus } from '../../../common/schemas/auth';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError } from '../../errors';
import { recordAudit, recordAudits } from '../audit/audit.service';
import { roles, users } from '../staff/staff.tables';
import { getUser } from '../staff/users.service';
import {
  admitSignIn,
  openSession,
  randomToken,
  recordSignInFailure,
  sha256,
  uncountSignIn,
  type LoginPolicy,
} from './auth.service';
import { loginChallenges, sessions, userRecoveryCodes } from './auth.tables';

export const TOTP_ISSUER = 'Gongdan 工单';
/** Wrong codes a challenge (or a pending enrolment) takes before it is dead. */
export const MAX_CHALLENGE_ATTEMPTS = 5;
const CHALLENGE_MINUTES = 10;
const RECOVERY_CODE_COUNT = 10;

function totpOf(secret: string, username: string) {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label: username,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(secret),
  });
}

const PERIOD_MS = 30_000;

/**
 * The 30-second step whose code this is, when it fits the secret now, a step before or a step after (clock
 * drift); null when it does not fit.
 */
function codeStep(secret: string, code: string, now = Date.now()): number | null {
  const delta = totpOf(secret, '').validate({ token: code, window: 1, timestamp: now });
  return delta === null ? null : Math.floor(now / PERIOD_MS) + delta;
}

/**
 * Accepts a code of the person's enrolled secret once (RFC 6238 §5.2): its step must be later than the last
 * step accepted, which it becomes — a code seen over a shoulder, or sent twice, does not work again.
 */
async function acceptCode(db: Db, userId: string, secret: string, code: string): Promise<boolean> {
  const step = codeStep(secret, code);
  if (step === null) return false;
  const taken = await db
    .update(users)
    .set({ totpLastStep: step })
    .where(
      and(
        eq(users.id, userId),
        eq(users.totpSecret, secret),
        or(isNull(users.totpLastStep), lt(users.totpLastStep, step)),
      ),
    )
    .returning({ id: users.id });
  return taken.length > 0;
}

function enrolmentOf(secret: string, username: string): TwoFactorEnrolment {
  const otpauthUri = totpOf(secret, username).toString();
  return { secret, otpauthUri, qrSvg: renderSVG(otpauthUri) };
}

const newSecret = () => new Secret({ size: 20 }).base32;

/** A recovery code as shown, `xxxxx-xxxxx` (hex); stored as the SHA-256 of its ten characters. */
function newRecoveryCode(): string {
  const hex = randomBytes(5).toString('hex');
  return `${hex.slice(0, 5)}-${hex.slice(5)}`;
}
const recoveryHash = (code: string) => sha256(code.toLowerCase().replace(/[\s-]+/g, ''));

async function replaceRecoveryCodes(db: Db, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId));
  await db.insert(userRecoveryCodes).values(codes.map((code) => ({ userId, codeHash: recoveryHash(code) })));
  return codes;
}

async function factorOf(db: Db, userId: string) {
  const [row] = await db
    .select({
      username: users.username,
      active: users.active,
      totpSecret: users.totpSecret,
      totpEnabledAt: users.totpEnabledAt,
      required: roles.requiresTwoFactor,
    })
    .from(users)
    .innerJoin(roles, eq(roles.id, users.roleId))
    .where(eq(users.id, userId));
  return row;
}

type SignIn = { ip: string; userAgent?: string; locale: Locale };

/**
 * After a right password: what second factor the person owes, as a challenge (no session), or null
 * when they owe none (not enrolled, and their role does not require it).
 */
export async function secondFactorOwed(db: Db, userId: string, signIn: SignIn): Promise<TwoFactorNeeded | null> {
  const factor = await factorOf(db, userId);
  if (!factor || (!factor.totpSecret && !factor.required)) return null;
  // The right password no longer counts against the account, but nothing is cleared until the code is right.
  await uncountSignIn(db, { username: factor.username, ip: signIn.ip });
  await db.delete(loginChallenges).where(lt(loginChallenges.expiresAt, new Date()));
  const challenge = randomToken();
  const pendingSecret = factor.totpSecret ? null : newSecret();
  await db.insert(loginChallenges).values({
    tokenHash: sha256(challenge),
    userId,
    purpose: pendingSecret ? 'enrol' : 'second-factor',
    pendingSecret,
    expiresAt: new Date(Date.now() + CHALLENGE_MINUTES * 60_000),
    ip: signIn.ip,
    userAgent: signIn.userAgent?.slice(0, 300),
  });
  if (!pendingSecret) return { twoFactor: 'code', challenge };
  return { twoFactor: 'enrol', challenge, ...enrolmentOf(pendingSecret, factor.username) };
}

const challengeGone = () => new AppError('LOGIN_CHALLENGE_EXPIRED');
const wrongCode = (attemptsLeft: number) => new AppError('TWO_FACTOR_CODE_INVALID', {}, { attemptsLeft });

/**
 * Counts one try on a live challenge (or pending enrolment) before checking it, so that parallel guesses
 * cannot pass the limit; returns the tries left after this one, or null when the challenge is dead.
 */
async function countAttempt(db: Db, id: string): Promise<number | null> {
  const [row] = await db
    .update(loginChallenges)
    .set({ attempts: sql`${loginChallenges.attempts} + 1` })
    .where(
      and(
        eq(loginChallenges.id, id),
        gt(loginChallenges.expiresAt, new Date()),
        lt(loginChallenges.attempts, MAX_CHALLENGE_ATTEMPTS),
      ),
    )
    .returning({ attempts: loginChallenges.attempts });
  return row ? MAX_CHALLENGE_ATTEMPTS - row.attempts : null;
}

/** A wrong code on a challenge: counted on the account's sign-in limit too; the fifth kills the challenge. */
async function refuse(db: Db, id: string, left: number, username: string, policy: LoginPolicy): Promise<never> {
  await recordSignInFailure(db, username, policy);
  if (left <= 0) await db.delete(loginChallenges).where(eq(loginChallenges.id, id));
  throw wrongCode(left);
}

/**
 * Finishes a half-done sign-in: a code (or, for a 'second-factor' challenge, an unused recovery code)
 * opens the session; for an 'enrol' challenge the code confirms the pending secret, which becomes the
 * person's, and ten recovery codes are made (shown once). A challenge opens at most one session.
 */
export async function completeTwoFactorLogin(
  db: Db,
  input: { challenge: string; code?: string; recoveryCode?: string },
  signIn: SignIn,
  policy: LoginPolicy,
): Promise<{ session: Awaited<ReturnType<typeof openSession>>; recoveryCodes?: string[] }> {
  const [challenge] = await db
    .select({
      id: loginChallenges.id,
      userId: loginChallenges.userId,
      purpose: loginChallenges.purpose,
      pendingSecret: loginChallenges.pendingSecret,
      username: users.username,
    })
    .from(loginChallenges)
    .innerJoin(users, eq(users.id, loginChallenges.userId))
    .where(and(eq(loginChallenges.tokenHash, sha256(input.challenge)), gt(loginChallenges.expiresAt, new Date())));
  if (!challenge) throw challengeGone();
  await admitSignIn(db, { username: challenge.username, ip: signIn.ip, locale: signIn.locale }, policy);
  const left = await countAttempt(db, challenge.id);
  if (left === null) throw challengeGone();
  const factor = await factorOf(db, challenge.userId);
  if (!factor?.active) throw new AppError('ACCOUNT_DEACTIVATED');

  let recoveryCodes: string[] | undefined;
  let enrolStep: number | null = null;
  if (challenge.purpose === 'enrol') {
    enrolStep =
      challenge.pendingSecret && input.code !== undefined ? codeStep(challenge.pendingSecret, input.code) : null;
    if (enrolStep === null) return refuse(db, challenge.id, left, challenge.username, policy);
  } else if (!factor.totpSecret) {
    // The factor was reset since the password was checked.
    throw challengeGone();
  } else if (input.code !== undefined) {
    if (!(await acceptCode(db, challenge.userId, factor.totpSecret, input.code)))
      return refuse(db, challenge.id, left, challenge.username, policy);
  } else {
    const [used] = await db
      .update(userRecoveryCodes)
      .set({ usedAt: new Date() })
      .where(
        and(
          eq(userRecoveryCodes.userId, challenge.userId),
          eq(userRecoveryCodes.codeHash, recoveryHash(input.recoveryCode ?? '')),
          isNull(userRecoveryCodes.usedAt),
        ),
      )
      .returning({ id: userRecoveryCodes.id });
    if (!used) return refuse(db, challenge.id, left, challenge.username, policy);
  }
  // Single use: whoever deletes the challenge opens the session.
  const taken = await db
    .delete(loginChallenges)
    .where(eq(loginChallenges.id, challenge.id))
    .returning({ id: loginChallenges.id });
  if (taken.length === 0) throw challengeGone();
  if (challenge.purpose === 'enrol') {
    const enrolled = await db
      .update(users)
      .set({ totpSecret: challenge.pendingSecret, totpEnabledAt: new Date(), totpLastStep: enrolStep })
      .where(and(eq(users.id, challenge.userId), isNull(users.totpSecret)))
      .returning({ id: users.id });
    if (enrolled.length === 0) throw challengeGone();
    recoveryCodes = await replaceRecoveryCodes(db, challenge.userId);
    await recordAudits(db, { actorId: challenge.userId, requestId: null }, [
      { action: 'enable-two-factor', entityType: 'user', entityId: challenge.userId, after: { atSignIn: true } },
    ]);
  }
  const session = await openSession(
    db,
    { userId: challenge.userId, username: challenge.username, ip: signIn.ip, userAgent: signIn.userAgent },
    policy,
  );
  return { session, recoveryCodes };
}

// ---------- signed-in self-service ----------

/** A signed-in enrolment waits on a challenge row tied to the session (a sign-in challenge token cannot name it). */
const enrolmentHash = (sessionId: string) => sha256(`enrol:${sessionId}`);

export async function twoFactorStatus(db: Db, userId: string): Promise<TwoFactorStatus> {
  const factor = await factorOf(db, userId);
  const [left] = await db
    .select({ n: count() })
    .from(userRecoveryCodes)
    .where(and(eq(userRecoveryCodes.userId, userId), isNull(userRecoveryCodes.usedAt)));
  return {
    enabled: Boolean(factor?.totpSecret),
    enabledAt: factor?.totpSecret ? (factor.totpEnabledAt?.toISOString() ?? null) : null,
    required: Boolean(factor?.required),
    recoveryCodesLeft: factor?.totpSecret ? left.n : 0,
  };
}

/** Starts enrolment: a new secret (and its QR code) waits, for this session, until a code confirms it. */
export async function startEnrolment(ctx: Ctx, sessionId: string): Promise<TwoFactorEnrolment> {
  const factor = await factorOf(ctx.db, ctx.actor.id);
  if (factor?.totpSecret) throw new AppError('TWO_FACTOR_ALREADY_ENROLLED');
  const secret = newSecret();
  const tokenHash = enrolmentHash(sessionId);
  await ctx.db.delete(loginChallenges).where(eq(loginChallenges.tokenHash, tokenHash));
  await ctx.db.insert(loginChallenges).values({
    tokenHash,
    userId: ctx.actor.id,
    purpose: 'enrol',
    pendingSecret: secret,
    expiresAt: new Date(Date.now() + CHALLENGE_MINUTES * 60_000),
  });
  return enrolmentOf(secret, ctx.actor.username);
}

/**
 * Checks a code against the person's enrolled secret (regenerating codes, turning it off), counted on
 * the sign-in limit of their account as sign-in codes are.
 */
async function proveCode(ctx: Ctx, code: string, locale: Locale, policy: LoginPolicy, ip: string) {
  const factor = await factorOf(ctx.db, ctx.actor.id);
  if (!factor?.totpSecret) throw new AppError('TWO_FACTOR_NOT_ENROLLED');
  await admitSignIn(ctx.db, { username: ctx.actor.username, ip, locale }, policy);
  if (!(await acceptCode(ctx.db, ctx.actor.id, factor.totpSecret, code))) {
    await recordSignInFailure(ctx.db, ctx.actor.username, policy);
    throw new AppError('TWO_FACTOR_CODE_INVALID');
  }
  await uncountSignIn(ctx.db, { username: ctx.actor.username, ip });
  return factor;
}

type Caller = { sessionId: string; ip: string; locale: Locale };

/** Confirms the pending enrolment with a code from the app: two-factor sign-in is on; ten recovery codes, shown once. */
export async function confirmEnrolment(
  ctx: Ctx,
  caller: Caller,
  code: string,
  policy: LoginPolicy,
): Promise<{ recoveryCodes: string[] }> {
  const [pending] = await ctx.db
    .select({ id: loginChallenges.id, secret: loginChallenges.pendingSecret })
    .from(loginChallenges)
    .where(
      and(
        eq(loginChallenges.tokenHash, enrolmentHash(caller.sessionId)),
        eq(loginChallenges.userId, ctx.actor.id),
        gt(loginChallenges.expiresAt, new Date()),
      ),
    );
  if (!pending?.secret) throw new AppError('TWO_FACTOR_ENROLMENT_NOT_STARTED');
  await admitSignIn(ctx.db, { username: ctx.actor.username, ip: caller.ip, locale: caller.locale }, policy);
  const left = await countAttempt(ctx.db, pending.id);
  if (left === null) throw new AppError('TWO_FACTOR_ENROLMENT_NOT_STARTED');
  const step = codeStep(pending.secret, code);
  if (step === null) {
    await recordSignInFailure(ctx.db, ctx.actor.username, policy);
    if (left <= 0) await ctx.db.delete(loginChallenges).where(eq(loginChallenges.id, pending.id));
    throw wrongCode(left);
  }
  await uncountSignIn(ctx.db, { username: ctx.actor.username, ip: caller.ip });
  return inTransaction(ctx, async (tx) => {
    const taken = await tx.db
      .delete(loginChallenges)
      .where(eq(loginChallenges.id, pending.id))
      .returning({ id: loginChallenges.id });
    if (taken.length === 0) throw new AppError('TWO_FACTOR_ENROLMENT_NOT_STARTED');
    const enrolled = await tx.db
      .update(users)
      .set({ totpSecret: pending.secret, totpEnabledAt: new Date(), totpLastStep: step })
      .where(and(eq(users.id, ctx.actor.id), isNull(users.totpSecret)))
      .returning({ id: users.id });
    if (enrolled.length === 0) throw new AppError('TWO_FACTOR_ALREADY_ENROLLED');
    const recoveryCodes = await replaceRecoveryCodes(tx.db, ctx.actor.id);
    await recordAudit(tx, { action: 'enable-two-factor', entityType: 'user', entityId: ctx.actor.id });
    return { recoveryCodes };
  });
}

/** New recovery codes (the old ones stop working), after a code from the app. */
export async function regenerateRecoveryCodes(
  ctx: Ctx,
  caller: Caller,
  code: string,
  policy: LoginPolicy,
): Promise<{ recoveryCodes: string[] }> {
  await proveCode(ctx, code, caller.locale, policy, caller.ip);
  return inTransaction(ctx, async (tx) => {
    const recoveryCodes = await replaceRecoveryCodes(tx.db, ctx.actor.id);
    await recordAudit(tx, { action: 'regenerate-recovery-codes', entityType: 'user', entityId: ctx.actor.id });
    return { recoveryCodes };
  });
}

async function clearFactor(db: Db, userId: string) {
  await db.update(users).set({ totpSecret: null, totpEnabledAt: null, totpLastStep: null }).where(eq(users.id, userId));
  await db.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId));
  await db.delete(loginChallenges).where(eq(loginChallenges.userId, userId));
}

/** Turns two-factor sign-in off after a code from the app; refused while the person's role requires it. */
export async function disableTwoFactor(ctx: Ctx, caller: Caller, code: string, policy: LoginPolicy): Promise<void> {
  const factor = await proveCode(ctx, code, caller.locale, policy, caller.ip);
  if (factor.required) throw new AppError('TWO_FACTOR_REQUIRED_BY_ROLE');
  await inTransaction(ctx, async (tx) => {
    await clearFactor(tx.db, ctx.actor.id);
    await recordAudit(tx, { action: 'disable-two-factor', entityType: 'user', entityId: ctx.actor.id });
  });
}

/**
 * An administrator resets a person's second factor (a lost phone): the secret, recovery codes and
 * half-done sign-ins go, and so do the person's sessions (API tokens stay). They sign in with their
 * password alone next time — or enrol again then, when their role requires it. Audited.
 */
export async function resetTwoFactor(ctx: Ctx, userId: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    await getUser(tx, userId);
    const factor = await factorOf(tx.db, userId);
    await clearFactor(tx.db, userId);
    const ended = await tx.db.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.id });
    await recordAudit(tx, {
      action: 'reset-two-factor',
      entityType: 'user',
      entityId: userId,
      before: { twoFactorEnabled: Boolean(factor?.totpSecret) },
      after: { twoFactorEnabled: false, sessionsEnded: ended.length },
    });
  });
}
