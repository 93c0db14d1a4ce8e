import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { PlaybookActivity } from '../../common/schemas/playbooks';
import type { Db } from '../db/client';
import { knowledgeArticles } from '../domains/knowledge/knowledge.tables';
import { playbooks } from '../domains/knowledge/playbooks.tables';
import { pipelineStages } from '../domains/opportunities/opportunities.tables';
import { businessLines, users } from '../domains/staff/staff.tables';

type Step = [subject: string, category: string, dueOffsetDays: number, assignee: PlaybookActivity['assignee']];
type Book = { stage: string; steps: Step[]; checklist: string[]; templates?: string[]; articles?: string[] };

/** 审计: what a salesperson does, checks and sends at each stage of the (default) pipeline. */
const AUDIT: Book[] = [
  {
    stage: '初步接洽',
    steps: [
      ['电话了解审计需求与报告用途', 'call', 1, 'owner'],
      ['发送事务所介绍材料', 'materials', 2, 'owner'],
    ],
    checklist: ['确认报告用途（年报、专项、并购）', '了解所属行业与规模', '确认决策人与联系人'],
    articles: ['年报审计承接要点'],
  },
  {
    stage: '需求分析',
    steps: [
      ['拜访客户财务负责人', 'visit', 3, 'owner'],
      ['整理客户基本情况与风险点', 'other', 5, 'owner'],
    ],
    checklist: ['获取上年审计报告', '了解上年审计机构及更换原因', '初步评估业务风险'],
    articles: ['年报审计承接要点'],
  },
  {
    stage: '方案建议',
    steps: [
      ['准备审计服务方案', 'proposal', 2, 'owner'],
      ['安排合伙人拜访', 'visit', 5, 'owner-manager'],
    ],
    checklist: ['确认审计范围', '了解上年审计机构', '独立性检查'],
    templates: ['审计服务方案', '审计业务约定书（年报审计）'],
    articles: ['年报审计承接要点', '独立性管理制度'],
  },
  {
    stage: '商务报价',
    steps: [
      ['测算审计工时与收费', 'quote', 1, 'owner'],
      ['报价提交部门经理复核', 'other', 2, 'owner-manager'],
    ],
    checklist: ['按工时与风险测算收费', '报价不低于最低收费标准', '明确付款节点'],
    articles: ['审计业务报价谈判的几个做法'],
  },
  {
    stage: '商务谈判',
    steps: [
      ['跟进客户对报价与条款的意见', 'negotiation', 2, 'owner'],
      ['准备审计业务约定书', 'proposal', 4, 'owner'],
    ],
    checklist: ['确认约定书条款', '完成业务承接检查表', '确认外勤时间安排'],
    templates: ['审计业务约定书（年报审计）'],
    articles: ['审计业务报价谈判的几个做法'],
  },
];

/** 代理记账: a shorter path, mostly by phone. */
const BOOKKEEPING: Book[] = [
  {
    stage: '初步接洽',
    steps: [['电话了解记账与报税需求', 'call', 1, 'owner']],
    checklist: ['确认纳税人类型（一般纳税人／小规模）', '了解每月票据量', '确认是否需要代办社保'],
    articles: ['代理记账客户常见问题'],
  },
  {
    stage: '方案建议',
    steps: [
      ['发送代理记账服务方案与报价', 'proposal', 1, 'owner'],
      ['电话跟进方案反馈', 'call', 4, 'owner'],
    ],
    checklist: ['确认服务起始月份', '约定票据交接方式', '说明各月报税截止日'],
    templates: ['拜访后跟进邮件'],
    articles: ['代理记账客户常见问题', '问答：小规模纳税人转一般纳税人要注意什么'],
  },
  {
    stage: '商务谈判',
    steps: [['确认收费方式并准备合同', 'negotiation', 2, 'owner']],
    checklist: ['确认年付或季付', '确认交接上期账簿'],
  },
];

/**
 * The demo's playbooks 销售指引 for 审计 and 代理记账, written by the audit department's manager. Templates and
 * articles are named by title and kept only when the demo knowledge base has them. Seeded after the sales history,
 * so the demo's past moves scheduled nothing.
 */
export async function seedDemoPlaybooks(db: Db): Promise<void> {
  const [author] = await db.select({ id: users.id }).from(users).where(eq(users.username, 'manager'));
  const lines = await db
    .select({ id: businessLines.id, code: businessLines.code })
    .from(businessLines)
    .where(inArray(businessLines.code, ['SJ', 'DZ']));
  const stages = await db
    .select({ id: pipelineStages.id, nameZh: pipelineStages.nameZh })
    .from(pipelineStages)
    .where(and(isNull(pipelineStages.businessLineId), eq(pipelineStages.active, true)));
  const titles = [...AUDIT, ...BOOKKEEPING].flatMap((b) => [...(b.templates ?? []), ...(b.articles ?? [])]);
  const articles = await db
    .select({ id: knowledgeArticles.id, title: knowledgeArticles.title, kind: knowledgeArticles.kind })
    .from(knowledgeArticles)
    .where(and(inArray(knowledgeArticles.title, titles), isNull(knowledgeArticles.archivedAt)));
  const ids = (names: string[] | undefined, templates: boolean) =>
    (names ?? []).flatMap((name) => {
      const found = articles.find((a) => a.title === name && (a.kind === 'template') === templates);
      return found ? [found.id] : [];
    });
  const rows: (typeof playbooks.$inferInsert)[] = (
    [
      ['SJ', AUDIT],
      ['DZ', BOOKKEEPING],
    ] as const
  ).flatMap(([code, books]) => {
    const line = lines.find((l) => l.code === code);
    if (!line) return [];
    return books.flatMap((book) => {
      const stage = stages.find((s) => s.nameZh === book.stage);
      if (!stage) return [];
      const row: typeof playbooks.$inferInsert = {
        kind: 'opportunity',
        businessLineId: line.id,
        stageId: stage.id,
        activities: book.steps.map(([subject, category, dueOffsetDays, assignee]) => ({
          subject,
          category,
          dueOffsetDays,
          assignee,
        })),
        checklist: book.checklist.map((text, i) => ({ id: `c${i + 1}`, text })),
        templateIds: ids(book.templates, true),
        articleIds: ids(book.articles, false),
        createdBy: author?.id ?? null,
        updatedBy: author?.id ?? null,
      };
      return [row];
    });
  });
  // Leads of every line: a first call when someone starts working on one, a visit once it is qualified.
  rows.push({
    kind: 'lead',
    leadStatus: 'contacting',
    activities: [{ subject: '首次电话沟通，了解需求', category: 'call', dueOffsetDays: 1, assignee: 'owner' }],
    checklist: [
      { id: 'c1', text: '确认联系人职务与决策权' },
      { id: 'c2', text: '了解需求的业务类型与时间' },
    ],
    templateIds: [],
    articleIds: [],
    createdBy: author?.id ?? null,
    updatedBy: author?.id ?? null,
  });
  if (rows.length) await db.insert(playbooks).values(rows);
}
