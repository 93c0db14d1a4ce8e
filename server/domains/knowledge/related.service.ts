import { and, asc, desc, eq, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { KnowledgeKind } from '../../../common/schemas/knowledge';
import {
  CUSTOMER_KNOWLEDGE_LIMIT,
  RELATED_LIMIT,
  SUGGESTION_RECENT_DAYS,
  type KnowledgeMatch,
  type KnowledgeReason,
  type KnowledgeSuggestion,
  type KnowledgeSuggestionQuery,
  type RelatedArticle,
  type RelatedKnowledge,
} from '../../../common/schemas/knowledge-related';
import type { Ctx } from '../../context';
import { preparedRows } from '../../db/client';
import { notFound } from '../../errors';
import { addDays, localDate, zonedInstant } from '../../lib/time';
import { actorKey } from '../../policy';
import { activities } from '../activities/activities.tables';
import { visibleCustomers } from '../customers/customers.policy';
import { customers } from '../customers/customers.tables';
import { preferencesOf } from '../notifications/notifications.service';
import { visibleOpportunities } from '../opportunities/opportunities.policy';
import { opportunities, pipelineStages } from '../opportunities/opportunities.tables';
import { businessLines } from '../staff/staff.tables';
import { visibleArticles } from './knowledge.policy';
import { knowledgeArticles, knowledgeLinks, knowledgeReads } from './knowledge.tables';

/**
 * Knowledge where it is needed (issue 17, item 5): beside an opportunity, the articles of its business line and
 * stage and the lessons about similar customers; beside a customer, its insights and past lessons; on Today, one
 * unread article relevant to the day's work. Every article is read through visibleArticles and archived ones are
 * never shown. Templates are not suggested reading (they are offered on the quote, contract and e-mail screens).
 */

const A = knowledgeArticles;

/** Shown and worth reading: the reader sees it, it is not archived, it is not a template. */
const readable = (ctx: Ctx): SQL => and(visibleArticles(ctx.actor), isNull(A.archivedAt), ne(A.kind, 'template'))!;

/** The article has a kind among `kinds`. */
const kindIn = (kinds: KnowledgeKind[]) =>
  sql`${A.kind} IN (${sql.join(
    kinds.map((k) => sql`${k}`),
    sql`, `,
  )})`;

/**
 * The article links to one of the customers `customerIds` (a subquery of customer ids) or to one of their
 * opportunities.
 */
const aboutCustomers = (customerIds: SQL) => sql`EXISTS (SELECT 1 FROM ${knowledgeLinks} l
  WHERE l.article_id = ${A.id} AND (
    (l.target_type = 'customer' AND l.target_id IN ${customerIds})
    OR (l.target_type = 'opportunity' AND l.target_id IN (SELECT x.id FROM ${opportunities} x WHERE x.customer_id IN ${customerIds}))))`;

const reasonOf = (match: KnowledgeMatch, fields: Partial<KnowledgeReason> = {}): KnowledgeReason => ({
  match,
  lineName: null,
  stageName: null,
  industry: null,
  size: null,
  opportunityId: null,
  opportunityName: null,
  ...fields,
});

const articleColumns = {
  id: A.id,
  kind: A.kind,
  title: A.title,
  usefulCount: A.usefulCount,
  updatedAt: A.updatedAt,
};
type ArticleRow = { id: string; kind: KnowledgeKind; title: string; usefulCount: number; updatedAt: Date };
const present = (row: ArticleRow, reason: KnowledgeReason): RelatedArticle => ({
  id: row.id,
  kind: row.kind,
  title: row.title,
  usefulCount: row.usefulCount,
  updatedAt: row.updatedAt.toISOString(),
  reason,
});

const stageNameOf = (ctx: Ctx, stage: { nameZh: string | null; nameEn: string | null }) =>
  (ctx.actor.locale === 'en-US' ? stage.nameEn : stage.nameZh) ?? null;

/** The line matches (the article is about the line) — or, for a stage match, is about no line at all. */
const ofLine = (lineId: string) => sql`${lineId}::uuid = ANY(${A.businessLineIds})`;
const ofStage = (lineId: string, stageId: string) =>
  sql`(${A.stageId} = ${stageId}::uuid AND (${ofLine(lineId)} OR cardinality(${A.businessLineIds}) = 0))`;

/**
 * Beside an opportunity (404 unless the reader sees it): the articles of its business line and current stage, then
 * of its line, then the lessons, cases and insights about its customer, then the lessons and cases about similar
 * customers (the same industry, and the same size band when it has one) — each article once, at its best match;
 * within a match the most useful first, then the most recently changed.
 */
export async function opportunityKnowledge(ctx: Ctx, id: string): Promise<RelatedKnowledge> {
  const [o] = await ctx.db
    .select({
      customerId: opportunities.customerId,
      lineId: opportunities.businessLineId,
      stageId: opportunities.stageId,
      lineName: businessLines.name,
      stageNameZh: pipelineStages.nameZh,
      stageNameEn: pipelineStages.nameEn,
      industry: customers.industry,
      size: customers.size,
    })
    .from(opportunities)
    .innerJoin(customers, eq(customers.id, opportunities.customerId))
    .innerJoin(businessLines, eq(businessLines.id, opportunities.businessLineId))
    .innerJoin(pipelineStages, eq(pipelineStages.id, opportunities.stageId))
    .where(and(eq(opportunities.id, id), visibleOpportunities(ctx.actor)));
  if (!o) throw notFound();

  const stage = ofStage(o.lineId, o.stageId);
  const line = ofLine(o.lineId);
  const sameCustomer = and(kindIn(['lesson', 'case', 'insight']), aboutCustomers(sql`(SELECT ${o.customerId}::uuid)`))!;
  const industry = o.industry?.trim() || null;
  const similar = industry
    ? and(
        kindIn(['lesson', 'case']),
        aboutCustomers(
          sql`(SELECT c.id FROM ${customers} c WHERE c.industry = ${industry} AND c.id <> ${o.customerId}::uuid
            ${o.size ? sql`AND c.size = ${o.size}` : sql``})`,
        ),
      )!
    : sql`false`;
  const rank = sql<number>`(CASE WHEN ${stage} THEN 0 WHEN ${line} THEN 1 WHEN ${sameCustomer} THEN 2 ELSE 3 END)`;
  const rows = await ctx.db
    .select({ ...articleColumns, rank })
    .from(A)
    .where(and(readable(ctx), sql`(${stage} OR ${line} OR ${sameCustomer} OR ${similar})`))
    .orderBy(asc(rank), desc(A.usefulCount), desc(A.updatedAt), asc(A.id))
    .limit(RELATED_LIMIT);

  const lineName = o.lineName;
  const stageName = stageNameOf(ctx, { nameZh: o.stageNameZh, nameEn: o.stageNameEn });
  const reasons: KnowledgeReason[] = [
    reasonOf('stage', { lineName, stageName }),
    reasonOf('line', { lineName }),
    reasonOf('customer'),
    reasonOf('similar', { industry, size: o.size }),
  ];
  return { items: rows.map((row) => present(row, reasons[Number(row.rank)])) };
}

/**
 * Beside a customer (404 unless the reader sees it): its insights (articles of kind insight linked to it), then its
 * past lessons (linked to it or to one of its opportunities), the most recently changed first.
 */
export async function customerKnowledge(ctx: Ctx, id: string): Promise<RelatedKnowledge> {
  const [c] = await ctx.db
    .select({ id: customers.id })
    .from(customers)
    .where(and(eq(customers.id, id), visibleCustomers(ctx.actor)));
  if (!c) throw notFound();
  const linkedToIt = sql`EXISTS (SELECT 1 FROM ${knowledgeLinks} l WHERE l.article_id = ${A.id}
    AND l.target_type = 'customer' AND l.target_id = ${id}::uuid)`;
  const lesson = and(eq(A.kind, 'lesson'), aboutCustomers(sql`(SELECT ${id}::uuid)`))!;
  const insight = and(eq(A.kind, 'insight'), linkedToIt)!;
  const rows = await ctx.db
    .select(articleColumns)
    .from(A)
    .where(and(readable(ctx), sql`(${insight} OR ${lesson})`))
    .orderBy(sql`(${A.kind} = 'insight') DESC`, desc(A.updatedAt), asc(A.id))
    .limit(CUSTOMER_KNOWLEDGE_LIMIT);
  return { items: rows.map((row) => present(row, reasonOf(row.kind === 'insight' ? 'insight' : 'lesson'))) };
}

/** The reader has not opened the article yet. */
const unreadBy = (userId: string) =>
  sql`NOT EXISTS (SELECT 1 FROM ${knowledgeReads} r WHERE r.article_id = ${A.id} AND r.user_id = ${userId}::uuid)`;

/**
 * Today's suggested reading 今日推荐阅读 for the reader, `endOfDay` the end of their today: one article they have not
 * read yet —
 *  1. of the business line (better: line and stage) of one of their open opportunities with planned work due today or
 *     overdue (`today`);
 *  2. else of one of their open opportunities (`pipeline`);
 *  3. else the most useful firm-wide article changed within SUGGESTION_RECENT_DAYS (`firm`);
 *  4. else none.
 * Within each, a stage match before a line match, then the most useful, then the most recently changed.
 */
export async function suggestArticle(ctx: Ctx, endOfDay: Date): Promise<RelatedArticle | null> {
  const me = ctx.actor.id;
  const end = endOfDay.toISOString();
  // My open opportunities, those with planned work due by the end of today marked.
  const mine = sql`(SELECT o.id, o.name, o.business_line_id, o.stage_id,
      EXISTS (SELECT 1 FROM ${activities} a WHERE a.opportunity_id = o.id AND a.status = 'planned'
        AND a.due_at < ${sql.placeholder('end')}::timestamptz) AS due
    FROM ${opportunities} o WHERE o.owner_id = ${me}::uuid AND o.status = 'open')`;
  const lineOf = sql`m.business_line_id = ANY(${A.businessLineIds})`;
  const stageOf = sql`(${A.stageId} = m.stage_id AND (${lineOf} OR cardinality(${A.businessLineIds}) = 0)) IS TRUE`;
  // Prepared per reader (Today asks on every visit): planning it cost more than running it.
  const [hit] = await preparedRows<{
    id: string;
    kind: KnowledgeKind;
    title: string;
    useful_count: number;
    updated_at: string | Date;
    opportunity_id: string;
    opportunity_name: string;
    due: boolean;
    stage_match: boolean;
    line_name: string;
    stage_name_zh: string;
    stage_name_en: string;
  }>(
    ctx.db,
    `knowledge-suggestion|${actorKey(ctx.actor)}`,
    () => sql`SELECT ${A.id} AS id, ${A.kind} AS kind, ${A.title} AS title, ${A.usefulCount} AS useful_count,
        ${A.updatedAt} AS updated_at, m.id AS opportunity_id, m.name AS opportunity_name, m.due,
        ${stageOf} AS stage_match,
        (SELECT b.name FROM ${businessLines} b WHERE b.id = m.business_line_id) AS line_name,
        (SELECT s.name_zh FROM ${pipelineStages} s WHERE s.id = m.stage_id) AS stage_name_zh,
        (SELECT s.name_en FROM ${pipelineStages} s WHERE s.id = m.stage_id) AS stage_name_en
      FROM ${A} JOIN ${mine} m ON (${lineOf} OR ${stageOf})
      WHERE ${readable(ctx)} AND ${unreadBy(me)}
      ORDER BY m.due DESC, ${stageOf} DESC, ${A.usefulCount} DESC, ${A.updatedAt} DESC, ${A.id}, m.id
      LIMIT 1`,
  ).execute({ end });
  if (hit) {
    return present(
      {
        id: hit.id,
        kind: hit.kind,
        title: hit.title,
        usefulCount: Number(hit.useful_count),
        updatedAt: new Date(hit.updated_at),
      },
      reasonOf(hit.due ? 'today' : 'pipeline', {
        lineName: hit.line_name,
        stageName: hit.stage_match ? stageNameOf(ctx, { nameZh: hit.stage_name_zh, nameEn: hit.stage_name_en }) : null,
        opportunityId: hit.opportunity_id,
        opportunityName: hit.opportunity_name,
      }),
    );
  }
  const since = new Date(endOfDay.getTime() - (SUGGESTION_RECENT_DAYS + 1) * 86_400_000).toISOString();
  const [firm] = await ctx.db
    .select(articleColumns)
    .from(A)
    .where(and(readable(ctx), eq(A.visibility, 'firm'), sql`${A.updatedAt} >= ${since}::timestamptz`, unreadBy(me)))
    .orderBy(desc(A.usefulCount), desc(A.updatedAt), asc(A.id))
    .limit(1);
  return firm ? present(firm, reasonOf('firm')) : null;
}

/** `GET /api/v1/knowledge/suggestion`: today's suggestion, "today" in the reader's time zone (as on Today). */
export async function getSuggestion(ctx: Ctx, query: KnowledgeSuggestionQuery): Promise<KnowledgeSuggestion> {
  const timeZone = query.tz ?? (await preferencesOf(ctx.db, ctx.actor.id)).timeZone;
  const date = localDate(new Date(), timeZone);
  const endOfDay = zonedInstant(addDays(date, 1), { hour: 0 }, timeZone);
  return { suggestion: await suggestArticle(ctx, endOfDay) };
}
