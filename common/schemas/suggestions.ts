import { z } from 'zod';
import { Email, Id, Timestamp, text } from './common';

export const SUGGESTION_STATUSES = ['open', 'sent', 'dismissed'] as const;
export const CUSTOMER_TIERS = ['A', 'B', 'C', 'D'] as const;

/** Days without contact after which a customer counts as going inactive, per value tier (and for customers not yet evaluated). */
export const InactiveDays = z.strictObject({
  A: z.int().min(1).max(3650).nullable(),
  B: z.int().min(1).max(3650).nullable(),
  C: z.int().min(1).max(3650).nullable(),
  D: z.int().min(1).max(3650).nullable(),
  none: z.int().min(1).max(3650).nullable(),
});
export type InactiveDays = z.infer<typeof InactiveDays>;
export const DEFAULT_INACTIVE_DAYS: InactiveDays = { A: 30, B: 45, C: 60, D: 90, none: 60 };

/** A follow-up the system suggests: the customer went quiet; an e-mail is drafted for its salesperson to edit and send, or dismiss. */
export const Suggestion = z.object({
  id: Id,
  kind: z.literal('inactive'),
  status: z.enum(SUGGESTION_STATUSES),
  customerId: Id,
  customerName: z.string(),
  customerTier: z.enum(CUSTOMER_TIERS).nullable(),
  userId: Id,
  /** Days since the last contact (or since the customer was created) when raised. */
  days: z.int(),
  lastContactAt: Timestamp.nullable(),
  contactId: Id.nullable(),
  contactName: z.string().nullable(),
  toAddress: z.string().nullable(),
  subject: z.string(),
  body: z.string(),
  createdAt: Timestamp,
  resolvedAt: Timestamp.nullable(),
});
export type Suggestion = z.infer<typeof Suggestion>;

export const SuggestionListQuery = z.strictObject({
  status: z.enum(SUGGESTION_STATUSES).default('open'),
  pageSize: z.coerce.number().int().min(1).max(100).default(50),
});
export type SuggestionListQuery = z.infer<typeof SuggestionListQuery>;

/** The e-mail as the salesperson edited it. */
export const SuggestionSend = z.strictObject({
  to: Email,
  subject: text(200),
  body: text(20_000),
});
export type SuggestionSend = z.infer<typeof SuggestionSend>;

/** Merge fields of the follow-up template, as written in it: {{客户名称}} etc. */
export const MERGE_FIELDS = [
  '客户名称',
  '联系人',
  '业务员',
  '业务员电话',
  '业务员邮箱',
  '上次联系日期',
  '未联系天数',
] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];

export const MailTemplate = z.object({
  code: z.literal('inactive-customer'),
  subject: z.string(),
  body: z.string(),
  updatedAt: Timestamp.nullable(),
});
export type MailTemplate = z.infer<typeof MailTemplate>;

export const MailTemplateUpdate = z.strictObject({
  subject: text(200),
  body: text(20_000),
});
export type MailTemplateUpdate = z.infer<typeof MailTemplateUpdate>;
