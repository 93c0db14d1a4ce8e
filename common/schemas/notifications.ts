import { z } from 'zod';
import { Id, Timestamp } from './common';
import { TimeZone } from './reminders';

/** Every kind of notification; each has a message in both languages (common/i18n notification.<kind>). */
export const NOTIFICATION_KINDS = [
  'lead-assigned',
  'lead-queued',
  'activity-due',
  'next-contact',
  'custom-reminder',
  'inactive-customer',
  'mail-failed',
  'approval-waiting',
  'approval-approved',
  'approval-rejected',
  'approval-returned',
  'approval-overdue',
  'payment-due',
  'payment-overdue',
  'engagement-lead',
  'engagement-member',
  'engagement-closed',
  'work-order-assigned',
  'qualification-expiring',
  'renewal-due',
  'renewal-lesson',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const Notification = z.object({
  id: Id,
  kind: z.string(),
  /** The message in the reader's language. */
  message: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  entityType: z.string().nullable(),
  entityId: Id.nullable(),
  createdAt: Timestamp,
  readAt: Timestamp.nullable(),
});
export type Notification = z.infer<typeof Notification>;

export const NotificationListQuery = z.strictObject({
  unread: z.enum(['true', 'false']).optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type NotificationListQuery = z.infer<typeof NotificationListQuery>;

export const NotificationPage = z.object({
  items: z.array(Notification),
  total: z.int(),
  unread: z.int(),
  page: z.int(),
  pageSize: z.int(),
});
export type NotificationPage = z.infer<typeof NotificationPage>;

export const Channels = z.object({ inApp: z.boolean(), email: z.boolean() });
export const Preferences = z.object({
  timeZone: z.string(),
  reminderLeadMinutes: z.int(),
  channels: z.record(z.enum(NOTIFICATION_KINDS), Channels),
  /** Whether a calendar feed is active (its URL is shown once, when created). */
  calendarFeed: z.boolean(),
  /** E-mail me a digest of the team-chat mentions 提及 I have not read after a while (on unless turned off). */
  chatDigest: z.boolean(),
});
export type Preferences = z.infer<typeof Preferences>;

export const PreferencesUpdate = z
  .strictObject({
    timeZone: TimeZone,
    reminderLeadMinutes: z
      .int()
      .min(0)
      .max(7 * 24 * 60),
    channels: z.partialRecord(z.enum(NOTIFICATION_KINDS), Channels),
    chatDigest: z.boolean(),
  })
  .partial();
export type PreferencesUpdate = z.infer<typeof PreferencesUpdate>;

export const MAIL_STATUSES = ['queued', 'held', 'sent', 'failed'] as const;
export const OutboxMail = z.object({
  id: Id,
  status: z.enum(MAIL_STATUSES),
  toAddress: z.string(),
  subject: z.string(),
  body: z.string(),
  kind: z.string(),
  attempts: z.int(),
  lastError: z.string().nullable(),
  nextAttemptAt: Timestamp.nullable(),
  sentAt: Timestamp.nullable(),
  createdAt: Timestamp,
});
export type OutboxMail = z.infer<typeof OutboxMail>;

export const OutboxListQuery = z.strictObject({
  status: z.enum(MAIL_STATUSES).optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type OutboxListQuery = z.infer<typeof OutboxListQuery>;
