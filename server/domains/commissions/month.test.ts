import { randomUUID } from 'node:crypto';
import { and, eq, inArray, ne } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDepartment, signedIn } from '../../test/factories';
import { createTestApp, secondInstanceDatabase, uniq, until, type Client, type TestApp } from '../../test/harness';
import { addDays } from '../../lib/time';
import { engagementMembers, engagements } from '../engagements/engagements.tables';
import { timeEntries, timesheetWeeks } from '../engagements/timesheets.tables';
import { buildContract, buildOrder, today } from '../receivables/fixtures';
import { users } from '../staff/staff.tables';
import { commissionSheets, commissionSources } from './commissions.tables';
import { demoPolicyInForce } from './fixtures';
import { runMonthDraft } from './month.service';

/**
 * Drafting every sheet of a month at once (POST /api/v1/commission-sheets/month, a job): the same sheets as drafting
 * them one by one, nothing counted twice when drafts run at once, every gathered approved entry counted. The month is
 * drafted by a salesperson (own scope: only their contracts), so other tests' contracts on a shared database are never
 * touched. Expected amounts are worked out in the comments, under the demo policy.
 */
let t: TestApp;
let finance: Client;
let auditLine: string;
let bookkeepingLine: string;
beforeAll(async () => {
  t = await createTestApp({ workers: ['commission.month'] });
  finance = (await signedIn(t, { roleCode: 'finance' })).client;
  const admin = (await signedIn(t, { roleCode: 'admin' })).client;
  ({ auditLine, bookkeepingLine } = await demoPolicyInForce(t, admin));
});
afterAll(() => t.close());

const period = () => today().slice(0, 7);
const previousPeriod = () => {
  const [y, m] = period().split('-').map(Number);
  return new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7);
};
const mondayOf = (date: string) => {
  const d = new Date(`${date}T00:00:00Z`);
  return addDays(date, -((d.getUTCDay() + 6) % 7));
};

async function receive(contractId: string, amount: string, receivedOn = today()) {
  const res = await finance.post('/api/v1/receipts', { contractId, receivedOn, amount, payer: uniq('付款单位') });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string };
}

/** An engagement of the contract led by `lead` with a team, and approved hours (week by week). */
async function work(
  contractId: string,
  businessLineId: string,
  departmentId: string,
  ownerId: string,
  team: { userId: string; role: 'manager' | 'signing-cpa' | 'assistant'; hours: { on: string; hours: string }[] }[],
) {
  const db = t.database.db;
  const order = await buildOrder(db, [], { ownerId, contractId });
  const [engagement] = await db
    .insert(engagements)
    .values({
      title: uniq('业务'),
      customerId: order.customerId,
      contractId,
      orderId: order.id,
      businessLineId,
      amount: '100000',
      leadId: team[0].userId,
      departmentId,
      salesOwnerId: ownerId,
    })
    .returning();
  await db
    .insert(engagementMembers)
    .values(team.map((m) => ({ engagementId: engagement.id, userId: m.userId, roles: [m.role] })));
  for (const m of team) {
    const weeks = [...new Set(m.hours.map((h) => mondayOf(h.on)))];
    for (const week of weeks)
      await db
        .insert(timesheetWeeks)
        .values({ userId: m.userId, weekStart: week, status: 'approved' })
        .onConflictDoNothing();
    if (m.hours.length)
      await db.insert(timeEntries).values(
        m.hours.map((h) => ({
          userId: m.userId,
          workDate: h.on,
          engagementId: engagement.id,
          category: 'engagement' as const,
          hours: h.hours,
          billable: true,
        })),
      );
  }
  return engagement;
}

