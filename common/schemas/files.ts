import { z } from 'zod';
import { Id, Timestamp } from './common';

/** The largest file one may attach (20 MB). */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

export const Attachment = z.object({
  id: Id,
  filename: z.string(),
  contentType: z.string(),
  size: z.int(),
  createdAt: Timestamp,
});
export type Attachment = z.infer<typeof Attachment>;
export const AttachmentParams = z.strictObject({ id: Id, fileId: Id });
