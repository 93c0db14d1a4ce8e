/**
 * Chat load benchmark (issue 18): 100 simulated members connected over WebSocket across two app instances on one
 * PostgreSQL, 20 messages per second for 60 s posted through the HTTP API (spread over the department channel and
 * a few group conversations) → every message must reach every member's socket exactly once, in order per
 * conversation; prints p50 / p99 / max delivery latency (post sent → event received) and a markdown table.
 *
 *   npx tsx bench/chat-load.ts                                      # DATABASE_URL or postgres://…/bench_chat
 *   npx tsx bench/chat-load.ts --rate=5 --seconds=10                # a smoke run
 *
 * Options: --database-url (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bench_chat; created when
 * missing, the benchmark's people and conversations made once and reused), --members=100, --groups=4 (each of
 * ~a third of the members; the department channel has everyone), --rate=20 (messages per second), --seconds=60,
 * --ports=3991,3992.
 *
 * The two instances are real `gongdan serve` processes (LOG_LEVEL=warn, RULES_CRON=off) on the one database; this
 * process signs the members in (an in-process app, sessions are in the database), opens member i's socket on
 * instance i mod 2, and posts: message n in conversation n mod (groups + 1), by a member of it chosen in turn,
 * through instance n mod 2, on a fixed 1/rate schedule (not waiting for answers). Latency is measured in this
 * process (one clock): from just before the POST to the socket's `chat.message` carrying the post's clientId.
 * The machine is shared by the two servers, PostgreSQL and this process (100 sockets): read the load average.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import WebSocket from 'ws';
import { buildApp } from '../server/app';
import { loadConfig } from '../server/config';
import { openDatabase } from '../server/db/client';
import { migrateDatabase } from '../server/db/migrate';
import { hashPassword } from '../server/domains/auth/passwords';
import { bootstrapDatabase } from '../server/seed/bootstrap';
import { seedDepartment, seedUser } from '../server/seed/seeders';

const { values: opts } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    members: { type: 'string', default: '100' },
    groups: { type: 'string', default: '4' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '60' },
    ports: { type: 'string', default: '3991,3992' },
  },
});
const URL_ = opts['database-url'] ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench_chat';
const MEMBERS = Number(opts.members);
const GROUPS = Number(opts.groups);
const RATE = Number(opts.rate);
const SECONDS = Number(opts.seconds);
const PORTS = opts.ports!.split(',').map(Number);
const PASSWORD = 'Bench-pass-1';
const PREFIX = `chatbench${MEMBERS}`;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------- the database and its people

async function ensureDatabase(url: string) {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  await admin.end();
}

await ensureDatabase(URL_);
const database = await openDatabase({ databaseUrl: URL_ });
await migrateDatabase(database);
await bootstrapDatabase(database.db);
const raw = async <T>(text: string, params: unknown[] = []) =>
  (await (database.client as pg.Pool).query(text, params)).rows as T[];

const usernames = Array.from({ length: MEMBERS }, (_, i) => `${PREFIX}-${String(i + 1).padStart(3, '0')}`);
if ((await raw(`SELECT 1 FROM users WHERE username = $1`, [usernames[0]])).length === 0) {
  const department = await seedDepartment(database.db, { name: `聊天压测部${MEMBERS}` });
  const passwordHash = await hashPassword(PASSWORD);
  for (const [i, username] of usernames.entries())
    await seedUser(database.db, {
      username,
      displayName: `压测成员${i + 1}`,
      roleCode: 'staff',
      departmentId: department.id,
      password: PASSWORD,
      passwordHash,
    });
  console.log(`made ${MEMBERS} members in ${department.name}`);
}

// Signing in and the conversations, through an in-process app (not listening) on the same database.
const setup = await buildApp({ database, config: loadConfig({}) });
type Member = { index: number; id: string; cookie: string; csrf: string };
const members: Member[] = [];
for (const [index, username] of usernames.entries()) {
  const res = await setup.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password: PASSWORD },
    remoteAddress: `10.9.${Math.floor(index / 200)}.${(index % 200) + 1}`,
  });
  if (res.statusCode !== 200) throw new Error(`${username}: ${res.statusCode} ${res.body}`);
  const body = res.json() as { user: { id: string }; csrfToken: string };
  members.push({
    index,
    id: body.user.id,
    cookie: String(res.headers['set-cookie']).split(';')[0]!,
    csrf: body.csrfToken,
  });
}
const api = async (member: Member, method: 'GET' | 'POST', url: string, payload?: object) => {
  const res = await setup.inject({
    method,
    url,
    headers: { cookie: member.cookie, 'x-csrf-token': member.csrf },
    ...(payload ? { payload } : {}),
  });
  if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return res.json();
};
type Conversation = { id: string; title: string; members: Member[] };
const conversationsUsed: Conversation[] = [];
{
  const listed = (await api(members[0]!, 'GET', '/api/v1/conversations')) as {
    id: string;
    kind: string;
    title: string;
  }[];
  const channel = listed.find((c) => c.kind === 'department')!;
  conversationsUsed.push({ id: channel.id, title: channel.title, members });
  const third = Math.ceil(MEMBERS / 3);
  for (let g = 0; g < GROUPS; g++) {
    const title = `压测群${g + 1}`;
    // Each group: a third of the members, starting further along each time (overlapping).
    const chosen = Array.from({ length: third }, (_, k) => members[(g * Math.ceil(MEMBERS / GROUPS) + k) % MEMBERS]!);
    let found = listed.find((c) => c.kind === 'group' && c.title === title);
    if (!found)
      found = await api(chosen[0]!, 'POST', '/api/v1/conversations', {
        kind: 'group',
        title,
        memberIds: chosen.slice(1).map((m) => m.id),
      });
    conversationsUsed.push({ id: found!.id, title, members: chosen });
  }
}
await setup.close();

// ---------------------------------------------------------------- two instances

type Server = { proc: ChildProcess; port: number; stop(): Promise<void> };

async function startServer(port: number): Promise<Server> {
  const env = {
    ...process.env,
    DATABASE_URL: URL_,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RULES_CRON: 'off',
  };
  const proc = spawn(process.execPath, ['bin/gongdan.js', 'serve'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.once('exit', () => ((exited = true), resolve())));
  for (;;) {
    if (exited) throw new Error(`the server on ${port} exited while starting`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2000) })).ok) break;
    } catch {
      /* not yet */
    }
    await sleep(300);
  }
  return {
    proc,
    port,
    async stop() {
      if (!exited) proc.kill('SIGTERM');
      await exit;
    },
  };
}

