import { and, eq, sql, type SQL } from 'drizzle-orm';
import type {
  ChatRecordType,
  Conversation,
  ConversationCreate,
  ConversationItem,
  ConversationListQuery,
  ConversationMember,
} from '../../../common/schemas/chat';
import { inTransaction, type Ctx } from '../../context';
import { arrayParam, rowsOf, type Db } from '../../db/client';
import { AppError, notFound } from '../../errors';
import { isoText } from '../../lib/listing';
import { recordAudit } from '../audit/audit.service';
import { contractMembers, contracts } from '../contracts/contracts.tables';
import { engagementMembers, engagements } from '../engagements/engagements.tables';
import { opportunities, opportunityMembers } from '../opportunities/opportunities.tables';
import { loadActor } from '../staff/actors';
import { departments, users } from '../staff/staff.tables';
import {
  listedConversations,
  manageableConversations,
  postableConversations,
  readableConversations,
} from './chat.policy';
import { conversationMembers, conversations } from './chat.tables';
import { readMessages } from './message-reader';

/** How many unread messages are counted per conversation (more shows as 99+). */
export const UNREAD_CAP = 100;

/**
 * Keeps the department channels in step with the tree: one channel per department (made when missing), archived
 * while its department is inactive. Cheap enough to run before every list (two statements touching only what
 * changed); titles and members are read from the tree itself, never copied.
 */
export async function syncDepartmentChannels(db: Db): Promise<void> {
  await db.execute(sql`INSERT INTO ${conversations} (kind, department_id)
    SELECT 'department', d.id FROM ${departments} d
    WHERE NOT EXISTS (SELECT 1 FROM ${conversations} c WHERE c.kind = 'department' AND c.department_id = d.id)
    ON CONFLICT DO NOTHING`);
  await db.execute(sql`UPDATE ${conversations} c
    SET archived_at = CASE WHEN d.active THEN NULL ELSE now() END
    FROM ${departments} d
    WHERE c.kind = 'department' AND c.department_id = d.id AND (c.archived_at IS NULL) = NOT d.active`);
}

/** The title of a conversation as `me` sees it (a column expression over `c`). */
export const titleOf = (me: string) => sql`CASE c.kind
    WHEN 'department' THEN (SELECT d.name FROM ${departments} d WHERE d.id = c.department_id)
    WHEN 'group' THEN c.title
    WHEN 'direct' THEN coalesce((SELECT u.display_name FROM ${conversationMembers} o JOIN ${users} u ON u.id = o.user_id
      WHERE o.conversation_id = c.id AND o.user_id <> ${me}::uuid LIMIT 1), c.title)
    ELSE CASE c.record_type
      WHEN 'opportunity' THEN (SELECT x.name FROM ${opportunities} x WHERE x.id = c.record_id)
      WHEN 'engagement' THEN (SELECT x.title FROM ${engagements} x WHERE x.id = c.record_id)
      ELSE (SELECT coalesce(x.number || ' ', '') || x.title FROM ${contracts} x WHERE x.id = c.record_id) END
  END`;

type ItemRow = Omit<ConversationItem, 'lastSeq' | 'lastReadSeq' | 'unread' | 'unreadMentions'> & {
  lastSeq: number | string;
  lastReadSeq: number | string;
  unread: number | string;
  unreadMentions: number | string;
};

/**
 * Conversations with the reader's place, unread counts (up to UNREAD_CAP, others' messages not deleted) and unread
 * mentions, and the last message in one line — one statement over the conversations `where` selects (`c`).
 */
