import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../context';
import { searchTextOf } from '../../lib/search-text';
import { buildBranch, buildBusinessLine, buildOpportunity, buildUser, signedIn } from '../../test/factories';
import { createTestApp, uniq, type TestApp } from '../../test/harness';
import { auditLogs } from '../audit/audit.tables';
import {
  contractLines,
  contractMembers,
  contracts,
  contractTemplates,
  contractTemplateVersions,
  orderLines,
  paymentTerms,
} from '../contracts/contracts.tables';
import { contacts, customers } from '../customers/customers.tables';
import { files } from '../files/files.tables';
import { knowledgeArticles } from '../knowledge/knowledge.tables';
import { opportunities } from '../opportunities/opportunities.tables';
import { buildContract, buildOrder } from '../receivables/fixtures';
import { raiseInactiveSuggestions } from '../suggestions/suggestions.service';
import { addMonths } from './documents.service';
import { renewals } from './renewals.tables';

/*
 * Reminders that produce the document (issue 19, item 4) and the recurring marks they follow: a contract or order
 * marked recurring (PATCH …/recurring), a renewal's engagement letter 业务约定书 copied from last period, and the
 * inactive-customer follow-up redrafted from a knowledge template.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const db = () => t.database.db;

/** A published template version of the line (a stand-in file: the copy only points at it). */
async function publishedVersion(businessLineId: string, templateId?: string, version = 1) {
  const [file] = await db()
    .insert(files)
    .values({
      ownerType: 'contract-template',
      ownerId: businessLineId,
      filename: 'letter.docx',
      contentType: 'application/octet-stream',
      size: 1,
      sha256: 'x',
      content: Buffer.from('x'),
    })
    .returning({ id: files.id });
  let id = templateId;
  if (!id)
    [{ id }] = await db()
      .insert(contractTemplates)
      .values({ businessLineId, name: uniq('审计业务约定书模板') })
      .returning({ id: contractTemplates.id });
  const [v] = await db()
    .insert(contractTemplateVersions)
    .values({ templateId: id!, version, fileId: file.id, publishedAt: new Date() })
    .returning({ id: contractTemplateVersions.id });
  await db().update(contractTemplates).set({ publishedVersion: version }).where(eq(contractTemplates.id, id!));
  return { templateId: id!, versionId: v.id };
}

/** A raised renewal of `ownerId`'s, its opportunity (origin renewal) on the customer. */
async function raisedRenewal(input: {
  ownerId: string;
  customerId: string;
  businessLineId: string;
  source: 'contract' | 'order' | 'service';
  sourceId: string;
  cycle: 'annual' | 'quarterly' | 'monthly';
  previousContractId?: string;
  previousOrderId?: string;
  previousAmount: string;
  contactId?: string | null;
}) {
  const opportunity = await buildOpportunity(t, {
    ownerId: input.ownerId,
    customerId: input.customerId,
    businessLineId: input.businessLineId,
    contactId: input.contactId ?? null,
    name: uniq('续约商机'),
  });
  const [renewal] = await db()
    .insert(renewals)
    .values({
      source: input.source,
      sourceId: input.sourceId,
      dueOn: '2026-12-31',
      cycle: input.cycle,
      customerId: input.customerId,
      businessLineId: input.businessLineId,
      previousContractId: input.previousContractId ?? null,
      previousOrderId: input.previousOrderId ?? null,
      previousAmount: input.previousAmount,
      ownerId: input.ownerId,
      status: 'raised',
      opportunityId: opportunity.id,
    })
    .returning({ id: renewals.id });
  await db()
    .update(opportunities)
    .set({ originKind: 'renewal', originId: renewal.id })
    .where(eq(opportunities.id, opportunity.id));
  return { renewalId: renewal.id, opportunityId: opportunity.id };
}

