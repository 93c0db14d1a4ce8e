CREATE TABLE "commission_lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"sheet_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"side" text NOT NULL,
	"role" text NOT NULL,
	"rule_key" text NOT NULL,
	"method" text NOT NULL,
	"computed" numeric(14, 2) NOT NULL,
	"amount" numeric(14, 2) NOT NULL,
	"explanation" jsonb NOT NULL,
	"adjusted_by" uuid,
	"adjusted_at" timestamp with time zone,
	"adjusted_at_step" integer,
	"adjust_reason" text,
	"paid_on" date
);
--> statement-breakpoint
CREATE TABLE "commission_policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"version" integer NOT NULL,
	"name" text NOT NULL,
	"effective_from" date NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"note" text,
	"rules" jsonb NOT NULL,
	"adopted_at" timestamp with time zone,
	"adopted_by" uuid
);
--> statement-breakpoint
CREATE TABLE "commission_sheets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"period" text NOT NULL,
	"contract_id" uuid,
	"order_id" uuid,
	"business_line_id" uuid NOT NULL,
	"owner_id" uuid NOT NULL,
	"department_id" uuid,
	"policy_id" uuid NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"received_before" numeric(14, 2) NOT NULL,
	"received" numeric(14, 2) NOT NULL,
	"hours" numeric(10, 2) NOT NULL,
	"total" numeric(14, 2) NOT NULL,
	"shares" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"workflow_instance_id" uuid,
	"paid_on" date,
	"note" text,
	"updated_by" uuid,
	CONSTRAINT "commission_sheets_one_subject" CHECK (num_nonnulls("commission_sheets"."contract_id", "commission_sheets"."order_id") = 1),
	CONSTRAINT "commission_sheets_period" CHECK ("commission_sheets"."period" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')
);
--> statement-breakpoint
CREATE TABLE "commission_sources" (
	"sheet_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"source_id" uuid NOT NULL,
	"amount" numeric(14, 2) NOT NULL
);
--> statement-breakpoint
ALTER TABLE "commission_lines" ADD CONSTRAINT "commission_lines_sheet_id_commission_sheets_id_fk" FOREIGN KEY ("sheet_id") REFERENCES "public"."commission_sheets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_lines" ADD CONSTRAINT "commission_lines_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_lines" ADD CONSTRAINT "commission_lines_adjusted_by_users_id_fk" FOREIGN KEY ("adjusted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_policies" ADD CONSTRAINT "commission_policies_adopted_by_users_id_fk" FOREIGN KEY ("adopted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_sheets" ADD CONSTRAINT "commission_sheets_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_sheets" ADD CONSTRAINT "commission_sheets_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_sheets" ADD CONSTRAINT "commission_sheets_business_line_id_business_lines_id_fk" FOREIGN KEY ("business_line_id") REFERENCES "public"."business_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_sheets" ADD CONSTRAINT "commission_sheets_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_sheets" ADD CONSTRAINT "commission_sheets_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_sheets" ADD CONSTRAINT "commission_sheets_policy_id_commission_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."commission_policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_sheets" ADD CONSTRAINT "commission_sheets_workflow_instance_id_workflow_instances_id_fk" FOREIGN KEY ("workflow_instance_id") REFERENCES "public"."workflow_instances"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_sheets" ADD CONSTRAINT "commission_sheets_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_sources" ADD CONSTRAINT "commission_sources_sheet_id_commission_sheets_id_fk" FOREIGN KEY ("sheet_id") REFERENCES "public"."commission_sheets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "commission_lines_key" ON "commission_lines" USING btree ("sheet_id","user_id","side");--> statement-breakpoint
CREATE INDEX "commission_lines_user_idx" ON "commission_lines" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "commission_policies_version_key" ON "commission_policies" USING btree ("version");--> statement-breakpoint
CREATE INDEX "commission_policies_in_force_idx" ON "commission_policies" USING btree ("effective_from") WHERE "commission_policies"."status" = 'adopted';--> statement-breakpoint
CREATE UNIQUE INDEX "commission_sheets_subject_period_key" ON "commission_sheets" USING btree (coalesce("contract_id", "order_id"),"period") WHERE "commission_sheets"."status" <> 'cancelled';--> statement-breakpoint
CREATE INDEX "commission_sheets_period_idx" ON "commission_sheets" USING btree ("period","status");--> statement-breakpoint
CREATE INDEX "commission_sheets_owner_idx" ON "commission_sheets" USING btree ("owner_id");--> statement-breakpoint
CREATE UNIQUE INDEX "commission_sources_key" ON "commission_sources" USING btree ("kind","source_id");--> statement-breakpoint
CREATE INDEX "commission_sources_sheet_idx" ON "commission_sources" USING btree ("sheet_id");