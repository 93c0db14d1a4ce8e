import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { approvalsApi, notificationsApi, remindersApi, todayApi, workflowInstancesApi } from './resources';

/** Close codes the server uses when the live channel is not ours to have (see server/plugins/live.ts). */
const REFUSED = new Set([4401, 4403]);

/**
 * The live channel: a WebSocket to /api/v1/events that tells this browser when its notifications
 * changed (a lead assigned, a reminder going off, an approval reaching someone or ending — on whichever
 * instance it happened). Cached reads are refreshed then (the approvals inbox and its badge too); the
 * channel reconnects with backoff when the connection drops.
 */
export function useLiveEvents(enabled = true) {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    let socket: WebSocket | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let delay = 1_000;
    let stopped = false;
    const connect = () => {
      socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/events`);
      socket.onopen = () => {
        delay = 1_000;
      };
      socket.onmessage = (event) => {
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
        }
      };
      socket.onclose = (event) => {
        if (stopped || REFUSED.has(event.code)) return;
        retry = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30_000);
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      socket?.close();
    };
  }, [enabled, queryClient]);
}
