import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDepartment, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { mailOutbox } from '../notifications/notifications.tables';
import { chatMentions, chatMessages, conversationMembers, conversations } from './chat.tables';
import { sendMentionDigests } from './digest.job';

/**
 * Catching up (issue 18): the menu's unread badge, my unread mentions (the list and Today's digest), the e-mail digest
 * of mentions for people who were away (once, by preference), and a deactivated colleague's messages.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const emailOf = () => `${uniq('p').toLowerCase()}@firm.example.cn`;

async function group(owner: Client, title: string, memberIds: string[]): Promise<string> {
  const res = await owner.post('/api/v1/conversations', { kind: 'group', title, memberIds });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function post(client: Client, conversationId: string, body: string, mentions: string[] = []) {
  const res = await client.post(`/api/v1/conversations/${conversationId}/messages`, { body, mentions });
  expect(res.status).toBe(201);
  return res.body as { id: string; seq: number; createdAt: string };
}

const unreadOf = async (client: Client) => {
  const res = await client.get('/api/v1/chat/unread');
  expect(res.status).toBe(200);
  return res.body as { unread: number; mentions: number; conversations: number };
};

describe('the unread badge', () => {
  it('counts unread messages, mentions and conversations over my list, as the list counts them', async () => {
    const a = await signedIn(t);
    const b = await signedIn(t);
    const g1 = await group(a.client, '审计项目组', [b.user.id]);
    const g2 = await group(a.client, '税务小组', [b.user.id]);
    await post(a.client, g1, '早上好');
    await post(a.client, g1, '@b 请看底稿', [b.user.id]);
    await post(a.client, g1, '谢谢');
    await post(a.client, g2, '@b 报税截止', [b.user.id]);
    await post(a.client, g2, '收到请回复');

    expect(await unreadOf(b.client)).toEqual({ unread: 5, mentions: 2, conversations: 2 });
    // The same as the conversation list's own counts.
    const list = (await b.client.get('/api/v1/conversations')).body as { unread: number; unreadMentions: number }[];
    const sum = (key: 'unread' | 'unreadMentions') => list.reduce((n, c) => n + c[key], 0);
    expect({ unread: sum('unread'), mentions: sum('unreadMentions') }).toEqual({ unread: 5, mentions: 2 });
    // My own messages are never unread to me.
    expect(await unreadOf(a.client)).toEqual({ unread: 0, mentions: 0, conversations: 0 });

    await b.client.put(`/api/v1/conversations/${g2}/read`, { seq: 2 });
    expect(await unreadOf(b.client)).toEqual({ unread: 3, mentions: 1, conversations: 1 });
    await b.client.put(`/api/v1/conversations/${g1}/read`, { seq: 1 });
    expect(await unreadOf(b.client)).toEqual({ unread: 2, mentions: 1, conversations: 1 });
    // Replying moves my place to my message: nothing before it is unread any more.
    await post(b.client, g1, '好的');
    expect(await unreadOf(b.client)).toEqual({ unread: 0, mentions: 0, conversations: 0 });
  });

  it('stops counting a conversation at 100 and leaves out conversations I can no longer read', async () => {
    const a = await signedIn(t);
    const b = await signedIn(t);
    const busy = await group(a.client, '很多消息', [b.user.id]);
    const gone = await group(a.client, '已退出', [b.user.id]);
    // 150 messages written straight to the tables (posting is rate limited).
    const db = t.database.db;
    await db.execute(sql`INSERT INTO chat_messages (conversation_id, seq, author_id, body)
      SELECT ${busy}::uuid, g, ${a.user.id}::uuid, '第' || g || '条' FROM generate_series(1, 150) g`);
    await db.update(conversations).set({ lastSeq: 150, lastMessageAt: new Date() }).where(eq(conversations.id, busy));
    await post(a.client, gone, '@b 看这里', [b.user.id]);
    expect(await unreadOf(b.client)).toEqual({ unread: 101, mentions: 1, conversations: 2 });

    await db
      .update(conversationMembers)
      .set({ leftAt: new Date() })
      .where(and(eq(conversationMembers.conversationId, gone), eq(conversationMembers.userId, b.user.id)));
    expect(await unreadOf(b.client)).toEqual({ unread: 100, mentions: 0, conversations: 1 });
    expect((await b.client.get('/api/v1/chat/mentions')).body).toEqual([]);
  });
});

describe('my unread mentions', () => {
  it('lists them newest first in one line, @all in a channel too, and Today shows the first five with the count', async () => {
    const dept = await buildDepartment(t.database.db, { name: uniq('咨询部') });
    const a = await signedIn(t, { departmentId: dept.id, displayName: uniq('张经理') });
    const b = await signedIn(t, { departmentId: dept.id });
    const other = await signedIn(t);
    const channel = (await b.client.get('/api/v1/conversations', { kind: 'department' })).body.find(
      (c: { departmentId: string }) => c.departmentId === dept.id,
    );
    const g = await group(a.client, '年报', [b.user.id, other.user.id]);
    const posted: { id: string; conversationId: string; seq: number; text: string; title: string }[] = [];
    for (let i = 1; i <= 6; i += 1) {
      const m = await post(a.client, g, `@b 第${i}件事\n  请确认`, [b.user.id]);
      posted.push({ id: m.id, conversationId: g, seq: m.seq, text: `@b 第${i}件事 请确认`, title: '年报' });
    }
    await post(a.client, g, '没有提到谁');
    const all = await a.client.post(`/api/v1/conversations/${channel.id}/messages`, {
      body: '@所有人 周五开会',
      mentionAll: true,
    });
    expect(all.status).toBe(201);
    posted.push({ id: all.body.id, conversationId: channel.id, seq: 1, text: '@所有人 周五开会', title: dept.name });

    const res = await b.client.get('/api/v1/chat/mentions');
    expect(res.status).toBe(200);
    const expected = [...posted].reverse().map((p) => ({
      conversation: { id: p.conversationId, title: p.title },
      messageId: p.id,
      seq: p.seq,
      author: { id: a.user.id, name: a.user.displayName },
      text: p.text,
    }));
    expect(res.body).toMatchObject(expected);
    expect(res.body).toHaveLength(7);
    expect((await other.client.get('/api/v1/chat/mentions')).body).toEqual([]);
    expect((await a.client.get('/api/v1/chat/mentions')).body).toEqual([]);

    const today = await b.client.get('/api/v1/today');
    expect(today.status).toBe(200);
    expect(today.body.chatMentions.count).toBe(7);
    expect(today.body.chatMentions.items).toMatchObject(expected.slice(0, 5));

    // Reading the group up to the fourth mention leaves the two after it and the channel's.
    await b.client.put(`/api/v1/conversations/${g}/read`, { seq: posted[3]!.seq });
    const left = await b.client.get('/api/v1/chat/mentions');
    expect(left.body.map((m: { messageId: string }) => m.messageId)).toEqual(
      [posted[6]!, posted[5]!, posted[4]!].map((p) => p.id),
    );
    expect((await b.client.get('/api/v1/today')).body.chatMentions.count).toBe(3);
  });
});

describe('the e-mail digest of mentions', () => {
  const mailsTo = (userId: string) => t.database.db.select().from(mailOutbox).where(eq(mailOutbox.toUserId, userId));
  const age = (messageId: string, minutes: number) =>
    t.database.db
      .update(chatMentions)
      .set({ createdAt: new Date(Date.now() - minutes * 60_000) })
      .where(eq(chatMentions.messageId, messageId));

  it('sends one e-mail per person away, listing their unread mentions, exactly once with two instances at once', async () => {
    const a = await signedIn(t, { displayName: uniq('王会计') });
    const away = await signedIn(t, { email: emailOf() });
    const english = await signedIn(t, { email: emailOf() });
    expect((await english.client.patch('/api/v1/auth/me', { locale: 'en-US' })).status).toBe(200);
    const reader = await signedIn(t, { email: emailOf() });
    const optedOut = await signedIn(t, { email: emailOf() });
    const noAddress = await signedIn(t);
    const everyone = [away, english, reader, optedOut, noAddress].map((p) => p.user.id);
    const g = await group(a.client, '月度结账', everyone);
    const first = await post(a.client, g, '@大家 请提交凭证\n今天下班前', everyone);
    const second = await post(a.client, g, '@away 还缺一张发票', [away.user.id]);
    const fresh = await post(a.client, g, '@away 刚刚又有一件', [away.user.id]);
    await age(first.id, 40);
    await age(second.id, 20);
    await age(fresh.id, 5);
    await reader.client.put(`/api/v1/conversations/${g}/read`, { seq: second.seq });
    expect((await optedOut.client.patch('/api/v1/me/preferences', { chatDigest: false })).body.chatDigest).toBe(false);

    const second_ = await createTestApp({ database: t.database });
    try {
      await Promise.all([
        sendMentionDigests({ db: t.database.db, jobs: t.app.jobs }),
        sendMentionDigests({ db: second_.database.db, jobs: second_.app.jobs }),
        sendMentionDigests({ db: t.database.db, jobs: t.app.jobs }),
      ]);
    } finally {
      await second_.close();
    }
    const mails = await mailsTo(away.user.id);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ subject: '您有 2 条未读的提及', kind: 'chat-digest', toAddress: away.user.email });
    const body = mails[0]!.body;
    expect(body).toContain(`月度结账\u3000${a.user.displayName}：@away 还缺一张发票`);
    expect(body).toContain(`月度结账\u3000${a.user.displayName}：@大家 请提交凭证 今天下班前`);
    expect(body.indexOf('还缺一张发票')).toBeLessThan(body.indexOf('请提交凭证'));
    expect(body).not.toContain('刚刚又有一件');

    const [en] = await mailsTo(english.user.id);
    expect(en).toMatchObject({ subject: 'Unread mentions while you were away: 1' });
    expect(en!.body).toContain(`月度结账  ${a.user.displayName}: @大家 请提交凭证 今天下班前`);
    expect(await mailsTo(reader.user.id)).toHaveLength(0);
    expect(await mailsTo(optedOut.user.id)).toHaveLength(0);
    expect(await mailsTo(noAddress.user.id)).toHaveLength(0);
    const marked = await t.database.db
      .select({ userId: chatMentions.userId, messageId: chatMentions.messageId })
      .from(chatMentions)
      .where(and(eq(chatMentions.conversationId, g), sql`${chatMentions.emailedAt} IS NOT NULL`));
    expect(marked.map((m) => `${m.userId}:${m.messageId}`).sort()).toEqual(
      [`${away.user.id}:${first.id}`, `${away.user.id}:${second.id}`, `${english.user.id}:${first.id}`].sort(),
    );

    // Run again: nothing new is due. Later the fresh one is, alone.
    await sendMentionDigests({ db: t.database.db, jobs: t.app.jobs });
    expect(await mailsTo(away.user.id)).toHaveLength(1);
    await age(fresh.id, 16);
    await sendMentionDigests({ db: t.database.db, jobs: t.app.jobs });
    const after = await mailsTo(away.user.id);
    expect(after).toHaveLength(2);
    const latest = after.find((m) => m.id !== mails[0]!.id)!;
    expect(latest.subject).toBe('您有 1 条未读的提及');
    expect(latest.body).toContain('刚刚又有一件');
    expect(latest.body).not.toContain('还缺一张发票');
  });

  it('runs on the job engine', async () => {
    const a = await signedIn(t);
    const away = await signedIn(t, { email: emailOf() });
    const g = await group(a.client, '引擎', [away.user.id]);
    const m = await post(a.client, g, '@away 明天见', [away.user.id]);
    await age(m.id, 30);
    const worker = await createTestApp({ database: t.database, workers: ['rule.chat-digest'] });
    try {
      await worker.app.jobs.send(worker.database.db, 'rule.chat-digest', {});
      await expect.poll(async () => (await mailsTo(away.user.id)).length, { timeout: 15_000 }).toBe(1);
    } finally {
      await worker.close();
    }
    expect((await mailsTo(away.user.id))[0]!.body).toContain('@away 明天见');
  });

  it('the preference defaults to on and can be turned back on', async () => {
    const me = await signedIn(t);
    expect((await me.client.get('/api/v1/me/preferences')).body.chatDigest).toBe(true);
    expect((await me.client.patch('/api/v1/me/preferences', { chatDigest: false })).body.chatDigest).toBe(false);
    const back = await me.client.patch('/api/v1/me/preferences', { reminderLeadMinutes: 30 });
    expect(back.body).toMatchObject({ chatDigest: false, reminderLeadMinutes: 30 });
    expect((await me.client.patch('/api/v1/me/preferences', { chatDigest: true })).body.chatDigest).toBe(true);
    expect((await me.client.get('/api/v1/me/preferences')).body.chatDigest).toBe(true);
  });
});

describe('a deactivated colleague', () => {
  it('keeps their messages under their name but is no longer among the people or the mentionable', async () => {
    const admin = await signedIn(t, { roleCode: 'admin' });
    const leaver = await signedIn(t, { displayName: uniq('离职员工') });
    const stays = await signedIn(t);
    const g = await group(leaver.client, '交接', [stays.user.id]);
    await post(leaver.client, g, '客户资料在共享盘');
    expect((await admin.client.post(`/api/v1/users/${leaver.user.id}/deactivate`, {})).status).toBe(200);

    const page = await stays.client.get(`/api/v1/conversations/${g}/messages`);
    expect(page.body.items).toMatchObject([
      { body: '客户资料在共享盘', author: { id: leaver.user.id, name: leaver.user.displayName } },
    ]);
    const members = await stays.client.get(`/api/v1/conversations/${g}/members`);
    expect(members.body.map((m: { id: string }) => m.id)).toEqual([stays.user.id]);
    expect((await stays.client.get(`/api/v1/conversations/${g}`)).body.memberCount).toBe(1);
    const reply = await post(stays.client, g, '@离职员工 收到', [leaver.user.id]);
    expect((reply as unknown as { mentions: unknown[] }).mentions).toEqual([]);
    const mentioned = await t.database.db.select().from(chatMentions).where(eq(chatMentions.messageId, reply.id));
    expect(mentioned).toEqual([]);
    const stored = await t.database.db.select().from(chatMessages).where(eq(chatMessages.conversationId, g));
    expect(stored).toHaveLength(2);
  });
});
