import { and, eq, notInArray, sql } from 'drizzle-orm';
import type { z } from 'zod';
import {
  MESSAGE_EDIT_WINDOW_MINUTES,
  type ChatMessage,
  type MessageUpdate,
  type MessageVersion,
} from '../../../common/schemas/chat';
import { inTransaction, type Ctx } from '../../context';
import { rowsOf } from '../../db/client';
import { AppError, forbidden, notFound } from '../../errors';
import { isoText } from '../../lib/listing';
import { can } from '../../policy';
import { publishChat } from '../../realtime';
import { recordAudit } from '../audit/audit.service';
import { users } from '../staff/staff.tables';
import { chatMentions, chatMessages, chatMessageVersions, chatReactions, conversations } from './chat.tables';
import { readable, recipientsOf, type ConversationRow } from './conversations.service';
import { readMessages } from './message-reader';
import { keptMentions } from './messages.service';

/**
 * A message after it was posted: edited or deleted by its author within MESSAGE_EDIT_WINDOW_MINUTES (what it said
 * before kept in chat_message_versions and the audit log), deleted by chat:manage at any time (moderation), its
 * history read by its author and chat:manage, and reactions. Every change tells the conversation's people live
 * (`changed`: they re-read the message).
 */

type Found = { conversation: ConversationRow; message: typeof chatMessages.$inferSelect; withinWindow: boolean };

/**
 * The message in the conversation (locked when changing it). The conversation must be readable — except for
 * chat:manage when `moderate` (a moderator acts on any conversation, audited). 404 when not there.
 */
async function findMessage(
  ctx: Ctx,
  conversationId: string,
  messageId: string,
  options: { lock?: boolean; moderate?: boolean; deleted?: boolean } = {},
): Promise<Found> {
  const moderator = options.moderate === true && can(ctx.actor, 'chat:manage');
  let conversation: ConversationRow | undefined;
  if (moderator) [conversation] = await ctx.db.select().from(conversations).where(eq(conversations.id, conversationId));
  else conversation = await readable(ctx, conversationId);
  if (!conversation) throw notFound();
  const query = ctx.db
    .select({
      message: chatMessages,
      withinWindow: sql<boolean>`${chatMessages.createdAt} > now() - make_interval(mins => ${MESSAGE_EDIT_WINDOW_MINUTES})`,
    })
    .from(chatMessages)
    .where(and(eq(chatMessages.id, messageId), eq(chatMessages.conversationId, conversationId)));
  const [row] = options.lock ? await query.for('update') : await query;
  if (!row || (row.message.deletedAt && !options.deleted)) throw notFound();
  return { conversation, message: row.message, withinWindow: row.withinWindow };
}

/** The author may still change the message: theirs (403), the conversation open (409), within the window (409). */
function assertAuthorMayChange(ctx: Ctx, found: Found) {
  if (found.message.authorId !== ctx.actor.id) throw forbidden();
  if (found.conversation.archivedAt) throw new AppError('CONVERSATION_ARCHIVED');
  if (!found.withinWindow) throw new AppError('CHAT_EDIT_WINDOW_PASSED', { minutes: MESSAGE_EDIT_WINDOW_MINUTES });
}

/** Tells the conversation's people (and the actor's other tabs) that the message changed. */
async function announceChange(ctx: Ctx, conversation: ConversationRow, messageId: string) {
  const recipients = await recipientsOf(ctx.db, conversation);
  if (!recipients.includes(ctx.actor.id)) recipients.push(ctx.actor.id);
  await publishChat(ctx.db, recipients, { kind: 'changed', conversationId: conversation.id, messageId });
}

const readOne = async (ctx: Ctx, messageId: string): Promise<ChatMessage> =>
  (await readMessages(ctx.db, ctx.actor.id, sql`m.id = ${messageId}::uuid`))[0]!;

/**
 * The author edits the text (and its mentions, kept as on posting) within the window; the previous text is kept as
 * a version and in the audit log. Mentions dropped by the edit stop counting as unread; new ones count from now.
 */
