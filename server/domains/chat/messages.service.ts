import { and, eq, sql, type SQL } from 'drizzle-orm';
import {
  MESSAGE_RATE_LIMIT,
  type ChatMessage,
  type MessageCreate,
  type MessagesQuery,
} from '../../../common/schemas/chat';
import { inTransaction, type Ctx } from '../../context';
import { arrayParam, rowsOf, type Db } from '../../db/client';
import { AppError, rateLimited } from '../../errors';
import { WindowLimiter } from '../../lib/rate-limit';
import { can } from '../../policy';
import { publishChat } from '../../realtime';
import { loadActor } from '../staff/actors';
import { assertLinksVisible } from './cards.service';
import { myChannelDepartments, myMemberships, postableConversations, readableConversations } from './chat.policy';
import { chatMentions, chatMessages, conversationMembers, conversations } from './chat.tables';
import { readable, recipientsOf, type ConversationRow } from './conversations.service';
import { readMessages } from './message-reader';

/**
 * A posting allowance per person (MESSAGE_RATE_LIMIT), held in memory: each app instance makes its own
 * (registerChatRoutes decorates the app with it), so behind N instances one may post N × the limit.
 */
export function newPostLimiter(now: () => number = Date.now): WindowLimiter {
  return new WindowLimiter(MESSAGE_RATE_LIMIT.messages, MESSAGE_RATE_LIMIT.windowSeconds * 1000, now);
}

/**
 * A page of the conversation's top-level messages (or of a thread's replies) by seq: the newest (or those
 * `before` a seq), everything `after` a seq (catching up, oldest first), or a page `around` a seq.
 * 404 when the conversation is not readable (readableConversations). One statement in the common case: the page's
 * query carries the cheap branches of the policy (a group's or one-to-one's membership, a department channel's
 * departments — the same conditions as readableConversations for those kinds), so a page of such a conversation
 * comes back already checked. Only an empty page asks `readable()` (the whole policy): a 404, a conversation with
 * nothing here yet, or a record's conversation (its record policies are not in the page's query) whose page is
 * then read again, checked.
 */
export async function listMessages(
  ctx: Ctx,
  conversationId: string,
  query: MessagesQuery,
): Promise<{ items: ChatMessage[]; hasBefore: boolean; hasAfter: boolean }> {
  const cheap = can(ctx.actor, 'chat:use')
    ? sql`EXISTS (SELECT 1 FROM ${conversations} WHERE ${conversations.id} = ${conversationId}::uuid AND (
        (${conversations.kind} IN ('group', 'direct') AND ${conversations.id} = ANY(${myMemberships(ctx.actor)}))
        OR (${conversations.kind} = 'department' AND ${conversations.departmentId} = ANY(${myChannelDepartments(ctx.actor)}))))`
    : sql`false`;
  const first = await messagePage(ctx, conversationId, query, cheap);
  if (!first.empty) return first.page;
  const conversation = await readable(ctx, conversationId);
  if (conversation.kind !== 'record') return first.page;
  return (await messagePage(ctx, conversationId, query, sql`true`)).page;
}

/** The page of listMessages, its messages restricted by `check`; `empty` when no statement found any. */
async function messagePage(ctx: Ctx, conversationId: string, query: MessagesQuery, check: SQL) {
  const scope = query.parentId
    ? sql`m.conversation_id = ${conversationId}::uuid AND m.parent_id = ${query.parentId}::uuid`
    : sql`m.conversation_id = ${conversationId}::uuid AND m.parent_id IS NULL`;
  const read = (where: SQL, order: SQL, limit: number) =>
    readMessages(ctx.db, ctx.actor.id, sql`${scope} AND ${check} AND ${where}`, order, limit);
  const { limit } = query;
  if (query.after !== undefined) {
    const items = await read(sql`m.seq > ${query.after}`, sql`m.seq`, limit + 1);
    return {
      empty: items.length === 0,
      page: { items: items.slice(0, limit), hasBefore: query.after > 0, hasAfter: items.length > limit },
    };
  }
  if (query.around !== undefined) {
    const half = Math.floor(limit / 2);
    const older = await read(sql`m.seq < ${query.around}`, sql`m.seq DESC`, half + 1);
    const newer = await read(sql`m.seq >= ${query.around}`, sql`m.seq`, limit - half + 1);
    return {
      empty: older.length + newer.length === 0,
      page: {
        items: [...older.slice(0, half).reverse(), ...newer.slice(0, limit - half)],
        hasBefore: older.length > half,
        hasAfter: newer.length > limit - half,
      },
    };
  }
  const before = query.before ?? 2 ** 31 - 1;
  const items = await read(sql`m.seq < ${before}`, sql`m.seq DESC`, limit + 1);
  return {
    empty: items.length === 0,
    page: {
      items: items.slice(0, limit).reverse(),
      hasBefore: items.length > limit,
      hasAfter: query.before !== undefined,
    },
  };
}

