CREATE TABLE "customer_evaluations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"sheet_id" uuid NOT NULL,
	"answers" jsonb NOT NULL,
	"score" numeric(5, 2) NOT NULL,
	"tier" text NOT NULL,
	"notes" text,
	"evaluated_by" uuid NOT NULL,
	"evaluated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluation_sheets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"version" integer NOT NULL,
	"factors" jsonb NOT NULL,
	"tiers" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	CONSTRAINT "evaluation_sheets_version_unique" UNIQUE("version")
);
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "value_score" numeric(5, 2);--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "value_tier" text;--> statement-breakpoint
ALTER TABLE "customer_evaluations" ADD CONSTRAINT "customer_evaluations_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_evaluations" ADD CONSTRAINT "customer_evaluations_sheet_id_evaluation_sheets_id_fk" FOREIGN KEY ("sheet_id") REFERENCES "public"."evaluation_sheets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_evaluations" ADD CONSTRAINT "customer_evaluations_evaluated_by_users_id_fk" FOREIGN KEY ("evaluated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_evaluations_customer_idx" ON "customer_evaluations" USING btree ("customer_id","evaluated_at");