/**
 * Knowledge search benchmark (issue 17, item 4 and Performance): N articles (default 100,000) of about 2,000
 * Chinese characters, built from a vocabulary with realistic frequencies (a Zipf-like spread of common words, plus
 * marked words: 审计 in about half the articles, 验资 in about 5%, 招标代理 in about 1%, 破产清算 in 0.1%), searched
 * for a salesperson (scope own: firm-wide, his department's and linked articles) and an executive (scope all):
 * a two-character word and phrases, the first page over HTTP (inject) against the SQL that request sent, replayed
 * as plain raw queries in the same process (ratio ≤ 1.5×, and under 100 ms on PostgreSQL); and the same answers
 * through pg_trgm (option b of the decision, on a side table of the lower-cased texts), measured once for comparison.
 *
 *   npx tsx bench/knowledge-search.ts [articles=100000]
 * PGlite by default (a temporary directory); PostgreSQL with DATABASE_URL — a scratch database of its own, e.g.
 *   psql -h 127.0.0.1 -U postgres -c 'create database bench_ksearch'
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ksearch npx tsx bench/knowledge-search.ts
 * (reused when already filled; drop it afterwards). BENCH_TRGM=0 skips the pg_trgm comparison.
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../server/app';
import { loadConfig } from '../server/config';
import { migrateDatabase } from '../server/db/migrate';
import { bootstrapDatabase } from '../server/seed/bootstrap';
import { seedUser } from '../server/seed/seeders';
import { benchDatabase, interleaved, isSessionExpiryUpdate, progress, report, wrapDriver } from './lib';

const N = Number(process.argv[2] ?? 100_000);
const { database, dir: tmp } = await benchDatabase();
const driver = wrapDriver(database);
const { raw } = driver;

/** The firm's words, most common first: they make up most of the text. */
const COMMON = (
  '公司 客户 项目 业务 工作 进行 需要 问题 情况 管理 财务 报告 合同 要求 资料 相关 提供 服务 人员 部门 ' +
  '时间 费用 单位 企业 资产 负债 收入 成本 利润 现金 银行 账户 凭证 发票 记录 核对 确认 说明 风险 控制 ' +
  '制度 流程 方案 计划 沟通 会议 意见 结果 分析 评价 检查 复核 签字 底稿 函证 盘点 存货 应收 应付 往来 ' +
  '固定 折旧 摊销 税费 增值 所得 申报 缴纳 优惠 政策 规定 法规 准则 披露 附注 报表 年度 季度 月度 期末 ' +
  '期初 余额 发生 调整 差异 原因 处理 建议 改进 跟进 反馈 客户经理 项目经理 合伙人 质量 标准 程序 证据 ' +
  '样本 抽查 测试 内控 治理 股东 董事 监事 经理 员工 薪酬 社保 公积 合规 监管 备案 审批 授权 印章 档案'
).split(' ');
/** Rarer words of the trade: each in a few percent of the articles down to a few in a thousand. */
const RARE = (
  '资本 验证 评估 造价 审价 招标 代理 记账 独立性 年报 承接 尽职 调查 并购 重组 上市 募集 债券 基金 信托 ' +
  '保险 租赁 担保 抵押 质押 诉讼 仲裁 清算 破产 注销 变更 迁移 分立 合并 出资 实缴 认缴 验收 结算 决算 ' +
  '竣工 预算 概算 标底 投标 中标 废标 开标 评标 保证金 土地 房产 矿权 商誉 无形 专利 商标 软件 研发 高新'
).split(' ');
/** Words placed on purpose, with the share of paragraphs that carry them (an article has 10 paragraphs). */
const MARKED: [string, number][] = [
  ['审计', 0.07], // ≈ 50% of the articles
  ['验资', 0.005], // ≈ 5%
  ['招标代理', 0.001], // ≈ 1%
  ['年报审计承接', 0.001], // ≈ 1%, a phrase whose pairs are frequent (审计 in half)
  ['破产清算', 0.0001], // ≈ 0.1%
];
const PARAGRAPHS = 4000;
const PER_ARTICLE = 10;

