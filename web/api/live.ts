import { useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { ChatLiveEvent } from '../../common/schemas/chat';
import { chatChannel } from './chat-live';
import { approvalsApi, notificationsApi, remindersApi, todayApi, workflowInstancesApi } from './resources';

/** Close codes the server uses when the live channel is not ours to have (see server/plugins/live.ts). */
const REFUSED = new Set([4401, 4403]);
/** A hidden tab says "away" after this long; visible again, "online" at once. */
export const AWAY_AFTER_MS = 2 * 60_000;
/** The chat's cached reads (conversations, unread badges, mentions) refresh at most this often under a burst. */
export const CHAT_REFRESH_MS = 300;

/** The chat's cached reads: every query whose key starts with a path under these (see queries.ts: [path, …]). */
const CHAT_PATHS = ['/api/v1/conversations', '/api/v1/chat'];
export function isChatQuery(queryKey: QueryKey): boolean {
  const head = queryKey[0];
  return typeof head === 'string' && CHAT_PATHS.some((path) => head === path || head.startsWith(`${path}/`));
}

/** What the live channel needs of a WebSocket (the browser's; tests give a fake). */
export type LiveSocket = {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  send(data: string): void;
  close(): void;
};
const OPEN = 1;

export type LiveChannelOptions = {
  open: () => LiveSocket;
  /** The page's visibility (document). */
  page: Pick<Document, 'visibilityState' | 'addEventListener' | 'removeEventListener'>;
  /** Notifications changed: refresh their reads. */
  onNotifications: () => void;
  /** A new message or a moved place: refresh the chat's lists and badges (called at most every CHAT_REFRESH_MS). */
  refreshChat: () => void;
};

/**
 * The live channel's life, without React: opens the socket, hands chat.* events to the chat (web/api/chat-live.ts)
 * and notifications to `onNotifications`, lets the chat send frames while it is open, reconnects with backoff (1 s
 * doubling to 30 s) and tells the chat it came back (not on the first connection), says "away" once the page has
 * been hidden AWAY_AFTER_MS and "online" when it shows again. Returns the stop.
 */
export function startLiveChannel(options: LiveChannelOptions): () => void {
  const { page } = options;
  let socket: LiveSocket | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let awayTimer: ReturnType<typeof setTimeout> | undefined;
  let refresh: ReturnType<typeof setTimeout> | undefined;
  let delay = 1_000;
  let stopped = false;
  let connectedBefore = false;
  let away = false;
  const send = (frame: object) => {
    if (socket?.readyState === OPEN) socket.send(JSON.stringify(frame));
  };
  const refreshChat = () => {
    if (refresh) return;
    refresh = setTimeout(() => {
      refresh = undefined;
      options.refreshChat();
    }, CHAT_REFRESH_MS);
  };
  const connect = () => {
    const opened = options.open();
    socket = opened;
    opened.onopen = () => {
      delay = 1_000;
      chatChannel.setSender((frame) => {
        if (opened.readyState === OPEN) opened.send(JSON.stringify(frame));
      });
      // A new channel starts online on the server: say away again when the page is still hidden.
      if (away) send({ type: 'presence', state: 'away' });
      if (connectedBefore) {
        chatChannel.reconnected();
        refreshChat();
      }
      connectedBefore = true;
    };
    opened.onmessage = (event) => {
      let message: { type?: unknown };
      try {
        message = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (message.type === 'notifications') options.onNotifications();
      else if (typeof message.type === 'string' && message.type.startsWith('chat.')) {
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
    if (page.visibilityState === 'hidden') {
      awayTimer = setTimeout(() => {
        away = true;
        send({ type: 'presence', state: 'away' });
      }, AWAY_AFTER_MS);
    } else if (away) {
      away = false;
      send({ type: 'presence', state: 'online' });
    }
  };
  page.addEventListener('visibilitychange', onVisibility);
  if (page.visibilityState === 'hidden') onVisibility();
  connect();
  return () => {
    stopped = true;
    clearTimeout(retry);
    clearTimeout(awayTimer);
    clearTimeout(refresh);
    page.removeEventListener('visibilitychange', onVisibility);
    chatChannel.setSender(null);
    socket?.close();
  };
}

/**
 * The live channel: a WebSocket to /api/v1/events that tells this browser when its notifications
 * changed (a lead assigned, a reminder going off, an approval reaching someone or ending — on whichever
 * instance it happened) and carries the chat (startLiveChannel). Cached reads are refreshed then (the
 * approvals inbox and its badge too; the chat's conversations, unread badges and mentions on a new
 * message, a moved place or a reconnect).
 */
export function useLiveEvents(enabled = true) {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    return startLiveChannel({
      open: () =>
        new WebSocket(
          `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/events`,
        ) as LiveSocket,
      page: document,
      onNotifications: () => {
        for (const path of [
          notificationsApi.path,
          todayApi.path,
          remindersApi.path,
          approvalsApi.path,
          workflowInstancesApi.path,
        ])
          void queryClient.invalidateQueries({ queryKey: [path] });
      },
      refreshChat: () => void invalidateChat(queryClient),
    });
  }, [enabled, queryClient]);
}

/** The chat's reads, and Today (its digest of unread mentions). */
function invalidateChat(queryClient: QueryClient) {
  return queryClient.invalidateQueries({
    predicate: (query) => isChatQuery(query.queryKey) || query.queryKey[0] === todayApi.path,
  });
}
