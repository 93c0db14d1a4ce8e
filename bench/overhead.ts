/**
 * Per-request overhead under concurrency (issue 11): the hot endpoints served to 16 concurrent
 * connections over real HTTP (autocannon in a child process) against the SQL statements one
 * request sends, replayed raw by 16 workers in this process, on the data bench/today.ts leaves in a
 * PostgreSQL database (run it first with the same DATABASE_URL); 20,000 opportunities are added
 * for the board. Prints req/s, p50 and the ratio raw ÷ API per endpoint and role, and a single
 * request's latency. Profile with `node --cpu-prof --import tsx bench/overhead.ts` (BENCH_ONLY=api
 * leaves out the raw runs; BENCH_LOG=1 logs each request as `serve` does).
 *
 *   DATABASE_URL=postgres://…/scratch npx tsx bench/today.ts 100000
 *   DATABASE_URL=postgres://…/scratch npx tsx bench/overhead.ts [seconds=5] [connections=16]
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../server/app';
import { loadConfig } from '../server/config';
import { openDatabase } from '../server/db/client';
import { type Call, isSessionExpiryUpdate, median, wrapDriver } from './lib';

const SECONDS = Number(process.argv[2] ?? 5);
const CONNECTIONS = Number(process.argv[3] ?? 16);
if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL (a scratch PostgreSQL database loaded by bench/today.ts)');
const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, poolSize: CONNECTIONS });
const driver = wrapDriver(database);
const { raw } = driver;
const autocannon = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../node_modules/.bin/autocannon');

type Run = { rps: number; p50: number; errors: number };

/** autocannon in a child process (so that it does not share the server's thread). */
function drive(url: string, cookie: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(autocannon, [
      '-j',
      '-c',
      String(CONNECTIONS),
      '-d',
      String(SECONDS),
      '-H',
      `cookie=${cookie}`,
      url,
    ]);
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', () => {
      const result = JSON.parse(out) as {
        requests: { average: number };
        latency: { p50: number };
        errors: number;
        non2xx: number;
      };
      resolve({ rps: result.requests.average, p50: result.latency.p50, errors: result.errors + result.non2xx });
    });
  });
}

/** The raw statements of one answer, sent one after another by each of CONNECTIONS workers. */
async function rawRun(statements: Call[]): Promise<Run> {
  const end = performance.now() + SECONDS * 1000;
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        const start = performance.now();
        for (const call of statements) await driver.replayRaw(call);
        times.push(performance.now() - start);
      }
    }),
  );
  times.sort((a, b) => a - b);
  return { rps: times.length / SECONDS, p50: times[Math.floor(times.length / 2)], errors: 0 };
}

try {
  const [{ line }] = (await raw(`SELECT id AS line FROM business_lines WHERE code = 'BT'`)).rows as { line: string }[];
  const [{ n }] = (await raw(`SELECT count(*)::int AS n FROM opportunities`)).rows as { n: number }[];
  if (n === 0) {
    await raw(
      `INSERT INTO opportunities (name, customer_id, business_line_id, stage_id, status, probability, expected_amount,
                                  expected_close_on, owner_id, department_id, closed_at, stage_entered_at, search_text)
       SELECT '商机' || c.n, c.id, $1::uuid, s.id, s.kind, s.probability, round((1000 + c.n % 90000)::numeric, 2),
              current_date + (c.n % 200)::int, c.owner_id, u.department_id,
              CASE WHEN s.kind = 'open' THEN NULL ELSE now() - (c.n % 60) * interval '1 day' END,
              now() - (c.n % 90) * interval '1 day', 'shangji ' || c.n
       FROM (SELECT id, owner_id, row_number() OVER (ORDER BY id) AS n FROM customers WHERE name LIKE '客户%' LIMIT 20000) c
       JOIN users u ON u.id = c.owner_id
       JOIN LATERAL (SELECT id, kind, probability FROM pipeline_stages WHERE business_line_id IS NULL
                     ORDER BY position OFFSET (c.n % 7) LIMIT 1) s ON true`,
      [line],
    );
    await raw('ANALYZE opportunities');
  }
  // BENCH_LOG=1: with the request log of `gongdan serve` (level info), written to /dev/null.
  const logger = process.env.BENCH_LOG ? { level: 'info', stream: createWriteStream('/dev/null') } : false;
  const app = await buildApp({ database, config: loadConfig({}), logger });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(
    `engine: ${database.engine}; ${CONNECTIONS} connections, ${SECONDS} s per run; load ${process.env.BENCH_LOAD ?? ''}`,
  );
  console.log(
    'endpoint                 | role        | API req/s | raw q/s | raw ÷ API | API p50 | raw p50 | one request',
  );
  for (const [role, username] of [
    ['salesperson', 'today-s3'],
    ['manager', 'today-manager'],
  ] as const) {
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password: 'Bench-pass-1' },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const [{ customer }] = (
      await raw(
        `SELECT c.id AS customer FROM customers c JOIN users u ON u.id = c.owner_id WHERE u.username = $1 ORDER BY c.name LIMIT 1`,
        [role === 'manager' ? 'today-s3' : username],
      )
    ).rows as { customer: string }[];
    const endpoints: [string, string][] = [
      ['health', '/api/health'],
      ['customer list', '/api/v1/customers?page=2&pageSize=20'],
      ['customer list, search', `/api/v1/customers?q=${encodeURIComponent('kehu 12')}`],
      ['answer box, phone', '/api/v1/answers?q=13900001'],
      ['opportunity board', `/api/v1/opportunities/board?businessLineId=${line}&perStage=50`],
      ['customer page', `/api/v1/customers/${customer}/overview`],
      ['Today', '/api/v1/today'],
    ];
    // BENCH_ENDPOINTS=Today,answer: only the endpoints whose names contain one of these.
    const only = process.env.BENCH_ENDPOINTS?.split(',');
    for (const [name, url] of endpoints.filter(([name]) => !only || only.some((part) => name.includes(part)))) {
      const get = async () => {
        const res = await app.inject({ method: 'GET', url, headers: { cookie } });
        if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      };
      await get();
      const statements = (await driver.capture(get)).filter((call) => !isSessionExpiryUpdate(driver.textOf(call)));
      const one = await median(get, 20, 5);
      const api = await drive(`${address}${url}`, cookie);
      const sql = process.env.BENCH_ONLY === 'api' || statements.length === 0 ? null : await rawRun(statements);
      console.log(
        [
          name.padEnd(24),
          role.padEnd(11),
          api.rps.toFixed(0).padStart(9),
          (sql?.rps.toFixed(0) ?? '—').padStart(7),
          (sql ? `${(sql.rps / api.rps).toFixed(2)}×` : '—').padStart(9),
          `${api.p50.toFixed(0)} ms`.padStart(7),
          (sql ? `${sql.p50.toFixed(1)} ms` : '—').padStart(7),
          `${one.toFixed(1)} ms${api.errors ? `  (${api.errors} errors)` : ''}`,
        ].join(' | '),
      );
    }
  }
  await app.close();
} finally {
  await database.close();
}
