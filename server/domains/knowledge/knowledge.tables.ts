import { sql } from 'drizzle-orm';
import {
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  KNOWLEDGE_KINDS,
  KNOWLEDGE_LINK_TYPES,
  KNOWLEDGE_VISIBILITIES,
  TEMPLATE_USES,
} from '../../../common/schemas/knowledge';
import { auditedColumns } from '../../db/columns';
import { pipelineStages } from '../opportunities/opportunities.tables';
import { departments, users } from '../staff/staff.tables';

/**
 * The knowledge base 知识库: an article is its current version (title, Markdown body, kind, business lines, tags)
 * plus who may read it (visibility), who keeps it current (owner, review date) and how useful it has been (counts
 * kept with the article so a search can rank by them; the rows behind them in knowledge_reads / knowledge_marks).
 */
export const knowledgeArticles = pgTable(
  'knowledge_articles',
  {
    ...auditedColumns(),
    kind: text('kind', { enum: KNOWLEDGE_KINDS }).notNull(),
    title: text('title').notNull(),
    /**
     * The title's pinyin initials as words a search finds by prefix — the initials from each Han character on
     * (`年报审计` → `nbsj bsj sj j`), so `sj` finds it as `审计` does; written with the title (titleInitials()).
     */
    titlePinyin: text('title_pinyin').notNull().default(''),
    /** Markdown (headings, tables, images and attachments by file id); rendered without raw HTML. */
    body: text('body').notNull().default(''),
    /** For a template: the screen that offers it. */
    templateUse: text('template_use', { enum: TEMPLATE_USES }),
    businessLineIds: uuid('business_line_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** For a lesson or a playbook's reading: the stage it is about. */
    stageId: uuid('stage_id').references(() => pipelineStages.id),
    visibility: text('visibility', { enum: KNOWLEDGE_VISIBILITIES }).notNull().default('firm'),
    /** For visibility `department`: this department and everything below it. */
    departmentId: uuid('department_id').references(() => departments.id),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id),
    /** The day the owner should check it again; past it, the article is stale 待复审. */
    reviewOn: date('review_on'),
    /** The current version's number (knowledge_article_versions keeps every one). */
    version: integer('version').notNull().default(1),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    viewCount: integer('view_count').notNull().default(0),
    usefulCount: integer('useful_count').notNull().default(0),
    /** Times a template was used on a quote, contract or e-mail screen. */
    useCount: integer('use_count').notNull().default(0),
  },
  (t) => [
    index('knowledge_articles_kind_idx').on(t.kind, t.updatedAt),
    index('knowledge_articles_owner_idx').on(t.ownerId, t.reviewOn),
    index('knowledge_articles_lines_idx').using('gin', t.businessLineIds),
    index('knowledge_articles_stage_idx').on(t.stageId),
    check(
      'knowledge_articles_department_check',
      sql`(${t.visibility} = 'department') = (${t.departmentId} IS NOT NULL)`,
    ),
    check('knowledge_articles_template_check', sql`${t.templateUse} IS NULL OR ${t.kind} = 'template'`),
  ],
);

/** Every version of an article as it was saved: who changed what (the note) and when. Never changed. */
export const knowledgeArticleVersions = pgTable(
  'knowledge_article_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    articleId: uuid('article_id')
      .notNull()
      .references(() => knowledgeArticles.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    kind: text('kind', { enum: KNOWLEDGE_KINDS }).notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    tags: text('tags').array().notNull(),
    note: text('note'),
    changedBy: uuid('changed_by').references(() => users.id),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('knowledge_article_versions_key').on(t.articleId, t.version)],
);

/** What an article links to: customers, opportunities, engagements, other articles. */
export const knowledgeLinks = pgTable(
  'knowledge_links',
  {
    articleId: uuid('article_id')
      .notNull()
      .references(() => knowledgeArticles.id, { onDelete: 'cascade' }),
    targetType: text('target_type', { enum: KNOWLEDGE_LINK_TYPES }).notNull(),
    targetId: uuid('target_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.articleId, t.targetType, t.targetId] }),
    index('knowledge_links_target_idx').on(t.targetType, t.targetId),
  ],
);

/** Who read an article, how often, first and last (the view count and "articles read" of 员工发展). */
export const knowledgeReads = pgTable(
  'knowledge_reads',
  {
    articleId: uuid('article_id')
      .notNull()
      .references(() => knowledgeArticles.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    count: integer('count').notNull().default(1),
    firstReadAt: timestamp('first_read_at', { withTimezone: true }).notNull().defaultNow(),
    lastReadAt: timestamp('last_read_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.articleId, t.userId] }),
    index('knowledge_reads_user_idx').on(t.userId, t.lastReadAt),
  ],
);

/** "Useful" marks 有用: one per reader and article. */
export const knowledgeMarks = pgTable(
  'knowledge_marks',
  {
    articleId: uuid('article_id')
      .notNull()
      .references(() => knowledgeArticles.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.userId] })],
);
