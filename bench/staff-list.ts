/**
 * Staff list benchmark: the policy-filtered `GET /api/v1/users` (over HTTP, via inject) against
 * the raw SQL of the same query, in the same process, on PGlite or (with DATABASE_URL) PostgreSQL.
 *
 *   npx tsx bench/staff-list.ts [users=20000]
 */
import { rmSync } from 'node:fs';
import { buildApp } from '../server/app';
import { loadConfig } from '../server/config';
import { migrateDatabase } from '../server/db/migrate';
import { bootstrapDatabase } from '../server/seed/bootstrap';
import { seedUser } from '../server/seed/seeders';
import { benchDatabase, median, progress, report } from './lib';

const USERS = Number(process.argv[2] ?? 20_000);
const { database, dir: tmp } = await benchDatabase();
const raw = (text: string, params: unknown[] = []) =>
  'query' in database.client
    ? (database.client.query as (t: string, p: unknown[]) => Promise<{ rows: unknown[] }>)(text, params)
    : Promise.reject();
try {
  await migrateDatabase(database);
  await bootstrapDatabase(database.db);
  const db = database.db;
  const dept = await raw(
    `INSERT INTO departments (name, path) SELECT 'bench-' || g, '/' FROM generate_series(1, 200) g RETURNING id`,
  );
  await raw(`UPDATE departments SET path = '/' || id || '/' WHERE name LIKE 'bench-%'`);
  const deptIds = (dept.rows as { id: string }[]).map((r) => r.id);
  const role = (await raw(`SELECT id FROM roles WHERE code = 'salesperson'`)).rows[0] as { id: string };
  const batch = 2000;
  for (let done = 0; done < USERS; done += batch) {
    await raw(
      `INSERT INTO users (username, display_name, password_hash, role_id, department_id, staff_category, phone)
       SELECT 'bench' || g, '员工' || g, 'x', $1, ($2::uuid[])[1 + g % 200], 'frontline', '139' || lpad(g::text, 8, '0')
       FROM generate_series($3::int, $4::int) g`,
      [role.id, deptIds, done + 1, Math.min(done + batch, USERS)],
    );
    progress('users', Math.min(done + batch, USERS), USERS);
  }
  await raw('ANALYZE');
  const manager = await seedUser(db, {
    username: 'bench-manager',
    displayName: '经理',
    password: 'Bench-pass-1',
    roleCode: 'manager',
    departmentId: deptIds[7],
  });
  const app = await buildApp({ database, config: loadConfig({}) });
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: manager.username, password: 'Bench-pass-1' },
  });
  const cookie = String(login.headers['set-cookie']).split(';')[0];

  // The same question asked both ways: a manager's department staff, searched by name fragment, page 1 by username.
  const url = '/api/v1/users?q=%E5%91%98%E5%B7%A512&pageSize=20&sort=username';
  const http = await median(async () => {
    const res = await app.inject({ method: 'GET', url, headers: { cookie } });
    if (res.statusCode !== 200) throw new Error(res.body);
  });
  const path7 = (await raw('SELECT path FROM departments WHERE id = $1', [deptIds[7]])).rows[0] as { path: string };
  const sql = await median(async () => {
    const visible = `(u.id = $1 OR u.department_id IN (SELECT id FROM departments WHERE path LIKE $2))`;
    const search = `(u.username ILIKE $3 OR u.display_name ILIKE $3 OR u.email ILIKE $3 OR u.phone ILIKE $3) AND u.active`;
    await raw(
      `SELECT u.*, r.code, r.name, d.name, b.name, g.name FROM users u JOIN roles r ON r.id = u.role_id
       LEFT JOIN departments d ON d.id = u.department_id LEFT JOIN branches b ON b.id = u.branch_id LEFT JOIN regions g ON g.id = u.region_id
       WHERE ${visible} AND ${search} ORDER BY u.username, u.id LIMIT 20`,
      [manager.id, path7.path + '%', '%员工12%'],
    );
    await raw(`SELECT count(*) FROM users u WHERE ${visible} AND ${search}`, [
      manager.id,
      path7.path + '%',
      '%员工12%',
    ]);
  });
  console.log(`engine: ${database.engine}, users: ${USERS}`);
  report('staff list (manager scope + search)', http, sql, 1.5);
  await app.close();
} finally {
  await database.close();
  rmSync(tmp, { recursive: true, force: true });
}
