import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ErrorBody, IdParams, Ok, pageOf } from '../../../common/schemas/common';
import { Attachment, AttachmentParams, MAX_FILE_BYTES } from '../../../common/schemas/files';
import {
  KnowledgeArticle,
  KnowledgeArticleCreate,
  KnowledgeArticleItem,
  KnowledgeArticleUpdate,
  KnowledgeContributors,
  KnowledgeContributorsQuery,
  KnowledgeLinkInput,
  KnowledgeLinkParams,
  KnowledgeListQuery,
  KnowledgeStaleQuery,
  KnowledgeStewardship,
  KnowledgeUsefulMark,
  KnowledgeUsefulState,
  KnowledgeVersion,
  KnowledgeVersionItem,
  KnowledgeVersionParams,
} from '../../../common/schemas/knowledge';
import { ctxOf } from '../../context';
import { requirePermission } from '../../policy';
import { errorResponses, typed } from '../../lib/routes';
import { refuseBodiesOver, sendFile } from '../../lib/uploads';
import { receiveDocument } from '../files/receive';
import {
  addLink,
  assertCanAttachToArticle,
  attachToArticle,
  findArticles,
  findContributors,
  findStaleArticles,
  getArticleFile,
  getVersion,
  createArticle,
  listVersions,
  markUseful,
  readArticle,
  removeArticleFile,
  removeLink,
  setArchived,
  setStewardship,
  updateArticle,
} from './articles.service';

/**
 * The knowledge base 知识库 (/api/v1/knowledge): articles with versions, links, "useful" marks, attachments,
 * the stale list 待复审 and the contributors' list 贡献榜. Reading needs knowledge:read (its scope and each
 * article's visibility decide what is seen); writing knowledge:write (own and authored articles) or
 * knowledge:manage (any). The full-text search lives at /api/v1/knowledge/search (its own routes).
 */
export function registerKnowledgeRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['knowledge'];
  const read = requirePermission('knowledge:read');
  const write = requirePermission('knowledge:write');

  r.get(
    '/api/v1/knowledge',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Articles I can read, newest change first; `q` filters titles (full-text search: /knowledge/search)',
        querystring: KnowledgeListQuery,
        response: { 200: pageOf(KnowledgeArticleItem), ...errorResponses },
      },
    },
    (request) => findArticles(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/knowledge',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Write an article (version 1); its links must be to records I can see',
        body: KnowledgeArticleCreate,
        response: { 201: KnowledgeArticle, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createArticle(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/knowledge/stale',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Articles past their review date 待复审: mine; with knowledge:manage everyone’s',
        querystring: KnowledgeStaleQuery,
        response: { 200: pageOf(KnowledgeArticleItem), ...errorResponses },
      },
    },
    (request) => findStaleArticles(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/knowledge/contributors',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Contributors 贡献榜 by department: articles and lessons written, useful marks received',
        querystring: KnowledgeContributorsQuery,
        response: { 200: KnowledgeContributors, ...errorResponses },
      },
    },
    (request) => findContributors(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/knowledge/:id',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Read an article (counts one view per reader per day)',
        params: IdParams,
        response: { 200: KnowledgeArticle, ...errorResponses },
      },
    },
    (request) => readArticle(ctxOf(request), request.params.id),
  );
  r.patch(
    '/api/v1/knowledge/:id',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Change an article: new title, body, kind or tags save a new version with the note',
        params: IdParams,
        body: KnowledgeArticleUpdate,
        response: { 200: KnowledgeArticle, ...errorResponses },
      },
    },
    (request) => updateArticle(ctxOf(request), request.params.id, request.body),
  );
  r.get(
    '/api/v1/knowledge/:id/versions',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Saved versions, newest first',
        params: IdParams,
        response: { 200: z.object({ items: z.array(KnowledgeVersionItem) }), ...errorResponses },
      },
    },
    async (request) => ({ items: await listVersions(ctxOf(request), request.params.id) }),
  );
  r.get(
    '/api/v1/knowledge/:id/versions/:version',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'One saved version with its body',
        params: KnowledgeVersionParams,
        response: { 200: KnowledgeVersion, ...errorResponses },
      },
    },
    (request) => getVersion(ctxOf(request), request.params.id, request.params.version),
  );
  r.post(
    '/api/v1/knowledge/:id/archive',
    {
      preValidation: write,
      schema: { tags, params: IdParams, response: { 200: KnowledgeArticle, ...errorResponses } },
    },
    (request) => setArchived(ctxOf(request), request.params.id, true),
  );
  r.post(
    '/api/v1/knowledge/:id/unarchive',
    {
      preValidation: write,
      schema: { tags, params: IdParams, response: { 200: KnowledgeArticle, ...errorResponses } },
    },
    (request) => setArchived(ctxOf(request), request.params.id, false),
  );
  r.put(
    '/api/v1/knowledge/:id/stewardship',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Hand the article to another owner and/or set its next review date',
        params: IdParams,
        body: KnowledgeStewardship,
        response: { 200: KnowledgeArticle, ...errorResponses },
      },
    },
    (request) => setStewardship(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/knowledge/:id/links',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Link a customer, opportunity, engagement or article I can see',
        params: IdParams,
        body: KnowledgeLinkInput,
        response: { 200: KnowledgeArticle, ...errorResponses },
      },
    },
    (request) => addLink(ctxOf(request), request.params.id, request.body),
  );
  r.delete(
    '/api/v1/knowledge/:id/links/:targetId',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Remove the link to a record (by its id)',
        params: KnowledgeLinkParams,
        response: { 200: KnowledgeArticle, ...errorResponses },
      },
    },
    (request) => removeLink(ctxOf(request), request.params.id, request.params.targetId),
  );
  r.put(
    '/api/v1/knowledge/:id/useful',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Mark the article useful 有用 (or take the mark back); repeating changes nothing',
        params: IdParams,
        body: KnowledgeUsefulMark,
        response: { 200: KnowledgeUsefulState, ...errorResponses },
      },
    },
    (request) => markUseful(ctxOf(request), request.params.id, request.body.useful),
  );
  r.post(
    '/api/v1/knowledge/:id/files',
    {
      onRequest: refuseBodiesOver(MAX_FILE_BYTES),
      preValidation: write,
      schema: {
        tags,
        summary: `Attach an image or a document (multipart/form-data, field "file", up to ${MAX_FILE_BYTES / 1024 / 1024} MB); reference it in the body as ![](/api/v1/knowledge/<id>/files/<fileId>)`,
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: { 201: Attachment, ...errorResponses, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      return receiveDocument(
        request,
        reply,
        (bytes) => assertCanAttachToArticle(ctx, request.params.id, bytes),
        (file) => attachToArticle(ctx, request.params.id, file),
      );
    },
  );
  r.get(
    '/api/v1/knowledge/:id/files/:fileId',
    { preValidation: read, schema: { tags, summary: 'An image or document of the article', params: AttachmentParams } },
    async (request, reply) =>
      sendFile(reply, await getArticleFile(ctxOf(request), request.params.id, request.params.fileId)),
  );
  r.delete(
    '/api/v1/knowledge/:id/files/:fileId',
    { preValidation: write, schema: { tags, params: AttachmentParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await removeArticleFile(ctxOf(request), request.params.id, request.params.fileId);
      return { ok: true as const };
    },
  );
}
