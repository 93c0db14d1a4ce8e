import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDepartment, buildOpportunity, setDepartmentManager, signedIn } from '../../test/factories';
import { createTestApp, type Client, type TestApp } from '../../test/harness';

/**
 * The chat's core (issue 18): department channels in step with the tree, a record's conversation readable by who
 * sees the record, group and one-to-one conversations, posting in seq order, the reader's place and unread counts.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const listOf = async (client: Client, query: Record<string, string> = {}) => {
  const res = await client.get('/api/v1/conversations', query);
  expect(res.status).toBe(200);
  return res.body as { id: string; kind: string; title: string; unread: number; unreadMentions: number }[];
};

describe('department channels', () => {
  it('every department has one, its people read it, the people of a team read their team and the department above', async () => {
    const db = t.database.db;
    const top = await buildDepartment(db, { name: '审计一部' });
    const team = await buildDepartment(db, { name: '审计一部一组', parentId: top.id });
    const boss = await signedIn(t, { roleCode: 'manager', departmentId: top.id });
    const member = await signedIn(t, { departmentId: team.id });
    const outsider = await signedIn(t);
    const mine = await listOf(member.client, { kind: 'department' });
    expect(mine.map((c) => c.title).sort()).toEqual(['审计一部', '审计一部一组']);
    const channel = (await listOf(boss.client, { kind: 'department' })).find((c) => c.title === '审计一部')!;
    expect((await listOf(boss.client, { kind: 'department' })).map((c) => c.title)).toEqual(['审计一部']);
    expect((await outsider.client.get(`/api/v1/conversations/${channel.id}`)).status).toBe(404);

    const posted = await boss.client.post(`/api/v1/conversations/${channel.id}/messages`, { body: '周五下午开会' });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ seq: 1, body: '周五下午开会', author: { id: boss.user.id } });
    expect((await listOf(member.client)).find((c) => c.id === channel.id)).toMatchObject({ unread: 1 });
    expect((await listOf(boss.client)).find((c) => c.id === channel.id)).toMatchObject({ unread: 0 });
    expect((await outsider.client.post(`/api/v1/conversations/${channel.id}/messages`, { body: 'x' })).status).toBe(
      404,
    );

    const members = await member.client.get(`/api/v1/conversations/${channel.id}/members`);
    expect(members.body.map((m: { id: string }) => m.id).sort()).toEqual([boss.user.id, member.user.id].sort());
    await setDepartmentManager(db, top.id, boss.user.id);
    expect((await boss.client.get(`/api/v1/conversations/${channel.id}`)).body).toMatchObject({ mayManage: true });
    expect((await member.client.get(`/api/v1/conversations/${channel.id}`)).body).toMatchObject({
      mayManage: false,
      mayPost: true,
    });
  });
});

describe("a record's conversation", () => {
  it('is readable by who sees the record, its team are members, and mentions of others are dropped', async () => {
    const owner = await signedIn(t);
    const other = await signedIn(t);
    const opportunity = await buildOpportunity(t, { ownerId: owner.user.id });
    const made = await owner.client.put(`/api/v1/conversations/record/opportunity/${opportunity.id}`, {});
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ kind: 'record', title: opportunity.name, memberCount: 1, mayPost: true });
    const again = await owner.client.put(`/api/v1/conversations/record/opportunity/${opportunity.id}`, {});
    expect(again.body.id).toBe(made.body.id);
    expect((await other.client.put(`/api/v1/conversations/record/opportunity/${opportunity.id}`, {})).status).toBe(404);
    expect((await other.client.get(`/api/v1/conversations/${made.body.id}/messages`)).status).toBe(404);

    const posted = await owner.client.post(`/api/v1/conversations/${made.body.id}/messages`, {
      body: '@someone 请看一下',
      mentions: [other.user.id],
    });
    expect(posted.status).toBe(201);
    expect(posted.body.mentions).toEqual([]);
    expect((await listOf(other.client)).some((c) => c.id === made.body.id)).toBe(false);
  });
});

describe('group and one-to-one conversations', () => {
  it('a group is read by its members only; a one-to-one conversation is made once per pair', async () => {
    const a = await signedIn(t);
    const b = await signedIn(t);
    const c = await signedIn(t);
    const group = await a.client.post('/api/v1/conversations', {
      kind: 'group',
      title: '年报项目组',
      memberIds: [b.user.id],
    });
    expect(group.status).toBe(201);
    expect(group.body).toMatchObject({ title: '年报项目组', memberCount: 2, mayManage: true });
    expect((await c.client.get(`/api/v1/conversations/${group.body.id}`)).status).toBe(404);

    const direct = await a.client.post('/api/v1/conversations', { kind: 'direct', userId: c.user.id });
    expect(direct.status).toBe(201);
    expect(direct.body.title).toBe(c.user.displayName);
    const back = await c.client.post('/api/v1/conversations', { kind: 'direct', userId: a.user.id });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ id: direct.body.id, title: a.user.displayName });
    expect((await a.client.post('/api/v1/conversations', { kind: 'direct', userId: a.user.id })).body.error.code).toBe(
      'CHAT_DIRECT_WITH_SELF',
    );
  });

  it('messages are numbered in order, paged by seq, and the place moves forward only', async () => {
    const a = await signedIn(t);
    const b = await signedIn(t);
    const { body: group } = await a.client.post('/api/v1/conversations', {
      kind: 'group',
      title: '顺序',
      memberIds: [b.user.id],
    });
    const bodies = Array.from({ length: 7 }, (_, i) => `第${i + 1}条`);
    await Promise.all(bodies.map((body) => a.client.post(`/api/v1/conversations/${group.id}/messages`, { body })));
    const newest = await b.client.get(`/api/v1/conversations/${group.id}/messages`, { limit: '3' });
    expect(newest.body.items.map((m: { seq: number }) => m.seq)).toEqual([5, 6, 7]);
    expect(newest.body).toMatchObject({ hasBefore: true, hasAfter: false });
    const after = await b.client.get(`/api/v1/conversations/${group.id}/messages`, { after: '2', limit: '3' });
    expect(after.body.items.map((m: { seq: number }) => m.seq)).toEqual([3, 4, 5]);
    expect(after.body.hasAfter).toBe(true);
    expect((await listOf(b.client)).find((c) => c.id === group.id)?.unread).toBe(7);
    await b.client.put(`/api/v1/conversations/${group.id}/read`, { seq: 5 });
    await b.client.put(`/api/v1/conversations/${group.id}/read`, { seq: 2 });
    expect((await listOf(b.client)).find((c) => c.id === group.id)?.unread).toBe(2);
  });
});
