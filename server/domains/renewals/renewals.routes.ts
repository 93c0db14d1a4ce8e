import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Id, IdParams, pageOf } from '../../../common/schemas/common';
import {
  Renewal,
  RenewalDue,
  RenewalDueQuery,
  RenewalListQuery,
  RenewalRaise,
  RenewalRateQuery,
  RenewalRateRow,
  RenewalRule,
  RenewalRuleUpdate,
  RenewalRunResult,
} from '../../../common/schemas/renewals';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import {
  findDueRenewals,
  findRenewalRules,
  findRenewals,
  getRenewal,
  raiseRenewal,
  renewalRate,
  runRenewalsNow,
  saveRenewalRule,
} from './renewals.service';

const LineParams = z.strictObject({ businessLineId: Id });

/** 续约 (issue 19): renewals, seasons due, the renewal rate, the lead-time rules and running the job now. */
export function registerRenewalRoutes(app: FastifyInstance) {
  const r = typed(app);
  const read = requirePermission('opportunities:read');
  const write = requirePermission('opportunities:write');
  const configure = requirePermission('sales:configure');
  const tags = ['renewals'];

  r.get(
    '/api/v1/renewals',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Renewals 续约 the reader may see (as their opportunity is; skipped ones as their customer is)',
        querystring: RenewalListQuery,
        response: { 200: pageOf(Renewal), ...errorResponses },
      },
    },
    (request) => findRenewals(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/renewals/due',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Seasons coming with no renewal yet, and the day each will be raised',
        querystring: RenewalDueQuery,
        response: { 200: pageOf(RenewalDue), ...errorResponses },
      },
    },
    (request) => findDueRenewals(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/renewals/rate',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'The renewal rate 续约率 (won ÷ decided) by business line, owner or branch',
        querystring: RenewalRateQuery,
        response: { 200: z.array(RenewalRateRow), ...errorResponses },
      },
    },
    (request) => renewalRate(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/renewals/run',
    {
      preValidation: configure,
      schema: {
        tags,
        summary: 'Run the renewal job now, as of the firm’s today',
        response: { 200: RenewalRunResult, ...errorResponses },
      },
    },
    (request) => runRenewalsNow(ctxOf(request)),
  );
  r.get(
    '/api/v1/renewals/:id',
    { preValidation: read, schema: { tags, params: IdParams, response: { 200: Renewal, ...errorResponses } } },
    (request) => getRenewal(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/renewals',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Raise one season’s renewal now, before the job (once only)',
        body: RenewalRaise,
        response: { 201: Renewal, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return raiseRenewal(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/renewal-rules',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Every active business line’s lead time (its rule, else the default)',
        response: { 200: z.array(RenewalRule), ...errorResponses },
      },
    },
    (request) => findRenewalRules(ctxOf(request)),
  );
  r.put(
    '/api/v1/renewal-rules/:businessLineId',
    {
      preValidation: configure,
      schema: {
        tags,
        summary: 'Set a business line’s lead time and whether renewals are raised for it',
        params: LineParams,
        body: RenewalRuleUpdate,
        response: { 200: RenewalRule, ...errorResponses },
      },
    },
    (request) => saveRenewalRule(ctxOf(request), request.params.businessLineId, request.body),
  );
}
