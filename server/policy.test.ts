import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_ROLE_GRANTS, type BuiltinRole } from '../common/permissions';
import { buildDepartment, buildUser } from './test/factories';
import { createTestApp, type TestApp } from './test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const ROLES: BuiltinRole[] = ['salesperson', 'manager', 'executive', 'finance', 'staff'];

/** A random forest: department i's parent is an earlier department or none; users sit in a department or none. */
const firm = fc.record({
  parents: fc.array(fc.option(fc.nat(), { nil: null }), { minLength: 1, maxLength: 6 }),
  people: fc.array(fc.record({ dept: fc.option(fc.nat(), { nil: null }), role: fc.constantFrom(...ROLES) }), {
    minLength: 2,
    maxLength: 6,
  }),
});

describe('record-level visibility (property)', () => {
  it('every actor sees exactly the staff their scope allows, in lists and in detail reads', async () => {
    await fc.assert(
      fc.asyncProperty(firm, async ({ parents, people }) => {
        const db = t.database.db;
        const deptIds: string[] = [];
        const parentOf: (number | null)[] = [];
        for (const [i, p] of parents.entries()) {
          const parent = p === null || i === 0 ? null : p % i;
          parentOf.push(parent);
          deptIds.push((await buildDepartment(db, { parentId: parent === null ? null : deptIds[parent] })).id);
        }
        const isUnder = (d: number, ancestor: number): boolean =>
          d === ancestor || (parentOf[d] !== null && isUnder(parentOf[d]!, ancestor));
        const members = [];
        for (const person of people) {
          const dept = person.dept === null ? null : person.dept % deptIds.length;
          const user = await buildUser(db, {
            roleCode: person.role,
            departmentId: dept === null ? null : deptIds[dept],
          });
          members.push({ ...person, dept, id: user.id, username: user.username });
        }
        const ours = new Set(members.map((m) => m.id));
        for (const actor of members) {
          const scope = BUILTIN_ROLE_GRANTS[actor.role]['staff:read'];
          const expected = members
            .filter(
              (m) =>
                m.id === actor.id ||
                scope === 'all' ||
                (scope === 'department' && actor.dept !== null && m.dept !== null && isUnder(m.dept, actor.dept)),
            )
            .map((m) => m.id)
            .sort();
          const client = await t.login(actor.username);
          const listed: string[] = [];
          for (let page = 1; ; page++) {
            const res = await client.get('/api/v1/users', { pageSize: 100, page, sort: 'createdAt' });
            listed.push(...res.body.items.map((u: { id: string }) => u.id));
            if (page * 100 >= res.body.total) break;
          }
          expect(listed.filter((id) => ours.has(id)).sort()).toEqual(expected);
          for (const m of members) {
            const res = await client.get(`/api/v1/users/${m.id}`);
            expect(res.status).toBe(expected.includes(m.id) ? 200 : 404);
          }
        }
      }),
      { numRuns: 6 },
    );
  });
});
