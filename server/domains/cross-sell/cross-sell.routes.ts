import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IdParams, pageOf } from '../../../common/schemas/common';
import {
  CrossSellAccept,
  CrossSellConversionRow,
  CrossSellDismiss,
  CrossSellListQuery,
  CrossSellRun,
  CrossSellSuggestion,
} from '../../../common/schemas/cross-sell';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { getCrossSellRun, startCrossSellRun } from './compute';
import { acceptCrossSell, crossSellConversion, dismissCrossSell, findCrossSell } from './cross-sell.service';

/** 交叉销售: the suggestions (read under the customers' visibility), accepting and dismissing them, the runs. */
export function registerCrossSellRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['cross-sell'];
  const read = requirePermission('customers:read');
  const configure = requirePermission('sales:configure');
  const one = { 200: CrossSellSuggestion, ...errorResponses };

  r.get(
    '/api/v1/cross-sell',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'Cross-sell suggestions 交叉销售: mine, the team’s (every customer the reader sees) or one customer’s (with the excluded ones and their rule), best first, with the evidence in words',
        querystring: CrossSellListQuery,
        response: { 200: pageOf(CrossSellSuggestion), ...errorResponses },
      },
    },
    (request) => findCrossSell(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/cross-sell/conversion',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'The conversion of suggestions 建议转化率 by business line: suggested, accepted, dismissed and won (through the opportunity’s origin)',
        response: { 200: z.array(CrossSellConversionRow), ...errorResponses },
      },
    },
    (request) => crossSellConversion(ctxOf(request)),
  );
  r.post(
    '/api/v1/cross-sell/runs',
    {
      preValidation: configure,
      schema: {
        tags,
        summary: 'Compute the suggestions for the whole firm now (a job, one at a time); 202 with the job’s id to poll',
        response: { 202: z.object({ id: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(202);
      return startCrossSellRun(ctxOf(request));
    },
  );
  r.get(
    '/api/v1/cross-sell/runs/:id',
    {
      preValidation: configure,
      schema: {
        tags,
        summary: 'A computation: its state, progress (customers done of total) and, once done, its counts',
        params: IdParams,
        response: { 200: CrossSellRun, ...errorResponses },
      },
    },
    (request) => getCrossSellRun(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/cross-sell/:id/accept',
    {
      preValidation: requirePermission('opportunities:write'),
      schema: {
        tags,
        summary:
          'Accept a suggestion: one opportunity with the suggestion as its origin (accepted twice: 409 with its id)',
        params: IdParams,
        body: CrossSellAccept,
        response: one,
      },
    },
    (request) => acceptCrossSell(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/cross-sell/:id/dismiss',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Dismiss a suggestion, saying why: not needed or another provider (never again), later (in 90 days)',
        params: IdParams,
        body: CrossSellDismiss,
        response: one,
      },
    },
    (request) => dismissCrossSell(ctxOf(request), request.params.id, request.body),
  );
}