export async function editMessage(
  ctx: Ctx,
  conversationId: string,
  messageId: string,
  input: z.infer<typeof MessageUpdate>,
): Promise<ChatMessage> {
  await inTransaction(ctx, async (tx) => {
    const found = await findMessage(tx, conversationId, messageId, { lock: true });
    assertAuthorMayChange(tx, found);
    const { conversation, message } = found;
    const recipients = await recipientsOf(tx.db, conversation);
    const mentions = await keptMentions(tx.db, conversation, recipients, input.mentions, ctx.actor.id);
    const sameMentions =
      mentions.length === message.mentions.length && mentions.every((id, i) => id === message.mentions[i]);
    if (input.body === message.body && sameMentions) return;
    await tx.db.insert(chatMessageVersions).values({ messageId, action: 'edit', body: message.body, by: ctx.actor.id });
    await tx.db
      .update(chatMessages)
      .set({ body: input.body, mentions, editedAt: sql`now()` })
      .where(eq(chatMessages.id, messageId));
    if (!message.mentionAll)
      await tx.db
        .delete(chatMentions)
        .where(
          and(
            eq(chatMentions.messageId, messageId),
            mentions.length ? notInArray(chatMentions.userId, mentions) : undefined,
          ),
        );
    if (mentions.length)
      await tx.db
        .insert(chatMentions)
        .values(mentions.map((userId) => ({ messageId, userId, conversationId, seq: message.seq })))
        .onConflictDoNothing();
    await recordAudit(tx, {
      action: 'update',
      entityType: 'chat-message',
      entityId: messageId,
      before: { conversationId, body: message.body, mentions: message.mentions },
      after: { conversationId, body: input.body, mentions },
    });
    await announceChange(tx, conversation, messageId);
  });
  return readOne(ctx, messageId);
}

/**
 * Deletes a message: by its author within the window, or by chat:manage at any time in any conversation
 * (moderation). It keeps its place (seq) with an empty body; what it said is kept as a version and in the audit
 * log; its mentions stop counting.
 */
export async function deleteMessage(ctx: Ctx, conversationId: string, messageId: string): Promise<ChatMessage> {
  await inTransaction(ctx, async (tx) => {
    const found = await findMessage(tx, conversationId, messageId, { lock: true, moderate: true });
    if (!can(ctx.actor, 'chat:manage')) assertAuthorMayChange(tx, found);
    const { conversation, message } = found;
    await tx.db
      .insert(chatMessageVersions)
      .values({ messageId, action: 'delete', body: message.body, by: ctx.actor.id });
    await tx.db
      .update(chatMessages)
      .set({ deletedAt: sql`now()`, deletedBy: ctx.actor.id })
      .where(eq(chatMessages.id, messageId));
    await tx.db.delete(chatMentions).where(eq(chatMentions.messageId, messageId));
    await recordAudit(tx, {
      action: 'delete',
      entityType: 'chat-message',
      entityId: messageId,
      before: {
        conversationId,
        seq: message.seq,
        authorId: message.authorId,
        body: message.body,
        fileIds: message.fileIds,
        moderated: message.authorId !== ctx.actor.id,
      },
    });
    await announceChange(tx, conversation, messageId);
  });
  return readOne(ctx, messageId);
}

/** What a message said before each edit and before its deletion, oldest first: for its author and chat:manage. */
export async function messageHistory(
  ctx: Ctx,
  conversationId: string,
  messageId: string,
): Promise<z.infer<typeof MessageVersion>[]> {
  const { message } = await findMessage(ctx, conversationId, messageId, { moderate: true, deleted: true });
  if (message.authorId !== ctx.actor.id && !can(ctx.actor, 'chat:manage')) throw forbidden();
  return rowsOf<z.infer<typeof MessageVersion>>(
    ctx.db,
    sql`SELECT v.action, v.body, ${isoText(sql`v.at`)} AS at, json_build_object('id', u.id, 'name', u.display_name) AS by
    FROM ${chatMessageVersions} v JOIN ${users} u ON u.id = v.by
    WHERE v.message_id = ${messageId}::uuid ORDER BY v.at, v.id`,
  );
}

/**
 * Gives (or takes back) a reaction: any reader of the conversation while it is open; repeating changes nothing
 * and tells nobody. Answers the message as the reader now sees it.
 */
export async function react(
  ctx: Ctx,
  conversationId: string,
  messageId: string,
  emoji: string,
  give: boolean,
): Promise<ChatMessage> {
  await inTransaction(ctx, async (tx) => {
    const { conversation } = await findMessage(tx, conversationId, messageId);
    if (conversation.archivedAt) throw new AppError('CONVERSATION_ARCHIVED');
    const changed = give
      ? await tx.db
          .insert(chatReactions)
          .values({ messageId, userId: ctx.actor.id, emoji })
          .onConflictDoNothing()
          .returning({ emoji: chatReactions.emoji })
      : await tx.db
          .delete(chatReactions)
          .where(
            and(
              eq(chatReactions.messageId, messageId),
              eq(chatReactions.userId, ctx.actor.id),
              eq(chatReactions.emoji, emoji),
            ),
          )
          .returning({ emoji: chatReactions.emoji });
    if (changed.length > 0) await announceChange(tx, conversation, messageId);
  });
  return readOne(ctx, messageId);
}
