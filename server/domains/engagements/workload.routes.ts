import type { FastifyInstance } from 'fastify';
import { Workload, WorkloadQuery } from '../../../common/schemas/workload';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { workload } from './workload.service';

/** 工作负荷: hours per person per week against their capacity. */
export function registerWorkloadRoutes(app: FastifyInstance) {
  const r = typed(app);
  r.get(
    '/api/v1/workload',
    {
      preValidation: requirePermission('engagements:read'),
      schema: {
        tags: ['timesheets'],
        summary:
          'Hours logged per person per week (billable part, planned hours of open work orders due that week) against the weekly capacity (40 h by default), under below 50 %, over above 100 %; mine, my department’s people (managers), everyone’s (partners, finance), optionally of one department; most hours first',
        querystring: WorkloadQuery,
        response: { 200: Workload, ...errorResponses },
      },
    },
    (request) => workload(ctxOf(request), request.query),
  );
}
