import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPglite, openDatabase, type Database } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { addDays, FIRM_TIME_ZONE, localDate } from '../lib/time';
import { createTestApp, type TestApp } from '../test/harness';
import { bootstrapDatabase } from './bootstrap';
import { DEMO_PASSWORD, seedDemoFirm } from './demo';

/**
 * The demo firm with its history (demo-history.ts), loaded into a database of its own (the demo needs an empty one,
 * so never the shared PostgreSQL of the other test files): the stories the reports tell hold — most opportunities
 * are lost at 商务报价, 北京's and 上海's orders of last year differ, 审计一部 is a strict part of the firm — and the
 * history keeps the invariants the services keep: every stage and status history runs from its first entry to the
 * record's state, the number register has no gap, the terms' received and invoiced are their allocations. And the
 * knowledge base on top of it (issue 17): articles, templates, lessons, insights and playbooks. One file seeds the demo
 * once: seeding takes most of a minute.
 */

let database: Database;
let t: TestApp;
const today = localDate(new Date(), FIRM_TIME_ZONE);
const year = Number(today.slice(0, 4));
const lastYear = { from: `${year - 1}-01-01`, to: `${year - 1}-12-31` };

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await database.db.execute(query)) as unknown as { rows: T[] }).rows;
}
const fen = (money: string) => BigInt(money.replace('.', ''));
function groupBy<T>(list: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of list) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

beforeAll(async () => {
  const template = inject('pgliteTemplate');
  if (template) {
    database = await openDatabase({ pglite: await createPglite({ loadDataDir: new Blob([readFileSync(template)]) }) });
  } else {
    database = await openDatabase({ pglite: await createPglite() });
    await migrateDatabase(database);
    await bootstrapDatabase(database.db);
  }
  t = await createTestApp({ database });
  const started = Date.now();
  await seedDemoFirm(database.db, t.app.jobs);
  console.log(`the demo firm with its history seeded in ${Date.now() - started} ms`);
}, 180_000);

afterAll(async () => {
  await t?.close();
  await database?.close();
});

