import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translate } from '../../../common/i18n';
import { buildBusinessLine, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { auditLogs } from '../audit/audit.tables';
import { commissionPolicies } from './commissions.tables';
import { policyInForce } from './policies.service';

let t: TestApp;
let admin: Client;
let finance: Client;
let seller: Client;
let lineId: string;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
  finance = (await signedIn(t, { roleCode: 'finance' })).client;
  seller = (await signedIn(t, { roleCode: 'salesperson' })).client;
  lineId = (await buildBusinessLine(t.database.db, { name: uniq('审计') })).id;
});
afterAll(() => t.close());

const anyMatch = {
  businessLineId: null,
  role: null,
  staffCategory: null,
  practising: null,
  departmentId: null,
  branchId: null,
};
const saleRule = (key: string, match: Record<string, unknown>, percent = '3') => ({
  key,
  name: `规则${key}`,
  side: 'sale',
  match: { ...anyMatch, ...match },
  method: 'amount',
  tiers: [{ upTo: null, percent }],
});
/** Every name given, to find what was saved. */
const attempted: string[] = [];
const policy = (effectiveFrom: string, rules: unknown[]) => {
  const name = uniq('佣金政策');
  attempted.push(name);
  return { name, effectiveFrom, rules };
};

/** A far-off year of its own per test (the versions are firm-wide; PostgreSQL test files share one database). */
let year = 2300 + Math.floor(Math.random() * 500) * 10;
const nextYear = () => (year += 1);

