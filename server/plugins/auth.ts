import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { negotiateLocale, type Locale } from '../../common/i18n';
import { API_TOKEN_PREFIX, SESSION_COOKIE, resolveApiToken, resolveSession } from '../domains/auth/auth.service';
import { AppError } from '../errors';
import type { Actor } from '../policy';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    locale: Locale;
    /** Set when the request is authenticated by the session cookie. */
    session: { id: string; csrfToken: string } | null;
  }
  interface FastifyContextConfig {
    /**
     * Routes reachable without signing in (login, health, docs, the web app, the calendar feed,
     * the live channel that closes itself). Set on the route (or by publicScope), never derived
     * from the address: only this decides whether the sign-in and CSRF checks apply.
     */
    public?: boolean;
  }
}

/**
 * Registers `plugin` in a scope whose every route is public (third-party plugins whose routes
 * cannot carry our config: the API docs, the static web app).
 */
export async function publicScope(app: FastifyInstance, plugin: FastifyPluginAsync) {
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true };
    });
    await plugin(scope, {});
  });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Authentication runs first on every request (before validation, so an anonymous caller
 * learns nothing about a route's schema): a bearer API token or the session cookie.
 * Cookie-authenticated writes must echo the session's CSRF token in `x-csrf-token`.
 */
export function registerAuth(app: FastifyInstance, options: { sessionTtlHours: number }) {
  app.decorateRequest('actor', null);
  app.decorateRequest('locale', 'zh-CN');
  app.decorateRequest('session', null);

  app.addHook('onRequest', async (request) => {
    request.locale = negotiateLocale(request.headers['accept-language']);
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) {
      const token = authorization.slice('Bearer '.length).trim();
      request.actor = token.startsWith(API_TOKEN_PREFIX) ? await resolveApiToken(app.db, token) : null;
    } else {
      const cookie = request.cookies[SESSION_COOKIE];
      const resolved = cookie ? await resolveSession(app.db, cookie, options.sessionTtlHours) : null;
      if (resolved) {
        request.actor = resolved.actor;
        request.session = { id: resolved.sessionId, csrfToken: resolved.csrfToken };
      }
    }
    if (request.actor) request.locale = request.actor.locale;

    // Decided by the route the router matched (however its address was spelled: percent-encoded
    // letters reach the same route), never by the URL text. An address matching no route goes to
    // the not-found handler, which serves nothing.
    if (request.routeOptions.config?.public === true || request.is404) return;
    if (!request.actor) throw new AppError('UNAUTHENTICATED');
    if (
      request.session &&
      !SAFE_METHODS.has(request.method) &&
      request.headers['x-csrf-token'] !== request.session.csrfToken
    ) {
      throw new AppError('CSRF_TOKEN_INVALID');
    }
  });
}
