import type { FastifyInstance } from 'fastify';
import { KnowledgeSearchPage, KnowledgeSearchQuery } from '../../../common/schemas/knowledge-search';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { searchKnowledge } from './search.service';

/** 知识库搜索: one box over articles, lessons, insights and templates. */
export function registerKnowledgeSearchRoutes(app: FastifyInstance) {
  const r = typed(app);
  r.get(
    '/api/v1/knowledge/search',
    {
      preValidation: requirePermission('knowledge:read'),
      schema: {
        tags: ['knowledge'],
        summary:
          'Search the knowledge base in Chinese (两字词 such as 审计, longer phrases, latin words and digits): the articles the reader sees, not archived, title matches first, then useful and recent; title and a snippet with the matches as segments; the total (counted along with the page). Punctuation only finds nothing; over 100 characters is a 400',
        querystring: KnowledgeSearchQuery,
        response: { 200: KnowledgeSearchPage, ...errorResponses },
      },
    },
    (request) => searchKnowledge(ctxOf(request), request.query),
  );
}
