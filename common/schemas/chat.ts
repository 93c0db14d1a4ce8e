import { z } from 'zod';
import { CONTROL_CHARS, Id, Timestamp, text } from './common';
import { Attachment } from './files';

/**
 * Team chat 团队协作 (issue 18): conversations and their messages, the contract every part of the chat codes against
 * (server/domains/chat, web/features/chat*). Paths are under /api/v1.
 */

/**
 * Kinds of conversation:
 * - department — a channel per department (and team: a department below another), made for every department and
 *   kept in step with the tree: its title is the department's name, its members the active people of the department
 *   and below it, archived when the department is deactivated;
 * - record — one per opportunity, engagement or contract: readable by whoever sees the record, its members (who hear
 *   of new messages) the record's team plus whoever posted or joined;
 * - group — a titled group chat of chosen members; direct — one-to-one.
 */
export const CONVERSATION_KINDS = ['department', 'record', 'group', 'direct'] as const;
export type ConversationKind = (typeof CONVERSATION_KINDS)[number];

export const CHAT_RECORD_TYPES = ['opportunity', 'engagement', 'contract'] as const;
export type ChatRecordType = (typeof CHAT_RECORD_TYPES)[number];

/** Who may post: every member, or only the conversation's admins (its owners; a department's manager; chat:manage). */
export const POST_POLICIES = ['members', 'admins'] as const;
export type PostPolicy = (typeof POST_POLICIES)[number];

/** The records a message may link to (shown as cards with what the reader may see). */
export const CHAT_LINK_TYPES = ['customer', 'opportunity', 'engagement', 'contract', 'article'] as const;
export type ChatLinkType = (typeof CHAT_LINK_TYPES)[number];

/** Longest message (characters); longer is refused with a validation error, never cut. */
export const MESSAGE_MAX_CHARS = 10_000;
/** How long after posting the author may edit or delete a message. */
export const MESSAGE_EDIT_WINDOW_MINUTES = 15;
/** Posting allowance per person: this many messages per window (per app instance), then 429 CHAT_RATE_LIMITED. */
export const MESSAGE_RATE_LIMIT = { messages: 30, windowSeconds: 10 } as const;
/** Most files on one message; each within the files' MAX_FILE_BYTES. */
export const MESSAGE_MAX_FILES = 10;
/** Reactions one may give (a short set, not free text). */
export const CHAT_REACTIONS = ['👍', '❤️', '😄', '🎉', '👀', '✅'] as const;

const Person = z.object({ id: Id, name: z.string() });

/** A record a message links to, by id: the browser shows it as a card read from /chat/cards (what the reader sees). */
export const ChatLinkRef = z.object({ type: z.enum(CHAT_LINK_TYPES), id: Id });
export type ChatLinkRef = z.infer<typeof ChatLinkRef>;

/** A record card as the reader sees it: the title only when the reader may see the record. */
export const ChatLink = z.object({
  type: z.enum(CHAT_LINK_TYPES),
  id: Id,
  title: z.string().nullable(),
  /** A short line under the title (the customer, the stage, the status…) when available. */
  subtitle: z.string().nullable(),
  available: z.boolean(),
});
export type ChatLink = z.infer<typeof ChatLink>;

export const ChatReaction = z.object({
  emoji: z.string(),
  count: z.int(),
  /** Did the reader give it. */
  mine: z.boolean(),
  /** Who gave it (names, first 10). */
  names: z.array(z.string()),
});

/**
 * A message as a reader sees it. A deleted message keeps its place (seq) with `deleted: true` and an empty body;
 * its history stays for the audit log. Replies in a thread carry `parentId`; the conversation's timeline lists
 * only top-level messages with their reply count.
 */
