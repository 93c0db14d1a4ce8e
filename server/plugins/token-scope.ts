import type { FastifyInstance } from 'fastify';
import { apiTokenOf } from '../domains/auth/auth.service';
import { AppError } from '../errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A read-only API token may only read: every other method is refused with 403 API_TOKEN_READ_ONLY,
 * before validation, whatever the route. Registered after the auth hook, which authenticates.
 */
export function registerTokenScope(app: FastifyInstance) {
  app.addHook('onRequest', async (request) => {
    if (apiTokenOf(request.actor)?.scope === 'read-only' && !SAFE_METHODS.has(request.method))
      throw new AppError('API_TOKEN_READ_ONLY');
  });
}
