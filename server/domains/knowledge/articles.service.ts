import {
  aliasedTable,
  and,
  arrayContains,
  asc,
  count,
  desc,
  eq,
  gte,
  ilike,
  inArray,
  isNull,
  isNotNull,
  ne,
  sql,
  type SQL,
} from 'drizzle-orm';
import type { z } from 'zod';
import type { MessageKey } from '../../../common/i18n';
import type { Page } from '../../../common/schemas/common';
import type { Attachment } from '../../../common/schemas/files';
import type {
  KnowledgeArticle,
  KnowledgeArticleCreate,
  KnowledgeArticleItem,
  KnowledgeArticleUpdate,
  KnowledgeContributor,
  KnowledgeContributors,
  KnowledgeContributorsQuery,
  KnowledgeLink,
  KnowledgeLinkInput,
  KnowledgeLinkType,
  KnowledgeListQuery,
  KnowledgeStaleQuery,
  KnowledgeStewardship,
  KnowledgeUsefulState,
  KnowledgeVersion,
  KnowledgeVersionItem,
} from '../../../common/schemas/knowledge';
import { KnowledgeArticleCreate as CreateSchema } from '../../../common/schemas/knowledge';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, forbidden, inactiveReference, invalidInput, notFound } from '../../errors';
import { containsPattern, offsetOf, orderFrom, outer, pageWithTotal } from '../../lib/listing';
import { FIRM_TIME_ZONE, localDate, zonedInstant } from '../../lib/time';
import { can, type Actor } from '../../policy';
import { titleInitials } from '../../lib/search-text';
import { recordAudit } from '../audit/audit.service';
import { assertQuota } from '../customers/contact-logs.service';
import { visibleCustomers } from '../customers/customers.policy';
import { customers } from '../customers/customers.tables';
import { visibleEngagements } from '../engagements/engagements.policy';
import { engagements } from '../engagements/engagements.tables';
import {
  attachmentsOf,
  deleteFile,
  fileTypeOf,
  getFile,
  lockUploadsOf,
  readAttachments,
  storeFile,
  type Upload,
} from '../files/files.service';
import { visibleOpportunities } from '../opportunities/opportunities.policy';
import { opportunities, pipelineStages } from '../opportunities/opportunities.tables';
import { businessLines, departments, users } from '../staff/staff.tables';
import { visibleArticles, writableArticles } from './knowledge.policy';
import {
  knowledgeArticles,
  knowledgeArticleVersions,
  knowledgeLinks,
  knowledgeMarks,
  knowledgeReads,
} from './knowledge.tables';

/*
 * The knowledge base 知识库: articles, their versions, links, "useful" marks, reads and attachments.
 * Every read goes through visibleArticles (out of scope answers as an unknown id, 404); changes need
 * writableArticles (the owner, the author, or knowledge:manage) and are audited in their transaction.
 */

const owners = aliasedTable(users, 'knowledge_owners');
const authors = aliasedTable(users, 'knowledge_authors');
const shownDepartments = aliasedTable(departments, 'knowledge_departments');

/** Today in the firm's time zone (review dates are calendar days there). */
const today = () => localDate(new Date(), FIRM_TIME_ZONE);

const staleNow = () =>
  sql<boolean>`(${knowledgeArticles.archivedAt} IS NULL AND ${knowledgeArticles.reviewOn} IS NOT NULL AND ${knowledgeArticles.reviewOn} < ${today()})`;

function selectArticles(db: Db, actor: Actor) {
  // (Joined, below, is what a row of this select is.)
  return db
    .select({
      row: knowledgeArticles,
      ownerName: owners.displayName,
      authorName: authors.displayName,
      departmentName: shownDepartments.name,
      stale: staleNow(),
      writable: sql<boolean>`${writableArticles(actor)}`,
      lines: sql<
        { id: string; name: string }[]
      >`coalesce((SELECT json_agg(json_build_object('id', bl.id, 'name', bl.name) ORDER BY bl.sort_order, bl.name)
        FROM ${businessLines} bl WHERE bl.id = ANY(${outer(knowledgeArticles.businessLineIds)})), '[]'::json)`,
    })
    .from(knowledgeArticles)
    .innerJoin(owners, eq(owners.id, knowledgeArticles.ownerId))
    .leftJoin(authors, eq(authors.id, knowledgeArticles.createdBy))
    .leftJoin(shownDepartments, eq(shownDepartments.id, knowledgeArticles.departmentId))
    .$dynamic();
}