export async function conversationItems(ctx: Ctx, where: SQL, limit = 1000): Promise<ConversationItem[]> {
  const me = ctx.actor.id;
  const result = await rowsOf<ItemRow>(
    ctx.db,
    sql`
    SELECT c.id, c.kind, coalesce(${titleOf(me)}, '') AS title, c.record_type AS "recordType", c.record_id AS "recordId",
      c.department_id AS "departmentId", c.archived_at IS NOT NULL AS archived, c.last_seq AS "lastSeq",
      ${isoText(sql`c.last_message_at`)} AS "lastMessageAt",
      (SELECT json_build_object('author', lu.display_name, 'text', CASE WHEN l.deleted_at IS NULL THEN left(l.body, 120) ELSE '' END,
          'deleted', l.deleted_at IS NOT NULL)
        FROM chat_messages l JOIN ${users} lu ON lu.id = l.author_id WHERE l.conversation_id = c.id AND l.seq = c.last_seq) AS "lastMessage",
      coalesce(mm.last_read_seq, 0) AS "lastReadSeq",
      CASE WHEN c.last_seq > coalesce(mm.last_read_seq, 0) THEN
        (SELECT count(*) FROM (SELECT 1 FROM chat_messages x WHERE x.conversation_id = c.id AND x.seq > coalesce(mm.last_read_seq, 0)
          AND x.author_id <> ${me}::uuid AND x.deleted_at IS NULL LIMIT ${UNREAD_CAP}) u)
      ELSE 0 END AS unread,
      CASE WHEN c.last_seq > coalesce(mm.last_read_seq, 0) THEN
        (SELECT count(*) FROM chat_mentions cm WHERE cm.user_id = ${me}::uuid AND cm.conversation_id = c.id
          AND cm.seq > coalesce(mm.last_read_seq, 0))
      ELSE 0 END AS "unreadMentions",
      (c.kind = 'department' OR (mm.user_id IS NOT NULL AND mm.left_at IS NULL)) AS member
    FROM ${conversations} c
    LEFT JOIN ${conversationMembers} mm ON mm.conversation_id = c.id AND mm.user_id = ${me}::uuid
    WHERE ${where}
    ORDER BY c.last_message_at DESC NULLS LAST, c.id
    LIMIT ${limit}`,
  );
  return result.map((row) => ({
    ...row,
    lastSeq: Number(row.lastSeq),
    lastReadSeq: Number(row.lastReadSeq),
    unread: Number(row.unread),
    unreadMentions: Number(row.unreadMentions),
  }));
}

/** The reader's conversations (their channels and memberships), newest activity first. */
export async function listConversations(ctx: Ctx, query: ConversationListQuery): Promise<ConversationItem[]> {
  await syncDepartmentChannels(ctx.db);
  const filters: SQL[] = [listed(ctx)];
  if (query.kind) filters.push(sql`c.kind = ${query.kind}`);
  if (query.archived !== 'all')
    filters.push(query.archived === 'true' ? sql`c.archived_at IS NOT NULL` : sql`c.archived_at IS NULL`);
  let items = await conversationItems(ctx, sql.join(filters, sql` AND `));
  if (query.q) {
    const q = query.q.toLowerCase();
    items = items.filter((item) => item.title.toLowerCase().includes(q));
  }
  if (query.unread) items = items.filter((item) => item.unread > 0);
  return items;
}

/** The policies are written over the `conversations` table; the list reads it as `c`. */
const asC = (condition: SQL) => sql`c.id IN (SELECT ${conversations.id} FROM ${conversations} WHERE ${condition})`;
const listed = (ctx: Ctx) => asC(listedConversations(ctx.actor));

/** A conversation the reader may read, with what they may do there; 404 when not readable (or not there). */
export async function getConversation(ctx: Ctx, id: string): Promise<Conversation> {
  const [item] = await conversationItems(ctx, sql`c.id = ${id}::uuid AND ${asC(readableConversations(ctx.actor))}`, 1);
  if (!item) throw notFound();
  const [row] = await ctx.db
    .select({
      postPolicy: conversations.postPolicy,
      mayPost: sql<boolean>`${postableConversations(ctx.actor)}`,
      mayManage: sql<boolean>`${manageableConversations(ctx.actor)}`,
    })
    .from(conversations)
    .where(eq(conversations.id, id));
  const pinned = await readMessages(
    ctx.db,
    ctx.actor.id,
    sql`m.conversation_id = ${id}::uuid AND m.pinned_at IS NOT NULL AND m.deleted_at IS NULL`,
    sql`m.pinned_at DESC`,
    20,
  );
  return { ...item, ...row, memberCount: await countMembers(ctx.db, id, item.kind, item.departmentId), pinned };
}

async function countMembers(db: Db, id: string, kind: string, departmentId: string | null): Promise<number> {
  const result = await rowsOf<{ n: number }>(
    db,
    kind === 'department'
      ? sql`SELECT count(*)::int AS n FROM ${users} u JOIN ${departments} d ON d.id = u.department_id
          WHERE u.active AND d.path LIKE (SELECT p.path FROM ${departments} p WHERE p.id = ${departmentId}::uuid) || '%'`
      : sql`SELECT count(*)::int AS n FROM ${conversationMembers} m JOIN ${users} u ON u.id = m.user_id
          WHERE m.conversation_id = ${id}::uuid AND m.left_at IS NULL AND u.active`,
  );
  return Number(result[0]?.n ?? 0);
}

