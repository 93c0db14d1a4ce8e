import { count, eq } from 'drizzle-orm';
import { renewals } from './domains/renewals/renewals.tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { PERMISSION_KEYS } from '../common/permissions';
import { auditLogs } from './domains/audit/audit.tables';
import { commissionPolicies, commissionSheets } from './domains/commissions/commissions.tables';
import { crossSellSuggestions } from './domains/cross-sell/cross-sell.tables';
import { buildTemplate } from './domains/engagements/fixtures';
import { today } from './domains/receivables/fixtures';
import { buildBranch, buildBusinessLine, buildOpportunity, buildRegion, signedIn } from './test/factories';
import { createTestApp, uniq, type Client, type Response, type TestApp } from './test/harness';

/**
 * One rule for every string in a query string (and a path), as bodies have: a control character
 * is a validation error (400), never a database error (500). And no query parameter is silently
 * ignored: unknown ones are refused, and `q` searches wherever it is accepted.
 *
 * Routes and their parameters come from the OpenAPI document and the registered routes, so a
 * new module is covered without touching this file.
 */

let t: TestApp;
let client: Client;
beforeAll(async () => {
  t = await createTestApp();
  // A role with every permission, so that authorization never answers first.
  const { client: admin } = await signedIn(t, { roleCode: 'admin' });
  const code = uniq('everything').toLowerCase();
  const role = await admin.post('/api/v1/roles', {
    code,
    name: '全部权限',
    grants: Object.fromEntries(PERMISSION_KEYS.map((p) => [p, 'all'])),
  });
  expect(role.status).toBe(201);
  client = (await signedIn(t, { roleCode: code })).client;
});
afterAll(() => t.close());

const SAMPLE_ID = '6f1c1d7e-8a7b-4c55-9a51-3c2f0b7d1e01';
const CONTROL = ['%00', '%01', '%08', '%0B', '%1B', '%1F', '%7F'];
const NO_CONTROL_CHARS = '不能包含控制字符';

type JsonSchema = { type?: string | string[]; anyOf?: JsonSchema[]; properties?: Record<string, JsonSchema> };
type Operation = {
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  parameters?: { in: string; name: string; required?: boolean; schema?: { type?: string } }[];
};

/** Every documented operation with its query and path parameters. */
function documented() {
  const spec = t.app.swagger() as { paths: Record<string, Record<string, Operation>> };
  return Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase() as 'GET',
      path,
      // Path parameters filled with valid values (ids, a category code, a template's version number, a record type).
      url: path
        .replace('{code}', 'sample-code')
        .replace('{version}', '1')
        .replace('{weekStart}', '2026-01-05')
        .replace('{recordType}', 'opportunity')
        .replace(/\{\w+\}/g, SAMPLE_ID),
      hasBody: Boolean(op.requestBody),
      bodyProperties: op.requestBody?.content?.['application/json']?.schema?.properties ?? {},
      query: (op.parameters ?? []).filter((p) => p.in === 'query'),
      pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
    })),
  );
}

async function myAuditRows() {
  const [row] = await t.database.db
    .select({ n: count() })
    .from(auditLogs)
    .where(eq(auditLogs.actorId, client.me!.user.id));
  return row.n;
}

const issuesOf = (res: Pick<Response, 'body'>) =>
  (res.body?.error?.details?.issues ?? []) as { path: string; code: string; message: string }[];

