import { sql, type SQL } from 'drizzle-orm';
import { RECEIVABLE_CONTRACT_STATUSES, RECEIVABLE_ORDER_STATUSES } from '../../../common/schemas/receivables';
import type { Db } from '../../db/client';
import { SIGNED } from '../contracts/contracts.service';
import type { Summary } from './summaries';

/*
 * The revenue summary (revenue.summary.tables.ts), built from the base rows exactly as revenue.report.ts counts
 * them ("What is counted" there): per subject — a contract, or an order without one —
 * - its day rows: contracted on the day it was signed or confirmed (a contract that stands signed; a confirmed or
 *   completed order), invoiced on each valid invoice's day, received on each valid receipt's day (its whole amount),
 *   and the change of the outstanding balance: each term of a receivable subject with a due date adds its amount
 *   from the later of its due date and the subject's date; each allocation of a valid receipt to it takes its amount
 *   away from the later of that day and the receipt's date;
 * - the month rows, the day rows' sums by (owner, department, business line, branch, month), kept by adding what a
 *   catch-up changes (the new day rows less the old);
 * - the ageing's open spans: each receivable term (any due date) is open from the subject's date for its amount less
 *   what valid receipts dated by then gave it, changing at each later receipt's date; a span is kept when that is
 *   above zero.
 * Dimensions: the contract's branch, else its owner's (an order: its owner's); the customer's region; the business
 * line, department and owner. The key is the subject's id: the migration's triggers (0036, `-- custom:`) mark it on a
 * change of the subject, its terms, invoices, receipts (their own subject, and their allocations' terms'),
 * allocations, its customer's region or its owner's branch.
 */

const list = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

/** The subjects of `keys` (all of them: `true`), with their dimensions and what they count for. */
function subjects(keys: string[] | 'all'): SQL {
  const only = (column: SQL) => (keys === 'all' ? sql`true` : sql`${column} = ANY(${`{${keys.join(',')}}`}::uuid[])`);
  return sql`SELECT c.id, c.signed_on AS made_on, c.amount,
      c.status IN (${list(SIGNED)}) AS counts, c.status IN (${list(RECEIVABLE_CONTRACT_STATUSES)}) AS receivable,
      c.owner_id, c.department_id, c.business_line_id, coalesce(c.branch_id, u.branch_id) AS branch_id, cu.region_id
    FROM contracts c JOIN users u ON u.id = c.owner_id JOIN customers cu ON cu.id = c.customer_id
    WHERE ${only(sql`c.id`)}
    UNION ALL
    SELECT o.id, o.confirmed_on, o.amount,
      o.status IN ('confirmed', 'completed'), o.status IN (${list(RECEIVABLE_ORDER_STATUSES)}),
      o.owner_id, o.department_id, o.business_line_id, u.branch_id, cu.region_id
    FROM orders o JOIN users u ON u.id = o.owner_id JOIN customers cu ON cu.id = o.customer_id
    WHERE o.contract_id IS NULL AND ${only(sql`o.id`)}`;
}

/**
 * The CTEs `subj` (the subjects), `terms` (their receivable terms: a term has exactly one of contract and order, so
 * each joins its subject by one of them) and `allocs` (the allocations of valid receipts to those terms).
 */
const base = (keys: string[] | 'all') => sql`subj AS MATERIALIZED (${subjects(keys)}),
  terms AS MATERIALIZED (
    SELECT t.id, t.amount, t.due_on, s.id AS subject_id, s.made_on FROM payment_terms t JOIN subj s ON s.id = t.contract_id
    WHERE s.receivable
    UNION ALL
    SELECT t.id, t.amount, t.due_on, s.id, s.made_on FROM payment_terms t JOIN subj s ON s.id = t.order_id
    WHERE s.receivable),
  allocs AS (
    SELECT t.id AS term_id, t.subject_id, t.due_on, t.made_on, r.received_on, a.amount
    FROM receipt_allocations a JOIN terms t ON t.id = a.term_id
    JOIN receipts r ON r.id = a.receipt_id AND r.status = 'valid')`;

/** The subjects' day rows (columns as revenue_summary_days'). */
const dayRows = (keys: string[] | 'all') => sql`WITH ${base(keys)},
  ev AS (
    SELECT id AS subject_id, made_on AS day, amount AS contracted, 0 AS invoiced, 0 AS received, 0 AS change
    FROM subj WHERE counts AND made_on IS NOT NULL
    UNION ALL
    SELECT s.id, i.issued_on, 0, i.amount, 0, 0 FROM invoices i JOIN subj s ON s.id = i.contract_id WHERE i.status = 'valid'
    UNION ALL
    SELECT s.id, i.issued_on, 0, i.amount, 0, 0 FROM invoices i JOIN subj s ON s.id = i.order_id WHERE i.status = 'valid'
    UNION ALL
    SELECT s.id, r.received_on, 0, 0, r.amount, 0 FROM receipts r JOIN subj s ON s.id = r.contract_id WHERE r.status = 'valid'
    UNION ALL
    SELECT s.id, r.received_on, 0, 0, r.amount, 0 FROM receipts r JOIN subj s ON s.id = r.order_id WHERE r.status = 'valid'
    UNION ALL
    SELECT subject_id, greatest(due_on, coalesce(made_on, due_on)), 0, 0, 0, amount FROM terms WHERE due_on IS NOT NULL
    UNION ALL
    SELECT subject_id, greatest(received_on, due_on, coalesce(made_on, due_on)), 0, 0, 0, -amount
    FROM allocs WHERE due_on IS NOT NULL),
  days AS (
    SELECT subject_id, day, sum(contracted) AS contracted, sum(invoiced) AS invoiced, sum(received) AS received,
      sum(change) AS change
    FROM ev GROUP BY 1, 2
    HAVING sum(contracted) <> 0 OR sum(invoiced) <> 0 OR sum(received) <> 0 OR sum(change) <> 0)
  SELECT d.subject_id, s.owner_id, s.department_id, s.business_line_id, s.branch_id, s.region_id, d.day,
    d.contracted, d.invoiced, d.received, d.change
  FROM days d JOIN subj s ON s.id = d.subject_id`;

