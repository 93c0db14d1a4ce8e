/**
 * Sales-funnel benchmark (issue 4): with N opportunities (2–4 stage-history rows each) and M leads
 * (~2 status-history rows each), default N = 200,000 and M = 500,000, the kanban board of one
 * business line, the filtered opportunity table with its totals, and the team's new leads, each
 * over HTTP (inject) as a department manager and as an executive, against the raw SQL of the same
 * queries in the same process. PGlite by default; PostgreSQL with DATABASE_URL (use a scratch database).
 *
 * The raw baseline is exact: one request per endpoint is run with the driver's `query` wrapped,
 * which records every statement the service sends (the session lookup of the auth hook excepted);
 * the baseline replays those statements with the same parameters and driver options. The ratio
 * is thus what the auth hook (its session lookup), Fastify, validation, Drizzle's mapping, the
 * service's own work and serialisation add on top of the database; a second figure puts the
 * session lookup's SQL into the baseline too. HTTP and raw runs take turns, so load from
 * elsewhere hits both alike.
 * Every measurement is repeated in BENCH_ROUNDS rounds (default 2), all reported; the exit code
 * is 1 when a measurement is over its limit in every round.
 *
 *   npx tsx bench/opportunities.ts [opportunities=200000] [leads=500000]
 *
 * Environment: DATABASE_URL (PostgreSQL instead of PGlite); BENCH_DATA_DIR (keep the PGlite data
 * there, and reuse it when it already holds the benchmark's data; on PostgreSQL existing data is
 * reused likewise); BENCH_CUSTOMERS (default N / 4); BENCH_ROUNDS; BENCH_EXPLAIN_MS (print the plan
 * of service queries slower than this, default 25); BENCH_SQL=1 (print each captured statement).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../server/app';
import { loadConfig } from '../server/config';
import { openDatabase } from '../server/db/client';
import { migrateDatabase } from '../server/db/migrate';
import { businessLines } from '../server/domains/staff/staff.tables';
import { searchTextOf } from '../server/lib/search-text';
import { bootstrapDatabase } from '../server/seed/bootstrap';
import { seedDepartment, seedReference, seedUser } from '../server/seed/seeders';
import { interleaved, progress, report, wrapDriver, type Call } from './lib';

const N = Number(process.argv[2] ?? 200_000);
const M = Number(process.argv[3] ?? 500_000);
const C = Number(process.env.BENCH_CUSTOMERS ?? Math.max(1_000, Math.round(N / 4)));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const EXPLAIN_MS = Number(process.env.BENCH_EXPLAIN_MS ?? 25);
const LIMIT = 1.5;
const PASSWORD = 'Bench-pass-1';

const keepDir = process.env.BENCH_DATA_DIR;
const tmp = keepDir ?? mkdtempSync(path.join(os.tmpdir(), 'gongdan-bench-'));
const database = process.env.DATABASE_URL
  ? await openDatabase({ databaseUrl: process.env.DATABASE_URL })
  : await openDatabase({ dataDir: tmp });

// ---------- the driver, wrapped once: raw access, and capture of what the services send ----------

const driver = wrapDriver(database);
const { raw, send, textOf, paramsOf } = driver;

/** Business-line names and codes (5 lines). */
const LINES: [string, string][] = [
  ['审计', 'B-SJ'],
  ['验资', 'B-YZ'],
  ['资产评估', 'B-PG'],
  ['税务', 'B-SW'],
  ['工程造价', 'B-GC'],
];
const CITIES = [
  '北京',
  '上海',
  '西安',
  '广州',
  '深圳',
  '杭州',
  '南京',
  '成都',
  '重庆',
  '武汉',
  '天津',
  '苏州',
  '郑州',
  '长沙',
  '兰州',
  '宝鸡',
  '咸阳',
  '延安',
  '银川',
  '西宁',
];
const WORDS = ['华达', '秦川', '宏远', '恒信', '新世纪', '长城', '东方', '金桥', '瑞丰', '鼎盛'];
const KINDS = ['建设工程有限公司', '科技有限公司', '机械制造有限公司', '商贸有限公司', '物流有限公司'];
const SERVICES = [
  '年报审计',
  '专项审计',
  '验资',
  '资产评估',
  '税务筹划',
  '工程造价咨询',
  '内控咨询',
  '清产核资',
  'IPO审计',
  '离任审计',
];
const YEARS = ['2025年度', '2026年度', '2026上半年'];
const SOURCES = ['website', 'referral', 'event', 'cold-call', 'campaign'];

