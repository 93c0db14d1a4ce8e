-- custom: searching the knowledge base in Chinese (server/domains/knowledge/search.service.ts; the measurements in
-- docs/benchmarks/knowledge-search-2026-12-06.md).
-- The terms a text is found by: its Chinese characters and every pair of adjacent ones (cjk_grams, migration 0021),
-- and its latin/digit words, lower-cased (`2026年ISO审计` → 年 审 计 审计 2026 iso: pairs only within a run of Han characters).
CREATE FUNCTION knowledge_terms(t text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT cjk_grams(lower(t))
    || coalesce((SELECT array_agg(DISTINCT m[1]) FROM regexp_matches(lower(t), '[a-z0-9]+', 'g') AS m), '{}')
$$;
--> statement-breakpoint
-- The terms as a tsvector of weight w (A title and tags, B body), one position per term: built from its text form so
-- that no text-search parser or dictionary is involved (PGlite and PostgreSQL alike, whatever the locale). Terms are
-- Han characters or [a-z0-9]+, so they need no quoting.
CREATE FUNCTION knowledge_weighted(t text, w text) RETURNS tsvector LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(string_agg('''' || g || ''':1' || w, ' '), '')::tsvector FROM unnest(knowledge_terms(t)) AS g
$$;
--> statement-breakpoint
CREATE FUNCTION knowledge_search_vector(title text, tags text[], body text) RETURNS tsvector LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT knowledge_weighted(title || ' ' || array_to_string(tags, ' '), 'A') || knowledge_weighted(body, 'B')
$$;
--> statement-breakpoint
-- Generated, so every writer (services, seeds, imports, raw SQL) fills it without knowing. Not declared in
-- knowledge.tables.ts on purpose: a `select()` of the table never fetches it (tens of kB per article).
ALTER TABLE "knowledge_articles" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (knowledge_search_vector("title", "tags", "body")) STORED NOT NULL;
--> statement-breakpoint
CREATE INDEX "knowledge_articles_search_idx" ON "knowledge_articles" USING gin ("search_vector") WITH (gin_pending_list_limit=128);
--> statement-breakpoint
-- No statistics on the vector (as search_grams in 0021): with them, a word in half the articles is planned as a
-- sequential scan that reads every article's whole vector (tens of kB each: seconds at 100,000) instead of the index
-- (no recheck for a query without weights); without, both engines plan alike (PGlite is never analysed).
ALTER TABLE "knowledge_articles" ALTER COLUMN "search_vector" SET STATISTICS 0;
