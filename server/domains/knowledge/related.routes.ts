import type { FastifyInstance } from 'fastify';
import { IdParams } from '../../../common/schemas/common';
import {
  KnowledgeSuggestion,
  KnowledgeSuggestionQuery,
  RelatedKnowledge,
} from '../../../common/schemas/knowledge-related';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { customerKnowledge, getSuggestion, opportunityKnowledge } from './related.service';

/** Knowledge where it is needed: beside an opportunity, beside a customer, and Today's suggested reading. */
export function registerRelatedKnowledgeRoutes(app: FastifyInstance) {
  const r = typed(app);
  const read = requirePermission('knowledge:read');
  const tags = ['knowledge'];

  r.get(
    '/api/v1/opportunities/:id/knowledge',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'Related knowledge 相关知识 of an opportunity: articles of its business line and stage, then of its line, then lessons and cases about its customer and similar customers (industry, size), each with why; visible and not archived only',
        params: IdParams,
        response: { 200: RelatedKnowledge, ...errorResponses },
      },
    },
    (request) => opportunityKnowledge(ctxOf(request), request.params.id),
  );

  r.get(
    '/api/v1/customers/:id/knowledge',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'Knowledge of a customer: its insights 客户洞察 and past lessons 复盘 (linked to it or its opportunities); visible and not archived only',
        params: IdParams,
        response: { 200: RelatedKnowledge, ...errorResponses },
      },
    },
    (request) => customerKnowledge(ctxOf(request), request.params.id),
  );

  r.get(
    '/api/v1/knowledge/suggestion',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'Today’s suggested reading 今日推荐阅读: one unread article of the lines and stages of my opportunities with work due today, else of my open opportunities, else the most useful recent firm-wide article; null when none',
        querystring: KnowledgeSuggestionQuery,
        response: { 200: KnowledgeSuggestion, ...errorResponses },
      },
    },
    (request) => getSuggestion(ctxOf(request), request.query),
  );
}
