/**
 * Team chat benchmark (issue 18, Performance): C conversations (default 20,000 on PostgreSQL, 2,000 on PGlite) of
 * 100 messages each (2,000,000 / 200,000), one reader who is a member of 200 of them (199 groups and his department's
 * channel). Measured in the same run, each against the best hand-written SQL of the same answer (limit 1.5×):
 * (a) opening a conversation — listMessages, the newest 50 top-level messages in the ChatMessage shape, vs one
 *     statement that checks membership and reads the page with the same author / mentions / files / reactions;
 * (b) the reader's conversation list with unread counts (capped at 100) and unread mentions — listConversations vs
 *     one statement over his memberships and his departments' channels;
 * (c) the search for a two-character word (审计 in ~2% of the messages, 函证 in ~0.1%) — searchMessages vs the same
 *     lookup over his conversations written by hand.
 * The services are called directly with the reader's ctx (no HTTP), so a ratio is the service's SQL and mapping
 * against the plain statement.
 *
 *   npx tsx bench/chat.ts [conversations]
 * PGlite by default (a temporary directory); PostgreSQL with DATABASE_URL — a scratch database of its own, e.g.
 *   psql -h 127.0.0.1 -U postgres -c 'create database bench_chat_search'
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_chat_search npx tsx bench/chat.ts
 * (reused when already filled; drop it afterwards). BENCH_RUNS (default 15) measured runs per path.
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Ctx } from '../server/context';
import { migrateDatabase } from '../server/db/migrate';
import { listConversations, syncDepartmentChannels } from '../server/domains/chat/conversations.service';
import { listMessages } from '../server/domains/chat/messages.service';
import { searchMessages } from '../server/domains/chat/search.service';
import { loadActor } from '../server/domains/staff/actors';
import { bootstrapDatabase } from '../server/seed/bootstrap';
import { seedUser } from '../server/seed/seeders';
import { benchDatabase, interleaved, progress, report, wrapDriver } from './lib';

const { database, dir: tmp } = await benchDatabase();
const postgres = database.engine === 'postgres';
const C = Number(process.argv[2] ?? (postgres ? 20_000 : 2_000));
const PER = 100;
const USERS = 400;
const DEPARTMENTS = 20;
const MEMBER_GROUPS = 199;
const { raw } = wrapDriver(database);

/**
 * Words of a firm's chat, most common first (a cube-law spread picks them). None holds 审, 计, 函 or 证, so the
 * searched words occur exactly where placed (no pair made across two words).
 */
const WORDS = (
  '好的 收到 明天 今天 客户 项目 合同 报告 资料 发票 下午 上午 开会 确认 一下 已经 还是 需要 可以 这个 ' +
  '那个 我们 你们 他们 时间 地点 周一 周二 周三 周四 周五 谢谢 麻烦 安排 准备 提交 修改 看看 问题 没有 ' +
  '底稿 盘点 存货 银行 对账 往来 余额 调整 附注 报表 年度 季度 月度 期末 期初 税费 申报 社保 薪酬 档案 ' +
  '签字 盖章 寄出 快递 领导 老板 经理 同事 财务 出纳 会计 进场 出场 现场 远程 视频 电话 邮件 微信 文件'
).split(' ');

