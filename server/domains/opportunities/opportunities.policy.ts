import { and, eq, exists, sql, type SQL } from 'drizzle-orm';
import { outer } from '../../lib/listing';
import { visibleTo, type Actor } from '../../policy';
import { opportunities, opportunityMembers } from './opportunities.tables';

/** The actor is on the opportunity's team. */
export const memberOf = (actor: Actor) =>
  exists(
    sql`(SELECT 1 FROM ${opportunityMembers} WHERE ${and(eq(opportunityMembers.opportunityId, outer(opportunities.id)), eq(opportunityMembers.userId, actor.id))})`,
  );

/**
 * Who sees an opportunity: its owner and its team members (scope own), managers of the
 * opportunity's department subtree (department), everyone (all).
 */
export function visibleOpportunities(actor: Actor): SQL {
  return visibleTo(actor, 'opportunities:read', {
    owner: opportunities.ownerId,
    department: opportunities.departmentId,
    shared: memberOf,
  });
}

/** Who may change, move, quote and plan an opportunity: as for reading, with the write grant. */
export function writableOpportunities(actor: Actor): SQL {
  return visibleTo(actor, 'opportunities:write', {
    owner: opportunities.ownerId,
    department: opportunities.departmentId,
    shared: memberOf,
  });
}
