import { and, eq, sql } from 'drizzle-orm';
import type { Announcement, AnnouncementReceipts, ChatMessage, ConversationKind } from '../../../common/schemas/chat';
import { inTransaction, type Ctx } from '../../context';
import { rowsOf, type Db } from '../../db/client';
import { AppError, forbidden, notFound } from '../../errors';
import { isoText } from '../../lib/listing';
import { publishChat } from '../../realtime';
import { recordAudit } from '../audit/audit.service';
import { departments, users } from '../staff/staff.tables';
import { manageableConversations, readableConversations } from './chat.policy';
import { chatAnnouncementReads, chatMessages, conversations } from './chat.tables';
import { readable, recipientsOf, type ConversationRow } from './conversations.service';
import { readMessages } from './message-reader';

/**
 * Announcements 公告 (issue 18, meetings and training updates): a message pinned in a conversation by those who
 * manage it (a department channel's manager, a group's owners, chat:manage …), with read receipts for announcements
 * only: each reader marks one read, the managers see who has read it and who not yet.
 */

/**
 * The conversation when the actor manages it: 404 when they may neither read nor manage it (whether it exists is not
 * told), 403 when they read it but do not manage it.
 */
async function managed(ctx: Ctx, conversationId: string): Promise<ConversationRow> {
  const [found] = await ctx.db
    .select({
      row: conversations,
      reads: sql<boolean>`${readableConversations(ctx.actor)}`,
      manages: sql<boolean>`${manageableConversations(ctx.actor)}`,
    })
    .from(conversations)
    .where(eq(conversations.id, conversationId));
  if (!found || (!found.reads && !found.manages)) throw notFound();
  if (!found.manages) throw forbidden();
  return found.row;
}

/** A message of the conversation (not deleted); 404 otherwise. */
async function messageIn(db: Db, conversationId: string, messageId: string) {
  const [message] = await db
    .select({ id: chatMessages.id, pinnedAt: chatMessages.pinnedAt, deletedAt: chatMessages.deletedAt })
    .from(chatMessages)
    .where(and(eq(chatMessages.id, messageId), eq(chatMessages.conversationId, conversationId)));
  if (!message || message.deletedAt) throw notFound();
  return message;
}

/**
 * Pins a message as an announcement (or unpins it): managers only, audited, the conversation's people told live to
 * re-read it. Pinning a pinned message (or unpinning one that is not) changes nothing.
 */
export async function setPinned(
  ctx: Ctx,
  conversationId: string,
  messageId: string,
  pinned: boolean,
): Promise<ChatMessage> {
  await inTransaction(ctx, async (tx) => {
    const conversation = await managed(tx, conversationId);
    const message = await messageIn(tx.db, conversationId, messageId);
    if ((message.pinnedAt !== null) === pinned) return;
    const [changed] = await tx.db
      .update(chatMessages)
      .set(pinned ? { pinnedAt: sql`now()`, pinnedBy: ctx.actor.id } : { pinnedAt: null, pinnedBy: null })
      .where(
        and(
          eq(chatMessages.id, messageId),
          pinned ? sql`${chatMessages.pinnedAt} IS NULL` : sql`${chatMessages.pinnedAt} IS NOT NULL`,
        ),
      )
      .returning({ id: chatMessages.id });
    // Someone else did the same meanwhile.
    if (!changed) return;
    await recordAudit(tx, {
      action: pinned ? 'publish' : 'revoke',
      entityType: 'chat-message',
      entityId: messageId,
      before: { announcement: !pinned },
      after: { announcement: pinned, conversationId },
    });
    const people = await recipientsOf(tx.db, conversation);
    if (!people.includes(ctx.actor.id)) people.push(ctx.actor.id);
    await publishChat(tx.db, people, { kind: 'changed', conversationId, messageId });
  });
  const [message] = await readMessages(ctx.db, ctx.actor.id, sql`m.id = ${messageId}::uuid`);
  return message!;
}

