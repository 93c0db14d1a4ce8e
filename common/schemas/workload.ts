import { z } from 'zod';
import { DateOnly, Id } from './common';

/**
 * Workload 工作负荷 (server/domains/engagements/workload.service.ts): per person and per week (named by its Monday),
 * the hours logged (every time entry, billable or not, leave included), the billable part, and the planned hours of
 * their open work orders 工单 due that week, against the person's weekly capacity. Hours are exact decimal strings.
 */

/**
 * A person's weekly capacity in hours, the default for everyone until people records 人员档案 carry their own
 * (issue 14, item 6).
 */
export const DEFAULT_WEEKLY_CAPACITY = '40';

/** Under 50 % of the capacity logged: under; over 100 %: over; ok in between (both bounds included). */
export const WORKLOAD_STATES = ['under', 'ok', 'over'] as const;
export type WorkloadState = (typeof WORKLOAD_STATES)[number];
export const UNDER_PERCENT = 50;

/** How many weeks one request may cover, at most (a quarter). */
export const MAX_WORKLOAD_WEEKS = 13;

export const WorkloadQuery = z.strictObject({
  /** Any day of the first week (its Monday is used); default: the weeks ending with the current one. */
  from: DateOnly.optional(),
  weeks: z.coerce.number().int().min(1).max(MAX_WORKLOAD_WEEKS).default(4),
  /** Only the people of this department and those below it. */
  departmentId: Id.optional(),
});
export type WorkloadQuery = z.infer<typeof WorkloadQuery>;

export const WorkloadWeek = z.object({
  weekStart: z.string(),
  hours: z.string(),
  billable: z.string(),
  /** Planned hours of the person's open work orders due in the week, on engagements in progress. */
  planned: z.string(),
  /** Logged hours in per cent of the capacity, rounded down. */
  percent: z.int(),
  state: z.enum(WORKLOAD_STATES),
});
export type WorkloadWeek = z.infer<typeof WorkloadWeek>;

export const WorkloadPerson = z.object({
  userId: Id,
  name: z.string(),
  departmentName: z.string().nullable(),
  /** Hours a week. */
  capacity: z.string(),
  /** In the order of the answer's `weeks`. */
  weeks: z.array(WorkloadWeek),
  /** Hours logged over all the weeks. */
  total: z.string(),
  billable: z.string(),
  planned: z.string(),
});
export type WorkloadPerson = z.infer<typeof WorkloadPerson>;

export const WorkloadTotal = z.object({
  weekStart: z.string(),
  hours: z.string(),
  billable: z.string(),
  planned: z.string(),
  /** The people's capacities added up. */
  capacity: z.string(),
});
export type WorkloadTotal = z.infer<typeof WorkloadTotal>;

export const Workload = z.object({
  /** The Mondays, first to last. */
  weeks: z.array(z.string()),
  /** Most hours first. */
  people: z.array(WorkloadPerson),
  /** Per week, in the order of `weeks`. */
  totals: z.array(WorkloadTotal),
  total: z.object({ hours: z.string(), billable: z.string(), planned: z.string(), capacity: z.string() }),
});
export type Workload = z.infer<typeof Workload>;