type Joined = {
  row: typeof knowledgeArticles.$inferSelect;
  ownerName: string;
  authorName: string | null;
  departmentName: string | null;
  stale: boolean;
  writable: boolean;
  lines: { id: string; name: string }[];
};

function presentItem(r: Joined): KnowledgeArticleItem {
  const a = r.row;
  return {
    id: a.id,
    kind: a.kind,
    title: a.title,
    templateUse: a.templateUse,
    businessLines: r.lines,
    tags: a.tags,
    stageId: a.stageId,
    visibility: a.visibility,
    departmentId: a.departmentId,
    departmentName: r.departmentName,
    owner: { id: a.ownerId, name: r.ownerName },
    author: a.createdBy && r.authorName ? { id: a.createdBy, name: r.authorName } : null,
    reviewOn: a.reviewOn,
    stale: r.stale,
    version: a.version,
    archivedAt: a.archivedAt?.toISOString() ?? null,
    viewCount: a.viewCount,
    usefulCount: a.usefulCount,
    useCount: a.useCount,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

/** A validation failure found by the service, shaped like the schema's (`body.<field>`). */
const invalid = (ctx: Ctx, field: string, key: MessageKey) =>
  invalidInput(ctx.actor.locale, [{ path: `body.${field}`, key }]);

// ---------------------------------------------------------------------------------------------- lists

export async function findArticles(ctx: Ctx, query: KnowledgeListQuery): Promise<Page<KnowledgeArticleItem>> {
  const filters: (SQL | undefined)[] = [visibleArticles(ctx.actor)];
  filters.push(query.archived ? isNotNull(knowledgeArticles.archivedAt) : isNull(knowledgeArticles.archivedAt));
  if (query.kind) filters.push(eq(knowledgeArticles.kind, query.kind));
  if (query.businessLineId) filters.push(arrayContains(knowledgeArticles.businessLineIds, [query.businessLineId]));
  if (query.tag) filters.push(arrayContains(knowledgeArticles.tags, [query.tag]));
  if (query.ownerId) filters.push(eq(knowledgeArticles.ownerId, query.ownerId));
  if (query.stale !== undefined) filters.push(query.stale ? staleNow() : sql`NOT ${staleNow()}`);
  if (query.q) filters.push(ilike(knowledgeArticles.title, containsPattern(query.q)));
  return pageOfArticles(ctx, query, and(...filters)!, '-updatedAt');
}

type ArticleSort =
  | 'updatedAt'
  | 'title'
  | 'viewCount'
  | 'usefulCount'
  | 'reviewOn'
  | `-${'updatedAt' | 'title' | 'viewCount' | 'usefulCount' | 'reviewOn'}`;

async function pageOfArticles(
  ctx: Ctx,
  query: { page: number; pageSize: number; sort?: ArticleSort },
  where: SQL,
  defaultSort: ArticleSort,
): Promise<Page<KnowledgeArticleItem>> {
  const order = orderFrom(
    query.sort,
    {
      updatedAt: knowledgeArticles.updatedAt,
      title: knowledgeArticles.title,
      viewCount: knowledgeArticles.viewCount,
      usefulCount: knowledgeArticles.usefulCount,
      reviewOn: knowledgeArticles.reviewOn,
    },
    defaultSort,
    knowledgeArticles.id,
  );
  const { rows, total } = await pageWithTotal(
    query,
    selectArticles(ctx.db, ctx.actor)
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () => ctx.db.select({ total: count() }).from(knowledgeArticles).where(where),
  );
  return { items: rows.map(presentItem), total, page: query.page, pageSize: query.pageSize };
}

/** Stale articles 待复审 (past their review date, not archived): one's own; with knowledge:manage everyone's. */
export async function findStaleArticles(ctx: Ctx, query: KnowledgeStaleQuery): Promise<Page<KnowledgeArticleItem>> {
  const filters: (SQL | undefined)[] = [visibleArticles(ctx.actor), staleNow()];
  if (!can(ctx.actor, 'knowledge:manage')) filters.push(eq(knowledgeArticles.ownerId, ctx.actor.id));
  else if (query.ownerId) filters.push(eq(knowledgeArticles.ownerId, query.ownerId));
  if (query.q) filters.push(ilike(knowledgeArticles.title, containsPattern(query.q)));
  return pageOfArticles(ctx, query, and(...filters)!, 'reviewOn');
}

// ---------------------------------------------------------------------------------------------- one article

/** The links of an article as this reader sees them: titles only of the records they may see. */
async function linksOf(ctx: Ctx, articleId: string): Promise<KnowledgeLink[]> {
  const rows = await ctx.db
    .select({ type: knowledgeLinks.targetType, id: knowledgeLinks.targetId })
    .from(knowledgeLinks)
    .where(eq(knowledgeLinks.articleId, articleId))
    .orderBy(asc(knowledgeLinks.createdAt), asc(knowledgeLinks.targetType), asc(knowledgeLinks.targetId));
  const titles = new Map<string, string>();
  const idsOf = (type: KnowledgeLinkType) => rows.filter((r) => r.type === type).map((r) => r.id);
  const collect = async (type: KnowledgeLinkType, found: Promise<{ id: string; title: string }[]>) => {
    for (const r of await found) titles.set(`${type}:${r.id}`, r.title);
  };
  const customerIds = idsOf('customer');
  if (customerIds.length)
    await collect(
      'customer',
      ctx.db
        .select({ id: customers.id, title: customers.name })
        .from(customers)
        .where(and(inArray(customers.id, customerIds), visibleCustomers(ctx.actor))),
    );
  const opportunityIds = idsOf('opportunity');
  if (opportunityIds.length)
    await collect(
      'opportunity',
      ctx.db
        .select({ id: opportunities.id, title: opportunities.name })
        .from(opportunities)
        .where(and(inArray(opportunities.id, opportunityIds), visibleOpportunities(ctx.actor))),
    );
  const engagementIds = idsOf('engagement');
  if (engagementIds.length)
    await collect(
      'engagement',
      ctx.db
        .select({ id: engagements.id, title: engagements.title })
        .from(engagements)
        .where(and(inArray(engagements.id, engagementIds), visibleEngagements(ctx.actor))),
    );
  const articleIds = idsOf('article');
  if (articleIds.length)
    await collect(
      'article',
      ctx.db
        .select({ id: knowledgeArticles.id, title: knowledgeArticles.title })
        .from(knowledgeArticles)
        .where(and(inArray(knowledgeArticles.id, articleIds), visibleArticles(ctx.actor))),
    );
  return rows.map((r) => {
    const title = titles.get(`${r.type}:${r.id}`);
    return { type: r.type, id: r.id, title: title ?? null, available: title !== undefined };
  });
}

async function visibleRow(ctx: Ctx, id: string): Promise<Joined> {
  const [row] = await selectArticles(ctx.db, ctx.actor).where(
    and(eq(knowledgeArticles.id, id), visibleArticles(ctx.actor)),
  );
  if (!row) throw notFound();
  return row;
}

/** One article as the reader sees it (no read is counted: see readArticle). 404 when out of the reader's scope. */
export async function getArticle(ctx: Ctx, id: string): Promise<KnowledgeArticle> {
  const row = await visibleRow(ctx, id);
  const [extra] = await ctx.db
    .select({
      attachments: attachmentsOf('knowledge', outer(knowledgeArticles.id)),
      marked: sql<boolean>`EXISTS (SELECT 1 FROM ${knowledgeMarks} m WHERE m.article_id = ${outer(knowledgeArticles.id)} AND m.user_id = ${ctx.actor.id})`,
    })
    .from(knowledgeArticles)
    .where(eq(knowledgeArticles.id, id));
  return {
    ...presentItem(row),
    body: row.row.body,
    links: await linksOf(ctx, id),
    attachments: readAttachments(extra.attachments),
    markedUseful: extra.marked,
    writable: row.writable,
  };
}

/**
 * Opens an article for reading: its view count grows by one per reader per calendar day (Asia/Shanghai) —
 * reopening it the same day counts nothing; knowledge_reads keeps each reader's count, first and last read.
 */
export async function readArticle(ctx: Ctx, id: string): Promise<KnowledgeArticle> {
  return inTransaction(ctx, async (tx) => {
    await visibleRow(tx, id);
    const now = new Date();
    const startOfDay = zonedInstant(localDate(now, FIRM_TIME_ZONE), { hour: 0 }, FIRM_TIME_ZONE);
    const [before] = await tx.db
      .select({ lastReadAt: knowledgeReads.lastReadAt })
      .from(knowledgeReads)
      .where(and(eq(knowledgeReads.articleId, id), eq(knowledgeReads.userId, ctx.actor.id)))
      .for('update');
    let counted: boolean;
    if (!before) {
      const inserted = await tx.db
        .insert(knowledgeReads)
        .values({ articleId: id, userId: ctx.actor.id, firstReadAt: now, lastReadAt: now })
        .onConflictDoNothing()
        .returning({ articleId: knowledgeReads.articleId });
      counted = inserted.length > 0;
    } else {
      counted = before.lastReadAt < startOfDay;
      await tx.db
        .update(knowledgeReads)
        .set({ lastReadAt: now, ...(counted ? { count: sql`${knowledgeReads.count} + 1` } : {}) })
        .where(and(eq(knowledgeReads.articleId, id), eq(knowledgeReads.userId, ctx.actor.id)));
    }
    if (counted)
      await tx.db
        .update(knowledgeArticles)
        .set({ viewCount: sql`${knowledgeArticles.viewCount} + 1` })
        .where(eq(knowledgeArticles.id, id));
    return getArticle(tx, id);
  });
}

/** For changes: 404 when the article is out of scope, 403 when visible but not the actor's to change. */
async function writableRow(ctx: Ctx, id: string, options: { lock?: boolean; current?: boolean } = {}) {
  const row = await visibleRow(ctx, id);
  if (!row.writable) throw forbidden();
  if (options.lock)
    await ctx.db
      .select({ id: knowledgeArticles.id })
      .from(knowledgeArticles)
      .where(eq(knowledgeArticles.id, id))
      .for('update');
  if (options.current && row.row.archivedAt) throw new AppError('KNOWLEDGE_ARCHIVED');
  return row;
}

// ---------------------------------------------------------------------------------------------- checks

async function assertBusinessLines(ctx: Ctx, ids: string[]) {
  const wanted = [...new Set(ids)];
  if (!wanted.length) return;
  const found = await ctx.db
    .select({ id: businessLines.id })
    .from(businessLines)
    .where(and(inArray(businessLines.id, wanted), eq(businessLines.active, true)));
  if (found.length !== wanted.length) throw inactiveReference('field.businessLine');
}

async function assertDepartment(ctx: Ctx, id: string | null | undefined) {
  if (!id) return;
  const [found] = await ctx.db
    .select({ id: departments.id })
    .from(departments)
    .where(and(eq(departments.id, id), eq(departments.active, true)));
  if (!found) throw inactiveReference('field.department');
}

async function assertOwner(ctx: Ctx, id: string) {
  const [found] = await ctx.db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, id), eq(users.active, true)));
  if (!found) throw inactiveReference('field.articleOwner');
}

