import { and, asc, eq, inArray, like, or } from 'drizzle-orm';
import type { Ctx, JobsTx } from '../context';
import type { LessonInput } from '../../common/schemas/knowledge-capture';
import { contactLogs, customers } from '../domains/customers/customers.tables';
import { engagements } from '../domains/engagements/engagements.tables';
import {
  insightFromContactLog,
  insightFromEngagement,
  skipLesson,
  writeLesson,
} from '../domains/knowledge/capture.service';
import { opportunities } from '../domains/opportunities/opportunities.tables';
import { loadActor } from '../domains/staff/actors';
import { users } from '../domains/staff/staff.tables';

/** [opportunity, customer, the lesson written by its owner — or 'skip'] on the demo's won and lost deals. */
const LESSONS: [string, string, LessonInput | 'skip'][] = [
  [
    '年度审计',
    '北京中关村软件园发展有限公司',
    {
      worked:
        '提前一个月约见财务总监和审计委员会主任，把去年审计的期后事项问题和整改建议讲透；方案里按园区子公司逐户列了人员和进场时间，客户觉得我们心里有数。',
      improve: '报价阶段来回改了三版，应在需求分析时就确认合并范围和子公司数量，一次报准。',
      competitor: '信永中和',
      price: '210000',
      visibility: 'firm',
    },
  ],
  [
    '年度审计',
    '延安红都能源有限公司',
    {
      worked: '现场踏勘及时，对煤矿存货监盘的难点分析得到客户认可。',
      improve:
        '报价高于竞争对手约 20%，没有讲清我们在能源行业的经验和签字合伙人投入；下次对价格敏感的客户要先给分档方案，并尽早约见决策人。',
      competitor: '本地事务所',
      price: '88000',
      visibility: 'linked',
    },
  ],
  [
    '2025 年度财务报表审计',
    '陕西秦岭机械制造股份有限公司',
    {
      worked: '连续三年服务，内部控制审计打包报价，客户采购流程只走一次，签约很顺。',
      improve: '内控审计的工时预估偏低，续约时要按实际工时调整报价。',
      competitor: '立信',
      price: '158000',
      visibility: 'firm',
    },
  ],
  [
    '2025 年度审计',
    '宝鸡渭河水务集团有限公司',
    {
      worked: '国资委对审计机构有备选库要求，我们提前确认了入库资格，避免了最后环节被卡。',
      improve: '客户招标文件里有评分细则，应安排专人逐条对应响应，这次技术分差点失分。',
      competitor: '信永中和',
      price: '46000',
      visibility: 'firm',
    },
  ],
  ['高新技术企业专项审计', '西安高新区创新科技有限公司', 'skip'],
];

/**
 * Lessons 复盘 on the demo's won and lost deals (one skipped, one left unanswered — the lesson rate is not 100%) and
 * two customer insights 客户洞察 (a contact-log entry, an engagement), written through the capture service as their
 * people would. After the sales, revenue and engagements seeds.
 */
export async function seedDemoLessons(tx: JobsTx): Promise<void> {
  const as = async (userId: string): Promise<Ctx> => ({
    ...tx,
    actor: (await loadActor(tx.db, userId))!,
    requestId: 'demo',
  });
  for (const [name, customer, lesson] of LESSONS) {
    const [opp] = await tx.db
      .select({ id: opportunities.id, ownerId: opportunities.ownerId })
      .from(opportunities)
      .innerJoin(customers, eq(customers.id, opportunities.customerId))
      .where(
        and(
          // demo-sales names its deals 「<customer> · <name>」, demo-revenue by their name alone.
          or(eq(opportunities.name, name), like(opportunities.name, `% · ${name}`)),
          eq(customers.name, customer),
          inArray(opportunities.status, ['won', 'lost']),
        ),
      )
      .limit(1);
    if (!opp) continue;
    const owner = await as(opp.ownerId);
    if (lesson === 'skip') await skipLesson(owner, opp.id);
    else await writeLesson(owner, opp.id, lesson);
  }

  const [sales1] = await tx.db.select({ id: users.id }).from(users).where(eq(users.username, 'sales1'));
  if (!sales1) return;
  const seller = await as(sales1.id);
  const [visit] = await tx.db
    .select({ id: contactLogs.id })
    .from(contactLogs)
    .innerJoin(customers, eq(customers.id, contactLogs.customerId))
    .where(and(eq(customers.name, '陕西秦岭机械制造股份有限公司'), eq(contactLogs.channel, 'visit')))
    .orderBy(asc(contactLogs.occurredAt))
    .limit(1);
  if (visit)
    await insightFromContactLog(seller, visit.id, {
      title: '秦岭机械：董事会看重审计机构的品牌和独立性',
      body: [
        '拜访时董事长提到：公司计划三年内申报科创板，董事会更看重审计机构的品牌和证券资格，价格不是第一位。',
        '',
        '- 决策人：董事长和财务总监，审计委员会主任（外部独立董事）有否决权',
        '- 关注点：存货（在产品）计价、研发费用资本化',
        '- 建议：续约时由签字合伙人一起拜访，带上制造业 IPO 审计案例',
      ].join('\n'),
      visibility: 'linked',
    });
  const [engagement] = await tx.db
    .select({ id: engagements.id })
    .from(engagements)
    .where(eq(engagements.salesOwnerId, sales1.id))
    .orderBy(asc(engagements.createdAt))
    .limit(1);
  if (engagement)
    await insightFromEngagement(seller, engagement.id, {
      title: '客户财务部人手紧，资料清单要提前两周发',
      body: '项目执行中发现：客户财务部只有三个人，月结期间无法配合提供资料。资料清单要在进场前两周发出，并避开每月 1—10 日的月结期；银行询证函由我方代为准备。',
      visibility: 'linked',
    });
}
