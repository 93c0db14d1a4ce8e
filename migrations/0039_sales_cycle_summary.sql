CREATE TABLE "sales_cycle_summary" (
	"opportunity_id" uuid PRIMARY KEY NOT NULL,
	"closed_at" timestamp with time zone NOT NULL,
	"owner_id" uuid NOT NULL,
	"department_id" uuid,
	"business_line_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"seconds" bigint NOT NULL,
	"lead_seconds" bigint
);
--> statement-breakpoint
CREATE TABLE "sales_cycle_summary_stays" (
	"opportunity_id" uuid NOT NULL,
	"stage_id" uuid NOT NULL,
	"seconds" bigint NOT NULL,
	"open_since" timestamp with time zone,
	CONSTRAINT "sales_cycle_summary_stays_opportunity_id_stage_id_pk" PRIMARY KEY("opportunity_id","stage_id")
);
--> statement-breakpoint
CREATE INDEX "sales_cycle_summary_closed_idx" ON "sales_cycle_summary" USING btree ("closed_at");--> statement-breakpoint
-- custom: sales cycle summary triggers (sales-cycle.summary.ts): a change of a won opportunity's stage history marks
-- it; an opportunity made, deleted or changed in what the summary keeps marks itself when it is (or was) won; a
-- lead's creation change marks its won opportunities (a lead deleted nulls lead_id: an opportunity change).
CREATE OR REPLACE FUNCTION sales_cycle_summary_change_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO report_stale (summary, key) SELECT 'sales-cycle', o.id FROM opportunities o
      WHERE o.id = OLD.opportunity_id AND o.status = 'won' ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO report_stale (summary, key) SELECT 'sales-cycle', o.id FROM opportunities o
      WHERE o.id = NEW.opportunity_id AND o.status = 'won' ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER opportunity_stage_changes_sales_cycle_summary AFTER INSERT OR UPDATE OR DELETE ON opportunity_stage_changes
  FOR EACH ROW EXECUTE FUNCTION sales_cycle_summary_change_changed();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION sales_cycle_summary_opportunity_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.id = NEW.id AND OLD.status = NEW.status
    AND OLD.closed_at IS NOT DISTINCT FROM NEW.closed_at AND OLD.created_at = NEW.created_at
    AND OLD.owner_id = NEW.owner_id AND OLD.department_id IS NOT DISTINCT FROM NEW.department_id
    AND OLD.business_line_id = NEW.business_line_id AND OLD.customer_id = NEW.customer_id
    AND OLD.lead_id IS NOT DISTINCT FROM NEW.lead_id THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' AND OLD.status = 'won' THEN
    INSERT INTO report_stale (summary, key) VALUES ('sales-cycle', OLD.id) ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.status = 'won' THEN
    INSERT INTO report_stale (summary, key) VALUES ('sales-cycle', NEW.id) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER opportunities_sales_cycle_summary AFTER INSERT OR UPDATE OR DELETE ON opportunities
  FOR EACH ROW EXECUTE FUNCTION sales_cycle_summary_opportunity_changed();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION sales_cycle_summary_lead_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_stale (summary, key) SELECT 'sales-cycle', o.id FROM opportunities o
    WHERE o.lead_id = NEW.id AND o.status = 'won' ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER leads_sales_cycle_summary AFTER UPDATE OF created_at ON leads
  FOR EACH ROW WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at) EXECUTE FUNCTION sales_cycle_summary_lead_changed();
