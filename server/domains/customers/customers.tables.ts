import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { EvaluationFactor } from '../../../common/schemas/customers';
import { businessLines } from '../staff/staff.tables';
import { auditedColumns } from '../../db/columns';
import { searchGramsColumn } from '../../lib/search';
import { branches, regions, users } from '../staff/staff.tables';

/**
 * Customers and prospects. `ownerId` null means the customer is in the public pool 公海.
 * `searchText` holds the name, its pinyin and initials and the credit code, lower-cased,
 * for the list search and the answer box. `lastContactAt` / `nextContactOn` are kept in
 * step with the contact log so lists and the answer box need no aggregate.
 */
export const customers = pgTable(
  'customers',
  {
    ...auditedColumns(),
    /** 法律保全: while set, no personal data of the customer's contacts may be erased (个人信息保护法 requests refused). */
    legalHoldAt: timestamp('legal_hold_at', { withTimezone: true }),
    legalHoldReason: text('legal_hold_reason'),
    legalHoldBy: uuid('legal_hold_by'),
    name: text('name').notNull(),
    creditCode: text('credit_code'),
    industry: text('industry'),
    size: text('size', { enum: ['micro', 'small', 'medium', 'large'] }),
    regionId: uuid('region_id').references(() => regions.id),
    branchId: uuid('branch_id').references(() => branches.id),
    address: text('address'),
    email: text('email'),
    phone: text('phone'),
    status: text('status', { enum: ['prospect', 'customer', 'former'] })
      .notNull()
      .default('prospect'),
    source: text('source'),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    ownerId: uuid('owner_id').references(() => users.id),
    searchText: text('search_text').notNull(),
    searchGrams: searchGramsColumn(),
    lastContactAt: timestamp('last_contact_at', { withTimezone: true }),
    nextContactOn: date('next_contact_on'),
    releasedAt: timestamp('released_at', { withTimezone: true }),
    valueScore: numeric('value_score', { precision: 5, scale: 2 }),
    valueTier: text('value_tier', { enum: ['A', 'B', 'C', 'D'] }),
  },
  (t) => [
    uniqueIndex('customers_credit_code_key')
      .on(t.creditCode)
      .where(sql`${t.creditCode} IS NOT NULL`),
    // A salesperson's customers, and among them those due for a call first (Today reads it in date order).
    index('customers_owner_next_contact_idx').on(t.ownerId, t.nextContactOn),
    index('customers_next_contact_idx').on(t.nextContactOn),
    index('customers_name_idx').on(t.name),
    // The list's default order (newest first, ties by id): the first page is read off the index, not sorted out of every row.
    index('customers_created_idx').on(t.createdAt.desc().nullsLast(), t.id),
    // Trigram index: "contains" searches (ILIKE '%…%') on 100k+ rows without a sequential scan.
    index('customers_search_trgm_idx').using('gin', sql`${t.searchText} gin_trgm_ops`),
    // One- and two-character Chinese words (华达): trigrams need three characters (server/lib/search.ts).
    index('customers_search_grams_idx').using('gin', t.searchGrams),
  ],
);

/** Colleagues a customer is shared with: they see it as if it were theirs. */
export const customerShares = pgTable(
  'customer_shares',
  {
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid('created_by'),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.userId] }), index('customer_shares_user_idx').on(t.userId)],
);

/** Every change of owner, never rewritten: claims from and releases to the pool, assignments. */
export const customerOwnerChanges = pgTable(
  'customer_owner_changes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    fromUserId: uuid('from_user_id').references(() => users.id),
    toUserId: uuid('to_user_id').references(() => users.id),
    kind: text('kind', { enum: ['create', 'claim', 'release', 'assign', 'auto-release'] }).notNull(),
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    byUserId: uuid('by_user_id'),
  },
  (t) => [index('customer_owner_changes_customer_idx').on(t.customerId, t.at)],
);

