import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CJK } from '../../../common/search';
import { mergeSearchIndexes, textMatches } from '../../lib/search';
import { searchTextOf } from '../../lib/search-text';
import { buildOpportunity, signedIn } from '../../test/factories';
import { createTestApp, type Client, type TestApp } from '../../test/harness';
import { contacts, customers } from './customers.tables';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/**
 * Distinct characters of CJK Extension A, which no other test writes: a one- or two-character
 * word made of them is found exactly where this file put it, even on a database other files share.
 */
function rareChars(n: number): string[] {
  const chars = new Set<string>();
  while (chars.size < n) chars.add(String.fromCodePoint(0x3400 + Math.floor(Math.random() * 0x19b0)));
  return [...chars];
}

type Item = { id: string; name: string };
const names = (items: Item[]) => items.map((i) => i.name);

describe('searching by a one- or two-character Chinese word', () => {
  const [A, B, C] = rareChars(3);
  const word = A + B;
  let s1: Client;
  let exec: Client;
  const c: Record<string, Item> = {};
  const contactIds: Record<string, string> = {};

  beforeAll(async () => {
    ({ client: s1 } = await signedIn(t));
    const { client: s2 } = await signedIn(t);
    ({ client: exec } = await signedIn(t, { roleCode: 'executive', departmentId: null }));
    const create = async (client: Client, key: string, name: string) => {
      const res = await client.post('/api/v1/customers', { name });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      c[key] = res.body;
    };
    // Created oldest first: the list's default order is newest first after the ranking.
    await create(s1, 'inside', `北京${word}建设`);
    await create(s1, 'viaContact', '上海某公司');
    await create(s1, 'prefix', `${word}科技有限公司`);
    await create(s1, 'exact', word);
    await create(s1, 'apart', `北京${A}某${B}`);
    await create(s1, 'reversed', `${B}${A}公司`);
    await create(s1, 'mixed', `${C}K咨询`);
    await create(s2, 'others', `${word}物流`);
    const contact = async (customer: string, name: string) => {
      const res = await s1.post('/api/v1/contacts', { customerId: c[customer].id, name });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      contactIds[name] = res.body.id;
    };
    await contact('viaContact', `张${word}`);
    await contact('exact', '王经理');
  });

  it('finds exactly the customers whose name or contacts contain it, the name itself and its prefix first', async () => {
    const res = await s1.get('/api/v1/customers', { q: word });
    expect(res.status).toBe(200);
    expect(names(res.body.items)).toEqual([c.exact, c.prefix, c.viaContact, c.inside].map((x) => x.name));
    expect(res.body.total).toBe(4);
    // Page by page, the same answer and the count behind it.
    const first = await s1.get('/api/v1/customers', { q: word, pageSize: 3 });
    const second = await s1.get('/api/v1/customers', { q: word, pageSize: 3, page: 2 });
    expect([...names(first.body.items), ...names(second.body.items)]).toEqual(names(res.body.items));
    expect(first.body.total).toBe(4);
  });

  it('keeps an order the reader chose', async () => {
    const res = await s1.get('/api/v1/customers', { q: word, sort: 'createdAt' });
    expect(names(res.body.items)).toEqual([c.inside, c.viaContact, c.prefix, c.exact].map((x) => x.name));
  });

  it('finds one character wherever it stands, and a character with a latin letter in any case', async () => {
    const one = await s1.get('/api/v1/customers', { q: A, pageSize: 100 });
    expect(new Set(names(one.body.items))).toEqual(
      new Set([c.exact, c.prefix, c.inside, c.viaContact, c.apart, c.reversed].map((x) => x.name)),
    );
    expect(names((await s1.get('/api/v1/customers', { q: `${C}k` })).body.items)).toEqual([c.mixed.name]);
    expect(names((await s1.get('/api/v1/customers', { q: `${C}K咨询` })).body.items)).toEqual([c.mixed.name]);
    expect((await s1.get('/api/v1/customers', { q: `${B}${C}` })).body.items).toEqual([]);
  });

  it('still finds by pinyin and initials', async () => {
    const [full] = searchTextOf([c.exact.name]).split(' ').slice(1);
    const res = await s1.get('/api/v1/customers', { q: full, pageSize: 100 });
    expect(names(res.body.items)).toContain(c.exact.name);
  });

  it('shows only what the reader may see', async () => {
    const mine = names((await s1.get('/api/v1/customers', { q: word })).body.items);
    expect(mine).not.toContain(c.others.name);
    const all = await exec.get('/api/v1/customers', { q: word, pageSize: 100 });
    expect(names(all.body.items)).toContain(c.others.name);
    expect(names(all.body.items)[0]).toBe(c.exact.name);
    expect(new Set(names(all.body.items).slice(1, 3))).toEqual(new Set([c.prefix.name, c.others.name]));
    const { client: stranger } = await signedIn(t);
    expect((await stranger.get('/api/v1/customers', { q: word })).body.items).toEqual([]);
    expect((await stranger.get('/api/v1/answers', { q: word })).body.cards).toEqual([]);
    expect((await stranger.get('/api/v1/contacts', { q: word })).body.items).toEqual([]);
  });

  it('answers in the answer box with the exact name, then the prefix, then the rest, and the contact that matched', async () => {
    const res = await s1.get('/api/v1/answers', { q: word });
    expect(res.status).toBe(200);
    const cards = res.body.cards as { customer: Item; matchedContacts: { name: string }[] }[];
    expect(cards.map((card) => card.customer.name).slice(0, 2)).toEqual([c.exact.name, c.prefix.name]);
    expect(new Set(cards.map((card) => card.customer.name))).toEqual(
      new Set([c.exact, c.prefix, c.viaContact, c.inside].map((x) => x.name)),
    );
    expect(cards.find((card) => card.customer.id === c.viaContact.id)?.matchedContacts).toEqual([
      expect.objectContaining({ name: `张${word}` }),
    ]);
    expect(cards.find((card) => card.customer.id === c.exact.id)?.matchedContacts).toEqual([]);
    // One character: the name starting with it first, then five in all (the box's default) of the six that contain it.
    const one = (await s1.get('/api/v1/answers', { q: B })).body.cards as { customer: Item }[];
    expect(one[0].customer.name).toBe(c.reversed.name);
    expect(one).toHaveLength(5);
    const six = [c.exact, c.prefix, c.inside, c.viaContact, c.apart, c.reversed].map((x) => x.name);
    for (const card of one) expect(six).toContain(card.customer.name);
  });

  it('searches contacts by their own words and their customer’s', async () => {
    const byName = await s1.get('/api/v1/contacts', { q: `张${A}` });
    expect(byName.body.items.map((x: { id: string }) => x.id)).toEqual([contactIds[`张${word}`]]);
    const byWord = await s1.get('/api/v1/contacts', { q: word });
    expect(new Set(byWord.body.items.map((x: { id: string }) => x.id))).toEqual(
      new Set([contactIds[`张${word}`], contactIds['王经理']]),
    );
  });

  it('finds leads, campaigns and opportunities by a two-character word', async () => {
    const { user, client } = await signedIn(t, { roleCode: 'manager' });
    const lead = await client.post('/api/v1/leads', { companyName: `西安${word}机械` });
    expect(lead.status, JSON.stringify(lead.body)).toBe(201);
    expect((await client.get('/api/v1/leads', { q: word })).body.items.map((l: Item) => l.id)).toEqual([lead.body.id]);
    const campaign = await client.post('/api/v1/campaigns', { name: `${word}研讨会`, type: 'seminar' });
    expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
    expect((await client.get('/api/v1/campaigns', { q: word })).body.items.map((x: Item) => x.id)).toEqual([
      campaign.body.id,
    ]);
    expect((await client.get('/api/v1/campaigns', { q: `${B}${A}` })).body.items).toEqual([]);
    const opportunity = await buildOpportunity(t, { ownerId: user.id, name: `${word}年报审计` });
    expect((await client.get('/api/v1/opportunities', { q: word })).body.items.map((x: Item) => x.id)).toEqual([
      opportunity.id,
    ]);
    expect((await client.get('/api/v1/opportunities', { q: A })).body.items.map((x: Item) => x.id)).toEqual([
      opportunity.id,
    ]);
  });
});

