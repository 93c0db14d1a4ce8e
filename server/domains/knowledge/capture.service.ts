import { and, asc, desc, eq, ilike, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type {
  CapturedArticle,
  InsightInput,
  InsightMark,
  InsightMarksQuery,
  LessonInput,
  LessonPrompt,
  LessonRate,
  LessonRateQuery,
  TemplateFilled,
  TemplateInput,
  TemplateListQuery,
  TemplateSummary,
  TemplateUseInput,
} from '../../../common/schemas/knowledge-capture';
import type { KnowledgeKind, KnowledgeLinkType, TemplateUse } from '../../../common/schemas/knowledge';
import { inTransaction, type Ctx } from '../../context';
import { AppError, invalidInput, isUniqueViolation, notFound } from '../../errors';
import { containsPattern } from '../../lib/listing';
import { addDays, FIRM_TIME_ZONE, localDate, zonedInstant } from '../../lib/time';
import { recordAudit } from '../audit/audit.service';
import { visibleCustomers } from '../customers/customers.policy';
import { contactLogs, contacts, customers, customerServices } from '../customers/customers.tables';
import { visibleEngagements } from '../engagements/engagements.policy';
import { engagements } from '../engagements/engagements.tables';
import { visibleOpportunities, writableOpportunities } from '../opportunities/opportunities.policy';
import { opportunities, opportunityStageChanges, pipelineStages } from '../opportunities/opportunities.tables';
import { businessLines, departments, users } from '../staff/staff.tables';
import { knowledgeInsightSources, knowledgeLessonPrompts } from './capture.tables';
import { visibleArticles } from './knowledge.policy';
import { insertArticle } from './articles.service';
import { knowledgeArticles } from './knowledge.tables';

/**
 * Knowledge captured where the work happens (issue 17, item 2): lessons 复盘 on closing an opportunity, customer
 * insights 客户洞察 from a contact-log entry or an engagement, templates 模板 saved from any text and used with
 * their placeholders filled.
 */

/** An article captured here: owned by the actor, shown firm-wide or to the people of its linked records. */
export type NewCapture = {
  kind: KnowledgeKind;
  title: string;
  body: string;
  templateUse?: TemplateUse | null;
  businessLineIds?: string[];
  tags?: string[];
  stageId?: string | null;
  visibility: 'firm' | 'linked';
  links?: { type: KnowledgeLinkType; id: string }[];
  /** The first version's note (who changed what). */
  note: string;
};

/**
 * Writes a captured article inside the caller's transaction through the knowledge base's own insertArticle (its
 * references checked, version 1, links, audit), and gives its id.
 */
export async function insertKnowledgeArticle(tx: Ctx, input: NewCapture): Promise<string> {
  const article = await insertArticle(tx, {
    kind: input.kind,
    title: input.title,
    body: input.body,
    templateUse: input.templateUse ?? undefined,
    businessLineIds: input.businessLineIds ?? [],
    tags: input.tags ?? [],
    stageId: input.stageId ?? undefined,
    visibility: input.visibility,
    links: input.links ?? [],
    note: input.note,
  });
  return article.id;
}

// ---------------------------------------------------------------------------------------------------------------
// Lessons 复盘

/** The opportunity as the lesson needs it, with whether the current closing was answered (the prompt row). */
async function closingOf(ctx: Ctx, id: string, write: boolean) {
  const query = ctx.db
    .select({
      id: opportunities.id,
      name: opportunities.name,
      status: opportunities.status,
      closedAt: opportunities.closedAt,
      customerId: opportunities.customerId,
      businessLineId: opportunities.businessLineId,
      stageId: opportunities.stageId,
      lostReason: opportunities.lostReason,
      competitor: opportunities.competitor,
      prompt: knowledgeLessonPrompts,
    })
    .from(opportunities)
    .leftJoin(
      knowledgeLessonPrompts,
      and(
        eq(knowledgeLessonPrompts.opportunityId, opportunities.id),
        eq(knowledgeLessonPrompts.closedAt, opportunities.closedAt),
      ),
    )
    .where(and(eq(opportunities.id, id), write ? writableOpportunities(ctx.actor) : visibleOpportunities(ctx.actor)))
    .$dynamic();
  // Under a lock of the opportunity when answering: a move or a reopen meanwhile waits.
  const [row] = await (write ? query.for('update', { of: opportunities }) : query);
  if (!row) throw notFound();
  return row;
}

function presentPrompt(row: Awaited<ReturnType<typeof closingOf>>): LessonPrompt {
  const closed = row.status !== 'open';
  const p = row.prompt;
  return {
    opportunityId: row.id,
    status: !closed ? 'open' : (p?.status ?? 'unanswered'),
    outcome: closed ? (row.status as 'won' | 'lost') : null,
    closedAt: closed && row.closedAt ? row.closedAt.toISOString() : null,
    articleId: p?.articleId ?? null,
    by: p?.by ?? null,
    at: p?.at.toISOString() ?? null,
  };
}

/** Where the lesson of the opportunity's current closing stands. */
export async function getLessonPrompt(ctx: Ctx, opportunityId: string): Promise<LessonPrompt> {
  return presentPrompt(await closingOf(ctx, opportunityId, false));
}

/** The closing the answer is for: closed, writable, not answered yet (else 404 / 400 / 409). */
async function openClosing(tx: Ctx, opportunityId: string) {
  const row = await closingOf(tx, opportunityId, true);
  if (row.status === 'open' || !row.closedAt) throw new AppError('LESSON_OPPORTUNITY_OPEN');
  if (row.prompt) throw new AppError('LESSON_ANSWERED', {}, { status: row.prompt.status });
  return row as typeof row & { status: 'won' | 'lost' };
}

/** The prompt row of the closing; its closed_at copied in SQL (microseconds kept, so it matches the opportunity's). */
async function answer(
  tx: Ctx,
  opportunityId: string,
  outcome: 'won' | 'lost',
  status: 'written' | 'skipped',
  articleId: string | null,
) {
  try {
    await tx.db.insert(knowledgeLessonPrompts).values({
      opportunityId,
      outcome,
      closedAt: sql`(SELECT ${opportunities.closedAt} FROM ${opportunities} WHERE ${opportunities.id} = ${opportunityId})`,
      status,
      articleId,
      by: tx.actor.id,
    });
  } catch (error) {
    if (isUniqueViolation(error, 'knowledge_lesson_prompts_closing_key')) throw new AppError('LESSON_ANSWERED');
    throw error;
  }
}

/** "1234567.5" → "1,234,567.50" (exact: string arithmetic only). */
export function formatPrice(value: string): string {
  const [whole, fraction = ''] = value.split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction.padEnd(2, '0')}`;
}

/** The lesson's Markdown: what worked, what to do differently, and a table of the facts. */
export function lessonBody(
  outcome: 'won' | 'lost',
  input: LessonInput,
  facts: { stageName: string | null; lostReason: string | null },
): string {
  const parts: string[] = [];
  if (input.worked) parts.push(`## 做得好的地方\n\n${input.worked}`);
  if (input.improve) parts.push(`## 下次改进\n\n${input.improve}`);
  const rows: [string, string][] = [['结果', outcome === 'won' ? '赢单' : '输单']];
  if (facts.stageName) rows.push(['结单前阶段', facts.stageName]);
  if (facts.lostReason) rows.push(['输单原因', facts.lostReason]);
  if (input.competitor) rows.push(['竞争对手', input.competitor]);
  if (input.price) rows.push(['价格', `¥${formatPrice(input.price)}`]);
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
  parts.push(['| 项目 | 内容 |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`)].join('\n'));
  return parts.join('\n\n');
}

/**
 * Writes the lesson 复盘 of the opportunity's current closing: an article of kind `lesson` titled
 * 「复盘：<name>（赢单|输单）」, of the opportunity's business line and of the stage it was in before it was closed,
 * linked to the customer and the opportunity; visible firm-wide by default (or only to who sees those records).
 * One answer per closing: a second is 409 LESSON_ANSWERED; reopened and closed again asks again.
 */
export async function writeLesson(ctx: Ctx, opportunityId: string, input: LessonInput): Promise<CapturedArticle> {
  return inTransaction(ctx, async (tx) => {
    const opp = await openClosing(tx, opportunityId);
    // The stage it was won or lost at: where it stood before the move to won / lost.
    const [change] = await tx.db
      .select({ fromStageId: opportunityStageChanges.fromStageId, nameZh: pipelineStages.nameZh })
      .from(opportunityStageChanges)
      .leftJoin(pipelineStages, eq(pipelineStages.id, opportunityStageChanges.fromStageId))
      .where(
        and(
          eq(opportunityStageChanges.opportunityId, opportunityId),
          eq(opportunityStageChanges.toStatus, opp.status),
          inArray(opportunityStageChanges.fromStatus, ['open']),
        ),
      )
      .orderBy(desc(opportunityStageChanges.at))
      .limit(1);
    const outcomeZh = opp.status === 'won' ? '赢单' : '输单';
    const title = `复盘：${opp.name}（${outcomeZh}）`.slice(0, 200);
    const articleId = await insertKnowledgeArticle(tx, {
      kind: 'lesson',
      title,
      body: lessonBody(opp.status, input, {
        stageName: change?.nameZh ?? null,
        lostReason: opp.status === 'lost' ? opp.lostReason : null,
      }),
      businessLineIds: [opp.businessLineId],
      tags: ['复盘', outcomeZh, ...(input.competitor ? [input.competitor.slice(0, 50)] : [])],
      stageId: change?.fromStageId ?? opp.stageId,
      visibility: input.visibility,
      links: [
        { type: 'customer', id: opp.customerId },
        { type: 'opportunity', id: opp.id },
      ],
      note: '复盘',
    });
    await answer(tx, opportunityId, opp.status, 'written', articleId);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'opportunity',
      entityId: opportunityId,
      after: { lesson: 'written', outcome: opp.status, articleId, visibility: input.visibility },
    });
    return { articleId, kind: 'lesson', title };
  });
}

