import { sql, type Placeholder, type SQL } from 'drizzle-orm';
import { customers } from '../customers/customers.tables';
import { departments, users } from '../staff/staff.tables';

/**
 * The filters a report's drill-down (销售报表, issue 16) opens a list of contracts, orders, receipts or invoices with,
 * as the reports count them: the business line, the owner, the department and those below it, the branch 分所 — the
 * contract's when it names one, else the owner's — and the customer's region.
 */
export type Dimensions = {
  businessLineId?: string;
  ownerId?: string;
  departmentId?: string;
  branchId?: string;
  regionId?: string;
};
export const DIMENSION_NAMES = ['businessLineId', 'ownerId', 'departmentId', 'branchId', 'regionId'] as const;

/** Where a list's records keep each dimension (SQL over the list's FROM). */
export type DimensionColumns = {
  businessLine: SQL;
  owner: SQL;
  department: SQL;
  /** The contract's branch column (null for an order without a contract). */
  contractBranch: SQL;
  customer: SQL;
};

/** The branch of a record: its contract's, else its owner's current branch. */
export const branchOf = (c: Pick<DimensionColumns, 'contractBranch' | 'owner'>): SQL =>
  sql`coalesce(${c.contractBranch}, (SELECT u.branch_id FROM ${users} u WHERE u.id = ${c.owner}))`;

/**
 * The conditions of the dimensions given; `value` gives each filter's parameter (the value itself, or a placeholder
 * of its name in a statement prepared once).
 */
export function dimensionFilters(
  given: Dimensions,
  c: DimensionColumns,
  value: (name: (typeof DIMENSION_NAMES)[number]) => string | Placeholder = (name) => given[name]!,
): SQL[] {
  const where: SQL[] = [];
  if (given.businessLineId) where.push(sql`${c.businessLine} = ${value('businessLineId')}`);
  if (given.ownerId) where.push(sql`${c.owner} = ${value('ownerId')}`);
  if (given.departmentId)
    where.push(
      sql`${c.department} IN (SELECT d.id FROM ${departments} d
        WHERE d.path LIKE (SELECT p.path FROM ${departments} p WHERE p.id = ${value('departmentId')}) || '%')`,
    );
  if (given.branchId) where.push(sql`${branchOf(c)} = ${value('branchId')}`);
  if (given.regionId)
    where.push(sql`(SELECT cu.region_id FROM ${customers} cu WHERE cu.id = ${c.customer}) = ${value('regionId')}`);
  return where;
}
