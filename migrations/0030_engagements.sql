CREATE TABLE "engagement_lines" (
	"engagement_id" uuid NOT NULL,
	"order_line_id" uuid NOT NULL,
	CONSTRAINT "engagement_lines_engagement_id_order_line_id_pk" PRIMARY KEY("engagement_id","order_line_id")
);
--> statement-breakpoint
CREATE TABLE "engagement_members" (
	"engagement_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"roles" text[] NOT NULL,
	CONSTRAINT "engagement_members_engagement_id_user_id_pk" PRIMARY KEY("engagement_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "engagement_phases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"engagement_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"kind" text DEFAULT 'work' NOT NULL,
	"roles" text[] DEFAULT '{}'::text[] NOT NULL,
	"qualification" text,
	"starts_on" date,
	"due_on" date,
	"planned_hours" numeric(8, 2)
);
--> statement-breakpoint
CREATE TABLE "engagement_task_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid NOT NULL,
	"author_id" uuid NOT NULL,
	"body" text,
	"file_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "engagement_task_notes_something" CHECK (num_nonnulls("engagement_task_notes"."body", "engagement_task_notes"."file_id") >= 1)
);
--> statement-breakpoint
CREATE TABLE "engagement_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"engagement_id" uuid NOT NULL,
	"phase_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"role" text,
	"assignee_id" uuid,
	"starts_on" date,
	"due_on" date,
	"planned_hours" numeric(8, 2),
	"status" text DEFAULT 'todo' NOT NULL,
	"started_at" timestamp with time zone,
	"done_at" timestamp with time zone,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "engagement_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"business_line_id" uuid NOT NULL,
	"name" text NOT NULL,
	"cycle" text DEFAULT 'once' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"note" text,
	"phases" jsonb NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "engagements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"title" text NOT NULL,
	"status" text DEFAULT 'in-progress' NOT NULL,
	"status_reason" text,
	"customer_id" uuid NOT NULL,
	"contract_id" uuid,
	"order_id" uuid NOT NULL,
	"business_line_id" uuid NOT NULL,
	"template_id" uuid,
	"cycle" text DEFAULT 'once' NOT NULL,
	"amount" numeric(14, 2) NOT NULL,
	"lead_id" uuid NOT NULL,
	"department_id" uuid NOT NULL,
	"sales_owner_id" uuid NOT NULL,
	"starts_on" date,
	"due_on" date,
	"closed_on" date,
	"planned_hours" numeric(8, 2),
	"report_series_id" uuid,
	"report_number" text,
	"report_issued_on" date,
	"updated_by" uuid
);
--> statement-breakpoint
ALTER TABLE "engagement_lines" ADD CONSTRAINT "engagement_lines_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_lines" ADD CONSTRAINT "engagement_lines_order_line_id_order_lines_id_fk" FOREIGN KEY ("order_line_id") REFERENCES "public"."order_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_members" ADD CONSTRAINT "engagement_members_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_members" ADD CONSTRAINT "engagement_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_phases" ADD CONSTRAINT "engagement_phases_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_task_notes" ADD CONSTRAINT "engagement_task_notes_task_id_engagement_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."engagement_tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_task_notes" ADD CONSTRAINT "engagement_task_notes_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_task_notes" ADD CONSTRAINT "engagement_task_notes_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_tasks" ADD CONSTRAINT "engagement_tasks_engagement_id_engagements_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_tasks" ADD CONSTRAINT "engagement_tasks_phase_id_engagement_phases_id_fk" FOREIGN KEY ("phase_id") REFERENCES "public"."engagement_phases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_tasks" ADD CONSTRAINT "engagement_tasks_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_tasks" ADD CONSTRAINT "engagement_tasks_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_templates" ADD CONSTRAINT "engagement_templates_business_line_id_business_lines_id_fk" FOREIGN KEY ("business_line_id") REFERENCES "public"."business_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_templates" ADD CONSTRAINT "engagement_templates_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_business_line_id_business_lines_id_fk" FOREIGN KEY ("business_line_id") REFERENCES "public"."business_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_template_id_engagement_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."engagement_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_lead_id_users_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_sales_owner_id_users_id_fk" FOREIGN KEY ("sales_owner_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_report_series_id_number_series_id_fk" FOREIGN KEY ("report_series_id") REFERENCES "public"."number_series"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "engagement_lines_line_key" ON "engagement_lines" USING btree ("order_line_id");--> statement-breakpoint
CREATE INDEX "engagement_members_user_idx" ON "engagement_members" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "engagement_phases_position_key" ON "engagement_phases" USING btree ("engagement_id","position");--> statement-breakpoint
CREATE INDEX "engagement_task_notes_task_idx" ON "engagement_task_notes" USING btree ("task_id","created_at");--> statement-breakpoint
CREATE INDEX "engagement_tasks_phase_idx" ON "engagement_tasks" USING btree ("phase_id","position");--> statement-breakpoint
CREATE INDEX "engagement_tasks_engagement_idx" ON "engagement_tasks" USING btree ("engagement_id");--> statement-breakpoint
CREATE INDEX "engagement_tasks_assignee_idx" ON "engagement_tasks" USING btree ("assignee_id","due_on","id") WHERE "engagement_tasks"."status" <> 'done';--> statement-breakpoint
CREATE UNIQUE INDEX "engagement_templates_name_key" ON "engagement_templates" USING btree ("business_line_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "engagements_report_number_key" ON "engagements" USING btree ("report_number");--> statement-breakpoint
CREATE INDEX "engagements_created_idx" ON "engagements" USING btree ("created_at" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "engagements_status_idx" ON "engagements" USING btree ("status","created_at" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "engagements_order_idx" ON "engagements" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "engagements_customer_idx" ON "engagements" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "engagements_lead_idx" ON "engagements" USING btree ("lead_id");--> statement-breakpoint
CREATE INDEX "engagements_department_idx" ON "engagements" USING btree ("department_id");--> statement-breakpoint
CREATE INDEX "engagements_sales_owner_idx" ON "engagements" USING btree ("sales_owner_id");--> statement-breakpoint
CREATE INDEX "engagements_contract_idx" ON "engagements" USING btree ("contract_id");