export const ChatMessage = z.object({
  id: Id,
  conversationId: Id,
  /** The message's place in its conversation: 1, 2, 3… in commit order, never reused. */
  seq: z.int(),
  author: Person,
  body: z.string(),
  /** People mentioned (@姓名) who are in the conversation. */
  mentions: z.array(Person),
  mentionAll: z.boolean(),
  links: z.array(ChatLinkRef),
  files: z.array(Attachment),
  parentId: Id.nullable(),
  replyCount: z.int(),
  lastReplyAt: Timestamp.nullable(),
  reactions: z.array(ChatReaction),
  createdAt: Timestamp,
  editedAt: Timestamp.nullable(),
  deleted: z.boolean(),
  /** Pinned as an announcement 公告 (with read receipts). */
  pinnedAt: Timestamp.nullable(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** A conversation in the reader's list. `unread` stops counting at 100 (shown 99+). */
export const ConversationItem = z.object({
  id: Id,
  kind: z.enum(CONVERSATION_KINDS),
  /** The title in the reader's view: the department's name, the record's title, the group's title, the other person. */
  title: z.string(),
  recordType: z.enum(CHAT_RECORD_TYPES).nullable(),
  recordId: Id.nullable(),
  departmentId: Id.nullable(),
  archived: z.boolean(),
  lastSeq: z.int(),
  lastMessageAt: Timestamp.nullable(),
  /** The last top-level or reply message, one line (empty for a deleted one). */
  lastMessage: z.object({ author: z.string(), text: z.string(), deleted: z.boolean() }).nullable(),
  /** The reader's place: messages with a greater seq are new since they last read. */
  lastReadSeq: z.int(),
  unread: z.int(),
  /** Unread messages that mention the reader (or @all). */
  unreadMentions: z.int(),
  member: z.boolean(),
});
export type ConversationItem = z.infer<typeof ConversationItem>;

export const Conversation = ConversationItem.extend({
  postPolicy: z.enum(POST_POLICIES),
  /** May the reader post now (not archived, allowed by the post policy, still sees the record). */
  mayPost: z.boolean(),
  /** May the reader change it (title, members, archive): its owners, a department channel's manager, chat:manage. */
  mayManage: z.boolean(),
  memberCount: z.int(),
  /** The pinned announcements, newest first. */
  pinned: z.array(ChatMessage),
});
export type Conversation = z.infer<typeof Conversation>;

export const ConversationMember = z.object({
  id: Id,
  name: z.string(),
  role: z.enum(['owner', 'member']),
  /** Live presence over every instance (a tab open anywhere: online; every tab said away: away). */
  presence: z.enum(['online', 'away', 'offline']),
});
export type ConversationMember = z.infer<typeof ConversationMember>;

export const ConversationListQuery = z.strictObject({
  kind: z.enum(CONVERSATION_KINDS).optional(),
  q: z.string().trim().max(100).optional(),
  archived: z.enum(['true', 'false', 'all']).default('false'),
  /** Only those with unread messages. */
  unread: z.enum(['true']).optional(),
});
export type ConversationListQuery = z.infer<typeof ConversationListQuery>;

/** GET /chat/unread — the menu's badge: unread messages and mentions over the reader's conversations. */
export const ChatUnread = z.object({ unread: z.int(), mentions: z.int(), conversations: z.int() });

/** POST /conversations — a group chat (title and members) or a one-to-one conversation (the other person). */
export const ConversationCreate = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('group'), title: text(60), memberIds: z.array(Id).min(1).max(500) }),
  z.strictObject({ kind: z.literal('direct'), userId: Id }),
]);
export type ConversationCreate = z.infer<typeof ConversationCreate>;

export const ConversationUpdate = z.strictObject({
  title: text(60).optional(),
  postPolicy: z.enum(POST_POLICIES).optional(),
  archived: z.boolean().optional(),
});

/** PUT /conversations/record/:recordType/:id — the record's conversation, made on first use (readable by who sees it). */
export const RecordConversationParams = z.strictObject({ recordType: z.enum(CHAT_RECORD_TYPES), id: Id });

export const MembersChange = z.strictObject({
  add: z.array(Id).max(500).default([]),
  remove: z.array(Id).max(500).default([]),
});

/**
 * GET /conversations/:id/messages — top-level messages (or a thread's replies with `parentId`) by seq:
 * `before` the newest page before a seq (default: the newest), `after` everything after a seq in order (catching up
 * after a reconnect, up to `limit`), `around` a page centred on a seq (jump to a search hit).
 */
