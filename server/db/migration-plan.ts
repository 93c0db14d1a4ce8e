import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import type { Database } from './client';
import { MIGRATIONS_DIR } from './migrate';

/**
 * The tables that grow with the firm's history (one row per customer, contact, note, activity, audit entry,
 * notification, chat message): a migration that rewrites, backfills, scans or indexes one of them takes time
 * proportional to its rows and locks it meanwhile. The other tables stay small (configuration, staff).
 */
export const BIG_TABLES = [
  'customers',
  'contacts',
  'contact_logs',
  'activities',
  'audit_logs',
  'notifications',
  'chat_messages',
] as const;

/**
 * What each heavy migration took on 1,000,000 rows of its big tables (bench/migrations.ts; PostgreSQL 15,
 * 2 shared vCPU, see docs/UPGRADES.md). Shown by `gongdan migrate --dry-run`.
 */
export const MEASURED_AT_1M: Record<string, string> = {
  '0009_search-trigram-indexes':
    '164 s with 1M customers and 1M contacts (2026-12-06, shared 2-vCPU machine, heavily loaded)',
  '0020_customer-list-order': '3 s with 1M customers (2026-12-06, shared 2-vCPU machine, heavily loaded)',
  '0021_search-grams': '425 s with 1M customers and 1M contacts (2026-12-06, shared 2-vCPU machine, heavily loaded)',
  '0023_customer-owner-next-contact': '4 s with 1M customers (2026-12-06, shared 2-vCPU machine, heavily loaded)',
  '0048_customer_story_indexes': '3 s with 1M chat messages (2026-12-06, shared 2-vCPU machine, heavily loaded)',
};

export type StepKind = 'rewrite' | 'backfill' | 'index' | 'validate' | 'extension' | 'code';

export type MigrationStep = {
  kind: StepKind;
  /** The table it works on (absent for extensions). */
  table?: string;
  /** What the statement does, in a few words. */
  detail: string;
  /** The table is one of BIG_TABLES. */
  big: boolean;
};

export type JournalEntry = { idx: number; tag: string; when: number };

export type PlannedMigration = JournalEntry & {
  steps: MigrationStep[];
  /** Rewrites, backfills, scans or indexes a big table. */
  heavy: boolean;
  /** What it took at 1M rows, when measured. */
  measured?: string;
};

