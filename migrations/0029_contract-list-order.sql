DROP INDEX "contracts_status_line_idx";--> statement-breakpoint
DROP INDEX "contracts_line_created_idx";--> statement-breakpoint
DROP INDEX "contracts_created_idx";--> statement-breakpoint
DROP INDEX "orders_created_idx";--> statement-breakpoint
CREATE INDEX "contracts_status_line_idx" ON "contracts" USING btree ("status","business_line_id","created_at" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "contracts_line_created_idx" ON "contracts" USING btree ("business_line_id","created_at" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "contracts_created_idx" ON "contracts" USING btree ("created_at" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "orders_created_idx" ON "orders" USING btree ("created_at" DESC NULLS LAST,"id");