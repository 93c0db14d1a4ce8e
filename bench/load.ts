/**
 * Load benchmark (issue 11): the hot endpoints over real HTTP at 16 concurrent connections per
 * endpoint and role, against the plain SQL of the same answers run by 16 workers in the same run,
 * on PostgreSQL and on the embedded PGlite. Prints one markdown table per engine:
 * endpoint, role, API req/s, raw q/s, raw ÷ API, API p50 / p99 — ready to paste into docs/.
 *
 *   npx tsx bench/load.ts                                  # both engines, 100,000 customers: ≈ 10 min on 2 cores
 *                                                          # with the data loaded, ≈ 6 min more the first time
 *   npx tsx bench/load.ts --duration=3                     # the first run too in under 15 minutes
 *   npx tsx bench/load.ts --engine=pg --duration=10        # the issue's 10 s per measurement (≈ 10 min)
 *   npx tsx bench/load.ts --customers=2000 --duration=2    # a smoke run
 *   npx tsx bench/load.ts --only=list,today --roles=exec   # some rows (endpoint keys, see ENDPOINTS)
 *
 * Options: --engine=pg|pglite|both (both), --customers=N (100000; contacts 1.5 N, contact logs 10 N),
 * --duration=S seconds per measurement (4) after a 1 s warm-up, --connections=C (16, also the raw
 * workers), --raw=plain|app (plain), --raw-auth (add the session lookup to every raw baseline),
 * --database-url=postgres://…/db (default postgres://postgres@127.0.0.1:5432/gongdan_load_<N>; the
 * database is created when missing and dropped and re-created when it does not hold this data),
 * --pglite-dir=DIR (.tmp/load-pglite-<N>), --port=P (3987), --out=FILE (append the tables there), --reload.
 *
 * Data, from a clean database: the demo firm (`gongdan serve --demo`), then N customers with
 * 1.5 N contacts imported through the import API itself — CSV files under the upload limit
 * POSTed to /api/v1/customers/import by the partner `exec`, as a person would, with /api/health
 * sampled every 100 ms meanwhile (reported: rows/s, health p50/p99/max, the server's peak RSS) —,
 * then 10 N contact logs in SQL (ten INSERT … SELECT over the customers) with each customer's last and next
 * contact refreshed from them and the next-contact reminders those schedule (rows only, no jobs), and VACUUM ANALYZE. The loaded database is kept (PostgreSQL: the database;
 * PGlite: the data directory) and reused by later runs with the same N; --reload loads again.
 * Owners: sales1 (李明, 审计一部) holds 5 % of the customers (5,000 of 100,000), 10 % are in the pool 公海,
 * the rest are spread over 14 other demo salespeople and managers. Contact names are 20 surnames ×
 * 10 given names (孙国庆 has 750 namesakes at 150,000 contacts).
 *
 * Measurement: the real `gongdan serve` process (RULES_CRON=off, LOG_LEVEL=warn) on the engine, and
 * autocannon in this process with C connections for S seconds per endpoint and role (sales1 /
 * manager / exec of the demo firm, signed in for their cookies). The raw baseline of an endpoint
 * is the plainest SQL of the same answer under the same visibility rule (`plain` in ENDPOINTS:
 * hand-written), or — where the answer takes many statements (Today, the board, the answer box,
 * the customer page), or with --raw=app — the statements the app sends for that request, captured
 * once from an in-process app and replayed as plain unnamed queries (the auth hook's session
 * lookup left out unless --raw-auth). The raw SQL runs with C workers: on PostgreSQL a pg Pool of C
 * connections in this process, measured right after the API on the same data; on PGlite, where one
 * process owns the data directory, in this process through one PGlite instance on that directory
 * (C concurrent workers on its one connection, as the server's requests share it) while the server
 * is stopped, before the server's API round. The machine is shared by the bench, the server and
 * PostgreSQL: run it on a quiet machine, and read the load average printed with each table. The
 * column "server CPU / req" is the server process's CPU time per answered request (from /proc; on
 * PostgreSQL the database's own CPU is not in it): the figure a busy machine disturbs least — on
 * PGlite, where every query runs on the server's one thread, 1000 ÷ it is the req/s one free core gives.
 *
 * Adding a module's endpoint: add a row to ENDPOINTS (key, label, roles, url from the fixtures,
 * optionally `plain` raw SQL); fixtures the url needs go into Fixtures/loadFixtures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import autocannon, { type Options as CannonOptions } from 'autocannon';
import pg from 'pg';
import { IMPORT_PROGRESS_TYPE } from '../common/schemas/transfer';
import { buildApp } from '../server/app';
import { loadConfig } from '../server/config';
import { openDatabase, type Database } from '../server/db/client';
import { migrateDatabase } from '../server/db/migrate';
import { COUNT_CAP, containsPattern } from '../server/lib/listing';
import { gramsOf } from '../server/lib/search';
import { addDays, FIRM_TIME_ZONE, localDate } from '../server/lib/time';
import { mondayOf } from '../server/domains/engagements/timesheets.service';
import { DEMO_PASSWORD } from '../server/seed/demo';
import { progress, SERVER_NODE_FLAGS, wrapDriver, type Call } from './lib';

// ---------------------------------------------------------------- options

const { values: opts } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    customers: { type: 'string', default: '100000' },
    duration: { type: 'string', default: '4' },
    connections: { type: 'string', default: '16' },
    raw: { type: 'string', default: 'plain' },
    'raw-auth': { type: 'boolean', default: false },
    'database-url': { type: 'string' },
    'pglite-dir': { type: 'string' },
    port: { type: 'string', default: '3987' },
    only: { type: 'string' },
    roles: { type: 'string' },
    out: { type: 'string' },
    reload: { type: 'boolean', default: false },
  },
});
const N = Number(opts.customers);
const DURATION = Number(opts.duration);
const CONNECTIONS = Number(opts.connections);
const PORT = Number(opts.port);
const ENGINES = opts.engine === 'both' ? (['pg', 'pglite'] as const) : [opts.engine as 'pg' | 'pglite'];
if (!ENGINES.every((e) => e === 'pg' || e === 'pglite')) throw new Error('--engine=pg|pglite|both');
if (!['plain', 'app'].includes(opts.raw!)) throw new Error('--raw=plain|app');
const ROOT = path.resolve(import.meta.dirname, '..');
const PG_URL = opts['database-url'] ?? `postgres://postgres@127.0.0.1:5432/gongdan_load_${N}`;
const PGLITE_DIR = path.resolve(ROOT, opts['pglite-dir'] ?? `.tmp/load-pglite-${N}`);
const BASE = `http://127.0.0.1:${PORT}`;
/** /proc/<pid>/stat counts CPU time in clock ticks: 100 a second on Linux. */
const CLOCK_TICKS = 100;
const CONTACTS = Math.round(N * 1.5);
const LOGS_PER_CUSTOMER = 10;

