import ExcelJS from 'exceljs';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn } from '../../test/factories';
import { createTestApp, type Client, type TestApp } from '../../test/harness';
import { auditLogs } from '../audit/audit.tables';
import { files } from '../files/files.tables';
import { users } from '../staff/staff.tables';
import { chatMessages, chatMessageVersions } from './chat.tables';

/**
 * Retention (issue 18, item 7): an administrator exports a conversation — any, read by them or not — as .xlsx or
 * text: every message in seq order with its author, its time on the firm's clock (Asia/Shanghai), the seq it replies
 * to, its attachments by name, and for an edited or deleted message what it said before; audited. Others: 404.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The firm's wall clock (Asia/Shanghai is UTC+8 all year): worked out here by adding 8 hours. */
const shanghai = (at: Date) => new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

const download = (client: Client, id: string, format?: string) =>
  t.app.inject({
    method: 'GET',
    url: `/api/v1/conversations/${id}/export${format ? `?format=${format}` : ''}`,
    headers: { cookie: client.cookie! },
  });

/**
 * A group of two with four messages: a question, a reply to it with a file, one edited once, one deleted after an
 * edit — the edits and the deletion written as the message service keeps them (a version row each).
 */
async function conversationWithHistory() {
  const db = t.database.db;
  const a = await signedIn(t);
  const b = await signedIn(t);
  const group = await a.client.post('/api/v1/conversations', {
    kind: 'group',
    title: '争议项目组',
    memberIds: [b.user.id],
  });
  const say = async (client: Client, body: string, parentId?: string) =>
    (await client.post(`/api/v1/conversations/${group.body.id}/messages`, { body, parentId })).body as {
      id: string;
      seq: number;
    };
  const question = await say(a.client, '合同金额确认了吗？');
  const reply = await say(b.client, '确认了，五十万。\n见附件', question.id);
  const edited = await say(a.client, '周三交底稿');
  const deleted = await say(b.client, '这句话不该说');

  const [file] = await db
    .insert(files)
    .values({
      ownerType: 'chat',
      ownerId: group.body.id,
      filename: '合同扫描件.pdf',
      contentType: 'application/pdf',
      size: 3,
      sha256: 'x',
      content: Buffer.from('pdf'),
      createdBy: b.user.id,
    })
    .returning({ id: files.id });
  await db
    .update(chatMessages)
    .set({ fileIds: [file.id] })
    .where(eq(chatMessages.id, reply.id));
  const editAt = new Date(Date.UTC(2026, 11, 5, 17, 30, 5)); // 2026-12-06 01:30:05 in Shanghai
  await db
    .insert(chatMessageVersions)
    .values({ messageId: edited.id, action: 'edit', body: '周二交底稿', at: editAt, by: a.user.id });
  await db.update(chatMessages).set({ editedAt: editAt, body: '周三交底稿' }).where(eq(chatMessages.id, edited.id));
  const deleteAt = new Date(Date.UTC(2026, 11, 6, 2, 0, 0));
  await db
    .insert(chatMessageVersions)
    .values({ messageId: deleted.id, action: 'delete', body: '这句话不该说', at: deleteAt, by: b.user.id });
  await db
    .update(chatMessages)
    .set({ deletedAt: deleteAt, deletedBy: b.user.id })
    .where(eq(chatMessages.id, deleted.id));
  const stored = await db
    .select({ id: chatMessages.id, createdAt: chatMessages.createdAt })
    .from(chatMessages)
    .where(eq(chatMessages.conversationId, group.body.id));
  const createdAt = new Map(stored.map((m) => [m.id, m.createdAt]));
  return { a, b, id: group.body.id as string, question, reply, edited, deleted, editAt, deleteAt, createdAt };
}

