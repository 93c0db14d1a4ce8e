/**
 * Soak benchmark (issue 20 item 4, "several instances under load"): two real `gongdan serve` instances on one
 * PostgreSQL behind a small round-robin proxy written here (HTTP and the WebSocket upgrade; an upstream that refuses
 * or drops connections is taken out until its /api/health answers again), 50 simulated members of the demo firm
 * doing the real flows for 10 minutes, and one instance SIGKILLed in the middle (started again a little later).
 *
 *   npx tsx bench/soak.ts                          # 10 minutes, 50 users (≈ 12 min with set-up and checks)
 *   npx tsx bench/soak.ts --minutes=1              # a short run
 *
 * Options: --minutes=10, --users=50 (sessions of the demo staff, in turn: with the 30 staff besides admin, 20 sign in twice, as two
 * tabs or devices), --database-url (default postgres://postgres@127.0.0.1:5432/soak_bench; DROPPED and created anew
 * each run), --ports=3995,3996 (the instances), --proxy-port=3994, --customers-per-user=20 (customers the users
 * add through the API before the run, on top of the demo firm's), --think=1500 (mean ms between a user's actions),
 * --kill-at=0.5 (fraction of the run), --down=30 (seconds the killed instance stays down), --out=FILE (markdown).
 *
 * Flows (each user in a loop, a random think time between actions): search customers (the list's q), open a
 * customer (its record, overview and contact logs), log a contact 联系记录 (POST /contact-logs), move an own open
 * opportunity to another open stage of its pipeline, post a chat message in one of the user's conversations, set a
 * reminder on a customer due within the run, read the notifications; the finance sessions record receipts 到款
 * against signed contracts. Every session listens on the live channel (/api/v1/events); a socket that closes
 * (the killed instance's) reconnects through the proxy and catches up over GET /conversations/:id/messages?after=.
 *
 * Afterwards, against the database: every acknowledged write (2xx answer) is there — contact logs, messages,
 * receipts and reminders by id, moves as stage changes (opportunity, stage, by whom); every reminder created to
 * fire during the run fired once (fired_at set, exactly one custom-reminder notification carrying its note; the
 * check waits for stragglers up to 6 minutes: a reminder job held by the killed instance is expired by pg-boss
 * and retried after 5); every acknowledged chat message reached every listening session of its members exactly
 * once (socket, or the catch-up after a reconnect; a message heard twice over the sockets counts as a duplicate).
 * 5xx answers are split: the proxy's 502 for requests in flight on the killed instance when it died, and any other.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import WebSocket from 'ws';
import { DEMO_PASSWORD } from '../server/seed/demo';

const { values: opts } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    users: { type: 'string', default: '50' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/soak_bench' },
    ports: { type: 'string', default: '3995,3996' },
    'proxy-port': { type: 'string', default: '3994' },
    'customers-per-user': { type: 'string', default: '20' },
    think: { type: 'string', default: '1500' },
    'kill-at': { type: 'string', default: '0.5' },
    down: { type: 'string', default: '30' },
    out: { type: 'string' },
  },
});
const MINUTES = Number(opts.minutes);
const USERS = Number(opts.users);
const DB_URL = opts['database-url']!;
const PORTS = opts.ports!.split(',').map(Number);
const PROXY_PORT = Number(opts['proxy-port']);
const CUSTOMERS_PER_USER = Number(opts['customers-per-user']);
const THINK_MS = Number(opts.think);
const RUN_MS = MINUTES * 60_000;
const KILL_AT_MS = RUN_MS * Number(opts['kill-at']);
const DOWN_MS = Math.min(Number(opts.down) * 1000, RUN_MS / 4);
const KILLED = 1; // the second instance
const BASE = `http://127.0.0.1:${PROXY_PORT}`;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUN_TAG = `soak${Date.now().toString(36)}`;
const t0 = performance.now();
const now = () => performance.now() - t0;
const log = (message: string) => console.log(`[${(now() / 1000).toFixed(1).padStart(6)} s] ${message}`);

// ---------------------------------------------------------------- the database

const adminUrl = DB_URL.replace(/\/[^/]*$/, '/postgres');
const dbName = new URL(DB_URL).pathname.slice(1);
{
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [dbName],
  );
  await admin.query(`DROP DATABASE IF EXISTS "${dbName.replace(/"/g, '')}"`);
  await admin.query(`CREATE DATABASE "${dbName.replace(/"/g, '')}"`);
  await admin.end();
}
const pool = new pg.Pool({ connectionString: DB_URL, max: 4 });
const sql = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  (await pool.query(text, params)).rows as T[];

function runCli(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['bin/gongdan.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: DB_URL, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    proc.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`gongdan ${args.join(' ')}: ${code}`))));
  });
}
log(`database ${dbName} created; loading the demo firm`);
await runCli(['seed', '--demo']);

// ---------------------------------------------------------------- the instances

type Instance = { index: number; port: number; proc: ChildProcess | null; exited: Promise<void>; starts: number };
const instances: Instance[] = PORTS.slice(0, 2).map((port, index) => ({
  index,
  port,
  proc: null,
  exited: Promise.resolve(),
  starts: 0,
}));

async function start(instance: Instance): Promise<void> {
  const proc = spawn(process.execPath, ['bin/gongdan.js', 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: DB_URL,
      PORT: String(instance.port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RULES_CRON: 'off',
      TRUST_PROXY: 'true',
      JOB_POLL_SECONDS: '1',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  instance.proc = proc;
  instance.starts++;
  let exited = false;
  instance.exited = new Promise<void>((resolve) => proc.once('exit', () => ((exited = true), resolve())));
  for (;;) {
    if (exited) throw new Error(`the instance on ${instance.port} exited while starting`);
    try {
      const res = await fetch(`http://127.0.0.1:${instance.port}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    await sleep(250);
  }
}
// One after the other: both would run the migrations at once otherwise (they are applied already, but still).
for (const instance of instances) await start(instance);
log(`instances on ${PORTS.join(', ')}`);

// ---------------------------------------------------------------- the proxy

type Upstream = { index: number; port: number; alive: boolean; takenOutAt: number | null; probing: boolean };
const upstreams: Upstream[] = instances.map((i) => ({
  index: i.index,
  port: i.port,
  alive: true,
  takenOutAt: null,
  probing: false,
}));
let turn = 0;
const proxyStats = { requests: 0, retriedElsewhere: 0, inflightLost: 0, wsUpgrades: 0, takenOut: 0, putBack: 0 };
let killAt: number | null = null;

function pick(exclude: Set<number>): Upstream | null {
  const candidates = upstreams.filter((u) => u.alive && !exclude.has(u.index));
  if (candidates.length === 0) return null;
  return candidates[turn++ % candidates.length]!;
}

function takeOut(upstream: Upstream, why: string) {
  if (!upstream.alive) return;
  upstream.alive = false;
  upstream.takenOutAt = now();
  proxyStats.takenOut++;
  log(`proxy: upstream ${upstream.port} taken out (${why})`);
  void probe(upstream);
}

async function probe(upstream: Upstream) {
  if (upstream.probing) return;
  upstream.probing = true;
  while (!upstream.alive) {
    await sleep(500);
    try {
      const res = await fetch(`http://127.0.0.1:${upstream.port}/api/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) {
        upstream.alive = true;
        proxyStats.putBack++;
        log(`proxy: upstream ${upstream.port} answers /api/health again, put back`);
      }
    } catch {
      /* still down */
    }
  }
  upstream.probing = false;
}

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);

