import { boolean, date, index, integer, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';

/**
 * The lead-conversion summary 线索转化汇总 (lead-conversion.summary.ts), per lead (its key): its month of creation
 * (Asia/Shanghai), the columns its visibility and the report's groups and filters read, converted (status converted)
 * and won (its opportunity won now). Derived rows only: no foreign keys, rebuilt by key.
 */
export const reportLeadEntries = pgTable(
  'report_lead_entries',
  {
    leadId: uuid('lead_id').notNull(),
    month: date('month').notNull(),
    ownerId: uuid('owner_id'),
    queueDepartmentId: uuid('queue_department_id'),
    businessLineId: uuid('business_line_id'),
    regionId: uuid('region_id'),
    source: text('source'),
    campaignId: uuid('campaign_id'),
    converted: boolean('converted').notNull(),
    won: boolean('won').notNull(),
  },
  (t) => [index('report_lead_entries_lead_idx').on(t.leadId)],
);

/**
 * The entries counted per report grouping (`kind`: month, region, source, campaign, businessLine, and the group's
 * `value`) by month, assignee, queue and business line: a year by month is a few thousand rows. The assignee's branch
 * and department (visibility, filters) are read from users with them.
 */
export const reportLeadCounts = pgTable(
  'report_lead_counts',
  {
    kind: text('kind').notNull(),
    value: text('value'),
    month: date('month').notNull(),
    ownerId: uuid('owner_id'),
    queueDepartmentId: uuid('queue_department_id'),
    businessLineId: uuid('business_line_id'),
    created: integer('created').notNull(),
    converted: integer('converted').notNull(),
    won: integer('won').notNull(),
  },
  (t) => [
    unique('report_lead_counts_group')
      .on(t.kind, t.month, t.value, t.ownerId, t.queueDepartmentId, t.businessLineId)
      .nullsNotDistinct(),
  ],
);
