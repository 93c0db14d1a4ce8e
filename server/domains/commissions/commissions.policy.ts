import { and, eq, exists, or, sql, type SQL } from 'drizzle-orm';
import { outer } from '../../lib/listing';
import { visibleTo, type Actor } from '../../policy';
import { contracts, orders } from '../contracts/contracts.tables';
import { engagements } from '../engagements/engagements.tables';
import { commissionLines, commissionSheets } from './commissions.tables';

/** The actor has a line on the sheet. */
const hasLine = (actor: Actor) =>
  exists(
    sql`(SELECT 1 FROM ${commissionLines} WHERE ${and(eq(commissionLines.sheetId, outer(commissionSheets.id)), eq(commissionLines.userId, actor.id))})`,
  );

/** The actor leads an engagement of the sheet's contract or order. */
const leadsWork = (actor: Actor) =>
  exists(
    sql`(SELECT 1 FROM ${engagements} WHERE ${and(
      or(
        eq(engagements.contractId, outer(commissionSheets.contractId)),
        eq(engagements.orderId, outer(commissionSheets.orderId)),
      ),
      eq(engagements.leadId, actor.id),
    )})`,
  );

/**
 * Who sees a commission sheet 分配表: its owner (the subject's 业务承接人), the leads of its engagements and everyone with
 * a line on it (own — a reader with own scope sees only their own lines of a sheet they do not own or lead), the
 * department subtree's managers (department), finance and partners (all). The current assignees of its flow also see
 * it while they hold a step (the engine's rule).
 */
export function visibleSheets(actor: Actor): SQL {
  return visibleTo(actor, 'commissions:read', {
    owner: commissionSheets.ownerId,
    department: commissionSheets.departmentId,
    shared: (a) => or(hasLine(a), leadsWork(a))!,
  });
}

/** Who sees every line of a sheet, not just their own: its owner, its leads, and readers with department scope up. */
export function wholeSheets(actor: Actor): SQL {
  return visibleTo(actor, 'commissions:read', {
    owner: commissionSheets.ownerId,
    department: commissionSheets.departmentId,
    shared: leadsWork,
  });
}

/** Who may draft a contract's sheet: its owner or a lead of its engagements (own), the department's, all. */
export function draftableContracts(actor: Actor): SQL {
  return visibleTo(actor, 'commissions:write', {
    owner: contracts.ownerId,
    department: contracts.departmentId,
    shared: (a) =>
      exists(
        sql`(SELECT 1 FROM ${engagements} WHERE ${and(eq(engagements.contractId, outer(contracts.id)), eq(engagements.leadId, a.id))})`,
      ),
  });
}

/** The same for an order without a contract. */
export function draftableOrders(actor: Actor): SQL {
  return visibleTo(actor, 'commissions:write', {
    owner: orders.ownerId,
    department: orders.departmentId,
    shared: (a) =>
      exists(
        sql`(SELECT 1 FROM ${engagements} WHERE ${and(eq(engagements.orderId, outer(orders.id)), eq(engagements.leadId, a.id))})`,
      ),
  });
}

/** Who may change a draft sheet and send it: as for drafting, on the sheet's owner and department. */
export function writableSheets(actor: Actor): SQL {
  return visibleTo(actor, 'commissions:write', {
    owner: commissionSheets.ownerId,
    department: commissionSheets.departmentId,
    shared: leadsWork,
  });
}
