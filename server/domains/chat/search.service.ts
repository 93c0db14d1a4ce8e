import { sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { ChatSearchHit, ChatSearchQuery, ChatSearchResult } from '../../../common/schemas/chat';
import type { Ctx } from '../../context';
import { arrayParam, rowsOf } from '../../db/client';
import { containsPattern, isoText, offsetOf } from '../../lib/listing';
import { phrasesOf, searchTerms, snippetOf, tsqueryOf } from '../knowledge/search.service';
import { readableConversations } from './chat.policy';
import { conversations } from './chat.tables';
import { conversationItems } from './conversations.service';

/**
 * Searching the messages one may read (issue 18, item 5), in Chinese the same way as the knowledge base
 * (server/domains/knowledge/search.service.ts, whose term rules this reuses): every message has a generated
 * `search_vector` (migration 0046, `knowledge_weighted(body, 'B')`: its Han characters, their adjacent pairs and its
 * latin/digit words) under a GIN index. A query's runs become lexemes every match must have — one Han character
 * itself, two their pair, three and more all their pairs then a LIKE recheck on the body, latin words as prefixes.
 *
 * Found: messages not deleted, in conversations the reader may read now (chat.policy's readableConversations: a
 * department channel of theirs, a group or one-to-one conversation they are in, a record's conversation whose record
 * they see), newest first. A hit names the conversation, the message's seq and its thread (parentId) — enough to
 * open the conversation `around` that seq (or the thread around it) — and the text around the match as segments.
 */

type ChatSearchQueryInput = z.output<typeof ChatSearchQuery>;
type Hit = z.infer<typeof ChatSearchHit>;

type FoundRow = {
  messageId: string;
  conversationId: string;
  seq: number | string;
  parentId: string | null;
  authorId: string;
  authorName: string;
  createdAt: string;
  body: string;
  total: number | string;
};

/** The WHERE over `chat_messages m`: the index lookup, the phrases' recheck, not deleted, readable, the filter. */
function matching(ctx: Ctx, terms: string[], conversationId: string | undefined): SQL {
  const conditions: SQL[] = [
    sql`m.search_vector @@ ${tsqueryOf(terms)}::tsquery`,
    // Han characters have no case: the body is read as it is.
    ...phrasesOf(terms).map((phrase) => sql`m.body LIKE ${containsPattern(phrase)}`),
    sql`m.deleted_at IS NULL`,
    // A semi-join on the readable conversations, worked out once (a hash of ids), not a test per message.
    sql`m.conversation_id IN (SELECT ${conversations.id} FROM ${conversations} WHERE ${readableConversations(ctx.actor)})`,
  ];
  if (conversationId) conditions.push(sql`m.conversation_id = ${conversationId}::uuid`);
  return sql.join(conditions, sql` AND `);
}

/** GET /chat/search: a page of the reader's matching messages, newest first, and how many match in all. */
export async function searchMessages(ctx: Ctx, query: ChatSearchQueryInput): Promise<z.infer<typeof ChatSearchResult>> {
  const terms = searchTerms(query.q);
  // Only punctuation or other characters: nothing to look for.
  if (terms.length === 0) return { items: [], total: 0 };
  const where = matching(ctx, terms, query.conversationId);
  const offset = offsetOf(query);
  const found = await rowsOf<FoundRow>(
    ctx.db,
    sql`SELECT m.id AS "messageId", m.conversation_id AS "conversationId", m.seq, m.parent_id AS "parentId",
      m.author_id AS "authorId", u.display_name AS "authorName", ${isoText(sql`m.created_at`)} AS "createdAt", m.body,
      count(*) OVER () AS total
    FROM chat_messages m JOIN users u ON u.id = m.author_id
    WHERE ${where}
    ORDER BY m.created_at DESC, m.id DESC
    LIMIT ${query.pageSize} OFFSET ${offset}`,
  );
  // Past the last page the rows that carry the total are not there: count on their own.
  const total =
    found.length > 0
      ? Number(found[0].total)
      : offset > 0
        ? Number(
            (
              await rowsOf<{ n: number | string }>(
                ctx.db,
                sql`SELECT count(*) AS n FROM chat_messages m WHERE ${where}`,
              )
            )[0].n,
          )
        : 0;
  const ids = [...new Set(found.map((f) => f.conversationId))];
  // The conversations' titles as the reader sees them (the department's name, the record's title, the other person).
  const titled = ids.length
    ? await conversationItems(ctx, sql`c.id = ANY(${arrayParam(ids, 'uuid')})`, ids.length)
    : [];
  const byId = new Map(titled.map((c) => [c.id, c]));
  const items: Hit[] = found.map((f) => {
    const conversation = byId.get(f.conversationId);
    return {
      conversation: { id: f.conversationId, kind: conversation?.kind ?? 'group', title: conversation?.title ?? '' },
      messageId: f.messageId,
      seq: Number(f.seq),
      parentId: f.parentId,
      author: { id: f.authorId, name: f.authorName },
      createdAt: f.createdAt,
      segments: snippetOf(f.body, terms),
    };
  });
  return { items, total };
}
