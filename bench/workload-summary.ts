/**
 * The workload report's summary (server/domains/reports/workload.summary.ts) over the reports benchmark's data
 * (bench/reports.ts fills it): the full build (forget + catch-up), then ~1,000 time entries of last year's approved
 * weeks changed (their hours, in one transaction: the triggers' cost) and the catch-up that follows, then a check
 * that the summary equals a recomputation from the base rows, and the changes undone (the data stays as filled).
 *
 *   npx tsx bench/workload-summary.ts --database-url=postgres://postgres@127.0.0.1:5432/bench_<name> [--changes=1000]
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../server/db/client';
import { migrateDatabase } from '../server/db/migrate';
import { catchUp, forget } from '../server/domains/reports/summaries';
import { workloadSummary } from '../server/domains/reports/workload.summary';

const { values: opts } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    changes: { type: 'string', default: '1000' },
    builds: { type: 'string', default: '3' },
  },
});
const databaseUrl = opts['database-url'] ?? process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('--database-url (PostgreSQL) is required');
const CHANGES = Number(opts.changes);
const database = await openDatabase({ databaseUrl });
const db = database.db;
const rows = async <T>(q: ReturnType<typeof sql>) => (await db.execute(q)) as unknown as { rows: T[] };
const timed = async (fn: () => Promise<unknown>) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};
const load = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');

/** Rows of the summary that a recomputation from the base rows does not give, and the other way round. */
async function disagreements(): Promise<number> {
  const recomputed = sql`SELECT w.id AS week_id, w.user_id, date_trunc('month', te.work_date::timestamp)::date AS month,
      e.business_line_id, sum(te.hours) AS hours, coalesce(sum(te.hours) FILTER (WHERE te.billable), 0) AS billable
    FROM time_entries te
    JOIN timesheet_weeks w ON w.user_id = te.user_id AND w.week_start = date_trunc('week', te.work_date::timestamp)::date
    LEFT JOIN engagements e ON e.id = te.engagement_id
    WHERE w.status IN ('submitted', 'approved') GROUP BY 1, 2, 3, 4`;
  const kept = sql`SELECT week_id, user_id, month, business_line_id, hours, billable FROM workload_summary`;
  const [{ n }] = (
    await rows<{ n: number }>(sql`SELECT ((SELECT count(*) FROM (${recomputed} EXCEPT ALL ${kept}) a)
      + (SELECT count(*) FROM (${kept} EXCEPT ALL ${recomputed}) b))::int AS n`)
  ).rows;
  return n;
}

try {
  await migrateDatabase(database);
  console.log(`load average ${load()}`);
  const builds: number[] = [];
  for (let i = 0; i < Number(opts.builds); i++) {
    await forget(db, workloadSummary);
    builds.push(await timed(() => catchUp(db, workloadSummary)));
  }
  const [size] = (
    await rows<{
      rows: number;
      entries: number;
      weeks: number;
    }>(sql`SELECT (SELECT count(*) FROM workload_summary)::int AS rows,
      (SELECT count(*) FROM time_entries)::int AS entries, (SELECT count(*) FROM timesheet_weeks)::int AS weeks`)
  ).rows;
  console.log(
    `full build: ${builds.map((b) => b.toFixed(0)).join(' / ')} ms (${size.rows} summary rows from ${size.entries} entries, ${size.weeks} weeks)`,
  );

  // ~CHANGES entries of last year's counted weeks, spread over the year (one in every `step`).
  const year = new Date().getUTCFullYear() - 1;
  const [{ total }] = (
    await rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM time_entries
      WHERE work_date BETWEEN ${`${year}-01-01`} AND ${`${year}-12-31`}`)
  ).rows;
  const step = Math.max(1, Math.floor(total / CHANGES));
  const pick = sql`SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM time_entries
      WHERE work_date BETWEEN ${`${year}-01-01`} AND ${`${year}-12-31`}) x WHERE n % ${step} = 0 LIMIT ${CHANGES}`;
  const ids = (await rows<{ id: string }>(pick)).rows.map((r) => r.id);
  const list = `{${ids.join(',')}}`;
  const withTriggers = await timed(() =>
    db.execute(sql`UPDATE time_entries SET hours = hours + 0.25 WHERE id = ANY(${list}::uuid[])`),
  );
  const [{ stale }] = (
    await rows<{ stale: number }>(sql`SELECT count(*)::int AS stale FROM report_stale WHERE summary = 'workload'`)
  ).rows;
  const caughtUp = await timed(() => catchUp(db, workloadSummary));
  console.log(
    `${ids.length} entries changed in ${withTriggers.toFixed(0)} ms (triggers included), ${stale} weeks stale; catch-up ${caughtUp.toFixed(0)} ms`,
  );
  const wrong = await disagreements();
  console.log(`summary against a recomputation from the base rows: ${wrong === 0 ? 'equal' : `${wrong} rows differ`}`);

  await db.execute(sql`UPDATE time_entries SET hours = hours - 0.25 WHERE id = ANY(${list}::uuid[])`);
  const undone = await timed(() => catchUp(db, workloadSummary));
  console.log(`changes undone; catch-up ${undone.toFixed(0)} ms; load average ${load()}`);
  // The full builds above left dead rows behind (a real database builds once): cleaned so later runs read a table
  // as built.
  await db.execute(sql`VACUUM ANALYZE workload_summary`);
  if (wrong !== 0) process.exitCode = 1;
} finally {
  await database.close();
}
