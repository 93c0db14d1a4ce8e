import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Ctx, JobsTx } from '../context';
import { opportunities } from '../domains/opportunities/opportunities.tables';
import { createQuote, submitQuote } from '../domains/opportunities/quotes.service';
import { loadActor } from '../domains/staff/actors';
import { users } from '../domains/staff/staff.tables';
import { createWorkflow } from '../domains/workflows/definitions.service';
import { decide } from '../domains/workflows/engine.service';

/**
 * The demo firm's approval flows and a few approvals in every state, made through the services as the
 * people would: quote discounts over 10% go to the department manager (and, from ¥100,000, then to a
 * partner); independence exceptions to a partner; a week of time 工时 to the project lead. sales1 has three
 * discounted quotes: one waits for `manager`, one he approved, one he rejected.
 */
export async function seedDemoApprovals(tx: JobsTx): Promise<void> {
  const people = new Map(
    (
      await tx.db
        .select({ id: users.id, username: users.username })
        .from(users)
        .where(inArray(users.username, ['admin', 'exec', 'manager', 'sales1']))
    ).map((u) => [u.username, u.id]),
  );
  const as = async (username: string): Promise<Ctx> => ({
    ...tx,
    actor: (await loadActor(tx.db, people.get(username)!))!,
    requestId: 'demo',
  });
  const admin = await as('admin');
  const manager = {
    nameZh: '部门经理审批',
    nameEn: 'Department manager',
    assignee: { kind: 'role-in-department' as const, roleCode: 'manager' },
  };
  const partner = {
    nameZh: '合伙人审批',
    nameEn: 'Partner',
    assignee: { kind: 'role' as const, roleCode: 'executive' },
  };
  await createWorkflow(admin, {
    subjectKind: 'quote',
    nameZh: '大额报价折扣审批',
    nameEn: 'Large quote discount',
    priority: 10,
    conditions: [
      { field: 'discountPercent', op: 'gt', value: '10' },
      { field: 'total', op: 'gte', value: '100000.00' },
    ],
    steps: [
      { ...manager, timeLimitHours: 24 },
      { ...partner, timeLimitHours: 48, returnTo: [1] },
    ],
    fallbackUserId: people.get('exec')!,
  });
  await createWorkflow(admin, {
    subjectKind: 'quote',
    nameZh: '报价折扣审批',
    nameEn: 'Quote discount',
    priority: 100,
    conditions: [{ field: 'discountPercent', op: 'gt', value: '10' }],
    steps: [{ ...manager, timeLimitHours: 24 }],
    fallbackUserId: people.get('exec')!,
  });
  await createWorkflow(admin, {
    subjectKind: 'independence-override',
    nameZh: '独立性例外审批',
    nameEn: 'Independence exception',
    steps: [{ ...partner, timeLimitHours: 48 }],
    fallbackUserId: people.get('exec')!,
  });
  // A week of time 工时: the project lead of the week's main engagement (else the person's manager) approves.
  await createWorkflow(admin, {
    subjectKind: 'timesheet',
    nameZh: '工时审批',
    nameEn: 'Timesheet approval',
    steps: [
      {
        nameZh: '项目负责人审批',
        nameEn: 'Project lead',
        assignee: { kind: 'relation', relation: 'project-lead' },
        timeLimitHours: 72,
      },
    ],
    fallbackUserId: people.get('exec')!,
  });

  const sales1 = await as('sales1');
  const open = await tx.db
    .select({ id: opportunities.id, name: opportunities.name })
    .from(opportunities)
    .where(and(eq(opportunities.ownerId, people.get('sales1')!), eq(opportunities.status, 'open')))
    .orderBy(asc(opportunities.createdAt), asc(opportunities.id))
    .limit(3);
  const reviewer = await as('manager');
  const outcomes = [null, 'approve', 'reject'] as const;
  for (const [i, opportunity] of open.entries()) {
    const quote = await createQuote(sales1, opportunity.id, {
      notes: '老客户续约，按标准收费八五折',
      items: [
        { description: '年度财务报表审计', quantity: '1', unitPrice: '42500', listUnitPrice: '50000' },
        { description: '专项审计报告', quantity: '1', unitPrice: '8500', listUnitPrice: '10000' },
      ],
    });
    const submitted = await submitQuote(sales1, opportunity.id, quote.id);
    const outcome = outcomes[i];
    if (outcome) {
      await decide(reviewer, submitted.approval.instanceId!, {
        action: outcome,
        comment: outcome === 'approve' ? '客户合作多年，同意按八五折报价' : '折扣过大，请按九折以内重新报价',
      });
    }
  }
}
