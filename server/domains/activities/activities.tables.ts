import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { ACTIVITY_STATUSES } from '../../../common/schemas/activities';
import { auditedColumns } from '../../db/columns';
import { contacts, customers } from '../customers/customers.tables';
import { leads } from '../leads/leads.tables';
import { opportunities, pipelineStages } from '../opportunities/opportunities.tables';
import { users } from '../staff/staff.tables';

/**
 * 活动: a planned or done piece of customer work (call, visit, meeting, proposal, quote …)
 * on a customer, a lead or an opportunity. `stageId` is the opportunity's stage when the
 * activity was done, so the time and work of each stage can be analysed.
 */
export const activities = pgTable(
  'activities',
  {
    ...auditedColumns(),
    category: text('category').notNull(),
    subject: text('subject').notNull(),
    notes: text('notes'),
    status: text('status', { enum: ACTIVITY_STATUSES }).notNull().default('planned'),
    dueAt: timestamp('due_at', { withTimezone: true }),
    doneAt: timestamp('done_at', { withTimezone: true }),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    leadId: uuid('lead_id').references(() => leads.id, { onDelete: 'cascade' }),
    opportunityId: uuid('opportunity_id').references(() => opportunities.id, { onDelete: 'cascade' }),
    stageId: uuid('stage_id').references(() => pipelineStages.id),
  },
  (t) => [
    index('activities_owner_due_idx').on(t.ownerId, t.status, t.dueAt),
    index('activities_customer_idx').on(t.customerId),
    index('activities_lead_idx').on(t.leadId),
    index('activities_opportunity_idx').on(t.opportunityId),
  ],
);

/** The firm's activity categories (the built-in ones are seeded by the migration; names per language). */
export const activityCategories = pgTable('activity_categories', {
  code: text('code').primaryKey(),
  /** For the audit log (which names records by uuid). */
  id: uuid('id').notNull().unique().defaultRandom(),
  nameZh: text('name_zh').notNull(),
  nameEn: text('name_en').notNull(),
  active: boolean('active').notNull().default(true),
  position: integer('position').notNull().default(100),
  builtin: boolean('builtin').notNull().default(false),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Further people an activity is assigned to (the owner is always one). */
export const activityAssignees = pgTable(
  'activity_assignees',
  {
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.activityId, t.userId] }), index('activity_assignees_user_idx').on(t.userId)],
);
