import { eq, inArray } from 'drizzle-orm';
import { creditCodeCheckChar } from '../../common/credit-code';
import type { Db } from '../db/client';
import { scoreOf, tierOf } from '../domains/customers/evaluations.service';
import {
  contactLogs,
  contacts,
  customerEvaluations,
  customerOwnerChanges,
  customerServices,
  customers,
  evaluationSheets,
} from '../domains/customers/customers.tables';
import { businessLines, regions, users } from '../domains/staff/staff.tables';
import { searchTextOf } from '../lib/search-text';

/** [name, owner username or null for the pool, region, status, industry] */
const CUSTOMERS: [string, string | null, string, 'prospect' | 'customer' | 'former', string][] = [
  ['西安华达建设工程有限公司', 'sales1', '西北', 'customer', '建筑业'],
  ['陕西秦岭机械制造股份有限公司', 'sales1', '西北', 'customer', '制造业'],
  ['西安高新区创新科技有限公司', 'sales1', '西北', 'prospect', '信息技术'],
  ['宝鸡渭河水务集团有限公司', 'sales1', '西北', 'customer', '水务'],
  ['咸阳丝路物流有限公司', 'sales1', '西北', 'former', '物流'],
  ['兰州黄河化工有限公司', 'zhengqiang', '西北', 'customer', '化工'],
  ['银川塞上农业发展有限公司', 'zhengqiang', '西北', 'prospect', '农业'],
  ['上海浦江国际贸易有限公司', 'sales2', '华东', 'customer', '批发零售'],
  ['杭州西湖文化传媒有限公司', 'sales2', '华东', 'customer', '文化传媒'],
  ['苏州工业园区精密电子有限公司', 'sales2', '华东', 'prospect', '制造业'],
  ['南京金陵餐饮管理有限公司', 'dengchao', '华东', 'customer', '餐饮'],
  ['广州珠江置业有限公司', 'dengchao', '华南', 'customer', '房地产'],
  ['北京中关村软件园发展有限公司', 'maqing', '华北', 'customer', '信息技术'],
  ['天津滨海港务有限公司', 'maqing', '华北', 'prospect', '交通运输'],
  ['河北燕赵钢铁有限公司', null, '华北', 'prospect', '制造业'],
  ['成都天府医药有限公司', 'liangyu', '西南', 'customer', '医药'],
  ['重庆山城建设集团有限公司', 'liangyu', '西南', 'prospect', '建筑业'],
  ['武汉江城光电有限公司', 'hanxue', '华中', 'customer', '制造业'],
  ['郑州中原粮油有限公司', null, '华中', 'prospect', '农业'],
  ['深圳南山智能科技有限公司', null, '华南', 'prospect', '信息技术'],
  ['西安古城旅游开发有限公司', null, '西北', 'former', '旅游'],
  ['延安红都能源有限公司', 'linna', '西北', 'customer', '能源'],
];

/** The demo firm's 客户价值评估表: weights add up to 100%. */
export const DEMO_SHEET = {
  factors: [
    {
      key: 'revenue',
      name: '年营业收入',
      weight: 30,
      options: [
        { label: '5 亿以上', score: 100 },
        { label: '5000 万–5 亿', score: 70 },
        { label: '5000 万以下', score: 30 },
      ],
    },
    {
      key: 'fees',
      name: '年服务费潜力',
      weight: 25,
      options: [
        { label: '20 万以上', score: 100 },
        { label: '5–20 万', score: 60 },
        { label: '5 万以下', score: 20 },
      ],
    },
    {
      key: 'lines',
      name: '可合作业务数',
      weight: 20,
      options: [
        { label: '3 项以上', score: 100 },
        { label: '2 项', score: 60 },
        { label: '1 项', score: 30 },
      ],
    },
    {
      key: 'credit',
      name: '付款信用',
      weight: 15,
      options: [
        { label: '按时付款', score: 100 },
        { label: '偶有拖欠', score: 50 },
        { label: '经常拖欠', score: 0 },
      ],
    },
    {
      key: 'influence',
      name: '行业影响力',
      weight: 10,
      options: [
        { label: '龙头企业', score: 100 },
        { label: '一般', score: 50 },
      ],
    },
  ],
  tiers: { A: 80, B: 60, C: 40 },
};

/** [first 17 characters' seed] → a valid credit code for the i-th demo customer. */
function demoCreditCode(i: number): string {
  const body = `9161${String(1000 + i).padStart(4, '0')}MA${String(70000 + i * 37).padStart(7, '0')}`.slice(0, 17);
  return body + creditCodeCheckChar(body);
}

