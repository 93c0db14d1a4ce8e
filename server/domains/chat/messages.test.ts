import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_RATE_LIMIT } from '../../../common/schemas/chat';
import { WindowLimiter } from '../../lib/rate-limit';
import type { LiveEvent } from '../../realtime';
import { buildDepartment, buildOpportunity, setDepartmentManager, signedIn } from '../../test/factories';
import { createTestApp, multipart, sleep, uniq, until, type Client, type TestApp } from '../../test/harness';
import { auditLogs } from '../audit/audit.tables';
import { buildContract } from '../receivables/fixtures';
import { chatMentions, chatMessages, conversations } from './chat.tables';

/**
 * Messages beyond the core (issue 18): mentions only of people in the conversation, record links checked and shown
 * as cards by what each reader sees, files, threads, edit and delete within the window (history, audit,
 * moderation), reactions, managing a conversation, and bad input: too long, archived, lost access, a flood.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type Signed = Awaited<ReturnType<typeof signedIn>>;

async function group(owner: Signed, members: Signed[], title = uniq('群聊')): Promise<string> {
  const res = await owner.client.post('/api/v1/conversations', {
    kind: 'group',
    title,
    memberIds: members.map((m) => m.user.id),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

const post = (client: Client, id: string, body: Record<string, unknown>) =>
  client.post(`/api/v1/conversations/${id}/messages`, body);

const lastSeqOf = async (client: Client, id: string): Promise<number> => {
  const res = await client.get(`/api/v1/conversations/${id}`);
  expect(res.status).toBe(200);
  return res.body.lastSeq;
};

/** The chat signals that reach a user on this instance while `during` runs (and shortly after). */
function listen(userId: string) {
  const got: LiveEvent[] = [];
  const stop = t.app.realtime.subscribe(userId, (event) => got.push(event));
  return { got, stop };
}

const mentionRows = async (messageId: string) =>
  (
    await t.database.db
      .select({ userId: chatMentions.userId })
      .from(chatMentions)
      .where(eq(chatMentions.messageId, messageId))
  )
    .map((r) => r.userId)
    .sort();

describe('mentions', () => {
  it('keep only people in the conversation: others are not stored, not told and not named back', async () => {
    const db = t.database.db;
    const top = await buildDepartment(db, { name: uniq('咨询部') });
    const team = await buildDepartment(db, { name: uniq('咨询一组'), parentId: top.id });
    const boss = await signedIn(t, { departmentId: top.id });
    const colleague = await signedIn(t, { departmentId: top.id });
    const member = await signedIn(t, { departmentId: team.id });
    const outsider = await signedIn(t);
    const channel = (await boss.client.get('/api/v1/conversations', { kind: 'department' })).body.find(
      (c: { departmentId: string }) => c.departmentId === top.id,
    );
    const memberHears = listen(member.user.id);
    const outsiderHears = listen(outsider.user.id);
    const posted = await post(boss.client, channel.id, {
      body: '@成员 @外人 请确认',
      mentions: [member.user.id, outsider.user.id, boss.user.id],
    });
    expect(posted.status).toBe(201);
    expect(posted.body.mentions).toEqual([{ id: member.user.id, name: member.user.displayName }]);
    expect(JSON.stringify(posted.body)).not.toContain(outsider.user.id);
    expect(JSON.stringify(posted.body)).not.toContain(outsider.user.displayName);
    expect(await mentionRows(posted.body.id)).toEqual([member.user.id]);
    await until(async () => memberHears.got.length > 0, 5000, 'the member to hear of the message');
    await sleep(300);
    expect(outsiderHears.got).toEqual([]);
    memberHears.stop();
    outsiderHears.stop();
    const memberList = (await member.client.get('/api/v1/conversations')).body;
    expect(memberList.find((c: { id: string }) => c.id === channel.id)).toMatchObject({ unread: 1, unreadMentions: 1 });
    expect(
      (await outsider.client.get('/api/v1/conversations')).body.some((c: { id: string }) => c.id === channel.id),
    ).toBe(false);

    // @all in a channel: a row for each of its people but the author.
    const all = await post(boss.client, channel.id, { body: '@所有人 周会改到周四', mentionAll: true });
    expect(all.status).toBe(201);
    expect(all.body.mentionAll).toBe(true);
    expect(await mentionRows(all.body.id)).toEqual([colleague.user.id, member.user.id].sort());

    // Not in a group or a record's conversation; nothing is posted.
    const groupId = await group(boss, [colleague]);
    const refused = await post(boss.client, groupId, { body: '@所有人', mentionAll: true });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('CHAT_NOT_A_CHANNEL');
    expect(await lastSeqOf(boss.client, groupId)).toBe(0);
  });

  it("in a record's conversation, who sees the record and is mentioned joins it; others are dropped", async () => {
    const db = t.database.db;
    const department = await buildDepartment(db);
    const seller = await signedIn(t, { departmentId: department.id });
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
    await setDepartmentManager(db, department.id, manager.user.id);
    const stranger = await signedIn(t);
    const opportunity = await buildOpportunity(t, { ownerId: seller.user.id });
    const conversation = (await seller.client.put(`/api/v1/conversations/record/opportunity/${opportunity.id}`, {}))
      .body;
    const posted = await post(seller.client, conversation.id, {
      body: '@经理 报价请审批',
      mentions: [manager.user.id, stranger.user.id],
    });
    expect(posted.status).toBe(201);
    expect(posted.body.mentions.map((p: { id: string }) => p.id)).toEqual([manager.user.id]);
    expect(await mentionRows(posted.body.id)).toEqual([manager.user.id]);
    const mine = (await manager.client.get('/api/v1/conversations')).body.find(
      (c: { id: string }) => c.id === conversation.id,
    );
    expect(mine).toMatchObject({ member: true, unread: 1, unreadMentions: 1 });
    expect((await stranger.client.get(`/api/v1/conversations/${conversation.id}`)).status).toBe(404);
  });
});

