import { inArray } from 'drizzle-orm';
import type { KnowledgeArticleCreate } from '../../common/schemas/knowledge';
import type { Ctx, JobsTx } from '../context';
import { createArticle, markUseful } from '../domains/knowledge/articles.service';
import { loadActor } from '../domains/staff/actors';
import { businessLines, departments, users } from '../domains/staff/staff.tables';
import { FIRM_TIME_ZONE, addDays, localDate } from '../lib/time';

/*
 * The demo firm's knowledge base 知识库: a dozen articles of its own practice (experience, cases, a policy, Q&A),
 * three templates, some due for review (their review date passed), written through the service as their owners.
 */

type Seeded = Omit<KnowledgeArticleCreate, 'businessLineIds'> & {
  by: string;
  lines?: string[];
  /** Days from today to the review date (negative: stale 待复审). */
  reviewIn?: number;
  department?: string;
  usefulBy?: string[];
};

const ARTICLES: Seeded[] = [
  {
    by: 'manager',
    kind: 'experience',
    title: '年报审计承接要点',
    lines: ['SJ'],
    tags: ['年报审计', '业务承接', '风险评估'],
    reviewIn: -20,
    usefulBy: ['sales1', 'sales2', 'exec'],
    body: `## 承接前必须弄清的五件事

1. **委托目的**：工商年报、银行贷款还是股东要求？目的决定报告使用人和出具时间。
2. **前任会计师**：是否更换事务所，更换原因是什么；按准则与前任沟通并留下记录。
3. **独立性**：本所及项目组成员与客户是否存在代理记账、评估等非鉴证业务（见《独立性管理制度》）。
4. **财务基础**：账套是否完整、存货和往来能否盘点函证；基础差的客户报价要留足工时。
5. **出具时限**：4 月 30 日前集中出具的客户，须在 2 月前锁定外勤时间。

## 报价参考

| 资产规模 | 参考工时（人天） | 备注 |
| --- | --- | --- |
| 5000 万以下 | 6–10 | 单体公司 |
| 5000 万–5 亿 | 15–30 | 含存货监盘 |
| 5 亿以上 | 40 起 | 需合伙人复核 |

> 承接评价表填写完整后再签约，避免“先干活后补手续”。`,
  },
  {
    by: 'sales2',
    kind: 'qa',
    title: '代理记账客户常见问题',
    lines: ['DZ'],
    tags: ['代理记账', '小规模纳税人', '常见问题'],
    reviewIn: 200,
    usefulBy: ['sales1'],
    body: `## 问：零申报可以一直报吗？

可以按期零申报，但连续零申报超过 6 个月容易被税务机关列为异常关注，应如实核算收入。

## 问：发票由谁开？

客户自行通过电子税务局开具；我们可以代为操作，但须取得客户书面授权，并做好税控设备交接登记。

## 问：每月需要提供什么资料？

- 银行对账单和回单
- 进项、销项发票（全电发票可直接从平台下载）
- 工资表、社保缴费明细
- 费用报销单据

## 问：收费标准？

小规模纳税人每月 300–500 元，一般纳税人每月 800 元起，按票据量和是否含工资核算调整；年度汇算清缴另行收费。`,
  },
  {
    by: 'sales1',
    kind: 'experience',
    title: '验资业务风险提示',
    lines: ['YZ'],
    tags: ['验资', '风险提示'],
    reviewIn: -5,
    usefulBy: ['manager'],
    body: `## 高风险信号

- 出资款到账后 **当天或次日** 即转出，且无合理商业理由；
- 以实物、知识产权出资但未经评估，或评估基准日与出资日相隔过久；
- 出资人与被投资单位存在大额往来，资金来源说不清。

## 必做程序

1. 向银行 **函证** 出资款到账情况，不能只看客户提供的回单复印件；
2. 核对出资人身份证明与股东会决议、章程的一致性；
3. 非货币出资核实权属转移手续是否已办理。

## 出具报告

验资报告只说明截至验资日的出资情况，报告中须明确使用目的，**不得** 对出资后资金去向作出保证。`,
  },
  {
    by: 'manager',
    kind: 'experience',
    title: '工程预结算审价常见争议',
    lines: ['GC'],
    tags: ['工程审价', '结算审核', '争议处理'],
    reviewIn: 120,
    body: `## 争议最多的四类事项

| 事项 | 施工方常见主张 | 审核口径 |
| --- | --- | --- |
| 签证工程量 | 以签证单为准 | 签证须有监理、建设单位签字并与现场一致 |
| 材料调差 | 按市场价全额调整 | 按合同约定的风险幅度（一般 ±5%）以外部分调整 |
| 暂估价 | 按实际采购价 | 须有建设单位确认的采购或招标文件 |
| 工期索赔 | 停工损失全额计取 | 须区分责任方并有停工令等证据 |

## 沟通技巧

- 争议事项逐条列清单，注明依据和金额，三方当面核对；
- 对无法达成一致的事项出具 **争议事项说明**，不在报告中含糊处理。`,
  },
  {
    by: 'exec',
    kind: 'experience',
    title: '资产评估报告复核清单',
    lines: ['PG'],
    tags: ['资产评估', '复核', '质量控制'],
    reviewIn: -40,
    body: `## 一级复核（项目负责人）

- [ ] 评估目的、评估对象和范围与委托合同一致
- [ ] 评估基准日选择合理，期后事项已说明
- [ ] 评估方法的选择理由充分，至少考虑两种方法

## 二级复核（部门经理）

- [ ] 关键参数（折现率、增长率、可比案例）有出处
- [ ] 收益法与市场法结果差异超过 20% 时有分析说明
- [ ] 特别事项说明完整（权属瑕疵、抵押担保、未决诉讼）

## 三级复核（合伙人）

- [ ] 评估结论与经济行为相匹配
- [ ] 报告用语规范，无“保证”“确保”等表述`,
  },
  {
    by: 'sales2',
    kind: 'policy',
    title: '税务咨询报价口径',
    lines: ['SW'],
    tags: ['税务咨询', '报价'],
    reviewIn: 300,
    usefulBy: ['sales1', 'manager'],
    body: `## 计价方式

1. **专项咨询**（如股权转让税务筹划）：按预计工时 × 人员费率，费率见下表，最低 5000 元；
2. **常年税务顾问**：按年收费，小型企业 2 万元/年起，含每季度一次上门服务；
3. **汇算清缴鉴证**：按收入规模分档，与年报审计同时承接的可给予九折。

| 人员级别 | 费率（元/小时） |
| --- | --- |
| 合伙人 | 2000 |
| 经理 | 1000 |
| 助理 | 400 |

> 不得以“节税金额的百分比”收费。`,
  },
  {
    by: 'admin',
    kind: 'policy',
    title: '独立性管理制度',
    tags: ['独立性', '职业道德', '制度'],
    reviewIn: 365,
    body: `## 总则

本所及全体员工执行鉴证业务时，应当在实质上和形式上保持独立。

## 禁止情形

1. 为同一客户同时提供 **审计** 与 **代理记账** 服务；
2. 项目组成员及其直系亲属持有审计客户的股票或其他直接经济利益；
3. 收费依赖于审计结论或交易结果的或有收费安排。

## 程序

- 每个鉴证业务承接前，业务员须在系统中完成独立性检查；存在冲突的须经合伙人审批；
- 每年 1 月，全体员工签署独立性声明；
- 违反本制度的，视情节给予通报批评直至解除劳动合同。`,
  },
  {
    by: 'sales1',
    kind: 'case',
    title: '案例：陕西某机械制造企业首次年报审计承接',
    lines: ['SJ'],
    tags: ['年报审计', '首次承接', '制造业'],
    reviewIn: 180,
    usefulBy: ['sales2', 'manager'],
    body: `## 背景

客户为西安高新区一家机械制造企业，资产约 1.2 亿元，原由另一家事务所审计，因出具时间过晚更换。

## 过程

1. 首次拜访带着 **去年同行业出具时间统计**，打消了客户对进度的顾虑；
2. 与前任会计师沟通后发现存货长期未盘点，报价中单列了监盘工时；
3. 报价 8.5 万元，客户比价后接受，关键是我们承诺 3 月 31 日前出具。

## 经验

- 客户换所的 **真正原因** 要问清楚，往往就是我们的机会点；
- 存货问题提前讲明，后续调整时客户不会觉得意外。`,
  },
  {
    by: 'sales2',
    kind: 'qa',
    title: '问答：小规模纳税人转一般纳税人要注意什么',
    lines: ['SW', 'DZ'],
    tags: ['增值税', '一般纳税人'],
    reviewIn: 90,
    body: `## 问：什么情况下必须登记为一般纳税人？

年应税销售额超过 500 万元的，应在超过当月所属申报期结束后 15 日内办理登记。

## 问：转登记后有哪些变化？

- 适用税率从 3%（或 1%）变为 6%、9% 或 13%；
- 可以抵扣进项税额，**取得专票** 变得重要；
- 记账费用相应提高（见《代理记账客户常见问题》）。

## 问：能转回小规模吗？

一般不能；仅在国家出台阶段性政策时可以。`,
  },
  {
    by: 'manager',
    kind: 'experience',
    title: '招投标代理项目开标前检查要点',
    lines: ['ZB'],
    tags: ['招投标', '开标'],
    reviewIn: -2,
    body: `## 开标前一天

- 核对投标截止时间、开标地点（或电子平台）与招标公告一致；
- 评标专家抽取记录已存档，回避名单已核对；
- 准备开标记录表、签到表和唱标顺序。

## 开标当天

1. 提前 30 分钟调试电子平台和解密设备；
2. 投标文件递交时间精确到分钟登记；
3. 对投标人提出的异议 **当场记录**，按规定时限书面答复。`,
  },
  {
    by: 'exec',
    kind: 'insight',
    title: '客户洞察：民营制造企业老板最关心的三件事',
    lines: ['SJ', 'SW'],
    tags: ['客户洞察', '制造业', '沟通'],
    reviewIn: 240,
    usefulBy: ['sales1'],
    body: `在最近 20 次拜访记录中反复出现的关注点：

1. **银行贷款**：审计报告能否按时出具、能否满足银行要求，比价格更重要；
2. **税务风险**：对“金税四期”下的稽查高度敏感，愿意为税务健康检查付费；
3. **接班与股权**：二代接班、股权转让的税务成本。

建议：首次拜访以“贷款时间表 + 税务健康检查”开场，再引出年报审计和常年顾问。`,
  },
  {
    by: 'sales1',
    kind: 'experience',
    title: '审计业务报价谈判的几个做法',
    lines: ['SJ'],
    tags: ['报价', '谈判'],
    reviewIn: 150,
    visibility: 'department',
    department: '审计业务部',
    body: `## 原则

- 报价前先确认 **工作范围**，范围不清不报价；
- 折扣只给“范围调整”，不给“单纯砍价”。

## 做法

1. 给出两档方案：标准方案和精简方案（如不含存货监盘），让客户自己选；
2. 多年合作的客户可签三年期约定书，价格锁定、每年出具时间优先；
3. 遇到明显低于成本的竞争报价，**不跟价**，把我们的出具时间和复核体系讲清楚。`,
  },
  // Templates 模板: offered on the contract, quote and e-mail screens.
  {
    by: 'admin',
    kind: 'template',
    templateUse: 'engagement-letter',
    title: '审计业务约定书（年报审计）',
    lines: ['SJ'],
    tags: ['约定书', '年报审计'],
    reviewIn: 365,
    body: `# 审计业务约定书

甲方：{{客户名称}}
乙方：秦信会计师事务所（特殊普通合伙）

## 一、业务范围与审计目标

乙方接受甲方委托，对甲方 {{年度}} 年 12 月 31 日的资产负债表、{{年度}} 年度的利润表、现金流量表、所有者权益变动表以及财务报表附注进行审计，并发表审计意见。

## 二、甲方的责任

1. 按照企业会计准则编制财务报表，并使其实现公允反映；
2. 及时提供审计所需的全部会计资料和其他信息。

## 三、审计收费

本次审计费用为人民币 {{金额}} 元，签约时支付 50%，出具报告时支付余款。

## 四、报告出具时间

乙方应于 {{出具日期}} 前出具审计报告。`,
  },
  {
    by: 'manager',
    kind: 'template',
    templateUse: 'proposal',
    title: '审计服务方案',
    lines: ['SJ'],
    tags: ['服务方案', '投标'],
    reviewIn: 365,
    body: `# {{客户名称}} 年度财务报表审计服务方案

## 一、我们对贵公司的理解

（行业特点、经营规模、本次审计目的）

## 二、审计团队

| 角色 | 姓名 | 资质 |
| --- | --- | --- |
| 签字合伙人 | {{合伙人}} | 注册会计师 |
| 项目经理 | {{项目经理}} | 注册会计师 |

## 三、工作计划

1. 预审（{{预审时间}}）：了解内控、制定审计计划；
2. 外勤（{{外勤时间}}）：存货监盘、往来函证、实质性程序；
3. 出具报告（{{出具日期}}）。

## 四、服务报价

人民币 {{金额}} 元（含税）。`,
  },
  {
    by: 'sales1',
    kind: 'template',
    templateUse: 'email',
    title: '拜访后跟进邮件',
    tags: ['邮件', '跟进'],
    reviewIn: 365,
    body: `{{联系人}} 您好：

感谢您今天抽出时间与我们交流。根据会谈内容，整理要点如下：

- 贵公司本年度审计报告需于 {{出具日期}} 前出具，用于 {{用途}}；
- 我们将于 {{日期}} 前提交服务方案和报价；
- 需要贵公司协助提供上年度审计报告和本年度未审报表。

如有任何问题，请随时与我联系。

{{我的姓名}}
秦信会计师事务所 · {{部门}}
电话：{{电话}}`,
  },
];

