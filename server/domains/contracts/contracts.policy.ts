import { and, eq, exists, sql, type SQL } from 'drizzle-orm';
import { outer } from '../../lib/listing';
import { visibleTo, type Actor } from '../../policy';
import { contractMembers, contracts, orders } from './contracts.tables';

/** The actor is on the contract's team. */
const memberOfContract = (actor: Actor) =>
  exists(
    sql`(SELECT 1 FROM ${contractMembers} WHERE ${and(eq(contractMembers.contractId, outer(contracts.id)), eq(contractMembers.userId, actor.id))})`,
  );

/**
 * Who sees a contract: its owner and its team (scope own), the department subtree's managers (department),
 * everyone (all — executives and finance). As opportunities.
 */
export function visibleContracts(actor: Actor): SQL {
  return visibleTo(actor, 'contracts:read', {
    owner: contracts.ownerId,
    department: contracts.departmentId,
    shared: memberOfContract,
  });
}

/** Who may change, submit, sign, complete, terminate or void a contract: as for reading, with the write grant. */
export function writableContracts(actor: Actor): SQL {
  return visibleTo(actor, 'contracts:write', {
    owner: contracts.ownerId,
    department: contracts.departmentId,
    shared: memberOfContract,
  });
}

/** Who sees an order: its owner (scope own), the department subtree (department), everyone (all). */
export function visibleOrders(actor: Actor): SQL {
  return visibleTo(actor, 'contracts:read', { owner: orders.ownerId, department: orders.departmentId });
}

export function writableOrders(actor: Actor): SQL {
  return visibleTo(actor, 'contracts:write', { owner: orders.ownerId, department: orders.departmentId });
}

/**
 * Receivables (terms, receipts, invoices) of the contracts and orders the actor may see for receivables:
 * `receivables:read` with the same owner / department rule.
 */
export function receivableContracts(actor: Actor): SQL {
  return visibleTo(actor, 'receivables:read', {
    owner: contracts.ownerId,
    department: contracts.departmentId,
    shared: memberOfContract,
  });
}
export function receivableOrders(actor: Actor): SQL {
  return visibleTo(actor, 'receivables:read', { owner: orders.ownerId, department: orders.departmentId });
}
