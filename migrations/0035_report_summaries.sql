CREATE TABLE "report_stale" (
	"summary" text NOT NULL,
	"key" uuid NOT NULL,
	CONSTRAINT "report_stale_summary_key_pk" PRIMARY KEY("summary","key")
);
--> statement-breakpoint
CREATE TABLE "report_summaries" (
	"summary" text PRIMARY KEY NOT NULL,
	"built_at" timestamp with time zone DEFAULT now() NOT NULL
);
