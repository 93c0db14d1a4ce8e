import { and, count, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Locale } from '../../../common/i18n';
import type { Page } from '../../../common/schemas/common';
import type { User, UserCreate, UserListQuery, UserUpdate } from '../../../common/schemas/staff';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, duplicate, inactiveReference, notFound } from '../../errors';
import { containsPattern, offsetOf, orderFrom, pageWithTotal } from '../../lib/listing';
import { departmentSubtree } from '../../policy';
import { recordAudit } from '../audit/audit.service';
import { revokeCredentials } from '../auth/auth.service';
import { hashPassword, verifyPassword } from '../auth/passwords';
import { getDepartmentPath } from './departments.service';
import { assertActiveReferences } from './reference.service';
import { visibleUsers } from './staff.policy';
import { branches, departments, regions, roles, userBusinessLines, users } from './staff.tables';

const userColumns = {
  user: users,
  roleCode: roles.code,
  roleName: roles.name,
  departmentName: departments.name,
  branchName: branches.name,
  regionName: regions.name,
};

function selectUsers(db: Db) {
  return db
    .select(userColumns)
    .from(users)
    .innerJoin(roles, eq(roles.id, users.roleId))
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .leftJoin(branches, eq(branches.id, users.branchId))
    .leftJoin(regions, eq(regions.id, users.regionId))
    .$dynamic();
}

type Joined = {
  user: typeof users.$inferSelect;
  roleCode: string;
  roleName: string;
  departmentName: string | null;
  branchName: string | null;
  regionName: string | null;
};

