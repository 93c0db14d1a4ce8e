import { randomUUID } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dashboard } from '../../../common/schemas/dashboard';
import type { KnowledgeKind, KnowledgeVisibility } from '../../../common/schemas/knowledge';
import type { RelatedArticle } from '../../../common/schemas/knowledge-related';
import type { Db } from '../../db/client';
import { buildBusinessLine, buildOpportunity, buildUser, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { activities } from '../activities/activities.tables';
import { customers } from '../customers/customers.tables';
import { opportunities, pipelineStages } from '../opportunities/opportunities.tables';
import { firmToday, midnight } from '../reports/filters';
import { loadActor } from '../staff/actors';
import { addDays } from '../../lib/time';
import { knowledgeFigures } from './indicators';
import { knowledgeArticles, knowledgeLinks, knowledgeMarks, knowledgeReads } from './knowledge.tables';
import { playbooks, playbookSchedules, playbookTicks } from './playbooks.tables';

/**
 * Knowledge where it is needed (issue 17 items 5 and 6): the articles beside an opportunity and a customer, Today's
 * suggested reading, and the start page's 知识积累 figures — articles made here as rows (the knowledge base's own
 * pages are built elsewhere), every expectation worked out here from those rows.
 */
let t: TestApp;
let db: Db;
let author: string;
/** The default pipeline's open stages (opportunities of a new line start in the first). */
let stages: { id: string; nameZh: string }[];

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db;
  author = (await buildUser(db)).id;
  stages = await db
    .select({ id: pipelineStages.id, nameZh: pipelineStages.nameZh })
    .from(pipelineStages)
    .where(and(isNull(pipelineStages.businessLineId), eq(pipelineStages.kind, 'open')))
    .orderBy(asc(pipelineStages.position));
});
afterAll(() => t.close());

type ArticleSpec = {
  kind?: KnowledgeKind;
  lines?: string[];
  stageId?: string | null;
  visibility?: KnowledgeVisibility;
  departmentId?: string;
  useful?: number;
  updatedAt?: Date;
  createdAt?: Date;
  createdBy?: string;
  archived?: boolean;
  reviewOn?: string;
  links?: { type: 'customer' | 'opportunity'; id: string }[];
};

async function article(spec: ArticleSpec = {}): Promise<string> {
  const [row] = await db
    .insert(knowledgeArticles)
    .values({
      kind: spec.kind ?? 'experience',
      title: uniq('年报审计承接要点'),
      body: '要点',
      businessLineIds: spec.lines ?? [],
      stageId: spec.stageId ?? null,
      visibility: spec.visibility ?? 'firm',
      departmentId: spec.departmentId ?? null,
      ownerId: author,
      createdBy: spec.createdBy ?? author,
      usefulCount: spec.useful ?? 0,
      updatedAt: spec.updatedAt ?? new Date(),
      createdAt: spec.createdAt ?? new Date(),
      archivedAt: spec.archived ? new Date() : null,
      reviewOn: spec.reviewOn ?? null,
    })
    .returning({ id: knowledgeArticles.id });
  for (const link of spec.links ?? [])
    await db.insert(knowledgeLinks).values({ articleId: row.id, targetType: link.type, targetId: link.id });
  return row.id;
}

async function customer(fields: { ownerId: string; industry?: string; size?: 'micro' | 'small' | 'medium' | 'large' }) {
  const name = uniq('测试客户有限公司');
  const [row] = await db
    .insert(customers)
    .values({ name, searchText: name, ownerId: fields.ownerId, industry: fields.industry, size: fields.size })
    .returning({ id: customers.id });
  return row.id;
}

const read = (articleId: string, userId: string, at = new Date()) =>
  db.insert(knowledgeReads).values({ articleId, userId, firstReadAt: at, lastReadAt: at });

