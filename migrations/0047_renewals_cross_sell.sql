CREATE TABLE "renewal_rules" (
	"business_line_id" uuid PRIMARY KEY NOT NULL,
	"lead_days" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "renewal_rules_lead_days" CHECK ("renewal_rules"."lead_days" BETWEEN 1 AND 365)
);
--> statement-breakpoint
CREATE TABLE "renewals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"source" text NOT NULL,
	"source_id" uuid NOT NULL,
	"due_on" date NOT NULL,
	"cycle" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"business_line_id" uuid NOT NULL,
	"previous_contract_id" uuid,
	"previous_order_id" uuid,
	"previous_amount" numeric(14, 2),
	"owner_id" uuid NOT NULL,
	"department_id" uuid,
	"status" text NOT NULL,
	"skip_reason" text,
	"opportunity_id" uuid,
	"quote_id" uuid,
	"letter_contract_id" uuid,
	"lesson_flagged_at" timestamp with time zone,
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid
);
--> statement-breakpoint
CREATE TABLE "cross_sell_suggestions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"business_line_id" uuid NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"score" numeric(6, 5) NOT NULL,
	"level" text NOT NULL,
	"base_line_id" uuid,
	"similar_count" integer NOT NULL,
	"buying_count" integer NOT NULL,
	"segment" jsonb NOT NULL,
	"excluded_by_line_id" uuid,
	"owner_id" uuid,
	"opportunity_id" uuid,
	"dismiss_reason" text,
	"dismiss_note" text,
	"dismissed_until" date,
	"resolved_by" uuid,
	"resolved_at" timestamp with time zone,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "opportunities" ADD COLUMN "origin_kind" text;--> statement-breakpoint
ALTER TABLE "opportunities" ADD COLUMN "origin_id" uuid;--> statement-breakpoint
ALTER TABLE "contracts" ADD COLUMN "recurring_cycle" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "recurring_cycle" text;--> statement-breakpoint
ALTER TABLE "renewal_rules" ADD CONSTRAINT "renewal_rules_business_line_id_business_lines_id_fk" FOREIGN KEY ("business_line_id") REFERENCES "public"."business_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "renewal_rules" ADD CONSTRAINT "renewal_rules_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "renewals" ADD CONSTRAINT "renewals_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "renewals" ADD CONSTRAINT "renewals_business_line_id_business_lines_id_fk" FOREIGN KEY ("business_line_id") REFERENCES "public"."business_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "renewals" ADD CONSTRAINT "renewals_previous_contract_id_contracts_id_fk" FOREIGN KEY ("previous_contract_id") REFERENCES "public"."contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "renewals" ADD CONSTRAINT "renewals_previous_order_id_orders_id_fk" FOREIGN KEY ("previous_order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "renewals" ADD CONSTRAINT "renewals_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "renewals" ADD CONSTRAINT "renewals_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "renewals" ADD CONSTRAINT "renewals_opportunity_id_opportunities_id_fk" FOREIGN KEY ("opportunity_id") REFERENCES "public"."opportunities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "renewals" ADD CONSTRAINT "renewals_quote_id_quotes_id_fk" FOREIGN KEY ("quote_id") REFERENCES "public"."quotes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "renewals" ADD CONSTRAINT "renewals_letter_contract_id_contracts_id_fk" FOREIGN KEY ("letter_contract_id") REFERENCES "public"."contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cross_sell_suggestions" ADD CONSTRAINT "cross_sell_suggestions_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cross_sell_suggestions" ADD CONSTRAINT "cross_sell_suggestions_business_line_id_business_lines_id_fk" FOREIGN KEY ("business_line_id") REFERENCES "public"."business_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cross_sell_suggestions" ADD CONSTRAINT "cross_sell_suggestions_base_line_id_business_lines_id_fk" FOREIGN KEY ("base_line_id") REFERENCES "public"."business_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cross_sell_suggestions" ADD CONSTRAINT "cross_sell_suggestions_excluded_by_line_id_business_lines_id_fk" FOREIGN KEY ("excluded_by_line_id") REFERENCES "public"."business_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cross_sell_suggestions" ADD CONSTRAINT "cross_sell_suggestions_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cross_sell_suggestions" ADD CONSTRAINT "cross_sell_suggestions_opportunity_id_opportunities_id_fk" FOREIGN KEY ("opportunity_id") REFERENCES "public"."opportunities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cross_sell_suggestions" ADD CONSTRAINT "cross_sell_suggestions_resolved_by_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "renewals_season_key" ON "renewals" USING btree ("source","source_id","due_on");--> statement-breakpoint
CREATE UNIQUE INDEX "renewals_opportunity_key" ON "renewals" USING btree ("opportunity_id");--> statement-breakpoint
CREATE INDEX "renewals_customer_idx" ON "renewals" USING btree ("customer_id","due_on");--> statement-breakpoint
CREATE INDEX "renewals_owner_idx" ON "renewals" USING btree ("owner_id","due_on");--> statement-breakpoint
CREATE INDEX "renewals_due_idx" ON "renewals" USING btree ("due_on");--> statement-breakpoint
CREATE UNIQUE INDEX "cross_sell_customer_line_key" ON "cross_sell_suggestions" USING btree ("customer_id","business_line_id");--> statement-breakpoint
CREATE UNIQUE INDEX "cross_sell_opportunity_key" ON "cross_sell_suggestions" USING btree ("opportunity_id");--> statement-breakpoint
CREATE INDEX "cross_sell_owner_idx" ON "cross_sell_suggestions" USING btree ("owner_id","status","score" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "cross_sell_status_idx" ON "cross_sell_suggestions" USING btree ("status","score" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "contracts_recurring_idx" ON "contracts" USING btree ("end_on") WHERE "contracts"."recurring_cycle" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "orders_recurring_idx" ON "orders" USING btree ("confirmed_on") WHERE "orders"."recurring_cycle" IS NOT NULL;