describe('exporting a conversation', () => {
  it('as .xlsx: every message in seq order with its history, authors, firm times and attachments; audited', async () => {
    const c = await conversationWithHistory();
    const admin = await signedIn(t, { roleCode: 'admin' });
    const res = await download(admin.client, c.id, 'xlsx');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX);
    expect(decodeURIComponent(String(res.headers['content-disposition']))).toContain('争议项目组');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    // An empty cell is no cell at all in the file (a hole in ExcelJS's values): read as ''.
    const rows = (sheet.getSheetValues().filter(Boolean) as unknown[][]).map((r) =>
      Array.from(r.slice(1), (v) => (v === null || v === undefined ? '' : v)),
    );
    expect(String(rows[0][0])).toContain('争议项目组');
    expect(rows[1].join(' ')).toContain('Asia/Shanghai');
    expect(rows[1].join(' ')).toContain('4');
    expect(rows[2]).toEqual(['序号', '时间', '发送人', '回复', '内容', '附件', '状态']);
    const at = (id: string) => shanghai(c.createdAt.get(id)!);
    const [a, b] = [c.a.user.displayName, c.b.user.displayName];
    const body = rows.slice(3).map((r) => [...r, '', '', '', '', '', '', ''].slice(0, 7));
    expect(body).toEqual([
      [1, at(c.question.id), a, '', '合同金额确认了吗？', '', ''],
      [2, at(c.reply.id), b, '#1', '确认了，五十万。\n见附件', '合同扫描件.pdf', ''],
      [3, at(c.edited.id), a, '', '周三交底稿', '', `已编辑 ${shanghai(c.editAt)}`],
      [3, shanghai(c.editAt), a, '', '周二交底稿', '', '编辑前的内容'],
      [4, at(c.deleted.id), b, '', '这句话不该说', '', `已删除 ${shanghai(c.deleteAt)}（${b}）`],
      [4, shanghai(c.deleteAt), b, '', '这句话不该说', '', '删除时的内容'],
    ]);
    expect(shanghai(c.editAt)).toBe('2026-12-06 01:30:05');

    const audit = await t.database.db
      .select({ actorId: auditLogs.actorId, after: auditLogs.after })
      .from(auditLogs)
      .where(
        and(eq(auditLogs.entityType, 'conversation'), eq(auditLogs.entityId, c.id), eq(auditLogs.action, 'export')),
      );
    expect(audit).toEqual([{ actorId: admin.user.id, after: { format: 'xlsx', messages: 4 } }]);
  });

  it('as text, in seq order, keeping a deactivated author’s name', async () => {
    const c = await conversationWithHistory();
    await t.database.db.update(users).set({ active: false }).where(eq(users.id, c.b.user.id));
    const admin = await signedIn(t, { roleCode: 'admin' });
    const res = await download(admin.client, c.id, 'text');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    const text = res.body;
    const [a, b] = [c.a.user.displayName, c.b.user.displayName];
    const at = (id: string) => shanghai(c.createdAt.get(id)!);
    const expectedInOrder = [
      `#1 ${at(c.question.id)} ${a}`,
      '    合同金额确认了吗？',
      `#2 ${at(c.reply.id)} ${b} → #1`,
      '    确认了，五十万。',
      '    见附件',
      '    附件: 合同扫描件.pdf',
      `#3 ${at(c.edited.id)} ${a} [已编辑 ${shanghai(c.editAt)}]`,
      '    周三交底稿',
      `    — 编辑前的内容（${shanghai(c.editAt)}，${a}）:`,
      '      周二交底稿',
      `#4 ${at(c.deleted.id)} ${b} [已删除 ${shanghai(c.deleteAt)}（${b}）]`,
      '    这句话不该说',
      `    — 删除时的内容（${shanghai(c.deleteAt)}，${b}）:`,
      '      这句话不该说',
    ];
    const lines = text.split('\n');
    const start = lines.indexOf(expectedInOrder[0]);
    expect(start, text).toBeGreaterThan(0);
    expect(lines.slice(start, start + expectedInOrder.length)).toEqual(expectedInOrder);
    const [{ n }] = await t.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(auditLogs)
      .where(and(eq(auditLogs.entityId, c.id), eq(auditLogs.action, 'export')));
    expect(n).toBe(1);
  });

  it('is for chat:manage only: a member, a manager and a stranger get 404, and nothing is audited', async () => {
    const c = await conversationWithHistory();
    const manager = await signedIn(t, { roleCode: 'manager' });
    for (const client of [c.a.client, manager.client]) {
      const res = await download(client, c.id);
      expect(res.statusCode).toBe(404);
    }
    const admin = await signedIn(t, { roleCode: 'admin' });
    expect((await download(admin.client, '00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    const [{ n }] = await t.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(auditLogs)
      .where(and(eq(auditLogs.entityId, c.id), eq(auditLogs.action, 'export')));
    expect(n).toBe(0);
  });
});