/** The page of (a) in one statement: membership checked, the newest 50 top-level messages in the ChatMessage shape. */
const OPEN_SQL = `
SELECT m.id, m.conversation_id, m.seq, json_build_object('id', u.id, 'name', u.display_name) AS author,
  CASE WHEN m.deleted_at IS NULL THEN m.body ELSE '' END AS body,
  CASE WHEN m.deleted_at IS NULL AND cardinality(m.mentions) > 0 THEN
    (SELECT coalesce(json_agg(json_build_object('id', p.id, 'name', p.display_name) ORDER BY array_position(m.mentions, p.id)), '[]'::json)
     FROM users p WHERE p.id = ANY(m.mentions)) ELSE '[]'::json END AS mentions,
  m.mention_all, CASE WHEN m.deleted_at IS NULL THEN m.links ELSE '[]'::jsonb END AS links,
  CASE WHEN m.deleted_at IS NULL AND cardinality(m.file_ids) > 0 THEN
    (SELECT coalesce(json_agg(json_build_object('id', f.id, 'filename', f.filename, 'contentType', f.content_type, 'size', f.size,
        'createdAt', to_char(f.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY array_position(m.file_ids, f.id)), '[]'::json)
     FROM files f WHERE f.id = ANY(m.file_ids) AND f.owner_type = 'chat' AND f.owner_id = m.conversation_id) ELSE '[]'::json END AS files,
  m.parent_id, m.reply_count, to_char(m.last_reply_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last_reply_at,
  CASE WHEN m.deleted_at IS NULL THEN
    (SELECT coalesce(json_agg(json_build_object('emoji', r.emoji, 'count', r.n, 'mine', r.mine, 'names', r.names) ORDER BY r.first), '[]'::json)
     FROM (SELECT x.emoji, count(*)::int AS n, bool_or(x.user_id = $2) AS mine, (array_agg(xu.display_name ORDER BY x.created_at))[1:10] AS names,
             min(x.created_at) AS first
           FROM chat_reactions x JOIN users xu ON xu.id = x.user_id WHERE x.message_id = m.id GROUP BY x.emoji) r)
  ELSE '[]'::json END AS reactions,
  to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
  to_char(m.edited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS edited_at, m.deleted_at IS NOT NULL AS deleted,
  to_char(m.pinned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS pinned_at
FROM (SELECT * FROM chat_messages WHERE conversation_id = $1 AND parent_id IS NULL
        AND EXISTS (SELECT 1 FROM conversation_members WHERE conversation_id = $1 AND user_id = $2 AND left_at IS NULL)
      ORDER BY seq DESC LIMIT 51) m
JOIN users u ON u.id = m.author_id
ORDER BY m.seq DESC`;

/** The list of (b) in one statement: his memberships and his departments' channels, title, last message, counts. */
const LIST_SQL = `
WITH mine AS (
  SELECT c.*, mm.last_read_seq, mm.user_id AS member_id, mm.left_at FROM conversation_members mm JOIN conversations c ON c.id = mm.conversation_id
  WHERE mm.user_id = $1 AND mm.left_at IS NULL AND c.kind IN ('group', 'direct') AND c.archived_at IS NULL
  UNION ALL
  SELECT c.*, mm.last_read_seq, mm.user_id, mm.left_at FROM conversations c
  LEFT JOIN conversation_members mm ON mm.conversation_id = c.id AND mm.user_id = $1
  WHERE c.kind = 'department' AND c.department_id = ANY($2::uuid[]) AND c.archived_at IS NULL)
SELECT c.id, c.kind,
  CASE c.kind WHEN 'department' THEN (SELECT d.name FROM departments d WHERE d.id = c.department_id)
    WHEN 'direct' THEN (SELECT u.display_name FROM conversation_members o JOIN users u ON u.id = o.user_id WHERE o.conversation_id = c.id AND o.user_id <> $1 LIMIT 1)
    ELSE c.title END AS title,
  c.last_seq, c.last_message_at,
  (SELECT json_build_object('author', lu.display_name, 'text', CASE WHEN l.deleted_at IS NULL THEN left(l.body, 120) ELSE '' END, 'deleted', l.deleted_at IS NOT NULL)
     FROM chat_messages l JOIN users lu ON lu.id = l.author_id WHERE l.conversation_id = c.id AND l.seq = c.last_seq) AS last_message,
  coalesce(c.last_read_seq, 0) AS last_read_seq,
  CASE WHEN c.last_seq > coalesce(c.last_read_seq, 0) THEN
    (SELECT count(*) FROM (SELECT 1 FROM chat_messages x WHERE x.conversation_id = c.id AND x.seq > coalesce(c.last_read_seq, 0)
      AND x.author_id <> $1 AND x.deleted_at IS NULL LIMIT 100) u) ELSE 0 END AS unread,
  CASE WHEN c.last_seq > coalesce(c.last_read_seq, 0) THEN
    (SELECT count(*) FROM chat_mentions cm WHERE cm.user_id = $1 AND cm.conversation_id = c.id AND cm.seq > coalesce(c.last_read_seq, 0)) ELSE 0 END AS unread_mentions
FROM mine c
ORDER BY c.last_message_at DESC NULLS LAST, c.id`;