describe('recurring marks', () => {
  it('marks a contract and an order without a contract recurring, audited; refuses voided, an order of a contract and a bad cycle', async () => {
    const seller = await signedIn(t);
    const other = await signedIn(t);
    const contract = await buildContract(db(), [{ amount: '1000.00', due: null }], { ownerId: seller.user.id });
    const res = await seller.client.patch(`/api/v1/contracts/${contract.id}/recurring`, { recurringCycle: 'annual' });
    expect(res.status).toBe(200);
    expect(res.body.recurringCycle).toBe('annual');
    const audits = await db().select().from(auditLogs).where(eq(auditLogs.entityId, contract.id));
    expect(audits.map((a) => a.after)).toContainEqual({ recurringCycle: 'annual' });
    // Unmarked again.
    expect(
      (await seller.client.patch(`/api/v1/contracts/${contract.id}/recurring`, { recurringCycle: null })).body
        .recurringCycle,
    ).toBeNull();
    // A bad cycle: nothing changed.
    const bad = await seller.client.patch(`/api/v1/contracts/${contract.id}/recurring`, { recurringCycle: 'weekly' });
    expect([bad.status, bad.body.error?.code], JSON.stringify(bad.body)).toEqual([400, 'VALIDATION_FAILED']);
    // Another salesperson's: as if it did not exist.
    const hidden = await other.client.patch(`/api/v1/contracts/${contract.id}/recurring`, { recurringCycle: 'annual' });
    expect(hidden.status).toBe(404);
    // Voided: refused.
    const voided = await buildContract(db(), [{ amount: '10.00', due: null }], {
      ownerId: seller.user.id,
      status: 'voided',
    });
    const refused = await seller.client.patch(`/api/v1/contracts/${voided.id}/recurring`, {
      recurringCycle: 'monthly',
    });
    expect([refused.status, refused.body.error?.code]).toEqual([409, 'CONTRACT_STATUS_INVALID']);

    const order = await buildOrder(db(), [{ amount: '500.00', due: null }], { ownerId: seller.user.id });
    const marked = await seller.client.patch(`/api/v1/orders/${order.id}/recurring`, { recurringCycle: 'monthly' });
    expect([marked.status, marked.body.recurringCycle]).toEqual([200, 'monthly']);
    const ofContract = await buildOrder(db(), [{ amount: '1000.00', due: null }], {
      ownerId: seller.user.id,
      customerId: contract.customerId,
      contractId: contract.id,
    });
    const withContract = await seller.client.patch(`/api/v1/orders/${ofContract.id}/recurring`, {
      recurringCycle: 'annual',
    });
    expect([withContract.status, withContract.body.error?.code]).toEqual([409, 'ORDER_RECURS_WITH_CONTRACT']);
  });
});