const day = 86_400_000;
const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/** Customers of the demo firm with contacts, a contact history and recurring services, dated around today. */
export async function seedDemoCustomers(db: Db, now = new Date()): Promise<void> {
  const staff = await db.select({ id: users.id, username: users.username }).from(users);
  const userId = new Map(staff.map((u) => [u.username, u.id]));
  const regionId = new Map((await db.select().from(regions)).map((r) => [r.name, r.id]));
  const lines = await db
    .select()
    .from(businessLines)
    .where(inArray(businessLines.code, ['SJ', 'DZ', 'SW']));
  const lineId = new Map(lines.map((l) => [l.code, l.id]));
  const [admin] = await db.select({ id: users.id }).from(users).where(eq(users.username, 'admin'));
  const [sheet] = await db
    .insert(evaluationSheets)
    .values({ version: 1, ...DEMO_SHEET, createdBy: admin.id })
    .returning({ id: evaluationSheets.id });

  for (const [i, [name, owner, region, status, industry]] of CUSTOMERS.entries()) {
    const ownerId = owner ? userId.get(owner)! : null;
    const creditCode = demoCreditCode(i);
    const phone = `029-8${String(7000000 + i * 1111).slice(0, 7)}`;
    const email = `office${i + 1}@demo-client.cn`;
    const [customer] = await db
      .insert(customers)
      .values({
        name,
        creditCode,
        industry,
        status,
        ownerId,
        regionId: regionId.get(region),
        email,
        phone,
        size: (['small', 'medium', 'large', 'micro'] as const)[i % 4],
        source: ['老客户介绍', '市场活动', '网站咨询', '电话营销'][i % 4],
        tags: status === 'customer' ? ['年审客户'] : [],
        searchText: searchTextOf([name, creditCode, email], [phone]),
        createdBy: admin.id,
      })
      .returning({ id: customers.id });
    await db
      .insert(customerOwnerChanges)
      .values({ customerId: customer.id, toUserId: ownerId, kind: 'create', byUserId: admin.id });

    const surname = '王李张刘陈杨黄赵周吴'[i % 10];
    const [boss] = await db
      .insert(contacts)
      .values({
        customerId: customer.id,
        name: `${surname}总`,
        title: '总经理',
        phones: [`139${String(29000000 + i * 7919).slice(0, 8)}`],
        emails: [`boss${i + 1}@demo-client.cn`],
        isPrimary: true,
        createdBy: admin.id,
        searchText: searchTextOf([`${surname}总`, '总经理'], [`139${String(29000000 + i * 7919).slice(0, 8)}`]),
      })
      .returning({ id: contacts.id });
    const apPhone = `029-8${String(6000000 + i * 2222).slice(0, 7)}`;
    await db.insert(contacts).values({
      customerId: customer.id,
      name: `${'孙钱郑冯'[i % 4]}会计`,
      title: '会计',
      department: '财务部（应付账款）',
      phones: [apPhone],
      emails: [`ap${i + 1}@demo-client.cn`],
      createdBy: admin.id,
      searchText: searchTextOf(
        [`${'孙钱郑冯'[i % 4]}会计`, '会计', '财务部（应付账款）', `ap${i + 1}@demo-client.cn`],
        [apPhone],
      ),
    });

    if (ownerId) {
      // A short history: first call weeks ago, the latest a few days ago, the next one due around today.
      const first = new Date(now.getTime() - (40 + i) * day);
      const latest = new Date(now.getTime() - ((i % 9) + 1) * day);
      const next = new Date(now.getTime() + ((i % 7) - 2) * day);
      await db.insert(contactLogs).values([
        {
          customerId: customer.id,
          contactId: boss.id,
          direction: 'outbound',
          channel: 'visit',
          occurredAt: first,
          userId: ownerId,
          summary: '上门拜访，介绍我所审计与税务服务',
          createdBy: ownerId,
        },
        {
          customerId: customer.id,
          contactId: boss.id,
          direction: i % 2 ? 'inbound' : 'outbound',
          channel: 'phone',
          occurredAt: latest,
          userId: ownerId,
          summary: i % 2 ? '客户来电询问年报审计时间安排' : '电话跟进报价，客户将内部讨论',
          nextContactOn: isoDate(next),
          createdBy: ownerId,
        },
      ]);
      await db
        .update(customers)
        .set({ lastContactAt: latest, nextContactOn: isoDate(next) })
        .where(eq(customers.id, customer.id));
    }
    if (status === 'customer' && ownerId) {
      const answers = { revenue: i % 3, fees: (i + 1) % 3, lines: i % 3, credit: i % 2, influence: i % 2 };
      const score = scoreOf(DEMO_SHEET, answers);
      const tier = tierOf(DEMO_SHEET, score);
      await db
        .insert(customerEvaluations)
        .values({ customerId: customer.id, sheetId: sheet.id, answers, score, tier, evaluatedBy: ownerId });
      await db.update(customers).set({ valueScore: score, valueTier: tier }).where(eq(customers.id, customer.id));
    }
    if (status === 'customer') {
      const auditDue = new Date(Date.UTC(now.getUTCFullYear() + (now.getUTCMonth() >= 3 ? 1 : 0), 2, 31));
      await db.insert(customerServices).values({
        customerId: customer.id,
        businessLineId: lineId.get('SJ')!,
        cycle: 'annual',
        nextDueOn: isoDate(auditDue),
        createdBy: admin.id,
      });
      if (i % 3 === 0) {
        const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 15));
        await db.insert(customerServices).values({
          customerId: customer.id,
          businessLineId: lineId.get('DZ')!,
          cycle: 'monthly',
          nextDueOn: isoDate(nextMonth),
          createdBy: admin.id,
        });
      }
    }
  }
}