/** Skips the lesson of the current closing (counted as skipped in the lesson rate). */
export async function skipLesson(ctx: Ctx, opportunityId: string): Promise<LessonPrompt> {
  await inTransaction(ctx, async (tx) => {
    const opp = await openClosing(tx, opportunityId);
    await answer(tx, opportunityId, opp.status, 'skipped', null);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'opportunity',
      entityId: opportunityId,
      after: { lesson: 'skipped', outcome: opp.status },
    });
  });
  return getLessonPrompt(ctx, opportunityId);
}

/**
 * Lessons written per closed deal: the opportunities the caller sees that were won or lost in the period (the
 * firm's days, their current closing), how many lessons were written, skipped or not answered; per department
 * or owner when asked.
 */
export async function getLessonRate(ctx: Ctx, query: LessonRateQuery): Promise<LessonRate> {
  const today = localDate(new Date(), FIRM_TIME_ZONE);
  const to = query.to ?? today;
  const from = query.from ?? addDays(to, -90);
  if (from > to) throw invalidInput(ctx.actor.locale, [{ path: 'to', key: 'validation.endBeforeStart' }]);
  const start = zonedInstant(from, { hour: 0 }, FIRM_TIME_ZONE);
  const end = zonedInstant(addDays(to, 1), { hour: 0 }, FIRM_TIME_ZONE);
  const key =
    query.by === 'owner'
      ? opportunities.ownerId
      : query.by === 'department'
        ? opportunities.departmentId
        : sql<null>`NULL::uuid`;
  const rows = await ctx.db
    .select({
      id: sql<string | null>`${key}`,
      closed: sql<number>`count(*)::int`,
      written: sql<number>`(count(*) FILTER (WHERE ${knowledgeLessonPrompts.status} = 'written'))::int`,
      skipped: sql<number>`(count(*) FILTER (WHERE ${knowledgeLessonPrompts.status} = 'skipped'))::int`,
    })
    .from(opportunities)
    .leftJoin(
      knowledgeLessonPrompts,
      and(
        eq(knowledgeLessonPrompts.opportunityId, opportunities.id),
        eq(knowledgeLessonPrompts.closedAt, opportunities.closedAt),
      ),
    )
    .where(
      and(
        inArray(opportunities.status, ['won', 'lost']),
        sql`${opportunities.closedAt} >= ${start.toISOString()}::timestamptz`,
        sql`${opportunities.closedAt} < ${end.toISOString()}::timestamptz`,
        visibleOpportunities(ctx.actor),
      ),
    )
    .groupBy(key);
  const names = new Map<string, string>();
  const ids = rows.map((r) => r.id).filter((id): id is string => !!id);
  if (ids.length && query.by === 'owner')
    for (const u of await ctx.db
      .select({ id: users.id, name: users.displayName })
      .from(users)
      .where(inArray(users.id, ids)))
      names.set(u.id, u.name);
  if (ids.length && query.by === 'department')
    for (const d of await ctx.db
      .select({ id: departments.id, name: departments.name })
      .from(departments)
      .where(inArray(departments.id, ids)))
      names.set(d.id, d.name);
  const counts = (closed: number, written: number, skipped: number) => ({
    closed,
    written,
    skipped,
    unanswered: closed - written - skipped,
    ratePercent: closed ? Math.round((written * 100) / closed) : null,
  });
  const sum = (k: 'closed' | 'written' | 'skipped') => rows.reduce((n, r) => n + r[k], 0);
  return {
    from,
    to,
    ...counts(sum('closed'), sum('written'), sum('skipped')),
    rows: query.by
      ? rows
          .map((r) => ({
            id: r.id,
            name: r.id ? (names.get(r.id) ?? null) : null,
            ...counts(r.closed, r.written, r.skipped),
          }))
          .sort((a, b) => b.closed - a.closed || (a.name ?? '').localeCompare(b.name ?? '', 'zh-CN'))
      : [],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Customer insights 客户洞察

const firstLine = (text: string) => {
  const line = text.trim().split('\n')[0].trim();
  return line.length > 60 ? `${line.slice(0, 60)}…` : line;
};

async function markInsight(
  tx: Ctx,
  source: { type: 'contact-log' | 'engagement'; id: string; customerId: string; engagementId?: string },
  defaults: { title: string; body: string; businessLineIds: string[] },
  input: InsightInput,
): Promise<CapturedArticle> {
  const [taken] = await tx.db
    .select({ articleId: knowledgeInsightSources.articleId })
    .from(knowledgeInsightSources)
    .where(and(eq(knowledgeInsightSources.sourceType, source.type), eq(knowledgeInsightSources.sourceId, source.id)));
  if (taken) throw new AppError('INSIGHT_EXISTS', {}, { articleId: taken.articleId });
  const title = (input.title ?? defaults.title).slice(0, 200);
  const articleId = await insertKnowledgeArticle(tx, {
    kind: 'insight',
    title,
    body: input.body ?? defaults.body,
    businessLineIds: defaults.businessLineIds,
    tags: ['客户洞察'],
    visibility: input.visibility,
    links: [
      { type: 'customer', id: source.customerId },
      ...(source.engagementId ? [{ type: 'engagement' as const, id: source.engagementId }] : []),
    ],
    note: '标记为客户洞察',
  });
  try {
    await tx.db
      .insert(knowledgeInsightSources)
      .values({ sourceType: source.type, sourceId: source.id, articleId, customerId: source.customerId });
  } catch (error) {
    if (isUniqueViolation(error, 'knowledge_insight_sources_key')) throw new AppError('INSIGHT_EXISTS');
    throw error;
  }
  return { articleId, kind: 'insight', title };
}

/** Marks a contact-log entry (of a customer the caller sees) as a customer insight linked to its customer. */
export async function insightFromContactLog(ctx: Ctx, id: string, input: InsightInput): Promise<CapturedArticle> {
  return inTransaction(ctx, async (tx) => {
    const [log] = await tx.db
      .select({
        id: contactLogs.id,
        customerId: contactLogs.customerId,
        summary: contactLogs.summary,
        customerName: customers.name,
      })
      .from(contactLogs)
      .innerJoin(customers, eq(customers.id, contactLogs.customerId))
      .where(and(eq(contactLogs.id, id), visibleCustomers(tx.actor)));
    if (!log) throw notFound();
    const lines = await tx.db
      .selectDistinct({ id: customerServices.businessLineId })
      .from(customerServices)
      .where(and(eq(customerServices.customerId, log.customerId), eq(customerServices.active, true)));
    return markInsight(
      tx,
      { type: 'contact-log', id, customerId: log.customerId },
      {
        title: `客户洞察：${log.customerName}——${firstLine(log.summary)}`,
        body: log.summary,
        businessLineIds: lines.map((l) => l.id),
      },
      input,
    );
  });
}

/** Marks an engagement (the caller sees) as a customer insight linked to its customer and to it. */
export async function insightFromEngagement(ctx: Ctx, id: string, input: InsightInput): Promise<CapturedArticle> {
  return inTransaction(ctx, async (tx) => {
    const [e] = await tx.db
      .select({
        id: engagements.id,
        title: engagements.title,
        customerId: engagements.customerId,
        businessLineId: engagements.businessLineId,
        customerName: customers.name,
      })
      .from(engagements)
      .innerJoin(customers, eq(customers.id, engagements.customerId))
      .where(and(eq(engagements.id, id), visibleEngagements(tx.actor)));
    if (!e) throw notFound();
    return markInsight(
      tx,
      { type: 'engagement', id, customerId: e.customerId, engagementId: e.id },
      { title: `客户洞察：${e.customerName}——${e.title}`, body: e.title, businessLineIds: [e.businessLineId] },
      input,
    );
  });
}

/**
 * The entries of a customer (contact logs and engagements) or of one engagement that became insights — only those
 * whose customer / engagement the caller sees; the article's title only when the caller may read it.
 */
export async function findInsightMarks(ctx: Ctx, query: InsightMarksQuery): Promise<InsightMark[]> {
  if (!query.customerId && !query.engagementId) return [];
  const scope: SQL[] = [];
  if (query.customerId) {
    const [seen] = await ctx.db
      .select({ id: customers.id })
      .from(customers)
      .where(and(eq(customers.id, query.customerId), visibleCustomers(ctx.actor)));
    if (!seen) throw notFound();
    scope.push(
      and(
        eq(knowledgeInsightSources.customerId, query.customerId),
        eq(knowledgeInsightSources.sourceType, 'contact-log'),
      )!,
    );
    scope.push(
      and(
        eq(knowledgeInsightSources.sourceType, 'engagement'),
        eq(knowledgeInsightSources.customerId, query.customerId),
        sql`${knowledgeInsightSources.sourceId} IN (SELECT ${engagements.id} FROM ${engagements} WHERE ${visibleEngagements(ctx.actor)})`,
      )!,
    );
  }
  if (query.engagementId) {
    const [seen] = await ctx.db
      .select({ id: engagements.id })
      .from(engagements)
      .where(and(eq(engagements.id, query.engagementId), visibleEngagements(ctx.actor)));
    if (!seen) throw notFound();
    scope.push(
      and(
        eq(knowledgeInsightSources.sourceType, 'engagement'),
        eq(knowledgeInsightSources.sourceId, query.engagementId),
      )!,
    );
  }
  const rows = await ctx.db
    .select({
      sourceType: knowledgeInsightSources.sourceType,
      sourceId: knowledgeInsightSources.sourceId,
      articleId: knowledgeInsightSources.articleId,
      title: sql<string | null>`CASE WHEN ${visibleArticles(ctx.actor)} THEN ${knowledgeArticles.title} END`,
    })
    .from(knowledgeInsightSources)
    .innerJoin(knowledgeArticles, eq(knowledgeArticles.id, knowledgeInsightSources.articleId))
    .where(or(...scope))
    .orderBy(asc(knowledgeInsightSources.createdAt))
    .limit(500);
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// Templates 模板

const templateColumns = {
  id: knowledgeArticles.id,
  title: knowledgeArticles.title,
  templateUse: knowledgeArticles.templateUse,
  businessLineIds: knowledgeArticles.businessLineIds,
  useCount: knowledgeArticles.useCount,
  ownerName: users.displayName,
  excerpt: sql<string>`left(${knowledgeArticles.body}, 200)`,
  updatedAt: knowledgeArticles.updatedAt,
};

function presentTemplate(r: { updatedAt: Date } & Omit<TemplateSummary, 'updatedAt'>): TemplateSummary {
  return { ...r, updatedAt: r.updatedAt.toISOString() };
}

/** Saves any text as a template 模板 (visible firm-wide), for the screen it is meant for. */
export async function saveTemplate(ctx: Ctx, input: TemplateInput): Promise<TemplateSummary> {
  const id = await inTransaction(ctx, async (tx) => {
    const lineIds = [...new Set(input.businessLineIds ?? [])];
    if (lineIds.length) {
      const found = await tx.db
        .select({ id: businessLines.id })
        .from(businessLines)
        .where(inArray(businessLines.id, lineIds));
      if (found.length !== lineIds.length) throw new AppError('INACTIVE_REFERENCE', {}, { field: 'businessLineIds' });
    }
    return insertKnowledgeArticle(tx, {
      kind: 'template',
      title: input.title,
      body: input.body,
      templateUse: input.templateUse,
      businessLineIds: lineIds,
      tags: ['模板'],
      visibility: 'firm',
      note: '存为模板',
    });
  });
  const [row] = await ctx.db
    .select(templateColumns)
    .from(knowledgeArticles)
    .innerJoin(users, eq(users.id, knowledgeArticles.ownerId))
    .where(eq(knowledgeArticles.id, id));
  return presentTemplate(row);
}

/**
 * The templates the caller may use: visible, not archived, for the screen asked (`use`) and of the business line
 * asked (or of none: templates for every line); most used first. At most 100.
 */
export async function findTemplates(ctx: Ctx, query: TemplateListQuery): Promise<TemplateSummary[]> {
  const filters: (SQL | undefined)[] = [
    eq(knowledgeArticles.kind, 'template'),
    isNull(knowledgeArticles.archivedAt),
    visibleArticles(ctx.actor),
  ];
  if (query.use) filters.push(eq(knowledgeArticles.templateUse, query.use));
  if (query.businessLineId)
    filters.push(
      or(
        sql`${knowledgeArticles.businessLineIds} = '{}'::uuid[]`,
        sql`${knowledgeArticles.businessLineIds} @> ARRAY[${query.businessLineId}]::uuid[]`,
      ),
    );
  if (query.q) filters.push(ilike(knowledgeArticles.title, containsPattern(query.q)));
  const rows = await ctx.db
    .select(templateColumns)
    .from(knowledgeArticles)
    .innerJoin(users, eq(users.id, knowledgeArticles.ownerId))
    .where(and(...filters))
    .orderBy(desc(knowledgeArticles.useCount), desc(knowledgeArticles.updatedAt), asc(knowledgeArticles.id))
    .limit(100);
  return rows.map(presentTemplate);
}

/** Fills {客户名称} {联系人} {业务线} {我的姓名} {今天}; placeholders without a value stay as they are. */
export function fillPlaceholders(body: string, values: Record<string, string>): string {
  return body.replace(/\{([^{}\n]{1,20})\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * Uses a template: counts the use and answers its body with the placeholders filled from the customer or
 * opportunity given (each only if the caller sees it — else 404, like an unknown id).
 */
export async function useTemplate(ctx: Ctx, id: string, input: TemplateUseInput): Promise<TemplateFilled> {
  return inTransaction(ctx, async (tx) => {
    const [template] = await tx.db
      .select({ id: knowledgeArticles.id, title: knowledgeArticles.title, body: knowledgeArticles.body })
      .from(knowledgeArticles)
      .where(
        and(
          eq(knowledgeArticles.id, id),
          eq(knowledgeArticles.kind, 'template'),
          isNull(knowledgeArticles.archivedAt),
          visibleArticles(tx.actor),
        ),
      );
    if (!template) throw notFound();
    const values: Record<string, string> = {
      我的姓名: tx.actor.displayName,
      今天: localDate(new Date(), FIRM_TIME_ZONE),
    };
    let customerId = input.customerId;
    let contactId: string | null = null;
    if (input.opportunityId) {
      const [opp] = await tx.db
        .select({ customerId: opportunities.customerId, contactId: opportunities.contactId, line: businessLines.name })
        .from(opportunities)
        .innerJoin(businessLines, eq(businessLines.id, opportunities.businessLineId))
        .where(and(eq(opportunities.id, input.opportunityId), visibleOpportunities(tx.actor)));
      if (!opp) throw notFound();
      values['业务线'] = opp.line;
      customerId ??= opp.customerId;
      contactId = opp.customerId === customerId ? opp.contactId : null;
    }
    if (customerId) {
      const [customer] = await tx.db
        .select({ name: customers.name })
        .from(customers)
        .where(and(eq(customers.id, customerId), visibleCustomers(tx.actor)));
      if (!customer) throw notFound();
      values['客户名称'] = customer.name;
      const [contact] = await tx.db
        .select({ name: contacts.name })
        .from(contacts)
        .where(
          and(
            eq(contacts.customerId, customerId),
            contactId ? eq(contacts.id, contactId) : eq(contacts.isPrimary, true),
          ),
        )
        .limit(1);
      if (contact) values['联系人'] = contact.name;
    }
    const [counted] = await tx.db
      .update(knowledgeArticles)
      .set({ useCount: sql`${knowledgeArticles.useCount} + 1` })
      .where(eq(knowledgeArticles.id, id))
      .returning({ useCount: knowledgeArticles.useCount });
    return {
      id,
      title: template.title,
      body: fillPlaceholders(template.body, values),
      useCount: counted.useCount,
      values,
    };
  });
}
