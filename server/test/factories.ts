import { eq } from 'drizzle-orm';
import type { StaffCategory } from '../../common/schemas/staff';
import type { Db } from '../db/client';
import { hashPassword } from '../domains/auth/passwords';
import { branches, businessLines, departments, regions } from '../domains/staff/staff.tables';
import { seedDepartment, seedReference, seedUser } from '../seed/seeders';
import type { Opportunity } from '../../common/schemas/opportunities';
import { customers } from '../domains/customers/customers.tables';
import { createOpportunity } from '../domains/opportunities/opportunities.service';
import { loadActor } from '../domains/staff/actors';
import { searchTextOf } from '../lib/search-text';
import { TEST_PASSWORD, uniq, type TestApp } from './harness';

/**
 * Factories build their own parents and take overrides, so a test never depends on
 * another test's rows (or on the demo firm).
 */
let passwordHash: Promise<string> | undefined;

export function buildDepartment(db: Db, overrides: { name?: string; parentId?: string | null } = {}) {
  return seedDepartment(db, { name: overrides.name ?? uniq('部门'), parentId: overrides.parentId ?? null });
}

export function buildBranch(db: Db, name = uniq('分所')) {
  return seedReference(db, branches, { name });
}
export function buildRegion(db: Db, name = uniq('区域')) {
  return seedReference(db, regions, { name });
}
export function buildBusinessLine(db: Db, overrides: { name?: string; code?: string } = {}) {
  return seedReference(db, businessLines, {
    name: overrides.name ?? uniq('业务'),
    code: overrides.code ?? `T${Math.random().toString(36).slice(2, 8).toUpperCase()}`,
  });
}

export type UserOverrides = {
  username?: string;
  displayName?: string;
  roleCode?: string;
  departmentId?: string | null;
  staffCategory?: StaffCategory;
  active?: boolean;
  phone?: string;
  email?: string;
};

/** A user with the test password; makes a department for them unless one is given (null: none). */
export async function buildUser(db: Db, overrides: UserOverrides = {}) {
  const departmentId = overrides.departmentId === undefined ? (await buildDepartment(db)).id : overrides.departmentId;
  passwordHash ??= hashPassword(TEST_PASSWORD);
  return seedUser(db, {
    username: overrides.username ?? uniq('u').toLowerCase(),
    displayName: overrides.displayName ?? uniq('员工'),
    password: TEST_PASSWORD,
    passwordHash: await passwordHash,
    roleCode: overrides.roleCode ?? 'salesperson',
    departmentId,
    staffCategory: overrides.staffCategory,
    active: overrides.active,
    phone: overrides.phone,
    email: overrides.email,
  });
}

/** A user of a role, signed in. */
export async function signedIn(t: TestApp, overrides: UserOverrides = {}) {
  const user = await buildUser(t.database.db, overrides);
  return { user, client: await t.login(user.username) };
}

export async function setDepartmentManager(db: Db, departmentId: string, userId: string) {
  await db.update(departments).set({ managerId: userId }).where(eq(departments.id, departmentId));
}

export type OpportunityOverrides = {
  /** Default: a new salesperson in a new department. */
  ownerId?: string;
  /** Default: a new customer owned by the owner. */
  customerId?: string;
  /** Default: a new business line (it uses the default pipeline). */
  businessLineId?: string;
  name?: string;
  contactId?: string | null;
  expectedAmount?: string | null;
  expectedCloseOn?: string | null;
  nextStep?: string | null;
  campaignId?: string | null;
  isProject?: boolean;
};

/**
 * An opportunity in the first open stage of its line's pipeline, created through the service as
 * its owner (with firm-wide reach, so any customer can be given), history and audit included.
 */
export async function buildOpportunity(t: TestApp, overrides: OpportunityOverrides = {}): Promise<Opportunity> {
  const db = t.database.db;
  const ownerId = overrides.ownerId ?? (await buildUser(db)).id;
  let customerId = overrides.customerId;
  if (!customerId) {
    const name = uniq('测试客户有限公司');
    const [customer] = await db
      .insert(customers)
      .values({ name, ownerId, searchText: searchTextOf([name]) })
      .returning({ id: customers.id });
    customerId = customer.id;
  }
  const businessLineId = overrides.businessLineId ?? (await buildBusinessLine(db)).id;
  const owner = await loadActor(db, ownerId);
  if (!owner) throw new Error(`buildOpportunity: no active user ${ownerId}`);
  const actor = {
    ...owner,
    grants: {
      ...owner.grants,
      'customers:read': 'all' as const,
      'opportunities:read': 'all' as const,
      'opportunities:write': 'all' as const,
    },
  };
  const { ownerId: _owner, customerId: _customer, businessLineId: _line, name, ...fields } = overrides;
  return createOpportunity(
    { db, actor, requestId: 'factory', jobs: t.app.jobs },
    { ...fields, name: name ?? uniq('商机'), customerId, businessLineId },
  );
}
