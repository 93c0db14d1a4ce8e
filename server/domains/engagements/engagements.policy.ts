import { and, eq, exists, or, sql, type SQL } from 'drizzle-orm';
import { outer } from '../../lib/listing';
import { visibleTo, type Actor } from '../../policy';
import { contractMembers } from '../contracts/contracts.tables';
import { engagementMembers, engagements } from './engagements.tables';

/** On the engagement's team. */
const onTeam = (actor: Actor) =>
  exists(
    sql`(SELECT 1 FROM ${engagementMembers} WHERE ${and(eq(engagementMembers.engagementId, outer(engagements.id)), eq(engagementMembers.userId, actor.id))})`,
  );

/** On the team, the order's owner, or on the contract's team (the sales side). */
const teamOrSales = (actor: Actor) =>
  or(
    onTeam(actor),
    eq(engagements.salesOwnerId, actor.id),
    exists(
      sql`(SELECT 1 FROM ${contractMembers} WHERE ${and(eq(contractMembers.contractId, outer(engagements.contractId)), eq(contractMembers.userId, actor.id))})`,
    ),
  )!;

/**
 * Who sees an engagement: its lead, its team and its sales side (scope own), the managers of the lead's department
 * subtree (department), everyone (all — partners and finance).
 */
export function visibleEngagements(actor: Actor): SQL {
  return visibleTo(actor, 'engagements:read', {
    owner: engagements.leadId,
    department: engagements.departmentId,
    shared: teamOrSales,
  });
}

/** Who may plan and staff an engagement: its lead (own), the lead's department's managers, everyone (all). */
export function writableEngagements(actor: Actor): SQL {
  return visibleTo(actor, 'engagements:write', { owner: engagements.leadId, department: engagements.departmentId });
}

/**
 * Who may send an engagement for review 提交复核: its planners, and the people on its team — the field team that
 * prepared the working papers sends them to the project manager's review (一级复核), who cannot review a request of
 * their own.
 */
export function reviewableEngagements(actor: Actor): SQL {
  return or(writableEngagements(actor), and(visibleEngagements(actor), onTeam(actor)))!;
}
