import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { sessionAlive } from '../domains/auth/auth.service';
import { ChatLive } from '../domains/chat/live';
import type { Realtime } from '../realtime';

/** Close codes of the live channel when the caller may not have it (the upgrade itself succeeds and closes at once). */
export const LIVE_UNAUTHENTICATED = 4401;
export const LIVE_FOREIGN_ORIGIN = 4403;
export { LIVE_MALFORMED } from '../domains/chat/live';

/**
 * GET /api/v1/events — a WebSocket over which a signed-in browser hears what concerns it (for
 * now: "your notifications changed"). Authenticated by the session cookie like every request;
 * the Origin must be this site, so another site cannot open it with the user's cookie. Refusals
 * close the socket with a code (an HTTP error on an upgrade would leave the connection dangling).
 */
export async function registerLiveEvents(
  app: FastifyInstance,
  realtime: Realtime,
  options: { publicUrl: string | null; checkMs?: number },
) {
  const { publicUrl, checkMs = 30_000 } = options;
  const publicHost = publicUrl ? new URL(publicUrl).host : null;
  // Frames over LIVE_FRAME_MAX_BYTES are refused by the chat (4400); ws itself drops anything far bigger.
  await app.register(fastifyWebsocket, { options: { maxPayload: 16 * 1024 } });
  const chat = new ChatLive(app.db, realtime, app.log);
  app.addHook('onClose', async () => chat.close());
  app.get(
    '/api/v1/events',
    {
      websocket: true,
      config: { public: true },
      schema: {
        tags: ['notifications'],
        summary:
          'WebSocket: live events for the signed-in user ({"type":"notifications"} when their notifications change; the chat\'s chat.* events, common/schemas/chat.ts ChatLiveEvent) and the browser\'s typing and presence frames; closes with 4401 when not signed in, 4403 from another site, 4400 on a malformed frame',
      },
    },
    (socket, request) => {
      const actor = request.actor;
      if (!actor) return socket.close(LIVE_UNAUTHENTICATED, 'unauthenticated');
      const origin = request.headers.origin;
      // This site: the host the request came to, or PUBLIC_URL's (behind a proxy that rewrites Host).
      const from = origin ? hostOf(origin) : null;
      if (origin && from !== request.headers.host && from !== publicHost)
        return socket.close(LIVE_FOREIGN_ORIGIN, 'foreign origin');
      const unsubscribe = realtime.subscribe(actor.id, (event) => {
        if (event.type === 'notifications' && socket.readyState === socket.OPEN)
          socket.send(JSON.stringify({ type: event.type }));
      });
      const detach = chat.attach(actor, socket);
      // Keeps proxies from closing an idle connection, and ends the channel once its session ended
      // (signed out, expired, the user deactivated).
      const sessionId = request.session?.id;
      const ping = setInterval(() => {
        if (socket.readyState !== socket.OPEN) return;
        socket.ping();
        if (sessionId) {
          void sessionAlive(app.db, sessionId).then(
            (alive) => alive || socket.close(LIVE_UNAUTHENTICATED, 'session ended'),
            () => {},
          );
        }
      }, checkMs);
      ping.unref();
      socket.on('close', () => {
        clearInterval(ping);
        unsubscribe();
        detach();
      });
      socket.send(JSON.stringify({ type: 'hello' }));
    },
  );
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}
