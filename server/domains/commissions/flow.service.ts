import { and, desc, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Explanation, LineAdjust, Sheet, SharesInput } from '../../../common/schemas/commissions';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, invalidInput, notFound } from '../../errors';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { recordAudit } from '../audit/audit.service';
import { contracts, orders } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { engagements } from '../engagements/engagements.tables';
import { applicableWorkflow } from '../workflows/definitions.service';
import { submitForApproval } from '../workflows/engine.service';
import { registerSubjectKind } from '../workflows/registry';
import { workflowInstances } from '../workflows/workflows.tables';
import { visibleSheets } from './commissions.policy';
import { commissionLines, commissionSheets } from './commissions.tables';
import { decimal, scaled, splitByWeights } from './compute';
import { getSheet, heldStepOf, lockSheet, moneyText } from './sheets.service';

/**
 * The five steps of a sheet 分配表: ① 填写分配表 — its owner (or a lead of its engagements) checks the draft, may adjust a
 * line within a fifth of what the policy gave (with a reason), enters the shares of pools split by shares, and sends
 * it; then the firm's flow of kind `commission-sheet` (the demo: ② 会计处理 by accounting, ③ 项目负责人分配处理 by the
 * project lead, who splits the team's pool, ④ 财务核对 by finance, ⑤ 佣金发放 by finance, whose approval pays it out).
 * Whoever holds the current step may adjust any line (not below zero) with a reason; every change is kept on the
 * line (who, at which step, why) and in the audit log. A return to the submitter makes it a draft again. The final
 * approval marks the sheet and its lines paid today; with no flow that applies it is paid on submission.
 */

const fen = (value: string) => scaled(value, 2);
/** Step ① may move a line by at most this share of what the policy computed. */
const DRAFT_LIMIT_PERCENT = 20n;

/** The engagement lead of the sheet's subject who leads the most (the flow's project lead). */
async function leadOf(db: Db, s: typeof commissionSheets.$inferSelect): Promise<string | null> {
  const [row] = await db
    .select({ leadId: engagements.leadId })
    .from(engagements)
    .where(
      and(
        s.contractId ? eq(engagements.contractId, s.contractId) : eq(engagements.orderId, s.orderId!),
        sql`${engagements.status} <> 'cancelled'`,
      ),
    )
    .orderBy(desc(engagements.amount), engagements.id)
    .limit(1);
  return row?.leadId ?? null;
}

registerSubjectKind({
  kind: 'commission-sheet',
  async describe(tx, sheetId) {
    const [row] = await tx.db
      .select({
        s: commissionSheets,
        customerName: customers.name,
        title: sql<string>`coalesce(${contracts.title}, ${orders.title})`,
      })
      .from(commissionSheets)
      .leftJoin(contracts, eq(contracts.id, commissionSheets.contractId))
      .leftJoin(orders, eq(orders.id, commissionSheets.orderId))
      .innerJoin(customers, sql`${customers.id} = coalesce(${contracts.customerId}, ${orders.customerId})`)
      .where(and(eq(commissionSheets.id, sheetId), visibleSheets(tx.actor)))
      .for('update', { of: commissionSheets });
    if (!row) throw notFound();
    const s = row.s;
    return {
      facts: {
        fields: { total: s.total, businessLineId: s.businessLineId, departmentId: s.departmentId },
        ownerId: s.ownerId,
        departmentId: s.departmentId,
        businessLineId: s.businessLineId,
        projectLeadId: await leadOf(tx.db, s),
      },
      summary: {
        title: row.title,
        facts: [
          { key: 'customer', value: row.customerName },
          { key: 'period', value: s.period },
          { key: 'sheetTotal', value: s.total, money: true },
        ],
        link: `/commissions/sheets/${sheetId}`,
      },
    };
  },
  async canSee(ctx, sheetId) {
    const [row] = await ctx.db
      .select({ one: sql`1` })
      .from(commissionSheets)
      .where(and(eq(commissionSheets.id, sheetId), visibleSheets(ctx.actor)));
    return Boolean(row);
  },
  async onSettled(tx, sheetId, status) {
    if (status === 'approved') await markPaid(tx, sheetId);
    else
      await tx.db
        .update(commissionSheets)
        .set({ status: 'draft', updatedAt: new Date() })
        .where(and(eq(commissionSheets.id, sheetId), eq(commissionSheets.status, 'in-approval')));
  },
});

