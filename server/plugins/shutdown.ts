import type { FastifyInstance } from 'fastify';

/**
 * Graceful shutdown: once `app.close()` starts, new connections are refused (Fastify),
 * in-flight requests finish, and their keep-alive connections are closed as soon as they
 * go idle instead of lingering until the keep-alive timeout.
 */
export function registerGracefulShutdown(app: FastifyInstance) {
  let closing = false;
  let sweeper: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    closing = true;
    sweeper = setInterval(() => app.server.closeIdleConnections?.(), 50);
    sweeper.unref();
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onClose', async () => clearInterval(sweeper));
}
