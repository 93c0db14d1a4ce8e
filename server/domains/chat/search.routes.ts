import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  ChatExportQuery,
  ChatSearchQuery,
  ChatSearchResult,
  MessageParams,
  SaveAsArticle,
  SavedArticle,
} from '../../../common/schemas/chat';
import { IdParams } from '../../../common/schemas/common';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { exportConversation } from './export.service';
import { saveAsArticle } from './save-as-article.service';
import { searchMessages } from './search.service';

/**
 * The chat's search (in Chinese, over the messages one may read), saving a message as a knowledge Q&A, and an
 * administrator's export of a conversation (retention).
 */
export function registerChatSearchRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['chat'];
  const use = requirePermission('chat:use');

  r.get(
    '/api/v1/chat/search',
    {
      preValidation: use,
      schema: {
        tags,
        summary:
          'Search the messages I may read (Chinese words as the knowledge search), newest first; a hit names its conversation, seq and thread',
        querystring: ChatSearchQuery,
        response: { 200: ChatSearchResult, ...errorResponses },
      },
    },
    (request) => searchMessages(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/conversations/:id/messages/:messageId/save-as-article',
    {
      // chat:use is the conversation's rule (404 without it); writing the article needs knowledge:write.
      preValidation: requirePermission('knowledge:write'),
      schema: {
        tags,
        summary:
          'Save a message as a knowledge Q&A 问答 (the question: given, or the message it replies to); shown to who reads the record, else a department',
        params: MessageParams,
        body: SaveAsArticle,
        response: { 201: SavedArticle, ...errorResponses },
      },
    },
    async (request, reply) => {
      const saved = await saveAsArticle(ctxOf(request), request.params.id, request.params.messageId, request.body);
      reply.status(201);
      return saved;
    },
  );
  r.get(
    '/api/v1/conversations/:id/export',
    {
      preValidation: use,
      schema: {
        tags,
        summary:
          'Export a whole conversation for a dispute (chat:manage; 404 for others): every message with its history, as .xlsx or text; audited',
        params: IdParams,
        querystring: ChatExportQuery,
        produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/plain'],
        response: { 200: z.unknown().describe('the file'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const file = await exportConversation(ctxOf(request), request.params.id, request.query.format);
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
        .header('cache-control', 'private, no-store')
        .send(file.body);
    },
  );
}
