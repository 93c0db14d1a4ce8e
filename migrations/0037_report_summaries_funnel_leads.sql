CREATE TABLE "report_funnel_counts" (
	"stage" text NOT NULL,
	"month" date NOT NULL,
	"prev_month" date,
	"outcome" text NOT NULL,
	"lost_reason" text,
	"business_line_id" uuid NOT NULL,
	"department_id" uuid,
	"n" integer NOT NULL,
	CONSTRAINT "report_funnel_counts_group" UNIQUE NULLS NOT DISTINCT("month","stage","prev_month","outcome","lost_reason","business_line_id","department_id")
);
--> statement-breakpoint
CREATE TABLE "report_funnel_entries" (
	"opportunity_id" uuid NOT NULL,
	"stage" text NOT NULL,
	"month" date NOT NULL,
	"prev_month" date,
	"outcome" text NOT NULL,
	"lost_reason" text,
	"business_line_id" uuid NOT NULL,
	"department_id" uuid,
	"owner_id" uuid NOT NULL,
	"region_id" uuid
);
--> statement-breakpoint
CREATE TABLE "report_lead_counts" (
	"kind" text NOT NULL,
	"value" text,
	"month" date NOT NULL,
	"owner_id" uuid,
	"queue_department_id" uuid,
	"business_line_id" uuid,
	"created" integer NOT NULL,
	"converted" integer NOT NULL,
	"won" integer NOT NULL,
	CONSTRAINT "report_lead_counts_group" UNIQUE NULLS NOT DISTINCT("kind","month","value","owner_id","queue_department_id","business_line_id")
);
--> statement-breakpoint
CREATE TABLE "report_lead_entries" (
	"lead_id" uuid NOT NULL,
	"month" date NOT NULL,
	"owner_id" uuid,
	"queue_department_id" uuid,
	"business_line_id" uuid,
	"region_id" uuid,
	"source" text,
	"campaign_id" uuid,
	"converted" boolean NOT NULL,
	"won" boolean NOT NULL
);
--> statement-breakpoint
CREATE INDEX "report_funnel_entries_opp_idx" ON "report_funnel_entries" USING btree ("opportunity_id");--> statement-breakpoint
CREATE INDEX "report_funnel_entries_month_idx" ON "report_funnel_entries" USING btree ("month");--> statement-breakpoint
CREATE INDEX "report_funnel_entries_owner_idx" ON "report_funnel_entries" USING btree ("owner_id","month");--> statement-breakpoint
CREATE INDEX "report_lead_entries_lead_idx" ON "report_lead_entries" USING btree ("lead_id");--> statement-breakpoint
CREATE INDEX "leads_opportunity_idx" ON "leads" USING btree ("opportunity_id") WHERE "leads"."opportunity_id" IS NOT NULL;--> statement-breakpoint
-- custom: funnel summary — triggers marking opportunities stale in report_stale (summary 'funnel', funnel.summary.ts)
CREATE FUNCTION report_funnel_stale_by_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO report_stale (summary, key) VALUES ('funnel', OLD.opportunity_id) ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.opportunity_id IS DISTINCT FROM OLD.opportunity_id) THEN
    INSERT INTO report_stale (summary, key) VALUES ('funnel', NEW.opportunity_id) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER report_funnel_stale AFTER INSERT OR UPDATE OR DELETE ON opportunity_stage_changes
  FOR EACH ROW EXECUTE FUNCTION report_funnel_stale_by_change();
