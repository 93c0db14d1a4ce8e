/**
 * Search benchmark (issue 11, items 1 and 4): one- and two-character Chinese words (华达, 华) and a
 * pinyin fragment at N customers with 1.5N contacts (default 100,000 / 150,000; Chinese company
 * and person names), for a salesperson, a department manager and an executive: the customer list
 * (page + count), the answer box and the contacts search, each over HTTP (inject) against the SQL
 * that request sent, replayed as plain raw queries in the same process — and against the same
 * search written the old way (ILIKE, the trigram index only), to show what the gram index buys.
 * PGlite by default; PostgreSQL with DATABASE_URL (a scratch database: it is filled, not reset).
 *
 *   npx tsx bench/search.ts [customers=100000]      BENCH_EXPLAIN=1 prints each statement's plan
 */
import { rmSync } from 'node:fs';
import { buildApp } from '../server/app';
import { loadConfig } from '../server/config';
import { migrateDatabase } from '../server/db/migrate';
import { pinyinKeys } from '../server/lib/search-text';
import { bootstrapDatabase } from '../server/seed/bootstrap';
import { seedUser } from '../server/seed/seeders';
import { benchDatabase, isSessionExpiryUpdate, median, progress, report, wrapDriver } from './lib';

const N = Number(process.argv[2] ?? 100_000);
const { database, dir: tmp } = await benchDatabase();
const driver = wrapDriver(database);
const { raw } = driver;

const CITIES =
  '北京 上海 西安 广州 深圳 杭州 南京 成都 重庆 武汉 天津 苏州 郑州 长沙 兰州 宝鸡 咸阳 延安 银川 西宁'.split(' ');
// One customer in ten is named after a common word (华达: 1%); the others after a pair from a pool.
const WORDS = '华达 秦川 宏远 恒信 新世纪 长城 东方 金桥 瑞丰 鼎盛'.split(' ');
const POOL = [
  ...'安邦博诚达丰福广和恒弘华汇佳嘉锦金俊凯康坤隆茂明鹏启荣瑞润盛泰通伟鑫信兴旭阳亿益永宇裕源远展兆正志中卓',
];
const KINDS =
  '建设工程有限公司 科技有限公司 机械制造有限公司 商贸有限公司 物流有限公司 会计师事务所 税务师事务所'.split(' ');
const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈',
];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国庆文斌宇浩凯丹'];

/** A name part with its pinyin and initials, composed in SQL into `search_text` as searchTextOf() writes it. */
const part = (name: string) => {
  const [py, ini] = pinyinKeys(name);
  return [name, py, ini];
};

