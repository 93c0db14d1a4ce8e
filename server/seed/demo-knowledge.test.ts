import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPglite, openDatabase, type Database } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { createTestApp, type TestApp } from '../test/harness';
import { bootstrapDatabase } from './bootstrap';
import { DEMO_PASSWORD, seedDemoFirm } from './demo';

/** The demo firm's knowledge base (demo-knowledge.ts), in a database of its own (the demo needs an empty one). */

let database: Database;
let t: TestApp;

beforeAll(async () => {
  const template = inject('pgliteTemplate');
  database = await openDatabase({
    pglite: template ? await createPglite({ loadDataDir: new Blob([readFileSync(template)]) }) : await createPglite(),
  });
  if (!template) {
    await migrateDatabase(database);
    await bootstrapDatabase(database.db);
  }
  t = await createTestApp({ database });
  await seedDemoFirm(database.db, t.app.jobs);
}, 240_000);

afterAll(async () => {
  await t?.close();
  await database?.close();
});

describe('the demo knowledge base', () => {
  it('has a dozen articles, three templates and some due for review, as its people see them', async () => {
    const sales1 = await t.login('sales1', DEMO_PASSWORD);
    const all = await sales1.get('/api/v1/knowledge', { pageSize: 100 });
    expect(all.status).toBe(200);
    const titles = all.body.items.map((a: { title: string }) => a.title);
    expect(titles).toEqual(expect.arrayContaining(['年报审计承接要点', '代理记账客户常见问题', '验资业务风险提示']));
    expect(all.body.total).toBeGreaterThanOrEqual(12);
    const templates = await sales1.get('/api/v1/knowledge', { kind: 'template' });
    expect(templates.body.items.map((a: { templateUse: string }) => a.templateUse).sort()).toEqual([
      'email',
      'engagement-letter',
      'proposal',
    ]);
    // 审计一部 is below 审计业务部: its article is theirs to read; 税务部's salesperson does not see it.
    expect(titles).toContain('审计业务报价谈判的几个做法');
    const sales2 = await t.login('sales2', DEMO_PASSWORD);
    const theirs = await sales2.get('/api/v1/knowledge', { pageSize: 100 });
    expect(theirs.body.items.map((a: { title: string }) => a.title)).not.toContain('审计业务报价谈判的几个做法');
    const stale = await sales1.get('/api/v1/knowledge/stale');
    expect(stale.body.items.map((a: { title: string }) => a.title)).toEqual(['验资业务风险提示']);
    const manager = await t.login('manager', DEMO_PASSWORD);
    expect((await manager.get('/api/v1/knowledge/stale')).body.total).toBeGreaterThanOrEqual(4);
    const article = all.body.items.find((a: { title: string }) => a.title === '年报审计承接要点');
    expect(article.usefulCount).toBe(3);
  });
});
