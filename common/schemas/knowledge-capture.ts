import { z } from 'zod';
import { DateOnly, Id, Money, optionalText, text, Timestamp } from './common';
import { TEMPLATE_USES } from './knowledge';

/**
 * Knowledge captured where the work happens (issue 17, item 2): the lesson 复盘 asked for when an
 * opportunity is won or lost, customer insights 客户洞察 marked on a contact-log entry or an
 * engagement, and templates 模板 saved from any text and used on the e-mail, quote and contract screens.
 */

/** Who reads a lesson: everyone (the default — lessons are meant to spread) or only those who see its customer/opportunity. */
export const LESSON_VISIBILITIES = ['firm', 'linked'] as const;

/** A lesson 复盘: at least what worked or what to do differently; the competitor and the price (exact) optional. */
export const LessonInput = z
  .strictObject({
    /** 做得好的地方 */
    worked: optionalText(2000),
    /** 下次改进 */
    improve: optionalText(2000),
    /** 竞争对手 */
    competitor: optionalText(200),
    /** 价格: the price quoted or won/lost at, CNY exact. */
    price: z.union([Money, z.literal('').transform(() => null), z.null()]).optional(),
    visibility: z.enum(LESSON_VISIBILITIES).default('firm'),
  })
  .superRefine((v, c) => {
    if (!v.worked && !v.improve) c.addIssue({ code: 'custom', path: ['worked'], message: 'validation.required' });
  });
export type LessonInput = z.infer<typeof LessonInput>;

export const LESSON_STATES = ['written', 'skipped', 'unanswered', 'open'] as const;

/** Where the lesson of an opportunity's current closing stands (`open`: not closed, nothing to ask). */
export const LessonPrompt = z.object({
  opportunityId: Id,
  status: z.enum(LESSON_STATES),
  outcome: z.enum(['won', 'lost']).nullable(),
  closedAt: Timestamp.nullable(),
  articleId: Id.nullable(),
  by: Id.nullable(),
  at: Timestamp.nullable(),
});
export type LessonPrompt = z.infer<typeof LessonPrompt>;

export const LessonRateQuery = z.strictObject({
  /** Closed on or after this day (the firm's time zone); default: 90 days ago. */
  from: DateOnly.optional(),
  /** Closed on or before this day; default: today. */
  to: DateOnly.optional(),
  /** Rows per department or per owner of the opportunities (what the caller sees of them). */
  by: z.enum(['department', 'owner']).optional(),
});
export type LessonRateQuery = z.infer<typeof LessonRateQuery>;

const RateCounts = {
  /** Opportunities won or lost in the period (their current closing). */
  closed: z.int(),
  written: z.int(),
  skipped: z.int(),
  unanswered: z.int(),
  /** Lessons written per closed deal, whole percent (null: nothing closed). */
  ratePercent: z.int().nullable(),
};
export const LessonRate = z.object({
  from: DateOnly,
  to: DateOnly,
  ...RateCounts,
  rows: z.array(z.object({ id: Id.nullable(), name: z.string().nullable(), ...RateCounts })),
});
export type LessonRate = z.infer<typeof LessonRate>;

/** Marks a contact-log entry or an engagement as a customer insight; title and body default from the entry. */
export const InsightInput = z.strictObject({
  title: optionalText(200),
  body: optionalText(20000),
  visibility: z.enum(['linked', 'firm']).default('linked'),
});
export type InsightInput = z.infer<typeof InsightInput>;

export const INSIGHT_SOURCES = ['contact-log', 'engagement'] as const;

/** An entry that became an insight (the article shown only to those who may read it). */
export const InsightMark = z.object({
  sourceType: z.enum(INSIGHT_SOURCES),
  sourceId: Id,
  articleId: Id,
  /** null when the caller may not read the article. */
  title: z.string().nullable(),
});
export type InsightMark = z.infer<typeof InsightMark>;

export const InsightMarksQuery = z.strictObject({
  customerId: Id.optional(),
  engagementId: Id.optional(),
});
export type InsightMarksQuery = z.infer<typeof InsightMarksQuery>;

export const CapturedArticle = z.object({ articleId: Id, kind: z.string(), title: z.string() });
export type CapturedArticle = z.infer<typeof CapturedArticle>;

export const TemplateInput = z.strictObject({
  title: text(200),
  templateUse: z.enum(TEMPLATE_USES),
  body: text(50000),
  businessLineIds: z.array(Id).max(20).optional(),
});
export type TemplateInput = z.infer<typeof TemplateInput>;

export const TemplateListQuery = z.strictObject({
  use: z.enum(TEMPLATE_USES).optional(),
  businessLineId: Id.optional(),
  q: z.string().trim().max(100).optional(),
});
export type TemplateListQuery = z.infer<typeof TemplateListQuery>;

export const TemplateSummary = z.object({
  id: Id,
  title: z.string(),
  templateUse: z.enum(TEMPLATE_USES).nullable(),
  businessLineIds: z.array(Id),
  useCount: z.int(),
  ownerName: z.string(),
  /** The first 200 characters of the body. */
  excerpt: z.string(),
  updatedAt: Timestamp,
});
export type TemplateSummary = z.infer<typeof TemplateSummary>;

/**
 * Placeholders filled when a template is used: {客户名称} the customer's name, {联系人} the opportunity's
 * contact or the customer's primary contact, {业务线} the opportunity's business line, {我的姓名} the user's
 * name, {今天} today's date. Unknown or unfilled placeholders are left as they are.
 */
export const TEMPLATE_PLACEHOLDERS = ['客户名称', '联系人', '业务线', '我的姓名', '今天'] as const;

export const TemplateUseInput = z.strictObject({
  customerId: Id.optional(),
  opportunityId: Id.optional(),
});
export type TemplateUseInput = z.infer<typeof TemplateUseInput>;

export const TemplateFilled = z.object({
  id: Id,
  title: z.string(),
  body: z.string(),
  useCount: z.int(),
  /** The values put in, by placeholder name (those that had a value). */
  values: z.record(z.string(), z.string()),
});
export type TemplateFilled = z.infer<typeof TemplateFilled>;
