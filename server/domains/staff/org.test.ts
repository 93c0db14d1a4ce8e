import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDepartment, buildUser, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

describe('departments (a tree)', () => {
  it('creates nested departments that everyone signed in can read, but only admins change', async () => {
    const parent = await admin.post('/api/v1/departments', { name: uniq('审计部') });
    expect(parent.status).toBe(201);
    const child = await admin.post('/api/v1/departments', { name: '审计一部', parentId: parent.body.id });
    expect(child.status).toBe(201);
    expect(child.body.parentId).toBe(parent.body.id);
    const { client: sales } = await signedIn(t);
    const list = await sales.get('/api/v1/departments', { q: '审计一部', pageSize: 100 });
    expect(list.body.items.map((d: { id: string }) => d.id)).toContain(child.body.id);
    expect((await sales.post('/api/v1/departments', { name: uniq('x') })).status).toBe(403);
    expect((await sales.delete(`/api/v1/departments/${child.body.id}`)).status).toBe(403);
  });

  it('refuses a duplicate name among siblings but allows it elsewhere', async () => {
    const a = await buildDepartment(t.database.db);
    const b = await buildDepartment(t.database.db);
    expect((await admin.post('/api/v1/departments', { name: '综合组', parentId: a.id })).status).toBe(201);
    const dup = await admin.post('/api/v1/departments', { name: '综合组', parentId: a.id });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('DUPLICATE_VALUE');
    expect((await admin.post('/api/v1/departments', { name: '综合组', parentId: b.id })).status).toBe(201);
  });

  it('moves a subtree, and a manager of the new parent then sees its staff', async () => {
    const top = await buildDepartment(t.database.db);
    const elsewhere = await buildDepartment(t.database.db);
    const moving = await buildDepartment(t.database.db, { parentId: elsewhere.id });
    const leaf = await buildDepartment(t.database.db, { parentId: moving.id });
    const staff = await buildUser(t.database.db, { departmentId: leaf.id });
    const { client: manager } = await signedIn(t, { roleCode: 'manager', departmentId: top.id });
    expect((await manager.get(`/api/v1/users/${staff.id}`)).status).toBe(404);
    const res = await admin.patch(`/api/v1/departments/${moving.id}`, { parentId: top.id });
    expect(res.status).toBe(200);
    expect(res.body.parentId).toBe(top.id);
    expect((await manager.get(`/api/v1/users/${staff.id}`)).status).toBe(200);
  });

  it('refuses to move a department under itself or its descendants', async () => {
    const root = await buildDepartment(t.database.db);
    const child = await buildDepartment(t.database.db, { parentId: root.id });
    for (const parentId of [root.id, child.id]) {
      const res = await admin.patch(`/api/v1/departments/${root.id}`, { parentId });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('DEPARTMENT_CYCLE');
    }
    expect((await admin.get(`/api/v1/departments/${root.id}`)).body.parentId).toBeNull();
  });

  it('deletes only empty departments; one with staff or sub-departments is in use', async () => {
    const withStaff = await buildDepartment(t.database.db);
    await buildUser(t.database.db, { departmentId: withStaff.id });
    const withChild = await buildDepartment(t.database.db);
    await buildDepartment(t.database.db, { parentId: withChild.id });
    for (const d of [withStaff, withChild]) {
      const res = await admin.delete(`/api/v1/departments/${d.id}`);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({
        code: 'REFERENCE_IN_USE',
        message: '该记录仍被使用，不能删除；可改为停用',
      });
    }
    const empty = await buildDepartment(t.database.db);
    expect((await admin.delete(`/api/v1/departments/${empty.id}`)).status).toBe(200);
    expect((await admin.get(`/api/v1/departments/${empty.id}`)).status).toBe(404);
    const audit = await admin.get('/api/v1/audit-logs', { entityId: empty.id, action: 'delete' });
    expect(audit.body.items[0].before.name).toBe(empty.name);
  });

  it('sets a department head and counts its staff', async () => {
    const dept = await buildDepartment(t.database.db);
    const head = await buildUser(t.database.db, { departmentId: dept.id, roleCode: 'manager' });
    const res = await admin.patch(`/api/v1/departments/${dept.id}`, { managerId: head.id });
    expect(res.body).toMatchObject({ managerId: head.id, managerName: head.displayName, userCount: 1 });
    const gone = await buildUser(t.database.db, { active: false });
    const bad = await admin.patch(`/api/v1/departments/${dept.id}`, { managerId: gone.id });
    expect(bad.body.error).toMatchObject({ code: 'INACTIVE_REFERENCE', message: '所选部门负责人已停用或不存在' });
  });
});

