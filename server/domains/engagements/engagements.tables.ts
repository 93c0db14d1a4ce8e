import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
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
import {
  ENGAGEMENT_CYCLES,
  ENGAGEMENT_ROLES,
  ENGAGEMENT_STATUSES,
  PHASE_KINDS,
  QUALIFICATIONS,
  TASK_STATUSES,
  type TemplatePhase,
} from '../../../common/schemas/engagements';
import { auditedColumns } from '../../db/columns';
import { contracts, orderLines, orders } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { files } from '../files/files.tables';
import { numberSeries } from '../numbering/numbering.tables';
import { businessLines, departments, users } from '../staff/staff.tables';

const money = (name: string) => numeric(name, { precision: 14, scale: 2 });
const hours = (name: string) => numeric(name, { precision: 8, scale: 2 });

/**
 * 业务模板 per business line: ordered phases with their default tasks, durations, roles and qualification, kept as
 * one JSON document (edited and replaced as a whole; an engagement copies it into rows when it is made).
 */
export const engagementTemplates = pgTable(
  'engagement_templates',
  {
    ...auditedColumns(),
    businessLineId: uuid('business_line_id')
      .notNull()
      .references(() => businessLines.id),
    name: text('name').notNull(),
    cycle: text('cycle', { enum: ENGAGEMENT_CYCLES }).notNull().default('once'),
    active: boolean('active').notNull().default(true),
    note: text('note'),
    phases: jsonb('phases').$type<TemplatePhase[]>().notNull(),
    updatedBy: uuid('updated_by').references(() => users.id),
  },
  (t) => [uniqueIndex('engagement_templates_name_key').on(t.businessLineId, t.name)],
);

/** 业务项目: the work of one or more lines of a confirmed order. */
export const engagements = pgTable(
  'engagements',
  {
    ...auditedColumns(),
    title: text('title').notNull(),
    status: text('status', { enum: ENGAGEMENT_STATUSES }).notNull().default('in-progress'),
    statusReason: text('status_reason'),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    contractId: uuid('contract_id').references(() => contracts.id),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    businessLineId: uuid('business_line_id')
      .notNull()
      .references(() => businessLines.id),
    templateId: uuid('template_id').references(() => engagementTemplates.id),
    cycle: text('cycle', { enum: ENGAGEMENT_CYCLES }).notNull().default('once'),
    amount: money('amount').notNull(),
    /** The project lead 项目负责人; the engagement belongs to the lead's department (visibility by department). */
    leadId: uuid('lead_id')
      .notNull()
      .references(() => users.id),
    departmentId: uuid('department_id')
      .notNull()
      .references(() => departments.id),
    /** The order's owner: the sales side sees the engagement (with the contract's team). */
    salesOwnerId: uuid('sales_owner_id')
      .notNull()
      .references(() => users.id),
    startsOn: date('starts_on'),
    dueOn: date('due_on'),
    closedOn: date('closed_on'),
    /** The budget: planned hours (default: the tasks' planned hours). */
    plannedHours: hours('planned_hours'),
    /** 报告文号, from the business line's `report` series when the report is issued. */
    reportSeriesId: uuid('report_series_id').references(() => numberSeries.id),
    reportNumber: text('report_number'),
    reportIssuedOn: date('report_issued_on'),
    updatedBy: uuid('updated_by').references(() => users.id),
  },
  (t) => [
    uniqueIndex('engagements_report_number_key').on(t.reportNumber),
    index('engagements_created_idx').on(t.createdAt.desc().nullsLast(), t.id),
    index('engagements_status_idx').on(t.status, t.createdAt.desc().nullsLast(), t.id),
    index('engagements_order_idx').on(t.orderId),
    index('engagements_customer_idx').on(t.customerId),
    index('engagements_lead_idx').on(t.leadId),
    index('engagements_department_idx').on(t.departmentId),
    index('engagements_sales_owner_idx').on(t.salesOwnerId),
    index('engagements_contract_idx').on(t.contractId),
  ],
);

/** The order lines an engagement does: each line in at most one engagement. */
export const engagementLines = pgTable(
  'engagement_lines',
  {
    engagementId: uuid('engagement_id')
      .notNull()
      .references(() => engagements.id, { onDelete: 'cascade' }),
    orderLineId: uuid('order_line_id')
      .notNull()
      .references(() => orderLines.id),
  },
  (t) => [
    primaryKey({ columns: [t.engagementId, t.orderLineId] }),
    uniqueIndex('engagement_lines_line_key').on(t.orderLineId),
  ],
);

/** The team: a person with one or more roles (项目经理, 签字注册会计师, 助理 …). */
export const engagementMembers = pgTable(
  'engagement_members',
  {
    engagementId: uuid('engagement_id')
      .notNull()
      .references(() => engagements.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    roles: text('roles', { enum: ENGAGEMENT_ROLES }).array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.engagementId, t.userId] }), index('engagement_members_user_idx').on(t.userId)],
);

/** The engagement's phases, copied from its template; a phase's status is its tasks'. */
export const engagementPhases = pgTable(
  'engagement_phases',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    engagementId: uuid('engagement_id')
      .notNull()
      .references(() => engagements.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: PHASE_KINDS }).notNull().default('work'),
    roles: text('roles', { enum: ENGAGEMENT_ROLES })
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    qualification: text('qualification', { enum: QUALIFICATIONS }),
    startsOn: date('starts_on'),
    dueOn: date('due_on'),
    plannedHours: hours('planned_hours'),
  },
  (t) => [uniqueIndex('engagement_phases_position_key').on(t.engagementId, t.position)],
);

/** 工单: a task of a phase, assigned to a person. */
export const engagementTasks = pgTable(
  'engagement_tasks',
  {
    ...auditedColumns(),
    engagementId: uuid('engagement_id')
      .notNull()
      .references(() => engagements.id, { onDelete: 'cascade' }),
    phaseId: uuid('phase_id')
      .notNull()
      .references(() => engagementPhases.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    title: text('title').notNull(),
    role: text('role', { enum: ENGAGEMENT_ROLES }),
    assigneeId: uuid('assignee_id').references(() => users.id),
    startsOn: date('starts_on'),
    dueOn: date('due_on'),
    plannedHours: hours('planned_hours'),
    status: text('status', { enum: TASK_STATUSES }).notNull().default('todo'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    doneAt: timestamp('done_at', { withTimezone: true }),
    updatedBy: uuid('updated_by').references(() => users.id),
  },
  (t) => [
    index('engagement_tasks_phase_idx').on(t.phaseId, t.position),
    index('engagement_tasks_engagement_idx').on(t.engagementId),
    // 我的工单 and Today: my open tasks, earliest due first.
    index('engagement_tasks_assignee_idx')
      .on(t.assigneeId, t.dueOn, t.id)
      .where(sql`${t.status} <> 'done'`),
  ],
);

/** A comment on a work order, or a working paper 底稿 attached to it. */
export const engagementTaskNotes = pgTable(
  'engagement_task_notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    taskId: uuid('task_id')
      .notNull()
      .references(() => engagementTasks.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id),
    body: text('body'),
    fileId: uuid('file_id').references(() => files.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('engagement_task_notes_something', sql`num_nonnulls(${t.body}, ${t.fileId}) >= 1`),
    index('engagement_task_notes_task_idx').on(t.taskId, t.createdAt),
  ],
);