try {
  await migrateDatabase(database);
  // On PostgreSQL a database filled by an earlier run is reused as it is (drop its schema to start over).
  const filled = (await raw(`SELECT to_regclass('bench_parts') IS NOT NULL AS filled`)).rows[0].filled;
  if (!filled) await fill();
  const size = (
    await raw(`SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM contacts) AS contacts`)
  ).rows[0];
  console.log(`engine: ${database.engine}; customers ${size.customers}, contacts ${size.contacts}`);
  for (const q of ['华达', '华', '李华', 'bjhd', 'zhang'])
    console.log(
      `  ${q}: ${(await raw(`SELECT count(*) AS n FROM customers WHERE search_text LIKE $1`, [`%${q}%`])).rows[0].n} customers, ` +
        `${(await raw(`SELECT count(*) AS n FROM contacts WHERE search_text LIKE $1`, [`%${q}%`])).rows[0].n} contacts`,
    );

  const app = await buildApp({ database, config: loadConfig({}) });
  const signIn = async (username: string) => {
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password: 'Bench-pass-1' },
    });
    if (login.statusCode !== 200) throw new Error(`${username}: ${login.body}`);
    return String(login.headers['set-cookie']).split(';')[0];
  };
  const roles = [
    ['sales1', await signIn('bench-s0')],
    ['manager', await signIn('bench-manager')],
    ['exec', await signIn('bench-exec')],
  ] as const;

  const results: boolean[] = [];
  const endpoints = [
    ['customer list q=华达', '/api/v1/customers?q=华达'],
    ['customer list q=华 (one character)', '/api/v1/customers?q=华'],
    ['customer list q=bjhd (pinyin, trigrams)', '/api/v1/customers?q=bjhd'],
    ['answer box q=华达', '/api/v1/answers?q=华达'],
    ['answer box q=华', '/api/v1/answers?q=华'],
    ['contacts search q=华达', '/api/v1/contacts?q=华达'],
    ['contacts search q=李华', '/api/v1/contacts?q=李华'],
    ['contacts search q=zhang (pinyin, many)', '/api/v1/contacts?q=zhang'],
    ['contacts list (no search)', '/api/v1/contacts'],
  ] as const;
  for (const [role, cookie] of roles) {
    const get = async (url: string) => {
      const res = await app.inject({ method: 'GET', url: encodeURI(url), headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.body}`);
      return res.json();
    };
    for (const [name, url] of endpoints) {
      const http = await median(() => get(url), 15, 3);
      // The SQL the request sent (the session lookup included), replayed as plain unnamed queries.
      const sent = (await driver.capture(() => get(url))).filter((call) => !isSessionExpiryUpdate(driver.textOf(call)));
      const sql = await median(
        async () => {
          for (const call of sent) await driver.replayRaw(call);
        },
        15,
        3,
      );
      // The same statements with the search written as before (ILIKE, no grams): what the index changed.
      const old = sent.map((call) => [
        driver
          .textOf(call)
          .replace(/("\w+"\.)?"search_grams" @> (\$\d+::text\[\])/g, '$2 IS NOT NULL')
          .replace(/("search_text") LIKE/g, '$1 ILIKE'),
        driver.paramsOf(call),
      ]);
      const before = await median(
        async () => {
          for (const [text, params] of old) await raw(text as string, params as unknown[]);
        },
        3,
        1,
      );
      results.push(
        report(`${role} ${name} (${sent.length} statements; ILIKE before: ${before.toFixed(1)} ms)`, http, sql, 1.5),
      );
      if (process.env.BENCH_EXPLAIN && role === 'sales1')
        for (const call of sent.slice(1)) {
          const plan = await raw(`EXPLAIN (ANALYZE, COSTS OFF) ${driver.textOf(call)}`, driver.paramsOf(call));
          console.log(plan.rows.map((r) => `    ${Object.values(r)[0]}`).join('\n'));
        }
    }
  }
  await app.close();
  process.exitCode = results.every(Boolean) ? 0 : 1;
} finally {
  await database.close();
  rmSync(tmp, { recursive: true, force: true });
}

/** Staff (20 salespeople in 4 departments, a manager of the first, an executive), customers and contacts. */
async function fill() {
  const db = database.db;
  await bootstrapDatabase(db);
  await raw(`INSERT INTO departments (name, path) SELECT 'bench-d' || g, '/' FROM generate_series(0, 3) g`);
  await raw(`UPDATE departments SET path = '/' || id || '/' WHERE name LIKE 'bench-d%'`);
  const depts = (await raw(`SELECT id FROM departments WHERE name LIKE 'bench-d%' ORDER BY name`)).rows.map(
    (r) => r.id as string,
  );
  const user = (username: string, roleCode: string, departmentId: string | null) =>
    seedUser(db, {
      username,
      displayName: username,
      password: 'Bench-pass-1',
      roleCode,
      departmentId,
      passwordHash: roleCode === 'salesperson' && username !== 'bench-s0' ? 'x' : undefined,
    });
  const sales: string[] = [];
  for (let i = 0; i < 20; i++) sales.push((await user(`bench-s${i}`, 'salesperson', depts[i % 4])).id);
  await user('bench-manager', 'manager', depts[0]);
  await user('bench-exec', 'executive', null);

  await raw(`CREATE TABLE bench_parts (kind text, i int, name text, py text, ini text)`);
  const words = [...WORDS, ...POOL.flatMap((a) => POOL.map((b) => a + b))];
  const given = [...GIVEN, ...GIVEN.flatMap((a) => GIVEN.slice(0, 12).map((b) => a + b))];
  const parts: [string, string[]][] = [
    ['city', CITIES],
    ['word', words],
    ['kind', KINDS],
    ['surname', SURNAMES],
    ['given', given],
  ];
  for (const [kind, names] of parts)
    for (const [i, name] of names.entries())
      await raw(`INSERT INTO bench_parts VALUES ($1, $2, $3, $4, $5)`, [kind, i, ...part(name)]);
  const counts = Object.fromEntries(parts.map(([k, names]) => [k, names.length]));

  const batch = 10_000;
  for (let done = 0; done < N; done += batch) {
    const to = Math.min(done + batch, N);
    await raw(
      `INSERT INTO customers (name, status, owner_id, search_text, last_contact_at, created_at)
       SELECT c.name || w.name || k.name || CASE WHEN g > 1000 THEN '(' || g || ')' ELSE '' END,
              (ARRAY['prospect','customer','former'])[1 + g % 3],
              CASE WHEN g % 7 = 0 THEN NULL ELSE ($1::uuid[])[1 + g % 20] END,
              c.name || w.name || k.name || CASE WHEN g > 1000 THEN '(' || g || ')' ELSE '' END
                || ' ' || c.py || w.py || k.py || ' ' || c.ini || w.ini || k.ini,
              now() - (g % 400) * interval '1 day', now() - g * interval '1 minute'
       FROM generate_series($2::int, $3::int) g
       JOIN bench_parts c ON c.kind = 'city' AND c.i = g % ${counts.city}
       JOIN bench_parts w ON w.kind = 'word' AND w.i = CASE WHEN g % 10 = 0 THEN (g / 10) % ${WORDS.length}
                                                      ELSE ${WORDS.length} + (g * 7919) % ${counts.word - WORDS.length} END
       JOIN bench_parts k ON k.kind = 'kind' AND k.i = (g / 3) % ${counts.kind}`,
      [sales, done + 1, to],
    );
    progress('customers', to, N);
  }
  await raw(`CREATE TABLE bench_ids AS SELECT id, row_number() OVER (ORDER BY id)::int AS n FROM customers`);
  // 1.5 contacts per customer: one each, a second for every other customer.
  for (const [k, every] of [
    [0, 1],
    [1, 2],
  ]) {
    await raw(
      `INSERT INTO contacts (customer_id, name, department, phones, emails, is_primary, search_text)
       SELECT b.id, s.name || g.name, CASE WHEN $1::int = 1 THEN '财务部' END,
              ARRAY['139' || lpad((b.n * 2 + $1::int)::text, 8, '0')], ARRAY['c' || b.n || '-' || $1::int || '@example.cn'], $1::int = 0,
              s.name || g.name || ' ' || s.py || g.py || ' ' || s.ini || g.ini
                || CASE WHEN $1::int = 1 THEN ' 财务部 caiwubu cwb' ELSE '' END
                || ' c' || b.n || '-' || $1::int || '@example.cn 139' || lpad((b.n * 2 + $1::int)::text, 8, '0') || ' 139' || lpad((b.n * 2 + $1::int)::text, 8, '0')
       FROM bench_ids b
       JOIN bench_parts s ON s.kind = 'surname' AND s.i = (b.n * 31 + $1::int) % ${counts.surname}
       JOIN bench_parts g ON g.kind = 'given' AND g.i = (b.n * 7 + $1::int * 13) % ${counts.given}
       WHERE b.n % $2::int = 0`,
      [k, every],
    );
    progress('contacts', k + 1, 2);
  }
  await raw('ANALYZE');
}