/**
 * Posts a message: the conversation must be readable (404), not archived and open to the poster's posting; linked
 * records must be ones the poster sees (a validation error otherwise); the next seq is taken by updating the
 * conversation's row (locked until commit, so seqs follow commit order); files must be the poster's uploads to the
 * conversation not yet on a message; the poster's place moves to it; mentions are kept only for the people the
 * message reaches (keptMentions; the rest dropped silently); the recipients hear of it live once it commits.
 * `limiter`: the app instance's posting allowance (429 CHAT_RATE_LIMITED once spent, before anything is read).
 */
export async function postMessage(
  ctx: Ctx,
  conversationId: string,
  input: MessageCreate,
  limiter?: WindowLimiter,
): Promise<ChatMessage> {
  const wait = limiter?.take(ctx.actor.id) ?? 0;
  if (wait > 0) throw rateLimited('CHAT_RATE_LIMITED', wait);
  const id = await inTransaction(ctx, async (tx) => {
    const conversation = await postable(tx, conversationId);
    if (input.mentionAll && conversation.kind !== 'department') throw new AppError('CHAT_NOT_A_CHANNEL');
    await assertLinksVisible(tx, input.links);
    if (input.parentId) {
      const [parent] = await tx.db
        .select({ id: chatMessages.id })
        .from(chatMessages)
        .where(
          and(
            eq(chatMessages.id, input.parentId),
            eq(chatMessages.conversationId, conversationId),
            sql`${chatMessages.parentId} IS NULL`,
          ),
        );
      if (!parent) throw new AppError('CHAT_THREAD_NOT_FOUND');
    }
    const [next] = await tx.db
      .update(conversations)
      .set({ lastSeq: sql`${conversations.lastSeq} + 1`, lastMessageAt: sql`now()` })
      .where(eq(conversations.id, conversationId))
      .returning({ seq: conversations.lastSeq });
    const seq = next!.seq;
    const fileIds = await usableFiles(tx.db, conversationId, ctx.actor.id, input.fileIds);
    const recipients = await recipientsOf(tx.db, conversation);
    const mentions = await keptMentions(tx.db, conversation, recipients, input.mentions, ctx.actor.id);
    const reached = new Set(recipients);
    const [message] = await tx.db
      .insert(chatMessages)
      .values({
        conversationId,
        seq,
        authorId: ctx.actor.id,
        body: input.body,
        mentions,
        mentionAll: input.mentionAll,
        links: input.links,
        fileIds,
        parentId: input.parentId ?? null,
      })
      .returning({ id: chatMessages.id });
    if (input.parentId)
      await tx.db
        .update(chatMessages)
        .set({ replyCount: sql`${chatMessages.replyCount} + 1`, lastReplyAt: sql`now()` })
        .where(eq(chatMessages.id, input.parentId));
    const mentioned = input.mentionAll ? recipients.filter((userId) => userId !== ctx.actor.id) : mentions;
    if (mentioned.length > 0)
      await tx.db
        .insert(chatMentions)
        .values(mentioned.map((userId) => ({ messageId: message!.id, userId, conversationId, seq })));
    await tx.db
      .insert(conversationMembers)
      .values({ conversationId, userId: ctx.actor.id, lastReadSeq: seq, lastReadAt: sql`now()` })
      .onConflictDoUpdate({
        target: [conversationMembers.conversationId, conversationMembers.userId],
        set: {
          lastReadSeq: sql`greatest(${conversationMembers.lastReadSeq}, ${seq})`,
          lastReadAt: sql`now()`,
          leftAt: null,
        },
      });
    if (!reached.has(ctx.actor.id)) recipients.push(ctx.actor.id);
    await publishChat(tx.db, recipients, {
      kind: 'message',
      conversationId,
      messageId: message!.id,
      seq,
      ...(input.clientId ? { clientId: input.clientId } : {}),
    });
    return message!.id;
  });
  const [message] = await readMessages(ctx.db, ctx.actor.id, sql`m.id = ${id}::uuid`);
  return message!;
}

