import { z } from 'zod';
import { CONTROL_CHARS, DateOnly, Id, Timestamp, listQuery, optionalText, text } from './common';
import { Attachment } from './files';

/**
 * The knowledge base 知识库 (issue 17): what an article is, who sees it, what it links to.
 * The record, request and list schemas are added beside these as the API grows.
 */

/**
 * Kinds of article: 经验 experience, 案例 case, 模板 template, 制度 policy, 问答 Q&A, 客户洞察 customer insight, and
 * 复盘 lesson — written when an opportunity is won or lost, linked to its customer, business line and stage.
 */
export const KNOWLEDGE_KINDS = ['experience', 'case', 'template', 'policy', 'qa', 'insight', 'lesson'] as const;
export type KnowledgeKind = (typeof KNOWLEDGE_KINDS)[number];

/**
 * Who reads an article (besides its owner and author, and readers with knowledge:read all):
 * firm — everyone with knowledge:read; department — the people of that department and below it;
 * linked — the people who can see one of the records it links to (a customer, an opportunity, an engagement).
 */
export const KNOWLEDGE_VISIBILITIES = ['firm', 'department', 'linked'] as const;
export type KnowledgeVisibility = (typeof KNOWLEDGE_VISIBILITIES)[number];

/** What an article links to. A link to a record the reader cannot see is shown as "not available", untitled. */
export const KNOWLEDGE_LINK_TYPES = ['customer', 'opportunity', 'engagement', 'article'] as const;
export type KnowledgeLinkType = (typeof KNOWLEDGE_LINK_TYPES)[number];

/** What a template 模板 is for: the screen that offers it. */
export const TEMPLATE_USES = ['proposal', 'engagement-letter', 'email', 'other'] as const;
export type TemplateUse = (typeof TEMPLATE_USES)[number];

/** Longest title and body of an article (characters). */
export const KNOWLEDGE_TITLE_MAX = 200;
export const KNOWLEDGE_BODY_MAX = 200_000;

/** A tag: a short word or phrase (e.g. 年报审计, 新客户). */
export const KnowledgeTag = text(30);

/** A link to add: a customer, an opportunity, an engagement or another article, by id. */
export const KnowledgeLinkInput = z.strictObject({ type: z.enum(KNOWLEDGE_LINK_TYPES), id: Id });
export type KnowledgeLinkInput = z.infer<typeof KnowledgeLinkInput>;

/**
 * A link as a reader sees it: the record's title only when the reader may see the record itself;
 * otherwise `available: false` and no title (nothing of a record one cannot see is told).
 */
export const KnowledgeLink = z.object({
  type: z.enum(KNOWLEDGE_LINK_TYPES),
  id: Id,
  title: z.string().nullable(),
  available: z.boolean(),
});
export type KnowledgeLink = z.infer<typeof KnowledgeLink>;

const Person = z.object({ id: Id, name: z.string() });

