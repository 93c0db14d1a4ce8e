import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDepartment, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { addDays } from '../../lib/time';
import { engagementMembers, engagements } from '../engagements/engagements.tables';
import { timeEntries, timesheetWeeks } from '../engagements/timesheets.tables';
import { buildContract, buildOrder, today } from '../receivables/fixtures';
import { users } from '../staff/staff.tables';
import { commissionSources } from './commissions.tables';
import { demoPolicyInForce } from './fixtures';

/**
 * Drafting a month's sheet 分配表 on a contract with receipts and approved hours, under the demo policy adopted for
 * these tests (its 审计 rules on this file's audit line). Every amount expected is worked out in the comments.
 */
let t: TestApp;
let finance: Client;
let auditLine: string;
let bookkeepingLine: string;
beforeAll(async () => {
  t = await createTestApp();
  finance = (await signedIn(t, { roleCode: 'finance' })).client;
  const admin = (await signedIn(t, { roleCode: 'admin' })).client;
  ({ auditLine, bookkeepingLine } = await demoPolicyInForce(t, admin));
});
afterAll(() => t.close());

const period = () => today().slice(0, 7);
/** The Monday on or before a day. */
const mondayOf = (date: string) => {
  const d = new Date(`${date}T00:00:00Z`);
  return addDays(date, -((d.getUTCDay() + 6) % 7));
};

/**
 * An audit contract of 120,000.00 (half due 10 days ago, half on completion) owned by a salesperson, with an
 * engagement led by a staff member (项目经理) with a practising signing CPA and an assistant; hours of last week
 * approved: lead 40, assistant 20, CPA 10 — and 6 more of the assistant's in a week not yet approved.
 */
async function auditFirm() {
  const db = t.database.db;
  const practice = await buildDepartment(db, { name: uniq('审计一部') });
  const manager = await signedIn(t, { roleCode: 'manager', departmentId: practice.id });
  const owner = await signedIn(t, { roleCode: 'salesperson', departmentId: practice.id, displayName: uniq('李明') });
  const lead = await signedIn(t, { roleCode: 'staff', departmentId: practice.id, displayName: uniq('周杰') });
  const aide = await signedIn(t, { roleCode: 'staff', departmentId: practice.id, displayName: uniq('吴芳') });
  const cpa = await signedIn(t, { roleCode: 'staff', departmentId: practice.id, displayName: uniq('注师') });
  await db.update(users).set({ isPracticingCpa: true }).where(eq(users.id, cpa.user.id));
  const contract = await buildContract(
    db,
    [
      { amount: '60000', due: -10 },
      { amount: '60000', due: null },
    ],
    { ownerId: owner.user.id, businessLineId: auditLine },
  );
  const order = await buildOrder(db, [], {
    ownerId: owner.user.id,
    customerId: contract.customerId,
    contractId: contract.id,
  });
  const [engagement] = await db
    .insert(engagements)
    .values({
      title: uniq('年度审计'),
      customerId: contract.customerId,
      contractId: contract.id,
      orderId: order.id,
      businessLineId: auditLine,
      amount: '120000',
      leadId: lead.user.id,
      departmentId: practice.id,
      salesOwnerId: owner.user.id,
    })
    .returning();
  await db.insert(engagementMembers).values([
    { engagementId: engagement.id, userId: lead.user.id, roles: ['manager'] },
    { engagementId: engagement.id, userId: cpa.user.id, roles: ['signing-cpa'] },
    { engagementId: engagement.id, userId: aide.user.id, roles: ['assistant'] },
  ]);
  const lastWeek = mondayOf(addDays(today(), -7));
  const thisWeek = mondayOf(today());
  const entries: { userId: string; workDate: string; hours: string; week: string }[] = [
    { userId: lead.user.id, workDate: lastWeek, hours: '24', week: lastWeek },
    { userId: lead.user.id, workDate: addDays(lastWeek, 1), hours: '16', week: lastWeek },
    { userId: aide.user.id, workDate: addDays(lastWeek, 2), hours: '12.5', week: lastWeek },
    { userId: aide.user.id, workDate: addDays(lastWeek, 3), hours: '7.5', week: lastWeek },
    { userId: cpa.user.id, workDate: addDays(lastWeek, 4), hours: '10', week: lastWeek },
    { userId: aide.user.id, workDate: thisWeek, hours: '6', week: thisWeek },
  ];
  for (const [userId, week, status] of [
    [lead.user.id, lastWeek, 'approved'],
    [aide.user.id, lastWeek, 'approved'],
    [cpa.user.id, lastWeek, 'approved'],
    [aide.user.id, thisWeek, 'submitted'],
  ] as const)
    await db.insert(timesheetWeeks).values({ userId, weekStart: week, status });
  await db.insert(timeEntries).values(
    entries.map((e) => ({
      userId: e.userId,
      workDate: e.workDate,
      engagementId: engagement.id,
      category: 'engagement' as const,
      hours: e.hours,
      billable: true,
    })),
  );
  return { practice, manager, owner, lead, aide, cpa, contract, engagement };
}

