import { z } from 'zod';
import { Id, Timestamp } from './common';
import { COMPANY_SIZES } from './customers';
import { KNOWLEDGE_KINDS } from './knowledge';
import { TimeZone } from './reminders';

/**
 * Knowledge where it is needed (issue 17, item 5): the articles shown beside an opportunity and a customer, and the
 * one unread article Today suggests — each with why it is shown.
 */

/**
 * Why an article is shown:
 * - on an opportunity: `stage` of its business line and current stage, `line` of its business line, `customer`
 *   a lesson, case or insight about the same customer (or one of its opportunities), `similar` a lesson or case
 *   about a customer of the same industry and size band;
 * - on a customer: `insight` an insight linked to it, `lesson` a lesson linked to it or to one of its opportunities;
 * - Today: `today` the line or stage of my open opportunity with work due today or overdue, `pipeline` of my open
 *   opportunity, `firm` the most useful firm-wide article of the last SUGGESTION_RECENT_DAYS.
 */
export const KNOWLEDGE_MATCHES = [
  'stage',
  'line',
  'customer',
  'similar',
  'insight',
  'lesson',
  'today',
  'pipeline',
  'firm',
] as const;
export type KnowledgeMatch = (typeof KNOWLEDGE_MATCHES)[number];

export const KnowledgeReason = z.object({
  match: z.enum(KNOWLEDGE_MATCHES),
  /** stage, line, today, pipeline: the business line (its name). */
  lineName: z.string().nullable(),
  /** stage (and today / pipeline when the stage matches): the stage, in the reader's language. */
  stageName: z.string().nullable(),
  /** similar: the industry and size band the customers share (the size null when the customer has none). */
  industry: z.string().nullable(),
  size: z.enum(COMPANY_SIZES).nullable(),
  /** today, pipeline: my opportunity it is relevant to. */
  opportunityId: Id.nullable(),
  opportunityName: z.string().nullable(),
});
export type KnowledgeReason = z.infer<typeof KnowledgeReason>;

/** An article shown where it is needed: enough to list it and link to /knowledge/:id. */
export const RelatedArticle = z.object({
  id: Id,
  kind: z.enum(KNOWLEDGE_KINDS),
  title: z.string(),
  usefulCount: z.int(),
  updatedAt: Timestamp,
  reason: KnowledgeReason,
});
export type RelatedArticle = z.infer<typeof RelatedArticle>;

export const RelatedKnowledge = z.object({ items: z.array(RelatedArticle) });
export type RelatedKnowledge = z.infer<typeof RelatedKnowledge>;

export const KnowledgeSuggestionQuery = z.strictObject({
  /** Whose "today" (for work due today): defaults to my preference, as on Today. */
  tz: TimeZone.optional(),
});
export type KnowledgeSuggestionQuery = z.infer<typeof KnowledgeSuggestionQuery>;

/** Today's suggested reading 今日推荐阅读: one article I have not read yet, or none. */
export const KnowledgeSuggestion = z.object({ suggestion: RelatedArticle.nullable() });
export type KnowledgeSuggestion = z.infer<typeof KnowledgeSuggestion>;

/** At most this many related articles beside an opportunity. */
export const RELATED_LIMIT = 8;
/** At most this many insights and lessons beside a customer. */
export const CUSTOMER_KNOWLEDGE_LIMIT = 20;
/** The firm-wide fallback suggestion is one of the articles changed within this many days. */
export const SUGGESTION_RECENT_DAYS = 180;
