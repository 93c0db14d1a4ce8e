import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import { PolicyInput } from '../../common/schemas/commissions';
import type { Ctx, JobsTx } from '../context';
import { adoptPolicy, createPolicy } from '../domains/commissions/policies.service';
import { draftSheet } from '../domains/commissions/sheets.service';
import { contracts } from '../domains/contracts/contracts.tables';
import { customers } from '../domains/customers/customers.tables';
import { mondayOf, submitTimesheet } from '../domains/engagements/timesheets.service';
import { timesheetWeeks } from '../domains/engagements/timesheets.tables';
import { fromHundredths, toHundredths } from '../domains/opportunities/quotes.service';
import { createReceipt } from '../domains/receivables/receipts.service';
import { loadActor } from '../domains/staff/actors';
import { businessLines, users } from '../domains/staff/staff.tables';
import { createWorkflow } from '../domains/workflows/definitions.service';
import { decide } from '../domains/workflows/engine.service';
import { workflowAssignments, workflowInstances } from '../domains/workflows/workflows.tables';
import { addDays, FIRM_TIME_ZONE, localDate } from '../lib/time';
import { demoCommissionRules } from './demo-commission-rules';

/** The policy's effective date: a month from then on counts under it. */
const EFFECTIVE_FROM = '2026-01-01';

/**
 * The demo firm's commissions 佣金, set up through the services as the people would: `admin` adopts the 2026 policy
 * (demo-commission-rules.ts, in force from 2026-01-01) and the five-step flow of kind commission-sheet (after ① by
 * the sheet's owner: ② 会计处理 and ④ 财务核对 and ⑤ 佣金发放 by finance, ③ 项目负责人分配处理 by the project lead,
 * who may return it to ②); the engagement's project lead 周杰 approves last week's time of his team (so the
 * engagement has approved hours to count); `finance` records the down payment of sales1's oldest signed audit
 * contract on the first day of last month, and sales1 drafts that contract's sheet 分配表 of last month.
 * After seedDemoRevenue, seedDemoEngagements and seedDemoApprovals (the timesheet flow).
 */
export async function seedDemoCommissions(tx: JobsTx): Promise<void> {
  const people = new Map(
    (
      await tx.db
        .select({ id: users.id, username: users.username })
        .from(users)
        .where(inArray(users.username, ['admin', 'exec', 'finance', 'sales1', 'zhoujie', 'wufang']))
    ).map((u) => [u.username, u.id]),
  );
  if (people.size < 6) return;
  const as = async (userId: string): Promise<Ctx> => ({
    ...tx,
    actor: (await loadActor(tx.db, userId))!,
    requestId: 'demo',
  });
  const admin = await as(people.get('admin')!);
  const lines = new Map(
    (await tx.db.select({ id: businessLines.id, code: businessLines.code }).from(businessLines)).map((l) => [
      l.code,
      l.id,
    ]),
  );
  if (!['SJ', 'YZ', 'DZ', 'GC'].every((code) => lines.has(code))) return;
  const policy = await createPolicy(
    admin,
    PolicyInput.parse({
      name: '2026年佣金政策',
      effectiveFrom: EFFECTIVE_FROM,
      note: '承接提成按到款分档；审计、验资项目组按奖金池分配；代理记账顾问与普通业务人员分别计提。',
      rules: demoCommissionRules((code) => lines.get(code)!),
    }),
  );
  await adoptPolicy(admin, policy.id);

  const finance = { kind: 'role' as const, roleCode: 'finance' };
  await createWorkflow(admin, {
    subjectKind: 'commission-sheet',
    nameZh: '佣金分配五步流程',
    nameEn: 'Commission sheet (five steps)',
    priority: 100,
    conditions: [],
    steps: [
      { nameZh: '会计处理', nameEn: 'Accounting', assignee: finance, timeLimitHours: 48 },
      {
        nameZh: '项目负责人分配处理',
        nameEn: 'Project lead split',
        assignee: { kind: 'relation', relation: 'project-lead' },
        timeLimitHours: 48,
        returnTo: [1],
      },
      { nameZh: '财务核对', nameEn: 'Finance check', assignee: finance, timeLimitHours: 48, returnTo: [1, 2] },
      { nameZh: '佣金发放', nameEn: 'Payout', assignee: finance, timeLimitHours: 72, returnTo: [3] },
    ],
    fallbackUserId: people.get('exec')!,
  });

  // Last week's time of the engagement's team, submitted and approved by whoever the timesheet flow names.
  const today = localDate(new Date(), FIRM_TIME_ZONE);
  const lastWeek = addDays(mondayOf(today), -7);
  for (const username of ['zhoujie', 'wufang']) {
    const userId = people.get(username)!;
    const [saved] = await tx.db
      .select({ id: timesheetWeeks.id })
      .from(timesheetWeeks)
      .where(
        and(
          eq(timesheetWeeks.userId, userId),
          eq(timesheetWeeks.weekStart, lastWeek),
          eq(timesheetWeeks.status, 'open'),
        ),
      );
    if (!saved) continue;
    const week = await submitTimesheet(await as(userId), lastWeek);
    if (!week.approval) continue;
    const [holder] = await tx.db
      .select({ userId: workflowAssignments.userId })
      .from(workflowAssignments)
      .innerJoin(workflowInstances, eq(workflowInstances.id, workflowAssignments.instanceId))
      .where(
        and(
          eq(workflowAssignments.instanceId, week.approval.instanceId),
          eq(workflowAssignments.round, workflowInstances.round),
          eq(workflowAssignments.open, true),
        ),
      )
      .limit(1);
    if (holder)
      await decide(await as(holder.userId), week.approval.instanceId, { action: 'approve', comment: '工时属实' });
  }

  // Last month's sheet of sales1's oldest signed contract: its down payment received on the month's first day.
  const lastMonth = addDays(`${today.slice(0, 7)}-01`, -1).slice(0, 7);
  if (`${lastMonth}-01` < EFFECTIVE_FROM) return;
  const [contract] = await tx.db
    .select({ id: contracts.id, amount: contracts.amount, signedOn: contracts.signedOn, payer: customers.name })
    .from(contracts)
    .innerJoin(customers, eq(customers.id, contracts.customerId))
    .where(and(eq(contracts.ownerId, people.get('sales1')!), isNotNull(contracts.signedOn)))
    .orderBy(asc(contracts.signedOn), asc(contracts.id))
    .limit(1);
  const receivedOn = `${lastMonth}-01`;
  if (!contract?.signedOn || contract.signedOn > receivedOn) return;
  await createReceipt(await as(people.get('finance')!), {
    contractId: contract.id,
    receivedOn,
    amount: fromHundredths(toHundredths(contract.amount) / 2n),
    payer: contract.payer,
    bankReference: 'DEMO-0001',
    allocation: 'auto',
    holdExcess: false,
  });
  await draftSheet(await as(people.get('sales1')!), { contractId: contract.id, period: lastMonth });
}
