import { z } from 'zod';
import { DateOnly, Id, Timestamp, listQuery, optionalText } from './common';
import { ENGAGEMENT_STATUSES, Hours } from './engagements';
import { INSTANCE_STATUSES } from './workflows';

/**
 * Time entries 工时 and the weekly timesheet (server/domains/engagements/timesheets.service.ts): a person's hours
 * per day on an engagement (and one of its work orders) or, by category, on training, internal work or leave; the
 * week submitted for approval (workflow kind `timesheet`) and locked once submitted or approved; and an engagement's
 * budget — planned hours against the hours logged. Hours are exact decimal strings in quarter hours ("6.5").
 */

/** Time on an engagement, or not: 培训, 内部事务, 请假, 其他. */
export const TIME_CATEGORIES = ['engagement', 'training', 'internal', 'leave', 'other'] as const;
export type TimeCategory = (typeof TIME_CATEGORIES)[number];

/** open → submitted → approved (locked), or returned (editable again) → submitted … */
export const TIMESHEET_STATUSES = ['open', 'submitted', 'approved', 'returned'] as const;
export type TimesheetStatus = (typeof TIMESHEET_STATUSES)[number];
/** Weeks nobody may change: waiting for a decision, or approved. */
export const LOCKED_TIMESHEET_STATUSES: readonly TimesheetStatus[] = ['submitted', 'approved'];

/** How many days ahead of today time may be logged (leave planned for next week). */
export const DAYS_AHEAD = 7;
/** A person's hours in one day, at most. */
export const MAX_DAY_HOURS = '24';

/** Is the date (YYYY-MM-DD) a Monday? */
export function isMonday(date: string): boolean {
  return new Date(`${date}T00:00:00Z`).getUTCDay() === 1;
}

/** A week is named by its Monday. */
export const WeekStart = DateOnly.refine(isMonday, { message: 'validation.weekStart' });
export const TimesheetParams = z.strictObject({ weekStart: WeekStart });
/** Someone else's week (a manager reading their department's people; partners and finance anyone's). */
export const TimesheetQuery = z.strictObject({ userId: Id.optional() });

/**
 * One row of the grid: an engagement (and optionally one of its work orders) or a category, with the hours of each
 * day (days left out or "0" have none). Billable by default for engagement time, never otherwise.
 */
export const TimesheetRowInput = z
  .strictObject({
    engagementId: Id.nullable().optional(),
    taskId: Id.nullable().optional(),
    category: z.enum(TIME_CATEGORIES),
    billable: z.boolean().optional(),
    note: optionalText(200),
    hours: z.record(DateOnly, Hours),
  })
  .superRefine((row, ctx) => {
    const onEngagement = Boolean(row.engagementId);
    if (onEngagement !== (row.category === 'engagement'))
      ctx.addIssue({ code: 'custom', path: ['category'], message: 'validation.timeCategory' });
    if (row.taskId && !onEngagement)
      ctx.addIssue({ code: 'custom', path: ['taskId'], message: 'validation.timeTaskWithoutEngagement' });
    if (row.billable && !onEngagement)
      ctx.addIssue({ code: 'custom', path: ['billable'], message: 'validation.timeBillable' });
  });
export type TimesheetRowInput = z.input<typeof TimesheetRowInput>;

/** The whole week of the signed-in person at once: it replaces their entries of that week. */
export const TimesheetInput = z.strictObject({ rows: z.array(TimesheetRowInput).max(60) });
export type TimesheetInput = z.input<typeof TimesheetInput>;

export const TimesheetRow = z.object({
  engagementId: Id.nullable(),
  engagementTitle: z.string().nullable(),
  customerName: z.string().nullable(),
  engagementStatus: z.enum(ENGAGEMENT_STATUSES).nullable(),
  taskId: Id.nullable(),
  taskTitle: z.string().nullable(),
  category: z.enum(TIME_CATEGORIES),
  billable: z.boolean(),
  note: z.string().nullable(),
  /** Date → hours, the days with hours only. */
  hours: z.record(z.string(), z.string()),
  total: z.string(),
});
export type TimesheetRow = z.infer<typeof TimesheetRow>;