/**
 * The people a new message in the conversation reaches (live events, unread, mentions): a channel's department
 * people, a group's members, a record's members and team who still see the record. Used inside the posting
 * transaction, after the poster's checks.
 */
export async function recipientsOf(db: Db, conversation: ConversationRow): Promise<string[]> {
  if (conversation.kind === 'department') {
    const result = await rowsOf<{ id: string }>(
      db,
      sql`SELECT u.id FROM ${users} u JOIN ${departments} d ON d.id = u.department_id
      WHERE u.active AND d.path LIKE (SELECT p.path FROM ${departments} p WHERE p.id = ${conversation.departmentId}::uuid) || '%'`,
    );
    return result.map((r) => r.id);
  }
  if (conversation.kind === 'record') await addRecordTeam(db, conversation);
  const members = await rowsOf<{ id: string }>(
    db,
    sql`SELECT m.user_id AS id FROM ${conversationMembers} m
    JOIN ${users} u ON u.id = m.user_id WHERE m.conversation_id = ${conversation.id}::uuid AND m.left_at IS NULL AND u.active`,
  );
  const ids = members.map((r) => r.id);
  if (conversation.kind !== 'record') return ids;
  return seeingRecord(db, conversation.id, ids);
}

/** Of these people, those who may still read the (record) conversation — each under their own policy. */
async function seeingRecord(db: Db, conversationId: string, userIds: string[]): Promise<string[]> {
  const seeing: string[] = [];
  for (const userId of userIds) {
    const actor = await loadActor(db, userId);
    if (!actor) continue;
    const [ok] = await db
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(eq(conversations.id, conversationId), readableConversations(actor)));
    if (ok) seeing.push(userId);
    else
      await db
        .update(conversationMembers)
        .set({ leftAt: sql`now()` })
        .where(and(eq(conversationMembers.conversationId, conversationId), eq(conversationMembers.userId, userId)));
  }
  return seeing;
}

export type ConversationRow = typeof conversations.$inferSelect;

/** The record's team (owner and members; an engagement's lead and team) as members, those not yet in. */
async function addRecordTeam(db: Db, conversation: Pick<ConversationRow, 'id' | 'recordType' | 'recordId'>) {
  const team =
    conversation.recordType === 'opportunity'
      ? sql`SELECT owner_id FROM ${opportunities} WHERE id = ${conversation.recordId}::uuid
          UNION SELECT user_id FROM ${opportunityMembers} WHERE opportunity_id = ${conversation.recordId}::uuid`
      : conversation.recordType === 'engagement'
        ? sql`SELECT lead_id FROM ${engagements} WHERE id = ${conversation.recordId}::uuid
          UNION SELECT user_id FROM ${engagementMembers} WHERE engagement_id = ${conversation.recordId}::uuid`
        : sql`SELECT owner_id FROM ${contracts} WHERE id = ${conversation.recordId}::uuid
          UNION SELECT user_id FROM ${contractMembers} WHERE contract_id = ${conversation.recordId}::uuid`;
  await db.execute(sql`INSERT INTO ${conversationMembers} (conversation_id, user_id)
    SELECT ${conversation.id}::uuid, t.id FROM (${team}) AS t(id) WHERE t.id IS NOT NULL
    ON CONFLICT (conversation_id, user_id) DO NOTHING`);
}

/** The record's conversation, made on first use by anyone who sees the record (404 otherwise). */
export async function recordConversation(ctx: Ctx, type: ChatRecordType, recordId: string): Promise<Conversation> {
  const id = await inTransaction(ctx, async (tx) => {
    const [existing] = await tx.db
      .select({ id: conversations.id })
      .from(conversations)
      .where(
        and(eq(conversations.kind, 'record'), eq(conversations.recordType, type), eq(conversations.recordId, recordId)),
      );
    if (existing) return existing.id;
    const [made] = await tx.db
      .insert(conversations)
      .values({ kind: 'record', recordType: type, recordId, createdBy: ctx.actor.id })
      .onConflictDoNothing()
      .returning({ id: conversations.id });
    const id =
      made?.id ??
      (
        await tx.db
          .select({ id: conversations.id })
          .from(conversations)
          .where(
            and(
              eq(conversations.kind, 'record'),
              eq(conversations.recordType, type),
              eq(conversations.recordId, recordId),
            ),
          )
      )[0]!.id;
    await addRecordTeam(tx.db, { id, recordType: type, recordId });
    return id;
  });
  return getConversation(ctx, id);
}

