import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_ROLES } from '../../../common/permissions';
import { buildDepartment, buildUser, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

describe('roles', () => {
  it('lists the built-in roles', async () => {
    const res = await admin.get('/api/v1/roles', { pageSize: 100 });
    const codes = res.body.items.map((r: { code: string }) => r.code);
    expect(codes).toEqual(expect.arrayContaining([...BUILTIN_ROLES]));
    expect(res.body.items.find((r: { code: string }) => r.code === 'manager').grants['staff:read']).toBe('department');
  });

  it('a custom role’s grants decide what its users see', async () => {
    const code = uniq('auditor').toLowerCase();
    const created = await admin.post('/api/v1/roles', {
      code,
      name: '内审',
      grants: { 'staff:read': 'department', 'audit:read': 'all' },
    });
    expect(created.status).toBe(201);
    const dept = await buildDepartment(t.database.db);
    const colleague = await buildUser(t.database.db, { departmentId: dept.id });
    const { client } = await signedIn(t, { roleCode: code, departmentId: dept.id });
    expect((await client.get(`/api/v1/users/${colleague.id}`)).status).toBe(200);
    expect((await client.get('/api/v1/audit-logs')).status).toBe(200);
    // Roles are readable (the users page filters by them) but not writable without staff:manage.
    expect((await client.get('/api/v1/roles')).status).toBe(200);
    expect((await client.patch(`/api/v1/roles/${created.body.id}`, { name: '提权' })).status).toBe(403);
    // Narrowing the grant takes effect on the next request.
    await admin.patch(`/api/v1/roles/${created.body.id}`, { grants: { 'staff:read': 'own' } });
    expect((await client.get(`/api/v1/users/${colleague.id}`)).status).toBe(404);
    expect((await client.get('/api/v1/audit-logs')).status).toBe(403);
  });

  it('explains a malformed role code in its own words', async () => {
    const res = await admin.post('/api/v1/roles', { code: 'Bad Code', name: 'x', grants: {} });
    expect(res.body.error.details.issues[0].message).toContain('角色代码');
  });

  it('refuses unknown permissions and scopes, duplicate codes, and deleting built-in or used roles', async () => {
    expect(
      (await admin.post('/api/v1/roles', { code: uniq('r').toLowerCase(), name: 'x', grants: { 'root:all': 'all' } }))
        .status,
    ).toBe(400);
    expect(
      (
        await admin.post('/api/v1/roles', {
          code: uniq('r').toLowerCase(),
          name: 'x',
          grants: { 'staff:read': 'galaxy' },
        })
      ).status,
    ).toBe(400);
    const dup = await admin.post('/api/v1/roles', { code: 'admin', name: 'x', grants: {} });
    expect(dup.body.error.code).toBe('DUPLICATE_VALUE');
    const builtin = (await admin.get('/api/v1/roles', { q: 'manager' })).body.items.find(
      (r: { code: string }) => r.code === 'manager',
    );
    const res = await admin.delete(`/api/v1/roles/${builtin.id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('BUILTIN_ROLE');
    const code = uniq('used').toLowerCase();
    const used = await admin.post('/api/v1/roles', { code, name: '在用', grants: {} });
    await buildUser(t.database.db, { roleCode: code });
    expect((await admin.delete(`/api/v1/roles/${used.body.id}`)).body.error.code).toBe('REFERENCE_IN_USE');
    const unused = await admin.post('/api/v1/roles', { code: uniq('unused').toLowerCase(), name: '未用', grants: {} });
    expect((await admin.delete(`/api/v1/roles/${unused.body.id}`)).status).toBe(200);
  });
});
