import { sql, type SQL } from 'drizzle-orm';
import type { ChatMessage } from '../../../common/schemas/chat';
import { rowsOf, type Db } from '../../db/client';
import { isoText } from '../../lib/listing';

/**
 * THE shape of a message as a reader sees it (ChatMessage), built in one statement for any set of messages: author,
 * mentioned people, files, reactions (with the reader's own), thread counts. A deleted message keeps its place with
 * an empty body and nothing attached. `where` selects rows of `chat_messages m`; `order` and `limit` shape the page.
 * Every caller has checked that the reader may read the conversation.
 */
export async function readMessages(
  db: Db,
  readerId: string,
  where: SQL,
  order: SQL = sql`m.seq`,
  limit?: number,
): Promise<ChatMessage[]> {
  const rows = await rowsOf<MessageRow>(
    db,
    sql`
    SELECT m.id, m.conversation_id AS "conversationId", m.seq,
      json_build_object('id', u.id, 'name', u.display_name) AS author,
      CASE WHEN m.deleted_at IS NULL THEN m.body ELSE '' END AS body,
      CASE WHEN m.deleted_at IS NULL AND cardinality(m.mentions) > 0 THEN
        (SELECT coalesce(json_agg(json_build_object('id', p.id, 'name', p.display_name) ORDER BY array_position(m.mentions, p.id)), '[]'::json)
         FROM users p WHERE p.id = ANY(m.mentions))
      ELSE '[]'::json END AS mentions,
      m.mention_all AS "mentionAll",
      CASE WHEN m.deleted_at IS NULL THEN m.links ELSE '[]'::jsonb END AS links,
      CASE WHEN m.deleted_at IS NULL AND cardinality(m.file_ids) > 0 THEN
        (SELECT coalesce(json_agg(json_build_object('id', f.id, 'filename', f.filename, 'contentType', f.content_type,
            'size', f.size, 'createdAt', ${isoText(sql`f.created_at`)}) ORDER BY array_position(m.file_ids, f.id)), '[]'::json)
         FROM files f WHERE f.id = ANY(m.file_ids) AND f.owner_type = 'chat' AND f.owner_id = m.conversation_id)
      ELSE '[]'::json END AS files,
      m.parent_id AS "parentId", m.reply_count AS "replyCount",
      ${isoText(sql`m.last_reply_at`)} AS "lastReplyAt",
      CASE WHEN m.deleted_at IS NULL THEN
        (SELECT coalesce(json_agg(json_build_object('emoji', r.emoji, 'count', r.n, 'mine', r.mine, 'names', r.names) ORDER BY r.first), '[]'::json)
         FROM (SELECT x.emoji, count(*)::int AS n, bool_or(x.user_id = ${readerId}) AS mine,
                 (array_agg(xu.display_name ORDER BY x.created_at))[1:10] AS names, min(x.created_at) AS first
               FROM chat_reactions x JOIN users xu ON xu.id = x.user_id WHERE x.message_id = m.id GROUP BY x.emoji) r)
      ELSE '[]'::json END AS reactions,
      ${isoText(sql`m.created_at`)} AS "createdAt",
      ${isoText(sql`m.edited_at`)} AS "editedAt",
      m.deleted_at IS NOT NULL AS deleted,
      ${isoText(sql`m.pinned_at`)} AS "pinnedAt"
    FROM chat_messages m JOIN users u ON u.id = m.author_id
    WHERE ${where}
    ORDER BY ${order}
    ${limit === undefined ? sql`` : sql`LIMIT ${limit}`}`,
  );
  return rows.map((row) => ({ ...row, seq: Number(row.seq), replyCount: Number(row.replyCount) }));
}

type MessageRow = ChatMessage;
