import { and, eq, exists, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { preValidationHookHandler } from 'fastify';
import { outer } from '../../lib/listing';
import { AppError } from '../../errors';
import { can, type Actor } from '../../policy';
import { visibleCustomers, writableCustomers } from '../customers/customers.policy';
import { customers } from '../customers/customers.tables';
import { visibleLeads, writableLeads } from '../leads/leads.policy';
import { leads } from '../leads/leads.tables';
import { visibleOpportunities, writableOpportunities } from '../opportunities/opportunities.policy';
import { opportunities } from '../opportunities/opportunities.tables';
import { activities, activityAssignees } from './activities.tables';

/*
 * An activity's parent is its most specific record: the opportunity, else the lead, else the
 * customer. (An activity on an opportunity also names the opportunity's customer, for the
 * customer's timeline; access follows the opportunity, not the customer.)
 */
const onOpportunity = (condition: SQL) =>
  and(
    isNotNull(activities.opportunityId),
    exists(
      sql`(SELECT 1 FROM ${opportunities} WHERE ${and(eq(opportunities.id, outer(activities.opportunityId)), condition)})`,
    ),
  )!;
const onLead = (condition: SQL) =>
  and(
    isNull(activities.opportunityId),
    isNotNull(activities.leadId),
    exists(sql`(SELECT 1 FROM ${leads} WHERE ${and(eq(leads.id, outer(activities.leadId)), condition)})`),
  )!;
const onCustomer = (condition: SQL) =>
  and(
    isNull(activities.opportunityId),
    isNull(activities.leadId),
    exists(sql`(SELECT 1 FROM ${customers} WHERE ${and(eq(customers.id, outer(activities.customerId)), condition)})`),
  )!;

const assignedTo = (actor: Actor) =>
  exists(
    sql`(SELECT 1 FROM ${activityAssignees} WHERE ${and(eq(activityAssignees.activityId, outer(activities.id)), eq(activityAssignees.userId, actor.id))})`,
  );

/** Who sees an activity: its owner and assignees, and whoever sees its parent record. */
export function visibleActivities(actor: Actor): SQL {
  return or(
    eq(activities.ownerId, actor.id),
    assignedTo(actor),
    onOpportunity(visibleOpportunities(actor)),
    onLead(visibleLeads(actor)),
    onCustomer(visibleCustomers(actor)),
  )!;
}

/**
 * Who may change, complete or delete an activity: whoever may work on its parent record. With
 * `assignees`, also the people it is assigned to (they complete and reschedule their part; they
 * do not delete it or move it to another record).
 */
export function writableActivities(actor: Actor, options: { assignees?: boolean } = {}): SQL {
  return or(
    options.assignees ? assignedTo(actor) : undefined,
    onOpportunity(writableOpportunities(actor)),
    onLead(writableLeads(actor)),
    onCustomer(writableCustomers(actor)),
  )!;
}

/**
 * Route guard: activities have no permission of their own; a caller needs to read at least one
 * kind of parent record (leads, opportunities or customers). The service decides per record.
 */
export const requireActivityAccess: preValidationHookHandler = async (request) => {
  if (!request.actor) throw new AppError('UNAUTHENTICATED');
  if (
    !can(request.actor, 'leads:read') &&
    !can(request.actor, 'opportunities:read') &&
    !can(request.actor, 'customers:read')
  )
    throw new AppError('FORBIDDEN');
};
