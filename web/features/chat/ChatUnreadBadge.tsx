import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge } from 'antd';
import { useEffect } from 'react';
import { onChatEvent, onChatReconnect } from '../../api/chat-live';
import { chatApi } from './api';

/**
 * Refreshes the chat's cached lists (my conversations, the unread counts) shortly after chat events: a burst of
 * messages is one refresh.
 */
export function useChatListsFollowLive() {
  const queryClient = useQueryClient();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        void queryClient.invalidateQueries({ queryKey: chatApi.keys.unread });
        void queryClient.invalidateQueries({ queryKey: chatApi.keys.conversations });
      }, 400);
    };
    const offEvent = onChatEvent((event) => {
      if (event.type === 'chat.message' || event.type === 'chat.read' || event.type === 'chat.changed') refresh();
    });
    const offReconnect = onChatReconnect(refresh);
    return () => {
      clearTimeout(timer);
      offEvent();
      offReconnect();
    };
  }, [queryClient]);
}

/** My unread messages and mentions over all my conversations (GET /chat/unread); nothing while it cannot be read. */
export function useChatUnread() {
  return useQuery({
    queryKey: chatApi.keys.unread,
    queryFn: chatApi.unread,
    retry: false,
    refetchInterval: 5 * 60_000,
    staleTime: 10_000,
  });
}

/** The count beside 团队协作 in the menu (red; nothing while none are unread). */
export function ChatUnreadBadge() {
  useChatListsFollowLive();
  const unread = useChatUnread().data;
  const count = unread?.unread ?? 0;
  return (
    <Badge
      count={count}
      size="small"
      overflowCount={99}
      style={{ marginInlineStart: 8 }}
      data-testid="chat-unread-badge"
      data-count={count}
      data-mentions={unread?.mentions ?? 0}
    />
  );
}
