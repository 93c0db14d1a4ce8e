import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ErrorBody } from '../../../common/schemas/common';
import { CustomerExportQuery, CustomerImportQuery, IMPORT_MAX_BYTES, ImportReport } from '../../../common/schemas/transfer';
import { ctxOf } from '../../context';
import { AppError } from '../../errors';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { exportCustomers, importCustomers, type ImportUpload, type Mapping } from './transfer.service';

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

/** Customer export (CSV / XLSX) and import. Registered before the customer routes (static paths beside `/customers/:id`). */
export function registerCustomerTransferRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['customers'];

  r.get('/api/v1/customers/export', {
    preValidation: requirePermission('customers:read'),
    schema: { tags, summary: 'Export the customers visible to me (list filters apply) with their contacts, one row per contact, as CSV (UTF-8 with BOM) or XLSX', querystring: CustomerExportQuery, produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], response: { 200: z.unknown().describe('the file'), ...errorResponses } },
  }, async (request, reply) => {
    const file = await exportCustomers(ctxOf(request), request.query);
    return reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
      .header('cache-control', 'private, no-store')
      .send(file.content);
  });

  r.post('/api/v1/customers/import', {
    preValidation: requirePermission('customers:write'),
    schema: {
      tags,
      summary: `Import customers with their contacts from one .csv (UTF-8 or GBK) or .xlsx file (multipart/form-data field "file", up to ${IMPORT_MAX_BYTES / 1024 / 1024} MB; optional field "mapping": JSON { "<header>": "<field>" | null })`,
      consumes: ['multipart/form-data'],
      querystring: CustomerImportQuery,
      response: { 200: ImportReport, ...errorResponses, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody },
    },
  }, async (request) => {
    let upload: ImportUpload | undefined;
    let mappingRaw: string | undefined;
    for await (const part of request.parts({ limits: { fileSize: IMPORT_MAX_BYTES, files: 1, fields: 5 } })) {
      if (part.type === 'file') {
        const content = await part.toBuffer();
        upload = { filename: part.filename, content, truncated: part.file.truncated };
      } else if (part.fieldname === 'mapping') {
        mappingRaw = String(part.value);
      }
    }
    if (!upload) throw new AppError('FILE_MISSING');
    return importCustomers(ctxOf(request), upload, parseMapping(mappingRaw), request.query);
  });
}
