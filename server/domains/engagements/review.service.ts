import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Engagement, ReportIssue } from '../../../common/schemas/engagements';
import { inTransaction, type Ctx } from '../../context';
import { AppError, invalidInput, notFound, type InputIssue } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { today } from '../contracts/contracts.service';
import { orders } from '../contracts/contracts.tables';
import { completeOrderAsSystem } from '../contracts/orders.service';
import { customers } from '../customers/customers.tables';
import { notify } from '../notifications/notifications.service';
import { issueNumber, registerNumberedKind } from '../numbering/numbering.service';
import { fromHundredths, toHundredths } from '../opportunities/quotes.service';
import { users } from '../staff/staff.tables';
import { applicableWorkflow } from '../workflows/definitions.service';
import { latestApprovals, submitForApproval } from '../workflows/engine.service';
import { registerSubjectKind } from '../workflows/registry';
import { reviewableEngagements, visibleEngagements } from './engagements.policy';
import {
  engagementStatusError,
  getEngagement,
  lockEngagement,
  reviewPassed,
  type EngagementRow,
} from './engagements.service';
import { engagementMembers, engagements } from './engagements.tables';

/**
 * The end of an engagement: the review 复核 (the three-level review 三级复核 as the steps of the firm's flow of kind
 * `engagement-review`: 项目经理 → 部门经理 → 主任会计师/合伙人, each approving or returning it with comments), the
 * report 出具报告 (two different practising signing CPAs, the report number 报告文号 from the business line's `report`
 * series — gapless), and archiving 归档, which closes it 结项 and, with the last engagement of its order, completes
 * the order (completion-triggered payment terms fall due; the salesperson and finance are reminded).
 */

const money = (value: string) => fromHundredths(toHundredths(value));

/** What the flows of kind `engagement-review` may test, and whom their steps resolve from (the lead is the owner). */
function factsOf(e: EngagementRow) {
  return {
    fields: { amount: money(e.amount), businessLineId: e.businessLineId, departmentId: e.departmentId },
    ownerId: e.leadId,
    departmentId: e.departmentId,
    businessLineId: e.businessLineId,
    projectLeadId: e.leadId,
  };
}

registerSubjectKind({
  kind: 'engagement-review',
  async describe(tx, engagementId) {
    const [row] = await tx.db
      .select({ e: engagements, customerName: customers.name, leadName: users.displayName })
      .from(engagements)
      .innerJoin(customers, eq(customers.id, engagements.customerId))
      .innerJoin(users, eq(users.id, engagements.leadId))
      .where(and(eq(engagements.id, engagementId), visibleEngagements(tx.actor)))
      .for('update', { of: engagements });
    if (!row) throw notFound();
    return {
      facts: factsOf(row.e),
      summary: {
        title: row.e.title,
        facts: [
          { key: 'customer', value: row.customerName },
          { key: 'engagementAmount', value: money(row.e.amount), money: true },
          { key: 'projectLead', value: row.leadName },
        ],
        link: `/engagements/${engagementId}`,
      },
    };
  },
  async canSee(ctx, engagementId) {
    const [row] = await ctx.db
      .select({ one: sql`1` })
      .from(engagements)
      .where(and(eq(engagements.id, engagementId), visibleEngagements(ctx.actor)));
    return Boolean(row);
  },
  // Approved: the report may be issued (the engagement stays in review). Rejected, withdrawn or returned (退回): back
  // in progress, the comments on its timeline, to be sent again.
  async onSettled(tx, engagementId, status) {
    if (status === 'approved') return;
    await tx.db
      .update(engagements)
      .set({ status: 'in-progress', updatedAt: new Date() })
      .where(and(eq(engagements.id, engagementId), eq(engagements.status, 'in-review')));
  },
});

