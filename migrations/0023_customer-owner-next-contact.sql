DROP INDEX "customers_owner_idx";--> statement-breakpoint
CREATE INDEX "customers_owner_next_contact_idx" ON "customers" USING btree ("owner_id","next_contact_on");