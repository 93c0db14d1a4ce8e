import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CalendarFeed, CalendarItems, CalendarQuery } from '../../../common/schemas/calendar';
import { Ok } from '../../../common/schemas/common';
import type { Config } from '../../config';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requireActivityAccess } from '../activities/activities.policy';
import { calendarFeedOf, createCalendarFeed, findCalendar, revokeCalendarFeed } from './calendar.service';

/**
 * The calendar 日历 of activities (rescheduling is PATCH /api/v1/activities/:id { dueAt }), and my
 * iCalendar feed: a secret address calendar apps subscribe to without signing in, which I can
 * replace or revoke. Feed addresses start with `config.publicUrl` when given, else the request's origin.
 */
export function registerCalendarRoutes(app: FastifyInstance, config?: Pick<Config, 'publicUrl'>) {
  const r = typed(app);
  const tags = ['calendar'];
  const baseOf = (request: FastifyRequest) => config?.publicUrl ?? `${request.protocol}://${request.host}`;

  r.get(
    '/api/v1/calendar',
    {
      preValidation: requireActivityAccess,
      schema: {
        tags,
        summary:
          'Activities in [from, to) (at most 100 days): planned ones at their due time, done ones at their done time; scope mine (owner or assignee) or team (all I may see)',
        querystring: CalendarQuery,
        response: { 200: CalendarItems, ...errorResponses },
      },
    },
    (request) => findCalendar(ctxOf(request), request.query),
  );

  r.post(
    '/api/v1/me/calendar-feed',
    {
      schema: {
        tags,
        summary:
          'Create my iCalendar feed address, or replace it (the old one stops working); the address is shown only now',
        response: { 200: CalendarFeed, ...errorResponses },
      },
    },
    (request) => createCalendarFeed(ctxOf(request), baseOf(request)),
  );
  r.delete(
    '/api/v1/me/calendar-feed',
    { schema: { tags, summary: 'Revoke my iCalendar feed address', response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await revokeCalendarFeed(ctxOf(request));
      return { ok: true as const };
    },
  );

  // Public (the secret in the address is the credential) and left out of the OpenAPI document,
  // whose every route must refuse anonymous callers.
  r.get(
    '/api/v1/calendar/feed/:token.ics',
    { config: { public: true }, schema: { hide: true, params: z.strictObject({ token: z.string().max(200) }) } },
    async (request, reply) => {
      const body = await calendarFeedOf(app.db, request.params.token, baseOf(request));
      return reply.type('text/calendar; charset=utf-8').header('cache-control', 'no-store').send(body);
    },
  );
}