// ---------------------------------------------------------------- roles, fixtures, endpoints

type RoleKey = 'sales1' | 'manager' | 'exec';
/** The demo firm's three readers, by customer scope: own (+ shared + pool), department subtree (+ pool), all. */
const ROLES: Record<RoleKey, { username: string; scope: 'own' | 'department' | 'all' }> = {
  sales1: { username: 'sales1', scope: 'own' },
  manager: { username: 'manager', scope: 'department' },
  exec: { username: 'exec', scope: 'all' },
};

type Fixtures = {
  users: Record<RoleKey, { id: string; departmentPath: string }>;
  /** The 审计 business line (the board). */
  auditLineId: string;
  /** A customer of sales1's (visible to all three roles): the customer page. */
  customerId: string;
  /** Seven digits of one of that customer's contact phones: the answer box. */
  phoneFragment: string;
  /** The demo's engagement (sales1's order, in manager's department): its budget. */
  engagementId: string;
  /** Last week's Monday (the demo logs time in it): the weekly timesheet. */
  lastWeek: string;
};

type Query = (text: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;
/** What a plain baseline found, checked once against the API's answer: the page's ids and the total. */
type PlainAnswer = { ids: string[]; total: number };

type Endpoint = {
  key: string;
  label: string;
  /** Roles measured; none: anonymous, no raw baseline. */
  roles: RoleKey[] | 'none';
  url: (f: Fixtures, role: RoleKey) => string;
  /** The plainest SQL of the same answer for this reader; without it the app's captured statements are replayed. */
  plain?: (f: Fixtures, role: RoleKey) => (query: Query) => Promise<PlainAnswer>;
};

const ALL: RoleKey[] = ['sales1', 'manager', 'exec'];

/** Parameters numbered as they are added. */
function params() {
  const values: unknown[] = [];
  return { values, add: (v: unknown) => `$${values.push(v)}` };
}

/** Which customers (alias c) the reader sees: customers.policy.ts's rule, written plainly. */
function visibleSql(f: Fixtures, role: RoleKey, p: ReturnType<typeof params>): string {
  const { scope } = ROLES[role];
  if (scope === 'all') return 'true';
  const me = p.add(f.users[role].id);
  // As an index condition (id = ANY(ARRAY(…))), so that a salesperson's customers are read by owner, pool and id.
  const shared = `c.id = ANY(ARRAY(SELECT customer_id FROM customer_shares WHERE user_id = ${me}))`;
  if (scope === 'own') return `(c.owner_id = ${me} OR c.owner_id IS NULL OR ${shared})`;
  const subtree = p.add(`${f.users[role].departmentPath}%`);
  return `(c.owner_id IS NULL OR c.owner_id = ${me} OR ${shared} OR c.owner_id IN
    (SELECT u.id FROM users u JOIN departments d ON d.id = u.department_id WHERE d.path LIKE ${subtree}))`;
}

/** A customer matches by its own search text or a contact's (search_text is lower-case: LIKE, not ILIKE). */
function searchSql(q: string, p: ReturnType<typeof params>): string {
  const pattern = p.add(containsPattern(q.toLowerCase()));
  // A one- or two-character Chinese word is found through the search_grams index (trigrams need three).
  const grams = gramsOf(q);
  const gram = grams ? ` AND search_grams @> ${p.add(grams)}::text[]` : '';
  return `c.id IN (SELECT id FROM customers WHERE search_text LIKE ${pattern}${gram}
    UNION SELECT customer_id FROM contacts WHERE search_text LIKE ${pattern}${gram})`;
}

/**
 * A search with no chosen order lists the names equal to q, then those starting with it, first (as the API does).
 * Written as literals (q is one of this file's constants), so the count that shares the WHERE's parameters is unchanged.
 */
function nameFirst(column: string, q: string): string {
  const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
  const lower = q.toLowerCase();
  const prefix = `${lower.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return `CASE WHEN lower(${column}) = ${literal(lower)} THEN 0 WHEN lower(${column}) LIKE ${literal(prefix)} THEN 1 ELSE 2 END, `;
}

const PAGE = 20;

/** The customer list's answer: a page with owner, region, branch and shares, and the total (counted up to COUNT_CAP when the page is full). */
function plainCustomerList(filter: { q?: string; status?: string; order: string }) {
  return (f: Fixtures, role: RoleKey) => {
    const p = params();
    const where = [visibleSql(f, role, p)];
    if (filter.q) where.push(searchSql(filter.q, p));
    if (filter.status) where.push(`c.status = ${p.add(filter.status)}`);
    const cond = where.join(' AND ');
    // A salesperson's few thousand customers sorted, rather than the firm's newest-first index walked until 20 of
    // theirs turn up (slow when theirs are old ones).
    const order =
      ROLES[role].scope === 'own'
        ? filter.order.replace('c.created_at', "(c.created_at + interval '0 s')")
        : filter.order;
    const page = `SELECT c.*, o.display_name AS owner_name, r.name AS region_name, b.name AS branch_name,
        coalesce((SELECT json_agg(json_build_object('id', u.id, 'name', u.display_name) ORDER BY u.display_name)
                  FROM customer_shares s JOIN users u ON u.id = s.user_id WHERE s.customer_id = c.id), '[]'::json) AS shared_with
      FROM customers c LEFT JOIN users o ON o.id = c.owner_id LEFT JOIN regions r ON r.id = c.region_id
      LEFT JOIN branches b ON b.id = c.branch_id
      WHERE ${cond} ORDER BY ${filter.q ? nameFirst('c.name', filter.q) : ''}${order} LIMIT ${PAGE}`;
    const count = `SELECT count(*) FROM (SELECT 1 FROM customers c WHERE ${cond} LIMIT ${COUNT_CAP + 1}) capped`;
    return async (query: Query): Promise<PlainAnswer> => {
      const rows = (await query(page, p.values)).rows;
      // As the API answers a capped count: COUNT_CAP, not the COUNT_CAP + 1 that told it there are more.
      const total =
        rows.length === PAGE ? Math.min(COUNT_CAP, Number((await query(count, p.values)).rows[0].count)) : rows.length;
      return { ids: rows.map((r) => r.id as string), total };
    };
  };
}

/**
 * The contacts whose own search text or whose customer's contains q (the contacts list's `q`), a page by name
 * with the number of matches on each row (all of them are read to sort them anyway). A reader who sees every
 * customer reads the contacts alone (matches, and contacts of matching customers, by their indexes); any other
 * reader's matches are joined to the customers they may see, read by the ids that match (as the customer list).
 */
function plainContactSearch(q: string) {
  return (f: Fixtures, role: RoleKey) => {
    const p = params();
    const pattern = containsPattern(q.toLowerCase());
    const grams = gramsOf(q);
    const matches = (alias: string) =>
      `${alias}.search_text LIKE ${p.add(pattern)}${grams ? ` AND ${alias}.search_grams @> ${p.add(grams)}::text[]` : ''}`;
    const customerMatches = `SELECT id FROM customers c WHERE ${matches('c')}`;
    const from =
      ROLES[role].scope === 'all'
        ? `contacts ct WHERE (${matches('ct')} OR ct.customer_id = ANY(ARRAY(${customerMatches})))`
        : `contacts ct JOIN customers c ON c.id = ct.customer_id WHERE ${visibleSql(f, role, p)}
            AND c.id = ANY(ARRAY(${customerMatches} UNION SELECT customer_id FROM contacts ct WHERE ${matches('ct')}))
            AND (${matches('ct')} OR ${matches('c')})`;
    const page = `SELECT ct.*, count(*) OVER () AS total FROM ${from}
      ORDER BY ${nameFirst('ct.name', q)}ct.name, ct.id LIMIT ${PAGE}`;
    return async (query: Query): Promise<PlainAnswer> => {
      const rows = (await query(page, p.values)).rows;
      return { ids: rows.map((r) => r.id as string), total: rows.length ? Number(rows[0].total) : 0 };
    };
  };
}

const enc = encodeURIComponent;

/**
 * The measured endpoints, in the table's order. Later modules add theirs here (reports, knowledge
 * search, chat …); the engagements' three (issue 14) read the demo's one engagement and its weeks — their
 * behaviour at 2,000,000 time entries is bench/engagements.ts's. Without `plain` SQL the raw side is the app's own statements for the request.
 */
const ENDPOINTS: Endpoint[] = [
  { key: 'health', label: '`/api/health` (framework floor)', roles: 'none', url: () => '/api/health' },
  {
    key: 'list',
    label: 'customer list (default: newest first)',
    roles: ALL,
    url: () => `/api/v1/customers?pageSize=${PAGE}`,
    plain: plainCustomerList({ order: 'c.created_at DESC NULLS LAST, c.id' }),
  },
  {
    key: 'list-pinyin',
    label: 'customer list, pinyin search (`xahd`, status, by name)',
    roles: ALL,
    url: () => `/api/v1/customers?q=xahd&status=customer&sort=name&pageSize=${PAGE}`,
    plain: plainCustomerList({ q: 'xahd', status: 'customer', order: 'c.name, c.id' }),
  },
  {
    key: 'answers-phone',
    label: 'answer box, phone fragment',
    roles: ALL,
    url: (f) => `/api/v1/answers?q=${f.phoneFragment}`,
  },
  {
    key: 'board',
    label: 'opportunity board (审计)',
    roles: ALL,
    url: (f) => `/api/v1/opportunities/board?businessLineId=${f.auditLineId}`,
  },
  { key: 'today', label: 'Today', roles: ALL, url: () => '/api/v1/today' },
  {
    key: 'contacts',
    label: 'contacts search (`孙国庆`)',
    roles: ALL,
    url: () => `/api/v1/contacts?q=${enc('孙国庆')}&pageSize=${PAGE}`,
    plain: plainContactSearch('孙国庆'),
  },
  {
    key: 'list-huada',
    label: 'customer list, `q=华达`',
    roles: ['sales1', 'exec'],
    url: () => `/api/v1/customers?q=${enc('华达')}&pageSize=${PAGE}`,
    plain: plainCustomerList({ q: '华达', order: 'c.created_at DESC NULLS LAST, c.id' }),
  },
  {
    key: 'answers-huada',
    label: 'answer box, `q=华达`',
    roles: ['sales1', 'exec'],
    url: () => `/api/v1/answers?q=${enc('华达')}`,
  },
  {
    key: 'customer-page',
    label: 'customer page (overview)',
    roles: ALL,
    url: (f) => `/api/v1/customers/${f.customerId}/overview`,
  },
  {
    key: 'approvals',
    label: 'approvals inbox, waiting for me',
    roles: ALL,
    url: () => `/api/v1/approvals?box=waiting&pageSize=${PAGE}`,
  },
  {
    key: 'contracts',
    label: 'contract list (newest first)',
    roles: ALL,
    url: () => `/api/v1/contracts?pageSize=${PAGE}`,
  },
  {
    key: 'receivables',
    label: 'receivables ageing by customer',
    roles: ALL,
    url: () => `/api/v1/receivables?groupBy=customer&pageSize=${PAGE}`,
  },
  {
    key: 'timesheet',
    label: 'weekly timesheet (own, last week)',
    roles: ALL,
    url: (f) => `/api/v1/timesheets/${f.lastWeek}`,
  },
  {
    key: 'budget',
    label: 'engagement budget vs actual',
    roles: ALL,
    url: (f) => `/api/v1/engagements/${f.engagementId}/budget`,
  },
  {
    key: 'workload',
    label: 'workload, four weeks',
    roles: ALL,
    url: () => '/api/v1/workload?weeks=4',
  },
];

// ---------------------------------------------------------------- data

const CITIES = ['北京', '上海', '西安', '广州', '深圳', '杭州', '南京', '成都', '重庆', '武汉'];
const CITIES2 = ['天津', '苏州', '郑州', '长沙', '兰州', '宝鸡', '咸阳', '延安', '银川', '西宁'];
const WORDS = ['华达', '秦川', '宏远', '恒信', '新世纪', '长城', '东方', '金桥', '瑞丰', '鼎盛'];
const KINDS = ['建设工程有限公司', '科技有限公司', '机械制造有限公司', '商贸有限公司', '物流有限公司'];
const SURNAMES = [...'王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗'];
const GIVEN = ['国庆', '建华', '丽', '伟', '秀英', '明', '静', '海燕', '志强', '桂兰'];
/** Owners besides sales1 (5 %) and the pool (10 %). */
const OTHER_OWNERS = [
  'sales2',
  'zhengqiang',
  'maqing',
  'linna',
  'liangyu',
  'hanxue',
  'dengchao',
  'manager',
  'sunli',
  'hejun',
  'gaofeng',
  'tanglei',
  'fengyi',
  'xujing',
];
const HEADER = [
  '客户名称',
  '状态',
  '负责业务员',
  '联系人',
  '职务',
  '联系人部门',
  '联系人电话',
  '联系人邮箱',
  '主要联系人',
];
/** Bytes per file, well under the import's 20 MB limit. */
const FILE_BYTES = 12 * 1024 * 1024;

const customerName = (i: number) => {
  const s = i % 1000;
  const city = [...CITIES, ...CITIES2][s % 20];
  return `${city}${WORDS[Math.floor(s / 20) % 10]}${KINDS[Math.floor(s / 200) % 5]}${i}`;
};
const ownerOf = (i: number) => (i % 10 === 0 ? '' : i % 20 === 1 ? 'sales1' : OTHER_OWNERS[i % OTHER_OWNERS.length]);
const contactsOf = (i: number) => (i % 2 === 0 ? 2 : 1);
const phoneOf = (j: number) => `139${String(j).padStart(8, '0')}`;
/** The contact numbers of customer i (1-based), in file order. */
function* contactRows(): Generator<{ i: number; j: number; k: number }> {
  let j = 0;
  for (let i = 1; i <= N; i++) for (let k = 0; k < contactsOf(i); k++) yield { i, j: j++, k };
}

/** The import files: whole customers per file (a customer's contacts never split), under FILE_BYTES each. */
function importFiles(): string[] {
  const files: string[] = [];
  let lines: string[] = [HEADER.join(',')];
  let bytes = 0;
  let current = 0;
  for (const { i, j, k } of contactRows()) {
    if (i !== current && bytes > FILE_BYTES) {
      files.push(`\uFEFF${lines.join('\r\n')}\r\n`);
      lines = [HEADER.join(',')];
      bytes = 0;
    }
    current = i;
    const name = `${SURNAMES[j % 20]}${GIVEN[Math.floor(j / 20) % 10]}`;
    const line = [
      customerName(i),
      ['prospect', 'customer', 'former'][i % 3],
      ownerOf(i),
      name,
      k === 0 ? '财务经理' : '出纳',
      k === 0 ? '财务部' : '应付账款',
      phoneOf(j),
      `c${j}@example.cn`,
      k === 0 ? '是' : '否',
    ].join(',');
    lines.push(line);
    bytes += Buffer.byteLength(line) + 2;
  }
  files.push(`\uFEFF${lines.join('\r\n')}\r\n`);
  return files;
}

// ---------------------------------------------------------------- the server process and HTTP

type Server = {
  proc: ChildProcess;
  stop(): Promise<void>;
  peakRssMb(): number | null;
  /** CPU time the server process has used (user + system, ms), from /proc; null elsewhere. */
  cpuMs(): number | null;
};

async function startServer(engine: 'pg' | 'pglite', demo: boolean): Promise<Server> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(PORT),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RULES_CRON: 'off',
  };
  if (engine === 'pg') env.DATABASE_URL = PG_URL;
  else {
    delete env.DATABASE_URL;
    env.DATA_DIR = PGLITE_DIR;
  }
  const proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, 'bin/gongdan.js', 'serve', ...(demo ? ['--demo'] : [])], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.once('exit', () => ((exited = true), resolve())));
  const started = performance.now();
  for (;;) {
    if (exited) throw new Error('the server exited while starting');
    try {
      if ((await fetch(`${BASE}/api/health`, { signal: AbortSignal.timeout(2000) })).ok) break;
    } catch {
      /* not listening yet */
    }
    if (performance.now() - started > 300_000) throw new Error('the server did not answer within 5 minutes');
    await sleep(250);
  }
  return {
    proc,
    cpuMs() {
      try {
        const fields = readFileSync(`/proc/${proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
      } catch {
        return null;
      }
    },
    peakRssMb() {
      try {
        const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
        return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) / 1024;
      } catch {
        return null;
      }
    },
    async stop() {
      if (exited) return;
      proc.kill('SIGTERM');
      const killed = sleep(30_000).then(() => proc.kill('SIGKILL'));
      await Promise.race([exit, killed]);
      await exit;
    },
  };
}

