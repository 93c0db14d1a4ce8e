import type { FastifyInstance } from 'fastify';
import { SalesCycleTargets, SalesCycleTargetsInput } from '../../../common/schemas/sales-cycle-targets';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { getSalesCycleTargets, setSalesCycleTargets } from './sales-cycle-targets.service';

/** The firm's target sales cycle per business line: read with the opportunities, set with sales:configure. */
export function registerSalesCycleTargetRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['reports'];
  r.get(
    '/api/v1/sales-cycle-targets',
    {
      preValidation: requirePermission('opportunities:read'),
      schema: {
        tags,
        summary: 'The target sales cycle in days per business line (the firm’s best practice)',
        response: { 200: SalesCycleTargets, ...errorResponses },
      },
    },
    (request) => getSalesCycleTargets(ctxOf(request)),
  );
  r.put(
    '/api/v1/sales-cycle-targets',
    {
      preValidation: requirePermission('sales:configure'),
      schema: {
        tags,
        summary: 'Replace the targets: the lines given get theirs (1–3650 days), the others none',
        body: SalesCycleTargetsInput,
        response: { 200: SalesCycleTargets, ...errorResponses },
      },
    },
    (request) => setSalesCycleTargets(ctxOf(request), request.body),
  );
}