async function receive(contractId: string, amount: string, receivedOn = today()) {
  const res = await finance.post('/api/v1/receipts', { contractId, receivedOn, amount, payer: uniq('付款单位') });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string };
}

type Line = {
  userId: string;
  role: string;
  method: string;
  amount: string;
  explanation: { ruleKey: string; steps: { kind: string }[] };
};
const byUser = (lines: Line[]) => Object.fromEntries(lines.map((l) => [l.userId, l]));

describe('drafting the month’s sheet 分配表', () => {
  it('counts the receipts and approved hours by the policy, each line explaining itself', async () => {
    const f = await auditFirm();
    const receipt = await receive(f.contract.id, '30000');
    const res = await f.owner.client.post('/api/v1/commission-sheets', { contractId: f.contract.id, period: period() });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const sheet = res.body;
    // 30,000.00 received; 70 approved hours (the assistant's 6 in a week not yet approved are not counted).
    expect(sheet).toMatchObject({ status: 'draft', received: '30000.00', hours: '70.00', receivedBefore: '0.00' });
    const lines = byUser(sheet.lines);
    // 业务承接人 S1: 30,000.00 × 3 % = 900.00.
    expect(lines[f.owner.user.id]).toMatchObject({ role: 'sales-owner', method: 'amount', amount: '900.00' });
    expect(lines[f.owner.user.id].explanation).toMatchObject({
      ruleKey: 'S1',
      steps: [{ kind: 'received', receiptId: receipt.id, base: '30000.00', percent: '3', value: '900.00' }],
      receiptIds: [receipt.id],
    });
    // The 执业 signing CPA by the hour, W2: 10 h × 150.00 = 1,500.00.
    expect(lines[f.cpa.user.id]).toMatchObject({ role: 'signing-cpa', method: 'hours', amount: '1500.00' });
    // The pool W1: 10 % of 30,000.00 = 3,000.00, by hours 40 : 20 → 2,000.00 and 1,000.00.
    expect(lines[f.lead.user.id]).toMatchObject({ role: 'project-lead', method: 'pool', amount: '2000.00' });
    expect(lines[f.aide.user.id]).toMatchObject({ role: 'assistant', method: 'pool', amount: '1000.00' });
    expect(lines[f.aide.user.id].explanation.steps).toEqual([
      { kind: 'pool', base: '30000.00', percent: '10', pool: '3000.00' },
      { kind: 'share', split: 'hours', weight: '20', total: '60', pool: '3000.00', value: '1000.00' },
    ]);
    expect(sheet.total).toBe('5400.00');
    expect(sheet.pools).toEqual([{ ruleKey: 'W1', pool: '3000.00', undistributed: '0.00', reason: null }]);

    // Counted once: the receipt and the five approved entries the lines used.
    const counted = await t.database.db
      .select({ kind: commissionSources.kind })
      .from(commissionSources)
      .where(eq(commissionSources.sheetId, sheet.id));
    expect(counted.map((c) => c.kind).sort()).toEqual(['receipt', ...Array(5).fill('time-entry')]);

    // The month again: 409. The month after has not begun.
    const again = await f.lead.client.post('/api/v1/commission-sheets', {
      contractId: f.contract.id,
      period: period(),
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('COMMISSION_SHEET_EXISTS');
    const [y, m] = period().split('-').map(Number);
    const next = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
    const future = await f.owner.client.post('/api/v1/commission-sheets', { contractId: f.contract.id, period: next });
    expect(future.status).toBe(400);
    expect(future.body.error.code).toBe('COMMISSION_PERIOD_FUTURE');
  });

  it('shows an assistant her own line only; the department’s manager and finance see all; a stranger nothing', async () => {
    const f = await auditFirm();
    await receive(f.contract.id, '10000');
    const sheet = (
      await f.owner.client.post('/api/v1/commission-sheets', { contractId: f.contract.id, period: period() })
    ).body;
    const hers = await f.aide.client.get(`/api/v1/commission-sheets/${sheet.id}`);
    expect(hers.status).toBe(200);
    expect(hers.body.ownLinesOnly).toBe(true);
    expect(hers.body.lines.map((l: Line) => l.userId)).toEqual([f.aide.user.id]);
    expect(hers.body.mayChange).toBe(false);
    for (const reader of [f.manager, f.lead, f.owner]) {
      const all = await reader.client.get(`/api/v1/commission-sheets/${sheet.id}`);
      expect(all.body.lines).toHaveLength(4);
      expect(all.body.ownLinesOnly).toBe(false);
    }
    expect((await finance.get(`/api/v1/commission-sheets/${sheet.id}`)).body.lines).toHaveLength(4);
    const stranger = await signedIn(t, { roleCode: 'salesperson' });
    expect((await stranger.client.get(`/api/v1/commission-sheets/${sheet.id}`)).status).toBe(404);
    expect(
      (await stranger.client.get('/api/v1/commission-sheets')).body.items.some(
        (s: { id: string }) => s.id === sheet.id,
      ),
    ).toBe(false);
    const listed = await f.aide.client.get(`/api/v1/commission-sheets?period=${period()}`);
    expect(listed.body.items.map((s: { id: string }) => s.id)).toContain(sheet.id);
    // The assistant may not draft or cancel it; a stranger may not draft it.
    expect((await f.aide.client.post(`/api/v1/commission-sheets/${sheet.id}/cancel`)).status).toBe(403);
    expect(
      (await stranger.client.post('/api/v1/commission-sheets', { contractId: f.contract.id, period: period() })).status,
    ).toBe(404);
  });

  it('gives one sheet when two people draft it at once: nothing counted twice', async () => {
    const f = await auditFirm();
    await receive(f.contract.id, '20000');
    const results = await Promise.all(
      [f.owner, f.lead].map((who) =>
        who.client.post('/api/v1/commission-sheets', { contractId: f.contract.id, period: period() }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const refused = results.find((r) => r.status === 409)!;
    expect(['COMMISSION_SHEET_EXISTS', 'COMMISSION_SOURCE_COUNTED']).toContain(refused.body.error.code);
    const made = results.find((r) => r.status === 201)!.body;
    const counted = await t.database.db.select().from(commissionSources).where(eq(commissionSources.sheetId, made.id));
    expect(counted).toHaveLength(6);
  });

  it('frees what a cancelled draft counted: the next draft counts it again', async () => {
    const f = await auditFirm();
    await receive(f.contract.id, '10000');
    const first = (
      await f.owner.client.post('/api/v1/commission-sheets', { contractId: f.contract.id, period: period() })
    ).body;
    const cancelled = await f.owner.client.post(`/api/v1/commission-sheets/${first.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await f.owner.client.post(`/api/v1/commission-sheets/${first.id}/cancel`)).body.error.code).toBe(
      'COMMISSION_SHEET_STATUS',
    );
    const second = await f.owner.client.post('/api/v1/commission-sheets', {
      contractId: f.contract.id,
      period: period(),
    });
    expect(second.status).toBe(201);
    // 10,000.00 × 3 % = 300.00 for the owner, as the first time.
    expect(byUser(second.body.lines)[f.owner.user.id].amount).toBe('300.00');
  });

  it('runs the tiers on from what earlier sheets counted', async () => {
    const f = await auditFirm();
    const [y, m] = period().split('-').map(Number);
    const previous = new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7);
    // 90,000.00 last month (× 3 % = 2,700.00), then 20,000.00 this month: 10,000.00 × 3 % + 10,000.00 × 5 % = 800.00.
    await receive(f.contract.id, '60000', `${previous}-15`);
    await receive(f.contract.id, '30000', `${previous}-20`);
    const before = await f.owner.client.post('/api/v1/commission-sheets', {
      contractId: f.contract.id,
      period: previous,
    });
    expect(before.status, JSON.stringify(before.body)).toBe(201);
    expect(byUser(before.body.lines)[f.owner.user.id].amount).toBe('2700.00');
    await receive(f.contract.id, '20000');
    const now = await f.owner.client.post('/api/v1/commission-sheets', { contractId: f.contract.id, period: period() });
    expect(now.body.receivedBefore).toBe('90000.00');
    expect(byUser(now.body.lines)[f.owner.user.id].amount).toBe('800.00');
  });

  it('refuses bad input with a clear error, nothing written', async () => {
    const f = await auditFirm();
    const bad = await f.owner.client.post('/api/v1/commission-sheets', {
      contractId: f.contract.id,
      period: '2026-13',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toBe('body.period');
    const neither = await f.owner.client.post('/api/v1/commission-sheets', { period: period() });
    expect(neither.status).toBe(400);
    // A month with neither receipts nor approved hours (before the firm existed).
    const empty = await f.owner.client.post('/api/v1/commission-sheets', {
      contractId: f.contract.id,
      period: '2001-01',
    });
    expect(empty.body.error.code).toBe('COMMISSION_SHEET_EMPTY');
    // Before any version (other tests' versions of long ago, as rows, start in 1900).
    const noPolicy = await f.owner.client.post('/api/v1/commission-sheets', {
      contractId: f.contract.id,
      period: '1899-12',
    });
    expect(noPolicy.body.error.code).toBe('COMMISSION_NO_POLICY');
    // An order of a contract is counted with the contract.
    const order = await buildOrder(t.database.db, [], { ownerId: f.owner.user.id, contractId: f.contract.id });
    const ofContract = await f.owner.client.post('/api/v1/commission-sheets', { orderId: order.id, period: period() });
    expect(ofContract.body.error.code).toBe('COMMISSION_ORDER_OF_CONTRACT');
  });
});

/** Decides the sheet's current step as `who` (the round they see). */
async function decide(who: Client, sheetId: string, body: Record<string, unknown>) {
  const subject = await who.get(`/api/v1/workflow-instances?subjectKind=commission-sheet&subjectId=${sheetId}`);
  expect(subject.status, JSON.stringify(subject.body)).toBe(200);
  const latest = subject.body.latest;
  const res = await who.post(`/api/v1/workflow-instances/${latest.id}/decide`, { ...body, round: latest.round });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe('the five steps 五步流程', () => {
  beforeAll(async () => {
    const admin = (await signedIn(t, { roleCode: 'admin' })).client;
    const financeStep = (nameZh: string, nameEn: string, returnTo?: number[]) => ({
      nameZh,
      nameEn,
      assignee: { kind: 'role', roleCode: 'finance' },
      ...(returnTo ? { returnTo } : {}),
    });
    const flow = await admin.post('/api/v1/workflows', {
      subjectKind: 'commission-sheet',
      nameZh: uniq('佣金分配'),
      nameEn: 'Commission allocation',
      priority: 10,
      conditions: [{ field: 'businessLineId', op: 'eq', value: auditLine }],
      steps: [
        financeStep('会计处理', 'Accounting'),
        {
          nameZh: '项目负责人分配处理',
          nameEn: 'Project lead',
          assignee: { kind: 'relation', relation: 'project-lead' },
          returnTo: [1],
        },
        financeStep('财务核对', 'Finance check', [1, 2]),
        financeStep('佣金发放', 'Payout', [1, 2, 3]),
      ],
      fallbackUserId: finance.me!.user.id,
    });
    expect(flow.status, JSON.stringify(flow.body)).toBe(201);
  });

  it('adjusts within limits at ①, lets each holder adjust with a reason, returns once, and pays out at ⑤', async () => {
    const f = await auditFirm();
    await receive(f.contract.id, '30000');
    const draft = (
      await f.owner.client.post('/api/v1/commission-sheets', { contractId: f.contract.id, period: period() })
    ).body;
    const line = (userId: string, sheet = draft) => sheet.lines.find((l: Line & { id: string }) => l.userId === userId);
    const ownerLine = line(f.owner.user.id).id;

    // ① The owner may move his own 900.00 by a fifth (720.00–1,080.00), with a reason.
    const tooMuch = await f.owner.client.put(`/api/v1/commission-sheets/${draft.id}/lines/${ownerLine}`, {
      amount: '1100',
      reason: '客户开发难度大',
    });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error.code).toBe('COMMISSION_ADJUST_LIMIT');
    const adjusted = await f.owner.client.put(`/api/v1/commission-sheets/${draft.id}/lines/${ownerLine}`, {
      amount: '1000',
      reason: '客户开发难度大',
    });
    expect(adjusted.status, JSON.stringify(adjusted.body)).toBe(200);
    expect(line(f.owner.user.id, adjusted.body)).toMatchObject({
      computed: '900.00',
      amount: '1000.00',
      adjusted: { step: 1, reason: '客户开发难度大' },
    });
    // 5,400.00 + 100.00.
    expect(adjusted.body.total).toBe('5500.00');

    expect((await f.aide.client.post(`/api/v1/commission-sheets/${draft.id}/submit`)).status).toBe(403);
    const sent = await f.owner.client.post(`/api/v1/commission-sheets/${draft.id}/submit`);
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toMatchObject({ status: 'in-approval', mayChange: false });
    // Sent: the owner holds no step and may no longer adjust.
    const late = await f.owner.client.put(`/api/v1/commission-sheets/${draft.id}/lines/${ownerLine}`, {
      amount: '950',
      reason: '再改',
    });
    expect(late.status).toBe(403);

    // ② accounting (finance) passes it; ③ is the project lead's, who raises the assistant's share with a reason.
    expect((await finance.get(`/api/v1/commission-sheets/${draft.id}`)).body.heldStep).toBe(2);
    await decide(finance, draft.id, { action: 'approve', comment: '到款与工时已核对' });
    const atLead = await f.lead.client.get(`/api/v1/commission-sheets/${draft.id}`);
    expect(atLead.body.heldStep).toBe(3);
    const raised = await f.lead.client.put(`/api/v1/commission-sheets/${draft.id}/lines/${line(f.aide.user.id).id}`, {
      amount: '1200',
      reason: '外勤天数多',
    });
    expect(raised.status, JSON.stringify(raised.body)).toBe(200);
    expect(line(f.aide.user.id, raised.body)).toMatchObject({
      amount: '1200.00',
      adjusted: { step: 3, reason: '外勤天数多' },
    });
    await decide(f.lead.client, draft.id, { action: 'approve' });

    // ④ finance returns it to the owner with a comment: a draft again, the adjustments kept.
    await decide(finance, draft.id, { action: 'return', returnTo: 0, comment: '请补充调整依据' });
    const back = await f.owner.client.get(`/api/v1/commission-sheets/${draft.id}`);
    expect(back.body).toMatchObject({ status: 'draft', mayChange: true, total: '5700.00' });

    // Sent again, the four steps pass; ⑤ pays it out today.
    expect((await f.owner.client.post(`/api/v1/commission-sheets/${draft.id}/submit`)).status).toBe(200);
    await decide(finance, draft.id, { action: 'approve' });
    await decide(f.lead.client, draft.id, { action: 'approve' });
    await decide(finance, draft.id, { action: 'approve' });
    await decide(finance, draft.id, { action: 'approve', comment: '已随工资发放' });
    const paid = await finance.get(`/api/v1/commission-sheets/${draft.id}`);
    expect(paid.body).toMatchObject({ status: 'paid', paidOn: today(), total: '5700.00' });
    expect(paid.body.lines.every((l: { paidOn: string }) => l.paidOn === today())).toBe(true);
    // The assistant sees her line paid, with who raised it and why.
    const hers = await f.aide.client.get(`/api/v1/commission-sheets/${draft.id}`);
    expect(hers.body.lines).toEqual([
      expect.objectContaining({ amount: '1200.00', paidOn: today(), adjusted: expect.objectContaining({ step: 3 }) }),
    ]);
  });

  it('takes back a reversed receipt paid out before: a negative line the next month', async () => {
    const owner = await signedIn(t, { roleCode: 'salesperson', displayName: uniq('张丽') });
    const contract = await buildContract(t.database.db, [{ amount: '36000', due: -40 }], {
      ownerId: owner.user.id,
      businessLineId: bookkeepingLine,
    });
    const [y, m] = period().split('-').map(Number);
    const previous = new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7);
    const receipt = await receive(contract.id, '3000', `${previous}-10`);
    const first = (await owner.client.post('/api/v1/commission-sheets', { contractId: contract.id, period: previous }))
      .body;
    // 代理记账 业务承接人 S3: 3,000.00 × 8 % = 240.00; no flow for this line: paid when sent.
    expect(first.lines.map((l: Line) => [l.userId, l.amount])).toEqual([[owner.user.id, '240.00']]);
    const sent = await owner.client.post(`/api/v1/commission-sheets/${first.id}/submit`);
    expect(sent.body).toMatchObject({ status: 'paid', paidOn: today() });
    // Paid once: sending, cancelling or adjusting it again is refused.
    for (const res of [
      await owner.client.post(`/api/v1/commission-sheets/${first.id}/submit`),
      await owner.client.post(`/api/v1/commission-sheets/${first.id}/cancel`),
    ]) {
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('COMMISSION_SHEET_STATUS');
    }

    const reversed = await finance.post(`/api/v1/receipts/${receipt.id}/reverse`, { reason: '银行退票' });
    expect(reversed.status, JSON.stringify(reversed.body)).toBe(200);
    const next = await owner.client.post('/api/v1/commission-sheets', { contractId: contract.id, period: period() });
    expect(next.status, JSON.stringify(next.body)).toBe(201);
    // 3,000.00 counted before, run back to 0: −3,000.00 × 8 % = −240.00.
    expect(next.body).toMatchObject({ receivedBefore: '3000.00', received: '-3000.00', total: '-240.00' });
    const [only] = next.body.lines;
    expect(only).toMatchObject({ amount: '-240.00' });
    expect(only.explanation.steps).toEqual([
      {
        kind: 'received',
        receiptId: receipt.id,
        receivedOn: `${previous}-10`,
        base: '-3000.00',
        percent: '8',
        value: '-240.00',
      },
    ]);
    const adjust = await owner.client.put(`/api/v1/commission-sheets/${next.body.id}/lines/${only.id}`, {
      amount: '0',
      reason: '不追回',
    });
    expect(adjust.status).toBe(400);
    // Counted once: a third month has nothing to take back.
    expect(
      (await owner.client.post('/api/v1/commission-sheets', { contractId: contract.id, period: period() })).status,
    ).toBe(409);
  });
});

describe('property: nothing counted twice', () => {
  it('any sequence of receipts, drafts, cancels and payouts counts each receipt once, and pays 8 % of it to the fen', async () => {
    const [y, m] = period().split('-').map(Number);
    const months = [2, 1, 0].map((back) => new Date(Date.UTC(y, m - 1 - back, 1)).toISOString().slice(0, 7));
    type Action =
      | { kind: 'receive'; month: number; fen: number }
      | { kind: 'draft'; month: number }
      | { kind: 'cancel' }
      | { kind: 'submit' };
    const action = fc.oneof(
      fc.record({
        kind: fc.constant('receive' as const),
        month: fc.integer({ min: 0, max: 2 }),
        fen: fc.integer({ min: 1, max: 5_000_000 }),
      }),
      fc.record({ kind: fc.constant('draft' as const), month: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ kind: fc.constant('cancel' as const) }),
      fc.record({ kind: fc.constant('submit' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 3, maxLength: 8 }), async (actions: Action[]) => {
        // 代理记账 has no flow here: a sent sheet is paid at once.
        const owner = await signedIn(t, { roleCode: 'salesperson' });
        const contract = await buildContract(t.database.db, [{ amount: '900000', due: -90 }], {
          ownerId: owner.user.id,
          businessLineId: bookkeepingLine,
        });
        const received: { id: string; fen: number }[] = [];
        let lastDraft: string | null = null;
        for (const a of actions) {
          if (a.kind === 'receive') {
            const day = a.month === 2 ? today() : `${months[a.month]}-1${a.month}`;
            const amount = (a.fen / 100).toFixed(2);
            received.push({ ...(await receive(contract.id, amount, day)), fen: a.fen });
          } else if (a.kind === 'draft') {
            const res = await owner.client.post('/api/v1/commission-sheets', {
              contractId: contract.id,
              period: months[a.month],
            });
            // Drafted, or refused for a clear reason: the month has a sheet, or nothing is left to count.
            if (res.status === 201) lastDraft = res.body.id;
            else expect(['COMMISSION_SHEET_EXISTS', 'COMMISSION_SHEET_EMPTY']).toContain(res.body.error.code);
          } else if (lastDraft) {
            const res = await owner.client.post(`/api/v1/commission-sheets/${lastDraft}/${a.kind}`);
            expect(res.status, JSON.stringify(res.body)).toBe(200);
            lastDraft = null;
          }
        }
        // Each receipt in one live sheet at most.
        const sheets = (await owner.client.get(`/api/v1/commission-sheets?contractId=${contract.id}&pageSize=100`)).body
          .items as { id: string; status: string }[];
        const live = sheets.filter((s) => s.status !== 'cancelled');
        const counted = new Map<string, number>();
        let owed = 0n;
        for (const s of live) {
          const sheet = (await owner.client.get(`/api/v1/commission-sheets/${s.id}`)).body;
          for (const line of sheet.lines)
            for (const id of line.explanation.receiptIds) counted.set(id, (counted.get(id) ?? 0) + 1);
          // 8 % of what this sheet received, half a fen up, computed here from the receipts it names.
          const base = sheet.lines.length
            ? sheet.lines[0].explanation.receiptIds.reduce(
                (sum: bigint, id: string) => sum + BigInt(received.find((r) => r.id === id)!.fen),
                0n,
              )
            : 0n;
          expect(sheet.received).toBe(`${base / 100n}.${String(base % 100n).padStart(2, '0')}`);
          owed += (base * 8n + 50n) / 100n;
          expect(sheet.total).toBe(
            `${(base * 8n + 50n) / 100n / 100n}.${String(((base * 8n + 50n) / 100n) % 100n).padStart(2, '0')}`,
          );
        }
        expect([...counted.values()].every((n) => n === 1)).toBe(true);
        // What the live sheets pay adds up, sheet by sheet, to 8 % of what they counted.
        const paidOut = live.length
          ? (
              await Promise.all(
                live.map(
                  async (s) => (await owner.client.get(`/api/v1/commission-sheets/${s.id}`)).body.total as string,
                ),
              )
            ).reduce((sum, total) => sum + BigInt(total.replace('.', '')), 0n)
          : 0n;
        expect(paidOut).toBe(owed);
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});

describe('佣金汇总: accrued vs paid', () => {
  it('sums the lines by person, department and month as each reader may see them, computed here from the receipts', async () => {
    const dept = await buildDepartment(t.database.db, { name: uniq('税务部') });
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: dept.id });
    const a = await signedIn(t, { roleCode: 'salesperson', departmentId: dept.id, displayName: uniq('甲') });
    const b = await signedIn(t, { roleCode: 'salesperson', departmentId: dept.id, displayName: uniq('乙') });
    const [y, m] = period().split('-').map(Number);
    const previous = new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7);
    // 代理记账 (no flow: paid when sent) at 8 %: a — 5,000.00 last month, paid (400.00), and 1,234.56 this month,
    // accrued (98.7648 → 98.76); b — 2,000.00 this month, accrued (160.00).
    const contractOf = async (owner: typeof a) =>
      (
        await buildContract(t.database.db, [{ amount: '100000', due: -60 }], {
          ownerId: owner.user.id,
          businessLineId: bookkeepingLine,
        })
      ).id;
    const ca = await contractOf(a);
    const cb = await contractOf(b);
    await receive(ca, '5000', `${previous}-05`);
    const paid = (await a.client.post('/api/v1/commission-sheets', { contractId: ca, period: previous })).body;
    await a.client.post(`/api/v1/commission-sheets/${paid.id}/submit`);
    await receive(ca, '1234.56');
    expect((await a.client.post('/api/v1/commission-sheets', { contractId: ca, period: period() })).status).toBe(201);
    await receive(cb, '2000');
    expect((await b.client.post('/api/v1/commission-sheets', { contractId: cb, period: period() })).status).toBe(201);

    const range = `from=${previous}&to=${period()}`;
    const byPerson = (await manager.client.get(`/api/v1/commission-reports?${range}&groupBy=person`)).body;
    const mine = byPerson.rows.filter((r: { key: string }) => r.key === a.user.id || r.key === b.user.id);
    expect(mine).toEqual([
      { key: a.user.id, label: a.user.displayName, lines: 2, accrued: '98.76', paid: '400.00', total: '498.76' },
      { key: b.user.id, label: b.user.displayName, lines: 1, accrued: '160.00', paid: '0.00', total: '160.00' },
    ]);
    const byDept = (await manager.client.get(`/api/v1/commission-reports?${range}&groupBy=department`)).body;
    expect(byDept.rows.find((r: { key: string }) => r.key === dept.id)).toMatchObject({
      accrued: '258.76',
      paid: '400.00',
      total: '658.76',
    });
    // A salesperson sees his own lines only: b's report holds b alone.
    const own = (await b.client.get(`/api/v1/commission-reports?${range}&groupBy=month`)).body;
    expect(own.rows).toEqual([
      { key: period(), label: period(), lines: 1, accrued: '160.00', paid: '0.00', total: '160.00' },
    ]);
    expect(own.totals).toEqual({ lines: 1, accrued: '160.00', paid: '0.00', total: '160.00' });
    // A range the wrong way round is refused.
    const backwards = await manager.client.get(`/api/v1/commission-reports?from=${period()}&to=${previous}`);
    expect(backwards.status).toBe(400);
  });
});
