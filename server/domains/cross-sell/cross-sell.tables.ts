import { date, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { DISMISS_REASONS } from '../../../common/cross-sell';
import { CROSS_SELL_STATUSES, PEER_LEVELS } from '../../../common/schemas/cross-sell';
import { customers } from '../customers/customers.tables';
import { opportunities } from '../opportunities/opportunities.tables';
import { businessLines, users } from '../staff/staff.tables';

/**
 * 交叉销售建议: one row per customer and suggested service (unique), kept by the computation job: open ones refreshed
 * or removed, excluded ones with the conflicting line, accepted (their opportunity) and dismissed (why; `later` until
 * dismissed_until) never overwritten — so a dismissal is not repeated.
 */
export const crossSellSuggestions = pgTable(
  'cross_sell_suggestions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    businessLineId: uuid('business_line_id')
      .notNull()
      .references(() => businessLines.id),
    status: text('status', { enum: CROSS_SELL_STATUSES }).notNull().default('open'),
    /** buying ÷ similar, 0–1. */
    score: numeric('score', { precision: 6, scale: 5 }).notNull(),
    level: text('level', { enum: PEER_LEVELS }).notNull(),
    baseLineId: uuid('base_line_id').references(() => businessLines.id),
    similarCount: integer('similar_count').notNull(),
    buyingCount: integer('buying_count').notNull(),
    /** The customer's segment as compared: industry, size, region id. */
    segment: jsonb('segment')
      .$type<{ industry: string | null; size: string | null; regionId: string | null }>()
      .notNull(),
    /** Excluded: the line the customer buys that conflicts with this one. */
    excludedByLineId: uuid('excluded_by_line_id').references(() => businessLines.id),
    /** The customer's owner when computed (Today and "mine" read it). */
    ownerId: uuid('owner_id').references(() => users.id),
    opportunityId: uuid('opportunity_id').references(() => opportunities.id),
    dismissReason: text('dismiss_reason', { enum: DISMISS_REASONS }),
    dismissNote: text('dismiss_note'),
    dismissedUntil: date('dismissed_until'),
    resolvedBy: uuid('resolved_by').references(() => users.id),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('cross_sell_customer_line_key').on(t.customerId, t.businessLineId),
    uniqueIndex('cross_sell_opportunity_key').on(t.opportunityId),
    index('cross_sell_owner_idx').on(t.ownerId, t.status, t.score.desc()),
    index('cross_sell_status_idx').on(t.status, t.score.desc()),
  ],
);
