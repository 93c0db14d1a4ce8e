import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import type { Grants } from '../../../common/permissions';
import { auditedColumns } from '../../db/columns';

export const branches = pgTable(
  'branches',
  {
    ...auditedColumns(),
    name: text('name').notNull(),
    code: text('code'),
    active: boolean('active').notNull().default(true),
    sortOrder: integer('sort_order').notNull().default(0),
  },
  (t) => [uniqueIndex('branches_name_key').on(t.name)],
);

export const regions = pgTable(
  'regions',
  {
    ...auditedColumns(),
    name: text('name').notNull(),
    code: text('code'),
    active: boolean('active').notNull().default(true),
    sortOrder: integer('sort_order').notNull().default(0),
  },
  (t) => [uniqueIndex('regions_name_key').on(t.name)],
);

export const businessLines = pgTable(
  'business_lines',
  {
    ...auditedColumns(),
    name: text('name').notNull(),
    code: text('code').notNull(),
    active: boolean('active').notNull().default(true),
    sortOrder: integer('sort_order').notNull().default(0),
    /** The line's head 业务负责人: approval steps may name them (relation `business-line-head`). */
    headUserId: uuid('head_user_id').references((): AnyPgColumn => users.id),
  },
  (t) => [uniqueIndex('business_lines_code_key').on(t.code), uniqueIndex('business_lines_name_key').on(t.name)],
);

/**
 * Departments form a tree. `path` is the materialised chain of ids from the root,
 * e.g. `/a/b/`, so "this department and everything below it" is one prefix match.
 */
export const departments = pgTable(
  'departments',
  {
    ...auditedColumns(),
    name: text('name').notNull(),
    parentId: uuid('parent_id').references((): AnyPgColumn => departments.id),
    path: text('path').notNull(),
    managerId: uuid('manager_id').references((): AnyPgColumn => users.id),
    active: boolean('active').notNull().default(true),
    sortOrder: integer('sort_order').notNull().default(0),
  },
  (t) => [
    index('departments_path_idx').using('btree', t.path.op('text_pattern_ops')),
    index('departments_parent_idx').on(t.parentId),
  ],
);

export const roles = pgTable(
  'roles',
  {
    ...auditedColumns(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    builtin: boolean('builtin').notNull().default(false),
    /** People of this role must sign in with a second factor (TOTP); they enrol at their next sign-in. */
    requiresTwoFactor: boolean('requires_two_factor').notNull().default(false),
    grants: jsonb('grants')
      .$type<Grants>()
      .notNull()
      .default(sql`'{}'::jsonb`),
  },
  (t) => [uniqueIndex('roles_code_key').on(t.code)],
);

export const users = pgTable(
  'users',
  {
    ...auditedColumns(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    email: text('email'),
    phone: text('phone'),
    passwordHash: text('password_hash').notNull(),
    roleId: uuid('role_id')
      .notNull()
      .references(() => roles.id),
    departmentId: uuid('department_id').references(() => departments.id),
    branchId: uuid('branch_id').references(() => branches.id),
    regionId: uuid('region_id').references(() => regions.id),
    staffCategory: text('staff_category', { enum: ['management', 'frontline', 'backoffice'] }).notNull(),
    isPracticingCpa: boolean('is_practicing_cpa').notNull().default(false),
    locale: text('locale', { enum: ['zh-CN', 'en-US'] })
      .notNull()
      .default('zh-CN'),
    active: boolean('active').notNull().default(true),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    /** The TOTP secret (base32) once two-factor sign-in is enrolled and confirmed; null: not enrolled. */
    totpSecret: text('totp_secret'),
    totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true }),
    /** The last 30-second step whose code was accepted: a code is accepted once (RFC 6238 §5.2), never replayed. */
    totpLastStep: integer('totp_last_step'),
  },
  (t) => [
    uniqueIndex('users_username_key').on(t.username),
    index('users_department_idx').on(t.departmentId),
    index('users_role_idx').on(t.roleId),
  ],
);

export const userBusinessLines = pgTable(
  'user_business_lines',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    businessLineId: uuid('business_line_id')
      .notNull()
      .references(() => businessLines.id),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.businessLineId] }),
    index('user_business_lines_line_idx').on(t.businessLineId),
  ],
);