describe('control characters in query strings and paths', () => {
  it('refuses them in every query parameter of every route (400 VALIDATION_FAILED), changing nothing', async () => {
    const before = await myAuditRows();
    const parameters = documented().flatMap((op) => op.query.map((param) => ({ op, param })));
    // The lists the issue found answering 500, among many more.
    const names = parameters.map(({ op, param }) => `${op.method} ${op.path}?${param.name}`);
    expect(names).toEqual(
      expect.arrayContaining(
        [
          'users?q',
          'departments?q',
          'branches?q',
          'regions?q',
          'business-lines?q',
          'roles?q',
          'customers?q',
          'customers?tag',
          'customers/export?q',
          'customers/duplicates?name',
          'answers?q',
          'contacts?q',
          'campaigns?q',
          'leads?q',
          'activities?q',
          'opportunities?q',
          'opportunities/totals?q',
          'contact-logs?q',
          'customer-services?q',
        ].map((s) => `GET /api/v1/${s}`),
      ),
    );
    expect(parameters.length).toBeGreaterThan(100);
    const failures: string[] = [];
    const cases = parameters.flatMap(({ op, param }) => CONTROL.map((control) => ({ op, param, control })));
    await Promise.all(
      // A few at a time.
      Array.from({ length: 4 }, async (_, lane) => {
        for (const { op, param, control } of cases.filter((_, i) => i % 4 === lane)) {
          const url = `${op.url}?${encodeURIComponent(param.name)}=${control}x`;
          const res = await client.request(op.method, url);
          const refused =
            res.status === 400 &&
            res.body.error.code === 'VALIDATION_FAILED' &&
            issuesOf(res).some((i) => i.path === `querystring.${param.name}` && i.message === NO_CONTROL_CHARS);
          if (!refused) failures.push(`${op.method} ${url}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
        }
      }),
    );
    expect(failures).toEqual([]);
    expect(await myAuditRows()).toBe(before);
  }, 180_000);

  it('refuses them in a parameter name and in path parameters, in the caller’s language', async () => {
    const failures: string[] = [];
    for (const op of documented().filter((o) => o.method === 'GET')) {
      const res = await client.request('GET', `${op.url}?x%00=1`);
      if (res.status !== 400 || !issuesOf(res).some((i) => i.message === NO_CONTROL_CHARS))
        failures.push(`GET ${op.url}?x%00=1: ${res.status}`);
    }
    for (const op of documented().filter((o) => o.pathParams.length > 0)) {
      const name = op.pathParams[0];
      const url = op.path
        .replace(`{${name}}`, 'a%00b')
        .replace('{version}', '1')
        .replace('{weekStart}', '2026-01-05')
        .replace('{recordType}', 'opportunity')
        .replace(/\{\w+\}/g, SAMPLE_ID);
      const res = await client.request(op.method, url, op.hasBody ? {} : undefined);
      if (
        res.status !== 400 ||
        !issuesOf(res).some((i) => i.path === `params.${name}` && i.message === NO_CONTROL_CHARS)
      )
        failures.push(`${op.method} ${url}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
    }
    expect(failures).toEqual([]);
    const english = await client.with({ 'accept-language': 'en-US' }).get('/api/v1/customers', { q: '\u0000x' });
    expect(english.status).toBe(400);
    // A signed-in user's own language wins (zh-CN here); the issue names the field.
    expect(issuesOf(english)).toEqual([{ path: 'querystring.q', code: 'custom', message: NO_CONTROL_CHARS }]);
  });

  it('refuses them in every string of every JSON body too, at any depth (a NUL user name no longer answers 500)', async () => {
    const before = await myAuditRows();
    const takesString = (schema: JsonSchema): boolean =>
      [schema.type].flat().includes('string') || (schema.anyOf ?? []).some(takesString);
    const failures: string[] = [];
    const writes = documented().filter((o) => o.hasBody);
    expect(writes.length).toBeGreaterThan(50);
    for (const op of writes) {
      const sent: [unknown, string][] = [
        // A control character in a name: refused before any field is looked at.
        [{ 'x\u0000': 'y' }, 'body'],
        [[{ deep: ['ok', { 'x\u001b': 1 }] }], 'body.0.deep.1'],
        ...Object.entries(op.bodyProperties)
          .filter(([, schema]) => takesString(schema))
          .map(([name]) => [{ [name]: 'a\u0000b' }, `body.${name}`] as [unknown, string]),
      ];
      for (const [body, path] of sent) {
        const res = await client.request(op.method, op.url, body);
        if (res.status !== 400 || !issuesOf(res).some((i) => i.path === path && i.message === NO_CONTROL_CHARS))
          failures.push(`${op.method} ${op.path} ${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    expect(failures).toEqual([]);
    const login = await t.anon.post('/api/v1/auth/login', { username: 'boss\u0000', password: 'x' });
    expect(login.status).toBe(400);
    expect(issuesOf(login)).toEqual([{ path: 'body.username', code: 'custom', message: NO_CONTROL_CHARS }]);
    expect(await myAuditRows()).toBe(before);
  }, 180_000);

  it('still accepts ordinary text on the lists named in the issue', async () => {
    for (const [url, query] of [
      ['/api/v1/customers', { q: '华达 审计' }],
      ['/api/v1/customers', { tag: '年审' }],
      ['/api/v1/customers/duplicates', { name: '北京华达' }],
      ['/api/v1/opportunities/totals', { q: 'x' }],
      ['/api/v1/contact-logs', { q: '报价' }],
    ] as const) {
      const res = await client.get(url, query);
      expect(res.status, `${url} ${JSON.stringify(res.body)}`).toBe(200);
    }
  });
});

describe('unknown query parameters', () => {
  it('are refused on every documented route (400), not ignored', async () => {
    const failures: string[] = [];
    for (const op of documented().filter((o) => o.method === 'GET' || !o.hasBody)) {
      const url = `${op.url}?unexpectedParam=1`;
      const res = await client.request(op.method, url);
      const refused =
        res.status === 400 && issuesOf(res).some((i) => i.path === 'querystring' && i.code === 'unrecognized_keys');
      if (!refused) failures.push(`${op.method} ${url}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
    }
    expect(failures).toEqual([]);
  });

  it('are refused by the query schema of every route in the API, with a body or without', () => {
    const api = t.app.routeTable.filter((r) => !(r.schema as { hide?: boolean } | undefined)?.hide);
    expect(api.length).toBeGreaterThan(150);
    const lax = api
      .filter((r) => {
        const query = (r.schema as { querystring?: ZodType } | undefined)?.querystring;
        const parsed = query?.safeParse({ unexpectedParam: '1' });
        return !parsed || parsed.success || !parsed.error.issues.some((i) => i.code === 'unrecognized_keys');
      })
      .map((r) => `${[r.method].flat().join(',')} ${r.url}`);
    expect(lax).toEqual([]);
  });

  it('include `q` on the audit log, which is filtered but not searched', async () => {
    const res = await client.get('/api/v1/audit-logs', { q: 'x' });
    expect(res.status).toBe(400);
    expect(issuesOf(res)[0]).toMatchObject({ path: 'querystring', code: 'unrecognized_keys' });
  });
});

describe('q', () => {
  it('narrows every list that accepts it (a search for nothing finds nothing)', async () => {
    // At least one visible row in every searchable list.
    const db = t.database.db;
    const line = await buildBusinessLine(db);
    await buildBranch(db);
    await buildRegion(db);
    const customer = await client.post('/api/v1/customers', { name: uniq('搜索客户') });
    expect(customer.status).toBe(201);
    const customerId = customer.body.id;
    const made = [
      await client.post('/api/v1/contacts', { customerId, name: '王会计' }),
      await client.post('/api/v1/contact-logs', {
        customerId,
        direction: 'outbound',
        channel: 'phone',
        summary: '年审',
      }),
      await client.post('/api/v1/customer-services', {
        customerId,
        businessLineId: line.id,
        cycle: 'annual',
        nextDueOn: '2027-03-31',
      }),
      await client.post('/api/v1/campaigns', { name: uniq('讲座'), type: 'seminar' }),
      await client.post('/api/v1/leads', { companyName: uniq('线索公司'), ownerId: client.me!.user.id }),
      await client.post('/api/v1/activities', { category: 'call', subject: '回访', customerId }),
      await client.post('/api/v1/api-tokens', { name: uniq('集成') }),
    ];
    for (const res of made) expect(res.status, JSON.stringify(res.body)).toBe(201);
    await buildOpportunity(t, { ownerId: client.me!.user.id, customerId, businessLineId: line.id });
    const contract = await client.post('/api/v1/contracts', {
      customerId,
      businessLineId: line.id,
      lines: [{ description: '年度审计', amount: '1000' }],
      terms: [{ kind: 'final', percent: '100', trigger: 'signing' }],
    });
    expect(contract.status, JSON.stringify(contract.body)).toBe(201);
    await client.post(`/api/v1/contracts/${contract.body.id}/submit`);
    const signed = await client.post(`/api/v1/contracts/${contract.body.id}/sign`, {});
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    const order = await client.post('/api/v1/orders', { contractId: contract.body.id });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    // An engagement from the confirmed order, and a work order of it assigned to the caller.
    expect((await client.post(`/api/v1/orders/${order.body.id}/confirm`)).status).toBe(200);
    await buildTemplate(db, line.id);
    const engagement = await client.post('/api/v1/engagements', { orderId: order.body.id, leadId: client.me!.user.id });
    expect(engagement.status, JSON.stringify(engagement.body)).toBe(201);
    const task = engagement.body.items[0].phases[0].tasks[0];
    const assigned = await client.patch(`/api/v1/engagement-tasks/${task.id}`, { assigneeId: client.me!.user.id });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    // Time logged on it this week (on its Monday: never too far ahead).
    const monday = new Date();
    monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
    const week = monday.toISOString().slice(0, 10);
    const logged = await client.put(`/api/v1/timesheets/${week}`, {
      rows: [{ engagementId: engagement.body.items[0].id, category: 'engagement', hours: { [week]: '1.5' } }],
    });
    expect(logged.status, JSON.stringify(logged.body)).toBe(200);
    const money = [
      await client.post('/api/v1/receipts', {
        contractId: contract.body.id,
        receivedOn: today(),
        payer: 'X',
        amount: '1.00',
      }),
      await client.post('/api/v1/invoices', {
        contractId: contract.body.id,
        number: uniq('N'),
        kind: 'ordinary',
        amount: '1.00',
        issuedOn: today(),
      }),
    ];
    for (const res of money) expect(res.status, JSON.stringify(res.body)).toBe(201);
    // Short of continuing-education hours: a CPA certificate and no training this year.
    const certified = await client.post(`/api/v1/people/${client.me!.user.id}/qualifications`, {
      kind: 'cpa',
      certificateNo: uniq('CPA'),
    });
    expect(certified.status, JSON.stringify(certified.body)).toBe(201);
    // A commission sheet of the contract, as rows: under a policy of its own long ago (so it never is the version in
    // force for another test's months, nor blocks another test's adoption).
    const [oldPolicy] = await db
      .insert(commissionPolicies)
      .values({
        version: 900_000 + Math.floor(Math.random() * 99_999),
        name: uniq('旧政策'),
        effectiveFrom: '1990-01-01',
        status: 'adopted',
        rules: [],
      })
      .returning();
    await db.insert(commissionSheets).values({
      period: '1990-01',
      contractId: contract.body.id,
      businessLineId: line.id,
      ownerId: client.me!.user.id,
      policyId: oldPolicy.id,
      receivedBefore: '0',
      received: '0',
      hours: '0',
      total: '0',
    });

    // A renewal 续约 (skipped, long ago: no other test's job run raises or counts it).
    await db.insert(renewals).values({
      source: 'contract',
      sourceId: contract.body.id,
      dueOn: '1990-01-31',
      cycle: 'annual',
      customerId: contract.body.customerId,
      businessLineId: line.id,
      ownerId: client.me!.user.id,
      status: 'skipped',
      skipReason: 'customer-former',
    });
    // A cross-sell suggestion for the customer (the computation's row).
    await db.insert(crossSellSuggestions).values({
      customerId,
      businessLineId: line.id,
      score: '0.5',
      level: 'industry',
      similarCount: 10,
      buyingCount: 5,
      segment: { industry: null, size: null, regionId: null },
    });

    // A knowledge-base article past its review date (the list and the stale list 待复审).
    const article = await client.post('/api/v1/knowledge', {
      kind: 'experience',
      title: uniq('年报审计承接要点'),
      reviewOn: '2020-01-31',
    });
    expect(article.status, JSON.stringify(article.body)).toBe(201);

    const nothing = `无此记录${Date.now()}zz`;
    const checked: string[] = [];
    const failures: string[] = [];
    for (const op of documented().filter((o) => o.method === 'GET' && o.query.some((p) => p.name === 'q'))) {
      const all = await client.request('GET', op.url);
      // Lists only (q required elsewhere, e.g. the answer box; totals and files are not lists).
      if (all.status !== 200 || !Array.isArray(all.body?.items)) continue;
      checked.push(op.path);
      if (all.body.items.length === 0) {
        failures.push(`${op.path}: nothing to search (give the test a row)`);
        continue;
      }
      const none = await client.get(op.url, { q: nothing });
      if (none.status !== 200 || none.body.items.length !== 0)
        failures.push(`${op.path}?q=${nothing}: ${none.status}, ${none.body.items?.length} items — q ignored`);
    }
    expect(failures).toEqual([]);
    expect(checked).toEqual(
      expect.arrayContaining(
        [
          'users',
          'departments',
          'branches',
          'regions',
          'business-lines',
          'roles',
          'customers',
          'contacts',
          'contact-logs',
          'customer-services',
          'campaigns',
          'leads',
          'activities',
          'opportunities',
          'admin/api-tokens',
          'receipts',
          'invoices',
          'receivables',
          'receivables/terms',
          'contracts',
          'orders',
          'engagements',
          'work-orders',
          'time-entries',
          'cpe/shortfall',
          'commission-sheets',
        ].map((s) => `/api/v1/${s}`),
      ),
    );
  });

  it('finds contact-log entries by what was said or by their customer', async () => {
    const name = uniq('青松会计师事务所客户');
    const a = await client.post('/api/v1/customers', { name });
    const b = await client.post('/api/v1/customers', { name: uniq('另一家') });
    const said = uniq('约定下周二送审计报告');
    const logA = await client.post('/api/v1/contact-logs', {
      customerId: a.body.id,
      direction: 'outbound',
      channel: 'phone',
      summary: '电话确认资料清单',
    });
    const logB = await client.post('/api/v1/contact-logs', {
      customerId: b.body.id,
      direction: 'inbound',
      channel: 'visit',
      summary: said,
    });
    expect([logA.status, logB.status]).toEqual([201, 201]);
    const bySummary = await client.get('/api/v1/contact-logs', { q: said.slice(0, -2) });
    expect(bySummary.body.items.map((l: { id: string }) => l.id)).toEqual([logB.body.id]);
    expect(bySummary.body.total).toBe(1);
    const byCustomer = await client.get('/api/v1/contact-logs', { q: name });
    expect(byCustomer.body.items.map((l: { id: string }) => l.id)).toEqual([logA.body.id]);
    // `%` and `_` are searched as themselves.
    expect((await client.get('/api/v1/contact-logs', { q: '%', customerId: a.body.id })).body.items).toEqual([]);
  });

  it('finds recurring services by business line, notes or customer', async () => {
    const line = await buildBusinessLine(t.database.db, { name: uniq('税务代理') });
    const other = await buildBusinessLine(t.database.db, { name: uniq('验资') });
    const name = uniq('松柏商贸');
    const customer = await client.post('/api/v1/customers', { name });
    const elsewhere = await client.post('/api/v1/customers', { name: uniq('别家') });
    const byLine = await client.post('/api/v1/customer-services', {
      customerId: elsewhere.body.id,
      businessLineId: line.id,
      cycle: 'monthly',
      nextDueOn: '2027-01-15',
    });
    const byCustomer = await client.post('/api/v1/customer-services', {
      customerId: customer.body.id,
      businessLineId: other.id,
      cycle: 'annual',
      nextDueOn: '2027-04-30',
      notes: '每年四月底前出具报告',
    });
    expect([byLine.status, byCustomer.status]).toEqual([201, 201]);
    const ids = async (q: string) =>
      (await client.get('/api/v1/customer-services', { q })).body.items.map((s: { id: string }) => s.id);
    expect(await ids(line.name)).toEqual([byLine.body.id]);
    expect(await ids(name)).toEqual([byCustomer.body.id]);
    expect(await ids('四月底前出具')).toEqual([byCustomer.body.id]);
    const total = await client.get('/api/v1/customer-services', { q: line.name });
    expect(total.body.total).toBe(1);
  });
});
