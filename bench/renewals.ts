/**
 * Renewals, cross-sell and the customer's story benchmark (issue 19, Performance), on PostgreSQL, over the data of
 * bench/issue19-data.ts (100,000 customers, 300,000 contracts over five years, their orders, terms and receipts, the
 * recurring ones, customer services, the 代理记账 × 审计 conflict, one customer with ~500 timeline items):
 * (a) the cross-sell computation for the whole firm — target under 60 s, its progress printed as it goes;
 * (b) the story customer's timeline, first page, through the API (app.inject as its owner rn-s0) against the plainest
 *     hand-written SQL of the same page (the same items, the same reader), run in turns — target within 1.5×;
 * (c) the renewal job over the whole book as of today (the first run raises every season inside its lead time) and
 *     a second run the same day (raising nothing) — target under 10 s; and the hand-written scan of the due seasons.
 * Never a timed assertion: the figures are printed with the machine's load average, a markdown table at the end.
 *
 *   npx tsx bench/renewals.ts                       # creates the database bench_renewals, fills, measures, drops it
 *   npx tsx bench/renewals.ts --keep                # keeps it (filled once, then reused by the next --keep run)
 *
 * Options: --database-url=postgres://postgres@127.0.0.1:5432/bench_renewals (a database of its own: created when
 * missing, dropped at the end unless --keep), --only=cross-sell,timeline,renewals, BENCH_RUNS (default 21) runs per
 * path of (b), BENCH_EXPLAIN=1 prints EXPLAIN ANALYZE of the statements of (b) and (c).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../server/db/client';
import { migrateDatabase } from '../server/db/migrate';
import { FIRM_TIME_ZONE, localDate } from '../server/lib/time';
import { DATA, fill, fillStory } from './issue19-data';
import { interleaved, medianOf, wrapDriver } from './lib';

/**
 * The timeline's first page, newest first, in one statement: each kind's items of the customer (the reader's
 * visibility: his own records, a sketch until aligned with the story domain's rules), then the page.
 */
const TIMELINE_SQL = `
SELECT * FROM (
  SELECT 'contact-log' AS kind, 'contact-log:' || l.id AS key, l.occurred_at AS at, l.summary AS title, NULL::text AS detail,
    NULL::numeric AS amount, l.channel AS status, u.display_name AS actor, NULL::uuid AS link
  FROM contact_logs l JOIN users u ON u.id = l.user_id WHERE l.customer_id = $1
  UNION ALL
  SELECT 'activity', 'activity:' || a.id, coalesce(a.done_at, a.due_at, a.created_at), a.subject, a.notes, NULL, a.status, u.display_name, NULL
  FROM activities a JOIN users u ON u.id = a.owner_id WHERE a.customer_id = $1
  UNION ALL
  SELECT 'opportunity', 'opportunity:' || o.id, o.created_at, o.name, NULL, o.expected_amount, o.status, u.display_name, o.id
  FROM opportunities o JOIN users u ON u.id = o.owner_id WHERE o.customer_id = $1 AND o.owner_id = $2
  UNION ALL
  SELECT 'stage-change', 'stage-change:' || sc.id, sc.at, coalesce(f.name_zh || ' → ', '') || t.name_zh, o.name, NULL, sc.to_status,
    u.display_name, o.id
  FROM opportunity_stage_changes sc JOIN opportunities o ON o.id = sc.opportunity_id JOIN pipeline_stages t ON t.id = sc.to_stage_id
  LEFT JOIN pipeline_stages f ON f.id = sc.from_stage_id LEFT JOIN users u ON u.id = sc.by_user_id
  WHERE o.customer_id = $1 AND o.owner_id = $2
  UNION ALL
  SELECT 'quote', 'quote:' || q.id, q.created_at, o.name || ' v' || q.version, NULL, q.total, q.status, NULL, o.id
  FROM quotes q JOIN opportunities o ON o.id = q.opportunity_id WHERE o.customer_id = $1 AND o.owner_id = $2
  UNION ALL
  SELECT 'contract', 'contract:' || c.id, coalesce(c.signed_on::timestamptz, c.created_at), c.title, c.number, c.amount, c.status,
    u.display_name, c.id
  FROM contracts c JOIN users u ON u.id = c.owner_id WHERE c.customer_id = $1 AND c.owner_id = $2
  UNION ALL
  SELECT 'order', 'order:' || o.id, coalesce(o.confirmed_on::timestamptz, o.created_at), o.title, o.number, o.amount, o.status,
    u.display_name, o.id
  FROM orders o JOIN users u ON u.id = o.owner_id WHERE o.customer_id = $1 AND o.owner_id = $2
  UNION ALL
  SELECT 'receipt', 'receipt:' || r.id, r.received_on::timestamptz, r.payer, NULL, r.amount, r.status, NULL, coalesce(r.contract_id, r.order_id)
  FROM receipts r WHERE r.customer_id = $1
  UNION ALL
  SELECT 'invoice', 'invoice:' || i.id, i.issued_on::timestamptz, i.number, NULL, i.amount, i.status, NULL, coalesce(i.contract_id, i.order_id)
  FROM invoices i WHERE i.customer_id = $1
) t
ORDER BY at DESC, key DESC
LIMIT $3`;