const proxy = http.createServer((req, res) => {
  proxyStats.requests++;
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const tried = new Set<number>();
    const attempt = () => {
      const upstream = pick(tried);
      if (!upstream) {
        res.writeHead(503, { 'content-type': 'text/plain', 'x-soak-proxy': 'no-upstream' });
        res.end('no upstream');
        return;
      }
      tried.add(upstream.index);
      const sentAt = now();
      let connected = false;
      const upstreamReq = http.request(
        {
          host: '127.0.0.1',
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '' },
          agent: false,
        },
        (upstreamRes) => {
          const headers = { ...upstreamRes.headers, 'x-soak-upstream': String(upstream.index) };
          res.writeHead(upstreamRes.statusCode ?? 502, headers);
          upstreamRes.pipe(res);
          upstreamRes.on('error', () => res.destroy());
        },
      );
      upstreamReq.on('socket', (socket) => socket.once('connect', () => (connected = true)));
      upstreamReq.on('error', (error: NodeJS.ErrnoException) => {
        if (!connected && CONNECT_ERRORS.has(error.code ?? '')) {
          // Never reached the instance: safe to send elsewhere, whatever the method.
          takeOut(upstream, error.code!);
          proxyStats.retriedElsewhere++;
          attempt();
          return;
        }
        // In flight when the instance went away: the proxy cannot know whether it was done; say so.
        takeOut(upstream, error.code ?? error.message);
        proxyStats.inflightLost++;
        if (res.headersSent) return void res.destroy();
        res.writeHead(502, {
          'content-type': 'text/plain',
          'x-soak-upstream': String(upstream.index),
          'x-soak-inflight-lost': String(sentAt),
        });
        res.end(`upstream ${upstream.port}: ${error.code ?? error.message}`);
      });
      upstreamReq.end(body);
    };
    attempt();
  });
});

proxy.on('upgrade', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
  proxyStats.wsUpgrades++;
  const tried = new Set<number>();
  const attempt = () => {
    const upstream = pick(tried);
    if (!upstream) return void client.destroy();
    tried.add(upstream.index);
    const server = net.connect(upstream.port, '127.0.0.1');
    let connected = false;
    server.once('connect', () => {
      connected = true;
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      server.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) server.write(head);
      server.pipe(client);
      client.pipe(server);
    });
    server.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected && CONNECT_ERRORS.has(error.code ?? '')) {
        takeOut(upstream, error.code!);
        return attempt();
      }
      client.destroy();
    });
    server.on('close', () => client.destroy());
    client.on('error', () => server.destroy());
    client.on('close', () => server.destroy());
  };
  attempt();
});
// Longer than the clients' own idle timeout (undici: 4 s), as proxies do: else a client may reuse a connection the
// proxy is closing at that moment and fail a request that never reached it.
proxy.keepAliveTimeout = 65_000;
await new Promise<void>((resolve) => proxy.listen(PROXY_PORT, '127.0.0.1', resolve));
log(`proxy on ${PROXY_PORT}`);

// ---------------------------------------------------------------- HTTP through the proxy, measured

type Flow =
  | 'sign-in'
  | 'search'
  | 'open-customer'
  | 'log-contact'
  | 'move-opportunity'
  | 'chat-post'
  | 'set-reminder'
  | 'notifications'
  | 'receipt'
  | 'catch-up';
