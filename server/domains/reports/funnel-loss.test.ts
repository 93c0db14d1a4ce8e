import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportAnswer, ReportDrill } from '../../../common/schemas/reports';
import type { Db } from '../../db/client';
import { searchTextOf } from '../../lib/search-text';
import {
  buildBranch,
  buildBusinessLine,
  buildDepartment,
  buildUser,
  setDepartmentManager,
  signedIn,
} from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { customers } from '../customers/customers.tables';
import { opportunities, opportunityStageChanges, pipelineStages } from '../opportunities/opportunities.tables';
import { users } from '../staff/staff.tables';
import { exportedRows } from './test-support';

/**
 * 销售漏斗流失: the opportunities that entered each stage in a period — moved on, lost there, still open there — and
 * the lost reasons. The opportunities and their stage histories are written here as rows; the expected figures are
 * worked out below from the same specs in plain TypeScript (not the report's SQL), and every drill-down is opened on
 * the opportunities list, which must list exactly the opportunities behind the figure.
 */
let t: TestApp;
let db: Db;
let exec: Client;
let manager: Client;
let line: string;
let ownLine: string;
let root: string;
let teamDept: string;
let otherDept: string;
let beijing: string;
let shanghai: string;

type Status = 'open' | 'won' | 'lost';
/** A stage change: when (an instant), into which stage (by name, of the line's pipeline) and status. */
type Change = { at: string; to: string; status: Status };
type Spec = {
  key: string;
  owner: { id: string; departmentId: string };
  line: 'default' | 'own';
  changes: Change[];
  lostReason?: string;
};

/** Stage ids by name: the default pipeline's, and the own pipeline's of `ownLine`. */
const stageIds: Record<'default' | 'own', Record<string, string>> = { default: {}, own: {} };
const made = new Map<string, string>(); // spec key → opportunity id
const specs: Spec[] = [];

const APRIL = { from: '2026-04-01', to: '2026-04-30' };
// Midnight Asia/Shanghai (UTC+8) on 1 April and 1 May, written out here.
const APRIL_START = Date.parse('2026-03-31T16:00:00Z');
const APRIL_END = Date.parse('2026-04-30T16:00:00Z');
const MARCH_START = Date.parse('2026-02-28T16:00:00Z');

const open = (at: string, to: string): Change => ({ at, to, status: 'open' });
const lost = (at: string): Change => ({ at, to: '输单', status: 'lost' });
const won = (at: string): Change => ({ at, to: '赢单', status: 'won' });

async function make(spec: Spec) {
  const ids = stageIds[spec.line];
  const last = spec.changes.at(-1)!;
  const name = uniq('漏斗客户');
  const [customer] = await db
    .insert(customers)
    .values({ name, ownerId: spec.owner.id, searchText: searchTextOf([name]) })
    .returning();
  const oppName = uniq(`漏斗机会${spec.key}`);
  const [row] = await db
    .insert(opportunities)
    .values({
      name: oppName,
      customerId: customer.id,
      businessLineId: spec.line === 'own' ? ownLine : line,
      stageId: ids[last.to],
      status: last.status,
      probability: 10,
      ownerId: spec.owner.id,
      departmentId: spec.owner.departmentId,
      lostReason: last.status === 'lost' ? (spec.lostReason ?? null) : null,
      closedAt: last.status === 'open' ? null : new Date(last.at),
      stageEnteredAt: new Date(last.at),
      createdAt: new Date(spec.changes[0].at),
      searchText: searchTextOf([oppName, name]),
    })
    .returning();
  let previous: Change | null = null;
  for (const c of spec.changes) {
    await db.insert(opportunityStageChanges).values({
      opportunityId: row.id,
      fromStageId: previous ? ids[previous.to] : null,
      fromStatus: previous?.status ?? null,
      toStageId: ids[c.to],
      toStatus: c.status,
      at: new Date(c.at),
    });
    previous = c;
  }
  made.set(spec.key, row.id);
  specs.push(spec);
}

type Outcome = 'movedOn' | 'lost' | 'open';
type Expected = Map<string, { entered: Set<string>; movedOn: Set<string>; lost: Set<string>; open: Set<string> }>;

/**
 * The figures by hand: an opportunity counts once per stage it entered (a change into an open stage) in
 * [start, end); at that stage it is "lost" if it is lost now and its last change to lost came from there, "open" if
 * it is open there now, else it "moved on".
 */
