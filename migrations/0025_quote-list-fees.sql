ALTER TABLE "quote_items" ADD COLUMN "list_unit_price" numeric(14, 2);--> statement-breakpoint
ALTER TABLE "quotes" ADD COLUMN "list_total" numeric(14, 2);