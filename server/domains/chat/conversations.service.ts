import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type {
  ChatPerson,
  ChatRecordType,
  Conversation,
  ConversationCreate,
  ConversationItem,
  ConversationListQuery,
  ConversationMember,
  ConversationUpdate,
  MembersChange,
} from '../../../common/schemas/chat';
import { inTransaction, type Ctx } from '../../context';
import { arrayParam, rowsOf, type Db } from '../../db/client';
import { AppError, forbidden, invalidInput, notFound, type InputIssue } from '../../errors';
import { isoText } from '../../lib/listing';
import { recordAudit } from '../audit/audit.service';
import { visibleContracts } from '../contracts/contracts.policy';
import { contractMembers, contracts } from '../contracts/contracts.tables';
import { visibleEngagements } from '../engagements/engagements.policy';
import { engagementMembers, engagements } from '../engagements/engagements.tables';
import { visibleOpportunities } from '../opportunities/opportunities.policy';
import { opportunities, opportunityMembers } from '../opportunities/opportunities.tables';
import { loadActor } from '../staff/actors';
import { findDirectory } from '../staff/users.service';
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
export const asC = (condition: SQL) =>
  sql`c.id IN (SELECT ${conversations.id} FROM ${conversations} WHERE ${condition})`;
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

/** The record is one the actor sees, under its own domain's policy. */
async function seesRecord(ctx: Ctx, type: ChatRecordType, id: string): Promise<boolean> {
  const found =
    type === 'opportunity'
      ? await ctx.db
          .select({ id: opportunities.id })
          .from(opportunities)
          .where(and(eq(opportunities.id, id), visibleOpportunities(ctx.actor)))
      : type === 'engagement'
        ? await ctx.db
            .select({ id: engagements.id })
            .from(engagements)
            .where(and(eq(engagements.id, id), visibleEngagements(ctx.actor)))
        : await ctx.db
            .select({ id: contracts.id })
            .from(contracts)
            .where(and(eq(contracts.id, id), visibleContracts(ctx.actor)));
  return found.length > 0;
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
    // Nothing is made for a record the actor does not see (or that is not there): 404 as for any other.
    if (!(await seesRecord(tx, type, recordId))) throw notFound();
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

// ------------------------------------------------------------------------------------------- managing (chat-msg)

/** The conversation when the actor may manage it: 404 when not readable, FORBIDDEN when readable only. */
async function manageable(ctx: Ctx, id: string): Promise<ConversationRow> {
  const conversation = await readable(ctx, id, true);
  const [ok] = await ctx.db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.id, id), manageableConversations(ctx.actor)));
  if (!ok) throw forbidden();
  return conversation;
}

/**
 * Changes a conversation (its managers): a group's title, who may post, archived or not (a department channel
 * follows its department). Audited; answers the conversation as the reader now sees it.
 */
export async function updateConversation(
  ctx: Ctx,
  id: string,
  input: z.infer<typeof ConversationUpdate>,
): Promise<Conversation> {
  await inTransaction(ctx, async (tx) => {
    const conversation = await manageable(tx, id);
    const issues: InputIssue[] = [];
    if (input.title !== undefined && conversation.kind !== 'group')
      issues.push({ path: 'body.title', key: 'validation.chatTitleGroupsOnly' });
    if (input.archived !== undefined && conversation.kind === 'department')
      issues.push({ path: 'body.archived', key: 'validation.chatChannelArchive' });
    if (issues.length) throw invalidInput(ctx.actor.locale, issues);
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    const set: Partial<typeof conversations.$inferInsert> = {};
    if (input.title !== undefined && input.title !== conversation.title) {
      [before.title, after.title, set.title] = [conversation.title, input.title, input.title];
    }
    if (input.postPolicy !== undefined && input.postPolicy !== conversation.postPolicy) {
      [before.postPolicy, after.postPolicy, set.postPolicy] = [
        conversation.postPolicy,
        input.postPolicy,
        input.postPolicy,
      ];
    }
    if (input.archived !== undefined && input.archived !== (conversation.archivedAt !== null)) {
      [before.archived, after.archived] = [!input.archived, input.archived];
      set.archivedAt = input.archived ? new Date() : null;
      set.archivedBy = input.archived ? ctx.actor.id : null;
    }
    if (Object.keys(set).length === 0) return;
    await tx.db.update(conversations).set(set).where(eq(conversations.id, id));
    await recordAudit(tx, { action: 'update', entityType: 'conversation', entityId: id, before, after });
  });
  return getConversation(ctx, id);
}

/** A group keeps an owner: when its last owner leaves, its longest-standing member becomes one. */
async function keepAnOwner(db: Db, id: string) {
  await db.execute(sql`UPDATE ${conversationMembers} SET role = 'owner'
    WHERE conversation_id = ${id}::uuid AND user_id = (
      SELECT m.user_id FROM ${conversationMembers} m JOIN ${users} u ON u.id = m.user_id
      WHERE m.conversation_id = ${id}::uuid AND m.left_at IS NULL AND u.active ORDER BY m.joined_at, m.user_id LIMIT 1)
    AND NOT EXISTS (SELECT 1 FROM ${conversationMembers} o JOIN ${users} ou ON ou.id = o.user_id
      WHERE o.conversation_id = ${id}::uuid AND o.left_at IS NULL AND o.role = 'owner' AND ou.active)`);
}

