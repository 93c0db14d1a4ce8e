ALTER TABLE "knowledge_articles" ADD COLUMN "title_pinyin" text DEFAULT '' NOT NULL;--> statement-breakpoint
-- custom: the title's pinyin initials (written by the knowledge service with the title) are searched as title words
-- (weight A): the generated vector is made again over title, its initials, tags and body.
DROP INDEX "knowledge_articles_search_idx";
--> statement-breakpoint
ALTER TABLE "knowledge_articles" DROP COLUMN "search_vector";
--> statement-breakpoint
ALTER TABLE "knowledge_articles" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (knowledge_search_vector("title" || ' ' || "title_pinyin", "tags", "body")) STORED NOT NULL;
--> statement-breakpoint
CREATE INDEX "knowledge_articles_search_idx" ON "knowledge_articles" USING gin ("search_vector") WITH (gin_pending_list_limit=128);
--> statement-breakpoint
ALTER TABLE "knowledge_articles" ALTER COLUMN "search_vector" SET STATISTICS 0;
