import { z } from 'zod';
import { PERMISSION_KEYS, SCOPES, type Permission } from '../permissions';
import { LOCALES } from '../i18n';
import { ActiveFilter, Email, Id, Phone, SortOrder, Timestamp, listQuery, optionalText, text } from './common';

export const STAFF_CATEGORIES = ['management', 'frontline', 'backoffice'] as const;
export const StaffCategory = z.enum(STAFF_CATEGORIES);
export type StaffCategory = z.infer<typeof StaffCategory>;

export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z0-9._-]{1,31}$/, { message: 'validation.username' });

export const Password = z
  .string()
  .max(128)
  .refine((p) => p.length >= 8 && /[A-Za-z]/.test(p) && /[0-9]/.test(p), { message: 'validation.passwordWeak' });

const Audited = {
  createdAt: Timestamp,
  updatedAt: Timestamp,
};

// ---------- reference data: branches, regions, business lines ----------

export const Branch = z.object({
  id: Id,
  name: z.string(),
  code: z.string().nullable(),
  active: z.boolean(),
  sortOrder: z.int(),
  ...Audited,
});
export type Branch = z.infer<typeof Branch>;
export const BranchCreate = z.strictObject({
  name: text(50),
  code: optionalText(20),
  sortOrder: SortOrder.optional(),
});
export const BranchUpdate = BranchCreate.partial().extend({ active: z.boolean().optional() }).strict();

export const Region = Branch;
export type Region = Branch;
export const RegionCreate = BranchCreate;
export const RegionUpdate = BranchUpdate;

const BusinessLineCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{1,10}$/, { message: 'validation.code' });
export const BusinessLine = z.object({
  id: Id,
  name: z.string(),
  code: z.string(),
  active: z.boolean(),
  sortOrder: z.int(),
  /** The line's head 业务负责人 (approval steps may name them). */
  headUserId: Id.nullable(),
  ...Audited,
});
export type BusinessLine = z.infer<typeof BusinessLine>;
export const BusinessLineCreate = z.strictObject({
  name: text(50),
  code: BusinessLineCode,
  sortOrder: SortOrder.optional(),
  headUserId: Id.nullable().optional(),
});
export const BusinessLineUpdate = BusinessLineCreate.partial().extend({ active: z.boolean().optional() }).strict();

export const ReferenceListQuery = listQuery(['name', 'sortOrder', 'createdAt'], { active: ActiveFilter });

// ---------- departments (a tree) ----------

export const Department = z.object({
  id: Id,
  name: z.string(),
  parentId: Id.nullable(),
  managerId: Id.nullable(),
  managerName: z.string().nullable(),
  active: z.boolean(),
  sortOrder: z.int(),
  userCount: z.int(),
  ...Audited,
});
export type Department = z.infer<typeof Department>;
export const DepartmentCreate = z.strictObject({
  name: text(50),
  parentId: Id.nullable().optional(),
  managerId: Id.nullable().optional(),
  sortOrder: SortOrder.optional(),
});
export const DepartmentUpdate = DepartmentCreate.partial().extend({ active: z.boolean().optional() }).strict();
export const DepartmentListQuery = listQuery(['name', 'sortOrder'], { active: ActiveFilter });

// ---------- roles ----------

const GrantsSchema = z.partialRecord(z.enum(PERMISSION_KEYS as [Permission, ...Permission[]]), z.enum(SCOPES));
export const Role = z.object({
  id: Id,
  code: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  builtin: z.boolean(),
  grants: GrantsSchema,
  /** People of this role must sign in with a second factor (TOTP); those not enrolled enrol at their next sign-in. */
  requiresTwoFactor: z.boolean(),
  userCount: z.int(),
  ...Audited,
});
export type Role = z.infer<typeof Role>;
export const RoleCreate = z.strictObject({
  code: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_-]{1,31}$/, { message: 'validation.roleCode' }),
  name: text(50),
  description: optionalText(200),
  grants: GrantsSchema,
  requiresTwoFactor: z.boolean().optional(),
});
export const RoleUpdate = RoleCreate.omit({ code: true }).partial().strict();
export const RoleListQuery = listQuery(['name', 'code']);

// ---------- users (staff) ----------

export const User = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  roleId: Id,
  roleCode: z.string(),
  roleName: z.string(),
  departmentId: Id.nullable(),
  departmentName: z.string().nullable(),
  branchId: Id.nullable(),
  branchName: z.string().nullable(),
  regionId: Id.nullable(),
  regionName: z.string().nullable(),
  businessLineIds: z.array(Id),
  staffCategory: StaffCategory,
  isPracticingCpa: z.boolean(),
  locale: z.enum(LOCALES),
  active: z.boolean(),
  /** Signs in with a second factor (TOTP). */
  twoFactorEnabled: z.boolean(),
  lastLoginAt: Timestamp.nullable(),
  ...Audited,
});
export type User = z.infer<typeof User>;

const UserFields = {
  displayName: text(50),
  email: z.union([Email, z.literal('').transform(() => null), z.null()]).optional(),
  phone: z.union([Phone, z.literal('').transform(() => null), z.null()]).optional(),
  roleId: Id,
  departmentId: Id.nullable().optional(),
  branchId: Id.nullable().optional(),
  regionId: Id.nullable().optional(),
  businessLineIds: z.array(Id).max(50).optional(),
  staffCategory: StaffCategory,
  isPracticingCpa: z.boolean().optional(),
  locale: z.enum(LOCALES).optional(),
};
export const UserCreate = z.strictObject({ username: Username, password: Password, ...UserFields });
export type UserCreate = z.infer<typeof UserCreate>;
export const UserUpdate = z.strictObject(UserFields).partial();
export type UserUpdate = z.infer<typeof UserUpdate>;
export const ResetPassword = z.strictObject({ newPassword: Password });

export const UserListQuery = listQuery(['username', 'displayName', 'createdAt', 'lastLoginAt'], {
  active: ActiveFilter,
  departmentId: Id.optional(),
  branchId: Id.optional(),
  regionId: Id.optional(),
  roleId: Id.optional(),
  businessLineId: Id.optional(),
  staffCategory: StaffCategory.optional(),
});
export type UserListQuery = z.infer<typeof UserListQuery>;

/** The staff directory: names to pick colleagues (share with, assign to), whatever one's staff:read scope. */
export const DirectoryEntry = z.object({
  id: Id,
  displayName: z.string(),
  username: z.string(),
  departmentName: z.string().nullable(),
});
export type DirectoryEntry = z.infer<typeof DirectoryEntry>;
export const DirectoryQuery = z.strictObject({
  q: z.string().trim().max(50).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