async function assertStage(ctx: Ctx, id: string | null | undefined) {
  if (!id) return;
  const [found] = await ctx.db.select({ id: pipelineStages.id }).from(pipelineStages).where(eq(pipelineStages.id, id));
  if (!found) throw inactiveReference('field.stage');
}

/** A record the actor links to must be one they can see (404 otherwise, exactly as an unknown id). */
async function assertLinkable(ctx: Ctx, link: KnowledgeLinkInput, fromArticle?: string) {
  let found: { id: string }[] = [];
  if (link.type === 'customer')
    found = await ctx.db
      .select({ id: customers.id })
      .from(customers)
      .where(and(eq(customers.id, link.id), visibleCustomers(ctx.actor)));
  else if (link.type === 'opportunity')
    found = await ctx.db
      .select({ id: opportunities.id })
      .from(opportunities)
      .where(and(eq(opportunities.id, link.id), visibleOpportunities(ctx.actor)));
  else if (link.type === 'engagement')
    found = await ctx.db
      .select({ id: engagements.id })
      .from(engagements)
      .where(and(eq(engagements.id, link.id), visibleEngagements(ctx.actor)));
  else if (link.id !== fromArticle)
    found = await ctx.db
      .select({ id: knowledgeArticles.id })
      .from(knowledgeArticles)
      .where(and(eq(knowledgeArticles.id, link.id), visibleArticles(ctx.actor)));
  if (!found.length) throw notFound();
}