function expected(which: Spec[], start: number, end: number): Expected {
  const out: Expected = new Map();
  for (const spec of which) {
    const entered = new Set(
      spec.changes
        .filter((c) => c.status === 'open' && Date.parse(c.at) >= start && Date.parse(c.at) < end)
        .map((c) => c.to),
    );
    const now = spec.changes.at(-1)!;
    const lostAt = spec.changes.findLastIndex((c) => c.status === 'lost');
    const lostFrom = lostAt > 0 ? spec.changes[lostAt - 1].to : null;
    for (const stage of entered) {
      const outcome: Outcome =
        now.status === 'open' && now.to === stage
          ? 'open'
          : now.status === 'lost' && lostFrom === stage
            ? 'lost'
            : 'movedOn';
      if (!out.has(stage)) out.set(stage, { entered: new Set(), movedOn: new Set(), lost: new Set(), open: new Set() });
      const figures = out.get(stage)!;
      figures.entered.add(made.get(spec.key)!);
      figures[outcome].add(made.get(spec.key)!);
    }
  }
  return out;
}

const rowOf = (answer: ReportAnswer, key: string) => answer.tables[0].rows.find((r) => r.key === key);

/** The ids the opportunities list gives for a drill-down (the web page passes its query on as it is). */
async function listed(client: Client, drill: ReportDrill): Promise<string[]> {
  expect(drill.path).toBe('/opportunities');
  const { mode, ...query } = drill.query;
  expect(mode).toBe('list');
  const res = await client.get('/api/v1/opportunities', { ...query, pageSize: 100 });
  expect(res.status).toBe(200);
  return (res.body.items as { id: string }[]).map((o) => o.id).sort();
}

/** Every figure of the first table equals the hand count, and its drill-down lists exactly those opportunities. */
async function checkAgainst(client: Client, answer: ReportAnswer, want: Expected, stages: string[]) {
  for (const stage of stages) {
    const row = rowOf(answer, stage)!;
    const figures = want.get(stage) ?? { entered: new Set(), movedOn: new Set(), lost: new Set(), open: new Set() };
    for (const key of ['entered', 'movedOn', 'lost', 'open'] as const) {
      expect({ stage, key, n: row.cells[key] }).toEqual({ stage, key, n: figures[key].size });
      expect({ stage, key, ids: await listed(client, row.drill![key]) }).toEqual({
        stage,
        key,
        ids: [...figures[key]].sort(),
      });
    }
  }
}

