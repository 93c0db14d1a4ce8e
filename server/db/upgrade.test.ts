import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { hashPassword } from '../domains/auth/passwords';
import { sha256 } from '../domains/auth/auth.service';
import { Jobs } from '../jobs/engine';
import { bootstrapDatabase } from '../seed/bootstrap';
import { Client, createTestApp, randomIp, type TestApp } from '../test/harness';
import { createPglite, openDatabase, rowsOf, type Database } from './client';
import { migrateDatabase } from './migrate';
import { formatPlan, migrationsFolderUpTo, pendingMigrations, readJournal } from './migration-plan';

/**
 * An install of the first release (only migration 0000 applied), with a row in every table of that schema,
 * upgraded to the current schema: nothing it held is lost, and the app works on it.
 */

const FIRST = readJournal()[0].tag;
const PASSWORD = 'Old-release-2026';
const SESSION_TOKEN = randomBytes(32).toString('base64url');
const API_TOKEN = `gdt_${randomBytes(32).toString('base64url')}`;
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ADMIN = id(1);

/** A row in every table of the first schema, as the first release wrote them (its grants, its path format). */
async function fillFirstSchema(database: Database) {
  const passwordHash = await hashPassword(PASSWORD);
  const statements = [
    sql`INSERT INTO branches (id, name, code, sort_order, created_at) VALUES (${id(10)}, '北京总所', 'BJ', 1, '2026-01-05T09:00:00Z')`,
    sql`INSERT INTO regions (id, name, code, active) VALUES (${id(11)}, '华北', 'N', true)`,
    sql`INSERT INTO business_lines (id, name, code, sort_order) VALUES (${id(12)}, '年报审计', 'AUD', 2)`,
    sql`INSERT INTO business_lines (id, name, code, active) VALUES (${id(13)}, '税务咨询', 'TAX', false)`,
    sql`INSERT INTO roles (id, code, name, description, builtin, grants) VALUES
      (${id(20)}, 'admin', '系统管理员', '管理用户、组织架构、角色与系统设置', true,
       '{"staff:read":"all","staff:manage":"all","audit:read":"all"}'::jsonb),
      (${id(21)}, 'salesperson', '业务员', '管理自己的线索、客户与商机', true, '{"staff:read":"own"}'::jsonb),
      (${id(22)}, 'auditor', '外部审计员', '只读', false, '{"audit:read":"all","staff:read":"all"}'::jsonb)`,
    sql`INSERT INTO departments (id, name, parent_id, path, sort_order) VALUES
      (${id(30)}, '审计一部', NULL, ${`/${id(30)}/`}, 1)`,
    sql`INSERT INTO users (id, username, display_name, email, phone, password_hash, role_id, department_id, branch_id,
        region_id, staff_category, is_practicing_cpa, locale, last_login_at, created_at) VALUES
      (${ADMIN}, 'chen', '陈合伙人', 'chen@example.cn', '139-0000-0001', ${passwordHash}, ${id(20)}, ${id(30)}, ${id(10)},
       ${id(11)}, 'management', true, 'zh-CN', '2026-02-01T08:30:00Z', '2026-01-05T09:00:00Z'),
      (${id(2)}, 'wang', '王业务', NULL, NULL, ${passwordHash}, ${id(21)}, ${id(30)}, NULL, NULL, 'frontline', false,
       'en-US', NULL, '2026-01-06T09:00:00Z')`,
    sql`INSERT INTO departments (id, name, parent_id, path, manager_id) VALUES
      (${id(31)}, '审计一部一组', ${id(30)}, ${`/${id(30)}/${id(31)}/`}, ${ADMIN})`,
    sql`INSERT INTO user_business_lines (user_id, business_line_id) VALUES (${id(2)}, ${id(12)})`,
    sql`INSERT INTO api_tokens (id, user_id, name, prefix, token_hash, last_used_at, expires_at) VALUES
      (${id(40)}, ${ADMIN}, '财务系统对接', ${API_TOKEN.slice(0, 10)}, ${sha256(API_TOKEN)}, '2026-02-01T10:00:00Z', NULL)`,
    sql`INSERT INTO api_tokens (id, user_id, name, prefix, token_hash, revoked_at) VALUES
      (${id(41)}, ${id(2)}, '旧令牌', 'gdt_oldold', ${sha256('gdt_revoked')}, '2026-01-20T00:00:00Z')`,
    sql`INSERT INTO sessions (id, token_hash, csrf_token, user_id, expires_at, ip, user_agent) VALUES
      (${id(50)}, ${sha256(SESSION_TOKEN)}, 'csrf-old', ${ADMIN}, now() + interval '7 days', '10.0.0.8', 'Mozilla/5.0')`,
    sql`INSERT INTO login_failures (key, count, window_start) VALUES ('user:wang', 2, '2026-02-01T09:00:00Z')`,
    sql`INSERT INTO audit_logs (id, at, actor_id, action, entity_type, entity_id, before, after, request_id) VALUES
      (${id(60)}, '2026-01-06T09:00:00Z', ${ADMIN}, 'create', 'user', ${id(2)}, NULL,
       '{"username":"wang","displayName":"王业务"}'::jsonb, 'req-1'),
      (${id(61)}, '2026-01-07T09:00:00Z', ${ADMIN}, 'update', 'department', ${id(30)},
       '{"name":"审计部"}'::jsonb, '{"name":"审计一部"}'::jsonb, NULL)`,
  ];
  for (const statement of statements) await database.db.execute(statement);
}