export const MessagesQuery = z.strictObject({
  before: z.coerce.number().int().min(1).optional(),
  after: z.coerce.number().int().min(0).optional(),
  around: z.coerce.number().int().min(1).optional(),
  parentId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type MessagesQuery = z.infer<typeof MessagesQuery>;

export const MessagesPage = z.object({
  items: z.array(ChatMessage),
  /** More messages exist before the first item / after the last one. */
  hasBefore: z.boolean(),
  hasAfter: z.boolean(),
});

const MessageBody = z
  .string()
  .trim()
  .max(MESSAGE_MAX_CHARS)
  .refine((value) => !CONTROL_CHARS.test(value), { message: 'validation.noControlChars' });

/**
 * POST /conversations/:id/messages. `mentions` are user ids the composer picked (@姓名 in the text); people not in
 * the conversation are dropped silently — not notified, nothing told. `mentionAll` (@所有人) only in a channel.
 * `fileIds` are files uploaded to the conversation by the author and not yet on a message. A body or a file is
 * needed. `clientId` (optional) is echoed on the live event so the sender's tab can match its pending message.
 */
export const MessageCreate = z
  .strictObject({
    body: MessageBody.default(''),
    mentions: z.array(Id).max(50).default([]),
    mentionAll: z.boolean().default(false),
    links: z
      .array(z.strictObject({ type: z.enum(CHAT_LINK_TYPES), id: Id }))
      .max(10)
      .default([]),
    fileIds: z.array(Id).max(MESSAGE_MAX_FILES).default([]),
    parentId: Id.optional(),
    clientId: z.string().max(64).optional(),
  })
  .refine((m) => m.body.length > 0 || m.fileIds.length > 0, { message: 'validation.required', path: ['body'] });
export type MessageCreate = z.infer<typeof MessageCreate>;

export const MessageParams = z.strictObject({ id: Id, messageId: Id });

/** PATCH /conversations/:id/messages/:messageId — the author within MESSAGE_EDIT_WINDOW_MINUTES. */
export const MessageUpdate = z.strictObject({
  body: MessageBody.pipe(z.string().min(1)),
  mentions: z.array(Id).max(50).default([]),
});

/** A message's history (edits and the deletion), for its author and chat:manage. */
export const MessageVersion = z.object({
  action: z.enum(['edit', 'delete']),
  body: z.string(),
  at: Timestamp,
  by: Person,
});

/** PUT /conversations/:id/read — the reader's place (never moves back). */
export const ReadMark = z.strictObject({ seq: z.int().min(0) });

/** POST/DELETE /conversations/:id/messages/:messageId/reactions */
export const ReactionInput = z.strictObject({ emoji: z.enum(CHAT_REACTIONS) });

/** GET /conversations/:id/messages/:messageId/receipts — who has read an announcement (its readers and not yet). */
export const AnnouncementReceipts = z.object({
  read: z.array(Person.extend({ at: Timestamp })),
  unread: z.array(Person),
});

/** GET /chat/search — messages I may read that contain the words (Chinese as the knowledge search). */
export const ChatSearchQuery = z.strictObject({
  q: z.string().trim().min(1).max(100),
  conversationId: Id.optional(),
  page: z.coerce.number().int().min(1).max(1000).default(1),
  pageSize: z.coerce.number().int().min(1).max(50).default(20),
});
export const ChatSearchHit = z.object({
  conversation: z.object({ id: Id, kind: z.enum(CONVERSATION_KINDS), title: z.string() }),
  messageId: Id,
  seq: z.int(),
  parentId: Id.nullable(),
  author: Person,
  createdAt: Timestamp,
  /** The text cut around the match, as segments (never HTML). */
  segments: z.array(z.object({ text: z.string(), hit: z.boolean() })),
});
export const ChatSearchResult = z.object({ items: z.array(ChatSearchHit), total: z.int() });

/** POST /conversations/:id/messages/:messageId/save-as-article — a good answer becomes a Q&A 问答 article. */
export const SaveAsArticle = z.strictObject({
  title: text(200),
  /** The question (defaults to the message replied to, or empty). */
  question: z.string().trim().max(10_000).optional(),
});
export const SavedArticle = z.object({ articleId: Id });

/** GET /chat/mentions — my unread mentions, newest first (Today's digest). */
export const ChatMentionItem = z.object({
  conversation: z.object({ id: Id, kind: z.enum(CONVERSATION_KINDS), title: z.string() }),
  messageId: Id,
  seq: z.int(),
  author: Person,
  text: z.string(),
  createdAt: Timestamp,
});

/** GET /conversations/:id/export?format=xlsx|text — chat:manage, audited. */
export const ChatExportQuery = z.strictObject({ format: z.enum(['xlsx', 'text']).default('xlsx') });

/**
 * What the live channel (/api/v1/events) carries for the chat, server → browser:
 * - chat.message: a new message, as every member sees it (its links by id: cards come from /chat/cards);
 * - chat.changed: a message edited, deleted, reacted to, pinned or a reply added: re-read it;
 * - chat.read: the reader's place moved (another tab);
 * - chat.typing: someone is typing in a conversation (for ~5 s);
 * - chat.presence: someone's presence changed.
 * Browser → server: {type: 'typing', conversationId} and {type: 'presence', state: 'online' | 'away'}; anything
 * else — or anything malformed — closes the socket with 4400.
 */
export type ChatLiveEvent =
  | { type: 'chat.message'; conversationId: string; seq: number; message: ChatMessage; clientId?: string }
  | { type: 'chat.changed'; conversationId: string; messageId: string }
  | { type: 'chat.read'; conversationId: string; seq: number }
  | { type: 'chat.typing'; conversationId: string; user: { id: string; name: string } }
  | { type: 'chat.presence'; userId: string; state: 'online' | 'away' | 'offline' };

/** GET /chat/cards?links=type:id,… — record cards for links, each as the reader may see it. */
export const ChatCardsQuery = z.strictObject({ links: z.string().max(2000) });
export const ChatCards = z.object({ items: z.array(ChatLink) });

/** GET /chat/people?q= — active colleagues by name (pinyin too), for starting a conversation or adding members. */
export const ChatPeopleQuery = z.strictObject({ q: z.string().trim().max(50).optional() });
export const ChatPerson = z.object({ id: Id, name: z.string(), department: z.string().nullable() });

/* ---------------------------------------------------------------------------------------------------------------
 * Catching up and announcements 公告 (issue 18, part "chat-catchup"): the unread badge, my unread mentions (Today's
 * digest and the e-mail digest), announcements with read receipts.
 * ------------------------------------------------------------------------------------------------------------- */

/** GET /chat/mentions: at most this many, newest first. */
export const CHAT_MENTIONS_LIMIT = 20;
/** Today's digest of unread mentions shows the first this many (and the count of all). */
export const TODAY_MENTIONS_SHOWN = 5;
/** A mention still unread this many minutes after it was made goes out in the e-mail digest (once). */
export const CHAT_DIGEST_AFTER_MINUTES = 15;
/** Mentions older than this are no longer e-mailed (a digest switched on later does not send old news). */
export const CHAT_DIGEST_LOOKBACK_HOURS = 48;

export type ChatUnread = z.infer<typeof ChatUnread>;
export type ChatMentionItem = z.infer<typeof ChatMentionItem>;

/** Today's digest of my unread mentions: how many, and the newest TODAY_MENTIONS_SHOWN. */
export const ChatMentionsDigest = z.object({ count: z.int(), items: z.array(ChatMentionItem) });
export type ChatMentionsDigest = z.infer<typeof ChatMentionsDigest>;

/** GET /conversations/:id/announcements — the pinned messages, newest pin first, with whether I have read each. */
export const Announcement = ChatMessage.extend({
  /** I marked it read (PUT …/messages/:messageId/receipt). */
  readByMe: z.boolean(),
});
export type Announcement = z.infer<typeof Announcement>;

/** PUT /conversations/:id/messages/:messageId/receipt — my read receipt (the first time I read it). */
export const AnnouncementReceipt = z.object({ messageId: Id, readAt: Timestamp });
export type AnnouncementReceipts = z.infer<typeof AnnouncementReceipts>;

// ---- Real time (chat-live): the browser's frames on the live channel, as the server checks them.

/** Largest frame a browser may send on the live channel (bytes); bigger closes it with 4400. */
export const LIVE_FRAME_MAX_BYTES = 1024;

/** A frame browser → server: "I am typing in this conversation", or my presence. Anything else closes with 4400. */
export const ChatLiveFrame = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('typing'), conversationId: Id }),
  z.strictObject({ type: z.literal('presence'), state: z.enum(['online', 'away']) }),
]);
export type ChatLiveFrame = z.infer<typeof ChatLiveFrame>;
