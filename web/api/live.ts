import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { ChatLiveEvent } from '../../common/schemas/chat';
import { chatChannel } from './chat-live';
import { approvalsApi, notificationsApi, remindersApi, todayApi, workflowInstancesApi } from './resources';

/** Close codes the server uses when the live channel is not ours to have (see server/plugins/live.ts). */
const REFUSED = new Set([4401, 4403]);
/** A hidden tab says "away" after this long; visible again, "online" at once. */
export const AWAY_AFTER_MS = 2 * 60_000;
/** The chat's cached reads (conversations, unread badges, mentions) refresh at most this often under a burst. */
const CHAT_REFRESH_MS = 300;

/** The chat's cached reads: every query whose key starts with a path under these. */
const CHAT_PATHS = ['/api/v1/conversations', '/api/v1/chat'];

function invalidateChat(queryClient: QueryClient) {
  return queryClient.invalidateQueries({
    predicate: (query) => {
      const head = query.queryKey[0];
      return typeof head === 'string' && CHAT_PATHS.some((path) => head.startsWith(path));
    },
  });
}

/**
 * The live channel: a WebSocket to /api/v1/events that tells this browser when its notifications
 * changed (a lead assigned, a reminder going off, an approval reaching someone or ending — on whichever
 * instance it happened) and carries the chat (chat.* events to web/api/chat-live.ts; typing and presence
 * frames back). Cached reads are refreshed then (the approvals inbox and its badge too; the chat's lists
 * and badges on a new message or a moved place); the channel reconnects with backoff when the connection
 * drops, and tells the chat so (it catches up on what it missed). A tab hidden for AWAY_AFTER_MS says it is away.
 */
export function useLiveEvents(enabled = true) {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    let socket: WebSocket | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let awayTimer: ReturnType<typeof setTimeout> | undefined;
    let refresh: ReturnType<typeof setTimeout> | undefined;
    let delay = 1_000;
    let stopped = false;
    let connectedBefore = false;
    let away = false;
    const send = (frame: object) => {
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
    };
    const refreshChat = () => {
      if (refresh) return;
      refresh = setTimeout(() => {
        refresh = undefined;
        void invalidateChat(queryClient);
      }, CHAT_REFRESH_MS);
    };
    const connect = () => {
      const opened = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/events`);
      socket = opened;
      opened.onopen = () => {
        delay = 1_000;
        chatChannel.setSender((frame) => {
          if (opened.readyState === WebSocket.OPEN) opened.send(JSON.stringify(frame));
        });
        // A new channel starts online: say away again when the tab is still hidden past the delay.
        if (away) send({ type: 'presence', state: 'away' });
        if (connectedBefore) {
          chatChannel.reconnected();
          refreshChat();
        }
        connectedBefore = true;
      };
      opened.onmessage = (event) => {
        const message = JSON.parse(String(event.data)) as { type: string };
        if (message.type === 'notifications') {
          for (const path of [
            notificationsApi.path,
            todayApi.path,
            remindersApi.path,
            approvalsApi.path,
            workflowInstancesApi.path,
          ])
            void queryClient.invalidateQueries({ queryKey: [path] });
        } else if (message.type.startsWith('chat.')) {
          const chat = message as ChatLiveEvent;
          chatChannel.emit(chat);
          if (chat.type === 'chat.message' || chat.type === 'chat.read') refreshChat();
        }
      };
      opened.onclose = (event) => {
        if (socket === opened) chatChannel.setSender(null);
        if (stopped || REFUSED.has(event.code)) return;
        retry = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30_000);
      };
    };
    const onVisibility = () => {
      clearTimeout(awayTimer);
      if (document.visibilityState === 'hidden') {
        awayTimer = setTimeout(() => {
          away = true;
          send({ type: 'presence', state: 'away' });
        }, AWAY_AFTER_MS);
      } else if (away) {
        away = false;
        send({ type: 'presence', state: 'online' });
      }
    };
    document.addEventListener('visibilitychange', onVisibility);
    if (document.visibilityState === 'hidden') onVisibility();
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(awayTimer);
      clearTimeout(refresh);
      document.removeEventListener('visibilitychange', onVisibility);
      chatChannel.setSender(null);
      socket?.close();
    };
  }, [enabled, queryClient]);
}
