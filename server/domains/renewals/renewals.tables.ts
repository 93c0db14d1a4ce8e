import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { RECURRING_CYCLES, RENEWAL_SKIP_REASONS, RENEWAL_SOURCES } from '../../../common/schemas/renewals';
import { contracts, orders } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { opportunities, quotes } from '../opportunities/opportunities.tables';
import { businessLines, departments, users } from '../staff/staff.tables';

/** Per business line: how many days before the season a renewal is raised (absent: the default, 60). */
export const renewalRules = pgTable(
  'renewal_rules',
  {
    businessLineId: uuid('business_line_id')
      .primaryKey()
      .references(() => businessLines.id),
    leadDays: integer('lead_days').notNull(),
    active: boolean('active').notNull().default(true),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    updatedBy: uuid('updated_by').references(() => users.id),
  },
  (t) => [check('renewal_rules_lead_days', sql`${t.leadDays} BETWEEN 1 AND 365`)],
);

/**
 * 续约: one row per source and season (source, source_id, due_on — unique, so a second run or instance finds it
 * there), made in the transaction that makes its opportunity. `status` raised or skipped (the customer lost or
 * merged when the season came); won / lost are its opportunity's.
 */
export const renewals = pgTable(
  'renewals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    source: text('source', { enum: RENEWAL_SOURCES }).notNull(),
    sourceId: uuid('source_id').notNull(),
    dueOn: date('due_on').notNull(),
    cycle: text('cycle', { enum: RECURRING_CYCLES }).notNull(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    businessLineId: uuid('business_line_id')
      .notNull()
      .references(() => businessLines.id),
    previousContractId: uuid('previous_contract_id').references(() => contracts.id),
    previousOrderId: uuid('previous_order_id').references(() => orders.id),
    previousAmount: numeric('previous_amount', { precision: 14, scale: 2 }),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id),
    departmentId: uuid('department_id').references(() => departments.id),
    status: text('status', { enum: ['raised', 'skipped'] }).notNull(),
    skipReason: text('skip_reason', { enum: RENEWAL_SKIP_REASONS }),
    opportunityId: uuid('opportunity_id').references(() => opportunities.id),
    quoteId: uuid('quote_id').references(() => quotes.id),
    letterContractId: uuid('letter_contract_id').references(() => contracts.id),
    lessonFlaggedAt: timestamp('lesson_flagged_at', { withTimezone: true }),
    raisedAt: timestamp('raised_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid('created_by'),
  },
  (t) => [
    uniqueIndex('renewals_season_key').on(t.source, t.sourceId, t.dueOn),
    uniqueIndex('renewals_opportunity_key').on(t.opportunityId),
    index('renewals_customer_idx').on(t.customerId, t.dueOn),
    index('renewals_owner_idx').on(t.ownerId, t.dueOn),
    index('renewals_due_idx').on(t.dueOn),
  ],
);
