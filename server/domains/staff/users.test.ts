import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBranch,
  buildBusinessLine,
  buildDepartment,
  buildRegion,
  buildUser,
  setDepartmentManager,
  signedIn,
} from '../../test/factories';
import { TEST_PASSWORD, createTestApp, randomIp, uniq, type Client, type TestApp } from '../../test/harness';
import { getRoleIdByCode } from './roles.service';
import { users } from './staff.tables';

let t: TestApp;
let admin: Client;
let salespersonRoleId: string;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
  salespersonRoleId = (await getRoleIdByCode(t.database.db, 'salesperson'))!;
});
afterAll(() => t.close());

const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((u) => u.id).sort();

describe('visibility of staff records', () => {
  it('a salesperson sees only themself; anyone else is a 404, not a 403', async () => {
    const dept = await buildDepartment(t.database.db);
    const { user, client } = await signedIn(t, { departmentId: dept.id });
    const colleague = await buildUser(t.database.db, { departmentId: dept.id });
    const list = await client.get('/api/v1/users', { pageSize: 100 });
    expect(list.status).toBe(200);
    expect(ids(list)).toEqual([user.id]);
    expect(list.body.total).toBe(1);
    const other = await client.get(`/api/v1/users/${colleague.id}`);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('NOT_FOUND');
    expect((await client.get(`/api/v1/users/${user.id}`)).status).toBe(200);
    // A search cannot reach outside the scope either.
    expect((await client.get('/api/v1/users', { q: colleague.username })).body.total).toBe(0);
  });

  it('a manager sees their department and its sub-departments, not a sibling department', async () => {
    const top = await buildDepartment(t.database.db);
    const sub = await buildDepartment(t.database.db, { parentId: top.id });
    const sibling = await buildDepartment(t.database.db);
    const { user: manager, client } = await signedIn(t, { roleCode: 'manager', departmentId: top.id });
    await setDepartmentManager(t.database.db, top.id, manager.id);
    const inTop = await buildUser(t.database.db, { departmentId: top.id });
    const inSub = await buildUser(t.database.db, { departmentId: sub.id });
    const outside = await buildUser(t.database.db, { departmentId: sibling.id });
    const list = await client.get('/api/v1/users', { pageSize: 100 });
    expect(ids(list)).toEqual([manager.id, inTop.id, inSub.id].sort());
    expect((await client.get(`/api/v1/users/${inSub.id}`)).status).toBe(200);
    expect((await client.get(`/api/v1/users/${outside.id}`)).status).toBe(404);
    // Writes stay administrative even inside the department.
    expect((await client.patch(`/api/v1/users/${inTop.id}`, { displayName: 'x' })).status).toBe(403);
  });

  it('an executive sees everyone, a finance user too; a deactivated user is listed only on request', async () => {
    const { client } = await signedIn(t, { roleCode: 'executive' });
    const someone = await buildUser(t.database.db);
    const gone = await buildUser(t.database.db, { active: false });
    expect((await client.get(`/api/v1/users/${someone.id}`)).status).toBe(200);
    expect((await client.get('/api/v1/users', { q: gone.username })).body.total).toBe(0);
    expect((await client.get('/api/v1/users', { q: gone.username, active: 'false' })).body.total).toBe(1);
    expect((await client.get('/api/v1/users', { q: gone.username, active: 'all' })).body.total).toBe(1);
  });
});