describe('record links', () => {
  it('are refused unless the poster sees the record, and read as cards by what each reader sees', async () => {
    const owner = await signedIn(t);
    const reader = await signedIn(t);
    const stranger = await signedIn(t);
    const opportunity = await buildOpportunity(t, { ownerId: owner.user.id });
    const contract = await buildContract(t.database.db, [{ amount: '1000.00', due: 30 }], {
      ownerId: owner.user.id,
      customerId: opportunity.customerId,
    });
    const article = await owner.client.post('/api/v1/knowledge', {
      kind: 'lesson',
      title: uniq('年报审计复盘'),
      visibility: 'linked',
      links: [{ type: 'customer', id: opportunity.customerId }],
    });
    expect(article.status).toBe(201);
    const hidden = await buildOpportunity(t, { ownerId: stranger.user.id });
    const id = await group(owner, [reader]);

    const toHidden = await post(owner.client, id, {
      body: '看看这个',
      links: [{ type: 'opportunity', id: hidden.id }],
    });
    const toNothing = await post(owner.client, id, {
      body: '看看这个',
      links: [{ type: 'opportunity', id: '00000000-0000-4000-8000-000000000000' }],
    });
    expect(toHidden.status).toBe(400);
    expect(toHidden.body.error.code).toBe('VALIDATION_FAILED');
    expect(toHidden.body.error.details.issues).toEqual([
      { path: 'body.links.0', code: 'custom', message: '找不到这条记录，或您无权查看，不能在消息中引用' },
    ]);
    expect(toNothing.body.error).toEqual(toHidden.body.error);
    expect(await lastSeqOf(owner.client, id)).toBe(0);

    const links = [
      { type: 'customer', id: opportunity.customerId },
      { type: 'opportunity', id: opportunity.id },
      { type: 'contract', id: contract.id },
      { type: 'article', id: article.body.id },
    ];
    const posted = await post(owner.client, id, { body: '相关资料', links });
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    expect(posted.body.links).toEqual(links);

    const query = {
      links: [...links, { type: 'engagement', id: hidden.id }].map((l) => `${l.type}:${l.id}`).join(','),
    };
    const customerName = opportunity.customerName;
    const forOwner = await owner.client.get('/api/v1/chat/cards', query);
    expect(forOwner.status).toBe(200);
    expect(forOwner.body.items).toEqual([
      { type: 'customer', id: opportunity.customerId, title: customerName, subtitle: null, available: true },
      { type: 'opportunity', id: opportunity.id, title: opportunity.name, subtitle: customerName, available: true },
      {
        type: 'contract',
        id: contract.id,
        title: `${contract.number} ${contract.title}`,
        subtitle: customerName,
        available: true,
      },
      { type: 'article', id: article.body.id, title: article.body.title, subtitle: null, available: true },
      { type: 'engagement', id: hidden.id, title: null, subtitle: null, available: false },
    ]);
    const forReader = await reader.client.get('/api/v1/chat/cards', query);
    expect(forReader.body.items).toEqual(
      [...links, { type: 'engagement', id: hidden.id }].map((l) => ({
        ...l,
        title: null,
        subtitle: null,
        available: false,
      })),
    );
    const malformed = await reader.client.get('/api/v1/chat/cards', { links: `order:${opportunity.id}` });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details.issues[0].path).toBe('querystring.links');
  });
});

