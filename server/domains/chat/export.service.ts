import { sql } from 'drizzle-orm';
import type { ConversationKind } from '../../../common/schemas/chat';
import { inTransaction, type Ctx } from '../../context';
import { rowsOf } from '../../db/client';
import { notFound } from '../../errors';
import { say, type Label } from '../../lib/label';
import { FIRM_TIME_ZONE, localParts } from '../../lib/time';
import { xlsxFile } from '../../lib/xlsx';
import { can } from '../../policy';
import { recordAudit } from '../audit/audit.service';
import { conversationItems } from './conversations.service';

/**
 * Retention (issue 18, item 7): an administrator (chat:manage) exports a whole conversation — for a dispute — as
 * .xlsx or plain text, whether or not they could read it in the app (anyone else: 404, nothing told). Every message
 * in seq order, replies included (with the seq they answer), as stored: deleted messages too, each with its history
 * (the text before every edit and at its deletion, from chat_message_versions, with who and when), its author (a
 * deactivated person keeps their name), the attachments by file name, and times in the firm's zone. Audited
 * (`conversation` / `export`).
 */

export type ExportedFile = { filename: string; contentType: string; body: Buffer };

const L = {
  sheet: { zh: '会话记录', en: 'Conversation' },
  conversation: { zh: '会话', en: 'Conversation' },
  exported: { zh: '导出', en: 'Exported' },
  by: { zh: '导出人', en: 'By' },
  zone: { zh: '时区', en: 'Time zone' },
  messages: { zh: '消息数', en: 'Messages' },
  seq: { zh: '序号', en: 'No.' },
  time: { zh: '时间', en: 'Time' },
  author: { zh: '发送人', en: 'Author' },
  replyTo: { zh: '回复', en: 'Reply to' },
  body: { zh: '内容', en: 'Text' },
  files: { zh: '附件', en: 'Attachments' },
  state: { zh: '状态', en: 'State' },
  edited: { zh: '已编辑 {at}', en: 'Edited {at}' },
  deleted: { zh: '已删除 {at}（{by}）', en: 'Deleted {at} ({by})' },
  pinned: { zh: '公告', en: 'Announcement' },
  versionEdit: { zh: '编辑前的内容', en: 'Text before an edit' },
  versionDelete: { zh: '删除时的内容', en: 'Text when deleted' },
  versionLine: { zh: '{what}（{at}，{by}）', en: '{what} ({at}, {by})' },
  none: { zh: '（无消息）', en: '(no messages)' },
} satisfies Record<string, Label>;

const KIND_LABELS: Record<ConversationKind, Label> = {
  department: { zh: '部门频道', en: 'Department channel' },
  record: { zh: '业务会话', en: 'Record conversation' },
  group: { zh: '群聊', en: 'Group chat' },
  direct: { zh: '单聊', en: 'One-to-one' },
};

