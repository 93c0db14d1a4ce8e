import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { SUGGESTION_STATUSES } from '../../../common/schemas/suggestions';
import { contacts, customers } from '../customers/customers.tables';
import { mailOutbox } from '../notifications/notifications.tables';
import { users } from '../staff/staff.tables';

/**
 * Follow-ups the inactive-customer rule suggests: the customer, its salesperson at the time,
 * how long it has been quiet, and a drafted e-mail (from the template, merge fields filled).
 * At most one open suggestion per customer.
 */
export const customerSuggestions = pgTable(
  'customer_suggestions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: ['inactive'] })
      .notNull()
      .default('inactive'),
    status: text('status', { enum: SUGGESTION_STATUSES }).notNull().default('open'),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    days: integer('days').notNull(),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    toAddress: text('to_address'),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    mailId: uuid('mail_id').references(() => mailOutbox.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('customer_suggestions_open_uq')
      .on(t.customerId)
      .where(sql`${t.status} = 'open'`),
    index('customer_suggestions_user_idx').on(t.userId, t.status),
  ],
);

/** E-mail templates the firm edits (the follow-up for inactive customers); absent: the built-in text. */
export const mailTemplates = pgTable('mail_templates', {
  code: text('code').primaryKey(),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
});
