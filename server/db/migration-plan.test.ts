import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyMigrationSql, formatPlan, pendingAfter, readJournal } from './migration-plan';

const kinds = (sqlText: string) =>
  classifyMigrationSql(sqlText).map((s) => `${s.kind} ${s.table ?? ''}${s.big ? '!' : ''}`.trim());

describe('classifying a migration', () => {
  it('flags rewrites, backfills, scans and index builds, and which of them touch a big table', () => {
    expect(kinds('ALTER TABLE "customers" ALTER COLUMN "size" SET DATA TYPE integer;')).toEqual(['rewrite customers!']);
    expect(kinds('ALTER TABLE "notifications" ALTER COLUMN "kind" TYPE varchar(40)')).toEqual([
      'rewrite notifications!',
    ]);
    expect(kinds('ALTER TABLE "contacts" ADD COLUMN "key" uuid DEFAULT gen_random_uuid() NOT NULL')).toEqual([
      'rewrite contacts!',
    ]);
    expect(
      kinds(
        'ALTER TABLE "contacts" ADD COLUMN "g" text[] GENERATED ALWAYS AS (cjk_grams(search_text)) STORED NOT NULL',
      ),
    ).toEqual(['rewrite contacts!']);
    expect(kinds('UPDATE "activities" SET "status" = \'done\' WHERE "done_at" IS NOT NULL')).toEqual([
      'backfill activities!',
    ]);
    expect(kinds('INSERT INTO "audit_logs" (action) SELECT \'x\' FROM customers')).toEqual(['backfill audit_logs!']);
    expect(kinds('CREATE INDEX "x" ON "chat_messages" USING gin ("links" jsonb_path_ops)')).toEqual([
      'index chat_messages!',
    ]);
    expect(kinds('ALTER TABLE "contact_logs" ALTER COLUMN "summary" SET NOT NULL')).toEqual(['validate contact_logs!']);
    expect(
      kinds('ALTER TABLE "customers" ADD CONSTRAINT "f" FOREIGN KEY ("x") REFERENCES "public"."users"("id")'),
    ).toEqual(['validate customers!']);
    expect(kinds('UPDATE "roles" SET "grants" = "grants" || \'{}\'::jsonb')).toEqual(['backfill roles']);
    expect(kinds('CREATE EXTENSION IF NOT EXISTS pg_trgm;')).toEqual(['extension']);
  });

  it('leaves out cheap statements and tables the migration itself creates', () => {
    expect(kinds('ALTER TABLE "customers" ADD COLUMN "legal_hold_at" timestamp with time zone')).toEqual([]);
    expect(kinds('ALTER TABLE "customers" ADD COLUMN "flag" boolean DEFAULT false NOT NULL')).toEqual([]);
    expect(kinds('ALTER TABLE "customers" ADD COLUMN "seen" timestamp with time zone DEFAULT now()')).toEqual([]);
    expect(
      kinds('ALTER TABLE "customers" ADD CONSTRAINT "f" FOREIGN KEY ("x") REFERENCES "users"("id") NOT VALID'),
    ).toEqual([]);
    expect(kinds('ALTER TABLE "customers" ALTER COLUMN "search_grams" SET STATISTICS 0')).toEqual([]);
    expect(
      kinds(
        'CREATE TABLE "chat_messages" ("id" uuid);\n--> statement-breakpoint\n-- a comment: UPDATE "customers"\nCREATE INDEX "m" ON "chat_messages" ("id");--> statement-breakpoint\nUPDATE "chat_messages" SET id = id;',
      ),
    ).toEqual([]);
  });

  it('judges the real migrations: search grams and the customer indexes are heavy, the 0050 columns are not', () => {
    const all = pendingAfter(null);
    expect(all.map((p) => p.tag)).toEqual(readJournal().map((e) => e.tag));
    const heavy = all.filter((p) => p.heavy).map((p) => p.tag);
    expect(heavy).toEqual(
      expect.arrayContaining([
        '0009_search-trigram-indexes',
        '0020_customer-list-order',
        '0021_search-grams',
        '0048_customer_story_indexes',
      ]),
    );
    expect(heavy).not.toContain('0050_operations');
    expect(heavy).not.toContain('0001_customers'); // creates its tables: empty while indexed
    const grams = all.find((p) => p.tag === '0021_search-grams')!;
    expect(grams.steps).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'rewrite', table: 'customers', big: true }),
        expect.objectContaining({ kind: 'index', table: 'contacts', big: true }),
      ]),
    );
    // Only later migrations are pending after one applied.
    const after0020 = readJournal().find((e) => e.tag === '0020_customer-list-order')!.when;
    expect(pendingAfter(after0020)[0].tag).toBe('0021_search-grams');
    expect(formatPlan(pendingAfter(after0020), 'x')).toMatch(/^HEAVY 0021_search-grams$/m);
    expect(formatPlan(pendingAfter(after0020), 'x')).toMatch(/^ +measured at 1M rows: \d+ s with 1M customers/m);
    expect(formatPlan([], 'x')).toContain('up to date');
  });

  it('`gongdan migrate --dry-run` lists them without creating the embedded database', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'gongdan-dry-'));
    try {
      const dataDir = path.join(tmp, 'data');
      const { DATABASE_URL: _ignored, ...env } = process.env;
      const res = spawnSync(
        process.execPath,
        [path.resolve(import.meta.dirname, '../../bin/gongdan.js'), 'migrate', '--dry-run'],
        { env: { ...env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, encoding: 'utf8', timeout: 60_000 },
      );
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
      expect(res.stdout).toContain(`${readJournal().length} migrations would run on a new embedded database`);
      expect(res.stdout).toMatch(/^HEAVY 0021_search-grams$/m);
      expect(res.stdout).toContain('Nothing was applied');
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
