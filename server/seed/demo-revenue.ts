import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Ctx, JobsTx } from '../context';
import { createContract, signContract, submitContract } from '../domains/contracts/contracts.service';
import { completeOrder, confirmOrder, createOrder } from '../domains/contracts/orders.service';
import { contracts } from '../domains/contracts/contracts.tables';
import { createSeries } from '../domains/numbering/numbering.service';
import { customers } from '../domains/customers/customers.tables';
import { createOpportunity } from '../domains/opportunities/opportunities.service';
import { opportunities, opportunityStageChanges, pipelineStages } from '../domains/opportunities/opportunities.tables';
import { changeQuoteStatus, createQuote, fromHundredths, toHundredths } from '../domains/opportunities/quotes.service';
import { loadActor } from '../domains/staff/actors';
import { businessLines, users } from '../domains/staff/staff.tables';
import { createWorkflow } from '../domains/workflows/definitions.service';
import { decide } from '../domains/workflows/engine.service';

const DAY = 86_400_000;

/** [name, customer, business line code, [service, fee][], won days ago] — sales1's customers. */
const WON_DEALS: [string, string, string, [string, string][], number][] = [
  [
    '2025 年度财务报表审计',
    '陕西秦岭机械制造股份有限公司',
    'SJ',
    [
      ['年度财务报表审计', '128000.00'],
      ['内部控制审计', '30000.00'],
    ],
    130,
  ],
  ['2025 年度审计', '宝鸡渭河水务集团有限公司', 'SJ', [['年度财务报表审计', '46000.00']], 45],
  ['高新技术企业专项审计', '西安高新区创新科技有限公司', 'SJ', [['高新技术企业专项审计', '18000.00']], 8],
  ['股权转让资产评估', '西安华达建设工程有限公司', 'PG', [['股东全部权益价值评估', '35000.00']], 3],
];
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);

/**
 * The demo firm's revenue cycle after a deal is won, made through the services as the people would: number
 * series per business line (审计 SJ-{yyyy}-{seq:4} …), the contract approval flows (部门经理; from ¥100,000 also
 * a partner), and four deals sales1 won, as contracts in every state — signed months ago with its work completed
 * (the final payment due), signed and in progress, one waiting for `manager`'s approval, one draft.
 */