const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const upload = (client: Client, id: string, filename: string, content: Buffer, type = 'application/octet-stream') =>
  client.request('POST', `/api/v1/conversations/${id}/files`, undefined, multipart([{ filename, content, type }]));

describe('attachments and images', () => {
  it('are uploaded by who may post, used once by their uploader, and served to the readers', async () => {
    const a = await signedIn(t);
    const b = await signedIn(t);
    const outsider = await signedIn(t);
    const id = await group(a, [b]);
    const other = await group(a, [b]);

    const image = await upload(a.client, id, '现场照片.png', png, 'image/png');
    expect(image.status, JSON.stringify(image.body)).toBe(201);
    expect(image.body).toMatchObject({ filename: '现场照片.png', contentType: 'image/png', size: png.length });
    const memo = await upload(a.client, id, '纪要.txt', Buffer.from('会议纪要'));
    expect(memo.status).toBe(201);
    expect((await upload(outsider.client, id, 'x.txt', Buffer.from('x'))).status).toBe(404);
    expect((await upload(a.client, id, 'x.exe', Buffer.from('x'))).body.error.code).toBe('FILE_TYPE_NOT_ALLOWED');

    // Not yet sent: only its uploader reads it.
    const imageUrl = `/api/v1/conversations/${id}/files/${image.body.id}`;
    expect((await b.client.request('GET', imageUrl)).status).toBe(404);

    const notMine = await post(b.client, id, { fileIds: [image.body.id] });
    expect(notMine.body.error.code).toBe('CHAT_FILE_NOT_USABLE');
    const elsewhere = await post(a.client, other, { fileIds: [image.body.id] });
    expect(elsewhere.body.error.code).toBe('CHAT_FILE_NOT_USABLE');
    expect(await lastSeqOf(a.client, other)).toBe(0);

    const posted = await post(a.client, id, { body: '照片和纪要', fileIds: [image.body.id, memo.body.id] });
    expect(posted.status).toBe(201);
    expect(posted.body.files.map((f: { id: string }) => f.id)).toEqual([image.body.id, memo.body.id]);
    const again = await post(a.client, id, { fileIds: [memo.body.id] });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('CHAT_FILE_NOT_USABLE');

    const shown = await b.client.request('GET', imageUrl);
    expect(shown.status).toBe(200);
    expect(shown.headers['content-type']).toBe('image/png');
    expect(String(shown.headers['content-disposition'])).toMatch(/^inline;/);
    const download = await b.client.request('GET', `/api/v1/conversations/${id}/files/${memo.body.id}`);
    expect(download.status).toBe(200);
    expect(download.body).toBe('会议纪要');
    expect(String(download.headers['content-disposition'])).toMatch(/^attachment;/);
    expect((await outsider.client.request('GET', imageUrl)).status).toBe(404);
    expect((await b.client.request('GET', `/api/v1/conversations/${other}/files/${image.body.id}`)).status).toBe(404);

    const huge = await upload(a.client, id, '大图.png', Buffer.alloc(21 * 1024 * 1024, 1), 'image/png');
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('FILE_TOO_LARGE');
  });
});