type Snapshot = Map<string, { columns: string[]; rows: Record<string, unknown>[] }>;

/** Every table of the public schema: its columns and its rows (as JSON, so both engines compare alike). */
async function snapshot(database: Database): Promise<Snapshot> {
  const columns = await rowsOf<{ table_name: string; column_name: string }>(
    database.db,
    sql`SELECT c.table_name, c.column_name FROM information_schema.columns c
        JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position`,
  );
  const result: Snapshot = new Map();
  for (const { table_name, column_name } of columns) {
    if (!result.has(table_name)) result.set(table_name, { columns: [], rows: [] });
    result.get(table_name)!.columns.push(column_name);
  }
  for (const [table, entry] of result) {
    const rows = await rowsOf<{ row: Record<string, unknown> | string }>(
      database.db,
      sql`SELECT to_jsonb(t) AS row FROM ${sql.identifier(table)} t`,
    );
    entry.rows = rows.map((r) => (typeof r.row === 'string' ? JSON.parse(r.row) : r.row));
  }
  return result;
}

/** The rows of a table reduced to the given columns, one sorted string each: comparable whatever the order. */
function project(rows: Record<string, unknown>[], columns: string[]): string[] {
  return rows.map((row) => JSON.stringify(columns.map((c) => [c, row[c] ?? null]))).sort();
}

/** A fresh empty database next to the one under test: in memory on PGlite, a new database on PostgreSQL. */
async function freshDatabase(): Promise<{ database: Database; drop(): Promise<void> }> {
  const databaseUrl = inject('databaseUrl');
  if (!databaseUrl) {
    const database = await openDatabase({ pglite: await createPglite() });
    return { database, drop: async () => {} };
  }
  const url = new URL(databaseUrl);
  const name = `${url.pathname.slice(1)}_upgrade_${randomBytes(4).toString('hex')}`.toLowerCase();
  const adminUrl = new URL(databaseUrl);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 4 });
  return {
    database,
    async drop() {
      const again = new pg.Client({ connectionString: adminUrl.toString() });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await again.end();
    },
  };
}

