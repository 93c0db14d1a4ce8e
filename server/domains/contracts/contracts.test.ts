import { randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildDepartment, buildOpportunity, signedIn } from '../../test/factories';
import { createTestApp, type Client, type TestApp } from '../../test/harness';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { auditLogs } from '../audit/audit.tables';
import { notifications } from '../notifications/notifications.tables';
import { issuedNumbers } from '../numbering/numbering.tables';
import { opportunities, pipelineStages } from '../opportunities/opportunities.tables';
import { contracts, paymentTerms } from './contracts.tables';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

const today = () => localDate(new Date(), FIRM_TIME_ZONE);
const year = () => today().slice(0, 4);
type Seller = Awaited<ReturnType<typeof signedIn>>;

/** A business line with its own contract and order series (patterns unique to this test run). */
async function lineWithSeries() {
  const line = await buildBusinessLine(t.database.db);
  const prefix = `T${randomBytes(3).toString('hex').toUpperCase()}`;
  const contract = await admin.post('/api/v1/number-series', {
    kind: 'contract',
    businessLineId: line.id,
    name: '审计合同',
    pattern: `${prefix}-{yyyy}-{seq:4}`,
  });
  expect(contract.status, JSON.stringify(contract.body)).toBe(201);
  const order = await admin.post('/api/v1/number-series', {
    kind: 'order',
    businessLineId: line.id,
    name: '审计订单',
    pattern: `${prefix}-DD{yy}{seq:3}`,
  });
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  return { line, prefix, contractSeriesId: contract.body.id as string, orderSeriesId: order.body.id as string };
}

/** A won opportunity of the seller with an accepted quote of two lines (12,000.00 + 8,000.50). */
async function wonOpportunity(seller: Seller, businessLineId: string) {
  const opportunity = await buildOpportunity(t, { ownerId: seller.user.id, businessLineId });
  const quote = await seller.client.post(`/api/v1/opportunities/${opportunity.id}/quotes`, {
    items: [
      { description: '年度财务报表审计', quantity: '1', unitPrice: '12000' },
      { description: '专项审计', quantity: '1', unitPrice: '8000.50' },
    ],
  });
  expect(quote.status, JSON.stringify(quote.body)).toBe(201);
  const accepted = await seller.client.patch(`/api/v1/opportunities/${opportunity.id}/quotes/${quote.body.id}`, {
    status: 'accepted',
  });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  const [won] = await t.database.db
    .select()
    .from(pipelineStages)
    .where(and(isNull(pipelineStages.businessLineId), eq(pipelineStages.kind, 'won')));
  await t.database.db
    .update(opportunities)
    .set({ status: 'won', stageId: won.id, closedAt: new Date() })
    .where(eq(opportunities.id, opportunity.id));
  return opportunity;
}

const HALF_AND_HALF = [
  { kind: 'down-payment', percent: '50', trigger: 'signing' },
  { kind: 'final', percent: '50', trigger: 'completion' },
];

async function approvedContract(seller: Seller, businessLineId: string) {
  const opportunity = await wonOpportunity(seller, businessLineId);
  const created = await seller.client.post('/api/v1/contracts', { opportunityId: opportunity.id });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const submitted = await seller.client.post(`/api/v1/contracts/${created.body.id}/submit`);
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
  return submitted.body;
}

