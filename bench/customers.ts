/**
 * Customers benchmark (issue 3): with N customers, 3N contacts and 10N contact-log rows
 * (default N = 100,000), the customer list with a filter and a search, the answer box and the
 * customer page, each measured over HTTP (inject) against the raw SQL of the same queries in
 * the same process. PGlite by default; PostgreSQL with DATABASE_URL (use a scratch database).
 *
 *   npx tsx bench/customers.ts [customers=100000]
 */
import { rmSync } from 'node:fs';
import { buildApp } from '../server/app';
import { loadConfig } from '../server/config';
import { migrateDatabase } from '../server/db/migrate';
import { searchTextOf } from '../server/lib/search-text';
import { bootstrapDatabase } from '../server/seed/bootstrap';
import { seedUser } from '../server/seed/seeders';
import { benchDatabase, isSessionExpiryUpdate, median, progress, report, wrapDriver } from './lib';

const N = Number(process.argv[2] ?? 100_000);
const { database, dir: tmp } = await benchDatabase();
const driver = wrapDriver(database);
const { raw } = driver;

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

try {
  await migrateDatabase(database);
  await bootstrapDatabase(database.db);
  const db = database.db;
  // Staff: 20 salespeople in 4 departments, one manager of department 0.
  await raw(`INSERT INTO departments (name, path) SELECT 'bench-d' || g, '/' FROM generate_series(0, 3) g`);
  await raw(`UPDATE departments SET path = '/' || id || '/' WHERE name LIKE 'bench-d%'`);
  const depts = (await raw(`SELECT id FROM departments WHERE name LIKE 'bench-d%' ORDER BY name`)).rows.map(
    (r) => r.id as string,
  );
  const sales: string[] = [];
  for (let i = 0; i < 20; i++)
    sales.push(
      (
        await seedUser(db, {
          username: `bench-s${i}`,
          displayName: `业务员${i}`,
          password: 'Bench-pass-1',
          roleCode: 'salesperson',
          departmentId: depts[i % 4],
          passwordHash: 'x',
        })
      ).id,
    );
  const manager = await seedUser(db, {
    username: 'bench-manager',
    displayName: '经理',
    password: 'Bench-pass-1',
    roleCode: 'manager',
    departmentId: depts[0],
  });

  // Name stems with their pinyin computed once in JS; rows get a numeric suffix.
  await raw(`CREATE TEMP TABLE stems (i int, name text, search text)`);
  const stems = CITIES.flatMap((c) => WORDS.flatMap((w) => KINDS.map((k) => `${c}${w}${k}`)));
  for (const [i, name] of stems.entries())
    await raw(`INSERT INTO stems VALUES ($1, $2, $3)`, [i, name, searchTextOf([name])]);

  const batch = 10_000;
  for (let done = 0; done < N; done += batch) {
    const to = Math.min(done + batch, N);
    await raw(
      `INSERT INTO customers (name, credit_code, status, owner_id, search_text, last_contact_at, next_contact_on, tags)
       SELECT s.name || g, NULL, (ARRAY['prospect','customer','former'])[1 + g % 3],
              CASE WHEN g % 10 = 0 THEN NULL ELSE ($1::uuid[])[1 + g % 20] END,
              s.search || ' ' || g, now() - (g % 400) * interval '1 day', current_date + (g % 60 - 20), ARRAY['t' || (g % 7)]
       FROM generate_series($2::int, $3::int) g JOIN stems s ON s.i = g % ${stems.length}`,
      [sales, done + 1, to],
    );
    progress('customers', to, N);
  }
  await raw(`CREATE TEMP TABLE ids AS SELECT id, row_number() OVER (ORDER BY id) AS n FROM customers`);
  for (let k = 0; k < 3; k++) {
    await raw(
      `INSERT INTO contacts (customer_id, name, department, phones, emails, is_primary, search_text)
       SELECT id, '联系人' || n || '-' || $1::int, CASE WHEN $1::int = 1 THEN '应付账款' ELSE NULL END,
              ARRAY['139' || lpad((n * 3 + $1::int)::text, 8, '0')], ARRAY['c' || n || '-' || $1::int || '@example.cn'], $1::int = 0,
              'lianxiren ' || '139' || lpad((n * 3 + $1::int)::text, 8, '0') || ' c' || n || '-' || $1::int || '@example.cn'
       FROM ids`,
      [k],
    );
    progress('contacts', (k + 1) * N, 3 * N);
  }
  for (let k = 0; k < 10; k++) {
    await raw(
      `INSERT INTO contact_logs (customer_id, direction, channel, occurred_at, user_id, summary, next_contact_on)
       SELECT id, CASE WHEN (n + $1::int) % 2 = 0 THEN 'inbound' ELSE 'outbound' END, 'phone', now() - ((n + $1::int * 37) % 700) * interval '1 day',
              ($2::uuid[])[1 + n % 20], '第' || $1::int || '次联系：沟通年报审计安排', current_date + ($1::int - 5)
       FROM ids`,
      [k, sales],
    );
    progress('contact logs', (k + 1) * N, 10 * N);
  }
  await raw('ANALYZE');

  const app = await buildApp({ database, config: loadConfig({}) });
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: manager.username, password: 'Bench-pass-1' },
  });
  const cookie = String(login.headers['set-cookie']).split(';')[0];
  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url, headers: { cookie } });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.body}`);
    return res.json();
  };
  const deptPath = `${(await raw('SELECT path FROM departments WHERE id = $1', [depts[0]])).rows[0].path}%`;
  const visible = `(c.owner_id = $1 OR c.owner_id IN (SELECT id FROM users WHERE department_id IN (SELECT id FROM departments WHERE path LIKE $2))
                    OR EXISTS (SELECT 1 FROM customer_shares s WHERE s.customer_id = c.id AND s.user_id = $1) OR c.owner_id IS NULL)`;
  const search = `c.id IN (SELECT id FROM customers WHERE search_text ILIKE $3 UNION SELECT customer_id FROM contacts WHERE search_text ILIKE $3)`;
  const SHARES = `coalesce((SELECT json_agg(json_build_object('id', u.id, 'name', u.display_name) ORDER BY u.display_name) FROM customer_shares s JOIN users u ON u.id = s.user_id WHERE s.customer_id = c.id), '[]'::json)`;
  const results: boolean[] = [];
  console.log(`engine: ${database.engine}; customers ${N}, contacts ${3 * N}, contact logs ${10 * N}`);

  // 1. The list: status filter + search by pinyin initials, first page by name.
  const q = 'xahd';
  const listHttp = await median(() => get(`/api/v1/customers?q=${q}&status=customer&sort=name&pageSize=20`), 15, 3);
  const listSql = await median(
    async () => {
      const params = [manager.id, deptPath, `%${q}%`];
      const page = await raw(
        `SELECT c.*, o.display_name, r.name, b.name, ${SHARES} FROM customers c LEFT JOIN users o ON o.id = c.owner_id LEFT JOIN regions r ON r.id = c.region_id
       LEFT JOIN branches b ON b.id = c.branch_id WHERE ${visible} AND ${search} AND c.status = 'customer' ORDER BY c.name, c.id LIMIT 20`,
        params,
      );
      // As the service does: count only when a full first page cannot tell the total.
      if (page.rows.length === 20)
        await raw(`SELECT count(*) FROM customers c WHERE ${visible} AND ${search} AND c.status = 'customer'`, params);
    },
    15,
    3,
  );
  results.push(report('customer list (filter + pinyin search)', listHttp, listSql, 1.5));

  // 2. The answer box, by a phone fragment.
  const phone = '13900000301';
  const answerHttp = await median(() => get(`/api/v1/answers?q=${phone}`), 15, 3);
  const answerSql = await median(
    async () => {
      const found = await raw(
        `SELECT c.*, o.display_name FROM customers c LEFT JOIN users o ON o.id = c.owner_id WHERE ${visible} AND ${search}
       ORDER BY CASE WHEN c.name = $4 THEN 0 ELSE 2 END, c.last_contact_at DESC, c.name, c.id LIMIT 5`,
        [manager.id, deptPath, `%${phone}%`, phone],
      );
      const ids = found.rows.map((r) => r.id);
      await raw(
        `SELECT *, search_text ILIKE $2 FROM contacts WHERE customer_id = ANY($1) ORDER BY is_primary DESC, created_at`,
        [ids, `%${phone}%`],
      );
      await raw(
        `SELECT DISTINCT ON (l.customer_id) l.*, u.display_name FROM contact_logs l JOIN users u ON u.id = l.user_id WHERE l.customer_id = ANY($1)
               ORDER BY l.customer_id, l.occurred_at DESC, l.created_at DESC`,
        [ids],
      );
    },
    15,
    3,
  );
  results.push(report('answer box (phone fragment)', answerHttp, answerSql, 1.5));

  // 3. The customer page: profile, contacts, the first page of the contact log.
  const some = (await get(`/api/v1/customers?view=visible&sort=-createdAt&pageSize=1`)).items[0].id as string;
  const pageHttp = await median(() => get(`/api/v1/customers/${some}/overview`), 15, 3);
  // The raw baseline is the SQL one request sends — the session lookup and the page statement,
  // captured from a request — replayed as plain raw queries (text + parameters). The app sends
  // them as named statements (server/db/client.ts preparedOnce / named): parsed and planned once per connection.
  const sent = await driver.capture(() => get(`/api/v1/customers/${some}/overview`));
  const pageStatements = sent.filter((call) => !isSessionExpiryUpdate(driver.textOf(call)));
  console.log(`customer page: ${pageStatements.length} statement(s) with the session lookup`);
  const pageSql = await median(
    async () => {
      for (const call of pageStatements) await driver.replayRaw(call);
    },
    15,
    3,
  );
  results.push(report('customer page (profile + contacts + log)', pageHttp, pageSql, 1.5));
  if (process.env.BENCH_DETAIL) {
    const { getCustomerOverview } = await import('../server/domains/customers/overview.service');
    const { resolveSession } = await import('../server/domains/auth/auth.service');
    const session = (await resolveSession(db, decodeURIComponent(cookie.split('=')[1]), 12))!;
    const ctx = { db, actor: session.actor, requestId: 'x' } as never;
    console.log('  service', (await median(() => getCustomerOverview(ctx, some), 30, 5)).toFixed(2));
    console.log(
      '  session lookup',
      (await median(() => resolveSession(db, decodeURIComponent(cookie.split('=')[1]), 12), 30, 5)).toFixed(2),
    );
    console.log(
      '  health over inject',
      (await median(() => app.inject({ method: 'GET', url: '/api/health' }), 30, 5)).toFixed(2),
    );
    console.log(
      '  raw again',
      (
        await median(
          async () => {
            for (const call of pageStatements) await driver.replayRaw(call);
          },
          30,
          5,
        )
      ).toFixed(2),
    );
    console.log(
      '  named replay',
      (
        await median(
          async () => {
            for (const call of pageStatements) await driver.send(...call);
          },
          30,
          5,
        )
      ).toFixed(2),
    );
    console.log('  http again', (await median(() => get(`/api/v1/customers/${some}/overview`), 30, 5)).toFixed(2));
  }
  await app.close();
  process.exitCode = results.every(Boolean) ? 0 : 1;
} finally {
  await database.close();
  rmSync(tmp, { recursive: true, force: true });
}