export async function seedDemoKnowledge(tx: JobsTx): Promise<void> {
  const usernames = [...new Set(ARTICLES.flatMap((a) => [a.by, ...(a.usefulBy ?? [])]))];
  const people = new Map(
    (
      await tx.db
        .select({ id: users.id, username: users.username })
        .from(users)
        .where(inArray(users.username, usernames))
    ).map((u) => [u.username, u.id]),
  );
  const lines = new Map(
    (await tx.db.select({ id: businessLines.id, code: businessLines.code }).from(businessLines)).map((l) => [
      l.code,
      l.id,
    ]),
  );
  const depts = new Map(
    (await tx.db.select({ id: departments.id, name: departments.name }).from(departments)).map((d) => [d.name, d.id]),
  );
  const actors = new Map<string, Ctx>();
  const as = async (username: string): Promise<Ctx> => {
    let ctx = actors.get(username);
    if (!ctx) {
      ctx = { ...tx, actor: (await loadActor(tx.db, people.get(username)!))!, requestId: 'demo' };
      actors.set(username, ctx);
    }
    return ctx;
  };
  const today = localDate(new Date(), FIRM_TIME_ZONE);
  for (const { by, lines: codes, reviewIn, department, usefulBy, ...input } of ARTICLES) {
    const article = await createArticle(await as(by), {
      ...input,
      businessLineIds: (codes ?? []).map((c) => lines.get(c)!),
      departmentId: department ? depts.get(department)! : undefined,
      reviewOn: reviewIn === undefined ? null : addDays(today, reviewIn),
    });
    for (const reader of usefulBy ?? []) await markUseful(await as(reader), article.id, true);
  }
}
