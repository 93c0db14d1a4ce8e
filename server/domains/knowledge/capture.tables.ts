import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { INSIGHT_SOURCES } from '../../../common/schemas/knowledge-capture';
import { opportunities } from '../opportunities/opportunities.tables';
import { users } from '../staff/staff.tables';
import { knowledgeArticles } from './knowledge.tables';

/**
 * The answer to "write a lesson 复盘?" for one closing of an opportunity: written (with its article) or skipped.
 * A closing is the opportunity's `closed_at`: reopened and closed again is a new closing that asks again.
 * A closed opportunity without a row here is "not answered" — the lesson rate counts all three.
 */
export const knowledgeLessonPrompts = pgTable(
  'knowledge_lesson_prompts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    opportunityId: uuid('opportunity_id')
      .notNull()
      .references(() => opportunities.id, { onDelete: 'cascade' }),
    outcome: text('outcome', { enum: ['won', 'lost'] }).notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true }).notNull(),
    status: text('status', { enum: ['written', 'skipped'] }).notNull(),
    articleId: uuid('article_id').references(() => knowledgeArticles.id, { onDelete: 'set null' }),
    by: uuid('by')
      .notNull()
      .references(() => users.id),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('knowledge_lesson_prompts_closing_key').on(t.opportunityId, t.closedAt),
    index('knowledge_lesson_prompts_closed_idx').on(t.closedAt),
  ],
);

/** A contact-log entry or an engagement marked as a customer insight 客户洞察: the article it became (one per entry). */
export const knowledgeInsightSources = pgTable(
  'knowledge_insight_sources',
  {
    sourceType: text('source_type', { enum: INSIGHT_SOURCES }).notNull(),
    sourceId: uuid('source_id').notNull(),
    articleId: uuid('article_id')
      .notNull()
      .references(() => knowledgeArticles.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('knowledge_insight_sources_key').on(t.sourceType, t.sourceId),
    index('knowledge_insight_sources_customer_idx').on(t.customerId),
  ],
);
