/**
 * Import benchmark (issue 11, item 5): generates a CSV of N customers with 1.5 N contacts (one row
 * per contact; default N = 100,000 → 150,000 rows), starts the real server (`gongdan serve`) in a
 * child process on a fresh database, imports the file over HTTP with progress, and meanwhile polls
 * `/api/health` every 20 ms and samples the server's RSS. Prints the import time, the health
 * latency while idle and during the import (p50 / p99 / max) and the server's peak RSS.
 * PGlite by default (a temporary DATA_DIR); PostgreSQL with DATABASE_URL (use a scratch database:
 * its schema is dropped first). The CPU time of the server (and of its PostgreSQL backends, when the
 * database runs on this machine) is printed beside the time, which on a shared machine depends on the
 * others' load; SERVER_NODE_ARGS passes flags to the server's node instead of the shipped heap cap
 * (SERVER_NODE_FLAGS in lib.ts), e.g. `--max-old-space-size=1024 --cpu-prof --cpu-prof-dir=.tmp/prof` to profile it.
 *
 *   npx tsx bench/import.ts [customers=100000] [--dry-run]   (--dry-run: read, stage and check every row, write nothing)
 *   (KEEP_CSV=1 leaves the generated file in the temporary directory, to time reading it alone.)
 *
 * Measured 2026-12-07 21:56–21:59 UTC (session 23), each run started on a quiet machine, with the staged rows removed
 *   FOR UPDATE SKIP LOCKED: PostgreSQL 28.9 / 29.0 s (server CPU 16.3–16.6 s, PostgreSQL 28.5–28.9 s), health p99 51–54 ms,
 *   peak RSS 299–304 MB; 33.4–34.4 s under the host's load an hour earlier. PGlite 57.8 s, p99 71 ms, peak RSS 574 MB.
 * Measured 2026-12-07 17:10–18:10 UTC (session 22), PostgreSQL, Debian's settings: staged rows unlogged in byte order,
 *   cjk_grams unsorted, values every row shares sent once, the answer before removing the staged rows: 28.8–28.9 s (31.2–53.0 s
 *   before, same machine), server CPU 16.7 s, PostgreSQL 28.6–29.1 s, health p99 59–60 ms, peak RSS 301 MB. PGlite
 *   66.5–71.0 s (98.2 s before the last change), health p99 85–89 ms, peak RSS 553–571 MB.
 * Measured 2026-12-07 14:40–15:35 UTC (session 21), PostgreSQL, on a machine slower than in session 20 (CPU pressure ~40 %
 *   idle): the checking pass left out for a file of new customers (preflight 0.25 s against 2–2.5 s) and CsvReader
 *   (a pass over the file 2.4 → 0.4 s of CPU): 32.6–40.0 s, server CPU 18.6–23.1 s (20.5–29 s before), health p99 57–67 ms.
 * Measured 2026-12-07 10:40–11:45 UTC (session 20), PostgreSQL: with time-ordered ids, the created customers' history, audit
 *   entries and undo records written by the database from their rows, one undo record per statement: 32.8–39.0 s (~35 s),
 *   PostgreSQL CPU 30.4–37.7 s, server 19.4–23.7 s, health p99 44–53 ms, peak RSS 310–332 MB (docs/benchmarks/load-2026-12-07.md).
 * Measured 2026-12-07 08:00–09:15 UTC (session 19), PostgreSQL: after the staging fix (the next rows read while the last
 *   are stored, a turn of the event loop every 50 rows) staging 7.5–8.1 → 6.2 s (--dry-run, phases logged), the import
 *   34.4–37.4 s in four runs, 35.2 and 45.7 s in two more (server CPU 20.6–28.2 s for the same work: the machine's
 *   spread); health p99 47–55 ms; peak RSS 310–338 MB. Where the time goes: docs/benchmarks/load-2026-12-07.md,
 *   "Session 19". PGlite (before the fix): 123.7 s, health p99 102 ms, RSS idle 445 / peak 569 MB.
 * Measured 2026-12-07 06:00 UTC (session 18), PostgreSQL, quiet: 35.1 s, server RSS idle 262 MB, peak 566 MB without a
 *   heap cap; 36.9 s, idle 211 / peak 305 MB with --max-old-space-size=1024 (now the default here, as in npm start and the
 *   systemd unit); 35.0 s, peak 285 MB with 384. Health p99 32–48 ms in all three.
 * Measured 2026-12-07 01:30–02:00 UTC on the quiet 2-core machine (load < 2), 100,000 customers / 150,000 rows, all or
 * nothing, same machine and session, before → after the import's bulk pending list for the search indexes
 * (BULK_GIN_PENDING_LIST_KB, migration 0052) and three chunks in flight on PostgreSQL:
 *   PostgreSQL: 64.7 s → 40.3–46.2 s (41.3 s typical); CPU: PostgreSQL backends 60.3 s → 26–37 s, server 31 s → 22–26 s;
 *     /api/health during p99 42 → 34–46 ms; server RSS idle 220–290 MB, peak 558–591 MB (unchanged). Phases (one run):
 *     staging 9 s, checking 3 s, applying 28–34 s, removing the staged rows 1.4 s. Left in PostgreSQL: the GIN indexes
 *     (5.7 s for 100,000 customers, 9.4 s for 150,000 contacts even at 4 MB), ~700,000 foreign-key checks (~11 µs each).
 *   PGlite: 116 s → 115 s (no change: its time is the WebAssembly engine's everywhere); health p99 71 → 102 ms, max 206 ms.
 * Measured 2026-12-05 15:20–15:30 UTC on the shared 2-core machine (load average 3.5–7 from other work),
 * 100,000 customers / 150,000 rows, 25.7 MB CSV, all or nothing (three passes: stage, check, write), each
 * beside the previous importer (commit 16e9ae0) run just before it:
 *   PostgreSQL: 47 s (was 101 s); CPU: server 17 s (was 51 s), PostgreSQL backends 33 s (32 s);
 *     /api/health p50 3.3 / p99 32–35 / max 99 ms (was p99 80 ms); server RSS 229 → 423–464 MB (443 MB),
 *     285 MB with SERVER_NODE_ARGS=--max-old-space-size=1024 (V8 otherwise lets the old generation grow
 *     to ~4× the live heap before a full collection; the live heap stays ~100 MB).
 *   PGlite:     98 s (was 120 s); CPU: server 91 s (123 s); /api/health p50 13 / p99 74 / max 129 ms
 *     (67 ms); server RSS 485 → 717 MB (490 → 744 MB), ~200 MB of it PGlite's WASM memory.
 *   (Session 5: PostgreSQL 70 s, PGlite 117 s at load 4–7; before staging: 78 s on PostgreSQL with health up
 *   to 3.4 s and ~1 GB; PGlite 58 s with health unanswered for 57 s.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, openAsBlob, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { creditCodeCheckChar } from '../common/credit-code';
import { SERVER_NODE_FLAGS } from './lib';

const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100_000);
const dryRun = process.argv.includes('--dry-run');
const databaseUrl = process.env.DATABASE_URL;
const engine = databaseUrl ? 'postgres' : 'pglite';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'gongdan-import-bench-'));
const port = 3900 + Math.floor(Math.random() * 90);
const base = `http://127.0.0.1:${port}`;
const root = path.resolve(import.meta.dirname, '..');

function creditCode(i: number): string {
  const body = '9161' + String(i).padStart(13, '0');
  return body + creditCodeCheckChar(body);
}
const CITIES = ['北京', '上海', '西安', '广州', '深圳', '杭州', '南京', '成都', '重庆', '武汉', '兰州', '宝鸡'];
const WORDS = ['华达', '秦川', '宏远', '恒信', '新世纪', '长城', '东方', '金桥', '瑞丰', '鼎盛'];
const KINDS = ['建设工程有限公司', '科技有限公司', '机械制造有限公司', '商贸有限公司', '物流有限公司'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];

/** The file: N customers, half with two contacts; every customer has a credit code; the owner by display name. */
async function writeCsv(file: string): Promise<number> {
  const out = createWriteStream(file);
  const write = (line: string) => (out.write(line) ? undefined : once(out, 'drain'));
  await write(
    '\uFEFF客户名称,统一社会信用代码,状态,行业,规模,地址,电话,标签,负责业务员,联系人,职务,联系人电话,联系人邮箱,主要联系人\r\n',
  );
  let rows = 0;
  for (let i = 0; i < N; i++) {
    const name = `${CITIES[i % CITIES.length]}${WORDS[Math.floor(i / 12) % WORDS.length]}${i}${KINDS[i % KINDS.length]}`;
    const customer = [
      name,
      creditCode(i),
      i % 3 ? '客户' : '潜在客户',
      i % 2 ? '制造业' : '建筑业',
      ['小型', '中型', '大型'][i % 3],
      `${CITIES[i % CITIES.length]}市高新区${i % 300}号`,
      `029-${String(80000000 + i).slice(-8)}`,
      i % 5 ? '' : '年审;代账',
      i % 4 ? '' : '导入测试员',
    ];
    for (let j = 0; j < 1 + (i % 2); j++) {
      const contact = [
        `${SURNAMES[(i + j) % SURNAMES.length]}经理${j}`,
        j ? '出纳' : '财务经理',
        `139${String(i * 2 + j).padStart(8, '0')}`,
        j ? '' : `c${i}@example.cn`,
        j ? '否' : '是',
      ];
      const p = write([...customer, ...contact].join(',') + '\r\n');
      if (p) await p;
      rows++;
    }
  }
  out.end();
  await once(out, 'finish');
  return rows;
}

