import { and, isNull, sql, type SQL } from 'drizzle-orm';
import { can, visibleTo, type Actor } from '../../policy';
import { leads } from './leads.tables';

/**
 * Who sees a lead: its assignee (scope own); managers of the assignee's department subtree and of
 * the queue it waits in (department); everyone (all). The firm-wide queue (no department) is
 * visible with scope all only.
 */
export function visibleLeads(actor: Actor): SQL {
  return visibleTo(actor, 'leads:read', {
    owner: leads.ownerId,
    ownerDepartment: true,
    department: leads.queueDepartmentId,
  });
}

/** Who may work on a lead (status, activities, conversion). */
export function writableLeads(actor: Actor): SQL {
  return visibleTo(actor, 'leads:write', {
    owner: leads.ownerId,
    ownerDepartment: true,
    department: leads.queueDepartmentId,
  });
}

/** Who may (re)assign a lead: department scope over the assignee or the queue; all. Never one's own with scope own. */
export function assignableLeads(actor: Actor): SQL {
  if (!can(actor, 'leads:assign', 'department')) return sql`false`;
  return visibleTo(actor, 'leads:assign', {
    owner: leads.ownerId,
    ownerDepartment: true,
    department: leads.queueDepartmentId,
  });
}

/** Leads waiting in a queue the actor can work: their department subtree's, or every queue with scope all. */
export function queuedLeadsFor(actor: Actor): SQL {
  return and(isNull(leads.ownerId), visibleLeads(actor))!;
}
