import { z } from 'zod';
import { DateOnly, Id, Money, Timestamp, listQuery, optionalText } from './common';

/**
 * 续约 (issue 19): recurring services raise a renewal opportunity a lead time before their season, once per cycle.
 * The one contract of server/domains/renewals and the web app's renewals view.
 */

/** How often a service recurs; a contract or order marked recurring carries one (null: not recurring). */
export const RECURRING_CYCLES = ['monthly', 'quarterly', 'annual'] as const;
export type RecurringCycle = (typeof RECURRING_CYCLES)[number];
export const RecurringCycle = z.enum(RECURRING_CYCLES);
export const CYCLE_MONTHS: Record<RecurringCycle, number> = { monthly: 1, quarterly: 3, annual: 12 };

/**
 * What a renewal was raised from: a customer's recurring service (its next due date is the season), a recurring
 * contract (its end date, else signed + one cycle) or a recurring order without a contract (confirmed + one cycle).
 */
export const RENEWAL_SOURCES = ['service', 'contract', 'order'] as const;
export type RenewalSource = (typeof RENEWAL_SOURCES)[number];

/**
 * A renewal's state: raised (its opportunity open), won or lost (its opportunity's outcome), skipped (the customer
 * was lost 流失 or merged when its season came: nothing raised, the reason kept).
 */
export const RENEWAL_STATES = ['raised', 'won', 'lost', 'skipped'] as const;
export type RenewalState = (typeof RENEWAL_STATES)[number];
export const RENEWAL_SKIP_REASONS = ['customer-former', 'customer-merged', 'no-owner'] as const;

/** Per business line: how many days before the season the renewal is raised (default 60). */
export const RenewalRule = z.object({
  businessLineId: Id,
  businessLineName: z.string(),
  leadDays: z.int(),
  active: z.boolean(),
  /** false: no rule saved, the default shown. */
  saved: z.boolean(),
});
export type RenewalRule = z.infer<typeof RenewalRule>;
export const RENEWAL_DEFAULT_LEAD_DAYS = 60;
export const RenewalRuleUpdate = z.strictObject({
  leadDays: z.int().min(1).max(365),
  active: z.boolean(),
});
export type RenewalRuleUpdate = z.infer<typeof RenewalRuleUpdate>;

export const RenewalTeamMember = z.object({ userId: Id, name: z.string(), role: z.string().nullable() });

export const Renewal = z.object({
  id: Id,
  state: z.enum(RENEWAL_STATES),
  skipReason: z.enum(RENEWAL_SKIP_REASONS).nullable(),
  source: z.enum(RENEWAL_SOURCES),
  sourceId: Id,
  cycle: RecurringCycle,
  /** The season: the service's due date, the contract's end … */
  dueOn: DateOnly,
  customerId: Id,
  customerName: z.string(),
  businessLineId: Id,
  businessLineName: z.string(),
  previousContractId: Id.nullable(),
  previousContractNumber: z.string().nullable(),
  previousOrderId: Id.nullable(),
  previousOrderNumber: z.string().nullable(),
  /** Last period's amount (the previous contract's or order's), exact. */
  previousAmount: Money.nullable(),
  /** Last period's services (the previous contract's or order's lines). */
  services: z.array(z.string()),
  /** Last period's team (the previous contract's members, else its engagements' teams). */
  team: z.array(RenewalTeamMember),
  ownerId: Id,
  ownerName: z.string(),
  opportunityId: Id.nullable(),
  opportunityName: z.string().nullable(),
  /** The renewal quote pre-filled from last period (a draft until sent). */
  quoteId: Id.nullable(),
  /** The engagement letter 业务约定书: a draft contract made from the previous one. */
  letterContractId: Id.nullable(),
  lostReason: z.string().nullable(),
  /** Lost at renewal: a lesson 复盘 is asked for (knowledge). */
  lessonFlagged: z.boolean(),
  raisedAt: Timestamp,
});
export type Renewal = z.infer<typeof Renewal>;

export const RenewalListQuery = listQuery(['dueOn', 'raisedAt', 'previousAmount'] as const, {
  state: z.enum(RENEWAL_STATES).optional(),
  businessLineId: Id.optional(),
  ownerId: Id.optional(),
  customerId: Id.optional(),
  dueFrom: DateOnly.optional(),
  dueTo: DateOnly.optional(),
});
export type RenewalListQuery = z.infer<typeof RenewalListQuery>;

/** A season coming that has no renewal yet (the 到期 tab): it will be raised on `raiseOn`. */
export const RenewalDue = z.object({
  source: z.enum(RENEWAL_SOURCES),
  sourceId: Id,
  cycle: RecurringCycle,
  dueOn: DateOnly,
  raiseOn: DateOnly,
  customerId: Id,
  customerName: z.string(),
  businessLineId: Id,
  businessLineName: z.string(),
  previousAmount: Money.nullable(),
  ownerId: Id.nullable(),
  ownerName: z.string().nullable(),
});
export type RenewalDue = z.infer<typeof RenewalDue>;
export const RenewalDueQuery = z.strictObject({
  /** Seasons up to this many days ahead (default 120). */
  days: z.coerce.number().int().min(1).max(730).default(120),
  businessLineId: Id.optional(),
  ownerId: Id.optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type RenewalDueQuery = z.infer<typeof RenewalDueQuery>;

/** The renewal rate 续约率: won ÷ decided (won + lost) of the renewals whose season falls in the period. */
export const RENEWAL_RATE_GROUPS = ['businessLine', 'owner', 'branch'] as const;
export const RenewalRateQuery = z.strictObject({
  from: DateOnly,
  to: DateOnly,
  groupBy: z.enum(RENEWAL_RATE_GROUPS).default('businessLine'),
});
export type RenewalRateQuery = z.infer<typeof RenewalRateQuery>;
export const RenewalRateRow = z.object({
  key: Id.nullable(),
  name: z.string(),
  raised: z.int(),
  won: z.int(),
  lost: z.int(),
  open: z.int(),
  /** won ÷ (won + lost) in percent, one decimal, half up; null when nothing was decided. */
  rate: z.string().nullable(),
  wonAmount: Money,
  previousAmount: Money,
});
export type RenewalRateRow = z.infer<typeof RenewalRateRow>;

/** Raising one renewal now (from the 到期 tab), before the job would. */
export const RenewalRaise = z.strictObject({
  source: z.enum(RENEWAL_SOURCES),
  sourceId: Id,
  note: optionalText(500),
});
export type RenewalRaise = z.infer<typeof RenewalRaise>;

/** The renewal job's answer (also the job's output): what one run did. */
export const RenewalRunResult = z.object({
  asOf: DateOnly,
  considered: z.int(),
  raised: z.int(),
  skipped: z.int(),
  alreadyRaised: z.int(),
});
export type RenewalRunResult = z.infer<typeof RenewalRunResult>;
