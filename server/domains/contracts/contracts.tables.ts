import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { CONTRACT_STATUSES, ORDER_STATUSES, TERM_KINDS, TERM_TRIGGERS } from '../../../common/schemas/contracts';
import { RECURRING_CYCLES } from '../../../common/schemas/renewals';
import { auditedColumns } from '../../db/columns';
import { contacts, customers } from '../customers/customers.tables';
import { files } from '../files/files.tables';
import { numberSeries } from '../numbering/numbering.tables';
import { opportunities, quotes } from '../opportunities/opportunities.tables';
import { branches, businessLines, departments, users } from '../staff/staff.tables';

const money = (name: string) => numeric(name, { precision: 14, scale: 2 });

/** A contract template 合同模板 per business line; its versions hold the .docx files. */
export const contractTemplates = pgTable(
  'contract_templates',
  {
    ...auditedColumns(),
    businessLineId: uuid('business_line_id')
      .notNull()
      .references(() => businessLines.id),
    name: text('name').notNull(),
    /** The newest published version, which new contracts are made from. */
    publishedVersion: integer('published_version'),
    active: boolean('active').notNull().default(true),
  },
  (t) => [uniqueIndex('contract_templates_name_key').on(t.businessLineId, t.name)],
);

/** Every uploaded version of a template, never changed once published: a contract keeps its version. */
export const contractTemplateVersions = pgTable(
  'contract_template_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    templateId: uuid('template_id')
      .notNull()
      .references(() => contractTemplates.id),
    version: integer('version').notNull(),
    fileId: uuid('file_id')
      .notNull()
      .references(() => files.id),
    /** The placeholders the document uses (each one of the field list). */
    fields: text('fields')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid('created_by').references(() => users.id),
  },
  (t) => [uniqueIndex('contract_template_versions_key').on(t.templateId, t.version)],
);

/** 销售合同. The number is given when it is signed (numbering), never before. */
export const contracts = pgTable(
  'contracts',
  {
    ...auditedColumns(),
    title: text('title').notNull(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    opportunityId: uuid('opportunity_id').references(() => opportunities.id),
    /** The accepted quote its services and fees came from. */
    quoteId: uuid('quote_id').references(() => quotes.id),
    businessLineId: uuid('business_line_id')
      .notNull()
      .references(() => businessLines.id),
    /** Our side: the branch 分所 that signs and its signatory. */
    branchId: uuid('branch_id').references(() => branches.id),
    signatoryId: uuid('signatory_id').references(() => users.id),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id),
    /** The owner's department when the contract was made (visibility by department). */
    departmentId: uuid('department_id')
      .notNull()
      .references(() => departments.id),
    /** The sum of the lines. */
    amount: money('amount').notNull(),
    status: text('status', { enum: CONTRACT_STATUSES }).notNull().default('draft'),
    /** Why it was terminated or voided. */
    statusReason: text('status_reason'),
    templateVersionId: uuid('template_version_id').references(() => contractTemplateVersions.id),
    seriesId: uuid('series_id').references(() => numberSeries.id),
    number: text('number'),
    startOn: date('start_on'),
    endOn: date('end_on'),
    signedOn: date('signed_on'),
    completedOn: date('completed_on'),
    /** The generated document as signed, and its SHA-256. */
    documentFileId: uuid('document_file_id').references(() => files.id),
    documentSha256: text('document_sha256'),
    /** The scanned signed copy. */
    signedCopyFileId: uuid('signed_copy_file_id').references(() => files.id),
    /** A recurring service (annual audit, monthly bookkeeping): renewals are raised before its season. */
    recurringCycle: text('recurring_cycle', { enum: RECURRING_CYCLES }),
    note: text('note'),
    updatedBy: uuid('updated_by').references(() => users.id),
  },
  (t) => [
    uniqueIndex('contracts_number_key').on(t.number),
    // Newest first as the lists sort (orderFrom: desc nulls last), so the first page is read off the index.
    index('contracts_status_line_idx').on(t.status, t.businessLineId, t.createdAt.desc().nullsLast(), t.id),
    index('contracts_line_created_idx').on(t.businessLineId, t.createdAt.desc().nullsLast(), t.id),
    index('contracts_created_idx').on(t.createdAt.desc().nullsLast(), t.id),
    index('contracts_owner_idx').on(t.ownerId),
    index('contracts_department_idx').on(t.departmentId),
    index('contracts_customer_idx').on(t.customerId),
    index('contracts_opportunity_idx').on(t.opportunityId),
    // The renewal job reads the recurring contracts only.
    index('contracts_recurring_idx')
      .on(t.endOn)
      .where(sql`${t.recurringCycle} IS NOT NULL`),
  ],
);