describe('commission policy versions 佣金政策', () => {
  it('are drafted by administrators and finance, numbered in turn; a salesperson may not', async () => {
    const y = nextYear();
    const a = await admin.post(
      '/api/v1/commission-policies',
      policy(`${y}-01-01`, [saleRule('S1', { role: 'sales-owner' })]),
    );
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    const b = await finance.post(
      '/api/v1/commission-policies',
      policy(`${y}-07-01`, [saleRule('S1', { role: 'sales-owner' })]),
    );
    expect(b.status).toBe(201);
    expect(b.body.version).toBe(a.body.version + 1);
    expect(b.body).toMatchObject({ status: 'draft', effectiveFrom: `${y}-07-01`, adoptedAt: null });
    // Stored with every match field, defaults filled.
    expect(b.body.rules[0].match).toEqual({ ...anyMatch, role: 'sales-owner' });
    expect((await seller.post('/api/v1/commission-policies', policy(`${y}-01-01`, []))).status).toBe(403);
  });

  it('refuses rules one person could meet equally, percentages out of range, tiers out of order — nothing saved', async () => {
    const y = nextYear();
    attempted.length = 0;
    const ambiguous = await admin.post(
      '/api/v1/commission-policies',
      policy(`${y}-01-01`, [saleRule('A', { businessLineId: lineId }), saleRule('B', { role: 'sales-owner' })]),
    );
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.error.code).toBe('VALIDATION_FAILED');
    expect(ambiguous.body.error.details.issues).toEqual([
      {
        path: 'rules.1.match',
        code: 'custom',
        message: translate('zh-CN', 'validation.ruleAmbiguous', { a: 'A', b: 'B' }),
      },
    ]);

    const over = await admin.post('/api/v1/commission-policies', policy(`${y}-01-01`, [saleRule('A', {}, '100.01')]));
    expect(over.status).toBe(400);
    const negative = await admin.post('/api/v1/commission-policies', policy(`${y}-01-01`, [saleRule('A', {}, '-3')]));
    expect(negative.status).toBe(400);
    const tiers = await admin.post(
      '/api/v1/commission-policies',
      policy(`${y}-01-01`, [
        {
          ...saleRule('T', {}),
          tiers: [
            { upTo: '100000', percent: '3' },
            { upTo: '50000', percent: '4' },
            { upTo: null, percent: '5' },
          ],
        },
      ]),
    );
    expect(tiers.status).toBe(400);
    expect(tiers.body.error.details.issues[0].path).toBe('rules.0.tiers');
    const side = await admin.post(
      '/api/v1/commission-policies',
      policy(`${y}-01-01`, [saleRule('S', { role: 'assistant' })]),
    );
    expect(side.body.error.details.issues[0].path).toBe('rules.0.match.role');
    const twice = await admin.post(
      '/api/v1/commission-policies',
      policy(`${y}-01-01`, [saleRule('S', { role: 'sales-owner' }), saleRule('S', { role: 'consultant' })]),
    );
    expect(twice.body.error.details.issues[0]).toMatchObject({ path: 'rules.1.key' });
    // In English for an English reader.
    const englishAdmin = (await signedIn(t, { roleCode: 'admin' })).client;
    expect((await englishAdmin.patch('/api/v1/auth/me', { locale: 'en-US' })).status).toBe(200);
    const english = await englishAdmin.post(
      '/api/v1/commission-policies',
      policy(`${y}-01-01`, [saleRule('A', { businessLineId: lineId }), saleRule('B', { role: 'sales-owner' })]),
    );
    expect(english.body.error.details.issues[0].message).toBe(
      translate('en-US', 'validation.ruleAmbiguous', { a: 'A', b: 'B' }),
    );
    // None of them was saved (each attempt carried a name of its own).
    const saved = await t.database.db
      .select({ id: commissionPolicies.id })
      .from(commissionPolicies)
      .where(inArray(commissionPolicies.name, attempted));
    expect(saved).toEqual([]);
  });

  it('once adopted are in force from their date, frozen, read by everyone they apply to', async () => {
    const y = nextYear();
    const draft = await admin.post(
      '/api/v1/commission-policies',
      policy(`${y}-03-01`, [saleRule('S1', { role: 'sales-owner' })]),
    );
    const id = draft.body.id;
    // A salesperson does not see drafts.
    expect((await seller.get(`/api/v1/commission-policies/${id}`)).status).toBe(404);
    const edited = await admin.put(
      `/api/v1/commission-policies/${id}`,
      policy(`${y}-03-01`, [saleRule('S1', { role: 'sales-owner' }, '4')]),
    );
    expect(edited.status).toBe(200);
    expect(edited.body.rules[0].tiers[0].percent).toBe('4');

    const adopted = await finance.post(`/api/v1/commission-policies/${id}/adopt`);
    expect(adopted.status, JSON.stringify(adopted.body)).toBe(200);
    expect(adopted.body).toMatchObject({ status: 'adopted', effectiveFrom: `${y}-03-01` });
    expect(adopted.body.adoptedByName).toBeTruthy();
    const seen = await seller.get(`/api/v1/commission-policies/${id}`);
    expect(seen.status).toBe(200);
    expect((await seller.get('/api/v1/commission-policies')).body.items.some((p: { id: string }) => p.id === id)).toBe(
      true,
    );

    // Frozen: neither changed nor deleted nor adopted again.
    for (const res of [
      await admin.put(`/api/v1/commission-policies/${id}`, policy(`${y}-03-01`, [saleRule('S1', {})])),
      await admin.delete(`/api/v1/commission-policies/${id}`),
      await admin.post(`/api/v1/commission-policies/${id}/adopt`),
    ]) {
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('COMMISSION_POLICY_ADOPTED');
    }

    // In force from its date: not the day before.
    expect((await policyInForce(t.database.db, `${y}-03-01`))?.id).toBe(id);
    expect((await policyInForce(t.database.db, `${y}-12-31`))?.id).toBe(id);
    expect((await policyInForce(t.database.db, `${y}-02-28`))?.id).not.toBe(id);

    const audit = await t.database.db.select().from(auditLogs).where(eq(auditLogs.entityId, id));
    expect(audit.map((a) => a.action).sort()).toEqual(['adopt', 'create', 'update']);
  });

  it('deletes a draft', async () => {
    const y = nextYear();
    const draft = await admin.post('/api/v1/commission-policies', policy(`${y}-01-01`, [saleRule('S1', {})]));
    expect((await admin.delete(`/api/v1/commission-policies/${draft.body.id}`)).status).toBe(200);
    expect((await admin.get(`/api/v1/commission-policies/${draft.body.id}`)).status).toBe(404);
  });
});