type Sample = { flow: Flow; at: number; ms: number; status: number; inflightLost: boolean; upstream: number | null };
const samples: Sample[] = [];
/** "flow status" → error code → count: why requests were refused. */
const refusals = new Map<string, Map<string, number>>();
let measuring = false;

type Session = {
  index: number;
  username: string;
  userId: string;
  cookie: string;
  csrf: string;
  role: string;
  customers: { id: string; name: string }[];
  opportunities: { id: string; businessLineId: string; stageId: string }[];
  conversations: string[];
  contracts: string[];
};

type Answer = { status: number; body: unknown; inflightLost: boolean; upstream: number | null };

async function call(
  session: Pick<Session, 'cookie' | 'csrf'> | null,
  method: string,
  url: string,
  payload?: object,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (session) {
    headers.cookie = session.cookie;
    if (method !== 'GET') headers['x-csrf-token'] = session.csrf;
  }
  if (payload) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(`${BASE}${url}`, {
      method,
      headers,
      body: payload ? JSON.stringify(payload) : undefined,
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    const upstream = res.headers.get('x-soak-upstream');
    return {
      status: res.status,
      body,
      inflightLost: res.headers.has('x-soak-inflight-lost'),
      upstream: upstream === null ? null : Number(upstream),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      status: 0,
      body: `${String(error)} (${cause?.code ?? cause?.message ?? ''})`,
      inflightLost: false,
      upstream: null,
    };
  }
}

/** One step of a flow: timed and recorded (while measuring). A flow of several requests records each. */
async function step(flow: Flow, session: Session | null, method: string, url: string, payload?: object) {
  const start = performance.now();
  const answer = await call(session, method, url, payload);
  if (measuring)
    samples.push({
      flow,
      at: now(),
      ms: performance.now() - start,
      status: answer.status,
      inflightLost: answer.inflightLost,
      upstream: answer.upstream,
    });
  if (measuring && answer.status >= 400 && answer.status < 500) {
    const key = `${flow} ${answer.status}`;
    const body = answer.body as { code?: unknown; error?: { code?: unknown } } | null;
    const code = String(body?.error?.code ?? body?.code ?? JSON.stringify(answer.body).slice(0, 80));
    refusals.set(
      key,
      (refusals.get(key) ?? new Map<string, number>()).set(code, (refusals.get(key)?.get(code) ?? 0) + 1),
    );
  }
  if (answer.status >= 500 || answer.status === 0)
    log(`${flow} ${method} ${url}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
  return answer;
}

// ---------------------------------------------------------------- sessions and their fixtures

const staff = await sql<{ id: string; username: string; role: string }>(
  `SELECT u.id, u.username, r.code AS role FROM users u JOIN roles r ON r.id = u.role_id
    WHERE u.username <> 'admin' ORDER BY u.created_at, u.username`,
);
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
const dayAfter = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

const sessions: Session[] = Array.from({ length: USERS }, (_, i) => {
  const person = staff[i % staff.length]!;
  return {
    index: i,
    username: person.username,
    userId: person.id,
    role: person.role,
    cookie: '',
    csrf: '',
    customers: [],
    opportunities: [],
    conversations: [],
    contracts: [],
  };
});
/** Signs in through the proxy: the session cookie and the CSRF token. */
async function signIn(username: string): Promise<{ cookie: string; csrf: string }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify({ username, password: DEMO_PASSWORD });
    const req = http.request(
      {
        host: '127.0.0.1',
        port: PROXY_PORT,
        method: 'POST',
        path: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`sign-in ${username}: ${res.statusCode}`));
          const cookie = String(res.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
          resolve({ cookie, csrf: (JSON.parse(Buffer.concat(chunks).toString()) as { csrfToken: string }).csrfToken });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
for (const session of sessions) Object.assign(session, await signIn(session.username));
log(`${sessions.length} sessions signed in (${new Set(sessions.map((s) => s.username)).size} people)`);

// More customers, as the users would add them (through the API), so searches and lists have something to sift.
const CITIES = ['北京', '上海', '广州', '深圳', '成都', '西安', '杭州', '南京', '武汉', '重庆'];
const WORDS = ['华信', '恒达', '中联', '瑞丰', '金桥', '宏图', '永安', '德润', '东方', '新元', '泰和', '博远'];
const TRADES = ['科技', '制造', '贸易', '医药', '能源', '建设', '物流', '食品', '传媒', '咨询'];
const salesSessions = sessions.filter((s) => ['salesperson', 'manager', 'executive'].includes(s.role));
{
  let n = 0;
  const work = (salesSessions.length ? salesSessions : sessions).flatMap((s) =>
    Array.from({ length: CUSTOMERS_PER_USER }, () => s),
  );
  const made = { ok: 0, refused: 0 };
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      for (;;) {
        const session = work.pop();
        if (!session) return;
        const k = n++;
        const name = `${CITIES[k % 10]}${WORDS[Math.floor(k / 10) % 12]}${TRADES[Math.floor(k / 120) % 10]}有限公司${k}`;
        const answer = await call(session, 'POST', '/api/v1/customers', { name, industry: TRADES[k % 10] });
        if (answer.status === 201) made.ok++;
        else made.refused++;
      }
    }),
  );
  log(`customers added through the API: ${made.ok} (${made.refused} refused)`);
}

const stages = await sql<{ id: string; business_line_id: string | null; kind: string; pipeline: string }>(
  `SELECT id, business_line_id, kind, coalesce(business_line_id::text, '') AS pipeline FROM pipeline_stages WHERE active`,
);
for (const session of sessions) {
  const mine = (await call(session, 'GET', '/api/v1/customers?view=mine&pageSize=100')).body as {
    items?: { id: string; name: string }[];
  };
  const visible = (await call(session, 'GET', '/api/v1/customers?pageSize=100')).body as {
    items?: { id: string; name: string }[];
  };
  session.customers = (mine.items?.length ? mine.items : (visible.items ?? [])).map((c) => ({
    id: c.id,
    name: c.name,
  }));
  const opps = (await call(session, 'GET', '/api/v1/opportunities?view=mine&status=open&pageSize=100')).body as {
    items?: { id: string; businessLineId: string; stageId: string }[];
  };
  session.opportunities = (opps.items ?? []).map((o) => ({
    id: o.id,
    businessLineId: o.businessLineId,
    stageId: o.stageId,
  }));
  const conversations = (await call(session, 'GET', '/api/v1/conversations')).body as { id: string }[];
  session.conversations = Array.isArray(conversations) ? conversations.map((c) => c.id) : [];
  if (session.role === 'finance') {
    const contracts = (await call(session, 'GET', '/api/v1/contracts?status=signed&pageSize=100')).body as {
      items?: { id: string }[];
    };
    const inProgress = (await call(session, 'GET', '/api/v1/contracts?status=in-progress&pageSize=100')).body as {
      items?: { id: string }[];
    };
    session.contracts = [...(contracts.items ?? []), ...(inProgress.items ?? [])].map((c) => c.id);
  }
}
// An opportunity is moved by one session only (its first session of its owner), so moves do not race each other.
{
  const taken = new Set<string>();
  for (const session of sessions) {
    session.opportunities = session.opportunities.filter((o) => !taken.has(o.id));
    for (const o of session.opportunities) taken.add(o.id);
  }
}
// Who hears each conversation's messages: the people whose list has it (a department channel: everyone in the
// department and below; a group, one-to-one or record conversation: its members).
const conversationIds = [...new Set(sessions.flatMap((s) => s.conversations))];
const readersOf = new Map<string, Set<string>>();
for (const s of sessions)
  for (const c of s.conversations) (readersOf.get(c) ?? readersOf.set(c, new Set()).get(c)!).add(s.userId);
log(
  `fixtures: ${sessions.reduce((n, s) => n + s.customers.length, 0)} customer slots, ` +
    `${sessions.reduce((n, s) => n + s.opportunities.length, 0)} movable opportunities, ` +
    `${conversationIds.length} conversations, ${sessions.filter((s) => s.contracts.length).length} finance sessions ` +
    `(${sessions.find((s) => s.contracts.length)?.contracts.length ?? 0} receivable contracts)`,
);

// ---------------------------------------------------------------- the live channel of every session

type Listener = {
  session: Session;
  socket: WebSocket | null;
  /** conversation|seq → times heard over a socket. */
  heard: Map<string, number>;
  /** conversation|seq heard only through the catch-up. */
  caughtUp: Set<string>;
  /** conversation → highest seq heard (socket or catch-up). */
  lastSeq: Map<string, number>;
  /** conversation → seqs heard (dedup of the catch-up). */
  seqs: Map<string, Set<number>>;
  reconnects: number;
  closed: boolean;
};
const listeners: Listener[] = sessions.map((session) => ({
  session,
  socket: null,
  heard: new Map(),
  caughtUp: new Set(),
  lastSeq: new Map(),
  seqs: new Map(),
  reconnects: 0,
  closed: false,
}));
let stopping = false;
const catchUpStats = { runs: 0, messages: 0, alreadyHeard: 0 };

function noteMessage(listener: Listener, conversationId: string, seq: number, viaSocket: boolean) {
  const seen = listener.seqs.get(conversationId) ?? new Set<number>();
  listener.seqs.set(conversationId, seen);
  const key = `${conversationId}|${seq}`;
  if (viaSocket) {
    listener.heard.set(key, (listener.heard.get(key) ?? 0) + 1);
  } else {
    if (seen.has(seq)) {
      catchUpStats.alreadyHeard++;
      return;
    }
    catchUpStats.messages++;
    listener.caughtUp.add(key);
  }
  seen.add(seq);
  if (seq > (listener.lastSeq.get(conversationId) ?? 0)) listener.lastSeq.set(conversationId, seq);
}

function connect(listener: Listener, catchUpFrom: Map<string, number> | null): Promise<void> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${PROXY_PORT}/api/v1/events`, {
      headers: { cookie: listener.session.cookie },
    });
    listener.socket = socket;
    let opened = false;
    socket.on('message', (data) => {
      const event = JSON.parse(String(data)) as { type: string; conversationId?: string; seq?: number };
      if (event.type === 'hello') {
        opened = true;
        resolve();
        if (catchUpFrom) void catchUp(listener, catchUpFrom);
        return;
      }
      if (event.type !== 'chat.message') return;
      noteMessage(listener, event.conversationId!, event.seq!, true);
    });
    const reconnect = () => {
      if (stopping || listener.closed) return;
      listener.closed = true;
      if (!opened) resolve();
      // What was heard before the socket closed: the catch-up starts after it.
      const from = new Map(listener.lastSeq);
      listener.reconnects++;
      void (async () => {
        for (let attempt = 0; !stopping; attempt++) {
          await sleep(Math.min(500 * 2 ** attempt, 5000) + Math.random() * 500);
          listener.closed = false;
          await connect(listener, from);
          if (listener.socket?.readyState === WebSocket.OPEN) return;
          listener.closed = false;
        }
      })();
    };
    socket.on('close', reconnect);
    socket.on('error', () => {
      /* 'close' follows */
    });
  });
}

