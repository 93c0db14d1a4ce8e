-- The search indexes' pending list is no longer a property of each index: the app's sessions set gin_pending_list_limit
-- to 128 kB (server/db/client.ts), and a bulk writer (the customer import) raises it for its own transactions,
-- which merge entries several times faster (docs/benchmarks/load-2026-12-07.md). RESET is a catalog change: no rebuild.
ALTER INDEX "contacts_search_trgm_idx" RESET (gin_pending_list_limit);--> statement-breakpoint
ALTER INDEX "contacts_search_grams_idx" RESET (gin_pending_list_limit);--> statement-breakpoint
ALTER INDEX "customers_search_trgm_idx" RESET (gin_pending_list_limit);--> statement-breakpoint
ALTER INDEX "customers_search_grams_idx" RESET (gin_pending_list_limit);--> statement-breakpoint
ALTER INDEX "campaigns_search_trgm_idx" RESET (gin_pending_list_limit);--> statement-breakpoint
ALTER INDEX "campaigns_search_grams_idx" RESET (gin_pending_list_limit);--> statement-breakpoint
ALTER INDEX "leads_search_trgm_idx" RESET (gin_pending_list_limit);--> statement-breakpoint
ALTER INDEX "leads_search_grams_idx" RESET (gin_pending_list_limit);--> statement-breakpoint
ALTER INDEX "opportunities_search_trgm_idx" RESET (gin_pending_list_limit);--> statement-breakpoint
ALTER INDEX "opportunities_search_grams_idx" RESET (gin_pending_list_limit);--> statement-breakpoint
ALTER INDEX "knowledge_articles_search_idx" RESET (gin_pending_list_limit);--> statement-breakpoint
ALTER INDEX "chat_messages_search_idx" RESET (gin_pending_list_limit);