/** A deterministic pseudo-random integer in [0, m) for row g (PostgreSQL's own int4 hash). */
const h = (g: string, salt: number, m: number) => `((hashint4(${g} + ${salt}) & 2147483647) % ${m})`;

async function generate() {
  const db = database.db;
  const t0 = performance.now();
  // Staff: a firm department with 4 departments under it, 20 salespeople, a manager of the first
  // department (scope department), an executive in the firm department (scope all).
  const firm = await seedDepartment(db, { name: 'bench-firm' });
  const depts: string[] = [];
  for (let i = 0; i < 4; i++) depts.push((await seedDepartment(db, { name: `bench-d${i}`, parentId: firm.id })).id);
  const sales: string[] = [];
  const salesDepts: string[] = [];
  for (let i = 0; i < 20; i++) {
    sales.push(
      (
        await seedUser(db, {
          username: `bench-s${i}`,
          displayName: `业务员${i}`,
          password: PASSWORD,
          roleCode: 'salesperson',
          departmentId: depts[i % 4],
          passwordHash: 'x',
        })
      ).id,
    );
    salesDepts.push(depts[i % 4]);
  }
  await seedUser(db, {
    username: 'bench-manager',
    displayName: '部门经理',
    password: PASSWORD,
    roleCode: 'manager',
    departmentId: depts[0],
  });
  await seedUser(db, {
    username: 'bench-exec',
    displayName: '合伙人',
    password: PASSWORD,
    roleCode: 'executive',
    departmentId: firm.id,
  });
  const lines: string[] = [];
  for (const [i, [name, code]] of LINES.entries())
    lines.push((await seedReference(db, businessLines, { name, code, sortOrder: i })).id);

  // The default pipeline (bootstrap): 5 open stages, won, lost.
  const stages = (
    await raw(`SELECT id, kind, probability FROM pipeline_stages WHERE business_line_id IS NULL ORDER BY position`)
  ).rows;
  await raw(`DROP TABLE IF EXISTS bench_stages, bench_stems, bench_opp_stems, bench_customers`);
  await raw(`CREATE TABLE bench_stages (i int, id uuid, kind text, probability int)`);
  for (const [i, s] of stages.entries())
    await raw(`INSERT INTO bench_stages VALUES ($1, $2, $3, $4)`, [i, s.id, s.kind, s.probability]);
  const open = stages.filter((s) => s.kind === 'open').map((s) => s.id as string);
  const wonIndex = stages.findIndex((s) => s.kind === 'won');
  const lostIndex = stages.findIndex((s) => s.kind === 'lost');

  // Name stems with their search text (pinyin) computed once in JS; rows get a numeric suffix.
  await raw(`CREATE TABLE bench_stems (i int, name text, search text)`);
  const stems = CITIES.flatMap((c) => WORDS.flatMap((w) => KINDS.map((k) => `${c}${w}${k}`)));
  for (const [i, name] of stems.entries())
    await raw(`INSERT INTO bench_stems VALUES ($1, $2, $3)`, [i, name, searchTextOf([name])]);
  await raw(`CREATE TABLE bench_opp_stems (i int, name text, search text)`);
  const oppStems = SERVICES.flatMap((s) => YEARS.map((y) => `${y}${s}`));
  for (const [i, name] of oppStems.entries())
    await raw(`INSERT INTO bench_opp_stems VALUES ($1, $2, $3)`, [i, name, searchTextOf([name])]);

  const batch = 10_000;
  for (let done = 0; done < C; done += batch) {
    const to = Math.min(done + batch, C);
    await raw(
      `INSERT INTO customers (name, status, owner_id, search_text, last_contact_at)
       SELECT s.name || g, (ARRAY['prospect','customer','former'])[1 + g % 3], CASE WHEN g % 10 = 0 THEN NULL ELSE ($1::uuid[])[1 + ${h('g', 1, 20)}] END,
              s.search || ' ' || g, now() - (g % 400) * interval '1 day'
       FROM generate_series($2::int, $3::int) g JOIN bench_stems s ON s.i = g % ${stems.length}`,
      [sales, done + 1, to],
    );
    progress('customers', to, C);
  }
  await raw(
    `CREATE TABLE bench_customers AS SELECT id, name, search_text, row_number() OVER (ORDER BY id)::int AS n FROM customers`,
  );
  await raw(`CREATE UNIQUE INDEX ON bench_customers (n)`);
  await raw(`ANALYZE bench_customers`);

  // Opportunities: a line each (evenly), 80% open (more in early stages: 30/25/20/15/10%), 10% won,
  // 10% lost (closed over the last year), amounts log-uniform 5,000 – 5,000,000 with cents
  // (2.5% without), close dates from 120 days ago to 300 days ahead, department = the owner's.
  const openStage = `CASE WHEN u.p < 30 THEN 0 WHEN u.p < 55 THEN 1 WHEN u.p < 75 THEN 2 WHEN u.p < 90 THEN 3 ELSE 4 END`;
  for (let done = 0; done < N; done += batch) {
    const to = Math.min(done + batch, N);
    await raw(
      `INSERT INTO opportunities (name, customer_id, business_line_id, stage_id, status, probability, expected_amount, expected_close_on, next_step,
                                  owner_id, department_id, closed_at, stage_entered_at, is_project, search_text, created_at, updated_at)
       SELECT os.name || '-' || g, c.id, ($1::uuid[])[1 + g % 5], st.id, st.kind, st.probability,
              CASE WHEN g % 40 = 0 THEN NULL ELSE round((5000 * power(1000::numeric, u.a / 1000000.0))::numeric, 2) END,
              CASE WHEN g % 25 = 0 THEN NULL ELSE current_date + (${h('g', 5, 420)} - 120) END,
              CASE WHEN g % 3 = 0 THEN '约客户财务负责人沟通审计范围' END,
              ($2::uuid[])[1 + u.k], ($3::uuid[])[1 + u.k],
              CASE WHEN st.kind = 'open' THEN NULL ELSE now() - ${h('g', 6, 365 * 24)} * interval '1 hour' END,
              CASE WHEN st.kind = 'open' THEN now() - ${h('g', 7, 240 * 24 * 60)} * interval '1 minute' ELSE now() - ${h('g', 6, 365 * 24)} * interval '1 hour' END,
              g % 7 = 0, os.search || ' ' || g || ' ' || c.search_text,
              now() - ${h('g', 8, 400)} * interval '1 day' - interval '240 days', now() - ${h('g', 9, 30)} * interval '1 day'
       FROM generate_series($4::int, $5::int) g
       CROSS JOIN LATERAL (SELECT ${h('g', 2, 100)} AS s, ${h('g', 3, 100)} AS p, ${h('g', 4, 20)} AS k, ${h('g', 10, 1000000)} AS a) u
       JOIN bench_opp_stems os ON os.i = g % ${oppStems.length}
       JOIN bench_customers c ON c.n = 1 + ${h('g', 11, C)}
       JOIN bench_stages st ON st.i = CASE WHEN u.s < 80 THEN ${openStage} WHEN u.s < 90 THEN ${wonIndex} ELSE ${lostIndex} END`,
      [lines, sales, salesDepts, done + 1, to],
    );
    progress('opportunities', to, N);
  }

  // 2–4 stage changes per opportunity, the last one into its present stage and status.
  const k = `(2 + (hashtext(o.id::text) & 2147483647) % 3)`;
  for (let j = 1; j <= 4; j++) {
    await raw(
      `INSERT INTO opportunity_stage_changes (opportunity_id, from_stage_id, to_stage_id, from_status, to_status, at, by_user_id)
       SELECT o.id, CASE WHEN $1::int = 1 THEN NULL ELSE ($2::uuid[])[$1::int - 1] END,
              CASE WHEN $1::int = ${k} THEN o.stage_id ELSE ($2::uuid[])[$1::int] END,
              CASE WHEN $1::int = 1 THEN NULL ELSE 'open' END,
              CASE WHEN $1::int = ${k} THEN o.status ELSE 'open' END,
              o.stage_entered_at - (${k} - $1::int) * interval '9 days', o.owner_id
       FROM opportunities o WHERE ${k} >= $1::int`,
      [j, open],
    );
    progress('stage history (round)', j, 4);
  }
  // A team member on one opportunity in twenty (the manager's visibility checks membership too).
  await raw(
    `INSERT INTO opportunity_members (opportunity_id, user_id, role)
     SELECT o.id, ($1::uuid[])[1 + ((hashtext(o.id::text) & 2147483647) / 20) % 20], '项目经理' FROM opportunities o
     WHERE (hashtext(o.id::text) & 2147483647) % 20 = 0 ON CONFLICT DO NOTHING`,
    [sales],
  );

  // Leads: new 30%, contacting 25%, qualified 15%, disqualified 15%, converted 15%; 80% with an
  // owner, the rest waiting in a department's queue.
  const leadStatus = `CASE WHEN u.s < 30 THEN 'new' WHEN u.s < 55 THEN 'contacting' WHEN u.s < 70 THEN 'qualified' WHEN u.s < 85 THEN 'disqualified' ELSE 'converted' END`;
  for (let done = 0; done < M; done += batch) {
    const to = Math.min(done + batch, M);
    await raw(
      `INSERT INTO leads (company_name, contact_name, phone, business_line_id, source, status, disqualify_reason, owner_id, queue_department_id,
                         assigned_at, converted_at, search_text, created_at, updated_at)
       SELECT s.name || g, '联系人' || g, '139' || lpad(g::text, 8, '0'), ($1::uuid[])[1 + ${h('g', 21, 5)}], ($2::text[])[1 + ${h('g', 22, 5)}],
              ${leadStatus}, CASE WHEN u.s >= 70 AND u.s < 85 THEN '无预算' END,
              CASE WHEN u.o < 80 THEN ($3::uuid[])[1 + ${h('g', 23, 20)}] END, CASE WHEN u.o >= 80 THEN ($4::uuid[])[1 + ${h('g', 24, 4)}] END,
              CASE WHEN u.o < 80 THEN u.c + interval '2 hours' END, CASE WHEN u.s >= 85 THEN u.c + interval '20 days' END,
              s.search || ' ' || g || ' 139' || lpad(g::text, 8, '0'), u.c, u.c + interval '1 day'
       FROM generate_series($5::int, $6::int) g
       CROSS JOIN LATERAL (SELECT ${h('g', 25, 100)} AS s, ${h('g', 26, 100)} AS o, now() - ${h('g', 27, 730 * 24 * 60)} * interval '1 minute' AS c) u
       JOIN bench_stems s ON s.i = g % ${stems.length}`,
      [lines, SOURCES, sales, depts, done + 1, to],
    );
    progress('leads', to, M);
  }
  // 1–3 status changes per lead (2 on average): created as new, then contacting, then where it is.
  const lk = `(1 + (hashtext(l.id::text) & 2147483647) % 3)`;
  for (let j = 1; j <= 3; j++) {
    await raw(
      `INSERT INTO lead_status_changes (lead_id, from_status, to_status, at, by_user_id)
       SELECT l.id, (ARRAY[NULL, 'new', 'contacting'])[$1::int], CASE WHEN $1::int = 1 THEN 'new' WHEN $1::int = ${lk} THEN l.status ELSE 'contacting' END,
              l.created_at + ($1::int - 1) * interval '3 days', l.owner_id
       FROM leads l WHERE ${lk} >= $1::int`,
      [j],
    );
    progress('lead status history (round)', j, 3);
  }
  await raw(`DROP TABLE bench_stages, bench_stems, bench_opp_stems, bench_customers`);
  await raw('ANALYZE');
  console.log(`generated in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

try {
  await migrateDatabase(database);
  await bootstrapDatabase(database.db);
  const existing = (await raw(`SELECT count(*)::int AS n FROM users WHERE username = 'bench-manager'`)).rows[0]
    .n as number;
  if (existing) console.log('reusing the benchmark data already in the database');
  else await generate();

  const counts = (
    await raw(`SELECT (SELECT count(*) FROM opportunities)::int AS o, (SELECT count(*) FROM opportunity_stage_changes)::int AS oh,
    (SELECT count(*) FROM leads)::int AS l, (SELECT count(*) FROM lead_status_changes)::int AS lh, (SELECT count(*) FROM customers)::int AS c`)
  ).rows[0];
  console.log(
    `engine: ${database.engine}; opportunities ${counts.o}, stage changes ${counts.oh}, leads ${counts.l}, lead status changes ${counts.lh}, customers ${counts.c}`,
  );

  const app = await buildApp({ database, config: loadConfig({}) });
  const signIn = async (username: string) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password: PASSWORD },
    });
    if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.body}`);
    return String(res.headers['set-cookie']).split(';')[0];
  };
  const users = [
    { label: 'manager (department)', cookie: await signIn('bench-manager') },
    { label: 'executive (all)', cookie: await signIn('bench-exec') },
  ];
  const line = (await raw(`SELECT id FROM business_lines WHERE code = 'B-SJ'`)).rows[0].id as string;
  const today = new Date().toISOString().slice(0, 10);
  const filters = `businessLineId=${line}&status=open&minAmount=100000&closeFrom=${today}`;
  const endpoints = [
    {
      name: 'board (line, view=team, perStage 500)',
      url: `/api/v1/opportunities/board?businessLineId=${line}&view=team`,
    },
    {
      name: 'table page (line+open+minAmount+closeFrom, -expectedAmount)',
      url: `/api/v1/opportunities?${filters}&sort=-expectedAmount&pageSize=20`,
    },
    { name: 'table totals (same filters)', url: `/api/v1/opportunities/totals?${filters}` },
    { name: 'leads (view=team, status=new)', url: `/api/v1/leads?view=team&status=new&pageSize=20` },
  ];

  const get = async (url: string, cookie: string) => {
    const res = await app.inject({ method: 'GET', url, headers: { cookie } });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res;
  };

  // Capture the service's statements of each endpoint (the auth hook's session lookup left out).
  type Case = {
    name: string;
    user: string;
    url: string;
    cookie: string;
    calls: Call[];
    auth: Call[];
    bytes: number;
    summary: string;
  };
  const cases: Case[] = [];
  for (const u of users) {
    for (const e of endpoints) {
      await get(e.url, u.cookie); // the session's sliding expiry is written on a first request: not in the capture
      let res!: Awaited<ReturnType<typeof get>>;
      const all = await driver.capture(async () => {
        res = await get(e.url, u.cookie);
      });
      const calls = all.filter((c) => !/"sessions"/.test(textOf(c)));
      const auth = all.filter((c) => /"sessions"/.test(textOf(c)));
      const body = res.json() as {
        columns?: { count: number; cards: unknown[] }[];
        total?: number;
        count?: number;
        totalAmount?: string;
      };
      const summary = body.columns
        ? `${body.columns.length} columns, ${body.columns.reduce((n, c) => n + c.cards.length, 0)} cards of ${body.columns.reduce((n, c) => n + c.count, 0)}`
        : body.total !== undefined
          ? `total ${body.total}`
          : `count ${body.count}, Σ ${body.totalAmount}`;
      cases.push({
        name: e.name,
        user: u.label,
        url: e.url,
        cookie: u.cookie,
        calls,
        auth,
        bytes: res.body.length,
        summary,
      });
      console.log(
        `${u.label} · ${e.name}: ${calls.length} service statements (+${all.length - calls.length} auth), ${(res.body.length / 1024).toFixed(0)} KiB JSON, ${summary}`,
      );
      if (process.env.BENCH_SQL)
        for (const c of calls) console.log(`  SQL: ${textOf(c)}\n  params: ${JSON.stringify(paramsOf(c))}`);
    }
  }

  // Plans of the service's statements, once: the slow ones are printed whole.
  console.log('\nEXPLAIN ANALYZE of each service statement:');
  for (const c of cases) {
    for (const [i, call] of c.calls.entries()) {
      const plan = (await raw(`EXPLAIN (ANALYZE, BUFFERS) ${textOf(call)}`, paramsOf(call))).rows.map((r) =>
        String(Object.values(r)[0]),
      );
      const ms = Number(/Execution Time: ([\d.]+)/.exec(plan.join('\n'))?.[1] ?? NaN);
      console.log(
        `  ${c.user} · ${c.name} #${i + 1}: ${ms.toFixed(1)} ms — ${textOf(call).replace(/\s+/g, ' ').slice(0, 110)}…`,
      );
      if (ms > EXPLAIN_MS) console.log(plan.map((l) => `      ${l}`).join('\n'));
    }
  }

  const best = new Map<string, number>();
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`\nround ${round} of ${ROUNDS} (${database.engine}, ${counts.o} opportunities, ${counts.l} leads):`);
    for (const c of cases) {
      const heavy = c.bytes > 100_000;
      const replay = async (calls: Call[]) => {
        for (const call of calls) await send(...call);
      };
      const [httpMs, rawMs, withAuthMs] = await interleaved(
        [() => get(c.url, c.cookie), () => replay(c.calls), () => replay([...c.auth, ...c.calls])],
        heavy ? 11 : 21,
        heavy ? 2 : 4,
      );
      const key = `${c.user} · ${c.name}`;
      report(`${key} [round ${round}]`, httpMs, rawMs, LIMIT);
      console.log(
        `       with the auth hook's session lookup in the baseline too: raw ${withAuthMs.toFixed(2)} ms = ${(httpMs / withAuthMs).toFixed(2)}×`,
      );
      best.set(key, Math.min(best.get(key) ?? Infinity, httpMs / rawMs));
    }
  }
  await app.close();
  const over = [...best].filter(([, ratio]) => ratio > LIMIT);
  for (const [key, ratio] of over) console.log(`over the limit in every round: ${key} (best ${ratio.toFixed(2)}×)`);
  process.exitCode = over.length ? 1 : 0;
} finally {
  driver.restore();
  await database.close();
  if (!keepDir) rmSync(tmp, { recursive: true, force: true });
}
