import { PassThrough } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ErrorBody } from '../../../common/schemas/common';
import {
  CustomerExportQuery,
  CustomerImportQuery,
  IMPORT_MAX_BYTES,
  IMPORT_PROGRESS_TYPE,
  ImportColumns,
  ImportReport,
  type ImportStreamLine,
} from '../../../common/schemas/transfer';
import { ctxOf } from '../../context';
import { AppError } from '../../errors';
import { errorAnswer } from '../../plugins/errors';
import { errorResponses, typed } from '../../lib/routes';
import { receiveOneFile, refuseBodiesOver } from '../../lib/uploads';
import { requirePermission } from '../../policy';
import { exportCustomers, importColumns, importCustomers, type ImportUpload, type Mapping } from './transfer.service';

const MappingField = z.record(z.string(), z.union([z.string(), z.null()]));

function parseMapping(raw: string | undefined): Mapping | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new AppError('IMPORT_MAPPING_INVALID', { reason: 'JSON' });
  }
  const parsed = MappingField.safeParse(json);
  if (!parsed.success) throw new AppError('IMPORT_MAPPING_INVALID', { reason: '{ "<header>": "<field>" }' });
  return parsed.data;
}

/**
 * The multipart body of an import: the field `file` (streamed to a temporary file, at most
 * IMPORT_MAX_BYTES, which the import reads row by row from disk) and the optional field `mapping`.
 * `use` runs while the file exists; it is removed afterwards.
 */
async function withUpload<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  use: (upload: ImportUpload, mapping: Mapping | undefined) => Promise<T>,
): Promise<T> {
  const { file, fields } = await receiveOneFile(request, reply, { maxBytes: IMPORT_MAX_BYTES });
  try {
    return await use({ filename: file.filename, path: file.path, size: file.size }, parseMapping(fields.mapping));
  } finally {
    await file.discard();
  }
}

const wantsProgress = (request: FastifyRequest) =>
  (request.headers.accept ?? '')
    .split(',')
    .some((type) => type.split(';')[0].trim().toLowerCase() === IMPORT_PROGRESS_TYPE);

/** An error once the stream has begun (its status is sent already), in the words the error handler would use. */
/** Customer export (CSV / XLSX) and import. Registered before the customer routes (static paths beside `/customers/:id`). */
export function registerCustomerTransferRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['customers'];
  // What finished imports still tidy after answering (their staged rows): the app waits for it before it closes.
  const tidying = new Set<Promise<void>>();
  const afterwards = (work: Promise<void>) => {
    tidying.add(work);
    void work.finally(() => tidying.delete(work));
  };
  app.addHook('onClose', async () => {
    await Promise.all(tidying);
  });

  r.get(
    '/api/v1/customers/export',
    {
      preValidation: requirePermission('customers:read'),
      schema: {
        tags,
        summary:
          'Export the customers visible to me (list filters apply) with their contacts, one row per contact, as CSV (UTF-8 with BOM) or XLSX',
        querystring: CustomerExportQuery,
        produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        response: { 200: z.unknown().describe('the file'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const file = await exportCustomers(ctxOf(request), request.query);
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
        .header('cache-control', 'private, no-store')
        .send(file.content);
    },
  );

  r.post(
    '/api/v1/customers/import/columns',
    {
      onRequest: refuseBodiesOver(IMPORT_MAX_BYTES),
      preValidation: requirePermission('customers:write'),
      schema: {
        tags,
        summary:
          'The header row of an import file (the same multipart upload as the import): each column with the field it imports into and its first values, to map columns before importing',
        consumes: ['multipart/form-data'],
        response: { 200: ImportColumns, ...errorResponses, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (request, reply) => {
      return withUpload(request, reply, (upload, mapping) => importColumns(ctxOf(request), upload, mapping));
    },
  );

  r.post(
    '/api/v1/customers/import',
    {
      onRequest: refuseBodiesOver(IMPORT_MAX_BYTES),
      preValidation: requirePermission('customers:write'),
      schema: {
        tags,
        summary: `Import customers with their contacts from one .csv (UTF-8 or GBK) or .xlsx file (multipart/form-data field "file", up to ${IMPORT_MAX_BYTES / 1024 / 1024} MB; optional field "mapping": JSON { "<header>": "<field>" | null })`,
        description:
          `With \`Accept: ${IMPORT_PROGRESS_TYPE}\` the answer, once the file has been read and its columns matched, is 200 with newline-delimited JSON: ` +
          '`{"type":"progress","done":n,"total":m}` lines while rows are processed, then `{"type":"result","report":ImportReport}` ' +
          'or `{"type":"error","error":{"code","message","details"}}` (e.g. IMPORT_HAS_ERRORS with the report as details). Errors before that are plain JSON with their status.',
        consumes: ['multipart/form-data'],
        querystring: CustomerImportQuery,
        response: { 200: ImportReport, ...errorResponses, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody },
      },
    },
    async (request, reply) => {
      const { file, fields } = await receiveOneFile(request, reply, { maxBytes: IMPORT_MAX_BYTES });
      const upload: ImportUpload = { filename: file.filename, path: file.path, size: file.size };
      // The file is read row by row while the import runs, and removed once it has finished.
      let finished: Promise<unknown> = Promise.resolve();
      try {
        const mapping = parseMapping(fields.mapping);
        const ctx = ctxOf(request);
        const engine = request.server.engine;
        if (!wantsProgress(request))
          return await (finished = importCustomers(ctx, upload, mapping, request.query, { engine, afterwards }));

        // The answer streams from the first progress report on (the file has been read and its columns matched):
        // errors before that answer with their status as without progress, errors after it are the last line.
        const stream = new PassThrough();
        stream.on('error', () => {}); // the caller went away: the import still finishes (or rolls back) as without progress
        const write = (line: ImportStreamLine) => {
          if (!stream.destroyed && !stream.writableEnded) stream.write(`${JSON.stringify(line)}\n`);
        };
        let streaming = false;
        let begin = () => {};
        const begun = new Promise<void>((resolve) => (begin = resolve));
        finished = importCustomers(ctx, upload, mapping, request.query, {
          engine,
          afterwards,
          onProgress: async (done, total) => {
            streaming = true;
            begin();
            write({ type: 'progress', done, total });
            // Let the event loop send it: on PGlite the import's queries never leave it an I/O turn of its own.
            await setImmediate();
          },
        }).then(
          (report) => {
            write({ type: 'result', report });
            stream.end();
          },
          (error: unknown) => {
            if (!streaming) throw error;
            write({ type: 'error', error: errorAnswer(request, error).body.error });
            stream.end();
          },
        );
        await Promise.race([begun, finished]);
        reply.header('content-type', `${IMPORT_PROGRESS_TYPE}; charset=utf-8`).header('x-accel-buffering', 'no');
        return stream as never; // a stream is sent as it comes, not serialised
      } finally {
        void finished.then(
          () => file.discard(),
          () => file.discard(),
        );
      }
    },
  );
}
