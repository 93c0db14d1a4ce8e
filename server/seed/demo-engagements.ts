import { and, asc, eq, inArray } from 'drizzle-orm';
import { EngagementCreate, EngagementTemplateInput, type TemplatePhaseInput } from '../../common/schemas/engagements';
import type { Ctx, JobsTx } from '../context';
import { orders } from '../domains/contracts/contracts.tables';
import { createEngagements, setMembers } from '../domains/engagements/engagements.service';
import { setTaskStatus, updateTask } from '../domains/engagements/tasks.service';
import { mondayOf, saveTimesheet } from '../domains/engagements/timesheets.service';
import { today } from '../domains/contracts/contracts.service';
import { addDays } from '../lib/time';
import { createTemplate } from '../domains/engagements/templates.service';
import { loadActor } from '../domains/staff/actors';
import { businessLines, users } from '../domains/staff/staff.tables';

/**
 * The demo firm's engagement templates 业务模板, made through the service as an administrator would: 审计 (with the
 * three-level review 三级复核 and the report signed by two CPAs), 验资, 资产评估, 工程预结算审价, 税务咨询 (鉴证) and
 * 代理记账 (a monthly cycle). Planned hours are in quarter hours.
 */

type Task = NonNullable<TemplatePhaseInput['tasks']>[number];
const task = (title: string, role: Task['role'], plannedHours: string): Task => ({ title, role, plannedHours });

const AUDIT: Omit<EngagementTemplateInput, 'businessLineId'> = {
  name: '年度财务报表审计',
  note: '适用于企业年度财务报表审计；三级复核：项目经理 → 部门经理 → 主任会计师（合伙人）',
  phases: [
    {
      name: '业务承接',
      durationDays: 5,
      roles: ['manager'],
      tasks: [
        task('初步业务活动及独立性评价', 'manager', '2'),
        task('与前任注册会计师沟通', 'manager', '1'),
        task('签订业务约定书', 'manager', '1'),
      ],
    },
    {
      name: '审计计划',
      durationDays: 7,
      roles: ['manager', 'assistant'],
      qualification: 'cpa',
      tasks: [
        task('了解被审计单位及其环境', 'assistant', '8'),
        task('实施风险评估程序', 'manager', '6'),
        task('确定重要性水平', 'manager', '2'),
        task('编制总体审计策略和具体审计计划', 'manager', '4'),
      ],
    },
    {
      name: '现场审计',
      durationDays: 15,
      roles: ['manager', 'assistant'],
      tasks: [
        task('函证银行存款和往来款项', 'assistant', '12'),
        task('存货监盘', 'assistant', '8'),
        task('固定资产盘点', 'assistant', '6'),
        task('收入与成本的实质性程序', 'assistant', '16'),
        task('编制审计工作底稿', 'assistant', '24'),
        task('汇总审计差异', 'manager', '4'),
        task('与管理层沟通审计调整事项', 'manager', '2.5'),
      ],
    },
    {
      name: '三级复核',
      kind: 'review',
      durationDays: 7,
      roles: ['manager', 'reviewer'],
      qualification: 'cpa',
      tasks: [
        task('项目经理复核', 'manager', '4'),
        task('部门经理复核', 'reviewer', '3'),
        task('主任会计师复核', 'reviewer', '2'),
      ],
    },
    {
      name: '出具报告',
      kind: 'report',
      durationDays: 3,
      roles: ['signing-cpa'],
      qualification: 'cpa',
      tasks: [task('编制审计报告及财务报表附注', 'manager', '6'), task('签字注册会计师签发报告', 'signing-cpa', '1')],
    },
    {
      name: '归档',
      kind: 'archive',
      durationDays: 60,
      roles: ['assistant'],
      tasks: [task('审计工作底稿整理归档', 'assistant', '4')],
    },
  ],
};

