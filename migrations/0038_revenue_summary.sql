CREATE TABLE "revenue_summary_days" (
	"subject_id" uuid NOT NULL,
	"owner_id" uuid NOT NULL,
	"department_id" uuid NOT NULL,
	"business_line_id" uuid NOT NULL,
	"branch_id" uuid,
	"region_id" uuid,
	"day" date NOT NULL,
	"contracted" numeric(16, 2) DEFAULT '0' NOT NULL,
	"invoiced" numeric(16, 2) DEFAULT '0' NOT NULL,
	"received" numeric(16, 2) DEFAULT '0' NOT NULL,
	"change" numeric(16, 2) DEFAULT '0' NOT NULL,
	CONSTRAINT "revenue_summary_days_subject_id_day_pk" PRIMARY KEY("subject_id","day")
);
--> statement-breakpoint
CREATE TABLE "revenue_summary_months" (
	"owner_id" uuid NOT NULL,
	"department_id" uuid NOT NULL,
	"business_line_id" uuid NOT NULL,
	"branch_id" uuid,
	"month" date NOT NULL,
	"contracted" numeric(16, 2) DEFAULT '0' NOT NULL,
	"invoiced" numeric(16, 2) DEFAULT '0' NOT NULL,
	"received" numeric(16, 2) DEFAULT '0' NOT NULL,
	"change" numeric(16, 2) DEFAULT '0' NOT NULL,
	CONSTRAINT "revenue_summary_months_key" UNIQUE NULLS NOT DISTINCT("owner_id","department_id","business_line_id","branch_id","month")
);
--> statement-breakpoint
CREATE TABLE "revenue_summary_open" (
	"term_id" uuid NOT NULL,
	"subject_id" uuid NOT NULL,
	"owner_id" uuid NOT NULL,
	"department_id" uuid NOT NULL,
	"business_line_id" uuid NOT NULL,
	"branch_id" uuid,
	"region_id" uuid,
	"due_on" date,
	"during" daterange NOT NULL,
	"open" numeric(16, 2) DEFAULT '0' NOT NULL,
	CONSTRAINT "revenue_summary_open_term_id_during_pk" PRIMARY KEY("term_id","during")
);
--> statement-breakpoint
CREATE INDEX "revenue_summary_days_day_idx" ON "revenue_summary_days" USING btree ("day");--> statement-breakpoint
CREATE INDEX "revenue_summary_open_subject_idx" ON "revenue_summary_open" USING btree ("subject_id");--> statement-breakpoint
-- custom: revenue summary (revenue.summary.ts): the open spans' GiST index holding what the ageing reads (drizzle cannot declare INCLUDE); the triggers: a change of a contract, an order, a term, a receipt, an allocation, an invoice, a customer's region or an owner's branch marks the subjects (contracts, orders without one) whose figures it can alter
CREATE INDEX "revenue_summary_open_during_idx" ON "revenue_summary_open" USING gist ("during")
  INCLUDE ("due_on", "open", "owner_id", "department_id", "business_line_id", "branch_id", "region_id", "subject_id");
--> statement-breakpoint
CREATE OR REPLACE FUNCTION revenue_summary_mark_subject() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- contracts, orders (their own id), payment_terms, invoices (their contract or order): old and new
  IF TG_TABLE_NAME IN ('contracts', 'orders') THEN
    INSERT INTO report_stale (summary, key)
    SELECT 'revenue', k FROM unnest(ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN OLD.id END, CASE WHEN TG_OP <> 'DELETE' THEN NEW.id END]) k
    WHERE k IS NOT NULL ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO report_stale (summary, key)
    SELECT 'revenue', k FROM unnest(ARRAY[
      CASE WHEN TG_OP <> 'INSERT' THEN coalesce(OLD.contract_id, OLD.order_id) END,
      CASE WHEN TG_OP <> 'DELETE' THEN coalesce(NEW.contract_id, NEW.order_id) END]) k
    WHERE k IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER revenue_summary_contracts AFTER INSERT OR UPDATE OR DELETE ON contracts
  FOR EACH ROW EXECUTE FUNCTION revenue_summary_mark_subject();
--> statement-breakpoint
CREATE TRIGGER revenue_summary_orders AFTER INSERT OR UPDATE OR DELETE ON orders
  FOR EACH ROW EXECUTE FUNCTION revenue_summary_mark_subject();
--> statement-breakpoint
CREATE TRIGGER revenue_summary_payment_terms AFTER INSERT OR UPDATE OR DELETE ON payment_terms
  FOR EACH ROW EXECUTE FUNCTION revenue_summary_mark_subject();
--> statement-breakpoint
CREATE TRIGGER revenue_summary_invoices AFTER INSERT OR UPDATE OR DELETE ON invoices
  FOR EACH ROW EXECUTE FUNCTION revenue_summary_mark_subject();
--> statement-breakpoint
-- A receipt counts for its own contract or order (received) and, through its allocations, for its terms' (balance, ageing).
CREATE OR REPLACE FUNCTION revenue_summary_mark_receipt() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r receipts;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  INSERT INTO report_stale (summary, key)
  SELECT 'revenue', k FROM (
    SELECT coalesce(r.contract_id, r.order_id) AS k
    UNION ALL SELECT coalesce(OLD.contract_id, OLD.order_id) WHERE TG_OP = 'UPDATE'
    UNION ALL SELECT coalesce(t.contract_id, t.order_id) FROM receipt_allocations a JOIN payment_terms t ON t.id = a.term_id
      WHERE a.receipt_id = r.id) x
  WHERE k IS NOT NULL ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER revenue_summary_receipts AFTER INSERT OR UPDATE OR DELETE ON receipts
  FOR EACH ROW EXECUTE FUNCTION revenue_summary_mark_receipt();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION revenue_summary_mark_allocation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_stale (summary, key)
  SELECT 'revenue', coalesce(t.contract_id, t.order_id) FROM payment_terms t
  WHERE t.id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.term_id END, CASE WHEN TG_OP <> 'DELETE' THEN NEW.term_id END)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER revenue_summary_receipt_allocations AFTER INSERT OR UPDATE OR DELETE ON receipt_allocations
  FOR EACH ROW EXECUTE FUNCTION revenue_summary_mark_allocation();
--> statement-breakpoint
-- The customer's region is a dimension of its contracts and orders.
CREATE OR REPLACE FUNCTION revenue_summary_mark_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_stale (summary, key)
  SELECT 'revenue', c.id FROM contracts c WHERE c.customer_id = NEW.id
  UNION ALL SELECT 'revenue', o.id FROM orders o WHERE o.customer_id = NEW.id AND o.contract_id IS NULL
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER revenue_summary_customers AFTER UPDATE OF region_id ON customers
  FOR EACH ROW WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id) EXECUTE FUNCTION revenue_summary_mark_customer();
--> statement-breakpoint
-- A contract without a branch, and an order without a contract, take their owner's branch.
CREATE OR REPLACE FUNCTION revenue_summary_mark_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_stale (summary, key)
  SELECT 'revenue', c.id FROM contracts c WHERE c.owner_id = NEW.id AND c.branch_id IS NULL
  UNION ALL SELECT 'revenue', o.id FROM orders o WHERE o.owner_id = NEW.id AND o.contract_id IS NULL
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER revenue_summary_users AFTER UPDATE OF branch_id ON users
  FOR EACH ROW WHEN (OLD.branch_id IS DISTINCT FROM NEW.branch_id) EXECUTE FUNCTION revenue_summary_mark_owner();