export async function seedDemoRevenue(tx: JobsTx): Promise<void> {
  const people = new Map(
    (
      await tx.db
        .select({ id: users.id, username: users.username })
        .from(users)
        .where(inArray(users.username, ['admin', 'exec', 'manager', 'sales1', 'sales2']))
    ).map((u) => [u.username, u.id]),
  );
  const as = async (username: string): Promise<Ctx> => ({
    ...tx,
    actor: (await loadActor(tx.db, people.get(username)!))!,
    requestId: 'demo',
  });
  const admin = await as('admin');
  const lines = new Map(
    (await tx.db.select({ id: businessLines.id, code: businessLines.code }).from(businessLines)).map((l) => [
      l.code,
      l.id,
    ]),
  );
  for (const [code, name] of [
    ['SJ', '审计业务约定书'],
    ['PG', '资产评估委托合同'],
    ['DZ', '代理记账委托合同'],
  ] as const) {
    if (!lines.has(code)) continue;
    await createSeries(admin, {
      kind: 'contract',
      businessLineId: lines.get(code)!,
      name,
      pattern: `${code}-{yyyy}-{seq:4}`,
    });
  }

  const manager = {
    nameZh: '部门经理审批',
    nameEn: 'Department manager',
    assignee: { kind: 'role-in-department' as const, roleCode: 'manager' },
    mode: 'any' as const,
    returnTo: [],
    timeLimitHours: 24,
  };
  await createWorkflow(admin, {
    subjectKind: 'contract',
    nameZh: '大额合同审批',
    nameEn: 'Large contract',
    priority: 10,
    conditions: [{ field: 'amount', op: 'gte', value: '100000.00' }],
    steps: [
      manager,
      {
        nameZh: '合伙人审批',
        nameEn: 'Partner',
        assignee: { kind: 'role', roleCode: 'executive' },
        mode: 'any',
        returnTo: [1],
        timeLimitHours: 48,
      },
    ],
    fallbackUserId: people.get('exec')!,
  });
  await createWorkflow(admin, {
    subjectKind: 'contract',
    nameZh: '合同审批',
    nameEn: 'Contract',
    priority: 100,
    conditions: [],
    steps: [manager],
    fallbackUserId: people.get('exec')!,
  });

  // Four deals sales1 won in the past months, each with its accepted quote; each becomes a contract in a later state.
  const sales1 = await as('sales1');
  const reviewer = await as('manager');
  const won = [];
  for (const [name, customer, code, items, closedDaysAgo] of WON_DEALS) {
    const [{ id: customerId }] = await tx.db
      .select({ id: customers.id })
      .from(customers)
      .where(eq(customers.name, customer));
    const opportunity = await createOpportunity(sales1, {
      name,
      customerId,
      businessLineId: lines.get(code)!,
      expectedAmount: fromHundredths(items.reduce((sum, [, fee]) => sum + toHundredths(fee), 0n)),
    });
    const quote = await createQuote(sales1, opportunity.id, {
      items: items.map(([description, fee]) => ({ description, quantity: '1', unitPrice: fee })),
    });
    await changeQuoteStatus(sales1, opportunity.id, quote.id, 'accepted');
    const [wonStage] = await tx.db
      .select({ id: pipelineStages.id })
      .from(pipelineStages)
      .where(and(isNull(pipelineStages.businessLineId), eq(pipelineStages.kind, 'won')));
    const closedAt = new Date(Date.now() - closedDaysAgo * DAY);
    await tx.db
      .update(opportunities)
      .set({ status: 'won', stageId: wonStage.id, probability: 100, closedAt, stageEnteredAt: closedAt })
      .where(eq(opportunities.id, opportunity.id));
    await tx.db.insert(opportunityStageChanges).values({
      opportunityId: opportunity.id,
      fromStageId: opportunity.stageId,
      toStageId: wonStage.id,
      fromStatus: 'open',
      toStatus: 'won',
      at: closedAt,
      byUserId: people.get('sales1')!,
    });
    won.push(opportunity);
  }
  const halves = [
    { kind: 'down-payment' as const, percent: '50', trigger: 'signing' as const },
    { kind: 'final' as const, percent: '50', trigger: 'days-after-completion' as const, triggerDays: 15 },
  ];
  const partner = await as('exec');
  // The manager approves; a large contract then goes on to a partner.
  const approve = async (contractId: string) => {
    const submitted = await submitContract(sales1, contractId);
    if (submitted.status !== 'in-approval') return;
    await decide(reviewer, submitted.approval.instanceId!, { action: 'approve', comment: '条款已核对，同意签订' });
    const [{ status }] = await tx.db
      .select({ status: contracts.status })
      .from(contracts)
      .where(eq(contracts.id, contractId));
    if (status === 'in-approval')
      await decide(partner, submitted.approval.instanceId!, { action: 'approve', comment: '同意' });
  };
  for (const [i, opportunity] of won.entries()) {
    const contract = await createContract(sales1, { opportunityId: opportunity.id, terms: halves });
    if (i === 3) continue; // a draft
    if (i === 2) {
      await submitContract(sales1, contract.id); // waits for manager
      continue;
    }
    await approve(contract.id);
    await signContract(sales1, contract.id, { signedOn: daysAgo(i === 0 ? 120 : 40) });
    const order = await createOrder(sales1, { contractId: contract.id });
    await confirmOrder(sales1, order.id);
    if (i === 0) await completeOrder(sales1, order.id, daysAgo(60));
  }
}
