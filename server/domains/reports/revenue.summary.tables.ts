import { customType, date, index, numeric, pgTable, primaryKey, unique, uuid } from 'drizzle-orm/pg-core';

/*
 * The revenue summary 收入与应收汇总 (revenue.summary.ts): the figures of the revenue report (revenue.report.ts) kept
 * per subject — a contract, or an order without one — so that a year reads thousands of rows, not the 700,000 terms,
 * allocations, receipts and invoices behind them. The key in report_stale is the subject's id.
 */

/** A span of days, `[from, until)`; an open end is NULL. */
const daterange = customType<{ data: string }>({ dataType: () => 'daterange' });

const amount = (name: string) => numeric(name, { precision: 16, scale: 2 }).notNull().default('0');

/**
 * A subject's figures by day: contracted (the day it was signed or confirmed), invoiced, received, and the change of
 * the outstanding balance (a term's amount from the later of its due date and the subject's date; minus each valid
 * allocation from the later of that day and its receipt's date) — with the subject's dimensions and the columns its
 * visibility needs (owner, department; the team is read from contract_members). Read for the days of a month the
 * report does not take whole (today's month, a custom range), for a region, and for records seen through a team.
 */
export const revenueSummaryDays = pgTable(
  'revenue_summary_days',
  {
    subjectId: uuid('subject_id').notNull(),
    ownerId: uuid('owner_id').notNull(),
    departmentId: uuid('department_id').notNull(),
    businessLineId: uuid('business_line_id').notNull(),
    branchId: uuid('branch_id'),
    regionId: uuid('region_id'),
    day: date('day').notNull(),
    contracted: amount('contracted'),
    invoiced: amount('invoiced'),
    received: amount('received'),
    change: amount('change'),
  },
  (t) => [primaryKey({ columns: [t.subjectId, t.day] }), index('revenue_summary_days_day_idx').on(t.day)],
);

/**
 * The same figures added up by month and owner, department, business line and branch (the day rows' sums, kept by
 * the catch-up as it replaces a subject's day rows): what a whole month reads, a few thousand rows for the firm.
 */
export const revenueSummaryMonths = pgTable(
  'revenue_summary_months',
  {
    ownerId: uuid('owner_id').notNull(),
    departmentId: uuid('department_id').notNull(),
    businessLineId: uuid('business_line_id').notNull(),
    branchId: uuid('branch_id'),
    /** The month's first day. */
    month: date('month').notNull(),
    contracted: amount('contracted'),
    invoiced: amount('invoiced'),
    received: amount('received'),
    change: amount('change'),
  },
  (t) => [
    unique('revenue_summary_months_key')
      .on(t.ownerId, t.departmentId, t.businessLineId, t.branchId, t.month)
      .nullsNotDistinct(),
  ],
);

/**
 * The ageing's open amounts: for each receivable term, from each day its open amount changes (the subject's date,
 * then each valid receipt's date after it) until the next (or for ever: NULL), its amount less what valid receipts
 * dated by then gave it, when above zero. The ageing as of a day reads the rows whose span holds it: one per term
 * open then.
 */
export const revenueSummaryOpen = pgTable(
  'revenue_summary_open',
  {
    termId: uuid('term_id').notNull(),
    subjectId: uuid('subject_id').notNull(),
    ownerId: uuid('owner_id').notNull(),
    departmentId: uuid('department_id').notNull(),
    businessLineId: uuid('business_line_id').notNull(),
    branchId: uuid('branch_id'),
    regionId: uuid('region_id'),
    dueOn: date('due_on'),
    /**
     * The days it is open for this amount: from the subject's date ('-infinity' for a subject without one) or a
     * receipt's, to the next receipt's (excluded; none: for ever). Searched with a GiST index that also holds the
     * columns the ageing reads (in the migration's custom block: drizzle cannot declare INCLUDE), so that the terms
     * open at a day are read from the index alone.
     */
    during: daterange('during').notNull(),
    open: amount('open'),
  },
  (t) => [primaryKey({ columns: [t.termId, t.during] }), index('revenue_summary_open_subject_idx').on(t.subjectId)],
);