function present(r: Joined, businessLineIds: string[]): User {
  const u = r.user;
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    email: u.email,
    phone: u.phone,
    roleId: u.roleId,
    roleCode: r.roleCode,
    roleName: r.roleName,
    departmentId: u.departmentId,
    departmentName: r.departmentName,
    branchId: u.branchId,
    branchName: r.branchName,
    regionId: u.regionId,
    regionName: r.regionName,
    businessLineIds,
    staffCategory: u.staffCategory,
    isPracticingCpa: u.isPracticingCpa,
    locale: u.locale,
    active: u.active,
    twoFactorEnabled: u.totpSecret !== null,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

async function businessLinesOf(db: Db, userIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return map;
  const rows = await db.select().from(userBusinessLines).where(inArray(userBusinessLines.userId, userIds));
  for (const row of rows) map.get(row.userId)!.push(row.businessLineId);
  return map;
}

export async function findUsers(ctx: Ctx, query: UserListQuery): Promise<Page<User>> {
  const filters: (SQL | undefined)[] = [visibleUsers(ctx.actor)];
  if (query.active !== 'all') filters.push(eq(users.active, query.active === 'true'));
  if (query.q) {
    const p = containsPattern(query.q);
    filters.push(
      or(ilike(users.username, p), ilike(users.displayName, p), ilike(users.email, p), ilike(users.phone, p)),
    );
  }
  if (query.departmentId) {
    const path = await getDepartmentPath(ctx.db, query.departmentId);
    filters.push(path ? inArray(users.departmentId, departmentSubtree(path)) : sql`false`);
  }
  if (query.branchId) filters.push(eq(users.branchId, query.branchId));
  if (query.regionId) filters.push(eq(users.regionId, query.regionId));
  if (query.roleId) filters.push(eq(users.roleId, query.roleId));
  if (query.staffCategory) filters.push(eq(users.staffCategory, query.staffCategory));
  if (query.businessLineId) {
    filters.push(
      inArray(
        users.id,
        ctx.db
          .select({ id: userBusinessLines.userId })
          .from(userBusinessLines)
          .where(eq(userBusinessLines.businessLineId, query.businessLineId)),
      ),
    );
  }
  const where = and(...filters);
  const order = orderFrom(
    query.sort,
    {
      username: users.username,
      displayName: users.displayName,
      createdAt: users.createdAt,
      lastLoginAt: users.lastLoginAt,
    },
    'username',
    users.id,
  );
  const { rows, total } = await pageWithTotal(
    query,
    selectUsers(ctx.db)
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () => ctx.db.select({ total: count() }).from(users).where(where),
  );
  const lines = await businessLinesOf(
    ctx.db,
    rows.map((r) => r.user.id),
  );
  return {
    items: rows.map((r) => present(r, lines.get(r.user.id)!)),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}

/** One user, if the actor may see them; otherwise NOT_FOUND (never FORBIDDEN, which would confirm it exists). */
export async function getUser(ctx: Ctx, id: string): Promise<User> {
  const [row] = await selectUsers(ctx.db).where(and(eq(users.id, id), visibleUsers(ctx.actor)));
  if (!row) throw notFound();
  const lines = await businessLinesOf(ctx.db, [id]);
  return present(row, lines.get(id)!);
}

async function assertReferences(db: Db, input: Partial<UserCreate>) {
  if (input.roleId) {
    const [role] = await db.select({ id: roles.id }).from(roles).where(eq(roles.id, input.roleId));
    if (!role) throw inactiveReference('field.role');
  }
  if (input.departmentId) {
    const [dept] = await db
      .select({ active: departments.active })
      .from(departments)
      .where(eq(departments.id, input.departmentId));
    if (!dept?.active) throw inactiveReference('field.department');
  }
  await assertActiveReferences(db, 'branch', [input.branchId]);
  await assertActiveReferences(db, 'region', [input.regionId]);
  await assertActiveReferences(db, 'businessLine', input.businessLineIds ?? []);
}

async function replaceBusinessLines(db: Db, userId: string, ids: string[]) {
  await db.delete(userBusinessLines).where(eq(userBusinessLines.userId, userId));
  const unique = [...new Set(ids)];
  if (unique.length)
    await db.insert(userBusinessLines).values(unique.map((businessLineId) => ({ userId, businessLineId })));
}

export async function createUser(ctx: Ctx, input: UserCreate): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  return inTransaction(ctx, async (tx) => {
    const [clash] = await tx.db.select({ id: users.id }).from(users).where(eq(users.username, input.username));
    if (clash) throw duplicate('field.username', input.username);
    await assertReferences(tx.db, input);
    const [row] = await tx.db
      .insert(users)
      .values({
        username: input.username,
        displayName: input.displayName,
        email: input.email ?? null,
        phone: input.phone ?? null,
        passwordHash,
        roleId: input.roleId,
        departmentId: input.departmentId ?? null,
        branchId: input.branchId ?? null,
        regionId: input.regionId ?? null,
        staffCategory: input.staffCategory,
        isPracticingCpa: input.isPracticingCpa ?? false,
        locale: input.locale ?? 'zh-CN',
        createdBy: ctx.actor.id,
      })
      .returning({ id: users.id });
    await replaceBusinessLines(tx.db, row.id, input.businessLineIds ?? []);
    const after = await getUser(tx, row.id);
    await recordAudit(tx, { action: 'create', entityType: 'user', entityId: row.id, after });
    return after;
  });
}

export async function updateUser(ctx: Ctx, id: string, patch: UserUpdate): Promise<User> {
  return inTransaction(ctx, async (tx) => {
    const before = await getUser(tx, id);
    await assertReferences(tx.db, patch);
    const { businessLineIds, ...columns } = patch;
    await tx.db
      .update(users)
      .set({ ...columns, updatedAt: new Date() })
      .where(eq(users.id, id));
    if (businessLineIds) await replaceBusinessLines(tx.db, id, businessLineIds);
    const after = await getUser(tx, id);
    await recordAudit(tx, { action: 'update', entityType: 'user', entityId: id, before, after });
    return after;
  });
}

type DeactivationHook = (tx: Ctx, userId: string) => Promise<void>;
const deactivationHooks: DeactivationHook[] = [];

/**
 * Work another domain does when a user is deactivated, in the deactivating transaction (e.g. the workflow
 * engine hands their open approval steps to each flow's fallback). Registered at start-up, so that staff
 * never imports the domains built on it.
 */
export function onUserDeactivated(hook: DeactivationHook): void {
  if (!deactivationHooks.includes(hook)) deactivationHooks.push(hook);
}

/** Deactivated users cannot sign in and lose their sessions and tokens; records they own keep them as owner. */
export async function setUserActive(ctx: Ctx, id: string, active: boolean): Promise<User> {
  if (!active && id === ctx.actor.id) throw new AppError('CANNOT_DEACTIVATE_SELF');
  return inTransaction(ctx, async (tx) => {
    const before = await getUser(tx, id);
    if (before.active === active) return before;
    await tx.db.update(users).set({ active, updatedAt: new Date() }).where(eq(users.id, id));
    if (!active) {
      await revokeCredentials(tx.db, id);
      for (const hook of deactivationHooks) await hook(tx, id);
    }
    const after = await getUser(tx, id);
    await recordAudit(tx, {
      action: active ? 'activate' : 'deactivate',
      entityType: 'user',
      entityId: id,
      before,
      after,
    });
    return after;
  });
}

/** An administrator sets a new password; the user's sessions and tokens end. */
export async function resetUserPassword(ctx: Ctx, id: string, newPassword: string): Promise<void> {
  const passwordHash = await hashPassword(newPassword);
  await inTransaction(ctx, async (tx) => {
    await getUser(tx, id);
    await tx.db.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, id));
    const apiTokensRevoked = await revokeCredentials(tx.db, id);
    await recordAudit(tx, { action: 'reset-password', entityType: 'user', entityId: id, after: { apiTokensRevoked } });
  });
}

