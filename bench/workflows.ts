/**
 * Workflow benchmark (issue 12): with 10,000 open approval instances and 200,000 historical transitions, the
 * approvals inbox of a manager who has 300 waiting (page 1 and its total), the inbox's count badge, and the
 * history of a quote that went through approval many times — each over HTTP (inject) against the plainest raw
 * SQL of the same answer (hand-written, unprepared, the same reader's visibility rule), run in turns in the
 * same process. A second figure adds the auth hook's session lookup to the raw side. Never a timed
 * assertion: the ratio is printed, a markdown table at the end.
 *
 *   npx tsx bench/workflows.ts                                     # PGlite in a temporary directory
 *   npx tsx bench/workflows.ts --database-url=postgres://…/scratch # PostgreSQL (filled once, then reused)
 *   npx tsx bench/workflows.ts --pglite-dir=.tmp/wf-pglite            # PGlite kept there (filled once, then reused)
 *
 * Options: --instances=10000 (open) --transitions=200000 --waiting=300 --runs=31; BENCH_EXPLAIN=1 prints the
 * plan of each statement the API sends.
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { buildApp } from '../server/app';
import { loadConfig } from '../server/config';
import { openDatabase } from '../server/db/client';
import { migrateDatabase } from '../server/db/migrate';
import { bootstrapDatabase } from '../server/seed/bootstrap';
import { seedUser } from '../server/seed/seeders';
import { benchDatabase, cpuClock, interleaved, isSessionExpiryUpdate, type Call, wrapDriver } from './lib';

const { values: opts } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    'pglite-dir': { type: 'string' },
    instances: { type: 'string', default: '10000' },
    transitions: { type: 'string', default: '200000' },
    waiting: { type: 'string', default: '300' },
    runs: { type: 'string', default: '31' },
  },
});
const OPEN = Number(opts.instances);
const TRANSITIONS = Number(opts.transitions);
const WAITING = Number(opts.waiting);
const RUNS = Number(opts.runs);
/** Transitions of an open instance: submit, step, then approve + step per further round (rounds 1–4: 5 on average). */
const OPEN_ROUNDS = 4;
/** Every ended instance has five: submit, step 1, approve, step 2, and its end. */
const ENDED = Math.max(0, Math.round((TRANSITIONS - OPEN * (OPEN_ROUNDS + 1)) / 5));
/** The quote with a long history: so many approvals, each returned and resubmitted seven times before it ended. */
const LONG_INSTANCES = 12;
const LONG_TRANSITIONS = 31;
const PASSWORD = 'Bench-pass-1';
const LIMIT = 1.5;

const keptDir = opts['database-url'] ? undefined : opts['pglite-dir'];
const { database, dir: tmp } = keptDir
  ? { database: await openDatabase({ dataDir: keptDir }), dir: null }
  : await benchDatabase(opts['database-url']);
const driver = wrapDriver(database);
const { raw, textOf, paramsOf } = driver;

