import { visibleTo, type Actor } from '../../policy';
import { users } from './staff.tables';

/**
 * Which staff records an actor may see: their own profile (scope own), their department
 * subtree's staff (department), or everyone (all).
 */
export function visibleUsers(actor: Actor) {
  return visibleTo(actor, 'staff:read', { owner: users.id, department: users.departmentId });
}
