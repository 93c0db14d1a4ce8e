import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDepartment, buildOpportunity, signedIn } from '../../test/factories';
import { createTestApp, type Client, type TestApp } from '../../test/harness';
import { chatMessages } from './chat.tables';

/**
 * The chat's search (issue 18, item 5): Chinese words found as the knowledge search finds them, only in the
 * conversations the reader may read, never a deleted message, newest first, with the text around the match; a hit
 * opens its conversation around it; and a message saved as a knowledge Q&A.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type Hit = {
  conversation: { id: string; kind: string; title: string };
  messageId: string;
  seq: number;
  parentId: string | null;
  author: { id: string; name: string };
  segments: { text: string; hit: boolean }[];
};
type Result = { items: Hit[]; total: number };

const search = async (client: Client, q: string, extra: Record<string, string> = {}) => {
  const res = await client.get('/api/v1/chat/search', { q, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Result;
};

type Posted = { id: string; seq: number; body: string };
const post = async (client: Client, conversationId: string, body: string, parentId?: string): Promise<Posted> => {
  const res = await client.post(`/api/v1/conversations/${conversationId}/messages`, { body, parentId });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Posted;
};

/** A channel of a new department with one person in it. */
async function channelOf(roleCode = 'salesperson') {
  const department = await buildDepartment(t.database.db);
  const person = await signedIn(t, { departmentId: department.id, roleCode });
  const list = await person.client.get('/api/v1/conversations', { kind: 'department' });
  const channel = (list.body as { id: string; departmentId: string }[]).find((c) => c.departmentId === department.id)!;
  return { department, person, channel };
}

describe('searching messages in Chinese', () => {
  it('finds one, two and three-character words and latin prefixes as the knowledge search does, newest first', async () => {
    const { person, channel } = await channelOf();
    const bodies = [
      '周五下午审计部开会',
      '验资报告已经发出',
      '年报审计承接要先看独立性',
      '审核计划已经发给客户',
      '计审两个字反过来',
      '审计工作的计划要提前定',
      '先把审计划分成三块',
      'IPO项目 kickoff 在2026年',
    ];
    const posted: Posted[] = [];
    for (const body of bodies) posted.push(await post(person.client, channel.id, body));
    // Expected: the bodies containing the word (Han runs have no case), newest (last posted) first.
    const expected = (word: string) =>
      posted
        .filter((m) => m.body.toLowerCase().includes(word))
        .reverse()
        .map((m) => m.id);
    for (const word of ['审', '审计', '审计承接', '审计划', '验资报告']) {
      const found = await search(person.client, word);
      expect(
        found.items.map((h) => h.messageId),
        word,
      ).toEqual(expected(word));
      expect(found.total, word).toBe(expected(word).length);
    }
    // The pairs of 审计划 are both in 审计工作的计划 but apart: the recheck drops it.
    expect(expected('审计划')).toHaveLength(1);
    // Latin words: prefixes, any case.
    expect((await search(person.client, 'ipo')).items.map((h) => h.messageId)).toEqual([posted[7].id]);
    expect((await search(person.client, 'KICK')).items.map((h) => h.messageId)).toEqual([posted[7].id]);
    // Punctuation alone finds nothing.
    expect(await search(person.client, '，。！')).toEqual({ items: [], total: 0 });

    const [hit] = (await search(person.client, '验资')).items;
    expect(hit).toMatchObject({
      conversation: { id: channel.id, kind: 'department' },
      seq: posted[1].seq,
      parentId: null,
      author: { id: person.user.id, name: person.user.displayName },
    });
    expect(hit.segments).toEqual([
      { text: '验资', hit: true },
      { text: '报告已经发出', hit: false },
    ]);
  });

  it('cuts a long message around the match, as plain segments', async () => {
    const { person, channel } = await channelOf();
    const body = `${'前面的话'.repeat(30)}这次的破产清算要小心${'后面的话'.repeat(40)}`;
    await post(person.client, channel.id, body);
    const [hit] = (await search(person.client, '破产清算')).items;
    const text = hit.segments.map((s) => s.text).join('');
    expect(text.startsWith('…')).toBe(true);
    expect(text.endsWith('…')).toBe(true);
    expect(text.length).toBeLessThan(body.length);
    expect(hit.segments.filter((s) => s.hit).map((s) => s.text)).toEqual(['破产清算']);
    expect(body.includes(text.slice(1, -1))).toBe(true);
  });

  it('never finds a message in a conversation the reader cannot read, nor a deleted one', async () => {
    const { person: reader, channel } = await channelOf();
    const { person: outsider, channel: otherChannel } = await channelOf();
    const word = '函证回函';
    const mine = await post(reader.client, channel.id, `${word}已收到`);
    const theirs = await post(outsider.client, otherChannel.id, `${word}还没寄`);
    // A group the reader is not in, and an opportunity's conversation the reader does not see.
    const group = await outsider.client.post('/api/v1/conversations', {
      kind: 'group',
      title: '外部小组',
      memberIds: [(await signedIn(t)).user.id],
    });
    const inGroup = await post(outsider.client, group.body.id, `${word}在群里`);
    const opportunity = await buildOpportunity(t, { ownerId: outsider.user.id });
    const record = await outsider.client.put(`/api/v1/conversations/record/opportunity/${opportunity.id}`, {});
    const inRecord = await post(outsider.client, record.body.id, `${word}在商机里`);

    expect((await search(reader.client, word)).items.map((h) => h.messageId)).toEqual([mine.id]);
    expect((await search(outsider.client, word)).items.map((h) => h.messageId)).toEqual([
      inRecord.id,
      inGroup.id,
      theirs.id,
    ]);
    // Filtering on a conversation the reader cannot read finds nothing (and tells nothing).
    expect(await search(reader.client, word, { conversationId: otherChannel.id })).toEqual({ items: [], total: 0 });
    expect((await search(outsider.client, word, { conversationId: group.body.id })).items).toHaveLength(1);

    await t.database.db
      .update(chatMessages)
      .set({ deletedAt: sql`now()` })
      .where(eq(chatMessages.id, mine.id));
    expect(await search(reader.client, word)).toEqual({ items: [], total: 0 });
  });

  it('pages newest first, and counts past the last page', async () => {
    const { person, channel } = await channelOf();
    const posted: Posted[] = [];
    for (let i = 1; i <= 5; i++) posted.push(await post(person.client, channel.id, `第${i}次尽调会议`));
    const newestFirst = posted.map((m) => m.id).reverse();
    const first = await search(person.client, '尽调', { pageSize: '2' });
    expect(first).toMatchObject({ total: 5 });
    expect(first.items.map((h) => h.messageId)).toEqual(newestFirst.slice(0, 2));
    const third = await search(person.client, '尽调', { pageSize: '2', page: '3' });
    expect(third.items.map((h) => h.messageId)).toEqual(newestFirst.slice(4));
    expect(await search(person.client, '尽调', { pageSize: '2', page: '4' })).toEqual({ items: [], total: 5 });
  });
});

