import type { FastifyInstance } from 'fastify';
import { AuditListQuery, AuditLog } from '../../../common/schemas/audit';
import { pageOf } from '../../../common/schemas/common';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { findAuditLogs } from './audit.service';

export function registerAuditRoutes(app: FastifyInstance) {
  typed(app).get(
    '/api/v1/audit-logs',
    {
      preValidation: requirePermission('audit:read'),
      schema: {
        tags: ['audit'],
        summary: 'Who changed which record, when, before and after',
        querystring: AuditListQuery,
        response: { 200: pageOf(AuditLog), ...errorResponses },
      },
    },
    (request) => findAuditLogs(ctxOf(request), request.query),
  );
}
