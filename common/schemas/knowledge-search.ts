import { z } from 'zod';
import { Id, pageOf, Timestamp } from './common';
import { KNOWLEDGE_KINDS } from './knowledge';
import { KNOWLEDGE_QUERY_MAX } from '../search';

/**
 * `GET /api/v1/knowledge/search`: one box over articles, lessons, insights and templates. `q` is required (a search,
 * not a list); blanks or punctuation only find nothing.
 */
export const KnowledgeSearchQuery = z.strictObject({
  q: z.string().min(1).trim().max(KNOWLEDGE_QUERY_MAX),
  kind: z.enum(KNOWLEDGE_KINDS).optional(),
  businessLineId: Id.optional(),
  page: z.coerce.number().int().min(1).max(1000).default(1),
  pageSize: z.coerce.number().int().min(1).max(50).default(20),
});
export type KnowledgeSearchQuery = z.infer<typeof KnowledgeSearchQuery>;

/** A piece of highlighted text: `hit` pieces are the matches (shown marked; never HTML). */
export const Segment = z.object({ text: z.string(), hit: z.boolean() });
export type Segment = z.infer<typeof Segment>;

export const KnowledgeSearchHit = z.object({
  id: Id,
  kind: z.enum(KNOWLEDGE_KINDS),
  /** The title, with the matches marked. */
  title: z.array(Segment),
  /** About 120 characters of the body around its first match, Markdown stripped, with the matches marked. */
  snippet: z.array(Segment),
  tags: z.array(z.string()),
  businessLines: z.array(z.object({ id: Id, name: z.string() })),
  updatedAt: Timestamp,
  usefulCount: z.int(),
  viewCount: z.int(),
});
export type KnowledgeSearchHit = z.infer<typeof KnowledgeSearchHit>;

export const KnowledgeSearchPage = pageOf(KnowledgeSearchHit);
export type KnowledgeSearchPage = z.infer<typeof KnowledgeSearchPage>;
