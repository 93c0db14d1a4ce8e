import { randomUUID } from 'node:crypto';
import { eq, isNull, sql } from 'drizzle-orm';
import type { PaymentTermInput } from '../../common/schemas/contracts';
import { convertedOpportunityName } from '../../common/schemas/leads';
import type { Ctx, JobsTx } from '../context';
import { insertMany } from '../db/bulk';
import { campaignBusinessLines, campaigns } from '../domains/campaigns/campaigns.tables';
import { contractLines, contracts, orderLines, orders, paymentTerms } from '../domains/contracts/contracts.tables';
import { dueOn, planTerms } from '../domains/contracts/terms';
import { contactLogs, contacts, customerOwnerChanges, customers } from '../domains/customers/customers.tables';
import { leadAssignments, leadStatusChanges, leads } from '../domains/leads/leads.tables';
import { issueNumbers } from '../domains/numbering/numbering.service';
import {
  acceptanceChecklists,
  opportunities,
  opportunityAcceptance,
  opportunityStageChanges,
  pipelineStages,
  quoteItems,
  quotes,
} from '../domains/opportunities/opportunities.tables';
import { fromHundredths, toHundredths } from '../domains/opportunities/quotes.service';
import { invoiceAllocations, invoices, receiptAllocations, receipts } from '../domains/receivables/receivables.tables';
import { salesCycleTargets } from '../domains/reports/reports.tables';
import { loadActor } from '../domains/staff/actors';
import { branches, businessLines, departments, regions, users } from '../domains/staff/staff.tables';
import { addDays, FIRM_TIME_ZONE, localDate, zonedInstant } from '../lib/time';
import { searchTextOf } from '../lib/search-text';

/**
 * The demo firm's sales history over last year and this year up to today (dates relative to the firm's today, so
 * the demo reads right in any year), for the reports 销售报表: ~150 leads over the months (regions, sources,
 * campaigns; a third converted, as convertLead leaves them: customer, contact, opportunity, status history), ~120
 * opportunities of sixteen salespeople in seven departments and three branches with their whole stage history (won,
 * lost — most of them at 商务报价, the price — still open with expected close dates in the coming months, and one
 * reopened after it was lost and then won), and for every won one a signed contract and a confirmed order numbered
 * from the numbering register on their own dates, with payment terms, receipts (one reversed) and invoices whose
 * sums are the terms' received and invoiced. 北京 sells fewer, larger audits and valuations than 上海's tax and
 * bookkeeping work, so their orders differ clearly; 审计一部 (the user `manager`) is one department among seven.
 *
 * Rows are written in bulk (insertMany) as the services would leave them, without audit entries (seeding has no
 * acting user); the numbers go through issueNumber so the register stays gapless. Deterministic: a seeded
 * generator, so the same day gives the same demo. Runs after the rest of the demo firm (it reads its people,
 * customers, campaigns and number series).
 */

const ZONE = FIRM_TIME_ZONE;
const DAY = 86_400_000;

/** mulberry32: a small seeded generator, so the demo is the same on every install of a day. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const weighted = <T>(xs: readonly (readonly [T, number])[]): T => {
    let r = next() * xs.reduce((s, [, w]) => s + w, 0);
    for (const [x, w] of xs) if ((r -= w) < 0) return x;
    return xs[xs.length - 1][0];
  };
  const shuffle = <T>(xs: T[]): T[] => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  };
  return { next, int, pick, weighted, shuffle };
}

/** `scale`: the size of the seller's clients against the line's usual fees (北京's audits are larger). */
type Seller = { username: string; lines: string[]; regions: string[]; weight: number; scale?: number };

/** Who sells what where, and how much of the firm's selling each does (opportunities, leads). */
const SELLERS: Seller[] = [
  { username: 'sales1', lines: ['SJ', 'SJ', 'YZ'], regions: ['西北'], weight: 10 },
  { username: 'zhengqiang', lines: ['SJ', 'YZ'], regions: ['西北'], weight: 7 },
  { username: 'manager', lines: ['SJ'], regions: ['西北'], weight: 3 },
  { username: 'liangyu', lines: ['GC'], regions: ['西南', '西北'], weight: 6 },
  { username: 'gaofeng', lines: ['GC', 'ZX'], regions: ['西北'], weight: 3 },
  { username: 'hanxue', lines: ['ZB'], regions: ['华中'], weight: 4 },
  { username: 'tanglei', lines: ['ZB'], regions: ['西北'], weight: 2 },
  { username: 'maqing', lines: ['SJ'], regions: ['华北'], weight: 9, scale: 1.5 },
  { username: 'sunli', lines: ['SJ', 'YZ'], regions: ['华北'], weight: 4, scale: 1.3 },
  { username: 'hejun', lines: ['PG'], regions: ['华北'], weight: 5, scale: 1.3 },
  { username: 'partner2', lines: ['PG', 'GC'], regions: ['华北'], weight: 2, scale: 1.5 },
  { username: 'linna', lines: ['PG'], regions: ['华东'], weight: 4, scale: 0.9 },
  { username: 'sales2', lines: ['SW', 'DZ'], regions: ['华东'], weight: 6, scale: 0.9 },
  { username: 'dengchao', lines: ['SW', 'DZ'], regions: ['华南', '华东'], weight: 5, scale: 0.9 },
  { username: 'fengyi', lines: ['SW'], regions: ['华东'], weight: 2, scale: 0.9 },
  { username: 'xujing', lines: ['DZ'], regions: ['华东'], weight: 3, scale: 0.9 },
];

// 120 opportunities: the outcomes below add up to it.
const LEADS_NOT_CONVERTED = 100;
const CONVERTED = 50;

/** Where the closed ones ended (the stage a lost one was lost from), and where the open ones stand. */
const WON = 47;
const LOST_AT: [string, number][] = [
  ['商务报价', 25],
  ['方案建议', 10],
  ['需求分析', 7],
  ['商务谈判', 5],
  ['初步接洽', 3],
];
const OPEN_AT: [string, number][] = [
  ['初步接洽', 4],
  ['需求分析', 5],
  ['方案建议', 5],
  ['商务报价', 4],
  ['商务谈判', 4],
];

/** Why they were lost, by the stage they were lost from. */
const LOST_REASONS: Record<string, [string, number][]> = {
  商务报价: [
    ['价格偏高', 6],
    ['选择了其他事务所', 3],
    ['客户预算取消', 1],
  ],
  商务谈判: [
    ['选择了其他事务所', 2],
    ['价格偏高', 2],
    ['时间不合适', 1],
  ],
  方案建议: [
    ['选择了其他事务所', 3],
    ['时间不合适', 2],
    ['客户预算取消', 1],
  ],
  需求分析: [
    ['客户预算取消', 2],
    ['时间不合适', 2],
    ['项目暂缓', 1],
  ],
  初步接洽: [['项目暂缓', 1]],
};
const COMPETITORS = ['秦川会计师事务所', '京诚会计师事务所', '沪联税务师事务所', '本地同业事务所'];
const DISQUALIFY_REASONS = [
  '预算不足，暂无需求',
  '已与其他事务所签约',
  '多次联系未果',
  '需求不在我所业务范围',
  '重复线索',
];

