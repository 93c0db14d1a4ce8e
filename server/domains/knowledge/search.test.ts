import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDepartment, signedIn } from '../../test/factories';
import { createTestApp, type Client, type TestApp } from '../../test/harness';

type Article = { key: string; kind: string; title: string; tags: string[]; body: string };
type Recall = { queries: { q: string; why: string; expected: { key: string; title: string }[] }[] };
type Segment = { text: string; hit: boolean };

const benchDir = path.join(__dirname, '../../../bench/knowledge');
const corpus = JSON.parse(readFileSync(path.join(benchDir, 'corpus.json'), 'utf8')) as Article[];
const answerKey = JSON.parse(readFileSync(path.join(benchDir, 'recall.json'), 'utf8')) as Recall;

let t: TestApp;
let reader: Client;
let exec: Client;
let authorId: string;
const idOfKey = new Map<string, string>();
const keyOfId = new Map<string, string>();

/** Inserts an article the way any writer would (plain SQL: the search column fills itself). */
async function insertArticle(a: {
  kind?: string;
  title: string;
  body: string;
  tags?: string[];
  visibility?: string;
  departmentId?: string | null;
  usefulCount?: number;
  daysOld?: number;
  archived?: boolean;
}): Promise<string> {
  const tags = `{${(a.tags ?? []).map((x) => `"${x}"`).join(',')}}`;
  const result = (await t.database.db.execute(sql`
    INSERT INTO knowledge_articles (kind, title, body, tags, visibility, department_id, owner_id, created_by,
                                    useful_count, updated_at, archived_at)
    VALUES (${a.kind ?? 'experience'}, ${a.title}, ${a.body}, ${tags}::text[], ${a.visibility ?? 'firm'},
            ${a.departmentId ?? null}, ${authorId}, ${authorId}, ${a.usefulCount ?? 0},
            now() - ${a.daysOld ?? 0} * interval '1 day', ${a.archived ? sql`now()` : null})
    RETURNING id`)) as unknown as { rows: { id: string }[] };
  return result.rows[0].id;
}

/** Every hit of a search (all pages of 50). */
async function searchAll(client: Client, q: string, extra: Record<string, string> = {}) {
  const items: { id: string; title: Segment[]; snippet: Segment[]; kind: string }[] = [];
  for (let page = 1; ; page++) {
    const res = await client.get('/api/v1/knowledge/search', { q, pageSize: 50, page, ...extra });
    expect(res.status, res.body?.error?.message).toBe(200);
    items.push(...res.body.items);
    if (res.body.items.length < 50) return { items, total: res.body.total as number };
  }
}

/**
 * What a search means, written here on its own: every run of Han characters of q is in the article's title, tags or
 * body (as it is), every latin/digit word of q starts a word there, case aside; punctuation only separates.
 */
function expectedMatch(a: Article, q: string): boolean {
  const text = `${a.title} ${a.tags.join(' ')} ${a.body}`.toLowerCase();
  const runs = q.toLowerCase().match(/\p{Script=Han}+|[a-z0-9]+/gu) ?? [];
  return (
    runs.length > 0 &&
    runs.every((run) => (/^[a-z0-9]/.test(run) ? new RegExp(`(?<![a-z0-9])${run}`).test(text) : text.includes(run)))
  );
}

beforeAll(async () => {
  t = await createTestApp();
  const author = await signedIn(t, { roleCode: 'manager' });
  authorId = author.user.id;
  reader = (await signedIn(t, { roleCode: 'salesperson' })).client;
  exec = (await signedIn(t, { roleCode: 'executive', departmentId: null })).client;
  for (const [i, a] of corpus.entries()) {
    const id = await insertArticle({ ...a, daysOld: i });
    idOfKey.set(a.key, id);
    keyOfId.set(id, a.key);
  }
});
afterAll(() => t.close());

