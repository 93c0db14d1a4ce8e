import { randomUUID } from 'node:crypto';
import { and, asc, count, eq, ilike, isNull, like, sql, type SQL } from 'drizzle-orm';
import type { Page } from '../../../common/schemas/common';
import type { Department } from '../../../common/schemas/staff';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, duplicate, inactiveReference, notFound } from '../../errors';
import { containsPattern, offsetOf, orderFrom, outer, pageWithTotal } from '../../lib/listing';
import { recordAudit } from '../audit/audit.service';
import { deleteGuarded } from './reference.service';
import { departments, users } from './staff.tables';

type Row = typeof departments.$inferSelect;

function present(row: Row, userCount: number, managerName: string | null): Department {
  return {
    id: row.id,
    name: row.name,
    parentId: row.parentId,
    managerId: row.managerId,
    managerName,
    active: row.active,
    sortOrder: row.sortOrder,
    userCount,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

// Correlated subqueries: qualified names (see outer() in lib/listing.ts).
const userCount =
  sql<number>`(SELECT count(*)::int FROM ${users} WHERE ${users.departmentId} = ${outer(departments.id)})`.mapWith(
    Number,
  );
const managerName = sql<
  string | null
>`(SELECT ${users.displayName} FROM ${users} WHERE ${users.id} = ${outer(departments.managerId)})`;

type ListQuery = { q?: string; page: number; pageSize: number; sort?: string; active: 'true' | 'false' | 'all' };

/** The department list is reference data: every signed-in user may read it (forms pick from it). */
export async function findDepartments(ctx: Ctx, query: ListQuery): Promise<Page<Department>> {
  const filters: (SQL | undefined)[] = [];
  if (query.active !== 'all') filters.push(eq(departments.active, query.active === 'true'));
  if (query.q) filters.push(ilike(departments.name, containsPattern(query.q)));
  const where = and(...filters);
  const order = orderFrom(
    query.sort,
    { name: departments.name, sortOrder: departments.sortOrder },
    'sortOrder',
    departments.id,
  );
  const { rows, total } = await pageWithTotal(
    query,
    ctx.db
      .select({ row: departments, userCount, managerName })
      .from(departments)
      .where(where)
      .orderBy(...order, asc(departments.name))
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () => ctx.db.select({ total: count() }).from(departments).where(where),
  );
  return {
    items: rows.map((r) => present(r.row, r.userCount, r.managerName)),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}

async function loadDepartment(db: Db, id: string): Promise<Row> {
  const [row] = await db.select().from(departments).where(eq(departments.id, id));
  if (!row) throw notFound();
  return row;
}

export async function getDepartment(ctx: Ctx, id: string): Promise<Department> {
  const [r] = await ctx.db
    .select({ row: departments, userCount, managerName })
    .from(departments)
    .where(eq(departments.id, id));
  if (!r) throw notFound();
  return present(r.row, r.userCount, r.managerName);
}

async function assertNameFreeAmongSiblings(db: Db, name: string, parentId: string | null, exceptId?: string) {
  const [clash] = await db
    .select({ id: departments.id })
    .from(departments)
    .where(
      and(eq(departments.name, name), parentId ? eq(departments.parentId, parentId) : isNull(departments.parentId)),
    );
  if (clash && clash.id !== exceptId) throw duplicate('field.name', name);
}

async function assertManager(db: Db, managerId: string | null | undefined) {
  if (!managerId) return;
  const [manager] = await db.select({ active: users.active }).from(users).where(eq(users.id, managerId));
  if (!manager?.active) throw inactiveReference('field.manager');
}

async function loadActiveParent(db: Db, parentId: string): Promise<Row> {
  const [parent] = await db.select().from(departments).where(eq(departments.id, parentId));
  if (!parent?.active) throw inactiveReference('field.department');
  return parent;
}

type DepartmentInput = {
  name?: string;
  parentId?: string | null;
  managerId?: string | null;
  sortOrder?: number;
  active?: boolean;
};

export async function createDepartment(ctx: Ctx, input: DepartmentInput & { name: string }): Promise<Department> {
  return inTransaction(ctx, async (tx) => {
    const parent = input.parentId ? await loadActiveParent(tx.db, input.parentId) : null;
    await assertNameFreeAmongSiblings(tx.db, input.name, parent?.id ?? null);
    await assertManager(tx.db, input.managerId);
    const id = randomUUID();
    const [row] = await tx.db
      .insert(departments)
      .values({
        id,
        name: input.name,
        parentId: parent?.id ?? null,
        path: `${parent?.path ?? '/'}${id}/`,
        managerId: input.managerId ?? null,
        sortOrder: input.sortOrder ?? 0,
        createdBy: ctx.actor.id,
      })
      .returning();
    const record = present(row, 0, null);
    await recordAudit(tx, { action: 'create', entityType: 'department', entityId: id, after: record });
    return record;
  });
}

export async function updateDepartment(ctx: Ctx, id: string, patch: DepartmentInput): Promise<Department> {
  return inTransaction(ctx, async (tx) => {
    const current = await loadDepartment(tx.db, id);
    const before = await getDepartment(tx, id);
    const parentId = patch.parentId === undefined ? current.parentId : patch.parentId;
    let path = current.path;
    if (parentId !== current.parentId) {
      const parent = parentId ? await loadActiveParent(tx.db, parentId) : null;
      if (parent && parent.path.startsWith(current.path)) throw new AppError('DEPARTMENT_CYCLE');
      path = `${parent?.path ?? '/'}${id}/`;
      // Re-root the whole subtree: every descendant's path starts with the old path.
      await tx.db
        .update(departments)
        .set({ path: sql`${path}::text || substring(${departments.path} from ${current.path.length + 1}::int)` })
        .where(like(departments.path, `${current.path}%`));
    }
    if (patch.name !== undefined || parentId !== current.parentId) {
      await assertNameFreeAmongSiblings(tx.db, patch.name ?? current.name, parentId, id);
    }
    await assertManager(tx.db, patch.managerId);
    await tx.db
      .update(departments)
      .set({ ...patch, parentId, path, updatedAt: new Date() })
      .where(eq(departments.id, id));
    const after = await getDepartment(tx, id);
    const action =
      patch.active === false && before.active
        ? 'deactivate'
        : patch.active === true && !before.active
          ? 'activate'
          : 'update';
    await recordAudit(tx, { action, entityType: 'department', entityId: id, before, after });
    return after;
  });
}

/** Deletes an empty department; one with sub-departments or staff is REFERENCE_IN_USE. */
export async function deleteDepartment(ctx: Ctx, id: string): Promise<void> {
  await deleteGuarded(ctx, async (tx) => {
    const before = await getDepartment(tx, id);
    await tx.db.delete(departments).where(eq(departments.id, id));
    await recordAudit(tx, { action: 'delete', entityType: 'department', entityId: id, before });
  });
}

/** Path of a department, for visibility of its subtree. */
export async function getDepartmentPath(db: Db, id: string): Promise<string | null> {
  const [row] = await db.select({ path: departments.path }).from(departments).where(eq(departments.id, id));
  return row?.path ?? null;
}
