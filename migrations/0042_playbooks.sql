CREATE TABLE "playbook_schedules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"playbook_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"activity_index" integer NOT NULL,
	"opportunity_id" uuid,
	"lead_id" uuid,
	"activity_id" uuid,
	"scheduled_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "playbook_schedules_key" UNIQUE("entry_id","playbook_id","activity_index")
);
--> statement-breakpoint
CREATE TABLE "playbook_ticks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"playbook_id" uuid NOT NULL,
	"item_id" text NOT NULL,
	"opportunity_id" uuid,
	"lead_id" uuid,
	"ticked_by" uuid NOT NULL,
	"ticked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "playbook_ticks_key" UNIQUE NULLS NOT DISTINCT("playbook_id","item_id","opportunity_id","lead_id")
);
--> statement-breakpoint
CREATE TABLE "playbooks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"kind" text NOT NULL,
	"business_line_id" uuid,
	"stage_id" uuid,
	"lead_status" text,
	"activities" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"checklist" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"template_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"article_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "playbooks_key" UNIQUE NULLS NOT DISTINCT("kind","business_line_id","stage_id","lead_status")
);
--> statement-breakpoint
ALTER TABLE "playbook_schedules" ADD CONSTRAINT "playbook_schedules_playbook_id_playbooks_id_fk" FOREIGN KEY ("playbook_id") REFERENCES "public"."playbooks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playbook_schedules" ADD CONSTRAINT "playbook_schedules_opportunity_id_opportunities_id_fk" FOREIGN KEY ("opportunity_id") REFERENCES "public"."opportunities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playbook_schedules" ADD CONSTRAINT "playbook_schedules_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playbook_schedules" ADD CONSTRAINT "playbook_schedules_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."activities"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playbook_ticks" ADD CONSTRAINT "playbook_ticks_playbook_id_playbooks_id_fk" FOREIGN KEY ("playbook_id") REFERENCES "public"."playbooks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playbook_ticks" ADD CONSTRAINT "playbook_ticks_opportunity_id_opportunities_id_fk" FOREIGN KEY ("opportunity_id") REFERENCES "public"."opportunities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playbook_ticks" ADD CONSTRAINT "playbook_ticks_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playbook_ticks" ADD CONSTRAINT "playbook_ticks_ticked_by_users_id_fk" FOREIGN KEY ("ticked_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playbooks" ADD CONSTRAINT "playbooks_business_line_id_business_lines_id_fk" FOREIGN KEY ("business_line_id") REFERENCES "public"."business_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playbooks" ADD CONSTRAINT "playbooks_stage_id_pipeline_stages_id_fk" FOREIGN KEY ("stage_id") REFERENCES "public"."pipeline_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playbooks" ADD CONSTRAINT "playbooks_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "playbook_schedules_opportunity_idx" ON "playbook_schedules" USING btree ("opportunity_id","scheduled_at");--> statement-breakpoint
CREATE INDEX "playbook_schedules_lead_idx" ON "playbook_schedules" USING btree ("lead_id","scheduled_at");--> statement-breakpoint
CREATE INDEX "playbook_ticks_opportunity_idx" ON "playbook_ticks" USING btree ("opportunity_id");--> statement-breakpoint
CREATE INDEX "playbook_ticks_lead_idx" ON "playbook_ticks" USING btree ("lead_id");--> statement-breakpoint
CREATE INDEX "playbooks_stage_idx" ON "playbooks" USING btree ("stage_id");