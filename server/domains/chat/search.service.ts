import { sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { ChatSearchHit, ChatSearchQuery, ChatSearchResult, ConversationKind } from '../../../common/schemas/chat';
import type { Ctx } from '../../context';
import { rowsOf } from '../../db/client';
import { containsPattern, isoText, offsetOf } from '../../lib/listing';
import { phrasesOf, searchTerms, snippetOf, tsqueryOf } from '../knowledge/search.service';
import { readableConversations } from './chat.policy';
import { conversations } from './chat.tables';
import { titleOf } from './conversations.service';

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
  kind: ConversationKind;
  title: string;
};

/**
 * The matching messages (`chat_messages` columns, as `m`): the index lookup, the phrases' recheck, not deleted, the
 * filter, in the conversations the reader may read — their ids worked out once, as an array, so that the planner ANDs
 * the word's bitmap (GIN) with the conversations' (chat_messages_seq_key) and fetches only the messages in both. (A
 * semi-join instead repeats the word's index lookup per conversation, or fetches every message with the word: 2 s
 * and 0.46 s for 审计 among 2,000,000 messages, against 0.05 s — docs/benchmarks/chat-2026-12-06.md.)
 */
function matching(ctx: Ctx, terms: string[], conversationId: string | undefined): SQL {
  const conditions: SQL[] = [
    sql`x.search_vector @@ ${tsqueryOf(terms)}::tsquery`,
    // Han characters have no case: the body is read as it is.
    ...phrasesOf(terms).map((phrase) => sql`x.body LIKE ${containsPattern(phrase)}`),
    sql`x.deleted_at IS NULL`,
    sql`x.conversation_id = ANY(ARRAY(SELECT ${conversations.id} FROM ${conversations} WHERE ${readableConversations(ctx.actor)}))`,
  ];
  if (conversationId) conditions.push(sql`x.conversation_id = ${conversationId}::uuid`);
  return sql`(SELECT x.id, x.conversation_id, x.seq, x.parent_id, x.author_id, x.created_at, x.body FROM chat_messages x
    WHERE ${sql.join(conditions, sql` AND `)}) m`;
}

/** GET /chat/search: a page of the reader's matching messages, newest first, and how many match in all. */
export async function searchMessages(ctx: Ctx, query: ChatSearchQueryInput): Promise<z.infer<typeof ChatSearchResult>> {
  const terms = searchTerms(query.q);
  // Only punctuation or other characters: nothing to look for.
  if (terms.length === 0) return { items: [], total: 0 };
  const from = matching(ctx, terms, query.conversationId);
  const offset = offsetOf(query);
  // The page, then (on its rows only) each conversation's title as the reader sees it: the department's name, the
  // record's title, the group's, the other person.
  const found = await rowsOf<FoundRow>(
    ctx.db,
    sql`SELECT p.*, c.kind, coalesce(${titleOf(ctx.actor.id)}, '') AS title
    FROM (SELECT m.id AS "messageId", m.conversation_id AS "conversationId", m.seq, m.parent_id AS "parentId",
        m.author_id AS "authorId", u.display_name AS "authorName", ${isoText(sql`m.created_at`)} AS "createdAt",
        m.created_at AS at, m.body, count(*) OVER () AS total
      FROM ${from} JOIN users u ON u.id = m.author_id
      ORDER BY m.created_at DESC, m.id DESC
      LIMIT ${query.pageSize} OFFSET ${offset}) p
    JOIN ${conversations} c ON c.id = p."conversationId"
    ORDER BY p.at DESC, p."messageId" DESC`,
  );
  // Past the last page the rows that carry the total are not there: count on their own.
  const total =
    found.length > 0
      ? Number(found[0].total)
      : offset > 0
        ? Number((await rowsOf<{ n: number | string }>(ctx.db, sql`SELECT count(*) AS n FROM ${from}`))[0].n)
        : 0;
  const items: Hit[] = found.map((f) => ({
    conversation: { id: f.conversationId, kind: f.kind, title: f.title },
    messageId: f.messageId,
    seq: Number(f.seq),
    parentId: f.parentId,
    author: { id: f.authorId, name: f.authorName },
    createdAt: f.createdAt,
    segments: snippetOf(f.body, terms),
  }));
  return { items, total };
}
