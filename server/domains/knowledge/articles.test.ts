import { randomUUID } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { files } from '../files/files.tables';
import { buildBusinessLine, buildDepartment, buildOpportunity, signedIn } from '../../test/factories';
import { createTestApp, multipart, uniq, type Client, type TestApp } from '../../test/harness';
import { knowledgeArticles, knowledgeReads } from './knowledge.tables';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type Article = {
  id: string;
  title: string;
  body: string;
  version: number;
  viewCount: number;
  usefulCount: number;
  stale: boolean;
  writable: boolean;
  markedUseful: boolean;
  links: { type: string; id: string; title: string | null; available: boolean }[];
  attachments: { id: string; filename: string }[];
  [key: string]: unknown;
};

async function write(client: Client, body: Record<string, unknown>): Promise<Article> {
  const res = await client.post('/api/v1/knowledge', { kind: 'experience', title: uniq('年报审计承接要点'), ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Article;
}

const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((a) => a.id);

async function articlesBy(userId: string): Promise<number> {
  const [row] = await t.database.db
    .select({ n: count() })
    .from(knowledgeArticles)
    .where(eq(knowledgeArticles.createdBy, userId));
  return row.n;
}

describe('articles', () => {
  it('are written, read, changed with versions and notes, and old versions can be read', async () => {
    const line = await buildBusinessLine(t.database.db, { name: uniq('审计') });
    const author = await signedIn(t);
    const body = '# 承接前\n\n- 了解客户行业\n- 评估独立性\n\n| 项目 | 要点 |\n| --- | --- |\n| 存货 | 监盘 |';
    const created = await write(author.client, {
      title: '年报审计承接要点',
      body,
      businessLineIds: [line.id],
      tags: ['年报审计', '承接'],
      note: '初稿',
    });
    expect(created).toMatchObject({
      kind: 'experience',
      title: '年报审计承接要点',
      body,
      version: 1,
      visibility: 'firm',
      businessLines: [{ id: line.id, name: line.name }],
      tags: ['年报审计', '承接'],
      owner: { id: author.user.id },
      author: { id: author.user.id },
      writable: true,
      links: [],
    });

    const changed = await author.client.patch(`/api/v1/knowledge/${created.id}`, {
      body: `${body}\n\n- 关注持续经营`,
      note: '补充持续经营',
      version: 1,
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.version).toBe(2);
    // Reach alone is no new version.
    const reach = await author.client.patch(`/api/v1/knowledge/${created.id}`, { businessLineIds: [] });
    expect(reach.body).toMatchObject({ version: 2, businessLines: [] });
    // A change based on an old version is refused, and changes nothing.
    const stale = await author.client.patch(`/api/v1/knowledge/${created.id}`, { title: '旧稿', version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('KNOWLEDGE_VERSION_CONFLICT');

    const versions = await author.client.get(`/api/v1/knowledge/${created.id}/versions`);
    expect(versions.body.items).toMatchObject([
      { version: 2, note: '补充持续经营', changedBy: { id: author.user.id } },
      { version: 1, note: '初稿', changedBy: { id: author.user.id } },
    ]);
    const first = await author.client.get(`/api/v1/knowledge/${created.id}/versions/1`);
    expect(first.body).toMatchObject({ version: 1, title: '年报审计承接要点', body });
    expect((await author.client.get(`/api/v1/knowledge/${created.id}/versions/9`)).status).toBe(404);
    const now = await author.client.get(`/api/v1/knowledge/${created.id}`);
    expect(now.body).toMatchObject({ title: '年报审计承接要点', version: 2, body: `${body}\n\n- 关注持续经营` });

    // The list filters by line, tag, owner, kind and title.
    await author.client.patch(`/api/v1/knowledge/${created.id}`, { businessLineIds: [line.id] });
    const byLine = await author.client.get('/api/v1/knowledge', { businessLineId: line.id });
    expect(ids(byLine)).toEqual([created.id]);
    const byTag = await author.client.get('/api/v1/knowledge', { tag: '承接', ownerId: author.user.id });
    expect(ids(byTag)).toEqual([created.id]);
    expect(ids(await author.client.get('/api/v1/knowledge', { kind: 'case', ownerId: author.user.id }))).toEqual([]);
    expect(ids(await author.client.get('/api/v1/knowledge', { q: '承接要', ownerId: author.user.id }))).toEqual([
      created.id,
    ]);

    // Archived: out of the list, in the archived list, not editable until restored.
    expect((await author.client.post(`/api/v1/knowledge/${created.id}/archive`)).body.archivedAt).not.toBeNull();
    expect(ids(await author.client.get('/api/v1/knowledge', { ownerId: author.user.id }))).toEqual([]);
    expect(ids(await author.client.get('/api/v1/knowledge', { ownerId: author.user.id, archived: 'true' }))).toEqual([
      created.id,
    ]);
    const refused = await author.client.patch(`/api/v1/knowledge/${created.id}`, { title: '改' });
    expect(refused.body.error.code).toBe('KNOWLEDGE_ARCHIVED');
    expect((await author.client.post(`/api/v1/knowledge/${created.id}/unarchive`)).body.archivedAt).toBeNull();
  });

  it('is read firm-wide, by a department and the ones below it, or by the people of a linked record', async () => {
    const top = await buildDepartment(t.database.db);
    const below = await buildDepartment(t.database.db, { parentId: top.id });
    const elsewhere = await buildDepartment(t.database.db);
    const author = await signedIn(t, { departmentId: top.id });
    const inBelow = await signedIn(t, { departmentId: below.id });
    const outsider = await signedIn(t, { departmentId: elsewhere.id });

    const firm = await write(author.client, { title: uniq('代理记账客户常见问题') });
    const dept = await write(author.client, { visibility: 'department', departmentId: top.id });
    const opportunity = await buildOpportunity(t, { ownerId: inBelow.user.id, name: uniq('秦川机械年报审计') });
    // The author links a record of theirs? No: the author cannot see the colleague's opportunity.
    const notMine = await author.client.post('/api/v1/knowledge', {
      kind: 'lesson',
      title: '秦川机械复盘',
      visibility: 'linked',
      links: [{ type: 'opportunity', id: opportunity.id }],
    });
    expect(notMine.status).toBe(404);
    expect(notMine.body).toEqual(
      (
        await author.client.post('/api/v1/knowledge', {
          kind: 'lesson',
          title: '秦川机械复盘',
          visibility: 'linked',
          links: [{ type: 'opportunity', id: randomUUID() }],
        })
      ).body,
    );
    const linked = await write(inBelow.client, {
      kind: 'lesson',
      title: uniq('秦川机械复盘'),
      visibility: 'linked',
      links: [{ type: 'opportunity', id: opportunity.id }],
    });
    // A firm-wide article the owner links to the opportunity: others read it, but not the record's title.
    const firmLinked = await write(inBelow.client, { links: [{ type: 'opportunity', id: opportunity.id }] });

    for (const [who, sees] of [
      [inBelow, [firm.id, dept.id, linked.id, firmLinked.id]],
      [outsider, [firm.id, firmLinked.id]],
      [author, [firm.id, dept.id, firmLinked.id]],
    ] as const) {
      const list = await who.client.get('/api/v1/knowledge', { pageSize: 100 });
      const mine = ids(list).filter((id) => [firm.id, dept.id, linked.id, firmLinked.id].includes(id));
      expect(mine.sort()).toEqual([...sees].sort());
      for (const id of [firm.id, dept.id, linked.id, firmLinked.id]) {
        const res = await who.client.get(`/api/v1/knowledge/${id}`);
        expect(res.status, `${id}`).toBe(sees.includes(id as never) ? 200 : 404);
      }
    }
    // Out of scope answers exactly like an unknown id.
    const hidden = await outsider.client.get(`/api/v1/knowledge/${linked.id}`);
    expect(hidden.body).toEqual((await outsider.client.get(`/api/v1/knowledge/${randomUUID()}`)).body);

    const asOutsider = await outsider.client.get(`/api/v1/knowledge/${firmLinked.id}`);
    expect(asOutsider.body.links).toEqual([{ type: 'opportunity', id: opportunity.id, title: null, available: false }]);
    expect(JSON.stringify(asOutsider.body)).not.toContain(opportunity.name);
    const asOwner = await inBelow.client.get(`/api/v1/knowledge/${firmLinked.id}`);
    expect(asOwner.body.links).toEqual([
      { type: 'opportunity', id: opportunity.id, title: opportunity.name, available: true },
    ]);
    // The last record link of a "linked" article stays.
    const unlink = await inBelow.client.delete(`/api/v1/knowledge/${linked.id}/links/${opportunity.id}`);
    expect(unlink.status).toBe(400);
  });

  it('is changed by its owner, its author or a knowledge manager only', async () => {
    const author = await signedIn(t);
    const colleague = await signedIn(t);
    const manager = await signedIn(t, { roleCode: 'manager' });
    const article = await write(author.client, { title: uniq('验资业务风险提示') });
    const seen = await colleague.client.get(`/api/v1/knowledge/${article.id}`);
    expect(seen.body.writable).toBe(false);
    const refused = await colleague.client.patch(`/api/v1/knowledge/${article.id}`, { title: '改标题' });
    expect(refused.status).toBe(403);
    expect((await colleague.client.post(`/api/v1/knowledge/${article.id}/archive`)).status).toBe(403);
    const byManager = await manager.client.patch(`/api/v1/knowledge/${article.id}`, {
      title: '验资业务风险提示（修订）',
    });
    expect(byManager.status).toBe(200);
    // Handed to the colleague: now theirs to change.
    const handed = await author.client.put(`/api/v1/knowledge/${article.id}/stewardship`, {
      ownerId: colleague.user.id,
      reviewOn: '2031-06-30',
    });
    expect(handed.body).toMatchObject({ owner: { id: colleague.user.id }, reviewOn: '2031-06-30' });
    const byColleague = await colleague.client.patch(`/api/v1/knowledge/${article.id}`, { tags: ['验资'] });
    expect(byColleague.status).toBe(200);
    expect((await author.client.get(`/api/v1/knowledge/${article.id}`)).body.title).toBe('验资业务风险提示（修订）');
  });

  it('counts "useful" once per reader and views once per reader per day', async () => {
    const author = await signedIn(t);
    const a = await signedIn(t);
    const b = await signedIn(t);
    const article = await write(author.client, { title: uniq('税务咨询报价口径') });
    const mark = (c: Client, useful: boolean) => c.put(`/api/v1/knowledge/${article.id}/useful`, { useful });
    expect((await mark(a.client, true)).body).toEqual({ useful: true, usefulCount: 1 });
    expect((await mark(a.client, true)).body).toEqual({ useful: true, usefulCount: 1 });
    expect((await mark(b.client, true)).body).toEqual({ useful: true, usefulCount: 2 });
    expect((await mark(a.client, false)).body).toEqual({ useful: false, usefulCount: 1 });
    expect((await mark(a.client, false)).body).toEqual({ useful: false, usefulCount: 1 });
    expect((await b.client.get(`/api/v1/knowledge/${article.id}`)).body.markedUseful).toBe(true);

    const views = async (c: Client) => (await c.get(`/api/v1/knowledge/${article.id}`)).body.viewCount as number;
    const before = (await t.database.db.select().from(knowledgeArticles).where(eq(knowledgeArticles.id, article.id)))[0]
      .viewCount;
    expect(before).toBe(1); // b's read above
    expect(await views(b.client)).toBe(1);
    expect(await views(a.client)).toBe(2);
    expect(await views(a.client)).toBe(2);
    // A's last read was yesterday: today's read counts again.
    await t.database.db
      .update(knowledgeReads)
      .set({ lastReadAt: new Date(Date.now() - 36 * 3600_000) })
      .where(and(eq(knowledgeReads.articleId, article.id), eq(knowledgeReads.userId, a.user.id)));
    expect(await views(a.client)).toBe(3);
    const [read] = await t.database.db
      .select()
      .from(knowledgeReads)
      .where(and(eq(knowledgeReads.articleId, article.id), eq(knowledgeReads.userId, a.user.id)));
    expect(read.count).toBe(2);
  });

  it('lists stale articles for their owners, and all of them for knowledge managers', async () => {
    const owner = await signedIn(t);
    const other = await signedIn(t);
    const manager = await signedIn(t, { roleCode: 'manager' });
    const old = await write(owner.client, { title: uniq('资产评估报告复核清单'), reviewOn: '2024-01-31' });
    const fresh = await write(owner.client, { title: uniq('工程预结算审价常见争议'), reviewOn: '2099-01-31' });
    expect(old.stale).toBe(true);
    expect(fresh.stale).toBe(false);
    expect(ids(await owner.client.get('/api/v1/knowledge/stale'))).toEqual([old.id]);
    expect(ids(await other.client.get('/api/v1/knowledge/stale'))).not.toContain(old.id);
    expect(ids(await manager.client.get('/api/v1/knowledge/stale', { ownerId: owner.user.id }))).toEqual([old.id]);
    expect(ids(await owner.client.get('/api/v1/knowledge', { stale: 'true', ownerId: owner.user.id }))).toEqual([
      old.id,
    ]);
    await owner.client.put(`/api/v1/knowledge/${old.id}/stewardship`, { reviewOn: '2099-12-31' });
    expect(ids(await owner.client.get('/api/v1/knowledge/stale'))).toEqual([]);
  });

  it('ranks contributors by department: articles, lessons and useful marks received', async () => {
    const team = await buildDepartment(t.database.db);
    const li = await signedIn(t, { departmentId: team.id, displayName: uniq('李') });
    const wang = await signedIn(t, { departmentId: team.id, displayName: uniq('王') });
    const reader = await signedIn(t);
    const a1 = await write(li.client, {});
    await write(li.client, { kind: 'case' });
    await write(li.client, { kind: 'lesson' });
    const w1 = await write(wang.client, {});
    for (const c of [reader.client, wang.client]) await c.put(`/api/v1/knowledge/${a1.id}/useful`, { useful: true });
    await li.client.put(`/api/v1/knowledge/${a1.id}/useful`, { useful: true }); // one's own mark is not "received"
    await li.client.put(`/api/v1/knowledge/${w1.id}/useful`, { useful: true });
    const res = await reader.client.get('/api/v1/knowledge/contributors', { departmentId: team.id });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.departments).toEqual([
      {
        departmentId: team.id,
        departmentName: team.name,
        people: [
          expect.objectContaining({ userId: li.user.id, articles: 2, lessons: 1, usefulReceived: 2 }),
          expect.objectContaining({ userId: wang.user.id, articles: 1, lessons: 0, usefulReceived: 1 }),
        ],
      },
    ]);
  });

  it('keeps images and documents for its readers only, within the size limit', async () => {
    const author = await signedIn(t);
    const outsider = await signedIn(t);
    const article = await write(author.client, { visibility: 'department', departmentId: author.user.departmentId });
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const up = await author.client.request(
      'POST',
      `/api/v1/knowledge/${article.id}/files`,
      undefined,
      multipart([{ filename: '流程图.png', content: png, type: 'image/png' }]),
    );
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const ref = `/api/v1/knowledge/${article.id}/files/${up.body.id}`;
    await author.client.patch(`/api/v1/knowledge/${article.id}`, { body: `![流程图](${ref})` });
    const got = await author.client.request('GET', ref);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect((await outsider.client.request('GET', ref)).status).toBe(404);
    expect((await author.client.get(`/api/v1/knowledge/${article.id}`)).body.attachments).toMatchObject([
      { id: up.body.id, filename: '流程图.png' },
    ]);

    const before = await t.database.db.select({ n: count() }).from(files).where(eq(files.ownerId, article.id));
    const huge = await author.client.request(
      'POST',
      `/api/v1/knowledge/${article.id}/files`,
      undefined,
      multipart([{ filename: '现场照片.png', content: Buffer.alloc(50 * 1024 * 1024, 1), type: 'image/png' }]),
    );
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('FILE_TOO_LARGE');
    const after = await t.database.db.select({ n: count() }).from(files).where(eq(files.ownerId, article.id));
    expect(after).toEqual(before);
  });

  it('refuses bad input with a code and changes nothing', async () => {
    const author = await signedIn(t);
    const stranger = await signedIn(t);
    const customer = await stranger.client.post('/api/v1/customers', { name: uniq('西安华达建设有限公司') });
    const cases: [Record<string, unknown>, number, string][] = [
      [{ kind: 'experience', title: '长'.repeat(1000) }, 400, 'VALIDATION_FAILED'],
      [{ kind: 'memo', title: '未知种类' }, 400, 'VALIDATION_FAILED'],
      [{ kind: 'policy', title: '关于独立性的规定', visibility: 'department' }, 400, 'VALIDATION_FAILED'],
      [{ kind: 'qa', title: '问答', templateUse: 'email' }, 400, 'VALIDATION_FAILED'],
      [{ kind: 'case', title: '案例', visibility: 'linked' }, 400, 'VALIDATION_FAILED'],
      [{ kind: 'case', title: '案例', businessLineIds: [randomUUID()] }, 400, 'INACTIVE_REFERENCE'],
      [{ kind: 'case', title: '案例', ownerId: randomUUID() }, 400, 'INACTIVE_REFERENCE'],
      [{ kind: 'case', title: '案例', body: 'x'.repeat(200_001) }, 400, 'VALIDATION_FAILED'],
      [{ kind: 'case', title: '案例', links: [{ type: 'customer', id: customer.body.id }] }, 404, 'NOT_FOUND'],
    ];
    for (const [body, status, code] of cases) {
      const res = await author.client.post('/api/v1/knowledge', body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(res.body.error.code).toBe(code);
    }
    const department = await author.client.post('/api/v1/knowledge', {
      kind: 'policy',
      title: '关于独立性的规定',
      visibility: 'department',
    });
    expect(department.body.error.details.issues[0].path).toContain('departmentId');
    expect(await articlesBy(author.user.id)).toBe(0);
    const article = await write(author.client, {});
    const bad = await author.client.patch(`/api/v1/knowledge/${article.id}`, { visibility: 'department' });
    expect(bad.status).toBe(400);
    expect((await author.client.get(`/api/v1/knowledge/${article.id}`)).body).toMatchObject({
      visibility: 'firm',
      version: 1,
    });
  });
});