/** The services and fees of a contract. */
export const contractLines = pgTable(
  'contract_lines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    contractId: uuid('contract_id')
      .notNull()
      .references(() => contracts.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    description: text('description').notNull(),
    amount: money('amount').notNull(),
  },
  (t) => [uniqueIndex('contract_lines_position_key').on(t.contractId, t.position)],
);

/** The contract's team (from the opportunity's): they see it as the owner does. */
export const contractMembers = pgTable(
  'contract_members',
  {
    contractId: uuid('contract_id')
      .notNull()
      .references(() => contracts.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.contractId, t.userId] }), index('contract_members_user_idx').on(t.userId)],
);

/** 销售订单: from a signed contract, or from a won opportunity for simple services. Numbered when confirmed. */
export const orders = pgTable(
  'orders',
  {
    ...auditedColumns(),
    title: text('title').notNull(),
    contractId: uuid('contract_id').references(() => contracts.id),
    opportunityId: uuid('opportunity_id').references(() => opportunities.id),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    businessLineId: uuid('business_line_id')
      .notNull()
      .references(() => businessLines.id),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id),
    departmentId: uuid('department_id')
      .notNull()
      .references(() => departments.id),
    amount: money('amount').notNull(),
    status: text('status', { enum: ORDER_STATUSES }).notNull().default('draft'),
    statusReason: text('status_reason'),
    seriesId: uuid('series_id').references(() => numberSeries.id),
    number: text('number'),
    confirmedOn: date('confirmed_on'),
    completedOn: date('completed_on'),
    /** Recurring (an order without a contract): renewals are raised a cycle after it was confirmed. */
    recurringCycle: text('recurring_cycle', { enum: RECURRING_CYCLES }),
    updatedBy: uuid('updated_by').references(() => users.id),
  },
  (t) => [
    uniqueIndex('orders_number_key').on(t.number),
    index('orders_contract_idx').on(t.contractId),
    index('orders_opportunity_idx').on(t.opportunityId),
    index('orders_customer_idx').on(t.customerId),
    index('orders_owner_idx').on(t.ownerId),
    index('orders_created_idx').on(t.createdAt.desc().nullsLast(), t.id),
    // Reports count orders by the day they were confirmed (分所业绩对比, revenue).
    index('orders_confirmed_idx').on(t.confirmedOn),
    index('orders_recurring_idx')
      .on(t.confirmedOn)
      .where(sql`${t.recurringCycle} IS NOT NULL`),
  ],
);

/** An order's service lines. */
export const orderLines = pgTable(
  'order_lines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    businessLineId: uuid('business_line_id')
      .notNull()
      .references(() => businessLines.id),
    description: text('description').notNull(),
    amount: money('amount').notNull(),
  },
  (t) => [uniqueIndex('order_lines_position_key').on(t.orderId, t.position)],
);

/**
 * 付款条件: a contract's terms (entered at signing), or an order's when it has no contract. `invoiced` and
 * `received` are kept by the receivables domain under a row lock, and can never pass the amount.
 */
export const paymentTerms = pgTable(
  'payment_terms',
  {
    ...auditedColumns(),
    contractId: uuid('contract_id').references(() => contracts.id),
    orderId: uuid('order_id').references(() => orders.id),
    position: integer('position').notNull(),
    kind: text('kind', { enum: TERM_KINDS }).notNull(),
    amount: money('amount').notNull(),
    /** When it was entered as a percentage of the contract amount. */
    percent: numeric('percent', { precision: 7, scale: 4 }),
    trigger: text('trigger', { enum: TERM_TRIGGERS }).notNull(),
    triggerDate: date('trigger_date'),
    triggerDays: integer('trigger_days'),
    note: text('note'),
    dueOn: date('due_on'),
    invoiced: money('invoiced').notNull().default('0'),
    received: money('received').notNull().default('0'),
    /** The due date the owner and finance were reminded of (once per due date). */
    remindedFor: date('reminded_for'),
  },
  (t) => [
    check('payment_terms_one_parent', sql`num_nonnulls(${t.contractId}, ${t.orderId}) = 1`),
    check('payment_terms_received_le_amount', sql`${t.received} >= 0 AND ${t.received} <= ${t.amount}`),
    check('payment_terms_invoiced_le_amount', sql`${t.invoiced} >= 0 AND ${t.invoiced} <= ${t.amount}`),
    index('payment_terms_contract_idx').on(t.contractId, t.position),
    index('payment_terms_order_idx').on(t.orderId, t.position),
    index('payment_terms_open_due_idx')
      .on(t.dueOn)
      .where(sql`${t.received} < ${t.amount}`),
  ],
);
