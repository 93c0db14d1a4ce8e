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