export const contacts = pgTable(
  'contacts',
  {
    ...auditedColumns(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    title: text('title'),
    department: text('department'),
    phones: text('phones')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    emails: text('emails')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    wechat: text('wechat'),
    isPrimary: boolean('is_primary').notNull().default(false),
    notes: text('notes'),
    /** Personal data erased on request (个人信息保护法): the row stays, anonymised, so history and figures stay right. */
    erasedAt: timestamp('erased_at', { withTimezone: true }),
    erasedBy: uuid('erased_by'),
    searchText: text('search_text').notNull(),
    searchGrams: searchGramsColumn(),
  },
  (t) => [
    index('contacts_customer_idx').on(t.customerId),
    // The contacts list's default order (name, then id, as orderFrom writes it): a page without reading them all.
    index('contacts_name_idx').on(t.name, t.id),
    index('contacts_search_trgm_idx').using('gin', sql`${t.searchText} gin_trgm_ops`),
    // One- and two-character Chinese words (华达): trigrams need three characters (server/lib/search.ts).
    index('contacts_search_grams_idx').using('gin', t.searchGrams),
  ],
);

/** 联系记录: every contact with a customer, who initiated it, and when to follow up. */
export const contactLogs = pgTable(
  'contact_logs',
  {
    ...auditedColumns(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    direction: text('direction', { enum: ['inbound', 'outbound'] }).notNull(),
    channel: text('channel', { enum: ['phone', 'visit', 'email', 'wechat', 'meeting'] }).notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    summary: text('summary').notNull(),
    nextContactOn: date('next_contact_on'),
  },
  (t) => [index('contact_logs_customer_idx').on(t.customerId, t.occurredAt)],
);

/**
 * Recurring services a customer takes (annual audit due each March, monthly bookkeeping …).
 * `nextDueOn` is the next occurrence; completing it moves it one cycle on, so "who is due
 * for their audit soon" is one indexed filter.
 */
export const customerServices = pgTable(
  'customer_services',
  {
    ...auditedColumns(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    businessLineId: uuid('business_line_id')
      .notNull()
      .references(() => businessLines.id),
    cycle: text('cycle', { enum: ['monthly', 'quarterly', 'annual'] }).notNull(),
    nextDueOn: date('next_due_on').notNull(),
    active: boolean('active').notNull().default(true),
    notes: text('notes'),
  },
  (t) => [
    index('customer_services_customer_idx').on(t.customerId),
    index('customer_services_due_idx').on(t.businessLineId, t.nextDueOn),
  ],
);

/** Versions of the customer value evaluation sheet 客户价值评估表; the newest is in force, old ones stay for history. */
export const evaluationSheets = pgTable('evaluation_sheets', {
  id: uuid('id').primaryKey().defaultRandom(),
  version: integer('version').notNull().unique(),
  factors: jsonb('factors').$type<EvaluationFactor[]>().notNull(),
  tiers: jsonb('tiers').$type<{ A: number; B: number; C: number }>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  createdBy: uuid('created_by'),
});

/** Every evaluation of a customer, against the sheet version it used; the customer carries the latest. */
export const customerEvaluations = pgTable(
  'customer_evaluations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    sheetId: uuid('sheet_id')
      .notNull()
      .references(() => evaluationSheets.id),
    answers: jsonb('answers').$type<Record<string, number>>().notNull(),
    score: numeric('score', { precision: 5, scale: 2 }).notNull(),
    tier: text('tier', { enum: ['A', 'B', 'C', 'D'] }).notNull(),
    notes: text('notes'),
    evaluatedBy: uuid('evaluated_by')
      .notNull()
      .references(() => users.id),
    evaluatedAt: timestamp('evaluated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('customer_evaluations_customer_idx').on(t.customerId, t.evaluatedAt)],
);

/** Settings of the customers module, one row per key (e.g. `poolReturnDays`). */
export const customerSettings = pgTable('customer_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').$type<unknown>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
});
