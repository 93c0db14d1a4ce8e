import { randomUUID } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildDepartment, setDepartmentManager, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type Response, type TestApp } from '../../test/harness';
import { customerServices } from '../customers/customers.tables';
import { engagements } from '../engagements/engagements.tables';
import { buildOrderWithLines } from '../engagements/fixtures';
import { loadActor } from '../staff/actors';
import { knowledgeLessonPrompts } from './capture.tables';
import { visibleArticles } from './knowledge.policy';
import { knowledgeArticleVersions, knowledgeArticles, knowledgeLinks } from './knowledge.tables';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type Stage = { id: string; nameZh: string; kind: string };

async function stagesOf(client: Client, businessLineId: string): Promise<Record<string, Stage>> {
  const res = await client.get('/api/v1/pipelines', { businessLineId });
  expect(res.status).toBe(200);
  return Object.fromEntries(res.body.stages.map((s: Stage) => [s.nameZh, s]));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field below
type Body = any;

async function created<T = Body>(p: Promise<Response>, status = 201): Promise<T> {
  const res = await p;
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body as T;
}

/** A salesperson in a department of their own, a customer, a business line and its stages. */
async function sales(departmentId?: string) {
  const department = departmentId ? { id: departmentId } : await buildDepartment(t.database.db);
  const seller = await signedIn(t, { departmentId: department.id });
  const line = await buildBusinessLine(t.database.db);
  const customer = await created(seller.client.post('/api/v1/customers', { name: uniq('西安华达建设有限公司') }));
  const stages = await stagesOf(seller.client, line.id);
  return { department, seller, line, customer, stages };
}

type Setup = Awaited<ReturnType<typeof sales>>;

const openOpportunity = (s: Setup, name = uniq('2026年度财务报表审计')) =>
  created(
    s.seller.client.post('/api/v1/opportunities', { name, customerId: s.customer.id, businessLineId: s.line.id }),
  );

/** Lost from its first stage, 初步接洽. */
async function lostOpportunity(s: Setup, name?: string) {
  const opp = await openOpportunity(s, name);
  await created(
    s.seller.client.post(`/api/v1/opportunities/${opp.id}/move`, {
      stageId: s.stages['输单'].id,
      lostReason: '价格',
      competitor: '信永中和',
    }),
    200,
  );
  return opp;
}

/** Won through every stage (a contact, an amount and a quote on the way); last open stage 商务谈判. */
async function wonOpportunity(s: Setup, name?: string) {
  const opp = await openOpportunity(s, name);
  const contact = await created(
    s.seller.client.post('/api/v1/contacts', { customerId: s.customer.id, name: '王会计' }),
  );
  await created(
    s.seller.client.patch(`/api/v1/opportunities/${opp.id}`, {
      contactId: contact.id,
      expectedAmount: '36000',
      expectedCloseOn: '2026-12-20',
    }),
    200,
  );
  await created(
    s.seller.client.post(`/api/v1/opportunities/${opp.id}/quotes`, {
      items: [{ description: '年报审计', unitPrice: '36000' }],
    }),
  );
  for (const name of ['需求分析', '方案建议', '商务报价', '商务谈判', '赢单'])
    await created(s.seller.client.post(`/api/v1/opportunities/${opp.id}/move`, { stageId: s.stages[name].id }), 200);
  return opp;
}

async function canRead(userId: string, articleId: string): Promise<boolean> {
  const actor = await loadActor(t.database.db, userId);
  const rows = await t.database.db
    .select({ id: knowledgeArticles.id })
    .from(knowledgeArticles)
    .where(and(eq(knowledgeArticles.id, articleId), visibleArticles(actor!)));
  return rows.length === 1;
}

const linksOf = (articleId: string) =>
  t.database.db
    .select({ type: knowledgeLinks.targetType, id: knowledgeLinks.targetId })
    .from(knowledgeLinks)
    .where(eq(knowledgeLinks.articleId, articleId));

/** Articles written by one user (other test files may write articles meanwhile on a shared database). */
const articleCount = async (userId: string) =>
  (await t.database.db.select({ n: count() }).from(knowledgeArticles).where(eq(knowledgeArticles.createdBy, userId)))[0]
    .n;
const promptCount = async (opportunityId: string) =>
  (
    await t.database.db
      .select({ n: count() })
      .from(knowledgeLessonPrompts)
      .where(eq(knowledgeLessonPrompts.opportunityId, opportunityId))
  )[0].n;

describe('lessons 复盘 on closing an opportunity', () => {
  it('a won deal’s lesson is an article of kind lesson: its line, the stage before 赢单, linked to customer and opportunity', async () => {
    const s = await sales();
    const opp = await wonOpportunity(s, '华达建设2026年报审计');
    expect((await s.seller.client.get(`/api/v1/opportunities/${opp.id}/lesson`)).body).toMatchObject({
      status: 'unanswered',
      outcome: 'won',
      articleId: null,
    });
    const lesson = await created(
      s.seller.client.post(`/api/v1/opportunities/${opp.id}/lesson`, {
        worked: '提前两周拜访财务总监，摸清了审计范围',
        improve: '报价前应先确认子公司数量',
        competitor: '立信',
        price: '36000',
      }),
    );
    expect(lesson).toMatchObject({ kind: 'lesson', title: '复盘：华达建设2026年报审计（赢单）' });
    const [article] = await t.database.db
      .select()
      .from(knowledgeArticles)
      .where(eq(knowledgeArticles.id, lesson.articleId));
    expect(article).toMatchObject({
      kind: 'lesson',
      businessLineIds: [s.line.id],
      stageId: s.stages['商务谈判'].id,
      visibility: 'firm',
      ownerId: s.seller.user.id,
      version: 1,
    });
    expect(article.body).toContain('## 做得好的地方\n\n提前两周拜访财务总监，摸清了审计范围');
    expect(article.body).toContain('## 下次改进\n\n报价前应先确认子公司数量');
    expect(article.body).toContain('| 竞争对手 | 立信 |');
    expect(article.body).toContain('| 价格 | ¥36,000.00 |');
    expect(article.body).toContain('| 结果 | 赢单 |');
    expect((await linksOf(lesson.articleId)).sort((a, b) => a.type.localeCompare(b.type))).toEqual([
      { type: 'customer', id: s.customer.id },
      { type: 'opportunity', id: opp.id },
    ]);
    const versions = await t.database.db
      .select()
      .from(knowledgeArticleVersions)
      .where(eq(knowledgeArticleVersions.articleId, lesson.articleId));
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ version: 1, title: lesson.title, changedBy: s.seller.user.id });
    expect((await s.seller.client.get(`/api/v1/opportunities/${opp.id}/lesson`)).body).toMatchObject({
      status: 'written',
      outcome: 'won',
      articleId: lesson.articleId,
      by: s.seller.user.id,
    });
    // Firm-wide: a salesperson elsewhere, who cannot see the opportunity, reads the lesson.
    const other = await signedIn(t);
    expect(await canRead(other.user.id, lesson.articleId)).toBe(true);

    // One lesson per closing.
    const again = await s.seller.client.post(`/api/v1/opportunities/${opp.id}/lesson`, { worked: '再写一次' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('LESSON_ANSWERED');
    const skip = await s.seller.client.post(`/api/v1/opportunities/${opp.id}/lesson/skip`);
    expect(skip.status).toBe(409);
    expect(skip.body.error.code).toBe('LESSON_ANSWERED');
  });

  it('a lost deal’s lesson: the stage it was lost at, the lost reason, visible only to who sees its records when asked', async () => {
    const s = await sales();
    const opp = await lostOpportunity(s, '铜川水泥验资');
    const lesson = await created(
      s.seller.client.post(`/api/v1/opportunities/${opp.id}/lesson`, {
        worked: '响应快',
        improve: '本地事务所报价低 30%，应早点谈清服务差异',
        competitor: '本地事务所',
        price: '12500.5',
        visibility: 'linked',
      }),
    );
    expect(lesson.title).toBe('复盘：铜川水泥验资（输单）');
    const [article] = await t.database.db
      .select()
      .from(knowledgeArticles)
      .where(eq(knowledgeArticles.id, lesson.articleId));
    expect(article).toMatchObject({ kind: 'lesson', stageId: s.stages['初步接洽'].id, visibility: 'linked' });
    expect(article.body).toContain('| 输单原因 | 价格 |');
    expect(article.body).toContain('| 价格 | ¥12,500.50 |');
    const other = await signedIn(t);
    expect(await canRead(other.user.id, lesson.articleId)).toBe(false);
    expect(await canRead(s.seller.user.id, lesson.articleId)).toBe(true);
  });

  it('skipping is one click; an open opportunity is 400; someone else’s is 404; reopened and closed again asks again', async () => {
    const s = await sales();
    const opp = await lostOpportunity(s);
    const before = await articleCount(s.seller.user.id);
    const skipped = await created(s.seller.client.post(`/api/v1/opportunities/${opp.id}/lesson/skip`), 200);
    expect(skipped).toMatchObject({ status: 'skipped', outcome: 'lost', articleId: null });
    expect(await articleCount(s.seller.user.id)).toBe(before);

    const open = await openOpportunity(s);
    for (const path of ['lesson', 'lesson/skip']) {
      const res = await s.seller.client.post(`/api/v1/opportunities/${open.id}/${path}`, { worked: '准备充分' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('LESSON_OPPORTUNITY_OPEN');
    }
    expect((await s.seller.client.get(`/api/v1/opportunities/${open.id}/lesson`)).body.status).toBe('open');

    const stranger = await signedIn(t);
    for (const id of [opp.id, randomUUID()]) {
      const res = await stranger.client.post(`/api/v1/opportunities/${id}/lesson`, { worked: '准备充分' });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }

    await created(s.seller.client.post(`/api/v1/opportunities/${opp.id}/reopen`, {}), 200);
    expect((await s.seller.client.get(`/api/v1/opportunities/${opp.id}/lesson`)).body.status).toBe('open');
    await created(
      s.seller.client.post(`/api/v1/opportunities/${opp.id}/move`, {
        stageId: s.stages['输单'].id,
        lostReason: '客户暂缓',
      }),
      200,
    );
    expect((await s.seller.client.get(`/api/v1/opportunities/${opp.id}/lesson`)).body.status).toBe('unanswered');
    await created(s.seller.client.post(`/api/v1/opportunities/${opp.id}/lesson`, { improve: '先确认预算' }));
  });

  it('bad input is 400 with codes and writes nothing', async () => {
    const s = await sales();
    const opp = await lostOpportunity(s);
    const [articles, prompts] = [await articleCount(s.seller.user.id), await promptCount(opp.id)];
    const cases: [Record<string, unknown>, string][] = [
      [{ worked: '准备充分', price: 'abc' }, 'price'],
      [{ worked: '准备充分', price: '1.234' }, 'price'],
      [{ worked: 'x'.repeat(100_000) }, 'worked'],
      [{ competitor: '立信' }, 'worked'],
      [{ worked: '准备充分', visibility: 'department' }, 'visibility'],
      [{ worked: '准备充分', extra: 1 }, ''],
    ];
    for (const [body, path] of cases) {
      const res = await s.seller.client.post(`/api/v1/opportunities/${opp.id}/lesson`, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      if (path) expect(JSON.stringify(res.body.error.details)).toContain(path);
    }
    expect(await articleCount(s.seller.user.id)).toBe(articles);
    expect(await promptCount(opp.id)).toBe(prompts);
    expect((await s.seller.client.get(`/api/v1/opportunities/${opp.id}/lesson`)).body.status).toBe('unanswered');
  });
});

describe('the lesson rate', () => {
  it('counts the deals closed in the period the caller sees: written, skipped, not answered; per owner for a manager', async () => {
    const a = await sales();
    const b = await sales(a.department.id);
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: a.department.id });
    await setDepartmentManager(t.database.db, a.department.id, manager.user.id);

    // a: won + written, lost + skipped, lost unanswered, one open; b: lost + written.
    const won = await wonOpportunity(a);
    await created(a.seller.client.post(`/api/v1/opportunities/${won.id}/lesson`, { worked: '准备充分' }));
    const skipped = await lostOpportunity(a);
    await created(a.seller.client.post(`/api/v1/opportunities/${skipped.id}/lesson/skip`), 200);
    await lostOpportunity(a);
    await openOpportunity(a);
    const bLost = await lostOpportunity(b);
    await created(b.seller.client.post(`/api/v1/opportunities/${bLost.id}/lesson`, { improve: '早点报价' }));

    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const own = await created(a.seller.client.get('/api/v1/knowledge/lesson-rate', { from: today, to: today }), 200);
    // Expected from what was done above: 3 closed, 1 written, 1 skipped, 1 not answered → 33%.
    expect(own).toMatchObject({
      from: today,
      to: today,
      closed: 3,
      written: 1,
      skipped: 1,
      unanswered: 1,
      ratePercent: 33,
    });

    const team = await created(
      manager.client.get('/api/v1/knowledge/lesson-rate', { from: today, to: today, by: 'owner' }),
      200,
    );
    expect(team).toMatchObject({ closed: 4, written: 2, skipped: 1, unanswered: 1, ratePercent: 50 });
    expect(team.rows).toEqual([
      {
        id: a.seller.user.id,
        name: a.seller.user.displayName,
        closed: 3,
        written: 1,
        skipped: 1,
        unanswered: 1,
        ratePercent: 33,
      },
      {
        id: b.seller.user.id,
        name: b.seller.user.displayName,
        closed: 1,
        written: 1,
        skipped: 0,
        unanswered: 0,
        ratePercent: 100,
      },
    ]);
    const byDepartment = await created(
      manager.client.get('/api/v1/knowledge/lesson-rate', { from: today, to: today, by: 'department' }),
      200,
    );
    expect(byDepartment.rows).toHaveLength(1);
    expect(byDepartment.rows[0]).toMatchObject({ id: a.department.id, closed: 4, written: 2 });

    // A period before anything closed.
    const empty = await created(
      a.seller.client.get('/api/v1/knowledge/lesson-rate', { from: '2020-01-01', to: '2020-12-31' }),
      200,
    );
    expect(empty).toMatchObject({ closed: 0, written: 0, ratePercent: null });
    const backwards = await a.seller.client.get('/api/v1/knowledge/lesson-rate', {
      from: '2026-02-01',
      to: '2026-01-01',
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.code).toBe('VALIDATION_FAILED');
    expect((await a.seller.client.get('/api/v1/knowledge/lesson-rate', { from: '2026-13-01' })).status).toBe(400);
  });
});

describe('customer insights 客户洞察', () => {
  it('a contact-log entry becomes an insight linked to its customer, visible to who sees the customer; once only', async () => {
    const s = await sales();
    await t.database.db
      .insert(customerServices)
      .values({ customerId: s.customer.id, businessLineId: s.line.id, cycle: 'annual', nextDueOn: '2027-03-31' });
    const log = await created(
      s.seller.client.post('/api/v1/contact-logs', {
        customerId: s.customer.id,
        direction: 'outbound',
        channel: 'visit',
        summary: '财务总监说明年计划在科创板上市，需要三年审计报告\n另：对出报告时间很敏感',
      }),
    );
    const insight = await created(s.seller.client.post(`/api/v1/contact-logs/${log.id}/insight`, {}));
    expect(insight.kind).toBe('insight');
    expect(insight.title).toBe(`客户洞察：${s.customer.name}——财务总监说明年计划在科创板上市，需要三年审计报告`);
    const [article] = await t.database.db
      .select()
      .from(knowledgeArticles)
      .where(eq(knowledgeArticles.id, insight.articleId));
    expect(article).toMatchObject({ kind: 'insight', visibility: 'linked', businessLineIds: [s.line.id] });
    expect(article.body).toContain('对出报告时间很敏感');
    expect(await linksOf(insight.articleId)).toEqual([{ type: 'customer', id: s.customer.id }]);

    const marks = await created(
      s.seller.client.get('/api/v1/knowledge/insight-marks', { customerId: s.customer.id }),
      200,
    );
    expect(marks).toEqual([
      { sourceType: 'contact-log', sourceId: log.id, articleId: insight.articleId, title: insight.title },
    ]);

    const again = await s.seller.client.post(`/api/v1/contact-logs/${log.id}/insight`, { title: '再标一次' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('INSIGHT_EXISTS');

    // A salesperson who cannot see the customer: not found, and cannot read the insight.
    const stranger = await signedIn(t);
    for (const id of [log.id, randomUUID()]) {
      const res = await stranger.client.post(`/api/v1/contact-logs/${id}/insight`, {});
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect((await stranger.client.get('/api/v1/knowledge/insight-marks', { customerId: s.customer.id })).status).toBe(
      404,
    );
    expect(await canRead(stranger.user.id, insight.articleId)).toBe(false);
    expect(await canRead(s.seller.user.id, insight.articleId)).toBe(true);
  });

  it('an engagement becomes an insight linked to its customer and to it, of its business line', async () => {
    const s = await sales();
    const order = await buildOrderWithLines(
      t.database.db,
      [{ businessLineId: s.line.id, description: '年报审计', amount: '36000' }],
      { ownerId: s.seller.user.id, customerId: s.customer.id },
    );
    const [engagement] = await t.database.db
      .insert(engagements)
      .values({
        title: '华达建设2026年报审计',
        customerId: s.customer.id,
        orderId: order.id,
        businessLineId: s.line.id,
        amount: '36000',
        leadId: s.seller.user.id,
        departmentId: s.department.id,
        salesOwnerId: s.seller.user.id,
      })
      .returning({ id: engagements.id });
    const insight = await created(
      s.seller.client.post(`/api/v1/engagements/${engagement.id}/insight`, {
        title: '华达建设：存货盘点须提前一个月约定',
        body: '客户仓库分散在三个县，盘点要提前一个月和仓储主管约好。',
      }),
    );
    const [article] = await t.database.db
      .select()
      .from(knowledgeArticles)
      .where(eq(knowledgeArticles.id, insight.articleId));
    expect(article).toMatchObject({
      kind: 'insight',
      title: '华达建设：存货盘点须提前一个月约定',
      body: '客户仓库分散在三个县，盘点要提前一个月和仓储主管约好。',
      visibility: 'linked',
      businessLineIds: [s.line.id],
    });
    expect((await linksOf(insight.articleId)).sort((a, b) => a.type.localeCompare(b.type))).toEqual([
      { type: 'customer', id: s.customer.id },
      { type: 'engagement', id: engagement.id },
    ]);
    expect(
      await created(s.seller.client.get('/api/v1/knowledge/insight-marks', { engagementId: engagement.id }), 200),
    ).toEqual([
      { sourceType: 'engagement', sourceId: engagement.id, articleId: insight.articleId, title: article.title },
    ]);
    const stranger = await signedIn(t);
    expect((await stranger.client.post(`/api/v1/engagements/${engagement.id}/insight`, {})).status).toBe(404);
    expect(await canRead(stranger.user.id, insight.articleId)).toBe(false);
    const bad = await s.seller.client.post(`/api/v1/engagements/${engagement.id}/insight`, {
      body: 'x'.repeat(100_000),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('templates 模板', () => {
  it('saves text as a template, lists it for its screen and line, fills placeholders on use and counts uses', async () => {
    const s = await sales();
    const contact = await created(
      s.seller.client.post('/api/v1/contacts', { customerId: s.customer.id, name: '王会计', isPrimary: true }),
    );
    const opp = await created(
      s.seller.client.post('/api/v1/opportunities', {
        name: uniq('年报审计'),
        customerId: s.customer.id,
        businessLineId: s.line.id,
        contactId: contact.id,
      }),
    );
    const title = uniq('年报审计跟进邮件');
    const template = await created(
      s.seller.client.post('/api/v1/knowledge/templates', {
        title,
        templateUse: 'email',
        body: '{联系人}您好：\n感谢{客户名称}对我所{业务线}服务的信任。{未知}\n{我的姓名}',
        businessLineIds: [s.line.id],
      }),
    );
    expect(template).toMatchObject({ title, templateUse: 'email', businessLineIds: [s.line.id], useCount: 0 });

    const listed = async (query: Record<string, string>) =>
      (await created<{ id: string }[]>(s.seller.client.get('/api/v1/knowledge/templates', query), 200)).map(
        (x) => x.id,
      );
    expect(await listed({ use: 'email', businessLineId: s.line.id })).toContain(template.id);
    expect(await listed({ use: 'proposal' })).not.toContain(template.id);
    const otherLine = await buildBusinessLine(t.database.db);
    expect(await listed({ use: 'email', businessLineId: otherLine.id })).not.toContain(template.id);

    const used = await created(
      s.seller.client.post(`/api/v1/knowledge/${template.id}/use`, { opportunityId: opp.id }),
      200,
    );
    expect(used.body).toBe(
      `王会计您好：\n感谢${s.customer.name}对我所${s.line.name}服务的信任。{未知}\n${s.seller.user.displayName}`,
    );
    expect(used.useCount).toBe(1);

    // Another salesperson uses it with nothing: only their name filled; with a customer they cannot see: 404, not counted.
    const other = await signedIn(t);
    const bare = await created(other.client.post(`/api/v1/knowledge/${template.id}/use`, {}), 200);
    expect(bare.body).toBe(`{联系人}您好：\n感谢{客户名称}对我所{业务线}服务的信任。{未知}\n${other.user.displayName}`);
    expect(bare.useCount).toBe(2);
    const hidden = await other.client.post(`/api/v1/knowledge/${template.id}/use`, { customerId: s.customer.id });
    expect(hidden.status).toBe(404);
    const [row] = await t.database.db
      .select({ useCount: knowledgeArticles.useCount })
      .from(knowledgeArticles)
      .where(eq(knowledgeArticles.id, template.id));
    expect(row.useCount).toBe(2);

    // Not a template, or unknown: 404.
    const lost = await lostOpportunity(s);
    const lesson = await created(
      s.seller.client.post(`/api/v1/opportunities/${lost.id}/lesson`, { worked: '准备充分' }),
    );
    expect((await s.seller.client.post(`/api/v1/knowledge/${lesson.articleId}/use`, {})).status).toBe(404);
    expect((await s.seller.client.post(`/api/v1/knowledge/${randomUUID()}/use`, {})).status).toBe(404);
  });

  it('bad templates are 400 with codes and write nothing', async () => {
    const { client, user } = await signedIn(t);
    const before = await articleCount(user.id);
    const cases: Record<string, unknown>[] = [
      { title: '邮件', templateUse: 'email', body: 'x'.repeat(100_000) },
      { title: '邮件', templateUse: 'fax', body: '您好' },
      { title: '', templateUse: 'email', body: '您好' },
      { title: '邮件', templateUse: 'email', body: '您好\u0000' },
      { title: '邮件', templateUse: 'email', body: '您好', businessLineIds: ['abc'] },
    ];
    for (const body of cases) {
      const res = await client.post('/api/v1/knowledge/templates', body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const unknownLine = await client.post('/api/v1/knowledge/templates', {
      title: '邮件',
      templateUse: 'email',
      body: '您好',
      businessLineIds: [randomUUID()],
    });
    expect(unknownLine.status).toBe(400);
    expect(unknownLine.body.error.code).toBe('INACTIVE_REFERENCE');
    expect(await articleCount(user.id)).toBe(before);
  });
});