type Session = { cookie: string; csrf: string };

async function signIn(username: string): Promise<Session> {
  const res = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  if (!res.ok) throw new Error(`sign-in of ${username}: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

const quantile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;

type ImportStats = { seconds: number; rowsPerSecond: number; health: string; peakRssMb: number | null };

/** Imports the files through the API as `exec`, sampling /api/health every 100 ms meanwhile. */
async function importThroughApi(server: Server): Promise<ImportStats> {
  const files = importFiles();
  const session = await signIn('exec');
  const health: number[] = [];
  let importing = true;
  const sampler = (async () => {
    while (importing) {
      const t0 = performance.now();
      try {
        await fetch(`${BASE}/api/health`, { signal: AbortSignal.timeout(120_000) });
      } catch {
        /* counted by its time */
      }
      health.push(performance.now() - t0);
      await sleep(100);
    }
  })();
  const started = performance.now();
  let before = 0;
  try {
    for (const [n, content] of files.entries()) {
      const form = new FormData();
      form.append('file', new Blob([content], { type: 'text/csv' }), `customers-${n + 1}.csv`);
      const res = await fetch(`${BASE}/api/v1/customers/import`, {
        method: 'POST',
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, accept: IMPORT_PROGRESS_TYPE },
        body: form,
        signal: AbortSignal.timeout(3_600_000),
      });
      if (!res.ok) throw new Error(`import of file ${n + 1}: ${res.status} ${await res.text()}`);
      let report: { errors: unknown[]; totalRows: number } | undefined;
      if ((res.headers.get('content-type') ?? '').startsWith(IMPORT_PROGRESS_TYPE)) {
        let buffered = '';
        const decoder = new TextDecoder();
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffered += decoder.decode(chunk, { stream: true });
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = JSON.parse(buffered.slice(0, nl));
            buffered = buffered.slice(nl + 1);
            if (line.type === 'progress') progress('import (rows)', before + line.done, CONTACTS);
            else if (line.type === 'result') report = line.report;
            else if (line.type === 'error') throw new Error(`import of file ${n + 1}: ${JSON.stringify(line.error)}`);
          }
        }
      } else report = (await res.json()) as typeof report;
      if (!report) throw new Error(`import of file ${n + 1}: no report`);
      if (report.errors.length)
        throw new Error(`import of file ${n + 1}: ${JSON.stringify(report.errors.slice(0, 3))}`);
      before += report.totalRows;
    }
  } finally {
    importing = false;
    await sampler;
  }
  const seconds = (performance.now() - started) / 1000;
  const sorted = [...health].sort((a, b) => a - b);
  const stats = {
    seconds,
    rowsPerSecond: CONTACTS / seconds,
    health: `p50 ${quantile(sorted, 0.5).toFixed(0)} ms, p99 ${quantile(sorted, 0.99).toFixed(0)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(0)} ms (${sorted.length} samples)`,
    peakRssMb: server.peakRssMb(),
  };
  console.log(
    `imported ${N} customers / ${CONTACTS} contacts in ${files.length} files: ${seconds.toFixed(1)} s (${stats.rowsPerSecond.toFixed(0)} rows/s); /api/health meanwhile ${stats.health}; server peak RSS ${stats.peakRssMb?.toFixed(0) ?? '?'} MB`,
  );
  return stats;
}

// ---------------------------------------------------------------- the database: reuse or load

async function openEngine(engine: 'pg' | 'pglite', poolSize = CONNECTIONS): Promise<Database> {
  return engine === 'pg' ? openDatabase({ databaseUrl: PG_URL, poolSize }) : openDatabase({ dataDir: PGLITE_DIR });
}

type LoadInfo = { customers: number; contacts: number; logs: number; import: ImportStats | null };

/** What an earlier run loaded (bench_load_info), when it loaded this size. */
async function loadedInfo(engine: 'pg' | 'pglite'): Promise<LoadInfo | null> {
  if (engine === 'pglite' && !existsSync(PGLITE_DIR)) return null;
  if (engine === 'pg') {
    const url = new URL(PG_URL);
    const name = decodeURIComponent(url.pathname.slice(1));
    url.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: url.href });
    await admin.connect();
    try {
      if (!(await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount) {
        await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
        return null;
      }
    } finally {
      await admin.end();
    }
  }
  const database = await openEngine(engine, 1);
  try {
    const { raw } = wrapDriver(database);
    if (!(await raw(`SELECT to_regclass('bench_load_info') AS t`)).rows[0].t) return null;
    const [row] = (await raw('SELECT info FROM bench_load_info')).rows as { info: LoadInfo }[];
    return row && row.info.customers === N ? row.info : null;
  } finally {
    await database.close();
  }
}

async function wipe(engine: 'pg' | 'pglite') {
  if (engine === 'pglite') {
    rmSync(PGLITE_DIR, { recursive: true, force: true });
    return;
  }
  const url = new URL(PG_URL);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.href });
  await admin.connect();
  const quoted = `"${name.replace(/"/g, '""')}"`;
  await admin.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${quoted}`);
  await admin.end();
}

async function load(engine: 'pg' | 'pglite'): Promise<LoadInfo> {
  const known = opts.reload ? null : await loadedInfo(engine);
  if (known) {
    console.log(`${engine}: reusing the loaded data (${known.customers} customers, ${known.logs} contact logs)`);
    // Loaded by an earlier version: bring its schema up to this one's before anything reads it.
    const database = await openEngine(engine, 1);
    try {
      await migrateDatabase(database);
    } finally {
      await database.close();
    }
    return known;
  }
  console.log(`${engine}: loading ${N} customers, ${CONTACTS} contacts, ${N * LOGS_PER_CUSTOMER} contact logs`);
  await wipe(engine);
  const server = await startServer(engine, true);
  let stats: ImportStats;
  try {
    stats = await importThroughApi(server);
  } finally {
    await server.stop();
  }
  const database = await openEngine(engine, 1);
  try {
    const { raw } = wrapDriver(database);
    const t0 = performance.now();
    await raw(`CREATE TEMP TABLE bench_customers AS
      SELECT id, owner_id, row_number() OVER (ORDER BY id)::int AS n FROM customers`);
    const [{ fallback }] = (await raw(`SELECT id AS fallback FROM users WHERE username = 'sales2'`)).rows;
    for (let k = 0; k < LOGS_PER_CUSTOMER; k++) {
      await raw(
        `INSERT INTO contact_logs (customer_id, direction, channel, occurred_at, user_id, summary, next_contact_on)
         SELECT id, CASE WHEN (n + $1) % 2 = 0 THEN 'inbound' ELSE 'outbound' END,
                (ARRAY['phone','visit','email','wechat','meeting'])[1 + (n + $1) % 5],
                now() - ((n * 7 + $1 * 37) % 700) * interval '1 day' - $1 * interval '1 hour',
                coalesce(owner_id, $2::uuid), '第' || ($1 + 1) || '次联系：沟通年报审计安排',
                CASE WHEN (n + $1) % 4 = 0 THEN current_date + ((n + $1) % 60 - 20) END
         FROM bench_customers`,
        [k, fallback],
      );
      progress('contact logs', k + 1, LOGS_PER_CUSTOMER);
    }
    // What the contact-log service keeps on the customer: the last contact and the latest log's next contact date.
    await raw(`UPDATE customers c SET last_contact_at = l.occurred_at, next_contact_on = l.next_contact_on
      FROM (SELECT DISTINCT ON (customer_id) customer_id, occurred_at, next_contact_on FROM contact_logs
            ORDER BY customer_id, occurred_at DESC) l WHERE l.customer_id = c.id`);
    // …and the next-contact reminder it schedules (09:00 in the firm's zone; no pg-boss job: these never fire). Without
    // them the server's start-up backfill would schedule one per customer, holding PGlite's one connection for minutes.
    await raw(`INSERT INTO reminders (user_id, kind, remind_at, customer_id, for_date)
      SELECT owner_id, 'next-contact', (next_contact_on + time '09:00') AT TIME ZONE 'Asia/Shanghai', id, next_contact_on
      FROM customers c WHERE owner_id IS NOT NULL AND next_contact_on >= current_date
        AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.customer_id = c.id AND r.kind = 'next-contact')`);
    // The UPDATE above left a dead version of every customer: vacuum as autovacuum would soon after, so that
    // the measurements read the table a firm has, not one with twice its rows.
    await raw('VACUUM ANALYZE');
    const counts = (
      await raw(`SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM contacts)::int AS contacts,
                        (SELECT count(*) FROM contact_logs)::int AS logs`)
    ).rows[0] as { customers: number; contacts: number; logs: number };
    const info: LoadInfo = { customers: N, contacts: counts.contacts, logs: counts.logs, import: stats };
    await raw('CREATE TABLE bench_load_info (info jsonb NOT NULL)');
    await raw('INSERT INTO bench_load_info VALUES ($1)', [JSON.stringify(info)]);
    console.log(
      `contact logs and ANALYZE in ${((performance.now() - t0) / 1000).toFixed(1)} s; in the database: ${counts.customers} customers (the demo firm's too), ${counts.contacts} contacts, ${counts.logs} contact logs`,
    );
    return info;
  } finally {
    await database.close();
  }
}

