import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IdParams } from '../../../common/schemas/common';
import { Reminder, ReminderCreate, ReminderListQuery, ReminderSnooze } from '../../../common/schemas/reminders';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { createReminder, dismissReminder, findMyReminders, snoozeReminder } from './reminders.service';

/** My reminders: set one on a record, see what went off, snooze or dismiss. */
export function registerReminderRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['reminders'];
  r.get(
    '/api/v1/reminders',
    {
      schema: {
        tags,
        summary:
          'My reminders that went off and are not dealt with (state=due), or those still to come (state=upcoming)',
        querystring: ReminderListQuery,
        response: { 200: z.object({ items: z.array(Reminder) }), ...errorResponses },
      },
    },
    async (request) => ({
      items: await findMyReminders(ctxOf(request), request.query),
    }),
  );
  r.post(
    '/api/v1/reminders',
    {
      schema: {
        tags,
        summary: 'Remind me about a record I can see at a time to come',
        body: ReminderCreate,
        response: { 201: Reminder, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createReminder(ctxOf(request), request.body);
    },
  );
  r.post(
    '/api/v1/reminders/:id/snooze',
    { schema: { tags, params: IdParams, body: ReminderSnooze, response: { 200: Reminder, ...errorResponses } } },
    (request) => snoozeReminder(ctxOf(request), request.params.id, request.body.until),
  );
  r.post(
    '/api/v1/reminders/:id/dismiss',
    { schema: { tags, params: IdParams, response: { 200: Reminder, ...errorResponses } } },
    (request) => dismissReminder(ctxOf(request), request.params.id),
  );
}