try {
  await migrateDatabase(database);
  const loaded = (await raw(`SELECT 1 FROM users WHERE username = 'wf-manager'`)).rows.length > 0;
  if (loaded) console.log('reusing the benchmark data already in the database');
  else await load();
  const counts = (
    await raw(`SELECT (SELECT count(*) FROM workflow_instances WHERE status = 'running')::int AS open,
      (SELECT count(*) FROM workflow_instances)::int AS instances, (SELECT count(*) FROM workflow_transitions)::int AS transitions,
      (SELECT count(*) FROM workflow_assignments)::int AS assignments`)
  ).rows[0];
  const [fixture] = (
    await raw(`SELECT m.id AS manager, d.path, q.id AS quote FROM users m JOIN departments d ON d.id = m.department_id
      CROSS JOIN (SELECT subject_id AS id FROM workflow_instances GROUP BY subject_id ORDER BY count(*) DESC LIMIT 1) q
      WHERE m.username = 'wf-manager'`)
  ).rows as { manager: string; path: string; quote: string }[];
  const loadAverage = os.loadavg().map((n) => n.toFixed(1));
  console.log(
    `engine: ${database.engine}; ${counts.open} open of ${counts.instances} instances, ${counts.transitions} transitions, ` +
      `${counts.assignments} assignments; load average ${loadAverage.join(' ')}`,
  );

  const app = await buildApp({ database, config: loadConfig({}) });
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'wf-manager', password: PASSWORD },
  });
  if (login.statusCode !== 200) throw new Error(`wf-manager: ${login.body}`);
  const cookie = String(login.headers['set-cookie']).split(';')[0];
  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url, headers: { cookie } });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res.json();
  };

  const me = fixture.manager;
  /** The instances waiting for the manager (open assignments, their own or delegated to them). */
  const waitingIds = `SELECT instance_id FROM workflow_assignments WHERE user_id = $1 AND open`;
  /** Who the manager sees a quote of: opportunities they own, are a member of, or of their department subtree. */
  const visibleQuote = `EXISTS (SELECT 1 FROM quotes q JOIN opportunities o ON o.id = q.opportunity_id
      WHERE q.id = $1 AND (o.owner_id = $2
        OR o.id IN (SELECT opportunity_id FROM opportunity_members WHERE user_id = $2)
        OR o.department_id IN (SELECT id FROM departments WHERE path LIKE $3)))`;
  type Case = { name: string; url: string; plain: () => Promise<unknown>; same: (api: never) => Promise<void> };
  const equal = (what: string, api: unknown, sql: unknown) => {
    if (JSON.stringify(api) !== JSON.stringify(sql))
      throw new Error(`${what}: the API and the raw SQL disagree: ${JSON.stringify(api)} vs ${JSON.stringify(sql)}`);
  };
  const inboxPage = async () => {
    const page = await raw(
      `SELECT i.*, v.name_zh, v.name_en, v.version, v.steps, u.display_name AS submitted_by_name
       FROM workflow_instances i JOIN workflow_versions v ON v.id = i.version_id JOIN users u ON u.id = i.submitted_by
       WHERE i.id IN (${waitingIds}) ORDER BY i.step_started_at, i.id LIMIT 20`,
      [me],
    );
    const total = await raw(
      `SELECT count(DISTINCT instance_id)::int AS n FROM workflow_assignments WHERE user_id = $1 AND open`,
      [me],
    );
    return { ids: page.rows.map((r) => r.id), total: total.rows[0].n };
  };
  const history = async () => {
    const instances = await raw(
      `SELECT i.*, v.name_zh, v.name_en, v.version, v.steps, u.display_name AS submitted_by_name
       FROM workflow_instances i JOIN workflow_versions v ON v.id = i.version_id JOIN users u ON u.id = i.submitted_by
       WHERE i.subject_kind = 'quote' AND i.subject_id = $1 AND ${visibleQuote}
       ORDER BY i.submitted_at DESC, i.id DESC`,
      [fixture.quote, me, `${fixture.path}%`],
    );
    const ids = instances.rows.map((r) => r.id);
    // The newest in full: its assignments, transitions and documents (the earlier ones are summaries).
    const newest = ids.slice(0, 1);
    const assignments = await raw(
      `SELECT a.*, u.display_name AS user_name, f.display_name AS for_user_name
       FROM workflow_assignments a JOIN users u ON u.id = a.user_id LEFT JOIN users f ON f.id = a.for_user_id
       WHERE a.instance_id = ANY($1::uuid[]) ORDER BY a.round, a.created_at`,
      [newest],
    );
    const transitions = await raw(
      `SELECT t.*, a.display_name AS actor_name, f.display_name AS for_user_name
       FROM workflow_transitions t LEFT JOIN users a ON a.id = t.actor_id LEFT JOIN users f ON f.id = t.for_user_id
       WHERE t.instance_id = ANY($1::uuid[]) ORDER BY t.seq`,
      [newest],
    );
    // The documents named by decisions (none here, but the answer is looked for).
    await raw(
      `SELECT id, filename, content_type, size, created_at FROM files
       WHERE owner_type = 'workflow-instance' AND owner_id = ANY($1::uuid[])`,
      [newest],
    );
    return { ids, assignments: assignments.rows.length, transitions: transitions.rows.length };
  };
  const cases: Case[] = [
    {
      name: `inbox, waiting (page 1 of ${WAITING})`,
      url: '/api/v1/approvals?box=waiting',
      plain: inboxPage,
      same: async (api: { items: { id: string }[]; total: number }) =>
        equal('inbox', { ids: api.items.map((i) => i.id), total: api.total }, await inboxPage()),
    },
    {
      name: 'count badge',
      url: '/api/v1/approvals/count',
      plain: () =>
        raw(`SELECT count(DISTINCT instance_id)::int AS n FROM workflow_assignments WHERE user_id = $1 AND open`, [me]),
      same: async (api: { waiting: number }) => equal('count', api.waiting, WAITING),
    },
    {
      name: `a quote's approvals (${LONG_INSTANCES}: the newest with its ${LONG_TRANSITIONS} transitions, the rest summaries)`,
      url: `/api/v1/workflow-instances?subjectKind=quote&subjectId=${fixture.quote}`,
      plain: history,
      same: async (api: { latest: { id: string; transitions: unknown[] }; earlier: { id: string }[] }) => {
        const sql = await history();
        equal('history', [api.latest.id, ...api.earlier.map((i) => i.id)], sql.ids);
        equal('transitions', api.latest.transitions.length, sql.transitions);
      },
    },
  ];

  const rows: string[] = [];
  for (const c of cases) {
    await get(c.url); // a first request writes the session's sliding expiry: not part of the measured ones
    let answer: unknown;
    const sent = (
      await driver.capture(async () => {
        answer = await get(c.url);
      })
    ).filter((call) => !isSessionExpiryUpdate(textOf(call)));
    await c.same(answer as never);
    const auth: Call[] = sent.filter((call) => /"sessions"/.test(textOf(call)));
    if (process.env.BENCH_EXPLAIN)
      for (const call of sent) {
        const plan = await raw(`EXPLAIN (ANALYZE, COSTS OFF) ${textOf(call)}`, paramsOf(call));
        console.log(`  ${textOf(call).replace(/\s+/g, ' ').slice(0, 160)}`);
        console.log(plan.rows.map((r) => `    ${Object.values(r)[0]}`).join('\n'));
      }
    const paths = [
      () => get(c.url),
      c.plain,
      async () => {
        for (const call of auth) await driver.replayRaw(call);
        await c.plain();
      },
    ];
    const [api, plain, withAuth] = await interleaved(paths, RUNS, 5);
    // On PGlite every query runs on this process's thread: its CPU time is the cost, however busy the machine.
    const cpu = database.engine === 'pglite' ? await interleaved(paths, RUNS, 2, cpuClock) : null;
    const ratio = api / plain;
    rows.push(
      [
        c.name,
        sent.length - auth.length,
        `${api.toFixed(2)} ms`,
        `${plain.toFixed(2)} ms`,
        `${ratio.toFixed(2)}×${ratio > LIMIT ? ' ⚠' : ''}`,
        `${withAuth.toFixed(2)} ms`,
        `${(api / withAuth).toFixed(2)}×`,
        ...(cpu
          ? [
              `${cpu[0].toFixed(2)} / ${cpu[1].toFixed(2)} ms`,
              `${(cpu[0] / cpu[1]).toFixed(2)}×`,
              `${(cpu[0] / cpu[2]).toFixed(2)}×`,
            ]
          : []),
      ].join(' | '),
    );
  }
  await app.close();
  console.log(
    `\n${database.engine}, ${counts.open} open instances, ${counts.transitions} transitions; median of ${RUNS}, load average ${loadAverage.join(' ')} → ${os
      .loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')}\n`,
  );
  const cpuColumns =
    database.engine === 'pglite' ? ' CPU: API / raw | CPU ratio | CPU ratio, session lookup in raw |' : '';
  console.log(
    `| request (as the manager) | statements | API | raw SQL | API ÷ raw | raw + session lookup | API ÷ that |${cpuColumns}`,
  );
  console.log(`|---|---|---|---|---|---|---|${cpuColumns.replace(/[^|]+/g, '---')}`);
  for (const row of rows) console.log(`| ${row} |`);
} finally {
  driver.restore();
  await database.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

/**
 * Staff (a manager with his department's seller, 99 submitters, 50 approvers), one quote flow of three steps, a
 * quote of the seller's with a long history, OPEN running instances (WAITING of them at the manager's) and ENDED
 * ones, their transitions (generated per instance from its count) and an assignment per decision — in bulk SQL.
 */
async function load() {
  const db = database.db;
  const started = Date.now();
  await bootstrapDatabase(db);
  await raw(`INSERT INTO departments (name, path) SELECT 'wf-d' || g, '/' FROM generate_series(0, 9) g`);
  await raw(`UPDATE departments SET path = '/' || id || '/' WHERE name LIKE 'wf-d%'`);
  const depts = (await raw(`SELECT id FROM departments WHERE name LIKE 'wf-d%' ORDER BY name`)).rows.map(
    (r) => r.id as string,
  );
  const user = (username: string, roleCode: string, departmentId: string, passwordHash?: string) =>
    seedUser(db, { username, displayName: username, password: PASSWORD, passwordHash, roleCode, departmentId });
  const manager = (await user('wf-manager', 'manager', depts[0])).id;
  await raw(`UPDATE departments SET manager_id = $1 WHERE id = $2`, [manager, depts[0]]);
  const seller = (await user('wf-seller', 'salesperson', depts[0])).id;
  const submitters = [seller];
  for (let i = 1; i < 100; i++) submitters.push((await user(`wf-s${i}`, 'salesperson', depts[i % 10], 'x')).id);
  const approvers: string[] = [];
  for (let i = 0; i < 50; i++) approvers.push((await user(`wf-a${i}`, 'salesperson', depts[1 + (i % 9)], 'x')).id);

  // The seller's quote: a customer, an opportunity in the default pipeline, one quote 30 % below list.
  const [{ line }] = (await raw(`INSERT INTO business_lines (name, code) VALUES ('审计', 'WF') RETURNING id AS line`))
    .rows as { line: string }[];
  const [{ customer }] = (
    await raw(
      `INSERT INTO customers (name, owner_id, search_text) VALUES ('西安华达会计师事务所', $1, 'wf') RETURNING id AS customer`,
      [seller],
    )
  ).rows as { customer: string }[];
  const [{ opportunity }] = (
    await raw(
      `INSERT INTO opportunities (name, customer_id, business_line_id, stage_id, status, probability, owner_id, department_id, search_text)
       SELECT '年报审计', $1, $2, s.id, 'open', s.probability, $3, $4, 'wf'
       FROM pipeline_stages s WHERE s.business_line_id IS NULL AND s.kind = 'open' ORDER BY s.position LIMIT 1
       RETURNING id AS opportunity`,
      [customer, line, seller, depts[0]],
    )
  ).rows as { opportunity: string }[];
  const [{ quote }] = (
    await raw(
      `INSERT INTO quotes (opportunity_id, version, total, list_total) VALUES ($1, 1, 7000, 10000) RETURNING id AS quote`,
      [opportunity],
    )
  ).rows as { quote: string }[];

  const steps = [1, 2, 3].map((n) => ({
    nameZh: `第${n}步`,
    nameEn: `Step ${n}`,
    assignee: { kind: 'role-in-department', roleCode: 'manager' },
    mode: 'any',
    returnTo: n > 1 ? [n - 1] : [],
  }));
  const conditions = [{ field: 'discountPercent', op: 'gt', value: '10' }];
  const [{ workflow }] = (
    await raw(
      `INSERT INTO workflows (subject_kind, name_zh, name_en, priority, version, conditions, steps, fallback_user_id)
       VALUES ('quote', '报价折扣审批', 'Quote discount', 100, 1, $1, $2, $3) RETURNING id AS workflow`,
      [JSON.stringify(conditions), JSON.stringify(steps), manager],
    )
  ).rows as { workflow: string }[];
  const [{ version }] = (
    await raw(
      `INSERT INTO workflow_versions (workflow_id, version, name_zh, name_en, conditions, steps, fallback_user_id)
       VALUES ($1, 1, '报价折扣审批', 'Quote discount', $2, $3, $4) RETURNING id AS version`,
      [workflow, JSON.stringify(conditions), JSON.stringify(steps), manager],
    )
  ).rows as { version: string }[];

  // Instances: n = 1.. OPEN running (started n minutes ago), then ENDED ones, then the long-history quote's.
  const summary = `jsonb_build_object('title', '商机' || g || ' · V1', 'link', '/opportunities/' || g,
      'facts', jsonb_build_array(jsonb_build_object('key', 'total', 'value', (1000 + g % 90000) || '.00', 'money', true),
        jsonb_build_object('key', 'listTotal', 'value', (2000 + g % 90000) || '.00', 'money', true),
        jsonb_build_object('key', 'discountPercent', 'value', '20.00')))`;
  const facts = `jsonb_build_object('fields', jsonb_build_object('total', (1000 + g % 90000) || '.00', 'discountPercent', '20.00'),
      'ownerId', null, 'departmentId', null, 'businessLineId', null)`;
  await raw(
    `INSERT INTO workflow_instances (workflow_id, version_id, subject_kind, subject_id, status, current_step, round,
       step_started_at, summary, facts, submitted_by, submitted_at, transitions)
     SELECT $1, $2, 'quote', gen_random_uuid(), 'running', 1 + g % 3, 1 + g % ${OPEN_ROUNDS},
       now() - g * interval '1 minute', ${summary}, ${facts}, ($3::uuid[])[1 + g % 100],
       now() - g * interval '1 minute' - (g % ${OPEN_ROUNDS}) * interval '1 hour', 2 * (1 + g % ${OPEN_ROUNDS})
     FROM generate_series(1, $4::int) g`,
    [workflow, version, submitters, OPEN],
  );
  await raw(
    `INSERT INTO workflow_instances (workflow_id, version_id, subject_kind, subject_id, status, round, summary, facts,
       submitted_by, submitted_at, ended_at, transitions)
     SELECT $1, $2, 'quote', gen_random_uuid(), (ARRAY['approved', 'approved', 'approved', 'rejected', 'withdrawn'])[1 + g % 5],
       2, ${summary}, ${facts}, ($3::uuid[])[1 + g % 100], now() - g * interval '10 minutes',
       now() - g * interval '10 minutes' + interval '1 day', 5
     FROM generate_series(1, $4::int) g`,
    [workflow, version, submitters, ENDED],
  );
  await raw(
    `INSERT INTO workflow_instances (workflow_id, version_id, subject_kind, subject_id, status, round, summary, facts,
       submitted_by, submitted_at, ended_at, transitions)
     SELECT $1, $2, 'quote', $3, CASE WHEN g = 1 THEN 'approved' ELSE 'rejected' END, ${(LONG_TRANSITIONS - 1) / 2},
       ${summary}, ${facts}, $4, now() - g * interval '3 days', now() - g * interval '3 days' + interval '2 days', ${LONG_TRANSITIONS}
     FROM generate_series(1, ${LONG_INSTANCES}) g`,
    [workflow, version, quote, seller],
  );
  console.log(`instances: ${OPEN} open, ${ENDED + LONG_INSTANCES} ended`);

  // Transitions, per instance from its count: submit; then step / approve in turn (steps 1, 1, 2, 2, 3, 3, 1 …);
  // an ended instance's last one is its end. Decisions by an approver (the manager: one in twenty).
  await raw(
    `INSERT INTO workflow_transitions (instance_id, seq, action, step, actor_id, comment, assignees, at)
     SELECT i.id, s,
       CASE WHEN s = 1 THEN 'submit' WHEN s = i.transitions AND i.status = 'rejected' THEN 'reject'
            WHEN s = i.transitions AND i.status = 'withdrawn' THEN 'withdraw' WHEN s % 2 = 0 THEN 'step' ELSE 'approve' END,
       CASE WHEN s = 1 THEN NULL ELSE (s / 2 - 1) % 3 + 1 END,
       CASE WHEN s = 1 OR s % 2 = 0 OR (s = i.transitions AND i.status = 'withdrawn') THEN i.submitted_by
            WHEN abs(hashtext(i.id::text)) % 20 = 0 THEN $1::uuid
            ELSE ($2::uuid[])[1 + (abs(hashtext(i.id::text)) + s) % 50] END,
       CASE WHEN s % 2 = 1 AND s > 1 THEN '同意' END,
       CASE WHEN s % 2 = 0 THEN jsonb_build_array(jsonb_build_object('id', $1::text, 'name', 'wf-manager')) ELSE '[]'::jsonb END,
       i.submitted_at + s * interval '1 minute'
     FROM workflow_instances i CROSS JOIN LATERAL generate_series(1, i.transitions) s`,
    [manager, approvers],
  );
  // One assignment per decision (closed), and the open ones of the running instances' current rounds: the
  // manager holds WAITING of them, spread over the list; every fifth instance has a second holder.
  await raw(
    `INSERT INTO workflow_assignments (instance_id, round, step, user_id, reason, open, decision, decided_at, created_at)
     SELECT instance_id, seq / 2, step, actor_id, 'resolved', false, action, at, at - interval '1 minute'
     FROM workflow_transitions WHERE action IN ('approve', 'reject')`,
  );
  const every = Math.floor(OPEN / WAITING);
  await raw(
    `WITH open AS (SELECT id, round, current_step, step_started_at, row_number() OVER (ORDER BY step_started_at DESC) AS n
                   FROM workflow_instances WHERE status = 'running')
     INSERT INTO workflow_assignments (instance_id, round, step, user_id, reason, created_at)
     SELECT id, round, current_step,
       CASE WHEN n % ${every} = 0 AND n <= ${every * WAITING} THEN $1::uuid ELSE ($2::uuid[])[1 + n % 50] END, 'resolved', step_started_at
     FROM open
     UNION ALL
     SELECT id, round, current_step, ($2::uuid[])[1 + (n + 7) % 50], 'resolved', step_started_at FROM open WHERE n % 5 = 1`,
    [manager, approvers],
  );
  await raw('ANALYZE');
  console.log(`loaded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
