import { z } from 'zod';
import { DISMISS_REASONS } from '../cross-sell';
import { Id, Timestamp, listQuery, optionalText } from './common';

/**
 * 交叉销售 (issue 19): for each customer, the services it does not buy that similar customers (same industry, size band,
 * region) do, with the evidence in words; never a service that breaks independence (the conflict pairs), the rule
 * shown. The one contract of server/domains/cross-sell.
 */

/** open: shown; accepted: an opportunity made from it; dismissed: asked why; excluded: independence forbids it. */
export const CROSS_SELL_STATUSES = ['open', 'accepted', 'dismissed', 'excluded'] as const;
export type CrossSellStatus = (typeof CROSS_SELL_STATUSES)[number];
export const CROSS_SELL_LATER_DAYS = 90;
/** Suggested only when at least this many similar customers buy the base service … */
export const CROSS_SELL_MIN_PEERS = 5;
/** … and at least this percentage of them also buy the suggested one. */
export const CROSS_SELL_MIN_PERCENT = 30;
/** What a customer buys: its contracts and orders of the last this many years (and its active recurring services). */
export const CROSS_SELL_YEARS = 5;

/** How close the compared customers are: all three, or widened when too few (at least 5) share them. */
export const PEER_LEVELS = ['industry-size-region', 'industry-size', 'industry'] as const;

export const CrossSellEvidence = z.object({
  level: z.enum(PEER_LEVELS),
  industry: z.string().nullable(),
  size: z.string().nullable(),
  regionName: z.string().nullable(),
  /** The service the customer buys that the compared customers also buy (null: compared over all similar ones). */
  baseLineId: Id.nullable(),
  baseLineName: z.string().nullable(),
  /** How many similar customers (with the base service) there are, and how many of them buy the suggested one. */
  similarCount: z.int(),
  buyingCount: z.int(),
});

export const CrossSellSuggestion = z.object({
  id: Id,
  status: z.enum(CROSS_SELL_STATUSES),
  customerId: Id,
  customerName: z.string(),
  ownerId: Id.nullable(),
  ownerName: z.string().nullable(),
  businessLineId: Id,
  businessLineName: z.string(),
  /** buyingCount ÷ similarCount in percent, one decimal. */
  score: z.string(),
  evidence: CrossSellEvidence,
  /** The evidence in the reader's language: "40 家同类制造业客户中有 32 家购买审计的也购买了税务咨询". */
  evidenceText: z.string(),
  /** Excluded: the service the customer buys that conflicts with it, and the rule in words. */
  exclusion: z.object({ conflictLineId: Id, conflictLineName: z.string(), ruleText: z.string() }).nullable(),
  dismissReason: z.enum(DISMISS_REASONS).nullable(),
  dismissNote: z.string().nullable(),
  opportunityId: Id.nullable(),
  computedAt: Timestamp,
  resolvedAt: Timestamp.nullable(),
  resolvedByName: z.string().nullable(),
});
export type CrossSellSuggestion = z.infer<typeof CrossSellSuggestion>;

/**
 * mine: for the customers I own; team: the customers the reader sees (a manager's list); customerId: one customer's
 * (the customer page, excluded ones included with their rule).
 */
export const CrossSellListQuery = listQuery(['score', 'computedAt', 'customerName'] as const, {
  view: z.enum(['mine', 'team']).default('mine'),
  status: z.enum(CROSS_SELL_STATUSES).optional(),
  customerId: Id.optional(),
  businessLineId: Id.optional(),
  ownerId: Id.optional(),
});
export type CrossSellListQuery = z.infer<typeof CrossSellListQuery>;

export const CrossSellAccept = z.strictObject({
  /** The opportunity's name (default: customer + service). */
  name: optionalText(200),
});
export type CrossSellAccept = z.infer<typeof CrossSellAccept>;
export const CrossSellDismiss = z.strictObject({
  reason: z.enum(DISMISS_REASONS),
  note: optionalText(500),
});
export type CrossSellDismiss = z.infer<typeof CrossSellDismiss>;

/** The conversion of suggestions 建议转化率: accepted and of those won, by business line. */
export const CrossSellConversionRow = z.object({
  businessLineId: Id,
  businessLineName: z.string(),
  suggested: z.int(),
  accepted: z.int(),
  dismissed: z.int(),
  won: z.int(),
});
export type CrossSellConversionRow = z.infer<typeof CrossSellConversionRow>;

/** A computation run for the whole firm (a job): progress while it runs, the counts when done. */
export const CrossSellRun = z.object({
  id: Id,
  state: z.string(),
  progress: z.object({ done: z.int(), total: z.int() }).nullable(),
  output: z.object({ customers: z.int(), open: z.int(), excluded: z.int(), removed: z.int(), ms: z.int() }).nullable(),
});
export type CrossSellRun = z.infer<typeof CrossSellRun>;
