/**
 * What posting a chat message costs, statement by statement (issue 18): postMessage called directly (no HTTP) by a
 * member of the chat-load benchmark's department (its channel: 100 people) and of one of its groups (34), one post
 * after another; every statement the driver sends is timed from the call to its answer (round trip included) and
 * summed per statement. Every 5th post mentions a colleague (chatbench100-002, a member of both). Run it on the database chat-load.ts made (people and conversations already there):
 *
 *   npx tsx bench/chat-post-profile.ts --database-url=postgres://postgres@127.0.0.1:5432/bench_chat_live [--posts=200]
 *
 * It adds its posts to that database (2 × posts messages, marked "profile").
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Ctx } from '../server/context';
import { openDatabase } from '../server/db/client';
import { postMessage } from '../server/domains/chat/messages.service';
import { loadActor } from '../server/domains/staff/actors';

const { values: opts } = parseArgs({
  options: { 'database-url': { type: 'string' }, posts: { type: 'string', default: '200' } },
});
const URL_ = opts['database-url'] ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench_chat_live';
const POSTS = Number(opts.posts);

type Stat = { n: number; ms: number };
let stats: Map<string, Stat> | null = null;
const label = (text: string) =>
  text
    .replace(/\s+/g, ' ')
    .replace(/"([a-z_]+)"/g, '$1')
    .slice(0, 110);
const clientQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
  const started = performance.now();
  const into = stats;
  const done = () => {
    if (!into || !text) return;
    const s = into.get(label(text)) ?? { n: 0, ms: 0 };
    s.n += 1;
    s.ms += performance.now() - started;
    into.set(label(text), s);
  };
  // pg.Pool's query passes a callback (statements outside a transaction); a transaction's client awaits a promise.
  const last = args.length - 1;
  if (typeof args[last] === 'function') {
    const callback = args[last] as (...r: unknown[]) => void;
    args[last] = (...r: unknown[]) => {
      done();
      callback(...r);
    };
  }
  const result = (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
  if (result instanceof Promise) void result.then(done, () => {});
  return result;
} as typeof pg.Client.prototype.query;

const database = await openDatabase({ databaseUrl: URL_ });
const raw = async <T>(text: string, params: unknown[] = []) =>
  (await (database.client as pg.Pool).query(text, params)).rows as T[];
try {
  const [poster] = await raw<{ id: string; department_id: string }>(
    `SELECT id, department_id FROM users WHERE username = 'chatbench100-001'`,
  );
  if (!poster) throw new Error('run bench/chat-load.ts on this database first');
  const actor = (await loadActor(database.db, poster.id))!;
  const [other] = await raw<{ id: string }>(`SELECT id FROM users WHERE username = 'chatbench100-002'`);
  const ctx: Ctx = { db: database.db, actor, requestId: 'profile', jobs: undefined as never };
  const [channel] = await raw<{ id: string }>(
    `SELECT id FROM conversations WHERE kind = 'department' AND department_id = $1`,
    [poster.department_id],
  );
  const [group] = await raw<{ id: string; n: number }>(
    `SELECT c.id, (SELECT count(*)::int FROM conversation_members x WHERE x.conversation_id = c.id AND x.left_at IS NULL) AS n
     FROM conversations c JOIN conversation_members m ON m.conversation_id = c.id AND m.user_id = $1 AND m.left_at IS NULL
     WHERE c.kind = 'group' ORDER BY c.title LIMIT 1`,
    [poster.id],
  );
  const recipients = Number(
    (
      await raw<{ n: number }>(
        `SELECT count(*)::int AS n FROM users u JOIN departments d ON d.id = u.department_id
         WHERE u.active AND d.path LIKE (SELECT path FROM departments WHERE id = $1) || '%'`,
        [poster.department_id],
      )
    )[0]!.n,
  );
  for (const [name, id, people] of [
    ['department channel', channel!.id, recipients],
    ['group', group!.id, group!.n],
  ] as const) {
    for (let i = 0; i < 20; i++)
      await postMessage(ctx, id, {
        body: `profile warm-up ${i}`,
        mentions: [],
        links: [],
        fileIds: [],
        mentionAll: false,
      });
    stats = new Map();
    const started = performance.now();
    for (let i = 0; i < POSTS; i++)
      await postMessage(ctx, id, {
        body: `profile ${i} 明天上午开会`,
        mentions: i % 5 === 0 ? [other!.id] : [],
        links: [],
        fileIds: [],
        mentionAll: false,
      });
    const wall = (performance.now() - started) / POSTS;
    const collected = stats;
    stats = null;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const rows = [...collected.entries()].sort((a, b) => b[1].ms - a[1].ms);
    const sum = rows.reduce((s, [, v]) => s + v.ms, 0) / POSTS;
    console.log(
      `\n### postMessage in a ${name} (${people} people): ${wall.toFixed(2)} ms per post, ${POSTS} posts one after another`,
    );
    console.log(`statements: ${sum.toFixed(2)} ms per post (round trips included)\n`);
    console.log('| statement | per post | ms per post |\n|---|---|---|');
    for (const [text, s] of rows)
      console.log(`| \`${text.replace(/\|/g, '\\|')}\` | ${(s.n / POSTS).toFixed(2)} | ${(s.ms / POSTS).toFixed(3)} |`);
  }
} finally {
  await database.close();
}