/** The first page of (c): the word's messages in his conversations, newest first, with the count along. */
const SEARCH_SQL = `
SELECT m.id, m.conversation_id, c.kind, CASE c.kind WHEN 'department' THEN d.name ELSE c.title END AS title, m.seq, m.parent_id,
  m.author_id, u.display_name, m.created_at, m.body, count(*) OVER () AS total
FROM chat_messages m JOIN users u ON u.id = m.author_id JOIN conversations c ON c.id = m.conversation_id
LEFT JOIN departments d ON d.id = c.department_id
WHERE m.search_vector @@ $3::tsquery AND m.deleted_at IS NULL
  AND m.conversation_id IN (SELECT conversation_id FROM conversation_members WHERE user_id = $1 AND left_at IS NULL
                            UNION ALL SELECT id FROM conversations WHERE kind = 'department' AND department_id = ANY($2::uuid[]))
ORDER BY m.created_at DESC, m.id DESC
LIMIT 20`;

try {
  await migrateDatabase(database);
  const filled = Number((await raw(`SELECT count(*)::int AS n FROM chat_messages`)).rows[0].n);
  if (filled === 0) await fill();
  const counts = (
    await raw(`SELECT (SELECT count(*) FROM conversations) AS c, (SELECT count(*) FROM chat_messages) AS m,
      (SELECT count(*) FROM chat_messages WHERE body LIKE '%审计%') AS audit, (SELECT count(*) FROM chat_messages WHERE body LIKE '%函证%') AS confirm`)
  ).rows[0];
  console.log(
    `engine: ${database.engine}; ${counts.c} conversations, ${counts.m} messages; 审计 in ${counts.audit}, 函证 in ${counts.confirm}`,
  );

  const memberId = (await raw(`SELECT id FROM users WHERE username = 'bench-m0'`)).rows[0].id as string;
  const actor = (await loadActor(database.db, memberId))!;
  const ctx: Ctx = { db: database.db, actor, requestId: 'bench', jobs: undefined as never };
  const myConversations = (
    await raw(
      `SELECT m.conversation_id AS id FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.user_id = $1 AND m.left_at IS NULL AND c.kind = 'group' ORDER BY c.title`,
      [memberId],
    )
  ).rows.map((r) => r.id as string);
  const opened = myConversations[10];
  const runs = Number(process.env.BENCH_RUNS ?? 15);
  const lines: string[] = [];
  const results: boolean[] = [];
  const measure = async (
    name: string,
    service: () => Promise<unknown>,
    hand: () => Promise<unknown>,
    check: () => Promise<string>,
  ) => {
    const [s, r] = await interleaved([service, hand], runs, 3);
    const detail = await check();
    const ok = report(`${name} (${detail})`, s, r, 1.5);
    results.push(ok);
    lines.push(`| ${name} | ${detail} | ${s.toFixed(2)} | ${r.toFixed(2)} | ${(s / r).toFixed(2)} |`);
  };

  // (a) Opening a conversation: the newest 50 top-level messages.
  await measure(
    'open a conversation (last 50)',
    () => listMessages(ctx, opened, { limit: 50 }),
    () => raw(OPEN_SQL, [opened, memberId]),
    async () => {
      const page = await listMessages(ctx, opened, { limit: 50 });
      const hand = (await raw(OPEN_SQL, [opened, memberId])).rows;
      const same =
        JSON.stringify(page.items.map((m) => m.id)) ===
        JSON.stringify(
          hand
            .slice(0, 50)
            .map((m) => m.id)
            .reverse(),
        );
      if (!same) throw new Error('open: the hand-written page differs');
      return `${page.items.length} messages, same ids`;
    },
  );

  // (b) The reader's list with unread counts.
  const depts = (
    await raw(`SELECT d.id FROM departments d, departments mine WHERE mine.id = $1 AND mine.path LIKE d.path || '%'`, [
      actor.departmentId,
    ])
  ).rows.map((r) => r.id as string);
  await measure(
    'conversation list with unread (member of 200)',
    () => listConversations(ctx, { archived: 'false' }),
    () => raw(LIST_SQL, [memberId, `{${depts.join(',')}}`]),
    async () => {
      const list = await listConversations(ctx, { archived: 'false' });
      const hand = (await raw(LIST_SQL, [memberId, `{${depts.join(',')}}`])).rows;
      const unread = (rows: { id: unknown; unread: unknown }[]) =>
        JSON.stringify(rows.map((r) => `${r.id}:${Number(r.unread)}`).sort());
      if (unread(list) !== unread(hand as { id: unknown; unread: unknown }[]))
        throw new Error('list: the hand-written unread counts differ');
      const total = list.reduce((sum, c) => sum + c.unread, 0);
      return `${list.length} conversations, ${total} unread, same counts`;
    },
  );

  // (c) Searching a two-character word.
  for (const word of ['审计', '函证'])
    await measure(
      `search ${word}`,
      () => searchMessages(ctx, { q: word, page: 1, pageSize: 20 }),
      () => raw(SEARCH_SQL, [memberId, `{${depts.join(',')}}`, `'${word}'`]),
      async () => {
        const found = await searchMessages(ctx, { q: word, page: 1, pageSize: 20 });
        const hand = (await raw(SEARCH_SQL, [memberId, `{${depts.join(',')}}`, `'${word}'`])).rows;
        if (JSON.stringify(found.items.map((h) => h.messageId)) !== JSON.stringify(hand.map((h) => h.id)))
          throw new Error(`search ${word}: the hand-written page differs`);
        return `${found.total} found, first page same`;
      },
    );

  console.log(
    [
      `| measured (${database.engine}, ${counts.m} messages) | answer | service ms | raw SQL ms | ratio |`,
      '|---|---|---|---|---|',
      ...lines,
    ].join('\n'),
  );
  process.exitCode = results.every(Boolean) ? 0 : 1;
} finally {
  await database.close();
  rmSync(tmp, { recursive: true, force: true });
}