/** Days between the stages (into 需求分析, 方案建议, 商务报价, 商务谈判, 赢单), times the line's pace. */
const STEP_DAYS: [number, number][] = [
  [3, 12],
  [5, 15],
  [5, 14],
  [4, 15],
  [3, 12],
];
const PACE: Record<string, number> = { SJ: 1.3, YZ: 0.5, PG: 0.8, GC: 1.4, ZB: 0.9, SW: 1, DZ: 0.6, ZX: 1.3 };
/** The firm's best practice: target days from creation to won, per line (the sales-cycle report's gap). */
const TARGET_DAYS: Record<string, number> = { SJ: 60, YZ: 20, PG: 40, GC: 70, ZB: 45, SW: 40, DZ: 25, ZX: 70 };
/** Fees in thousands of yuan. */
const FEES: Record<string, [number, number]> = {
  SJ: [60, 260],
  YZ: [8, 40],
  PG: [25, 160],
  GC: [50, 280],
  ZB: [15, 70],
  SW: [20, 110],
  DZ: [12, 36],
  ZX: [40, 150],
};
/** Days from an order's confirmation to its completion 结项 (代理记账: the year's bookkeeping). */
const WORK_DAYS: Record<string, [number, number]> = {
  SJ: [45, 120],
  YZ: [7, 20],
  PG: [20, 50],
  GC: [40, 150],
  ZB: [20, 60],
  SW: [15, 60],
  DZ: [365, 365],
  ZX: [40, 120],
};
const SERVICES: Record<string, (year: number) => string[]> = {
  SJ: (y) => [
    `${y - 1} 年度财务报表审计`,
    `${y - 1} 年度财务报表审计`,
    '专项审计',
    '离任经济责任审计',
    '清产核资专项审计',
  ],
  YZ: () => ['增资验资', '注册资本验资'],
  PG: () => ['股权转让资产评估', '房地产抵押价值评估', '企业整体价值评估', '土地使用权评估'],
  GC: () => ['工程结算审价', '工程预算编制', '全过程造价咨询'],
  ZB: () => ['工程施工招标代理', '设备采购招标代理'],
  SW: () => ['税务健康检查', '企业所得税汇算清缴鉴证', '税务筹划', '土地增值税清算鉴证'],
  DZ: () => ['代理记账（年度）'],
  ZX: () => ['项目可行性研究报告', '项目申请报告编制'],
};
const INDUSTRIES: Record<string, string[]> = {
  SJ: ['机械制造', '电子科技', '商贸', '医药', '食品', '新能源', '汽车零部件', '化工', '信息技术', '矿业'],
  YZ: ['生物科技', '新能源科技', '投资', '网络科技'],
  PG: ['置业', '实业', '投资', '矿业', '农业发展'],
  GC: ['建设工程', '建筑安装', '路桥工程', '市政工程', '置业'],
  ZB: ['城市建设投资', '水务', '交通建设', '产业园开发'],
  SW: ['国际贸易', '商贸', '电子商务', '供应链管理', '科技'],
  DZ: ['餐饮管理', '商贸', '文化传媒', '网络科技', '咨询服务'],
  ZX: ['城市建设投资', '产业园开发', '能源'],
};
const CITIES: Record<string, string[]> = {
  西北: ['西安', '咸阳', '宝鸡', '渭南', '汉中', '兰州', '银川', '天水', '安康', '商洛'],
  华北: ['北京', '天津', '石家庄', '保定', '唐山', '太原', '廊坊'],
  华东: ['上海', '杭州', '南京', '宁波', '无锡', '合肥', '嘉兴', '常州'],
  华南: ['广州', '东莞', '佛山', '厦门', '珠海'],
  华中: ['武汉', '长沙', '郑州', '南昌', '宜昌'],
  西南: ['成都', '重庆', '昆明', '贵阳', '绵阳'],
};
const BRANDS = [
  '恒泰',
  '瑞丰',
  '鼎盛',
  '嘉禾',
  '华晟',
  '金诚',
  '宏远',
  '中盛',
  '博源',
  '汇通',
  '长青',
  '永信',
  '泰和',
  '安达',
  '富源',
  '德润',
  '天成',
  '同创',
  '锦程',
  '和信',
  '广源',
  '启航',
  '明德',
  '润华',
  '正元',
  '东辰',
  '盛邦',
  '海纳',
  '卓远',
  '凯瑞',
  '精诚',
  '鸿基',
  '荣盛',
  '三元',
  '弘毅',
  '聚丰',
  '尚德',
  '恒信',
  '宏泰',
  '佳禾',
];
const SURNAMES = '王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程';
const GIVEN = [
  '海涛',
  '建华',
  '丽娟',
  '志强',
  '晓燕',
  '国平',
  '秀英',
  '文博',
  '雪梅',
  '俊杰',
  '亚楠',
  '立新',
  '春燕',
  '振宇',
];
const TITLES = ['财务总监', '财务经理', '总经理', '董事会秘书', '办公室主任'];
const NEXT_STEPS: Record<string, string> = {
  初步接洽: '约访财务负责人，了解需求',
  需求分析: '整理需求，准备服务方案',
  方案建议: '提交服务方案，等待客户反馈',
  商务报价: '跟进报价反馈',
  商务谈判: '确认合同条款与付款安排',
};

type Stage = typeof pipelineStages.$inferSelect;
type Change = { from: Stage | null; to: Stage; at: Date; note: string | null };
type Outcome = { kind: 'won' } | { kind: 'reopened' } | { kind: 'lost'; at: string } | { kind: 'open'; at: string };

type Spec = {
  id: string;
  seller: Seller;
  line: string;
  region: string;
  outcome: Outcome;
  changes: Change[];
  created: Date;
  closed: Date | null;
  amount: bigint;
  lostReason: string | null;
  competitor: string | null;
  /** The quotes (v1, v2 …) with their items and status; the last is the one in force. */
  quotes: {
    id: string;
    version: number;
    status: 'sent' | 'accepted' | 'rejected';
    at: Date;
    items: [string, bigint][];
  }[];
  customerId: string;
  contactId: string;
  customerName: string;
  name: string;
  /** What is sold (the contract's and order's title). */
  service: string;
  fromLead: boolean;
  expectedCloseOn: string;
};

const yuan = (cents: bigint) => fromHundredths(cents);

