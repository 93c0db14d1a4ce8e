/**
 * Engagements and timesheets benchmark (issue 14): with 20,000 engagements (200,000 work orders) and 2,000,000 time
 * entries over 150 staff and three years, a person's weekly timesheet (their own, as the grid page reads it), an
 * engagement's budget against its hours (as its lead) and a department's workload over five weeks (as the
 * department's manager, with the department filter) — each over HTTP (inject) against the plainest raw SQL of the
 * same answer (hand-written, unprepared, the same reader's visibility rule), run in turns in the same process. The
 * benchmark first checks that both give the same answer. Never a timed assertion: the ratio is printed, with the
 * issue's two bounds (1.5× the raw SQL, 200 ms), a markdown table at the end.
 *
 *   npx tsx bench/engagements.ts                                      # PGlite in a temporary directory
 *   npx tsx bench/engagements.ts --database-url=postgres://…/scratch  # PostgreSQL (filled once, then reused)
 *   npx tsx bench/engagements.ts --pglite-dir=.tmp/eg-pglite          # PGlite kept there (filled once, then reused)
 *
 * Options: --engagements=20000 (10 work orders each) --entries=2000000 --staff=150 --years=3 --runs=31;
 * BENCH_EXPLAIN=1 prints the plan of each statement the API sends.
 *
 * The shape: 150 staff in seven departments (two of them under the first), each department's manager among them;
 * engagements start evenly over the three years and last two to ten weeks, each with its lead and two more of the
 * lead's department on the team, five phases of two work orders (assigned in turn to the three); every working day
 * each person logs the same number of small entries (a quarter to three quarters of an hour: 2,000,000 entries over
 * 150 people and three years is about 17 a day, ≈ 8.5 h) on the work orders of their engagements in progress that
 * week (some on the engagement without a work order, some internal or training time, all of it when they have no
 * engagement that week); every past week is approved, last week submitted or open, this week open.
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { buildApp } from '../server/app';
import { loadConfig } from '../server/config';
import { openDatabase } from '../server/db/client';
import { migrateDatabase } from '../server/db/migrate';
import { addDays, FIRM_TIME_ZONE, localDate } from '../server/lib/time';
import { bootstrapDatabase } from '../server/seed/bootstrap';
import { seedUser } from '../server/seed/seeders';
import { benchDatabase, cpuClock, interleaved, isSessionExpiryUpdate, type Call, wrapDriver } from './lib';

const { values: opts } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    'pglite-dir': { type: 'string' },
    engagements: { type: 'string', default: '20000' },
    entries: { type: 'string', default: '2000000' },
    staff: { type: 'string', default: '150' },
    years: { type: 'string', default: '3' },
    runs: { type: 'string', default: '31' },
  },
});
const ENGAGEMENTS = Number(opts.engagements);
const ENTRIES = Number(opts.entries);
const STAFF = Number(opts.staff);
const YEARS = Number(opts.years);
const RUNS = Number(opts.runs);
const PASSWORD = 'Bench-pass-1';
/** The issue's bounds: within 1.5× the raw SQL, under 200 ms (on PostgreSQL). */
const LIMIT = 1.5;
const BUDGET_MS = 200;
/** Seven departments: eg-d0 … eg-d4 at the top, eg-d5 and eg-d6 under eg-d0. */
const DEPARTMENTS = 7;
const CUSTOMERS = 5000;
const SELLERS = 5;
/** The manager of eg-d0 (workload) and a person of eg-d0 (their week; the lead of the measured engagement). */
const MANAGER = 'eg-p0';
const PERSON = 'eg-p7';

const keptDir = opts['database-url'] ? undefined : opts['pglite-dir'];
const { database, dir: tmp } = keptDir
  ? { database: await openDatabase({ dataDir: keptDir }), dir: null }
  : await benchDatabase(opts['database-url']);
const driver = wrapDriver(database);
const { raw, textOf, paramsOf } = driver;

type Row = Record<string, unknown>;
const today = localDate(new Date(), FIRM_TIME_ZONE);
const mondayOf = (date: string) => addDays(date, -((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7));

/** Hundredths of an hour from a numeric text ("8.50", "8.5", "8"): exact, as the API sums. */
const hundredths = (text: unknown) => {
  const [whole, fraction = ''] = String(text ?? '0').split('.');
  return BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2)) * (whole.startsWith('-') ? -1n : 1n);
};

