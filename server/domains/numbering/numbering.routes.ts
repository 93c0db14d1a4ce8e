import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IdParams } from '../../../common/schemas/common';
import {
  NumberRegister,
  NumberRegisterQuery,
  NumberSeries,
  NumberSeriesCreate,
  NumberSeriesUpdate,
} from '../../../common/schemas/numbering';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { createSeries, listSeries, numberRegister, updateSeries } from './numbering.service';

/** Number series 编号规则 (administrators) and their registers 登记簿 (administrators and whoever sees all contracts). */
export function registerNumberingRoutes(app: FastifyInstance) {
  const r = typed(app);
  const configure = requirePermission('contracts:configure');
  const readAll = requirePermission('contracts:read', 'all');
  const tags = ['numbering'];
  r.get(
    '/api/v1/number-series',
    { preValidation: readAll, schema: { tags, response: { 200: z.array(NumberSeries), ...errorResponses } } },
    (request) => listSeries(ctxOf(request).db),
  );
  r.post(
    '/api/v1/number-series',
    {
      preValidation: configure,
      schema: { tags, body: NumberSeriesCreate, response: { 201: NumberSeries, ...errorResponses } },
    },
    async (request, reply) => {
      reply.status(201);
      return createSeries(ctxOf(request), request.body);
    },
  );
  r.patch(
    '/api/v1/number-series/:id',
    {
      preValidation: configure,
      schema: {
        tags,
        summary: 'Change a series: a new pattern applies to numbers given from now on; the sequence goes on',
        params: IdParams,
        body: NumberSeriesUpdate,
        response: { 200: NumberSeries, ...errorResponses },
      },
    },
    (request) => updateSeries(ctxOf(request), request.params.id, request.body),
  );
  r.get(
    '/api/v1/number-series/:id/register',
    {
      preValidation: readAll,
      schema: {
        tags,
        summary:
          'The register 登记簿: every number of a period in order, with its record’s status, and the gaps (none)',
        params: IdParams,
        querystring: NumberRegisterQuery,
        response: { 200: NumberRegister, ...errorResponses },
      },
    },
    (request) => numberRegister(ctxOf(request).db, request.params.id, request.query.period),
  );
}
