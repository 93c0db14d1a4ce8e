import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type {
  KnowledgeSearchHit,
  KnowledgeSearchPage,
  KnowledgeSearchQuery,
  Segment,
} from '../../../common/schemas/knowledge-search';
import type { KnowledgeKind } from '../../../common/schemas/knowledge';
import type { Ctx } from '../../context';
import { containsPattern, offsetOf } from '../../lib/listing';
import { businessLines } from '../staff/staff.tables';
import { visibleArticles } from './knowledge.policy';
import { knowledgeArticles } from './knowledge.tables';

/**
 * Searching the knowledge base in Chinese (issue 17, item 4; the choice and its measurements in
 * docs/benchmarks/knowledge-search-2026-12-06.md).
 *
 * Every article has a generated `search_vector` (migrations 0043 and 0044, `knowledge_search_vector(title || ' ' ||
 * title_pinyin, tags, body)`): its Han characters and every pair of adjacent ones, and its latin/digit words
 * lower-cased — the title's pinyin initials from each character on among them (titleInitials) —, as tsvector lexemes
 * of weight A (title and tags) or B (body), under a GIN index. A query is split into runs of Han characters and of
 * [a-z0-9]; each run becomes lexemes that every matching article must have (AND):
 * - one Han character: itself; two (a 两字词 such as 审计): their pair — exact, nothing to recheck;
 * - three and more (年报审计承接): all its pairs, then rechecked by LIKE on the text (the pairs may be apart);
 * - latin or digits (IPO, 2026): the word as a prefix (`'ipo':*`).
 * Punctuation and other characters only separate runs: a query of nothing else finds nothing.
 */

const HAN_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3ffff}]+|[a-z0-9]+/gu;
const IS_HAN = /^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3ffff}]/u;
/** More runs than this in one query are ignored (a pasted paragraph): each is an index lookup. */
const MAX_TERMS = 8;

/** The runs of a query (lower-cased, in order, without repeats): what is searched for and highlighted. */
export function searchTerms(q: string): string[] {
  const runs = q.toLowerCase().match(HAN_RUN) ?? [];
  return [...new Set(runs)].slice(0, MAX_TERMS);
}

const isHan = (term: string) => IS_HAN.test(term);

/**
 * The terms the index cannot settle alone: Han runs of three characters and more, whose pairs may be apart — a
 * match is rechecked by LIKE on the text. (The chat's message search shares this and tsqueryOf.)
 */
export const phrasesOf = (terms: string[]): string[] => terms.filter((t) => isHan(t) && [...t].length >= 3);

/** The tsquery text of the terms (lexemes are Han characters or [a-z0-9]+: nothing to quote). */
export function tsqueryOf(terms: string[]): string {
  const lexemes: string[] = [];
  for (const term of terms) {
    if (!isHan(term)) lexemes.push(`'${term}':*`);
    else {
      const chars = [...term];
      if (chars.length === 1) lexemes.push(`'${term}'`);
      for (let i = 0; i + 1 < chars.length; i++) lexemes.push(`'${chars[i]}${chars[i + 1]}'`);
    }
  }
  return [...new Set(lexemes)].join(' & ');
}

/** The title, its pinyin initials and the tags as the title match reads them (lower-cased). */
const titleText = sql`lower(${knowledgeArticles.title} || ' ' || ${knowledgeArticles.titlePinyin} || ' ' || array_to_string(${knowledgeArticles.tags}, ' '))`;
/** A phrase is Han characters only, which have no case: its recheck reads the text as it is (no lower-cased copy). */
const phraseIn = (phrase: string) => {
  const pattern = containsPattern(phrase);
  return sql`(${knowledgeArticles.title} LIKE ${pattern} OR ${knowledgeArticles.body} LIKE ${pattern} OR array_to_string(${knowledgeArticles.tags}, ' ') LIKE ${pattern})`;
};

