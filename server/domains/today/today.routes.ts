import type { FastifyInstance } from 'fastify';
import { Today, TodayQuery } from '../../../common/schemas/today';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { getToday } from './today.service';

export function registerTodayRoutes(app: FastifyInstance) {
  typed(app).get(
    '/api/v1/today',
    {
      schema: {
        tags: ['reminders'],
        summary:
          'Today 今日: overdue and today’s tasks, reminders, customers to call, customers going quiet, services due soon, new leads',
        querystring: TodayQuery,
        response: { 200: Today, ...errorResponses },
      },
    },
    (request) => getToday(ctxOf(request), request.query),
  );
}
