import { and, desc, eq, isNull } from 'drizzle-orm';
import { aliasedTable } from 'drizzle-orm';
import type { StandingDelegation, StandingDelegationInput } from '../../../common/schemas/workflows';
import type { z } from 'zod';
import { inTransaction, type Ctx } from '../../context';
import { invalidInput, notFound, type InputIssue } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { users } from '../staff/staff.tables';
import { workflowDelegations } from './workflows.tables';

const delegates = aliasedTable(users, 'delegates');

/** The reader's standing delegations that are not revoked, newest first. */
export async function listDelegations(ctx: Ctx): Promise<StandingDelegation[]> {
  const rows = await ctx.db
    .select({ d: workflowDelegations, userName: users.displayName, delegateName: delegates.displayName })
    .from(workflowDelegations)
    .innerJoin(users, eq(users.id, workflowDelegations.userId))
    .innerJoin(delegates, eq(delegates.id, workflowDelegations.delegateId))
    .where(and(eq(workflowDelegations.userId, ctx.actor.id), isNull(workflowDelegations.revokedAt)))
    .orderBy(desc(workflowDelegations.startsOn), desc(workflowDelegations.createdAt));
  return rows.map(({ d, userName, delegateName }) => ({
    id: d.id,
    userId: d.userId,
    userName,
    delegateId: d.delegateId,
    delegateName,
    startsOn: d.startsOn,
    endsOn: d.endsOn,
    note: d.note,
    createdAt: d.createdAt.toISOString(),
  }));
}

/**
 * While I am away: steps that start for me between these dates (inclusive, the firm's calendar) go to my
 * delegate instead. Steps already waiting stay with me (delegate each one from the inbox).
 */
export async function createDelegation(
  ctx: Ctx,
  input: z.output<typeof StandingDelegationInput>,
): Promise<StandingDelegation> {
  const issues: InputIssue[] = [];
  if (input.endsOn < input.startsOn) issues.push({ path: 'endsOn', key: 'validation.endBeforeStart' });
  const [delegate] = await ctx.db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, input.delegateId), eq(users.active, true)));
  if (!delegate || input.delegateId === ctx.actor.id)
    issues.push({ path: 'delegateId', key: 'validation.workflowDelegate' });
  if (issues.length) throw invalidInput(ctx.actor.locale, issues);
  const id = await inTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .insert(workflowDelegations)
      .values({ ...input, note: input.note ?? null, userId: ctx.actor.id })
      .returning();
    await recordAudit(tx, { action: 'create', entityType: 'workflow-delegation', entityId: row.id, after: row });
    return row.id;
  });
  return (await listDelegations(ctx)).find((d) => d.id === id)!;
}

/** Ends one of my standing delegations now. */
export async function revokeDelegation(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .update(workflowDelegations)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(workflowDelegations.id, id),
          eq(workflowDelegations.userId, ctx.actor.id),
          isNull(workflowDelegations.revokedAt),
        ),
      )
      .returning();
    if (!row) throw notFound();
    await recordAudit(tx, { action: 'revoke', entityType: 'workflow-delegation', entityId: id, after: row });
  });
}