/**
 * The relevance of a matching article, highest first:
 *   1 if its title or tags contain every term (else 0)
 *   + 0.3 × min(useful marks, 50) / 50
 *   + 0.2 × 180 / (180 + days since it was last updated)
 * so a title match always comes before a body-only match, and among either the useful and recent come first.
 * (ts_rank over the weighted vector would read each match's whole vector — tens of kB — and a word in half of
 * 100,000 articles would take seconds: the weights A/B are what this title test stands for.)
 */
function relevance(terms: string[]): SQL<number> {
  const inTitle = and(...terms.map((t) => sql`${titleText} LIKE ${containsPattern(t)}`))!;
  // In float8 (numeric arithmetic on every match costs more than the rest of the row).
  return sql<number>`(CASE WHEN ${inTitle} THEN 1 ELSE 0 END
    + 0.006::float8 * least(${knowledgeArticles.usefulCount}, 50)
    + 36::float8 / (180 + date_part('epoch', now() - ${knowledgeArticles.updatedAt}) / 86400))`;
}

/** The WHERE of a search: the index lookup, the phrases' recheck, the filters, visibility, not archived. */
function searchWhere(ctx: Ctx, terms: string[], filters: { kind?: KnowledgeKind; businessLineId?: string }): SQL {
  const phrases = phrasesOf(terms);
  return and(
    sql`${knowledgeArticles}.search_vector @@ ${tsqueryOf(terms)}::tsquery`,
    ...phrases.map(phraseIn),
    isNull(knowledgeArticles.archivedAt),
    filters.kind ? eq(knowledgeArticles.kind, filters.kind) : undefined,
    filters.businessLineId
      ? sql`${knowledgeArticles.businessLineIds} @> ARRAY[${filters.businessLineId}]::uuid[]`
      : undefined,
    visibleArticles(ctx.actor),
  )!;
}

export type SearchArticlesInput = {
  q: string;
  kind?: KnowledgeKind;
  businessLineId?: string;
  /** Rows to return (default 20) and to skip. */
  limit?: number;
  offset?: number;
};

export type FoundArticle = {
  id: string;
  kind: KnowledgeKind;
  title: string;
  body: string;
  tags: string[];
  businessLineIds: string[];
  updatedAt: Date;
  usefulCount: number;
  viewCount: number;
  /** The relevance (see above). */
  rank: number;
  /** How many visible articles match in all (counted along: the page's sort visits every match anyway). */
  total: number;
  /** The terms searched for, for highlighting. */
  terms: string[];
};

/**
 * The articles the actor sees that match q, most relevant first (not archived). For the search page, and for the
 * answer box and other places that show a few matching articles: `searchArticles(ctx, { q, limit: 5 })`.
 */
export async function searchArticles(ctx: Ctx, input: SearchArticlesInput): Promise<FoundArticle[]> {
  const terms = searchTerms(input.q);
  if (terms.length === 0) return [];
  const rank = relevance(terms);
  const rows = await ctx.db
    .select({
      id: knowledgeArticles.id,
      kind: knowledgeArticles.kind,
      title: knowledgeArticles.title,
      body: knowledgeArticles.body,
      tags: knowledgeArticles.tags,
      businessLineIds: knowledgeArticles.businessLineIds,
      updatedAt: knowledgeArticles.updatedAt,
      usefulCount: knowledgeArticles.usefulCount,
      viewCount: knowledgeArticles.viewCount,
      rank: rank.mapWith(Number),
      total: sql<number>`count(*) OVER ()`.mapWith(Number),
    })
    .from(knowledgeArticles)
    .where(searchWhere(ctx, terms, input))
    .orderBy(desc(rank), desc(knowledgeArticles.updatedAt), asc(knowledgeArticles.id))
    .limit(input.limit ?? 20)
    .offset(input.offset ?? 0);
  return rows.map((r) => ({ ...r, terms }));
}