export async function seedDemoHistory(tx: JobsTx, now = new Date()): Promise<void> {
  const db = tx.db;
  const rng = generator(20_160_101);
  const today = localDate(now, ZONE);
  const year = Number(today.slice(0, 4));
  const spanStart = `${year - 1}-01-01`;
  const spanDays = Math.round((Date.parse(today) - Date.parse(spanStart)) / DAY);
  const at = (date: string, hour = rng.int(9, 17), minute = rng.int(0, 59)) =>
    zonedInstant(date, { hour, minute }, ZONE);
  const dateOf = (instant: Date) => localDate(instant, ZONE);
  const latest = new Date(now.getTime() - 60_000);
  const notAfterNow = (instant: Date) => (instant > latest ? latest : instant);

  // What the rest of the demo made: people, lines, regions, branches, stages, customers.
  const people = new Map(
    (
      await db
        .select({
          id: users.id,
          username: users.username,
          departmentId: users.departmentId,
          branchId: users.branchId,
        })
        .from(users)
    ).map((u) => [u.username, u]),
  );
  const sellers = SELLERS.filter((s) => people.get(s.username)?.departmentId);
  if (sellers.length === 0 || !people.has('finance')) return;
  const person = (username: string) => people.get(username)!;
  const managerOf = new Map(
    (await db.select({ id: departments.id, managerId: departments.managerId }).from(departments)).map((d) => [
      d.id,
      d.managerId,
    ]),
  );
  const lines = await db
    .select({ id: businessLines.id, code: businessLines.code, name: businessLines.name })
    .from(businessLines);
  const lineId = new Map(lines.map((l) => [l.code!, l.id]));
  const lineName = new Map(lines.map((l) => [l.code!, l.name]));
  const usable = sellers.filter((s) => s.lines.every((code) => lineId.has(code)));
  const regionId = new Map((await db.select().from(regions)).map((r) => [r.name, r.id]));
  const branchName = new Map((await db.select().from(branches)).map((b) => [b.id, b.name]));
  const stages = await db
    .select()
    .from(pipelineStages)
    .where(isNull(pipelineStages.businessLineId))
    .orderBy(pipelineStages.position);
  const openStages = stages.filter((s) => s.kind === 'open' && s.active);
  const stage = (nameZh: string) => stages.find((s) => s.nameZh === nameZh)!;
  const wonStage = stages.find((s) => s.kind === 'won')!;
  const lostStage = stages.find((s) => s.kind === 'lost')!;
  if (openStages.length < 5 || !wonStage || !lostStage) return;
  const existing = await db
    .select({ id: customers.id, name: customers.name, ownerId: customers.ownerId })
    .from(customers);
  const primaryContact = new Map(
    (
      await db
        .select({ id: contacts.id, customerId: contacts.customerId })
        .from(contacts)
        .where(eq(contacts.isPrimary, true))
    ).map((c) => [c.customerId, c.id]),
  );
  const opportunityNames = new Set(
    (await db.select({ name: opportunities.name }).from(opportunities)).map((o) => o.name),
  );
  const checklistLines = new Set(
    (await db.select({ id: acceptanceChecklists.businessLineId }).from(acceptanceChecklists)).map((c) => c.id),
  );

  // Company names like nobody else's (no demo customer's, and no e2e journey's).
  const taken = new Set(existing.map((c) => c.name));
  const companyName = (region: string, line: string) => {
    for (;;) {
      const city = rng.pick(CITIES[region] ?? CITIES['西北']);
      const name = `${city}${rng.pick(BRANDS)}${rng.pick(INDUSTRIES[line])}${rng.next() < 0.15 && line === 'SJ' ? '股份' : ''}有限公司`;
      if (!taken.has(name)) {
        taken.add(name);
        return name;
      }
    }
  };
  let phoneSeq = 0;
  const phone = () => `13${rng.pick(['5', '6', '7', '9'])}${String(29_100_000 + ++phoneSeq * 7_877).slice(0, 8)}`;
  const personName = () => `${rng.pick([...SURNAMES])}${rng.pick(GIVEN)}`;

  // ---------- campaigns of last year and this year ----------
  type CampaignSpec = {
    id: string;
    name: string;
    type: 'seminar' | 'exhibition';
    starts: string;
    ends: string;
    lines: string[];
    owner: string;
    budget: string;
  };
  const campaign = (
    name: string,
    type: CampaignSpec['type'],
    starts: string,
    days: number,
    codes: string[],
    owner: string,
    budget: string,
  ): CampaignSpec => ({
    id: randomUUID(),
    name,
    type,
    starts,
    ends: addDays(starts, days),
    lines: codes,
    owner,
    budget,
  });
  const campaignSpecs = [
    campaign(`${year - 1} 年报审计政策宣讲会`, 'seminar', `${year - 1}-02-26`, 0, ['SJ', 'YZ'], 'manager', '15000.00'),
    campaign(
      `${year - 1} 西部工程造价行业展会`,
      'exhibition',
      `${year - 1}-05-20`,
      2,
      ['GC', 'ZB', 'ZX'],
      'gaofeng',
      '30000.00',
    ),
    campaign(`${year - 1} 高新技术企业专项审计讲座`, 'seminar', `${year - 1}-06-12`, 0, ['SJ'], 'sunli', '12000.00'),
    campaign(`${year - 1} 跨境税务论坛（上海）`, 'seminar', `${year - 1}-09-18`, 0, ['SW'], 'fengyi', '20000.00'),
    campaign(`${year} 春季企业财税沙龙`, 'seminar', `${year}-04-10`, 0, ['SW', 'DZ'], 'xujing', '8000.00'),
    campaign(`${year} 资产评估实务研讨会（北京）`, 'seminar', `${year}-07-08`, 0, ['PG'], 'hejun', '10000.00'),
  ].filter((c) => c.starts < today && people.has(c.owner) && c.lines.every((code) => lineId.has(code)));
  await insertMany(
    db,
    campaigns,
    campaignSpecs.map((c) => ({
      id: c.id,
      name: c.name,
      type: c.type,
      status: c.ends < today ? ('completed' as const) : ('active' as const),
      startsOn: c.starts,
      endsOn: c.ends,
      budget: c.budget,
      ownerId: person(c.owner).id,
      departmentId: person(c.owner).departmentId,
      searchText: searchTextOf([c.name]),
      createdBy: person(c.owner).id,
      createdAt: at(addDays(c.starts, -30)),
      updatedAt: at(c.ends < today ? c.ends : c.starts),
    })),
  );
  await insertMany(
    db,
    campaignBusinessLines,
    campaignSpecs.flatMap((c) => c.lines.map((code) => ({ campaignId: c.id, businessLineId: lineId.get(code)! }))),
  );
  /** A campaign of the line running around a lead's day (it came in within two months of the event). */
  const campaignFor = (line: string, date: string) =>
    campaignSpecs.find((c) => c.lines.includes(line) && c.starts <= date && date <= addDays(c.ends, 60)) ?? null;

  // ---------- the opportunities: who, what, how it ended, and when ----------
  // Each seller gets the firm's mix of outcomes in proportion (cumulative rounding: the totals stay exact and every
  // seller is within one of his share), interleaved, his closed ones spread evenly over the span: so the stories hold
  // on any day — 北京 and 上海 close about as many, 北京's larger; every department loses most at 商务报价.
  const kinds: [Outcome, number][] = [
    [{ kind: 'won' }, WON],
    [{ kind: 'reopened' }, 1],
    ...LOST_AT.map(([name, n]): [Outcome, number] => [{ kind: 'lost', at: name }, n]),
    ...OPEN_AT.map(([name, n]): [Outcome, number] => [{ kind: 'open', at: name }, n]),
  ];
  const totalWeight = usable.reduce((sum, x) => sum + x.weight, 0);
  const given = kinds.map(() => 0);
  let weightSoFar = 0;
  const dealt: { seller: Seller; outcome: Outcome; fraction: number }[] = [];
  for (const seller of usable) {
    weightSoFar += seller.weight;
    const mine: { outcome: Outcome; key: number }[] = [];
    kinds.forEach(([outcome, count], j) => {
      const due = Math.round((count * weightSoFar) / totalWeight) - given[j];
      given[j] += due;
      for (let k = 0; k < due; k++) mine.push({ outcome, key: (k + 0.5) / due + rng.next() * 0.05 });
    });
    mine.sort((x, y) => x.key - y.key);
    const closedOnes = mine.filter((m) => m.outcome.kind !== 'open').length;
    let k = 0;
    for (const m of mine)
      dealt.push({
        seller,
        outcome: m.outcome,
        fraction: m.outcome.kind === 'open' ? 0 : (k++ + 0.2 + 0.6 * rng.next()) / closedOnes,
      });
  }
  const step = (line: string, i: number) => Math.max(1, Math.round(rng.int(...STEP_DAYS[i]) * PACE[line]));

  const specs: Spec[] = dealt.map(({ seller, outcome, fraction }, i) => {
    const line = rng.pick(seller.lines);
    const region = rng.pick(seller.regions);
    // The stages it went through (positions in openStages) and the days between them.
    const reach =
      outcome.kind === 'won'
        ? openStages.length
        : openStages.findIndex((s) => s.nameZh === (outcome.kind === 'reopened' ? '商务报价' : outcome.at)) + 1;
    const gaps = Array.from({ length: reach - 1 }, (_, k) => step(line, k));
    let tail: number[] = [];
    if (outcome.kind === 'won') tail = [step(line, 4)];
    if (outcome.kind === 'lost') tail = [rng.int(7, 25)];
    if (outcome.kind === 'reopened') tail = [rng.int(7, 15), rng.int(14, 30), rng.int(5, 10), rng.int(3, 10)];
    const days = [...gaps, ...tail];
    const total = days.reduce((s, d) => s + d, 0);
    let end: string;
    if (outcome.kind === 'open') end = addDays(today, -rng.int(2, 25));
    else {
      // Closed ones are spread over the whole span, the earliest from February of last year.
      end = addDays(spanStart, Math.floor(35 + (spanDays - 40) * fraction));
    }
    let createdOn = addDays(end, -total);
    // 李明's own list opens on his newest opportunities (the demo's current ones): his history is older.
    if (seller.username === 'sales1' && createdOn > addDays(today, -55)) {
      const back = Math.round((Date.parse(createdOn) - Date.parse(addDays(today, -55))) / DAY) + ((i * 7) % 20);
      createdOn = addDays(createdOn, -back);
    }
    // The dates of every change, then the changes themselves.
    const dates = [createdOn];
    for (const d of days) dates.push(addDays(dates[dates.length - 1], d));
    const instants = dates.map((d) => at(d));
    const changes: Change[] = [];
    const path = openStages.slice(0, reach);
    path.forEach((s, k) => changes.push({ from: k ? path[k - 1] : null, to: s, at: instants[k], note: null }));
    let lostReason: string | null = null;
    let competitor: string | null = null;
    const quote = stage('商务报价');
    const last = path[path.length - 1];
    if (outcome.kind === 'won') changes.push({ from: last, to: wonStage, at: instants[reach], note: null });
    if (outcome.kind === 'lost') {
      lostReason = rng.weighted(LOST_REASONS[outcome.at] ?? [['项目暂缓', 1]]);
      competitor = lostReason === '选择了其他事务所' ? rng.pick(COMPETITORS) : null;
      const note = lostReason === '价格偏高' ? `客户反馈报价高于预算约 ${rng.int(10, 30)}%` : null;
      changes.push({ from: last, to: lostStage, at: instants[reach], note });
    }
    if (outcome.kind === 'reopened') {
      const negotiation = stage('商务谈判');
      // Lost at 商务报价 on the price, reopened there with a lower offer, then won.
      changes.push({ from: quote, to: lostStage, at: instants[reach], note: '客户反馈报价高于预算约 15%' });
      changes.push({ from: lostStage, to: quote, at: instants[reach + 1], note: '客户预算追加，重新报价' });
      changes.push({ from: quote, to: negotiation, at: instants[reach + 2], note: null });
      changes.push({ from: negotiation, to: wonStage, at: instants[reach + 3], note: null });
    }
    const closed = outcome.kind === 'open' ? null : changes[changes.length - 1].at;
    const [lo, hi] = FEES[line];
    const amount = BigInt(Math.round(rng.int(lo, hi) * (seller.scale ?? 1))) * 100_000n;
    // Quotes: before 商务报价 is entered, sent; accepted when won, rejected when lost on it.
    const quoted = changes.find((c) => c.to.id === quote.id);
    const service = rng.pick(SERVICES[line](Number(dateOf(instants[0]).slice(0, 4))));
    const items = (total: bigint): [string, bigint][] => {
      if (service.endsWith('年度财务报表审计') && total >= 12_000_000n) {
        const control = BigInt(rng.int(20, 40)) * 100_000n;
        return [
          ['年度财务报表审计', total - control],
          ['内部控制审计', control],
        ];
      }
      return [[service, total]];
    };
    const quoteRows: Spec['quotes'] = [];
    let finalAmount = amount;
    if (quoted) {
      // Made and sent between entering 方案建议 and 商务报价.
      const before = changes[changes.indexOf(quoted) - 1].at;
      const first = new Date(before.getTime() + (quoted.at.getTime() - before.getTime()) * (0.5 + rng.next() * 0.4));
      if (outcome.kind === 'reopened') {
        const reopenedAt = changes.find((c) => c.from?.id === lostStage.id)!.at;
        finalAmount = ((amount * 85n) / 100n / 100_000n) * 100_000n;
        quoteRows.push({ id: randomUUID(), version: 1, status: 'rejected', at: first, items: items(amount) });
        quoteRows.push({
          id: randomUUID(),
          version: 2,
          status: 'accepted',
          at: new Date(reopenedAt.getTime() - 3_600_000),
          items: items(finalAmount),
        });
      } else {
        const status =
          outcome.kind === 'won'
            ? 'accepted'
            : outcome.kind === 'lost' && outcome.at === '商务报价' && lostReason === '价格偏高'
              ? 'rejected'
              : 'sent';
        quoteRows.push({ id: randomUUID(), version: 1, status, at: first, items: items(amount) });
      }
    }
    return {
      id: randomUUID(),
      seller,
      line,
      region,
      outcome,
      changes,
      created: instants[0],
      closed,
      amount: finalAmount,
      lostReason,
      competitor,
      quotes: quoteRows,
      customerId: '',
      contactId: '',
      customerName: '',
      name: '',
      service,
      fromLead: false,
      expectedCloseOn:
        outcome.kind === 'open' ? addDays(today, rng.int(10, 120)) : addDays(dateOf(closed!), rng.int(-20, 15)),
    };
  });

  // ---------- customers: from converted leads, new ones, and the demo's own ----------
  type NewCustomer = {
    id: string;
    name: string;
    owner: string;
    region: string;
    source: string | null;
    phone: string;
    created: Date;
    status: 'prospect' | 'customer';
    contact: { id: string; name: string; title: string };
    lastContact: Date;
  };
  const newCustomers: NewCustomer[] = [];
  const byOwner = new Map<string, { id: string; name: string }[]>();
  for (const c of existing) {
    const owner = [...people.values()].find((p) => p.id === c.ownerId);
    if (owner && primaryContact.has(c.id)) byOwner.set(owner.username, [...(byOwner.get(owner.username) ?? []), c]);
  }
  // A third of them came from leads, converted the day they were made (a lead a few days to weeks older).
  const converted = rng.shuffle(specs.filter((s) => dateOf(s.created) >= addDays(spanStart, 25))).slice(0, CONVERTED);
  for (const s of converted) s.fromLead = true;
  type LeadSpec = {
    id: string;
    company: string;
    contact: string;
    title: string;
    phone: string;
    seller: Seller;
    line: string;
    region: string;
    source: string;
    campaignId: string | null;
    created: Date;
    steps: { status: 'new' | 'contacting' | 'qualified' | 'disqualified' | 'converted'; at: Date; reason?: string }[];
    spec: Spec | null;
  };
  const leadSpecs: LeadSpec[] = [];
  const sourceOf = (line: string, date: string, weights: [string, number][]) => {
    let source = rng.weighted(weights);
    const campaign = source === '市场活动' ? campaignFor(line, date) : null;
    if (source === '市场活动' && !campaign) source = '老客户介绍';
    return { source, campaignId: campaign?.id ?? null };
  };
  for (const s of specs) {
    const won = s.outcome.kind === 'won' || s.outcome.kind === 'reopened';
    const last = s.changes[s.changes.length - 1].at;
    if (s.fromLead) {
      const leadDay = addDays(dateOf(s.created), -rng.int(3, 24));
      const created = at(leadDay < spanStart ? spanStart : leadDay, rng.int(9, 11));
      const { source, campaignId } = sourceOf(s.line, dateOf(created), [
        ['老客户介绍', 30],
        ['市场活动', 30],
        ['网站咨询', 15],
        ['来电咨询', 15],
        ['电话营销', 5],
        ['展会', 5],
      ]);
      const span = s.created.getTime() - created.getTime();
      const company = companyName(s.region, s.line);
      const contact = { id: randomUUID(), name: personName(), title: rng.pick(TITLES) };
      const lead: LeadSpec = {
        id: randomUUID(),
        company,
        contact: contact.name,
        title: contact.title,
        phone: phone(),
        seller: s.seller,
        line: s.line,
        region: s.region,
        source,
        campaignId,
        created,
        steps: [
          { status: 'new', at: created },
          { status: 'contacting', at: new Date(created.getTime() + span * 0.25) },
          { status: 'qualified', at: new Date(created.getTime() + span * 0.7) },
          { status: 'converted', at: s.created },
        ],
        spec: s,
      };
      leadSpecs.push(lead);
      newCustomers.push({
        id: randomUUID(),
        name: company,
        owner: s.seller.username,
        region: s.region,
        source,
        phone: lead.phone,
        created: s.created,
        status: won ? 'customer' : 'prospect',
        contact,
        lastContact: last,
      });
      const c = newCustomers[newCustomers.length - 1];
      Object.assign(s, { customerId: c.id, contactId: contact.id, customerName: company });
      s.name = convertedOpportunityName(company, lineName.get(s.line));
      continue;
    }
    // Repeat business with the owner's own demo customers first (not bookkeeping: it may conflict with an audit).
    // (and never under the name of one of the demo's current opportunities)
    const shortName = (name: string) => name.replace(/(股份)?有限公司$/, '');
    const mine = byOwner.get(s.seller.username) ?? [];
    const own =
      s.line === 'DZ' ? undefined : mine.find((c) => !opportunityNames.has(`${shortName(c.name)} · ${s.service}`));
    if (own) {
      mine.splice(mine.indexOf(own), 1);
      Object.assign(s, { customerId: own.id, contactId: primaryContact.get(own.id)!, customerName: own.name });
    } else {
      const contact = { id: randomUUID(), name: personName(), title: rng.pick(TITLES) };
      const c: NewCustomer = {
        id: randomUUID(),
        name: companyName(s.region, s.line),
        owner: s.seller.username,
        region: s.region,
        source: rng.pick(['老客户介绍', '来电咨询', '网站咨询', '展会']),
        phone: phone(),
        created: new Date(s.created.getTime() - rng.int(5, 60) * DAY),
        status: won ? 'customer' : 'prospect',
        contact,
        lastContact: last,
      };
      newCustomers.push(c);
      Object.assign(s, { customerId: c.id, contactId: contact.id, customerName: c.name });
    }
    s.name = `${shortName(s.customerName)} · ${s.service}`;
    opportunityNames.add(s.name);
  }

  // Leads that did not become opportunities: spread over the months; the old ones disqualified (or still nursed).
  for (let k = 0; k < LEADS_NOT_CONVERTED; k++) {
    const seller = rng.weighted(usable.map((s) => [s, s.weight] as const));
    const line = rng.pick(seller.lines);
    const region = rng.pick(seller.regions);
    const day = addDays(
      spanStart,
      Math.min(spanDays - 1, Math.floor((spanDays * (k + rng.next())) / LEADS_NOT_CONVERTED)),
    );
    const created = at(day);
    const age = Math.round((Date.parse(today) - Date.parse(day)) / DAY);
    const { source, campaignId } = sourceOf(line, day, [
      ['电话营销', 25],
      ['网站咨询', 25],
      ['来电咨询', 10],
      ['市场活动', 20],
      ['展会', 12],
      ['老客户介绍', 8],
    ]);
    const later = (days: number) => new Date(Math.min(created.getTime() + days * DAY, latest.getTime()));
    const steps: LeadSpec['steps'] = [{ status: 'new', at: created }];
    const fate =
      age > 60
        ? rng.weighted([
            ['disqualified', 85],
            ['contacting', 15],
          ] as const)
        : age <= 5
          ? 'new'
          : rng.weighted([
              ['new', 15],
              ['contacting', 40],
              ['qualified', 20],
              ['disqualified', 25],
            ] as const);
    if (fate !== 'new') steps.push({ status: 'contacting', at: later(Math.min(2, age / 3)) });
    if (fate === 'qualified') steps.push({ status: 'qualified', at: later(Math.min(12, age / 2)) });
    if (fate === 'disqualified')
      steps.push({
        status: 'disqualified',
        at: later(Math.min(rng.int(10, 40), age - 1)),
        reason: rng.pick(DISQUALIFY_REASONS),
      });
    const contact = personName();
    leadSpecs.push({
      id: randomUUID(),
      company: companyName(region, line),
      contact,
      title: rng.pick(TITLES),
      phone: phone(),
      seller,
      line,
      region,
      source,
      campaignId,
      created,
      steps,
      spec: null,
    });
  }

  await insertMany(
    db,
    customers,
    newCustomers.map((c) => ({
      id: c.id,
      name: c.name,
      regionId: regionId.get(c.region) ?? null,
      phone: c.phone,
      status: c.status,
      source: c.source,
      tags: c.status === 'customer' ? ['成交客户'] : [],
      ownerId: person(c.owner).id,
      searchText: searchTextOf([c.name], [c.phone]),
      lastContactAt: c.lastContact,
      createdBy: person(c.owner).id,
      createdAt: c.created,
      updatedAt: c.lastContact,
    })),
  );
  await insertMany(
    db,
    customerOwnerChanges,
    newCustomers.map((c) => ({
      customerId: c.id,
      toUserId: person(c.owner).id,
      kind: 'create' as const,
      at: c.created,
      byUserId: person(c.owner).id,
    })),
  );
  await insertMany(
    db,
    contacts,
    newCustomers.map((c) => ({
      id: c.contact.id,
      customerId: c.id,
      name: c.contact.name,
      title: c.contact.title,
      phones: [c.phone],
      isPrimary: true,
      searchText: searchTextOf([c.contact.name, c.contact.title], [c.phone]),
      createdBy: person(c.owner).id,
      createdAt: c.created,
      updatedAt: c.created,
    })),
  );

  // ---------- leads, their assignment and status history ----------
  const managerFor = (username: string) => managerOf.get(person(username).departmentId!) ?? person(username).id;
  await insertMany(
    db,
    leads,
    leadSpecs.map((l) => {
      const last = l.steps[l.steps.length - 1];
      const customer = l.spec ? newCustomers.find((c) => c.id === l.spec!.customerId)! : null;
      return {
        id: l.id,
        companyName: l.company,
        contactName: l.contact,
        contactTitle: l.title,
        phone: l.phone,
        campaignId: l.campaignId,
        businessLineId: lineId.get(l.line)!,
        regionId: regionId.get(l.region) ?? null,
        source: l.source,
        status: last.status,
        disqualifyReason: last.reason ?? null,
        ownerId: person(l.seller.username).id,
        queueDepartmentId: null,
        assignedAt: l.created,
        customerId: customer?.id ?? null,
        contactId: customer?.contact.id ?? null,
        // (its opportunity is linked once the opportunities exist: each points at the other)
        convertedAt: l.spec ? l.spec.created : null,
        searchText: searchTextOf([l.company, l.contact], [l.phone]),
        createdBy: managerFor(l.seller.username),
        createdAt: l.created,
        updatedAt: last.at,
      };
    }),
  );
  await insertMany(
    db,
    leadAssignments,
    leadSpecs.map((l) => ({
      leadId: l.id,
      toUserId: person(l.seller.username).id,
      byUserId: managerFor(l.seller.username),
      at: l.created,
    })),
  );
  await insertMany(
    db,
    leadStatusChanges,
    leadSpecs.flatMap((l) =>
      l.steps.map((s, i) => ({
        leadId: l.id,
        fromStatus: i ? l.steps[i - 1].status : null,
        toStatus: s.status,
        reason: s.reason ?? null,
        at: s.at,
        byUserId: i ? person(l.seller.username).id : managerFor(l.seller.username),
      })),
    ),
  );
  const leadOf = new Map(leadSpecs.filter((l) => l.spec).map((l) => [l.spec!.id, l]));
  const linkLeads = () =>
    db.execute(sql`
      UPDATE ${leads} SET opportunity_id = (x->>'opportunity')::uuid
      FROM jsonb_array_elements(${JSON.stringify([...leadOf].map(([opportunity, l]) => ({ lead: l.id, opportunity })))}::jsonb) AS x
      WHERE ${leads.id} = (x->>'lead')::uuid`);

  // ---------- opportunities, their stage history, quotes and acceptance ----------
  await insertMany(
    db,
    opportunities,
    specs.map((s) => {
      const last = s.changes[s.changes.length - 1];
      const status = last.to.kind;
      const owner = person(s.seller.username);
      return {
        id: s.id,
        name: s.name,
        customerId: s.customerId,
        contactId: s.contactId,
        businessLineId: lineId.get(s.line)!,
        stageId: last.to.id,
        status,
        probability: status === 'won' ? 100 : status === 'lost' ? 0 : last.to.probability,
        expectedAmount: yuan(s.amount),
        expectedCloseOn: s.expectedCloseOn,
        nextStep: status === 'open' ? (NEXT_STEPS[last.to.nameZh] ?? null) : null,
        ownerId: owner.id,
        departmentId: owner.departmentId,
        leadId: s.fromLead ? leadOf.get(s.id)!.id : null,
        campaignId: s.fromLead ? leadOf.get(s.id)!.campaignId : null,
        lostReason: s.lostReason,
        competitor: s.competitor,
        closedAt: s.closed,
        stageEnteredAt: last.at,
        searchText: searchTextOf([s.name, s.customerName]),
        createdBy: owner.id,
        createdAt: s.created,
        updatedAt: last.at,
      };
    }),
  );
  await insertMany(
    db,
    opportunityStageChanges,
    specs.flatMap((s) =>
      s.changes.map((c) => ({
        opportunityId: s.id,
        fromStageId: c.from?.id ?? null,
        toStageId: c.to.id,
        fromStatus: c.from ? c.from.kind : null,
        toStatus: c.to.kind,
        note: c.note,
        at: c.at,
        byUserId: person(s.seller.username).id,
      })),
    ),
  );
  await linkLeads();
  const allQuotes = specs.flatMap((s) => s.quotes.map((q) => ({ s, q })));
  await insertMany(
    db,
    quotes,
    allQuotes.map(({ s, q }) => ({
      id: q.id,
      opportunityId: s.id,
      version: q.version,
      status: q.status,
      validUntil: addDays(dateOf(q.at), 30),
      total: yuan(q.items.reduce((sum, [, a]) => sum + a, 0n)),
      createdBy: person(s.seller.username).id,
      createdAt: q.at,
      updatedAt: q.at,
    })),
  );
  await insertMany(
    db,
    quoteItems,
    allQuotes.flatMap(({ s, q }) =>
      q.items.map(([description, amount], position) => ({
        quoteId: q.id,
        position,
        businessLineId: lineId.get(s.line)!,
        description,
        quantity: '1',
        unitPrice: yuan(amount),
        amount: yuan(amount),
      })),
    ),
  );
  const won = specs.filter((s) => s.closed && s.changes[s.changes.length - 1].to.kind === 'won');
  const checklist = await db.select().from(acceptanceChecklists);
  await insertMany(
    db,
    opportunityAcceptance,
    won
      .filter((s) => checklistLines.has(lineId.get(s.line)!))
      .map((s) => {
        const done = new Date(s.closed!.getTime() - DAY);
        const items = checklist.find((c) => c.businessLineId === lineId.get(s.line))!.items;
        const by = person(s.seller.username).id;
        return {
          opportunityId: s.id,
          answers: Object.fromEntries(
            items.map((i) => [i.key, { checked: true, note: null, by, at: done.toISOString() }]),
          ),
          completedAt: done,
          updatedAt: done,
        };
      }),
  );

  // Contact logs: the last word with each new customer (its lastContactAt).
  await insertMany(
    db,
    contactLogs,
    newCustomers.map((c) => {
      const s = specs.find((x) => x.customerId === c.id)!;
      const kind = s.changes[s.changes.length - 1].to.kind;
      return {
        customerId: c.id,
        contactId: c.contact.id,
        direction: 'outbound' as const,
        channel: kind === 'won' ? ('visit' as const) : ('phone' as const),
        occurredAt: c.lastContact,
        userId: person(c.owner).id,
        summary:
          kind === 'won'
            ? '上门确认服务范围、进场时间与收费安排'
            : kind === 'lost'
              ? `客户告知不再推进：${s.lostReason}`
              : '电话跟进方案与报价',
        createdBy: person(c.owner).id,
        createdAt: c.lastContact,
        updatedAt: c.lastContact,
      };
    }),
  );

  // ---------- won: contracts signed and orders confirmed on their days, numbered in order ----------
  const yesterday = addDays(today, -1);
  const branchOf = (username: string) => person(username).branchId;
  const signatoryFor = (branchId: string | null) => {
    const name = branchId ? branchName.get(branchId) : null;
    const username = name === '北京' ? 'partner2' : name === '上海' ? 'fengyi' : 'exec';
    return people.get(username)?.id ?? null;
  };
  const planOf = (line: string, amount: bigint): PaymentTermInput[] => {
    if (line === 'DZ')
      return [
        { kind: 'down-payment', percent: '50', trigger: 'signing' },
        { kind: 'final', percent: '50', trigger: 'days-after-signing', triggerDays: 180 },
      ];
    if (line === 'YZ') return [{ kind: 'final', percent: '100', trigger: 'days-after-completion', triggerDays: 10 }];
    if (amount >= 15_000_000n)
      return [
        { kind: 'down-payment', percent: '30', trigger: 'signing' },
        { kind: 'progress', percent: '40', trigger: 'days-after-signing', triggerDays: 45 },
        { kind: 'final', percent: '30', trigger: 'days-after-completion', triggerDays: 15 },
      ];
    return [
      { kind: 'down-payment', percent: '50', trigger: 'signing' },
      { kind: 'final', percent: '50', trigger: 'days-after-completion', triggerDays: 15 },
    ];
  };
  type Deal = {
    s: Spec;
    contractId: string;
    orderId: string;
    created: Date;
    signedOn: string;
    confirmedOn: string;
    completedOn: string | null;
    endOn: string;
    items: [string, bigint][];
    terms: (ReturnType<typeof planTerms>['terms'][number] & { id: string; dueOn: string | null })[];
    contractNumber?: { number: string; seriesId: string };
    orderNumber?: { number: string; seriesId: string };
  };
  const deals: Deal[] = won.map((s) => {
    const wonOn = dateOf(s.closed!);
    const created = notAfterNow(at(addDays(wonOn, 1), 10));
    let signedOn = addDays(wonOn, rng.int(3, 12));
    if (signedOn > yesterday) signedOn = yesterday < dateOf(created) ? dateOf(created) : yesterday;
    let confirmedOn = addDays(signedOn, rng.int(0, 5));
    if (confirmedOn > yesterday) confirmedOn = signedOn;
    const work = rng.int(...WORK_DAYS[s.line]);
    const finish = addDays(confirmedOn, work);
    const completedOn = finish <= addDays(today, -3) ? finish : null;
    const amount = yuan(s.amount);
    const planned = planTerms(planOf(s.line, s.amount), amount).terms;
    return {
      s,
      contractId: randomUUID(),
      orderId: randomUUID(),
      created,
      signedOn,
      confirmedOn,
      completedOn,
      endOn: addDays(signedOn, work),
      items: s.quotes.find((q) => q.status === 'accepted')!.items,
      terms: planned.map((t) => ({ ...t, id: randomUUID(), dueOn: dueOn(t, { signedOn, completedOn }) })),
    };
  });
  // Numbered from the register on the day each was signed or confirmed, in date order (issued by their owners).
  const finance: Ctx = { ...tx, actor: (await loadActor(db, person('finance').id))!, requestId: 'demo' };
  const byDate = (on: (d: Deal) => string) => [...deals].sort((a, b) => on(a).localeCompare(on(b)));
  const contractNumbers = await issueNumbers(
    finance,
    'contract',
    byDate((d) => d.signedOn).map((d) => ({
      businessLineId: lineId.get(d.s.line)!,
      subjectId: d.contractId,
      at: at(d.signedOn, 15),
      issuedBy: person(d.s.seller.username).id,
    })),
  );
  const orderNumbers = await issueNumbers(
    finance,
    'order',
    byDate((d) => d.confirmedOn).map((d) => ({
      businessLineId: lineId.get(d.s.line)!,
      subjectId: d.orderId,
      at: at(d.confirmedOn, 16),
      issuedBy: person(d.s.seller.username).id,
    })),
  );
  for (const d of deals) {
    d.contractNumber = contractNumbers.get(d.contractId);
    d.orderNumber = orderNumbers.get(d.orderId);
  }

  // ---------- money: receipts (one reversed) and invoices against the terms, oldest due first ----------
  const financeFor = (username: string) =>
    branchName.get(branchOf(username) ?? '') === '上海' && people.has('jiangtao') ? 'jiangtao' : 'finance';
  type Money = { id: string; deal: Deal; on: string; amount: bigint; termId: string; reversed?: string };
  const received: Money[] = [];
  const invoiced: (Money & { number: string; kind: 'ordinary' | 'special' })[] = [];
  // Invoice numbers as the tax office gives them (8 digits), none taken already.
  const invoiceNumbers = new Set((await db.select({ number: invoices.number }).from(invoices)).map((v) => v.number));
  let invoiceSeq = 0;
  const invoiceNumber = (on: string) => {
    let number: string;
    do number = `${on.slice(2, 4)}${String(++invoiceSeq).padStart(6, '0')}`;
    while (invoiceNumbers.has(number));
    invoiceNumbers.add(number);
    return number;
  };
  for (const d of deals) {
    const payer = rng.weighted([
      ['prompt', 70],
      ['slow', 18],
      ['poor', 12],
    ] as const);
    let paying = true;
    let invoicing = rng.next() < 0.85;
    for (const [i, t] of d.terms.entries()) {
      if (!t.dueOn || t.dueOn > yesterday) break;
      const amount = toHundredths(t.amount);
      if (invoicing) {
        invoiced.push({
          id: randomUUID(),
          deal: d,
          on: t.dueOn,
          amount,
          termId: t.id,
          number: invoiceNumber(t.dueOn),
          kind: amount >= 5_000_000n ? 'special' : 'ordinary',
        });
        invoicing = rng.next() < 0.9;
      }
      if (!paying) continue;
      const late = payer === 'prompt' ? rng.int(0, 25) : payer === 'slow' ? rng.int(40, 110) : rng.int(20, 60);
      const on = addDays(t.dueOn, late);
      if (on > yesterday || (payer === 'poor' && i > 0)) {
        paying = false;
        continue;
      }
      // Now and then a term is paid in two parts, the second one still to come.
      const part = rng.next() < 0.08 ? amount / 2n : amount;
      received.push({ id: randomUUID(), deal: d, on, amount: part, termId: t.id });
      if (part < amount) paying = false;
    }
  }
  // A receipt recorded against the wrong contract and reversed: its allocation stays, the term's received does not.
  const wrong = deals.find(
    (d) =>
      d.terms[0].dueOn &&
      addDays(d.terms[0].dueOn, 5) <= yesterday &&
      !received.some((r) => r.termId === d.terms[0].id && r.on <= addDays(d.terms[0].dueOn!, 2)),
  );
  if (wrong)
    received.push({
      id: randomUUID(),
      deal: wrong,
      on: addDays(wrong.terms[0].dueOn!, 2),
      amount: toHundredths(wrong.terms[0].amount),
      termId: wrong.terms[0].id,
      reversed: '付款单位核对有误（实为其他客户的款项），冲销',
    });
  const sumFor = (rows: Money[], termId: string) =>
    rows.filter((r) => r.termId === termId && !r.reversed).reduce((s, r) => s + r.amount, 0n);

  await insertMany(
    db,
    contracts,
    deals.map((d) => {
      const owner = person(d.s.seller.username);
      const branchId = owner.branchId;
      return {
        id: d.contractId,
        title: d.s.service,
        customerId: d.s.customerId,
        contactId: d.s.contactId,
        opportunityId: d.s.id,
        quoteId: d.s.quotes.find((q) => q.status === 'accepted')!.id,
        businessLineId: lineId.get(d.s.line)!,
        branchId,
        signatoryId: signatoryFor(branchId),
        ownerId: owner.id,
        departmentId: owner.departmentId!,
        amount: yuan(d.s.amount),
        status: d.completedOn ? ('completed' as const) : ('in-progress' as const),
        seriesId: d.contractNumber!.seriesId,
        number: d.contractNumber!.number,
        startOn: d.signedOn,
        endOn: d.endOn,
        signedOn: d.signedOn,
        completedOn: d.completedOn,
        createdBy: owner.id,
        updatedBy: owner.id,
        createdAt: d.created,
        updatedAt: notAfterNow(at(d.completedOn ?? d.confirmedOn, 17)),
      };
    }),
  );
  await insertMany(
    db,
    contractLines,
    deals.flatMap((d) =>
      d.items.map(([description, amount], i) => ({
        contractId: d.contractId,
        position: i + 1,
        description,
        amount: yuan(amount),
      })),
    ),
  );
  await insertMany(
    db,
    paymentTerms,
    deals.flatMap((d) =>
      d.terms.map((t) => {
        const got = sumFor(received, t.id);
        return {
          id: t.id,
          contractId: d.contractId,
          position: t.position,
          kind: t.kind,
          amount: t.amount,
          percent: t.percent,
          trigger: t.trigger,
          triggerDate: t.triggerDate,
          triggerDays: t.triggerDays,
          note: t.note,
          dueOn: t.dueOn,
          invoiced: yuan(sumFor(invoiced, t.id)),
          received: yuan(got),
          // Reminded of on the day it fell due, as the daily job did.
          remindedFor: t.dueOn && t.dueOn <= today && got < toHundredths(t.amount) ? t.dueOn : null,
          createdBy: person(d.s.seller.username).id,
          createdAt: d.created,
          updatedAt: d.created,
        };
      }),
    ),
  );
  await insertMany(
    db,
    orders,
    deals.map((d) => {
      const owner = person(d.s.seller.username);
      return {
        id: d.orderId,
        title: d.s.service,
        contractId: d.contractId,
        opportunityId: d.s.id,
        customerId: d.s.customerId,
        businessLineId: lineId.get(d.s.line)!,
        ownerId: owner.id,
        departmentId: owner.departmentId!,
        amount: yuan(d.s.amount),
        status: d.completedOn ? ('completed' as const) : ('confirmed' as const),
        seriesId: d.orderNumber!.seriesId,
        number: d.orderNumber!.number,
        confirmedOn: d.confirmedOn,
        completedOn: d.completedOn,
        createdBy: owner.id,
        updatedBy: owner.id,
        createdAt: notAfterNow(at(d.signedOn, 16)),
        updatedAt: notAfterNow(at(d.completedOn ?? d.confirmedOn, 17)),
      };
    }),
  );
  await insertMany(
    db,
    orderLines,
    deals.flatMap((d) =>
      d.items.map(([description, amount], i) => ({
        orderId: d.orderId,
        position: i + 1,
        businessLineId: lineId.get(d.s.line)!,
        description,
        amount: yuan(amount),
      })),
    ),
  );
  const recorded = (on: string) => notAfterNow(at(on, 14));
  await insertMany(
    db,
    receipts,
    received.map((r, i) => {
      const by = person(financeFor(r.deal.s.seller.username)).id;
      const reversedAt = r.reversed ? notAfterNow(at(addDays(r.on, 3), 11)) : null;
      return {
        id: r.id,
        customerId: r.deal.s.customerId,
        contractId: r.deal.contractId,
        receivedOn: r.on,
        amount: yuan(r.amount),
        unallocated: '0.00',
        payer: r.deal.s.customerName,
        bankReference: `${r.on.replaceAll('-', '')}${String(i + 1).padStart(4, '0')}`,
        status: r.reversed ? ('reversed' as const) : ('valid' as const),
        reversedReason: r.reversed ?? null,
        reversedAt,
        reversedBy: r.reversed ? by : null,
        createdBy: by,
        createdAt: recorded(r.on),
        updatedAt: reversedAt ?? recorded(r.on),
      };
    }),
  );
  await insertMany(
    db,
    receiptAllocations,
    received.map((r) => ({
      receiptId: r.id,
      termId: r.termId,
      amount: yuan(r.amount),
      createdBy: person(financeFor(r.deal.s.seller.username)).id,
      createdAt: recorded(r.on),
    })),
  );
  await insertMany(
    db,
    invoices,
    invoiced.map((v) => ({
      id: v.id,
      number: v.number,
      kind: v.kind,
      customerId: v.deal.s.customerId,
      contractId: v.deal.contractId,
      issuedOn: v.on,
      amount: yuan(v.amount),
      createdBy: person(financeFor(v.deal.s.seller.username)).id,
      createdAt: recorded(v.on),
      updatedAt: recorded(v.on),
    })),
  );
  await insertMany(
    db,
    invoiceAllocations,
    invoiced.map((v) => ({ invoiceId: v.id, termId: v.termId, amount: yuan(v.amount) })),
  );

  // The firm's best practice per line, for the sales-cycle report (kept if an administrator set one already).
  const targets = [...lineId]
    .filter(([code]) => TARGET_DAYS[code])
    .map(([code, id]) => ({
      businessLineId: id,
      targetDays: TARGET_DAYS[code],
      updatedBy: people.get('exec')?.id ?? null,
    }));
  if (targets.length) await db.insert(salesCycleTargets).values(targets).onConflictDoNothing();
}