const get = async (client: Client, url: string) => {
  const res = await client.get(url);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const ids = (items: RelatedArticle[]) => items.map((a) => a.id);

describe('related knowledge beside an opportunity', () => {
  it('lists its line and stage first, then its line, its customer, similar customers — visible, not archived', async () => {
    const seller = await signedIn(t);
    const me = seller.user.id;
    const stranger = await buildUser(db);
    const industry = uniq('制造业');
    const line = await buildBusinessLine(db, { name: uniq('审计') });
    const mine = await customer({ ownerId: me, industry, size: 'medium' });
    const opp = await buildOpportunity(t, { ownerId: me, customerId: mine, businessLineId: line.id });
    const [stage, later] = stages;
    expect(opp.stageId).toBe(stage.id);
    // Customers like mine (same industry and size band) and unlike it, none of them the seller's.
    const alike = await customer({ ownerId: stranger.id, industry, size: 'medium' });
    const alikeToo = await customer({ ownerId: stranger.id, industry, size: 'medium' });
    const alikeOpp = await buildOpportunity(t, { ownerId: stranger.id, customerId: alikeToo });
    const bigger = await customer({ ownerId: stranger.id, industry, size: 'large' });
    const secret = await customer({ ownerId: stranger.id });
    const otherDepartment = (await buildUser(db)).departmentId!;
    const L = [line.id];
    const old = new Date(Date.now() - 400 * 86_400_000);

    const stageLow = await article({ lines: L, stageId: stage.id, useful: 1 });
    const stageHigh = await article({ lines: L, stageId: stage.id, useful: 5, kind: 'policy' });
    // About the stage of every line (no line named), shown only to those who see my opportunity.
    const stageAnyLine = await article({
      stageId: stage.id,
      visibility: 'linked',
      links: [{ type: 'opportunity', id: opp.id }],
    });
    const lineTop = await article({ lines: L, useful: 100, kind: 'qa' });
    const lineOtherStage = await article({ lines: L, stageId: later.id });
    const myCustomers = await article({ kind: 'lesson', links: [{ type: 'customer', id: mine }] });
    const similar = await article({ kind: 'lesson', useful: 3, links: [{ type: 'customer', id: alike }] });
    const similarByOpp = await article({ kind: 'case', links: [{ type: 'opportunity', id: alikeOpp.id }] });
    const similarOlder = await article({ kind: 'lesson', updatedAt: old, links: [{ type: 'customer', id: alike }] });
    // Not shown: another size band, not a lesson or case, archived, a template, linked to a customer the seller
    // cannot see, shown to another department.
    await article({ kind: 'lesson', useful: 50, links: [{ type: 'customer', id: bigger }] });
    await article({ kind: 'experience', useful: 50, links: [{ type: 'customer', id: alike }] });
    await article({ lines: L, stageId: stage.id, useful: 90, archived: true });
    await article({ lines: L, stageId: stage.id, useful: 90, kind: 'template' });
    const hidden = await article({
      lines: L,
      stageId: stage.id,
      useful: 99,
      visibility: 'linked',
      links: [{ type: 'customer', id: secret }],
    });
    await article({ lines: L, useful: 99, visibility: 'department', departmentId: otherDepartment });

    const { items } = await get(seller.client, `/api/v1/opportunities/${opp.id}/knowledge`);
    // Ranked: stage (5, 1, 0 useful), line (100, 0), my customer, similar (3, then the newer of two 0s) — 8 at most.
    expect(ids(items)).toEqual([
      stageHigh,
      stageLow,
      stageAnyLine,
      lineTop,
      lineOtherStage,
      myCustomers,
      similar,
      similarByOpp,
    ]);
    expect(ids(items)).not.toContain(similarOlder);
    expect(items[0]).toMatchObject({
      kind: 'policy',
      usefulCount: 5,
      reason: { match: 'stage', lineName: line.name, stageName: stage.nameZh, industry: null },
    });
    expect(items[3].reason).toMatchObject({ match: 'line', lineName: line.name, stageName: null });
    expect(items[5].reason.match).toBe('customer');
    expect(items[6].reason).toMatchObject({ match: 'similar', industry, size: 'medium' });

    // A partner sees everything: the article linked to the stranger's customer is there for him (first, 99 useful).
    const { client: exec } = await signedIn(t, { roleCode: 'executive' });
    expect(ids((await get(exec, `/api/v1/opportunities/${opp.id}/knowledge`)).items)[0]).toBe(hidden);

    // Without size band, similar customers are those of the industry.
    await db.update(customers).set({ size: null }).where(eq(customers.id, mine));
    await db.update(knowledgeArticles).set({ archivedAt: new Date() }).where(eq(knowledgeArticles.id, stageLow));
    const again = (await get(seller.client, `/api/v1/opportunities/${opp.id}/knowledge`)).items as RelatedArticle[];
    expect(ids(again)).not.toContain(stageLow);
    expect(again.find((a) => a.reason.match === 'similar')!.reason).toMatchObject({ industry, size: null });
    expect(again.at(-1)!.reason.match).toBe('similar');
  });

  it('answers an opportunity or customer the reader cannot see exactly as an unknown one (404)', async () => {
    const seller = await signedIn(t);
    const other = await buildOpportunity(t);
    for (const [path, id] of [
      ['opportunities', other.id],
      ['customers', other.customerId],
    ]) {
      const invisible = await seller.client.get(`/api/v1/${path}/${id}/knowledge`);
      const unknown = await seller.client.get(`/api/v1/${path}/${randomUUID()}/knowledge`);
      expect(invisible.status).toBe(404);
      expect(invisible.body).toEqual(unknown.body);
    }
    expect((await t.anon.get(`/api/v1/opportunities/${other.id}/knowledge`)).status).toBe(401);
  });
});

describe('knowledge beside a customer', () => {
  it('lists its insights, then its lessons (on it or its opportunities), newest first', async () => {
    const seller = await signedIn(t);
    const me = seller.user.id;
    const mine = await customer({ ownerId: me });
    const opp = await buildOpportunity(t, { ownerId: me, customerId: mine });
    const another = await customer({ ownerId: me });
    const stranger = await buildUser(db);
    const secret = await customer({ ownerId: stranger.id });
    const hour = (h: number) => new Date(Date.now() - h * 3_600_000);

    const insightOld = await article({ kind: 'insight', updatedAt: hour(5), links: [{ type: 'customer', id: mine }] });
    const insightNew = await article({ kind: 'insight', updatedAt: hour(1), links: [{ type: 'customer', id: mine }] });
    const lessonOnOpp = await article({
      kind: 'lesson',
      updatedAt: hour(2),
      visibility: 'linked',
      links: [{ type: 'opportunity', id: opp.id }],
    });
    const lessonOnIt = await article({ kind: 'lesson', updatedAt: hour(3), links: [{ type: 'customer', id: mine }] });
    // Not shown: another customer's insight, an experience, an archived lesson, a lesson the seller may not read.
    await article({ kind: 'insight', links: [{ type: 'customer', id: another }] });
    await article({ kind: 'experience', links: [{ type: 'customer', id: mine }] });
    await article({ kind: 'lesson', archived: true, links: [{ type: 'customer', id: mine }] });
    await article({
      kind: 'lesson',
      visibility: 'department',
      departmentId: (await buildUser(db)).departmentId!,
      links: [{ type: 'customer', id: mine }],
    });
    // A lesson linked to my customer and to a stranger's, readable by those who see either: shown to me.
    const shared = await article({
      kind: 'lesson',
      updatedAt: hour(4),
      visibility: 'linked',
      links: [
        { type: 'customer', id: secret },
        { type: 'customer', id: mine },
      ],
    });
    const { items } = await get(seller.client, `/api/v1/customers/${mine}/knowledge`);
    expect(ids(items)).toEqual([insightNew, insightOld, lessonOnOpp, lessonOnIt, shared]);
    expect(items.map((a: RelatedArticle) => a.reason.match)).toEqual([
      'insight',
      'insight',
      'lesson',
      'lesson',
      'lesson',
    ]);
    expect((await get(seller.client, `/api/v1/customers/${another}/knowledge`)).items).toHaveLength(1);
  });
});

describe('Today’s suggested reading', () => {
  it('suggests an unread article of the day’s work, then of my open opportunities, then the firm’s most useful', async () => {
    const seller = await signedIn(t);
    const me = seller.user.id;
    const stranger = await buildUser(db);
    const secret = await customer({ ownerId: stranger.id });
    const dueLine = await buildBusinessLine(db, { name: uniq('审计') });
    const openLine = await buildBusinessLine(db, { name: uniq('代理记账') });
    const due = await buildOpportunity(t, { ownerId: me, businessLineId: dueLine.id, name: uniq('年报审计') });
    const open = await buildOpportunity(t, { ownerId: me, businessLineId: openLine.id });
    await db.insert(activities).values({
      ownerId: me,
      category: 'call',
      subject: uniq('催交资料'),
      status: 'planned',
      dueAt: new Date(Date.now() - 86_400_000),
      opportunityId: due.id,
    });
    // Work on someone else's opportunity of the open line does not make that line "today's".
    const [stage] = stages;
    const forDueLine = await article({ lines: [dueLine.id], useful: 7 });
    const forDueStage = await article({ lines: [dueLine.id], stageId: stage.id });
    const forOpenLine = await article({ lines: [openLine.id], useful: 50 });
    // Never suggested: one I may not read (linked to a customer I cannot see), a template, an archived one.
    await article({
      lines: [dueLine.id],
      stageId: stage.id,
      useful: 999,
      visibility: 'linked',
      links: [{ type: 'customer', id: secret }],
    });
    await article({ lines: [dueLine.id], stageId: stage.id, useful: 999, kind: 'template' });
    await article({ lines: [dueLine.id], stageId: stage.id, useful: 999, archived: true });

    const suggestion = async () => (await get(seller.client, '/api/v1/knowledge/suggestion')).suggestion;
    const first = await suggestion();
    expect(first).toMatchObject({
      id: forDueStage,
      reason: { match: 'today', opportunityId: due.id, opportunityName: due.name, stageName: stage.nameZh },
    });
    // Today's page carries the same suggestion.
    expect((await get(seller.client, '/api/v1/today')).knowledgeSuggestion).toEqual(first);

    await read(forDueStage, me);
    expect(await suggestion()).toMatchObject({
      id: forDueLine,
      reason: { match: 'today', lineName: dueLine.name, stageName: null },
    });
    await read(forDueLine, me);
    expect(await suggestion()).toMatchObject({
      id: forOpenLine,
      reason: { match: 'pipeline', opportunityId: open.id, lineName: openLine.name },
    });
    await read(forOpenLine, me);
    // Nothing left for my work: the firm's most useful recent article (one older than the window is not).
    await article({ useful: 2_000_000_000, updatedAt: new Date(Date.now() - 200 * 86_400_000) });
    const best = await article({ useful: 1_999_999_999 });
    await article({ useful: 1_999_999_999, visibility: 'department', departmentId: seller.user.departmentId! });
    expect(await suggestion()).toMatchObject({ id: best, reason: { match: 'firm', opportunityId: null } });
    await read(best, me);
    expect((await suggestion())?.id).not.toBe(best);
  });

  it('is null for a reader without the knowledge base', async () => {
    const { client: admin } = await signedIn(t, { roleCode: 'admin' });
    const code = uniq('noknowledge').toLowerCase();
    const role = await admin.post('/api/v1/roles', {
      code,
      name: '无知识库',
      grants: { 'customers:read': 'own', 'opportunities:read': 'own' },
    });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    const reader = await signedIn(t, { roleCode: code });
    expect((await get(reader.client, '/api/v1/today')).knowledgeSuggestion).toBeNull();
    expect((await reader.client.get('/api/v1/knowledge/suggestion')).status).toBe(403);
  });
});

describe('the start page’s 知识积累 and 员工发展 figures', () => {
  it('counts this year’s articles written, lessons per closed deal, reads, useful marks and stale articles', async () => {
    const { client: exec, user } = await signedIn(t, { roleCode: 'executive' });
    const actor = (await loadActor(db, user.id))!;
    const ctx = { db, actor, requestId: 'test', jobs: t.app.jobs };
    const today = firmToday();
    const year = Number(today.slice(0, 4));
    const range = { start: midnight(`${year}-01-01`), end: midnight(addDays(today, 1)), today };
    const dashboard = async (): Promise<NonNullable<Dashboard['firm']>> => (await get(exec, '/api/v1/dashboard')).firm;
    const before = await knowledgeFigures(ctx, range);
    const beforeBoard = (await dashboard()).indicators.knowledge;

    const writer = await buildUser(db);
    const gone = await buildUser(db, { active: false });
    const lastYear = new Date(`${year - 1}-06-01T04:00:00Z`);
    const yesterday = addDays(today, -1);
    // Written this year: 3 (one of them by someone no longer active); not: a template, an archived one, last year's.
    const written = [
      await article({ kind: 'experience', createdBy: writer.id, reviewOn: yesterday }),
      await article({ kind: 'case', createdBy: writer.id, reviewOn: today }),
      await article({ kind: 'qa', createdBy: gone.id }),
    ];
    await article({ kind: 'template', createdBy: writer.id });
    await article({ kind: 'experience', createdBy: writer.id, archived: true, reviewOn: yesterday });
    const old = await article({ kind: 'policy', createdBy: writer.id, createdAt: lastYear, reviewOn: '2000-01-01' });
    // Stale now: two (yesterday's review and last year's article); the archived one and today's are not.

    // Deals closed this year: won with a lesson, lost without, won with only an archived lesson; not: last year's,
    // an open one.
    const close = async (status: 'won' | 'lost', at: Date) => {
      const o = await buildOpportunity(t);
      await db.update(opportunities).set({ status, closedAt: at }).where(eq(opportunities.id, o.id));
      return o.id;
    };
    const won = await close('won', new Date());
    await close('lost', new Date());
    const wonArchived = await close('won', new Date());
    const wonLastYear = await close('won', lastYear);
    const stillOpen = (await buildOpportunity(t)).id;
    const lesson = await article({ kind: 'lesson', createdBy: writer.id, links: [{ type: 'opportunity', id: won }] });
    await article({ kind: 'lesson', archived: true, links: [{ type: 'opportunity', id: wonArchived }] });
    await article({ kind: 'lesson', createdAt: lastYear, links: [{ type: 'opportunity', id: wonLastYear }] });
    await article({ kind: 'lesson', links: [{ type: 'opportunity', id: stillOpen }] });
    // Written this year so far: the three, the lesson on the won deal and the open deal's lesson (by the author).
    const writtenThisYear = written.length + 2;

    // Reads this year: writer × 2 articles, the inactive reader × 1; last year's read not counted.
    await read(written[0], writer.id);
    await read(written[1], writer.id);
    await read(written[0], gone.id);
    await read(old, author, lastYear);
    // Useful marks this year: 2; last year's not.
    await db.insert(knowledgeMarks).values([
      { articleId: written[0], userId: writer.id },
      { articleId: lesson, userId: gone.id },
      { articleId: old, userId: author, createdAt: lastYear },
    ]);

    // Playbook steps done this year by active staff: the writer ticked an item and did a scheduled activity; not: the
    // inactive colleague's tick, last year's tick, a scheduled activity still planned.
    const [stage] = await db.select({ id: pipelineStages.id }).from(pipelineStages).limit(1);
    const [book] = await db
      .insert(playbooks)
      .values({
        kind: 'opportunity',
        businessLineId: (await buildBusinessLine(db)).id,
        stageId: stage.id,
        checklist: [{ id: 'a', text: '确认审计范围' }],
      })
      .returning({ id: playbooks.id });
    await db.insert(playbookTicks).values([
      { playbookId: book.id, itemId: 'a', opportunityId: won, tickedBy: writer.id },
      { playbookId: book.id, itemId: 'a', opportunityId: wonArchived, tickedBy: gone.id },
      { playbookId: book.id, itemId: 'a', opportunityId: wonLastYear, tickedBy: writer.id, tickedAt: lastYear },
    ]);
    const scheduled = async (status: 'done' | 'planned', index: number) => {
      const [a] = await db
        .insert(activities)
        .values({
          category: 'call',
          subject: uniq('指引活动'),
          status,
          doneAt: status === 'done' ? new Date() : null,
          ownerId: writer.id,
        })
        .returning({ id: activities.id });
      await db.insert(playbookSchedules).values({
        playbookId: book.id,
        entryId: randomUUID(),
        activityIndex: index,
        opportunityId: won,
        activityId: a.id,
      });
    };
    await scheduled('done', 0);
    await scheduled('planned', 1);

    const after = await knowledgeFigures(ctx, range);
    const delta = Object.fromEntries(
      Object.entries(after).map(([k, v]) => [k, v - before[k as keyof typeof before]]),
    ) as typeof after;
    // The author (active) wrote the open deal's lesson; the writer 3 (two written, the won deal's lesson).
    expect(delta).toEqual({
      written: writtenThisYear,
      closedDeals: 3,
      lessons: 1,
      reads: 3,
      usefulMarks: 2,
      stale: 2,
      staffReads: 2,
      staffWritten: writtenThisYear - 1,
      staffPlaybookSteps: 2,
    });

    const board = await dashboard();
    const k = board.indicators.knowledge;
    expect(k.written - beforeBoard.written).toBe(writtenThisYear);
    expect(k.closedDeals - beforeBoard.closedDeals).toBe(3);
    expect(k.lessons - beforeBoard.lessons).toBe(1);
    expect(k.reads - beforeBoard.reads).toBe(3);
    expect(k.usefulMarks - beforeBoard.usefulMarks).toBe(2);
    expect(k.stale - beforeBoard.stale).toBe(2);
    // The share and the averages as this test works them out (percent and tenths, half up) from the counts.
    const tenths = (part: number, whole: number, scale: number) =>
      whole === 0 ? null : (Math.round((part * scale * 10) / whole) / 10).toFixed(1);
    expect(k.lessonShare).toBe(tenths(k.lessons, k.closedDeals, 100));
    const staff = await knowledgeFigures(ctx, range);
    expect(board.indicators.staff.articlesReadPerPerson).toBe(
      tenths(staff.staffReads, board.indicators.staff.people, 1),
    );
    expect(board.indicators.staff.articlesWrittenPerPerson).toBe(
      tenths(staff.staffWritten, board.indicators.staff.people, 1),
    );
    expect(board.indicators.staff.playbookStepsPerPerson).toBe(
      tenths(staff.staffPlaybookSteps, board.indicators.staff.people, 1),
    );
  });
});