/** How many visible articles match q. */
export async function countArticles(ctx: Ctx, input: Omit<SearchArticlesInput, 'limit' | 'offset'>): Promise<number> {
  const terms = searchTerms(input.q);
  if (terms.length === 0) return 0;
  const [{ n }] = await ctx.db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(knowledgeArticles)
    .where(searchWhere(ctx, terms, input));
  return n;
}

/** The search page: a page of hits with the title and a snippet highlighted, and the total. */
export async function searchKnowledge(ctx: Ctx, query: KnowledgeSearchQuery): Promise<KnowledgeSearchPage> {
  const offset = offsetOf(query);
  const found = await searchArticles(ctx, { ...query, limit: query.pageSize, offset });
  // Past the last page the rows that carry the total are not there: count on their own.
  const total = found.length > 0 ? found[0].total : offset > 0 ? await countArticles(ctx, query) : 0;
  const lineIds = [...new Set(found.flatMap((f) => f.businessLineIds))];
  const lines = lineIds.length
    ? await ctx.db
        .select({ id: businessLines.id, name: businessLines.name })
        .from(businessLines)
        .where(inArray(businessLines.id, lineIds))
    : [];
  const lineById = new Map(lines.map((l) => [l.id, l]));
  const items: KnowledgeSearchHit[] = found.map((f) => ({
    id: f.id,
    kind: f.kind,
    title: highlight(f.title, f.terms),
    snippet: snippetOf(f.body, f.terms),
    tags: f.tags,
    businessLines: f.businessLineIds.flatMap((id) => lineById.get(id) ?? []),
    updatedAt: f.updatedAt.toISOString(),
    usefulCount: f.usefulCount,
    viewCount: f.viewCount,
  }));
  return { items, total, totalExact: true, page: query.page, pageSize: query.pageSize };
}

/** Markdown as plain text for a snippet: no images' addresses, link targets, emphasis, headings, tables or HTML. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/```[^\n]*\n?/g, ' ')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]*>/g, ' ')
    .replace(/^\s{0,3}(#{1,6}|>+|[-*+]|\d+[.)])\s+/gm, '')
    .replace(/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/gm, ' ')
    .replace(/[*_~`|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Where the terms occur in text (case-insensitively), as [start, end) ranges in UTF-16 units, merged. */
function matchRanges(text: string, terms: string[]): [number, number][] {
  const lower = text.toLowerCase();
  const ranges: [number, number][] = [];
  for (const term of terms) {
    for (let i = lower.indexOf(term); i >= 0; i = lower.indexOf(term, i + term.length))
      ranges.push([i, i + term.length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  return merged;
}

/** The text cut into segments, the terms' occurrences marked `hit`. (lower-casing keeps lengths for these scripts) */
export function highlight(text: string, terms: string[]): Segment[] {
  const segments: Segment[] = [];
  let at = 0;
  for (const [start, end] of matchRanges(text, terms)) {
    if (start > at) segments.push({ text: text.slice(at, start), hit: false });
    segments.push({ text: text.slice(start, end), hit: true });
    at = end;
  }
  if (at < text.length) segments.push({ text: text.slice(at), hit: false });
  return segments;
}

const SNIPPET = 120;

/** About 120 characters of the body's plain text around its first match (from its start when none), highlighted. */
export function snippetOf(body: string, terms: string[]): Segment[] {
  const text = plainText(body);
  const first = matchRanges(text, terms)[0];
  let start = first ? Math.max(0, first[0] - 30) : 0;
  // Not in the middle of a surrogate pair.
  if (start > 0 && /[\udc00-\udfff]/.test(text[start])) start--;
  let end = Math.min(text.length, start + SNIPPET);
  if (end < text.length && /[\udc00-\udfff]/.test(text[end])) end++;
  const segments = highlight(text.slice(start, end), terms);
  if (start > 0) segments.unshift({ text: '…', hit: false });
  if (end < text.length) segments.push({ text: '…', hit: false });
  return segments;
}