--> statement-breakpoint
CREATE FUNCTION report_funnel_stale_by_opportunity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO report_stale (summary, key) VALUES ('funnel', OLD.id) ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'INSERT' OR (OLD.status, OLD.stage_id, OLD.lost_reason, OLD.owner_id, OLD.department_id,
      OLD.business_line_id, OLD.customer_id, OLD.id)
    IS DISTINCT FROM (NEW.status, NEW.stage_id, NEW.lost_reason, NEW.owner_id, NEW.department_id,
      NEW.business_line_id, NEW.customer_id, NEW.id) THEN
    INSERT INTO report_stale (summary, key) VALUES ('funnel', NEW.id) ON CONFLICT DO NOTHING;
    IF TG_OP = 'UPDATE' AND NEW.id <> OLD.id THEN
      INSERT INTO report_stale (summary, key) VALUES ('funnel', OLD.id) ON CONFLICT DO NOTHING;
    END IF;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER report_funnel_stale AFTER INSERT OR UPDATE OR DELETE ON opportunities
  FOR EACH ROW EXECUTE FUNCTION report_funnel_stale_by_opportunity();
--> statement-breakpoint
CREATE FUNCTION report_funnel_stale_by_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.region_id IS DISTINCT FROM NEW.region_id OR OLD.id <> NEW.id THEN
    INSERT INTO report_stale (summary, key)
    SELECT 'funnel', o.id FROM opportunities o WHERE o.customer_id IN (OLD.id, NEW.id) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER report_funnel_stale AFTER UPDATE OR DELETE ON customers
  FOR EACH ROW EXECUTE FUNCTION report_funnel_stale_by_customer();
--> statement-breakpoint
CREATE FUNCTION report_funnel_stale_by_stage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.name_zh IS DISTINCT FROM NEW.name_zh OR OLD.kind IS DISTINCT FROM NEW.kind
      OR OLD.id <> NEW.id THEN
    INSERT INTO report_stale (summary, key)
    SELECT 'funnel', c.opportunity_id FROM opportunity_stage_changes c
    WHERE c.to_stage_id IN (OLD.id, NEW.id) OR c.from_stage_id IN (OLD.id, NEW.id)
    UNION
    SELECT 'funnel', o.id FROM opportunities o WHERE o.stage_id IN (OLD.id, NEW.id)
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER report_funnel_stale AFTER UPDATE OR DELETE ON pipeline_stages
  FOR EACH ROW EXECUTE FUNCTION report_funnel_stale_by_stage();
--> statement-breakpoint
-- custom: lead-conversion summary — triggers marking leads stale in report_stale (summary 'lead-conversion', lead-conversion.summary.ts)
CREATE FUNCTION report_leads_stale_by_lead() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO report_stale (summary, key) VALUES ('lead-conversion', OLD.id) ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'INSERT' OR (OLD.created_at, OLD.status, OLD.opportunity_id, OLD.owner_id, OLD.queue_department_id,
      OLD.business_line_id, OLD.region_id, OLD.source, OLD.campaign_id, OLD.id)
    IS DISTINCT FROM (NEW.created_at, NEW.status, NEW.opportunity_id, NEW.owner_id, NEW.queue_department_id,
      NEW.business_line_id, NEW.region_id, NEW.source, NEW.campaign_id, NEW.id) THEN
    INSERT INTO report_stale (summary, key) VALUES ('lead-conversion', NEW.id) ON CONFLICT DO NOTHING;
    IF TG_OP = 'UPDATE' AND NEW.id <> OLD.id THEN
      INSERT INTO report_stale (summary, key) VALUES ('lead-conversion', OLD.id) ON CONFLICT DO NOTHING;
    END IF;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER report_leads_stale AFTER INSERT OR UPDATE OR DELETE ON leads
  FOR EACH ROW EXECUTE FUNCTION report_leads_stale_by_lead();
--> statement-breakpoint
CREATE FUNCTION report_leads_stale_by_opportunity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.status IS DISTINCT FROM NEW.status OR OLD.id <> NEW.id THEN
    INSERT INTO report_stale (summary, key)
    SELECT 'lead-conversion', l.id FROM leads l WHERE l.opportunity_id IN (OLD.id, NEW.id) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER report_leads_stale AFTER UPDATE OR DELETE ON opportunities
  FOR EACH ROW EXECUTE FUNCTION report_leads_stale_by_opportunity();