describe('managing users', () => {
  async function newUserBody(overrides: Record<string, unknown> = {}) {
    const dept = await buildDepartment(t.database.db);
    return {
      username: uniq('new').toLowerCase(),
      displayName: '新同事',
      password: 'Welcome-2026',
      roleId: salespersonRoleId,
      departmentId: dept.id,
      staffCategory: 'frontline',
      ...overrides,
    };
  }

  it('creates a user with staff attributes who can then sign in; the change is audited', async () => {
    const branch = await buildBranch(t.database.db);
    const region = await buildRegion(t.database.db);
    const line = await buildBusinessLine(t.database.db);
    const body = await newUserBody({
      branchId: branch.id,
      regionId: region.id,
      businessLineIds: [line.id],
      isPracticingCpa: true,
      email: 'li@example.cn',
      phone: '029-8888 6666',
    });
    const res = await admin.post('/api/v1/users', body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      username: body.username,
      roleCode: 'salesperson',
      branchName: branch.name,
      regionName: region.name,
      businessLineIds: [line.id],
      isPracticingCpa: true,
      active: true,
      staffCategory: 'frontline',
    });
    expect(res.body).not.toHaveProperty('password');
    expect((await t.login(body.username, 'Welcome-2026')).me!.user.id).toBe(res.body.id);
    const audit = await admin.get('/api/v1/audit-logs', { entityType: 'user', entityId: res.body.id });
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].action).toBe('create');
    expect(JSON.stringify(audit.body.items[0])).not.toMatch(/argon2|Welcome-2026/);
  });

  it('refuses a taken username (case-insensitively) and changes nothing', async () => {
    const existing = await buildUser(t.database.db);
    const res = await admin.post('/api/v1/users', await newUserBody({ username: existing.username.toUpperCase() }));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('DUPLICATE_VALUE');
    expect(res.body.error.message).toBe(`用户名「${existing.username}」已存在`);
  });

  it('rejects bad input field by field with localised messages', async () => {
    const attempted: string[] = [];
    const cases: [Record<string, unknown>, string, string][] = [
      [{ username: '1abc' }, 'body.username', 'validation.username'],
      [{ password: 'abcdefgh' }, 'body.password', '密码至少 8 位'],
      [{ displayName: 'x'.repeat(51) }, 'body.displayName', '最多 50 个字符'],
      [{ displayName: '' }, 'body.displayName', '至少 1 个字符'],
      [{ email: 'not-an-email' }, 'body.email', ''],
      [{ staffCategory: 'boss' }, 'body.staffCategory', 'management, frontline, backoffice'],
      [{ roleId: 'not-a-uuid' }, 'body.roleId', '格式不正确'],
      [{ isPracticingCpa: 'yes' }, 'body.isPracticingCpa', '类型应为 boolean'],
      [{ salary: 100 }, 'body', '不允许的字段：salary'],
      [{ displayName: 'a\u0000b' }, 'body.displayName', '不能包含控制字符'],
    ];
    for (const [override, path, fragment] of cases) {
      const body = await newUserBody(override);
      if (typeof body.username === 'string' && body.username.startsWith('new-')) attempted.push(body.username);
      const res = await admin.post('/api/v1/users', body);
      expect(res.status, JSON.stringify(override)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      const issue = res.body.error.details.issues.find((i: { path: string }) => i.path === path);
      expect(issue, `${path} in ${JSON.stringify(res.body.error.details)}`).toBeDefined();
      if (fragment && !fragment.startsWith('validation.')) expect(issue.message).toContain(fragment);
      expect(issue.message).not.toMatch(/^validation\./);
    }
    const missing = await admin.post('/api/v1/users', { username: 'someone' });
    expect(missing.body.error.details.issues.find((i: { path: string }) => i.path === 'body.roleId').message).toBe(
      '必填',
    );
    // Nothing was created (checked by name: other test files add users to a shared PostgreSQL meanwhile).
    for (const username of attempted)
      expect((await admin.get('/api/v1/users', { active: 'all', q: username })).body.total, username).toBe(0);
  });

  it('stores SQL and HTML in text fields as plain text', async () => {
    const nasty = `<img src=x onerror=alert(1)>'; DROP TABLE users;`;
    const res = await admin.post('/api/v1/users', await newUserBody({ displayName: nasty }));
    expect(res.status).toBe(201);
    expect((await admin.get(`/api/v1/users/${res.body.id}`)).body.displayName).toBe(nasty);
    expect((await admin.get('/api/v1/users', { q: "'; DROP" })).body.items.map((u: { id: string }) => u.id)).toContain(
      res.body.id,
    );
  });

  it('refuses deactivated or unknown departments, branches and business lines', async () => {
    const dept = await buildDepartment(t.database.db);
    await admin.patch(`/api/v1/departments/${dept.id}`, { active: false });
    const res = await admin.post('/api/v1/users', await newUserBody({ departmentId: dept.id }));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INACTIVE_REFERENCE', message: '所选部门已停用或不存在' });
    const unknownLine = await admin.post(
      '/api/v1/users',
      await newUserBody({ businessLineIds: ['6f1c1d7e-8a7b-4c55-9a51-3c2f0b7d1e01'] }),
    );
    expect(unknownLine.body.error.code).toBe('INACTIVE_REFERENCE');
  });

  it('edits attributes with an audited before/after', async () => {
    const user = await buildUser(t.database.db);
    const line = await buildBusinessLine(t.database.db);
    const res = await admin.patch(`/api/v1/users/${user.id}`, {
      staffCategory: 'management',
      businessLineIds: [line.id],
      email: '',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ staffCategory: 'management', businessLineIds: [line.id], email: null });
    const audit = await admin.get('/api/v1/audit-logs', { entityId: user.id, action: 'update' });
    expect(audit.body.items[0].before.staffCategory).toBe('frontline');
    expect(audit.body.items[0].after.staffCategory).toBe('management');
  });

  it('deactivates: no more sign-in, existing sessions end, the record stays; reactivation works', async () => {
    const { user, client } = await signedIn(t);
    const res = await admin.post(`/api/v1/users/${user.id}/deactivate`);
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    expect((await client.get('/api/v1/auth/me')).status).toBe(401);
    const login = await t.anon.request(
      'POST',
      '/api/v1/auth/login',
      { username: user.username, password: TEST_PASSWORD },
      { remoteAddress: randomIp() },
    );
    expect(login.body.error.code).toBe('ACCOUNT_DEACTIVATED');
    expect((await admin.get(`/api/v1/users/${user.id}`)).body.displayName).toBe(user.displayName);
    expect((await admin.post(`/api/v1/users/${user.id}/activate`)).body.active).toBe(true);
    expect((await t.login(user.username)).me!.user.id).toBe(user.id);
  });

  it('does not let an administrator deactivate themself', async () => {
    const res = await admin.post(`/api/v1/users/${admin.me!.user.id}/deactivate`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CANNOT_DEACTIVATE_SELF');
  });

  it('resets a password: the old one and the user’s sessions stop working', async () => {
    const { user, client } = await signedIn(t);
    expect((await admin.post(`/api/v1/users/${user.id}/reset-password`, { newPassword: 'Reset-pass-99' })).status).toBe(
      200,
    );
    expect((await client.get('/api/v1/auth/me')).status).toBe(401);
    expect((await t.login(user.username, 'Reset-pass-99')).me!.user.id).toBe(user.id);
    const [row] = await t.database.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, user.id));
    expect(row.hash).toMatch(/^\$argon2id\$/);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await admin.get('/api/v1/users/6f1c1d7e-8a7b-4c55-9a51-3c2f0b7d1e01')).status).toBe(404);
    expect((await admin.patch('/api/v1/users/6f1c1d7e-8a7b-4c55-9a51-3c2f0b7d1e01', { displayName: 'x' })).status).toBe(
      404,
    );
    const bad = await admin.get('/api/v1/users/1%27%20OR%201=1');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toBe('params.id');
  });
});