// ---------------------------------------------------------------- measuring

async function loadFixtures(raw: Query): Promise<Fixtures> {
  const users = {} as Fixtures['users'];
  for (const [key, role] of Object.entries(ROLES) as [RoleKey, (typeof ROLES)[RoleKey]][]) {
    const [row] = (
      await raw(
        `SELECT u.id, coalesce(d.path, '') AS path FROM users u LEFT JOIN departments d ON d.id = u.department_id WHERE u.username = $1`,
        [role.username],
      )
    ).rows;
    users[key] = { id: row.id as string, departmentPath: row.path as string };
  }
  const [line] = (await raw(`SELECT id FROM business_lines WHERE code = 'SJ'`)).rows;
  // Customer 1001 of the import (sales1's: 1001 % 20 = 1): its first contact's phone.
  const [customer] = (await raw(`SELECT id FROM customers WHERE name = $1`, [customerName(1001)])).rows;
  const [contact] = (
    await raw(`SELECT phones FROM contacts WHERE customer_id = $1 ORDER BY is_primary DESC, created_at LIMIT 1`, [
      customer.id,
    ])
  ).rows;
  const phone = (contact.phones as string[])[0];
  const [engagement] = (
    await raw(
      `SELECT e.id FROM engagements e JOIN users s ON s.id = e.sales_owner_id WHERE s.username = 'sales1'
       ORDER BY e.created_at LIMIT 1`,
    )
  ).rows;
  if (!engagement)
    throw new Error('this database holds no demo engagement (loaded before issue 14): run with --reload');
  const monday = mondayOf(localDate(new Date(), FIRM_TIME_ZONE));
  return {
    users,
    auditLineId: line.id as string,
    customerId: customer.id as string,
    phoneFragment: phone.slice(-7),
    engagementId: engagement.id as string,
    lastWeek: addDays(monday, -7),
  };
}

