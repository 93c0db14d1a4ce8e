import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IdParams, Ok, pageOf } from '../../../common/schemas/common';
import {
  NotificationListQuery,
  NotificationPage,
  OutboxListQuery,
  OutboxMail,
  Preferences,
  PreferencesUpdate,
} from '../../../common/schemas/notifications';
import { ctxOf } from '../../context';
import { requirePermission } from '../../policy';
import { errorResponses, typed } from '../../lib/routes';
import { findOutbox, resendMail } from './mail.service';
import { findMyNotifications, markAllRead, markRead, unreadCount } from './notifications.service';
import { getMyPreferences, updateMyPreferences } from './preferences.service';

/** The bell (my notifications), my preferences, and the administrators' e-mail outbox. */
export function registerNotificationRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['notifications'];

  r.get(
    '/api/v1/notifications',
    {
      schema: {
        tags,
        summary: 'My notifications, newest first, with the unread count',
        querystring: NotificationListQuery,
        response: { 200: NotificationPage, ...errorResponses },
      },
    },
    (request) => findMyNotifications(ctxOf(request), request.query, request.locale),
  );
  r.get(
    '/api/v1/notifications/unread-count',
    { schema: { tags, response: { 200: z.object({ unread: z.int() }), ...errorResponses } } },
    async (request) => ({
      unread: await unreadCount(ctxOf(request)),
    }),
  );
  r.post(
    '/api/v1/notifications/:id/read',
    { schema: { tags, params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await markRead(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );
  r.post(
    '/api/v1/notifications/read-all',
    { schema: { tags, response: { 200: z.object({ read: z.int() }), ...errorResponses } } },
    async (request) => ({
      read: await markAllRead(ctxOf(request)),
    }),
  );

  r.get(
    '/api/v1/me/preferences',
    {
      schema: {
        tags,
        summary: 'My time zone, reminder lead time and notification channels',
        response: { 200: Preferences, ...errorResponses },
      },
    },
    (request) => getMyPreferences(ctxOf(request)),
  );
  r.patch(
    '/api/v1/me/preferences',
    { schema: { tags, body: PreferencesUpdate, response: { 200: Preferences, ...errorResponses } } },
    (request) => updateMyPreferences(ctxOf(request), request.body),
  );

  const mail = requirePermission('mail:manage');
  r.get(
    '/api/v1/mail-outbox',
    {
      preValidation: mail,
      schema: {
        tags,
        summary: 'Outgoing e-mail: held (no SMTP_URL), queued, failed and sent',
        querystring: OutboxListQuery,
        response: { 200: pageOf(OutboxMail), ...errorResponses },
      },
    },
    (request) => findOutbox(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/mail-outbox/:id/resend',
    { preValidation: mail, schema: { tags, params: IdParams, response: { 200: OutboxMail, ...errorResponses } } },
    (request) => resendMail(ctxOf(request), request.params.id),
  );
}