describe('the demo history', () => {
  it('has ~150 leads over last year and this year, a third converted as convertLead leaves them', async () => {
    const leads = await rows<{
      id: string;
      status: string;
      created: string;
      customer_id: string | null;
      contact_id: string | null;
      opportunity_id: string | null;
      converted_at: string | null;
      owner_id: string | null;
      opp_lead: string | null;
      opp_customer: string | null;
      opp_created: string | null;
    }>(sql`
      SELECT l.id, l.status, to_char(l.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS created,
        l.customer_id, l.contact_id, l.opportunity_id, l.converted_at::text, l.owner_id,
        o.lead_id AS opp_lead, o.customer_id AS opp_customer, o.created_at::text AS opp_created
      FROM leads l LEFT JOIN opportunities o ON o.id = l.opportunity_id`);
    const inSpan = leads.filter((l) => l.created >= lastYear.from);
    expect(inSpan.length).toBeGreaterThanOrEqual(150);
    const months = new Set(inSpan.map((l) => l.created.slice(0, 7)));
    expect(months.size).toBeGreaterThanOrEqual(Math.min(20, 12 + Number(today.slice(5, 7)) - 1));
    const converted = inSpan.filter((l) => l.status === 'converted');
    expect(converted.length / inSpan.length).toBeGreaterThan(0.28);
    expect(converted.length / inSpan.length).toBeLessThan(0.4);
    for (const l of converted) {
      expect(l.customer_id).not.toBeNull();
      expect(l.opportunity_id).not.toBeNull();
      expect(l.opp_lead).toBe(l.id);
      expect(l.opp_customer).toBe(l.customer_id);
      expect(l.converted_at).not.toBeNull();
    }
    // Some were converted in the month after the one they came in.
    const crossing = await rows<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM leads
      WHERE status = 'converted' AND date_trunc('month', created_at AT TIME ZONE 'Asia/Shanghai')
        < date_trunc('month', converted_at AT TIME ZONE 'Asia/Shanghai')`);
    expect(crossing[0].n).toBeGreaterThan(0);

    // Every lead's status history runs from `new` to its status, each step from where the last one went.
    const changes = await rows<{ lead_id: string; from_status: string | null; to_status: string; at: string }>(sql`
      SELECT lead_id, from_status, to_status, at::text FROM lead_status_changes ORDER BY lead_id, at, id`);
    const byLead = groupBy(changes, (c) => c.lead_id);
    for (const l of leads) {
      const steps = byLead.get(l.id)!;
      expect(steps[0].from_status).toBeNull();
      for (let i = 1; i < steps.length; i++) expect(steps[i].from_status).toBe(steps[i - 1].to_status);
      expect(steps.at(-1)!.to_status).toBe(l.status);
      if (l.status === 'converted') expect(Date.parse(steps.at(-1)!.at)).toBe(Date.parse(l.converted_at!));
    }
  });

  it('gives every opportunity a stage history that ends where it stands; most are lost at 商务报价', async () => {
    const opportunities = await rows<{
      id: string;
      stage_id: string;
      status: string;
      closed_at: string | null;
      created_at: string;
      department: string;
    }>(sql`
      SELECT o.id, o.stage_id, o.status, o.closed_at::text, o.created_at::text, d.name AS department
      FROM opportunities o JOIN departments d ON d.id = o.department_id`);
    const changes = await rows<{
      opportunity_id: string;
      from_stage_id: string | null;
      to_stage_id: string;
      from_status: string | null;
      to_status: string;
      at: string;
      from_name: string | null;
    }>(sql`
      SELECT c.opportunity_id, c.from_stage_id, c.to_stage_id, c.from_status, c.to_status, c.at::text,
        s.name_zh AS from_name
      FROM opportunity_stage_changes c LEFT JOIN pipeline_stages s ON s.id = c.from_stage_id
      ORDER BY c.opportunity_id, c.at, c.id`);
    const byOpportunity = groupBy(changes, (c) => c.opportunity_id);
    // (demo-revenue's deals are made now and closed by a backdated update: their history is not in time order.)
    const inOrder = opportunities.filter((o) => !o.closed_at || Date.parse(o.closed_at) >= Date.parse(o.created_at));
    expect(inOrder.length).toBeGreaterThanOrEqual(120);
    for (const o of inOrder) {
      const steps = byOpportunity.get(o.id)!;
      expect(steps[0].from_stage_id).toBeNull();
      expect(Date.parse(steps[0].at)).toBe(Date.parse(o.created_at));
      for (let i = 1; i < steps.length; i++) {
        expect(steps[i].from_stage_id).toBe(steps[i - 1].to_stage_id);
        expect(steps[i].from_status).toBe(steps[i - 1].to_status);
      }
      expect(steps.at(-1)!.to_stage_id).toBe(o.stage_id);
      expect(steps.at(-1)!.to_status).toBe(o.status);
      if (o.closed_at) expect(Date.parse(steps.at(-1)!.at)).toBe(Date.parse(o.closed_at));
      expect(Date.parse(steps.at(-1)!.at)).toBeLessThanOrEqual(Date.now());
    }
    const counts = (which: typeof opportunities) => {
      const ids = new Set(which.map((o) => o.id));
      const lost = new Map<string, number>();
      for (const c of changes)
        if (ids.has(c.opportunity_id) && c.to_status === 'lost')
          lost.set(c.from_name!, (lost.get(c.from_name!) ?? 0) + 1);
      return [...lost].sort((a, b) => b[1] - a[1]);
    };
    const firm = counts(opportunities);
    expect(firm[0][0]).toBe('商务报价');
    expect(firm[0][1]).toBeGreaterThanOrEqual(2 * firm[1][1]);
    const own = counts(opportunities.filter((o) => o.department === '审计一部'));
    expect(own[0][0]).toBe('商务报价');
    expect(own[0][1]).toBeGreaterThan(own[1]?.[1] ?? 0);
    // One was reopened after it was lost (and won in the end); some are open with a close date to come.
    const reopened = changes.filter((c) => c.from_status === 'lost' && c.to_status === 'open');
    expect(reopened.length).toBeGreaterThanOrEqual(1);
    const open = await rows<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM opportunities WHERE status = 'open' AND expected_close_on > ${today}::date`);
    expect(open[0].n).toBeGreaterThanOrEqual(15);
  });

  it('numbers contracts and orders from the register without a gap, on their own years', async () => {
    const register = await rows<{ series_id: string; period: string; seq: number; number: string }>(sql`
      SELECT series_id, period, seq, number FROM issued_numbers ORDER BY series_id, period, seq`);
    const counters = await rows<{ series_id: string; period: string; last_value: number }>(
      sql`SELECT series_id, period, last_value FROM number_counters`,
    );
    for (const c of counters) {
      const seqs = register.filter((r) => r.series_id === c.series_id && r.period === c.period).map((r) => r.seq);
      expect(seqs).toEqual(Array.from({ length: c.last_value }, (_, i) => i + 1));
    }
    expect(new Set(register.map((r) => r.number)).size).toBe(register.length);
    const numbered = await rows<{ kind: string; number: string; issued: string | null; on: string }>(sql`
      SELECT 'contract' AS kind, c.number, n.number AS issued, c.signed_on::text AS on
      FROM contracts c LEFT JOIN issued_numbers n ON n.subject_kind = 'contract' AND n.subject_id = c.id
      WHERE c.number IS NOT NULL
      UNION ALL
      SELECT 'order', o.number, n.number, o.confirmed_on::text
      FROM orders o LEFT JOIN issued_numbers n ON n.subject_kind = 'order' AND n.subject_id = o.id
      WHERE o.number IS NOT NULL`);
    for (const r of numbered) expect(r.issued).toBe(r.number);
    expect(
      numbered.filter((r) => r.on.startsWith(String(year - 1)) && r.number.includes(String(year - 1))).length,
    ).toBeGreaterThan(20);
  });

  it('keeps the terms’ received and invoiced equal to the valid receipts’ and invoices’ allocations', async () => {
    const terms = await rows<{ id: string; amount: string; received: string; invoiced: string }>(
      sql`SELECT id, amount::text, received::text, invoiced::text FROM payment_terms`,
    );
    const paid = await rows<{ term_id: string; amount: string; status: string }>(sql`
      SELECT a.term_id, a.amount::text, r.status FROM receipt_allocations a JOIN receipts r ON r.id = a.receipt_id`);
    const billed = await rows<{ term_id: string; amount: string; status: string }>(sql`
      SELECT a.term_id, a.amount::text, i.status FROM invoice_allocations a JOIN invoices i ON i.id = a.invoice_id`);
    const sum = (list: { term_id: string; amount: string; status: string }[], id: string) =>
      list.filter((a) => a.term_id === id && a.status === 'valid').reduce((s, a) => s + fen(a.amount), 0n);
    for (const term of terms) {
      expect(fen(term.received)).toBe(sum(paid, term.id));
      expect(fen(term.invoiced)).toBe(sum(billed, term.id));
    }
    const receipts = await rows<{ amount: string; unallocated: string; allocated: string; received_on: string }>(sql`
      SELECT r.amount::text, r.unallocated::text, r.received_on::text,
        coalesce((SELECT sum(a.amount) FROM receipt_allocations a WHERE a.receipt_id = r.id), 0)::numeric(14,2)::text AS allocated
      FROM receipts r`);
    for (const r of receipts) {
      expect(fen(r.amount) - fen(r.unallocated)).toBe(fen(r.allocated));
      expect(r.received_on <= today).toBe(true);
    }
    expect(receipts.length).toBeGreaterThan(40);
    const reversed = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM receipts WHERE status = 'reversed'`);
    expect(reversed[0].n).toBeGreaterThanOrEqual(1);
    const overdue = await rows<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM payment_terms WHERE due_on < ${addDays(today, -90)}::date AND received < amount`);
    expect(overdue[0].n).toBeGreaterThan(0);
  });

  it('shows last year’s orders of 北京, 上海 and 西安 as different figures, and the manager only his department’s', async () => {
    // Independently: the orders of last year by the contract's branch (else the owner's), added up here.
    const orders = await rows<{ branch: string; amount: string; department: string }>(sql`
      SELECT b.name AS branch, o.amount::text, d.name AS department
      FROM orders o LEFT JOIN contracts c ON c.id = o.contract_id JOIN users u ON u.id = o.owner_id
        JOIN branches b ON b.id = coalesce(c.branch_id, u.branch_id) JOIN departments d ON d.id = o.department_id
      WHERE o.status IN ('confirmed', 'completed') AND o.confirmed_on BETWEEN ${lastYear.from}::date AND ${lastYear.to}::date`);
    const total = (branch: string, department?: string) =>
      orders
        .filter((o) => o.branch === branch && (!department || o.department === department))
        .reduce((s, o) => s + fen(o.amount), 0n);
    const [beijing, shanghai, xian] = [total('北京'), total('上海'), total('西安')];
    expect(beijing).toBeGreaterThan(0n);
    expect(shanghai).toBeGreaterThan(0n);
    expect(xian).toBeGreaterThan(0n);
    const [low, high] = beijing < shanghai ? [beijing, shanghai] : [shanghai, beijing];
    expect(high - low).toBeGreaterThan(high / 5n); // clearly different: more than a fifth apart

    // The report says the same for a partner, and for the manager only 审计一部's.
    const cents = (money: string | null) => fen(money ?? '0.00');
    const report = async (username: string) => {
      const client = await t.login(username, DEMO_PASSWORD);
      const answer = await client.get('/api/v1/reports/branch-comparison', { period: 'last-year' });
      expect(answer.status).toBe(200);
      const table = answer.body.tables[0];
      return new Map<string, bigint>(
        table.rows.map((r: { cells: Record<string, string> }) => [r.cells.branch, cents(r.cells.amount)]),
      );
    };
    const partner = await report('exec');
    expect(partner.get('北京')).toBe(beijing);
    expect(partner.get('上海')).toBe(shanghai);
    expect(partner.get('西安')).toBe(xian);
    const manager = await report('manager');
    expect(manager.get('西安')).toBe(total('西安', '审计一部'));
    expect(manager.get('西安')).toBeGreaterThan(0n);
    expect(manager.get('西安')).toBeLessThan(xian);
    expect(manager.get('北京')).toBe(0n);
  });
});

