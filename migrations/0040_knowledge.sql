CREATE TABLE "knowledge_article_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"article_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"tags" text[] NOT NULL,
	"note" text,
	"changed_by" uuid,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "knowledge_articles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"template_use" text,
	"business_line_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"stage_id" uuid,
	"visibility" text DEFAULT 'firm' NOT NULL,
	"department_id" uuid,
	"owner_id" uuid NOT NULL,
	"review_on" date,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	"view_count" integer DEFAULT 0 NOT NULL,
	"useful_count" integer DEFAULT 0 NOT NULL,
	"use_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "knowledge_articles_department_check" CHECK (("knowledge_articles"."visibility" = 'department') = ("knowledge_articles"."department_id" IS NOT NULL)),
	CONSTRAINT "knowledge_articles_template_check" CHECK ("knowledge_articles"."template_use" IS NULL OR "knowledge_articles"."kind" = 'template')
);
--> statement-breakpoint
CREATE TABLE "knowledge_links" (
	"article_id" uuid NOT NULL,
	"target_type" text NOT NULL,
	"target_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "knowledge_links_article_id_target_type_target_id_pk" PRIMARY KEY("article_id","target_type","target_id")
);
--> statement-breakpoint
CREATE TABLE "knowledge_marks" (
	"article_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "knowledge_marks_article_id_user_id_pk" PRIMARY KEY("article_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "knowledge_reads" (
	"article_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"count" integer DEFAULT 1 NOT NULL,
	"first_read_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_read_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "knowledge_reads_article_id_user_id_pk" PRIMARY KEY("article_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "knowledge_article_versions" ADD CONSTRAINT "knowledge_article_versions_article_id_knowledge_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."knowledge_articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_article_versions" ADD CONSTRAINT "knowledge_article_versions_changed_by_users_id_fk" FOREIGN KEY ("changed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_articles" ADD CONSTRAINT "knowledge_articles_stage_id_pipeline_stages_id_fk" FOREIGN KEY ("stage_id") REFERENCES "public"."pipeline_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_articles" ADD CONSTRAINT "knowledge_articles_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_articles" ADD CONSTRAINT "knowledge_articles_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_links" ADD CONSTRAINT "knowledge_links_article_id_knowledge_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."knowledge_articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_marks" ADD CONSTRAINT "knowledge_marks_article_id_knowledge_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."knowledge_articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_marks" ADD CONSTRAINT "knowledge_marks_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_reads" ADD CONSTRAINT "knowledge_reads_article_id_knowledge_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."knowledge_articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_reads" ADD CONSTRAINT "knowledge_reads_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "knowledge_article_versions_key" ON "knowledge_article_versions" USING btree ("article_id","version");--> statement-breakpoint
CREATE INDEX "knowledge_articles_kind_idx" ON "knowledge_articles" USING btree ("kind","updated_at");--> statement-breakpoint
CREATE INDEX "knowledge_articles_owner_idx" ON "knowledge_articles" USING btree ("owner_id","review_on");--> statement-breakpoint
CREATE INDEX "knowledge_articles_lines_idx" ON "knowledge_articles" USING gin ("business_line_ids");--> statement-breakpoint
CREATE INDEX "knowledge_articles_stage_idx" ON "knowledge_articles" USING btree ("stage_id");--> statement-breakpoint
CREATE INDEX "knowledge_links_target_idx" ON "knowledge_links" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE INDEX "knowledge_reads_user_idx" ON "knowledge_reads" USING btree ("user_id","last_read_at");--> statement-breakpoint
-- custom: the knowledge base's permissions for the built-in roles of existing installs (bootstrap.ts gives new ones).
UPDATE "roles" SET "grants" = "grants" || '{"knowledge:read": "all", "knowledge:write": "all", "knowledge:manage": "all"}'::jsonb WHERE "code" IN ('admin', 'executive') AND "builtin";
--> statement-breakpoint
UPDATE "roles" SET "grants" = "grants" || '{"knowledge:read": "department", "knowledge:write": "all", "knowledge:manage": "all"}'::jsonb WHERE "code" = 'manager' AND "builtin";
--> statement-breakpoint
UPDATE "roles" SET "grants" = "grants" || '{"knowledge:read": "own", "knowledge:write": "all"}'::jsonb WHERE "code" IN ('salesperson', 'finance', 'staff') AND "builtin";
