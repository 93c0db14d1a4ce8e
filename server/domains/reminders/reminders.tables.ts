import { sql } from 'drizzle-orm';
import { date, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { REMINDER_KINDS } from '../../../common/schemas/reminders';
import { activities } from '../activities/activities.tables';
import { customers } from '../customers/customers.tables';
import { leads } from '../leads/leads.tables';
import { opportunities } from '../opportunities/opportunities.tables';
import { users } from '../staff/staff.tables';

/**
 * A reminder for one person at one time: an activity falling due, a customer's next-contact
 * date, or one a user set on a record. A durable job fires it at `remindAt`; firing sets
 * `firedAt` with a conditional update, so it notifies exactly once however often the job runs.
 * Rescheduling moves `remindAt` and clears `firedAt` (the old job then finds nothing to do).
 * Deleting the record deletes its reminders.
 */
export const reminders = pgTable(
  'reminders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: REMINDER_KINDS }).notNull(),
    remindAt: timestamp('remind_at', { withTimezone: true }).notNull(),
    firedAt: timestamp('fired_at', { withTimezone: true }),
    /** Dealt with (or dismissed) on Today. */
    doneAt: timestamp('done_at', { withTimezone: true }),
    note: text('note'),
    activityId: uuid('activity_id').references(() => activities.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'cascade' }),
    leadId: uuid('lead_id').references(() => leads.id, { onDelete: 'cascade' }),
    opportunityId: uuid('opportunity_id').references(() => opportunities.id, { onDelete: 'cascade' }),
    /** next-contact reminders: the date they stand for (a changed date moves the reminder). */
    forDate: date('for_date'),
    /** activity-due reminders: the due time they were computed from (only a new due time moves them; a snooze stays). */
    basisAt: timestamp('basis_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid('created_by'),
  },
  (t) => [
    // "Went off, not dealt with" and "still to come", each in time order (Today, the reminder lists).
    index('reminders_user_due_idx')
      .on(t.userId, t.remindAt)
      .where(sql`${t.firedAt} IS NOT NULL AND ${t.doneAt} IS NULL`),
    index('reminders_user_upcoming_idx')
      .on(t.userId, t.remindAt)
      .where(sql`${t.firedAt} IS NULL AND ${t.doneAt} IS NULL`),
    uniqueIndex('reminders_activity_user_uq')
      .on(t.activityId, t.userId)
      .where(sql`${t.kind} = 'activity-due'`),
    uniqueIndex('reminders_next_contact_uq')
      .on(t.customerId)
      .where(sql`${t.kind} = 'next-contact'`),
    index('reminders_customer_idx').on(t.customerId),
    index('reminders_lead_idx').on(t.leadId),
    index('reminders_opportunity_idx').on(t.opportunityId),
  ],
);