const NAME = String.raw`(?:"?public"?\.)?"?([A-Za-z_][A-Za-z0-9_]*)"?`;
const VOLATILE_DEFAULT = /\b(gen_random_uuid|uuid_generate_v[14]|random|clock_timestamp|timeofday|nextval)\s*\(/i;

/** The statements of a migration file, without comment lines, each on one line. */
export function statementsOf(sqlText: string): string[] {
  return sqlText
    .split('--> statement-breakpoint')
    .map((s) =>
      s
        .split('\n')
        .filter((line) => !/^\s*--/.test(line))
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter((s) => s.length > 0);
}

const isBig = (table: string) => (BIG_TABLES as readonly string[]).includes(table);

/**
 * The expensive steps of a migration's SQL: table rewrites (a column's type changed, a stored generated
 * column or a volatile default added), backfills (UPDATE, INSERT … SELECT, DELETE), index builds, full scans
 * to validate a constraint or NOT NULL, extensions, and DO blocks (code this cannot judge). Tables created
 * by the same migration are empty then and left out.
 */
export function classifyMigrationSql(sqlText: string): MigrationStep[] {
  const statements = statementsOf(sqlText);
  const created = new Set<string>();
  for (const s of statements) {
    const m = new RegExp(String.raw`^CREATE TABLE (?:IF NOT EXISTS )?${NAME}`, 'i').exec(s);
    if (m) created.add(m[1]);
  }
  const steps: MigrationStep[] = [];
  const add = (kind: StepKind, table: string | undefined, detail: string) => {
    if (table && created.has(table)) return;
    steps.push({ kind, table, detail, big: table ? isBig(table) : false });
  };
  for (const s of statements) {
    let m: RegExpExecArray | null;
    if (
      (m = new RegExp(
        String.raw`^CREATE (UNIQUE )?INDEX (CONCURRENTLY )?(?:IF NOT EXISTS )?(?:"?([A-Za-z0-9_]+)"? )?ON (?:ONLY )?${NAME}`,
        'i',
      ).exec(s))
    ) {
      const using = /\bUSING (\w+)/i.exec(s)?.[1]?.toLowerCase() ?? 'btree';
      add('index', m[4], `${m[1] ? 'unique ' : ''}${using} index ${m[3] ?? ''}`.replace(/\s+$/, ''));
    } else if ((m = new RegExp(String.raw`^ALTER TABLE (?:IF EXISTS )?(?:ONLY )?${NAME} (.*)$`, 'i').exec(s))) {
      const [, table, body] = m;
      if (/\bALTER COLUMN "?\w+"? (SET DATA )?TYPE\b/i.test(body)) add('rewrite', table, 'column type changed');
      for (const column of body.split(/,\s*(?=ADD COLUMN\b)/i).filter((a) => /\bADD COLUMN\b/i.test(a))) {
        const name = /ADD COLUMN (?:IF NOT EXISTS )?"?(\w+)"?/i.exec(column)?.[1] ?? '?';
        if (/\bGENERATED ALWAYS AS \(.*\) STORED\b/i.test(column))
          add('rewrite', table, `stored generated column ${name} computed for every row`);
        else if (/\bDEFAULT\b/i.test(column) && VOLATILE_DEFAULT.test(column.split(/\bDEFAULT\b/i)[1]))
          add('rewrite', table, `column ${name} with a volatile default written to every row`);
        else if (/\b(big|small)?serial\b/i.test(column))
          add('rewrite', table, `serial column ${name} written to every row`);
      }
      if (/\bSET NOT NULL\b/i.test(body)) add('validate', table, 'NOT NULL checked on every row');
      if (/\bADD CONSTRAINT\b.*\b(FOREIGN KEY|CHECK)\b/i.test(body) && !/\bNOT VALID\b/i.test(body))
        add(
          'validate',
          table,
          `${/FOREIGN KEY/i.test(body) ? 'foreign key' : 'check constraint'} checked on every row`,
        );
      if (/\bADD (CONSTRAINT "?\w+"? )?(PRIMARY KEY|UNIQUE)\b/i.test(body) && !/\bUSING INDEX\b/i.test(body))
        add('index', table, 'unique index for a new constraint');
    } else if ((m = new RegExp(String.raw`^UPDATE (?:ONLY )?${NAME}`, 'i').exec(s))) {
      add('backfill', m[1], 'UPDATE');
    } else if ((m = new RegExp(String.raw`^INSERT INTO ${NAME}.*\bSELECT\b`, 'i').exec(s))) {
      add('backfill', m[1], 'INSERT … SELECT');
    } else if ((m = new RegExp(String.raw`^DELETE FROM (?:ONLY )?${NAME}`, 'i').exec(s))) {
      add('backfill', m[1], 'DELETE');
    } else if ((m = new RegExp(String.raw`^(CLUSTER|VACUUM FULL|REINDEX (?:TABLE|INDEX) )\s*${NAME}?`, 'i').exec(s))) {
      add('rewrite', m[2], m[1].trim().toUpperCase());
    } else if ((m = /^CREATE EXTENSION (?:IF NOT EXISTS )?"?(\w+)"?/i.exec(s))) {
      add('extension', undefined, `extension ${m[1]} (created by a superuser, or trusted)`);
    } else if (/^DO\b/i.test(s)) {
      add('code', undefined, 'DO block: read it before upgrading');
    }
  }
  return steps;
}

/** The migrations in order, as the journal lists them. */
export function readJournal(dir = MIGRATIONS_DIR): JournalEntry[] {
  const journal = JSON.parse(readFileSync(path.join(dir, 'meta/_journal.json'), 'utf8')) as {
    entries: JournalEntry[];
  };
  return journal.entries.map(({ idx, tag, when }) => ({ idx, tag, when }));
}

/** A migration's plan: its expensive steps, whether it is heavy, and what it took at 1M rows. */
export function planOf(entry: JournalEntry, dir = MIGRATIONS_DIR): PlannedMigration {
  const steps = classifyMigrationSql(readFileSync(path.join(dir, `${entry.tag}.sql`), 'utf8'));
  const heavy = steps.some((s) => s.big && s.kind !== 'extension' && s.kind !== 'code');
  return { ...entry, steps, heavy, ...(MEASURED_AT_1M[entry.tag] ? { measured: MEASURED_AT_1M[entry.tag] } : {}) };
}

/**
 * The migrations that would run after the one applied last (created_at = the journal's `when`), as the Drizzle
 * migrator decides: every later one; all of them when none was applied.
 */
export function pendingAfter(lastApplied: number | null, dir = MIGRATIONS_DIR): PlannedMigration[] {
  return readJournal(dir)
    .filter((e) => lastApplied === null || e.when > lastApplied)
    .map((e) => planOf(e, dir));
}

/** The `when` of the last migration applied to the database, or null when none was (or it is empty). */
export async function lastAppliedMigration(database: Database): Promise<number | null> {
  const text = `SELECT max(created_at)::text AS last FROM drizzle.__drizzle_migrations`;
  const exists = `SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS present`;
  type Row = { present?: boolean; last?: string | null };
  const query = async (q: string): Promise<Row[]> =>
    database.client instanceof PGlite
      ? (await database.client.query<Row>(q)).rows
      : (await (database.client as pg.Pool).query<Row>(q)).rows;
  if (!(await query(exists))[0]?.present) return null;
  const last = (await query(text))[0]?.last;
  return last == null ? null : Number(last);
}

/** The migrations that would run on this database; applies nothing. */
export async function pendingMigrations(database: Database, dir = MIGRATIONS_DIR): Promise<PlannedMigration[]> {
  return pendingAfter(await lastAppliedMigration(database), dir);
}

/** The dry run's report: one block per pending migration, heavy ones first-marked. */
export function formatPlan(plan: PlannedMigration[], where: string): string {
  if (plan.length === 0) return `No migration to apply (${where}): the database is up to date.`;
  const heavy = plan.filter((p) => p.heavy).length;
  const lines = [
    `${plan.length} migration${plan.length === 1 ? '' : 's'} would run on ${where}` +
      (heavy ? `, ${heavy} of them heavy on big tables` : '') +
      '. Nothing was applied.',
    `Big tables: ${BIG_TABLES.join(', ')}.`,
    '',
  ];
  for (const p of plan) {
    lines.push(`${p.heavy ? 'HEAVY' : '     '} ${p.tag}`);
    const counted = new Map<string, number>();
    for (const s of p.steps) {
      const line = `        ${s.table ? `${s.kind} ${s.table}${s.big ? ' (big)' : ''}: ` : `${s.kind}: `}${s.detail}`;
      counted.set(line, (counted.get(line) ?? 0) + 1);
    }
    for (const [line, n] of counted) lines.push(n > 1 ? `${line} (×${n})` : line);
    if (p.measured) lines.push(`        measured at 1M rows: ${p.measured}`);
  }
  if (heavy)
    lines.push(
      '',
      'Heavy migrations lock their tables while they run: take a backup, stop every instance but one, and see docs/UPGRADES.md.',
    );
  return lines.join('\n');
}

/** Whether an embedded data directory holds a database yet (a dry run must not create one). */
export function pgliteDirExists(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'PG_VERSION'));
}

/**
 * A copy of the migrations folder whose journal stops at `lastTag`: migrating with it builds the schema as it
 * stood then (the upgrade test starts from the first released schema). `remove` deletes the copy.
 */
export function migrationsFolderUpTo(lastTag: string, dir = MIGRATIONS_DIR): { folder: string; remove(): void } {
  const journal = JSON.parse(readFileSync(path.join(dir, 'meta/_journal.json'), 'utf8')) as {
    entries: JournalEntry[];
  };
  const last = journal.entries.findIndex((e) => e.tag === lastTag);
  if (last < 0) throw new Error(`no migration ${lastTag}`);
  const folder = mkdtempSync(path.join(os.tmpdir(), 'gongdan-migrations-'));
  mkdirSync(path.join(folder, 'meta'));
  const entries = journal.entries.slice(0, last + 1);
  for (const e of entries) copyFileSync(path.join(dir, `${e.tag}.sql`), path.join(folder, `${e.tag}.sql`));
  writeFileSync(path.join(folder, 'meta/_journal.json'), JSON.stringify({ ...journal, entries }));
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}
