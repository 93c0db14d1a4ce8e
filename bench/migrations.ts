/**
 * How long each migration takes on big tables: builds a PostgreSQL database (BENCH_URL, default
 * postgres://postgres@127.0.0.1:5432/bench_upgrade — dropped and created again) migration by migration,
 * and before the first migration that is heavy on a big table (server/db/migration-plan.ts) fills that
 * table with ROWS rows (default 1,000,000) as they stood at that schema; then times every migration alone.
 *
 *   npx tsx bench/migrations.ts            # prints a Markdown table for docs/UPGRADES.md
 *   ROWS=100000 npx tsx bench/migrations.ts
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { MIGRATIONS_DIR } from '../server/db/migrate';
import { BIG_TABLES, planOf, readJournal } from '../server/db/migration-plan';

const url = process.env.BENCH_URL ?? 'postgres://postgres@127.0.0.1:5432/bench_upgrade';
const ROWS = Number(process.env.ROWS ?? 1_000_000);
const name = new URL(url).pathname.slice(1);
if (!/bench/.test(name)) throw new Error(`BENCH_URL must name a database whose name contains "bench" (got ${name})`);

// Realistic Chinese names, their pinyin and initials, picked by row number (SQL arrays, 1-based).
const CITIES = [
  ['北京', 'beijing', 'bj'],
  ['上海', 'shanghai', 'sh'],
  ['广州', 'guangzhou', 'gz'],
  ['深圳', 'shenzhen', 'sz'],
  ['杭州', 'hangzhou', 'hz'],
  ['成都', 'chengdu', 'cd'],
  ['武汉', 'wuhan', 'wh'],
  ['南京', 'nanjing', 'nj'],
  ['西安', 'xian', 'xa'],
  ['苏州', 'suzhou', 'sz'],
];
const WORDS = [
  ['华达', 'huada', 'hd'],
  ['恒信', 'hengxin', 'hx'],
  ['中联', 'zhonglian', 'zl'],
  ['瑞丰', 'ruifeng', 'rf'],
  ['金桥', 'jinqiao', 'jq'],
  ['天成', 'tiancheng', 'tc'],
  ['东方', 'dongfang', 'df'],
  ['宏远', 'hongyuan', 'hy'],
  ['新世纪', 'xinshiji', 'xsj'],
  ['长青', 'changqing', 'cq'],
  ['安泰', 'antai', 'at'],
  ['博雅', 'boya', 'by'],
];
const TRADES = [
  ['科技', 'keji', 'kj'],
  ['贸易', 'maoyi', 'my'],
  ['建设', 'jianshe', 'js'],
  ['咨询', 'zixun', 'zx'],
  ['医药', 'yiyao', 'yy'],
  ['食品', 'shipin', 'sp'],
  ['物流', 'wuliu', 'wl'],
  ['能源', 'nengyuan', 'ny'],
];
const SURNAMES = [
  ['王', 'wang', 'w'],
  ['李', 'li', 'l'],
  ['张', 'zhang', 'z'],
  ['刘', 'liu', 'l'],
  ['陈', 'chen', 'c'],
  ['杨', 'yang', 'y'],
  ['赵', 'zhao', 'z'],
  ['黄', 'huang', 'h'],
];
const GIVEN = [
  ['伟', 'wei', 'w'],
  ['芳', 'fang', 'f'],
  ['敏', 'min', 'm'],
  ['静', 'jing', 'j'],
  ['丽', 'li', 'l'],
  ['强', 'qiang', 'q'],
  ['磊', 'lei', 'l'],
  ['晓明', 'xiaoming', 'xm'],
  ['建华', 'jianhua', 'jh'],
];
const arr = (rows: string[][], k: number) => `ARRAY[${rows.map((r) => `'${r[k]}'`).join(',')}]`;
const pick = (rows: string[][], k: number, by: string) => `(${arr(rows, k)})[(${by}) % ${rows.length} + 1]`;

const customerName = (i: string) =>
  `${pick(CITIES, 0, i)} || ${pick(WORDS, 0, `${i} / 10`)} || ${pick(TRADES, 0, `${i} / 120`)} || '有限公司' || (${i} / 960)`;
const customerPinyin = (i: string, k: number) =>
  `${pick(CITIES, k, i)} || ${pick(WORDS, k, `${i} / 10`)} || ${pick(TRADES, k, `${i} / 120`)} || ${k === 1 ? "'youxiangongsi'" : "'yxgs'"}`;
const phone = (i: string) => `'139' || lpad((${i} % 100000000)::text, 8, '0')`;
const customerId = (i: string) => `md5('c' || (${i}))::uuid`;

/** INSERT … SELECT of ROWS rows in a big table, as its columns stood when it first became heavy. */
const FILL: Partial<Record<(typeof BIG_TABLES)[number], (rows: number) => string[]>> = {
  customers: (rows) => [
    `INSERT INTO customers (id, created_at, updated_at, name, industry, size, address, status, source, tags, search_text,
       email, phone, last_contact_at, next_contact_on)
     SELECT ${customerId('i')}, now() - (i % 1500) * interval '1 day', now() - (i % 300) * interval '1 day',
       ${customerName('i')}, ${pick(TRADES, 0, 'i / 120')}, (ARRAY['small','medium','large'])[i % 3 + 1],
       ${pick(CITIES, 0, 'i')} || '市' || ${pick(WORDS, 0, 'i / 7')} || '路' || (i % 999) || '号',
       (ARRAY['prospect','active','active','dormant'])[i % 4 + 1], (ARRAY['referral','exhibition','website'])[i % 3 + 1],
       CASE WHEN i % 5 = 0 THEN ARRAY['重点'] ELSE '{}'::text[] END,
       lower(${customerName('i')} || ' ' || ${customerPinyin('i', 1)} || ' ' || ${customerPinyin('i', 2)} || ' ' || ${phone('i')} || ' ' || ${phone('i')}),
       'info' || i || '@example.cn', ${phone('i')},
       CASE WHEN i % 3 = 0 THEN now() - (i % 90) * interval '1 day' END,
       CASE WHEN i % 4 = 0 THEN current_date + (i % 60) END
     FROM generate_series(1, ${rows}) AS i`,
  ],
  contacts: (rows) => [
    `INSERT INTO contacts (created_at, updated_at, customer_id, name, title, department, phones, emails, is_primary, search_text)
     SELECT now() - (i % 1500) * interval '1 day', now(), ${customerId(`(i - 1) % ${rows} + 1`)},
       ${pick(SURNAMES, 0, 'i')} || ${pick(GIVEN, 0, 'i / 8')}, (ARRAY['财务总监','总经理','会计','行政主管'])[i % 4 + 1],
       (ARRAY['财务部','总经办','行政部'])[i % 3 + 1], ARRAY[${phone('i + 7')}], ARRAY['c' || i || '@example.cn'], i % 3 = 0,
       lower(${pick(SURNAMES, 0, 'i')} || ${pick(GIVEN, 0, 'i / 8')} || ' ' || ${pick(SURNAMES, 1, 'i')} || ${pick(GIVEN, 1, 'i / 8')}
         || ' ' || ${pick(SURNAMES, 2, 'i')} || ${pick(GIVEN, 2, 'i / 8')} || ' ' || ${phone('i + 7')} || ' ' || ${phone('i + 7')})
     FROM generate_series(1, ${rows}) AS i`,
  ],
  chat_messages: (rows) => [
    `INSERT INTO roles (code, name) VALUES ('bench', 'bench') ON CONFLICT DO NOTHING`,
    `INSERT INTO users (username, display_name, password_hash, role_id, staff_category)
     SELECT 'bench', '测试', 'x', id, 'management' FROM roles WHERE code = 'bench' ON CONFLICT DO NOTHING`,
    `INSERT INTO conversations (id, kind, title)
     SELECT md5('conv' || c)::uuid, 'channel', '频道' || c FROM generate_series(1, 200) AS c`,
    `INSERT INTO chat_messages (conversation_id, seq, author_id, body, links, created_at)
     SELECT md5('conv' || (i % 200 + 1))::uuid, i, (SELECT id FROM users WHERE username = 'bench'),
       '关于' || ${customerName('i')} || '的年报审计，下周三前请提交资料。' || repeat('好的 ', i % 5),
       CASE WHEN i % 10 = 0 THEN jsonb_build_array(jsonb_build_object('type', 'customer', 'id', ${customerId('i')}))
            ELSE '[]'::jsonb END,
       now() - (i % 1000) * interval '1 hour'
     FROM generate_series(1, ${rows}) AS i`,
  ],
};