function quantile(sorted: number[], q: number) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
const summary = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return `n=${s.length} p50 ${quantile(s, 0.5).toFixed(1)} ms, p99 ${quantile(s, 0.99).toFixed(1)} ms, max ${s.at(-1)?.toFixed(1)} ms`;
};

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024;
}

/** CPU seconds a process has used (user + system; Linux counts them in 1/100 s). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function gongdan(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [...SERVER_NODE_FLAGS, path.join(root, 'bin/gongdan.js'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/**
 * CPU seconds of the PostgreSQL backends serving the server (its connections to the database), by
 * process id — when PostgreSQL runs on this machine; an empty map otherwise.
 */
async function backendsCpu(client: pg.Client): Promise<Map<number, number>> {
  const { rows } = await client.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      cpu.set(pid, cpuOf(pid));
    } catch {
      /* another machine, or gone */
    }
  }
  return cpu;
}

let server: ChildProcess | undefined;
let client: pg.Client | undefined;
try {
  const env: NodeJS.ProcessEnv = {
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RULES_CRON: 'off',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: path.join(tmp, 'data') }),
  };
  if (databaseUrl) {
    client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(
      'DROP SCHEMA IF EXISTS public CASCADE; DROP SCHEMA IF EXISTS drizzle CASCADE; DROP SCHEMA IF EXISTS pgboss CASCADE; CREATE SCHEMA public',
    );
  }
  const file = path.join(tmp, 'customers.csv');
  const rows = await writeCsv(file);
  console.log(`${engine}: ${N} customers, ${rows} rows, ${(statSync(file).size / 1024 / 1024).toFixed(1)} MB CSV`);

  for (const [username, name] of [
    ['bench', '导入管理员'],
    ['bench-owner', '导入测试员'],
  ]) {
    const create = gongdan(
      ['user', 'create', '--username', username, '--name', name, '--password', 'bench-pass-2026', '--role', 'admin'],
      env,
    );
    const [code] = await once(create, 'exit');
    if (code !== 0) throw new Error(`user create exited ${code}`);
  }
  server = gongdan(['serve'], env);
  for (let i = 0; ; i++) {
    if (i > 600) throw new Error('server did not start');
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'bench-pass-2026' }),
  });
  const me = (await login.json()) as { csrfToken: string };
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

  // Health and RSS, sampled until told to stop.
  const health = { idle: [] as number[], busy: [] as number[] };
  const state = { phase: 'idle' as 'idle' | 'busy' | 'stop' };
  let peakRss = 0;
  const idleRss = rssOf(server.pid!);
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssOf(server!.pid!))), 100);
  const poll = (async () => {
    while ((state.phase as string) !== 'stop') {
      const started = performance.now();
      const res = await fetch(`${base}/api/health`);
      await res.arrayBuffer();
      const took = performance.now() - started;
      if (state.phase !== 'stop') health[state.phase].push(took);
      await sleep(20);
    }
  })();
  await sleep(5000);

  state.phase = 'busy';
  const form = new FormData();
  form.append('file', await openAsBlob(file), 'customers.csv');
  const started = performance.now();
  const cpuBefore = cpuOf(server.pid!);
  const dbBefore = client ? await backendsCpu(client) : new Map<number, number>();
  const res = await fetch(`${base}/api/v1/customers/import${dryRun ? '?dryRun=true' : ''}`, {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': me.csrfToken, accept: 'application/x-ndjson' },
    body: form,
  });
  const text = await res.text();
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuOf(server.pid!) - cpuBefore;
  let dbCpu = 0;
  for (const [pid, seconds] of client ? await backendsCpu(client) : []) dbCpu += seconds - (dbBefore.get(pid) ?? 0);
  state.phase = 'stop';
  await poll;
  clearInterval(rssTimer);
  const lines = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; report?: unknown; error?: unknown });
  const last = lines.at(-1)!;
  console.log(`status ${res.status}, ${lines.length - 1} progress lines, last: ${JSON.stringify(last).slice(0, 300)}`);
  const count = await fetch(`${base}/api/v1/customers?pageSize=1`, { headers: { cookie } });
  const contacts = await fetch(`${base}/api/v1/contacts?pageSize=1`, { headers: { cookie } });
  console.log(
    `customers now ${((await count.json()) as { total: number }).total}, contacts ${((await contacts.json()) as { total: number }).total}`,
  );
  console.log(
    `import: ${seconds.toFixed(1)} s (${Math.round(rows / seconds)} rows/s); CPU: server ${cpu.toFixed(1)} s` +
      (client ? `, PostgreSQL backends ${dbCpu.toFixed(1)} s` : ''),
  );
  console.log(`health idle:   ${summary(health.idle)}`);
  console.log(`health during: ${summary(health.busy)}`);
  console.log(`server RSS: idle ${(idleRss / 2 ** 20).toFixed(0)} MB, peak ${(peakRss / 2 ** 20).toFixed(0)} MB`);
  console.log(
    `machine load (1/5/15 min): ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${os.cpus().length} CPUs`,
  );
} finally {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
  await client?.end();
  if (!process.env.KEEP_CSV) rmSync(tmp, { recursive: true, force: true });
}
