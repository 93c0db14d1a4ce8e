import { and, count, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { translate, type Locale, type MessageKey } from '../../../common/i18n';

import type {
  Notification,
  NotificationKind,
  NotificationListQuery,
  NotificationPage,
} from '../../../common/schemas/notifications';
import type { Ctx, JobsTx } from '../../context';
import { preparedOnce, type Db } from '../../db/client';
import { notFound } from '../../errors';
import { publish } from '../../realtime';
import { users } from '../staff/staff.tables';
import { enqueueMail } from './outbox';
import { notifications, userPreferences } from './notifications.tables';

export type { NotificationKind };
export type NewNotification = {
  userId: string;
  kind: NotificationKind;
  params?: Record<string, string | number | null>;
  entityType?: string;
  entityId?: string;
};

export const DEFAULT_CHANNELS = { inApp: true, email: false };

/**
 * Tells people something, in the same transaction as the change it announces (a rolled-back
 * change notifies nobody): in the app (and live to their open browsers, on commit) and by e-mail
 * when they asked for that kind by e-mail. The message is worded in each reader's language.
 */
export async function notify(tx: JobsTx, items: NewNotification[]): Promise<void> {
  if (items.length === 0) return;
  const recipients = await tx.db
    .select({ id: users.id, email: users.email, locale: users.locale, channels: userPreferences.channels })
    .from(users)
    .leftJoin(userPreferences, eq(userPreferences.userId, users.id))
    .where(and(inArray(users.id, [...new Set(items.map((n) => n.userId))]), eq(users.active, true)));
  const byId = new Map(recipients.map((r) => [r.id, r]));
  const inApp: NewNotification[] = [];
  for (const item of items) {
    const recipient = byId.get(item.userId);
    if (!recipient) continue;
    const channels = recipient.channels?.[item.kind] ?? DEFAULT_CHANNELS;
    if (channels.inApp) inApp.push(item);
    if (channels.email && recipient.email) {
      const message = messageOf(recipient.locale, item.kind, item.params ?? {});
      await enqueueMail(tx, {
        to: recipient.email,
        toUserId: recipient.id,
        subject: message,
        body: `${message}\n\n— Gongdan 工单`,
        kind: item.kind,
      });
    }
  }
  if (inApp.length === 0) return;
  await tx.db.insert(notifications).values(inApp.map((n) => ({ ...n, params: n.params ?? {} })));
  await publish(tx.db, { type: 'notifications', userIds: [...new Set(inApp.map((n) => n.userId))] });
}

function messageOf(locale: Locale, kind: string, params: Record<string, unknown>): string {
  const key = `notification.${kind}` as MessageKey;
  return translate(locale, key, params);
}

function present(row: typeof notifications.$inferSelect, locale: Locale): Notification {
  return {
    id: row.id,
    kind: row.kind,
    message: messageOf(locale, row.kind, row.params),
    params: row.params,
    entityType: row.entityType,
    entityId: row.entityId,
    createdAt: row.createdAt.toISOString(),
    readAt: row.readAt?.toISOString() ?? null,
  };
}

/** My notifications, newest first, with how many are unread. */
export async function findMyNotifications(
  ctx: Ctx,
  query: NotificationListQuery,
  locale: Locale,
): Promise<NotificationPage> {
  const mine = eq(notifications.userId, ctx.actor.id);
  const where =
    query.unread === 'true'
      ? and(mine, isNull(notifications.readAt))
      : query.unread === 'false'
        ? and(mine, sql`${notifications.readAt} IS NOT NULL`)
        : mine;
  const [rows, [{ total }], [{ unread }]] = await Promise.all([
    ctx.db
      .select()
      .from(notifications)
      .where(where)
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize),
    ctx.db.select({ total: count() }).from(notifications).where(where),
    ctx.db
      .select({ unread: count() })
      .from(notifications)
      .where(and(mine, isNull(notifications.readAt))),
  ]);
  return { items: rows.map((r) => present(r, locale)), total, unread, page: query.page, pageSize: query.pageSize };
}

export async function unreadCount(ctx: Ctx): Promise<number> {
  const [{ unread }] = await ctx.db
    .select({ unread: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, ctx.actor.id), isNull(notifications.readAt)));
  return unread;
}

/** Marks one of my notifications read (another user's is NOT_FOUND). */
export async function markRead(ctx: Ctx, id: string): Promise<void> {
  const [row] = await ctx.db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.id, id), eq(notifications.userId, ctx.actor.id)));
  if (!row) throw notFound();
  await ctx.db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(eq(notifications.id, id), isNull(notifications.readAt)));
  await publish(ctx.db, { type: 'notifications', userIds: [ctx.actor.id] });
}

export async function markAllRead(ctx: Ctx): Promise<number> {
  const done = await ctx.db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(eq(notifications.userId, ctx.actor.id), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  await publish(ctx.db, { type: 'notifications', userIds: [ctx.actor.id] });
  return done.length;
}

/** A user's preferences, with the defaults filled in (prepared: Today reads them on every request). */
export async function preferencesOf(db: Db, userId: string) {
  const [row] = await preparedOnce(
    db,
    'preferences-of',
    () =>
      db
        .select()
        .from(userPreferences)
        .where(eq(userPreferences.userId, sql.placeholder('userId')))
        .prepare(''), // named by preparedOnce
  ).execute({ userId });
  return {
    timeZone: row?.timeZone ?? 'Asia/Shanghai',
    reminderLeadMinutes: row?.reminderLeadMinutes ?? 15,
    channels: row?.channels ?? {},
    calendarTokenHash: row?.calendarTokenHash ?? null,
  };
}