/** Paid out 佣金发放 today: the sheet and its lines. */
async function markPaid(tx: Ctx, sheetId: string): Promise<void> {
  const paidOn = localDate(new Date(), FIRM_TIME_ZONE);
  await tx.db
    .update(commissionSheets)
    .set({ status: 'paid', paidOn, updatedAt: new Date() })
    .where(eq(commissionSheets.id, sheetId));
  await tx.db.update(commissionLines).set({ paidOn }).where(eq(commissionLines.sheetId, sheetId));
  await recordAudit(tx, {
    action: 'pay',
    entityType: 'commission-sheet',
    entityId: sheetId,
    before: { status: 'in-approval' },
    after: { status: 'paid', paidOn },
  });
}

/** Sends a draft on (step ① done): in approval through the firm's flow, or paid at once when none applies. */
export async function submitSheet(ctx: Ctx, id: string): Promise<Sheet> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockSheet(tx, id);
    if (before.status !== 'draft')
      throw new AppError('COMMISSION_SHEET_STATUS', { statusKey: `sheetStatus.${before.status}` });
    const flow = await applicableWorkflow(tx.db, 'commission-sheet', {
      total: before.total,
      businessLineId: before.businessLineId,
      departmentId: before.departmentId,
    });
    const latest = await tx.db
      .select({ status: workflowInstances.status })
      .from(workflowInstances)
      .where(and(eq(workflowInstances.subjectKind, 'commission-sheet'), eq(workflowInstances.subjectId, id)))
      .orderBy(desc(workflowInstances.submittedAt))
      .limit(1);
    const resubmit = latest[0]?.status === 'returned';
    await tx.db
      .update(commissionSheets)
      .set({ status: 'in-approval', updatedAt: new Date(), updatedBy: tx.actor.id })
      .where(eq(commissionSheets.id, id));
    await recordAudit(tx, {
      action: 'submit',
      entityType: 'commission-sheet',
      entityId: id,
      before: { status: 'draft' },
      after: { status: 'in-approval' },
    });
    if (flow || resubmit) await submitForApproval(tx, 'commission-sheet', id);
    else await markPaid(tx, id);
  });
  return getSheet(ctx, id);
}

/** The sheet locked for a change by the actor now: its writer while a draft (step 1), or the holder of the step. */
async function lockForChange(
  tx: Ctx,
  id: string,
): Promise<{ sheet: typeof commissionSheets.$inferSelect; step: number }> {
  const [seen] = await tx.db
    .select({ status: commissionSheets.status })
    .from(commissionSheets)
    .where(eq(commissionSheets.id, id));
  if (seen?.status === 'draft') return { sheet: await lockSheet(tx, id), step: 1 };
  const step = await heldStepOf(tx.db, id, tx.actor.id);
  const [sheet] = await tx.db.select().from(commissionSheets).where(eq(commissionSheets.id, id)).for('update');
  if (!sheet) throw notFound();
  if (step === null || sheet.status !== 'in-approval') {
    const [visible] = await tx.db
      .select({ one: sql`1` })
      .from(commissionSheets)
      .where(and(eq(commissionSheets.id, id), visibleSheets(tx.actor)));
    if (!visible) throw notFound();
    if (sheet.status !== 'in-approval')
      throw new AppError('COMMISSION_SHEET_STATUS', { statusKey: `sheetStatus.${sheet.status}` });
    throw new AppError('FORBIDDEN');
  }
  return { sheet, step };
}

async function refreshTotal(tx: Ctx, id: string) {
  await tx.db.execute(sql`
    UPDATE ${commissionSheets} SET total = coalesce((SELECT sum(amount) FROM ${commissionLines} WHERE sheet_id = ${id}), 0),
      updated_at = now(), updated_by = ${tx.actor.id}
    WHERE id = ${id}`);
}

/**
 * A line's amount changed by hand with the reason: at step ① within a fifth of what the policy gave
 * (COMMISSION_ADJUST_LIMIT), later by the holder of the step to any amount not below zero.
 */