const CAPITAL_VERIFICATION: Omit<EngagementTemplateInput, 'businessLineId'> = {
  name: '注册资本实收情况验资',
  phases: [
    {
      name: '业务承接',
      durationDays: 2,
      roles: ['manager'],
      tasks: [task('签订业务约定书', 'manager', '1')],
    },
    {
      name: '验资实施',
      durationDays: 3,
      roles: ['manager', 'assistant'],
      qualification: 'cpa',
      tasks: [
        task('检查出资协议、章程及出资凭证', 'assistant', '3'),
        task('向银行函证出资款项', 'assistant', '1.5'),
        task('核实实物及无形资产出资', 'assistant', '2'),
      ],
    },
    {
      name: '复核',
      kind: 'review',
      durationDays: 2,
      roles: ['reviewer'],
      qualification: 'cpa',
      tasks: [task('项目复核', 'reviewer', '1.5')],
    },
    {
      name: '出具报告',
      kind: 'report',
      durationDays: 1,
      roles: ['signing-cpa'],
      qualification: 'cpa',
      tasks: [task('出具验资报告', 'signing-cpa', '1')],
    },
    {
      name: '归档',
      kind: 'archive',
      durationDays: 30,
      roles: ['assistant'],
      tasks: [task('验资底稿归档', 'assistant', '1')],
    },
  ],
};

const APPRAISAL: Omit<EngagementTemplateInput, 'businessLineId'> = {
  name: '企业价值评估',
  note: '评定估算采用收益法与市场法，报告由两名资产评估师签字',
  phases: [
    {
      name: '评估准备',
      durationDays: 5,
      roles: ['manager', 'appraiser'],
      qualification: 'asset-appraiser',
      tasks: [
        task('签订资产评估委托合同', 'manager', '1'),
        task('制定评估计划', 'appraiser', '3'),
        task('指导委托方清查资产、准备资料', 'appraiser', '4'),
      ],
    },
    {
      name: '现场勘查',
      durationDays: 7,
      roles: ['appraiser', 'assistant'],
      qualification: 'asset-appraiser',
      tasks: [task('资产核实与现场勘查', 'appraiser', '16'), task('收集评估资料', 'assistant', '8')],
    },
    {
      name: '评定估算',
      durationDays: 10,
      roles: ['appraiser', 'assistant'],
      qualification: 'asset-appraiser',
      tasks: [
        task('选择评估方法', 'appraiser', '2'),
        task('收益法与市场法测算', 'appraiser', '16'),
        task('编制评估明细表', 'assistant', '12'),
      ],
    },
    {
      name: '内部审核',
      kind: 'review',
      durationDays: 5,
      roles: ['manager', 'reviewer'],
      qualification: 'asset-appraiser',
      tasks: [task('项目负责人复核', 'manager', '3'), task('质量控制部门审核', 'reviewer', '4')],
    },
    {
      name: '出具报告',
      kind: 'report',
      durationDays: 3,
      roles: ['appraiser'],
      qualification: 'asset-appraiser',
      tasks: [task('撰写并出具资产评估报告', 'appraiser', '6')],
    },
    {
      name: '归档',
      kind: 'archive',
      durationDays: 30,
      roles: ['assistant'],
      tasks: [task('评估档案归档', 'assistant', '3')],
    },
  ],
};

const COST_REVIEW: Omit<EngagementTemplateInput, 'businessLineId'> = {
  name: '工程结算审核',
  phases: [
    {
      name: '资料收集',
      durationDays: 3,
      roles: ['cost-engineer', 'assistant'],
      tasks: [task('接收结算资料并登记', 'assistant', '2'), task('核对施工合同、变更及签证', 'cost-engineer', '6')],
    },
    {
      name: '现场踏勘',
      durationDays: 2,
      roles: ['cost-engineer'],
      qualification: 'cost-engineer',
      tasks: [task('现场踏勘与隐蔽工程核实', 'cost-engineer', '6')],
    },
    {
      name: '工程量核对',
      durationDays: 10,
      roles: ['cost-engineer', 'assistant'],
      qualification: 'cost-engineer',
      tasks: [
        task('土建工程量计算核对', 'cost-engineer', '24'),
        task('安装工程量计算核对', 'cost-engineer', '16'),
        task('编制工程量核对表', 'assistant', '6'),
      ],
    },
    {
      name: '计价审核',
      durationDays: 7,
      roles: ['cost-engineer', 'manager'],
      qualification: 'cost-engineer',
      tasks: [
        task('定额套用与取费审核', 'cost-engineer', '12'),
        task('材料价格审核', 'cost-engineer', '8'),
        task('与施工单位核对审减差异', 'manager', '6'),
      ],
    },
    {
      name: '三级复核',
      kind: 'review',
      durationDays: 5,
      roles: ['manager', 'reviewer'],
      qualification: 'cost-engineer',
      tasks: [
        task('项目负责人复核', 'manager', '3'),
        task('部门经理复核', 'reviewer', '2'),
        task('总工程师复核', 'reviewer', '2'),
      ],
    },
    {
      name: '出具报告',
      kind: 'report',
      durationDays: 2,
      roles: ['cost-engineer'],
      qualification: 'cost-engineer',
      tasks: [task('出具结算审核报告及定案表', 'cost-engineer', '4')],
    },
    {
      name: '归档',
      kind: 'archive',
      durationDays: 30,
      roles: ['assistant'],
      tasks: [task('审价资料归档', 'assistant', '2')],
    },
  ],
};