/** Active users among the ids (the others are refused as a validation error). */
async function activeUsers(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await rowsOf<{ id: string }>(
    db,
    sql`SELECT id FROM ${users} WHERE active AND id = ANY(${arrayParam(ids, 'uuid')})`,
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * A group chat (the maker its owner, the chosen people members) or the one-to-one conversation with someone (the
 * existing one when there is one: `created: false`).
 */
export async function createConversation(
  ctx: Ctx,
  input: ConversationCreate,
): Promise<{ conversation: Conversation; created: boolean }> {
  const me = ctx.actor.id;
  const others = input.kind === 'group' ? [...new Set(input.memberIds)].filter((id) => id !== me) : [input.userId];
  if (input.kind === 'direct' && input.userId === me) throw new AppError('CHAT_DIRECT_WITH_SELF');
  const result = await inTransaction(ctx, async (tx) => {
    const active = await activeUsers(tx.db, others);
    if (others.some((id) => !active.has(id))) throw notFound();
    if (input.kind === 'direct') {
      const directKey = [me, input.userId].sort().join(':');
      const [made] = await tx.db
        .insert(conversations)
        .values({ kind: 'direct', directKey, createdBy: me })
        .onConflictDoNothing()
        .returning({ id: conversations.id });
      if (!made) {
        const [existing] = await tx.db
          .select({ id: conversations.id })
          .from(conversations)
          .where(and(eq(conversations.kind, 'direct'), eq(conversations.directKey, directKey)));
        // Either of the two may have left it: being asked again brings both back.
        await tx.db
          .update(conversationMembers)
          .set({ leftAt: null })
          .where(eq(conversationMembers.conversationId, existing!.id));
        return { id: existing!.id, created: false };
      }
      await tx.db.insert(conversationMembers).values([
        { conversationId: made.id, userId: me, role: 'owner' },
        { conversationId: made.id, userId: input.userId, role: 'owner' },
      ]);
      return { id: made.id, created: true };
    }
    const [made] = await tx.db
      .insert(conversations)
      .values({ kind: 'group', title: input.title, createdBy: me })
      .returning({ id: conversations.id });
    await tx.db
      .insert(conversationMembers)
      .values([
        { conversationId: made!.id, userId: me, role: 'owner' as const },
        ...others.map((userId) => ({ conversationId: made!.id, userId, role: 'member' as const })),
      ]);
    await recordAudit(tx, {
      action: 'create',
      entityType: 'conversation',
      entityId: made!.id,
      after: { kind: 'group', title: input.title, members: [me, ...others] },
    });
    return { id: made!.id, created: true };
  });
  return { conversation: await getConversation(ctx, result.id), created: result.created };
}

/** The conversation's people with their role (a channel: its department's people; presence filled by the caller). */
export async function listMembers(ctx: Ctx, id: string): Promise<Omit<ConversationMember, 'presence'>[]> {
  const conversation = await readable(ctx, id);
  return rowsOf<Omit<ConversationMember, 'presence'>>(
    ctx.db,
    conversation.kind === 'department'
      ? sql`SELECT u.id, u.display_name AS name, 'member' AS role FROM ${users} u JOIN ${departments} d ON d.id = u.department_id
          WHERE u.active AND d.path LIKE (SELECT p.path FROM ${departments} p WHERE p.id = ${conversation.departmentId}::uuid) || '%'
          ORDER BY u.display_name`
      : sql`SELECT u.id, u.display_name AS name, m.role FROM ${conversationMembers} m JOIN ${users} u ON u.id = m.user_id
          WHERE m.conversation_id = ${id}::uuid AND m.left_at IS NULL AND u.active ORDER BY m.role DESC, u.display_name`,
  );
}

/** The conversation row when the reader may read it; 404 otherwise (whether it exists is not told). */
export async function readable(ctx: Ctx, id: string, lock = false): Promise<ConversationRow> {
  const query = ctx.db
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, id), readableConversations(ctx.actor)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound();
  return row;
}