/** An instant as the firm's wall clock reads it: `YYYY-MM-DD HH:mm:ss` (FIRM_TIME_ZONE). */
export function firmDateTime(at: Date | string, seconds = true): string {
  const p = localParts(typeof at === 'string' ? new Date(at) : at, FIRM_TIME_ZONE);
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(p.hour)}:${two(p.minute)}${seconds ? `:${two(p.second)}` : ''}`;
  return `${p.year}-${two(p.month)}-${two(p.day)} ${time}`;
}

type Version = { action: 'edit' | 'delete'; body: string; at: string; by: string };
type ExportRow = {
  seq: number | string;
  parentSeq: number | string | null;
  author: string;
  createdAt: Date | string;
  body: string;
  editedAt: Date | string | null;
  deletedAt: Date | string | null;
  deletedBy: string | null;
  pinned: boolean;
  files: string[] | null;
  versions: Version[] | null;
};

/** Every message of the conversation in seq order, as stored (deleted ones too), with its history and files. */
async function messagesOf(ctx: Ctx, id: string): Promise<ExportRow[]> {
  return rowsOf<ExportRow>(
    ctx.db,
    sql`SELECT m.seq, p.seq AS "parentSeq", u.display_name AS author, m.created_at AS "createdAt", m.body,
      m.edited_at AS "editedAt", m.deleted_at AS "deletedAt", du.display_name AS "deletedBy", m.pinned_at IS NOT NULL AS pinned,
      (SELECT array_agg(f.filename ORDER BY array_position(m.file_ids, f.id)) FROM files f WHERE f.id = ANY(m.file_ids)) AS files,
      (SELECT json_agg(json_build_object('action', v.action, 'body', v.body, 'at', v.at, 'by', vu.display_name) ORDER BY v.at, v.id)
        FROM chat_message_versions v JOIN users vu ON vu.id = v.by WHERE v.message_id = m.id) AS versions
    FROM chat_messages m
    JOIN users u ON u.id = m.author_id
    LEFT JOIN chat_messages p ON p.id = m.parent_id
    LEFT JOIN users du ON du.id = m.deleted_by
    WHERE m.conversation_id = ${id}::uuid
    ORDER BY m.seq`,
  );
}

/** The conversation's kind and a title an administrator can tell apart (a one-to-one: both names). */
async function describe(ctx: Ctx, id: string): Promise<{ kind: ConversationKind; title: string } | null> {
  const [item] = await conversationItems(ctx, sql`c.id = ${id}::uuid`, 1);
  if (!item) return null;
  if (item.kind !== 'direct') return { kind: item.kind, title: item.title };
  const people = await rowsOf<{ name: string }>(
    ctx.db,
    sql`SELECT u.display_name AS name FROM conversation_members m JOIN users u ON u.id = m.user_id
      WHERE m.conversation_id = ${id}::uuid ORDER BY u.display_name`,
  );
  return { kind: item.kind, title: people.map((p) => p.name).join(' ↔ ') };
}

type Line = {
  seq: number;
  time: string;
  author: string;
  replyTo: string;
  body: string;
  files: string;
  state: string;
  /** A history entry of the message above (its text before an edit, or when deleted). */
  history: boolean;
};

/** A message's row and its history's rows, as both formats write them. */
function linesOf(rows: ExportRow[], locale: Ctx['actor']['locale']): Line[] {
  const lines: Line[] = [];
  for (const row of rows) {
    const seq = Number(row.seq);
    const state = [
      row.pinned ? say(L.pinned, locale) : null,
      row.editedAt ? say(L.edited, locale, { at: firmDateTime(row.editedAt) }) : null,
      row.deletedAt ? say(L.deleted, locale, { at: firmDateTime(row.deletedAt), by: row.deletedBy ?? '' }) : null,
    ]
      .filter(Boolean)
      .join('；');
    lines.push({
      seq,
      time: firmDateTime(row.createdAt),
      author: row.author,
      replyTo: row.parentSeq === null ? '' : `#${row.parentSeq}`,
      body: row.body,
      files: (row.files ?? []).join('、'),
      state,
      history: false,
    });
    for (const v of row.versions ?? [])
      lines.push({
        seq,
        time: firmDateTime(v.at),
        author: v.by,
        replyTo: '',
        body: v.body,
        files: '',
        state: say(v.action === 'edit' ? L.versionEdit : L.versionDelete, locale),
        history: true,
      });
  }
  return lines;
}

/** A name for the file: the title without characters file systems refuse, and the firm's date. */
function fileName(title: string, extension: string): string {
  const safe = title.replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 60) || 'conversation';
  const today = firmDateTime(new Date()).slice(0, 10).replace(/-/g, '');
  return `会话记录-${safe}-${today}.${extension}`;
}