describe('the contacts search', () => {
  it('lists the contacts named q, then those whose name starts with it, then the rest by name — unless told otherwise', async () => {
    const [A, B] = rareChars(2);
    const { client } = await signedIn(t);
    const customer = await client.post('/api/v1/customers', { name: `${A}${B}会计师事务所` });
    expect(customer.status).toBe(201);
    const ids: Record<string, string> = {};
    for (const name of ['王会计', `${A}${B}`, `${A}${B}明`, '赵出纳']) {
      const res = await client.post('/api/v1/contacts', { customerId: customer.body.id, name });
      expect(res.status).toBe(201);
      ids[name] = res.body.id;
    }
    const ranked = await client.get('/api/v1/contacts', { q: A + B });
    expect(ranked.body.items.map((c: Item) => c.name)).toEqual([`${A}${B}`, `${A}${B}明`, '王会计', '赵出纳']);
    const byName = await client.get('/api/v1/contacts', { q: A + B, sort: '-name' });
    expect(byName.body.items.map((c: Item) => c.name)).toEqual(['赵出纳', '王会计', `${A}${B}明`, `${A}${B}`]);
  });

  it('finds a contact by its own words or its customer’s, not by a colleague’s; counts them page by page', async () => {
    const [A, B] = rareChars(2);
    const { client: s1 } = await signedIn(t);
    const { client: s2 } = await signedIn(t);
    const { client: exec } = await signedIn(t, { roleCode: 'executive', departmentId: null });
    const add = async (client: Client, customerName: string, contactNames: string[]) => {
      const customer = await client.post('/api/v1/customers', { name: customerName });
      expect(customer.status).toBe(201);
      for (const name of contactNames)
        expect((await client.post('/api/v1/contacts', { customerId: customer.body.id, name })).status).toBe(201);
    };
    await add(s1, '上海某公司', [`${A}${B}`, '王会计']);
    await add(s1, `${A}${B}商贸`, ['赵出纳', '钱经理']);
    await add(s2, '西安某公司', [`${A}${B}强`, '孙经理']);

    const mine = await s1.get('/api/v1/contacts', { q: A + B });
    expect(mine.body.items[0].name).toBe(`${A}${B}`);
    expect(new Set(names(mine.body.items))).toEqual(new Set([`${A}${B}`, '赵出纳', '钱经理']));
    expect(mine.body.total).toBe(3);
    // The partner sees every customer: the colleague's contact too, named with q's prefix, second.
    const all = await exec.get('/api/v1/contacts', { q: A + B });
    expect(names(all.body.items).slice(0, 2)).toEqual([`${A}${B}`, `${A}${B}强`]);
    expect(new Set(names(all.body.items))).toEqual(new Set([`${A}${B}`, `${A}${B}强`, '赵出纳', '钱经理']));
    // Full pages carry the total; a page past the end still tells it.
    const first = await exec.get('/api/v1/contacts', { q: A + B, pageSize: 3 });
    expect(first.body).toMatchObject({ total: 4, page: 1 });
    expect(first.body.items).toHaveLength(3);
    const past = await exec.get('/api/v1/contacts', { q: A + B, pageSize: 3, page: 3 });
    expect(past.body).toMatchObject({ items: [], total: 4, page: 3 });
    expect((await s1.get('/api/v1/contacts', { q: A + B, pageSize: 2, page: 5 })).body.total).toBe(3);
  });
});