describe('jumping to a hit', () => {
  it('opens the conversation around the hit (a reply: its thread around it)', async () => {
    const { person, channel } = await channelOf();
    const all: Posted[] = [];
    for (let i = 1; i <= 20; i++)
      all.push(await post(person.client, channel.id, i === 7 ? '盘点存货的安排' : `闲聊${i}`));
    const root = all[6];
    const reply = await post(person.client, channel.id, '盘点时间改到周六', root.id);

    const [top] = (await search(person.client, '存货')).items;
    expect(top).toMatchObject({ messageId: root.id, seq: root.seq, parentId: null });
    const page = await person.client.get(`/api/v1/conversations/${channel.id}/messages`, {
      around: top.seq,
      limit: 10,
    });
    expect(page.status).toBe(200);
    const seqs = (page.body.items as { id: string; seq: number }[]).map((m) => m.seq);
    expect(seqs).toContain(top.seq);
    expect(page.body.items.find((m: { id: string }) => m.id === top.messageId)).toBeTruthy();
    expect(page.body).toMatchObject({ hasBefore: true, hasAfter: true });

    const [threaded] = (await search(person.client, '周六')).items;
    expect(threaded).toMatchObject({ messageId: reply.id, parentId: root.id });
    const thread = await person.client.get(`/api/v1/conversations/${channel.id}/messages`, {
      around: threaded.seq,
      parentId: threaded.parentId!,
    });
    expect(thread.body.items.map((m: { id: string }) => m.id)).toEqual([reply.id]);
  });
});

