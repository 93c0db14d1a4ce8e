CREATE INDEX "invoices_customer_idx" ON "invoices" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "chat_messages_links_idx" ON "chat_messages" USING gin ("links" jsonb_path_ops);