registerNumberedKind({
  kind: 'report',
  async describe(db, ids) {
    const rows = ids.length
      ? await db
          .select({ id: engagements.id, status: engagements.status, title: engagements.title })
          .from(engagements)
          .where(inArray(engagements.id, ids))
      : [];
    return new Map(rows.map((r) => [r.id, { status: r.status, title: r.title }]));
  },
});

/**
 * Sends an engagement in progress for review 提交复核 (someone on its team, its lead or a planner): in review, and the firm's flow of kind
 * `engagement-review` starts — or, after a return, starts again (only its submitter may resubmit it: the engine's
 * rule). With no flow that applies the review passes at once, as a contract is approved at once.
 */
export async function sendForReview(ctx: Ctx, id: string): Promise<Engagement> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockEngagement(tx, id, reviewableEngagements);
    if (before.status !== 'in-progress') throw engagementStatusError(before.status);
    const latest = (await latestApprovals(tx.db, 'engagement-review', [id])).get(id);
    const flow =
      latest?.status === 'returned' ||
      Boolean(await applicableWorkflow(tx.db, 'engagement-review', factsOf(before).fields));
    await tx.db
      .update(engagements)
      .set({ status: 'in-review', updatedAt: new Date(), updatedBy: tx.actor.id })
      .where(eq(engagements.id, id));
    if (flow) await submitForApproval(tx, 'engagement-review', id);
    await recordAudit(tx, {
      action: 'submit',
      entityType: 'engagement',
      entityId: id,
      before: { status: before.status },
      after: { status: 'in-review', reviewPassed: !flow },
    });
  });
  return getEngagement(ctx, id);
}

/**
 * Issues the report 出具报告 of an engagement whose review passed (REPORT_REVIEW_PENDING otherwise): signed by two
 * different members of the team (400 on `signers`) who are practising CPAs (REPORT_SIGNER_NOT_PRACTISING); its number
 * 报告文号 is given from the business line's `report` series in this transaction (a failure takes it back: no gap).
 * The two are recorded as the members holding the team role 签字注册会计师 (the others lose it; staffing cannot change
 * them afterwards) and in the audit entry. The engagement row is locked first, so of two
 * people issuing it at once the second finds it reported (ENGAGEMENT_STATUS_INVALID) and no number is used.
 */
