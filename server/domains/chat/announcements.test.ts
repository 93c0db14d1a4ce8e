import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../realtime';
import { buildDepartment, setDepartmentManager, signedIn } from '../../test/factories';
import { createTestApp, uniq, type TestApp } from '../../test/harness';
import { auditLogs } from '../audit/audit.tables';

/**
 * Announcements 公告 (issue 18): pinned in a department channel by its department's manager (or chat:manage), read
 * receipts for announcements only, who has read and who not yet among the channel's people (the department subtree).
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('announcements in a department channel', () => {
  it('the manager pins, the people read and mark read, the manager sees who has read', async () => {
    const db = t.database.db;
    const top = await buildDepartment(db, { name: uniq('审计二部') });
    const team = await buildDepartment(db, { name: uniq('审计二部一组'), parentId: top.id });
    const boss = await signedIn(t, { roleCode: 'manager', departmentId: top.id, displayName: uniq('甲经理') });
    const peer = await signedIn(t, { departmentId: top.id, displayName: uniq('乙') });
    const junior = await signedIn(t, { departmentId: team.id, displayName: uniq('丙') });
    const outsider = await signedIn(t);
    const admin = await signedIn(t, { roleCode: 'admin' });
    await setDepartmentManager(db, top.id, boss.user.id);
    const channel = (await boss.client.get('/api/v1/conversations', { kind: 'department' })).body.find(
      (c: { departmentId: string }) => c.departmentId === top.id,
    );
    const post = async (body: string) =>
      (await peer.client.post(`/api/v1/conversations/${channel.id}/messages`, { body })).body as { id: string };
    const training = await post('周三下午两点：新准则培训，三楼会议室');
    const chatter = await post('收到');
    const pin = (client: typeof boss.client, messageId: string) =>
      client.post(`/api/v1/conversations/${channel.id}/messages/${messageId}/pin`, {});

    // Only who manages the channel pins; others who read it are refused, outsiders told nothing.
    expect((await pin(peer.client, training.id)).status).toBe(403);
    expect((await pin(junior.client, training.id)).body.error.code).toBe('FORBIDDEN');
    expect((await pin(outsider.client, training.id)).status).toBe(404);

    const heard: LiveEvent[] = [];
    const stop = [junior, outsider].map((p) => t.app.realtime.subscribe(p.user.id, (event) => heard.push(event)));
    const pinned = await pin(boss.client, training.id);
    expect(pinned.status).toBe(200);
    expect(pinned.body).toMatchObject({ id: training.id, body: '周三下午两点：新准则培训，三楼会议室' });
    expect(pinned.body.pinnedAt).not.toBeNull();
    await expect.poll(() => heard.length).toBe(1);
    expect(heard[0]).toMatchObject({
      type: 'chat',
      userIds: expect.arrayContaining([junior.user.id]),
      signal: { kind: 'changed', conversationId: channel.id, messageId: training.id },
    });
    stop.forEach((s) => s());
    const audit = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityType, 'chat-message'), eq(auditLogs.entityId, training.id)));
    expect(audit).toMatchObject([{ action: 'publish', actorId: boss.user.id }]);
    // Again: nothing changes, nothing more audited.
    expect((await pin(boss.client, training.id)).body.pinnedAt).toBe(pinned.body.pinnedAt);
    expect(
      await db
        .select()
        .from(auditLogs)
        .where(and(eq(auditLogs.entityType, 'chat-message'), eq(auditLogs.entityId, training.id))),
    ).toHaveLength(1);

    const announcements = await junior.client.get(`/api/v1/conversations/${channel.id}/announcements`);
    expect(announcements.status).toBe(200);
    expect(announcements.body).toMatchObject([{ id: training.id, readByMe: false }]);
    expect((await outsider.client.get(`/api/v1/conversations/${channel.id}/announcements`)).status).toBe(404);
    expect((await junior.client.get(`/api/v1/conversations/${channel.id}`)).body.pinned).toMatchObject([
      { id: training.id },
    ]);

    const receipt = `/api/v1/conversations/${channel.id}/messages/${training.id}/receipt`;
    const first = await junior.client.put(receipt, {});
    expect(first.status).toBe(200);
    const again = await junior.client.put(receipt, {});
    expect(again.body).toEqual(first.body);
    expect(
      (await junior.client.put(`/api/v1/conversations/${channel.id}/messages/${chatter.id}/receipt`, {})).body.error
        .code,
    ).toBe('CHAT_NOT_AN_ANNOUNCEMENT');
    expect((await outsider.client.put(receipt, {})).status).toBe(404);
    expect((await junior.client.get(`/api/v1/conversations/${channel.id}/announcements`)).body).toMatchObject([
      { id: training.id, readByMe: true },
    ]);

    const receipts = `/api/v1/conversations/${channel.id}/messages/${training.id}/receipts`;
    const seen = await boss.client.get(receipts);
    expect(seen.status).toBe(200);
    expect(seen.body.read).toEqual([{ id: junior.user.id, name: junior.user.displayName, at: first.body.readAt }]);
    expect(seen.body.unread.map((p: { id: string }) => p.id).sort()).toEqual([boss.user.id, peer.user.id].sort());
    // The manager of the channel and chat:manage see receipts; the channel's other people do not.
    expect((await peer.client.get(receipts)).status).toBe(403);
    expect((await outsider.client.get(receipts)).status).toBe(404);
    expect((await admin.client.get(receipts)).body.read).toHaveLength(1);

    // Unpinned: no longer an announcement (receipts refused), audited.
    const unpinned = await boss.client.delete(`/api/v1/conversations/${channel.id}/messages/${training.id}/pin`);
    expect(unpinned.status).toBe(200);
    expect(unpinned.body.pinnedAt).toBeNull();
    expect((await junior.client.get(`/api/v1/conversations/${channel.id}/announcements`)).body).toEqual([]);
    expect((await boss.client.get(receipts)).body.error.code).toBe('CHAT_NOT_AN_ANNOUNCEMENT');
    const actions = await db
      .select({ action: auditLogs.action })
      .from(auditLogs)
      .where(and(eq(auditLogs.entityType, 'chat-message'), eq(auditLogs.entityId, training.id)));
    expect(actions.map((a) => a.action).sort()).toEqual(['publish', 'revoke']);
  });

  it('a group: its owner pins, members see the announcements newest first', async () => {
    const owner = await signedIn(t);
    const member = await signedIn(t);
    const made = await owner.client.post('/api/v1/conversations', {
      kind: 'group',
      title: '培训通知',
      memberIds: [member.user.id],
    });
    const id = made.body.id as string;
    const one = (await owner.client.post(`/api/v1/conversations/${id}/messages`, { body: '第一期' })).body;
    const two = (await member.client.post(`/api/v1/conversations/${id}/messages`, { body: '第二期' })).body;
    expect((await member.client.post(`/api/v1/conversations/${id}/messages/${two.id}/pin`, {})).status).toBe(403);
    expect((await owner.client.post(`/api/v1/conversations/${id}/messages/${one.id}/pin`, {})).status).toBe(200);
    expect((await owner.client.post(`/api/v1/conversations/${id}/messages/${two.id}/pin`, {})).status).toBe(200);
    const list = await member.client.get(`/api/v1/conversations/${id}/announcements`);
    expect(list.body.map((m: { id: string }) => m.id)).toEqual([two.id, one.id]);
    const receipts = await owner.client.get(`/api/v1/conversations/${id}/messages/${one.id}/receipts`);
    expect(receipts.body.read).toEqual([]);
    const byId = (x: { id: string }, y: { id: string }) => (x.id < y.id ? -1 : 1);
    expect([...receipts.body.unread].sort(byId)).toEqual(
      [
        { id: owner.user.id, name: owner.user.displayName },
        { id: member.user.id, name: member.user.displayName },
      ].sort(byId),
    );
  });
});