/** After a reconnect: every conversation's messages after the last seq heard before the socket closed. */
async function catchUp(listener: Listener, from: Map<string, number>) {
  catchUpStats.runs++;
  for (const conversationId of listener.session.conversations) {
    let after = from.get(conversationId) ?? 0;
    for (;;) {
      const answer = await step(
        'catch-up',
        listener.session,
        'GET',
        `/api/v1/conversations/${conversationId}/messages?after=${after}&limit=200`,
      );
      if (answer.status !== 200) {
        await sleep(1000);
        continue;
      }
      const page = answer.body as { items: { seq: number }[]; hasAfter: boolean };
      for (const m of page.items) noteMessage(listener, conversationId, m.seq, false);
      if (!page.hasAfter || page.items.length === 0) break;
      after = page.items.at(-1)!.seq;
    }
  }
}
await Promise.all(listeners.map((l) => connect(l, null)));
log(`${listeners.filter((l) => l.socket?.readyState === WebSocket.OPEN).length} live channels open`);

// ---------------------------------------------------------------- the writes the run must find afterwards

const acknowledged = {
  contactLogs: [] as string[],
  messages: [] as { id: string; clientId: string; conversationId: string; seq: number }[],
  receipts: [] as string[],
  reminders: [] as { id: string; note: string; remindAt: number; userId: string }[],
  moves: [] as { opportunityId: string; stageId: string; userId: string }[],
};
/** Posts that did not answer 2xx but may have been written (in flight on the killed instance). */
const unacknowledgedPosts = new Set<string>();