/** An article in a list: everything but the body and links. */
export const KnowledgeArticleItem = z.object({
  id: Id,
  kind: z.enum(KNOWLEDGE_KINDS),
  title: z.string(),
  templateUse: z.enum(TEMPLATE_USES).nullable(),
  businessLines: z.array(z.object({ id: Id, name: z.string() })),
  tags: z.array(z.string()),
  stageId: Id.nullable(),
  visibility: z.enum(KNOWLEDGE_VISIBILITIES),
  departmentId: Id.nullable(),
  departmentName: z.string().nullable(),
  owner: Person,
  author: Person.nullable(),
  reviewOn: DateOnly.nullable(),
  /** Past its review date 待复审 (and not archived). */
  stale: z.boolean(),
  version: z.int(),
  archivedAt: Timestamp.nullable(),
  viewCount: z.int(),
  usefulCount: z.int(),
  useCount: z.int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type KnowledgeArticleItem = z.infer<typeof KnowledgeArticleItem>;

/** An article as its reader sees it: the list item with its Markdown body, links, attachments and the reader's own marks. */
export const KnowledgeArticle = KnowledgeArticleItem.extend({
  body: z.string(),
  links: z.array(KnowledgeLink),
  attachments: z.array(Attachment),
  /** The reader marked it useful 有用. */
  markedUseful: z.boolean(),
  /** The reader may change it (owner, author, or knowledge:manage). */
  writable: z.boolean(),
});
export type KnowledgeArticle = z.infer<typeof KnowledgeArticle>;

const visibilityRule = (
  value: {
    visibility?: KnowledgeVisibility;
    departmentId?: string | null;
    kind?: KnowledgeKind;
    templateUse?: unknown;
  },
  ctx: z.RefinementCtx,
) => {
  if (value.visibility === 'department' && !value.departmentId)
    ctx.addIssue({ code: 'custom', path: ['departmentId'], message: 'validation.knowledgeDepartment' });
  if (value.visibility !== undefined && value.visibility !== 'department' && value.departmentId)
    ctx.addIssue({ code: 'custom', path: ['departmentId'], message: 'validation.knowledgeDepartmentOnly' });
  if (value.templateUse && value.kind !== undefined && value.kind !== 'template')
    ctx.addIssue({ code: 'custom', path: ['templateUse'], message: 'validation.knowledgeTemplateUse' });
};

const articleFields = {
  kind: z.enum(KNOWLEDGE_KINDS),
  title: text(KNOWLEDGE_TITLE_MAX),
  /** Markdown: headings, lists, tables, images and attachments (`/api/v1/knowledge/<id>/files/<fileId>`). No raw HTML is rendered. */
  body: z
    .string()
    .max(KNOWLEDGE_BODY_MAX)
    .refine((value) => !CONTROL_CHARS.test(value), { message: 'validation.noControlChars' }),
  /** For a template: the screen that offers it. */
  templateUse: z.enum(TEMPLATE_USES).nullable(),
  businessLineIds: z.array(Id).max(20),
  tags: z.array(KnowledgeTag).max(20),
  /** For a lesson or a playbook's reading: the pipeline stage it is about. */
  stageId: Id.nullable(),
  visibility: z.enum(KNOWLEDGE_VISIBILITIES),
  /** Required for visibility `department` (that department and below it), empty otherwise. */
  departmentId: Id.nullable(),
};

/** A new article: the author owns it unless `ownerId` names another active colleague. */
export const KnowledgeArticleCreate = z
  .strictObject({
    ...articleFields,
    body: articleFields.body.default(''),
    templateUse: articleFields.templateUse.optional(),
    businessLineIds: articleFields.businessLineIds.default([]),
    tags: articleFields.tags.default([]),
    stageId: articleFields.stageId.optional(),
    visibility: articleFields.visibility.default('firm'),
    departmentId: articleFields.departmentId.optional(),
    ownerId: Id.optional(),
    reviewOn: DateOnly.nullable().optional(),
    /** Records it links to (each must be one the author can see). */
    links: z.array(KnowledgeLinkInput).max(50).default([]),
    /** The first version's note (default none). */
    note: optionalText(500),
  })
  .superRefine(visibilityRule);
export type KnowledgeArticleCreate = z.input<typeof KnowledgeArticleCreate>;

/**
 * A change to an article's content and reach. A change of title, body, kind or tags makes a new version with
 * `note` (what changed); `version`, when given, must be the current one (else 409 KNOWLEDGE_VERSION_CONFLICT).
 */
export const KnowledgeArticleUpdate = z
  .strictObject({
    ...articleFields,
    note: optionalText(500),
    version: z.int().min(1).optional(),
  })
  .partial()
  .superRefine(visibilityRule);
export type KnowledgeArticleUpdate = z.infer<typeof KnowledgeArticleUpdate>;

/** Who keeps the article current, and when it is next due for review (null: no date). */
export const KnowledgeStewardship = z
  .strictObject({ ownerId: Id, reviewOn: DateOnly.nullable() })
  .partial()
  .refine((v) => v.ownerId !== undefined || v.reviewOn !== undefined, { message: 'validation.required' });
export type KnowledgeStewardship = z.infer<typeof KnowledgeStewardship>;

/** Marking an article useful 有用 (true) or taking the mark back (false); repeating it changes nothing. */
export const KnowledgeUsefulMark = z.strictObject({ useful: z.boolean() });
export const KnowledgeUsefulState = z.object({ useful: z.boolean(), usefulCount: z.int() });
export type KnowledgeUsefulState = z.infer<typeof KnowledgeUsefulState>;

/** One saved version (without its body in lists). */
export const KnowledgeVersionItem = z.object({
  version: z.int(),
  kind: z.enum(KNOWLEDGE_KINDS),
  title: z.string(),
  tags: z.array(z.string()),
  note: z.string().nullable(),
  changedBy: Person.nullable(),
  changedAt: Timestamp,
});
export type KnowledgeVersionItem = z.infer<typeof KnowledgeVersionItem>;
export const KnowledgeVersion = KnowledgeVersionItem.extend({ body: z.string() });
export type KnowledgeVersion = z.infer<typeof KnowledgeVersion>;
export const KnowledgeVersionParams = z.strictObject({
  id: Id,
  version: z.coerce.number().int().min(1).max(1_000_000),
});
export const KnowledgeLinkParams = z.strictObject({ id: Id, targetId: Id });

const BoolParam = z.enum(['true', 'false']).transform((v) => v === 'true');

/**
 * The knowledge base 知识库 list. `q` filters titles only (the full-text search is /knowledge/search).
 * `archived`: false (default) current articles, true archived ones. `stale`: past their review date.
 */
export const KnowledgeListQuery = listQuery(['updatedAt', 'title', 'viewCount', 'usefulCount'], {
  kind: z.enum(KNOWLEDGE_KINDS).optional(),
  businessLineId: Id.optional(),
  tag: KnowledgeTag.optional(),
  ownerId: Id.optional(),
  stale: BoolParam.optional(),
  archived: BoolParam.optional(),
});
export type KnowledgeListQuery = z.infer<typeof KnowledgeListQuery>;

/** Stale articles 待复审: one's own; with knowledge:manage everyone's (optionally one owner's). */
export const KnowledgeStaleQuery = listQuery(['reviewOn', 'title'], { ownerId: Id.optional() });
export type KnowledgeStaleQuery = z.infer<typeof KnowledgeStaleQuery>;

/** The contributors' list 贡献榜: per person, grouped by department (optionally one department and below it). */
export const KnowledgeContributorsQuery = z.strictObject({
  departmentId: Id.optional(),
  /** Count what was written on or after this day (default: everything). */
  from: DateOnly.optional(),
});
export type KnowledgeContributorsQuery = z.infer<typeof KnowledgeContributorsQuery>;
export const KnowledgeContributor = z.object({
  userId: Id,
  name: z.string(),
  departmentId: Id.nullable(),
  departmentName: z.string().nullable(),
  /** Articles written (every kind but lessons). */
  articles: z.int(),
  lessons: z.int(),
  /** "Useful" marks others gave to the articles they wrote. */
  usefulReceived: z.int(),
});
export type KnowledgeContributor = z.infer<typeof KnowledgeContributor>;
export const KnowledgeContributors = z.object({
  departments: z.array(
    z.object({
      departmentId: Id.nullable(),
      departmentName: z.string().nullable(),
      people: z.array(KnowledgeContributor),
    }),
  ),
});
export type KnowledgeContributors = z.infer<typeof KnowledgeContributors>;
