import type { FastifyInstance } from 'fastify';
import { IdParams, pageOf } from '../../../common/schemas/common';
import {
  Board,
  BoardQuery,
  Opportunity,
  OpportunityCreate,
  OpportunityListQuery,
  OpportunityMembersInput,
  OpportunityMove,
  OpportunityReopen,
  OpportunityTotals,
  OpportunityUpdate,
  Pipeline,
  PipelineInput,
  PipelineQuery,
  Stage,
  StageChange,
} from '../../../common/schemas/opportunities';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import {
  createOpportunity,
  findOpportunities,
  findStageHistory,
  getBoard,
  getOpportunity,
  getOpportunityTotals,
  moveOpportunity,
  reopenOpportunity,
  setOpportunityMembers,
  updateOpportunity,
} from './opportunities.service';
import { findStages, getPipeline, savePipeline } from './pipeline.service';

export function registerOpportunityRoutes(app: FastifyInstance) {
  const r = typed(app);
  const read = requirePermission('opportunities:read');
  const write = requirePermission('opportunities:write');
  const tags = ['opportunities'];

  r.get(
    '/api/v1/pipelines',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'A business line’s pipeline: its own stages, or the default pipeline (own: false)',
        querystring: PipelineQuery,
        response: { 200: Pipeline, ...errorResponses },
      },
    },
    (request) => getPipeline(ctxOf(request), request.query.businessLineId),
  );
  r.put(
    '/api/v1/pipelines',
    {
      preValidation: requirePermission('sales:configure'),
      schema: {
        tags,
        summary:
          'Replace a business line’s pipeline (or the default one): one won and one lost stage; left-out stages are deactivated',
        body: PipelineInput,
        response: { 200: Pipeline, ...errorResponses },
      },
    },
    (request) => savePipeline(ctxOf(request), request.body),
  );
  r.get(
    '/api/v1/stages',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Every active stage of every pipeline (for filters)',
        response: { 200: Stage.array(), ...errorResponses },
      },
    },
    (request) => findStages(ctxOf(request)),
  );

  r.get(
    '/api/v1/opportunities',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Opportunities 销售机会 visible to me',
        querystring: OpportunityListQuery,
        response: { 200: pageOf(Opportunity), ...errorResponses },
      },
    },
    (request) => findOpportunities(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/opportunities/totals',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Count, Σ expected amount and Σ weighted amount of the filtered list (exact)',
        querystring: OpportunityListQuery,
        response: { 200: OpportunityTotals, ...errorResponses },
      },
    },
    (request) => getOpportunityTotals(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/opportunities/board',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'The kanban board of one business line’s pipeline',
        querystring: BoardQuery,
        response: { 200: Board, ...errorResponses },
      },
    },
    (request) => getBoard(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/opportunities',
    {
      preValidation: write,
      schema: { tags, body: OpportunityCreate, response: { 201: Opportunity, ...errorResponses } },
    },
    async (request, reply) => {
      reply.status(201);
      return createOpportunity(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/opportunities/:id',
    { preValidation: read, schema: { tags, params: IdParams, response: { 200: Opportunity, ...errorResponses } } },
    (request) => getOpportunity(ctxOf(request), request.params.id),
  );
  r.patch(
    '/api/v1/opportunities/:id',
    {
      preValidation: write,
      schema: { tags, params: IdParams, body: OpportunityUpdate, response: { 200: Opportunity, ...errorResponses } },
    },
    (request) => updateOpportunity(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/opportunities/:id/move',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Move to another stage, to won or to lost (with its reason)',
        params: IdParams,
        body: OpportunityMove,
        response: { 200: Opportunity, ...errorResponses },
      },
    },
    (request) => moveOpportunity(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/opportunities/:id/reopen',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Reopen a won or lost opportunity (by default into the last open stage it was in)',
        params: IdParams,
        body: OpportunityReopen,
        response: { 200: Opportunity, ...errorResponses },
      },
    },
    (request) => reopenOpportunity(ctxOf(request), request.params.id, request.body),
  );
  r.put(
    '/api/v1/opportunities/:id/members',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Replace the team (项目经理, 签字注册会计师 …); members see the opportunity',
        params: IdParams,
        body: OpportunityMembersInput,
        response: { 200: Opportunity, ...errorResponses },
      },
    },
    (request) => setOpportunityMembers(ctxOf(request), request.params.id, request.body),
  );
  r.get(
    '/api/v1/opportunities/:id/stage-history',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Every stage and status change, oldest first',
        params: IdParams,
        response: { 200: StageChange.array(), ...errorResponses },
      },
    },
    (request) => findStageHistory(ctxOf(request), request.params.id),
  );
}
