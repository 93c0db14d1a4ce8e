import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../context';
import { auditLogs } from '../audit/audit.tables';
import { opportunities, pipelineStages } from '../opportunities/opportunities.tables';
import { contacts, customers } from '../customers/customers.tables';
import { files } from '../files/files.tables';
import { loadActor } from '../staff/actors';
import {
  buildBranch,
  buildBusinessLine,
  buildDepartment,
  buildOpportunity,
  buildUser,
  signedIn,
} from '../../test/factories';
import { createTestApp, multipart, uniq, type Client, type TestApp } from '../../test/harness';
import { searchTextOf } from '../../lib/search-text';
import { auditEngagementLetter } from '../../seed/demo-contracts';
import { contractLines, contracts, contractTemplates, paymentTerms } from './contracts.tables';
import { storeContractDocument } from './documents.service';
import { docxPackage, documentText, paragraph, table } from './ooxml';

let t: TestApp;
let admin: Client;
/** An administrator who reads English (a signed-in user's own language wins over Accept-Language). */
let englishAdmin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
  englishAdmin = (await signedIn(t, { roleCode: 'admin' })).client;
  expect((await englishAdmin.patch('/api/v1/auth/me', { locale: 'en-US' })).status).toBe(200);
});
afterAll(() => t.close());

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** A small template: a marker telling versions apart, the parties, the lines and terms, the amount. */
function template(marker: string, extra: string[] = []) {
  return docxPackage({
    title: marker,
    body: [
      paragraph(marker, { style: 'Title' }),
      paragraph('编号：{contractNumber}'),
      // Split as Word splits a tag that was retyped.
      paragraph(['甲方：{custo', 'merName}（{customerCreditCode}）']),
      table({ widths: [3, 1], rows: [['{#lines}{description}', '{amount}{/lines}']] }),
      paragraph('合同金额：人民币{amount}元（大写：人民币{amountCapitals}）'),
      paragraph('{#terms}{kind}：{amount}，{trigger}，{dueOn}；{/terms}'),
      ...extra.map((text) => paragraph(text)),
    ],
  });
}

function upload(client: Client, url: string, filename: string, content: Buffer, fields: Record<string, string> = {}) {
  const { payload, headers } = multipart([{ filename, content }], fields);
  return client.request('POST', url, undefined, { payload, headers });
}

function createTemplate(client: Client, lineId: string, content: Buffer, name = uniq('审计业务约定书')) {
  return upload(client, '/api/v1/contract-templates', `${name}.docx`, content, { businessLineId: lineId, name });
}

/** A download as bytes (the client's JSON reading would spoil them). */
async function download(client: Client, url: string) {
  const res = await t.app.inject({ method: 'GET', url, headers: { cookie: client.cookie! } });
  return { status: res.statusCode, headers: res.headers, raw: res.rawPayload, json: () => res.json() };
}

/**
 * A contract as the contracts service will store it (inserted directly: that service is built beside this one):
 * a customer with credit code and address, a contact, our branch and signatory, lines and terms.
 */
