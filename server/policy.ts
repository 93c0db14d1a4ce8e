import { and, eq, inArray, like, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { preValidationHookHandler } from 'fastify';
import type { Locale } from '../common/i18n';
import { scopeRank, type Grants, type Permission, type Scope } from '../common/permissions';
import { departments, users } from './domains/staff/staff.tables';
import { AppError } from './errors';

/** The signed-in user as every service and policy sees them. */
export type Actor = {
  id: string;
  username: string;
  displayName: string;
  roleCode: string;
  grants: Grants;
  departmentId: string | null;
  /** Materialised path of the user's department, e.g. `/a/b/`; null without a department. */
  departmentPath: string | null;
  locale: Locale;
};

/**
 * Everything of the actor that visibility conditions embed: a query built with visibleTo() for
 * one actor may be reused (server/db/client.ts preparedOnce) by anyone with the same key.
 */
export function actorKey(actor: Actor): string {
  return `${actor.id}|${actor.departmentPath ?? ''}|${JSON.stringify(actor.grants)}`;
}

export function scopeOf(actor: Actor, permission: Permission): Scope | null {
  return actor.grants[permission] ?? null;
}

export function can(actor: Actor, permission: Permission, atLeast: Scope = 'own'): boolean {
  return scopeRank(scopeOf(actor, permission)) >= scopeRank(atLeast);
}

/** Route guard, run before validation so a caller without the permission learns nothing of the schema (403). */
export function requirePermission(permission: Permission, atLeast: Scope = 'own'): preValidationHookHandler {
  return async (request) => {
    if (!request.actor) throw new AppError('UNAUTHENTICATED');
    if (!can(request.actor, permission, atLeast)) throw new AppError('FORBIDDEN');
  };
}

/** As requirePermission, for a route open to holders of any of several permissions (403 without all of them). */
export function requireAnyPermission(...permissions: Permission[]): preValidationHookHandler {
  return async (request) => {
    if (!request.actor) throw new AppError('UNAUTHENTICATED');
    if (!permissions.some((permission) => can(request.actor!, permission))) throw new AppError('FORBIDDEN');
  };
}

/** Ids of a department (given by its path) and all departments below it, as a subquery. */
export function departmentSubtree(path: string) {
  return sql`(SELECT ${departments.id} FROM ${departments} WHERE ${like(departments.path, `${path}%`)})`;
}

/** The paths of a department and of every department above it (`/a/b/` → `/a/`, `/a/b/`). */
export function departmentAncestry(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}/`);
}

export type VisibilityColumns = {
  /** The column holding the record's owner (for users: their own id). */
  owner: PgColumn;
  /** The column holding the record's department; records are visible to managers of it and above. */
  department?: PgColumn;
  /** Department scope by the owner's current department (for records owned by a salesperson). */
  ownerDepartment?: boolean;
  /** Further conditions under which a record is visible with scope `own` (e.g. shared with the actor). */
  shared?: (actor: Actor) => SQL;
};

/**
 * The one record-level visibility rule: a WHERE condition for every list and detail query.
 * `own` sees records the actor owns (or that are shared with them), `department` also
 * records of the department subtree, `all` everything. No grant → nothing.
 */
export function visibleTo(actor: Actor, permission: Permission, columns: VisibilityColumns): SQL {
  const scope = scopeOf(actor, permission);
  if (scope === 'all') return sql`true`;
  if (scope === null) return sql`false`;
  const conditions: SQL[] = [eq(columns.owner, actor.id)];
  if (columns.shared) conditions.push(columns.shared(actor));
  if (scope === 'department' && columns.department && actor.departmentPath) {
    conditions.push(inArray(columns.department, departmentSubtree(actor.departmentPath)));
  }
  if (scope === 'department' && columns.ownerDepartment && actor.departmentPath) {
    conditions.push(
      inArray(
        columns.owner,
        sql`(SELECT ${users.id} FROM ${users} WHERE ${inArray(users.departmentId, departmentSubtree(actor.departmentPath))})`,
      ),
    );
  }
  return or(...conditions)!;
}

/** Combines a visibility condition with other filters, dropping undefined ones. */
export function whereAll(...conditions: (SQL | undefined)[]): SQL | undefined {
  return and(...conditions.filter((c): c is SQL => c !== undefined));
}
