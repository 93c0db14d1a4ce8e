import { sql, type SQL } from 'drizzle-orm';
import { arrayParam } from '../../db/client';
import { can, departmentAncestry, type Actor } from '../../policy';
import { visibleContracts } from '../contracts/contracts.policy';
import { contracts } from '../contracts/contracts.tables';
import { visibleEngagements } from '../engagements/engagements.policy';
import { engagements } from '../engagements/engagements.tables';
import { visibleOpportunities } from '../opportunities/opportunities.policy';
import { opportunities } from '../opportunities/opportunities.tables';
import { departments } from '../staff/staff.tables';
import { conversationMembers, conversations } from './chat.tables';

/** The conversations the actor is a member of (not left), as one uncorrelated id array. */
export const myMemberships = (actor: Actor): SQL =>
  sql`ARRAY(SELECT ${conversationMembers.conversationId} FROM ${conversationMembers} WHERE ${conversationMembers.userId} = ${actor.id} AND ${conversationMembers.leftAt} IS NULL)`;

/** The departments whose channels the actor belongs to: their own and every one above it. */
export const myChannelDepartments = (actor: Actor): SQL =>
  actor.departmentPath
    ? sql`ARRAY(SELECT ${departments.id} FROM ${departments} WHERE ${departments.path} = ANY(${arrayParam(departmentAncestry(actor.departmentPath), 'text')}))`
    : sql`'{}'::uuid[]`;

/** The record behind a record conversation is one the actor sees (each kind under its own policy). */
export function recordVisible(actor: Actor): SQL {
  return sql`(
    (${conversations.recordType} = 'opportunity' AND ${conversations.recordId} IN (SELECT ${opportunities.id} FROM ${opportunities} WHERE ${visibleOpportunities(actor)}))
    OR (${conversations.recordType} = 'engagement' AND ${conversations.recordId} IN (SELECT ${engagements.id} FROM ${engagements} WHERE ${visibleEngagements(actor)}))
    OR (${conversations.recordType} = 'contract' AND ${conversations.recordId} IN (SELECT ${contracts.id} FROM ${contracts} WHERE ${visibleContracts(actor)}))
  )`;
}

/**
 * Who reads a conversation (and its messages, members and files):
 * - a department channel: the people of that department and below it;
 * - a record's conversation: whoever sees the record, now (losing the record loses its conversation);
 * - a group or one-to-one conversation: its members.
 * chat:manage reads any conversation only through the export (audited), not through this rule.
 */
export function readableConversations(actor: Actor): SQL {
  if (!can(actor, 'chat:use')) return sql`false`;
  return sql`(
    (${conversations.kind} = 'department' AND ${conversations.departmentId} = ANY(${myChannelDepartments(actor)}))
    OR (${conversations.kind} IN ('group', 'direct') AND ${conversations.id} = ANY(${myMemberships(actor)}))
    OR (${conversations.kind} = 'record' AND ${recordVisible(actor)})
  )`;
}

/**
 * The conversations in the actor's list: the department channels they belong to and the conversations they are a
 * member of — each still readable (a record conversation one is a member of but no longer sees drops out).
 */
export function listedConversations(actor: Actor): SQL {
  return sql`(${readableConversations(actor)} AND (${conversations.kind} = 'department' OR ${conversations.id} = ANY(${myMemberships(actor)})))`;
}

/**
 * Who may manage a conversation (title, post policy, members, archive, pin announcements): chat:manage, a group's
 * owners, a department channel's department manager, and for a record's conversation anyone who may read it.
 */
export function manageableConversations(actor: Actor): SQL {
  if (can(actor, 'chat:manage')) return sql`true`;
  if (!can(actor, 'chat:use')) return sql`false`;
  return sql`(
    (${conversations.kind} = 'department' AND ${conversations.departmentId} IN (SELECT ${departments.id} FROM ${departments} WHERE ${departments.managerId} = ${actor.id}))
    OR (${conversations.kind} = 'group' AND ${conversations.id} IN (SELECT ${conversationMembers.conversationId} FROM ${conversationMembers} WHERE ${conversationMembers.userId} = ${actor.id} AND ${conversationMembers.role} = 'owner' AND ${conversationMembers.leftAt} IS NULL))
    OR (${conversations.kind} = 'record' AND ${recordVisible(actor)})
  )`;
}

/** Who may post now: readers of a conversation not archived, where everyone posts or the actor manages it. */
export function postableConversations(actor: Actor): SQL {
  return sql`(${readableConversations(actor)} AND ${conversations.archivedAt} IS NULL AND (${conversations.postPolicy} = 'members' OR ${manageableConversations(actor)}))`;
}
