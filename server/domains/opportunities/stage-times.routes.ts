import type { FastifyInstance } from 'fastify';
import { IdParams } from '../../../common/schemas/common';
import { StageDurations, StageDurationsQuery, StageTimes } from '../../../common/schemas/stage-times';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { getStageDurations, getStageTimes } from './stage-times.service';

/** Sales-cycle timing: time and work per stage of an opportunity, and per stage over a team's opportunities. */
export function registerStageTimeRoutes(app: FastifyInstance) {
  const r = typed(app);
  const read = requirePermission('opportunities:read');

  r.get(
    '/api/v1/opportunities/:id/stage-times',
    {
      preValidation: read,
      schema: {
        tags: ['opportunities'],
        summary:
          'Each stay in a stage (from the stage history) with its whole seconds and the done activities of it; totals per stage',
        params: IdParams,
        response: { 200: StageTimes, ...errorResponses },
      },
    },
    (request) => getStageTimes(ctxOf(request), request.params.id),
  );

  r.get(
    '/api/v1/reports/stage-durations',
    {
      preValidation: read,
      schema: {
        tags: ['reports'],
        summary:
          'Per open stage, over the opportunities I see (by line, department subtree, created in [from, to)): how many entered it, mean and median seconds in it, done activities',
        querystring: StageDurationsQuery,
        response: { 200: StageDurations, ...errorResponses },
      },
    },
    (request) => getStageDurations(ctxOf(request), request.query),
  );
}
