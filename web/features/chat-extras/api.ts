import type { z } from 'zod';
import type {
  AnnouncementReceipts,
  ChatMentionItem,
  ChatMessage,
  ChatRecordType,
  ChatSearchResult,
  Conversation,
} from '../../../common/schemas/chat';
import { api, apiFile, toQueryString } from '../../api/client';

export type ChatSearchAnswer = z.infer<typeof ChatSearchResult>;
export type ChatMention = z.infer<typeof ChatMentionItem>;
export type Receipts = z.infer<typeof AnnouncementReceipts>;
/** An announcement 公告: a pinned message; `readByMe` when the server says whether I confirmed it. */
export type Announcement = ChatMessage & { readByMe?: boolean };

const CONVERSATIONS = '/api/v1/conversations';
const CHAT = '/api/v1/chat';

/** The announcements answer as a list, whether the server sends the list or `{ items }`. */
export function announcementList(
  answer: Announcement[] | { items: Announcement[] } | null | undefined,
): Announcement[] {
  if (!answer) return [];
  return Array.isArray(answer) ? answer : answer.items;
}

/**
 * The chat's extras (issue 18): a record's conversation, search, my mentions, announcements with read receipts,
 * export and save-as-article. Query keys start with `conversationsPath` or `chatPath` so the chat page's writes
 * refresh them.
 */
export const chatExtrasApi = {
  conversationsPath: CONVERSATIONS,
  chatPath: CHAT,
  /** The record's conversation, made on first use (404 when I cannot see the record). */
  recordConversation: (recordType: ChatRecordType, id: string) =>
    api<Conversation>(`${CONVERSATIONS}/record/${recordType}/${id}`, { method: 'PUT' }),
  search: (params: { q: string; conversationId?: string; page: number; pageSize: number }) =>
    api<ChatSearchAnswer>(`${CHAT}/search`, { query: params }),
  announcements: (conversationId: string) =>
    api<Announcement[] | { items: Announcement[] }>(`${CONVERSATIONS}/${conversationId}/announcements`).then(
      announcementList,
    ),
  confirmRead: (conversationId: string, messageId: string) =>
    api<unknown>(`${CONVERSATIONS}/${conversationId}/messages/${messageId}/receipt`, { method: 'PUT' }),
  receipts: (conversationId: string, messageId: string) =>
    api<Receipts>(`${CONVERSATIONS}/${conversationId}/messages/${messageId}/receipts`),
  pin: (conversationId: string, messageId: string) =>
    api<unknown>(`${CONVERSATIONS}/${conversationId}/messages/${messageId}/pin`, { method: 'POST' }),
  unpin: (conversationId: string, messageId: string) =>
    api<unknown>(`${CONVERSATIONS}/${conversationId}/messages/${messageId}/pin`, { method: 'DELETE' }),
  exportUrl: (conversationId: string, format: 'xlsx' | 'text') =>
    `${CONVERSATIONS}/${conversationId}/export${toQueryString({ format })}`,
  export: (conversationId: string, format: 'xlsx' | 'text') => apiFile(chatExtrasApi.exportUrl(conversationId, format)),
};