const TAX: Omit<EngagementTemplateInput, 'businessLineId'> = {
  name: '企业所得税汇算清缴鉴证',
  phases: [
    {
      name: '业务承接',
      durationDays: 2,
      roles: ['manager'],
      tasks: [task('签订涉税鉴证业务约定书', 'manager', '1')],
    },
    {
      name: '鉴证实施',
      durationDays: 10,
      roles: ['manager', 'assistant'],
      qualification: 'tax-agent',
      tasks: [
        task('收入、成本及扣除项目核查', 'assistant', '12'),
        task('纳税调整项目测算', 'manager', '6'),
        task('填报年度纳税申报表', 'assistant', '4'),
      ],
    },
    {
      name: '复核',
      kind: 'review',
      durationDays: 3,
      roles: ['reviewer'],
      qualification: 'tax-agent',
      tasks: [task('税务师复核', 'reviewer', '2')],
    },
    {
      name: '出具报告',
      kind: 'report',
      durationDays: 2,
      roles: ['manager'],
      qualification: 'tax-agent',
      tasks: [task('出具鉴证报告', 'manager', '2')],
    },
    {
      name: '归档',
      kind: 'archive',
      durationDays: 30,
      roles: ['assistant'],
      tasks: [task('鉴证底稿归档', 'assistant', '1')],
    },
  ],
};

const BOOKKEEPING: Omit<EngagementTemplateInput, 'businessLineId'> = {
  name: '代理记账（按月）',
  cycle: 'monthly',
  note: '每月循环：收票 → 记账 → 报税 → 装订；次月 15 日前完成申报',
  phases: [
    {
      name: '收票',
      durationDays: 5,
      roles: ['bookkeeper'],
      tasks: [task('收取客户当月票据', 'bookkeeper', '1'), task('票据审核与整理', 'bookkeeper', '1.5')],
    },
    {
      name: '记账',
      durationDays: 5,
      roles: ['bookkeeper'],
      tasks: [
        task('编制记账凭证', 'bookkeeper', '4'),
        task('登记账簿、结账', 'bookkeeper', '1.5'),
        task('编制月度财务报表', 'bookkeeper', '1'),
      ],
    },
    {
      name: '报税',
      durationDays: 5,
      roles: ['bookkeeper'],
      tasks: [
        task('增值税及附加税费申报', 'bookkeeper', '1'),
        task('个人所得税扣缴申报', 'bookkeeper', '0.5'),
        task('企业所得税季度预缴申报', 'bookkeeper', '0.75'),
      ],
    },
    {
      name: '装订',
      durationDays: 5,
      roles: ['assistant'],
      tasks: [task('凭证及账簿装订', 'assistant', '1')],
    },
  ],
};

/** [business line code, template]: the lines the demo firm has templates for (招投标代理 and 工程咨询 have none yet). */
const DEMO_TEMPLATES: [string, Omit<EngagementTemplateInput, 'businessLineId'>][] = [
  ['SJ', AUDIT],
  ['YZ', CAPITAL_VERIFICATION],
  ['PG', APPRAISAL],
  ['GC', COST_REVIEW],
  ['SW', TAX],
  ['DZ', BOOKKEEPING],
];

/** Makes the demo's engagement templates as the administrator (the business lines and users exist). */
export async function seedEngagementTemplates(tx: JobsTx): Promise<void> {
  const [admin] = await tx.db.select({ id: users.id }).from(users).where(eq(users.username, 'admin'));
  const ctx: Ctx = { ...tx, actor: (await loadActor(tx.db, admin.id))!, requestId: 'demo' };
  const lines = await tx.db
    .select({ id: businessLines.id, code: businessLines.code })
    .from(businessLines)
    .where(
      inArray(
        businessLines.code,
        DEMO_TEMPLATES.map(([code]) => code),
      ),
    );
  const lineIds = new Map(lines.map((l) => [l.code, l.id]));
  for (const [code, template] of DEMO_TEMPLATES) {
    const businessLineId = lineIds.get(code);
    // Read as the API reads a request (defaults filled, hours checked).
    if (businessLineId) await createTemplate(ctx, EngagementTemplateInput.parse({ ...template, businessLineId }));
  }
}