async function buildContract(options: {
  ownerId: string;
  departmentId: string;
  businessLineId: string;
  templateVersionId?: string | null;
  lines: [string, string][];
  terms: {
    kind: 'down-payment' | 'progress' | 'final';
    amount: string;
    percent?: string;
    trigger: 'signing' | 'completion' | 'days-after-completion';
    days?: number;
  }[];
}) {
  const db = t.database.db;
  const name = uniq('西安华达科技有限公司');
  const creditCode = `9161${randomBytes(7).toString('hex').toUpperCase()}`;
  const [customer] = await db
    .insert(customers)
    .values({
      name,
      creditCode,
      address: '陕西省西安市高新区科技路48号',
      ownerId: options.ownerId,
      searchText: searchTextOf([name]),
    })
    .returning();
  const [contact] = await db
    .insert(contacts)
    .values({ customerId: customer.id, name: '王芳', phones: ['13991234567'], searchText: searchTextOf(['王芳']) })
    .returning();
  const branch = await buildBranch(db);
  const signatory = await buildUser(db, { displayName: uniq('陈志远'), departmentId: options.departmentId });
  const cents = options.lines.reduce((sum, [, amount]) => sum + BigInt(amount.replace('.', '')), 0n);
  const amount = `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
  const [contract] = await db
    .insert(contracts)
    .values({
      title: `${name}年度审计`,
      customerId: customer.id,
      contactId: contact.id,
      businessLineId: options.businessLineId,
      branchId: branch.id,
      signatoryId: signatory.id,
      ownerId: options.ownerId,
      departmentId: options.departmentId,
      amount,
      templateVersionId: options.templateVersionId ?? null,
      createdBy: options.ownerId,
    })
    .returning();
  await db.insert(contractLines).values(
    options.lines.map(([description, fee], i) => ({
      contractId: contract.id,
      position: i + 1,
      description,
      amount: fee,
    })),
  );
  if (options.terms.length)
    await db.insert(paymentTerms).values(
      options.terms.map((term, i) => ({
        contractId: contract.id,
        position: i + 1,
        kind: term.kind,
        amount: term.amount,
        percent: term.percent ?? null,
        trigger: term.trigger,
        triggerDays: term.days ?? null,
      })),
    );
  return { contract, customer, branch, signatory };
}

/** A business line of its own with a published template (its id, version 1's id). */
async function lineWithPublishedTemplate(marker = uniq('模板')) {
  const line = await buildBusinessLine(t.database.db);
  const created = await createTemplate(admin, line.id, template(marker));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const published = await admin.post(`/api/v1/contract-templates/${created.body.id}/versions/1/publish`);
  expect(published.status, JSON.stringify(published.body)).toBe(200);
  return { line, template: published.body, versionId: published.body.versions[0].id as string, marker };
}

describe('uploading a template', () => {
  it('creates version 1, not yet published, with the placeholders it uses; the file downloads unchanged', async () => {
    const line = await buildBusinessLine(t.database.db, { name: uniq('审计') });
    const content = template('审计业务约定书');
    const res = await createTemplate(admin, line.id, content, '审计业务约定书（年报）');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      businessLineId: line.id,
      businessLineName: line.name,
      name: '审计业务约定书（年报）',
      publishedVersion: null,
      active: true,
    });
    expect(res.body.versions).toHaveLength(1);
    expect(res.body.versions[0]).toMatchObject({
      version: 1,
      publishedAt: null,
      filename: '审计业务约定书（年报）.docx',
      size: content.length,
      contractCount: 0,
    });
    expect(res.body.versions[0].fields).toEqual([
      'contractNumber',
      'customerName',
      'customerCreditCode',
      'lines',
      'lines.description',
      'lines.amount',
      'amount',
      'amountCapitals',
      'terms',
      'terms.kind',
      'terms.amount',
      'terms.trigger',
      'terms.dueOn',
    ]);
    const file = await download(admin, `/api/v1/contract-templates/${res.body.id}/versions/1/file`);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe(DOCX);
    expect(file.raw.equals(content)).toBe(true);

    const list = await admin.get('/api/v1/contract-templates', { businessLineId: line.id });
    expect(list.status).toBe(200);
    expect(list.body.map((x: { id: string }) => x.id)).toEqual([res.body.id]);
    const [audit] = await t.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityType, 'contract-template'), eq(auditLogs.entityId, res.body.id)));
    expect(audit).toMatchObject({ action: 'create', after: expect.objectContaining({ version: 1 }) });
  });

  it('refuses a placeholder outside the field list, naming it, and stores nothing', async () => {
    const line = await buildBusinessLine(t.database.db);
    const name = uniq('坏模板');
    // Files this administrator stored (other test files store theirs in the same database meanwhile).
    const storedByAdmin = async () =>
      (await t.database.db.select({ id: files.id }).from(files).where(eq(files.createdBy, admin.me!.user.id))).length;
    const filesBefore = await storedByAdmin();
    const res = await createTemplate(
      admin,
      line.id,
      template('x', ['联系人：{contactMobile}', '{#services}{fee}{/services}']),
      name,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('TEMPLATE_UNKNOWN_FIELDS');
    expect(res.body.error.message).toBe('模板中有字段列表以外的占位符：{contactMobile} {#services} {fee}');
    expect(res.body.error.details.fields).toEqual(['{contactMobile}', '{#services}', '{fee}']);
    const en = await upload(englishAdmin, '/api/v1/contract-templates', 'a.docx', template('x', ['{contactMobile}']), {
      businessLineId: line.id,
      name,
    });
    expect(en.body.error.message).toBe('The template has placeholders that are not in the field list: {contactMobile}');
    expect(await t.database.db.select().from(contractTemplates).where(eq(contractTemplates.name, name))).toEqual([]);
    expect(await storedByAdmin()).toBe(filesBefore);
  });

  it('refuses a file that is not a .docx, and a template that cannot be parsed, with the reason', async () => {
    const line = await buildBusinessLine(t.database.db);
    const fake = await upload(admin, '/api/v1/contract-templates', '合同.docx', Buffer.from('%PDF-1.7 not word'), {
      businessLineId: line.id,
      name: uniq('伪装'),
    });
    expect(fake.status).toBe(400);
    expect(fake.body.error).toMatchObject({
      code: 'TEMPLATE_NOT_DOCX',
      message: '请上传 Word 文档（.docx）；该文件不是有效的 .docx',
    });
    const pdf = await upload(admin, '/api/v1/contract-templates', '合同.pdf', Buffer.from('%PDF-1.7'), {
      businessLineId: line.id,
      name: uniq('PDF'),
    });
    expect(pdf.body.error.code).toBe('TEMPLATE_NOT_DOCX');
    const broken = await upload(
      englishAdmin,
      '/api/v1/contract-templates',
      'broken.docx',
      docxPackage({ title: 'x', body: [paragraph('{#lines}{description}{/terms}')] }),
      { businessLineId: line.id, name: uniq('坏') },
    );
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('TEMPLATE_BROKEN');
    expect(broken.body.error.message).toBe(
      'The template cannot be read: the loop “lines” is closed by “terms”: opening and closing tags must match',
    );
    const missing = await upload(admin, '/api/v1/contract-templates', 'a.docx', template('x'), {
      name: uniq('缺业务'),
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('VALIDATION_FAILED');
    expect(missing.body.error.details.issues[0].path).toBe('body.businessLineId');
    expect(
      await t.database.db.select().from(contractTemplates).where(eq(contractTemplates.businessLineId, line.id)),
    ).toEqual([]);
  });

  it('is for administrators only; salespeople may list the templates but not change them', async () => {
    const line = await buildBusinessLine(t.database.db);
    const { client: seller } = await signedIn(t, { roleCode: 'salesperson' });
    expect((await createTemplate(seller, line.id, template('x'))).status).toBe(403);
    expect((await seller.get('/api/v1/contract-templates/fields')).status).toBe(403);
    expect((await seller.get('/api/v1/contract-templates')).status).toBe(200);
  });
});

describe('versions and publishing', () => {
  it('publishes a version for new contracts while a contract keeps the version it was made from', async () => {
    const { line, template: created, versionId: v1 } = await lineWithPublishedTemplate('第一版正文');
    expect(created.publishedVersion).toBe(1);
    expect(created.versions[0].publishedAt).not.toBeNull();
    const department = await buildDepartment(t.database.db);
    const { user: owner, client: ownerClient } = await signedIn(t, { departmentId: department.id });

    const second = await upload(
      admin,
      `/api/v1/contract-templates/${created.id}/versions`,
      '第二版.docx',
      template('第二版正文'),
    );
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    // Uploaded, not published: new contracts still get version 1.
    expect(second.body.publishedVersion).toBe(1);
    const lines: [string, string][] = [['年度财务报表审计', '10000.00']];
    const unpinned = await buildContract({
      ownerId: owner.id,
      departmentId: department.id,
      businessLineId: line.id,
      lines,
      terms: [],
    });
    const textOf = async (id: string) =>
      documentText((await download(ownerClient, `/api/v1/contracts/${id}/document`)).raw);
    expect(await textOf(unpinned.contract.id)).toContain('第一版正文');

    const published = await admin.post(`/api/v1/contract-templates/${created.id}/versions/2/publish`);
    expect(published.status).toBe(200);
    expect(published.body.publishedVersion).toBe(2);
    const pinned = await buildContract({
      ownerId: owner.id,
      departmentId: department.id,
      businessLineId: line.id,
      templateVersionId: v1,
      lines,
      terms: [],
    });
    expect(await textOf(pinned.contract.id)).toContain('第一版正文');
    expect(await textOf(unpinned.contract.id)).toContain('第二版正文');
    const counted = await admin.get(`/api/v1/contract-templates/${created.id}`);
    expect(counted.body.versions.find((v: { version: number }) => v.version === 1).contractCount).toBe(1);

    // Publishing an earlier version again is how a mistake is undone.
    expect(
      (await admin.post(`/api/v1/contract-templates/${created.id}/versions/1/publish`)).body.publishedVersion,
    ).toBe(1);
    expect((await admin.post(`/api/v1/contract-templates/${created.id}/versions/9/publish`)).status).toBe(404);
    const actions = await t.database.db
      .select({ action: auditLogs.action, after: auditLogs.after })
      .from(auditLogs)
      .where(and(eq(auditLogs.entityType, 'contract-template'), eq(auditLogs.entityId, created.id)))
      .orderBy(auditLogs.at, auditLogs.id);
    expect(actions.map((a) => a.action)).toEqual(['create', 'publish', 'update', 'publish', 'publish']);

    // Deactivated: no new contract is made from it; one that keeps its version still renders.
    const off = await admin.post(`/api/v1/contract-templates/${created.id}/deactivate`);
    expect(off.body.active).toBe(false);
    const none = await download(ownerClient, `/api/v1/contracts/${unpinned.contract.id}/document`);
    expect(none.status).toBe(409);
    expect(none.json().error).toMatchObject({ code: 'TEMPLATE_NOT_PUBLISHED', message: '该合同模板尚无已发布的版本' });
    expect(await textOf(pinned.contract.id)).toContain('第一版正文');
    expect((await admin.post(`/api/v1/contract-templates/${created.id}/activate`)).body.active).toBe(true);
  });

  it('lists the fields with labels in both languages and sample values, and previews a version filled with the sample', async () => {
    const fields = await admin.get('/api/v1/contract-templates/fields');
    expect(fields.status).toBe(200);
    expect(fields.body.find((f: { name: string }) => f.name === 'customerName')).toEqual({
      name: 'customerName',
      labelZh: '客户名称（委托方）',
      labelEn: 'Customer (the client)',
      sample: '西安华达科技有限公司',
    });
    const terms = fields.body.find((f: { name: string }) => f.name === 'terms');
    expect(terms.fields.map((f: { name: string }) => f.name)).toEqual([
      'position',
      'kind',
      'amount',
      'amountCapitals',
      'percent',
      'trigger',
      'dueOn',
      'note',
    ]);
    expect(terms.fields[1]).toMatchObject({ labelZh: '款项（首付款 / 进度款 / 尾款）', sample: '首付款' });

    const line = await buildBusinessLine(t.database.db);
    const created = await createTemplate(admin, line.id, auditEngagementLetter(), '审计业务约定书');
    const preview = await download(admin, `/api/v1/contract-templates/${created.body.id}/versions/1/preview`);
    expect(preview.status).toBe(200);
    expect(preview.headers['content-type']).toBe(DOCX);
    expect(preview.headers['content-disposition']).toBe(
      `attachment; filename*=UTF-8''${encodeURIComponent('审计业务约定书（第1版）示例.docx')}`,
    );
    const text = documentText(preview.raw);
    expect(text).toContain('西安华达科技有限公司');
    expect(text).toContain('人民币120,000.00元（大写：人民币壹拾贰万元整）');
  });
});

describe('the contract document', () => {
  it('fills in the customer, the lines, the amount in capitals and the terms; the number once signed, stored with its hash', async () => {
    const { line, marker } = await lineWithPublishedTemplate();
    const department = await buildDepartment(t.database.db);
    const { user: owner, client: ownerClient } = await signedIn(t, { departmentId: department.id });
    const { contract, customer } = await buildContract({
      ownerId: owner.id,
      departmentId: department.id,
      businessLineId: line.id,
      lines: [
        ['2025年度财务报表审计', '100000.00'],
        ['高新技术企业专项审计', '23456.78'],
      ],
      terms: [
        { kind: 'down-payment', amount: '61728.39', percent: '50.0000', trigger: 'signing' },
        { kind: 'final', amount: '61728.39', percent: '50.0000', trigger: 'days-after-completion', days: 15 },
      ],
    });
    const draft = await download(ownerClient, `/api/v1/contracts/${contract.id}/document`);
    expect(draft.status).toBe(200);
    expect(draft.headers['content-type']).toBe(DOCX);
    const text = documentText(draft.raw);
    expect(text).toContain(marker);
    expect(text).toContain('编号：（签订时生成）');
    expect(text).toContain(`甲方：${customer.name}（${customer.creditCode}）`);
    expect(text).toContain('2025年度财务报表审计\n\t100,000.00');
    expect(text).toContain('高新技术企业专项审计\n\t23,456.78');
    // 100,000.00 + 23,456.78 = 123,456.78
    expect(text).toContain('合同金额：人民币123,456.78元（大写：人民币壹拾贰万叁仟肆佰伍拾陆元柒角捌分）');
    expect(text).toContain(
      '首付款：61,728.39，合同签订时，签订后确定；尾款：61,728.39，业务完成（结项）后15日内，结项后确定；',
    );

    // Signing (the contracts service's transaction): number and date written, then the document stored.
    const number = uniq('SJ-2026');
    const actor = (await loadActor(t.database.db, owner.id))!;
    const stored = await inTransaction(
      { db: t.database.db, actor, requestId: 'test', jobs: t.app.jobs },
      async (tx) => {
        await tx.db
          .update(contracts)
          .set({ number, signedOn: '2026-03-05', status: 'signed' })
          .where(eq(contracts.id, contract.id));
        const document = await storeContractDocument(tx, contract.id);
        await tx.db
          .update(contracts)
          .set({ documentFileId: document.fileId, documentSha256: document.sha256 })
          .where(eq(contracts.id, contract.id));
        return document;
      },
    );
    // A later template change does not touch the signed document.
    await upload(
      admin,
      `/api/v1/contract-templates/${(await t.database.db.select().from(contractTemplates).where(eq(contractTemplates.businessLineId, line.id)))[0].id}/versions`,
      'v2.docx',
      template('改版后'),
    );
    const signed = await download(ownerClient, `/api/v1/contracts/${contract.id}/document`);
    expect(signed.status).toBe(200);
    expect(createHash('sha256').update(signed.raw).digest('hex')).toBe(stored.sha256);
    expect(signed.headers['content-disposition']).toBe(
      `attachment; filename*=UTF-8''${encodeURIComponent(`${number} ${contract.title}.docx`)}`,
    );
    const signedText = documentText(signed.raw);
    expect(signedText).toContain(`编号：${number}`);
    expect(signedText).toContain('人民币壹拾贰万叁仟肆佰伍拾陆元柒角捌分');
    expect(signedText).toContain('首付款：61,728.39，合同签订时');
    const [file] = await t.database.db.select().from(files).where(eq(files.id, stored.fileId));
    expect(file).toMatchObject({ ownerType: 'contract', ownerId: contract.id, sha256: stored.sha256 });
  });

  it('is stored with its hash when the contract is signed, from the version the contract was made from', async () => {
    const { line, template: created, marker } = await lineWithPublishedTemplate();
    const prefix = `T${randomBytes(3).toString('hex').toUpperCase()}`;
    const series = await admin.post('/api/v1/number-series', {
      kind: 'contract',
      businessLineId: line.id,
      name: '审计合同',
      pattern: `${prefix}-{yyyy}-{seq:4}`,
    });
    expect(series.status, JSON.stringify(series.body)).toBe(201);
    const seller = await signedIn(t);
    const opportunity = await buildOpportunity(t, { ownerId: seller.user.id, businessLineId: line.id });
    const quote = await seller.client.post(`/api/v1/opportunities/${opportunity.id}/quotes`, {
      items: [{ description: '年度财务报表审计', quantity: '1', unitPrice: '20000.50' }],
    });
    await seller.client.patch(`/api/v1/opportunities/${opportunity.id}/quotes/${quote.body.id}`, {
      status: 'accepted',
    });
    const [won] = await t.database.db
      .select()
      .from(pipelineStages)
      .where(and(isNull(pipelineStages.businessLineId), eq(pipelineStages.kind, 'won')));
    await t.database.db
      .update(opportunities)
      .set({ status: 'won', stageId: won.id, closedAt: new Date() })
      .where(eq(opportunities.id, opportunity.id));
    const contract = await seller.client.post('/api/v1/contracts', { opportunityId: opportunity.id });
    expect(contract.status, JSON.stringify(contract.body)).toBe(201);
    expect(contract.body.templateVersionId).toBe(created.versions[0].id);
    // A new version published after the contract was made does not change its document.
    await upload(admin, `/api/v1/contract-templates/${created.id}/versions`, 'v2.docx', template('第二版'));
    await admin.post(`/api/v1/contract-templates/${created.id}/versions/2/publish`);
    // No approval flow applies to this line: submitting approves it.
    expect((await seller.client.post(`/api/v1/contracts/${contract.body.id}/submit`)).status).toBe(200);
    const signed = await seller.client.post(`/api/v1/contracts/${contract.body.id}/sign`, {
      terms: [
        { kind: 'down-payment', percent: '50', trigger: 'signing' },
        { kind: 'final', percent: '50', trigger: 'completion' },
      ],
    });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect(signed.body.number).toMatch(new RegExp(`^${prefix}-\\d{4}-0001$`));
    expect(signed.body.documentSha256).toMatch(/^[0-9a-f]{64}$/);
    const document = await download(seller.client, `/api/v1/contracts/${contract.body.id}/document`);
    expect(document.status).toBe(200);
    expect(createHash('sha256').update(document.raw).digest('hex')).toBe(signed.body.documentSha256);
    const text = documentText(document.raw);
    expect(text).toContain(marker);
    expect(text).not.toContain('第二版');
    expect(text).toContain(`编号：${signed.body.number}`);
    // 20,000.50 in capitals; the two halves 10,000.25 each, the down payment due on the signing day.
    expect(text).toContain('合同金额：人民币20,000.50元（大写：人民币贰万元零伍角整）');
    expect(text).toContain('首付款：10,000.25，合同签订时，');
    expect(text).toContain('尾款：10,000.25，业务完成（结项）时，结项后确定；');
  });

  it('answers 404 to whoever may not see the contract, as for a contract that does not exist', async () => {
    const { line } = await lineWithPublishedTemplate();
    const department = await buildDepartment(t.database.db);
    const { user: owner } = await signedIn(t, { departmentId: department.id });
    const { contract } = await buildContract({
      ownerId: owner.id,
      departmentId: department.id,
      businessLineId: line.id,
      lines: [['年报审计', '5000.00']],
      terms: [],
    });
    const { client: colleague } = await signedIn(t, { departmentId: department.id });
    const { client: otherManager } = await signedIn(t, { roleCode: 'manager' });
    const { client: manager } = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
    const { client: finance } = await signedIn(t, { roleCode: 'finance' });
    const unknown = await download(colleague, `/api/v1/contracts/${randomUUID()}/document`);
    expect(unknown.status).toBe(404);
    for (const stranger of [colleague, otherManager]) {
      const res = await download(stranger, `/api/v1/contracts/${contract.id}/document`);
      expect(res.status).toBe(404);
      expect(res.json()).toEqual(unknown.json());
    }
    for (const reader of [manager, finance])
      expect((await download(reader, `/api/v1/contracts/${contract.id}/document`)).status).toBe(200);
    // A line without a published template: the reader is told so.
    const bare = await buildBusinessLine(t.database.db);
    const { contract: other } = await buildContract({
      ownerId: owner.id,
      departmentId: department.id,
      businessLineId: bare.id,
      lines: [['年报审计', '5000.00']],
      terms: [],
    });
    const res = await download(manager, `/api/v1/contracts/${other.id}/document`);
    expect(res.status).toBe(409);
    expect(res.json().error.code).toBe('TEMPLATE_NOT_PUBLISHED');
  });
});