describe('contracts from won opportunities', () => {
  it('takes customer, lines and team from the opportunity, signs with a number and dates the terms', async () => {
    const { line, prefix } = await lineWithSeries();
    const seller = await signedIn(t);
    const opportunity = await wonOpportunity(seller, line.id);

    const created = await seller.client.post('/api/v1/contracts', { opportunityId: opportunity.id });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const contract = created.body;
    expect(contract).toMatchObject({
      status: 'draft',
      number: null,
      customerId: opportunity.customerId,
      opportunityId: opportunity.id,
      businessLineId: line.id,
      ownerId: seller.user.id,
      amount: '20000.50',
      outstanding: '0.00',
    });
    expect(contract.lines.map((l: { description: string; amount: string }) => [l.description, l.amount])).toEqual([
      ['年度财务报表审计', '12000.00'],
      ['专项审计', '8000.50'],
    ]);

    // Not approved yet: it cannot be signed.
    const early = await seller.client.post(`/api/v1/contracts/${contract.id}/sign`, { terms: HALF_AND_HALF });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('CONTRACT_APPROVAL_REQUIRED');

    // No contract flow applies to this line: submitting approves it.
    const submitted = await seller.client.post(`/api/v1/contracts/${contract.id}/submit`);
    expect(submitted.body).toMatchObject({ status: 'approved', can: { sign: true, edit: false } });

    // Terms that do not add up: refused, nothing written, no number taken.
    const wrong = await seller.client.post(`/api/v1/contracts/${contract.id}/sign`, {
      terms: [
        { kind: 'down-payment', amount: '10000', trigger: 'signing' },
        { kind: 'final', amount: '10000', trigger: 'completion' },
      ],
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({
      code: 'CONTRACT_TERMS_MISMATCH',
      details: { total: '20000.00', amount: '20000.50' },
    });
    expect(wrong.body.error.message).toContain('20000.50');
    const untouched = await t.database.db.select().from(contracts).where(eq(contracts.id, contract.id));
    expect(untouched[0]).toMatchObject({ status: 'approved', number: null });

    const signed = await seller.client.post(`/api/v1/contracts/${contract.id}/sign`, { terms: HALF_AND_HALF });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect(signed.body).toMatchObject({ status: 'signed', number: `${prefix}-${year()}-0001`, signedOn: today() });
    // 50 % of 20,000.50 is 10,000.25 each; the first is due on signing, the final one when the work completes.
    expect(
      signed.body.terms.map((term: Record<string, unknown>) => [term.kind, term.amount, term.percent, term.dueOn]),
    ).toEqual([
      ['down-payment', '10000.25', '50', today()],
      ['final', '10000.25', '50', null],
    ]);
    expect(signed.body.outstanding).toBe('20000.50');

    const again = await seller.client.post(`/api/v1/contracts/${contract.id}/sign`, { terms: HALF_AND_HALF });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONTRACT_ALREADY_SIGNED');
    expect(again.body.error.message).toContain(`${prefix}-${year()}-0001`);

    const audit = await t.database.db
      .select({ action: auditLogs.action })
      .from(auditLogs)
      .where(eq(auditLogs.entityId, contract.id));
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['create', 'submit', 'sign']));
  });

  it('refuses an opportunity that is not won, and bad terms field by field', async () => {
    const { line } = await lineWithSeries();
    const seller = await signedIn(t);
    const open = await buildOpportunity(t, { ownerId: seller.user.id, businessLineId: line.id });
    const notWon = await seller.client.post('/api/v1/contracts', { opportunityId: open.id });
    expect(notWon.status).toBe(409);
    expect(notWon.body.error.code).toBe('OPPORTUNITY_NOT_WON');

    const won = await wonOpportunity(seller, line.id);
    const bad = await seller.client.post('/api/v1/contracts', {
      opportunityId: won.id,
      terms: [
        { kind: 'down-payment', amount: '100', percent: '10', trigger: 'signing' },
        { kind: 'progress', amount: '100', trigger: 'date' },
        { kind: 'final', amount: '100', trigger: 'days-after-completion' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual([
      'terms.0.amount',
      'terms.1.triggerDate',
      'terms.2.triggerDays',
    ]);
    const none = await t.database.db.select().from(contracts).where(eq(contracts.opportunityId, won.id));
    expect(none).toEqual([]);
  });

  it('splits percentages exactly: three thirds of 100.00 are 33.33, 33.33 and 33.34', async () => {
    const { line } = await lineWithSeries();
    const seller = await signedIn(t);
    const customer = (await buildOpportunity(t, { ownerId: seller.user.id, businessLineId: line.id })).customerId;
    const created = await seller.client.post('/api/v1/contracts', {
      customerId: customer,
      businessLineId: line.id,
      lines: [{ description: '代理记账', amount: '100' }],
      terms: [
        { kind: 'down-payment', percent: '33.3333', trigger: 'signing' },
        { kind: 'progress', percent: '33.3333', trigger: 'days-after-signing', triggerDays: 30 },
        { kind: 'final', percent: '33.3334', trigger: 'date', triggerDate: '2027-03-31' },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.terms.map((term: { amount: string }) => term.amount)).toEqual(['33.33', '33.33', '33.34']);
  });

  it('is locked while in approval, approved by the department manager, and back to a draft when returned', async () => {
    const { line } = await lineWithSeries();
    const department = await buildDepartment(t.database.db);
    const seller = await signedIn(t, { departmentId: department.id });
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
    const fallback = await signedIn(t, { roleCode: 'executive', departmentId: null });
    const flow = await admin.post('/api/v1/workflows', {
      subjectKind: 'contract',
      nameZh: '合同审批',
      nameEn: 'Contract approval',
      conditions: [{ field: 'businessLineId', op: 'eq', value: line.id }],
      steps: [
        {
          nameZh: '部门经理',
          nameEn: 'Department manager',
          assignee: { kind: 'role-in-department', roleCode: 'manager' },
          mode: 'any',
        },
      ],
      fallbackUserId: fallback.user.id,
    });
    expect(flow.status, JSON.stringify(flow.body)).toBe(201);
    const contract = await approvedContract(seller, line.id);
    expect(contract.status).toBe('in-approval');
    expect(contract.approval.status).toBe('running');

    const edit = await seller.client.patch(`/api/v1/contracts/${contract.id}`, { title: '改名' });
    expect(edit.status).toBe(409);
    expect(edit.body.error.code).toBe('CONTRACT_IN_APPROVAL');

    const returned = await manager.client.post(`/api/v1/workflow-instances/${contract.approval.instanceId}/decide`, {
      action: 'return',
      comment: '请补充付款条件',
    });
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect((await seller.client.get(`/api/v1/contracts/${contract.id}`)).body.status).toBe('draft');
    const fixed = await seller.client.patch(`/api/v1/contracts/${contract.id}`, { terms: HALF_AND_HALF });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    const resubmitted = await seller.client.post(`/api/v1/contracts/${contract.id}/submit`);
    expect(resubmitted.status, JSON.stringify(resubmitted.body)).toBe(200);
    expect(resubmitted.body.status).toBe('in-approval');

    const instanceId = resubmitted.body.approval.instanceId;
    const instance = await manager.client.get(`/api/v1/workflow-instances/${instanceId}`);
    const approved = await manager.client.post(`/api/v1/workflow-instances/${instanceId}/decide`, {
      action: 'approve',
      round: instance.body.round,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const after = await seller.client.get(`/api/v1/contracts/${contract.id}`);
    expect(after.body).toMatchObject({ status: 'approved', can: { sign: true } });
    // The planned terms are used when signing gives none.
    const signed = await seller.client.post(`/api/v1/contracts/${contract.id}/sign`, {});
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect(signed.body.terms).toHaveLength(2);
  });
});

describe('contract numbers', () => {
  it('are consecutive per series, kept by voided contracts, and the register shows every one with no gap', async () => {
    const { line, prefix, contractSeriesId } = await lineWithSeries();
    const seller = await signedIn(t);
    const numbers: string[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const contract = await approvedContract(seller, line.id);
      const signed = await seller.client.post(`/api/v1/contracts/${contract.id}/sign`, { terms: HALF_AND_HALF });
      numbers.push(signed.body.number);
      ids.push(contract.id);
    }
    expect(numbers).toEqual([1, 2, 3].map((n) => `${prefix}-${year()}-000${n}`));

    const voided = await seller.client.post(`/api/v1/contracts/${ids[1]}/void`, { reason: '客户取消委托' });
    expect(voided.body).toMatchObject({ status: 'voided', number: numbers[1], statusReason: '客户取消委托' });

    // A draft that fails to sign takes no number; the next signing gets 0004.
    const next = await approvedContract(seller, line.id);
    const failed = await seller.client.post(`/api/v1/contracts/${next.id}/sign`, {
      terms: [{ kind: 'final', amount: '1', trigger: 'signing' }],
    });
    expect(failed.status).toBe(400);
    const fourth = await seller.client.post(`/api/v1/contracts/${next.id}/sign`, { terms: HALF_AND_HALF });
    expect(fourth.body.number).toBe(`${prefix}-${year()}-0004`);

    const register = await admin.get(`/api/v1/number-series/${contractSeriesId}/register`);
    expect(register.status, JSON.stringify(register.body)).toBe(200);
    expect(register.body).toMatchObject({ period: year(), lastSeq: 4, gaps: [] });
    expect(
      register.body.items.map((i: { seq: number; number: string; status: string }) => [i.seq, i.number, i.status]),
    ).toEqual([
      [1, numbers[0], 'signed'],
      [2, numbers[1], 'voided'],
      [3, numbers[2], 'signed'],
      [4, `${prefix}-${year()}-0004`, 'signed'],
    ]);
    // The register is append-only.
    await expect(
      t.database.db.delete(issuedNumbers).where(eq(issuedNumbers.seriesId, contractSeriesId)),
    ).rejects.toThrow();
  });

  it('refuses patterns that cannot number, or that another series writes already', async () => {
    const line = await buildBusinessLine(t.database.db);
    for (const [pattern, message] of [
      ['SJ-{yyyy}', '流水号'],
      ['SJ-{mm}-{seq:4}', '{mm}'],
      ['SJ-{seq:0}', '1 到 9'],
    ] as const) {
      const res = await admin.post('/api/v1/number-series', {
        kind: 'contract',
        businessLineId: line.id,
        name: 'x',
        pattern,
      });
      expect(res.status, pattern).toBe(400);
      expect(res.body.error.details.issues[0]).toMatchObject({ path: 'pattern' });
      expect(res.body.error.details.issues[0].message).toContain(message);
    }
    const { prefix } = await lineWithSeries();
    const same = await admin.post('/api/v1/number-series', {
      kind: 'contract',
      businessLineId: line.id,
      name: 'x',
      pattern: `${prefix}-{yyyy}-{seq:4}`,
    });
    expect(same.status).toBe(400);
    const salesperson = await signedIn(t);
    const forbidden = await salesperson.client.post('/api/v1/number-series', {
      kind: 'contract',
      businessLineId: line.id,
      name: 'x',
      pattern: 'ZZ{seq:4}',
    });
    expect(forbidden.status).toBe(403);
  });
});

describe('orders', () => {
  it('come from a signed contract, are numbered when confirmed, and completing them makes the final payment due', async () => {
    const { line, prefix } = await lineWithSeries();
    const seller = await signedIn(t);
    const contract = await approvedContract(seller, line.id);
    const early = await seller.client.post('/api/v1/orders', { contractId: contract.id });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('CONTRACT_NOT_SIGNED');
    await seller.client.post(`/api/v1/contracts/${contract.id}/sign`, { terms: HALF_AND_HALF });

    const order = await seller.client.post('/api/v1/orders', { contractId: contract.id });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    expect(order.body).toMatchObject({ status: 'draft', number: null, amount: '20000.50', contractId: contract.id });
    const confirmed = await seller.client.post(`/api/v1/orders/${order.body.id}/confirm`);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', number: `${prefix}-DD${year().slice(2)}001` });
    expect((await seller.client.get(`/api/v1/contracts/${contract.id}`)).body.status).toBe('in-progress');

    const paymentsDue = async () =>
      (
        await t.database.db
          .select({ kind: notifications.kind })
          .from(notifications)
          .where(and(eq(notifications.userId, seller.user.id), eq(notifications.kind, 'payment-due')))
      ).length;
    // Signing reminded of the down payment, due that day.
    expect(await paymentsDue()).toBe(1);
    const completed = await seller.client.post(`/api/v1/orders/${order.body.id}/complete`, {});
    expect(completed.body).toMatchObject({ status: 'completed', completedOn: today() });
    const after = await seller.client.get(`/api/v1/contracts/${contract.id}`);
    expect(after.body).toMatchObject({ status: 'completed', completedOn: today() });
    expect(after.body.terms.map((term: { dueOn: string | null }) => term.dueOn)).toEqual([today(), today()]);
    // Completing the work reminded the owner of the final payment at once.
    expect(await paymentsDue()).toBe(2);
    expect(after.body.orders).toEqual([
      { id: order.body.id, number: `${prefix}-DD${year().slice(2)}001`, status: 'completed' },
    ]);
  });

  it('come from a won opportunity without a contract, with their own terms', async () => {
    const { line } = await lineWithSeries();
    const seller = await signedIn(t);
    const opportunity = await wonOpportunity(seller, line.id);
    const order = await seller.client.post('/api/v1/orders', {
      opportunityId: opportunity.id,
      terms: [{ kind: 'final', amount: '20000.50', trigger: 'days-after-completion', triggerDays: 10 }],
    });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    expect(order.body.lines.map((l: { amount: string }) => l.amount)).toEqual(['12000.00', '8000.50']);
    await seller.client.post(`/api/v1/orders/${order.body.id}/confirm`);
    const completed = await seller.client.post(`/api/v1/orders/${order.body.id}/complete`, {});
    const due = new Date(`${today()}T00:00:00Z`);
    due.setUTCDate(due.getUTCDate() + 10);
    expect(completed.body.terms[0].dueOn).toBe(due.toISOString().slice(0, 10));
  });

  it('take their terms when confirmed (made from a won opportunity with none); one under a contract keeps its contract’s', async () => {
    const { line } = await lineWithSeries();
    const seller = await signedIn(t);
    const order = await seller.client.post('/api/v1/orders', {
      opportunityId: (await wonOpportunity(seller, line.id)).id,
    });
    expect(order.body.terms).toEqual([]);
    const url = `/api/v1/orders/${order.body.id}/confirm`;
    // Without any terms it cannot be confirmed: nothing would ever fall due.
    const bare = await seller.client.post(url);
    expect(bare.status).toBe(400);
    expect(bare.body.error.code).toBe('ORDER_TERMS_REQUIRED');
    // Not adding up to 20,000.50: refused, and the order stays an unnumbered draft.
    const short = await seller.client.post(url, {
      terms: [{ kind: 'down-payment', amount: '20000.00', trigger: 'signing' }],
    });
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('CONTRACT_TERMS_MISMATCH');
    expect((await seller.client.get(`/api/v1/orders/${order.body.id}`)).body).toMatchObject({
      status: 'draft',
      number: null,
    });
    const confirmed = await seller.client.post(url, {
      terms: [
        { kind: 'down-payment', percent: '30', trigger: 'signing' },
        { kind: 'final', amount: '14000.35', trigger: 'completion' },
      ],
    });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    // 30 % of 20,000.50 is 6,000.15; the down payment is due the day the order is confirmed, the rest on completion.
    expect(
      confirmed.body.terms.map((term: { amount: string; dueOn: string | null }) => [term.amount, term.dueOn]),
    ).toEqual([
      ['6000.15', today()],
      ['14000.35', null],
    ]);

    const contract = await approvedContract(seller, line.id);
    await seller.client.post(`/api/v1/contracts/${contract.id}/sign`, { terms: HALF_AND_HALF });
    const underContract = await seller.client.post('/api/v1/orders', { contractId: contract.id });
    const refused = await seller.client.post(`/api/v1/orders/${underContract.body.id}/confirm`, {
      terms: HALF_AND_HALF,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.issues[0]).toMatchObject({ path: 'terms' });
    expect((await seller.client.get(`/api/v1/orders/${underContract.body.id}`)).body.status).toBe('draft');
  });
});

describe('who sees and changes contracts', () => {
  it('the owner and the department see it; another salesperson gets 404; finance reads all but never writes', async () => {
    const { line } = await lineWithSeries();
    const department = await buildDepartment(t.database.db);
    const seller = await signedIn(t, { departmentId: department.id });
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
    const other = await signedIn(t);
    const finance = await signedIn(t, { roleCode: 'finance' });
    const contract = await approvedContract(seller, line.id);
    const url = `/api/v1/contracts/${contract.id}`;

    expect((await manager.client.get(url)).status).toBe(200);
    expect((await finance.client.get(url)).status).toBe(200);
    expect((await other.client.get(url)).status).toBe(404);
    expect((await other.client.post(`${url}/sign`, { terms: HALF_AND_HALF })).status).toBe(404);
    const list = await other.client.get(`/api/v1/contracts?businessLineId=${line.id}`);
    expect(list.body.total).toBe(0);
    expect((await manager.client.get(`/api/v1/contracts?businessLineId=${line.id}`)).body.total).toBe(1);

    const financeSigns = await finance.client.post(`${url}/sign`, { terms: HALF_AND_HALF });
    expect(financeSigns.status).toBe(403);
    const [{ status }] = await t.database.db
      .select({ status: contracts.status })
      .from(contracts)
      .where(eq(contracts.id, contract.id));
    expect(status).toBe('approved');
    expect(await t.database.db.select().from(issuedNumbers).where(eq(issuedNumbers.subjectId, contract.id))).toEqual(
      [],
    );
    const terms = await t.database.db.select().from(paymentTerms).where(eq(paymentTerms.contractId, contract.id));
    expect(terms).toEqual([]);
  });
});
