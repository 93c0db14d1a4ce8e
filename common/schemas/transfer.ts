import { z } from 'zod';
import { CustomerListQuery } from './customers';

/** Largest import file accepted (bytes). The import reads it row by row from disk, so memory does not grow with it. */
export const IMPORT_MAX_BYTES = 100 * 1024 * 1024;

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export const IMPORT_MODES = ['upsert', 'insert'] as const;

/** The customer list's filters (same visibility), without paging, plus the file format. */
export const CustomerExportQuery = CustomerListQuery.omit({ page: true, pageSize: true }).extend({
  format: z.enum(EXPORT_FORMATS).default('csv'),
});
export type CustomerExportQuery = z.infer<typeof CustomerExportQuery>;

const Flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const CustomerImportQuery = z.strictObject({
  /** Validate and match everything, write nothing. */
  dryRun: Flag.default(false),
  /** upsert: update matching customers; insert: a matching customer is an error. */
  mode: z.enum(IMPORT_MODES).default('upsert'),
  /** Write the good customers even when other rows have errors. */
  keepGoodRows: Flag.default(false),
});
export type CustomerImportQuery = z.infer<typeof CustomerImportQuery>;

/** The fields a column of an import file can map to (the multipart field `mapping`: `{ "<header>": "<field>" | null }`). */
export const TRANSFER_FIELDS = [
  'name',
  'creditCode',
  'status',
  'industry',
  'size',
  'region',
  'branch',
  'address',
  'email',
  'phone',
  'source',
  'tags',
  'owner',
  'contactName',
  'contactTitle',
  'contactDepartment',
  'contactPhones',
  'contactEmails',
  'contactWechat',
  'contactPrimary',
  'contactNotes',
] as const;
export type TransferField = (typeof TRANSFER_FIELDS)[number];

export const ImportRowError = z.object({
  /** 1-based row of the file, the header being row 1. */
  row: z.int(),
  /** The file's header of the offending column, when one column is at fault. */
  column: z.string().optional(),
  code: z.string(),
  message: z.string(),
});
export type ImportRowError = z.infer<typeof ImportRowError>;

export const ImportReport = z.object({
  dryRun: z.boolean(),
  totalRows: z.int(),
  customers: z.object({ created: z.int(), updated: z.int(), unchanged: z.int() }),
  contacts: z.object({ created: z.int() }),
  errors: z.array(ImportRowError),
});
export type ImportReport = z.infer<typeof ImportReport>;

/** The columns of an import file's header row and the field each would import into, before importing. */
export const ImportColumns = z.object({
  headers: z.array(
    z.object({
      /** The column's header (trimmed); the key of the `mapping` field. */
      header: z.string(),
      /** The field the column imports into (the export's headers are recognised), or null. */
      field: z.enum(TRANSFER_FIELDS).nullable(),
      /** The first (up to 3) non-empty values of the column. */
      samples: z.array(z.string()),
    }),
  ),
  /** Every field a column can import into, in the export's order. */
  fields: z.array(z.object({ field: z.enum(TRANSFER_FIELDS), required: z.boolean() })),
  /** Data rows (non-empty rows below the header). */
  rows: z.int(),
});
export type ImportColumns = z.infer<typeof ImportColumns>;

/**
 * With `Accept: application/x-ndjson` the import answers newline-delimited JSON: progress
 * lines while it works, then one result line (or one error line, localised like any error).
 */
export const IMPORT_PROGRESS_TYPE = 'application/x-ndjson';
export type ImportStreamLine =
  | { type: 'progress'; done: number; total: number }
  | { type: 'result'; report: ImportReport }
  | { type: 'error'; error: { code: string; message: string; details?: unknown } };
