import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { CHAT_RECORD_TYPES, CONVERSATION_KINDS, POST_POLICIES, type ChatLinkRef } from '../../../common/schemas/chat';
import { departments, users } from '../staff/staff.tables';

/**
 * A conversation 会话 (kinds in common/schemas/chat.ts). `lastSeq` is the seq of its newest message: a post takes
 * the next one by updating this row, which stays locked until the post commits — so a conversation's messages are
 * numbered 1, 2, 3… in commit order, which is also the order their live events go out.
 */
export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: CONVERSATION_KINDS }).notNull(),
    /** A group's title (department channels, records and direct conversations are titled by what they are about). */
    title: text('title'),
    departmentId: uuid('department_id').references(() => departments.id),
    recordType: text('record_type', { enum: CHAT_RECORD_TYPES }),
    recordId: uuid('record_id'),
    /** A direct conversation's two people, sorted, `a:b` (one conversation per pair). */
    directKey: text('direct_key'),
    postPolicy: text('post_policy', { enum: POST_POLICIES }).notNull().default('members'),
    lastSeq: integer('last_seq').notNull().default(0),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    archivedBy: uuid('archived_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid('created_by').references(() => users.id),
  },
  (t) => [
    uniqueIndex('conversations_department_key')
      .on(t.departmentId)
      .where(sql`kind = 'department'`),
    uniqueIndex('conversations_record_key')
      .on(t.recordType, t.recordId)
      .where(sql`kind = 'record'`),
    uniqueIndex('conversations_direct_key')
      .on(t.directKey)
      .where(sql`kind = 'direct'`),
  ],
);

/**
 * A person's membership and place in a conversation. For a department channel the rows only keep the reader's place
 * (made when first needed): who belongs is the department tree. `leftAt` set: no longer a member (a group left, a
 * record's team changed), the row kept for the place.
 */
export const conversationMembers = pgTable(
  'conversation_members',
  {
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role', { enum: ['owner', 'member'] })
      .notNull()
      .default('member'),
    /** The seq of the newest message the person has read here. */
    lastReadSeq: integer('last_read_seq').notNull().default(0),
    lastReadAt: timestamp('last_read_at', { withTimezone: true }),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
    leftAt: timestamp('left_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.userId] }), index('conversation_members_user_idx').on(t.userId)],
);

/**
 * A message. Its search vector (Chinese bigrams, as the knowledge base's) is a generated column added by the
 * migration and not declared here, so selecting a message never fetches it.
 */
export const chatMessages = pgTable(
  'chat_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id),
    body: text('body').notNull().default(''),
    /** People mentioned who were in the conversation when it was posted (others are dropped). */
    mentions: uuid('mentions')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    mentionAll: boolean('mention_all').notNull().default(false),
    links: jsonb('links')
      .$type<ChatLinkRef[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    /** Files (owner type `chat`, owner the conversation) in the order attached. */
    fileIds: uuid('file_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    /** A reply in the thread of this top-level message. */
    parentId: uuid('parent_id'),
    replyCount: integer('reply_count').notNull().default(0),
    lastReplyAt: timestamp('last_reply_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    editedAt: timestamp('edited_at', { withTimezone: true }),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    deletedBy: uuid('deleted_by').references(() => users.id),
    pinnedAt: timestamp('pinned_at', { withTimezone: true }),
    pinnedBy: uuid('pinned_by').references(() => users.id),
  },
  (t) => [
    uniqueIndex('chat_messages_seq_key').on(t.conversationId, t.seq),
    index('chat_messages_parent_idx')
      .on(t.parentId, t.seq)
      .where(sql`parent_id IS NOT NULL`),
    index('chat_messages_author_idx').on(t.authorId, t.createdAt),
    // The customer's timeline finds the messages linking a customer (links @> '[{"type":"customer","id":…}]').
    index('chat_messages_links_idx').using('gin', sql`${t.links} jsonb_path_ops`),
    index('chat_messages_pinned_idx')
      .on(t.conversationId)
      .where(sql`pinned_at IS NOT NULL`),
  ],
);

/** What a message said before each edit and before its deletion (the audit log's detail). */
export const chatMessageVersions = pgTable(
  'chat_message_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => chatMessages.id, { onDelete: 'cascade' }),
    action: text('action', { enum: ['edit', 'delete'] }).notNull(),
    body: text('body').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    by: uuid('by')
      .notNull()
      .references(() => users.id),
  },
  (t) => [index('chat_message_versions_message_idx').on(t.messageId)],
);

export const chatReactions = pgTable(
  'chat_reactions',
  {
    messageId: uuid('message_id')
      .notNull()
      .references(() => chatMessages.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    emoji: text('emoji').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.userId, t.emoji] })],
);

/**
 * Who a message mentioned (each person, @all expanded to the channel's members then), with its seq so "unread
 * mentions" is `seq > the member's lastReadSeq`; `emailedAt` once the e-mail digest told them.
 */
export const chatMentions = pgTable(
  'chat_mentions',
  {
    messageId: uuid('message_id')
      .notNull()
      .references(() => chatMessages.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    emailedAt: timestamp('emailed_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.userId] }), index('chat_mentions_user_idx').on(t.userId, t.createdAt)],
);

/** Read receipts — for announcements 公告 (pinned messages) only. */
export const chatAnnouncementReads = pgTable(
  'chat_announcement_reads',
  {
    messageId: uuid('message_id')
      .notNull()
      .references(() => chatMessages.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    readAt: timestamp('read_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.userId] })],
);
