import { z } from 'zod';
import { DateOnly, Id, Money, Timestamp, listQuery, optionalText, text } from './common';
import { RecurringCycle } from './renewals';

/**
 * Contracts 销售合同, their payment terms 付款条件, orders 销售订单 and contract templates 合同模板
 * (server/domains/contracts). Money is an exact decimal string everywhere.
 */

/** draft → in-approval → signed → in-progress → completed; terminated / voided with a reason. */
export const CONTRACT_STATUSES = [
  'draft',
  'in-approval',
  'approved',
  'signed',
  'in-progress',
  'completed',
  'terminated',
  'voided',
] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

export const ORDER_STATUSES = ['draft', 'confirmed', 'completed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** 首付款 / 进度款 / 尾款. */
export const TERM_KINDS = ['down-payment', 'progress', 'final'] as const;
export type TermKind = (typeof TERM_KINDS)[number];

/** When a term falls due: on signing, on a date, N days after signing, on completion 结项, N days after it. */
export const TERM_TRIGGERS = ['signing', 'date', 'days-after-signing', 'completion', 'days-after-completion'] as const;
export type TermTrigger = (typeof TERM_TRIGGERS)[number];

/** A percentage of the contract amount with up to four decimals ("50", "33.3333"). */
export const TermPercent = z
  .string()
  .trim()
  .regex(/^(100(\.0{1,4})?|\d{1,2}(\.\d{1,4})?)$/, { message: 'validation.percent' });

export const PaymentTermInput = z.strictObject({
  kind: z.enum(TERM_KINDS),
  /** Exactly one of amount and percent. */
  amount: Money.optional(),
  percent: TermPercent.optional(),
  trigger: z.enum(TERM_TRIGGERS),
  /** For `date`. */
  triggerDate: DateOnly.optional(),
  /** For `days-after-signing` and `days-after-completion`: 0–3650. */
  triggerDays: z.int().min(0).max(3650).optional(),
  note: optionalText(200),
});
export type PaymentTermInput = z.infer<typeof PaymentTermInput>;

export const PaymentTerm = z.object({
  id: Id,
  position: z.int(),
  kind: z.enum(TERM_KINDS),
  amount: z.string(),
  percent: z.string().nullable(),
  trigger: z.enum(TERM_TRIGGERS),
  triggerDate: z.string().nullable(),
  triggerDays: z.int().nullable(),
  note: z.string().nullable(),
  /** Known once its event happened (signing, completion) or from its date. */
  dueOn: z.string().nullable(),
  invoiced: z.string(),
  received: z.string(),
  outstanding: z.string(),
});
export type PaymentTerm = z.infer<typeof PaymentTerm>;

export const ContractLineInput = z.strictObject({
  description: text(200),
  amount: Money,
});
export const ContractLine = z.object({ id: Id, position: z.int(), description: z.string(), amount: z.string() });

/** The contract's approval, as the workflow engine tells it (null: never sent). */
export const ContractApproval = z.object({
  instanceId: Id.nullable(),
  status: z.string().nullable(),
});

export const ContractSummary = z.object({
  id: Id,
  title: z.string(),
  number: z.string().nullable(),
  status: z.enum(CONTRACT_STATUSES),
  customerId: Id,
  customerName: z.string(),
  businessLineId: Id,
  businessLineName: z.string(),
  ownerId: Id,
  ownerName: z.string(),
  departmentId: Id,
  amount: Money,
  /** What the terms still wait for (amount − received), over all terms. */
  outstanding: Money,
  signedOn: DateOnly.nullable(),
  createdAt: Timestamp,
});
export type ContractSummary = z.infer<typeof ContractSummary>;

export const Contract = ContractSummary.extend({
  contactId: Id.nullable(),
  contactName: z.string().nullable(),
  opportunityId: Id.nullable(),
  opportunityName: z.string().nullable(),
  quoteId: Id.nullable(),
  branchId: Id.nullable(),
  branchName: z.string().nullable(),
  signatoryId: Id.nullable(),
  signatoryName: z.string().nullable(),
  statusReason: z.string().nullable(),
  templateVersionId: Id.nullable(),
  templateName: z.string().nullable(),
  templateVersion: z.int().nullable(),
  startOn: DateOnly.nullable(),
  endOn: DateOnly.nullable(),
  completedOn: DateOnly.nullable(),
  /** Recurring (annual audit, monthly bookkeeping): renewals 续约 are raised before its season. */
  recurringCycle: RecurringCycle.nullable(),
  note: z.string().nullable(),
  /** The document stored when it was signed, and its SHA-256. */
  documentFileId: Id.nullable(),
  documentSha256: z.string().nullable(),
  signedCopyFileId: Id.nullable(),
  lines: z.array(ContractLine),
  terms: z.array(PaymentTerm),
  memberIds: z.array(Id),
  approval: ContractApproval,
  /** Its orders (usually one). */
  orders: z.array(z.object({ id: Id, number: z.string().nullable(), status: z.enum(ORDER_STATUSES) })),
  /** What the reader may do now. */
  can: z.object({
    edit: z.boolean(),
    submit: z.boolean(),
    sign: z.boolean(),
    terminate: z.boolean(),
    void: z.boolean(),
  }),
  updatedAt: Timestamp,
});
export type Contract = z.infer<typeof Contract>;

const TermsInput = z.array(PaymentTermInput).max(24);
const LinesInput = z.array(ContractLineInput).min(1).max(100);

/** A blank contract, or one made from a won opportunity (`opportunityId`: customer, lines from its accepted quote, team). */
export const ContractCreate = z.strictObject({
  opportunityId: Id.optional(),
  title: text(200).optional(),
  customerId: Id.optional(),
  contactId: Id.nullable().optional(),
  businessLineId: Id.optional(),
  branchId: Id.nullable().optional(),
  signatoryId: Id.nullable().optional(),
  templateId: Id.nullable().optional(),
  startOn: DateOnly.nullable().optional(),
  endOn: DateOnly.nullable().optional(),
  recurringCycle: RecurringCycle.nullable().optional(),
  note: optionalText(2000),
  /** Default: the accepted quote's lines. */
  lines: LinesInput.optional(),
  /** Planned terms (they may also be entered at signing). */
  terms: TermsInput.optional(),
});
export type ContractCreate = z.output<typeof ContractCreate>;

/** Changes while a draft (or returned / rejected from approval). */
export type ContractUpdate = z.output<typeof ContractUpdate>;
export const ContractUpdate = z.strictObject({
  title: text(200).optional(),
  contactId: Id.nullable().optional(),
  branchId: Id.nullable().optional(),
  signatoryId: Id.nullable().optional(),
  templateId: Id.nullable().optional(),
  startOn: DateOnly.nullable().optional(),
  endOn: DateOnly.nullable().optional(),
  recurringCycle: RecurringCycle.nullable().optional(),
  note: optionalText(2000),
  lines: LinesInput.optional(),
  terms: TermsInput.optional(),
});

/** Signing: the date (default today), and the terms if they change now; they must add up to the amount. */
export type ContractSign = z.output<typeof ContractSign>;
export const ContractSign = z.strictObject({
  signedOn: DateOnly.optional(),
  terms: TermsInput.min(1).optional(),
});

export const ContractReason = z.strictObject({ reason: text(500) });

/**
 * The filters a report's drill-down opens a contract or order list with (销售报表, issue 16): the branch 分所 (the
 * contract's, else the owner's), the customer's region, the department and those below it.
 */
export const listDimensions = {
  branchId: Id.optional(),
  regionId: Id.optional(),
  /** This department and those below it. */
  departmentId: Id.optional(),
};

export const ContractListQuery = listQuery(['createdAt', 'signedOn', 'amount', 'number'] as const, {
  status: z.enum(CONTRACT_STATUSES).optional(),
  businessLineId: Id.optional(),
  customerId: Id.optional(),
  opportunityId: Id.optional(),
  ownerId: Id.optional(),
  ...listDimensions,
  /** Signed on or after / on or before (local dates): contracts that stand signed (voided ones not). */
  signedFrom: DateOnly.optional(),
  signedTo: DateOnly.optional(),
});
export type ContractListQuery = z.infer<typeof ContractListQuery>;

export const OrderLineInput = z.strictObject({ businessLineId: Id, description: text(200), amount: Money });
export const OrderLine = z.object({
  id: Id,
  position: z.int(),
  businessLineId: Id,
  businessLineName: z.string(),
  description: z.string(),
  amount: Money,
});

export const Order = z.object({
  id: Id,
  title: z.string(),
  number: z.string().nullable(),
  status: z.enum(ORDER_STATUSES),
  statusReason: z.string().nullable(),
  contractId: Id.nullable(),
  contractNumber: z.string().nullable(),
  opportunityId: Id.nullable(),
  customerId: Id,
  customerName: z.string(),
  businessLineId: Id,
  businessLineName: z.string(),
  ownerId: Id,
  ownerName: z.string(),
  amount: Money,
  confirmedOn: DateOnly.nullable(),
  completedOn: DateOnly.nullable(),
  recurringCycle: RecurringCycle.nullable(),
  lines: z.array(OrderLine),
  /** The order's own terms when it has no contract (else the contract's are shown there). */
  terms: z.array(PaymentTerm),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Order = z.infer<typeof Order>;

/** From a signed contract (`contractId`: its lines), or from a won opportunity without a contract. */
export const OrderCreate = z.strictObject({
  contractId: Id.optional(),
  opportunityId: Id.optional(),
  title: text(200).optional(),
  lines: z.array(OrderLineInput).min(1).max(100).optional(),
  /** For an order without a contract: its terms (must add up to its amount). */
  terms: TermsInput.optional(),
  /** An order without a contract that recurs (a contract's order recurs with its contract). */
  recurringCycle: RecurringCycle.nullable().optional(),
});
/** Marking a contract or order recurring, or not, in any state but voided (the renewals follow it). */
export const RecurringUpdate = z.strictObject({ recurringCycle: RecurringCycle.nullable() });
export type RecurringUpdate = z.infer<typeof RecurringUpdate>;
/** Confirming an order without a contract may set its terms then (they replace any it was created with). */
export const OrderConfirm = z.strictObject({ terms: TermsInput.min(1).optional() });
export const OrderComplete = z.strictObject({ completedOn: DateOnly.optional() });
export const OrderListQuery = listQuery(['createdAt', 'amount', 'number'] as const, {
  status: z.enum(ORDER_STATUSES).optional(),
  contractId: Id.optional(),
  opportunityId: Id.optional(),
  customerId: Id.optional(),
  businessLineId: Id.optional(),
  ownerId: Id.optional(),
  ...listDimensions,
  /** Confirmed on or after / on or before (local dates). */
  confirmedFrom: DateOnly.optional(),
  confirmedTo: DateOnly.optional(),
  /** Only orders without a contract (sold directly from a won opportunity). */
  withoutContract: z.enum(['true']).optional(),
});

/** The fields a contract template may use, with a sample value each (the preview fills them). */
export const TEMPLATE_FIELDS = [
  'contractNumber',
  'contractTitle',
  'customerName',
  'customerCreditCode',
  'customerAddress',
  'contactName',
  'contactPhone',
  'branchName',
  'signatoryName',
  'ownerName',
  'amount',
  'amountCapitals',
  'signedOn',
  'startOn',
  'endOn',
  'today',
  'lines',
  'terms',
] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];