/**
 * 20 departments of 20 people, the reader `bench-m0` in the first; C conversations (the departments' channels and
 * groups of five), 100 messages each (every 10th a reply to the one before, 审计 in one in 50, 函证 in one in 1,000,
 * the reader mentioned in every 20th of his conversations', a reaction on every 10th of them), and the reader's place
 * in his 199 groups from fully read to more than 100 behind.
 */
async function fill() {
  const db = database.db;
  const started = performance.now();
  await bootstrapDatabase(db);
  await raw(
    `INSERT INTO departments (name, path) SELECT 'bench-d' || g, '/' FROM generate_series(0, ${DEPARTMENTS - 1}) g`,
  );
  await raw(`UPDATE departments SET path = '/' || id || '/' WHERE name LIKE 'bench-d%'`);
  const depts = (await raw(`SELECT id FROM departments WHERE name LIKE 'bench-d%' ORDER BY name`)).rows.map(
    (r) => r.id as string,
  );
  const member = await seedUser(db, {
    username: 'bench-m0',
    displayName: '读者',
    password: 'Bench-pass-1',
    roleCode: 'salesperson',
    departmentId: depts[0],
  });
  await raw(
    `INSERT INTO users (username, display_name, password_hash, role_id, department_id, staff_category)
     SELECT 'bench-u' || g, '员工' || g, $1, $2, ($3::uuid[])[1 + g % ${DEPARTMENTS}], 'frontline' FROM generate_series(1, ${USERS - 1}) g`,
    [member.passwordHash, member.roleId, depts],
  );
  await raw(`CREATE TABLE bench_people AS SELECT row_number() OVER (ORDER BY username) - 1 AS i, id FROM users
             WHERE username LIKE 'bench-%'`);
  await syncDepartmentChannels(db);
  const channels = Number((await raw(`SELECT count(*) AS n FROM conversations`)).rows[0].n);
  await raw(
    `INSERT INTO conversations (kind, title, created_by, created_at)
     SELECT 'group', 'bench-g' || lpad(g::text, 6, '0'), $1, now() - interval '200 days' FROM generate_series(0, ${C - channels - 1}) g`,
    [member.id],
  );
  await raw(`CREATE TABLE bench_conversations AS SELECT row_number() OVER (ORDER BY kind, title, id) - 1 AS i, id, kind
             FROM conversations`);
  // Groups of five (distinct people: steps of 11 over 400), the reader in the first 199 groups.
  await raw(`INSERT INTO conversation_members (conversation_id, user_id, role)
    SELECT c.id, p.id, CASE WHEN k = 0 THEN 'owner' ELSE 'member' END
    FROM bench_conversations c CROSS JOIN generate_series(0, 4) k JOIN bench_people p ON p.i = 1 + (c.i * 37 + k * 11) % ${USERS - 1}
    WHERE c.kind = 'group' ON CONFLICT DO NOTHING`);
  await raw(
    `INSERT INTO conversation_members (conversation_id, user_id, last_read_seq)
     SELECT c.id, $1, greatest(0, ${PER} - (c.i * 7) % 130) FROM (SELECT * FROM bench_conversations WHERE kind = 'group' ORDER BY i LIMIT ${MEMBER_GROUPS}) c
     ON CONFLICT (conversation_id, user_id) DO UPDATE SET last_read_seq = excluded.last_read_seq`,
    [member.id],
  );
  await raw(
    `INSERT INTO conversation_members (conversation_id, user_id, last_read_seq)
     SELECT id, $1, 60 FROM conversations WHERE kind = 'department' AND department_id = $2`,
    [member.id, depts[0]],
  );
  await raw(`CREATE TABLE bench_words AS SELECT o - 1 AS i, w FROM unnest($1::text[]) WITH ORDINALITY AS x(w, o)`, [
    WORDS,
  ]);
  const batch = postgres ? 1000 : 200;
  for (let from = 0; from < C; from += batch) {
    const to = Math.min(from + batch, C);
    // Message number n = conversation × 100 + seq - 1; its words picked by a cube law from its own hash.
    // Ids made from the message's number, so a reply names the one before it in the same statement.
    await raw(`INSERT INTO chat_messages (id, conversation_id, seq, author_id, body, created_at, parent_id, reply_count, last_reply_at)
      SELECT md5('m' || (c.i * ${PER} + s))::uuid, c.id, s, p.id,
        (SELECT string_agg(w.w, '' ORDER BY k) FROM generate_series(1, 3 + (c.i * ${PER} + s) % 9) k
           JOIN bench_words w ON w.i = floor(${WORDS.length} * power(((c.i * ${PER} + s) * 7919 + k * 104729) % 1000003 / 1000003.0, 3))::int)
          || CASE WHEN (c.i * ${PER} + s) % 50 = 7 THEN '审计' ELSE '' END
          || CASE WHEN (c.i * ${PER} + s) % 1000 = 3 THEN '函证' ELSE '' END,
        now() - interval '1 minute' * ((${C} - c.i) * 3 + (${PER} - s) * 50),
        CASE WHEN s % 10 = 0 THEN md5('m' || (c.i * ${PER} + s - 1))::uuid END,
        CASE WHEN s % 10 = 9 THEN 1 ELSE 0 END,
        CASE WHEN s % 10 = 9 THEN now() - interval '1 minute' * ((${C} - c.i) * 3 + (${PER} - s - 1) * 50) END
      FROM bench_conversations c CROSS JOIN generate_series(1, ${PER}) s
      JOIN bench_people p ON p.i = 1 + (c.i * 37 + (s % 5) * 11) % ${USERS - 1}
      WHERE c.i >= ${from} AND c.i < ${to}`);
    progress('messages', to * PER, C * PER);
  }
  await raw(
    `UPDATE conversations c SET last_seq = ${PER}, last_message_at = (SELECT max(created_at) FROM chat_messages m WHERE m.conversation_id = c.id)`,
  );
  // The reader's mentions and reactions in his conversations.
  await raw(
    `WITH mentioned AS (UPDATE chat_messages m SET mentions = ARRAY[$1::uuid]
       WHERE m.seq % 20 = 0 AND m.author_id <> $1 AND m.conversation_id IN (SELECT conversation_id FROM conversation_members WHERE user_id = $1)
       RETURNING m.id, m.conversation_id, m.seq, m.created_at)
     INSERT INTO chat_mentions (message_id, user_id, conversation_id, seq, created_at) SELECT id, $1, conversation_id, seq, created_at FROM mentioned`,
    [member.id],
  );
  await raw(
    `INSERT INTO chat_reactions (message_id, user_id, emoji)
     SELECT m.id, p.id, '👍' FROM chat_messages m JOIN bench_people p ON p.i = m.seq % ${USERS}
     WHERE m.seq % 10 = 1 AND m.conversation_id IN (SELECT conversation_id FROM conversation_members WHERE user_id = $1)`,
    [member.id],
  );
  await raw(`DROP TABLE bench_people, bench_conversations, bench_words`);
  // The GIN index's pending list flushed and statistics taken, as autovacuum leaves a table at rest.
  await raw('VACUUM ANALYZE');
  console.log(`filled in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
