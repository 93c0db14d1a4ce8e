import { and, eq, sql } from 'drizzle-orm';
import type { Ctx } from '../../context';
import { handlerOf } from './registry';
import { workflowAssignments, type workflowInstances } from './workflows.tables';

type InstanceRow = typeof workflowInstances.$inferSelect;

/** Whether the actor may see an instance: its subject's readers, its submitter, and anyone who held a step. */
export async function maySeeInstance(
  ctx: Ctx,
  instance: Pick<InstanceRow, 'id' | 'submittedBy' | 'subjectKind' | 'subjectId'>,
) {
  if (instance.submittedBy === ctx.actor.id) return true;
  const [held] = await ctx.db
    .select({ one: sql`1` })
    .from(workflowAssignments)
    .where(and(eq(workflowAssignments.instanceId, instance.id), eq(workflowAssignments.userId, ctx.actor.id)))
    .limit(1);
  return Boolean(held) || handlerOf(instance.subjectKind).canSee(ctx, instance.subjectId);
}
