import { and, desc, eq, sql } from 'drizzle-orm';
import type { IndependenceConflict, Opportunity } from '../../../common/schemas/opportunities';
import { inTransaction, type Ctx } from '../../context';
import { AppError, notFound } from '../../errors';
import { submitForApproval } from '../workflows/engine.service';
import { registerSubjectKind } from '../workflows/registry';
import { workflowInstances } from '../workflows/workflows.tables';
import { assertOpen, findIndependenceConflicts, opportunityFor } from './acceptance.service';
import { visibleOpportunities } from './opportunities.policy';
import { opportunities } from './opportunities.tables';

type OpportunityRow = typeof opportunities.$inferSelect;

/** The conflicts as one comparable value: what an approval was given for. */
const keyOf = (conflicts: IndependenceConflict[]) =>
  conflicts
    .map((c) => `${c.kind}:${c.id}`)
    .sort()
    .join(',');

/**
 * Where winning an opportunity with conflicting work stands: `approved` when its newest independence
 * exception was approved for (at least) the conflicts there are now, `pending` while one waits for a
 * decision, otherwise null (a new request is needed — also when new conflicting work appeared since).
 */
export async function overrideState(
  ctx: Ctx,
  opportunityId: string,
  conflicts: IndependenceConflict[],
): Promise<'approved' | 'pending' | null> {
  const [latest] = await ctx.db
    .select({ status: workflowInstances.status, facts: workflowInstances.facts })
    .from(workflowInstances)
    .where(
      and(eq(workflowInstances.subjectKind, 'independence-override'), eq(workflowInstances.subjectId, opportunityId)),
    )
    .orderBy(desc(workflowInstances.submittedAt), desc(workflowInstances.id))
    .limit(1);
  if (!latest) return null;
  if (latest.status === 'running' || latest.status === 'returned') return 'pending';
  if (latest.status !== 'approved') return null;
  const approvedFor = new Set(
    String((latest.facts as { fields: { conflicts?: string } }).fields.conflicts ?? '').split(','),
  );
  return conflicts.every((c) => approvedFor.has(`${c.kind}:${c.id}`)) ? 'approved' : null;
}

/**
 * A salesperson asks for an independence exception 独立性例外: the opportunity conflicts with the customer's
 * other work, and a partner (the flow of kind `independence-override`) decides. Until approved it cannot be won.
 */
export async function requestIndependenceOverride(
  ctx: Ctx,
  opportunityId: string,
  reason: string,
  present: (tx: Ctx, id: string) => Promise<Opportunity>,
): Promise<Opportunity> {
  return inTransaction(ctx, async (tx) => {
    const opportunity = await opportunityFor(tx, opportunityId, { write: true, lock: true });
    assertOpen(opportunity);
    const conflicts = await findIndependenceConflicts(tx.db, opportunity);
    if (conflicts.length === 0) throw new AppError('INDEPENDENCE_NO_CONFLICT');
    await tx.db
      .update(opportunities)
      .set({
        independenceOverrideReason: reason,
        independenceOverrideBy: null,
        independenceOverrideAt: null,
        updatedAt: new Date(),
      })
      .where(eq(opportunities.id, opportunityId));
    await submitForApproval(tx, 'independence-override', opportunityId);
    return present(tx, opportunityId);
  });
}

async function lockedOpportunity(tx: Ctx, id: string): Promise<OpportunityRow> {
  const [row] = await tx.db
    .select()
    .from(opportunities)
    .where(and(eq(opportunities.id, id), visibleOpportunities(tx.actor)))
    .for('update');
  if (!row) throw notFound();
  return row;
}

registerSubjectKind({
  kind: 'independence-override',
  async describe(tx, opportunityId) {
    const opportunity = await lockedOpportunity(tx, opportunityId);
    const conflicts = await findIndependenceConflicts(tx.db, opportunity);
    return {
      facts: {
        fields: {
          businessLineId: opportunity.businessLineId,
          departmentId: opportunity.departmentId,
          conflicts: keyOf(conflicts),
        },
        ownerId: opportunity.ownerId,
        departmentId: opportunity.departmentId,
        businessLineId: opportunity.businessLineId,
      },
      summary: {
        title: opportunity.name,
        facts: [
          { key: 'reason', value: opportunity.independenceOverrideReason ?? '' },
          {
            key: 'conflicts',
            value: conflicts
              .map((c) => `${c.name}（${c.businessLineName}${c.ownerName ? ` · ${c.ownerName}` : ''}）`)
              .join('；'),
          },
        ],
        link: `/opportunities/${opportunity.id}`,
      },
    };
  },
  async canSee(ctx, opportunityId) {
    const [row] = await ctx.db
      .select({ one: sql`1` })
      .from(opportunities)
      .where(and(eq(opportunities.id, opportunityId), visibleOpportunities(ctx.actor)));
    return Boolean(row);
  },
  // Approved: the exception is recorded on the opportunity (by whom, when), which may now be won. Rejected or
  // withdrawn: the request is gone, its reason with it. Returned: the reason stays for the submitter to revise.
  async onSettled(tx, opportunityId, status) {
    if (status === 'returned') return;
    await tx.db
      .update(opportunities)
      .set(
        status === 'approved'
          ? { independenceOverrideBy: tx.actor.id, independenceOverrideAt: new Date() }
          : { independenceOverrideReason: null, independenceOverrideBy: null, independenceOverrideAt: null },
      )
      .where(eq(opportunities.id, opportunityId));
  },
});
