import { eq, inArray, or, sql } from 'drizzle-orm';
import type { SalesCycleTargets, SalesCycleTargetsInput } from '../../../common/schemas/sales-cycle-targets';
import { inTransaction, type Ctx } from '../../context';
import { invalidInput, type InputIssue } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { businessLines } from '../staff/staff.tables';
import { salesCycleTargets } from './reports.tables';

/** The audit log's entity id of the firm's one set of targets. */
export const SALES_CYCLE_TARGETS_ENTITY_ID = '00000000-0000-0000-0000-000000000000';

/** Every active business line with its target (null: none), and any inactive line that still has one. */
export async function getSalesCycleTargets(ctx: Pick<Ctx, 'db'>): Promise<SalesCycleTargets> {
  const rows = await ctx.db
    .select({
      businessLineId: businessLines.id,
      businessLineName: businessLines.name,
      active: businessLines.active,
      targetDays: salesCycleTargets.targetDays,
      updatedAt: salesCycleTargets.updatedAt,
    })
    .from(businessLines)
    .leftJoin(salesCycleTargets, eq(salesCycleTargets.businessLineId, businessLines.id))
    .where(or(eq(businessLines.active, true), sql`${salesCycleTargets.businessLineId} IS NOT NULL`))
    .orderBy(businessLines.sortOrder, businessLines.name);
  return {
    items: rows.map((r) => ({
      ...r,
      targetDays: r.targetDays ?? null,
      updatedAt: r.updatedAt?.toISOString() ?? null,
    })),
  };
}

/** Replaces the set: the lines given get their target, every other line has none. Audited as one change. */
export async function setSalesCycleTargets(ctx: Ctx, input: SalesCycleTargetsInput): Promise<SalesCycleTargets> {
  const issues: InputIssue[] = [];
  const seen = new Set<string>();
  input.items.forEach((item, i) => {
    if (seen.has(item.businessLineId))
      issues.push({ path: `body.items.${i}.businessLineId`, key: 'validation.duplicateBusinessLine' });
    seen.add(item.businessLineId);
  });
  const ids = [...seen];
  const known = ids.length
    ? new Set(
        (await ctx.db.select({ id: businessLines.id }).from(businessLines).where(inArray(businessLines.id, ids))).map(
          (r) => r.id,
        ),
      )
    : new Set<string>();
  input.items.forEach((item, i) => {
    if (!known.has(item.businessLineId))
      issues.push({ path: `body.items.${i}.businessLineId`, key: 'validation.unknownRecord' });
  });
  if (issues.length) throw invalidInput(ctx.actor.locale, issues);

  return inTransaction(ctx, async (tx) => {
    // The set is replaced whole: one writer at a time (the table's rows are locked before they are read).
    const before = await tx.db
      .select({ businessLineId: salesCycleTargets.businessLineId, targetDays: salesCycleTargets.targetDays })
      .from(salesCycleTargets)
      .orderBy(salesCycleTargets.businessLineId)
      .for('update');
    await tx.db.delete(salesCycleTargets);
    if (input.items.length)
      await tx.db.insert(salesCycleTargets).values(
        input.items.map((item) => ({
          businessLineId: item.businessLineId,
          targetDays: item.targetDays,
          updatedBy: tx.actor.id,
        })),
      );
    const after = [...input.items].sort((a, b) => a.businessLineId.localeCompare(b.businessLineId));
    await recordAudit(tx, {
      action: 'update',
      entityType: 'sales-cycle-targets',
      entityId: SALES_CYCLE_TARGETS_ENTITY_ID,
      before: { items: before },
      after: { items: after },
    });
    return getSalesCycleTargets(tx);
  });
}