describe('the engagement letter of a renewal', () => {
  it('moves dates one cycle on, a month’s last day staying its last', () => {
    expect(addMonths('2026-01-01', 12)).toBe('2027-01-01');
    expect(addMonths('2026-02-28', 12)).toBe('2027-02-28');
    expect(addMonths('2026-06-30', 3)).toBe('2026-09-30');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-12-15', 1)).toBe('2027-01-15');
  });

  it('copies the previous contract into one draft, linked to the renewal; again: the same one; others: 404', async () => {
    const line = await buildBusinessLine(db());
    const seller = await signedIn(t);
    const member = await buildUser(db());
    const signatory = await buildUser(db());
    const branch = await buildBranch(db());
    // Last year's signed contract: ¥36,000.00 in two lines, terms 30 % and the rest as an amount.
    const previous = await buildContract(
      db(),
      [
        { amount: '10800.00', due: null, kind: 'down-payment', trigger: 'signing' },
        { amount: '25200.00', due: null, kind: 'final', trigger: 'completion' },
      ],
      { ownerId: seller.user.id, businessLineId: line.id, branchId: branch.id },
    );
    await db().update(paymentTerms).set({ percent: '30.0000' }).where(eq(paymentTerms.id, previous.terms[0].id));
    const [contact] = await db()
      .insert(contacts)
      .values({ customerId: previous.customerId, name: '李财务', searchText: '李财务' })
      .returning({ id: contacts.id });
    const oldTemplate = await publishedVersion(line.id);
    const newer = await publishedVersion(line.id, oldTemplate.templateId, 2);
    await db()
      .update(contracts)
      .set({
        contactId: contact.id,
        signatoryId: signatory.id,
        templateVersionId: oldTemplate.versionId,
        startOn: '2026-01-01',
        endOn: '2026-12-31',
        recurringCycle: 'annual',
      })
      .where(eq(contracts.id, previous.id));
    await db()
      .insert(contractLines)
      .values([
        { contractId: previous.id, position: 1, description: '2025 年度财务报表审计', amount: '30000.00' },
        { contractId: previous.id, position: 2, description: '专项审计', amount: '6000.00' },
      ]);
    await db().insert(contractMembers).values({ contractId: previous.id, userId: member.id });
    const { renewalId, opportunityId } = await raisedRenewal({
      ownerId: seller.user.id,
      customerId: previous.customerId,
      businessLineId: line.id,
      source: 'contract',
      sourceId: previous.id,
      cycle: 'annual',
      previousContractId: previous.id,
      previousAmount: '36000.00',
    });

    const made = await seller.client.post(`/api/v1/renewals/${renewalId}/engagement-letter`);
    expect(made.status).toBe(200);
    const letter = (await seller.client.get(`/api/v1/contracts/${made.body.contractId}`)).body;
    expect(letter).toMatchObject({
      status: 'draft',
      title: `${previous.title} 续约`,
      customerId: previous.customerId,
      contactId: contact.id,
      businessLineId: line.id,
      branchId: branch.id,
      signatoryId: signatory.id,
      opportunityId,
      ownerId: seller.user.id,
      amount: '36000.00',
      startOn: '2027-01-01',
      endOn: '2027-12-31',
      recurringCycle: 'annual',
    });
    expect(letter.lines.map((l: { description: string; amount: string }) => [l.description, l.amount])).toEqual([
      ['2025 年度财务报表审计', '30000.00'],
      ['专项审计', '6000.00'],
    ]);
    // 30 % given; 25,200 of 36,000 is the remaining 70 %.
    expect(
      letter.terms.map((p: { kind: string; percent: string; amount: string; trigger: string }) => [
        p.kind,
        p.percent,
        p.amount,
        p.trigger,
      ]),
    ).toEqual([
      ['down-payment', '30', '10800.00', 'signing'],
      ['final', '70', '25200.00', 'completion'],
    ]);
    expect(letter.memberIds).toEqual([member.id]);
    const [stored] = await db()
      .select({ v: contracts.templateVersionId })
      .from(contracts)
      .where(eq(contracts.id, letter.id));
    expect(stored.v).toBe(newer.versionId);
    const [renewal] = await db().select().from(renewals).where(eq(renewals.id, renewalId));
    expect(renewal.letterContractId).toBe(letter.id);

    // Again: the same contract, no second one.
    const again = await seller.client.post(`/api/v1/renewals/${renewalId}/engagement-letter`);
    expect(again.body.contractId).toBe(letter.id);
    const onOpportunity = await db()
      .select({ id: contracts.id })
      .from(contracts)
      .where(eq(contracts.opportunityId, opportunityId));
    expect(onOpportunity).toHaveLength(1);

    // Another salesperson's renewal: as if it did not exist.
    const other = await signedIn(t);
    const hidden = await other.client.post(`/api/v1/renewals/${renewalId}/engagement-letter`);
    const unknown = await other.client.post(`/api/v1/renewals/${crypto.randomUUID()}/engagement-letter`);
    expect([hidden.status, hidden.body.error?.code]).toEqual([404, unknown.body.error?.code]);
  });

  it('without a previous contract: a draft from the previous order’s lines, the renewal’s cycle, no terms', async () => {
    const line = await buildBusinessLine(db());
    const seller = await signedIn(t);
    const order = await buildOrder(db(), [{ amount: '4500.00', due: null }], { ownerId: seller.user.id });
    await db()
      .insert(orderLines)
      .values([
        { orderId: order.id, position: 1, businessLineId: line.id, description: '代理记账 一季度', amount: '3000.00' },
        { orderId: order.id, position: 2, businessLineId: line.id, description: '纳税申报', amount: '1500.00' },
      ]);
    const { renewalId, opportunityId } = await raisedRenewal({
      ownerId: seller.user.id,
      customerId: order.customerId,
      businessLineId: line.id,
      source: 'order',
      sourceId: order.id,
      cycle: 'quarterly',
      previousOrderId: order.id,
      previousAmount: '4500.00',
    });
    const made = await seller.client.post(`/api/v1/renewals/${renewalId}/engagement-letter`);
    expect(made.status).toBe(200);
    const letter = (await seller.client.get(`/api/v1/contracts/${made.body.contractId}`)).body;
    const [customer] = await db()
      .select({ name: customers.name })
      .from(customers)
      .where(eq(customers.id, order.customerId));
    expect(letter).toMatchObject({
      status: 'draft',
      title: `${customer.name} ${line.name} 续约`,
      opportunityId,
      amount: '4500.00',
      recurringCycle: 'quarterly',
      startOn: null,
      endOn: null,
      terms: [],
    });
    expect(letter.lines.map((l: { description: string }) => l.description)).toEqual(['代理记账 一季度', '纳税申报']);
  });
});

