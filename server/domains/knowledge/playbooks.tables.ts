import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { LEAD_STATUSES } from '../../../common/schemas/leads';
import { PLAYBOOK_KINDS, type PlaybookActivity } from '../../../common/schemas/playbooks';
import { auditedColumns } from '../../db/columns';
import { activities } from '../activities/activities.tables';
import { leads } from '../leads/leads.tables';
import { opportunities, pipelineStages } from '../opportunities/opportunities.tables';
import { businessLines, users } from '../staff/staff.tables';

/**
 * Guided selling 销售指引: a playbook per business line × opportunity stage, or per business line (null: every
 * line) × lead status — what to do (activities scheduled on entry), what to check, what to send and read.
 */
export const playbooks = pgTable(
  'playbooks',
  {
    ...auditedColumns(),
    kind: text('kind', { enum: PLAYBOOK_KINDS }).notNull(),
    businessLineId: uuid('business_line_id').references(() => businessLines.id),
    stageId: uuid('stage_id').references(() => pipelineStages.id),
    leadStatus: text('lead_status', { enum: LEAD_STATUSES }),
    activities: jsonb('activities').$type<PlaybookActivity[]>().notNull().default([]),
    checklist: jsonb('checklist').$type<{ id: string; text: string }[]>().notNull().default([]),
    /** knowledge_articles of kind template. */
    templateIds: uuid('template_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    articleIds: uuid('article_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    active: boolean('active').notNull().default(true),
    updatedBy: uuid('updated_by').references(() => users.id),
  },
  (t) => [
    // One playbook per line × stage, per line (or every line) × lead status.
    unique('playbooks_key').on(t.kind, t.businessLineId, t.stageId, t.leadStatus).nullsNotDistinct(),
    index('playbooks_stage_idx').on(t.stageId),
  ],
);

/** A ticked checklist item of a playbook on an opportunity or a lead: by whom, when (unticking deletes it). */
export const playbookTicks = pgTable(
  'playbook_ticks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    playbookId: uuid('playbook_id')
      .notNull()
      .references(() => playbooks.id, { onDelete: 'cascade' }),
    itemId: text('item_id').notNull(),
    opportunityId: uuid('opportunity_id').references(() => opportunities.id, { onDelete: 'cascade' }),
    leadId: uuid('lead_id').references(() => leads.id, { onDelete: 'cascade' }),
    tickedBy: uuid('ticked_by')
      .notNull()
      .references(() => users.id),
    tickedAt: timestamp('ticked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('playbook_ticks_key').on(t.playbookId, t.itemId, t.opportunityId, t.leadId).nullsNotDistinct(),
    index('playbook_ticks_opportunity_idx').on(t.opportunityId),
    index('playbook_ticks_lead_idx').on(t.leadId),
  ],
);

/**
 * Which playbook activity was scheduled for which entry into a stage (an opportunity_stage_changes row) or a
 * lead status (a lead_status_changes row): entering again later schedules again; the same entry never twice.
 */
export const playbookSchedules = pgTable(
  'playbook_schedules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    playbookId: uuid('playbook_id')
      .notNull()
      .references(() => playbooks.id, { onDelete: 'cascade' }),
    /** The stage change or status change entry. */
    entryId: uuid('entry_id').notNull(),
    /** The position of the activity in the playbook when it was scheduled. */
    activityIndex: integer('activity_index').notNull(),
    opportunityId: uuid('opportunity_id').references(() => opportunities.id, { onDelete: 'cascade' }),
    leadId: uuid('lead_id').references(() => leads.id, { onDelete: 'cascade' }),
    activityId: uuid('activity_id').references(() => activities.id, { onDelete: 'set null' }),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('playbook_schedules_key').on(t.entryId, t.playbookId, t.activityIndex),
    index('playbook_schedules_opportunity_idx').on(t.opportunityId, t.scheduledAt),
    index('playbook_schedules_lead_idx').on(t.leadId, t.scheduledAt),
  ],
);