/**
 * A user changes their own password after proving the current one: their other sessions end and
 * their API tokens are revoked, unless they choose to keep the tokens.
 */
export async function changeOwnPassword(
  ctx: Ctx,
  currentPassword: string,
  newPassword: string,
  options: { keepSessionId?: string; keepApiTokens?: boolean } = {},
): Promise<void> {
  const [row] = await ctx.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, ctx.actor.id));
  if (!row || !(await verifyPassword(row.hash, currentPassword))) throw new AppError('WRONG_PASSWORD');
  const passwordHash = await hashPassword(newPassword);
  await inTransaction(ctx, async (tx) => {
    await tx.db.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, ctx.actor.id));
    const apiTokensRevoked = await revokeCredentials(tx.db, ctx.actor.id, {
      keepSessionId: options.keepSessionId,
      keepTokens: options.keepApiTokens,
    });
    await recordAudit(tx, {
      action: 'change-password',
      entityType: 'user',
      entityId: ctx.actor.id,
      after: { apiTokensRevoked },
    });
  });
}

export async function updateOwnProfile(ctx: Ctx, patch: { locale?: Locale; displayName?: string }): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const [before] = await tx.db
      .select({ locale: users.locale, displayName: users.displayName })
      .from(users)
      .where(eq(users.id, ctx.actor.id));
    await tx.db
      .update(users)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(users.id, ctx.actor.id));
    await recordAudit(tx, {
      action: 'update',
      entityType: 'user',
      entityId: ctx.actor.id,
      before,
      after: { ...before, ...patch },
    });
  });
}

/** A user's own profile, whatever their staff:read scope (for /auth/me). */
export async function getOwnProfile(db: Db, userId: string): Promise<User> {
  const [row] = await selectUsers(db).where(eq(users.id, userId));
  if (!row) throw notFound();
  const lines = await businessLinesOf(db, [userId]);
  return present(row, lines.get(userId)!);
}

/**
 * Active colleagues by name, for pickers. Reveals only name, username and department — what
 * anyone in the firm knows — so it needs no staff:read scope (the route asks for customers:write).
 */
export async function findDirectory(db: Db, query: { q?: string; limit: number }) {
  const p = query.q ? containsPattern(query.q) : undefined;
  return db
    .select({
      id: users.id,
      displayName: users.displayName,
      username: users.username,
      departmentName: departments.name,
    })
    .from(users)
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .where(and(eq(users.active, true), p ? or(ilike(users.displayName, p), ilike(users.username, p)) : undefined))
    .orderBy(users.displayName, users.id)
    .limit(query.limit);
}