const pickOf = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
let counter = 0;
let runStartedAt = 0;

type Action = { flow: Flow; weight: number; run: (s: Session) => Promise<void> };
const ACTIONS: Action[] = [
  {
    flow: 'search',
    weight: 25,
    run: async (s) => {
      const customer = pickOf(s.customers);
      const q = customer ? [...customer.name].slice(0, 2 + Math.floor(Math.random() * 3)).join('') : pickOf(CITIES);
      await step('search', s, 'GET', `/api/v1/customers?q=${encodeURIComponent(q)}&pageSize=20`);
    },
  },
  {
    flow: 'open-customer',
    weight: 20,
    run: async (s) => {
      const customer = pickOf(s.customers);
      if (!customer) return;
      await step('open-customer', s, 'GET', `/api/v1/customers/${customer.id}`);
      await step('open-customer', s, 'GET', `/api/v1/customers/${customer.id}/overview`);
      await step('open-customer', s, 'GET', `/api/v1/contact-logs?customerId=${customer.id}&pageSize=20`);
    },
  },
  {
    flow: 'log-contact',
    weight: 12,
    run: async (s) => {
      const customer = pickOf(s.customers);
      if (!customer) return;
      const answer = await step('log-contact', s, 'POST', '/api/v1/contact-logs', {
        customerId: customer.id,
        direction: pickOf(['inbound', 'outbound']),
        channel: pickOf(['phone', 'visit', 'email', 'wechat', 'meeting']),
        summary: `${RUN_TAG} 沟通年审安排 #${++counter}`,
        ...(Math.random() < 0.5 ? { nextContactOn: dayAfter(2 + Math.floor(Math.random() * 20)) } : {}),
      });
      if (answer.status >= 200 && answer.status < 300)
        acknowledged.contactLogs.push((answer.body as { id: string }).id);
    },
  },
  {
    flow: 'move-opportunity',
    weight: 8,
    run: async (s) => {
      const opportunity = pickOf(s.opportunities);
      if (!opportunity) return;
      const choices = stages.filter(
        (st) =>
          st.kind === 'open' &&
          st.id !== opportunity.stageId &&
          (st.business_line_id ?? '') === (stages.find((x) => x.id === opportunity.stageId)?.business_line_id ?? ''),
      );
      if (choices.length === 0) return;
      const target = pickOf(choices);
      const answer = await step('move-opportunity', s, 'POST', `/api/v1/opportunities/${opportunity.id}/move`, {
        stageId: target.id,
        note: `${RUN_TAG} 推进`,
      });
      if (answer.status >= 200 && answer.status < 300) {
        acknowledged.moves.push({ opportunityId: opportunity.id, stageId: target.id, userId: s.userId });
        opportunity.stageId = target.id;
      }
    },
  },
  {
    flow: 'chat-post',
    weight: 15,
    run: async (s) => {
      const conversationId = pickOf(s.conversations);
      if (!conversationId) return;
      const clientId = `${RUN_TAG}-${++counter}`;
      const answer = await step('chat-post', s, 'POST', `/api/v1/conversations/${conversationId}/messages`, {
        body: `${pickOf(['收到', '好的，我下午联系客户', '报价已发', '请看一下这个客户的年审进度', '明天拜访'])} (${clientId})`,
        clientId,
      });
      if (answer.status === 201) {
        const m = answer.body as { id: string; seq: number };
        acknowledged.messages.push({ id: m.id, clientId, conversationId, seq: m.seq });
      } else unacknowledgedPosts.add(clientId);
    },
  },
  {
    flow: 'set-reminder',
    weight: 4,
    run: async (s) => {
      const customer = pickOf(s.customers);
      // Due within the run, at least a minute before its end.
      const left = RUN_MS - (now() - runStartedAt) - Math.min(60_000, RUN_MS / 4);
      if (!customer || left < 15_000) return;
      const remindAt = Date.now() + 10_000 + Math.random() * (left - 10_000);
      const note = `${RUN_TAG}-r${++counter}`;
      const answer = await step('set-reminder', s, 'POST', '/api/v1/reminders', {
        customerId: customer.id,
        remindAt: new Date(remindAt).toISOString(),
        note,
      });
      if (answer.status === 201)
        acknowledged.reminders.push({ id: (answer.body as { id: string }).id, note, remindAt, userId: s.userId });
    },
  },
  {
    flow: 'notifications',
    weight: 8,
    run: async (s) => void (await step('notifications', s, 'GET', '/api/v1/notifications')),
  },
];
const RECEIPT: Action = {
  flow: 'receipt',
  weight: 40,
  run: async (s) => {
    const contractId = pickOf(s.contracts);
    if (!contractId) return;
    const answer = await step('receipt', s, 'POST', '/api/v1/receipts', {
      contractId,
      receivedOn: today,
      amount: `${100 + Math.floor(Math.random() * 9900)}.${String(Math.floor(Math.random() * 100)).padStart(2, '0')}`,
      payer: '客户财务部',
      bankReference: `${RUN_TAG}-${++counter}`,
      holdExcess: true,
    });
    if (answer.status >= 200 && answer.status < 300) acknowledged.receipts.push((answer.body as { id: string }).id);
  },
};

