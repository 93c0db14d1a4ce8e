import { and, count, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { Grants } from '../../../common/permissions';
import type { Page } from '../../../common/schemas/common';
import type { Role } from '../../../common/schemas/staff';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, duplicate, notFound } from '../../errors';
import { containsPattern, offsetOf, orderFrom, outer, pageWithTotal } from '../../lib/listing';
import { recordAudit } from '../audit/audit.service';
import { deleteGuarded } from './reference.service';
import { roles, users } from './staff.tables';

type Row = typeof roles.$inferSelect;

// Correlated subqueries: qualified names (see outer() in lib/listing.ts).
const userCount = sql<number>`(SELECT count(*)::int FROM ${users} WHERE ${users.roleId} = ${outer(roles.id)})`.mapWith(
  Number,
);

function present(row: Row, users: number): Role {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    description: row.description,
    builtin: row.builtin,
    grants: row.grants,
    requiresTwoFactor: row.requiresTwoFactor,
    userCount: users,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function findRoles(
  ctx: Ctx,
  query: { q?: string; page: number; pageSize: number; sort?: string },
): Promise<Page<Role>> {
  const filters: SQL[] = [];
  if (query.q)
    filters.push(or(ilike(roles.name, containsPattern(query.q)), ilike(roles.code, containsPattern(query.q)))!);
  const where = and(...filters);
  const order = orderFrom(query.sort, { name: roles.name, code: roles.code }, 'code', roles.id);
  const { rows, total } = await pageWithTotal(
    query,
    ctx.db
      .select({ row: roles, userCount })
      .from(roles)
      .where(where)
      .orderBy(sql`${roles.builtin} DESC`, ...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () => ctx.db.select({ total: count() }).from(roles).where(where),
  );
  return { items: rows.map((r) => present(r.row, r.userCount)), total, page: query.page, pageSize: query.pageSize };
}

export async function getRole(ctx: Ctx, id: string): Promise<Role> {
  const [r] = await ctx.db.select({ row: roles, userCount }).from(roles).where(eq(roles.id, id));
  if (!r) throw notFound();
  return present(r.row, r.userCount);
}

export async function createRole(
  ctx: Ctx,
  input: { code: string; name: string; description?: string | null; grants: Grants; requiresTwoFactor?: boolean },
): Promise<Role> {
  return inTransaction(ctx, async (tx) => {
    const [clash] = await tx.db.select({ id: roles.id }).from(roles).where(eq(roles.code, input.code));
    if (clash) throw duplicate('field.code', input.code);
    const [row] = await tx.db
      .insert(roles)
      .values({
        code: input.code,
        name: input.name,
        description: input.description ?? null,
        grants: input.grants,
        requiresTwoFactor: input.requiresTwoFactor ?? false,
        createdBy: ctx.actor.id,
      })
      .returning();
    const record = present(row, 0);
    await recordAudit(tx, { action: 'create', entityType: 'role', entityId: row.id, after: record });
    return record;
  });
}

export async function updateRole(
  ctx: Ctx,
  id: string,
  patch: { name?: string; description?: string | null; grants?: Grants; requiresTwoFactor?: boolean },
): Promise<Role> {
  return inTransaction(ctx, async (tx) => {
    const before = await getRole(tx, id);
    await tx.db
      .update(roles)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(roles.id, id));
    const after = await getRole(tx, id);
    await recordAudit(tx, { action: 'update', entityType: 'role', entityId: id, before, after });
    return after;
  });
}

export async function deleteRole(ctx: Ctx, id: string): Promise<void> {
  await deleteGuarded(ctx, async (tx) => {
    const before = await getRole(tx, id);
    if (before.builtin) throw new AppError('BUILTIN_ROLE');
    await tx.db.delete(roles).where(eq(roles.id, id));
    await recordAudit(tx, { action: 'delete', entityType: 'role', entityId: id, before });
  });
}

export async function getRoleIdByCode(db: Db, code: string): Promise<string | null> {
  const [row] = await db.select({ id: roles.id }).from(roles).where(eq(roles.code, code));
  return row?.id ?? null;
}