describe('upgrading an install of the first release', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let before: Snapshot;
  let after: Snapshot;
  let t: TestApp;

  beforeAll(async () => {
    fresh = await freshDatabase();
    const first = migrationsFolderUpTo(FIRST);
    try {
      await migrateDatabase(fresh.database, first.folder);
    } finally {
      first.remove();
    }
    await fillFirstSchema(fresh.database);
    before = await snapshot(fresh.database);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await fresh?.database.close();
    await fresh?.drop();
  });

  it('starts from the first schema with a row in every one of its tables', () => {
    expect([...before.keys()].sort()).toEqual([
      'api_tokens',
      'audit_logs',
      'branches',
      'business_lines',
      'departments',
      'login_failures',
      'regions',
      'roles',
      'sessions',
      'user_business_lines',
      'users',
    ]);
    for (const [table, { rows }] of before) expect(rows.length, table).toBeGreaterThan(0);
  });

  it('the dry run lists every later migration, the heavy search-grams one among them, and applies nothing', async () => {
    const plan = await pendingMigrations(fresh.database);
    expect(plan.map((p) => p.tag)).toEqual(
      readJournal()
        .slice(1)
        .map((e) => e.tag),
    );
    expect(plan.find((p) => p.tag === '0021_search-grams')?.heavy).toBe(true);
    expect(formatPlan(plan, 'here')).toContain(`${plan.length} migrations would run on here`);
    expect(await snapshot(fresh.database)).toEqual(before);
  });

  it('migrates to the current schema keeping every row and every original value', async () => {
    await migrateDatabase(fresh.database);
    await bootstrapDatabase(fresh.database.db);
    expect(await pendingMigrations(fresh.database)).toEqual([]);
    after = await snapshot(fresh.database);
    for (const [table, { columns, rows }] of before) {
      const now = after.get(table);
      expect(now, `table ${table} still exists`).toBeDefined();
      for (const column of columns) expect(now!.columns, `${table}.${column} still exists`).toContain(column);
      if (table === 'roles') {
        // Later migrations add their grants to the built-in roles; what the role granted before stays granted.
        const kept = columns.filter((c) => c !== 'grants');
        expect(project(now!.rows, kept).filter((r) => project(rows, kept).includes(r))).toHaveLength(rows.length);
        for (const old of rows) {
          const current = now!.rows.find((r) => r.id === old.id)!;
          expect(current.grants).toMatchObject(old.grants as object);
          if (!old.builtin) expect(current.grants).toEqual(old.grants);
        }
        expect(now!.rows.find((r) => r.code === 'admin')!.grants).toMatchObject({ 'customers:read': 'all' });
        continue;
      }
      expect(project(now!.rows, columns), table).toEqual(project(rows, columns));
    }
  });

  it('then works: the old administrator signs in, and the old session and API token still serve', async () => {
    await (await Jobs.open(fresh.database)).stop(); // the job tables, as `gongdan serve` installs them
    t = await createTestApp({ database: fresh.database });
    const admin = await t.login('chen', PASSWORD);
    expect(admin.me?.user).toMatchObject({ username: 'chen', displayName: '陈合伙人', departmentName: '审计一部' });

    const created = await admin.post('/api/v1/customers', { name: '北京华达科技有限公司' });
    expect(created.status).toBe(201);
    const read = await admin.get(`/api/v1/customers/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ name: '北京华达科技有限公司' });
    expect((await admin.get('/api/v1/customers', { q: '华达' })).body.items.map((c: { id: string }) => c.id)).toEqual([
      created.body.id,
    ]);

    const oldSession = new Client(t.app, `gd_session=${SESSION_TOKEN}`, 'csrf-old');
    expect((await oldSession.get('/api/v1/auth/me')).body.user).toMatchObject({ username: 'chen' });

    const byToken = new Client(t.app, null, null, null, { authorization: `Bearer ${API_TOKEN}` });
    const viaToken = await byToken.get(`/api/v1/customers/${created.body.id}`);
    expect(viaToken.status).toBe(200);
    expect(viaToken.body.name).toBe('北京华达科技有限公司');

    const department = await admin.get(`/api/v1/departments/${id(31)}`);
    expect(department.body).toMatchObject({ name: '审计一部一组', parentId: id(30) });

    const stranger = await t.anon.request(
      'POST',
      '/api/v1/auth/login',
      { username: 'wang', password: 'wrong-password' },
      { remoteAddress: randomIp() },
    );
    expect(stranger.status).toBe(401);
  });
});