const RECORD_LINKS = ['customer', 'opportunity', 'engagement'] as const;

async function recordLinkCount(ctx: Ctx, articleId: string): Promise<number> {
  const [row] = await ctx.db
    .select({ n: count() })
    .from(knowledgeLinks)
    .where(and(eq(knowledgeLinks.articleId, articleId), inArray(knowledgeLinks.targetType, [...RECORD_LINKS])));
  return row.n;
}

// ---------------------------------------------------------------------------------------------- writes

export type NewArticle = z.output<typeof CreateSchema>;

/**
 * Writes a new article inside the caller's open transaction (`tx` from inTransaction): checks its references
 * (business lines, department, owner, stage: INACTIVE_REFERENCE; links: NOT_FOUND unless the actor sees the
 * record), saves version 1 and its links, and audits it. Permission (knowledge:write) is the caller's guard.
 * Lessons, insights and templates made elsewhere call this (or createArticle) with their own kind and links.
 */
export async function insertArticle(tx: Ctx, input: NewArticle): Promise<KnowledgeArticle> {
  const ctx = tx;
  const ownerId = input.ownerId ?? ctx.actor.id;
  await assertBusinessLines(ctx, input.businessLineIds);
  await assertDepartment(ctx, input.departmentId);
  await assertOwner(ctx, ownerId);
  await assertStage(ctx, input.stageId);
  const links = dedupeLinks(input.links);
  for (const link of links) await assertLinkable(ctx, link);
  if (input.visibility === 'linked' && !links.some((l) => l.type !== 'article'))
    throw invalid(ctx, 'links', 'validation.knowledgeLinkedNeedsRecord');
  const [row] = await ctx.db
    .insert(knowledgeArticles)
    .values({
      kind: input.kind,
      title: input.title,
      titlePinyin: titleInitials(input.title),
      body: input.body,
      templateUse: input.kind === 'template' ? (input.templateUse ?? null) : null,
      businessLineIds: [...new Set(input.businessLineIds)],
      tags: [...new Set(input.tags)],
      stageId: input.stageId ?? null,
      visibility: input.visibility,
      departmentId: input.visibility === 'department' ? (input.departmentId ?? null) : null,
      ownerId,
      reviewOn: input.reviewOn ?? null,
      createdBy: ctx.actor.id,
    })
    .returning({ id: knowledgeArticles.id });
  await ctx.db.insert(knowledgeArticleVersions).values({
    articleId: row.id,
    version: 1,
    kind: input.kind,
    title: input.title,
    body: input.body,
    tags: [...new Set(input.tags)],
    note: input.note ?? null,
    changedBy: ctx.actor.id,
  });
  if (links.length)
    await ctx.db
      .insert(knowledgeLinks)
      .values(links.map((l) => ({ articleId: row.id, targetType: l.type, targetId: l.id })));
  const after = await getArticle(ctx, row.id);
  await recordAudit(ctx, {
    action: 'create',
    entityType: 'knowledge-article',
    entityId: row.id,
    after: auditable(after),
  });
  return after;
}

