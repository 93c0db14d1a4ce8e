import type { FastifyInstance } from 'fastify';
import { Campaign, CampaignCreate, CampaignListQuery, CampaignUpdate } from '../../../common/schemas/campaigns';
import { IdParams, Ok, pageOf } from '../../../common/schemas/common';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { createCampaign, deleteCampaign, findCampaigns, getCampaign, updateCampaign } from './campaigns.service';

export function registerCampaignRoutes(app: FastifyInstance) {
  const r = typed(app);
  const read = requirePermission('campaigns:read');
  const manage = requirePermission('campaigns:manage');
  const tags = ['campaigns'];

  r.get(
    '/api/v1/campaigns',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Campaigns 市场活动 with their attribution (leads, converted, won amount)',
        querystring: CampaignListQuery,
        response: { 200: pageOf(Campaign), ...errorResponses },
      },
    },
    (request) => findCampaigns(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/campaigns',
    { preValidation: manage, schema: { tags, body: CampaignCreate, response: { 201: Campaign, ...errorResponses } } },
    async (request, reply) => {
      reply.status(201);
      return createCampaign(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/campaigns/:id',
    { preValidation: read, schema: { tags, params: IdParams, response: { 200: Campaign, ...errorResponses } } },
    (request) => getCampaign(ctxOf(request), request.params.id),
  );
  r.patch(
    '/api/v1/campaigns/:id',
    {
      preValidation: manage,
      schema: { tags, params: IdParams, body: CampaignUpdate, response: { 200: Campaign, ...errorResponses } },
    },
    (request) => updateCampaign(ctxOf(request), request.params.id, request.body),
  );
  r.delete(
    '/api/v1/campaigns/:id',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Delete a campaign no lead or opportunity came from (REFERENCE_IN_USE otherwise)',
        params: IdParams,
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (request) => {
      await deleteCampaign(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );
}
