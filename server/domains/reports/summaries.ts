import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';

/**
 * A report summary 报表汇总: rows of figures built from base rows, one group of rows per key (an opportunity, a
 * contract …), kept up to date by key.
 *
 * How it stays right: triggers on the base tables (in the summary's migration) insert `(summary, key)` into
 * report_stale in the same transaction as the change. catchUp takes the stale keys (DELETE … RETURNING, under an
 * advisory lock per summary, so two instances never rebuild the same summary at once) and rebuilds their rows from
 * the base rows in the same transaction. A change committed while a rebuild runs leaves its own stale row behind for
 * the next catch-up (the rebuild's DELETE did not see it; rows are not unique, so a change never merges into an older
 * row the catch-up is taking), so nothing is lost; a report calls catchUp before it reads
 * the summary, so it never answers from a state older than the base rows. A summary never built (a new database, a
 * new summary) is built in full the first time.
 */
export type Summary = {
  /** The name in report_stale and report_summaries, and in the triggers that mark keys stale. */
  name: string;
  /**
   * Deletes the summary's rows of these keys (or all rows) and inserts them again from the base rows, in `db` (the
   * catch-up's transaction). A key whose base record is gone ends with no rows.
   */
  rebuild(db: Db, keys: string[] | 'all'): Promise<void>;
};

type Pending = { built: boolean; stale: boolean };

/** Brings `summary` up to date with every change committed before the call (see above). */
export async function catchUp(db: Db, summary: Summary): Promise<void> {
  const state = async (d: Db) => {
    const result = await d.execute(sql`SELECT
        EXISTS (SELECT 1 FROM report_summaries WHERE summary = ${summary.name}) AS built,
        EXISTS (SELECT 1 FROM report_stale WHERE summary = ${summary.name}) AS stale`);
    return (result as unknown as { rows: Pending[] }).rows[0];
  };
  const before = await state(db);
  if (before.built && !before.stale) return;
  await db.transaction(async (tx) => {
    const d = tx as unknown as Db;
    await d.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`report-summary:${summary.name}`}))`);
    const now = await state(d);
    if (!now.built) {
      await d.execute(sql`DELETE FROM report_stale WHERE summary = ${summary.name}`);
      await summary.rebuild(d, 'all');
      await d.execute(sql`INSERT INTO report_summaries (summary) VALUES (${summary.name})
        ON CONFLICT (summary) DO UPDATE SET built_at = now()`);
      return;
    }
    if (!now.stale) return;
    const taken = await d.execute(sql`DELETE FROM report_stale WHERE summary = ${summary.name} RETURNING key`);
    const keys = [...new Set((taken as unknown as { rows: { key: string }[] }).rows.map((r) => r.key))];
    if (keys.length) await summary.rebuild(d, keys);
  });
}

/** Throws the summary away: the next catch-up builds it in full (tests, and a summary whose shape changed). */
export async function forget(db: Db, summary: Summary): Promise<void> {
  await db.execute(sql`DELETE FROM report_summaries WHERE summary = ${summary.name}`);
}
