import type { FastifyInstance, preValidationHookHandler } from 'fastify';
import { mayUseDirectory } from '../../../common/permissions';
import { IdParams, Ok, pageOf } from '../../../common/schemas/common';
import {
  BranchCreate,
  BranchUpdate,
  Branch,
  BusinessLine,
  BusinessLineCreate,
  BusinessLineUpdate,
  Department,
  DepartmentCreate,
  DepartmentListQuery,
  DepartmentUpdate,
  ReferenceListQuery,
  ResetPassword,
  Role,
  RoleCreate,
  RoleListQuery,
  RoleUpdate,
  User,
  UserCreate,
  UserListQuery,
  UserUpdate,
  DirectoryEntry,
  DirectoryQuery,
} from '../../../common/schemas/staff';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { AppError } from '../../errors';
import { requirePermission } from '../../policy';
import {
  createDepartment,
  deleteDepartment,
  findDepartments,
  getDepartment,
  updateDepartment,
} from './departments.service';
import {
  createReference,
  deleteReference,
  findReferences,
  getReference,
  updateReference,
  type ReferenceKind,
} from './reference.service';
import { createRole, deleteRole, findRoles, getRole, updateRole } from './roles.service';
import {
  createUser,
  findDirectory,
  findUsers,
  getUser,
  resetUserPassword,
  setUserActive,
  updateUser,
} from './users.service';
import { resetTwoFactor } from '../auth/two-factor.service';

const manage = requirePermission('staff:manage');

/** The directory of colleagues: see mayUseDirectory (403 before validation otherwise). */
const requireDirectory: preValidationHookHandler = async (request) => {
  if (!request.actor) throw new AppError('UNAUTHENTICATED');
  if (!mayUseDirectory(request.actor.grants)) throw new AppError('FORBIDDEN');
};

function registerUserRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['staff'];
  const read = requirePermission('staff:read');

  r.get(
    '/api/v1/users',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'List staff visible to me',
        querystring: UserListQuery,
        response: { 200: pageOf(User), ...errorResponses },
      },
    },
    (request) => findUsers(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/users/directory',
    {
      preValidation: requireDirectory,
      schema: {
        tags,
        summary: 'Active colleagues by name, for pickers (share with, assign to) and owner filters',
        querystring: DirectoryQuery,
        response: { 200: DirectoryEntry.array(), ...errorResponses },
      },
    },
    (request) => findDirectory(request.server.db, request.query),
  );
  r.post(
    '/api/v1/users',
    { preValidation: manage, schema: { tags, body: UserCreate, response: { 201: User, ...errorResponses } } },
    async (request, reply) => {
      reply.status(201);
      return createUser(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/users/:id',
    { preValidation: read, schema: { tags, params: IdParams, response: { 200: User, ...errorResponses } } },
    (request) => getUser(ctxOf(request), request.params.id),
  );
  r.patch(
    '/api/v1/users/:id',
    {
      preValidation: manage,
      schema: { tags, params: IdParams, body: UserUpdate, response: { 200: User, ...errorResponses } },
    },
    (request) => updateUser(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/users/:id/deactivate',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Deactivate: no sign-in, sessions and tokens end',
        params: IdParams,
        response: { 200: User, ...errorResponses },
      },
    },
    (request) => setUserActive(ctxOf(request), request.params.id, false),
  );
  r.post(
    '/api/v1/users/:id/activate',
    { preValidation: manage, schema: { tags, params: IdParams, response: { 200: User, ...errorResponses } } },
    (request) => setUserActive(ctxOf(request), request.params.id, true),
  );
  r.post(
    '/api/v1/users/:id/reset-password',
    {
      preValidation: manage,
      schema: { tags, params: IdParams, body: ResetPassword, response: { 200: Ok, ...errorResponses } },
    },
    async (request) => {
      await resetUserPassword(ctxOf(request), request.params.id, request.body.newPassword);
      return { ok: true as const };
    },
  );
  r.post(
    '/api/v1/users/:id/reset-two-factor',
    {
      preValidation: manage,
      schema: {
        tags,
        summary:
          "Reset a person's second factor (a lost phone): secret and recovery codes go, their sessions end; audited",
        params: IdParams,
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (request) => {
      await resetTwoFactor(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );
}

function registerDepartmentRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['staff'];
  r.get(
    '/api/v1/departments',
    {
      schema: {
        tags,
        summary: 'The department tree, flat (parentId links)',
        querystring: DepartmentListQuery,
        response: { 200: pageOf(Department), ...errorResponses },
      },
    },
    (request) => findDepartments(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/departments',
    {
      preValidation: manage,
      schema: { tags, body: DepartmentCreate, response: { 201: Department, ...errorResponses } },
    },
    async (request, reply) => {
      reply.status(201);
      return createDepartment(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/departments/:id',
    { schema: { tags, params: IdParams, response: { 200: Department, ...errorResponses } } },
    (request) => getDepartment(ctxOf(request), request.params.id),
  );
  r.patch(
    '/api/v1/departments/:id',
    {
      preValidation: manage,
      schema: { tags, params: IdParams, body: DepartmentUpdate, response: { 200: Department, ...errorResponses } },
    },
    (request) => updateDepartment(ctxOf(request), request.params.id, request.body),
  );
  r.delete(
    '/api/v1/departments/:id',
    { preValidation: manage, schema: { tags, params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await deleteDepartment(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );
}

/** Branches, regions and business lines: the same five routes each. */
function registerReferenceRoutes(app: FastifyInstance) {
  const r = typed(app);
  const kinds = [
    { kind: 'branch', path: 'branches', schema: Branch, create: BranchCreate, update: BranchUpdate },
    { kind: 'region', path: 'regions', schema: Branch, create: BranchCreate, update: BranchUpdate },
    {
      kind: 'businessLine',
      path: 'business-lines',
      schema: BusinessLine,
      create: BusinessLineCreate,
      update: BusinessLineUpdate,
    },
  ] as const satisfies readonly { kind: ReferenceKind; path: string; [k: string]: unknown }[];
  for (const { kind, path, schema, create, update } of kinds) {
    const tags = ['staff'];
    const base = `/api/v1/${path}`;
    r.get(
      base,
      { schema: { tags, querystring: ReferenceListQuery, response: { 200: pageOf(schema), ...errorResponses } } },
      (request) => findReferences(ctxOf(request), kind, request.query),
    );
    r.post(
      base,
      { preValidation: manage, schema: { tags, body: create, response: { 201: schema, ...errorResponses } } },
      async (request, reply) => {
        reply.status(201);
        return createReference(ctxOf(request), kind, request.body);
      },
    );
    r.get(
      `${base}/:id`,
      { schema: { tags, params: IdParams, response: { 200: schema, ...errorResponses } } },
      (request) => getReference(ctxOf(request), kind, request.params.id),
    );
    r.patch(
      `${base}/:id`,
      {
        preValidation: manage,
        schema: { tags, params: IdParams, body: update, response: { 200: schema, ...errorResponses } },
      },
      (request) => updateReference(ctxOf(request), kind, request.params.id, request.body),
    );
    r.delete(
      `${base}/:id`,
      { preValidation: manage, schema: { tags, params: IdParams, response: { 200: Ok, ...errorResponses } } },
      async (request) => {
        await deleteReference(ctxOf(request), kind, request.params.id);
        return { ok: true as const };
      },
    );
  }
}

function registerRoleRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['staff'];
  // Read-only with staff:read: the users page filters by role.
  r.get(
    '/api/v1/roles',
    {
      preValidation: requirePermission('staff:read'),
      schema: { tags, querystring: RoleListQuery, response: { 200: pageOf(Role), ...errorResponses } },
    },
    (request) => findRoles(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/roles',
    { preValidation: manage, schema: { tags, body: RoleCreate, response: { 201: Role, ...errorResponses } } },
    async (request, reply) => {
      reply.status(201);
      return createRole(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/roles/:id',
    {
      preValidation: requirePermission('staff:read'),
      schema: { tags, params: IdParams, response: { 200: Role, ...errorResponses } },
    },
    (request) => getRole(ctxOf(request), request.params.id),
  );
  r.patch(
    '/api/v1/roles/:id',
    {
      preValidation: manage,
      schema: { tags, params: IdParams, body: RoleUpdate, response: { 200: Role, ...errorResponses } },
    },
    (request) => updateRole(ctxOf(request), request.params.id, request.body),
  );
  r.delete(
    '/api/v1/roles/:id',
    { preValidation: manage, schema: { tags, params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await deleteRole(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );
}

export function registerStaffRoutes(app: FastifyInstance) {
  registerUserRoutes(app);
  registerDepartmentRoutes(app);
  registerReferenceRoutes(app);
  registerRoleRoutes(app);
}