describe('the gram index', () => {
  it('is what a one- or two-character Chinese search reads, on this engine', async () => {
    const db = t.database.db;
    await db.transaction(async (tx) => {
      // A tiny test database is read faster by a sequential scan; forbid it to see which index can serve.
      await tx.execute(sql`SET LOCAL enable_seqscan = off`);
      for (const [table, index] of [
        [customers, 'customers_search_grams_idx'],
        [contacts, 'contacts_search_grams_idx'],
      ] as const) {
        const plan = (await tx.execute(
          sql`EXPLAIN SELECT id FROM ${table} WHERE ${textMatches(table, '华达')}`,
        )) as unknown;
        expect(JSON.stringify((plan as { rows: unknown[] }).rows)).toContain(index);
      }
    });
  });

  it('keeps new entries in a short pending list in every session of the app, which no search index overrides', async () => {
    // Every search reads the pending list whole until it is merged (PGlite never vacuums); the import raises the
    // limit for its own transactions only, and merges what is left when it ends.
    const rows = async (query: ReturnType<typeof sql>) =>
      ((await t.database.db.execute(query)) as unknown as { rows: Record<string, unknown>[] }).rows;
    expect(await rows(sql`SHOW gin_pending_list_limit`)).toEqual([{ gin_pending_list_limit: '128kB' }]);
    const gin = await rows(sql`
      SELECT c.relname AS name, c.reloptions AS options FROM pg_class c JOIN pg_am am ON am.oid = c.relam
      WHERE am.amname = 'gin' AND c.relnamespace = 'public'::regnamespace ORDER BY 1`);
    expect(gin.map((i) => i.name)).toEqual(
      expect.arrayContaining(['customers_search_trgm_idx', 'contacts_search_grams_idx']),
    );
    expect(gin.filter((i) => String(i.options ?? '').includes('gin_pending_list_limit'))).toEqual([]);
    await expect(mergeSearchIndexes(t.database.db, [customers, contacts])).resolves.toBeUndefined();
  });

  it('holds every Chinese character of the search text and every adjacent pair, as the query side splits them', async () => {
    const text = `北京华达 Beijing 𠀀𠀁a${String.fromCodePoint(0x3400)}${String.fromCodePoint(0x4dbf)}，々〇ー한글かな`;
    const result = (await t.database.db.execute(sql`SELECT cjk_grams(${text}) AS grams`)) as unknown;
    const [row] = (result as { rows: { grams: string[] }[] }).rows;
    const chars = [...text];
    const expected = new Set<string>();
    chars.forEach((ch, i) => {
      if (!CJK.test(ch)) return;
      expected.add(ch);
      if (i + 1 < chars.length && CJK.test(chars[i + 1])) expected.add(ch + chars[i + 1]);
    });
    expect(new Set(row.grams)).toEqual(expected);
    expect(expected.has('华达') && expected.has('𠀀𠀁')).toBe(true);
  });
});