/** The conversation's announcements, newest pin first, each with whether I have read it. */
export async function listAnnouncements(ctx: Ctx, conversationId: string): Promise<Announcement[]> {
  await readable(ctx, conversationId);
  const items = await readMessages(
    ctx.db,
    ctx.actor.id,
    sql`m.conversation_id = ${conversationId}::uuid AND m.pinned_at IS NOT NULL AND m.deleted_at IS NULL`,
    sql`m.pinned_at DESC, m.id`,
  );
  if (items.length === 0) return [];
  const read = await ctx.db
    .select({ messageId: chatAnnouncementReads.messageId })
    .from(chatAnnouncementReads)
    .innerJoin(chatMessages, eq(chatMessages.id, chatAnnouncementReads.messageId))
    .where(
      and(
        eq(chatAnnouncementReads.userId, ctx.actor.id),
        eq(chatMessages.conversationId, conversationId),
        sql`${chatMessages.pinnedAt} IS NOT NULL`,
      ),
    );
  const mine = new Set(read.map((r) => r.messageId));
  return items.map((item) => ({ ...item, readByMe: mine.has(item.id) }));
}

/** Marks an announcement read by me (the first time counts; again changes nothing). Pinned messages only. */
export async function markAnnouncementRead(
  ctx: Ctx,
  conversationId: string,
  messageId: string,
): Promise<{ messageId: string; readAt: string }> {
  return inTransaction(ctx, async (tx) => {
    await readable(tx, conversationId);
    const message = await messageIn(tx.db, conversationId, messageId);
    if (!message.pinnedAt) throw new AppError('CHAT_NOT_AN_ANNOUNCEMENT');
    await tx.db
      .insert(chatAnnouncementReads)
      .values({ messageId, userId: ctx.actor.id })
      .onConflictDoNothing({ target: [chatAnnouncementReads.messageId, chatAnnouncementReads.userId] });
    const [row] = await tx.db
      .select({ readAt: isoText(chatAnnouncementReads.readAt) })
      .from(chatAnnouncementReads)
      .where(and(eq(chatAnnouncementReads.messageId, messageId), eq(chatAnnouncementReads.userId, ctx.actor.id)));
    return { messageId, readAt: row!.readAt };
  });
}

/**
 * Who of the conversation's people (a channel: the active people of its department and below; otherwise its active
 * members) has read an announcement — with when — and who not yet, by name. For those who manage the conversation.
 */
export async function announcementReceipts(
  ctx: Ctx,
  conversationId: string,
  messageId: string,
): Promise<AnnouncementReceipts> {
  const conversation = await managed(ctx, conversationId);
  const message = await messageIn(ctx.db, conversationId, messageId);
  if (!message.pinnedAt) throw new AppError('CHAT_NOT_AN_ANNOUNCEMENT');
  const rows = await rowsOf<{ id: string; name: string; at: string | null }>(
    ctx.db,
    sql`SELECT p.id, p.name, ${isoText(sql`r.read_at`)} AS at
      FROM (${peopleOf(conversation.kind, conversationId, conversation.departmentId)}) p
      LEFT JOIN ${chatAnnouncementReads} r ON r.message_id = ${messageId}::uuid AND r.user_id = p.id
      ORDER BY r.read_at NULLS LAST, p.name, p.id`,
  );
  return {
    read: rows.filter((r) => r.at !== null).map((r) => ({ id: r.id, name: r.name, at: r.at! })),
    unread: rows.filter((r) => r.at === null).map((r) => ({ id: r.id, name: r.name })),
  };
}

/** The conversation's people (id, name): a channel's department subtree, otherwise the members who have not left. */
function peopleOf(kind: ConversationKind, conversationId: string, departmentId: string | null) {
  return kind === 'department'
    ? sql`SELECT u.id, u.display_name AS name FROM ${users} u JOIN ${departments} d ON d.id = u.department_id
        WHERE u.active AND d.path LIKE (SELECT x.path FROM ${departments} x WHERE x.id = ${departmentId}::uuid) || '%'`
    : sql`SELECT u.id, u.display_name AS name FROM conversation_members cm JOIN ${users} u ON u.id = cm.user_id
        WHERE cm.conversation_id = ${conversationId}::uuid AND cm.left_at IS NULL AND u.active`;
}
