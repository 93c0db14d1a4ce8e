import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Id, IdParams } from '../../../common/schemas/common';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { engagementLetter } from './documents.service';

/** Reminders that produce the document: a renewal's engagement letter 业务约定书 (a draft contract from last period). */
export function registerRenewalDocumentRoutes(app: FastifyInstance) {
  const r = typed(app);
  r.post(
    '/api/v1/renewals/:id/engagement-letter',
    {
      preValidation: requirePermission('contracts:write'),
      schema: {
        tags: ['renewals'],
        summary:
          'The renewal’s engagement letter 业务约定书: a draft contract copied from last period (made once; asked again, the same one)',
        params: IdParams,
        response: { 200: z.object({ contractId: Id }), ...errorResponses },
      },
    },
    (request) => engagementLetter(ctxOf(request), request.params.id),
  );
}
