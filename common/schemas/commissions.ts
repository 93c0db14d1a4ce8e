import { z } from 'zod';
import { DateOnly, Id, listQuery, Money, optionalText, text, Timestamp } from './common';
import { STAFF_CATEGORIES } from './staff';

/**
 * Commissions 佣金: the policy's versions and their rules, the month's allocation sheets 分配表 with a line per person
 * that explains itself, the five-step flow, and the what-if 模拟. The arithmetic is server/domains/commissions/compute.ts.
 */

export const COMMISSION_METHODS = ['amount', 'hours', 'pool'] as const;
export type CommissionMethod = (typeof COMMISSION_METHODS)[number];
export const COMMISSION_SIDES = ['sale', 'work'] as const;
/**
 * The roles a rule may match. The sale side: 业务承接人 (the contract's owner) and 顾问 (the contract's other team
 * members, e.g. a 代理记账 consultant). The work side: 项目负责人 (an engagement's lead) and the engagement team's roles.
 * In this order a person's roles are tried when two of them meet different rules equally specific.
 */
export const SALE_ROLES = ['sales-owner', 'consultant'] as const;
export const WORK_ROLES = [
  'project-lead',
  'signing-cpa',
  'manager',
  'reviewer',
  'appraiser',
  'cost-engineer',
  'bookkeeper',
  'assistant',
] as const;
export const COMMISSION_ROLES = [...SALE_ROLES, ...WORK_ROLES] as const;
export type CommissionRole = (typeof COMMISSION_ROLES)[number];
export const POLICY_STATUSES = ['draft', 'adopted'] as const;
export const SHEET_STATUSES = ['draft', 'in-approval', 'approved', 'paid', 'cancelled'] as const;
export type SheetStatus = (typeof SHEET_STATUSES)[number];

/** A percentage 0–100 with up to four decimals ("5", "3.5", "12.125"). */
export const RatePercent = z
  .string()
  .trim()
  .regex(/^(100(\.0{1,4})?|\d{1,2}(\.\d{1,4})?)$/, { message: 'validation.percent' });
/** A month, YYYY-MM. */
export const Period = z
  .string()
  .trim()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'validation.period' });

export const RuleMatch = z.strictObject({
  businessLineId: Id.nullable().default(null),
  role: z.enum(COMMISSION_ROLES).nullable().default(null),
  staffCategory: z.enum(STAFF_CATEGORIES).nullable().default(null),
  practising: z.boolean().nullable().default(null),
  departmentId: Id.nullable().default(null),
  branchId: Id.nullable().default(null),
});

const ruleBase = {
  /** Unique within the version (S1, W2 …): what lines and explanations name. */
  key: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,20}$/, { message: 'validation.ruleKey' }),
  name: text(100),
  side: z.enum(COMMISSION_SIDES),
  match: RuleMatch,
};
export const Rule = z.discriminatedUnion('method', [
  z.strictObject({
    ...ruleBase,
    method: z.literal('amount'),
    tiers: z
      .array(z.strictObject({ upTo: Money.nullable(), percent: RatePercent }))
      .min(1)
      .max(10),
  }),
  z.strictObject({ ...ruleBase, method: z.literal('hours'), hourlyRate: Money }),
  z.strictObject({
    ...ruleBase,
    method: z.literal('pool'),
    percent: RatePercent,
    split: z.enum(['hours', 'shares']),
  }),
]);
export type RuleInput = z.input<typeof Rule>;

export const PolicyInput = z.strictObject({
  name: text(100),
  effectiveFrom: DateOnly,
  note: optionalText(2000),
  rules: z.array(Rule).min(1).max(200),
});

export const Policy = z.object({
  id: Id,
  version: z.int(),
  name: z.string(),
  effectiveFrom: z.string(),
  status: z.enum(POLICY_STATUSES),
  note: z.string().nullable(),
  rules: z.array(Rule),
  adoptedAt: Timestamp.nullable(),
  adoptedByName: z.string().nullable(),
  createdAt: Timestamp,
});
export type Policy = z.infer<typeof Policy>;