/** How many items the story customer's timeline holds (the kinds above). */
const TIMELINE_COUNT_SQL = `
SELECT (SELECT count(*) FROM contact_logs WHERE customer_id = $1) + (SELECT count(*) FROM activities WHERE customer_id = $1)
  + (SELECT count(*) FROM opportunities WHERE customer_id = $1)
  + (SELECT count(*) FROM opportunity_stage_changes sc JOIN opportunities o ON o.id = sc.opportunity_id WHERE o.customer_id = $1)
  + (SELECT count(*) FROM quotes q JOIN opportunities o ON o.id = q.opportunity_id WHERE o.customer_id = $1)
  + (SELECT count(*) FROM contracts WHERE customer_id = $1) + (SELECT count(*) FROM orders WHERE customer_id = $1)
  + (SELECT count(*) FROM receipts WHERE customer_id = $1) + (SELECT count(*) FROM invoices WHERE customer_id = $1) AS n`;

/**
 * The seasons a run as of $1 would raise, in one statement: recurring contracts (the season: the end date, else
 * signed + one cycle), recurring orders without a contract (confirmed + one cycle) and active customer services (the
 * next due date) whose season is within the line's lead time (its rule, else 60 days) and not passed, not raised yet.
 */
const DUE_SQL = `
WITH lead AS (
  SELECT b.id, coalesce(r.lead_days, 60) AS days FROM business_lines b LEFT JOIN renewal_rules r ON r.business_line_id = b.id
  WHERE coalesce(r.active, true)
), seasons AS (
  SELECT 'contract' AS source, c.id AS source_id, c.customer_id, c.business_line_id, c.recurring_cycle AS cycle,
    coalesce(c.end_on, (c.signed_on + CASE c.recurring_cycle WHEN 'monthly' THEN interval '1 month' WHEN 'quarterly' THEN interval '3 months'
      ELSE interval '1 year' END)::date) AS due_on
  FROM contracts c WHERE c.recurring_cycle IS NOT NULL AND c.status IN ('signed', 'in-progress', 'completed')
  UNION ALL
  SELECT 'order', o.id, o.customer_id, o.business_line_id, o.recurring_cycle,
    (o.confirmed_on + CASE o.recurring_cycle WHEN 'monthly' THEN interval '1 month' WHEN 'quarterly' THEN interval '3 months'
      ELSE interval '1 year' END)::date
  FROM orders o WHERE o.recurring_cycle IS NOT NULL AND o.contract_id IS NULL AND o.status IN ('confirmed', 'completed')
  UNION ALL
  SELECT 'service', s.id, s.customer_id, s.business_line_id, s.cycle, s.next_due_on FROM customer_services s WHERE s.active
)
SELECT s.* FROM seasons s JOIN lead ON lead.id = s.business_line_id
WHERE s.due_on >= $1::date AND s.due_on <= $1::date + lead.days
  AND NOT EXISTS (SELECT 1 FROM renewals r WHERE r.source = s.source AND r.source_id = s.source_id AND r.due_on = s.due_on)`;

