import type { FastifyInstance } from 'fastify';
import type { FastifyReply, FastifyRequest, preValidationHookHandler } from 'fastify';
import {
  AdminApiToken,
  AdminApiTokenListQuery,
  ApiToken,
  ApiTokenCreate,
  ApiTokenCreated,
  ChangePassword,
  LoginAnswer,
  LoginBody,
  Me,
  RecoveryCodes,
  TwoFactorCodeBody,
  TwoFactorEnrolment,
  TwoFactorLoginAnswer,
  TwoFactorLoginBody,
  TwoFactorStatus,
  UpdateMe,
} from '../../../common/schemas/auth';
import { IdParams, Ok, pageOf } from '../../../common/schemas/common';
import { ctxOf } from '../../context';
import { AppError } from '../../errors';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { loadActor } from '../staff/actors';
import { changeOwnPassword, getOwnProfile, updateOwnProfile } from '../staff/users.service';
import {
  createApiToken,
  findAllApiTokens,
  findOwnApiTokens,
  revokeAnyApiToken,
  revokeApiToken,
} from './api-tokens.service';
import { SESSION_COOKIE, checkPassword, logout, openSession, type LoginPolicy } from './auth.service';
import {
  completeTwoFactorLogin,
  confirmEnrolment,
  disableTwoFactor,
  regenerateRecoveryCodes,
  secondFactorOwed,
  startEnrolment,
  twoFactorStatus,
} from './two-factor.service';
import type { Config } from '../../config';

/** Managing API tokens takes a signed-in browser session: a token cannot mint or revoke tokens (403). */
const requireSession: preValidationHookHandler = async (request) => {
  if (!request.actor) throw new AppError('UNAUTHENTICATED');
  if (!request.session) throw new AppError('SESSION_REQUIRED');
};

