import { and, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { CustomerSettings } from '../../../common/schemas/customers';
import { DEFAULT_ATTACHMENT_QUOTA_MB } from '../../../common/schemas/files';
import { DEFAULT_INACTIVE_DAYS } from '../../../common/schemas/suggestions';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { recordAudits } from '../audit/audit.service';
import { closeOpenSuggestions } from '../suggestions/close';
import { customerOwnerChanges, customerSettings, customers } from './customers.tables';

const DEFAULTS: CustomerSettings = {
  poolReturnDays: null,
  inactiveDays: DEFAULT_INACTIVE_DAYS,
  attachmentQuotaMb: DEFAULT_ATTACHMENT_QUOTA_MB,
};
/** The audit log's record id for "the customer settings" (a fixed, valid UUID: responses validate ids strictly). */
export const CUSTOMER_SETTINGS_ID = '5e771465-c0a5-4c57-8e7d-000000000001';

export async function getCustomerSettings(db: Db): Promise<CustomerSettings> {
  const rows = await db.select().from(customerSettings);
  return { ...DEFAULTS, ...Object.fromEntries(rows.map((r) => [r.key, r.value])) } as CustomerSettings;
}

export async function updateCustomerSettings(ctx: Ctx, patch: Partial<CustomerSettings>): Promise<CustomerSettings> {
  return inTransaction(ctx, async (tx) => {
    const before = await getCustomerSettings(tx.db);
    for (const [key, value] of Object.entries(patch)) {
      await tx.db
        .insert(customerSettings)
        .values({ key, value, updatedBy: ctx.actor.id })
        .onConflictDoUpdate({
          target: customerSettings.key,
          set: { value, updatedAt: new Date(), updatedBy: ctx.actor.id },
        });
    }
    const after = await getCustomerSettings(tx.db);
    await recordAudits(tx.db, { actorId: ctx.actor.id, requestId: ctx.requestId }, [
      { action: 'update', entityType: 'customer-settings', entityId: CUSTOMER_SETTINGS_ID, before, after },
    ]);
    return after;
  });
}

/**
 * The inactive-customer rule: owned customers nobody contacted for `poolReturnDays` days
 * (counting from creation when never contacted) return to the public pool, with owner
 * history and audit entries by "the system". Returns how many went back.
 */
export async function returnInactiveCustomersToPool(db: Db, now = new Date()): Promise<number> {
  const { poolReturnDays } = await getCustomerSettings(db);
  if (!poolReturnDays) return 0;
  const cutoff = new Date(now.getTime() - poolReturnDays * 86_400_000);
  return db.transaction(async (txDb) => {
    const tx = txDb as unknown as Db;
    const released = await tx
      .select({ id: customers.id, previousOwner: customers.ownerId })
      .from(customers)
      .where(
        and(
          isNotNull(customers.ownerId),
          lt(sql`coalesce(${customers.lastContactAt}, ${customers.createdAt})`, cutoff),
        ),
      )
      .for('update');
    if (released.length === 0) return 0;
    await tx
      .update(customers)
      .set({ ownerId: null, releasedAt: now, updatedAt: now })
      .where(
        inArray(
          customers.id,
          released.map((r) => r.id),
        ),
      );
    await closeOpenSuggestions(
      tx,
      released.map((r) => r.id),
    );
    const reason = `${poolReturnDays} 天未联系`;
    await tx.insert(customerOwnerChanges).values(
      released.map((r) => ({
        customerId: r.id,
        fromUserId: r.previousOwner,
        toUserId: null,
        kind: 'auto-release' as const,
        reason,
        at: now,
      })),
    );
    await recordAudits(
      tx,
      { actorId: null, requestId: null },
      released.map((r) => ({
        action: 'auto-release' as const,
        entityType: 'customer' as const,
        entityId: r.id,
        before: { ownerId: r.previousOwner },
        after: { ownerId: null, reason },
      })),
    );
    return released.length;
  });
}