export async function issueReport(ctx: Ctx, id: string, input: z.output<typeof ReportIssue>): Promise<Engagement> {
  const locale = ctx.actor.locale;
  const issuedOn = input.issuedOn ?? today();
  await inTransaction(ctx, async (tx) => {
    const before = await lockEngagement(tx, id);
    if (before.status !== 'in-review' && before.status !== 'in-progress') throw engagementStatusError(before.status);
    const latest = (await latestApprovals(tx.db, 'engagement-review', [id])).get(id);
    if (!reviewPassed(before.status, latest?.status)) throw new AppError('REPORT_REVIEW_PENDING');

    const [first, second] = input.signers;
    if (first === second) throw invalidInput(locale, [{ path: 'signers', key: 'validation.reportSignersSame' }]);
    if (issuedOn > today()) throw invalidInput(locale, [{ path: 'issuedOn', key: 'validation.reportInFuture' }]);
    const members = await tx.db
      .select({
        userId: engagementMembers.userId,
        roles: engagementMembers.roles,
        name: users.displayName,
        active: users.active,
        practising: users.isPracticingCpa,
      })
      .from(engagementMembers)
      .innerJoin(users, eq(users.id, engagementMembers.userId))
      .where(eq(engagementMembers.engagementId, id));
    const signers = input.signers.map((userId) => members.find((m) => m.userId === userId));
    const issues: InputIssue[] = signers.flatMap((m, i): InputIssue[] =>
      !m
        ? [{ path: `signers.${i}`, key: 'validation.reportSignerNotOnTeam' }]
        : !m.active
          ? [{ path: `signers.${i}`, key: 'validation.memberInactive' }]
          : [],
    );
    if (issues.length) throw invalidInput(locale, issues);
    const unqualified = signers.find((m) => !m!.practising);
    if (unqualified) throw new AppError('REPORT_SIGNER_NOT_PRACTISING', { name: unqualified.name });
    // The signers hold the role 签字注册会计师 from now on, and only they: someone staffed for nothing else who does
    // not sign is refused rather than left on the team without a role.
    const onlySigning = members.find(
      (m) => !input.signers.includes(m.userId) && m.roles.length === 1 && m.roles[0] === 'signing-cpa',
    );
    if (onlySigning)
      throw invalidInput(locale, [
        { path: 'signers', key: 'validation.reportSignerStaffed', params: { name: onlySigning.name } },
      ]);

    const issued = await issueNumber(tx, 'report', before.businessLineId, id);
    await tx.db
      .update(engagements)
      .set({
        status: 'reported',
        reportSeriesId: issued.seriesId,
        reportNumber: issued.number,
        reportIssuedOn: issuedOn,
        updatedAt: new Date(),
        updatedBy: tx.actor.id,
      })
      .where(eq(engagements.id, id));
    for (const m of members) {
      const signs = input.signers.includes(m.userId);
      if (signs === m.roles.includes('signing-cpa')) continue;
      const roles = signs ? [...m.roles, 'signing-cpa' as const] : m.roles.filter((r) => r !== 'signing-cpa');
      await tx.db
        .update(engagementMembers)
        .set({ roles })
        .where(and(eq(engagementMembers.engagementId, id), eq(engagementMembers.userId, m.userId)));
    }
    await recordAudit(tx, {
      action: 'report',
      entityType: 'engagement',
      entityId: id,
      before: { status: before.status },
      after: {
        status: 'reported',
        reportNumber: issued.number,
        reportIssuedOn: issuedOn,
        signers: signers.map((m) => ({ userId: m!.userId, name: m!.name })),
      },
    });
  });
  return getEngagement(ctx, id);
}

/**
 * Archives a reported engagement 归档: closed 结项 today. When every engagement of its order is then closed or
 * cancelled, the order is completed as the system does it (completeOrderAsSystem: the archiver need not be able to
 * change orders) — its completion-triggered terms fall due and remind the owner and finance. The order's owner hears
 * of the closing. The order row is locked before its engagements are counted, so that two of them archived at once
 * see each other and the order is completed once.
 */
export async function archiveEngagement(ctx: Ctx, id: string): Promise<Engagement> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockEngagement(tx, id);
    if (before.status !== 'reported') throw engagementStatusError(before.status);
    const closedOn = today();
    await tx.db
      .update(engagements)
      .set({ status: 'closed', closedOn, updatedAt: new Date(), updatedBy: tx.actor.id })
      .where(eq(engagements.id, id));
    await recordAudit(tx, {
      action: 'archive',
      entityType: 'engagement',
      entityId: id,
      before: { status: before.status },
      after: { status: 'closed', closedOn },
    });
    const [order] = await tx.db
      .select({
        id: orders.id,
        status: orders.status,
        number: orders.number,
        title: orders.title,
        ownerId: orders.ownerId,
      })
      .from(orders)
      .where(eq(orders.id, before.orderId))
      .for('update');
    const [open] = await tx.db
      .select({ id: engagements.id })
      .from(engagements)
      .where(and(eq(engagements.orderId, order.id), notInArray(engagements.status, ['closed', 'cancelled'])))
      .limit(1);
    const completes = !open && order.status === 'confirmed';
    if (completes) await completeOrderAsSystem(tx, order.id, closedOn);
    if (order.ownerId !== tx.actor.id)
      await notify(tx, [
        {
          userId: order.ownerId,
          kind: 'engagement-closed',
          params: { title: before.title, order: order.number ?? order.title, due: completes ? 1 : 0 },
          entityType: 'engagement',
          entityId: id,
        },
      ]);
  });
  return getEngagement(ctx, id);
}