/** GET /conversations/:id/export — chat:manage only (404 for anyone else and for no such conversation). */
export async function exportConversation(ctx: Ctx, id: string, format: 'xlsx' | 'text'): Promise<ExportedFile> {
  if (!can(ctx.actor, 'chat:manage')) throw notFound();
  const conversation = await describe(ctx, id);
  if (!conversation) throw notFound();
  const rows = await messagesOf(ctx, id);
  const locale = ctx.actor.locale;
  const lines = linesOf(rows, locale);
  const heading = `${conversation.title}（${say(KIND_LABELS[conversation.kind], locale)}）`;
  const exportedAt = firmDateTime(new Date());
  const file =
    format === 'xlsx'
      ? await xlsxOf(heading, exportedAt, rows.length, lines, ctx)
      : textOf(heading, exportedAt, rows.length, lines, ctx);
  await inTransaction(ctx, (tx) =>
    recordAudit(tx, {
      action: 'export',
      entityType: 'conversation',
      entityId: id,
      after: { format, messages: rows.length },
    }),
  );
  return {
    filename: fileName(conversation.title, format === 'xlsx' ? 'xlsx' : 'txt'),
    ...file,
  };
}

async function xlsxOf(heading: string, exportedAt: string, count: number, lines: Line[], ctx: Ctx) {
  const locale = ctx.actor.locale;
  // Written row by row (xlsxFile): a conversation of years is tens of thousands of rows.
  const file = xlsxFile();
  const ws = file.workbook.addWorksheet(say(L.sheet, locale), { views: [{ state: 'frozen', ySplit: 3 }] });
  ws.columns = [{ width: 8 }, { width: 20 }, { width: 14 }, { width: 8 }, { width: 60 }, { width: 24 }, { width: 28 }];
  const title = ws.addRow([`${say(L.conversation, locale)}: ${heading}`]);
  title.font = { bold: true };
  title.commit();
  ws.addRow([
    `${say(L.exported, locale)}: ${exportedAt}`,
    null,
    `${say(L.by, locale)}: ${ctx.actor.displayName}`,
    null,
    `${say(L.zone, locale)}: ${FIRM_TIME_ZONE}`,
    `${say(L.messages, locale)}: ${count}`,
  ]).commit();
  const header = ws.addRow([L.seq, L.time, L.author, L.replyTo, L.body, L.files, L.state].map((l) => say(l, locale)));
  header.font = { bold: true };
  header.commit();
  for (const line of lines) {
    const row = ws.addRow([line.seq, line.time, line.author, line.replyTo, line.body, line.files, line.state]);
    row.getCell(5).alignment = { wrapText: true, vertical: 'top' };
    row.commit();
  }
  const body = await file.finish();
  return { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body };
}

function textOf(heading: string, exportedAt: string, count: number, lines: Line[], ctx: Ctx) {
  const locale = ctx.actor.locale;
  const out = [
    `${say(L.conversation, locale)}: ${heading}`,
    `${say(L.exported, locale)}: ${exportedAt}  ${say(L.by, locale)}: ${ctx.actor.displayName}  ${say(L.zone, locale)}: ${FIRM_TIME_ZONE}  ${say(L.messages, locale)}: ${count}`,
    '',
  ];
  if (lines.length === 0) out.push(say(L.none, locale));
  for (const line of lines) {
    // A message: "#seq time author (reply to #n) [state]", its text indented; a history entry under it, marked.
    if (line.history) {
      out.push(`    — ${say(L.versionLine, locale, { what: line.state, at: line.time, by: line.author })}:`);
      out.push(...indent(line.body, '      '));
      continue;
    }
    const reply = line.replyTo ? ` → ${line.replyTo}` : '';
    const state = line.state ? ` [${line.state}]` : '';
    out.push(`#${line.seq} ${line.time} ${line.author}${reply}${state}`);
    out.push(...indent(line.body, '    '));
    if (line.files) out.push(`    ${say(L.files, locale)}: ${line.files}`);
  }
  return { contentType: 'text/plain; charset=utf-8', body: Buffer.from(out.join('\n') + '\n', 'utf8') };
}

const indent = (text: string, by: string) => (text === '' ? [] : text.split('\n').map((l) => by + l));
