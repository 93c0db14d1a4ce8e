import { sql } from 'drizzle-orm';
import { boolean, check, date, index, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { TIME_CATEGORIES, TIMESHEET_STATUSES } from '../../../common/schemas/timesheets';
import { auditedColumns } from '../../db/columns';
import { users } from '../staff/staff.tables';
import { workflowInstances } from '../workflows/workflows.tables';
import { engagements, engagementTasks } from './engagements.tables';

/**
 * 工时: a person's hours on one day, on an engagement (and one of its work orders) or by category (培训, 内部事务,
 * 请假, 其他). Written only through the week's grid, under the lock of the person's timesheet_weeks row.
 */
export const timeEntries = pgTable(
  'time_entries',
  {
    ...auditedColumns(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    workDate: date('work_date').notNull(),
    engagementId: uuid('engagement_id').references(() => engagements.id),
    taskId: uuid('task_id').references(() => engagementTasks.id, { onDelete: 'set null' }),
    category: text('category', { enum: TIME_CATEGORIES }).notNull(),
    hours: numeric('hours', { precision: 5, scale: 2 }).notNull(),
    billable: boolean('billable').notNull(),
    note: text('note'),
    updatedBy: uuid('updated_by').references(() => users.id),
  },
  (t) => [
    index('time_entries_user_date_idx').on(t.userId, t.workDate),
    // Budgets: an engagement's hours, per work order.
    index('time_entries_engagement_idx')
      .on(t.engagementId, t.taskId)
      .where(sql`${t.engagementId} IS NOT NULL`),
    check('time_entries_quarter_hours', sql`${t.hours} > 0 AND mod(${t.hours} * 4, 1) = 0`),
    check(
      'time_entries_category',
      sql`(${t.engagementId} IS NOT NULL) = (${t.category} = 'engagement')
        AND (${t.taskId} IS NULL OR ${t.engagementId} IS NOT NULL)
        AND (NOT ${t.billable} OR ${t.engagementId} IS NOT NULL)`,
    ),
  ],
);

/**
 * A person's week (named by its Monday): open, submitted for approval, approved, or returned. Submitted and approved
 * weeks are locked. Every writer of the week's entries first makes sure the row exists and locks it, so two saves of
 * the same week never interleave (the 24-hour rule holds).
 */
export const timesheetWeeks = pgTable(
  'timesheet_weeks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    weekStart: date('week_start').notNull(),
    status: text('status', { enum: TIMESHEET_STATUSES }).notNull().default('open'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decidedBy: uuid('decided_by').references(() => users.id),
    instanceId: uuid('instance_id').references(() => workflowInstances.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('timesheet_weeks_user_week_key').on(t.userId, t.weekStart),
    check('timesheet_weeks_monday', sql`extract(isodow from ${t.weekStart}) = 1`),
  ],
);