describe.each([
  ['branches', { name: () => uniq('分所') }],
  ['regions', { name: () => uniq('区域') }],
  ['business-lines', { name: () => uniq('业务'), code: () => `Z${Math.random().toString(36).slice(2, 7)}` }],
] as const)('%s', (path, fields) => {
  const body = () => Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f()]));

  it('creates, lists with search, edits, deactivates and deletes', async () => {
    const input = body();
    const created = await admin.post(`/api/v1/${path}`, input);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: input.name, active: true });
    if (path === 'business-lines') expect(created.body.code).toBe(String(input.code).toUpperCase());
    const id = created.body.id;
    expect((await admin.get(`/api/v1/${path}`, { q: input.name })).body.items.map((r: { id: string }) => r.id)).toEqual(
      [id],
    );
    expect((await admin.patch(`/api/v1/${path}/${id}`, { sortOrder: 5 })).body.sortOrder).toBe(5);
    expect((await admin.patch(`/api/v1/${path}/${id}`, { active: false })).body.active).toBe(false);
    expect((await admin.get(`/api/v1/${path}`, { q: input.name })).body.total).toBe(0);
    expect((await admin.get(`/api/v1/${path}`, { q: input.name, active: 'false' })).body.total).toBe(1);
    expect((await admin.delete(`/api/v1/${path}/${id}`)).status).toBe(200);
    expect((await admin.get(`/api/v1/${path}/${id}`)).status).toBe(404);
    const actions = (await admin.get('/api/v1/audit-logs', { entityId: id, sort: 'at' })).body.items.map(
      (e: { action: string }) => e.action,
    );
    expect(actions).toEqual(['create', 'update', 'deactivate', 'delete']);
  });

  it('refuses duplicates, unknown fields and missing names', async () => {
    const input = body();
    expect((await admin.post(`/api/v1/${path}`, input)).status).toBe(201);
    const dup = await admin.post(`/api/v1/${path}`, input);
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('DUPLICATE_VALUE');
    expect((await admin.post(`/api/v1/${path}`, { ...body(), id: 'x' })).status).toBe(400);
    expect((await admin.post(`/api/v1/${path}`, { ...body(), name: '   ' })).status).toBe(400);
  });

  it('cannot delete a record that staff still reference', async () => {
    const created = await admin.post(`/api/v1/${path}`, body());
    const user = await buildUser(t.database.db);
    const field =
      path === 'branches'
        ? { branchId: created.body.id }
        : path === 'regions'
          ? { regionId: created.body.id }
          : { businessLineIds: [created.body.id] };
    expect((await admin.patch(`/api/v1/users/${user.id}`, field)).status).toBe(200);
    const res = await admin.delete(`/api/v1/${path}/${created.body.id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('REFERENCE_IN_USE');
    expect((await admin.get(`/api/v1/${path}/${created.body.id}`)).status).toBe(200);
  });
});

describe('business line codes', () => {
  it('accepts upper-case letters and digits only', async () => {
    const res = await admin.post('/api/v1/business-lines', { name: uniq('业务'), code: 'S-J' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues[0].message).toBe('代码只能包含大写字母和数字');
  });
});
