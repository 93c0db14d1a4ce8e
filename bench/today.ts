/**
 * Today 今日 benchmark: the start page every salesperson opens each morning, over HTTP (inject),
 * against the exact SQL one request sends (session lookup included), replayed raw in the same
 * process. Data: 20 salespeople, N customers with next contact dates, 4N activities (planned and
 * done around today), N reminders, N/10 follow-up suggestions, N/2 recurring services, N leads.
 * PGlite by default; PostgreSQL with DATABASE_URL (use a scratch database).
 *
 *   npx tsx bench/today.ts [customers=50000]
 */
import { rmSync } from 'node:fs';
import { buildApp } from '../server/app';
import { loadConfig } from '../server/config';
import { migrateDatabase } from '../server/db/migrate';
import { bootstrapDatabase } from '../server/seed/bootstrap';
import { seedUser } from '../server/seed/seeders';
import { benchDatabase, isSessionExpiryUpdate, median, progress, report, wrapDriver } from './lib';

const N = Number(process.argv[2] ?? 50_000);
const { database, dir: tmp } = await benchDatabase();
const driver = wrapDriver(database);
const { raw } = driver;

try {
  await migrateDatabase(database);
  await bootstrapDatabase(database.db);
  const db = database.db;
  // BENCH_REUSE=1 measures the data a previous run left in the database (PostgreSQL) instead of loading it again.
  const loaded = (await raw(`SELECT 1 FROM departments WHERE name = 'bench-today'`)).rows.length > 0;
  if (process.env.BENCH_REUSE && loaded) console.log('reusing the loaded data');
  else await load();
  async function load() {
    await raw(`INSERT INTO departments (name, path) VALUES ('bench-today', '/')`);
    await raw(`UPDATE departments SET path = '/' || id || '/' WHERE name = 'bench-today'`);
    const [{ id: dept }] = (await raw(`SELECT id FROM departments WHERE name = 'bench-today'`)).rows as {
      id: string;
    }[];
    const sales: string[] = [];
    for (let i = 0; i < 20; i++)
      sales.push(
        (
          await seedUser(db, {
            username: `today-s${i}`,
            displayName: `业务员${i}`,
            password: 'Bench-pass-1',
            roleCode: 'salesperson',
            departmentId: dept,
          })
        ).id,
      );
    const manager = await seedUser(db, {
      username: 'today-manager',
      displayName: '经理',
      password: 'Bench-pass-1',
      roleCode: 'manager',
      departmentId: dept,
    });
    await raw(`UPDATE departments SET manager_id = $1 WHERE id = $2`, [manager.id, dept]);
    const [{ id: line }] = (await raw(`INSERT INTO business_lines (name, code) VALUES ('年报审计', 'BT') RETURNING id`))
      .rows as { id: string }[];

    const batch = 10_000;
    for (let done = 0; done < N; done += batch) {
      const to = Math.min(done + batch, N);
      await raw(
        `INSERT INTO customers (name, owner_id, search_text, last_contact_at, next_contact_on, value_tier)
       SELECT '客户' || g, ($1::uuid[])[1 + g % 20], 'kehu ' || g, now() - (g % 120) * interval '1 day', current_date + (g % 90 - 30), (ARRAY['A','B','C','D'])[1 + g % 4]
       FROM generate_series($2::int, $3::int) g`,
        [sales, done + 1, to],
      );
      progress('customers', to, N);
    }
    await raw(
      `CREATE TEMP TABLE cids AS SELECT id, owner_id, row_number() OVER (ORDER BY id) AS n FROM customers WHERE name LIKE '客户%'`,
    );
    await raw(
      `INSERT INTO contacts (customer_id, name, phones, emails, is_primary, search_text) SELECT id, '联系人' || n, ARRAY['139' || lpad(n::text, 8, '0')], ARRAY['c' || n || '@example.cn'], true, 'lianxiren' FROM cids`,
    );
    for (let k = 0; k < 4; k++) {
      await raw(
        `INSERT INTO activities (category, subject, status, due_at, done_at, owner_id, customer_id)
       SELECT (ARRAY['call','visit','email','meeting'])[1 + (n + $1::int) % 4], '跟进' || n, CASE WHEN (n + $1::int) % 3 = 0 THEN 'done' ELSE 'planned' END,
              now() + (((n * 7 + $1::int * 13) % 120) - 60) * interval '1 day' + (n % 24) * interval '1 hour',
              CASE WHEN (n + $1::int) % 3 = 0 THEN now() - ((n % 60) * interval '1 day') END, owner_id, id
       FROM cids`,
        [k],
      );
      progress('activities', (k + 1) * N, 4 * N);
    }
    await raw(
      `INSERT INTO reminders (user_id, kind, remind_at, fired_at, customer_id, note)
     SELECT owner_id, 'custom', now() + ((n % 20) - 10) * interval '1 day', CASE WHEN n % 20 < 10 THEN now() - interval '1 hour' END, id, '提醒' || n FROM cids`,
    );
    await raw(
      `INSERT INTO customer_suggestions (customer_id, user_id, days, subject, body)
     SELECT id, owner_id, 70 + n % 50, '跟进', '正文' FROM cids WHERE n % 10 = 0`,
    );
    await raw(
      `INSERT INTO customer_services (customer_id, business_line_id, cycle, next_due_on) SELECT id, $1::uuid, 'annual', current_date + (n % 365)::int FROM cids WHERE n % 2 = 0`,
      [line],
    );
    await raw(
      `INSERT INTO leads (company_name, contact_name, phone, status, owner_id, queue_department_id, assigned_at, search_text)
     SELECT '线索' || n, '联系人', '138' || lpad(n::text, 8, '0'), (ARRAY['new','contacting','qualified','disqualified'])[1 + n % 4],
            CASE WHEN n % 25 = 0 THEN NULL ELSE owner_id END, CASE WHEN n % 25 = 0 THEN $1::uuid END, now() - (n % 30) * interval '1 day', 'xiansuo ' || n
     FROM cids`,
      [dept],
    );
    await raw('ANALYZE');
  }
  console.log(`engine: ${database.engine}; customers ${N}, activities ${4 * N}, reminders ${N}, leads ${N}`);

  const app = await buildApp({ database, config: loadConfig({}) });
  const results: boolean[] = [];
  for (const [who, username] of [
    ['salesperson', 'today-s3'],
    ['manager', 'today-manager'],
  ] as const) {
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password: 'Bench-pass-1' },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const get = async () => {
      const res = await app.inject({ method: 'GET', url: '/api/v1/today', headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(res.body);
      return res.json();
    };
    const sample = await get();
    // The raw baseline: every statement one request sends (the session lookup too), captured and replayed as plain SQL.
    const statements = (await driver.capture(get)).filter((call) => !isSessionExpiryUpdate(driver.textOf(call)));
    const http = await median(get, 15, 3);
    const sql = await median(() => Promise.all(statements.map(driver.replayRaw)), 15, 3);
    console.log(
      `${who}: ${statements.length} statements; overdue ${sample.overdue.length}, today ${sample.today.length}, calls ${sample.callsDue.length}, reminders ${sample.reminders.length}, queue ${sample.queuedLeads.length}`,
    );
    results.push(report(`Today for a ${who}`, http, sql, 1.5));
    if (process.env.BENCH_DETAIL) {
      for (const call of statements) {
        const ms = await median(() => driver.replayRaw(call), 5, 1);
        console.log(`  ${ms.toFixed(1)} ms  ${driver.textOf(call).replace(/\s+/g, ' ').slice(0, 160)}`);
        if (ms > 2 && process.env.BENCH_DETAIL === 'explain') {
          const plan = await raw(`EXPLAIN (ANALYZE, SUMMARY) ${driver.textOf(call)}`, driver.paramsOf(call));
          for (const row of plan.rows) console.log('    ' + Object.values(row)[0]);
        }
      }
    }
  }
  await app.close();
  process.exitCode = results.every(Boolean) ? 0 : 1;
} finally {
  await database.close();
  rmSync(tmp, { recursive: true, force: true });
}
