import type { FastifyInstance } from 'fastify';

/** How often the warning may repeat, so that it is seen in a rotated log without flooding it. */
const REPEAT_MS = 3_600_000;

/**
 * Warns (at most once an hour) when requests carry X-Forwarded-For while TRUST_PROXY is off: behind a
 * reverse proxy every client then has the proxy's address, so per-address sign-in limits, session
 * addresses and HTTPS detection see one client for the whole firm.
 */
export function registerProxyWarning(app: FastifyInstance, options: { trustProxy: boolean }) {
  if (options.trustProxy) return;
  let lastWarned = -Infinity;
  app.addHook('onRequest', async (request) => {
    if (request.headers['x-forwarded-for'] === undefined) return;
    const now = Date.now();
    if (now - lastWarned < REPEAT_MS) return;
    lastWarned = now;
    request.log.warn(
      { remoteAddress: request.ip, forwardedFor: request.headers['x-forwarded-for'] },
      'Requests carry X-Forwarded-For but TRUST_PROXY is off: every client appears with the proxy address ' +
        `${request.ip}, so all users share its sign-in limit. Set TRUST_PROXY=true when Gongdan runs behind ` +
        'a reverse proxy (and only then).',
    );
  });
}