describe('saving a message as a Q&A', () => {
  type Article = {
    kind: string;
    title: string;
    body: string;
    visibility: string;
    departmentId: string | null;
    links: { type: string; id: string }[];
  };
  const article = async (client: Client, id: string) => client.get(`/api/v1/knowledge/${id}`);

  it("an opportunity's answer: the question it replies to, the answer, the source; read by who sees the opportunity", async () => {
    const owner = await signedIn(t);
    const outsider = await signedIn(t);
    const opportunity = await buildOpportunity(t, { ownerId: owner.user.id });
    const { body: conversation } = await owner.client.put(
      `/api/v1/conversations/record/opportunity/${opportunity.id}`,
      {},
    );
    const question = await post(owner.client, conversation.id, '年报审计什么时候进场？');
    const answer = await post(owner.client, conversation.id, '下月初进场，先做独立性检查。', question.id);

    const saved = await owner.client.post(
      `/api/v1/conversations/${conversation.id}/messages/${answer.id}/save-as-article`,
      { title: '年报审计进场时间' },
    );
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const read = await article(owner.client, saved.body.articleId);
    expect(read.status).toBe(200);
    const a = read.body as Article;
    expect(a).toMatchObject({
      kind: 'qa',
      title: '年报审计进场时间',
      visibility: 'linked',
      links: [{ type: 'opportunity', id: opportunity.id }],
    });
    const questionAt = a.body.indexOf(question.body);
    const answerAt = a.body.indexOf(answer.body);
    expect(questionAt).toBeGreaterThanOrEqual(0);
    expect(answerAt).toBeGreaterThan(questionAt);
    expect(a.body).toContain(opportunity.name);
    expect(a.body).toContain(owner.user.displayName);
    expect(a.body).not.toMatch(/<[a-z]/i);

    // Who cannot see the opportunity reads neither the conversation's message nor the article.
    expect((await article(outsider.client, saved.body.articleId)).status).toBe(404);
    const refused = await outsider.client.post(
      `/api/v1/conversations/${conversation.id}/messages/${answer.id}/save-as-article`,
      { title: '偷看' },
    );
    expect(refused.status).toBe(404);
  });

  it("a channel's message is shown to that department; a group's to the saver's; a given question replaces the default", async () => {
    const { department, person, channel } = await channelOf();
    const top = await post(person.client, channel.id, '发票已经寄出');
    const saved = await person.client.post(`/api/v1/conversations/${channel.id}/messages/${top.id}/save-as-article`, {
      title: '发票寄送',
      question: '发票寄了吗？',
    });
    expect(saved.status).toBe(201);
    const a = (await article(person.client, saved.body.articleId)).body as Article;
    expect(a).toMatchObject({ visibility: 'department', departmentId: department.id, links: [] });
    expect(a.body.indexOf('发票寄了吗？')).toBeLessThan(a.body.indexOf('发票已经寄出'));

    const other = await signedIn(t);
    const group = await other.client.post('/api/v1/conversations', {
      kind: 'group',
      title: '项目小组',
      memberIds: [person.user.id],
    });
    const said = await post(other.client, group.body.id, '底稿模板在共享盘');
    const fromGroup = await person.client.post(
      `/api/v1/conversations/${group.body.id}/messages/${said.id}/save-as-article`,
      { title: '底稿模板位置' },
    );
    expect(fromGroup.status).toBe(201);
    const g = (await article(person.client, fromGroup.body.articleId)).body as Article;
    expect(g).toMatchObject({ visibility: 'department', departmentId: department.id });
    // A top-level message and no question given: the answer alone (and the source line).
    expect(g.body).not.toContain('**问');
    expect(g.body).toContain('项目小组');
    expect(g.body).toContain(other.user.displayName);
  });

  it('refuses a deleted message (404) and a saver without a department', async () => {
    const homeless = await signedIn(t, { departmentId: null });
    const other = await signedIn(t);
    const group = await homeless.client.post('/api/v1/conversations', {
      kind: 'group',
      title: '无部门',
      memberIds: [other.user.id],
    });
    const said = await post(other.client, group.body.id, '记得签字');
    const refused = await homeless.client.post(
      `/api/v1/conversations/${group.body.id}/messages/${said.id}/save-as-article`,
      { title: '签字' },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('CHAT_SAVE_NEEDS_DEPARTMENT');

    await t.database.db
      .update(chatMessages)
      .set({ deletedAt: sql`now()` })
      .where(eq(chatMessages.id, said.id));
    const gone = await other.client.post(`/api/v1/conversations/${group.body.id}/messages/${said.id}/save-as-article`, {
      title: '签字',
    });
    expect(gone.status).toBe(404);
  });
});
