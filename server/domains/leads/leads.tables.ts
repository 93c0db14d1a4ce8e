import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { ASSIGNMENT_STRATEGIES, LEAD_STATUSES } from '../../../common/schemas/leads';
import { auditedColumns } from '../../db/columns';
import { searchGramsColumn } from '../../lib/search';
import { campaigns } from '../campaigns/campaigns.tables';
import { contacts, customers } from '../customers/customers.tables';
import { businessLines, departments, regions, users } from '../staff/staff.tables';

/**
 * 销售线索. `ownerId` null means the lead waits in a manager's queue (`queueDepartmentId`,
 * or the firm-wide queue when that is null too). After conversion it points at what it became.
 */
export const leads = pgTable(
  'leads',
  {
    ...auditedColumns(),
    companyName: text('company_name').notNull(),
    contactName: text('contact_name'),
    contactTitle: text('contact_title'),
    phone: text('phone'),
    email: text('email'),
    wechat: text('wechat'),
    campaignId: uuid('campaign_id').references(() => campaigns.id),
    businessLineId: uuid('business_line_id').references(() => businessLines.id),
    regionId: uuid('region_id').references(() => regions.id),
    source: text('source'),
    status: text('status', { enum: LEAD_STATUSES }).notNull().default('new'),
    disqualifyReason: text('disqualify_reason'),
    notes: text('notes'),
    ownerId: uuid('owner_id').references(() => users.id),
    queueDepartmentId: uuid('queue_department_id').references(() => departments.id),
    assignedAt: timestamp('assigned_at', { withTimezone: true }),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    // The opportunity this lead became. Its foreign key (→ opportunities.id, ON DELETE SET NULL) is in the
    // database since migration 0010 but not declared here: opportunities.tables imports this module for
    // opportunities.lead_id, and the table modules must not import each other in a cycle.
    opportunityId: uuid('opportunity_id'),
    convertedAt: timestamp('converted_at', { withTimezone: true }),
    searchText: text('search_text').notNull(),
    searchGrams: searchGramsColumn(),
  },
  (t) => [
    index('leads_owner_status_idx').on(t.ownerId, t.status),
    index('leads_queue_idx')
      .on(t.queueDepartmentId)
      .where(sql`${t.ownerId} IS NULL`),
    index('leads_campaign_idx').on(t.campaignId),
    // The lead-conversion summary's trigger finds an opportunity's lead by it (migrations, custom block).
    index('leads_opportunity_idx')
      .on(t.opportunityId)
      .where(sql`${t.opportunityId} IS NOT NULL`),
    // The list's default order (newest first, as orderFrom writes it), alone and within a status filter.
    index('leads_created_idx').on(t.createdAt.desc().nullsLast(), t.id),
    index('leads_status_created_idx').on(t.status, t.createdAt.desc().nullsLast(), t.id),
    index('leads_search_trgm_idx').using('gin', sql`${t.searchText} gin_trgm_ops`),
    // One- and two-character Chinese words (华达): trigrams need three characters (server/lib/search.ts).
    index('leads_search_grams_idx').using('gin', t.searchGrams),
  ],
);

/** Every change of a lead's status, never rewritten. */
export const leadStatusChanges = pgTable(
  'lead_status_changes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id, { onDelete: 'cascade' }),
    fromStatus: text('from_status', { enum: LEAD_STATUSES }),
    toStatus: text('to_status', { enum: LEAD_STATUSES }).notNull(),
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    byUserId: uuid('by_user_id').references(() => users.id),
  },
  (t) => [index('lead_status_changes_lead_idx').on(t.leadId, t.at)],
);

/** Every assignment of a lead: by which rule (automatic) or by whom (manual), to whom or to which queue. */
export const leadAssignments = pgTable(
  'lead_assignments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id, { onDelete: 'cascade' }),
    fromUserId: uuid('from_user_id').references(() => users.id),
    toUserId: uuid('to_user_id').references(() => users.id),
    queueDepartmentId: uuid('queue_department_id').references(() => departments.id),
    ruleId: uuid('rule_id').references(() => assignmentRules.id, { onDelete: 'set null' }),
    /** The rule's name at the time (rules are renamed and deleted; history is not). */
    ruleName: text('rule_name'),
    strategy: text('strategy', { enum: ASSIGNMENT_STRATEGIES }),
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    byUserId: uuid('by_user_id').references(() => users.id),
  },
  (t) => [index('lead_assignments_lead_idx').on(t.leadId, t.at)],
);

/**
 * Lead assignment rules: the first active rule (by position) whose business line, region and
 * source match (null = any) picks one of its members by its strategy. No match, or no
 * eligible member → the lead goes to `queueDepartmentId`'s queue (a manager's).
 */
export const assignmentRules = pgTable('assignment_rules', {
  ...auditedColumns(),
  name: text('name').notNull(),
  position: integer('position').notNull().default(0),
  businessLineId: uuid('business_line_id').references(() => businessLines.id),
  regionId: uuid('region_id').references(() => regions.id),
  source: text('source'),
  strategy: text('strategy', { enum: ASSIGNMENT_STRATEGIES }).notNull(),
  queueDepartmentId: uuid('queue_department_id').references(() => departments.id),
  active: boolean('active').notNull().default(true),
  /** Round-robin: the member position that received the last lead. */
  cursor: integer('cursor').notNull().default(-1),
});

export const assignmentRuleMembers = pgTable(
  'assignment_rule_members',
  {
    ruleId: uuid('rule_id')
      .notNull()
      .references(() => assignmentRules.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.ruleId, t.userId] })],
);