/** Drafting the month's sheet of a contract (or of an order without one). */
export const SheetCreate = z
  .strictObject({ contractId: Id.optional(), orderId: Id.optional(), period: Period })
  .refine((v) => Boolean(v.contractId) !== Boolean(v.orderId), {
    message: 'validation.sheetSubject',
    path: ['contractId'],
  });

/** One step of a line's formula, as numbers to show: 到款 ¥30,000.00 × 5% = ¥1,500.00. */
export const FormulaStep = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('received'),
    receiptId: Id,
    receivedOn: z.string(),
    base: z.string(),
    percent: z.string(),
    value: z.string(),
  }),
  z.object({ kind: z.literal('hours'), hours: z.string(), rate: z.string(), value: z.string() }),
  z.object({ kind: z.literal('pool'), base: z.string(), percent: z.string(), pool: z.string() }),
  z.object({
    kind: z.literal('share'),
    split: z.enum(['hours', 'shares']),
    weight: z.string(),
    total: z.string(),
    pool: z.string(),
    value: z.string(),
  }),
]);
export type FormulaStep = z.infer<typeof FormulaStep>;

/** What a line counted and under which rule: stored with it, shown as it was computed. */
export const Explanation = z.object({
  policyId: Id,
  policyVersion: z.int(),
  ruleKey: z.string(),
  ruleName: z.string(),
  steps: z.array(FormulaStep),
  receiptIds: z.array(Id),
  timeEntryIds: z.array(Id),
});
export type Explanation = z.infer<typeof Explanation>;

export const SheetLine = z.object({
  id: Id,
  userId: Id,
  name: z.string(),
  departmentName: z.string().nullable(),
  side: z.enum(COMMISSION_SIDES),
  role: z.enum(COMMISSION_ROLES),
  method: z.enum(COMMISSION_METHODS),
  /** What the policy gave. */
  computed: z.string(),
  /** What stands (after an adjustment, if any). */
  amount: z.string(),
  adjusted: z.object({ byName: z.string(), at: Timestamp, step: z.int(), reason: z.string() }).nullable(),
  explanation: Explanation,
  paidOn: z.string().nullable(),
});
export type SheetLine = z.infer<typeof SheetLine>;

export const PoolSummary = z.object({
  ruleKey: z.string(),
  pool: z.string(),
  undistributed: z.string(),
  reason: z.enum(['no-hours', 'no-shares']).nullable(),
});

export const SheetSummary = z.object({
  id: Id,
  period: z.string(),
  contractId: Id.nullable(),
  orderId: Id.nullable(),
  subjectNumber: z.string().nullable(),
  subjectTitle: z.string(),
  customerName: z.string(),
  businessLineId: Id,
  businessLineName: z.string(),
  ownerId: Id,
  ownerName: z.string(),
  policyVersion: z.int(),
  status: z.enum(SHEET_STATUSES),
  received: z.string(),
  hours: z.string(),
  total: z.string(),
  paidOn: z.string().nullable(),
  createdAt: Timestamp,
});
export type SheetSummary = z.infer<typeof SheetSummary>;

export const Sheet = SheetSummary.extend({
  receivedBefore: z.string(),
  shares: z.record(z.string(), z.string()),
  pools: z.array(PoolSummary),
  lines: z.array(SheetLine),
  /** Only the reader's own lines are shown (a reader with own scope on a sheet not theirs). */
  ownLinesOnly: z.boolean(),
  /** The reader may change the draft and send it (step ①). */
  mayChange: z.boolean(),
  /** The step of the running flow the reader holds (2–5), in which they may adjust lines; null: none. */
  heldStep: z.int().nullable(),
  updatedAt: Timestamp,
});
export type Sheet = z.infer<typeof Sheet>;

export const SheetListQuery = listQuery(['createdAt', 'period', 'total'] as const, {
  period: Period.optional(),
  status: z.enum(SHEET_STATUSES).optional(),
  businessLineId: Id.optional(),
  contractId: Id.optional(),
});

/** An amount changed by hand, with the reason (never below zero). */
export const LineAdjust = z.strictObject({ amount: Money, reason: text(500) });