const DAY_MS = 24 * 3600_000;
const dayFromNow = (n: number) => new Date(Date.now() + n * DAY_MS).toISOString().slice(0, 10);

/**
 * The demo's engagement 业务项目: sales1's confirmed audit order, made into an engagement by `manager` (王建国) and
 * led by 周杰 (a practising CPA of 审计一部), with 吴芳 as assistant; its first phase done, the second under way —
 * so the 项目人员 see their work orders 工单 on Today; and last week's time of both. After seedDemoRevenue (the order) and the templates.
 */
export async function seedDemoEngagements(tx: JobsTx): Promise<void> {
  const people = new Map(
    (
      await tx.db
        .select({ id: users.id, username: users.username })
        .from(users)
        .where(inArray(users.username, ['manager', 'zhoujie', 'wufang']))
    ).map((u) => [u.username, u.id]),
  );
  if (people.size < 3) return;
  const as = async (username: string): Promise<Ctx> => ({
    ...tx,
    actor: (await loadActor(tx.db, people.get(username)!))!,
    requestId: 'demo',
  });
  const manager = await as('manager');
  const [order] = await tx.db
    .select({ id: orders.id })
    .from(orders)
    .innerJoin(users, eq(users.id, orders.ownerId))
    .where(and(eq(orders.status, 'confirmed'), eq(users.username, 'sales1')))
    .orderBy(asc(orders.createdAt))
    .limit(1);
  if (!order) return;
  const [engagement] = (
    await createEngagements(
      manager,
      EngagementCreate.parse({
        orderId: order.id,
        merge: true,
        leadId: people.get('zhoujie'),
        startsOn: dayFromNow(-9),
      }),
    )
  ).items;
  const lead = await as('zhoujie');
  const assistant = await as('wufang');
  await setMembers(lead, engagement.id, {
    members: [
      { userId: people.get('zhoujie')!, roles: ['manager', 'signing-cpa'] },
      { userId: people.get('manager')!, roles: ['reviewer', 'signing-cpa'] },
      { userId: people.get('wufang')!, roles: ['assistant'] },
    ],
  });
  const [first, second] = engagement.phases;
  // 业务承接: done by the lead.
  for (const task of first.tasks) {
    await updateTask(lead, task.id, { assigneeId: people.get('zhoujie')! });
    await setTaskStatus(lead, task.id, 'done');
  }
  // 审计计划: the assistant's work orders due within the week (one started), the lead's planning after them.
  for (const [i, task] of second.tasks.entries()) {
    const mine = task.role === 'assistant';
    await updateTask(lead, task.id, {
      assigneeId: people.get(mine ? 'wufang' : 'zhoujie')!,
      dueOn: dayFromNow(mine ? 2 + i : 5 + i),
    });
    if (mine && i === 0) await setTaskStatus(assistant, task.id, 'in-progress');
  }
  // Last week's time 工时 (saved, not yet submitted): what the workload, the timesheet and the budget show.
  const lastWeek = addDays(mondayOf(today()), -7);
  const week = (hours: string[]) => Object.fromEntries(hours.map((h, i) => [addDays(lastWeek, i), h]));
  const onEngagement = { engagementId: engagement.id, category: 'engagement' as const, billable: true };
  await saveTimesheet(lead, lastWeek, {
    rows: [
      { ...onEngagement, taskId: first.tasks[0]?.id ?? null, hours: week(['6', '6', '7', '7.5', '6']) },
      { category: 'internal', billable: false, note: '所务会', hours: week(['1', '1', '0', '0', '1']) },
    ],
  });
  await saveTimesheet(assistant, lastWeek, {
    rows: [
      {
        ...onEngagement,
        taskId: second.tasks.find((t) => t.role === 'assistant')?.id ?? null,
        hours: week(['8', '8', '7.5', '8', '6.5']),
      },
      { category: 'training', billable: false, note: '继续教育：新收入准则', hours: week(['0', '0', '0', '0', '1.5']) },
    ],
  });
}
