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
import { buildApp } from '../server/app';
import { loadConfig } from '../server/config';
import { inTransaction } from '../server/context';
import { openDatabase } from '../server/db/client';
import { computeCrossSell } from '../server/domains/cross-sell/compute';
import { runRenewals } from '../server/domains/renewals/renewals.job';
import { migrateDatabase } from '../server/db/migrate';
import { addDays, FIRM_TIME_ZONE, localDate } from '../server/lib/time';
import { DATA, fill, fillStory } from './issue19-data';
import { interleaved, medianOf, wrapDriver } from './lib';

/**
 * The timeline's first page, newest first, in the plainest one statement of the same answer for the reader (a
 * salesperson: his own records, those he is a member of; his customer): every kind's items of the customer in one
 * UNION ALL (the same instants: a date stands at the time the record was written that day, else at the day's start
 * in the firm's zone), sorted, cut to the page. $1 customer, $2 reader, $3 page size + 1, $4 the firm's zone. Chat
 * and knowledge items under the plain form of this reader's rules (member of the conversation or a record he sees;
 * an article of his or the firm's); the bench data has none of them.
 */
const TIMELINE_SQL = `
WITH mine_o AS (SELECT o.id, o.name FROM opportunities o WHERE o.customer_id = $1
    AND (o.owner_id = $2 OR EXISTS (SELECT 1 FROM opportunity_members m WHERE m.opportunity_id = o.id AND m.user_id = $2))),
  mine_c AS (SELECT c.* FROM contracts c WHERE c.customer_id = $1
    AND (c.owner_id = $2 OR EXISTS (SELECT 1 FROM contract_members m WHERE m.contract_id = c.id AND m.user_id = $2))),
  mine_e AS (SELECT e.* FROM engagements e WHERE e.customer_id = $1 AND (e.lead_id = $2 OR e.sales_owner_id = $2
    OR EXISTS (SELECT 1 FROM engagement_members m WHERE m.engagement_id = e.id AND m.user_id = $2)))
SELECT t.kind, t.key, to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, t.event, t.name, t.amount, t.status
FROM (
  SELECT 'contact-log' AS kind, 'contact-log:' || l.id AS key, l.occurred_at AS at, l.channel AS event, k.name AS name,
    NULL::text AS amount, l.direction AS status, u.display_name AS actor
  FROM contact_logs l JOIN users u ON u.id = l.user_id LEFT JOIN contacts k ON k.id = l.contact_id WHERE l.customer_id = $1
  UNION ALL
  SELECT 'activity', 'activity:' || a.id, coalesce(a.done_at, a.created_at), a.status, a.subject, NULL, a.status, u.display_name
  FROM activities a JOIN users u ON u.id = a.owner_id WHERE a.customer_id = $1
  UNION ALL
  SELECT 'opportunity', 'opportunity:' || o.id, o.created_at, 'created', o.name, o.expected_amount::text, o.status, u.display_name
  FROM opportunities o JOIN mine_o USING (id) JOIN users u ON u.id = o.owner_id
  UNION ALL
  SELECT 'stage-change', 'stage-change:' || sc.id, sc.at, sc.to_status, o.name, NULL, sc.to_status, u.display_name
  FROM opportunity_stage_changes sc JOIN mine_o o ON o.id = sc.opportunity_id LEFT JOIN users u ON u.id = sc.by_user_id
  WHERE sc.from_stage_id IS NOT NULL
  UNION ALL
  SELECT 'quote', 'quote:' || q.id || ':created', q.created_at, 'created', o.name, q.total::text, q.status, NULL
  FROM quotes q JOIN mine_o o ON o.id = q.opportunity_id
  UNION ALL
  SELECT 'quote', 'quote:' || q.id || ':' || q.status, q.updated_at, q.status, o.name, q.total::text, q.status, NULL
  FROM quotes q JOIN mine_o o ON o.id = q.opportunity_id WHERE q.status <> 'draft'
  UNION ALL
  SELECT 'contract', 'contract:' || c.id || ':' || ev.event, ev.at, ev.event, c.title, c.amount::text, c.status, NULL
  FROM mine_c c CROSS JOIN LATERAL (VALUES ('made', c.created_at),
    ('signed', CASE WHEN (c.updated_at AT TIME ZONE $4)::date = c.signed_on THEN c.updated_at ELSE c.signed_on::timestamp AT TIME ZONE $4 END),
    ('completed', CASE WHEN (c.updated_at AT TIME ZONE $4)::date = c.completed_on THEN c.updated_at ELSE c.completed_on::timestamp AT TIME ZONE $4 END),
    ('terminated', CASE WHEN c.status = 'terminated' THEN c.updated_at END)) ev(event, at)
  WHERE ev.at IS NOT NULL
  UNION ALL
  SELECT 'order', 'order:' || o.id || ':' || ev.event, ev.at, ev.event, o.title, o.amount::text, o.status, NULL
  FROM orders o CROSS JOIN LATERAL (VALUES
    ('confirmed', CASE WHEN (o.updated_at AT TIME ZONE $4)::date = o.confirmed_on THEN o.updated_at ELSE o.confirmed_on::timestamp AT TIME ZONE $4 END),
    ('completed', CASE WHEN (o.updated_at AT TIME ZONE $4)::date = o.completed_on THEN o.updated_at ELSE o.completed_on::timestamp AT TIME ZONE $4 END)) ev(event, at)
  WHERE o.customer_id = $1 AND o.owner_id = $2 AND ev.at IS NOT NULL
  UNION ALL
  SELECT 'engagement', 'engagement:' || e.id, e.created_at, 'started', e.title, NULL, e.status, NULL FROM mine_e e
  UNION ALL
  SELECT 'report', 'report:' || e.id, CASE WHEN (e.updated_at AT TIME ZONE $4)::date = e.report_issued_on THEN e.updated_at
    ELSE e.report_issued_on::timestamp AT TIME ZONE $4 END, 'issued', e.title, NULL, e.status, NULL
  FROM mine_e e WHERE e.report_issued_on IS NOT NULL
  UNION ALL
  SELECT 'receipt', 'receipt:' || r.id || ':' || ev.event, ev.at, ev.event, r.payer, r.amount::text, r.status, NULL
  FROM receipts r CROSS JOIN LATERAL (VALUES
    ('received', CASE WHEN (r.created_at AT TIME ZONE $4)::date = r.received_on THEN r.created_at ELSE r.received_on::timestamp AT TIME ZONE $4 END),
    ('reversed', r.reversed_at)) ev(event, at)
  WHERE r.customer_id = $1 AND ev.at IS NOT NULL
    AND (r.contract_id IN (SELECT id FROM mine_c) OR r.order_id IN (SELECT id FROM orders WHERE customer_id = $1 AND owner_id = $2))
  UNION ALL
  SELECT 'invoice', 'invoice:' || i.id, CASE WHEN (i.created_at AT TIME ZONE $4)::date = i.issued_on THEN i.created_at
    ELSE i.issued_on::timestamp AT TIME ZONE $4 END, 'issued', i.number, i.amount::text, i.status, NULL
  FROM invoices i WHERE i.customer_id = $1
    AND (i.contract_id IN (SELECT id FROM mine_c) OR i.order_id IN (SELECT id FROM orders WHERE customer_id = $1 AND owner_id = $2))
  UNION ALL
  SELECT 'approval', 'approval:' || w.id, coalesce(w.ended_at, w.submitted_at), w.status, w.summary->>'title', NULL, w.status, NULL
  FROM workflow_instances w
  WHERE (w.subject_kind = 'quote' AND w.subject_id IN (SELECT q.id FROM quotes q JOIN mine_o o ON o.id = q.opportunity_id))
    OR (w.subject_kind = 'independence-override' AND w.subject_id IN (SELECT id FROM mine_o))
    OR (w.subject_kind = 'contract' AND w.subject_id IN (SELECT id FROM mine_c))
    OR (w.subject_kind = 'engagement-review' AND w.subject_id IN (SELECT id FROM mine_e))
  UNION ALL
  SELECT 'chat-mention', 'chat-mention:' || m.id, m.created_at, 'posted', v.title, NULL, NULL, NULL
  FROM chat_messages m JOIN conversations v ON v.id = m.conversation_id
  WHERE m.deleted_at IS NULL AND (
    (m.links @> jsonb_build_array(jsonb_build_object('type', 'customer', 'id', $1::text))
      AND (v.kind = 'record' OR v.id IN (SELECT conversation_id FROM conversation_members WHERE user_id = $2 AND left_at IS NULL)))
    OR ((cardinality(m.mentions) > 0 OR m.mention_all) AND v.kind = 'record'
      AND (v.record_id IN (SELECT id FROM mine_o) OR v.record_id IN (SELECT id FROM mine_c) OR v.record_id IN (SELECT id FROM mine_e))))
  UNION ALL
  SELECT a.kind, a.kind || ':' || a.id, a.created_at, 'written', a.title, NULL, a.kind, NULL
  FROM knowledge_articles a
  WHERE a.kind IN ('lesson', 'insight') AND a.archived_at IS NULL
    AND (a.owner_id = $2 OR a.created_by = $2 OR a.visibility = 'firm')
    AND a.id IN (SELECT l.article_id FROM knowledge_links l WHERE (l.target_type = 'customer' AND l.target_id = $1)
      OR (l.target_type = 'opportunity' AND l.target_id IN (SELECT id FROM opportunities WHERE customer_id = $1)))
  UNION ALL
  SELECT 'renewal', 'renewal:' || r.id, r.raised_at, 'raised', b.name, r.previous_amount::text, r.status, NULL
  FROM renewals r JOIN business_lines b ON b.id = r.business_line_id
  WHERE r.customer_id = $1 AND r.status = 'raised' AND (r.owner_id = $2 OR r.opportunity_id IN (SELECT id FROM mine_o))
  UNION ALL
  SELECT 'cross-sell', 'cross-sell:' || s.id, coalesce(s.resolved_at, s.created_at), 'accepted', b.name, NULL, s.status, NULL
  FROM cross_sell_suggestions s JOIN business_lines b ON b.id = s.business_line_id
  WHERE s.customer_id = $1 AND s.status = 'accepted' AND (s.resolved_by = $2 OR s.opportunity_id IN (SELECT id FROM mine_o))
) t
WHERE EXISTS (SELECT 1 FROM customers WHERE id = $1 AND (owner_id = $2 OR owner_id IS NULL
  OR EXISTS (SELECT 1 FROM customer_shares s WHERE s.customer_id = $1 AND s.user_id = $2)))
ORDER BY t.at DESC, t.key DESC
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

  const app = await buildApp({ database, config: loadConfig({}) });
  await app.ready();
  const system = { db: database.db, jobs: app.jobs };
  const row = (measured: string, value: string, plain: string, ratio: string, verdict: string) => {
    const line = `${measured} | ${value} | ${plain} | ${ratio} | ${verdict} | ${load()}`;
    results.push(line);
    console.log(`| ${line} |`);
  };

  // ——— (a) The cross-sell computation for the whole firm, its progress as it goes ———
  if (wanted('cross-sell')) {
    // The first run writes every suggestion (none kept from an earlier run on a kept database), the second refreshes.
    await raw(`DELETE FROM cross_sell_suggestions`);
    for (const pass of ['first run (no suggestion yet)', 'again (all rows there)']) {
      const started = performance.now();
      const out = await inTransaction(system, (tx) =>
        computeCrossSell(tx, {
          onProgress: (done, total) => {
            process.stdout.write(
              `\r  cross-sell ${pass}: ${done}/${total} customers, ${((performance.now() - started) / 1000).toFixed(1)} s   `,
            );
          },
        }),
      );
      const s = (performance.now() - started) / 1000;
      process.stdout.write('\n');
      const [stored] = (
        await raw(`SELECT count(*) FILTER (WHERE status = 'open')::int AS open,
          count(*) FILTER (WHERE status = 'excluded')::int AS excluded FROM cross_sell_suggestions`)
      ).rows;
      row(
        `cross-sell, whole firm, ${pass} (${out.customers} customers compared → ${stored.open} open, ${stored.excluded} excluded)`,
        `${s.toFixed(1)} s`,
        '—',
        '—',
        s < 60 ? 'pass (< 60 s)' : `miss (${(s / 60).toFixed(2)}× the 60 s)`,
      );
    }
  }

  // ——— (b) The timeline's first page through the API vs the plainest SQL of the same page ———
  if (wanted('timeline')) {
    const items = Number((await raw(TIMELINE_COUNT_SQL, [story.id])).rows[0].n);
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'rn-s0', password: DATA.password },
    });
    if (login.statusCode !== 200) throw new Error(`rn-s0: ${login.body}`);
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const url = `/api/v1/customers/${story.id}/timeline?pageSize=30`;
    const api = async () => {
      const res = await app.inject({ method: 'GET', url, headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      return res.json() as { items: { key: string }[]; nextCursor: string | null };
    };
    const plain = () => raw(TIMELINE_SQL, [story.id, owner.id, 31, FIRM_TIME_ZONE]);
    await api(); // the session's sliding expiry is written by a first request: not part of the measured ones
    const page = await api();
    const hand = (await plain()).rows.slice(0, 30).map((r) => r.key);
    if (JSON.stringify(page.items.map((i) => i.key)) !== JSON.stringify(hand))
      throw new Error(
        `timeline: the hand-written page differs\n${page.items.map((i) => i.key).join(' ')}\n${hand.join(' ')}`,
      );
    const [a, r] = await interleaved([api, plain], RUNS, 3);
    row(
      `customer timeline, first page (30 of ${items} items, same keys), API as its owner vs raw SQL`,
      `${a.toFixed(2)} ms`,
      `${r.toFixed(2)} ms`,
      `${(a / r).toFixed(2)}×`,
      a / r <= 1.5 ? 'pass (≤ 1.5×)' : `miss (> 1.5×)`,
    );
    if (process.env.BENCH_EXPLAIN) {
      const sent = (await driver.capture(api)).filter((call) => /timeline|UNION ALL/i.test(driver.textOf(call)));
      for (const call of sent) await explain(driver.textOf(call), driver.paramsOf(call));
      await explain(TIMELINE_SQL, [story.id, owner.id, 31, FIRM_TIME_ZONE]);
    }
  }

  // ——— (c) The renewal job over the whole book ———
  if (wanted('renewals')) {
    // Nothing raised before (a kept database): the renewals and the opportunities they made go.
    // (quote_items has no index on quote_id: its rows go first, by a join, not by the cascade row by row.)
    await raw(`DELETE FROM renewals`);
    await raw(`DELETE FROM quote_items i USING quotes q, opportunities o
      WHERE i.quote_id = q.id AND q.opportunity_id = o.id AND o.origin_kind = 'renewal'`);
    await raw(`DELETE FROM quotes q USING opportunities o WHERE q.opportunity_id = o.id AND o.origin_kind = 'renewal'`);
    await raw(`DELETE FROM opportunities WHERE origin_kind = 'renewal'`);
    await raw(`VACUUM ANALYZE renewals, opportunities, quotes, quote_items, opportunity_stage_changes`);
    const times: number[] = [];
    let due = 0;
    for (let k = 0; k < 5; k++) {
      const started = performance.now();
      due = (await raw(DUE_SQL, [today])).rows.length;
      times.push(performance.now() - started);
    }
    row(
      `due seasons as of ${today}: the hand-written scan (${due} due)`,
      '—',
      `${medianOf(times).toFixed(0)} ms`,
      '—',
      '—',
    );
    if (process.env.BENCH_EXPLAIN) await explain(DUE_SQL, [today]);
    const tomorrow = addDays(today, 1);
    for (const [pass, asOf] of [
      ['first run (every season inside its lead time)', today],
      ['second run, same day', today],
      ['next day', tomorrow],
    ] as const) {
      const started = performance.now();
      const out = await runRenewals(system, { asOf });
      const s = (performance.now() - started) / 1000;
      row(
        `renewal job as of ${asOf}, ${pass}: ${out.considered} considered, ${out.raised} raised, ${out.skipped} skipped, ${out.alreadyRaised} already`,
        `${s.toFixed(2)} s`,
        '—',
        '—',
        s < 10 ? 'pass (< 10 s)' : `miss (${(s / 10).toFixed(2)}× the 10 s)`,
      );
    }
    const [made] = (
      await raw(`SELECT count(*)::int AS renewals, count(DISTINCT r.opportunity_id)::int AS opportunities,
        count(r.quote_id)::int AS quotes FROM renewals r`)
    ).rows;
    console.log(`  raised in all: ${JSON.stringify(made)}`);
  }
  await app.close();

  console.log(
    `\nPostgreSQL, ${counts.customers} customers, ${counts.contracts} contracts; median of ${RUNS} where timed in turns\n`,
  );
  console.log(
    `| measured | service / API | raw SQL | ratio | target | load average (1, 5, 15 min) |\n|---|---|---|---|---|---|`,
  );
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
