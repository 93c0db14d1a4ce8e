import { z } from 'zod';
import { DateOnly, Id, Timestamp, optionalText } from './common';

export const REMINDER_KINDS = ['activity-due', 'next-contact', 'custom'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

/** An IANA time zone the runtime knows (e.g. Asia/Shanghai). */
export const TimeZone = z
  .string()
  .trim()
  .max(64)
  .refine((zone) => isTimeZone(zone), { message: 'validation.timeZone' });

export function isTimeZone(zone: string): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const Reminder = z.object({
  id: Id,
  kind: z.enum(REMINDER_KINDS),
  remindAt: Timestamp,
  firedAt: Timestamp.nullable(),
  doneAt: Timestamp.nullable(),
  note: z.string().nullable(),
  activityId: Id.nullable(),
  customerId: Id.nullable(),
  leadId: Id.nullable(),
  opportunityId: Id.nullable(),
  /** What the reminder is about, for display: the activity's subject, the customer's or lead's name. */
  title: z.string(),
  customerName: z.string().nullable(),
  forDate: DateOnly.nullable(),
});
export type Reminder = z.infer<typeof Reminder>;

/** A reminder of my own on a record (exactly one of customer, lead, opportunity, activity). */
export const ReminderCreate = z.strictObject({
  remindAt: z.iso.datetime({ offset: true }),
  note: optionalText(500),
  customerId: Id.optional(),
  leadId: Id.optional(),
  opportunityId: Id.optional(),
  activityId: Id.optional(),
});
export type ReminderCreate = z.infer<typeof ReminderCreate>;

export const ReminderSnooze = z.strictObject({ until: z.iso.datetime({ offset: true }) });
export type ReminderSnooze = z.infer<typeof ReminderSnooze>;

export const ReminderListQuery = z.strictObject({
  /** due: fired and not yet dealt with; upcoming: not fired yet. */
  state: z.enum(['due', 'upcoming']).default('due'),
  pageSize: z.coerce.number().int().min(1).max(100).default(50),
});
export type ReminderListQuery = z.infer<typeof ReminderListQuery>;
