import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IdParams, Ok } from '../../../common/schemas/common';
import {
  Guide,
  GuideTick,
  Playbook,
  PlaybookCreate,
  PlaybookListQuery,
  PlaybookUpdate,
} from '../../../common/schemas/playbooks';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import {
  createPlaybook,
  deletePlaybook,
  findPlaybooks,
  getLeadGuide,
  getOpportunityGuide,
  getPlaybook,
  registerPlaybookHooks,
  tickLeadGuide,
  tickOpportunityGuide,
  updatePlaybook,
} from './playbooks.service';

/**
 * Guided selling 销售指引: playbooks (read with knowledge:read, written with knowledge:manage) and the guide of an
 * opportunity or a lead. Registering the routes also registers the scheduling hooks with opportunities and leads.
 */
export function registerPlaybookRoutes(app: FastifyInstance) {
  registerPlaybookHooks();
  const r = typed(app);
  const tags = ['knowledge'];
  const read = requirePermission('knowledge:read');
  const manage = requirePermission('knowledge:manage');

  r.get(
    '/api/v1/playbooks',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Playbooks 销售指引 by kind, business line and stage (or lead status)',
        querystring: PlaybookListQuery,
        response: { 200: z.object({ items: z.array(Playbook) }), ...errorResponses },
      },
    },
    async (request) => ({ items: await findPlaybooks(ctxOf(request), request.query) }),
  );
  r.post(
    '/api/v1/playbooks',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Write the playbook of a business line × stage (or × lead status); one each (409 PLAYBOOK_EXISTS)',
        body: PlaybookCreate,
        response: { 201: Playbook, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createPlaybook(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/playbooks/:id',
    { preValidation: read, schema: { tags, params: IdParams, response: { 200: Playbook, ...errorResponses } } },
    (request) => getPlaybook(ctxOf(request), request.params.id),
  );
  r.patch(
    '/api/v1/playbooks/:id',
    {
      preValidation: manage,
      schema: { tags, params: IdParams, body: PlaybookUpdate, response: { 200: Playbook, ...errorResponses } },
    },
    (request) => updatePlaybook(ctxOf(request), request.params.id, request.body),
  );
  r.delete(
    '/api/v1/playbooks/:id',
    { preValidation: manage, schema: { tags, params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await deletePlaybook(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/opportunities/:id/guide',
    {
      preValidation: requirePermission('opportunities:read'),
      schema: {
        tags,
        summary: 'The playbook of the opportunity’s line and current stage: checklist, scheduled activities, reading',
        params: IdParams,
        response: { 200: Guide, ...errorResponses },
      },
    },
    (request) => getOpportunityGuide(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/opportunities/:id/guide/checklist',
    {
      preValidation: requirePermission('opportunities:read'),
      schema: {
        tags,
        summary: 'Tick or untick an item of the opportunity’s checklist (those who may work on it)',
        params: IdParams,
        body: GuideTick,
        response: { 200: Guide, ...errorResponses },
      },
    },
    (request) => tickOpportunityGuide(ctxOf(request), request.params.id, request.body),
  );
  r.get(
    '/api/v1/leads/:id/guide',
    {
      preValidation: requirePermission('leads:read'),
      schema: {
        tags,
        summary: 'The playbook of the lead’s status (its line’s, else every line’s)',
        params: IdParams,
        response: { 200: Guide, ...errorResponses },
      },
    },
    (request) => getLeadGuide(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/leads/:id/guide/checklist',
    {
      preValidation: requirePermission('leads:read'),
      schema: {
        tags,
        summary: 'Tick or untick an item of the lead’s checklist (those who may work on it)',
        params: IdParams,
        body: GuideTick,
        response: { 200: Guide, ...errorResponses },
      },
    },
    (request) => tickLeadGuide(ctxOf(request), request.params.id, request.body),
  );
}