type Case = { endpoint: Endpoint; role: RoleKey | null; url: string; kind: 'plain' | 'app' | null };
type Measured = {
  api?: { rate: number; p50: number; p99: number; failed: number; cpuMs: number | null };
  raw?: { rate: number; p50: number };
};

function cases(f: Fixtures): Case[] {
  const only = opts.only?.split(',');
  const roles = opts.roles?.split(',') as RoleKey[] | undefined;
  return ENDPOINTS.filter((e) => !only || only.includes(e.key)).flatMap((endpoint): Case[] =>
    endpoint.roles === 'none'
      ? [{ endpoint, role: null, url: endpoint.url(f, 'exec'), kind: null }]
      : endpoint.roles
          .filter((r) => !roles || roles.includes(r))
          .map((role) => ({
            endpoint,
            role,
            url: endpoint.url(f, role),
            kind: endpoint.plain && opts.raw === 'plain' ? ('plain' as const) : ('app' as const),
          })),
  );
}

/** The raw baseline of each case: a function running its SQL once. Captures the app's statements where needed. */
async function rawRunners(
  database: Database,
  driver: ReturnType<typeof wrapDriver>,
  f: Fixtures,
  list: Case[],
): Promise<Map<Case, () => Promise<unknown>>> {
  const query: Query = (text, values = []) => driver.raw(text, values);
  const runners = new Map<Case, () => Promise<unknown>>();
  const app = await buildApp({ database, config: loadConfig({}) });
  try {
    const cookies = new Map<RoleKey, string>();
    for (const role of ALL) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: ROLES[role].username, password: DEMO_PASSWORD },
      });
      if (res.statusCode !== 200) throw new Error(`sign-in of ${role}: ${res.body}`);
      cookies.set(role, String(res.headers['set-cookie']).split(';')[0]);
    }
    for (const c of list) {
      if (!c.role) continue;
      let body: unknown;
      const get = async () => {
        const res = await app.inject({ method: 'GET', url: c.url, headers: { cookie: cookies.get(c.role!)! } });
        if (res.statusCode !== 200)
          throw new Error(`${c.url} as ${c.role}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        body = res.json();
      };
      await get(); // the session's sliding expiry is written on a first request: not in the capture
      const all = await driver.capture(get);
      const auth = all.filter((call) => /"sessions"/.test(driver.textOf(call)));
      const statements: Call[] = [
        ...(opts['raw-auth'] ? auth : []),
        ...(c.kind === 'app' ? all.filter((call) => !auth.includes(call)) : []),
      ];
      const plain = c.kind === 'plain' ? c.endpoint.plain!(f, c.role) : null;
      if (plain) {
        // The baseline must give the API's answer: the same page (ids in order) and total.
        const answer = await plain(query);
        const page = body as { items: { id: string }[]; total: number };
        const same = answer.total === page.total && answer.ids.join() === page.items.map((i) => i.id).join();
        if (!same)
          console.warn(
            `WARNING ${c.endpoint.key} · ${c.role}: the plain SQL's answer differs from the API's (total ${answer.total} vs ${page.total}, page ${answer.ids.length} vs ${page.items.length} rows)`,
          );
      }
      runners.set(c, async () => {
        for (const call of statements) await driver.replayRaw(call);
        if (plain) await plain(query);
      });
    }
  } finally {
    await app.close();
  }
  return runners;
}

/** Runs `fn` with `workers` concurrent loops for `seconds`: completions per second and the median latency. */
async function drive(fn: () => Promise<unknown>, seconds: number, workers: number) {
  const end = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await fn();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate: latencies.length / elapsed, p50: quantile(latencies, 0.5) };
}

async function driveApi(server: Server, url: string, cookie: string | null) {
  const options: CannonOptions = {
    url: `${BASE}${url}`,
    connections: CONNECTIONS,
    timeout: 60,
    headers: cookie ? { cookie } : ({} as Record<string, string>),
  };
  await autocannon({ ...options, duration: 1 });
  const cpuBefore = server.cpuMs();
  const result = await autocannon({ ...options, duration: DURATION });
  const cpuAfter = server.cpuMs();
  const ok = result['2xx'];
  return {
    rate: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors + result.timeouts,
    // The server's own CPU per answered request: what a request costs whatever else the machine runs.
    cpuMs: cpuBefore !== null && cpuAfter !== null && ok ? (cpuAfter - cpuBefore) / ok : null,
  };
}

async function measureEngine(engine: 'pg' | 'pglite', info: LoadInfo): Promise<string> {
  const results = new Map<Case, Measured>();
  const loadBefore = os.loadavg()[0];
  const database = await openEngine(engine);
  const driver = wrapDriver(database);
  const f = await loadFixtures((text, values = []) => driver.raw(text, values));
  const list = cases(f);
  for (const c of list) results.set(c, {});
  let server: Server | null = null;
  try {
    const runners = await rawRunners(database, driver, f, list);
    const runRaw = async (c: Case) => {
      const runner = runners.get(c);
      if (!runner) return;
      await drive(runner, Math.min(1, DURATION), CONNECTIONS);
      results.get(c)!.raw = await drive(runner, DURATION, CONNECTIONS);
    };
    const label = (c: Case) => `${engine} · ${c.endpoint.key}${c.role ? ` · ${c.role}` : ''}`;
    if (engine === 'pglite') {
      // One process owns the data directory: the raw round first, with the server stopped.
      for (const c of list) {
        await runRaw(c);
        console.log(`${label(c)}: raw ${results.get(c)!.raw?.rate.toFixed(1) ?? '—'} q/s`);
      }
      await database.close();
    }
    server = await startServer(engine, false);
    const sessions = new Map<RoleKey, Session>();
    for (const role of ALL) sessions.set(role, await signIn(ROLES[role].username));
    for (const c of list) {
      results.get(c)!.api = await driveApi(server, c.url, c.role ? sessions.get(c.role)!.cookie : null);
      if (engine === 'pg') await runRaw(c);
      const m = results.get(c)!;
      console.log(
        `${label(c)}: API ${m.api!.rate.toFixed(1)} req/s (p50 ${m.api!.p50} ms)${m.raw ? `, raw ${m.raw.rate.toFixed(1)} q/s` : ''}${m.api!.failed ? `, ${m.api!.failed} failed` : ''}`,
      );
    }
  } finally {
    await server?.stop();
    if (engine === 'pg') await database.close();
  }

  const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
  const cpus = os.cpus();
  const lines = [
    `### ${engine === 'pg' ? 'PostgreSQL' : 'PGlite (embedded)'} — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${info.customers.toLocaleString('en-US')} customers, ${info.contacts.toLocaleString('en-US')} contacts, ${info.logs.toLocaleString('en-US')} contact logs; ` +
      `${CONNECTIONS} connections / raw workers, ${DURATION} s each after 1 s warm-up; raw: ${opts.raw}${opts['raw-auth'] ? ' + session lookup' : ''}; ` +
      `${cpus.length} × ${cpus[0]?.model.trim()}, load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}; Node ${process.version}.`,
    ...(info.import
      ? [
          '',
          `Import through the API (when loaded): ${info.import.seconds.toFixed(1)} s, ${info.import.rowsPerSecond.toFixed(0)} rows/s; ` +
            `/api/health meanwhile ${info.import.health}; server peak RSS ${info.import.peakRssMb?.toFixed(0) ?? '?'} MB.`,
        ]
      : []),
    '',
    '| endpoint | role | API req/s | raw q/s | raw ÷ API | API p50 / p99 | server CPU / req | raw SQL |',
    '|---|---|---|---|---|---|---|---|',
    ...list.map((c) => {
      const m = results.get(c)!;
      const api = m.api;
      const ratio = api && m.raw ? `${(m.raw.rate / api.rate).toFixed(2)}×` : '—';
      return `| ${c.endpoint.label} | ${c.role ?? '—'} | ${api ? fmt(api.rate) : '—'}${api?.failed ? ` (${api.failed} failed)` : ''} | ${m.raw ? fmt(m.raw.rate) : '—'} | ${ratio} | ${api ? `${api.p50} / ${api.p99} ms` : '—'} | ${api?.cpuMs != null ? `${api.cpuMs.toFixed(1)} ms` : '—'} | ${c.kind ?? '—'} |`;
    }),
    '',
  ];
  return lines.join('\n');
}

// ---------------------------------------------------------------- main

const tables: string[] = [];
for (const engine of ENGINES) {
  const info = await load(engine);
  tables.push(await measureEngine(engine, info));
}
const output = tables.join('\n');
console.log(`\n${output}`);
if (opts.out) appendFileSync(opts.out, `${output}\n`);