const servers = await Promise.all(PORTS.slice(0, 2).map(startServer));
console.log(
  `instances on ${PORTS.join(', ')}; ${conversationsUsed.map((c) => `${c.title} (${c.members.length})`).join(', ')}`,
);

// ---------------------------------------------------------------- the members' sockets

/** What each member's socket received: per conversation the seqs in order, and clientId → received at. */
type Received = { seqs: Map<string, number[]>; at: Map<string, number>; count: Map<string, number> };
const received = new Map<string, Received>();
const sockets: WebSocket[] = [];
await Promise.all(
  members.map(
    (member) =>
      new Promise<void>((resolve, reject) => {
        const port = PORTS[member.index % 2]!;
        const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/events`, { headers: { cookie: member.cookie } });
        const mine: Received = { seqs: new Map(), at: new Map(), count: new Map() };
        received.set(member.id, mine);
        sockets.push(socket);
        socket.on('message', (data) => {
          const now = performance.now();
          const event = JSON.parse(String(data)) as {
            type: string;
            conversationId?: string;
            seq?: number;
            clientId?: string;
          };
          if (event.type === 'hello') return resolve();
          if (event.type !== 'chat.message') return;
          const list = mine.seqs.get(event.conversationId!) ?? [];
          list.push(event.seq!);
          mine.seqs.set(event.conversationId!, list);
          if (event.clientId) {
            mine.count.set(event.clientId, (mine.count.get(event.clientId) ?? 0) + 1);
            if (!mine.at.has(event.clientId)) mine.at.set(event.clientId, now);
          }
        });
        socket.on('close', (code) => reject(new Error(`member ${member.index}: socket closed ${code}`)));
        socket.on('error', reject);
      }),
  ),
);
console.log(`${sockets.length} sockets open`);

// ---------------------------------------------------------------- posting

type Post = {
  clientId: string;
  conversation: Conversation;
  sentAt: number;
  status?: number;
  seq?: number;
  answeredAt?: number;
};
const posts: Post[] = [];
const total = RATE * SECONDS;
const turn = new Map<string, number>();
const start = performance.now();
const loadBefore = os.loadavg();
const inflight: Promise<void>[] = [];
for (let n = 0; n < total; n++) {
  const due = start + (n * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  const conversation = conversationsUsed[n % conversationsUsed.length]!;
  const k = turn.get(conversation.id) ?? 0;
  turn.set(conversation.id, k + 1);
  const poster = conversation.members[(k * 7) % conversation.members.length]!;
  const post: Post = { clientId: `bench-${n}`, conversation, sentAt: performance.now() };
  posts.push(post);
  inflight.push(
    fetch(`http://127.0.0.1:${PORTS[n % 2]}/api/v1/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { cookie: poster.cookie, 'x-csrf-token': poster.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ body: `压测消息 ${n}：第${k + 1}条`, clientId: post.clientId }),
    }).then(
      async (res) => {
        post.status = res.status;
        post.answeredAt = performance.now();
        const body = (await res.json()) as { seq?: number };
        post.seq = body.seq;
      },
      () => {
        post.status = 0;
      },
    ),
  );
}
const sendingSeconds = (performance.now() - start) / 1000;
await Promise.all(inflight);
const postingSeconds = (performance.now() - start) / 1000;
// Let the last deliveries arrive.
const expected = (post: Post) => (post.status === 201 ? post.conversation.members.length : 0);
const deliveredOf = (post: Post) =>
  post.conversation.members.filter((m) => received.get(m.id)!.at.has(post.clientId)).length;