export async function adjustLine(
  ctx: Ctx,
  sheetId: string,
  lineId: string,
  input: z.output<typeof LineAdjust>,
): Promise<Sheet> {
  await inTransaction(ctx, async (tx) => {
    const { step } = await lockForChange(tx, sheetId);
    const [line] = await tx.db
      .select()
      .from(commissionLines)
      .where(and(eq(commissionLines.id, lineId), eq(commissionLines.sheetId, sheetId)))
      .for('update');
    if (!line) throw notFound();
    const computed = fen(line.computed);
    const wanted = fen(input.amount);
    if (computed < 0n) throw invalidInput(tx.actor.locale, [{ path: 'amount', key: 'validation.adjustReversal' }]);
    if (step === 1) {
      const gap = wanted > computed ? wanted - computed : computed - wanted;
      if (gap * 100n > computed * DRAFT_LIMIT_PERCENT)
        throw new AppError('COMMISSION_ADJUST_LIMIT', {
          low: moneyText(computed - (computed * DRAFT_LIMIT_PERCENT) / 100n),
          high: moneyText(computed + (computed * DRAFT_LIMIT_PERCENT) / 100n),
        });
    }
    const adjustedAt = new Date();
    await tx.db
      .update(commissionLines)
      .set({
        amount: input.amount,
        adjustedBy: tx.actor.id,
        adjustedAt,
        adjustedAtStep: step,
        adjustReason: input.reason,
      })
      .where(eq(commissionLines.id, lineId));
    await refreshTotal(tx, sheetId);
    await recordAudit(tx, {
      action: 'adjust',
      entityType: 'commission-sheet',
      entityId: sheetId,
      before: { lineId, userId: line.userId, amount: line.amount },
      after: { lineId, userId: line.userId, amount: moneyText(wanted), step, reason: input.reason },
    });
  });
  return getSheet(ctx, sheetId);
}

/**
 * The shares of the pools split by shares 按份额 (step ③ 项目负责人分配处理, or the draft's writer): each such pool's lines
 * are split again by them, to the fen by largest remainder (the parts add up to the pool); a hand adjustment of
 * those lines gives way to the new split. Shares of people without such a line are refused.
 */
export async function setShares(ctx: Ctx, sheetId: string, input: z.output<typeof SharesInput>): Promise<Sheet> {
  await inTransaction(ctx, async (tx) => {
    const { step } = await lockForChange(tx, sheetId);
    const lines = await tx.db.select().from(commissionLines).where(eq(commissionLines.sheetId, sheetId));
    const byShares = lines.filter((l) =>
      (l.explanation as Explanation).steps.some((s) => s.kind === 'share' && s.split === 'shares'),
    );
    const holders = new Set(byShares.map((l) => l.userId));
    const stray = Object.keys(input.shares).filter((userId) => !holders.has(userId));
    if (stray.length)
      throw invalidInput(
        tx.actor.locale,
        stray.map((userId) => ({ path: `shares.${userId}`, key: 'validation.shareNoPool' as const })),
      );
    const pools = new Map<string, typeof byShares>();
    for (const l of byShares) pools.set(l.ruleKey, [...(pools.get(l.ruleKey) ?? []), l]);
    for (const members of pools.values()) {
      const explanation = members[0].explanation as Explanation;
      const poolStep = explanation.steps.find((s) => s.kind === 'pool')!;
      if (poolStep.kind !== 'pool') continue;
      const pool = fen(poolStep.pool);
      const weights = members.map((m) => scaled(input.shares[m.userId] ?? '0', 4));
      const parts = splitByWeights(pool, weights);
      const total = weights.reduce((s, w) => s + w, 0n);
      for (const [i, m] of members.entries()) {
        const e = m.explanation as Explanation;
        const steps = e.steps.map((s) =>
          s.kind === 'share'
            ? {
                ...s,
                weight: input.shares[m.userId] ?? '0',
                total: decimal(total, 4),
                value: moneyText(parts[i]),
              }
            : s,
        );
        await tx.db
          .update(commissionLines)
          .set({
            computed: moneyText(parts[i]),
            amount: moneyText(parts[i]),
            explanation: { ...e, steps },
            adjustedBy: null,
            adjustedAt: null,
            adjustedAtStep: null,
            adjustReason: null,
          })
          .where(eq(commissionLines.id, m.id));
      }
    }
    await tx.db.update(commissionSheets).set({ shares: input.shares }).where(eq(commissionSheets.id, sheetId));
    await refreshTotal(tx, sheetId);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'commission-sheet',
      entityId: sheetId,
      after: { shares: input.shares, step },
    });
  });
  return getSheet(ctx, sheetId);
}