async function seller(departmentId: string, branchId: string) {
  const user = await buildUser(db, { departmentId });
  await db.update(users).set({ branchId }).where(eq(users.id, user.id));
  return { id: user.id, departmentId };
}

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db;
  line = (await buildBusinessLine(db)).id;
  ownLine = (await buildBusinessLine(db)).id;
  beijing = (await buildBranch(db, uniq('北京'))).id;
  shanghai = (await buildBranch(db, uniq('上海'))).id;
  root = (await buildDepartment(db)).id;
  teamDept = (await buildDepartment(db, { parentId: root })).id;
  otherDept = (await buildDepartment(db, { parentId: root })).id;
  exec = (await signedIn(t, { roleCode: 'executive' })).client;
  const m = await signedIn(t, { roleCode: 'manager', departmentId: teamDept });
  await setDepartmentManager(db, teamDept, m.user.id);
  manager = m.client;

  const defaults = await db
    .select()
    .from(pipelineStages)
    .where(and(isNull(pipelineStages.businessLineId), eq(pipelineStages.active, true)));
  for (const s of defaults) stageIds.default[s.nameZh] = s.id;
  // A line with its own pipeline: its 商务报价 is another stage of the same name.
  const own = await db
    .insert(pipelineStages)
    .values([
      { businessLineId: ownLine, nameZh: '初步接洽', nameEn: 'First contact', position: 1, probability: 10 },
      { businessLineId: ownLine, nameZh: '商务报价', nameEn: 'Quotation', position: 2, probability: 60 },
      { businessLineId: ownLine, nameZh: '赢单', nameEn: 'Won', position: 3, kind: 'won' as const, probability: 100 },
      { businessLineId: ownLine, nameZh: '输单', nameEn: 'Lost', position: 4, kind: 'lost' as const, probability: 0 },
    ])
    .returning();
  for (const s of own) stageIds.own[s.nameZh] = s.id;

  const sm = await seller(teamDept, beijing);
  const sx = await seller(otherDept, shanghai);

  // A: created at midnight 1 April in Shanghai (31 March 16:00 UTC) — April's; lost from 需求分析.
  await make({
    key: 'A',
    owner: sm,
    line: 'default',
    changes: [
      open('2026-03-31T16:00:00Z', '初步接洽'),
      open('2026-04-05T02:00:00Z', '需求分析'),
      lost('2026-04-10T02:00:00Z'),
    ],
    lostReason: '预算取消',
  });
  // B: created a moment before (still 31 March in Shanghai) — March's 初步接洽; entered 需求分析 in April, open there.
  await make({
    key: 'B',
    owner: sm,
    line: 'default',
    changes: [open('2026-03-31T15:59:59Z', '初步接洽'), open('2026-04-02T02:00:00Z', '需求分析')],
  });
  // C: lost at 商务报价, reopened into it, then on to 商务谈判 — no longer lost anywhere; open at 商务谈判.
  await make({
    key: 'C',
    owner: sm,
    line: 'default',
    changes: [
      open('2026-04-03T01:00:00Z', '初步接洽'),
      open('2026-04-04T01:00:00Z', '需求分析'),
      open('2026-04-05T01:00:00Z', '方案建议'),
      open('2026-04-06T01:00:00Z', '商务报价'),
      lost('2026-04-07T01:00:00Z'),
      open('2026-04-08T01:00:00Z', '商务报价'),
      open('2026-04-09T01:00:00Z', '商务谈判'),
    ],
  });
  // D: started in 方案建议, lost at 商务报价 (价格高).
  await make({
    key: 'D',
    owner: sm,
    line: 'default',
    changes: [
      open('2026-04-03T03:00:00Z', '方案建议'),
      open('2026-04-04T03:00:00Z', '商务报价'),
      lost('2026-04-05T03:00:00Z'),
    ],
    lostReason: '价格高',
  });
  // E: the other department's, lost at 商务报价 (价格高).
  await make({
    key: 'E',
    owner: sx,
    line: 'default',
    changes: [
      open('2026-04-03T04:00:00Z', '初步接洽'),
      open('2026-04-03T05:00:00Z', '需求分析'),
      open('2026-04-03T06:00:00Z', '商务报价'),
      lost('2026-04-20T04:00:00Z'),
    ],
    lostReason: '价格高',
  });
  // F: the other department's, won.
  await make({
    key: 'F',
    owner: sx,
    line: 'default',
    changes: [
      open('2026-04-01T01:00:00Z', '初步接洽'),
      open('2026-04-02T01:00:00Z', '商务谈判'),
      won('2026-04-20T01:00:00Z'),
    ],
  });
  // G: created at midnight 1 May in Shanghai — May's, not April's.
  await make({
    key: 'G',
    owner: sm,
    line: 'default',
    changes: [open('2026-04-30T16:00:00Z', '初步接洽'), lost('2026-05-02T01:00:00Z')],
    lostReason: '无预算',
  });
  // H: entered in April, lost in May from the stage it entered in April — lost there (its state now).
  await make({
    key: 'H',
    owner: sm,
    line: 'default',
    changes: [open('2026-04-15T01:00:00Z', '初步接洽'), lost('2026-05-03T01:00:00Z')],
    lostReason: '无预算',
  });
  // I: lost at 商务报价 in April, reopened in May into it: open there.
  await make({
    key: 'I',
    owner: sx,
    line: 'default',
    changes: [
      open('2026-04-12T01:00:00Z', '商务报价'),
      lost('2026-04-13T01:00:00Z'),
      open('2026-05-04T01:00:00Z', '商务报价'),
    ],
    lostReason: '价格高',
  });
  // J: a line with its own pipeline, lost at its own 商务报价.
  await make({
    key: 'J',
    owner: sm,
    line: 'own',
    changes: [
      open('2026-04-06T01:00:00Z', '初步接洽'),
      open('2026-04-07T01:00:00Z', '商务报价'),
      lost('2026-04-08T01:00:00Z'),
    ],
    lostReason: '价格高',
  });
});
afterAll(() => t.close());

const DEFAULT_STAGES = ['初步接洽', '需求分析', '方案建议', '商务报价', '商务谈判'];
const defaultLine = () => specs.filter((s) => s.line === 'default');