describe('threads', () => {
  it('list replies under their message, count them on it, and refuse replies to replies or elsewhere', async () => {
    const a = await signedIn(t);
    const b = await signedIn(t);
    const id = await group(a, [b]);
    const other = await group(a, [b]);
    const root = (await post(a.client, id, { body: '底稿什么时候交？' })).body;
    const first = await post(b.client, id, { body: '周三', parentId: root.id });
    expect(first.status).toBe(201);
    expect(first.body.parentId).toBe(root.id);
    await post(a.client, id, { body: '好的', parentId: root.id });
    await post(a.client, id, { body: '另一件事' });

    const timeline = (await b.client.get(`/api/v1/conversations/${id}/messages`)).body.items;
    expect(timeline.map((m: { body: string }) => m.body)).toEqual(['底稿什么时候交？', '另一件事']);
    expect(timeline[0].replyCount).toBe(2);
    expect(timeline[0].lastReplyAt).not.toBeNull();
    const thread = (await b.client.get(`/api/v1/conversations/${id}/messages`, { parentId: root.id })).body.items;
    expect(thread.map((m: { body: string; parentId: string }) => [m.body, m.parentId])).toEqual([
      ['周三', root.id],
      ['好的', root.id],
    ]);

    const toReply = await post(a.client, id, { body: '嗯', parentId: first.body.id });
    expect(toReply.status).toBe(400);
    expect(toReply.body.error.code).toBe('CHAT_THREAD_NOT_FOUND');
    const across = await post(a.client, other, { body: '嗯', parentId: root.id });
    expect(across.body.error.code).toBe('CHAT_THREAD_NOT_FOUND');
    expect(await lastSeqOf(a.client, other)).toBe(0);
    expect(await lastSeqOf(a.client, id)).toBe(4);
  });
});

describe('editing and deleting', () => {
  it('the author within the window, keeping what it said; chat:manage deletes any message', async () => {
    const a = await signedIn(t);
    const b = await signedIn(t);
    const admin = await signedIn(t, { roleCode: 'admin' });
    const id = await group(a, [b]);
    const message = (await post(a.client, id, { body: '周五交底稿' })).body;
    const url = `/api/v1/conversations/${id}/messages/${message.id}`;

    const bHears = listen(b.user.id);
    const edited = await a.client.patch(url, { body: '周四交底稿', mentions: [b.user.id] });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ body: '周四交底稿', mentions: [{ id: b.user.id }], deleted: false });
    expect(edited.body.editedAt).not.toBeNull();
    await until(
      async () =>
        bHears.got.some((e) => e.type === 'chat' && e.signal.kind === 'changed' && e.signal.messageId === message.id),
      5000,
      'b to hear of the edit',
    );
    bHears.stop();
    expect(await mentionRows(message.id)).toEqual([b.user.id]);

    expect((await b.client.patch(url, { body: '改别人的' })).status).toBe(403);
    expect((await b.client.delete(url)).status).toBe(403);
    const history = await a.client.get(`${url}/history`);
    expect(history.status).toBe(200);
    expect(history.body).toMatchObject([{ action: 'edit', body: '周五交底稿', by: { id: a.user.id } }]);
    expect((await b.client.get(`${url}/history`)).status).toBe(403);

    // Past the window: the author may no longer; a moderator still may.
    await t.database.db
      .update(chatMessages)
      .set({ createdAt: new Date(Date.now() - 16 * 60_000) })
      .where(eq(chatMessages.id, message.id));
    const late = await a.client.patch(url, { body: '太晚了' });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({
      code: 'CHAT_EDIT_WINDOW_PASSED',
      message: '只能在发送后 15 分钟内修改或撤回消息',
    });
    expect((await a.client.delete(url)).body.error.code).toBe('CHAT_EDIT_WINDOW_PASSED');
    const moderated = await admin.client.delete(url);
    expect(moderated.status).toBe(200);
    expect(moderated.body).toMatchObject({ id: message.id, deleted: true, body: '', mentions: [] });
    expect(await mentionRows(message.id)).toEqual([]);
    const seen = (await b.client.get(`/api/v1/conversations/${id}/messages`)).body.items;
    expect(seen).toMatchObject([{ id: message.id, seq: 1, deleted: true, body: '' }]);
    expect(
      (await admin.client.get(`${url}/history`)).body.map((v: { action: string; body: string }) => [v.action, v.body]),
    ).toEqual([
      ['edit', '周五交底稿'],
      ['delete', '周四交底稿'],
    ]);
    const audit = await t.database.db
      .select({ action: auditLogs.action, actorId: auditLogs.actorId })
      .from(auditLogs)
      .where(and(eq(auditLogs.entityType, 'chat-message'), eq(auditLogs.entityId, message.id)))
      .orderBy(auditLogs.at);
    expect(audit).toEqual([
      { action: 'update', actorId: a.user.id },
      { action: 'delete', actorId: admin.user.id },
    ]);

    // The author deletes a fresh message at once.
    const fresh = (await post(a.client, id, { body: '发错了' })).body;
    const gone = await a.client.delete(`/api/v1/conversations/${id}/messages/${fresh.id}`);
    expect(gone.body).toMatchObject({ deleted: true, body: '' });
    expect((await a.client.delete(`/api/v1/conversations/${id}/messages/${fresh.id}`)).status).toBe(404);
  });
});

