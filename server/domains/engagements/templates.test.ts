import { randomUUID } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngagementTemplateInput } from '../../../common/schemas/engagements';
import { auditLogs } from '../audit/audit.tables';
import { buildOrder } from '../receivables/fixtures';
import { businessLines } from '../staff/staff.tables';
import { buildBusinessLine, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { engagements, engagementTemplates } from './engagements.tables';
import { activeTemplateFor } from './templates.service';

let t: TestApp;
let admin: Client;
/** An administrator who reads English. */
let englishAdmin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
  englishAdmin = (await signedIn(t, { roleCode: 'admin' })).client;
  expect((await englishAdmin.patch('/api/v1/auth/me', { locale: 'en-US' })).status).toBe(200);
});
afterAll(() => t.close());

const URL = '/api/v1/engagement-templates';

/** An audit template's document: 业务承接 → 现场审计 → 三级复核 → 出具报告 → 归档. */
function auditTemplate(
  businessLineId: string,
  overrides: Partial<EngagementTemplateInput> = {},
): EngagementTemplateInput {
  return {
    businessLineId,
    name: uniq('年度财务报表审计'),
    phases: [
      {
        name: '业务承接',
        durationDays: 3,
        roles: ['manager'],
        tasks: [
          { title: '签订业务约定书', role: 'manager', plannedHours: '2' },
          { title: '了解被审计单位及其环境', role: 'assistant', plannedHours: '6.50' },
        ],
      },
      {
        name: '现场审计',
        durationDays: 10,
        roles: ['manager', 'assistant', 'assistant'],
        qualification: 'cpa',
        tasks: [
          { title: '函证银行存款和往来款项', role: 'assistant', plannedHours: '16.25' },
          { title: '存货监盘', role: 'assistant', plannedHours: '8.75' },
          { title: '编制审计工作底稿', role: 'assistant' },
        ],
      },
      {
        name: '三级复核',
        kind: 'review',
        durationDays: 5,
        roles: ['manager', 'reviewer'],
        tasks: [{ title: '项目经理复核', role: 'manager', plannedHours: '4' }],
      },
      { name: '出具报告', kind: 'report', durationDays: 2, roles: ['signing-cpa'] },
      { name: '归档', kind: 'archive', durationDays: 30, tasks: [{ title: '底稿归档', role: 'assistant' }] },
    ],
    ...overrides,
  };
}

/** Hours as quarter hours counted one by one: "6.50" → 26 (the test's own arithmetic, not the server's). */
function quarters(hours: string): number {
  const [whole, fraction = ''] = hours.split('.');
  return Number(whole) * 4 + { '': 0, '0': 0, '00': 0, '25': 1, '5': 2, '50': 2, '75': 3 }[fraction]!;
}
/** The sum of a document's planned hours, written as the server writes it ("37.75", "8"). */
function expectedHours(input: EngagementTemplateInput): string {
  const total = (input.phases ?? [])
    .flatMap((p) => p.tasks ?? [])
    .reduce((sum, task) => sum + (task.plannedHours ? quarters(task.plannedHours) : 0), 0);
  const whole = Math.floor(total / 4);
  return ['', '.25', '.5', '.75'].map((f) => `${whole}${f}`)[total % 4];
}

async function auditRows(entityId: string) {
  return t.database.db
    .select({ action: auditLogs.action, before: auditLogs.before, after: auditLogs.after })
    .from(auditLogs)
    .where(and(eq(auditLogs.entityType, 'engagement-template'), eq(auditLogs.entityId, entityId)))
    .orderBy(auditLogs.at, auditLogs.id);
}

async function templatesOf(businessLineId: string) {
  const [{ n }] = await t.database.db
    .select({ n: count() })
    .from(engagementTemplates)
    .where(eq(engagementTemplates.businessLineId, businessLineId));
  return n;
}