async function main() {
  const admin = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
  const journal = readJournal();
  const folder = mkdtempSync(path.join(os.tmpdir(), 'gongdan-bench-migrations-'));
  mkdirSync(path.join(folder, 'meta'));
  for (const e of journal) symlinkSync(path.join(MIGRATIONS_DIR, `${e.tag}.sql`), path.join(folder, `${e.tag}.sql`));

  const filled = new Set<string>();
  const results: { tag: string; ms: number; heavy: boolean; tables: string[]; what: string[] }[] = [];
  try {
    for (const entry of journal) {
      const plan = planOf(entry);
      // In BIG_TABLES order: customers before the contacts that reference them.
      const bigTables = BIG_TABLES.filter((t) => plan.steps.some((s) => s.big && s.table === t));
      for (const table of bigTables) {
        if (filled.has(table)) continue;
        const fill = FILL[table as keyof typeof FILL];
        if (!fill) throw new Error(`no fill for big table ${table} (needed by ${entry.tag})`);
        const start = performance.now();
        for (const statement of fill(ROWS)) await client.query(statement);
        await client.query(`VACUUM ANALYZE "${table}"`);
        filled.add(table);
        console.error(
          `filled ${table} with ${ROWS.toLocaleString('en')} rows in ${((performance.now() - start) / 1000).toFixed(1)} s`,
        );
      }
      writeFileSync(
        path.join(folder, 'meta/_journal.json'),
        JSON.stringify({ version: '7', dialect: 'postgresql', entries: journal.slice(0, entry.idx + 1) }),
      );
      const start = performance.now();
      await migrate(drizzle(client), { migrationsFolder: folder });
      const ms = performance.now() - start;
      const what = [...new Set(plan.steps.filter((s) => s.big).map((s) => `${s.kind} ${s.table}`))];
      results.push({ tag: entry.tag, ms, heavy: plan.heavy, tables: bigTables, what });
      console.error(`${plan.heavy ? 'HEAVY' : '     '} ${entry.tag}: ${(ms / 1000).toFixed(2)} s`);
    }
  } finally {
    await client.end();
    rmSync(folder, { recursive: true, force: true });
  }

  const cpus = os.cpus();
  console.log(
    `Measured ${new Date().toISOString().slice(0, 10)} by bench/migrations.ts: PostgreSQL ${version}, ${cpus.length} × ${cpus[0]?.model.trim()}, ` +
      `${Math.round(os.totalmem() / 1e9)} GB, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at the end; ` +
      `${ROWS.toLocaleString('en')} rows in each of ${[...filled].join(', ')}.\n`,
  );
  console.log('| Migration | Heavy on | Time |');
  console.log('| --- | --- | ---: |');
  for (const r of results)
    if (r.heavy || r.ms > 1000)
      console.log(`| ${r.tag} | ${r.what.join('; ') || '—'} | ${(r.ms / 1000).toFixed(1)} s |`);
  const rest = results.filter((r) => !r.heavy && r.ms <= 1000);
  console.log(
    `\nThe other ${rest.length} migrations took ${(rest.reduce((n, r) => n + r.ms, 0) / 1000).toFixed(1)} s together.`,
  );
}

await main();
