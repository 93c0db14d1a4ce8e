import { sql, type SQL } from 'drizzle-orm';
import {
  CHAT_MENTIONS_LIMIT,
  TODAY_MENTIONS_SHOWN,
  type ChatMentionItem,
  type ChatMentionsDigest,
  type ChatUnread,
} from '../../../common/schemas/chat';
import type { Ctx } from '../../context';
import { fixedLimit, preparedRows, rowsOf, type Db } from '../../db/client';
import { isoText } from '../../lib/listing';
import { actorKey, type Actor } from '../../policy';
import { users } from '../staff/staff.tables';
import { listedConversations, readableConversations } from './chat.policy';
import { conversationMembers, conversations } from './chat.tables';
import { asC, titleOf, UNREAD_CAP } from './conversations.service';

/**
 * Catching up (issue 18): the menu's unread badge and my unread mentions (the list, Today's digest, the e-mail
 * digest's content). A mention is unread while its seq is past my place in its conversation; only mentions in
 * messages not deleted and in conversations I may still read count.
 */

/** A message's text in one line (runs of white space, new lines included, become one space), at most 140 characters. */
export const oneLine = (body: SQL) => sql`left(btrim(regexp_replace(${body}, '\\s+', ' ', 'g')), 140)`;

/**
 * The menu's badge in one statement: over the conversations in my list (not archived), the unread messages (others',
 * not deleted, each conversation counted up to UNREAD_CAP as in the list), the unread mentions and how many
 * conversations have unread messages.
 */
export async function chatUnread(ctx: Ctx): Promise<ChatUnread> {
  const me = ctx.actor.id;
  const [row] = await rowsOf<{ unread: number | string; mentions: number | string; conversations: number | string }>(
    ctx.db,
    sql`
    SELECT coalesce(sum(x.unread), 0) AS unread, coalesce(sum(x.mentions), 0) AS mentions,
      count(*) FILTER (WHERE x.unread > 0) AS conversations
    FROM (
      SELECT
        (SELECT count(*) FROM (SELECT 1 FROM chat_messages m WHERE m.conversation_id = c.id AND m.seq > coalesce(mm.last_read_seq, 0)
          AND m.author_id <> ${me}::uuid AND m.deleted_at IS NULL LIMIT ${UNREAD_CAP}) u) AS unread,
        (SELECT count(*) FROM chat_mentions cm JOIN chat_messages m ON m.id = cm.message_id
          WHERE cm.user_id = ${me}::uuid AND cm.conversation_id = c.id AND cm.seq > coalesce(mm.last_read_seq, 0)
            AND m.deleted_at IS NULL) AS mentions
      FROM ${conversations} c
      LEFT JOIN ${conversationMembers} mm ON mm.conversation_id = c.id AND mm.user_id = ${me}::uuid
      WHERE ${asC(listedConversations(ctx.actor))} AND c.archived_at IS NULL
        AND c.last_seq > coalesce(mm.last_read_seq, 0)
    ) x`,
  );
  return {
    unread: Number(row?.unread ?? 0),
    mentions: Number(row?.mentions ?? 0),
    conversations: Number(row?.conversations ?? 0),
  };
}

/**
 * The unread mentions of `actor` that `where` (over `cm` chat_mentions, `m` the message, `c` the conversation)
 * selects, newest first — the rows behind the list, Today's digest and the e-mail digest.
 */
export function unreadMentionsOf(actor: Actor, where: SQL = sql`true`): SQL {
  return sql`
    FROM chat_mentions cm
    JOIN chat_messages m ON m.id = cm.message_id
    JOIN ${conversations} c ON c.id = cm.conversation_id
    LEFT JOIN ${conversationMembers} mm ON mm.conversation_id = cm.conversation_id AND mm.user_id = cm.user_id
    WHERE cm.user_id = ${actor.id}::uuid AND cm.seq > coalesce(mm.last_read_seq, 0) AND m.deleted_at IS NULL
      AND ${asC(readableConversations(actor))} AND ${where}`;
}

type MentionRow = Omit<ChatMentionItem, 'seq'> & { seq: number | string };

/** The mention items `from` (unreadMentionsOf) selects, newest first; `total`: each carries how many there are. */
const mentionItemsQuery = (actor: Actor, from: SQL, limit: number, total = false): SQL => sql`
    SELECT json_build_object('id', c.id, 'kind', c.kind, 'title', coalesce(${titleOf(actor.id)}, '')) AS conversation,${total ? sql` count(*) OVER () AS total,` : sql``}
      m.id AS "messageId", m.seq,
      (SELECT json_build_object('id', a.id, 'name', a.display_name) FROM ${users} a WHERE a.id = m.author_id) AS author,
      ${oneLine(sql`m.body`)} AS text, ${isoText(sql`m.created_at`)} AS "createdAt"
    ${from}
    ORDER BY m.created_at DESC, m.id
    LIMIT ${fixedLimit(limit)}`;

const presentMentions = (rows: MentionRow[]): ChatMentionItem[] =>
  rows.map((row) => ({ ...row, seq: Number(row.seq) }));

/** The mention items `from` (unreadMentionsOf) selects, newest first. */
export async function mentionItems(db: Db, actor: Actor, from: SQL, limit: number): Promise<ChatMentionItem[]> {
  return presentMentions(await rowsOf<MentionRow>(db, mentionItemsQuery(actor, from, limit)));
}

/** GET /chat/mentions: my unread mentions, newest first (CHAT_MENTIONS_LIMIT). */
export function myMentions(ctx: Ctx): Promise<ChatMentionItem[]> {
  return mentionItems(ctx.db, ctx.actor, unreadMentionsOf(ctx.actor), CHAT_MENTIONS_LIMIT);
}

/** Today's digest: how many unread mentions I have and the newest TODAY_MENTIONS_SHOWN (nothing without chat:use). */
export async function mentionsDigest(ctx: Ctx): Promise<ChatMentionsDigest> {
  // Prepared per reader: Today asks on every visit, and planning these cost more than running them.
  const key = actorKey(ctx.actor);
  // The count rides along on the items (counted before the LIMIT): one statement.
  const rows = await preparedRows<MentionRow & { total: number | string }>(ctx.db, `today-mentions|${key}`, () =>
    mentionItemsQuery(ctx.actor, unreadMentionsOf(ctx.actor), TODAY_MENTIONS_SHOWN, true),
  ).execute();
  return { count: Number(rows[0]?.total ?? 0), items: presentMentions(rows.map(({ total: _, ...row }) => row)) };
}