describe('funnel loss', () => {
  it('counts each stage’s entries of the period by their outcome now, each figure opening exactly its records', async () => {
    const res = await exec.get('/api/v1/reports/funnel-loss', { ...APRIL, businessLineId: line });
    expect(res.status).toBe(200);
    const answer = res.body as ReportAnswer;
    expect(answer.tables[0].rows.map((r) => r.cells.stage)).toEqual(DEFAULT_STAGES);
    const want = expected(defaultLine(), APRIL_START, APRIL_END);
    await checkAgainst(exec, answer, want, DEFAULT_STAGES);

    // What the cases mean, read off the hand count: the reopened C is not lost at 商务报价 (D and E are), I was
    // reopened in May (open there); A (created at midnight 1 April in Shanghai) is April's, B and G are not.
    const quote = rowOf(answer, '商务报价')!.cells;
    expect(quote).toMatchObject({ entered: 4, lost: 2, open: 1, movedOn: 1, lostShare: '50.0' });
    expect(rowOf(answer, '初步接洽')!.cells).toMatchObject({ entered: 5, lost: 1, movedOn: 4, open: 0 });
    expect(rowOf(answer, '需求分析')!.cells).toMatchObject({ entered: 4, lost: 1, open: 1, movedOn: 2 });
    const total = answer.tables[0].total!.cells;
    expect(total).toMatchObject({ entered: 17, lost: 4, lostShare: '23.5' }); // 4 / 17 = 23.53 %
    // 4 lost: 2 at 商务报价 = 50 %.
    expect(answer.headline).toBe('最多流失在「商务报价」：2 个机会，占流失的 50.0%');
    expect(answer.chart).toEqual({
      type: 'stacked-bar',
      category: 'stage',
      series: ['movedOn', 'lost', 'open'],
      horizontal: true,
      // The losses drawn as losses (red on the page), what is still there as undecided.
      tones: ['good', 'loss', 'open'],
    });
    expect(rowOf(answer, '商务报价')!.drill!.lost).toEqual({
      path: '/opportunities',
      query: {
        mode: 'list',
        businessLineId: line,
        enteredStageId: stageIds.default['商务报价'],
        enteredFrom: APRIL.from,
        enteredTo: APRIL.to,
        status: 'lost',
        lostAtStageId: stageIds.default['商务报价'],
      },
    });
  });

  it('lists the lost reasons per stage, each opening the opportunities lost there for it', async () => {
    const answer = (await exec.get('/api/v1/reports/funnel-loss', { ...APRIL, businessLineId: line }))
      .body as ReportAnswer;
    const reasons = answer.tables[1];
    // By hand: lost there now, with their reasons.
    const want = expected(defaultLine(), APRIL_START, APRIL_END);
    const counted = new Map<string, number>();
    for (const [stage, figures] of want) {
      for (const id of figures.lost) {
        const spec = specs.find((s) => made.get(s.key) === id)!;
        const key = `${stage}:${spec.lostReason}`;
        counted.set(key, (counted.get(key) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(reasons.rows.map((r) => [r.key, r.cells.count]))).toEqual(Object.fromEntries(counted));
    expect(reasons.rows.map((r) => r.key)).toEqual(['初步接洽:无预算', '需求分析:预算取消', '商务报价:价格高']);
    expect(reasons.total!.cells.count).toBe(4);
    const quote = reasons.rows.find((r) => r.key === '商务报价:价格高')!;
    expect(await listed(exec, quote.drill!.count)).toEqual([made.get('D'), made.get('E')].sort());
  });

  it('counts a change at midnight 1 April in Shanghai (31 March 16:00 UTC) in April, a second before in March', async () => {
    const march = (
      await exec.get('/api/v1/reports/funnel-loss', { from: '2026-03-01', to: '2026-03-31', businessLineId: line })
    ).body as ReportAnswer;
    const want = expected(defaultLine(), MARCH_START, APRIL_START);
    await checkAgainst(exec, march, want, DEFAULT_STAGES);
    expect(rowOf(march, '初步接洽')!.cells).toMatchObject({ entered: 1, movedOn: 1 });
    expect(await listed(exec, rowOf(march, '初步接洽')!.drill!.entered)).toEqual([made.get('B')]);
    const april = (await exec.get('/api/v1/reports/funnel-loss', { ...APRIL, businessLineId: line }))
      .body as ReportAnswer;
    expect(await listed(exec, rowOf(april, '初步接洽')!.drill!.entered)).toContain(made.get('A'));
    expect(await listed(exec, rowOf(april, '初步接洽')!.drill!.entered)).not.toContain(made.get('G'));
  });

  it('shows a manager only his department’s opportunities', async () => {
    const res = await manager.get('/api/v1/reports/funnel-loss', { ...APRIL, businessLineId: line });
    expect(res.status).toBe(200);
    const answer = res.body as ReportAnswer;
    const mine = defaultLine().filter((s) => s.owner.departmentId === teamDept);
    await checkAgainst(manager, answer, expected(mine, APRIL_START, APRIL_END), DEFAULT_STAGES);
    // Only D is lost at 商务报价 in his department (E is the other department's).
    expect(rowOf(answer, '商务报价')!.cells).toMatchObject({ entered: 2, lost: 1 });
  });

  it('groups the stages of every pipeline by name without a business line, and filters by branch', async () => {
    const answer = (await exec.get('/api/v1/reports/funnel-loss', { ...APRIL, departmentId: root }))
      .body as ReportAnswer;
    // J (its line's own 商务报价) is counted with the default pipeline's 商务报价.
    const all = expected(specs, APRIL_START, APRIL_END);
    await checkAgainst(exec, answer, all, DEFAULT_STAGES);
    expect(rowOf(answer, '商务报价')!.cells).toMatchObject({ lost: 3 });
    expect(rowOf(answer, '商务报价')!.drill!.lost.query.lostAtStageId.split(',').sort()).toEqual(
      expect.arrayContaining([stageIds.default['商务报价'], stageIds.own['商务报价']]),
    );
    const keys = answer.tables[0].rows.map((r) => r.key);
    expect(keys.indexOf('初步接洽')).toBeLessThan(keys.indexOf('商务报价'));

    const own = (await exec.get('/api/v1/reports/funnel-loss', { ...APRIL, businessLineId: ownLine }))
      .body as ReportAnswer;
    expect(own.tables[0].rows.map((r) => r.key)).toEqual(['初步接洽', '商务报价']);
    await checkAgainst(
      exec,
      own,
      expected(
        specs.filter((s) => s.line === 'own'),
        APRIL_START,
        APRIL_END,
      ),
      ['初步接洽', '商务报价'],
    );

    const bj = (await exec.get('/api/v1/reports/funnel-loss', { ...APRIL, departmentId: root, branchId: beijing }))
      .body as ReportAnswer;
    const inBeijing = specs.filter((s) => s.owner.departmentId === teamDept);
    await checkAgainst(exec, bj, expected(inBeijing, APRIL_START, APRIL_END), DEFAULT_STAGES);
    expect(rowOf(bj, '商务报价')!.drill!.lost.query).toMatchObject({ branchId: beijing, departmentId: root });
  });

  it('exports the page’s figures as .xlsx, totals included', async () => {
    const query = new URLSearchParams({ ...APRIL, businessLineId: line }).toString();
    const page = (await exec.get(`/api/v1/reports/funnel-loss?${query}`)).body as ReportAnswer;
    const values = await exportedRows(t, exec, 'funnel-loss', query);
    const total = page.tables[0].total!.cells;
    const totalRow = values.find((v) => v[0] === total.stage && v[1] === total.entered)!;
    expect(totalRow.slice(1, 5)).toEqual([total.entered, total.movedOn, total.lost, total.open]);
    const quote = values.find((v) => v[0] === '商务报价')!;
    expect(quote.slice(1, 5)).toEqual([4, 1, 2, 1]);
  });

  it('keeps the board working with the new list filters', async () => {
    const res = await exec.get('/api/v1/opportunities/board', {
      businessLineId: line,
      branchId: beijing,
      departmentId: root,
      enteredStageId: stageIds.default['商务报价'],
      enteredFrom: APRIL.from,
      enteredTo: APRIL.to,
    });
    expect(res.status).toBe(200);
    // 商务报价 entered in April by the 北京 seller's: C (open at 商务谈判) and D (lost).
    const counts = Object.fromEntries(
      (res.body.columns as { stage: { nameZh: string }; count: number }[]).map((c) => [c.stage.nameZh, c.count]),
    );
    expect(counts).toMatchObject({ 商务谈判: 1, 方案建议: 0 });
    const again = await exec.get('/api/v1/opportunities/board', {
      businessLineId: line,
      branchId: beijing,
      lostAtStageId: stageIds.default['商务报价'],
    });
    expect(again.status).toBe(200);
  });

  it('refuses a malformed stage list and an unknown option', async () => {
    expect((await exec.get('/api/v1/opportunities', { lostAtStageId: 'abc' })).status).toBe(400);
    expect((await exec.get('/api/v1/opportunities', { enteredFrom: '2026-02-30' })).status).toBe(400);
    expect((await exec.get('/api/v1/reports/funnel-loss', { ...APRIL, subject: 'leads' })).status).toBe(400);
  });

  it('speaks English to an English reader', async () => {
    const english = (await signedIn(t, { roleCode: 'executive' })).client;
    expect((await english.patch('/api/v1/auth/me', { locale: 'en-US' })).status).toBe(200);
    const answer = (await english.get('/api/v1/reports/funnel-loss', { ...APRIL, businessLineId: line }))
      .body as ReportAnswer;
    expect(answer.title).toBe('Funnel loss');
    expect(rowOf(answer, '商务报价')!.cells.stage).toBe('Quotation');
    expect(answer.headline).toBe('Most are lost at “Quotation”: 2 opportunities, 50.0% of all lost');
  });
});