/** A deterministic pseudo-random number in [0, 1) (mulberry32). */
function random(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** About 200 characters of text: words picked by a Zipf-like law, sentences ended by punctuation, marked words placed. */
function paragraph(i: number): string {
  const rnd = random(i + 1);
  const vocabulary = [...COMMON, ...RARE];
  const weights = vocabulary.map((_, r) => 1 / (r + 1));
  const sum = weights.reduce((a, b) => a + b, 0);
  const pick = () => {
    let x = rnd() * sum;
    for (let r = 0; r < weights.length; r++) if ((x -= weights[r]) <= 0) return vocabulary[r];
    return vocabulary[0];
  };
  const words: string[] = [];
  let length = 0;
  while (length < 200) {
    const w = pick();
    words.push(w);
    length += w.length;
    if (rnd() < 0.12) words.push(rnd() < 0.8 ? '，' : '。');
  }
  for (const [word, share] of MARKED) if (rnd() < share) words.splice(Math.floor(rnd() * words.length), 0, word);
  return words.join('') + '。';
}

try {
  await migrateDatabase(database);
  const filled = (await raw(`SELECT count(*)::int AS n FROM knowledge_articles`)).rows[0].n as number;
  if (filled === 0) await fill();
  console.log(
    `engine: ${database.engine}; articles ${(await raw(`SELECT count(*) AS n FROM knowledge_articles`)).rows[0].n}`,
  );
  for (const q of ['审计', '验资', '招标代理', '年报审计承接', '破产清算'])
    console.log(
      `  ${q}: ${(await raw(`SELECT count(*) AS n FROM knowledge_articles WHERE body LIKE $1`, [`%${q}%`])).rows[0].n} articles`,
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
    ['sales (own)', await signIn('bench-s0')],
    ['executive (all)', await signIn('bench-exec')],
  ] as const;
  const queries = [
    ['two characters 审计 (~50%)', '审计'],
    ['two characters 验资 (~5%)', '验资'],
    ['phrase 招标代理 (~1%)', '招标代理'],
    ['phrase 年报审计承接 (~1%, frequent pairs)', '年报审计承接'],
    ['phrase 破产清算 (~0.1%)', '破产清算'],
  ] as const;
  const runs = Number(process.env.BENCH_RUNS ?? 9);
  const results: boolean[] = [];
  const lines: string[] = [];
  for (const [role, cookie] of roles) {
    const get = async (q: string) => {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/knowledge/search?q=${encodeURIComponent(q)}`,
        headers: { cookie },
      });
      if (res.statusCode !== 200) throw new Error(`${q}: ${res.body}`);
      return res.json() as { total: number; items: unknown[] };
    };
    for (const [name, q] of queries) {
      const sent = (await driver.capture(() => get(q))).filter((call) => !isSessionExpiryUpdate(driver.textOf(call)));
      const [http, sql] = await interleaved(
        [
          () => get(q),
          async () => {
            for (const call of sent) await driver.replayRaw(call);
          },
        ],
        runs,
        2,
      );
      const page = await get(q);
      const ok = report(`${role} ${name}: ${page.total} found (${sent.length} statements)`, http, sql, 1.5);
      const fast = database.engine !== 'postgres' || http < 100;
      if (!fast) console.log(`SLOW ${role} ${name}: ${http.toFixed(1)} ms ≥ 100 ms`);
      results.push(ok && fast);
      lines.push(
        `| ${role} | ${name} | ${page.total} | ${http.toFixed(1)} | ${sql.toFixed(1)} | ${(http / sql).toFixed(2)} |`,
      );
    }
  }
  console.log(
    ['| reader | query | found | HTTP ms | raw SQL ms | ratio |', '|---|---|---|---|---|---|', ...lines].join('\n'),
  );

  if (process.env.BENCH_TRGM !== '0') await trigramComparison();
  await app.close();
  process.exitCode = results.every(Boolean) ? 0 : 1;
} finally {
  await database.close();
  rmSync(tmp, { recursive: true, force: true });
}

/**
 * Option (b): pg_trgm on the lower-cased text (title, tags, body) under a GIN trigram index, the same answers
 * (LIKE '%q%'), first page by the same order, executive (no visibility filter) — against option (a)'s statement.
 */
async function trigramComparison() {
  const start = performance.now();
  await raw(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
  // A side table: an UPDATE of the articles would rewrite every row and recompute its generated vector.
  await raw(`CREATE TABLE IF NOT EXISTS bench_trgm AS
             SELECT id, title, useful_count, updated_at, archived_at,
                    lower(title || ' ' || array_to_string(tags, ' ') || ' ' || body) AS bench_text
             FROM knowledge_articles`);
  await raw(`CREATE INDEX IF NOT EXISTS bench_text_trgm ON bench_trgm USING gin (bench_text gin_trgm_ops)`);
  const built = (performance.now() - start) / 1000;
  const size = async (index: string) =>
    (await raw(`SELECT pg_size_pretty(pg_relation_size($1::regclass)) AS s`, [index])).rows[0].s;
  console.log(
    `pg_trgm: column + index built in ${built.toFixed(0)} s; trigram index ${await size('bench_text_trgm')}, ` +
      `bigram tsvector index ${await size('knowledge_articles_search_idx')}`,
  );
  const order = `ORDER BY (CASE WHEN lower(title) LIKE $1 THEN 1 ELSE 0 END + 0.006::float8 * least(useful_count, 50)
    + 36::float8 / (180 + date_part('epoch', now() - updated_at) / 86400)) DESC, updated_at DESC, id LIMIT 20`;
  for (const q of ['审计', '验资', '招标代理', '年报审计承接', '破产清算']) {
    const pattern = `%${q}%`;
    const pairs = [...q].slice(1).map((c, i) => `'${[...q][i]}${c}'`);
    const [trgm, grams] = await interleaved(
      [
        () =>
          raw(`SELECT id, title FROM bench_trgm WHERE bench_text LIKE $1 AND archived_at IS NULL ${order}`, [pattern]),
        () =>
          raw(
            `SELECT id, title FROM knowledge_articles WHERE search_vector @@ $2::tsquery
               ${q.length > 2 ? "AND (title LIKE $1 OR body LIKE $1 OR array_to_string(tags, ' ') LIKE $1)" : ''}
               AND archived_at IS NULL ${order}`,
            [pattern, pairs.join(' & ')],
          ),
      ],
      3,
      1,
    );
    console.log(`| ${q} | ${trgm.toFixed(1)} | ${grams.toFixed(1)} |`);
  }
  await raw(`DROP TABLE bench_trgm`);
}

/** Staff (20 salespeople in 4 departments, an executive), 1,000 customers, the articles and their links. */
async function fill() {
  const db = database.db;
  await bootstrapDatabase(db);
  await raw(`INSERT INTO departments (name, path) SELECT 'bench-d' || g, '/' FROM generate_series(0, 3) g`);
  await raw(`UPDATE departments SET path = '/' || id || '/' WHERE name LIKE 'bench-d%'`);
  const depts = (await raw(`SELECT id FROM departments WHERE name LIKE 'bench-d%' ORDER BY name`)).rows.map(
    (r) => r.id as string,
  );
  const user = (username: string, roleCode: string, departmentId: string | null) =>
    seedUser(db, { username, displayName: username, password: 'Bench-pass-1', roleCode, departmentId });
  const sales: string[] = [];
  for (let i = 0; i < 20; i++) sales.push((await user(`bench-s${i}`, 'salesperson', depts[i % 4])).id);
  await user('bench-exec', 'executive', null);
  await raw(
    `INSERT INTO customers (name, status, owner_id, search_text)
     SELECT '客户' || g, 'customer', ($1::uuid[])[1 + g % 20], '客户' || g FROM generate_series(0, 999) g`,
    [sales],
  );
  const lines = (await raw(`SELECT id FROM business_lines ORDER BY sort_order, id`)).rows.map((r) => r.id as string);

  await raw(`CREATE TABLE bench_paragraphs (i int PRIMARY KEY, text text NOT NULL)`);
  for (let from = 0; from < PARAGRAPHS; from += 500) {
    const texts = Array.from({ length: 500 }, (_, k) => paragraph(from + k));
    await raw(
      `INSERT INTO bench_paragraphs SELECT $1::int + o - 1, t FROM unnest($2::text[]) WITH ORDINALITY AS x(t, o)`,
      [from, texts],
    );
  }
  const kinds = ['experience', 'case', 'template', 'policy', 'qa', 'insight', 'lesson'];
  const titleWords = [...COMMON.slice(0, 60), ...RARE];
  const batch = database.engine === 'postgres' ? 5000 : 1000;
  for (let done = 0; done < N; done += batch) {
    const to = Math.min(done + batch, N);
    // Visibility: 70% firm-wide, 20% a department, 10% linked to a customer. Title: three words (+ 审计 in 10%).
    await raw(
      `INSERT INTO knowledge_articles (kind, title, body, tags, business_line_ids, visibility, department_id, owner_id,
                                       created_by, useful_count, view_count, updated_at, created_at)
       SELECT ($1::text[])[1 + g % 7],
              ($4::text[])[1 + (g * 7) % array_length($4::text[], 1)] || ($4::text[])[1 + (g * 13) % array_length($4::text[], 1)]
                || CASE WHEN g % 10 = 0 THEN '审计' ELSE '' END || ($4::text[])[1 + (g * 31) % array_length($4::text[], 1)]
                || '要点' || g,
              (SELECT string_agg(p.text, E'\n\n' ORDER BY k) FROM generate_series(0, ${PER_ARTICLE - 1}) k
                 JOIN bench_paragraphs p ON p.i = (g * 7919 + k * 104729) % ${PARAGRAPHS}),
              ARRAY[($4::text[])[1 + g % 50]],
              CASE WHEN g % 3 = 0 THEN ARRAY[($5::uuid[])[1 + g % array_length($5::uuid[], 1)]] ELSE '{}' END::uuid[],
              CASE WHEN g % 10 < 7 THEN 'firm' WHEN g % 10 < 9 THEN 'department' ELSE 'linked' END,
              CASE WHEN g % 10 IN (7, 8) THEN ($6::uuid[])[1 + g % 4] END,
              ($7::uuid[])[1 + g % 20], ($7::uuid[])[1 + g % 20],
              (g * 17) % 60, (g * 37) % 500, now() - (g % 1000) * interval '1 day', now() - (g % 1000) * interval '1 day'
       FROM generate_series($2::int, $3::int - 1) g`,
      [kinds, done, to, titleWords, lines, depts, sales],
    );
    progress('articles', to, N);
  }
  await raw(
    `INSERT INTO knowledge_links (article_id, target_type, target_id)
     SELECT a.id, 'customer', (SELECT id FROM customers ORDER BY id OFFSET (abs(hashtext(a.id::text)) % 1000) LIMIT 1)
     FROM knowledge_articles a WHERE a.visibility = 'linked'`,
  );
  await raw('ANALYZE');
}
