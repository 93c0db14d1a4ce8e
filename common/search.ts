/** Han ideographs as the database's `cjk_grams()` sees them: CJK Unified Ideographs, Extension A, compatibility, planes 2–3. */
export const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3ffff}]/u;

/** The longest knowledge search: a longer one is refused (400 VALIDATION_FAILED), never truncated silently. */
export const KNOWLEDGE_QUERY_MAX = 100;

/** Letters and digits before a query without Chinese is worth sending as you type: no index serves one or two. */
export const MIN_LATIN_QUERY = 3;

/**
 * Whether a search typed so far can be answered from an index: any Chinese character (one- and
 * two-character words have their own index), or three characters and more (trigrams). `b` or `13`
 * would read every customer and match most of them; the answer box waits for the next character.
 */
export function worthSearching(q: string): boolean {
  const text = q.trim();
  return CJK.test(text) || [...text].length >= MIN_LATIN_QUERY;
}