try {
  await migrateDatabase(database);
  const loaded = (await raw(`SELECT 1 FROM users WHERE username = $1`, [PERSON])).rows.length > 0;
  if (loaded) console.log('reusing the benchmark data already in the database');
  else await load();
  const counts = (
    await raw(`SELECT (SELECT count(*) FROM engagements)::int AS engagements, (SELECT count(*) FROM engagement_tasks)::int AS tasks,
      (SELECT count(*) FROM time_entries)::int AS entries, (SELECT count(*) FROM timesheet_weeks)::int AS weeks,
      (SELECT count(*) FROM users WHERE username LIKE 'eg-p%')::int AS staff`)
  ).rows[0];
  const [fixture] = (
    await raw(
      `SELECT m.id AS manager, d.id AS department, d.path, p.id AS person,
         (SELECT e.id FROM engagements e WHERE e.lead_id = p.id
          ORDER BY (SELECT count(*) FROM time_entries te WHERE te.engagement_id = e.id) DESC, e.id LIMIT 1) AS engagement
       FROM users m JOIN departments d ON d.id = m.department_id CROSS JOIN users p
       WHERE m.username = $1 AND p.username = $2`,
      [MANAGER, PERSON],
    )
  ).rows as { manager: string; department: string; path: string; person: string; engagement: string }[];
  const loadAverage = os.loadavg().map((n) => n.toFixed(1));
  console.log(
    `engine: ${database.engine}; ${counts.engagements} engagements, ${counts.tasks} work orders, ${counts.entries} time entries, ` +
      `${counts.weeks} timesheet weeks, ${counts.staff} staff; load average ${loadAverage.join(' ')}`,
  );

  const app = await buildApp({ database, config: loadConfig({}) });
  const signIn = async (username: string) => {
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password: PASSWORD },
    });
    if (login.statusCode !== 200) throw new Error(`${username}: ${login.body}`);
    return String(login.headers['set-cookie']).split(';')[0];
  };
  const cookies = { person: await signIn(PERSON), manager: await signIn(MANAGER) };
  const getAs = (who: keyof typeof cookies) => async (url: string) => {
    const res = await app.inject({ method: 'GET', url, headers: { cookie: cookies[who] } });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res.json();
  };
  const all = <T extends unknown[]>(...queries: { [K in keyof T]: Promise<T[K]> }) => Promise.all(queries);

  // ——— The person's week (last week: complete, submitted or open), as the grid reads it ———
  const week = addDays(mondayOf(today), -7);
  const timesheet = async () => {
    const me = fixture.person;
    const [person] = (await raw(`SELECT display_name FROM users WHERE id = $1`, [me])).rows;
    const [found, entries, options] = await all(
      raw(
        `SELECT w.*, d.display_name AS decided_by_name FROM timesheet_weeks w LEFT JOIN users d ON d.id = w.decided_by
         WHERE w.user_id = $1 AND w.week_start = $2`,
        [me, week],
      ),
      raw(
        `SELECT te.*, te.hours::text AS hours_text, e.title AS engagement_title, e.status AS engagement_status,
           c.name AS customer_name, t.title AS task_title
         FROM time_entries te LEFT JOIN engagements e ON e.id = te.engagement_id
         LEFT JOIN customers c ON c.id = e.customer_id LEFT JOIN engagement_tasks t ON t.id = te.task_id
         WHERE te.user_id = $1 AND te.work_date BETWEEN $2 AND $3 ORDER BY te.work_date, te.created_at, te.id`,
        [me, week, addDays(week, 6)],
      ),
      (async () => {
        const open = await raw(
          `SELECT e.id, e.title, c.name AS customer_name FROM engagements e JOIN customers c ON c.id = e.customer_id
           WHERE e.status NOT IN ('closed', 'cancelled')
             AND e.id = ANY(ARRAY(SELECT engagement_id FROM engagement_members WHERE user_id = $1
                                  UNION SELECT id FROM engagements WHERE lead_id = $1))
           ORDER BY e.title, e.id`,
          [me],
        );
        const tasks = await raw(
          `SELECT t.id, t.engagement_id, t.title, p.name AS phase_name
           FROM engagement_tasks t JOIN engagement_phases p ON p.id = t.phase_id
           WHERE t.engagement_id = ANY($1::uuid[]) AND t.assignee_id = $2 ORDER BY p.position, t.position, t.id`,
          [open.rows.map((e) => e.id), me],
        );
        return { open: open.rows, tasks: tasks.rows };
      })(),
    );
    const weekRow = found.rows[0];
    if (weekRow)
      await raw(
        `SELECT DISTINCT ON (subject_id) subject_id, id, status FROM workflow_instances
         WHERE subject_kind = 'timesheet' AND subject_id = $1 ORDER BY subject_id, submitted_at DESC, id DESC`,
        [weekRow.id],
      );
    return { person, week: weekRow, entries: entries.rows, options };
  };
  const sameTimesheet = (
    api: { total: string; rows: unknown[]; engagements: { tasks: unknown[] }[]; status: string },
    sql: Awaited<ReturnType<typeof timesheet>>,
  ) => {
    const total = sql.entries.reduce((sum, e) => sum + hundredths(e.hours_text), 0n);
    const rows = new Set(
      sql.entries.map((e) => JSON.stringify([e.engagement_id, e.task_id, e.category, e.billable, e.note])),
    ).size;
    const a = [
      hundredths(api.total),
      api.rows.length,
      api.engagements.length,
      api.engagements.flatMap((e) => e.tasks).length,
    ];
    const b = [total, rows, sql.options.open.length, sql.options.tasks.length];
    if (String(a) !== String(b) || api.status !== (sql.week?.status ?? 'open'))
      throw new Error(`timesheet: the API and the raw SQL disagree: ${a} vs ${b}`);
    return `${api.rows.length} rows, ${api.total} h; ${api.engagements.length} open engagements`;
  };

  // ——— The engagement's budget against its hours, as its lead ———
  const budget = async () => {
    const [id, me] = [fixture.engagement, fixture.person];
    const overall = await raw(
      `SELECT e.planned_hours::text AS planned, coalesce(sum(te.hours), 0)::text AS actual,
         coalesce(sum(te.hours) FILTER (WHERE te.billable), 0)::text AS billable,
         coalesce(sum(te.hours) FILTER (WHERE te.task_id IS NULL), 0)::text AS unphased
       FROM engagements e LEFT JOIN time_entries te ON te.engagement_id = e.id
       WHERE e.id = $1 AND (e.lead_id = $2 OR e.sales_owner_id = $2
         OR EXISTS (SELECT 1 FROM engagement_members m WHERE m.engagement_id = e.id AND m.user_id = $2)
         OR EXISTS (SELECT 1 FROM contract_members cm WHERE cm.contract_id = e.contract_id AND cm.user_id = $2))
       GROUP BY e.id`,
      [id, me],
    );
    if (!overall.rows[0]) throw new Error('budget: the lead does not see the engagement');
    const phases = await raw(
      `SELECT p.id, p.name, p.planned_hours::text AS planned, coalesce(sum(te.hours), 0)::text AS actual
       FROM engagement_phases p LEFT JOIN engagement_tasks t ON t.phase_id = p.id
       LEFT JOIN time_entries te ON te.task_id = t.id AND te.engagement_id = $1
       WHERE p.engagement_id = $1 GROUP BY p.id ORDER BY p.position`,
      [id],
    );
    return { overall: overall.rows[0], phases: phases.rows };
  };
  const sameBudget = (
    api: { actualHours: string; billableHours: string; unphasedHours: string; phases: { actualHours: string }[] },
    sql: Awaited<ReturnType<typeof budget>>,
  ) => {
    const a = [api.actualHours, api.billableHours, api.unphasedHours, ...api.phases.map((p) => p.actualHours)];
    const b = [sql.overall.actual, sql.overall.billable, sql.overall.unphased, ...sql.phases.map((p) => p.actual)];
    if (String(a.map(hundredths)) !== String(b.map(hundredths)))
      throw new Error(`budget: the API and the raw SQL disagree: ${a} vs ${b}`);
    return `${api.actualHours} h on it, ${api.phases.length} phases`;
  };

  // ——— The department's workload over five weeks (a month), as its manager ———
  const from = addDays(mondayOf(today), -28);
  const to = addDays(from, 7 * 5 - 1);
  const workload = async () => {
    const [department] = (await raw(`SELECT path FROM departments WHERE id = $1`, [fixture.department])).rows;
    // Whose time the manager reads (themselves, their department subtree), of the chosen department's subtree.
    const who = `(u.id = $1 OR u.department_id IN (SELECT id FROM departments WHERE path LIKE $2))
      AND u.department_id IN (SELECT id FROM departments WHERE path LIKE $3)`;
    const params = [fixture.manager, `${fixture.path}%`, `${department.path}%`, from, to];
    const openWork = `t.status <> 'done' AND e.status = 'in-progress' AND t.planned_hours IS NOT NULL
      AND t.due_on BETWEEN $4 AND $5`;
    const [people, logged, planned] = await all(
      raw(
        `SELECT u.id, u.display_name, d.name AS department_name
         FROM users u JOIN roles r ON r.id = u.role_id LEFT JOIN departments d ON d.id = u.department_id
         WHERE ${who} AND ((u.active AND r.grants ? 'engagements:write')
           OR EXISTS (SELECT 1 FROM time_entries te WHERE te.user_id = u.id AND te.work_date BETWEEN $4 AND $5)
           OR EXISTS (SELECT 1 FROM engagement_tasks t JOIN engagements e ON e.id = t.engagement_id
                      WHERE t.assignee_id = u.id AND ${openWork}))
         ORDER BY u.display_name, u.id`,
        params,
      ),
      raw(
        `SELECT te.user_id, date_trunc('week', te.work_date::timestamp)::date AS week, sum(te.hours)::text AS hours,
           (sum(te.hours) FILTER (WHERE te.billable))::text AS billable
         FROM time_entries te JOIN users u ON u.id = te.user_id
         WHERE ${who} AND te.work_date BETWEEN $4 AND $5 GROUP BY 1, 2`,
        params,
      ),
      raw(
        `SELECT t.assignee_id, date_trunc('week', t.due_on::timestamp)::date AS week, sum(t.planned_hours)::text AS hours
         FROM engagement_tasks t JOIN engagements e ON e.id = t.engagement_id JOIN users u ON u.id = t.assignee_id
         WHERE ${who} AND ${openWork} GROUP BY 1, 2`,
        params,
      ),
    );
    return { people: people.rows, logged: logged.rows, planned: planned.rows };
  };
  const sameWorkload = (
    api: { people: unknown[]; total: { hours: string; planned: string } },
    sql: Awaited<ReturnType<typeof workload>>,
  ) => {
    const sum = (rows: Row[]) => rows.reduce((s, r) => s + hundredths(r.hours), 0n);
    const a = [api.people.length, hundredths(api.total.hours), hundredths(api.total.planned)];
    const b = [sql.people.length, sum(sql.logged), sum(sql.planned)];
    if (String(a) !== String(b)) throw new Error(`workload: the API and the raw SQL disagree: ${a} vs ${b}`);
    return `${api.people.length} people, ${api.total.hours} h logged, ${api.total.planned} h planned`;
  };

  type Case = {
    name: string;
    who: keyof typeof cookies;
    url: string;
    plain: () => Promise<unknown>;
    same: (api: never, sql: never) => string;
  };
  const cases: Case[] = [
    {
      name: `weekly timesheet, own (${week})`,
      who: 'person',
      url: `/api/v1/timesheets/${week}`,
      plain: timesheet,
      same: sameTimesheet,
    },
    {
      name: 'engagement budget vs actual (its lead)',
      who: 'person',
      url: `/api/v1/engagements/${fixture.engagement}/budget`,
      plain: budget,
      same: sameBudget,
    },
    {
      name: `department workload, 5 weeks from ${from} (its manager)`,
      who: 'manager',
      url: `/api/v1/workload?from=${from}&weeks=5&departmentId=${fixture.department}`,
      plain: workload,
      same: sameWorkload,
    },
  ];

  const rows: string[] = [];
  for (const c of cases) {
    const get = getAs(c.who);
    await get(c.url); // a first request writes the session's sliding expiry: not part of the measured ones
    let answer: unknown;
    const sent = (
      await driver.capture(async () => {
        answer = await get(c.url);
      })
    ).filter((call) => !isSessionExpiryUpdate(textOf(call)));
    console.log(`${c.name}: ${c.same(answer as never, (await c.plain()) as never)}`);
    const auth: Call[] = sent.filter((call) => /"sessions"/.test(textOf(call)));
    if (process.env.BENCH_EXPLAIN)
      for (const call of sent) {
        const plan = await raw(`EXPLAIN (ANALYZE, COSTS OFF) ${textOf(call)}`, paramsOf(call));
        console.log(`  ${textOf(call).replace(/\s+/g, ' ').slice(0, 300)}`);
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
    const [api, plain, withAuth] = await interleaved(paths, RUNS, 3);
    // On PGlite every query runs on this process's thread: its CPU time is the whole cost, however busy the machine.
    // On PostgreSQL it is this process's share (the app's own work: HTTP, auth, Drizzle, JSON; the driver's parsing).
    const cpu = await interleaved(paths, RUNS, 1, cpuClock);
    const ratio = api / plain;
    const pass = ratio <= LIMIT && api < BUDGET_MS;
    rows.push(
      [
        c.name,
        sent.length - auth.length,
        `${api.toFixed(1)} ms`,
        `${plain.toFixed(1)} ms`,
        `${ratio.toFixed(2)}×`,
        `${withAuth.toFixed(1)} ms`,
        `${(api / withAuth).toFixed(2)}×`,
        `${cpu[0].toFixed(1)} / ${cpu[1].toFixed(1)} ms`,
        `${(cpu[0] / cpu[1]).toFixed(2)}×`,
        `${pass ? 'pass' : 'miss'}${ratio > LIMIT ? ` (> ${LIMIT}×)` : ''}${api >= BUDGET_MS ? ` (≥ ${BUDGET_MS} ms)` : ''}`,
      ].join(' | '),
    );
    console.log(rows[rows.length - 1]);
  }
  await app.close();
  console.log(
    `\n${database.engine}, ${counts.engagements} engagements, ${counts.tasks} work orders, ${counts.entries} time entries, ` +
      `${counts.staff} staff; median of ${RUNS}, load average ${loadAverage.join(' ')} → ${os
        .loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')}\n`,
  );
  const cpuColumns =
    database.engine === 'pglite' ? ' CPU: API / raw | CPU ratio |' : ' Node CPU: API / raw | Node CPU ratio |';
  console.log(
    `| request | statements | API | raw SQL | API ÷ raw | raw + session lookup | API ÷ that |${cpuColumns} ≤ ${LIMIT}× and < ${BUDGET_MS} ms |`,
  );
  console.log(`|---|---|---|---|---|---|---|${cpuColumns.replace(/[^|]+/g, '---')}---|`);
  for (const row of rows) console.log(`| ${row} |`);
} finally {
  driver.restore();
  await database.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

/**
 * The firm (departments, STAFF people, SELLERS salespeople, 4 business lines, CUSTOMERS customers), ENGAGEMENTS
 * confirmed orders and their engagements with team, phases and work orders, the time entries of every working day
 * of the YEARS up to today, and the timesheet weeks — in bulk SQL (INSERT … SELECT generate_series).
 */
async function load() {
  const db = database.db;
  const started = Date.now();
  const lap = (what: string) => console.log(`${what}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  await bootstrapDatabase(db);
  await raw(`INSERT INTO departments (name, path) SELECT 'eg-d' || g, '/' FROM generate_series(0, 4) g`);
  await raw(`UPDATE departments SET path = '/' || id || '/' WHERE name LIKE 'eg-d%'`);
  await raw(
    `INSERT INTO departments (name, parent_id, path)
     SELECT 'eg-d' || g, p.id, p.path FROM generate_series(5, ${DEPARTMENTS - 1}) g JOIN departments p ON p.name = 'eg-d0'`,
  );
  await raw(`UPDATE departments SET path = path || id || '/' WHERE name LIKE 'eg-d%' AND parent_id IS NOT NULL`);
  const depts = (await raw(`SELECT id FROM departments WHERE name LIKE 'eg-d%' ORDER BY name`)).rows.map(
    (r) => r.id as string,
  );
  // eg-p0 … eg-p6 manage eg-d0 … eg-d6; everyone else is staff (CPAs and assistants), eg-pN of department N mod 7.
  for (let i = 0; i < STAFF; i++) {
    const username = `eg-p${i}`;
    const real = username === MANAGER || username === PERSON;
    const user = await seedUser(db, {
      username,
      displayName: `员工${String(i).padStart(3, '0')}`,
      password: PASSWORD,
      passwordHash: real ? undefined : 'x',
      roleCode: i < DEPARTMENTS ? 'manager' : 'staff',
      departmentId: depts[i % DEPARTMENTS],
      isPracticingCpa: i % 3 === 0,
    });
    if (i < DEPARTMENTS) await raw(`UPDATE departments SET manager_id = $1 WHERE id = $2`, [user.id, depts[i]]);
  }
  for (let i = 0; i < SELLERS; i++)
    await seedUser(db, {
      username: `eg-s${i}`,
      displayName: `销售${i}`,
      password: PASSWORD,
      passwordHash: 'x',
      roleCode: 'salesperson',
      departmentId: depts[i % DEPARTMENTS],
    });
  await raw(
    `INSERT INTO business_lines (name, code) VALUES ('审计', 'EG0'), ('代理记账', 'EG1'), ('资产评估', 'EG2'), ('工程审价', 'EG3')`,
  );
  await raw(
    `INSERT INTO customers (name, status, owner_id, search_text)
     SELECT '项目客户' || g || '有限公司', 'customer', s.id, 'eg' || g
     FROM generate_series(1, ${CUSTOMERS}) g JOIN users s ON s.username = 'eg-s' || (g % ${SELLERS})`,
  );
  lap('staff and customers');

  // Engagement g: department g mod 7, its lead the (g / 7 mod n)-th staff member there, the next two on the team;
  // starts evenly over the years (the last ones a fortnight ago), lasts 14–69 days; closed once ten days past due
  // (every 50th cancelled), in review or reported when just past due, else in progress.
  const first = addDays(today, -365 * YEARS);
  const span = 365 * YEARS - 14;
  await raw(`CREATE TABLE IF NOT EXISTS eg_plan (g int PRIMARY KEY, customer uuid, line uuid, seller uuid,
    department uuid, lead uuid, m1 uuid, m2 uuid, starts date, days int)`);
  await raw(`TRUNCATE eg_plan`);
  await raw(
    `WITH s AS (SELECT u.id, u.department_id, row_number() OVER (PARTITION BY u.department_id ORDER BY u.username) - 1 AS i,
                  count(*) OVER (PARTITION BY u.department_id) AS n
                FROM users u JOIN roles r ON r.id = u.role_id WHERE u.username LIKE 'eg-p%' AND r.code = 'staff'),
          d AS (SELECT id, row_number() OVER (ORDER BY name) - 1 AS k FROM departments WHERE name LIKE 'eg-d%'),
          c AS (SELECT id, owner_id, row_number() OVER (ORDER BY search_text) AS n FROM customers WHERE search_text LIKE 'eg%'),
          l AS (SELECT array_agg(id ORDER BY code) AS ids FROM business_lines WHERE code LIKE 'EG%')
     INSERT INTO eg_plan
     SELECT g, c.id, l.ids[1 + g % 4], c.owner_id, d.id, s0.id, s1.id, s2.id,
       $1::date + (g - 1) * ${span} / ${ENGAGEMENTS}, 14 + (g * 37) % 56
     FROM generate_series(1, ${ENGAGEMENTS}) g
     JOIN d ON d.k = g % ${DEPARTMENTS}
     JOIN s s0 ON s0.department_id = d.id AND s0.i = (g / ${DEPARTMENTS}) % s0.n
     JOIN s s1 ON s1.department_id = d.id AND s1.i = (g / ${DEPARTMENTS} + 1) % s1.n
     JOIN s s2 ON s2.department_id = d.id AND s2.i = (g / ${DEPARTMENTS} + 2) % s2.n
     JOIN c ON c.n = 1 + g % ${CUSTOMERS} CROSS JOIN l`,
    [first],
  );
  await raw(
    `INSERT INTO orders (title, customer_id, business_line_id, owner_id, department_id, amount, status, number,
       confirmed_on, completed_on, created_at)
     SELECT 'EG订单' || g, customer, line, seller, (SELECT department_id FROM users WHERE id = seller),
       20000 + (g % 50) * 1000, CASE WHEN starts + days < $1::date - 10 THEN 'completed' ELSE 'confirmed' END, 'EG-' || g,
       starts - 3, CASE WHEN starts + days < $1::date - 10 THEN starts + days + 5 END, starts - 3
     FROM eg_plan`,
    [today],
  );
  await raw(
    `INSERT INTO engagements (title, status, customer_id, order_id, business_line_id, amount, lead_id, department_id,
       sales_owner_id, starts_on, due_on, closed_on, created_at, created_by)
     SELECT '业务项目' || lpad(g::text, 6, '0'),
       CASE WHEN starts + days < $1::date - 10 THEN CASE WHEN g % 50 = 0 THEN 'cancelled' ELSE 'closed' END
            WHEN starts + days < $1::date THEN CASE WHEN g % 2 = 0 THEN 'in-review' ELSE 'reported' END
            ELSE 'in-progress' END,
       p.customer, o.id, p.line, o.amount, p.lead, p.department, p.seller, starts, starts + days,
       CASE WHEN starts + days < $1::date - 10 THEN starts + days + 5 END, starts - 2, p.lead
     FROM eg_plan p JOIN orders o ON o.number = 'EG-' || p.g`,
    [today],
  );
  await raw(
    `INSERT INTO engagement_members (engagement_id, user_id, roles)
     SELECT e.id, m.user_id, m.roles FROM eg_plan p JOIN engagements e ON e.title = '业务项目' || lpad(p.g::text, 6, '0')
     CROSS JOIN LATERAL (VALUES (p.lead, ARRAY['manager']), (p.m1, ARRAY['signing-cpa']), (p.m2, ARRAY['assistant'])) m(user_id, roles)`,
  );
  // Five phases, each a fifth of the engagement's days; two work orders each, assigned in turn to the three.
  await raw(
    `INSERT INTO engagement_phases (engagement_id, position, name, kind, starts_on, due_on)
     SELECT e.id, ph, (ARRAY['业务承接', '计划', '现场工作', '复核', '出具报告'])[ph],
       (ARRAY['work', 'work', 'work', 'review', 'report'])[ph],
       e.starts_on + (e.due_on - e.starts_on) * (ph - 1) / 5, e.starts_on + (e.due_on - e.starts_on) * ph / 5
     FROM engagements e CROSS JOIN generate_series(1, 5) ph WHERE e.title LIKE '业务项目%'`,
  );
  await raw(
    `INSERT INTO engagement_tasks (engagement_id, phase_id, position, title, role, assignee_id, starts_on, due_on,
       planned_hours, status, created_at, created_by)
     SELECT e.id, ph.id, k, ph.name || '·' || (ARRAY['准备', '执行'])[k],
       (ARRAY['manager', 'signing-cpa', 'assistant'])[1 + (ph.position * 2 + k) % 3],
       (ARRAY[p.lead, p.m1, p.m2])[1 + (ph.position * 2 + k) % 3], ph.starts_on, ph.due_on,
       4 + ((p.g + ph.position * 2 + k) % 9) * 4,
       CASE WHEN e.status <> 'in-progress' OR ph.due_on < $1::date THEN 'done'
            WHEN ph.starts_on <= $1::date THEN 'in-progress' ELSE 'todo' END,
       e.created_at, e.lead_id
     FROM eg_plan p JOIN engagements e ON e.title = '业务项目' || lpad(p.g::text, 6, '0')
     JOIN engagement_phases ph ON ph.engagement_id = e.id CROSS JOIN generate_series(1, 2) k`,
    [today],
  );
  await raw(
    `UPDATE engagement_phases ph SET planned_hours = s.h
     FROM (SELECT phase_id, sum(planned_hours) AS h FROM engagement_tasks GROUP BY phase_id) s WHERE s.phase_id = ph.id`,
  );
  await raw(
    `UPDATE engagements e SET planned_hours = s.h
     FROM (SELECT engagement_id, sum(planned_hours) AS h FROM engagement_tasks GROUP BY engagement_id) s WHERE s.engagement_id = e.id`,
  );
  lap(`${ENGAGEMENTS} engagements, ${ENGAGEMENTS * 10} work orders`);

  // What each person works on each week: their work orders whose phase runs that week (engagement and task ids).
  await raw(
    `CREATE TABLE IF NOT EXISTS eg_pick (user_id uuid, week date, engs uuid[], tasks uuid[], PRIMARY KEY (user_id, week))`,
  );
  await raw(`TRUNCATE eg_pick`);
  await raw(
    `INSERT INTO eg_pick
     SELECT t.assignee_id, w::date, array_agg(t.engagement_id ORDER BY t.id), array_agg(t.id ORDER BY t.id)
     FROM engagement_tasks t
     CROSS JOIN LATERAL generate_series(date_trunc('week', t.starts_on::timestamp), t.due_on::timestamp, interval '1 week') w
     GROUP BY t.assignee_id, w::date`,
  );
  // Every working day of the years, each person's PER_DAY entries of ¼, ½ or ¾ h (≈ 8.5 h a day).
  const workingDays = (
    await raw(
      `SELECT count(*)::int AS n FROM generate_series($1::date, $2::date, interval '1 day') d WHERE extract(isodow FROM d) < 6`,
      [first, today],
    )
  ).rows[0].n as number;
  const perDay = Math.max(1, Math.round(ENTRIES / (STAFF * workingDays)));
  // One INSERT per quarter, so that no single statement holds millions of rows in memory (PGlite).
  for (let start = first; start <= today; start = addDays(start, 91)) {
    const end = addDays(start, 90) < today ? addDays(start, 90) : today;
    await raw(
      `WITH days AS (SELECT d::date AS d, (d::date - $1::date) AS n FROM generate_series($2::date, $3::date, interval '1 day') d
                     WHERE extract(isodow FROM d) < 6),
            x AS (SELECT u.id AS user_id, days.d, days.n, s, p.engs, p.tasks, cardinality(p.engs) AS c,
                    p.engs IS NULL OR (s + days.n + hashtext(u.username)) % 10 = 0 AS other
                  FROM users u CROSS JOIN days CROSS JOIN generate_series(1, ${perDay}) s
                  LEFT JOIN eg_pick p ON p.user_id = u.id AND p.week = date_trunc('week', days.d::timestamp)::date
                  WHERE u.username LIKE 'eg-p%')
       INSERT INTO time_entries (user_id, work_date, engagement_id, task_id, category, hours, billable, note,
         created_at, updated_at, created_by, updated_by)
       SELECT user_id, d, CASE WHEN NOT other THEN engs[1 + (s * 7 + n * 3) % c] END,
         CASE WHEN NOT other AND (s + n) % 7 <> 0 THEN tasks[1 + (s * 7 + n * 3) % c] END,
         CASE WHEN other THEN (ARRAY['internal', 'training', 'internal', 'other'])[1 + n % 4] ELSE 'engagement' END,
         (1 + (s + n) % 3) * 0.25, NOT other AND s % 8 <> 0,
         CASE WHEN s % 5 = 0 THEN '底稿整理' END,
         d + time '18:00' + s * interval '1 second', d + time '18:00' + s * interval '1 second', user_id, user_id
       FROM x`,
      [first, start, end],
    );
    process.stdout.write(`\rtime entries up to ${end}`);
  }
  process.stdout.write('\n');
  lap(`time entries (${perDay} a person and working day over ${workingDays} days)`);

  // Weeks: approved (by the department's manager) up to the one before last; last week submitted or open; this week open.
  const thisWeek = mondayOf(today);
  await raw(
    `INSERT INTO timesheet_weeks (user_id, week_start, status, submitted_at, decided_at, decided_by, created_at, updated_at)
     SELECT u.id, w::date,
       CASE WHEN w::date < $1::date - 7 THEN 'approved' WHEN w::date = $1::date - 7 AND hashtext(u.username) % 2 = 0 THEN 'submitted'
            ELSE 'open' END,
       CASE WHEN w::date < $1::date THEN w + interval '4 days 18 hours' END,
       CASE WHEN w::date < $1::date - 7 THEN w + interval '7 days 10 hours' END,
       CASE WHEN w::date < $1::date - 7 THEN d.manager_id END,
       w, w + interval '4 days 18 hours'
     FROM users u JOIN departments d ON d.id = u.department_id
     CROSS JOIN generate_series(date_trunc('week', $2::date::timestamp), $1::date::timestamp, interval '1 week') w
     WHERE u.username LIKE 'eg-p%'`,
    [thisWeek, first],
  );
  await raw(`DROP TABLE eg_pick`);
  await raw(`DROP TABLE eg_plan`);
  lap('timesheet weeks');
  // As autovacuum leaves a table that has settled: statistics, and the visibility map (index-only scans).
  await raw('VACUUM ANALYZE');
  console.log(`loaded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