describe('listing users', () => {
  it('filters by department subtree, business line, category and role; searches; sorts; paginates', async () => {
    const top = await buildDepartment(t.database.db);
    const sub = await buildDepartment(t.database.db, { parentId: top.id });
    const line = await buildBusinessLine(t.database.db);
    const a = await buildUser(t.database.db, { departmentId: top.id, displayName: '甲', staffCategory: 'management' });
    const b = await buildUser(t.database.db, { departmentId: sub.id, displayName: '乙', phone: '13912345678' });
    const c = await buildUser(t.database.db, { departmentId: sub.id, displayName: '丙', roleCode: 'finance' });
    await admin.patch(`/api/v1/users/${b.id}`, { businessLineIds: [line.id] });

    const inTree = await admin.get('/api/v1/users', { departmentId: top.id, pageSize: 100 });
    expect(ids(inTree)).toEqual([a.id, b.id, c.id].sort());
    expect(ids(await admin.get('/api/v1/users', { departmentId: sub.id }))).toEqual([b.id, c.id].sort());
    expect(ids(await admin.get('/api/v1/users', { businessLineId: line.id }))).toEqual([b.id]);
    expect(ids(await admin.get('/api/v1/users', { departmentId: top.id, staffCategory: 'management' }))).toEqual([
      a.id,
    ]);
    const financeRole = (await getRoleIdByCode(t.database.db, 'finance'))!;
    expect(ids(await admin.get('/api/v1/users', { departmentId: top.id, roleId: financeRole }))).toEqual([c.id]);
    expect(ids(await admin.get('/api/v1/users', { q: '1234567' }))).toContain(b.id);

    const sorted = await admin.get('/api/v1/users', { departmentId: top.id, sort: '-username' });
    const usernames = sorted.body.items.map((u: { username: string }) => u.username);
    expect(usernames).toEqual([...usernames].sort().reverse());
    const page2 = await admin.get('/api/v1/users', { departmentId: top.id, sort: 'username', pageSize: 2, page: 2 });
    expect(page2.body).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.items[0].username).toBe([...usernames].sort()[2]);

    expect((await admin.get('/api/v1/users', { sort: 'passwordHash' })).status).toBe(400);
    expect((await admin.get('/api/v1/users', { pageSize: 1000 })).status).toBe(400);
    expect((await admin.get('/api/v1/users', { q: '%' })).status).toBe(200);
  });
});

describe('the staff directory (for pickers)', () => {
  it('gives a salesperson the names of active colleagues in any department, and nothing more', async () => {
    const { client } = await signedIn(t);
    const colleague = await buildUser(t.database.db, { displayName: uniq('同事') });
    const gone = await buildUser(t.database.db, { displayName: uniq('离职'), active: false });
    const res = await client.get('/api/v1/users/directory', { q: colleague.displayName });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        id: colleague.id,
        displayName: colleague.displayName,
        username: colleague.username,
        departmentName: expect.any(String),
      },
    ]);
    expect((await client.get('/api/v1/users/directory', { q: gone.displayName })).body).toEqual([]);
    const { client: projectStaff } = await signedIn(t, { roleCode: 'staff' });
    expect((await projectStaff.get('/api/v1/users/directory')).status).toBe(403);
  });

  it('serves those who may read colleagues’ records anyway (finance, managers), for their owner filters', async () => {
    const colleague = await buildUser(t.database.db, { displayName: uniq('同事') });
    for (const roleCode of ['finance', 'manager', 'executive']) {
      const { client } = await signedIn(t, { roleCode });
      const res = await client.get('/api/v1/users/directory', { q: colleague.displayName });
      expect(res.status, roleCode).toBe(200);
      expect(res.body.map((u: { id: string }) => u.id)).toEqual([colleague.id]);
    }
  });
});
