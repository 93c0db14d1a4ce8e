import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ErrorBody, IdParams } from '../../../common/schemas/common';
import {
  ContractTemplate,
  ContractTemplateCreateFields,
  ContractTemplateListQuery,
  TemplateFieldInfo,
  TemplateVersionParams,
} from '../../../common/schemas/contract-templates';
import { MAX_FILE_BYTES } from '../../../common/schemas/files';
import { ctxOf } from '../../context';
import { AppError } from '../../errors';
import { issueMessage, type IssueLike } from '../../lib/issues';
import { errorResponses, typed } from '../../lib/routes';
import { receiveOneFile, refuseBodiesOver, sendFile, type SpooledFile } from '../../lib/uploads';
import { requirePermission } from '../../policy';
import { getContractDocument } from './documents.service';
import {
  addTemplateVersion,
  createTemplate,
  getTemplate,
  listTemplates,
  previewTemplateVersion,
  publishTemplateVersion,
  setTemplateActive,
  templateFields,
  templateVersionFile,
} from './templates.service';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Receives the one .docx of a multipart request (a name not ending in .docx is refused before its content is read). */
async function withDocx<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  use: (file: SpooledFile, fields: Record<string, string>) => Promise<T>,
): Promise<T> {
  const { file, fields } = await receiveOneFile(request, reply, {
    maxBytes: MAX_FILE_BYTES,
    check: (filename) => {
      if (!filename.toLowerCase().endsWith('.docx')) throw new AppError('TEMPLATE_NOT_DOCX');
    },
  });
  try {
    return await use(file, fields);
  } finally {
    await file.discard();
  }
}

/**
 * Contract templates 合同模板 (administrators: contracts:configure; the list is readable with contracts:read,
 * for choosing a contract's template) and a contract's document (whoever may see the contract).
 */
export function registerContractTemplateRoutes(app: FastifyInstance) {
  // Signing stores the contract's document with its hash (when its business line has a template).
  const r = typed(app);
  const configure = requirePermission('contracts:configure');
  const tags = ['contract-templates'];
  const upload = `multipart/form-data: the field "file" (a .docx, up to ${MAX_FILE_BYTES / 1024 / 1024} MB)`;

  r.get(
    '/api/v1/contract-templates',
    {
      preValidation: requirePermission('contracts:read'),
      schema: {
        tags,
        summary: 'Contract templates by business line, each with its versions (newest first) and the published one',
        querystring: ContractTemplateListQuery,
        response: { 200: ContractTemplate.array(), ...errorResponses },
      },
    },
    (request) => listTemplates(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/contract-templates/fields',
    {
      preValidation: configure,
      schema: {
        tags,
        summary:
          'The fields a template may use as placeholders ({customerName}; loops {#lines}…{/lines}, {#terms}…{/terms} with their row fields), with labels in both languages and the sample contract’s values',
        response: { 200: TemplateFieldInfo.array(), ...errorResponses },
      },
    },
    async () => templateFields(),
  );
  r.post(
    '/api/v1/contract-templates',
    {
      onRequest: refuseBodiesOver(MAX_FILE_BYTES),
      preValidation: configure,
      schema: {
        tags,
        summary: `A new template with its first version, not yet published (${upload}, and "businessLineId", "name"); a document with a placeholder outside the field list is refused and nothing is stored`,
        consumes: ['multipart/form-data'],
        response: { 201: ContractTemplate, ...errorResponses, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (request, reply) =>
      withDocx(request, reply, async (file, fields) => {
        const parsed = ContractTemplateCreateFields.safeParse(fields);
        if (!parsed.success)
          throw new AppError(
            'VALIDATION_FAILED',
            {},
            {
              issues: parsed.error.issues.map((issue) => ({
                path: ['body', ...issue.path].join('.'),
                code: issue.code,
                message: issueMessage(request.locale, issue as unknown as IssueLike),
              })),
            },
          );
        const created = await createTemplate(ctxOf(request), parsed.data, file);
        reply.status(201);
        return created;
      }),
  );
  r.get(
    '/api/v1/contract-templates/:id',
    {
      preValidation: requirePermission('contracts:read'),
      schema: {
        tags,
        summary: 'One template and its versions',
        params: IdParams,
        response: { 200: ContractTemplate, ...errorResponses },
      },
    },
    (request) => getTemplate(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/contract-templates/:id/versions',
    {
      onRequest: refuseBodiesOver(MAX_FILE_BYTES),
      preValidation: configure,
      schema: {
        tags,
        summary: `Upload the next version (${upload}); it is used once published`,
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: { 201: ContractTemplate, ...errorResponses, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (request, reply) =>
      withDocx(request, reply, async (file) => {
        const template = await addTemplateVersion(ctxOf(request), request.params.id, file);
        reply.status(201);
        return template;
      }),
  );
  r.post(
    '/api/v1/contract-templates/:id/versions/:version/publish',
    {
      preValidation: configure,
      schema: {
        tags,
        summary: 'Publish a version: contracts made from now on use it (a contract keeps the version it was made from)',
        params: TemplateVersionParams,
        response: { 200: ContractTemplate, ...errorResponses },
      },
    },
    (request) => publishTemplateVersion(ctxOf(request), request.params.id, request.params.version),
  );
  r.get(
    '/api/v1/contract-templates/:id/versions/:version/file',
    {
      preValidation: configure,
      schema: {
        tags,
        summary: 'Download a version’s .docx as uploaded',
        params: TemplateVersionParams,
        produces: [DOCX],
        response: { 200: z.unknown().describe('the .docx'), ...errorResponses },
      },
    },
    async (request, reply) =>
      sendFile(reply, await templateVersionFile(ctxOf(request), request.params.id, request.params.version)),
  );
  r.get(
    '/api/v1/contract-templates/:id/versions/:version/preview',
    {
      preValidation: configure,
      schema: {
        tags,
        summary: 'A version filled with a sample contract (.docx)',
        params: TemplateVersionParams,
        produces: [DOCX],
        response: { 200: z.unknown().describe('the .docx'), ...errorResponses },
      },
    },
    async (request, reply) =>
      sendFile(reply, await previewTemplateVersion(ctxOf(request), request.params.id, request.params.version)),
  );
  for (const [action, active] of [
    ['deactivate', false],
    ['activate', true],
  ] as const)
    r.post(
      `/api/v1/contract-templates/:id/${action}`,
      {
        preValidation: configure,
        schema: {
          tags,
          summary: active
            ? 'Use the template again for new contracts'
            : 'Stop using the template for new contracts (contracts made from it keep their version)',
          params: IdParams,
          response: { 200: ContractTemplate, ...errorResponses },
        },
      },
      (request) => setTemplateActive(ctxOf(request), request.params.id, active),
    );

  r.get(
    '/api/v1/contracts/:id/document',
    {
      preValidation: requirePermission('contracts:read'),
      schema: {
        tags: ['contracts'],
        summary:
          'The contract as a Word document: the document stored when it was signed, else filled from its template now',
        params: IdParams,
        produces: [DOCX],
        response: { 200: z.unknown().describe('the .docx'), ...errorResponses },
      },
    },
    async (request, reply) => sendFile(reply, await getContractDocument(ctxOf(request), request.params.id)),
  );
}
