import { sql } from 'drizzle-orm';
import { check, date, index, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { INVOICE_KINDS, INVOICE_STATUSES, RECEIPT_STATUSES } from '../../../common/schemas/receivables';
import { auditedColumns } from '../../db/columns';
import { contracts, orders, paymentTerms } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { users } from '../staff/staff.tables';

const money = (name: string) => numeric(name, { precision: 14, scale: 2 });

/**
 * 到款: money that arrived, recorded by finance against a contract (or an order without one), allocated
 * to its terms; what no term takes is `unallocated` — a credit held on the receipt, never lost. A wrong
 * receipt is reversed with a reason, never deleted.
 */
export const receipts = pgTable(
  'receipts',
  {
    ...auditedColumns(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    contractId: uuid('contract_id').references(() => contracts.id),
    orderId: uuid('order_id').references(() => orders.id),
    receivedOn: date('received_on').notNull(),
    amount: money('amount').notNull(),
    unallocated: money('unallocated').notNull(),
    payer: text('payer').notNull(),
    bankReference: text('bank_reference'),
    note: text('note'),
    status: text('status', { enum: RECEIPT_STATUSES }).notNull().default('valid'),
    reversedReason: text('reversed_reason'),
    reversedAt: timestamp('reversed_at', { withTimezone: true }),
    reversedBy: uuid('reversed_by').references(() => users.id),
  },
  (t) => [
    check('receipts_one_parent', sql`num_nonnulls(${t.contractId}, ${t.orderId}) = 1`),
    check('receipts_amounts', sql`${t.amount} > 0 AND ${t.unallocated} >= 0 AND ${t.unallocated} <= ${t.amount}`),
    index('receipts_contract_idx').on(t.contractId),
    index('receipts_order_idx').on(t.orderId),
    index('receipts_customer_idx').on(t.customerId),
    index('receipts_received_idx').on(t.receivedOn),
  ],
);

/** How much of a receipt went to which term. */
export const receiptAllocations = pgTable(
  'receipt_allocations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    receiptId: uuid('receipt_id')
      .notNull()
      .references(() => receipts.id),
    termId: uuid('term_id')
      .notNull()
      .references(() => paymentTerms.id),
    amount: money('amount').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid('created_by').references(() => users.id),
  },
  (t) => [
    check('receipt_allocations_positive', sql`${t.amount} > 0`),
    uniqueIndex('receipt_allocations_key').on(t.receiptId, t.termId),
    index('receipt_allocations_term_idx').on(t.termId),
  ],
);

/** 发票: number, type, amount and date, against terms. Voided, never deleted. */
export const invoices = pgTable(
  'invoices',
  {
    ...auditedColumns(),
    number: text('number').notNull(),
    kind: text('kind', { enum: INVOICE_KINDS }).notNull(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    contractId: uuid('contract_id').references(() => contracts.id),
    orderId: uuid('order_id').references(() => orders.id),
    issuedOn: date('issued_on').notNull(),
    amount: money('amount').notNull(),
    status: text('status', { enum: INVOICE_STATUSES }).notNull().default('valid'),
    voidedReason: text('voided_reason'),
    note: text('note'),
  },
  (t) => [
    check('invoices_one_parent', sql`num_nonnulls(${t.contractId}, ${t.orderId}) = 1`),
    check('invoices_positive', sql`${t.amount} > 0`),
    uniqueIndex('invoices_number_key').on(t.kind, t.number),
    index('invoices_contract_idx').on(t.contractId),
    index('invoices_order_idx').on(t.orderId),
    // The customer's timeline reads a customer's invoices (customer-story).
    index('invoices_customer_idx').on(t.customerId),
  ],
);

export const invoiceAllocations = pgTable(
  'invoice_allocations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    invoiceId: uuid('invoice_id')
      .notNull()
      .references(() => invoices.id),
    termId: uuid('term_id')
      .notNull()
      .references(() => paymentTerms.id),
    amount: money('amount').notNull(),
  },
  (t) => [
    check('invoice_allocations_positive', sql`${t.amount} > 0`),
    uniqueIndex('invoice_allocations_key').on(t.invoiceId, t.termId),
    index('invoice_allocations_term_idx').on(t.termId),
  ],
);