describe('knowledge search: recall on the hand-made answer key (bench/knowledge/recall.json)', () => {
  it('finds at least 90% of what a person expects over the 30 queries', async () => {
    expect(answerKey.queries).toHaveLength(30);
    let expected = 0;
    let found = 0;
    const perQuery: number[] = [];
    const misses: string[] = [];
    for (const { q, expected: want } of answerKey.queries) {
      const { items } = await searchAll(reader, q);
      const keys = new Set(items.map((i) => keyOfId.get(i.id)));
      const hit = want.filter((w) => keys.has(w.key));
      for (const w of want) if (!keys.has(w.key)) misses.push(`${q} → ${w.title}`);
      expected += want.length;
      found += hit.length;
      perQuery.push(hit.length / want.length);
    }
    const micro = found / expected;
    const macro = perQuery.reduce((a, b) => a + b, 0) / perQuery.length;
    console.log(
      `knowledge search recall (${t.database.engine}): ${found}/${expected} expected articles found = ${(micro * 100).toFixed(1)}%, ` +
        `mean per query ${(macro * 100).toFixed(1)}%; missed: ${misses.join('; ') || 'none'}`,
    );
    expect(micro).toBeGreaterThanOrEqual(0.9);
    expect(macro).toBeGreaterThanOrEqual(0.9);
  });

  it('answers every query exactly as the meaning of a search says, on either engine (so PGlite and PostgreSQL agree)', async () => {
    for (const { q } of answerKey.queries) {
      const { items, total } = await searchAll(reader, q);
      const got = items.flatMap((i) => keyOfId.get(i.id) ?? []).sort();
      const want = corpus.filter((a) => expectedMatch(a, q)).map((a) => a.key);
      expect(got, q).toEqual(want);
      expect(total, q).toBe(items.length);
    }
  });
});