describe('the demo knowledge base', () => {
  it('has a dozen articles, three templates and some due for review, as its people see them', async () => {
    const sales1 = await t.login('sales1', DEMO_PASSWORD);
    const all = await sales1.get('/api/v1/knowledge', { pageSize: 100 });
    expect(all.status).toBe(200);
    const titles = all.body.items.map((a: { title: string }) => a.title);
    expect(titles).toEqual(expect.arrayContaining(['年报审计承接要点', '代理记账客户常见问题', '验资业务风险提示']));
    expect(all.body.total).toBeGreaterThanOrEqual(12);
    const templates = await sales1.get('/api/v1/knowledge', { kind: 'template' });
    expect(templates.body.items.map((a: { templateUse: string }) => a.templateUse).sort()).toEqual([
      'email',
      'engagement-letter',
      'proposal',
    ]);
    // 审计一部 is below 审计业务部: its article is theirs to read; 税务部's salesperson does not see it.
    expect(titles).toContain('审计业务报价谈判的几个做法');
    const sales2 = await t.login('sales2', DEMO_PASSWORD);
    const theirs = await sales2.get('/api/v1/knowledge', { pageSize: 100 });
    expect(theirs.body.items.map((a: { title: string }) => a.title)).not.toContain('审计业务报价谈判的几个做法');
    const stale = await sales1.get('/api/v1/knowledge/stale');
    expect(stale.body.items.map((a: { title: string }) => a.title)).toEqual(['验资业务风险提示']);
    const manager = await t.login('manager', DEMO_PASSWORD);
    expect((await manager.get('/api/v1/knowledge/stale')).body.total).toBeGreaterThanOrEqual(4);
    const article = all.body.items.find((a: { title: string }) => a.title === '年报审计承接要点');
    expect(article.usefulCount).toBe(3);
  });
});