/** Contact logs, reminders on customers and opportunity moves are the sales people's; the others read and chat. */
const SALES_ROLES = new Set(['salesperson', 'manager', 'executive']);
const SALES_FLOWS = new Set<Flow>(['log-contact', 'set-reminder', 'move-opportunity']);
function chooseAction(s: Session): Action {
  const mine = SALES_ROLES.has(s.role) ? ACTIONS : ACTIONS.filter((a) => !SALES_FLOWS.has(a.flow));
  const actions = s.contracts.length ? [...mine, RECEIPT] : mine;
  const total = actions.reduce((n, a) => n + a.weight, 0);
  let r = Math.random() * total;
  for (const a of actions) if ((r -= a.weight) < 0) return a;
  return actions[0]!;
}

// ---------------------------------------------------------------- the run

const loadBefore = os.loadavg();
const loadSamples: number[] = [];
const loadTimer = setInterval(() => loadSamples.push(os.loadavg()[0]!), 10_000);
measuring = true;
runStartedAt = now();
log(`run: ${MINUTES} min, ${USERS} users, instance ${PORTS[KILLED]} killed at ${(KILL_AT_MS / 1000).toFixed(0)} s`);
let restartAt: number | null = null;
let restartedAt: number | null = null;
const chaos = (async () => {
  await sleep(KILL_AT_MS);
  const victim = instances[KILLED]!;
  killAt = now();
  victim.proc!.kill('SIGKILL');
  log(`SIGKILL instance ${victim.port}`);
  await victim.exited;
  await sleep(DOWN_MS);
  restartAt = now();
  log(`starting instance ${victim.port} again`);
  await start(victim);
  restartedAt = now();
  log(`instance ${victim.port} serving again after ${((restartedAt - restartAt) / 1000).toFixed(1)} s`);
})();
const progressTimer = setInterval(() => {
  const n = samples.length;
  const errors = samples.filter((x) => x.status >= 500 || x.status === 0).length;
  log(`${n} requests, ${errors} 5xx/failed, load ${os.loadavg()[0]!.toFixed(2)}`);
}, 30_000);
const endAt = runStartedAt + RUN_MS;
await Promise.all(
  sessions.map(async (s) => {
    await sleep(Math.random() * THINK_MS);
    while (now() < endAt) {
      const action = chooseAction(s);
      await action.run(s);
      await sleep(THINK_MS * (0.3 + Math.random() * 1.4));
    }
  }),
);
measuring = false;
const runSeconds = (now() - runStartedAt) / 1000;
clearInterval(progressTimer);
await chaos;
log('run over; letting the last deliveries and catch-ups arrive');

// ---------------------------------------------------------------- checks

// Deliveries: every acknowledged message to every listening session of a member, once.
const sessionsOf = new Map<string, Listener[]>();
for (const l of listeners)
  (sessionsOf.get(l.session.userId) ?? sessionsOf.set(l.session.userId, []).get(l.session.userId)!).push(l);
const delivery = () => {
  let expected = 0;
  let missing = 0;
  let duplicates = 0;
  let viaCatchUp = 0;
  for (const m of acknowledged.messages) {
    for (const userId of readersOf.get(m.conversationId) ?? []) {
      for (const l of sessionsOf.get(userId) ?? []) {
        expected++;
        const key = `${m.conversationId}|${m.seq}`;
        const heard = l.heard.get(key) ?? 0;
        const caught = l.caughtUp.has(key) ? 1 : 0;
        if (heard + caught === 0) missing++;
        if (heard > 1) duplicates += heard - 1;
        if (heard === 0 && caught) viaCatchUp++;
      }
    }
  }
  return { expected, missing, duplicates, viaCatchUp };
};
{
  const until = now() + 30_000;
  while (now() < until && delivery().missing > 0) await sleep(500);
}
const deliveries = delivery();
stopping = true;