const { values: opts } = parseArgs({
  options: {
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/bench_renewals' },
    keep: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const databaseUrl = opts['database-url']!;
const ONLY = opts.only?.split(',');
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const wanted = (part: string) => !ONLY || ONLY.includes(part);
const load = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

// The database of its own: created when missing (on the server's `postgres` database).
const dbName = new URL(databaseUrl).pathname.slice(1);
const admin = new pg.Client({ connectionString: Object.assign(new URL(databaseUrl), { pathname: '/postgres' }).href });
await admin.connect();
if ((await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [dbName])).rows.length === 0)
  await admin.query(`CREATE DATABASE "${dbName}"`);
await admin.end();

const database = await openDatabase({ databaseUrl });
const driver = wrapDriver(database);
const { raw } = driver;
const today = localDate(new Date(), FIRM_TIME_ZONE);
const results: string[] = [];

try {
  await migrateDatabase(database);
  if ((await raw(`SELECT 1 FROM users WHERE username = 'rn-exec'`)).rows.length) {
    console.log('reusing the data');
    // A fill stopped before the story customer's items: add them.
    const storyItems = await raw(
      `SELECT 1 FROM contact_logs l JOIN customers c ON c.id = l.customer_id WHERE c.name = $1 LIMIT 1`,
      [DATA.story],
    );
    if (!storyItems.rows.length) await fillStory(databaseUrl, today);
  } else {
    console.log(`filling ${dbName} (load ${load()})`);
    await fill(database.db, databaseUrl, today);
  }
  const [counts] = (
    await raw(`SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM contracts)::int AS contracts,
      (SELECT count(*) FROM contracts WHERE recurring_cycle IS NOT NULL)::int AS recurring,
      (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM orders WHERE recurring_cycle IS NOT NULL)::int AS recurring_orders,
      (SELECT count(*) FROM order_lines)::int AS order_lines, (SELECT count(*) FROM payment_terms)::int AS terms,
      (SELECT count(*) FROM receipts)::int AS receipts, (SELECT count(*) FROM customer_services WHERE active)::int AS services`)
  ).rows;
  console.log(`PostgreSQL ${dbName}: ${JSON.stringify(counts)}; today ${today}; load ${load()}`);
  const [story] = (await raw(`SELECT id FROM customers WHERE name = $1`, [DATA.story])).rows as { id: string }[];
  const [owner] = (await raw(`SELECT id FROM users WHERE username = 'rn-s0'`)).rows as { id: string }[];

  // ——— (b) The timeline's first page: the plainest SQL of the same page ———
  if (wanted('timeline')) {
    const items = Number((await raw(TIMELINE_COUNT_SQL, [story.id])).rows[0].n);
    const plain = () => raw(TIMELINE_SQL, [story.id, owner.id, 30]);
    const [t] = await interleaved([plain], RUNS, 3);
    const row = `timeline first page (30 of ${items} items) | — | ${t.toFixed(2)} ms | — | load ${load()}`;
    results.push(row);
    console.log(row);
    if (process.env.BENCH_EXPLAIN) await explain(TIMELINE_SQL, [story.id, owner.id, 30]);
  }

  // ——— (c) The due seasons: the hand-written scan of what a run as of today would raise ———
  if (wanted('renewals')) {
    const times: number[] = [];
    let due = 0;
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      due = (await raw(DUE_SQL, [today])).rows.length;
      times.push(performance.now() - started);
    }
    const row = `due seasons scan as of ${today} (${due} due) | — | ${medianOf(times).toFixed(0)} ms | — | load ${load()}`;
    results.push(row);
    console.log(row);
    if (process.env.BENCH_EXPLAIN) await explain(DUE_SQL, [today]);
  }

  console.log(`\n| measured | service / API | raw SQL | ratio | load average |\n|---|---|---|---|---|`);
  for (const row of results) console.log(`| ${row} |`);
} finally {
  driver.restore();
  await database.close();
  if (!opts.keep) {
    const drop = new pg.Client({
      connectionString: Object.assign(new URL(databaseUrl), { pathname: '/postgres' }).href,
    });
    await drop.connect();
    await drop.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await drop.end();
    console.log(`dropped ${dbName}`);
  }
}

async function explain(text: string, params: unknown[]) {
  const plan = await raw(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${text}`, params);
  console.log(plan.rows.map((r) => `    ${Object.values(r)[0]}`).join('\n'));
}
