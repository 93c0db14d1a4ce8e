import { z } from 'zod';
import { DateOnly, Id, Money, Timestamp, listQuery, optionalText, text } from './common';
import { listDimensions, TERM_KINDS, TERM_TRIGGERS } from './contracts';

/**
 * Receipts 到款, invoices 发票 and receivables 应收账款 (server/domains/receivables): finance records
 * what arrived and what was invoiced against payment terms; the receivables view ages what is outstanding.
 */
export const RECEIPT_STATUSES = ['valid', 'reversed'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

/** 增值税普通发票 / 增值税专用发票. */
export const INVOICE_KINDS = ['ordinary', 'special'] as const;
export type InvoiceKind = (typeof INVOICE_KINDS)[number];

export const INVOICE_STATUSES = ['valid', 'voided'] as const;

/** Ageing buckets by days past the due date: not yet due (or no due date), 1–30, 31–90, 91–180, over 180. */
export const AGEING_BUCKETS = ['not-due', 'd1-30', 'd31-90', 'd91-180', 'over-180'] as const;
export type AgeingBucket = (typeof AGEING_BUCKETS)[number];

/** Contracts whose terms are receivable (money may be recorded against them and they are aged). */
export const RECEIVABLE_CONTRACT_STATUSES = ['signed', 'in-progress', 'completed'] as const;
/** Orders without a contract whose own terms are receivable. */
export const RECEIVABLE_ORDER_STATUSES = ['confirmed', 'completed'] as const;

/** What `POST /receipts` and `POST /invoices` go against: a contract, or an order without one (exactly one). */
const Against = {
  contractId: Id.optional(),
  orderId: Id.optional(),
};

export const TermAllocation = z.strictObject({ termId: Id, amount: Money });
export type TermAllocation = z.infer<typeof TermAllocation>;

/**
 * `auto`: the oldest due first — terms with a due date by that date, then those without by position; or the
 * chosen terms and amounts.
 */
export const Allocation = z.union([z.literal('auto'), z.array(TermAllocation).min(1).max(24)]);
export type Allocation = z.infer<typeof Allocation>;

export const ReceiptCreate = z.strictObject({
  ...Against,
  receivedOn: DateOnly,
  amount: Money,
  payer: text(200),
  bankReference: optionalText(100),
  note: optionalText(1000),
  allocation: Allocation.default('auto'),
  /** Keep what the terms do not take as the receipt's unallocated credit (else more than outstanding is refused). */
  holdExcess: z.boolean().default(false),
});
export type ReceiptCreate = z.input<typeof ReceiptCreate>;

/** Allocates (part of) a receipt's unallocated credit; `unallocated` is the credit the caller saw (a changed one: 409). */
export const ReceiptAllocate = z.strictObject({ allocation: Allocation, unallocated: Money });
export type ReceiptAllocate = z.input<typeof ReceiptAllocate>;

export const ReasonBody = z.strictObject({ reason: text(500) });

/** A term as a receipt or an invoice touched it. */
export const AllocationLine = z.object({
  termId: Id,
  position: z.int(),
  kind: z.enum(TERM_KINDS),
  dueOn: DateOnly.nullable(),
  amount: Money,
});

/** The contract or order money is recorded against, as lists show it. */
const Subject = {
  customerId: Id,
  customerName: z.string(),
  contractId: Id.nullable(),
  orderId: Id.nullable(),
  /** The contract's number (or the order's); null before it is numbered. */
  subjectNumber: z.string().nullable(),
  subjectTitle: z.string(),
};

export const Receipt = z.object({
  id: Id,
  ...Subject,
  receivedOn: DateOnly,
  amount: Money,
  /** Credit held on the receipt that no term has taken yet. */
  unallocated: Money,
  payer: z.string(),
  bankReference: z.string().nullable(),
  note: z.string().nullable(),
  status: z.enum(RECEIPT_STATUSES),
  reversedReason: z.string().nullable(),
  reversedAt: Timestamp.nullable(),
  reversedByName: z.string().nullable(),
  createdByName: z.string().nullable(),
  createdAt: Timestamp,
  allocations: z.array(AllocationLine),
});
export type Receipt = z.infer<typeof Receipt>;

export const ReceiptListQuery = listQuery(['receivedOn', 'amount', 'createdAt'] as const, {
  contractId: Id.optional(),
  orderId: Id.optional(),
  customerId: Id.optional(),
  from: DateOnly.optional(),
  to: DateOnly.optional(),
  status: z.enum(RECEIPT_STATUSES).optional(),
  /** Only receipts with credit not yet allocated. */
  withCredit: z.enum(['true']).optional(),
  /** The contract's (or order's) business line and owner, as the reports' drill-down filters them. */
  businessLineId: Id.optional(),
  ownerId: Id.optional(),
  ...listDimensions,
});
export type ReceiptListQuery = z.infer<typeof ReceiptListQuery>;

export const InvoiceCreate = z.strictObject({
  ...Against,
  number: text(50),
  kind: z.enum(INVOICE_KINDS),
  amount: Money,
  issuedOn: DateOnly,
  note: optionalText(1000),
  allocation: Allocation.default('auto'),
});
export type InvoiceCreate = z.input<typeof InvoiceCreate>;

export const Invoice = z.object({
  id: Id,
  ...Subject,
  number: z.string(),
  kind: z.enum(INVOICE_KINDS),
  issuedOn: DateOnly,
  amount: Money,
  status: z.enum(INVOICE_STATUSES),
  voidedReason: z.string().nullable(),
  note: z.string().nullable(),
  createdByName: z.string().nullable(),
  createdAt: Timestamp,
  allocations: z.array(AllocationLine),
});
export type Invoice = z.infer<typeof Invoice>;

export const InvoiceListQuery = listQuery(['issuedOn', 'amount', 'createdAt'] as const, {
  contractId: Id.optional(),
  orderId: Id.optional(),
  customerId: Id.optional(),
  from: DateOnly.optional(),
  to: DateOnly.optional(),
  status: z.enum(INVOICE_STATUSES).optional(),
  kind: z.enum(INVOICE_KINDS).optional(),
  /** The contract's (or order's) business line and owner, as the reports' drill-down filters them. */
  businessLineId: Id.optional(),
  ownerId: Id.optional(),
  ...listDimensions,
});
export type InvoiceListQuery = z.infer<typeof InvoiceListQuery>;

export const RECEIVABLE_GROUPINGS = ['customer', 'contract', 'owner', 'department', 'branch'] as const;
export type ReceivableGrouping = (typeof RECEIVABLE_GROUPINGS)[number];

/** Outstanding money per ageing bucket, and in all. */
export const Ageing = z.object({
  outstanding: Money,
  'not-due': Money,
  'd1-30': Money,
  'd31-90': Money,
  'd91-180': Money,
  'over-180': Money,
  /** Open terms (something still outstanding). */
  terms: z.int(),
});
export type Ageing = z.infer<typeof Ageing>;

/** Filters shared by the ageing, its drill-down and the export: whose receivables. */
const ReceivableFilters = {
  /** Contract or order number / title, or the customer's name. */
  q: z.string().trim().max(100).optional(),
  customerId: Id.optional(),
  ownerId: Id.optional(),
  /** That department and those below it. */
  departmentId: Id.optional(),
  businessLineId: Id.optional(),
  /** The contract's branch, else the owner's (as the reports count it). */
  branchId: Id.optional(),
  /** The customer's region. */
  regionId: Id.optional(),
};

export const ReceivablesQuery = z.strictObject({
  groupBy: z.enum(RECEIVABLE_GROUPINGS).default('customer'),
  ...ReceivableFilters,
  sort: z.enum(['outstanding', '-outstanding', 'overdue', '-overdue']).optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type ReceivablesQuery = z.infer<typeof ReceivablesQuery>;

/** A group of the ageing: `key` is the customer, contract (or order), owner, department or branch id — null: none. */
export const ReceivableGroup = Ageing.extend({
  key: Id.nullable(),
  name: z.string().nullable(),
  /** For contracts (and orders): the customer's name; for customers, owners: nothing more. */
  detail: z.string().nullable(),
});
export type ReceivableGroup = z.infer<typeof ReceivableGroup>;

export const Receivables = z.object({
  groupBy: z.enum(RECEIVABLE_GROUPINGS),
  /** "Today" in the firm's time zone: the day the ages are counted to. */
  asOf: DateOnly,
  items: z.array(ReceivableGroup),
  /** Every group's sum (not only the page's). */
  totals: Ageing,
  total: z.int(),
  page: z.int(),
  pageSize: z.int(),
});
export type Receivables = z.infer<typeof Receivables>;

/** The terms behind a group and/or a bucket (the drill-down), or of one contract or order (the receipt form). */
export const ReceivableTermsQuery = z.strictObject({
  ...ReceivableFilters,
  groupBy: z.enum(RECEIVABLE_GROUPINGS).optional(),
  /** The group's key (with groupBy); `none` for the group without one (no branch). */
  key: z.union([Id, z.literal('none')]).optional(),
  bucket: z.enum(AGEING_BUCKETS).optional(),
  contractId: Id.optional(),
  orderId: Id.optional(),
  /** A contract's or an order's id (the receipt form knows the group's key, not its kind). */
  subjectId: Id.optional(),
  /** `open` (default): terms with something outstanding; `all`: settled ones too. */
  state: z.enum(['open', 'all']).default('open'),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type ReceivableTermsQuery = z.infer<typeof ReceivableTermsQuery>;

export const ReceivableTerm = z.object({
  id: Id,
  position: z.int(),
  kind: z.enum(TERM_KINDS),
  trigger: z.enum(TERM_TRIGGERS),
  ...Subject,
  subjectStatus: z.string(),
  ownerId: Id,
  ownerName: z.string(),
  dueOn: DateOnly.nullable(),
  amount: Money,
  invoiced: Money,
  received: Money,
  outstanding: Money,
  /** Days past the due date (0 or less: not yet due; null: no due date). */
  daysOverdue: z.int().nullable(),
  bucket: z.enum(AGEING_BUCKETS),
});
export type ReceivableTerm = z.infer<typeof ReceivableTerm>;

export const ReceivablesExportQuery = ReceivablesQuery.omit({ sort: true, page: true, pageSize: true });