/** The conversation row when the actor may post there now: 404 unreadable, archived or not allowed by its policy. */
export async function postable(ctx: Ctx, conversationId: string): Promise<ConversationRow> {
  const conversation = await readable(ctx, conversationId);
  const [open] = await ctx.db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.id, conversationId), postableConversations(ctx.actor)));
  if (!open) throw new AppError(conversation.archivedAt ? 'CONVERSATION_ARCHIVED' : 'CHAT_POST_NOT_ALLOWED');
  return conversation;
}

/**
 * The files a new message may carry, in the order given: uploaded to this conversation by the author and on no
 * message yet (CHAT_FILE_NOT_USABLE otherwise). Called with the conversation's row locked, so two posts cannot
 * both take the same file.
 */
async function usableFiles(db: Db, conversationId: string, authorId: string, fileIds: string[]): Promise<string[]> {
  const ids = [...new Set(fileIds)];
  if (ids.length === 0) return [];
  const rows = await rowsOf<{ id: string }>(
    db,
    sql`SELECT f.id FROM files f
    WHERE f.id = ANY(${arrayParam(ids, 'uuid')}) AND f.owner_type = 'chat' AND f.owner_id = ${conversationId}::uuid
      AND f.created_by = ${authorId}::uuid
      AND NOT EXISTS (SELECT 1 FROM ${chatMessages} m WHERE m.conversation_id = ${conversationId}::uuid AND f.id = ANY(m.file_ids))`,
  );
  if (rows.length !== ids.length) throw new AppError('CHAT_FILE_NOT_USABLE');
  return ids;
}

/**
 * The mentions a message keeps: people the message reaches, not the author. In a record's conversation, whoever
 * may read it (sees the record) and is mentioned joins it — they are added to `recipients`. Anyone else is dropped
 * silently: not stored, not notified, nothing told.
 */
export async function keptMentions(
  db: Db,
  conversation: ConversationRow,
  recipients: string[],
  wanted: string[],
  authorId: string,
): Promise<string[]> {
  const reached = new Set(recipients);
  const kept: string[] = [];
  for (const userId of new Set(wanted)) {
    if (userId === authorId) continue;
    if (reached.has(userId)) {
      kept.push(userId);
      continue;
    }
    if (conversation.kind !== 'record') continue;
    const person = await loadActor(db, userId);
    if (!person) continue;
    const [sees] = await db
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(eq(conversations.id, conversation.id), readableConversations(person)));
    if (!sees) continue;
    await db
      .insert(conversationMembers)
      .values({ conversationId: conversation.id, userId })
      .onConflictDoUpdate({
        target: [conversationMembers.conversationId, conversationMembers.userId],
        set: { leftAt: null },
      });
    recipients.push(userId);
    reached.add(userId);
    kept.push(userId);
  }
  return kept;
}

/** Moves the reader's place forward to `seq` (never back, never past the last message); tells their other tabs. */
export async function markRead(ctx: Ctx, conversationId: string, seq: number): Promise<{ lastReadSeq: number }> {
  return inTransaction(ctx, async (tx) => {
    const conversation = await readable(tx, conversationId);
    const upTo = Math.min(seq, conversation.lastSeq);
    const [row] = await tx.db
      .insert(conversationMembers)
      .values({
        conversationId,
        userId: ctx.actor.id,
        lastReadSeq: upTo,
        lastReadAt: sql`now()`,
        // Reading a channel or a record's conversation does not make one a member of a record's conversation.
        leftAt: conversation.kind === 'record' ? sql`now()` : null,
      })
      .onConflictDoUpdate({
        target: [conversationMembers.conversationId, conversationMembers.userId],
        set: { lastReadSeq: sql`greatest(${conversationMembers.lastReadSeq}, ${upTo})`, lastReadAt: sql`now()` },
      })
      .returning({ lastReadSeq: conversationMembers.lastReadSeq });
    await publishChat(tx.db, [ctx.actor.id], { kind: 'read', conversationId, seq: row!.lastReadSeq });
    return { lastReadSeq: row!.lastReadSeq };
  });
}
