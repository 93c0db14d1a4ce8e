CREATE TABLE "cpe_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"user_id" uuid NOT NULL,
	"taken_on" date NOT NULL,
	"course" text NOT NULL,
	"hours" numeric(5, 2) NOT NULL,
	"kind" text NOT NULL,
	CONSTRAINT "cpe_entries_hours_check" CHECK ("cpe_entries"."hours" > 0 AND "cpe_entries"."hours" <= 24)
);
--> statement-breakpoint
CREATE TABLE "cpe_requirements" (
	"kind" text PRIMARY KEY NOT NULL,
	"hours" numeric(6, 2) NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "person_profiles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"user_id" uuid NOT NULL,
	"title_level" text DEFAULT 'none' NOT NULL,
	"title_name" text,
	"degree" text,
	"school" text,
	"major" text,
	"weekly_capacity" numeric(6, 2) DEFAULT '40' NOT NULL,
	CONSTRAINT "person_profiles_capacity_check" CHECK ("person_profiles"."weekly_capacity" > 0 AND "person_profiles"."weekly_capacity" <= 168)
);
--> statement-breakpoint
CREATE TABLE "qualifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text,
	"certificate_no" text NOT NULL,
	"issued_on" date,
	"expires_on" date,
	"reminded_for" date,
	CONSTRAINT "qualifications_dates_check" CHECK ("qualifications"."expires_on" IS NULL OR "qualifications"."issued_on" IS NULL OR "qualifications"."expires_on" >= "qualifications"."issued_on")
);
--> statement-breakpoint
ALTER TABLE "cpe_entries" ADD CONSTRAINT "cpe_entries_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_profiles" ADD CONSTRAINT "person_profiles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qualifications" ADD CONSTRAINT "qualifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cpe_entries_user_idx" ON "cpe_entries" USING btree ("user_id","taken_on");--> statement-breakpoint
CREATE UNIQUE INDEX "person_profiles_user_key" ON "person_profiles" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "qualifications_user_idx" ON "qualifications" USING btree ("user_id","kind");--> statement-breakpoint
CREATE INDEX "qualifications_expires_idx" ON "qualifications" USING btree ("expires_on");