import type { FastifyInstance } from 'fastify';
import { IdParams, pageOf } from '../../../common/schemas/common';
import {
  EngagementTemplate,
  EngagementTemplateInput,
  EngagementTemplateListQuery,
} from '../../../common/schemas/engagements';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requireAnyPermission, requirePermission } from '../../policy';
import { createTemplate, findTemplates, getTemplate, replaceTemplate } from './templates.service';

/**
 * 业务模板: engagement templates per business line. Administrators set them up (engagements:configure); those who
 * make engagements (engagements:write) read them to choose one.
 */
export function registerEngagementTemplateRoutes(app: FastifyInstance) {
  const r = typed(app);
  const read = requireAnyPermission('engagements:configure', 'engagements:write');
  const configure = requirePermission('engagements:configure');
  const tags = ['engagement-templates'];
  const one = { 200: EngagementTemplate, ...errorResponses };

  r.get(
    '/api/v1/engagement-templates',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'Engagement templates 业务模板, filtered by business line and active, with the planned hours and how many engagements each made',
        querystring: EngagementTemplateListQuery,
        response: { 200: pageOf(EngagementTemplate), ...errorResponses },
      },
    },
    (request) => findTemplates(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/engagement-templates',
    {
      preValidation: configure,
      schema: {
        tags,
        summary:
          'A template of a business line in use: ordered phases with their tasks (a review, a report and an archive phase at most once each; the archive last)',
        body: EngagementTemplateInput,
        response: { 201: EngagementTemplate, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createTemplate(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/engagement-templates/:id',
    { preValidation: read, schema: { tags, summary: 'One template', params: IdParams, response: one } },
    (request) => getTemplate(ctxOf(request), request.params.id),
  );
  r.put(
    '/api/v1/engagement-templates/:id',
    {
      preValidation: configure,
      schema: {
        tags,
        summary: 'Replace the whole template (engagements made from it keep their phases)',
        params: IdParams,
        body: EngagementTemplateInput,
        response: one,
      },
    },
    (request) => replaceTemplate(ctxOf(request), request.params.id, request.body),
  );
}