describe('knowledge search: what a reader sees', () => {
  it('finds a phrase only where it is written whole, not where its pairs are apart', async () => {
    const apart = await insertArticle({ title: '年报工作安排', body: '年报审计很重要，审计承接要谨慎。' });
    const { items } = await searchAll(reader, '年报审计承接');
    expect(items.map((i) => i.id)).toContain(idOfKey.get('k01'));
    expect(items.map((i) => i.id)).not.toContain(apart);
    // Its pairs are all there: a search of two of its words finds it.
    expect((await searchAll(reader, '年报 承接')).items.map((i) => i.id)).toContain(apart);
  });

  it('finds a title by its pinyin initials wherever its word stands, written through the knowledge base', async () => {
    const author = (await signedIn(t, { roleCode: 'manager' })).client;
    const made = await author.post('/api/v1/knowledge', {
      kind: 'experience',
      title: '渭河水务增资验资要点',
      body: '注册资本变更前后的验资程序。',
    });
    expect(made.status, made.body?.error?.message).toBe(201);
    // 渭河水务增资验资要点 → whsw zzyz yd: the initials of any run of the title's characters, from its start or not.
    for (const q of ['whsw', 'zzyz', 'yzyd', 'WHSWZZ']) {
      const { items } = await searchAll(reader, q);
      expect(
        items.map((i) => i.id),
        q,
      ).toContain(made.body.id);
    }
    expect((await searchAll(reader, 'whzz')).items.map((i) => i.id)).not.toContain(made.body.id);
    // A new title is found by its own initials, no longer by the old ones.
    const changed = await author.patch(`/api/v1/knowledge/${made.body.id}`, { title: '秦川机床验资要点' });
    expect(changed.status, changed.body?.error?.message).toBe(200);
    expect((await searchAll(reader, 'qcjc')).items.map((i) => i.id)).toContain(made.body.id);
    expect((await searchAll(reader, 'whsw')).items.map((i) => i.id)).not.toContain(made.body.id);
  });

  it('ranks a title match before body-only matches, then the useful and recent', async () => {
    const token = `zq${Date.now().toString(36)}`;
    const old = await insertArticle({ title: '工作要点', body: `验资与审计 ${token}`, daysOld: 700 });
    const inTitle = await insertArticle({ title: '审计小结', body: '内容', tags: [token], daysOld: 800 });
    const useful = await insertArticle({ title: '工作要点', body: `审计 ${token}`, usefulCount: 50, daysOld: 1 });
    const res = await reader.get('/api/v1/knowledge/search', { q: `审计 ${token}` });
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual([inTitle, useful, old]);
    expect(res.body.total).toBe(3);
  });

  it('highlights the matches as segments, in the title and a snippet without Markdown', async () => {
    const res = await reader.get('/api/v1/knowledge/search', { q: '年报审计承接' });
    const hit = res.body.items.find((i: { id: string }) => i.id === idOfKey.get('k01'));
    expect(hit.title).toEqual([
      { text: '年报审计承接', hit: true },
      { text: '要点', hit: false },
    ]);
    const snippet = hit.snippet as Segment[];
    expect(snippet.filter((s) => s.hit).map((s) => s.text)).toEqual(['年报审计承接']);
    const text = snippet.map((s) => s.text).join('');
    expect(text).toContain('年报审计承接前要了解客户的行业');
    expect(text).not.toMatch(/[#*]/);
    expect([...text.replace(/…/g, '')].length).toBeLessThanOrEqual(121);

    const audit = await searchAll(reader, '审计 Excel');
    const excel = audit.items.find((i) => i.id === idOfKey.get('k50'))!;
    expect(excel.title).toEqual([
      { text: '使用', hit: false },
      { text: 'Excel', hit: true },
      { text: '做', hit: false },
      { text: '审计', hit: true },
      { text: '抽样', hit: false },
    ]);
  });

  it('never returns nor counts an article the reader cannot see, nor an archived one', async () => {
    const token = `vis${Date.now().toString(36)}`;
    const elsewhere = await buildDepartment(t.database.db);
    await insertArticle({ title: `验资 ${token}`, body: '内部', visibility: 'department', departmentId: elsewhere.id });
    await insertArticle({ title: `验资 ${token}`, body: '关联', visibility: 'linked' });
    await insertArticle({ title: `验资 ${token}`, body: '归档', archived: true });
    const mine = await insertArticle({ title: `验资 ${token}`, body: '全所' });
    const seen = await reader.get('/api/v1/knowledge/search', { q: `验资 ${token}` });
    expect(seen.status).toBe(200);
    expect(seen.body.items.map((i: { id: string }) => i.id)).toEqual([mine]);
    expect(seen.body.total).toBe(1);
    // Scope all reads the department's and the linked one too; nobody finds the archived one.
    const all = await exec.get('/api/v1/knowledge/search', { q: `验资 ${token}` });
    expect(all.body.total).toBe(3);
  });

  it('filters by kind', async () => {
    const lessons = await searchAll(reader, '审计', { kind: 'lesson' });
    // Only lessons; of this file's corpus, its two lessons on 审计 (on PostgreSQL other files' lessons may be there).
    expect(new Set(lessons.items.map((i) => i.kind))).toEqual(new Set(['lesson']));
    expect(lessons.items.flatMap((i) => keyOfId.get(i.id) ?? []).sort()).toEqual(['k33', 'k34']);
  });
});

describe('knowledge search: bad input', () => {
  it('finds nothing for punctuation only (200)', async () => {
    for (const q of ['，。！？', '...', '"\'%_\\*', '   ']) {
      const res = await reader.get('/api/v1/knowledge/search', { q });
      expect(res.status, q).toBe(200);
      expect(res.body).toMatchObject({ items: [], total: 0 });
    }
  });

  it('refuses a search over 100 characters (400), 1,000 included, and takes one of 100', async () => {
    for (const q of ['审'.repeat(101), '审计'.repeat(500), 'a'.repeat(1000)]) {
      const res = await reader.get('/api/v1/knowledge/search', { q });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const long = await reader.get('/api/v1/knowledge/search', { q: '审计承接'.repeat(25) });
    expect(long.status).toBe(200);
    expect(long.body.total).toBe(0);
  });

  it('refuses control characters and needs knowledge:read', async () => {
    expect((await reader.request('GET', '/api/v1/knowledge/search?q=%01审计')).status).toBe(400);
    expect((await t.anon.get('/api/v1/knowledge/search', { q: '审计' })).status).toBe(401);
    // A search, not a list: q is required.
    expect((await reader.get('/api/v1/knowledge/search')).status).toBe(400);
  });
});
