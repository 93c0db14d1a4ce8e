import { sql } from 'drizzle-orm';
import { date, index, numeric, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { CAMPAIGN_STATUSES, CAMPAIGN_TYPES } from '../../../common/schemas/campaigns';
import { auditedColumns } from '../../db/columns';
import { searchGramsColumn } from '../../lib/search';
import { businessLines, departments, users } from '../staff/staff.tables';

/** 市场活动: a seminar, mailing, referral programme … that brings in leads (and, later, revenue). */
export const campaigns = pgTable(
  'campaigns',
  {
    ...auditedColumns(),
    name: text('name').notNull(),
    type: text('type', { enum: CAMPAIGN_TYPES }).notNull(),
    status: text('status', { enum: CAMPAIGN_STATUSES }).notNull().default('planned'),
    startsOn: date('starts_on'),
    endsOn: date('ends_on'),
    /** CNY, exact. */
    budget: numeric('budget', { precision: 14, scale: 2 }),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id),
    departmentId: uuid('department_id').references(() => departments.id),
    description: text('description'),
    searchText: text('search_text').notNull().default(''),
    searchGrams: searchGramsColumn(),
  },
  (t) => [
    index('campaigns_starts_idx').on(t.startsOn),
    index('campaigns_search_trgm_idx').using('gin', sql`${t.searchText} gin_trgm_ops`),
    // One- and two-character Chinese words (华达): trigrams need three characters (server/lib/search.ts).
    index('campaigns_search_grams_idx').using('gin', t.searchGrams),
  ],
);

export const campaignBusinessLines = pgTable(
  'campaign_business_lines',
  {
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    businessLineId: uuid('business_line_id')
      .notNull()
      .references(() => businessLines.id),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.businessLineId] })],
);
