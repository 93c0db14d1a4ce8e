import { z } from 'zod';
import { Id, Timestamp } from './common';

/** The largest file one may attach (20 MB); one file per upload request. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** What each user may keep in attachments unless an administrator sets otherwise (customer settings, MB). */
export const DEFAULT_ATTACHMENT_QUOTA_MB = 1024;
/** The highest quota that can be set (1 TB). */
export const MAX_ATTACHMENT_QUOTA_MB = 1024 * 1024;

export const Attachment = z.object({
  id: Id,
  filename: z.string(),
  contentType: z.string(),
  size: z.int(),
  createdAt: Timestamp,
});
export type Attachment = z.infer<typeof Attachment>;
export const AttachmentParams = z.strictObject({ id: Id, fileId: Id });