/** The project lead's shares for the pools split by shares (step ③): userId → a number ("3", "1.5"). */
export const SharesInput = z.strictObject({
  shares: z.record(
    Id,
    z
      .string()
      .trim()
      .regex(/^\d{1,6}(\.\d{1,4})?$/, { message: 'validation.share' }),
  ),
});

/** The payout list of a month (佣金发放表): every line of the sheets paid in it. */
export const PayoutsQuery = z.strictObject({ period: Period });

/** The what-if 模拟: a policy version run over past months (from ≤ to, at most 36, none after this one). */
export const WhatIfInput = z.strictObject({ from: Period, to: Period });

const Comparison = { current: z.string(), proposed: z.string(), difference: z.string() };
export const WhatIfPerson = z.object({
  userId: Id,
  name: z.string(),
  departmentName: z.string().nullable(),
  ...Comparison,
});
export const WhatIfResult = z.object({
  policyId: Id,
  policyVersion: z.int(),
  from: z.string(),
  to: z.string(),
  /** Contract- (or order-) months computed. */
  subjects: z.int(),
  totals: z.object(Comparison),
  byPerson: z.array(WhatIfPerson),
  byBusinessLine: z.array(z.object({ businessLineId: Id, name: z.string(), ...Comparison })),
  /** The five who gain most, and the five who lose most (by difference). */
  winners: z.array(WhatIfPerson),
  losers: z.array(WhatIfPerson),
});
export type WhatIfResult = z.infer<typeof WhatIfResult>;
export const WhatIf = z.object({
  id: Id,
  status: z.enum(['running', 'done', 'failed']),
  /** Contract- (or order-) months computed so far, of the total (0 of 0 until the job has looked). */
  done: z.int(),
  total: z.int(),
  result: WhatIfResult.optional(),
});
export type WhatIf = z.infer<typeof WhatIf>;

/** Drafting every sheet of a month at once (the subjects the reader may draft): a job, followed by its progress. */
export const MonthDraftInput = z.strictObject({ period: Period });
export const MonthDraftSkipped = z.object({
  contractId: Id.nullable(),
  orderId: Id.nullable(),
  subjectNumber: z.string().nullable(),
  subjectTitle: z.string(),
  /** Why: COMMISSION_SHEET_EXISTS, COMMISSION_SHEET_EMPTY, COMMISSION_SOURCE_COUNTED, COMMISSION_NO_POLICY. */
  code: z.string(),
  message: z.string(),
});
export const MonthDraftResult = z.object({
  period: z.string(),
  /** Contracts (and orders without one) with something not yet counted up to the month's end, the reader's to draft. */
  subjects: z.int(),
  drafted: z.int(),
  skipped: z.int(),
  /** The skipped subjects with their reasons (the first 500). */
  skippedSubjects: z.array(MonthDraftSkipped),
});
export type MonthDraftResult = z.infer<typeof MonthDraftResult>;
export const MonthDraft = z.object({
  id: Id,
  status: z.enum(['running', 'done', 'failed']),
  /** Subjects done so far, of the total (0 of 0 until the job has listed them). */
  done: z.int(),
  total: z.int(),
  result: MonthDraftResult.optional(),
});
export type MonthDraft = z.infer<typeof MonthDraft>;

export const REPORT_GROUPS = ['person', 'department', 'businessLine', 'month'] as const;
/** Commissions by person, department, business line or month over a range of months: accrued (not yet paid) vs paid. */
export const CommissionReportQuery = z.strictObject({
  from: Period,
  to: Period,
  groupBy: z.enum(REPORT_GROUPS).default('person'),
});
export const CommissionReportRow = z.object({
  /** The person's, department's or business line's id, or the month (YYYY-MM); null: no department. */
  key: z.string().nullable(),
  label: z.string().nullable(),
  lines: z.int(),
  /** Computed and not yet paid out (draft, in approval). */
  accrued: z.string(),
  paid: z.string(),
  total: z.string(),
});
export const CommissionReport = z.object({
  groupBy: z.enum(REPORT_GROUPS),
  rows: z.array(CommissionReportRow),
  totals: z.object({ lines: z.int(), accrued: z.string(), paid: z.string(), total: z.string() }),
});
export type CommissionReport = z.infer<typeof CommissionReport>;
