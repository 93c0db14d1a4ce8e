import { isNull, or, eq, sql, type SQL } from 'drizzle-orm';
import { can, scopeOf, visibleTo, type Actor } from '../../policy';
import { customerShares, customers } from './customers.tables';

/**
 * The customers shared with the reader, as one uncorrelated id array read once (a correlated EXISTS inside the
 * OR of the visibility rule ran once per customer — at 100,000 customers the salesperson's list spent 5× longer
 * on it). As `id = ANY(ARRAY(…))` rather than `id IN (…)`, every arm of a salesperson's rule is an index
 * condition (owner, pool, primary key), so PostgreSQL can read exactly their customers (a BitmapOr), and it
 * estimates the set by its real size instead of half the table.
 */
const sharedWith = (actor: Actor) =>
  sql`${customers.id} = ANY(ARRAY(SELECT ${customerShares.customerId} FROM ${customerShares} WHERE ${eq(customerShares.userId, actor.id)}))`;

/**
 * Who sees a customer: its owner and the colleagues it is shared with (scope own), managers
 * of the owner's department subtree (department), everyone (all) — and every reader sees
 * the unowned public pool 公海.
 */
export function visibleCustomers(actor: Actor): SQL {
  if (!can(actor, 'customers:read')) return sql`false`;
  return or(
    visibleTo(actor, 'customers:read', { owner: customers.ownerId, ownerDepartment: true, shared: sharedWith }),
    isNull(customers.ownerId),
  )!;
}

/**
 * Whether the reader sees every customer (scope all), and so every contact (each has its customer): a
 * list of contacts then needs no join to the customers to filter them by visibleCustomers.
 */
export function seesEveryCustomer(actor: Actor): boolean {
  return scopeOf(actor, 'customers:read') === 'all';
}

/** Who may change a customer (and log contacts with it): as for reading, but not the pool — claim it first. */
export function writableCustomers(actor: Actor): SQL {
  return visibleTo(actor, 'customers:write', { owner: customers.ownerId, ownerDepartment: true, shared: sharedWith });
}

/** Who may give a customer to someone else or share it: owners' managers and above; an owner may share their own. */
export function assignableCustomers(actor: Actor): SQL {
  return visibleTo(actor, 'customers:assign', { owner: customers.ownerId, ownerDepartment: true });
}
