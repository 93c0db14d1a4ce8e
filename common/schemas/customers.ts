import { z } from 'zod';
import { InactiveDays } from './suggestions';
import { isValidCreditCode, normalizeCreditCode } from '../credit-code';
import { Email, Id, Phone, Timestamp, listQuery, optionalText, pageOf, text } from './common';
import { Attachment, MAX_ATTACHMENT_QUOTA_MB } from './files';

export const CUSTOMER_STATUSES = ['prospect', 'customer', 'former'] as const;
export const COMPANY_SIZES = ['micro', 'small', 'medium', 'large'] as const;
export const CONTACT_DIRECTIONS = ['inbound', 'outbound'] as const;
export const CONTACT_CHANNELS = ['phone', 'visit', 'email', 'wechat', 'meeting'] as const;

/** A calendar date, YYYY-MM-DD (business dates are dates, not instants). */
export const BusinessDate = z.iso.date();

export const CreditCode = z
  .string()
  .transform(normalizeCreditCode)
  .refine(isValidCreditCode, { message: 'validation.creditCode' });

const Person = z.object({ id: Id, name: z.string() });

export const Customer = z.object({
  id: Id,
  name: z.string(),
  creditCode: z.string().nullable(),
  industry: z.string().nullable(),
  size: z.enum(COMPANY_SIZES).nullable(),
  regionId: Id.nullable(),
  regionName: z.string().nullable(),
  branchId: Id.nullable(),
  branchName: z.string().nullable(),
  address: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  status: z.enum(CUSTOMER_STATUSES),
  source: z.string().nullable(),
  tags: z.array(z.string()),
  ownerId: Id.nullable(),
  ownerName: z.string().nullable(),
  sharedWith: z.array(Person),
  lastContactAt: Timestamp.nullable(),
  nextContactOn: z.string().nullable(),
  /** The latest value evaluation: score 0–100 (exact, two decimals) and tier A–D. */
  valueScore: z.string().nullable(),
  valueTier: z.enum(['A', 'B', 'C', 'D']).nullable(),
  /** 法律保全: while set, no contact of the customer may have their personal data erased. */
  legalHoldAt: Timestamp.nullable(),
  legalHoldReason: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Customer = z.infer<typeof Customer>;

const CustomerFields = {
  name: text(100),
  creditCode: z.union([CreditCode, z.literal('').transform(() => null), z.null()]).optional(),
  industry: optionalText(50),
  size: z.enum(COMPANY_SIZES).nullable().optional(),
  regionId: Id.nullable().optional(),
  branchId: Id.nullable().optional(),
  address: optionalText(200),
  email: z.union([Email, z.literal('').transform(() => null), z.null()]).optional(),
  phone: z.union([Phone, z.literal('').transform(() => null), z.null()]).optional(),
  status: z.enum(CUSTOMER_STATUSES).optional(),
  source: optionalText(50),
  tags: z.array(text(20)).max(20).optional(),
};
export const CustomerCreate = z.strictObject({
  ...CustomerFields,
  /** The responsible salesperson; defaults to the creator. `null` puts the customer in the pool. */
  ownerId: Id.nullable().optional(),
});
export type CustomerCreate = z.infer<typeof CustomerCreate>;
export const CustomerUpdate = z.strictObject(CustomerFields).partial();
export type CustomerUpdate = z.infer<typeof CustomerUpdate>;

export const CUSTOMER_VIEWS = ['visible', 'mine', 'shared', 'pool'] as const;
export const CustomerListQuery = listQuery(['name', 'createdAt', 'lastContactAt', 'nextContactOn', 'valueScore'], {
  view: z.enum(CUSTOMER_VIEWS).default('visible'),
  status: z.enum(CUSTOMER_STATUSES).optional(),
  ownerId: Id.optional(),
  regionId: Id.optional(),
  branchId: Id.optional(),
  tag: z.string().max(20).optional(),
  /** Customers whose next contact date is on or before this date (who is due for a call). */
  dueBy: BusinessDate.optional(),
  /** With serviceDueBy: customers taking this business line as a recurring service … */
  serviceLineId: Id.optional(),
  /** … whose next occurrence is on or before this date ("due for their audit soon"). */
  serviceDueBy: BusinessDate.optional(),
  valueTier: z.enum(['A', 'B', 'C', 'D']).optional(),
});
export type CustomerListQuery = z.infer<typeof CustomerListQuery>;

export const AssignCustomer = z.strictObject({ ownerId: Id, reason: optionalText(200) });
export const MergeCustomer = z.strictObject({ duplicateId: Id });

/** Possible duplicates of a customer about to be created (or edited). */
export const DuplicateQuery = z.strictObject({
  name: z.string().trim().max(100).optional(),
  creditCode: z.string().trim().max(18).optional(),
  excludeId: Id.optional(),
});
export const DuplicateCandidate = z.object({
  /** Only when the caller may see it; otherwise they learn the name and who to ask. */
  id: Id.nullable(),
  name: z.string(),
  ownerName: z.string().nullable(),
  reason: z.enum(['credit-code', 'same-name', 'similar-name']),
});
export type DuplicateCandidate = z.infer<typeof DuplicateCandidate>;
export const ShareCustomer = z.strictObject({ userIds: z.array(Id).max(50) });
export const ReleaseCustomer = z.strictObject({ reason: optionalText(200) });

export const OwnerChange = z.object({
  id: Id,
  kind: z.enum(['create', 'claim', 'release', 'assign', 'auto-release']),
  fromUserId: Id.nullable(),
  fromUserName: z.string().nullable(),
  toUserId: Id.nullable(),
  toUserName: z.string().nullable(),
  reason: z.string().nullable(),
  at: Timestamp,
  byUserId: Id.nullable(),
  byUserName: z.string().nullable(),
});
export type OwnerChange = z.infer<typeof OwnerChange>;

// ---------- contacts ----------

export const Contact = z.object({
  id: Id,
  customerId: Id,
  name: z.string(),
  title: z.string().nullable(),
  department: z.string().nullable(),
  phones: z.array(z.string()),
  emails: z.array(z.string()),
  wechat: z.string().nullable(),
  isPrimary: z.boolean(),
  notes: z.string().nullable(),
  /** Personal data erased on request (个人信息保护法): the name is the marker 已删除的联系人, the record read-only. */
  erasedAt: Timestamp.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Contact = z.infer<typeof Contact>;

/** Erasing a contact's personal data: the caller types the contact's current name to confirm. */
export const ContactErase = z.strictObject({ confirmName: z.string().trim().min(1).max(50) });
export type ContactErase = z.infer<typeof ContactErase>;

/** Putting a customer under legal hold 法律保全 (a reason required) or releasing it. */
export const LegalHoldChange = z.strictObject({ held: z.boolean(), reason: optionalText(500) });
export type LegalHoldChange = z.infer<typeof LegalHoldChange>;
const ContactFields = {
  name: text(50),
  title: optionalText(50),
  department: optionalText(50),
  phones: z.array(Phone).max(10).optional(),
  emails: z.array(Email).max(10).optional(),
  wechat: optionalText(50),
  isPrimary: z.boolean().optional(),
  notes: optionalText(2000),
};
export const ContactCreate = z.strictObject({ customerId: Id, ...ContactFields });
export type ContactCreate = z.infer<typeof ContactCreate>;
export const ContactUpdate = z.strictObject(ContactFields).partial();
export type ContactUpdate = z.infer<typeof ContactUpdate>;
export const ContactListQuery = listQuery(['name', 'createdAt'], { customerId: Id.optional() });
export type ContactListQuery = z.infer<typeof ContactListQuery>;

// ---------- contact log ----------

export const ContactLog = z.object({
  id: Id,
  customerId: Id,
  customerName: z.string(),
  contactId: Id.nullable(),
  contactName: z.string().nullable(),
  direction: z.enum(CONTACT_DIRECTIONS),
  channel: z.enum(CONTACT_CHANNELS),
  occurredAt: Timestamp,
  userId: Id,
  userName: z.string(),
  summary: z.string(),
  nextContactOn: z.string().nullable(),
  attachments: z.array(Attachment),
  createdAt: Timestamp,
});
export type ContactLog = z.infer<typeof ContactLog>;
export const ContactLogCreate = z.strictObject({
  customerId: Id,
  contactId: Id.nullable().optional(),
  direction: z.enum(CONTACT_DIRECTIONS),
  channel: z.enum(CONTACT_CHANNELS),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  summary: text(5000),
  nextContactOn: BusinessDate.nullable().optional(),
});
export type ContactLogCreate = z.infer<typeof ContactLogCreate>;
export const ContactLogListQuery = listQuery(['occurredAt'], {
  customerId: Id.optional(),
  direction: z.enum(CONTACT_DIRECTIONS).optional(),
  channel: z.enum(CONTACT_CHANNELS).optional(),
});
export type ContactLogListQuery = z.infer<typeof ContactLogListQuery>;

// ---------- the answer box ----------

const AnswerContact = z.object({
  id: Id,
  name: z.string(),
  title: z.string().nullable(),
  department: z.string().nullable(),
  phones: z.array(z.string()),
  emails: z.array(z.string()),
});

/** One card answering the seed's questions about a customer at a glance. */
export const AnswerCard = z.object({
  customer: z.object({
    id: Id,
    name: z.string(),
    status: z.enum(CUSTOMER_STATUSES),
    creditCode: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    ownerId: Id.nullable(),
    ownerName: z.string().nullable(),
    nextContactOn: z.string().nullable(),
  }),
  /** Who is the customer's contact and what is their phone. */
  primaryContact: AnswerContact.nullable(),
  /** The accounts-payable / finance contact (department like 应付, 财务, 出纳, AP). */
  payablesContact: AnswerContact.nullable(),
  /** The contacts whose name, phone or e-mail matched the query. */
  matchedContacts: z.array(AnswerContact),
  lastContact: z
    .object({
      at: Timestamp,
      direction: z.enum(CONTACT_DIRECTIONS),
      channel: z.enum(CONTACT_CHANNELS),
      userName: z.string(),
      summary: z.string(),
    })
    .nullable(),
  contactCount: z.int(),
  /** Open business with them: the open opportunities the reader may see (most valuable first, up to 3) and their count and exact total. */
  openBusiness: z.object({
    count: z.int(),
    totalAmount: z.string(),
    top: z.array(
      z.object({
        id: Id,
        name: z.string(),
        stageNameZh: z.string(),
        stageNameEn: z.string(),
        expectedAmount: z.string().nullable(),
      }),
    ),
  }),
});
export type AnswerCard = z.infer<typeof AnswerCard>;
export const AnswerQuery = z.strictObject({
  q: z.string().trim().min(1).max(100),
  limit: z.coerce.number().int().min(1).max(20).default(5),
});
export const Answers = z.object({ cards: z.array(AnswerCard) });

// ---------- recurring services ----------

export const SERVICE_CYCLES = ['monthly', 'quarterly', 'annual'] as const;
export const CustomerService = z.object({
  id: Id,
  customerId: Id,
  businessLineId: Id,
  businessLineName: z.string(),
  cycle: z.enum(SERVICE_CYCLES),
  nextDueOn: z.string(),
  active: z.boolean(),
  notes: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type CustomerService = z.infer<typeof CustomerService>;
export const CustomerServiceCreate = z.strictObject({
  customerId: Id,
  businessLineId: Id,
  cycle: z.enum(SERVICE_CYCLES),
  nextDueOn: BusinessDate,
  notes: optionalText(500),
});
export type CustomerServiceCreate = z.infer<typeof CustomerServiceCreate>;
export const CustomerServiceUpdate = CustomerServiceCreate.omit({ customerId: true })
  .partial()
  .extend({ active: z.boolean().optional() })
  .strict();
export type CustomerServiceUpdate = z.infer<typeof CustomerServiceUpdate>;
export const CustomerServiceListQuery = listQuery(['nextDueOn', 'createdAt'], {
  customerId: Id.optional(),
  businessLineId: Id.optional(),
  /** Services whose next occurrence is on or before this date. */
  dueBy: BusinessDate.optional(),
  active: z.enum(['true', 'false', 'all']).default('true'),
});
export type CustomerServiceListQuery = z.infer<typeof CustomerServiceListQuery>;

// ---------- customer value evaluation sheet 客户价值评估表 ----------

export const VALUE_TIERS = ['A', 'B', 'C', 'D'] as const;
export type ValueTier = (typeof VALUE_TIERS)[number];

/** A percentage with at most two decimals (weights are kept exact in hundredths). */
const Percent = z
  .number()
  .min(0.01)
  .max(100)
  .refine((v) => Number.isInteger(Math.round(v * 100)) && Math.abs(v * 100 - Math.round(v * 100)) < 1e-9, {
    message: 'validation.invalid',
  });

export const EvaluationFactor = z.strictObject({
  key: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_-]{0,31}$/, { message: 'validation.roleCode' }),
  name: text(50),
  weight: Percent,
  options: z
    .array(z.strictObject({ label: text(50), score: z.int().min(0).max(100) }))
    .min(2)
    .max(10),
});
export type EvaluationFactor = z.infer<typeof EvaluationFactor>;

export const EvaluationSheetInput = z
  .strictObject({
    factors: z.array(EvaluationFactor).min(1).max(20),
    /** Minimum value score for tiers A, B and C; below C is D. */
    tiers: z.strictObject({
      A: z.number().min(0).max(100),
      B: z.number().min(0).max(100),
      C: z.number().min(0).max(100),
    }),
  })
  .refine((s) => s.factors.reduce((sum, f) => sum + Math.round(f.weight * 100), 0) === 10000, {
    message: 'validation.weightsSum',
    path: ['factors'],
  })
  .refine((s) => s.tiers.A > s.tiers.B && s.tiers.B > s.tiers.C, { message: 'validation.tiersOrder', path: ['tiers'] })
  .refine((s) => new Set(s.factors.map((f) => f.key)).size === s.factors.length, {
    message: 'validation.duplicateKeys',
    path: ['factors'],
  });
export type EvaluationSheetInput = z.infer<typeof EvaluationSheetInput>;

export const EvaluationSheet = z.object({
  id: Id,
  version: z.int(),
  factors: z.array(EvaluationFactor),
  tiers: z.object({ A: z.number(), B: z.number(), C: z.number() }),
  createdAt: Timestamp,
});
export type EvaluationSheet = z.infer<typeof EvaluationSheet>;

/** A salesperson's scoring: for each factor key, the index of the chosen option. */
export const EvaluationCreate = z.strictObject({
  answers: z.record(z.string(), z.int().min(0).max(9)),
  notes: optionalText(500),
});

export const Evaluation = z.object({
  id: Id,
  customerId: Id,
  sheetId: Id,
  sheetVersion: z.int(),
  answers: z.record(z.string(), z.int()),
  /** 0–100 with two decimals, as a string so it is exact. */
  score: z.string(),
  tier: z.enum(VALUE_TIERS),
  notes: z.string().nullable(),
  evaluatedBy: Id,
  evaluatedByName: z.string(),
  evaluatedAt: Timestamp,
});
export type Evaluation = z.infer<typeof Evaluation>;

// ---------- settings ----------

export const CustomerSettings = z.object({
  /** Customers nobody contacted for this many days go back to the public pool; null = never. */
  poolReturnDays: z.int().min(7).max(3650).nullable(),
  /** After how many days without contact a customer counts as going inactive (a follow-up is suggested), per value tier; null = never. */
  inactiveDays: InactiveDays,
  /** The most each user may keep in contact-log attachments (MB, counted by uploader); default 1024 (1 GB). */
  attachmentQuotaMb: z.int().min(1).max(MAX_ATTACHMENT_QUOTA_MB),
});
export type CustomerSettings = z.infer<typeof CustomerSettings>;
export const CustomerSettingsUpdate = CustomerSettings.partial().strict();

/** Moves the next contact date (until the next logged contact sets it again); null clears it. */
export const NextContactChange = z.strictObject({ on: BusinessDate.nullable() });
export type NextContactChange = z.infer<typeof NextContactChange>;

// ---------- the customer page ----------

/** The contact log's first page on the customer page (the /overview answer carries exactly this page). */
export const OVERVIEW_LOG_PAGE_SIZE = 20;

/** Everything the customer page shows first, in one answer: profile, every contact, the contact log's first page. */
export const CustomerOverview = z.object({
  customer: Customer,
  contacts: Contact.array(),
  contactLog: pageOf(ContactLog),
});
export type CustomerOverview = z.infer<typeof CustomerOverview>;