export function registerAuthRoutes(app: FastifyInstance, config: Config) {
  const r = typed(app);
  const policy: LoginPolicy = {
    maxFailures: config.loginMaxFailures,
    windowMinutes: config.loginWindowMinutes,
    maxDelayMinutes: config.loginMaxDelayMinutes,
    ipMaxFailures: config.loginIpMaxFailures,
    sessionTtlHours: config.sessionTtlHours,
  };
  const tags = ['auth'];

  async function presentMe(userId: string, grants: Me['grants'], csrfToken: string | null): Promise<Me> {
    return { user: await getOwnProfile(app.db, userId), grants, csrfToken };
  }

  /** A sign-in's 429 carries Retry-After. */
  const withRetryAfter = (reply: FastifyReply) => (error: unknown) => {
    if (error instanceof AppError && error.code === 'LOGIN_RATE_LIMITED')
      reply.header('retry-after', String((error.details as { retryAfterSeconds: number }).retryAfterSeconds));
    throw error;
  };

  /** Sets the session cookie of a complete sign-in and answers as /auth/me does. */
  async function signedIn(
    request: FastifyRequest,
    reply: FastifyReply,
    session: { token: string; csrfToken: string; userId: string },
  ) {
    const secure = config.cookieSecure === 'auto' ? request.protocol === 'https' : config.cookieSecure === 'true';
    reply.setCookie(SESSION_COOKIE, session.token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure,
      maxAge: config.sessionTtlHours * 3600,
    });
    const actor = (await loadActor(app.db, session.userId))!;
    return presentMe(session.userId, actor.grants, session.csrfToken);
  }

  r.post(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: {
        tags,
        summary:
          'Sign in; sets the session cookie — or, when a second factor is owed, answers { twoFactor, challenge } without one',
        body: LoginBody,
        response: { 200: LoginAnswer, ...errorResponses },
      },
    },
    async (request, reply) => {
      const signIn = { ip: request.ip, userAgent: request.headers['user-agent'], locale: request.locale };
      const user = await checkPassword(app.db, { ...request.body, ...signIn }, policy).catch(withRetryAfter(reply));
      const owed = await secondFactorOwed(app.db, user.id, signIn);
      if (owed) return owed;
      const session = await openSession(
        app.db,
        { userId: user.id, username: request.body.username, ...signIn },
        policy,
      );
      return signedIn(request, reply, session);
    },
  );

  r.post(
    '/api/v1/auth/login/two-factor',
    {
      config: { public: true },
      schema: {
        tags,
        summary:
          'Finish a sign-in with a code from the authenticator app (or a recovery code); enrolling, the answer carries ten recovery codes shown once',
        body: TwoFactorLoginBody,
        response: { 200: TwoFactorLoginAnswer, ...errorResponses },
      },
    },
    async (request, reply) => {
      const signIn = { ip: request.ip, userAgent: request.headers['user-agent'], locale: request.locale };
      const { session, recoveryCodes } = await completeTwoFactorLogin(app.db, request.body, signIn, policy).catch(
        withRetryAfter(reply),
      );
      const me = await signedIn(request, reply, session);
      return recoveryCodes ? { ...me, recoveryCodes } : me;
    },
  );

  const caller = (request: FastifyRequest) => ({
    sessionId: request.session!.id,
    ip: request.ip,
    locale: request.locale,
  });

  r.get(
    '/api/v1/auth/two-factor',
    {
      schema: { tags, summary: 'My two-factor sign-in', response: { 200: TwoFactorStatus, ...errorResponses } },
    },
    (request) => twoFactorStatus(app.db, request.actor!.id),
  );

  r.post(
    '/api/v1/auth/two-factor/enrol',
    {
      preValidation: requireSession,
      schema: {
        tags,
        summary: 'Start turning on two-factor sign-in: a new secret and its QR code, confirmed by a code',
        response: { 200: TwoFactorEnrolment, ...errorResponses },
      },
    },
    (request) => startEnrolment(ctxOf(request), request.session!.id),
  );

  r.post(
    '/api/v1/auth/two-factor/confirm',
    {
      preValidation: requireSession,
      schema: {
        tags,
        summary: 'Confirm the new secret with a code: two-factor sign-in is on; ten recovery codes, shown once',
        body: TwoFactorCodeBody,
        response: { 200: RecoveryCodes, ...errorResponses },
      },
    },
    (request) => confirmEnrolment(ctxOf(request), caller(request), request.body.code, policy),
  );

  r.post(
    '/api/v1/auth/two-factor/recovery-codes',
    {
      preValidation: requireSession,
      schema: {
        tags,
        summary: 'New recovery codes (the old ones stop working); needs a code',
        body: TwoFactorCodeBody,
        response: { 200: RecoveryCodes, ...errorResponses },
      },
    },
    (request) => regenerateRecoveryCodes(ctxOf(request), caller(request), request.body.code, policy),
  );

  r.post(
    '/api/v1/auth/two-factor/disable',
    {
      preValidation: requireSession,
      schema: {
        tags,
        summary: "Turn two-factor sign-in off; needs a code; refused while one's role requires it",
        body: TwoFactorCodeBody,
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (request) => {
      await disableTwoFactor(ctxOf(request), caller(request), request.body.code, policy);
      return { ok: true as const };
    },
  );

  r.post(
    '/api/v1/auth/logout',
    { schema: { tags, response: { 200: Ok, ...errorResponses } } },
    async (request, reply) => {
      if (request.session) await logout(app.db, request.session.id);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  );

  r.get('/api/v1/auth/me', { schema: { tags, response: { 200: Me, ...errorResponses } } }, async (request) => {
    const actor = request.actor!;
    return presentMe(actor.id, actor.grants, request.session?.csrfToken ?? null);
  });

  r.patch(
    '/api/v1/auth/me',
    {
      schema: {
        tags,
        summary: 'Change own language or display name',
        body: UpdateMe,
        response: { 200: Me, ...errorResponses },
      },
    },
    async (request) => {
      await updateOwnProfile(ctxOf(request), request.body);
      return presentMe(request.actor!.id, request.actor!.grants, request.session?.csrfToken ?? null);
    },
  );

  r.post(
    '/api/v1/auth/password',
    {
      schema: {
        tags,
        summary: 'Change own password; ends other sessions and revokes API tokens unless keepApiTokens',
        body: ChangePassword,
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (request) => {
      await changeOwnPassword(ctxOf(request), request.body.currentPassword, request.body.newPassword, {
        keepSessionId: request.session?.id,
        keepApiTokens: request.body.keepApiTokens,
      });
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/api-tokens',
    { schema: { tags, summary: 'My API tokens', response: { 200: ApiToken.array(), ...errorResponses } } },
    (request) => findOwnApiTokens(ctxOf(request)),
  );

  r.post(
    '/api/v1/api-tokens',
    {
      preValidation: requireSession,
      schema: {
        tags,
        summary: 'Create an API token (shown once); needs a signed-in session',
        body: ApiTokenCreate,
        response: { 201: ApiTokenCreated, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createApiToken(ctxOf(request), request.body);
    },
  );

  r.delete(
    '/api/v1/api-tokens/:id',
    {
      preValidation: requireSession,
      schema: { tags, summary: 'Revoke my API token', params: IdParams, response: { 200: Ok, ...errorResponses } },
    },
    async (request) => {
      await revokeApiToken(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );

  const manage = requirePermission('staff:manage');
  r.get(
    '/api/v1/admin/api-tokens',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: "Every user's API tokens (administrators)",
        querystring: AdminApiTokenListQuery,
        response: { 200: pageOf(AdminApiToken), ...errorResponses },
      },
    },
    (request) => findAllApiTokens(ctxOf(request), request.query),
  );

  r.delete(
    '/api/v1/admin/api-tokens/:id',
    {
      preValidation: [manage, requireSession],
      schema: {
        tags,
        summary: "Revoke anyone's API token (administrators; audited)",
        params: IdParams,
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (request) => {
      await revokeAnyApiToken(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );
}