// Reminders: those due by now fired once; wait for stragglers (a job the killed instance held expires after 5 min).
async function reminderState() {
  const ids = acknowledged.reminders.map((r) => r.id);
  const rows = await sql<{ id: string; fired: boolean; note: string; notes: number }>(
    `SELECT r.id, r.fired_at IS NOT NULL AS fired, r.note,
            (SELECT count(*)::int FROM notifications n
              WHERE n.kind = 'custom-reminder' AND n.user_id = r.user_id AND n.params->>'note' = r.note) AS notes
       FROM reminders r WHERE r.id = ANY($1::uuid[])`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const due = acknowledged.reminders.filter((r) => r.remindAt <= Date.now());
  return {
    missingRows: acknowledged.reminders.filter((r) => !byId.has(r.id)).length,
    due: due.length,
    unfired: due.filter((r) => !byId.get(r.id)?.fired).length,
    notNotified: due.filter((r) => (byId.get(r.id)?.notes ?? 0) === 0).length,
    notifiedTwice: rows.filter((r) => r.notes > 1).length,
    notYetDue: acknowledged.reminders.length - due.length,
  };
}
const reminderWaitStarted = now();
{
  const started = reminderWaitStarted;
  let state = await reminderState();
  while ((state.unfired > 0 || state.notNotified > 0 || state.notYetDue > 0) && now() - started < 6.5 * 60_000) {
    if (Math.round((now() - started) / 1000) % 30 === 0)
      log(`waiting for reminders: ${state.unfired} due but not fired, ${state.notYetDue} not due yet`);
    await sleep(1000);
    state = await reminderState();
  }
}
const reminderWaitSeconds = (now() - reminderWaitStarted) / 1000;
const reminderCheck = await reminderState();

// Acknowledged writes in the database.
const missingOf = async (table: string, ids: string[]) =>
  ids.length -
  (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE id = ANY($1::uuid[])`, [ids]))[0]!.n;
const lost = {
  contactLogs: await missingOf('contact_logs', acknowledged.contactLogs),
  messages: await missingOf(
    'chat_messages',
    acknowledged.messages.map((m) => m.id),
  ),
  receipts: await missingOf('receipts', acknowledged.receipts),
  reminders: reminderCheck.missingRows,
  moves: 0,
};
{
  const changes = await sql<{ opportunity_id: string; to_stage_id: string; by_user_id: string }>(
    `SELECT opportunity_id, to_stage_id, by_user_id FROM opportunity_stage_changes WHERE at >= $1`,
    [new Date(Date.now() - (now() - runStartedAt) - 5000)],
  );
  const bag = new Map<string, number>();
  for (const c of changes) {
    const key = `${c.opportunity_id}|${c.to_stage_id}|${c.by_user_id}`;
    bag.set(key, (bag.get(key) ?? 0) + 1);
  }
  for (const m of acknowledged.moves) {
    const key = `${m.opportunityId}|${m.stageId}|${m.userId}`;
    const left = bag.get(key) ?? 0;
    if (left === 0) lost.moves++;
    else bag.set(key, left - 1);
  }
}
// Seqs: no message lost between commit and the sockets, and none twice in a conversation.
const seqCheck = await sql<{ duplicates: number }>(
  `SELECT count(*)::int AS duplicates FROM (SELECT conversation_id, seq FROM chat_messages GROUP BY 1, 2 HAVING count(*) > 1) d`,
);
const loadAfter = os.loadavg();
clearInterval(loadTimer);

// ---------------------------------------------------------------- the report

const pct = (list: number[], p: number) =>
  list.length ? list[Math.min(list.length - 1, Math.floor((list.length * p) / 100))]! : NaN;
const FLOWS: Flow[] = [
  'search',
  'open-customer',
  'log-contact',
  'move-opportunity',
  'chat-post',
  'set-reminder',
  'notifications',
  'receipt',
  'catch-up',
];
const killedWindow = (x: Sample) => x.inflightLost && x.upstream === KILLED && killAt !== null && x.at >= killAt;
const rows = FLOWS.map((flow) => {
  const mine = samples.filter((x) => x.flow === flow);
  const times = mine.map((x) => x.ms).sort((a, b) => a - b);
  const ok = mine.filter((x) => x.status >= 200 && x.status < 400).length;
  const refused = mine.filter((x) => x.status >= 400 && x.status < 500);
  const codes = [...new Set(refused.map((x) => x.status))].sort().join(', ');
  const fiveKilled = mine.filter((x) => (x.status >= 500 || x.status === 0) && killedWindow(x)).length;
  const fiveOther = mine.filter((x) => (x.status >= 500 || x.status === 0) && !killedWindow(x)).length;
  return `| ${flow} | ${mine.length} | ${(mine.length / runSeconds).toFixed(2)} | ${pct(times, 50).toFixed(0)} | ${pct(times, 99).toFixed(0)} | ${ok} | ${refused.length}${codes ? ` (${codes})` : ''} | ${fiveKilled} | ${fiveOther} |`;
});
const all = samples.map((x) => x.ms).sort((a, b) => a - b);
const fiveKilledTotal = samples.filter((x) => (x.status >= 500 || x.status === 0) && killedWindow(x)).length;
const fiveOtherTotal = samples.filter((x) => (x.status >= 500 || x.status === 0) && !killedWindow(x)).length;
const otherStatuses = [
  ...new Set(samples.filter((x) => (x.status >= 500 || x.status === 0) && !killedWindow(x)).map((x) => x.status)),
];
const lostTotal = Object.values(lost).reduce((a, b) => a + b, 0);
const goal = {
  writes: lostTotal === 0,
  reminders:
    reminderCheck.unfired === 0 &&
    reminderCheck.notNotified === 0 &&
    reminderCheck.notifiedTwice === 0 &&
    reminderCheck.notYetDue === 0,
  chat: deliveries.missing === 0 && deliveries.duplicates === 0 && seqCheck[0]!.duplicates === 0,
  fiveHundreds: fiveOtherTotal === 0,
};
const pgVersion = (await sql<{ server_version: string }>('SHOW server_version'))[0]!.server_version;
const report = `
| | |
|---|---|
| run | ${runSeconds.toFixed(0)} s, ${USERS} sessions of ${new Set(sessions.map((s) => s.username)).size} demo staff, think time ${THINK_MS} ms mean |
| engine | PostgreSQL ${pgVersion}, two \`gongdan serve\` instances (Node ${process.version}) behind the bench's round-robin proxy |
| machine | ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), shared with other engineers' work; load average ${loadBefore.map((n) => n.toFixed(2)).join(' ')} before, ${loadAfter.map((n) => n.toFixed(2)).join(' ')} after, 1-min average during the run ${loadSamples.length ? `${Math.min(...loadSamples).toFixed(2)}–${Math.max(...loadSamples).toFixed(2)}` : 'n/a'} |
| data | the demo firm + ${CUSTOMERS_PER_USER} customers per sales session added through the API before the run |
| the kill | instance :${PORTS[KILLED]} SIGKILLed at ${killAt === null ? '—' : ((killAt - runStartedAt) / 1000).toFixed(0) + ' s'}, started again at ${restartAt === null ? '—' : ((restartAt - runStartedAt) / 1000).toFixed(0) + ' s'}, serving at ${restartedAt === null ? '—' : ((restartedAt - runStartedAt) / 1000).toFixed(0) + ' s'}; the proxy took it out ${proxyStats.takenOut}×, put it back ${proxyStats.putBack}×, sent ${proxyStats.retriedElsewhere} refused connections to the other instance |
| throughput | ${samples.length} requests, ${(samples.length / runSeconds).toFixed(1)} req/s; all flows p50 ${pct(all, 50).toFixed(0)} ms, p99 ${pct(all, 99).toFixed(0)} ms |
| 5xx | ${fiveKilledTotal} in flight on the killed instance when it died (the proxy's 502), ${fiveOtherTotal} other${otherStatuses.length ? ` (${otherStatuses.join(', ')})` : ''} |
| acknowledged writes | ${acknowledged.contactLogs.length} contact logs, ${acknowledged.messages.length} chat messages, ${acknowledged.moves.length} opportunity moves, ${acknowledged.receipts.length} receipts, ${acknowledged.reminders.length} reminders — missing from the database: ${lost.contactLogs} / ${lost.messages} / ${lost.moves} / ${lost.receipts} / ${lost.reminders} |
| reminders | ${acknowledged.reminders.length} due during the run: ${reminderCheck.unfired} not fired, ${reminderCheck.notNotified} without a notification, ${reminderCheck.notifiedTwice} notified more than once, ${reminderCheck.notYetDue} not yet due at the end (waited ${reminderWaitSeconds.toFixed(0)} s after the run) |
| chat deliveries | ${deliveries.expected} expected (each acknowledged message × each listening session of its members): ${deliveries.missing} missing, ${deliveries.duplicates} heard twice over a socket, ${deliveries.viaCatchUp} by the catch-up after a reconnect; ${listeners.reduce((n, l) => n + l.reconnects, 0)} reconnects, ${catchUpStats.runs} catch-ups (${catchUpStats.messages} messages fetched that the socket had missed, ${catchUpStats.alreadyHeard} already heard); duplicate seqs in a conversation: ${seqCheck[0]!.duplicates}; ${unacknowledgedPosts.size} posts not acknowledged |
| verdict | ${
  Object.values(goal).every(Boolean)
    ? "no acknowledged write lost, every reminder once, every chat message once, no 5xx other than the killed instance's own in-flight requests"
    : `FAILED: ${Object.entries(goal)
        .filter(([, v]) => !v)
        .map(([k]) => k)
        .join(', ')}`
} |

| flow | requests | req/s | p50 ms | p99 ms | 2xx/3xx | 4xx | 5xx in flight on the killed instance | other 5xx / failed |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

Refusals (4xx) by flow and error code: ${[...refusals].map(([key, codes]) => `${key}: ${[...codes].map(([c, n]) => `${c} ×${n}`).join(', ')}`).join('; ') || 'none'}.
`;
console.log(report);
if (opts.out) writeFileSync(opts.out, report);

// ---------------------------------------------------------------- shutting down

for (const l of listeners) l.socket?.close();
for (const instance of instances) if (instance.proc && instance.proc.exitCode === null) instance.proc.kill('SIGTERM');
await Promise.all(instances.map((i) => i.exited));
proxy.close();
await pool.end();
process.exitCode = Object.values(goal).every(Boolean) ? 0 : 1;
