import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildDepartment, buildUser, signedIn } from '../../test/factories';
import { createTestApp, type Client, type TestApp } from '../../test/harness';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

const step = (overrides: Record<string, unknown> = {}) => ({
  nameZh: '部门经理审批',
  nameEn: 'Department manager',
  assignee: { kind: 'role-in-department', roleCode: 'manager' },
  ...overrides,
});

describe('approval flow definitions', () => {
  it('are versioned: saving makes a new version and the old ones stay readable', async () => {
    const fallback = await buildUser(t.database.db, { roleCode: 'executive' });
    const line = await buildBusinessLine(t.database.db);
    const created = await admin.post('/api/v1/workflows', {
      subjectKind: 'quote',
      nameZh: '审计报价折扣审批',
      nameEn: 'Audit quote discount',
      conditions: [
        { field: 'discountPercent', op: 'gt', value: '10' },
        { field: 'businessLineId', op: 'eq', value: line.id },
      ],
      steps: [step()],
      fallbackUserId: fallback.id,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      version: 1,
      priority: 100,
      active: true,
      fallbackUserName: fallback.displayName,
    });
    const two = await admin.put(`/api/v1/workflows/${created.body.id}`, {
      ...created.body,
      id: undefined,
      version: undefined,
      fallbackUserName: undefined,
      runningCount: undefined,
      updatedAt: undefined,
      updatedByName: undefined,
      steps: [
        step(),
        step({
          nameZh: '合伙人审批',
          nameEn: 'Partner',
          assignee: { kind: 'role', roleCode: 'executive' },
          returnTo: [1],
        }),
      ],
    });
    expect(two.status, JSON.stringify(two.body)).toBe(200);
    expect(two.body.version).toBe(2);
    const versions = await admin.get(`/api/v1/workflows/${created.body.id}/versions`);
    expect(versions.body.map((v: { version: number; steps: unknown[] }) => [v.version, v.steps.length])).toEqual([
      [2, 2],
      [1, 1],
    ]);
    const audit = await admin.get('/api/v1/audit-logs', { entityType: 'workflow', entityId: created.body.id });
    expect(audit.body.items.map((a: { action: string }) => a.action).sort()).toEqual(['create', 'update']);
  });

  it('refuses what could never run, each on its field: no steps, nobody to decide, a return forward, a wrong condition', async () => {
    const gone = await buildUser(t.database.db, { active: false });
    const fallback = await buildUser(t.database.db);
    const department = await buildDepartment(t.database.db);
    const bad = await admin.post('/api/v1/workflows', {
      subjectKind: 'quote',
      nameZh: '坏流程',
      nameEn: 'Broken',
      conditions: [
        { field: 'shoeSize', op: 'eq', value: '42' },
        { field: 'total', op: 'gte', value: 'lots' },
        { field: 'businessLineId', op: 'gt', value: department.id },
      ],
      steps: [
        step({ assignee: { kind: 'user', userId: gone.id } }),
        step({ assignee: { kind: 'role', roleCode: 'no-such-role' } }),
        step({ returnTo: [3] }),
      ],
      fallbackUserId: gone.id,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const paths = bad.body.error.details.issues.map((i: { path: string }) => i.path).sort();
    expect(paths).toEqual([
      'conditions.0.field',
      'conditions.1.value',
      'conditions.2.value',
      'fallbackUserId',
      'steps.0.assignee',
      'steps.1.assignee',
      'steps.2.returnTo',
    ]);
    const empty = await admin.post('/api/v1/workflows', {
      subjectKind: 'quote',
      nameZh: '空流程',
      nameEn: 'Empty',
      steps: [],
      fallbackUserId: fallback.id,
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['steps']);
    expect(empty.body.error.details.issues[0].message).toBe('流程至少需要一个审批步骤');
    expect(
      (await admin.get('/api/v1/workflows', { subjectKind: 'quote' })).body.map((w: { nameZh: string }) => w.nameZh),
    ).not.toContain('空流程');
  });

  it('are for administrators only', async () => {
    const { client: sales } = await signedIn(t);
    expect((await sales.get('/api/v1/workflows')).status).toBe(403);
    expect((await sales.post('/api/v1/workflows', {})).status).toBe(403);
  });
});
