import type { z } from 'zod';
import type {
  AnnouncementReceipts,
  ChatCards,
  ChatLinkRef,
  ChatMentionItem,
  ChatMessage,
  ChatPerson,
  ChatSearchQuery,
  ChatSearchResult,
  ChatUnread,
  Conversation,
  ConversationCreate,
  ConversationItem,
  ConversationListQuery,
  ConversationMember,
  ConversationUpdate,
  MembersChange,
  MessageCreate,
  MessagesPage,
  MessagesQuery,
  MessageUpdate,
  MessageVersion,
  SaveAsArticle,
  SavedArticle,
  ChatRecordType,
} from '../../../common/schemas/chat';
import type { Attachment } from '../../../common/schemas/files';
import { api } from '../../api/client';
import type { ListParams } from '../../api/resources';

type Ok = { ok: true };
export type ChatPersonItem = z.infer<typeof ChatPerson>;
export type ChatMentionEntry = z.infer<typeof ChatMentionItem>;
/** A list answered as an array or as `{ items }`. */
const itemsOf = <T>(answer: T[] | { items: T[] }): T[] => (Array.isArray(answer) ? answer : answer.items);
/** A query's parameters as the browser sends them (every field optional, numbers as numbers). */
type Params<S extends z.ZodType> = ListParams<S>;

const path = '/api/v1/conversations';
const conversation = (id: string) => `${path}/${id}`;
const message = (id: string, messageId: string) => `${path}/${id}/messages/${messageId}`;

/** `type:id,type:id` — how /chat/cards takes the links it describes. */
export function linksParam(links: ChatLinkRef[]): string {
  return links.map((link) => `${link.type}:${link.id}`).join(',');
}

/**
 * The chat's routes (server/domains/chat/chat.routes.ts and its parts), typed with common/schemas/chat.ts — the chat
 * page and the record pages' 讨论 panel both use these.
 */
export const chatApi = {
  path,
  /** The query keys' roots: every cached read of the chat starts with one of these. */
  keys: {
    conversations: [path, 'list'] as const,
    conversation: (id: string) => [path, 'one', id] as const,
    members: (id: string) => [path, 'members', id] as const,
    unread: ['/api/v1/chat/unread'] as const,
    cards: ['/api/v1/chat/cards'] as const,
  },
  list: (params?: Params<typeof ConversationListQuery>) => api<ConversationItem[]>(path, { query: params }),
  get: (id: string) => api<Conversation>(conversation(id)),
  create: (body: ConversationCreate) => api<Conversation>(path, { method: 'POST', body }),
  update: (id: string, body: z.input<typeof ConversationUpdate>) =>
    api<Conversation>(conversation(id), { method: 'PATCH', body }),
  /** A record's conversation, made on first use (404 when the reader cannot see the record). */
  forRecord: (recordType: ChatRecordType, id: string) =>
    api<Conversation>(`${path}/record/${recordType}/${id}`, { method: 'PUT' }),
  members: (id: string) => api<ConversationMember[]>(`${conversation(id)}/members`),
  changeMembers: (id: string, body: z.input<typeof MembersChange>) =>
    api<ConversationMember[]>(`${conversation(id)}/members`, { method: 'POST', body }),
  join: (id: string) => api<Conversation>(`${conversation(id)}/join`, { method: 'POST' }),
  leave: (id: string) => api<Ok>(`${conversation(id)}/leave`, { method: 'POST' }),
  messages: (id: string, params?: Params<typeof MessagesQuery>) =>
    api<z.infer<typeof MessagesPage>>(`${conversation(id)}/messages`, { query: params }),
  post: (id: string, body: z.input<typeof MessageCreate>) =>
    api<ChatMessage>(`${conversation(id)}/messages`, { method: 'POST', body }),
  edit: (id: string, messageId: string, body: z.input<typeof MessageUpdate>) =>
    api<ChatMessage>(message(id, messageId), { method: 'PATCH', body }),
  remove: (id: string, messageId: string) => api<ChatMessage>(message(id, messageId), { method: 'DELETE' }),
  history: (id: string, messageId: string) =>
    api<z.infer<typeof MessageVersion>[]>(`${message(id, messageId)}/history`),
  react: (id: string, messageId: string, emoji: string) =>
    api<ChatMessage>(`${message(id, messageId)}/reactions`, { method: 'POST', body: { emoji } }),
  unreact: (id: string, messageId: string, emoji: string) =>
    api<ChatMessage>(`${message(id, messageId)}/reactions`, { method: 'DELETE', body: { emoji } }),
  receipts: (id: string, messageId: string) =>
    api<z.infer<typeof AnnouncementReceipts>>(`${message(id, messageId)}/receipts`),
  saveAsArticle: (id: string, messageId: string, body: z.input<typeof SaveAsArticle>) =>
    api<z.infer<typeof SavedArticle>>(`${message(id, messageId)}/save-as-article`, { method: 'POST', body }),
  /** Moves the reader's place forward (never back). */
  read: (id: string, seq: number) =>
    api<{ lastReadSeq: number }>(`${conversation(id)}/read`, { method: 'PUT', body: { seq } }),
  upload: (id: string, file: File) => {
    const body = new FormData();
    body.append('file', file);
    return api<Attachment>(`${conversation(id)}/files`, { method: 'POST', body });
  },
  fileUrl: (id: string, fileId: string) => `${conversation(id)}/files/${fileId}`,
  exportUrl: (id: string, format: 'xlsx' | 'text') => `${conversation(id)}/export?format=${format}`,
  cards: (links: ChatLinkRef[]) =>
    api<z.infer<typeof ChatCards>>('/api/v1/chat/cards', { query: { links: linksParam(links) } }),
  people: (q?: string) =>
    api<ChatPersonItem[] | { items: ChatPersonItem[] }>('/api/v1/chat/people', { query: { q } }).then(itemsOf),
  unread: () => api<z.infer<typeof ChatUnread>>('/api/v1/chat/unread'),
  mentions: () => api<ChatMentionEntry[] | { items: ChatMentionEntry[] }>('/api/v1/chat/mentions').then(itemsOf),
  search: (params: Params<typeof ChatSearchQuery>) =>
    api<z.infer<typeof ChatSearchResult>>('/api/v1/chat/search', { query: params }),
};
