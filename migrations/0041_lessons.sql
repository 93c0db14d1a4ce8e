CREATE TABLE "knowledge_insight_sources" (
	"source_type" text NOT NULL,
	"source_id" uuid NOT NULL,
	"article_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "knowledge_lesson_prompts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"opportunity_id" uuid NOT NULL,
	"outcome" text NOT NULL,
	"closed_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"article_id" uuid,
	"by" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "knowledge_insight_sources" ADD CONSTRAINT "knowledge_insight_sources_article_id_knowledge_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."knowledge_articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_lesson_prompts" ADD CONSTRAINT "knowledge_lesson_prompts_opportunity_id_opportunities_id_fk" FOREIGN KEY ("opportunity_id") REFERENCES "public"."opportunities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_lesson_prompts" ADD CONSTRAINT "knowledge_lesson_prompts_article_id_knowledge_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."knowledge_articles"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_lesson_prompts" ADD CONSTRAINT "knowledge_lesson_prompts_by_users_id_fk" FOREIGN KEY ("by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "knowledge_insight_sources_key" ON "knowledge_insight_sources" USING btree ("source_type","source_id");--> statement-breakpoint
CREATE INDEX "knowledge_insight_sources_customer_idx" ON "knowledge_insight_sources" USING btree ("customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "knowledge_lesson_prompts_closing_key" ON "knowledge_lesson_prompts" USING btree ("opportunity_id","closed_at");--> statement-breakpoint
CREATE INDEX "knowledge_lesson_prompts_closed_idx" ON "knowledge_lesson_prompts" USING btree ("closed_at");