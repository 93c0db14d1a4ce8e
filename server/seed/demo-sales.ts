import { eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { campaignBusinessLines, campaigns } from '../domains/campaigns/campaigns.tables';
import { customers } from '../domains/customers/customers.tables';
import {
  assignmentRuleMembers,
  assignmentRules,
  leadAssignments,
  leadStatusChanges,
  leads,
} from '../domains/leads/leads.tables';
import {
  acceptanceChecklists,
  businessLineConflicts,
  opportunities,
  opportunityMembers,
  opportunityStageChanges,
  pipelineStages,
  projectMilestones,
  projectTasks,
  quoteItems,
  quotes,
} from '../domains/opportunities/opportunities.tables';
import { businessLines, departments, regions, users } from '../domains/staff/staff.tables';
import { searchTextOf } from '../lib/search-text';

const day = 86_400_000;
const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/** The acceptance checklist 业务承接检查表 for audit and capital verification. */
export const DEMO_ACCEPTANCE = [
  {
    key: 'independence',
    labelZh: '独立性确认：项目组成员与客户无利害关系',
    labelEn: 'Independence confirmed: no team member has an interest in the client',
  },
  {
    key: 'integrity',
    labelZh: '客户诚信与管理层胜任能力评估',
    labelEn: 'Client integrity and management competence assessed',
  },
  { key: 'predecessor', labelZh: '已与前任注册会计师沟通', labelEn: 'Predecessor auditor contacted' },
  {
    key: 'competence',
    labelZh: '我所具备承接该业务的专业胜任能力与时间',
    labelEn: 'The firm has the competence and time for the engagement',
  },
];

/**
 * The demo firm's sales funnel: campaigns, assignment rules (西北 审计 goes to 李明 and 郑强 in
 * turn — 李明 is next), leads in every status with their history, and opportunities across the
 * pipeline (won and lost ones with reasons, one run as a project), checklists and a conflict pair.
 */
export async function seedDemoSales(db: Db, now = new Date()): Promise<void> {
  const userId = new Map(
    (await db.select({ id: users.id, username: users.username, departmentId: users.departmentId }).from(users)).map(
      (u) => [u.username, u],
    ),
  );
  const u = (name: string) => userId.get(name)!.id;
  const deptOf = (name: string) => userId.get(name)!.departmentId;
  const lineId = new Map((await db.select().from(businessLines)).map((l) => [l.code!, l.id]));
  const regionId = new Map((await db.select().from(regions)).map((r) => [r.name, r.id]));
  const deptId = new Map((await db.select().from(departments)).map((d) => [d.name, d.id]));
  const customerId = new Map(
    (await db.select({ id: customers.id, name: customers.name }).from(customers)).map((c) => [c.name, c.id]),
  );
  const stages = await db
    .select()
    .from(pipelineStages)
    .where(isNull(pipelineStages.businessLineId))
    .orderBy(pipelineStages.position);
  const stage = (nameZh: string) => stages.find((s) => s.nameZh === nameZh)!;
  const ago = (days: number, hours = 0) => new Date(now.getTime() - days * day - hours * 3_600_000);

  // Campaigns 市场活动
  const campaignRows = await db
    .insert(campaigns)
    .values([
      {
        name: '2026 年报审计政策研讨会',
        type: 'seminar',
        status: 'active',
        startsOn: isoDate(ago(20)),
        endsOn: isoDate(ago(19)),
        budget: '18000.00',
        ownerId: u('manager'),
        departmentId: deptOf('manager'),
        description: '面向西安高新区企业的年报审计新规解读',
        searchText: searchTextOf(['2026 年报审计政策研讨会']),
      },
      {
        name: '高新区企业税务筹划讲座',
        type: 'seminar',
        status: 'completed',
        startsOn: isoDate(ago(60)),
        endsOn: isoDate(ago(60)),
        budget: '8000.00',
        ownerId: u('sales2'),
        departmentId: deptOf('sales2'),
        searchText: searchTextOf(['高新区企业税务筹划讲座']),
      },
      {
        name: '老客户推荐计划',
        type: 'referral',
        status: 'active',
        startsOn: isoDate(ago(120)),
        ownerId: u('exec'),
        departmentId: deptOf('exec'),
        description: '老客户推荐新客户，成交后赠送一次税务健康检查',
        searchText: searchTextOf(['老客户推荐计划']),
      },
      {
        name: '官网在线咨询',
        type: 'web',
        status: 'active',
        startsOn: isoDate(ago(365)),
        ownerId: u('admin'),
        departmentId: deptOf('admin'),
        searchText: searchTextOf(['官网在线咨询']),
      },
    ])
    .returning();
  const [seminar, taxTalk, referral, web] = campaignRows;
  await db.insert(campaignBusinessLines).values([
    { campaignId: seminar.id, businessLineId: lineId.get('SJ')! },
    { campaignId: seminar.id, businessLineId: lineId.get('YZ')! },
    { campaignId: taxTalk.id, businessLineId: lineId.get('SW')! },
    { campaignId: referral.id, businessLineId: lineId.get('SJ')! },
    { campaignId: referral.id, businessLineId: lineId.get('DZ')! },
  ]);

  // Assignment rules: 西北 审计 → 李明, 郑强 in turn (the last lead went to 郑强, so 李明 is next).
  const [northwestAudit, eastTax, northAudit, capital] = await db
    .insert(assignmentRules)
    .values([
      {
        name: '西北 · 审计',
        position: 0,
        businessLineId: lineId.get('SJ'),
        regionId: regionId.get('西北'),
        strategy: 'round-robin',
        queueDepartmentId: deptId.get('审计一部'),
        cursor: 1,
        createdBy: u('admin'),
      },
      {
        name: '华东 · 税务咨询',
        position: 1,
        businessLineId: lineId.get('SW'),
        regionId: regionId.get('华东'),
        strategy: 'least-open',
        queueDepartmentId: deptId.get('税务部'),
        createdBy: u('admin'),
      },
      {
        name: '华北 · 审计',
        position: 2,
        businessLineId: lineId.get('SJ'),
        regionId: regionId.get('华北'),
        strategy: 'round-robin',
        queueDepartmentId: deptId.get('审计二部'),
        createdBy: u('admin'),
      },
      {
        name: '西北 · 验资',
        position: 3,
        businessLineId: lineId.get('YZ'),
        regionId: regionId.get('西北'),
        strategy: 'least-open',
        queueDepartmentId: deptId.get('审计一部'),
        createdBy: u('admin'),
      },
    ])
    .returning();
  await db.insert(assignmentRuleMembers).values([
    { ruleId: northwestAudit.id, userId: u('sales1'), position: 0 },
    { ruleId: northwestAudit.id, userId: u('zhengqiang'), position: 1 },
    { ruleId: eastTax.id, userId: u('sales2'), position: 0 },
    { ruleId: eastTax.id, userId: u('dengchao'), position: 1 },
    { ruleId: northAudit.id, userId: u('maqing'), position: 0 },
    { ruleId: capital.id, userId: u('sales1'), position: 0 },
    { ruleId: capital.id, userId: u('zhengqiang'), position: 1 },
  ]);

  // Leads 销售线索: [company, contact, phone, line, region, campaign, status, owner (null = queue), queue dept, rule, days ago, disqualify reason]
  type L = [
    string,
    string,
    string,
    string,
    string,
    typeof seminar | null,
    'new' | 'contacting' | 'qualified' | 'disqualified',
    string | null,
    string | null,
    typeof northwestAudit | null,
    number,
    string?,
  ];
  const LEADS: L[] = [
    [
      '西安曲江文化产业投资有限公司',
      '孙经理',
      '13892010001',
      'SJ',
      '西北',
      seminar,
      'contacting',
      'sales1',
      null,
      northwestAudit,
      18,
    ],
    [
      '陕西汉唐建材有限公司',
      '周会计',
      '13892010002',
      'SJ',
      '西北',
      seminar,
      'new',
      'zhengqiang',
      null,
      northwestAudit,
      2,
    ],
    [
      '西安灞桥新能源科技有限公司',
      '钱总',
      '13892010003',
      'YZ',
      '西北',
      seminar,
      'qualified',
      'sales1',
      null,
      capital,
      15,
    ],
    [
      '铜川矿业机械有限公司',
      '冯主任',
      '13892010004',
      'SJ',
      '西北',
      referral,
      'disqualified',
      'sales1',
      null,
      null,
      40,
      '已与其他事务所签订三年审计合同',
    ],
    [
      '上海陆家嘴商务咨询有限公司',
      '陈女士',
      '13892010005',
      'SW',
      '华东',
      taxTalk,
      'contacting',
      'sales2',
      null,
      eastTax,
      50,
    ],
    ['宁波港城外贸有限公司', '吴经理', '13892010006', 'SW', '华东', taxTalk, 'new', 'dengchao', null, eastTax, 45],
    ['北京望京科技孵化器有限公司', '郑总', '13892010007', 'SJ', '华北', web, 'new', null, '审计二部', northAudit, 1],
    ['西安小寨餐饮连锁有限公司', '王老板', '13892010008', 'DZ', '西北', web, 'new', null, '审计一部', null, 3],
    ['渭南果业合作社', '刘社长', '13892010009', 'DZ', '西北', referral, 'qualified', 'zhengqiang', null, null, 9],
    ['咸阳纺织集团有限公司', '杨部长', '13892010010', 'SJ', '西北', seminar, 'new', 'sales1', null, null, 0],
  ];
  for (const [company, contact, phone, line, region, campaign, status, owner, queue, rule, days, reason] of LEADS) {
    const created = ago(days, 3);
    const [lead] = await db
      .insert(leads)
      .values({
        companyName: company,
        contactName: contact,
        phone,
        campaignId: campaign?.id ?? null,
        businessLineId: lineId.get(line),
        regionId: regionId.get(region),
        source: campaign ? null : '网站咨询',
        status,
        disqualifyReason: reason ?? null,
        ownerId: owner ? u(owner) : null,
        queueDepartmentId: queue ? deptId.get(queue) : null,
        assignedAt: owner ? created : null,
        searchText: searchTextOf([company, contact], [phone]),
        createdBy: u('admin'),
        createdAt: created,
        updatedAt: created,
      })
      .returning();
    await db.insert(leadAssignments).values({
      leadId: lead.id,
      toUserId: owner ? u(owner) : null,
      queueDepartmentId: owner ? null : deptId.get(queue!),
      ruleId: rule?.id ?? null,
      ruleName: rule?.name ?? null,
      strategy: rule?.strategy ?? null,
      byUserId: rule || !owner ? null : u('manager'),
      at: rule || !owner ? created : new Date(created.getTime() + 2 * 3_600_000),
    });
    const steps: ('new' | 'contacting' | 'qualified' | 'disqualified')[] =
      status === 'new' ? ['new'] : status === 'contacting' ? ['new', 'contacting'] : ['new', 'contacting', status];
    await db.insert(leadStatusChanges).values(
      steps.map((to, i) => ({
        leadId: lead.id,
        fromStatus: i ? steps[i - 1] : null,
        toStatus: to,
        reason: to === 'disqualified' ? reason : null,
        at: new Date(created.getTime() + i * day * Math.max(1, Math.floor(days / 4))),
        byUserId: i ? (owner ? u(owner) : null) : u('admin'),
      })),
    );
  }

  // Acceptance checklists for audit and capital verification; bookkeeping and audit may not serve one client at once.
  await db.insert(acceptanceChecklists).values([
    { businessLineId: lineId.get('SJ')!, items: DEMO_ACCEPTANCE, updatedBy: u('admin') },
    { businessLineId: lineId.get('YZ')!, items: DEMO_ACCEPTANCE, updatedBy: u('admin') },
  ]);
  const [a, b] = [lineId.get('DZ')!, lineId.get('SJ')!].sort();
  await db.insert(businessLineConflicts).values({ lineA: a, lineB: b });

  // Opportunities: [name, customer, line, owner, stage, amount, close in days, days in the pipeline, lost reason / competitor]
  type O = [string, string, string, string, string, string, number, number, (string | null)?, (string | null)?];
  const OPPORTUNITIES: O[] = [
    ['2026 年度财务报表审计', '陕西秦岭机械制造股份有限公司', 'SJ', 'sales1', '商务谈判', '168000.00', 20, 45],
    ['IPO 前三年财务审计', '西安高新区创新科技有限公司', 'SJ', 'sales1', '方案建议', '480000.00', 75, 30],
    ['增资验资', '宝鸡渭河水务集团有限公司', 'YZ', 'sales1', '商务报价', '36000.00', 14, 21],
    ['专项审计：募集资金使用', '西安华达建设工程有限公司', 'SJ', 'sales1', '需求分析', '52000.00', 40, 10],
    ['年度审计', '兰州黄河化工有限公司', 'SJ', 'zhengqiang', '初步接洽', '95000.00', 60, 5],
    ['土地使用权评估', '银川塞上农业发展有限公司', 'PG', 'zhengqiang', '需求分析', '28000.00', 35, 12],
    ['税务健康检查', '上海浦江国际贸易有限公司', 'SW', 'sales2', '商务报价', '45000.00', 10, 25],
    ['跨境业务税务筹划', '杭州西湖文化传媒有限公司', 'SW', 'sales2', '初步接洽', '60000.00', 50, 4],
    ['代理记账（年度）', '南京金陵餐饮管理有限公司', 'DZ', 'dengchao', '商务谈判', '24000.00', 7, 33],
    ['年度审计', '北京中关村软件园发展有限公司', 'SJ', 'maqing', '赢单', '210000.00', -15, 70],
    ['工程结算审价', '重庆山城建设集团有限公司', 'GC', 'liangyu', '方案建议', '130000.00', 30, 18],
    [
      '年度审计',
      '延安红都能源有限公司',
      'SJ',
      'linna',
      '输单',
      '88000.00',
      -10,
      50,
      '报价高于竞争对手约 20%',
      '某会计师事务所（特殊普通合伙）',
    ],
  ];
  const openOrder = stages.filter((s) => s.kind === 'open');
  const opportunityByKey = new Map<string, typeof opportunities.$inferSelect>();
  for (const [name, customer, line, owner, stageName, amount, closeIn, age, lostReason, competitor] of OPPORTUNITIES) {
    const target = stage(stageName);
    const won = target.kind === 'won';
    const lost = target.kind === 'lost';
    const reach = won ? openOrder.length : lost ? 2 : openOrder.findIndex((s) => s.id === target.id) + 1;
    const path = [...openOrder.slice(0, reach), ...(won || lost ? [target] : [])];
    const created = ago(age, 2);
    const times = path.map((_, i) => new Date(created.getTime() + (i * (age - 1) * day) / Math.max(1, path.length)));
    const [row] = await db
      .insert(opportunities)
      .values({
        name: `${customer.replace(/(股份)?有限公司$/, '')} · ${name}`,
        customerId: customerId.get(customer)!,
        businessLineId: lineId.get(line)!,
        stageId: target.id,
        status: target.kind,
        probability: target.probability,
        expectedAmount: amount,
        expectedCloseOn: isoDate(new Date(now.getTime() + closeIn * day)),
        nextStep: won || lost ? null : '约客户财务负责人确认范围与时间',
        ownerId: u(owner),
        departmentId: deptOf(owner),
        campaignId: line === 'SJ' && age < 30 ? seminar.id : null,
        lostReason: lostReason ?? null,
        competitor: competitor ?? null,
        closedAt: won || lost ? times[times.length - 1] : null,
        stageEnteredAt: times[times.length - 1],
        isProject: name.startsWith('IPO'),
        searchText: searchTextOf([name, customer]),
        createdBy: u(owner),
        createdAt: created,
        updatedAt: times[times.length - 1],
      })
      .returning();
    opportunityByKey.set(`${customer}|${name}`, row);
    await db.insert(opportunityStageChanges).values(
      path.map((s, i) => ({
        opportunityId: row.id,
        fromStageId: i ? path[i - 1].id : null,
        toStageId: s.id,
        fromStatus: i ? ('open' as const) : null,
        toStatus: s.kind,
        at: times[i],
        byUserId: u(owner),
        note: s.kind === 'lost' ? (lostReason ?? null) : null,
      })),
    );
    if (reach >= 4) {
      const [quote] = await db
        .insert(quotes)
        .values({
          opportunityId: row.id,
          version: 1,
          status: won ? 'accepted' : 'sent',
          total: amount,
          validUntil: isoDate(new Date(now.getTime() + 30 * day)),
          createdBy: u(owner),
          createdAt: times[3],
        })
        .returning();
      await db.insert(quoteItems).values({
        quoteId: quote.id,
        position: 0,
        businessLineId: lineId.get(line)!,
        description: name,
        quantity: '1',
        unitPrice: amount,
        amount,
      });
    }
    if (row.isProject) {
      await db.insert(opportunityMembers).values([
        { opportunityId: row.id, userId: u('manager'), role: '项目经理' },
        { opportunityId: row.id, userId: u('zhoujie'), role: '签字注册会计师' },
        { opportunityId: row.id, userId: u('yuanmei'), role: '财务规范辅导' },
      ]);
      const [plan, fieldwork, report] = await db
        .insert(projectMilestones)
        .values([
          {
            opportunityId: row.id,
            name: '尽职调查与审计计划',
            dueOn: isoDate(new Date(now.getTime() + 10 * day)),
            position: 0,
            createdBy: u('sales1'),
          },
          {
            opportunityId: row.id,
            name: '三年财务报表现场审计',
            dueOn: isoDate(new Date(now.getTime() + 45 * day)),
            position: 1,
            createdBy: u('sales1'),
          },
          {
            opportunityId: row.id,
            name: '出具审计报告',
            dueOn: isoDate(new Date(now.getTime() + 70 * day)),
            position: 2,
            createdBy: u('sales1'),
          },
        ])
        .returning();
      await db.insert(projectTasks).values([
        {
          opportunityId: row.id,
          milestoneId: plan.id,
          title: '访谈管理层，了解业务与内控',
          assigneeId: u('manager'),
          startsOn: isoDate(ago(5)),
          dueOn: isoDate(new Date(now.getTime() + 2 * day)),
          status: 'done',
          doneAt: ago(1),
          createdBy: u('sales1'),
        },
        {
          opportunityId: row.id,
          milestoneId: plan.id,
          title: '编制总体审计策略',
          assigneeId: u('zhoujie'),
          startsOn: isoDate(ago(1)),
          dueOn: isoDate(new Date(now.getTime() + 10 * day)),
          status: 'doing',
          createdBy: u('sales1'),
        },
        {
          opportunityId: row.id,
          milestoneId: fieldwork.id,
          title: '收入与成本循环测试',
          assigneeId: u('wufang'),
          startsOn: isoDate(new Date(now.getTime() + 12 * day)),
          dueOn: isoDate(new Date(now.getTime() + 40 * day)),
          status: 'todo',
          createdBy: u('sales1'),
        },
        {
          opportunityId: row.id,
          milestoneId: fieldwork.id,
          title: '会计核算规范化整改',
          assigneeId: u('yuanmei'),
          startsOn: isoDate(new Date(now.getTime() + 5 * day)),
          dueOn: isoDate(new Date(now.getTime() + 30 * day)),
          status: 'todo',
          createdBy: u('sales1'),
        },
        {
          opportunityId: row.id,
          milestoneId: report.id,
          title: '质量复核与报告签发',
          assigneeId: u('exec'),
          startsOn: isoDate(new Date(now.getTime() + 60 * day)),
          dueOn: isoDate(new Date(now.getTime() + 70 * day)),
          status: 'todo',
          createdBy: u('sales1'),
        },
      ]);
    }
  }

  // Two opportunities came from campaign leads: the campaigns' attribution shows them (one won).
  const converted: [string, string, typeof seminar, string, string][] = [
    ['西安高新区创新科技有限公司', 'IPO 前三年财务审计', seminar, '赵董秘', 'sales1'],
    ['北京中关村软件园发展有限公司', '年度审计', referral, '钱财务总监', 'maqing'],
  ];
  for (const [customer, name, campaign, contact, owner] of converted) {
    const opportunity = opportunityByKey.get(`${customer}|${name}`)!;
    const at = new Date(opportunity.createdAt.getTime() - 3 * day);
    const [lead] = await db
      .insert(leads)
      .values({
        companyName: customer,
        contactName: contact,
        campaignId: campaign.id,
        businessLineId: opportunity.businessLineId,
        status: 'converted',
        ownerId: u(owner),
        assignedAt: at,
        customerId: opportunity.customerId,
        opportunityId: opportunity.id,
        convertedAt: opportunity.createdAt,
        searchText: searchTextOf([customer, contact]),
        createdBy: u(owner),
        createdAt: at,
        updatedAt: opportunity.createdAt,
      })
      .returning();
    await db.insert(leadAssignments).values({ leadId: lead.id, toUserId: u(owner), byUserId: u(owner), at });
    await db.insert(leadStatusChanges).values([
      { leadId: lead.id, fromStatus: null, toStatus: 'new', at, byUserId: u(owner) },
      {
        leadId: lead.id,
        fromStatus: 'new',
        toStatus: 'qualified',
        at: new Date(at.getTime() + day),
        byUserId: u(owner),
      },
      {
        leadId: lead.id,
        fromStatus: 'qualified',
        toStatus: 'converted',
        at: opportunity.createdAt,
        byUserId: u(owner),
      },
    ]);
    await db
      .update(opportunities)
      .set({ campaignId: campaign.id, leadId: lead.id })
      .where(eq(opportunities.id, opportunity.id));
  }
}
