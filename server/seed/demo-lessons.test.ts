import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPglite, openDatabase, type Database } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { createTestApp, type TestApp } from '../test/harness';
import { bootstrapDatabase } from './bootstrap';
import { DEMO_PASSWORD, seedDemoFirm } from './demo';

/** The demo's lessons 复盘 and customer insights 客户洞察 (demo-lessons.ts), in a database of its own. */

let database: Database;
let t: TestApp;

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await database.db.execute(query)) as unknown as { rows: T[] }).rows;
}

beforeAll(async () => {
  const template = inject('pgliteTemplate');
  if (template) {
    database = await openDatabase({ pglite: await createPglite({ loadDataDir: new Blob([readFileSync(template)]) }) });
  } else {
    database = await openDatabase({ pglite: await createPglite() });
    await migrateDatabase(database);
    await bootstrapDatabase(database.db);
  }
  t = await createTestApp({ database });
  await seedDemoFirm(database.db, t.app.jobs);
}, 180_000);

afterAll(async () => {
  await t?.close();
  await database?.close();
});

describe('the demo’s lessons and insights', () => {
  it('has lessons on won and lost deals, one skipped, and two customer insights', async () => {
    const lessons = await rows<{ title: string; visibility: string; links: number }>(sql`
      SELECT a.title, a.visibility, (SELECT count(*)::int FROM knowledge_links l WHERE l.article_id = a.id) AS links
      FROM knowledge_articles a WHERE a.kind = 'lesson' ORDER BY a.title`);
    expect(lessons.map((l) => l.title)).toEqual(
      expect.arrayContaining([
        '复盘：北京中关村软件园发展 · 年度审计（赢单）',
        '复盘：延安红都能源 · 年度审计（输单）',
        '复盘：2025 年度财务报表审计（赢单）',
      ]),
    );
    expect(lessons.every((l) => l.links === 2)).toBe(true);
    const prompts = await rows<{ status: string; n: number }>(
      sql`SELECT status, count(*)::int AS n FROM knowledge_lesson_prompts GROUP BY status ORDER BY status`,
    );
    expect(prompts).toEqual([
      { status: 'skipped', n: 1 },
      { status: 'written', n: lessons.length },
    ]);
    const insights = await rows<{ title: string }>(
      sql`SELECT title FROM knowledge_articles WHERE kind = 'insight' ORDER BY title`,
    );
    expect(insights).toHaveLength(2);

    // sales1 sees the rate of their own deals: some written, one skipped, the rest not answered.
    const sales1 = await t.login('sales1', DEMO_PASSWORD);
    const rate = await sales1.get('/api/v1/knowledge/lesson-rate', { from: '2020-01-01' });
    expect(rate.status).toBe(200);
    expect(rate.body.written).toBeGreaterThanOrEqual(2);
    expect(rate.body.skipped).toBe(1);
    expect(rate.body.closed).toBe(rate.body.written + rate.body.skipped + rate.body.unanswered);
  });
});
