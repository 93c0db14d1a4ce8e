import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { StaffCategory } from '../../common/schemas/staff';
import type { Db } from '../db/client';
import { hashPassword } from '../domains/auth/passwords';
import {
  branches,
  businessLines,
  departments,
  regions,
  roles,
  userBusinessLines,
  users,
} from '../domains/staff/staff.tables';

/**
 * Low-level inserts shared by the demo firm and the test factories. They bypass the
 * services (there is no acting user yet) and write no audit entries.
 */
export async function seedDepartment(db: Db, input: { name: string; parentId?: string | null; sortOrder?: number }) {
  const id = randomUUID();
  let parentPath = '/';
  if (input.parentId) {
    const [parent] = await db
      .select({ path: departments.path })
      .from(departments)
      .where(eq(departments.id, input.parentId));
    parentPath = parent.path;
  }
  const [row] = await db
    .insert(departments)
    .values({
      id,
      name: input.name,
      parentId: input.parentId ?? null,
      path: `${parentPath}${id}/`,
      sortOrder: input.sortOrder ?? 0,
    })
    .returning();
  return row;
}

export async function seedReference(
  db: Db,
  table: typeof branches | typeof regions | typeof businessLines,
  input: { name: string; code?: string; sortOrder?: number },
) {
  const [row] = await db
    .insert(table as typeof businessLines)
    .values({ name: input.name, code: input.code ?? (null as unknown as string), sortOrder: input.sortOrder ?? 0 })
    .returning();
  return row;
}

export type SeedUserInput = {
  username: string;
  displayName: string;
  password: string;
  roleCode: string;
  departmentId?: string | null;
  branchId?: string | null;
  regionId?: string | null;
  businessLineIds?: string[];
  staffCategory?: StaffCategory;
  isPracticingCpa?: boolean;
  email?: string | null;
  phone?: string | null;
  active?: boolean;
  /** Reuse a hash (the demo firm gives everybody the same password). */
  passwordHash?: string;
};

export async function seedUser(db: Db, input: SeedUserInput) {
  const [role] = await db.select({ id: roles.id }).from(roles).where(eq(roles.code, input.roleCode));
  if (!role) throw new Error(`unknown role ${input.roleCode}`);
  const [row] = await db
    .insert(users)
    .values({
      username: input.username,
      displayName: input.displayName,
      passwordHash: input.passwordHash ?? (await hashPassword(input.password)),
      roleId: role.id,
      departmentId: input.departmentId ?? null,
      branchId: input.branchId ?? null,
      regionId: input.regionId ?? null,
      staffCategory: input.staffCategory ?? 'frontline',
      isPracticingCpa: input.isPracticingCpa ?? false,
      email: input.email ?? null,
      phone: input.phone ?? null,
      active: input.active ?? true,
    })
    .returning();
  if (input.businessLineIds?.length) {
    await db
      .insert(userBusinessLines)
      .values(input.businessLineIds.map((businessLineId) => ({ userId: row.id, businessLineId })));
  }
  return row;
}
