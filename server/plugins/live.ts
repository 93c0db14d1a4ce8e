import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors';
import type { Realtime } from '../realtime';

/**
 * GET /api/v1/events — a WebSocket over which a signed-in browser hears what concerns it (for
 * now: "your notifications changed"). Authenticated like every request (session cookie); the
 * Origin must be this site, so another site cannot open it with the user's cookie.
 */
export async function registerLiveEvents(app: FastifyInstance, realtime: Realtime) {
  await app.register(fastifyWebsocket, { options: { maxPayload: 1024 } });
  app.get('/api/v1/events', {
    websocket: true,
    schema: { tags: ['notifications'], summary: 'WebSocket: live events for the signed-in user ({"type":"notifications"} when their notifications change)' },
    preValidation: async (request) => {
      const origin = request.headers.origin;
      if (origin && new URL(origin).host !== request.headers.host) throw new AppError('FORBIDDEN');
    },
  }, (socket, request) => {
    const actor = request.actor!;
    const unsubscribe = realtime.subscribe(actor.id, (event) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: event.type }));
    });
    // Keeps proxies from closing an idle connection.
    const ping = setInterval(() => socket.readyState === socket.OPEN && socket.ping(), 30_000);
    ping.unref();
    socket.on('close', () => {
      clearInterval(ping);
      unsubscribe();
    });
    socket.on('message', () => {
      /* the channel is one-way */
    });
    socket.send(JSON.stringify({ type: 'hello' }));
  });
}
