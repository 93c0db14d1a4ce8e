CREATE TABLE "workload_summary" (
	"week_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"month" date NOT NULL,
	"business_line_id" uuid,
	"hours" numeric(9, 2) NOT NULL,
	"billable" numeric(9, 2) NOT NULL
);
--> statement-breakpoint
CREATE INDEX "workload_summary_week_idx" ON "workload_summary" USING btree ("week_id");--> statement-breakpoint
CREATE INDEX "workload_summary_month_idx" ON "workload_summary" USING btree ("month");--> statement-breakpoint
CREATE INDEX "workload_summary_user_idx" ON "workload_summary" USING btree ("user_id","month");--> statement-breakpoint
-- custom: workload summary triggers (workload.summary.ts): a change of a time entry marks its week (old and new), a
-- week's insert, delete or change of what counts marks itself, an engagement's business line change (or delete)
-- marks the weeks of its entries.
CREATE OR REPLACE FUNCTION workload_summary_entry_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.user_id = NEW.user_id AND OLD.work_date = NEW.work_date AND OLD.hours = NEW.hours
    AND OLD.billable = NEW.billable AND OLD.engagement_id IS NOT DISTINCT FROM NEW.engagement_id THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO report_stale (summary, key) SELECT 'workload', w.id FROM timesheet_weeks w
      WHERE w.user_id = OLD.user_id AND w.week_start = date_trunc('week', OLD.work_date::timestamp)::date
      ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO report_stale (summary, key) SELECT 'workload', w.id FROM timesheet_weeks w
      WHERE w.user_id = NEW.user_id AND w.week_start = date_trunc('week', NEW.work_date::timestamp)::date
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER time_entries_workload_summary AFTER INSERT OR UPDATE OR DELETE ON time_entries
  FOR EACH ROW EXECUTE FUNCTION workload_summary_entry_changed();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION workload_summary_week_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.user_id = NEW.user_id AND OLD.week_start = NEW.week_start
    AND (OLD.status IN ('submitted', 'approved')) = (NEW.status IN ('submitted', 'approved')) THEN
    RETURN NULL;
  END IF;
  INSERT INTO report_stale (summary, key)
    VALUES ('workload', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END) ON CONFLICT DO NOTHING;
  IF TG_OP = 'UPDATE' AND OLD.id <> NEW.id THEN
    INSERT INTO report_stale (summary, key) VALUES ('workload', OLD.id) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER timesheet_weeks_workload_summary AFTER INSERT OR UPDATE OR DELETE ON timesheet_weeks
  FOR EACH ROW EXECUTE FUNCTION workload_summary_week_changed();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION workload_summary_engagement_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.business_line_id IS NOT DISTINCT FROM NEW.business_line_id THEN
    RETURN NULL;
  END IF;
  INSERT INTO report_stale (summary, key)
    SELECT DISTINCT 'workload', w.id FROM time_entries te
      JOIN timesheet_weeks w ON w.user_id = te.user_id AND w.week_start = date_trunc('week', te.work_date::timestamp)::date
      WHERE te.engagement_id = OLD.id
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER engagements_workload_summary AFTER UPDATE OR DELETE ON engagements
  FOR EACH ROW EXECUTE FUNCTION workload_summary_engagement_changed();
