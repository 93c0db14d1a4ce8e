-- The staged rows of an import live only while it runs (transfer.service.ts runImport): they need no write-ahead log
-- (after a crash the import is lost anyway, and the sweeper removes what a stopped import left), no foreign key
-- checked on each of a file's rows (import batches are never deleted), and their key compares bytes, not the
-- database's collation (the key's order is the import's own business). Staging 150,000 rows: PostgreSQL's part 2.0 → 0.6 s.
ALTER TABLE "import_rows" DROP CONSTRAINT "import_rows_batch_id_import_batches_id_fk";--> statement-breakpoint
ALTER TABLE "import_rows" SET UNLOGGED;--> statement-breakpoint
ALTER TABLE "import_rows" ALTER COLUMN "group_key" TYPE text COLLATE "C";
