import { sql } from 'drizzle-orm';
import type { Attachment } from '../../../common/schemas/files';
import { inTransaction, type Ctx } from '../../context';
import { rowsOf } from '../../db/client';
import { notFound } from '../../errors';
import { assertQuota } from '../customers/contact-logs.service';
import { fileTypeOf, getFile, lockUploadsOf, storeFile, type Upload } from '../files/files.service';
import { files } from '../files/files.tables';
import { chatMessages } from './chat.tables';
import { readable } from './conversations.service';
import { postable } from './messages.service';

/**
 * Attachments and images of a conversation's messages: stored like every other file (owner type `chat`, owner the
 * conversation, within MAX_FILE_BYTES and the uploader's quota), uploaded first by whoever may post there, then
 * named by a message (postMessage takes only the poster's own files not on another message).
 */

/** Before an upload is read: the actor may post in the conversation and a file of `atLeastBytes` fits their quota. */
export async function assertCanUpload(ctx: Ctx, conversationId: string, atLeastBytes: number): Promise<void> {
  await postable(ctx, conversationId);
  await assertQuota(ctx, atLeastBytes);
}

/** Stores a file for a message to come (not on any message until one names it). */
export async function uploadToConversation(ctx: Ctx, conversationId: string, upload: Upload): Promise<Attachment> {
  return inTransaction(ctx, async (tx) => {
    await postable(tx, conversationId);
    fileTypeOf(upload.filename);
    await lockUploadsOf(tx.db, ctx.actor.id);
    await assertQuota(tx, upload.size);
    return storeFile(tx.db, { type: 'chat', id: conversationId }, upload, ctx.actor.id);
  });
}

/**
 * A file of a conversation, for its readers: one on a message not deleted, or (before it is sent) its uploader's
 * own. Anything else — another conversation's, a deleted message's, someone else's pending upload — is 404.
 */
export async function getConversationFile(ctx: Ctx, conversationId: string, fileId: string) {
  await readable(ctx, conversationId);
  const [usable] = await rowsOf<{ ok: boolean }>(
    ctx.db,
    sql`SELECT true AS ok FROM ${files} f
    WHERE f.id = ${fileId}::uuid AND f.owner_type = 'chat' AND f.owner_id = ${conversationId}::uuid AND (
      EXISTS (SELECT 1 FROM ${chatMessages} m WHERE m.conversation_id = ${conversationId}::uuid
        AND f.id = ANY(m.file_ids) AND m.deleted_at IS NULL)
      OR (f.created_by = ${ctx.actor.id}::uuid
        AND NOT EXISTS (SELECT 1 FROM ${chatMessages} m WHERE m.conversation_id = ${conversationId}::uuid AND f.id = ANY(m.file_ids))))`,
  );
  if (!usable) throw notFound();
  return getFile(ctx.db, 'chat', conversationId, fileId);
}
