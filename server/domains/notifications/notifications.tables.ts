import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../staff/staff.tables';

/**
 * In-app notifications. `kind` selects the message (translated when shown, in the reader's
 * language) and `params` fill it; `entityType`/`entityId` link to the record.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    params: jsonb('params')
      .$type<Record<string, string | number | null>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    entityType: text('entity_type'),
    entityId: uuid('entity_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [
    index('notifications_user_idx').on(t.userId, t.createdAt),
    index('notifications_unread_idx')
      .on(t.userId)
      .where(sql`${t.readAt} IS NULL`),
  ],
);

/**
 * A user's preferences for reminders and notifications: their time zone (for "today", the
 * calendar and next-contact reminders), how long before a due activity to be reminded, and per
 * notification kind whether to be told in the app and/or by e-mail (absent kinds: in-app only).
 */
export const userPreferences = pgTable(
  'user_preferences',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
    reminderLeadMinutes: integer('reminder_lead_minutes').notNull().default(15),
    channels: jsonb('channels')
      .$type<Record<string, { inApp: boolean; email: boolean }>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    /** The secret of the user's iCalendar feed (a SHA-256 of it); null when none or revoked. */
    calendarTokenHash: text('calendar_token_hash'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('user_preferences_calendar_idx').on(t.calendarTokenHash)],
);

/**
 * Outgoing e-mail. Every message is a row first (so none is lost), then a durable job sends it
 * over SMTP, retrying with backoff; without SMTP_URL messages stay here, visible to administrators.
 */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** queued (waiting for the mail job) · held (no SMTP_URL: stays here for an administrator) · sent · failed (after the last retry). */
    status: text('status', { enum: ['queued', 'held', 'sent', 'failed'] }).notNull(),
    toAddress: text('to_address').notNull(),
    toUserId: uuid('to_user_id').references(() => users.id, { onDelete: 'set null' }),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    kind: text('kind').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid('created_by'),
  },
  (t) => [index('mail_outbox_status_idx').on(t.status, t.createdAt)],
);
