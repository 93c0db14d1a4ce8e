import type { FastifyInstance } from 'fastify';
import type { preValidationHookHandler } from 'fastify';
import {
  AdminApiToken,
  AdminApiTokenListQuery,
  ApiToken,
  ApiTokenCreate,
  ApiTokenCreated,
  ChangePassword,
  LoginBody,
  Me,
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
import { SESSION_COOKIE, login, logout, type LoginPolicy } from './auth.service';
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

  r.post(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Sign in; sets the session cookie',
        body: LoginBody,
        response: { 200: Me, ...errorResponses },
      },
    },
    async (request, reply) => {
      const session = await login(
        app.db,
        { ...request.body, ip: request.ip, userAgent: request.headers['user-agent'], locale: request.locale },
        policy,
      ).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'LOGIN_RATE_LIMITED')
          reply.header('retry-after', String((error.details as { retryAfterSeconds: number }).retryAfterSeconds));
        throw error;
      });
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