/** Of these people, those who would read the conversation (each under their own policy). */
async function whoWouldRead(db: Db, id: string, userIds: string[]): Promise<Set<string>> {
  const reading = new Set<string>();
  for (const userId of userIds) {
    const person = await loadActor(db, userId);
    if (!person) continue;
    const [ok] = await db
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(eq(conversations.id, id), readableConversations(person)));
    if (ok) reading.add(userId);
  }
  return reading;
}

/**
 * Adds and removes members. A group: its managers, adding any active colleague. A record's conversation: anyone
 * who reads it may add colleagues who see the record (others refused, by name) and remove members. A department
 * channel (the tree) and a one-to-one conversation (two people) cannot be changed: CHAT_MEMBERS_FIXED.
 */
export async function changeMembers(
  ctx: Ctx,
  id: string,
  change: z.infer<typeof MembersChange>,
): Promise<Omit<ConversationMember, 'presence'>[]> {
  await inTransaction(ctx, async (tx) => {
    const conversation = await readable(tx, id, true);
    if (conversation.kind === 'department' || conversation.kind === 'direct') throw new AppError('CHAT_MEMBERS_FIXED');
    if (conversation.kind === 'group' || change.remove.length > 0) await manageable(tx, id);
    const add = [...new Set(change.add)];
    const remove = [...new Set(change.remove)].filter((userId) => !add.includes(userId));
    const active = await activeUsers(tx.db, add);
    if (add.some((userId) => !active.has(userId)))
      throw invalidInput(ctx.actor.locale, [{ path: 'body.add', key: 'validation.chatMemberUnknown' }]);
    if (conversation.kind === 'record') {
      const reading = await whoWouldRead(tx.db, id, add);
      const refused = add.filter((userId) => !reading.has(userId));
      if (refused.length > 0) {
        const names = await rowsOf<{ name: string }>(
          tx.db,
          sql`SELECT display_name AS name FROM ${users} WHERE id = ANY(${arrayParam(refused, 'uuid')}) ORDER BY display_name`,
        );
        throw invalidInput(ctx.actor.locale, [
          {
            path: 'body.add',
            key: 'validation.chatMemberCannotSee',
            params: { names: names.map((n) => n.name).join('、') },
          },
        ]);
      }
    }
    if (add.length > 0)
      await tx.db
        .insert(conversationMembers)
        .values(add.map((userId) => ({ conversationId: id, userId })))
        .onConflictDoUpdate({
          target: [conversationMembers.conversationId, conversationMembers.userId],
          set: { leftAt: null },
        });
    if (remove.length > 0) {
      await tx.db
        .update(conversationMembers)
        .set({ leftAt: sql`now()`, role: 'member' })
        .where(
          and(
            eq(conversationMembers.conversationId, id),
            sql`${conversationMembers.userId} = ANY(${arrayParam(remove, 'uuid')})`,
            sql`${conversationMembers.leftAt} IS NULL`,
          ),
        );
      if (conversation.kind === 'group') await keepAnOwner(tx.db, id);
    }
    if (add.length > 0 || remove.length > 0)
      await recordAudit(tx, {
        action: 'update',
        entityType: 'conversation',
        entityId: id,
        after: { membersAdded: add, membersRemoved: remove },
      });
  });
  return listMembers(ctx, id);
}

/** Joins a record's conversation one reads (its messages then reach one); elsewhere one already belongs. */
export async function joinConversation(ctx: Ctx, id: string): Promise<Conversation> {
  await inTransaction(ctx, async (tx) => {
    const conversation = await readable(tx, id);
    if (conversation.kind !== 'record') return;
    await tx.db
      .insert(conversationMembers)
      .values({ conversationId: id, userId: ctx.actor.id })
      .onConflictDoUpdate({
        target: [conversationMembers.conversationId, conversationMembers.userId],
        set: { leftAt: null },
      });
  });
  return getConversation(ctx, id);
}

/**
 * Leaves a group (no longer read; its last owner hands over to the longest member) or a record's conversation (its
 * messages stop reaching one; it stays readable while one sees the record). Channels and one-to-one
 * conversations cannot be left: CHAT_MEMBERS_FIXED.
 */
export async function leaveConversation(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const conversation = await readable(tx, id, true);
    if (conversation.kind === 'department' || conversation.kind === 'direct') throw new AppError('CHAT_MEMBERS_FIXED');
    await tx.db
      .update(conversationMembers)
      .set({ leftAt: sql`now()`, role: 'member' })
      .where(and(eq(conversationMembers.conversationId, id), eq(conversationMembers.userId, ctx.actor.id)));
    if (conversation.kind === 'group') {
      await keepAnOwner(tx.db, id);
      await recordAudit(tx, {
        action: 'update',
        entityType: 'conversation',
        entityId: id,
        after: { membersRemoved: [ctx.actor.id] },
      });
    }
  });
}

/** Active colleagues by name or username (the directory's search), not oneself: for starting or adding. */
export async function findChatPeople(ctx: Ctx, q: string | undefined): Promise<ChatPersonRow[]> {
  const found = await findDirectory(ctx.db, { q, limit: 21 });
  return found
    .filter((p) => p.id !== ctx.actor.id)
    .slice(0, 20)
    .map((p) => ({ id: p.id, name: p.displayName, department: p.departmentName }));
}

type ChatPersonRow = z.infer<typeof ChatPerson>;
