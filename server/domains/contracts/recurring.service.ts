import { eq } from 'drizzle-orm';
import type { Contract, Order, RecurringUpdate } from '../../../common/schemas/contracts';
import { inTransaction, type Ctx } from '../../context';
import { AppError } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { getContract, lockContract, statusError } from './contracts.service';
import { contracts, orders } from './contracts.tables';
import { getOrder, lockOrder } from './orders.service';

/**
 * Marking a contract or an order recurring 循环 (monthly / quarterly / annual) or not, in any state but voided and
 * terminated (cancelled for an order): the renewals 续约 follow the mark. By who may write it (its policy), audited.
 * An order of a contract recurs with its contract: ORDER_RECURS_WITH_CONTRACT.
 */

export async function setContractRecurring(ctx: Ctx, id: string, input: RecurringUpdate): Promise<Contract> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockContract(tx, id);
    if (before.status === 'voided' || before.status === 'terminated') throw statusError(before.status);
    if (before.recurringCycle === input.recurringCycle) return;
    await tx.db
      .update(contracts)
      .set({ recurringCycle: input.recurringCycle, updatedAt: new Date(), updatedBy: tx.actor.id })
      .where(eq(contracts.id, id));
    await recordAudit(tx, {
      action: 'update',
      entityType: 'contract',
      entityId: id,
      before: { recurringCycle: before.recurringCycle },
      after: { recurringCycle: input.recurringCycle },
    });
  });
  return getContract(ctx, id);
}

export async function setOrderRecurring(ctx: Ctx, id: string, input: RecurringUpdate): Promise<Order> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockOrder(tx, id);
    if (before.contractId) throw new AppError('ORDER_RECURS_WITH_CONTRACT');
    if (before.status === 'cancelled')
      throw new AppError('ORDER_STATUS_INVALID', { statusKey: `orderStatus.${before.status}` });
    if (before.recurringCycle === input.recurringCycle) return;
    await tx.db
      .update(orders)
      .set({ recurringCycle: input.recurringCycle, updatedAt: new Date(), updatedBy: tx.actor.id })
      .where(eq(orders.id, id));
    await recordAudit(tx, {
      action: 'update',
      entityType: 'order',
      entityId: id,
      before: { recurringCycle: before.recurringCycle },
      after: { recurringCycle: input.recurringCycle },
    });
  });
  return getOrder(ctx, id);
}
