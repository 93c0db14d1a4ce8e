import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translate } from '../../../common/i18n';
import { buildBusinessLine, buildDepartment, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { auditLogs } from '../audit/audit.tables';
import { contracts, orderLines, orders, paymentTerms } from '../contracts/contracts.tables';
import { notifications } from '../notifications/notifications.tables';
import { issuedNumbers } from '../numbering/numbering.tables';
import { buildContract, buildOrder, today } from '../receivables/fixtures';
import { users } from '../staff/staff.tables';
import { buildTemplate } from './fixtures';

/**
 * The end of an engagement: the three-level review 三级复核 through the workflow engine, the report 出具报告 with two
 * signing CPAs and its number 报告文号, and archiving 归档 that closes it and completes the order.
 */

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

type Person = Awaited<ReturnType<typeof signedIn>>;

/**
 * An audit practice (a department under a parent one): its manager, a lead, two practising CPAs, an assistant, the
 * parent department's head, a
 * partner, and a salesperson owning the orders; a business line with its template and report series.
 */
async function firm() {
  const db = t.database.db;
  const parent = await buildDepartment(db, { name: uniq('审计事业部') });
  const practice = await buildDepartment(db, { name: uniq('审计一部'), parentId: parent.id });
  // The parent department's head: level 2 goes to the practice's own manager, not to them.
  await signedIn(t, { roleCode: 'manager', departmentId: parent.id });
  const manager = await signedIn(t, { roleCode: 'manager', departmentId: practice.id });
  const lead = await signedIn(t, { roleCode: 'staff', departmentId: practice.id, displayName: uniq('周杰') });
  const cpaA = await signedIn(t, { roleCode: 'staff', departmentId: practice.id, displayName: uniq('甲注师') });
  const cpaB = await signedIn(t, { roleCode: 'staff', departmentId: practice.id, displayName: uniq('乙注师') });
  const assistant = await signedIn(t, { roleCode: 'staff', departmentId: practice.id, displayName: uniq('吴芳') });
  const partner = await signedIn(t, { roleCode: 'executive', departmentId: null });
  const seller = await signedIn(t, { roleCode: 'salesperson', departmentId: practice.id });
  await db
    .update(users)
    .set({ isPracticingCpa: true })
    .where(inArray(users.id, [cpaA.user.id, cpaB.user.id]));
  const line = await buildBusinessLine(db, { name: uniq('审计') });
  await buildTemplate(db, line.id);
  const series = await admin.post('/api/v1/number-series', {
    kind: 'report',
    businessLineId: line.id,
    name: uniq('审计报告'),
    pattern: `${line.code}审字〔{yyyy}〕第{seq:4}号`,
  });
  expect(series.status, JSON.stringify(series.body)).toBe(201);
  return { manager, lead, cpaA, cpaB, assistant, partner, seller, line, seriesId: series.body.id as string };
}
type Firm = Awaited<ReturnType<typeof firm>>;

/** The firm's three-level review flow, for the line's engagements only (other tests' engagements need none). */
async function threeLevelFlow(f: Firm) {
  const res = await admin.post('/api/v1/workflows', {
    subjectKind: 'engagement-review',
    nameZh: uniq('三级复核'),
    nameEn: 'Three-level review',
    conditions: [{ field: 'businessLineId', op: 'eq', value: f.line.id }],
    steps: [
      { nameZh: '项目经理复核', nameEn: 'Project manager', assignee: { kind: 'relation', relation: 'project-lead' } },
      {
        nameZh: '部门经理复核',
        nameEn: 'Department manager',
        assignee: { kind: 'role-in-department', roleCode: 'manager' },
        returnTo: [1],
      },
      {
        nameZh: '主任会计师复核',
        nameEn: 'Partner',
        assignee: { kind: 'role', roleCode: 'executive' },
        returnTo: [1, 2],
      },
    ],
    fallbackUserId: f.partner.user.id,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

/** An order of the seller with these lines of the firm's line (optionally under a contract). */
async function orderOf(f: Firm, amounts: string[], contractId?: string, customerId?: string) {
  const db = t.database.db;
  const total = (amounts.reduce((sum, a) => sum + Math.round(Number(a) * 100), 0) / 100).toFixed(2);
  const order = await buildOrder(db, [{ amount: total, due: null }], {
    ownerId: f.seller.user.id,
    contractId,
    customerId,
  });
  await db.insert(orderLines).values(
    amounts.map((amount, i) => ({
      orderId: order.id,
      position: i + 1,
      businessLineId: f.line.id,
      description: `审计服务 ${i + 1}`,
      amount,
    })),
  );
  return order;
}

/** Engagements (one per line) of the order, led by the lead and staffed with the CPAs and the assistant. */
async function engagementsOf(f: Firm, orderId: string): Promise<{ id: string; title: string }[]> {
  const made = await f.manager.client.post('/api/v1/engagements', { orderId, leadId: f.lead.user.id });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  for (const e of made.body.items) {
    const staffed = await f.lead.client.put(`/api/v1/engagements/${e.id}/members`, {
      members: [
        { userId: f.lead.user.id, roles: ['manager'] },
        { userId: f.cpaA.user.id, roles: ['signing-cpa'] },
        { userId: f.cpaB.user.id, roles: ['reviewer'] },
        { userId: f.assistant.user.id, roles: ['assistant'] },
      ],
    });
    expect(staffed.status, JSON.stringify(staffed.body)).toBe(200);
  }
  return made.body.items;
}

async function oneEngagement(f: Firm) {
  const order = await orderOf(f, ['20000.00']);
  const [engagement] = await engagementsOf(f, order.id);
  return { order, engagement };
}

const timeline = async (client: Client, engagementId: string) => {
  const res = await client.get('/api/v1/workflow-instances', {
    subjectKind: 'engagement-review',
    subjectId: engagementId,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

/** Decides the review's current step as `who`, on the round they see. */
async function decide(who: Person, engagementId: string, action: string, extra: Record<string, unknown> = {}) {
  const { latest } = await timeline(who.client, engagementId);
  const res = await who.client.post(`/api/v1/workflow-instances/${latest.id}/decide`, {
    action,
    round: latest.round,
    ...extra,
  });
  expect(res.status, `${who.user.displayName} ${action}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

const message = (key: Parameters<typeof translate>[1], params?: Record<string, string>) =>
  translate('zh-CN', key, params);

/** A review sent with no flow for the line: it passes at once. */
async function reviewed(f: Firm, engagementId: string) {
  const res = await f.lead.client.post(`/api/v1/engagements/${engagementId}/review`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body).toMatchObject({ status: 'in-review', reviewStatus: null, reviewPassed: true });
}

const issue = (f: Firm, engagementId: string, body: Record<string, unknown>) =>
  f.lead.client.post(`/api/v1/engagements/${engagementId}/report`, body);

describe('the three-level review 三级复核', () => {
  it('goes through the project manager, the department manager and a partner; a return puts it back in progress', async () => {
    const f = await firm();
    await threeLevelFlow(f);
    const { engagement } = await oneEngagement(f);

    // Not before it is sent; the report waits for the review.
    const early = await issue(f, engagement.id, { signers: [f.cpaA.user.id, f.cpaB.user.id] });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('REPORT_REVIEW_PENDING');

    // The team sends it (here the assistant who prepared the working papers); she may not plan it for all that.
    const before = await f.assistant.client.get(`/api/v1/engagements/${engagement.id}`);
    expect(before.body).toMatchObject({ mayReview: true, mayChange: false });
    const sent = await f.assistant.client.post(`/api/v1/engagements/${engagement.id}/review`);
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toMatchObject({ status: 'in-review', reviewStatus: 'running', reviewPassed: false });
    // Sent twice: it is no longer in progress.
    const twice = await f.assistant.client.post(`/api/v1/engagements/${engagement.id}/review`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('ENGAGEMENT_STATUS_INVALID');

    let { latest } = await timeline(f.lead.client, engagement.id);
    expect(latest).toMatchObject({ status: 'running', currentStep: 1, stepCount: 3 });
    expect(latest.summary).toMatchObject({ title: engagement.title, link: `/engagements/${engagement.id}` });
    expect(latest.steps[0].assignees.map((a: { userId: string }) => a.userId)).toEqual([f.lead.user.id]);

    // Level 1: the lead approves; level 2 is the practice's manager.
    await decide(f.lead, engagement.id, 'approve', { comment: '底稿完整' });
    ({ latest } = await timeline(f.manager.client, engagement.id));
    expect(latest.currentStep).toBe(2);
    expect(latest.steps[1].assignees.map((a: { userId: string }) => a.userId)).toEqual([f.manager.user.id]);
    // Someone else cannot decide it; a partner cannot skip ahead either.
    const notTheirs = await f.partner.client.post(`/api/v1/workflow-instances/${latest.id}/decide`, {
      action: 'approve',
      round: latest.round,
    });
    expect(notTheirs.status).toBe(403);

    // Level 2 returns it to the submitter with a comment: back in progress, the comment on its timeline.
    await decide(f.manager, engagement.id, 'return', { returnTo: 0, comment: '存货监盘底稿缺少复核签字，请补充' });
    const returned = await f.lead.client.get(`/api/v1/engagements/${engagement.id}`);
    expect(returned.body).toMatchObject({ status: 'in-progress', reviewStatus: 'returned', reviewPassed: false });
    ({ latest } = await timeline(f.lead.client, engagement.id));
    expect(latest.status).toBe('returned');
    expect(latest.transitions.find((tr: { action: string }) => tr.action === 'return')).toMatchObject({
      actorId: f.manager.user.id,
      comment: '存货监盘底稿缺少复核签字，请补充',
    });
    const stillPending = await issue(f, engagement.id, { signers: [f.cpaA.user.id, f.cpaB.user.id] });
    expect(stillPending.body.error.code).toBe('REPORT_REVIEW_PENDING');

    // Resubmitted by its submitter: level 1 again, then all three approve.
    const again = await f.assistant.client.post(`/api/v1/engagements/${engagement.id}/review`);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ status: 'in-review', reviewStatus: 'running' });
    ({ latest } = await timeline(f.lead.client, engagement.id));
    expect(latest.currentStep).toBe(1);
    await decide(f.lead, engagement.id, 'approve');
    await decide(f.manager, engagement.id, 'approve', { comment: '同意' });
    const waiting = await issue(f, engagement.id, { signers: [f.cpaA.user.id, f.cpaB.user.id] });
    expect(waiting.body.error.code).toBe('REPORT_REVIEW_PENDING');
    const done = await decide(f.partner, engagement.id, 'approve', { comment: '同意出具' });
    expect(done.status).toBe('approved');

    const passed = await f.lead.client.get(`/api/v1/engagements/${engagement.id}`);
    expect(passed.body).toMatchObject({ status: 'in-review', reviewStatus: 'approved', reviewPassed: true });
    const approvals = (await timeline(f.lead.client, engagement.id)).latest.transitions.map(
      (tr: { action: string; actorId: string | null }) => [tr.action, tr.actorId],
    );
    expect(approvals.filter(([action]: [string]) => action === 'approve' || action === 'return')).toEqual([
      ['approve', f.lead.user.id],
      ['return', f.manager.user.id],
      ['approve', f.lead.user.id],
      ['approve', f.manager.user.id],
      ['approve', f.partner.user.id],
    ]);

    // Now the report may be issued.
    const reported = await issue(f, engagement.id, { signers: [f.cpaA.user.id, f.cpaB.user.id] });
    expect(reported.status, JSON.stringify(reported.body)).toBe(200);
    expect(reported.body.status).toBe('reported');
  });

  it('sent by its lead, level 1 goes to the flow’s fallback: nobody approves their own request', async () => {
    const f = await firm();
    await threeLevelFlow(f);
    const { engagement } = await oneEngagement(f);
    expect((await f.lead.client.post(`/api/v1/engagements/${engagement.id}/review`)).status).toBe(200);
    const { latest } = await timeline(f.lead.client, engagement.id);
    expect(latest.steps[0]).toMatchObject({ note: 'only-submitter', state: 'current' });
    expect(latest.steps[0].assignees.map((a: { userId: string }) => a.userId)).toEqual([f.partner.user.id]);
    // The submitter withdraws it: back in progress.
    const withdrawn = await f.lead.client.post(`/api/v1/workflow-instances/${latest.id}/withdraw`, {});
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    const back = await f.lead.client.get(`/api/v1/engagements/${engagement.id}`);
    expect(back.body).toMatchObject({ status: 'in-progress', reviewStatus: 'withdrawn', reviewPassed: false });
  });

  it('is refused for an engagement the reader only sees, and 404 for one they cannot see', async () => {
    const f = await firm();
    const { engagement } = await oneEngagement(f);
    // The salesperson sees it (the order is theirs) but is not on the team.
    const seen = await f.seller.client.get(`/api/v1/engagements/${engagement.id}`);
    expect(seen.body).toMatchObject({ mayReview: false, mayChange: false });
    expect((await f.seller.client.post(`/api/v1/engagements/${engagement.id}/review`)).status).toBe(403);
    const stranger = await signedIn(t, { roleCode: 'staff' });
    expect((await stranger.client.post(`/api/v1/engagements/${engagement.id}/review`)).status).toBe(404);
    const unchanged = await f.lead.client.get(`/api/v1/engagements/${engagement.id}`);
    expect(unchanged.body.status).toBe('in-progress');
  });
});

describe('issuing the report 出具报告', () => {
  it('needs two different practising CPAs of the team, and gives the number from the line’s series', async () => {
    const f = await firm();
    const { engagement } = await oneEngagement(f);
    await reviewed(f, engagement.id);

    const same = await issue(f, engagement.id, { signers: [f.cpaA.user.id, f.cpaA.user.id] });
    expect(same.status).toBe(400);
    expect(same.body.error.details.issues).toEqual([
      { path: 'signers', code: 'custom', message: message('validation.reportSignersSame') },
    ]);
    const one = await issue(f, engagement.id, { signers: [f.cpaA.user.id] });
    expect(one.status).toBe(400);
    expect(one.body.error.details.issues[0].path).toBe('body.signers');

    const notPractising = await issue(f, engagement.id, { signers: [f.cpaA.user.id, f.assistant.user.id] });
    expect(notPractising.status).toBe(400);
    expect(notPractising.body.error.code).toBe('REPORT_SIGNER_NOT_PRACTISING');
    expect(notPractising.body.error.message).toBe(
      message('error.REPORT_SIGNER_NOT_PRACTISING', { name: f.assistant.user.displayName }),
    );

    const outsider = await signedIn(t, { roleCode: 'staff' });
    await t.database.db.update(users).set({ isPracticingCpa: true }).where(eq(users.id, outsider.user.id));
    const offTeam = await issue(f, engagement.id, { signers: [f.cpaA.user.id, outsider.user.id] });
    expect(offTeam.status).toBe(400);
    expect(offTeam.body.error.details.issues).toEqual([
      { path: 'signers.1', code: 'custom', message: message('validation.reportSignerNotOnTeam') },
    ]);
    const future = await issue(f, engagement.id, {
      signers: [f.cpaA.user.id, f.cpaB.user.id],
      issuedOn: '2999-01-01',
    });
    expect(future.status).toBe(400);
    expect(future.body.error.details.issues[0].path).toBe('issuedOn');

    // Nothing was written by the refusals: no number given, still in review.
    const numbers = await t.database.db
      .select()
      .from(issuedNumbers)
      .where(and(eq(issuedNumbers.subjectKind, 'report'), eq(issuedNumbers.subjectId, engagement.id)));
    expect(numbers).toEqual([]);
    expect((await f.lead.client.get(`/api/v1/engagements/${engagement.id}`)).body.status).toBe('in-review');

    const res = await issue(f, engagement.id, { signers: [f.cpaB.user.id, f.cpaA.user.id] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const year = today().slice(0, 4);
    expect(res.body).toMatchObject({
      status: 'reported',
      reportIssuedOn: today(),
      reviewPassed: true,
    });
    // The pattern 〔{yyyy}〕第{seq:4}号 with this year and the series' first number.
    expect(res.body.reportNumber).toBe(`${f.line.code}审字〔${year}〕第0001号`);
    expect(res.body.reportSigners.map((s: { userId: string }) => s.userId).sort()).toEqual(
      [f.cpaA.user.id, f.cpaB.user.id].sort(),
    );
    // Both signers hold the role now (cpaB was a reviewer), with their other roles.
    const roles = Object.fromEntries(
      res.body.members.map((m: { userId: string; roles: string[] }) => [m.userId, [...m.roles].sort()]),
    );
    expect(roles[f.cpaA.user.id]).toEqual(['signing-cpa']);
    expect(roles[f.cpaB.user.id]).toEqual(['reviewer', 'signing-cpa']);

    // The audit entry names the signers.
    const [entry] = await t.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityId, engagement.id), eq(auditLogs.action, 'report')));
    expect(entry.after).toMatchObject({
      status: 'reported',
      reportNumber: res.body.reportNumber,
      signers: expect.arrayContaining([
        { userId: f.cpaA.user.id, name: f.cpaA.user.displayName },
        { userId: f.cpaB.user.id, name: f.cpaB.user.displayName },
      ]),
    });

    // The register lists it with its engagement's status.
    const register = await admin.get(`/api/v1/number-series/${f.seriesId}/register`);
    expect(register.body.items).toEqual([
      expect.objectContaining({ seq: 1, number: res.body.reportNumber, subjectKind: 'report', status: 'reported' }),
    ]);

    // Issued once; the signers cannot be changed by staffing afterwards.
    const again = await issue(f, engagement.id, { signers: [f.cpaA.user.id, f.cpaB.user.id] });
    expect(again.body.error.code).toBe('ENGAGEMENT_STATUS_INVALID');
    const restaff = await f.lead.client.put(`/api/v1/engagements/${engagement.id}/members`, {
      members: [
        { userId: f.lead.user.id, roles: ['manager', 'signing-cpa'] },
        { userId: f.cpaA.user.id, roles: ['signing-cpa'] },
        { userId: f.cpaB.user.id, roles: ['reviewer'] },
        { userId: f.assistant.user.id, roles: ['assistant'] },
      ],
    });
    expect(restaff.status).toBe(400);
    expect(restaff.body.error.details.issues[0].message).toBe(message('validation.reportSignersFixed'));
  });

  it('refuses leaving a member staffed only as a signing CPA without a role', async () => {
    const f = await firm();
    const { engagement } = await oneEngagement(f);
    const third = await signedIn(t, { roleCode: 'staff', displayName: uniq('丙注师') });
    await t.database.db.update(users).set({ isPracticingCpa: true }).where(eq(users.id, third.user.id));
    const staffed = await f.lead.client.put(`/api/v1/engagements/${engagement.id}/members`, {
      members: [
        { userId: f.lead.user.id, roles: ['manager'] },
        { userId: f.cpaA.user.id, roles: ['signing-cpa'] },
        { userId: f.cpaB.user.id, roles: ['reviewer'] },
        { userId: third.user.id, roles: ['signing-cpa'] },
      ],
    });
    expect(staffed.status, JSON.stringify(staffed.body)).toBe(200);
    await reviewed(f, engagement.id);
    const res = await issue(f, engagement.id, { signers: [f.cpaA.user.id, f.cpaB.user.id] });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues[0]).toMatchObject({
      path: 'signers',
      message: message('validation.reportSignerStaffed', { name: third.user.displayName }),
    });
  });

  it('gives one number when two people issue it at once: the other is refused, the register has no gap', async () => {
    const f = await firm();
    const { engagement: first } = await oneEngagement(f);
    await reviewed(f, first.id);
    const signers = [f.cpaA.user.id, f.cpaB.user.id];
    const [a, b] = await Promise.all([
      f.lead.client.post(`/api/v1/engagements/${first.id}/report`, { signers }),
      f.manager.client.post(`/api/v1/engagements/${first.id}/report`, { signers }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses, JSON.stringify([a.body, b.body])).toEqual([200, 409]);
    const refused = a.status === 409 ? a : b;
    const issued = a.status === 200 ? a : b;
    expect(refused.body.error.code).toBe('ENGAGEMENT_STATUS_INVALID');

    // A second engagement of the line takes the next number.
    const { engagement: second } = await oneEngagement(f);
    await reviewed(f, second.id);
    const next = await issue(f, second.id, { signers });
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    const year = today().slice(0, 4);
    expect([issued.body.reportNumber, next.body.reportNumber]).toEqual([
      `${f.line.code}审字〔${year}〕第0001号`,
      `${f.line.code}审字〔${year}〕第0002号`,
    ]);
    const register = await admin.get(`/api/v1/number-series/${f.seriesId}/register`);
    expect(register.body).toMatchObject({ lastSeq: 2, gaps: [] });
    expect(register.body.items.map((i: { seq: number; subjectId: string }) => [i.seq, i.subjectId])).toEqual([
      [1, first.id],
      [2, second.id],
    ]);
  });
});

describe('archiving 归档 closes the engagement 结项', () => {
  it('completes the order of a contract with a completion term: the final payment due today, the owner told', async () => {
    const f = await firm();
    const db = t.database.db;
    const contract = await buildContract(
      db,
      [
        { amount: '12000.00', due: -30, received: '12000.00', trigger: 'date' },
        { amount: '8000.00', due: null, trigger: 'completion', kind: 'final' },
      ],
      { ownerId: f.seller.user.id, businessLineId: f.line.id, status: 'in-progress' },
    );
    const order = await orderOf(f, ['20000.00'], contract.id, contract.customerId);
    const [engagement] = await engagementsOf(f, order.id);

    // Not before the report.
    const early = await f.lead.client.post(`/api/v1/engagements/${engagement.id}/archive`);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('ENGAGEMENT_STATUS_INVALID');
    await reviewed(f, engagement.id);
    expect((await issue(f, engagement.id, { signers: [f.cpaA.user.id, f.cpaB.user.id] })).status).toBe(200);

    // The lead (a staff member, who may not change orders) archives it.
    const res = await f.lead.client.post(`/api/v1/engagements/${engagement.id}/archive`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'closed', closedOn: today() });

    const [o] = await db.select().from(orders).where(eq(orders.id, order.id));
    expect(o).toMatchObject({ status: 'completed', completedOn: today() });
    const [c] = await db.select().from(contracts).where(eq(contracts.id, contract.id));
    expect(c).toMatchObject({ status: 'completed', completedOn: today() });
    const terms = await db
      .select({ position: paymentTerms.position, dueOn: paymentTerms.dueOn })
      .from(paymentTerms)
      .where(eq(paymentTerms.contractId, contract.id));
    expect(terms.find((term) => term.position === 2)?.dueOn).toBe(today());

    const told = await db
      .select({ kind: notifications.kind, params: notifications.params, entityId: notifications.entityId })
      .from(notifications)
      .where(eq(notifications.userId, f.seller.user.id));
    expect(told).toEqual(
      expect.arrayContaining([
        {
          kind: 'engagement-closed',
          params: { title: engagement.title, order: order.number, due: 1 },
          entityId: engagement.id,
        },
        expect.objectContaining({ kind: 'payment-due', entityId: contract.id }),
      ]),
    );
    // The owner's bell says so in their language.
    const bell = await f.seller.client.get('/api/v1/notifications');
    const closed = bell.body.items.find((n: { kind: string }) => n.kind === 'engagement-closed');
    expect(closed.message).toContain(engagement.title);
    expect(closed.message).toContain('完工尾款');

    // Closed is final.
    const twice = await f.lead.client.post(`/api/v1/engagements/${engagement.id}/archive`);
    expect(twice.body.error.code).toBe('ENGAGEMENT_STATUS_INVALID');
  });

  it('completes an order of two engagements only when the second closes', async () => {
    const f = await firm();
    const db = t.database.db;
    const order = await orderOf(f, ['6000.00', '4000.00']);
    const [first, second] = await engagementsOf(f, order.id);
    for (const e of [first, second]) {
      await reviewed(f, e.id);
      expect((await issue(f, e.id, { signers: [f.cpaA.user.id, f.cpaB.user.id] })).status).toBe(200);
    }
    expect((await f.lead.client.post(`/api/v1/engagements/${first.id}/archive`)).status).toBe(200);
    let [o] = await db.select().from(orders).where(eq(orders.id, order.id));
    expect(o.status).toBe('confirmed');
    // The order's own completion term is not due yet.
    const dueOf = async () =>
      (await db.select({ dueOn: paymentTerms.dueOn }).from(paymentTerms).where(eq(paymentTerms.orderId, order.id)))[0]
        .dueOn;
    expect(await dueOf()).toBeNull();

    expect((await f.lead.client.post(`/api/v1/engagements/${second.id}/archive`)).status).toBe(200);
    [o] = await db.select().from(orders).where(eq(orders.id, order.id));
    expect(o).toMatchObject({ status: 'completed', completedOn: today() });
    expect(await dueOf()).toBe(today());
    const told = await db
      .select({ params: notifications.params, entityId: notifications.entityId })
      .from(notifications)
      .where(and(eq(notifications.userId, f.seller.user.id), eq(notifications.kind, 'engagement-closed')));
    expect(told).toEqual(
      expect.arrayContaining([
        { params: expect.objectContaining({ due: 0 }), entityId: first.id },
        { params: expect.objectContaining({ due: 1 }), entityId: second.id },
      ]),
    );
  });

  it('completes the order once when its two engagements are archived at once', async () => {
    const f = await firm();
    const db = t.database.db;
    const order = await orderOf(f, ['6000.00', '4000.00']);
    const both = await engagementsOf(f, order.id);
    for (const e of both) {
      await reviewed(f, e.id);
      expect((await issue(f, e.id, { signers: [f.cpaA.user.id, f.cpaB.user.id] })).status).toBe(200);
    }
    const answers = await Promise.all(
      both.map((e, i) => (i === 0 ? f.lead : f.manager).client.post(`/api/v1/engagements/${e.id}/archive`)),
    );
    expect(
      answers.map((a) => a.status),
      JSON.stringify(answers.map((a) => a.body)),
    ).toEqual([200, 200]);
    const [o] = await db.select().from(orders).where(eq(orders.id, order.id));
    expect(o.status).toBe('completed');
    const completions = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityId, order.id), eq(auditLogs.action, 'complete')));
    expect(completions).toHaveLength(1);
  });

  it('completes the order when the other engagement was cancelled', async () => {
    const f = await firm();
    const order = await orderOf(f, ['6000.00', '4000.00']);
    const [first, second] = await engagementsOf(f, order.id);
    const cancelled = await f.lead.client.post(`/api/v1/engagements/${second.id}/cancel`, { reason: '客户取消' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await reviewed(f, first.id);
    expect((await issue(f, first.id, { signers: [f.cpaA.user.id, f.cpaB.user.id] })).status).toBe(200);
    expect((await f.lead.client.post(`/api/v1/engagements/${first.id}/archive`)).status).toBe(200);
    const [o] = await t.database.db.select().from(orders).where(eq(orders.id, order.id));
    expect(o.status).toBe('completed');
  });
});
