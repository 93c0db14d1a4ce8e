import { z } from 'zod';
import { DateOnly, Id, Money, optionalText, text, Timestamp } from './common';
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