/** The subjects' open spans (columns as revenue_summary_open'). */
const openRows = (keys: string[] | 'all') => sql`WITH ${base(keys)},
  ev AS (
    SELECT id AS term_id, coalesce(made_on, '-infinity'::date) AS day, amount FROM terms
    UNION ALL
    SELECT term_id, greatest(received_on, made_on), -amount FROM allocs),
  steps AS (SELECT term_id, day, sum(amount) AS amount FROM ev GROUP BY 1, 2),
  runs AS (
    SELECT term_id, day, sum(amount) OVER w AS open, lead(day) OVER w AS until
    FROM steps WINDOW w AS (PARTITION BY term_id ORDER BY day))
  SELECT r.term_id, s.id, s.owner_id, s.department_id, s.business_line_id, s.branch_id, s.region_id, t.due_on,
    daterange(r.day, r.until), r.open
  FROM runs r JOIN terms t ON t.id = r.term_id JOIN subj s ON s.id = t.subject_id
  WHERE r.open > 0`;

const DAY_COLUMNS = sql`(subject_id, owner_id, department_id, business_line_id, branch_id, region_id, day,
  contracted, invoiced, received, change)`;
const OPEN_COLUMNS = sql`(term_id, subject_id, owner_id, department_id, business_line_id, branch_id, region_id,
  due_on, during, open)`;
const MONTH_KEY = sql`owner_id, department_id, business_line_id, branch_id`;

/** Adds `rows` (day rows; `sign` −1: takes them away) to the month rows. */
const addToMonths = (rows: SQL, sign: 1 | -1, by = sql.raw(String(sign))) => sql`INSERT INTO revenue_summary_months AS m
    (${MONTH_KEY}, month, contracted, invoiced, received, change)
  SELECT ${MONTH_KEY}, date_trunc('month', day)::date, ${by} * sum(contracted), ${by} * sum(invoiced),
    ${by} * sum(received), ${by} * sum(change)
  FROM ${rows} GROUP BY ${MONTH_KEY}, 5
  ON CONFLICT ON CONSTRAINT revenue_summary_months_key DO UPDATE SET
    contracted = m.contracted + excluded.contracted, invoiced = m.invoiced + excluded.invoiced,
    received = m.received + excluded.received, change = m.change + excluded.change
  RETURNING m.owner_id`;

export const revenueSummary: Summary = {
  name: 'revenue',
  async rebuild(db: Db, keys: string[] | 'all') {
    if (keys === 'all') {
      await db.execute(sql`DELETE FROM revenue_summary_days`);
      await db.execute(sql`DELETE FROM revenue_summary_months`);
      await db.execute(sql`DELETE FROM revenue_summary_open`);
      await db.execute(sql`INSERT INTO revenue_summary_days ${DAY_COLUMNS} ${dayRows('all')}`);
      await db.execute(sql`INSERT INTO revenue_summary_months (${MONTH_KEY}, month, contracted, invoiced, received, change)
        SELECT ${MONTH_KEY}, date_trunc('month', day)::date, sum(contracted), sum(invoiced), sum(received), sum(change)
        FROM revenue_summary_days GROUP BY ${MONTH_KEY}, 5
        HAVING sum(contracted) <> 0 OR sum(invoiced) <> 0 OR sum(received) <> 0 OR sum(change) <> 0`);
      await db.execute(sql`INSERT INTO revenue_summary_open ${OPEN_COLUMNS} ${openRows('all')}`);
      // Statistics for the plans of the reads and catch-ups that follow (a catch-up by key reads the day and open
      // rows by subject: with none, the planner takes the new tables for empty and scans them).
      await db.execute(sql`ANALYZE revenue_summary_days, revenue_summary_months, revenue_summary_open`);
      return;
    }
    if (!keys.length) return;
    const ids = sql`${`{${keys.join(',')}}`}::uuid[]`;
    // Day rows and month rows: the old day rows taken away, the new ones added (two statements: a statement's
    // sub-statements run in no set order, so a delete and an insert of the same day row cannot share one).
    const owners = new Set<string>();
    const touched = (result: unknown) => {
      for (const row of (result as { rows: { owner_id: string }[] }).rows) owners.add(row.owner_id);
    };
    touched(
      await db.execute(sql`WITH old AS (DELETE FROM revenue_summary_days WHERE subject_id = ANY(${ids}) RETURNING *)
        ${addToMonths(sql`old`, -1)}`),
    );
    touched(
      await db.execute(sql`WITH new AS (INSERT INTO revenue_summary_days ${DAY_COLUMNS} ${dayRows(keys)} RETURNING *)
        ${addToMonths(sql`new`, 1)}`),
    );
    // The month rows left at zero (as a full build has none), among those just changed (by their owners: the key's
    // first column).
    if (owners.size)
      await db.execute(sql`DELETE FROM revenue_summary_months
        WHERE owner_id = ANY(${`{${[...owners].join(',')}}`}::uuid[])
          AND contracted = 0 AND invoiced = 0 AND received = 0 AND change = 0`);
    await db.execute(sql`DELETE FROM revenue_summary_open WHERE subject_id = ANY(${ids})`);
    await db.execute(sql`INSERT INTO revenue_summary_open ${OPEN_COLUMNS} ${openRows(keys)}`);
  },
};
