import type { FastifyInstance } from 'fastify';
import { IdParams } from '../../../common/schemas/common';
import { CustomerFigures, TimelinePage, TimelineQuery } from '../../../common/schemas/customer-story';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { customerFigures } from './figures.service';
import { customerTimeline } from './timeline.service';

/** The customer's whole story (issue 19 item 3): the timeline and the card's figures, both item by item by policy. */
export function registerCustomerStoryRoutes(app: FastifyInstance) {
  const r = typed(app);
  const read = requirePermission('customers:read');
  const tags = ['customers'];

  r.get(
    '/api/v1/customers/:id/timeline',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'The customer’s whole story 客户全景时间线, newest first: contact log, activities, opportunities and stage changes, quotes, contracts, orders, engagements and reports, receipts (reversals as their own items), invoices, approvals, chat mentions, lessons and insights, renewals, accepted cross-sell suggestions — each item only when the reader may see the record it comes from. `kinds` filters (comma-separated), `before` is the previous page’s nextCursor',
        params: IdParams,
        querystring: TimelineQuery,
        response: { 200: TimelinePage, ...errorResponses },
      },
    },
    (request) => customerTimeline(ctxOf(request), request.params.id, request.query),
  );

  r.get(
    '/api/v1/customers/:id/figures',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'The customer card’s figures: lifetime revenue (receipts less reversals), contracted, outstanding, first sale, services bought by year and line, the coming renewal dates — over the contracts and orders the reader sees (contracts:read) and the money they may read (receivables:read)',
        params: IdParams,
        response: { 200: CustomerFigures, ...errorResponses },
      },
    },
    (request) => customerFigures(ctxOf(request), request.params.id),
  );
}
