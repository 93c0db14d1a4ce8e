import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'csv-parse/sync';
import { and, count, desc, eq, inArray, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditCodeCheckChar } from '../../../common/credit-code';
import { auditLogs } from '../audit/audit.tables';
import { users } from '../staff/staff.tables';
import { buildRegion, buildUser, signedIn } from '../../test/factories';
import { createTestApp, uniq, until, type Client, type TestApp } from '../../test/harness';
import { contacts, customerOwnerChanges, customers } from './customers.tables';
import { importApplied, importBatches, importRows } from './transfer.tables';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** A valid unified social credit code; with `index`, unique per prefix. */
function creditCode(prefix = '', index?: number): string {
  let body = '91' + prefix;
  if (index !== undefined) body += String(index).padStart(17 - body.length, '0');
  while (body.length < 17) body += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return body + creditCodeCheckChar(body);
}
const randomPrefix = () =>
  Array.from({ length: 5 }, () => ALPHABET[Math.floor(Math.random() * ALPHABET.length)]).join('');

type Part = { name: string; filename?: string; content: Buffer | string; type?: string };
function multipart(parts: Part[]) {
  const boundary = `----gongdan${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition =
      p.filename === undefined
        ? `form-data; name="${p.name}"`
        : `form-data; name="${p.name}"; filename="${p.filename}"`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename === undefined ? '' : `Content-Type: ${p.type ?? 'application/octet-stream'}\r\n`}\r\n`,
      ),
    );
    chunks.push(Buffer.isBuffer(p.content) ? p.content : Buffer.from(p.content), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

function importFile(
  client: Client,
  file: { filename: string; content: Buffer | string } | null,
  query: Record<string, string> = {},
  mapping?: object,
  extraHeaders: Record<string, string> = {},
  url = '/api/v1/customers/import',
) {
  const parts: Part[] = [];
  if (mapping) parts.push({ name: 'mapping', content: JSON.stringify(mapping) });
  if (file) parts.push({ name: 'file', ...file });
  const { payload, headers } = multipart(parts);
  const qs = new URLSearchParams(query).toString();
  return client.request('POST', `${url}${qs ? `?${qs}` : ''}`, undefined, {
    payload,
    headers: { ...headers, ...extraHeaders },
  });
}

/** The columns of a file as the mapping step sees them. */
const importColumns = (client: Client, file: { filename: string; content: Buffer | string } | null, mapping?: object) =>
  importFile(client, file, {}, mapping, {}, '/api/v1/customers/import/columns');

/** The import with progress: the lines of its newline-delimited JSON answer. */
async function importStreamed(
  client: Client,
  file: { filename: string; content: Buffer | string },
  query: Record<string, string> = {},
  mapping?: object,
) {
  const res = await importFile(client, file, query, mapping, { accept: 'application/x-ndjson' });
  const ndjson = String(res.headers['content-type']).startsWith('application/x-ndjson');
  // (An answer of one line parses as JSON in the harness.)
  const text = !ndjson ? '' : typeof res.body === 'string' ? res.body : `${JSON.stringify(res.body)}\n`;
  const lines = text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  return { ...res, lines };
}

async function exportFile(client: Client, query: Record<string, string> = {}) {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/v1/customers/export?${new URLSearchParams(query)}`,
    headers: { cookie: client.cookie! },
  });
  return { status: res.statusCode, headers: res.headers, raw: res.rawPayload, body: res.body };
}

const parseCsv = (raw: Buffer) => parse(raw.toString('utf8'), { bom: true }) as string[][];
const csv = (rows: string[][]) =>
  rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')).join('\r\n') +
  '\r\n';

const HEADER_ZH = [
  '客户名称',
  '统一社会信用代码',
  '状态',
  '行业',
  '规模',
  '区域',
  '分所',
  '地址',
  '邮箱',
  '电话',
  '来源',
  '标签',
  '负责业务员',
  '联系人',
  '职务',
  '联系人部门',
  '联系人电话',
  '联系人邮箱',
  '微信',
  '主要联系人',
];

async function contactCount(ownerId: string) {
  const [{ n }] = await t.database.db
    .select({ n: count() })
    .from(contacts)
    .innerJoin(customers, eq(customers.id, contacts.customerId))
    .where(eq(customers.ownerId, ownerId));
  return n;
}

describe('customer export', () => {
  it('holds exactly the customers the caller sees, one row per contact, as CSV with BOM and Chinese headers or as XLSX', async () => {
    const { user: sales, client: s1 } = await signedIn(t);
    const { client: s2 } = await signedIn(t);
    const region = await buildRegion(t.database.db);
    const tag = uniq('导出');
    const code = creditCode();
    const a = (
      await s1.post('/api/v1/customers', {
        name: `${tag}甲公司`,
        creditCode: code,
        status: 'customer',
        size: 'small',
        regionId: region.id,
        tags: ['年审', '代账'],
        phone: '+86 29 8888 0000',
      })
    ).body;
    await s1.post('/api/v1/contacts', {
      customerId: a.id,
      name: '王会计',
      title: '财务经理',
      phones: ['029-8765 4321', '13991234567'],
      emails: ['wang@jia.cn'],
      isPrimary: true,
      notes: '多行\n备注, 含逗号 "引号"',
    });
    await s1.post('/api/v1/contacts', { customerId: a.id, name: '刘出纳', department: '应付账款' });
    const b = (await s1.post('/api/v1/customers', { name: `${tag}乙公司` })).body;
    const other = (await s2.post('/api/v1/customers', { name: `${tag}丙公司` })).body;

    const res = await exportFile(s1, { view: 'mine', format: 'csv' });
    expect(res.status, res.body).toBe(200);
    expect(res.raw.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toMatch(
      new RegExp(`^attachment; filename\\*=UTF-8''${encodeURIComponent('客户-')}\\d{4}-\\d{2}-\\d{2}\\.csv$`),
    );
    const [header, ...rows] = parseCsv(res.raw);
    expect(header.slice(0, HEADER_ZH.length)).toEqual(HEADER_ZH);
    expect(rows).toHaveLength(3);
    const col = (name: string) => header.indexOf(name);
    const wang = rows.find((r) => r[col('联系人')] === '王会计')!;
    expect(wang[col('客户名称')]).toBe(a.name);
    expect(wang[col('统一社会信用代码')]).toBe(code);
    expect(wang[col('状态')]).toBe('客户');
    expect(wang[col('规模')]).toBe('小型');
    expect(wang[col('区域')]).toBe(region.name);
    expect(wang[col('标签')]).toBe('年审;代账');
    expect(wang[col('负责业务员')]).toBe(sales.username);
    expect(wang[col('联系人电话')]).toBe('029-8765 4321;13991234567');
    expect(wang[col('主要联系人')]).toBe('是');
    expect(wang[col('电话')]).toBe("'+86 29 8888 0000"); // formula guard
    expect(wang[col('联系人备注')]).toBe('多行\n备注, 含逗号 "引号"');
    expect(rows.find((r) => r[col('联系人')] === '刘出纳')![col('主要联系人')]).toBe('否');
    const lone = rows.find((r) => r[col('客户名称')] === b.name)!;
    expect(lone[col('联系人')]).toBe('');

    // The default view: s1's customers (and the pool), never another salesperson's.
    const all = parseCsv((await exportFile(s1)).raw).map((r) => r[0]);
    expect(all).toContain(a.name);
    expect(all).not.toContain(other.name);
    // The list filters apply.
    const filtered = parseCsv((await exportFile(s1, { q: `${tag}乙` })).raw);
    expect(filtered.slice(1).map((r) => r[0])).toEqual([b.name]);

    const x = await exportFile(s1, { view: 'mine', format: 'xlsx' });
    expect(x.status).toBe(200);
    expect(x.headers['content-disposition']).toContain('.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(x.raw as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('客户')!;
    expect(sheet).toBeDefined();
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(values(1).slice(0, HEADER_ZH.length)).toEqual(HEADER_ZH);
    expect(sheet.getRow(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 }); // the header stays in view
    expect(sheet.getColumn(1).width).toBe(36);
    expect(sheet.rowCount).toBe(4);
    const names = [2, 3, 4].map((n) => values(n)[0]);
    expect(names).not.toContain(other.name);
    expect(new Set(names)).toEqual(new Set([a.name, b.name]));
    expect([2, 3, 4].map((n) => values(n)[9])).toContain('+86 29 8888 0000'); // no guard needed in XLSX

    // English headers and labels for an English-speaking caller.
    await t.database.db.update(users).set({ locale: 'en-US' }).where(eq(users.id, sales.id));
    const english = parseCsv((await exportFile(await t.login(sales.username), { view: 'mine' })).raw);
    expect(english[0].slice(0, 3)).toEqual(['Customer name', 'Credit code', 'Status']);
    expect(english.find((r) => r[0] === a.name)![2]).toBe('Customer');

    expect((await t.anon.get('/api/v1/customers/export')).status).toBe(401);
    expect((await s1.get('/api/v1/customers/export', { format: 'pdf' })).status).toBe(400);
  });
});

describe('customer import', () => {
  it('round-trips 10,000 customers with their contacts', async () => {
    const { user: owner, client } = await signedIn(t);
    const tag = uniq('往返');
    const prefix = randomPrefix();
    const N = 10_000;
    const db = t.database.db;
    const started = Date.now();
    const rows = Array.from({ length: N }, (_, i) => ({
      id: randomUUID(),
      name: `${tag}公司${i}`,
      creditCode: creditCode(prefix, i),
      status: (['prospect', 'customer', 'former'] as const)[i % 3],
      industry: i % 2 ? '制造业' : null,
      tags: i % 5 ? [] : ['年审'],
      ownerId: owner.id,
      searchText: `${tag}${i}`,
      email: i % 7 ? null : `c${i}@example.cn`,
    }));
    const people = rows.flatMap((c, i) =>
      Array.from({ length: 1 + (i % 2) }, (_, j) => ({
        customerId: c.id,
        name: `联系人${i}-${j}`,
        phones: [`139${String(i * 2 + j).padStart(8, '0')}`],
        emails: j ? [`p${i}@example.cn`] : [],
        isPrimary: j === 0,
        searchText: `p${i}`,
      })),
    );
    for (let i = 0; i < rows.length; i += 1000) await db.insert(customers).values(rows.slice(i, i + 1000));
    for (let i = 0; i < people.length; i += 1000) await db.insert(contacts).values(people.slice(i, i + 1000));
    const seeded = Date.now();
    const before = await contactCount(owner.id);
    expect(before).toBe(15_000);

    const exported = await exportFile(client, { view: 'mine' });
    expect(exported.status).toBe(200);
    const lines = parseCsv(exported.raw);
    expect(lines).toHaveLength(1 + 15_000);
    const exportedAt = Date.now();

    const again = await importFile(client, { filename: '客户.csv', content: exported.raw }, { mode: 'upsert' });
    expect(again.status, JSON.stringify(again.body).slice(0, 500)).toBe(200);
    expect(again.body).toMatchObject({
      dryRun: false,
      totalRows: 15_000,
      customers: { created: 0, updated: 0, unchanged: N },
      contacts: { created: 0 },
      errors: [],
    });
    expect(await contactCount(owner.id)).toBe(before);
    const reimportedAt = Date.now();

    // The same file as new customers of a fresh salesperson: other names, no credit codes, no owner column.
    const { user: fresh, client: freshClient } = await signedIn(t);
    const renamed = exported.raw.toString('utf8').replaceAll(`${tag}公司`, `${tag}新公司`);
    const created = await importFile(
      freshClient,
      { filename: 'renamed.csv', content: renamed },
      {},
      { 统一社会信用代码: null, 负责业务员: null },
    );
    expect(created.status, JSON.stringify(created.body).slice(0, 500)).toBe(200);
    expect(created.body).toMatchObject({
      customers: { created: N, updated: 0 },
      contacts: { created: 15_000 },
      errors: [],
    });
    const perCustomer = async (ownerId: string) =>
      Object.fromEntries(
        (
          await db
            .select({ name: customers.name, n: count(contacts.id) })
            .from(customers)
            .leftJoin(contacts, eq(contacts.customerId, customers.id))
            .where(eq(customers.ownerId, ownerId))
            .groupBy(customers.name)
        ).map((r) => [r.name.replace('新公司', '公司'), r.n]),
      );
    expect(await perCustomer(fresh.id)).toEqual(await perCustomer(owner.id));
    const [primary] = await db
      .select({ n: count() })
      .from(contacts)
      .innerJoin(customers, eq(customers.id, contacts.customerId))
      .where(and(eq(customers.ownerId, fresh.id), eq(contacts.isPrimary, true)));
    expect(primary.n).toBe(N);
    const [{ audited }] = await db
      .select({ audited: count() })
      .from(auditLogs)
      .where(
        and(eq(auditLogs.actorId, fresh.id), eq(auditLogs.entityType, 'customer'), eq(auditLogs.action, 'create')),
      );
    expect(audited).toBe(N);
    const done = Date.now();
    console.info(
      `round trip of ${N} customers: seed ${seeded - started} ms, export ${exportedAt - seeded} ms, re-import ${reimportedAt - exportedAt} ms, import as new ${done - reimportedAt} ms`,
    );
  }, 120_000);

  it('reads GBK-encoded CSV (Excel on Chinese Windows) and XLSX', async () => {
    const { client } = await signedIn(t);
    const tag = uniq('编码');
    const text = csv([
      ['客户名称', '状态', '规模', '联系人', '联系人电话', '主要联系人'],
      [`${tag}西安华达建设有限公司`, '潜在客户', '中型', '张经理', '13800001111', '是'],
      [`${tag}西安华达建设有限公司`, '潜在客户', '中型', '李会计', '13800002222', '否'],
    ]);
    const res = await importFile(client, { filename: 'gbk.csv', content: iconv.encode(text, 'gbk') });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ totalRows: 2, customers: { created: 1 }, contacts: { created: 2 }, errors: [] });
    const found = (await client.get('/api/v1/customers', { q: tag })).body.items;
    expect(found.map((c: { name: string }) => c.name)).toEqual([`${tag}西安华达建设有限公司`]);
    expect(found[0]).toMatchObject({ status: 'prospect', size: 'medium' });
    const people = (await client.get('/api/v1/contacts', { customerId: found[0].id, sort: 'name' })).body.items;
    expect(people.map((p: { name: string; isPrimary: boolean }) => [p.name, p.isPrimary]).sort()).toEqual([
      ['张经理', true],
      ['李会计', false],
    ]);

    // XLSX, with a mapping for headers the export does not use.
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Sheet1');
    sheet.addRow(['公司', '信用代码', '对接人', '手机']);
    const code = creditCode();
    sheet.addRow([`${tag}兰州公司`, code, '赵总', 13912345678]);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
    const mapped = await importFile(
      client,
      { filename: 'list.xlsx', content: xlsx },
      {},
      { 公司: 'name', 信用代码: 'creditCode', 对接人: '联系人', 手机: 'contactPhones' },
    );
    expect(mapped.status, JSON.stringify(mapped.body)).toBe(200);
    expect(mapped.body).toMatchObject({ customers: { created: 1 }, contacts: { created: 1 } });
    const lz = (await client.get('/api/v1/customers', { q: code })).body.items[0];
    expect(lz.name).toBe(`${tag}兰州公司`);
    expect((await client.get('/api/v1/contacts', { customerId: lz.id })).body.items[0]).toMatchObject({
      name: '赵总',
      phones: ['13912345678'],
    });
  });

  it('reports broken rows by line; writes nothing, or with keepGoodRows only the good customers', async () => {
    const { client } = await signedIn(t);
    const tag = uniq('错误');
    const good = creditCode();
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const file = csv([
      ['客户名称', '统一社会信用代码', '状态', '邮箱', '联系人', '联系人邮箱'],
      [`${tag}好公司`, good, '客户', 'ok@good.cn', '甲', ''],
      [`${tag}好公司`, good, '客户', 'ok@good.cn', '乙', ''],
      [`${tag}坏代码`, bad, '', '', '丙', ''],
      [`${tag}坏邮箱`, '', '客户', 'not-an-email', '', ''],
      [`${tag}坏状态`, '', '合作中', '', '', ''],
      [`${tag}半坏公司`, '', '', '', '丁', ''],
      [`${tag}半坏公司`, '', '', '', '戊', 'broken@'],
    ]);
    const res = await importFile(client, { filename: 'broken.csv', content: file });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('IMPORT_HAS_ERRORS');
    const report = res.body.error.details;
    expect(report).toMatchObject({ dryRun: false, totalRows: 7, customers: { created: 0 } });
    const errs = report.errors.map((e: { row: number; column?: string; code: string }) => [e.row, e.column, e.code]);
    expect(errs).toEqual([
      [4, '统一社会信用代码', 'INVALID'],
      [5, '邮箱', 'INVALID'],
      [6, '状态', 'INVALID_VALUE'],
      [7, undefined, 'CUSTOMER_HAS_ERRORS'],
      [8, '联系人邮箱', 'INVALID'],
    ]);
    expect(report.errors[0].message).toBe('统一社会信用代码：统一社会信用代码应为 18 位且校验位正确');
    expect(report.errors[2].message).toContain('潜在客户、客户、流失');
    expect((await client.get('/api/v1/customers', { q: tag })).body.total).toBe(0);

    const kept = await importFile(client, { filename: 'broken.csv', content: file }, { keepGoodRows: 'true' });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ customers: { created: 1 }, contacts: { created: 2 } });
    expect(kept.body.errors).toHaveLength(5);
    const list = (await client.get('/api/v1/customers', { q: tag })).body;
    expect(list.items.map((c: { name: string }) => c.name)).toEqual([`${tag}好公司`]);
    expect((await client.get('/api/v1/contacts', { customerId: list.items[0].id })).body.total).toBe(2);

    // English messages for an English-speaking caller.
    const { user: en } = await signedIn(t);
    await t.database.db.update(users).set({ locale: 'en-US' }).where(eq(users.id, en.id));
    const english = await importFile(
      await t.login(en.username),
      { filename: 'broken.csv', content: file },
      { dryRun: 'true' },
    );
    expect(english.status).toBe(200);
    const byCode = (c: string) => english.body.errors.find((e: { code: string }) => e.code === c).message;
    expect(byCode('INVALID_VALUE')).toBe('Invalid 状态; allowed: Prospect, Customer, Former');
    expect(byCode('NOT_PERMITTED')).toBe('Already exists and is outside your permissions'); // 好公司 now belongs to the first caller
    expect(byCode('CUSTOMER_HAS_ERRORS')).toContain('Another row of the same customer');
  });

  it('dry run matches for real and writes nothing', async () => {
    const { client } = await signedIn(t);
    const tag = uniq('试运行');
    const code = creditCode();
    const existing = (
      await client.post('/api/v1/customers', { name: `${tag}老客户`, creditCode: code, industry: '建筑业' })
    ).body;
    await client.post('/api/v1/contacts', { customerId: existing.id, name: '老联系人', phones: ['13700000000'] });
    const file = csv([
      ['客户名称', '统一社会信用代码', '行业', '联系人', '联系人电话'],
      [`${tag}老客户`, code, '制造业', '老联系人', '13700000000'],
      [`${tag}老客户`, code, '制造业', '新联系人', '13700000001'],
      [`${tag}新客户`, '', '', '某人', ''],
    ]);
    const dry = await importFile(client, { filename: 'x.csv', content: file }, { dryRun: 'true' });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body).toEqual({
      dryRun: true,
      totalRows: 3,
      customers: { created: 1, updated: 1, unchanged: 0 },
      contacts: { created: 2 },
      errors: [],
    });
    expect((await client.get('/api/v1/customers', { q: tag })).body.total).toBe(1);
    expect((await client.get(`/api/v1/customers/${existing.id}`)).body.industry).toBe('建筑业');
    expect((await client.get('/api/v1/contacts', { customerId: existing.id })).body.total).toBe(1);

    const real = await importFile(client, { filename: 'x.csv', content: file });
    expect(real.body).toMatchObject({ dryRun: false, customers: { created: 1, updated: 1 }, contacts: { created: 2 } });
    expect((await client.get(`/api/v1/customers/${existing.id}`)).body.industry).toBe('制造业');
    expect((await client.get('/api/v1/contacts', { customerId: existing.id })).body.total).toBe(2);
    const audit = await t.database.db
      .select({ action: auditLogs.action })
      .from(auditLogs)
      .where(and(eq(auditLogs.entityId, existing.id), eq(auditLogs.action, 'update')));
    expect(audit).toHaveLength(1);

    // insert mode: an existing customer is an error.
    const insert = await importFile(client, { filename: 'x.csv', content: file }, { mode: 'insert' });
    expect(insert.status).toBe(422);
    expect(
      insert.body.error.details.errors
        .filter((e: { code: string }) => e.code === 'EXISTS')
        .map((e: { row: number }) => e.row),
    ).toEqual([2, 4]);
  });

  it('never touches a customer the caller may not change, and tells nothing about it', async () => {
    const { client: s1 } = await signedIn(t);
    const { client: s2 } = await signedIn(t);
    const { user: s3 } = await signedIn(t);
    const code = creditCode();
    const theirs = (
      await s2.post('/api/v1/customers', { name: uniq('别人的客户'), creditCode: code, industry: '金融业' })
    ).body;
    const tag = uniq('越权');
    const file = csv([
      ['客户名称', '统一社会信用代码', '行业', '联系人'],
      [`${tag}改名`, code, '农业', '间谍'],
      [`${tag}正常`, '', '', ''],
    ]);
    for (const keepGoodRows of ['false', 'true']) {
      const res = await importFile(s1, { filename: 'x.csv', content: file }, { keepGoodRows });
      const report = keepGoodRows === 'true' ? res.body : res.body.error.details;
      expect(report.errors).toEqual([
        { row: 2, column: '统一社会信用代码', code: 'NOT_PERMITTED', message: '已存在，且不在您的权限范围内' },
      ]);
    }
    const after = (await s2.get(`/api/v1/customers/${theirs.id}`)).body;
    expect(after).toMatchObject({ name: theirs.name, industry: '金融业' });
    expect((await s2.get('/api/v1/contacts', { customerId: theirs.id })).body.total).toBe(0);
    expect((await s1.get('/api/v1/customers', { q: `${tag}正常` })).body.total).toBe(1);

    // The salesperson column: oneself is fine, someone else needs customers:assign (else the caller owns it), unknown is an error.
    const sales = s1.me!.user.username;
    const owners = csv([
      ['客户名称', '负责业务员'],
      [`${tag}自己`, sales],
      [`${tag}别人`, s3.username],
      [`${tag}无此人`, 'nobody-here'],
    ]);
    const res = await importFile(s1, { filename: 'o.csv', content: owners }, { keepGoodRows: 'true' });
    expect(res.body.errors.map((e: { row: number; code: string }) => [e.row, e.code])).toEqual([[4, 'UNKNOWN_OWNER']]);
    const mine = (await s1.get('/api/v1/customers', { q: tag, view: 'mine', pageSize: 100 })).body.items.map(
      (c: { name: string }) => c.name,
    );
    expect(mine).toEqual(expect.arrayContaining([`${tag}自己`, `${tag}别人`]));
    const { client: exec } = await signedIn(t, { roleCode: 'executive' });
    const assigned = await importFile(exec, {
      filename: 'o.csv',
      content: csv([
        ['客户名称', '负责业务员'],
        [`${tag}分配`, s3.username],
      ]),
    });
    expect(assigned.status).toBe(200);
    expect((await exec.get('/api/v1/customers', { q: `${tag}分配` })).body.items[0].ownerId).toBe(s3.id);
  });

  it('refuses callers without the permission and broken files with a stable code', async () => {
    const { client } = await signedIn(t);
    const { client: finance } = await signedIn(t, { roleCode: 'finance' });
    const ok = { filename: 'a.csv', content: '客户名称\n某公司\n' };
    expect(
      (await t.anon.request('POST', '/api/v1/customers/import', undefined, multipart([{ name: 'file', ...ok }])))
        .status,
    ).toBe(401);
    expect((await importFile(finance, ok)).status).toBe(403);
    expect((await finance.get('/api/v1/customers/export')).status).toBe(200);

    const code = async (file: { filename: string; content: Buffer | string } | null, mapping?: object) => {
      const res = await importFile(client, file, {}, mapping);
      return [res.status, res.body.error?.code];
    };
    expect(await code(null)).toEqual([400, 'FILE_MISSING']);
    expect(await code({ filename: 'a.pdf', content: '%PDF-1.4' })).toEqual([400, 'IMPORT_FILE_TYPE']);
    expect(await code({ filename: 'a.xls', content: 'x' })).toEqual([400, 'IMPORT_FILE_TYPE']);
    expect(await code({ filename: 'a.csv', content: '' })).toEqual([400, 'IMPORT_FILE_EMPTY']);
    expect(await code({ filename: 'a.csv', content: '\uFEFF\r\n' })).toEqual([400, 'IMPORT_FILE_EMPTY']);
    expect(await code({ filename: 'a.xlsx', content: 'not a zip' })).toEqual([400, 'IMPORT_FILE_UNREADABLE']);
    expect(await code({ filename: 'a.xlsx', content: Buffer.from('PK\u0003\u0004garbage') })).toEqual([
      400,
      'IMPORT_FILE_UNREADABLE',
    ]);
    expect(await code({ filename: 'a.csv', content: '客户名称,"未闭合\n' })).toEqual([400, 'IMPORT_FILE_UNREADABLE']);
    expect(await code({ filename: 'a.csv', content: '某公司,13800000000\n另一公司,13900000000\n' })).toEqual([
      400,
      'IMPORT_NO_HEADER',
    ]);
    expect(await code(ok, { 不存在的列: 'name' })).toEqual([400, 'IMPORT_MAPPING_INVALID']);
    expect(await code(ok, { 客户名称: 'nonsense' })).toEqual([400, 'IMPORT_MAPPING_INVALID']);
    const badJson = multipart([
      { name: 'mapping', content: '{oops' },
      { name: 'file', ...ok },
    ]);
    expect((await client.request('POST', '/api/v1/customers/import', undefined, badJson)).body.error.code).toBe(
      'IMPORT_MAPPING_INVALID',
    );
    const json = await client.post('/api/v1/customers/import', { file: 'x' });
    expect(json.status).toBe(415);
    const wrongQuery = await importFile(client, ok, { mode: 'replace' });
    expect(wrongQuery.status).toBe(400);
  });
});

describe('import column mapping', () => {
  it('lists the columns of a GBK CSV and of an XLSX file with their automatic field and first values', async () => {
    const { client } = await signedIn(t);
    const text = csv([
      ['客户名称', '状态', '对接人', 'Contact phones', '客户名称', '备注', ''],
      ['甲公司', '客户', '', '13800001111', '重复列', '', ''],
      ['', '', '', '', '', '', ''],
      ['乙公司', '', '王会计', "'+86 29 8888 0000", '', '', ''],
      ['丙公司', '潜在客户', '李出纳', '', '', '', '多出的值'],
      ['丁公司', '流失', '赵总', '13900002222', '', '', ''],
    ]);
    const res = await importColumns(client, { filename: '名单.csv', content: iconv.encode(text, 'gbk') });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.rows).toBe(4);
    expect(res.body.headers).toEqual([
      { header: '客户名称', field: 'name', samples: ['甲公司', '乙公司', '丙公司'] },
      { header: '状态', field: 'status', samples: ['客户', '潜在客户', '流失'] },
      { header: '对接人', field: null, samples: ['王会计', '李出纳', '赵总'] },
      { header: 'Contact phones', field: 'contactPhones', samples: ['13800001111', '+86 29 8888 0000', '13900002222'] },
      // A repeated header: the first column wins, as in the import.
      { header: '客户名称', field: null, samples: ['重复列'] },
      { header: '备注', field: null, samples: [] },
      // A column with neither header nor values is left out; one with values is listed.
      { header: '', field: null, samples: ['多出的值'] },
    ]);
    expect(res.body.fields).toHaveLength(21);
    expect(res.body.fields[0]).toEqual({ field: 'name', required: true });
    expect(res.body.fields.filter((f: { required: boolean }) => f.required)).toHaveLength(1);
    expect(res.body.fields.map((f: { field: string }) => f.field)).toContain('contactNotes');

    // A file without a name column is what the mapping step is for: listed, while importing it as it is fails.
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Sheet1');
    sheet.addRow(['单位', 'Credit code', '手机', '成立日期']);
    const code = creditCode();
    sheet.addRow(['兰州公司', code, 13912345678, new Date('2001-02-03T00:00:00Z')]);
    sheet.addRow(['天水公司', null, 13900000000, null]);
    const xlsx = { filename: 'list.xlsx', content: Buffer.from(await workbook.xlsx.writeBuffer()) };
    const x = await importColumns(client, xlsx);
    expect(x.status, JSON.stringify(x.body)).toBe(200);
    expect(x.body).toMatchObject({
      rows: 2,
      headers: [
        { header: '单位', field: null, samples: ['兰州公司', '天水公司'] },
        { header: 'Credit code', field: 'creditCode', samples: [code] },
        { header: '手机', field: null, samples: ['13912345678', '13900000000'] },
        { header: '成立日期', field: null, samples: ['2001-02-03'] },
      ],
    });
    expect((await importFile(client, xlsx)).body.error.code).toBe('IMPORT_NO_HEADER');
    // With a mapping, the columns show it (and it is checked).
    const mapped = await importColumns(client, xlsx, { 单位: 'name', 手机: 'contactPhones' });
    expect(mapped.body.headers.map((h: { field: string | null }) => h.field)).toEqual([
      'name',
      'creditCode',
      'contactPhones',
      null,
    ]);
  });

  it('imports renamed columns with an explicit mapping, and skips the columns mapped to nothing', async () => {
    const { client } = await signedIn(t);
    const tag = uniq('映射');
    const code = creditCode();
    const file = csv([
      ['单位名称', '代码', '状态', '对接人', '手机', '邮件', '内部备注'],
      [`${tag}华达建设`, code, '客户', '张经理', '13800001111;029-88880000', 'zhang@huada.cn', '不要导入'],
      [`${tag}华达建设`, code, '客户', '李会计', '13800002222', '', ''],
      [`${tag}秦川商贸`, '', '', '', '', '', '也不要'],
    ]);
    const columns = await importColumns(client, { filename: '客户.csv', content: file });
    expect(columns.body.headers.map((h: { field: string | null }) => h.field)).toEqual([
      null,
      null,
      'status',
      null,
      null,
      null,
      null,
    ]);
    // What the dialog sends: every column.
    const mapping = {
      单位名称: 'name',
      代码: 'creditCode',
      状态: 'status',
      对接人: 'contactName',
      手机: 'contactPhones',
      邮件: 'contactEmails',
      内部备注: null,
    };
    const res = await importFile(client, { filename: '客户.csv', content: file }, {}, mapping);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      dryRun: false,
      totalRows: 3,
      customers: { created: 2, updated: 0, unchanged: 0 },
      contacts: { created: 2 },
      errors: [],
    });
    const huada = (await client.get('/api/v1/customers', { q: code })).body.items[0];
    expect(huada).toMatchObject({ name: `${tag}华达建设`, creditCode: code, status: 'customer' });
    const people = (await client.get('/api/v1/contacts', { customerId: huada.id, sort: 'name' })).body.items;
    expect(
      people.map((p: { name: string; phones: string[]; emails: string[] }) => [p.name, p.phones, p.emails]).sort(),
    ).toEqual([
      ['张经理', ['13800001111', '029-88880000'], ['zhang@huada.cn']],
      ['李会计', ['13800002222'], []],
    ]);
    const qinchuan = (await client.get('/api/v1/customers', { q: `${tag}秦川` })).body.items[0];
    expect(qinchuan.name).toBe(`${tag}秦川商贸`);
    expect(JSON.stringify([huada, qinchuan])).not.toContain('不要');
  });

  it('refuses two columns for one field with its own code, in the caller language, and imports nothing', async () => {
    const { user, client } = await signedIn(t);
    const tag = uniq('重复映射');
    const file = {
      filename: 'dup.csv',
      content: csv([
        ['公司', '客户名称', '电话'],
        [`${tag}甲`, `${tag}乙`, '13800000000'],
      ]),
    };
    const explicit = await importFile(client, file, {}, { 公司: 'name', 客户名称: 'name' });
    expect(explicit.status).toBe(400);
    expect(explicit.body.error).toEqual({
      code: 'IMPORT_MAPPING_DUPLICATE',
      message: '“公司”和“客户名称”两列都导入为“客户名称”；每个字段只能对应一列',
      details: { field: 'name', columns: ['公司', '客户名称'] },
    });
    // A mapped column colliding with a column the export's header matches is the same mistake.
    const implicit = await importFile(client, file, { dryRun: 'true' }, { 公司: 'name' });
    expect([implicit.status, implicit.body.error.code]).toEqual([400, 'IMPORT_MAPPING_DUPLICATE']);
    expect((await importColumns(client, file, { 电话: 'name' })).body.error.code).toBe('IMPORT_MAPPING_DUPLICATE');
    // Also when progress was asked for: the file is refused before anything streams.
    const streamed = await importStreamed(client, file, {}, { 公司: 'name', 客户名称: 'name' });
    expect([streamed.status, streamed.body.error.code, streamed.lines]).toEqual([400, 'IMPORT_MAPPING_DUPLICATE', []]);
    // An unknown field stays IMPORT_MAPPING_INVALID.
    expect((await importFile(client, file, {}, { 公司: 'company' })).body.error.code).toBe('IMPORT_MAPPING_INVALID');
    expect((await client.get('/api/v1/customers', { q: tag })).body.total).toBe(0);

    await t.database.db.update(users).set({ locale: 'en-US' }).where(eq(users.id, user.id));
    const english = await importFile(await t.login(user.username), file, {}, { 公司: 'name', 客户名称: 'name' });
    expect(english.body.error.message).toBe(
      'The columns "公司" and "客户名称" both import into "Customer name"; map each field to one column only',
    );
  });

  it('refuses the columns call without the permission or a file', async () => {
    const { client } = await signedIn(t);
    const { client: finance } = await signedIn(t, { roleCode: 'finance' });
    const ok = { filename: 'a.csv', content: '客户名称\n某公司\n' };
    expect(
      (
        await t.anon.request(
          'POST',
          '/api/v1/customers/import/columns',
          undefined,
          multipart([{ name: 'file', ...ok }]),
        )
      ).status,
    ).toBe(401);
    expect((await importColumns(finance, ok)).status).toBe(403);
    expect((await importColumns(client, null)).body.error.code).toBe('FILE_MISSING');
    expect((await importColumns(client, { filename: 'a.pdf', content: '%PDF' })).body.error.code).toBe(
      'IMPORT_FILE_TYPE',
    );
    expect((await importColumns(client, { filename: 'a.csv', content: ',,\n1,2,3\n' })).body.error.code).toBe(
      'IMPORT_NO_HEADER',
    );
    expect((await client.post('/api/v1/customers/import/columns', { file: 'x' })).status).toBe(415);
  });
});

describe('import progress', () => {
  /** About 1,000 rows: customers of one to three contacts, some existing already, a few bad rows. */
  async function bigFile(client: Client, tag: string) {
    const prefix = randomPrefix();
    const existing = creditCode(prefix, 0);
    await client.post('/api/v1/customers', { name: `${tag}公司0`, creditCode: existing });
    const rows: string[][] = [['客户名称', '统一社会信用代码', '状态', '联系人', '联系人电话']];
    for (let i = 0; rows.length <= 1000; i++) {
      for (let j = 0; j < 1 + (i % 3); j++)
        rows.push([
          `${tag}公司${i}`,
          creditCode(prefix, i),
          i % 97 === 5 ? '合作中' : '客户',
          `联系人${i}-${j}`,
          `139${String(i * 3 + j).padStart(8, '0')}`,
        ]);
    }
    return { filename: 'big.csv', content: csv(rows.slice(0, 1001)) };
  }

  it('streams progress lines while ~1,000 rows are processed, then the same report as without progress', async () => {
    const { client } = await signedIn(t);
    const tag = uniq('进度');
    const file = await bigFile(client, tag);

    const plain = await importFile(client, file, { dryRun: 'true', keepGoodRows: 'true' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toContain('application/json');
    expect(plain.body).toMatchObject({ totalRows: 1000, customers: { updated: 1 } });
    expect(plain.body.errors.length).toBeGreaterThan(0);

    const res = await importStreamed(client, file, { keepGoodRows: 'true' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    const progress = res.lines.slice(0, -1);
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(progress.every((l) => l.type === 'progress' && l.total === 1000)).toBe(true);
    expect(progress[0].done).toBe(0);
    expect(progress.at(-1).done).toBe(1000);
    for (let i = 1; i < progress.length; i++) expect(progress[i].done).toBeGreaterThan(progress[i - 1].done);
    // Every ~200 rows (or sooner when rows are slow).
    for (let i = 1; i < progress.length; i++) expect(progress[i].done - progress[i - 1].done).toBeLessThanOrEqual(400);
    const result = res.lines.at(-1);
    expect(result.type).toBe('result');
    expect(result.report).toEqual({ ...plain.body, dryRun: false });
    expect((await client.get('/api/v1/customers', { q: tag, view: 'mine', pageSize: 1 })).body.total).toBe(
      plain.body.customers.created + 1,
    );

    // A dry run with progress answers what the plain one does.
    const dry = await importStreamed(client, file, { dryRun: 'true', keepGoodRows: 'true' });
    expect(dry.lines.at(-1).report).toMatchObject({
      dryRun: true,
      totalRows: 1000,
      customers: { created: 0, updated: 0 },
    });
  });

  it('ends the stream with a localised error line when the import fails after progress began', async () => {
    const { user, client } = await signedIn(t);
    const tag = uniq('进度错误');
    const file = await bigFile(client, tag);
    const res = await importStreamed(client, file);
    expect(res.status).toBe(200);
    const last = res.lines.at(-1);
    expect(last.type).toBe('error');
    expect(last.error.code).toBe('IMPORT_HAS_ERRORS');
    expect(last.error.message).toMatch(/^导入文件有 \d+ 处错误，未导入任何数据$/);
    expect(last.error.details).toMatchObject({ dryRun: false, totalRows: 1000, customers: { created: 0 } });
    expect(res.lines.slice(0, -1).every((l) => l.type === 'progress')).toBe(true);
    expect((await client.get('/api/v1/customers', { q: tag })).body.total).toBe(1);

    await t.database.db.update(users).set({ locale: 'en-US' }).where(eq(users.id, user.id));
    const english = await importStreamed(await t.login(user.username), file);
    expect(english.lines.at(-1).error.message).toMatch(/^The file has \d+ errors; nothing was imported$/);
    // Errors of the file itself are plain JSON with their status, as without progress.
    const broken = await importStreamed(client, { filename: 'a.csv', content: '' });
    expect([broken.status, broken.body.error.code, broken.lines]).toEqual([400, 'IMPORT_FILE_EMPTY', []]);
  });
});

describe('import owner column', () => {
  it('takes a username or a display name held by one active user; an ambiguous or unknown name is a row error', async () => {
    const { user: exec, client } = await signedIn(t, { roleCode: 'executive' });
    const unique = uniq('李明');
    const shared = uniq('张伟');
    const { user: li } = await signedIn(t, { displayName: unique });
    // An inactive namesake does not make the name ambiguous.
    await buildUser(t.database.db, { displayName: unique, active: false });
    await buildUser(t.database.db, { displayName: shared });
    await buildUser(t.database.db, { displayName: shared });
    const { user: byUsername } = await signedIn(t);
    const tag = uniq('负责人');
    const file = {
      filename: 'owners.csv',
      content: csv([
        ['客户名称', '负责业务员'],
        [`${tag}甲`, unique],
        [`${tag}乙`, byUsername.username],
        [`${tag}丙`, shared],
        [`${tag}丁`, uniq('查无此人')],
      ]),
    };
    const res = await importFile(client, file, { keepGoodRows: 'true' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.customers.created).toBe(2);
    expect(
      res.body.errors.map((e: { row: number; column: string; code: string }) => [e.row, e.column, e.code]),
    ).toEqual([
      [4, '负责业务员', 'AMBIGUOUS_OWNER'],
      [5, '负责业务员', 'UNKNOWN_OWNER'],
    ]);
    expect(res.body.errors[0].message).toBe(`负责业务员“${shared}”有多名在职员工同名，请填写其用户名`);
    const owners = Object.fromEntries(
      (await client.get('/api/v1/customers', { q: tag, pageSize: 100 })).body.items.map(
        (c: { name: string; ownerId: string }) => [c.name, c.ownerId],
      ),
    );
    expect(owners).toEqual({ [`${tag}甲`]: li.id, [`${tag}乙`]: byUsername.id });
    // A created customer's owner history and audit entry (written by the database with its row).
    const [jia] = await t.database.db
      .select()
      .from(customers)
      .where(eq(customers.name, `${tag}甲`));
    expect(
      await t.database.db
        .select({
          kind: customerOwnerChanges.kind,
          from: customerOwnerChanges.fromUserId,
          to: customerOwnerChanges.toUserId,
          by: customerOwnerChanges.byUserId,
        })
        .from(customerOwnerChanges)
        .where(eq(customerOwnerChanges.customerId, jia.id)),
    ).toEqual([{ kind: 'create', from: null, to: li.id, by: exec.id }]);
    const created = await t.database.db
      .select({ actorId: auditLogs.actorId, after: auditLogs.after })
      .from(auditLogs)
      .where(and(eq(auditLogs.entityId, jia.id), eq(auditLogs.action, 'create')));
    expect(created).toEqual([
      {
        actorId: exec.id,
        after: expect.objectContaining({
          id: jia.id,
          name: `${tag}甲`,
          ownerId: li.id,
          regionId: null,
          tags: [],
          contacts: [],
          imported: true,
        }),
      },
    ]);
    for (const key of ['searchText', 'createdBy', 'createdAt', 'addedContacts'])
      expect(created[0].after).not.toHaveProperty(key);

    // All or nothing: the ambiguous name refuses the file, in the caller's language.
    await t.database.db.update(users).set({ locale: 'en-US' }).where(eq(users.id, exec.id));
    const refused = await importFile(await t.login(exec.username), {
      filename: 'one.csv',
      content: csv([
        ['客户名称', '负责业务员'],
        [`${tag}戊`, shared],
      ]),
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.errors).toEqual([
      {
        row: 2,
        column: '负责业务员',
        code: 'AMBIGUOUS_OWNER',
        message: `More than one active user is named "${shared}"; enter their username instead`,
      },
    ]);
    expect((await client.get('/api/v1/customers', { q: `${tag}戊` })).body.total).toBe(0);
  });
});

describe('imports that do not hold the database', () => {
  /** `n` rows of customers with one or two contacts each; `last` replaces the final row. */
  function rowsFile(tag: string, n: number, last?: string[]) {
    const prefix = randomPrefix();
    const rows: string[][] = [['客户名称', '统一社会信用代码', '状态', '联系人', '联系人电话']];
    for (let i = 0; rows.length <= n; i++)
      for (let j = 0; j < 1 + (i % 2) && rows.length <= n; j++)
        rows.push([
          `${tag}公司${i}`,
          creditCode(prefix, i),
          '客户',
          `联系人${i}-${j}`,
          `139${String(i * 2 + j).padStart(8, '0')}`,
        ]);
    if (last) rows[rows.length - 1] = last;
    return { filename: 'many.csv', content: csv(rows) };
  }
  /**
   * What one user's imports have left in the database (tests of other files may run beside these), once they have
   * removed their staged rows (which they do after answering): no import leaves any.
   */
  const counts = async (userId: string) => {
    const db = t.database.db;
    const batches = db.select({ id: importBatches.id }).from(importBatches).where(eq(importBatches.createdBy, userId));
    const staged = () => db.$count(importRows, inArray(importRows.batchId, batches));
    await until(async () => (await staged()) === 0, 20_000, 'the staged rows of finished imports removed');
    return {
      customers: await db.$count(customers, eq(customers.createdBy, userId)),
      contacts: await db.$count(contacts, eq(contacts.createdBy, userId)),
      audit: await db.$count(auditLogs, eq(auditLogs.actorId, userId)),
      owners: await db.$count(customerOwnerChanges, eq(customerOwnerChanges.byUserId, userId)),
      staged: await staged(),
      applied: await db.$count(importApplied, inArray(importApplied.batchId, batches)),
    };
  };

  it('keeps answering /api/health while a few thousand rows import', async () => {
    const { client } = await signedIn(t);
    const tag = uniq('不阻塞');
    const file = rowsFile(tag, 3000);
    let importing = true;
    const imported = importFile(client, file).finally(() => (importing = false));
    let answeredDuring = 0;
    while (importing) {
      const health = await t.anon.get('/api/health');
      expect(health.status).toBe(200);
      if (importing) answeredDuring++;
      await sleep(10); // a monitor polls; inject alone never leaves the event loop a turn for the import's file reads
    }
    const res = await imported;
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(res.body).toMatchObject({ totalRows: 3000, customers: { created: 2000 }, contacts: { created: 3000 } });
    // Several answers while the import ran, not one squeezed in as it ended.
    expect(answeredDuring).toBeGreaterThanOrEqual(3);
    expect((await client.get('/api/v1/customers', { q: tag, view: 'mine', pageSize: 1 })).body.total).toBe(2000);
  });

  it('all or nothing: a bad last row, or a failure while writing late in the file, leaves nothing', async () => {
    const { user, client } = await signedIn(t);
    const tag = uniq('全有全无');
    const before = await counts(user.id);

    // A row that cannot be imported, at the end of the file: refused before anything is written.
    const bad = await importFile(client, rowsFile(tag, 2500, [`${tag}坏行`, '', '合作中', '', '']));
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toMatchObject({
      totalRows: 2500,
      customers: { created: 0 },
      contacts: { created: 0 },
    });
    expect(bad.body.error.details.errors.map((e: { row: number; code: string }) => [e.row, e.code])).toEqual([
      [2501, 'INVALID_VALUE'],
    ]);
    expect(await counts(user.id)).toEqual(before);

    // A row that passes every check but fails as it is written (here a trigger refuses its contact),
    // after earlier chunks were committed: what they wrote is undone.
    const boom = `爆炸${Date.now()}`;
    const fn = `refuse_${user.id.replaceAll('-', '')}`;
    await t.database.db.execute(
      sql.raw(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.name = '${boom}' THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$`),
    );
    await t.database.db.execute(
      sql.raw(`CREATE TRIGGER ${fn} BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION ${fn}()`),
    );
    try {
      // (Customers are written in key order: its credit code puts it last.)
      const failing = rowsFile(tag, 2500, [`${tag}最后`, creditCode('YYYYY'), '客户', boom, '']);
      const res = await importStreamed(client, failing);
      expect(res.status).toBe(200);
      expect(res.lines.at(-1).type).toBe('error');
      expect(await counts(user.id)).toMatchObject({ ...before, audit: expect.any(Number) });
      expect((await client.get('/api/v1/customers', { q: tag, pageSize: 1 })).body.total).toBe(0);
      // The undoing is in the audit log: every customer created and then deleted.
      const audited = await t.database.db
        .select({ action: auditLogs.action, n: count() })
        .from(auditLogs)
        .where(and(eq(auditLogs.actorId, user.id), eq(auditLogs.entityType, 'customer')))
        .groupBy(auditLogs.action);
      const created = audited.find((a) => a.action === 'create')?.n ?? 0;
      expect(created).toBeGreaterThan(0);
      expect(audited.find((a) => a.action === 'delete')?.n).toBe(created);
    } finally {
      await t.database.db.execute(sql.raw(`DROP TRIGGER ${fn} ON contacts`));
      await t.database.db.execute(sql.raw(`DROP FUNCTION ${fn}()`));
    }
  });

  it('all or nothing: every customer of the file that someone else holds is reported, however far apart, and nothing is written', async () => {
    const { user, client } = await signedIn(t);
    const { client: other } = await signedIn(t);
    const tag = uniq('别人已有');
    const prefix = randomPrefix();
    const N = 1200;
    const rows = [['客户名称', '统一社会信用代码', '状态']];
    for (let i = 0; i < N; i++) rows.push([`${tag}公司${i}`, creditCode(prefix, i), '客户']);
    // Another salesperson's customers hold the first and the last credit code of the file (the two ends of its key order).
    for (const i of [0, N - 1]) {
      const theirs = await other.post('/api/v1/customers', {
        name: uniq('别人的客户'),
        creditCode: creditCode(prefix, i),
      });
      expect(theirs.status).toBe(201);
    }
    const before = await counts(user.id);
    const res = await importFile(client, { filename: 'theirs.csv', content: csv(rows) });
    expect(res.status).toBe(422);
    expect(res.body.error.details.errors.map((e: { row: number; code: string }) => [e.row, e.code])).toEqual([
      [2, 'NOT_PERMITTED'],
      [N + 1, 'NOT_PERMITTED'],
    ]);
    expect(await counts(user.id)).toEqual(before);
  });

  it('chunk by chunk, a file gives what one transaction gives: a name without a credit code never matches a customer the file creates', async () => {
    const { user, client } = await signedIn(t);
    const tag = uniq('同名');
    const prefix = randomPrefix();
    // Rows with a credit code first in the file; the same names again without one after them.
    const N = 900;
    const rows = [['客户名称', '统一社会信用代码', '状态']];
    for (let i = 0; i < N; i++) rows.push([`${tag}公司${i}`, creditCode(prefix, i), '客户']);
    for (let i = 0; i < N; i++) rows.push([`${tag}公司${i}`, '', '潜在客户']);
    const res = await importFile(client, { filename: 'twice.csv', content: csv(rows) });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(res.body).toMatchObject({ customers: { created: 2 * N, updated: 0, unchanged: 0 }, errors: [] });
    const byStatus = await t.database.db
      .select({ status: customers.status, withCode: count(customers.creditCode), n: count() })
      .from(customers)
      .where(eq(customers.createdBy, user.id))
      .groupBy(customers.status)
      .orderBy(customers.status);
    expect(byStatus).toEqual([
      { status: 'customer', withCode: N, n: N },
      { status: 'prospect', withCode: 0, n: N },
    ]);
  });

  it('a dry run changes nothing, and no import leaves staged rows behind', async () => {
    const { user, client } = await signedIn(t);
    const tag = uniq('不变');
    const existingCode = creditCode();
    const existing = (await client.post('/api/v1/customers', { name: `${tag}老客户`, creditCode: existingCode })).body;
    const file = rowsFile(tag, 1500, [`${tag}老客户改名`, existingCode, '流失', '新联系人', '13600000000']);
    const before = await counts(user.id);
    for (const keepGoodRows of ['false', 'true']) {
      const dry = await importFile(client, file, { dryRun: 'true', keepGoodRows });
      expect(dry.status).toBe(200);
      expect(dry.body).toMatchObject({ dryRun: true, totalRows: 1500, customers: { updated: 1 }, errors: [] });
      expect(dry.body.customers.created).toBeGreaterThan(900);
      expect(await counts(user.id)).toEqual(before);
    }
    expect((await client.get(`/api/v1/customers/${existing.id}`)).body).toMatchObject({
      name: `${tag}老客户`,
      status: 'prospect',
    });
    const real = await importFile(client, file);
    expect(real.body).toMatchObject({ customers: { updated: 1 }, errors: [] });
    expect(await counts(user.id)).toMatchObject({ staged: 0, applied: 0 });
    const [batch] = await t.database.db
      .select()
      .from(importBatches)
      .where(eq(importBatches.createdBy, user.id))
      .orderBy(desc(importBatches.createdAt))
      .limit(1);
    expect(batch).toMatchObject({ status: 'done', totalRows: 1500, report: real.body });
    expect((await client.get(`/api/v1/customers/${existing.id}`)).body).toMatchObject({
      name: `${tag}老客户改名`,
      status: 'former',
    });
  });

  /** A batch of 30 staged rows as an import leaves it (by `user`, begun and finished when given). */
  const stagedBatch = async (user: string, status: 'done' | 'applying', createdAt: Date, finishedAt: Date | null) => {
    const db = t.database.db;
    const [b] = await db
      .insert(importBatches)
      .values({ createdBy: user, filename: 'stopped.csv', options: {}, status, createdAt, finishedAt })
      .returning({ id: importBatches.id });
    await db
      .insert(importRows)
      .values(Array.from({ length: 30 }, (_, i) => ({ batchId: b.id, groupKey: `1客户${i}`, line: i + 2, data: {} })));
    return b.id;
  };
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
  const staged = (id: string) => t.database.db.$count(importRows, eq(importRows.batchId, id));

  it('an import removes the staged rows of imports whose server stopped, and marks those never finished as failed', async () => {
    const { user, client } = await signedIn(t);
    const db = t.database.db;
    const batch = (status: 'done' | 'applying', createdAt: Date, finishedAt: Date | null) =>
      stagedBatch(user.id, status, createdAt, finishedAt);
    const finished = await batch('done', hoursAgo(1), hoursAgo(1)); // stopped while removing its rows
    const stopped = await batch('applying', hoursAgo(7), null); // stopped while writing
    const running = await batch('applying', hoursAgo(0.5), null); // another import, still running

    const file = { filename: 'one.csv', content: csv([['客户名称'], [uniq('清扫')]]) };
    expect((await importFile(client, file)).body).toMatchObject({ customers: { created: 1 }, errors: [] });
    expect([await staged(finished), await staged(stopped), await staged(running)]).toEqual([0, 0, 30]);
    const states = await db
      .select({ id: importBatches.id, status: importBatches.status, finishedAt: importBatches.finishedAt })
      .from(importBatches)
      .where(inArray(importBatches.id, [finished, stopped, running]));
    expect(Object.fromEntries(states.map((b) => [b.id, [b.status, b.finishedAt !== null]]))).toEqual({
      [finished]: ['done', true],
      [stopped]: ['failed', true],
      [running]: ['applying', false],
    });
    await db.delete(importRows).where(eq(importRows.batchId, running));
  });

  it('the next import does not wait for the last one still removing its staged rows: it leaves it the rows it holds', async () => {
    const { user, client } = await signedIn(t);
    const file = { filename: 'next.csv', content: csv([['客户名称'], [uniq('紧接')]]) };
    // PGlite has one connection: an import cannot run beside another's removal there.
    if (t.database.engine !== 'postgres') {
      expect((await importFile(client, file)).body).toMatchObject({ customers: { created: 1 } });
      return;
    }
    // The last import answered and is removing its rows: it holds some of them, in a transaction of its own.
    const last = await stagedBatch(user.id, 'done', hoursAgo(0), hoursAgo(0));
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding = () => {};
    const held = new Promise<void>((resolve) => (holding = resolve));
    const remover = t.database.db.transaction(async (tx) => {
      await tx.execute(
        sql`SELECT 1 FROM ${importRows} WHERE ${importRows.batchId} = ${last} ORDER BY ${importRows.line} LIMIT 10 FOR UPDATE`,
      );
      holding();
      await released;
      await tx.delete(importRows).where(eq(importRows.batchId, last));
    });
    await held;
    try {
      // Without SKIP LOCKED the sweep waited for those rows (and two removals deadlocked: a 500).
      const answered = await Promise.race([
        importFile(client, file).then((res) => res.body),
        sleep(20_000).then(() => 'still waiting after 20 s'),
      ]);
      expect(answered).toMatchObject({ customers: { created: 1 }, errors: [] });
      expect(await staged(last)).toBe(10);
    } finally {
      release();
      await remover;
    }
    expect(await staged(last)).toBe(0);
  });
});
