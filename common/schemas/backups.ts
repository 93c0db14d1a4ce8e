import { z } from 'zod';
import { Id, Timestamp } from './common';

/** One backup 备份 taken (scheduled, asked for in the app, or by the command), as administrators see it. */
export const BackupRun = z.object({
  id: Id,
  trigger: z.enum(['schedule', 'command', 'api']),
  status: z.enum(['running', 'done', 'failed']),
  /** Where the file was written (on the server). */
  file: z.string().nullable(),
  sizeBytes: z.number().int().nullable(),
  /** Schema version, app version and engine of a finished backup; its rows in all. */
  schemaVersion: z.string().nullable(),
  appVersion: z.string().nullable(),
  engine: z.enum(['pglite', 'postgres']).nullable(),
  rows: z.number().int().nullable(),
  error: z.string().nullable(),
  startedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
});
export type BackupRun = z.infer<typeof BackupRun>;

export const BackupRunList = z.object({ items: z.array(BackupRun) });