describe('the follow-up redrafted from a knowledge template', () => {
  it('fills the placeholders, counts the use; an article one cannot read is 404', async () => {
    const seller = await signedIn(t);
    const name = uniq('西安宏远建设有限公司');
    const [customer] = await db()
      .insert(customers)
      .values({
        name,
        ownerId: seller.user.id,
        searchText: searchTextOf([name]),
        createdAt: new Date(Date.now() - 400 * 86_400_000),
      })
      .returning({ id: customers.id });
    await db()
      .insert(contacts)
      .values({
        customerId: customer.id,
        name: '王会计',
        emails: ['wang@example.cn'],
        isPrimary: true,
        searchText: '王会计',
      });
    await inTransaction({ db: db(), jobs: t.app.jobs }, (tx) =>
      raiseInactiveSuggestions(tx, { customerIds: [customer.id] }),
    );
    const [suggestion] = (await seller.client.get('/api/v1/suggestions')).body.items.filter(
      (s: { customerId: string }) => s.customerId === customer.id,
    );
    const template = (
      await seller.client.post('/api/v1/knowledge/templates', {
        title: '{客户名称}年度回访',
        templateUse: 'email',
        body: '{联系人}您好：我是{我的姓名}，{今天}致电未遇。{未知}',
      })
    ).body;
    const redrafted = await seller.client.post(`/api/v1/suggestions/${suggestion.id}/redraft`, {
      articleId: template.id,
    });
    expect(redrafted.status).toBe(200);
    const todayText = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    expect(redrafted.body.subject).toBe(`${name}年度回访`);
    expect(redrafted.body.body).toBe(`王会计您好：我是${seller.user.displayName}，${todayText}致电未遇。{未知}`);
    const [counted] = await db()
      .select({ n: knowledgeArticles.useCount })
      .from(knowledgeArticles)
      .where(eq(knowledgeArticles.id, template.id));
    expect(counted.n).toBe(1);

    // Another department's template, readable by that department only: as if it did not exist; nothing changed.
    const other = await signedIn(t);
    const hidden = (
      await other.client.post('/api/v1/knowledge', {
        kind: 'template',
        title: '部门内部模板',
        body: '内部',
        visibility: 'department',
        departmentId: other.user.departmentId,
      })
    ).body;
    expect(hidden, JSON.stringify(hidden)).toHaveProperty('id');
    const refused = await seller.client.post(`/api/v1/suggestions/${suggestion.id}/redraft`, { articleId: hidden.id });
    expect(refused.status).toBe(404);
    const [kept] = await db()
      .select({ n: knowledgeArticles.useCount })
      .from(knowledgeArticles)
      .where(eq(knowledgeArticles.id, hidden.id));
    expect(kept.n).toBe(0);
    const after = (await seller.client.get('/api/v1/suggestions')).body.items.find(
      (s: { id: string }) => s.id === suggestion.id,
    );
    expect(after.subject).toBe(`${name}年度回访`);
  });
});