/** An engagement the person may log time on (open, they lead it or are on its team) and their work orders on it. */
export const TimesheetEngagement = z.object({
  id: Id,
  title: z.string(),
  customerName: z.string(),
  tasks: z.array(z.object({ id: Id, title: z.string(), phaseName: z.string() })),
});
export type TimesheetEngagement = z.infer<typeof TimesheetEngagement>;

export const TimesheetWeek = z.object({
  /** The week's record (null until something was saved or submitted): its approvals' subject. */
  id: Id.nullable(),
  userId: Id,
  userName: z.string(),
  weekStart: z.string(),
  /** Monday to Sunday. */
  days: z.array(z.string()),
  status: z.enum(TIMESHEET_STATUSES),
  submittedAt: Timestamp.nullable(),
  decidedAt: Timestamp.nullable(),
  decidedByName: z.string().nullable(),
  /** The week's latest approval (open it with GET /api/v1/workflow-instances/:id). */
  approval: z.object({ instanceId: Id, status: z.enum(INSTANCE_STATUSES) }).nullable(),
  /** Why it was returned or rejected, when it was. */
  comment: z.string().nullable(),
  rows: z.array(TimesheetRow),
  /** Per day, in the order of `days`. */
  dayTotals: z.array(z.string()),
  total: z.string(),
  billableTotal: z.string(),
  /** The reader's own week, and not locked. */
  mayEdit: z.boolean(),
  /** The reader's own week, open or returned, with hours. */
  maySubmit: z.boolean(),
  engagements: z.array(TimesheetEngagement),
  /** The last day time may be logged on now (today + 7 days). */
  lastDay: z.string(),
});
export type TimesheetWeek = z.infer<typeof TimesheetWeek>;

// ——— Time entries (exports and reports) ———

export const TimeEntryListQuery = listQuery(['workDate', 'createdAt', 'hours'] as const, {
  userId: Id.optional(),
  engagementId: Id.optional(),
  category: z.enum(TIME_CATEGORIES).optional(),
  from: DateOnly.optional(),
  to: DateOnly.optional(),
});
export type TimeEntryListQuery = z.infer<typeof TimeEntryListQuery>;

export const TimeEntry = z.object({
  id: Id,
  userId: Id,
  userName: z.string(),
  workDate: z.string(),
  engagementId: Id.nullable(),
  engagementTitle: z.string().nullable(),
  taskId: Id.nullable(),
  taskTitle: z.string().nullable(),
  category: z.enum(TIME_CATEGORIES),
  hours: z.string(),
  billable: z.boolean(),
  note: z.string().nullable(),
  /** The status of the entry's week. */
  weekStatus: z.enum(TIMESHEET_STATUSES),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type TimeEntry = z.infer<typeof TimeEntry>;

// ——— Budget 预算工时 ———

/** From 80 % of the planned hours, and from 100 %. */
export const BUDGET_WARNINGS = ['none', 'over-80', 'over-100'] as const;
export type BudgetWarning = (typeof BUDGET_WARNINGS)[number];

export const PhaseBudget = z.object({
  phaseId: Id,
  name: z.string(),
  plannedHours: z.string().nullable(),
  actualHours: z.string(),
  percent: z.int().nullable(),
  warning: z.enum(BUDGET_WARNINGS),
});

export const EngagementBudget = z.object({
  /** The engagement's planned hours (null: none planned). */
  plannedHours: z.string().nullable(),
  /** Every hour logged on it, in any week's state. */
  actualHours: z.string(),
  billableHours: z.string(),
  /** Actual in per cent of planned, rounded down (null without a plan). */
  percent: z.int().nullable(),
  warning: z.enum(BUDGET_WARNINGS),
  phases: z.array(PhaseBudget),
  /** Hours logged on the engagement without a work order (so on no phase). */
  unphasedHours: z.string(),
});
export type EngagementBudget = z.infer<typeof EngagementBudget>;
