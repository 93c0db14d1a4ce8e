import type { FastifyInstance } from 'fastify';
import {
  Dashboard,
  ReportPin,
  ReportPinCreate,
  ReportPinList,
  ReportSubscription,
  ReportSubscriptionCreate,
  ReportSubscriptionList,
  ReportSubscriptionUpdate,
} from '../../../common/schemas/dashboard';
import { IdParams, Ok } from '../../../common/schemas/common';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { getDashboard } from './dashboard.service';
import {
  createPin,
  createSubscription,
  deletePin,
  deleteSubscription,
  findMyPins,
  findMySubscriptions,
  updateSubscription,
} from './saved.service';

/**
 * The start page (GET /api/v1/dashboard: the reader's sections in one answer), the reports pinned to it
 * (/api/v1/report-pins) and the scheduled reports (/api/v1/report-subscriptions). Every signed-in user has a start
 * page; pins and subscriptions are each one's own (another's is 404) and only of reports the reader may open.
 */
export function registerDashboardRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['reports'];
  r.get(
    '/api/v1/dashboard',
    {
      schema: {
        tags,
        summary:
          'The start page 首页: the sections the reader’s grants show (firm, team, sales, finance, work) and pins',
        response: { 200: Dashboard, ...errorResponses },
      },
    },
    (request) => getDashboard(ctxOf(request)),
  );

  r.get(
    '/api/v1/report-pins',
    {
      schema: {
        tags,
        summary: 'My reports pinned to the start page, in order',
        response: { 200: ReportPinList, ...errorResponses },
      },
    },
    async (request) => ({ items: await findMyPins(ctxOf(request)) }),
  );
  r.post(
    '/api/v1/report-pins',
    {
      schema: {
        tags,
        summary:
          'Pins a report with its filters to my start page (at most 12; the query is checked as the report does)',
        body: ReportPinCreate,
        response: { 201: ReportPin, ...errorResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await createPin(ctxOf(request), request.body)),
  );
  r.delete(
    '/api/v1/report-pins/:id',
    {
      schema: { tags, summary: 'Unpins one of my reports', params: IdParams, response: { 200: Ok, ...errorResponses } },
    },
    async (request) => {
      await deletePin(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/report-subscriptions',
    {
      schema: {
        tags,
        summary: 'My scheduled reports 定期报表',
        response: { 200: ReportSubscriptionList, ...errorResponses },
      },
    },
    async (request) => ({ items: await findMySubscriptions(ctxOf(request)) }),
  );
  r.post(
    '/api/v1/report-subscriptions',
    {
      schema: {
        tags,
        summary: 'Subscribes to a report with its filters, e-mailed weekly (Mondays) or monthly (the 1st) at 08:00',
        body: ReportSubscriptionCreate,
        response: { 201: ReportSubscription, ...errorResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await createSubscription(ctxOf(request), request.body)),
  );
  r.patch(
    '/api/v1/report-subscriptions/:id',
    {
      schema: {
        tags,
        summary: 'Pauses, resumes or changes the frequency of one of my scheduled reports',
        params: IdParams,
        body: ReportSubscriptionUpdate,
        response: { 200: ReportSubscription, ...errorResponses },
      },
    },
    (request) => updateSubscription(ctxOf(request), request.params.id, request.body),
  );
  r.delete(
    '/api/v1/report-subscriptions/:id',
    {
      schema: {
        tags,
        summary: 'Deletes one of my scheduled reports',
        params: IdParams,
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (request) => {
      await deleteSubscription(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );
}