/** Starts the month's drafting as `who` and waits for its end; the finished job as the API answers. */
async function draftMonth(who: Client, month = period()) {
  const started = await who.post('/api/v1/commission-sheets/month', { period: month });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  let body: { status: string; done: number; total: number; result?: Record<string, unknown> } = {
    status: 'running',
    done: 0,
    total: 0,
  };
  await until(
    async () => {
      const res = await who.get(`/api/v1/commission-sheet-months/${started.body.id}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      body = res.body;
      return body.status !== 'running';
    },
    60_000,
    'the month drafted',
  );
  expect(body.status).toBe('done');
  return { id: started.body.id as string, ...body, result: body.result as MonthResult };
}
type MonthResult = {
  period: string;
  subjects: number;
  drafted: number;
  skipped: number;
  skippedSubjects: { contractId: string | null; code: string; message: string }[];
};

/** A sheet as a user would compare two: its figures and its lines with their explanations, in a stable order. */
const comparable = (sheet: Record<string, unknown> & { lines: Record<string, unknown>[] }) => ({
  received: sheet.received,
  receivedBefore: sheet.receivedBefore,
  hours: sheet.hours,
  total: sheet.total,
  pools: sheet.pools,
  lines: sheet.lines
    .map((l) => ({
      userId: l.userId,
      side: l.side,
      role: l.role,
      method: l.method,
      computed: l.computed,
      amount: l.amount,
      explanation: l.explanation,
    }))
    .sort((a, b) => `${a.userId}${a.side}`.localeCompare(`${b.userId}${b.side}`)),
});

async function liveSheetOf(who: Client, contractId: string, month = period()) {
  const list = await who.get(`/api/v1/commission-sheets?contractId=${contractId}&period=${month}`);
  const live = list.body.items.filter((s: { status: string }) => s.status !== 'cancelled');
  expect(live).toHaveLength(1);
  return (await who.get(`/api/v1/commission-sheets/${live[0].id}`)).body;
}

describe('drafting the month’s sheets at once', () => {
  it('gives the same sheets as drafting them one by one, to the fen, with the same explanations', async () => {
    const db = t.database.db;
    const practice = await buildDepartment(db, { name: uniq('审计二部') });
    const owner = await signedIn(t, { roleCode: 'salesperson', departmentId: practice.id });
    const lead = await signedIn(t, { roleCode: 'staff', departmentId: practice.id, displayName: uniq('周') });
    const aide = await signedIn(t, { roleCode: 'staff', departmentId: practice.id, displayName: uniq('吴') });
    const cpa = await signedIn(t, { roleCode: 'staff', departmentId: practice.id, displayName: uniq('注') });
    await db.update(users).set({ isPracticingCpa: true }).where(eq(users.id, cpa.user.id));
    // The hours are today's (this month's, whatever the day), their week approved.
    const lastWeek = today();
    const contract = (businessLineId: string) =>
      buildContract(db, [{ amount: '200000', due: null }], { ownerId: owner.user.id, businessLineId });
    // A: audit, receipts across the tier (80,000 last month drafted first; 50,000 now) and the team's hours.
    const a = await contract(auditLine);
    await work(a.id, auditLine, practice.id, owner.user.id, [
      { userId: lead.user.id, role: 'manager', hours: [{ on: lastWeek, hours: '30' }] },
      { userId: aide.user.id, role: 'assistant', hours: [{ on: lastWeek, hours: '15.5' }] },
      { userId: cpa.user.id, role: 'signing-cpa', hours: [{ on: lastWeek, hours: '8.25' }] },
    ]);
    await receive(a.id, '80000', `${previousPeriod()}-10`);
    const earlier = await owner.client.post('/api/v1/commission-sheets', {
      contractId: a.id,
      period: previousPeriod(),
    });
    expect(earlier.status, JSON.stringify(earlier.body)).toBe(201);
    await receive(a.id, '30000.10');
    await receive(a.id, '20000');
    // B: bookkeeping, receipts only (8 %). C: audit, hours only (the pool has nothing; the CPA's hours pay).
    const b = await contract(bookkeepingLine);
    await receive(b.id, '12345.67');
    const c = await contract(auditLine);
    await work(c.id, auditLine, practice.id, owner.user.id, [
      { userId: lead.user.id, role: 'manager', hours: [{ on: lastWeek, hours: '4' }] },
      { userId: cpa.user.id, role: 'signing-cpa', hours: [{ on: lastWeek, hours: '2.5' }] },
    ]);

    // One by one, then cancelled: what they counted is free again for the month's drafting.
    const one: Record<string, ReturnType<typeof comparable>> = {};
    for (const id of [a.id, b.id, c.id]) {
      const res = await owner.client.post('/api/v1/commission-sheets', { contractId: id, period: period() });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      one[id] = comparable(res.body);
      expect((await owner.client.post(`/api/v1/commission-sheets/${res.body.id}/cancel`)).status).toBe(200);
    }
    // Worked out by hand. A: 80,000.00 counted before, 50,000.10 now: the owner 20,000.00 × 3 % (to 100,000.00) +
    // 30,000.10 × 5 % = 600.00 + 1,500.005 = 2,100.01; the pool 10 % = 5,000.01, split by hours 30 : 15.5; the
    // practising CPA 8.25 h × 150.00 = 1,237.50.
    expect(one[a.id]).toMatchObject({ receivedBefore: '80000.00', received: '50000.10', hours: '53.75' });
    const aLines = Object.fromEntries(one[a.id].lines.map((l) => [l.userId, l]));
    const fen = (v: unknown) => Math.round(Number(v) * 100);
    expect(aLines[owner.user.id].amount).toBe('2100.01');
    expect(aLines[cpa.user.id].amount).toBe('1237.50');
    expect(fen(aLines[lead.user.id].amount) + fen(aLines[aide.user.id].amount)).toBe(500001);
    // B: 12,345.67 × 8 % = 987.6536 → 987.65.
    expect(one[b.id].total).toBe('987.65');
    // C: no receipt — the CPA's 2.5 h × 150 = 375.00; the pool is empty.
    expect(one[c.id].total).toBe('375.00');

    const month = await draftMonth(owner.client);
    expect(month.result).toMatchObject({ period: period(), subjects: 3, drafted: 3, skipped: 0 });
    for (const id of [a.id, b.id, c.id]) expect(comparable(await liveSheetOf(owner.client, id))).toEqual(one[id]);

    // Again: nothing new, so nothing to draft (the three are counted; the month's sheets exist).
    const again = await draftMonth(owner.client);
    expect(again.result).toMatchObject({ subjects: 0, drafted: 0, skipped: 0 });
    // Only the one who started it follows it.
    expect((await finance.get(`/api/v1/commission-sheet-months/${month.id}`)).status).toBe(404);
  });

  it('skips a subject whose month was drafted already, with its reason, and drafts the rest', async () => {
    const owner = await signedIn(t, { roleCode: 'salesperson' });
    const [x, y] = await Promise.all(
      [0, 1].map(() =>
        buildContract(t.database.db, [{ amount: '50000', due: null }], {
          ownerId: owner.user.id,
          businessLineId: auditLine,
        }),
      ),
    );
    await receive(x.id, '1000');
    await receive(y.id, '2000');
    expect((await owner.client.post('/api/v1/commission-sheets', { contractId: x.id, period: period() })).status).toBe(
      201,
    );
    await receive(x.id, '500');
    const month = await draftMonth(owner.client);
    expect(month.result).toMatchObject({ subjects: 2, drafted: 1, skipped: 1 });
    expect(month.result.skippedSubjects).toEqual([
      expect.objectContaining({ contractId: x.id, code: 'COMMISSION_SHEET_EXISTS' }),
    ]);
    expect(month.result.skippedSubjects[0].message).toContain(period());
    // y: 2,000.00 × 3 % = 60.00.
    expect((await liveSheetOf(owner.client, y.id)).total).toBe('60.00');
  });

  it('refuses a month not begun, a month without a policy, a bad month, and an unknown drafting', async () => {
    const owner = await signedIn(t, { roleCode: 'salesperson' });
    const [y, m] = period().split('-').map(Number);
    const next = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
    const future = await owner.client.post('/api/v1/commission-sheets/month', { period: next });
    expect(future.body.error.code).toBe('COMMISSION_PERIOD_FUTURE');
    const none = await owner.client.post('/api/v1/commission-sheets/month', { period: '1899-12' });
    expect(none.body.error.code).toBe('COMMISSION_NO_POLICY');
    const bad = await owner.client.post('/api/v1/commission-sheets/month', { period: '2026-13' });
    expect(bad.status).toBe(400);
    expect((await owner.client.get(`/api/v1/commission-sheet-months/${randomUUID()}`)).status).toBe(404);
  });
});

describe('drafts at once: nothing counted twice', () => {
  /** Six audit contracts of the owner, each with one receipt this month: 3 % each. */
  async function sixContracts() {
    const owner = await signedIn(t, { roleCode: 'salesperson' });
    const built = [];
    for (let i = 0; i < 6; i++) {
      const c = await buildContract(t.database.db, [{ amount: '90000', due: null }], {
        ownerId: owner.user.id,
        businessLineId: auditLine,
      });
      const r = await receive(c.id, `${(i + 1) * 1000}.10`);
      built.push({ contractId: c.id, receiptId: r.id });
    }
    return { owner, built };
  }
  /** The live sheets of the contracts, and how many times each receipt is counted. */
  async function counted(built: { contractId: string; receiptId: string }[]) {
    const db = t.database.db;
    const sheets = await db
      .select()
      .from(commissionSheets)
      .where(
        and(
          inArray(
            commissionSheets.contractId,
            built.map((b) => b.contractId),
          ),
          ne(commissionSheets.status, 'cancelled'),
        ),
      );
    const sources = await db
      .select()
      .from(commissionSources)
      .where(
        inArray(
          commissionSources.sourceId,
          built.map((b) => b.receiptId),
        ),
      );
    return { sheets, sources };
  }
  // (1,000.10 + … + 6,000.10) × 3 % = 21,000.60 × 3 % — per sheet: 30.003 → 30.00, 60.003 → 60.00, … = 630.00.
  const expectRight = async (built: { contractId: string; receiptId: string }[]) => {
    const { sheets, sources } = await counted(built);
    expect(sheets).toHaveLength(6);
    expect(new Set(sheets.map((s) => s.contractId)).size).toBe(6);
    expect(sources.map((s) => s.sourceId).sort()).toEqual(built.map((b) => b.receiptId).sort());
    expect(sheets.reduce((sum, s) => sum + Math.round(Number(s.total) * 100), 0)).toBe(63000);
  };

  it('two month drafts at once (two app instances): each receipt counted once, the totals right', async () => {
    const { owner, built } = await sixContracts();
    const second = await secondInstanceDatabase(t.database);
    try {
      const results = await Promise.all(
        [t.database.db, second.database.db].map((db, i) =>
          runMonthDraft({ db, jobs: t.app.jobs }, randomUUID(), {
            actorId: owner.user.id,
            period: period(),
            requestId: `month-${i}`,
          }),
        ),
      );
      expect(results[0].drafted + results[1].drafted).toBe(6);
      for (const r of results)
        for (const s of r.skippedSubjects)
          expect(['COMMISSION_SHEET_EXISTS', 'COMMISSION_SOURCE_COUNTED', 'COMMISSION_SHEET_EMPTY']).toContain(s.code);
      await expectRight(built);
    } finally {
      await second.close();
    }
  });

  it('a month draft at once with a single contract’s draft: each receipt counted once, the totals right', async () => {
    const { owner, built } = await sixContracts();
    const [month, single] = await Promise.all([
      runMonthDraft({ db: t.database.db, jobs: t.app.jobs }, randomUUID(), {
        actorId: owner.user.id,
        period: period(),
        requestId: 'month',
      }),
      owner.client.post('/api/v1/commission-sheets', { contractId: built[2].contractId, period: period() }),
    ]);
    if (single.status === 201) expect(month.drafted).toBe(5);
    else {
      expect(single.status).toBe(409);
      expect(month.drafted).toBe(6);
    }
    await expectRight(built);
  });
});

describe('every gathered approved entry counted', () => {
  it('records the hours no rule pays, so a later month has nothing to draft', async () => {
    const db = t.database.db;
    const practice = await buildDepartment(db, { name: uniq('代账部') });
    const owner = await signedIn(t, { roleCode: 'salesperson', departmentId: practice.id });
    const lead = await signedIn(t, { roleCode: 'staff', departmentId: practice.id });
    const contract = await buildContract(db, [{ amount: '30000', due: null }], {
      ownerId: owner.user.id,
      businessLineId: bookkeepingLine,
    });
    // 代理记账: the lead's hours — no rule pays a 项目负责人 of that line by the hour.
    const day = `${previousPeriod()}-15`;
    const engagement = await work(contract.id, bookkeepingLine, practice.id, owner.user.id, [
      { userId: lead.user.id, role: 'manager', hours: [{ on: day, hours: '6' }] },
    ]);
    const [entry] = await db.select().from(timeEntries).where(eq(timeEntries.engagementId, engagement.id));
    await receive(contract.id, '5000', day);
    const first = await owner.client.post('/api/v1/commission-sheets', {
      contractId: contract.id,
      period: previousPeriod(),
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    // 5,000.00 × 8 % = 400.00 to the owner; the lead's 6 h counted though no line uses them.
    expect(first.body.total).toBe('400.00');
    expect(first.body.hours).toBe('6.00');
    expect(
      first.body.lines.every((l: { explanation: { timeEntryIds: string[] } }) => !l.explanation.timeEntryIds.length),
    ).toBe(true);
    const sources = await db.select().from(commissionSources).where(eq(commissionSources.sheetId, first.body.id));
    expect(sources.map((s) => [s.kind, s.sourceId])).toContainEqual(['time-entry', entry.id]);
    // This month: nothing new — nothing to draft, alone or with the month.
    const now = await owner.client.post('/api/v1/commission-sheets', { contractId: contract.id, period: period() });
    expect(now.status).toBe(409);
    expect(now.body.error.code).toBe('COMMISSION_SHEET_EMPTY');
    const month = await draftMonth(owner.client);
    expect(month.result).toMatchObject({ subjects: 0, drafted: 0 });
  });
});
