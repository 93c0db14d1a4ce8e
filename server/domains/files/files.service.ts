import path from 'node:path';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Attachment } from '../../../common/schemas/files';
import { MAX_FILE_BYTES } from '../../../common/schemas/files';
import type { Db } from '../../db/client';
import { AppError, notFound } from '../../errors';
import { files } from './files.tables';

/** What may be uploaded, by extension; the stored content type comes from here, never from the client. */
const CONTENT_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.ppt': 'application/vnd.ms-powerpoint',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.zip': 'application/zip',
  '.eml': 'message/rfc822',
  '.msg': 'application/vnd.ms-outlook',
  '.ofd': 'application/ofd',
};
export const ALLOWED_EXTENSIONS = Object.keys(CONTENT_TYPES);

type OwnerType = (typeof files.$inferInsert)['ownerType'];

export function presentAttachment(f: {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  createdAt: Date;
}): Attachment {
  return {
    id: f.id,
    filename: f.filename,
    contentType: f.contentType,
    size: f.size,
    createdAt: f.createdAt.toISOString(),
  };
}

/** A file's stored name (no path, at most 200 characters) and content type, by its extension; FILE_TYPE_NOT_ALLOWED otherwise. */
export function fileTypeOf(name: string): { filename: string; contentType: string } {
  const filename = path.basename(name.replace(/\\/g, '/')).slice(0, 200);
  const contentType = CONTENT_TYPES[path.extname(filename).toLowerCase()];
  if (!contentType)
    throw new AppError(
      'FILE_TYPE_NOT_ALLOWED',
      { allowed: ALLOWED_EXTENSIONS.join(' ') },
      { allowed: ALLOWED_EXTENSIONS },
    );
  return { filename, contentType };
}

/** What storeFile takes: a received file (see receiveOneFile), its content read only when it is stored. */
export type Upload = { filename: string; size: number; sha256: string; read(): Promise<Buffer> };

/** Checks name and size, then stores the file. FILE_TYPE_NOT_ALLOWED / FILE_TOO_LARGE / FILE_MISSING change nothing. */
export async function storeFile(
  db: Db,
  owner: { type: OwnerType; id: string },
  upload: Upload,
  userId: string,
): Promise<Attachment> {
  const { filename, contentType } = fileTypeOf(upload.filename);
  if (upload.size > MAX_FILE_BYTES)
    throw new AppError('FILE_TOO_LARGE', { maxMb: MAX_FILE_BYTES / 1024 / 1024 }, { maxBytes: MAX_FILE_BYTES });
  if (upload.size === 0) throw new AppError('FILE_MISSING');
  const content = await upload.read();
  const [row] = await db
    .insert(files)
    .values({
      ownerType: owner.type,
      ownerId: owner.id,
      filename,
      contentType,
      size: upload.size,
      sha256: upload.sha256,
      content: new Uint8Array(content.buffer, content.byteOffset, content.length), // a view, not a copy
      createdBy: userId,
    })
    .returning({
      id: files.id,
      filename: files.filename,
      contentType: files.contentType,
      size: files.size,
      createdAt: files.createdAt,
    });
  return presentAttachment(row);
}

/** How many bytes of files a user has uploaded (what counts against their attachment quota). */
export async function storedBytesOf(db: Db, userId: string): Promise<number> {
  const [row] = await db
    .select({ bytes: sql<string>`coalesce(sum(${files.size}), 0)` })
    .from(files)
    .where(eq(files.createdBy, userId));
  return Number(row.bytes);
}

/** Serialises one user's uploads until the transaction ends, so two at once cannot both pass the quota. */
export async function lockUploadsOf(db: Db, userId: string): Promise<void> {
  await db.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`gongdan:uploads:${userId}`}))`);
}

type AttachmentJson = Omit<Attachment, 'createdAt'> & { createdAt: string };

/**
 * An owner's attachments (without content) as a column of the owner's own query — no second
 * round trip. `ownerId` is the owner's id column, qualified (see outer()). Read with readAttachments().
 */
export function attachmentsOf(ownerType: OwnerType, ownerId: SQL) {
  return sql<
    AttachmentJson[]
  >`coalesce((SELECT json_agg(json_build_object('id', f.id, 'filename', f.filename, 'contentType', f.content_type, 'size', f.size, 'createdAt', f.created_at) ORDER BY f.created_at)
    FROM ${files} f WHERE f.owner_type = ${ownerType} AND f.owner_id = ${ownerId}), '[]'::json)`;
}

export function readAttachments(json: AttachmentJson[]): Attachment[] {
  return json.map((a) => ({ ...a, createdAt: new Date(a.createdAt).toISOString() }));
}

/** One file of an owner, with content. The caller has already checked that the owner is visible. */
export async function getFile(db: Db, ownerType: OwnerType, ownerId: string, fileId: string) {
  const [row] = await db
    .select()
    .from(files)
    .where(and(eq(files.id, fileId), eq(files.ownerType, ownerType), eq(files.ownerId, ownerId)));
  if (!row) throw notFound();
  return row;
}

export async function deleteFile(db: Db, ownerType: OwnerType, ownerId: string, fileId: string): Promise<Attachment> {
  const [row] = await db
    .delete(files)
    .where(and(eq(files.id, fileId), eq(files.ownerType, ownerType), eq(files.ownerId, ownerId)))
    .returning({
      id: files.id,
      filename: files.filename,
      contentType: files.contentType,
      size: files.size,
      createdAt: files.createdAt,
    });
  if (!row) throw notFound();
  return presentAttachment(row);
}

export async function deleteFilesOf(db: Db, ownerType: OwnerType, ownerId: string): Promise<void> {
  await db.delete(files).where(and(eq(files.ownerType, ownerType), eq(files.ownerId, ownerId)));
}