/** Creates an article in its own transaction (nested in the caller's when `ctx` is already one). */
export async function createArticle(ctx: Ctx, input: KnowledgeArticleCreate): Promise<KnowledgeArticle> {
  const parsed = CreateSchema.parse(input);
  return inTransaction(ctx, (tx) => insertArticle(tx, parsed));
}

function dedupeLinks(links: KnowledgeLinkInput[]): KnowledgeLinkInput[] {
  const seen = new Set<string>();
  return links.filter((l) => {
    const key = `${l.type}:${l.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What the audit keeps of an article: not the reader-specific parts, and the body only as its length. */
function auditable(a: KnowledgeArticle) {
  const { markedUseful: _m, writable: _w, ...rest } = a;
  return rest;
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Changes an article. A change of title, body, kind or tags saves a new version (with `note`, what changed);
 * reach (visibility, department, lines, stage) changes without a new version. Archived → KNOWLEDGE_ARCHIVED.
 */
export async function updateArticle(ctx: Ctx, id: string, patch: KnowledgeArticleUpdate): Promise<KnowledgeArticle> {
  return inTransaction(ctx, async (tx) => {
    await writableRow(tx, id, { lock: true, current: true });
    const before = await getArticle(tx, id);
    if (patch.version !== undefined && patch.version !== before.version)
      throw new AppError('KNOWLEDGE_VERSION_CONFLICT', { version: before.version }, { version: before.version });
    const kind = patch.kind ?? before.kind;
    const title = patch.title ?? before.title;
    const body = patch.body ?? before.body;
    const tags = patch.tags ? [...new Set(patch.tags)] : before.tags;
    const visibility = patch.visibility ?? before.visibility;
    const departmentId =
      visibility === 'department'
        ? patch.departmentId !== undefined
          ? patch.departmentId
          : before.departmentId
        : null;
    if (visibility === 'department' && !departmentId)
      throw invalid(ctx, 'departmentId', 'validation.knowledgeDepartment');
    if (patch.departmentId && visibility !== 'department')
      throw invalid(ctx, 'departmentId', 'validation.knowledgeDepartmentOnly');
    const templateUse =
      kind === 'template' ? (patch.templateUse !== undefined ? patch.templateUse : before.templateUse) : null;
    if (patch.templateUse && kind !== 'template') throw invalid(ctx, 'templateUse', 'validation.knowledgeTemplateUse');
    if (patch.businessLineIds) await assertBusinessLines(tx, patch.businessLineIds);
    if (patch.departmentId) await assertDepartment(tx, patch.departmentId);
    if (patch.stageId) await assertStage(tx, patch.stageId);
    if (visibility === 'linked' && before.visibility !== 'linked' && (await recordLinkCount(tx, id)) === 0)
      throw invalid(ctx, 'visibility', 'validation.knowledgeLinkedNeedsRecord');
    const contentChanged =
      kind !== before.kind || title !== before.title || body !== before.body || !sameList(tags, before.tags);
    const version = contentChanged ? before.version + 1 : before.version;
    await tx.db
      .update(knowledgeArticles)
      .set({
        kind,
        title,
        titlePinyin: titleInitials(title),
        body,
        tags,
        templateUse,
        visibility,
        departmentId,
        ...(patch.businessLineIds ? { businessLineIds: [...new Set(patch.businessLineIds)] } : {}),
        ...(patch.stageId !== undefined ? { stageId: patch.stageId } : {}),
        version,
        updatedAt: new Date(),
      })
      .where(eq(knowledgeArticles.id, id));
    if (contentChanged)
      await tx.db.insert(knowledgeArticleVersions).values({
        articleId: id,
        version,
        kind,
        title,
        body,
        tags,
        note: patch.note ?? null,
        changedBy: ctx.actor.id,
      });
    const after = await getArticle(tx, id);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'knowledge-article',
      entityId: id,
      before: auditable(before),
      after: { ...auditable(after), note: patch.note ?? null },
    });
    return after;
  });
}

export async function setArchived(ctx: Ctx, id: string, archived: boolean): Promise<KnowledgeArticle> {
  return inTransaction(ctx, async (tx) => {
    const row = await writableRow(tx, id, { lock: true });
    if (Boolean(row.row.archivedAt) === archived) return getArticle(tx, id);
    await tx.db
      .update(knowledgeArticles)
      .set({ archivedAt: archived ? new Date() : null, updatedAt: new Date() })
      .where(eq(knowledgeArticles.id, id));
    const after = await getArticle(tx, id);
    await recordAudit(tx, {
      action: archived ? 'archive' : 'activate',
      entityType: 'knowledge-article',
      entityId: id,
      before: { archivedAt: row.row.archivedAt?.toISOString() ?? null },
      after: { archivedAt: after.archivedAt },
    });
    return after;
  });
}

/** Hands the article to another keeper and/or sets its next review date (a past date makes it stale). */
export async function setStewardship(ctx: Ctx, id: string, input: KnowledgeStewardship): Promise<KnowledgeArticle> {
  return inTransaction(ctx, async (tx) => {
    const row = await writableRow(tx, id, { lock: true });
    if (input.ownerId) await assertOwner(tx, input.ownerId);
    await tx.db
      .update(knowledgeArticles)
      .set({
        ...(input.ownerId ? { ownerId: input.ownerId } : {}),
        ...(input.reviewOn !== undefined ? { reviewOn: input.reviewOn } : {}),
        updatedAt: new Date(),
      })
      .where(eq(knowledgeArticles.id, id));
    // The new owner may be someone the actor does not share the article with; answer from the row itself.
    const [after] = await tx.db
      .select({ ownerId: knowledgeArticles.ownerId, reviewOn: knowledgeArticles.reviewOn })
      .from(knowledgeArticles)
      .where(eq(knowledgeArticles.id, id));
    await recordAudit(tx, {
      action: 'assign',
      entityType: 'knowledge-article',
      entityId: id,
      before: { ownerId: row.row.ownerId, reviewOn: row.row.reviewOn },
      after,
    });
    return getArticle(tx, id);
  });
}

export async function addLink(ctx: Ctx, id: string, link: KnowledgeLinkInput): Promise<KnowledgeArticle> {
  return inTransaction(ctx, async (tx) => {
    await writableRow(tx, id, { lock: true, current: true });
    await assertLinkable(tx, link, id);
    const added = await tx.db
      .insert(knowledgeLinks)
      .values({ articleId: id, targetType: link.type, targetId: link.id })
      .onConflictDoNothing()
      .returning({ articleId: knowledgeLinks.articleId });
    if (added.length)
      await recordAudit(tx, {
        action: 'update',
        entityType: 'knowledge-article',
        entityId: id,
        after: { linkAdded: { type: link.type, id: link.id } },
      });
    return getArticle(tx, id);
  });
}

/** Removes the link to a record; the last record link of an article visible on its linked records cannot go (400). */
export async function removeLink(ctx: Ctx, id: string, targetId: string): Promise<KnowledgeArticle> {
  return inTransaction(ctx, async (tx) => {
    const row = await writableRow(tx, id, { lock: true });
    const where = and(eq(knowledgeLinks.articleId, id), eq(knowledgeLinks.targetId, targetId));
    const existing = await tx.db.select({ type: knowledgeLinks.targetType }).from(knowledgeLinks).where(where);
    if (!existing.length) throw notFound();
    const recordLinks = existing.filter((l) => l.type !== 'article').length;
    if (row.row.visibility === 'linked' && recordLinks > 0 && (await recordLinkCount(tx, id)) <= recordLinks)
      throw invalid(ctx, 'links', 'validation.knowledgeLinkedNeedsRecord');
    await tx.db.delete(knowledgeLinks).where(where);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'knowledge-article',
      entityId: id,
      before: { linkRemoved: existing.map((l) => ({ type: l.type, id: targetId })) },
    });
    return getArticle(tx, id);
  });
}

/** Marks an article useful 有用 for the reader (or takes the mark back); repeating either changes nothing. */
export async function markUseful(ctx: Ctx, id: string, useful: boolean): Promise<KnowledgeUsefulState> {
  return inTransaction(ctx, async (tx) => {
    await visibleRow(tx, id);
    const changed = useful
      ? await tx.db
          .insert(knowledgeMarks)
          .values({ articleId: id, userId: ctx.actor.id })
          .onConflictDoNothing()
          .returning({ articleId: knowledgeMarks.articleId })
      : await tx.db
          .delete(knowledgeMarks)
          .where(and(eq(knowledgeMarks.articleId, id), eq(knowledgeMarks.userId, ctx.actor.id)))
          .returning({ articleId: knowledgeMarks.articleId });
    if (changed.length) {
      await tx.db
        .update(knowledgeArticles)
        .set({ usefulCount: sql`${knowledgeArticles.usefulCount} + ${useful ? 1 : -1}` })
        .where(eq(knowledgeArticles.id, id));
      await recordAudit(tx, {
        action: 'update',
        entityType: 'knowledge-article',
        entityId: id,
        after: { usefulMark: useful },
      });
    }
    const [row] = await tx.db
      .select({ usefulCount: knowledgeArticles.usefulCount })
      .from(knowledgeArticles)
      .where(eq(knowledgeArticles.id, id));
    return { useful, usefulCount: row.usefulCount };
  });
}

// ---------------------------------------------------------------------------------------------- versions

const changers = aliasedTable(users, 'knowledge_changers');

function selectVersions(db: Db) {
  return db
    .select({ v: knowledgeArticleVersions, changerName: changers.displayName })
    .from(knowledgeArticleVersions)
    .leftJoin(changers, eq(changers.id, knowledgeArticleVersions.changedBy))
    .$dynamic();
}

type VersionRow = Awaited<ReturnType<typeof selectVersions>>[number];

const presentVersion = ({ v, changerName }: VersionRow): KnowledgeVersionItem => ({
  version: v.version,
  kind: v.kind,
  title: v.title,
  tags: v.tags,
  note: v.note,
  changedBy: v.changedBy && changerName ? { id: v.changedBy, name: changerName } : null,
  changedAt: v.changedAt.toISOString(),
});

/** Every saved version, newest first (who, when, what changed). */
export async function listVersions(ctx: Ctx, id: string): Promise<KnowledgeVersionItem[]> {
  await visibleRow(ctx, id);
  const rows = await selectVersions(ctx.db)
    .where(eq(knowledgeArticleVersions.articleId, id))
    .orderBy(desc(knowledgeArticleVersions.version));
  return rows.map(presentVersion);
}

export async function getVersion(ctx: Ctx, id: string, version: number): Promise<KnowledgeVersion> {
  await visibleRow(ctx, id);
  const [row] = await selectVersions(ctx.db).where(
    and(eq(knowledgeArticleVersions.articleId, id), eq(knowledgeArticleVersions.version, version)),
  );
  if (!row) throw notFound();
  return { ...presentVersion(row), body: row.v.body };
}

// ---------------------------------------------------------------------------------------------- files

/** Before an upload is read: the article must be the actor's to change and a file of at least this size must fit. */
export async function assertCanAttachToArticle(ctx: Ctx, id: string, atLeastBytes: number): Promise<void> {
  await writableRow(ctx, id, { current: true });
  await assertQuota(ctx, atLeastBytes);
}

/** Stores an image or a document for the article; its Markdown names it `/api/v1/knowledge/<id>/files/<fileId>`. */
export async function attachToArticle(ctx: Ctx, id: string, upload: Upload): Promise<Attachment> {
  return inTransaction(ctx, async (tx) => {
    await writableRow(tx, id, { current: true });
    fileTypeOf(upload.filename);
    await lockUploadsOf(tx.db, ctx.actor.id);
    await assertQuota(tx, upload.size);
    const stored = await storeFile(tx.db, { type: 'knowledge', id }, upload, ctx.actor.id);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'knowledge-article',
      entityId: id,
      after: { fileAdded: stored },
    });
    return stored;
  });
}

/** A file of an article, for its readers only (404 for everyone else). */
export async function getArticleFile(ctx: Ctx, id: string, fileId: string) {
  await visibleRow(ctx, id);
  return getFile(ctx.db, 'knowledge', id, fileId);
}

export async function removeArticleFile(ctx: Ctx, id: string, fileId: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    await writableRow(tx, id);
    const removed = await deleteFile(tx.db, 'knowledge', id, fileId);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'knowledge-article',
      entityId: id,
      before: { fileRemoved: removed },
    });
  });
}

// ---------------------------------------------------------------------------------------------- contributors

/**
 * The contributors' list 贡献榜: per author, the articles and lessons they wrote and the "useful" marks others gave
 * them — counted over the current articles the reader can see — grouped by the author's department.
 */
export async function findContributors(ctx: Ctx, query: KnowledgeContributorsQuery): Promise<KnowledgeContributors> {
  const filters: (SQL | undefined)[] = [
    visibleArticles(ctx.actor),
    isNull(knowledgeArticles.archivedAt),
    isNotNull(knowledgeArticles.createdBy),
  ];
  if (query.from) filters.push(gte(knowledgeArticles.createdAt, zonedInstant(query.from, { hour: 0 }, FIRM_TIME_ZONE)));
  if (query.departmentId)
    filters.push(
      sql`${users.departmentId} IN (SELECT d.id FROM ${departments} d WHERE d.path LIKE (SELECT p.path FROM ${departments} p WHERE p.id = ${query.departmentId}) || '%')`,
    );
  const rows = await ctx.db
    .select({
      userId: users.id,
      name: users.displayName,
      departmentId: users.departmentId,
      departmentName: departments.name,
      departmentOrder: departments.sortOrder,
      articles: sql<number>`count(*) FILTER (WHERE ${ne(knowledgeArticles.kind, 'lesson')})`.mapWith(Number),
      lessons: sql<number>`count(*) FILTER (WHERE ${eq(knowledgeArticles.kind, 'lesson')})`.mapWith(Number),
      usefulReceived:
        sql<number>`coalesce(sum((SELECT count(*) FROM ${knowledgeMarks} m WHERE m.article_id = ${knowledgeArticles.id} AND m.user_id <> ${knowledgeArticles.createdBy})), 0)`.mapWith(
          Number,
        ),
    })
    .from(knowledgeArticles)
    .innerJoin(users, eq(users.id, knowledgeArticles.createdBy))
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .where(and(...filters))
    .groupBy(users.id, users.displayName, users.departmentId, departments.name, departments.sortOrder);
  const byDepartment = new Map<
    string,
    { departmentId: string | null; departmentName: string | null; order: number; people: KnowledgeContributor[] }
  >();
  for (const r of rows) {
    const key = r.departmentId ?? '';
    const group = byDepartment.get(key) ?? {
      departmentId: r.departmentId,
      departmentName: r.departmentName,
      order: r.departmentOrder ?? Number.MAX_SAFE_INTEGER,
      people: [],
    };
    group.people.push({
      userId: r.userId,
      name: r.name,
      departmentId: r.departmentId,
      departmentName: r.departmentName,
      articles: r.articles,
      lessons: r.lessons,
      usefulReceived: r.usefulReceived,
    });
    byDepartment.set(key, group);
  }
  const score = (p: KnowledgeContributor) => p.articles + p.lessons;
  const departmentsOut = [...byDepartment.values()]
    .sort((a, b) => a.order - b.order || (a.departmentName ?? '').localeCompare(b.departmentName ?? '', 'zh-CN'))
    .map(({ departmentId, departmentName, people }) => ({
      departmentId,
      departmentName,
      people: people.sort(
        (a, b) => score(b) - score(a) || b.usefulReceived - a.usefulReceived || a.name.localeCompare(b.name, 'zh-CN'),
      ),
    }));
  return { departments: departmentsOut };
}
