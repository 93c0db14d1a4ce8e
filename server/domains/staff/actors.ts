import { and, eq, inArray, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../../db/client';
import type { Actor } from '../../policy';
import { departments, roles, users } from './staff.tables';

/**
 * Who a user is, for the domains below staff: display names, sign-in credentials and the actor the
 * policy sees. Kept apart from users.service (which audits and revokes sign-ins) so that audit and
 * auth can read users without importing the service that imports them.
 */

export async function getUserNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, unique));
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function getUserCredentials(db: Db, username: string) {
  const [row] = await db
    .select({ id: users.id, passwordHash: users.passwordHash, active: users.active })
    .from(users)
    .where(eq(users.username, username));
  return row ?? null;
}

export async function recordLogin(db: Db, userId: string): Promise<void> {
  await db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, userId));
}

const actorColumns = {
  id: users.id,
  username: users.username,
  displayName: users.displayName,
  roleCode: roles.code,
  grants: roles.grants,
  departmentId: users.departmentId,
  departmentPath: departments.path,
  locale: users.locale,
};

/** The actor behind a session or token: only active users, with their role's grants and department path. */
export async function loadActor(db: Db, userId: string): Promise<Actor | null> {
  const [row] = await db
    .select(actorColumns)
    .from(users)
    .innerJoin(roles, eq(roles.id, users.roleId))
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .where(and(eq(users.id, userId), eq(users.active, true)));
  return row ?? null;
}

/**
 * The query for the actor and some columns of the row that names them (a session, an API token):
 * authentication runs on every request, so it is one round trip, not two. Returned unexecuted so
 * the caller can prepare it once.
 */
export function actorThrough<E extends Record<string, PgColumn>>(
  db: Db,
  via: { table: PgTable; userId: PgColumn; where: SQL; extra: E },
) {
  return db
    .select({ ...actorColumns, ...via.extra })
    .from(via.table)
    .innerJoin(users, and(eq(users.id, via.userId), eq(users.active, true)))
    .innerJoin(roles, eq(roles.id, users.roleId))
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .where(via.where);
}