const settleEnd = performance.now() + 15_000;
while (performance.now() < settleEnd && posts.some((p) => deliveredOf(p) < expected(p))) await sleep(200);
const loadAfter = os.loadavg();

// ---------------------------------------------------------------- checking

const failedPosts = posts.filter((p) => p.status !== 201);
let expectedDeliveries = 0;
let missing = 0;
let duplicates = 0;
const latencies: number[] = [];
/** From the POST's answer (the message committed) to the socket: the live channel's own part. */
const afterAnswer: number[] = [];
for (const post of posts) {
  if (post.status !== 201) continue;
  for (const member of post.conversation.members) {
    expectedDeliveries++;
    const mine = received.get(member.id)!;
    const count = mine.count.get(post.clientId) ?? 0;
    if (count === 0) missing++;
    if (count > 1) duplicates += count - 1;
    const at = mine.at.get(post.clientId);
    if (at !== undefined) latencies.push(at - post.sentAt);
    if (at !== undefined && post.answeredAt !== undefined) afterAnswer.push(at - post.answeredAt);
  }
}
// In order per conversation: each socket's seqs strictly increasing, and every posted seq there (no gaps).
let outOfOrder = 0;
for (const conversation of conversationsUsed) {
  const postedSeqs = posts
    .filter((p) => p.conversation === conversation && p.status === 201)
    .map((p) => p.seq!)
    .sort((a, b) => a - b);
  for (const member of conversation.members) {
    const seqs = received.get(member.id)!.seqs.get(conversation.id) ?? [];
    for (let i = 1; i < seqs.length; i++) if (seqs[i]! <= seqs[i - 1]!) outOfOrder++;
    const got = new Set(seqs);
    if (postedSeqs.some((seq) => !got.has(seq)) && missing === 0) outOfOrder++;
  }
}
latencies.sort((a, b) => a - b);
afterAnswer.sort((a, b) => a - b);
const pct = (list: number[], p: number) =>
  list.length ? list[Math.min(list.length - 1, Math.floor((list.length * p) / 100))]! : NaN;
const postTimes = posts
  .filter((p) => p.answeredAt !== undefined)
  .map((p) => p.answeredAt! - p.sentAt)
  .sort((a, b) => a - b);
const ms = (n: number) => `${n.toFixed(1)} ms`;
const ok = failedPosts.length === 0 && missing === 0 && duplicates === 0 && outOfOrder === 0;

console.log(`
| | |
|---|---|
| engine | PostgreSQL ${(await raw<{ server_version: string }>('SHOW server_version'))[0]!.server_version}, two \`gongdan serve\` instances |
| machine | ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), load average ${loadBefore.map((n) => n.toFixed(1)).join(' ')} before, ${loadAfter.map((n) => n.toFixed(1)).join(' ')} after |
| members connected | ${sockets.length} (${Math.ceil(MEMBERS / 2)} on each instance) |
| conversations | ${conversationsUsed.map((c) => `${c.title} (${c.members.length})`).join(', ')} |
| messages posted | ${posts.length} sent over ${sendingSeconds.toFixed(1)} s (${(posts.length / sendingSeconds).toFixed(1)}/s), all answered after ${postingSeconds.toFixed(1)} s, ${failedPosts.length} refused or failed${failedPosts.length ? ` (${[...new Set(failedPosts.map((p) => p.status))].join(', ')})` : ''} |
| deliveries expected | ${expectedDeliveries} |
| missing / duplicated / out of order | ${missing} / ${duplicates} / ${outOfOrder} |
| delivery latency p50 / p99 / max | ${ms(pct(latencies, 50))} / ${ms(pct(latencies, 99))} / ${ms(latencies.at(-1) ?? NaN)} |
| POST answered p50 / p99 | ${ms(pct(postTimes, 50))} / ${ms(pct(postTimes, 99))} |
| delivery after the POST's answer p50 / p99 (negative: before it) | ${ms(pct(afterAnswer, 50))} / ${ms(pct(afterAnswer, 99))} |
| verdict | ${ok ? 'every message delivered to every member socket once, in order' : 'FAILED'} |
`);

for (const socket of sockets) {
  socket.removeAllListeners('close');
  socket.close();
}
await Promise.all(servers.map((s) => s.stop()));
await database.close();
process.exitCode = ok ? 0 : 1;
