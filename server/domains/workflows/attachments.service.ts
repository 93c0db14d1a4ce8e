import { and, eq, inArray } from 'drizzle-orm';
import type { Attachment } from '../../../common/schemas/files';
import { inTransaction, type Ctx } from '../../context';
import { forbidden, invalidInput, notFound } from '../../errors';
import { assertQuota } from '../customers/contact-logs.service';
import { getFile, lockUploadsOf, storeFile, type Upload } from '../files/files.service';
import { files } from '../files/files.tables';
import { maySeeInstance } from './access';
import { workflowAssignments, workflowInstances, workflowTransitions } from './workflows.tables';

/** The instance, for someone who may add to it: its submitter or a current assignee (404 unseen, 403 otherwise). */
async function instanceToAttachTo(ctx: Ctx, id: string) {
  const [instance] = await ctx.db.select().from(workflowInstances).where(eq(workflowInstances.id, id));
  if (!instance || !(await maySeeInstance(ctx, instance))) throw notFound();
  if (instance.submittedBy === ctx.actor.id) return instance;
  const [holding] = await ctx.db
    .select({ id: workflowAssignments.id })
    .from(workflowAssignments)
    .where(
      and(
        eq(workflowAssignments.instanceId, id),
        eq(workflowAssignments.userId, ctx.actor.id),
        eq(workflowAssignments.open, true),
      ),
    );
  if (!holding) throw forbidden();
  return instance;
}

/** Before an upload is read: who may attach, and whether a file of the announced size fits their quota. */
export async function assertCanAttach(ctx: Ctx, id: string, atLeastBytes: number): Promise<void> {
  await instanceToAttachTo(ctx, id);
  await assertQuota(ctx, atLeastBytes);
}

/**
 * Stores a document for a decision on the instance (the submitter's supporting papers, an approver's
 * notes); it joins the history with the decision that names it (Decision.attachmentIds).
 */
export async function attachToInstance(ctx: Ctx, id: string, upload: Upload): Promise<Attachment> {
  return inTransaction(ctx, async (tx) => {
    await instanceToAttachTo(tx, id);
    await lockUploadsOf(tx.db, ctx.actor.id);
    await assertQuota(tx, upload.size);
    return storeFile(tx.db, { type: 'workflow-instance', id }, upload, ctx.actor.id);
  });
}

/** A document of an instance, for whoever may see the instance. */
export async function getInstanceFile(ctx: Ctx, id: string, fileId: string) {
  const [instance] = await ctx.db.select().from(workflowInstances).where(eq(workflowInstances.id, id));
  if (!instance || !(await maySeeInstance(ctx, instance))) throw notFound();
  return getFile(ctx.db, 'workflow-instance', id, fileId);
}

/**
 * The documents a decision names: uploaded by the actor to this instance and not yet part of an earlier
 * transition; otherwise 400 on `attachmentIds`.
 */
export async function assertAttachable(ctx: Ctx, instanceId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const [mine, used] = await Promise.all([
    ctx.db
      .select({ id: files.id })
      .from(files)
      .where(
        and(
          eq(files.ownerType, 'workflow-instance'),
          eq(files.ownerId, instanceId),
          eq(files.createdBy, ctx.actor.id),
          inArray(files.id, ids),
        ),
      ),
    ctx.db
      .select({ ids: workflowTransitions.attachmentIds })
      .from(workflowTransitions)
      .where(eq(workflowTransitions.instanceId, instanceId)),
  ]);
  const taken = new Set(used.flatMap((u) => u.ids));
  if (mine.length !== new Set(ids).size || ids.some((id) => taken.has(id)))
    throw invalidInput(ctx.actor.locale, [{ path: 'attachmentIds', key: 'validation.invalid' }]);
}