describe('engagement templates 业务模板', () => {
  it('creates a template with its phases in order, the planned hours summed exactly, and audits it', async () => {
    const line = await buildBusinessLine(t.database.db, { name: uniq('审计') });
    const input = auditTemplate(line.id, { note: '适用于年度财务报表审计' });
    const res = await admin.post(URL, input);
    expect(res.status).toBe(201);
    expect(expectedHours(input)).toBe('37.5');
    expect(res.body).toMatchObject({
      businessLineId: line.id,
      businessLineName: line.name,
      name: input.name,
      cycle: 'once',
      active: true,
      note: '适用于年度财务报表审计',
      plannedHours: expectedHours(input),
      engagements: 0,
    });
    expect(res.body.phases.map((p: { name: string; kind: string }) => [p.name, p.kind])).toEqual([
      ['业务承接', 'work'],
      ['现场审计', 'work'],
      ['三级复核', 'review'],
      ['出具报告', 'report'],
      ['归档', 'archive'],
    ]);
    // Defaults filled, hours in their shortest form, each role once.
    expect(res.body.phases[0].tasks[1]).toEqual({
      title: '了解被审计单位及其环境',
      role: 'assistant',
      plannedHours: '6.5',
    });
    expect(res.body.phases[1]).toMatchObject({ roles: ['manager', 'assistant'], qualification: 'cpa' });
    expect(res.body.phases[1].tasks[2].plannedHours).toBeNull();
    expect(res.body.phases[3]).toMatchObject({ qualification: null, tasks: [] });

    const again = await admin.get(`${URL}/${res.body.id}`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);

    const audits = await auditRows(res.body.id);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ action: 'create', after: { name: input.name, businessLineId: line.id } });
    expect((audits[0].after as { phases: unknown[] }).phases).toHaveLength(5);
  });

  it('replaces the whole template and audits before and after; engagements made from it are counted', async () => {
    const line = await buildBusinessLine(t.database.db, { name: uniq('代理记账') });
    const created = (await admin.post(URL, auditTemplate(line.id))).body;
    const replacement: EngagementTemplateInput = {
      businessLineId: line.id,
      name: uniq('代理记账（月度）'),
      cycle: 'monthly',
      note: null,
      phases: [
        {
          name: '收票',
          durationDays: 5,
          roles: ['bookkeeper'],
          tasks: [{ title: '收取票据', role: 'bookkeeper', plannedHours: '1.5' }],
        },
        {
          name: '记账',
          durationDays: 10,
          tasks: [{ title: '编制记账凭证', role: 'bookkeeper', plannedHours: '4.75' }],
        },
        { name: '报税', durationDays: 5, tasks: [{ title: '增值税申报', role: 'bookkeeper', plannedHours: '0.25' }] },
        { name: '装订', durationDays: 5, tasks: [{ title: '凭证装订', role: 'assistant', plannedHours: '1' }] },
      ],
    };
    const res = await admin.put(`${URL}/${created.id}`, replacement);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.id, name: replacement.name, cycle: 'monthly', note: null });
    expect(res.body.phases.map((p: { name: string }) => p.name)).toEqual(['收票', '记账', '报税', '装订']);
    expect(res.body.plannedHours).toBe(expectedHours(replacement));
    expect(res.body.plannedHours).toBe('7.5');
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));

    const audits = await auditRows(created.id);
    expect(audits.map((a) => a.action)).toEqual(['create', 'update']);
    expect(audits[1].before).toMatchObject({ name: created.name, cycle: 'once' });
    expect(audits[1].after).toMatchObject({ name: replacement.name, cycle: 'monthly' });

    // An engagement made from it (inserted as a row: the engagement service is built beside this one).
    const order = await buildOrder(t.database.db, [{ amount: '3000.00', due: null }]);
    await t.database.db.insert(engagements).values({
      title: uniq('代理记账'),
      customerId: order.customerId,
      orderId: order.id,
      businessLineId: line.id,
      templateId: created.id,
      cycle: 'monthly',
      amount: '3000.00',
      leadId: order.ownerId,
      departmentId: order.departmentId,
      salesOwnerId: order.ownerId,
    });
    const listed = await admin.get(URL, { businessLineId: line.id });
    expect(listed.body.items).toEqual([expect.objectContaining({ id: created.id, engagements: 1 })]);
  });

  it('lists by business line, active or not, by name or last change, and finds by name', async () => {
    const line = await buildBusinessLine(t.database.db, { name: uniq('资产评估') });
    const other = await buildBusinessLine(t.database.db);
    const b = (await admin.post(URL, auditTemplate(line.id, { name: 'B 单项资产评估' }))).body;
    const a = (await admin.post(URL, auditTemplate(line.id, { name: 'A 企业价值评估' }))).body;
    const off = (await admin.post(URL, auditTemplate(line.id, { name: 'C 旧版评估', active: false }))).body;
    await admin.post(URL, auditTemplate(other.id));

    const names = async (query: Record<string, string>) =>
      (await admin.get(URL, { businessLineId: line.id, ...query })).body.items.map((i: { name: string }) => i.name);
    expect(await names({})).toEqual([a.name, b.name]);
    expect(await names({ active: 'false' })).toEqual([off.name]);
    expect(await names({ active: 'all' })).toEqual([a.name, b.name, off.name]);
    expect(await names({ active: 'all', sort: '-name' })).toEqual([off.name, b.name, a.name]);
    expect(await names({ active: 'all', sort: '-updatedAt' })).toEqual([off.name, a.name, b.name]);
    expect(await names({ q: '企业价值' })).toEqual([a.name]);

    const page = await admin.get(URL, { businessLineId: line.id, active: 'all', pageSize: 2, page: 2 });
    expect(page.body).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(page.body.items).toHaveLength(1);

    // The same name on another business line is fine.
    expect((await admin.post(URL, auditTemplate(other.id, { name: a.name }))).status).toBe(201);

    // The engagement service's default: the active template first by name.
    expect((await activeTemplateFor(t.database.db, line.id))?.id).toBe(a.id);
    expect(await activeTemplateFor(t.database.db, (await buildBusinessLine(t.database.db)).id)).toBeNull();
  });

  describe('refuses bad input with localised errors and changes nothing', () => {
    it('hours not in quarter hours, no phases', async () => {
      const line = await buildBusinessLine(t.database.db);
      const input = auditTemplate(line.id);
      input.phases[1].tasks![0].plannedHours = '1.3';
      const res = await admin.post(URL, input);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.issues).toContainEqual(
        expect.objectContaining({
          path: 'body.phases.1.tasks.0.plannedHours',
          message: '工时以 0.25 小时为单位，例如 6.5',
        }),
      );
      const en = await englishAdmin.post(URL, input);
      expect(en.body.error.details.issues).toContainEqual(
        expect.objectContaining({
          path: 'body.phases.1.tasks.0.plannedHours',
          message: 'Hours in quarter hours, e.g. 6.5',
        }),
      );

      const empty = await admin.post(URL, auditTemplate(line.id, { phases: [] }));
      expect(empty.status).toBe(400);
      expect(empty.body.error.details.issues).toEqual([expect.objectContaining({ path: 'body.phases' })]);
      expect(await templatesOf(line.id)).toBe(0);
    });

    it('a review, report or archive phase twice, or the archive not last', async () => {
      const line = await buildBusinessLine(t.database.db);
      const notLast = auditTemplate(line.id);
      notLast.phases.push({ name: '回访', durationDays: 3 });
      const res = await admin.post(URL, notLast);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { issues: [{ path: 'phases.4.kind', code: 'custom', message: '归档须是最后一个阶段' }] },
      });
      const en = await englishAdmin.post(URL, notLast);
      expect(en.body.error.details.issues[0].message).toBe('Archiving must be the last phase');

      const twice = auditTemplate(line.id);
      twice.phases.splice(3, 0, { name: '质量复核', kind: 'review', durationDays: 2 });
      const two = await admin.post(URL, twice);
      expect(two.status).toBe(400);
      expect(two.body.error.details.issues).toEqual([
        expect.objectContaining({ path: 'phases.3.kind', message: '复核、出具报告和归档阶段各只能有一个' }),
      ]);
      expect((await englishAdmin.post(URL, twice)).body.error.details.issues[0].message).toBe(
        'There can be only one review, one report and one archive phase',
      );
      expect(await templatesOf(line.id)).toBe(0);
    });

    it('a name the business line already has, a business line unknown or switched off', async () => {
      const line = await buildBusinessLine(t.database.db);
      const first = (await admin.post(URL, auditTemplate(line.id))).body;
      const second = (await admin.post(URL, auditTemplate(line.id))).body;

      const duplicate = await admin.post(URL, auditTemplate(line.id, { name: first.name }));
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.error).toMatchObject({
        code: 'DUPLICATE_VALUE',
        message: `名称「${first.name}」已存在`,
        details: { field: 'name', value: first.name },
      });
      // Renaming the second to the first's name: refused, the second unchanged.
      const renamed = await admin.put(`${URL}/${second.id}`, auditTemplate(line.id, { name: first.name }));
      expect(renamed.status).toBe(409);
      expect(renamed.body.error.code).toBe('DUPLICATE_VALUE');

      const unknown = await englishAdmin.post(URL, auditTemplate(randomUUID()));
      expect(unknown.status).toBe(400);
      expect(unknown.body.error).toMatchObject({
        code: 'INACTIVE_REFERENCE',
        message: 'The selected business line is deactivated or does not exist',
        details: { field: 'businessLine' },
      });
      const off = await buildBusinessLine(t.database.db);
      await t.database.db.update(businessLines).set({ active: false }).where(eq(businessLines.id, off.id));
      const inactive = await admin.post(URL, auditTemplate(off.id));
      expect(inactive.status).toBe(400);
      expect(inactive.body.error).toMatchObject({ code: 'INACTIVE_REFERENCE', message: '所选业务类型已停用或不存在' });
      // Moving a template to it is refused too; a bad replacement leaves the template as it was.
      expect((await admin.put(`${URL}/${second.id}`, auditTemplate(off.id, { name: second.name }))).status).toBe(400);
      const badHours = auditTemplate(line.id, { name: second.name });
      badHours.phases[0].tasks![0].plannedHours = '10000';
      expect((await admin.put(`${URL}/${second.id}`, badHours)).status).toBe(400);

      expect((await admin.get(`${URL}/${second.id}`)).body).toEqual(second);
      expect(await templatesOf(line.id)).toBe(2);
      expect(await templatesOf(off.id)).toBe(0);
      expect((await auditRows(second.id)).map((a) => a.action)).toEqual(['create']);
    });
  });

  it('is set up by administrators, read by those who make engagements, hidden from others', async () => {
    const line = await buildBusinessLine(t.database.db);
    const created = (await admin.post(URL, auditTemplate(line.id))).body;

    const seller = (await signedIn(t, { roleCode: 'salesperson' })).client;
    expect((await seller.get(URL)).status).toBe(403);
    expect((await seller.get(`${URL}/${created.id}`)).status).toBe(403);
    expect((await seller.post(URL, auditTemplate(line.id))).status).toBe(403);
    expect((await seller.put(`${URL}/${created.id}`, auditTemplate(line.id))).status).toBe(403);

    // A manager (engagements:write) picks a template for an engagement but does not change templates.
    const manager = (await signedIn(t, { roleCode: 'manager' })).client;
    const listed = await manager.get(URL, { businessLineId: line.id });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([created.id]);
    expect((await manager.get(`${URL}/${created.id}`)).status).toBe(200);
    expect((await manager.post(URL, auditTemplate(line.id))).status).toBe(403);
    expect((await manager.put(`${URL}/${created.id}`, auditTemplate(line.id))).status).toBe(403);

    expect((await admin.get(`${URL}/${randomUUID()}`)).status).toBe(404);
    expect((await admin.put(`${URL}/${randomUUID()}`, auditTemplate(line.id))).status).toBe(404);
    expect(await templatesOf(line.id)).toBe(1);
  });
});