describe('reactions', () => {
  it('are given once per person and emoji, and taken back', async () => {
    const a = await signedIn(t);
    const b = await signedIn(t);
    const id = await group(a, [b]);
    const message = (await post(a.client, id, { body: '报告已出' })).body;
    const url = `/api/v1/conversations/${id}/messages/${message.id}/reactions`;
    expect((await b.client.post(url, { emoji: '👍' })).status).toBe(200);
    const twice = await b.client.post(url, { emoji: '👍' });
    expect(twice.body.reactions).toEqual([{ emoji: '👍', count: 1, mine: true, names: [b.user.displayName] }]);
    const seenByA = (await a.client.get(`/api/v1/conversations/${id}/messages`)).body.items[0];
    expect(seenByA.reactions).toEqual([{ emoji: '👍', count: 1, mine: false, names: [b.user.displayName] }]);
    expect((await b.client.post(url, { emoji: '🙂' })).status).toBe(400);
    const back = await b.client.request('DELETE', url, { emoji: '👍' });
    expect(back.status).toBe(200);
    expect(back.body.reactions).toEqual([]);
    expect((await b.client.request('DELETE', url, { emoji: '👍' })).body.reactions).toEqual([]);
  });
});

describe('managing a conversation', () => {
  it('a group: its owners rename it, choose who posts, add and remove people; members leave', async () => {
    const a = await signedIn(t);
    const b = await signedIn(t);
    const c = await signedIn(t);
    const id = await group(a, [b]);
    const url = `/api/v1/conversations/${id}`;
    expect((await b.client.patch(url, { title: '改名' })).body.error.code).toBe('FORBIDDEN');
    expect((await c.client.patch(url, { title: '改名' })).status).toBe(404);
    const renamed = await a.client.patch(url, { title: '年报冲刺', postPolicy: 'admins' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ title: '年报冲刺', postPolicy: 'admins' });
    const audit = await t.database.db
      .select({ after: auditLogs.after })
      .from(auditLogs)
      .where(and(eq(auditLogs.entityType, 'conversation'), eq(auditLogs.entityId, id), eq(auditLogs.action, 'update')));
    expect(audit).toEqual([{ after: { title: '年报冲刺', postPolicy: 'admins' } }]);

    expect((await b.client.post(`${url}/members`, { add: [c.user.id] })).body.error.code).toBe('FORBIDDEN');
    const added = await a.client.post(`${url}/members`, { add: [c.user.id] });
    expect(added.status).toBe(200);
    expect(added.body.map((m: { id: string }) => m.id).sort()).toEqual([a.user.id, b.user.id, c.user.id].sort());
    expect((await c.client.get(url)).status).toBe(200);
    await a.client.post(`${url}/members`, { remove: [c.user.id] });
    expect((await c.client.get(url)).status).toBe(404);

    expect((await b.client.post(`${url}/leave`)).status).toBe(200);
    expect((await b.client.get(url)).status).toBe(404);
    await a.client.post(`${url}/members`, { add: [c.user.id] });
    expect((await a.client.post(`${url}/leave`)).status).toBe(200);
    // The last owner left: the longest-standing member (c) now manages it.
    expect((await c.client.get(url)).body).toMatchObject({ mayManage: true, memberCount: 1 });
  });

  it("a record's conversation: readers add people who see the record, and join or leave it", async () => {
    const db = t.database.db;
    const department = await buildDepartment(db);
    const seller = await signedIn(t, { departmentId: department.id });
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
    const stranger = await signedIn(t);
    const opportunity = await buildOpportunity(t, { ownerId: seller.user.id });
    const { id } = (await seller.client.put(`/api/v1/conversations/record/opportunity/${opportunity.id}`, {})).body;
    const url = `/api/v1/conversations/${id}`;
    const refused = await seller.client.post(`${url}/members`, { add: [stranger.user.id] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.issues[0].message).toBe(
      `这些同事看不到该记录，不能加入它的会话：${stranger.user.displayName}`,
    );
    expect((await seller.client.patch(url, { title: '改名' })).status).toBe(400);

    expect((await manager.client.get(url)).body.member).toBe(false);
    expect((await manager.client.post(`${url}/join`)).body.member).toBe(true);
    expect((await manager.client.post(`${url}/leave`)).status).toBe(200);
    expect((await manager.client.get(url)).body.member).toBe(false);
    const added = await seller.client.post(`${url}/members`, { add: [manager.user.id] });
    expect(added.body.map((m: { id: string }) => m.id).sort()).toEqual([seller.user.id, manager.user.id].sort());

    const channel = (await seller.client.get('/api/v1/conversations', { kind: 'department' })).body[0];
    const fixed = await seller.client.post(`/api/v1/conversations/${channel.id}/members`, { add: [manager.user.id] });
    expect(fixed.body.error.code).toBe('CHAT_MEMBERS_FIXED');
  });

  it('finds colleagues to chat with by name or username, not oneself', async () => {
    const me = await signedIn(t, { displayName: uniq('陈会计') });
    const colleague = await signedIn(t, { displayName: uniq('陈会计') });
    const byName = await me.client.get('/api/v1/chat/people', { q: colleague.user.displayName });
    expect(byName.status).toBe(200);
    expect(byName.body).toEqual([
      { id: colleague.user.id, name: colleague.user.displayName, department: expect.any(String) },
    ]);
    const byUsername = await me.client.get('/api/v1/chat/people', { q: colleague.user.username });
    expect(byUsername.body.map((p: { id: string }) => p.id)).toEqual([colleague.user.id]);
    expect((await me.client.get('/api/v1/chat/people', { q: me.user.displayName })).body).toEqual([]);
  });
});

describe('bad input', () => {
  it('refuses a message too long, to an archived conversation or to one no longer readable, storing nothing', async () => {
    const a = await signedIn(t);
    const b = await signedIn(t);
    const id = await group(a, [b]);
    const long = await post(a.client, id, { body: '审'.repeat(100_000) });
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe('VALIDATION_FAILED');
    expect(long.body.error.details.issues).toMatchObject([{ path: 'body.body', message: '最多 10000 个字符' }]);
    expect(await lastSeqOf(a.client, id)).toBe(0);

    // Only its admins post.
    await a.client.patch(`/api/v1/conversations/${id}`, { postPolicy: 'admins' });
    expect((await b.client.get(`/api/v1/conversations/${id}`)).body.mayPost).toBe(false);
    const notAllowed = await post(b.client, id, { body: '我也说一句' });
    expect(notAllowed.status).toBe(403);
    expect(notAllowed.body.error.code).toBe('CHAT_POST_NOT_ALLOWED');

    await a.client.patch(`/api/v1/conversations/${id}`, { archived: true });
    const archived = await post(a.client, id, { body: '还有一件事' });
    expect(archived.status).toBe(409);
    expect(archived.body.error.code).toBe('CONVERSATION_ARCHIVED');
    expect(await lastSeqOf(a.client, id)).toBe(0);

    // Taken off the opportunity's team: its conversation is gone for them.
    const owner = await signedIn(t);
    const teammate = await signedIn(t);
    const opportunity = await buildOpportunity(t, { ownerId: owner.user.id });
    const team = (members: { userId: string; role: string }[]) =>
      owner.client.put(`/api/v1/opportunities/${opportunity.id}/members`, { members });
    expect((await team([{ userId: teammate.user.id, role: '项目经理' }])).status).toBe(200);
    const { id: record } = (await owner.client.put(`/api/v1/conversations/record/opportunity/${opportunity.id}`, {}))
      .body;
    expect((await post(teammate.client, record, { body: '我在' })).status).toBe(201);
    const page = (client: Client) => client.get(`/api/v1/conversations/${record}/messages`);
    expect((await page(teammate.client)).body.items.map((m: { body: string }) => m.body)).toEqual(['我在']);
    expect((await team([])).status).toBe(200);
    const lost = await post(teammate.client, record, { body: '还在吗' });
    expect(lost.status).toBe(404);
    expect(await lastSeqOf(owner.client, record)).toBe(1);
    // Reading it goes with the record too: the owner reads the message, the former teammate gets 404.
    expect((await page(owner.client)).body.items.map((m: { body: string }) => m.body)).toEqual(['我在']);
    expect((await page(teammate.client)).status).toBe(404);
  });

  it('makes no conversation for a record one does not see, or that is not there', async () => {
    const owner = await signedIn(t);
    const stranger = await signedIn(t);
    const opportunity = await buildOpportunity(t, { ownerId: owner.user.id });
    const nothing = '00000000-0000-4000-8000-00000000c0de';
    for (const recordId of [opportunity.id, nothing]) {
      const res = await stranger.client.put(`/api/v1/conversations/record/opportunity/${recordId}`, {});
      expect(res.status).toBe(404);
      const rows = await t.database.db
        .select({ id: conversations.id })
        .from(conversations)
        .where(eq(conversations.recordId, recordId));
      expect(rows).toEqual([]);
    }
    expect((await owner.client.put(`/api/v1/conversations/record/opportunity/${opportunity.id}`, {})).status).toBe(200);
  });

  it('answers a flood with 429 CHAT_RATE_LIMITED after the allowance, until the window passes', async () => {
    const original = t.app.chatPostLimiter;
    let now = 1_000_000;
    t.app.chatPostLimiter = new WindowLimiter(
      MESSAGE_RATE_LIMIT.messages,
      MESSAGE_RATE_LIMIT.windowSeconds * 1000,
      () => now,
    );
    try {
      const a = await signedIn(t);
      const b = await signedIn(t);
      const id = await group(a, [b]);
      for (let i = 1; i <= MESSAGE_RATE_LIMIT.messages; i++)
        expect((await post(a.client, id, { body: `第${i}条` })).status).toBe(201);
      const flooded = await post(a.client, id, { body: '再来一条' });
      expect(flooded.status).toBe(429);
      expect(flooded.body.error.code).toBe('CHAT_RATE_LIMITED');
      expect(flooded.headers['retry-after']).toBe(String(MESSAGE_RATE_LIMIT.windowSeconds));
      expect(await lastSeqOf(a.client, id)).toBe(MESSAGE_RATE_LIMIT.messages);
      // Someone else is not held back.
      expect((await post(b.client, id, { body: '我来' })).status).toBe(201);
      now += MESSAGE_RATE_LIMIT.windowSeconds * 1000;
      expect((await post(a.client, id, { body: '好了' })).status).toBe(201);
    } finally {
      t.app.chatPostLimiter = original;
    }
  });
});
