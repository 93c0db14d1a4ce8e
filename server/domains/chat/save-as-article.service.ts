import { sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { SaveAsArticle } from '../../../common/schemas/chat';
import type { KnowledgeLinkInput } from '../../../common/schemas/knowledge';
import { inTransaction, type Ctx } from '../../context';
import { rowsOf } from '../../db/client';
import { AppError, notFound } from '../../errors';
import { say, type Label } from '../../lib/label';
import { insertArticle, type NewArticle } from '../knowledge/articles.service';
import { conversationItems, readable, type ConversationRow } from './conversations.service';
import { firmDateTime } from './export.service';

/**
 * A good answer becomes a Q&A 问答 (issue 18, item 5): a reader of the conversation with knowledge:write saves a
 * message as a knowledge article of kind `qa`, written by the knowledge base's one writer (insertArticle: version 1,
 * links, audit). Its body is the question (given, or by default the message it replies to; none for a top-level
 * message), the answer (the message) and a line naming the conversation, the author and when it was said.
 *
 * Who reads the article — never more people than could read the conversation, as far as the knowledge base can say
 * it (the saver can widen it afterwards in the knowledge base, deliberately):
 * - an opportunity's or an engagement's conversation: `linked` to that record — exactly who sees the record, i.e.
 *   who reads its conversation;
 * - a department channel: `department`, that department (its people and those below: the channel's readers);
 * - a contract's conversation (the knowledge base cannot link a contract), a group and a one-to-one conversation:
 *   `department`, the saver's own department — the narrowest reach the knowledge base has besides a link; a saver
 *   without a department is refused (CHAT_SAVE_NEEDS_DEPARTMENT) rather than shown firm-wide.
 */

type SaveInput = z.output<typeof SaveAsArticle>;

const L = {
  question: { zh: '问', en: 'Question' },
  answer: { zh: '答', en: 'Answer' },
  source: {
    zh: '摘自会话「{conversation}」，{author} 于 {at} 发言。',
    en: 'From the conversation “{conversation}”: {author}, {at}.',
  },
  note: { zh: '由会话消息保存', en: 'Saved from a chat message' },
} satisfies Record<string, Label>;

type MessageRow = {
  body: string;
  authorName: string;
  createdAt: Date | string;
  parentBody: string | null;
};

/** The reach of an article saved from this conversation (see above). */
function reachOf(
  ctx: Ctx,
  conversation: ConversationRow,
  channelDepartmentActive: boolean,
): Pick<NewArticle, 'visibility' | 'departmentId' | 'links'> {
  if (
    conversation.kind === 'record' &&
    conversation.recordId &&
    (conversation.recordType === 'opportunity' || conversation.recordType === 'engagement')
  ) {
    const link: KnowledgeLinkInput = { type: conversation.recordType, id: conversation.recordId };
    return { visibility: 'linked', departmentId: undefined, links: [link] };
  }
  if (conversation.kind === 'department' && conversation.departmentId && channelDepartmentActive)
    return { visibility: 'department', departmentId: conversation.departmentId, links: [] };
  if (!ctx.actor.departmentId) throw new AppError('CHAT_SAVE_NEEDS_DEPARTMENT');
  return { visibility: 'department', departmentId: ctx.actor.departmentId, links: [] };
}

/** POST /conversations/:id/messages/:messageId/save-as-article — 404 unless the reader reads the message. */
export async function saveAsArticle(
  ctx: Ctx,
  conversationId: string,
  messageId: string,
  input: SaveInput,
): Promise<{ articleId: string }> {
  return inTransaction(ctx, async (tx) => {
    const conversation = await readable(tx, conversationId);
    const [message] = await rowsOf<MessageRow>(
      tx.db,
      sql`SELECT m.body, u.display_name AS "authorName", m.created_at AS "createdAt",
        CASE WHEN p.deleted_at IS NULL THEN p.body END AS "parentBody"
      FROM chat_messages m JOIN users u ON u.id = m.author_id
      LEFT JOIN chat_messages p ON p.id = m.parent_id
      WHERE m.id = ${messageId}::uuid AND m.conversation_id = ${conversationId}::uuid AND m.deleted_at IS NULL`,
    );
    // A deleted message has nothing left to save: as unknown.
    if (!message) throw notFound();
    const [active] = await rowsOf<{ active: boolean }>(
      tx.db,
      sql`SELECT active FROM departments WHERE id = ${conversation.departmentId}::uuid`,
    );
    const [item] = await conversationItems(tx, sql`c.id = ${conversationId}::uuid`, 1);
    const locale = ctx.actor.locale;
    const question = (input.question ?? message.parentBody ?? '').trim();
    const source = say(L.source, locale, {
      conversation: item?.title ?? '',
      author: message.authorName,
      at: firmDateTime(message.createdAt, false),
    });
    const body = [
      question ? `**${say(L.question, locale)}：**\n\n${question}` : null,
      `**${say(L.answer, locale)}：**\n\n${message.body}`,
      `---\n\n${source}`,
    ]
      .filter(Boolean)
      .join('\n\n');
    const article = await insertArticle(tx, {
      kind: 'qa',
      title: input.title,
      body,
      businessLineIds: [],
      tags: [],
      ...reachOf(tx, conversation, active?.active ?? false),
      note: say(L.note, locale),
    });
    return { articleId: article.id };
  });
}