describe('the demo’s lessons and insights', () => {
  it('has lessons on won and lost deals, one skipped, and two customer insights', async () => {
    const lessons = await rows<{ title: string; visibility: string; links: number }>(sql`
      SELECT a.title, a.visibility, (SELECT count(*)::int FROM knowledge_links l WHERE l.article_id = a.id) AS links
      FROM knowledge_articles a WHERE a.kind = 'lesson' ORDER BY a.title`);
    expect(lessons.map((l) => l.title)).toEqual(
      expect.arrayContaining([
        '复盘：北京中关村软件园发展 · 年度审计（赢单）',
        '复盘：延安红都能源 · 年度审计（输单）',
        '复盘：2025 年度财务报表审计（赢单）',
      ]),
    );
    expect(lessons.every((l) => l.links === 2)).toBe(true);
    const prompts = await rows<{ status: string; n: number }>(
      sql`SELECT status, count(*)::int AS n FROM knowledge_lesson_prompts GROUP BY status ORDER BY status`,
    );
    expect(prompts).toEqual([
      { status: 'skipped', n: 1 },
      { status: 'written', n: lessons.length },
    ]);
    // Two marked on a contact-log entry and an engagement (the knowledge base has a written one besides).
    const marked = await rows<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM knowledge_insight_sources s
      JOIN knowledge_articles a ON a.id = s.article_id AND a.kind = 'insight'`);
    expect(marked).toEqual([{ n: 2 }]);

    // sales1 sees the rate of their own deals: some written, one skipped, the rest not answered.
    const sales1 = await t.login('sales1', DEMO_PASSWORD);
    const rate = await sales1.get('/api/v1/knowledge/lesson-rate', { from: '2020-01-01' });
    expect(rate.status).toBe(200);
    expect(rate.body.written).toBeGreaterThanOrEqual(2);
    expect(rate.body.skipped).toBe(1);
    expect(rate.body.closed).toBe(rate.body.written + rate.body.skipped + rate.body.unanswered);
  });
});

describe('the demo’s playbooks 销售指引', () => {
  it('guides 审计 and 代理记账 through their stages with the demo’s templates and articles', async () => {
    const books = await rows<{ line: string; stage: string; templates: number; articles: number }>(sql`
      SELECT bl.name AS line, s.name_zh AS stage, cardinality(p.template_ids)::int AS templates,
             cardinality(p.article_ids)::int AS articles
      FROM playbooks p JOIN business_lines bl ON bl.id = p.business_line_id JOIN pipeline_stages s ON s.id = p.stage_id
      ORDER BY bl.name, s.position`);
    const audit = books.filter((b) => b.line === '审计');
    expect(audit.map((b) => b.stage)).toEqual(['初步接洽', '需求分析', '方案建议', '商务报价', '商务谈判']);
    // Every template and article the playbooks name is one the demo's knowledge base has.
    expect(audit.find((b) => b.stage === '方案建议')).toMatchObject({ templates: 2, articles: 2 });
    expect(books.filter((b) => b.line === '代理记账').map((b) => b.stage)).toEqual([
      '初步接洽',
      '方案建议',
      '商务谈判',
    ]);
  });
});

describe('the demo’s chat 团队协作', () => {
  it('has 审计一部’s channel with a pinned notice, a deal’s discussion with an unread mention of 李明, a group and a one-to-one', async () => {
    const sales1 = await t.login('sales1', DEMO_PASSWORD);
    const list = await sales1.get('/api/v1/conversations');
    expect(list.status).toBe(200);
    const byKind = (kind: string) => list.body.filter((c: { kind: string }) => c.kind === kind);
    expect(
      byKind('department')
        .map((c: { title: string }) => c.title)
        .sort(),
    ).toEqual(['审计一部', '审计业务部']);
    const [discussion] = byKind('record');
    expect(discussion).toMatchObject({ unread: 1, unreadMentions: 1 });
    expect(byKind('group').map((c: { title: string }) => c.title)).toEqual(['年报审计项目组']);
    expect(byKind('direct').map((c: { title: string }) => c.title)).toEqual(['张丽']);
    const channel = byKind('department').find((c: { title: string }) => c.title === '审计一部');
    const detail = await sales1.get(`/api/v1/conversations/${channel.id}`);
    expect(detail.body.pinned.map((m: { author: { name: string } }) => m.author.name)).toEqual(['王建国']);
    // 张丽 of 税务部 sees neither 审计一部's channel nor the deal's discussion.
    const sales2 = await t.login('sales2', DEMO_PASSWORD);
    expect((await sales2.get(`/api/v1/conversations/${channel.id}`)).status).toBe(404);
    expect((await sales2.get(`/api/v1/conversations/${discussion.id}`)).status).toBe(404);
  });
});

describe('the demo’s renewals 续约 and cross-sell 交叉销售', () => {
  it('gives sales1 a renewal on Today with its pre-filled quote, a cross-sell suggestion with evidence and one excluded', async () => {
    const sales1 = await t.login('sales1', DEMO_PASSWORD);
    const today = await sales1.get('/api/v1/today');
    expect(today.status).toBe(200);
    // The annual audit of 宝鸡渭河水务 ends in 45 days, inside 审计's 60-day lead time.
    const renewal = today.body.renewals.find(
      (r: { customerName: string }) => r.customerName === '宝鸡渭河水务集团有限公司',
    );
    expect(renewal).toMatchObject({
      state: 'raised',
      cycle: 'annual',
      businessLineName: '审计',
      previousAmount: '46000.00',
    });
    expect(renewal.quoteId).not.toBeNull();
    const [quote] = await rows<{ total: string; status: string }>(
      sql`SELECT total::text, status FROM quotes WHERE id = ${renewal.quoteId}`,
    );
    expect(quote).toEqual({ total: '46000.00', status: 'draft' });
    expect(today.body.crossSell.length).toBeGreaterThanOrEqual(1);
    // 陕西秦岭机械制造: 4 of its 6 manufacturing peers with 审计 buy 税务咨询; 代理记账 is excluded by independence.
    const [customer] = await rows<{ id: string }>(
      sql`SELECT id FROM customers WHERE name = '陕西秦岭机械制造股份有限公司'`,
    );
    const list = await sales1.get('/api/v1/cross-sell', { customerId: customer.id, pageSize: 50 });
    expect(list.status).toBe(200);
    const byLine = new Map(list.body.items.map((s: { businessLineName: string }) => [s.businessLineName, s] as const));
    expect(byLine.get('税务咨询')).toMatchObject({
      status: 'open',
      evidence: { level: 'industry-size-region', baseLineName: '审计', similarCount: 6, buyingCount: 4 },
    });
    expect(byLine.get('代理记账')).toMatchObject({ status: 'excluded', exclusion: { conflictLineName: '审计' } });
  });
});
