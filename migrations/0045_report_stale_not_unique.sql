ALTER TABLE "report_stale" DROP CONSTRAINT "report_stale_summary_key_pk";--> statement-breakpoint
CREATE INDEX "report_stale_summary_idx" ON "report_stale" USING btree ("summary","key");