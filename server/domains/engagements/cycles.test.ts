import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TemplatePhase } from '../../../common/schemas/engagements';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { buildBusinessLine, buildDepartment, signedIn } from '../../test/factories';
import { createTestApp, secondInstanceDatabase, uniq, until, type TestApp } from '../../test/harness';
import { notifications } from '../notifications/notifications.tables';
import { addMonthlyCycles, monthStart } from './cycles.service';
import { engagementPhases, engagements, engagementTasks } from './engagements.tables';
import { buildOrderWithLines, buildTemplate } from './fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** 代理记账, short: invoices for five days, then the books for a month (longer than what is left of any month). */
const BOOKKEEPING: TemplatePhase[] = [
  {
    name: '收票',
    kind: 'work',
    durationDays: 5,
    roles: ['bookkeeper'],
    qualification: null,
    tasks: [
      { title: '收取客户当月票据', role: 'bookkeeper', plannedHours: '1' },
      { title: '票据审核与整理', role: 'bookkeeper', plannedHours: '1.5' },
    ],
  },
  {
    name: '记账',
    kind: 'work',
    durationDays: 30,
    roles: ['bookkeeper'],
    qualification: null,
    tasks: [{ title: '编制记账凭证', role: 'bookkeeper', plannedHours: '4' }],
  },
];

type PhaseJson = {
  name: string;
  startsOn: string;
  dueOn: string;
  tasks: { id: string; title: string; assigneeId: string | null; dueOn: string }[];
};

/**
 * A monthly engagement starting on `startsOn`, due on `dueOn`, led by a manager with two bookkeepers A and B on the
 * team; the first month's tasks given to A, B and the manager.
 */
async function bookkeeping(startsOn: string, dueOn: string | null, cycle: 'monthly' | 'once' = 'monthly') {
  const db = t.database.db;
  const practice = await buildDepartment(db, { name: uniq('代账部') });
  const manager = await signedIn(t, { roleCode: 'manager', departmentId: practice.id });
  const a = await signedIn(t, { roleCode: 'staff', departmentId: practice.id, displayName: uniq('记账员甲') });
  const b = await signedIn(t, { roleCode: 'staff', departmentId: practice.id, displayName: uniq('记账员乙') });
  const line = await buildBusinessLine(db, { name: uniq('代理记账') });
  await buildTemplate(db, line.id, { phases: BOOKKEEPING, cycle });
  const order = await buildOrderWithLines(db, [{ businessLineId: line.id, description: '代理记账', amount: '6000' }], {
    ownerId: manager.user.id,
  });
  const made = await manager.client.post('/api/v1/engagements', {
    orderId: order.id,
    leadId: manager.user.id,
    startsOn,
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const id = made.body.items[0].id as string;
  const due = await manager.client.patch(`/api/v1/engagements/${id}`, { dueOn });
  expect(due.status, JSON.stringify(due.body)).toBe(200);
  const team = await manager.client.put(`/api/v1/engagements/${id}/members`, {
    members: [
      { userId: manager.user.id, roles: ['manager'] },
      { userId: a.user.id, roles: ['bookkeeper'] },
      { userId: b.user.id, roles: ['bookkeeper'] },
    ],
  });
  expect(team.status, JSON.stringify(team.body)).toBe(200);
  const [collect, check, books] = (team.body.phases as PhaseJson[]).flatMap((p) => p.tasks);
  for (const [task, who] of [
    [collect, a],
    [check, b],
    [books, manager],
  ] as const) {
    const res = await manager.client.patch(`/api/v1/engagement-tasks/${task.id}`, { assigneeId: who.user.id });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  return { id, manager, a, b };
}

const run = (today: string, ids: string[]) =>
  addMonthlyCycles({ db: t.database.db, jobs: t.app.jobs }, { today, engagementIds: ids });

async function phasesOf(f: { id: string; manager: { client: TestApp['anon'] } }): Promise<PhaseJson[]> {
  const res = await f.manager.client.get(`/api/v1/engagements/${f.id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.phases;
}

describe('monthly cycles 代理记账', () => {
  it('adds each month once it starts — once, however often the job runs — dated in it, with last month’s people', async () => {
    const f = await bookkeeping('2026-01-10', '2026-04-20');
    // B finishes January and leaves the team.
    const january = await phasesOf(f);
    const bsTask = january[0].tasks[1];
    expect(
      (await f.manager.client.post(`/api/v1/engagement-tasks/${bsTask.id}/status`, { status: 'done' })).status,
    ).toBe(200);
    const team = await f.manager.client.put(`/api/v1/engagements/${f.id}/members`, {
      members: [
        { userId: f.manager.user.id, roles: ['manager'] },
        { userId: f.a.user.id, roles: ['bookkeeper'] },
      ],
    });
    expect(team.status, JSON.stringify(team.body)).toBe(200);

    // Not before the month starts.
    expect(await run('2026-01-31', [f.id])).toBe(0);
    expect((await phasesOf(f)).map((p) => p.name)).toEqual(['收票', '记账']);

    // February: the job twice at once, then again — one cycle.
    const [one, two] = await Promise.all([run('2026-02-01', [f.id]), run('2026-02-01', [f.id])]);
    expect(one + two).toBe(1);
    expect(await run('2026-02-02', [f.id])).toBe(0);
    const phases = await phasesOf(f);
    expect(phases.map((p) => [p.name, p.startsOn, p.dueOn])).toEqual([
      ['收票', '2026-01-10', '2026-01-15'],
      ['记账', '2026-01-15', '2026-02-14'],
      ['收票（2026-02）', '2026-02-01', '2026-02-06'],
      ['记账（2026-02）', '2026-02-06', '2026-02-28'], // 30 days would end in March: the month's last day
    ]);
    // A and the manager keep their work orders; B's is nobody's until someone is given it.
    expect(phases.slice(2).flatMap((p) => p.tasks.map((x) => [x.title, x.assigneeId, x.dueOn]))).toEqual([
      ['收取客户当月票据', f.a.user.id, '2026-02-06'],
      ['票据审核与整理', null, '2026-02-06'],
      ['编制记账凭证', f.manager.user.id, '2026-02-28'],
    ]);
    // A hears of it (the manager too: the job is nobody's own doing).
    const told = await t.database.db
      .select({ params: notifications.params, entityId: notifications.entityId })
      .from(notifications)
      .where(and(eq(notifications.userId, f.a.user.id), eq(notifications.kind, 'work-order-assigned')));
    expect(told.filter((n) => n.entityId === phases[2].tasks[0].id)).toEqual([
      {
        params: expect.objectContaining({ task: '收取客户当月票据', due: '2026-02-06', customer: expect.any(String) }),
        entityId: phases[2].tasks[0].id,
      },
    ]);
    // In 我的工单, dated in February.
    const mine = await f.a.client.get('/api/v1/work-orders', { engagementId: f.id });
    expect(mine.body.items.map((w: { dueOn: string; phaseName: string }) => [w.phaseName, w.dueOn])).toEqual([
      ['收票', '2026-01-15'],
      ['收票（2026-02）', '2026-02-06'],
    ]);

    // Months missed are caught up, up to the due date (20 April): March and April, not May or June.
    expect(await run('2026-06-15', [f.id])).toBe(2);
    expect(await run('2026-06-16', [f.id])).toBe(0);
    const later = await phasesOf(f);
    expect(later.map((p) => p.name)).toEqual([
      '收票',
      '记账',
      '收票（2026-02）',
      '记账（2026-02）',
      '收票（2026-03）',
      '记账（2026-03）',
      '收票（2026-04）',
      '记账（2026-04）',
    ]);
    expect(later[4]).toMatchObject({ startsOn: '2026-03-01', dueOn: '2026-03-06' });
    expect(later[7]).toMatchObject({ startsOn: '2026-04-06', dueOn: '2026-04-30' });
    // Carried on from each previous month.
    expect(later[6].tasks.map((x) => x.assigneeId)).toEqual([f.a.user.id, null]);
  });

  it('adds nothing to a closed or cancelled engagement, nor to one made from a template that runs once', async () => {
    const closed = await bookkeeping('2026-01-10', '2026-12-31');
    await t.database.db.update(engagements).set({ status: 'closed' }).where(eq(engagements.id, closed.id));
    const cancelled = await bookkeeping('2026-01-10', '2026-12-31');
    const cancel = await cancelled.manager.client.post(`/api/v1/engagements/${cancelled.id}/cancel`, {
      reason: '客户终止委托',
    });
    expect(cancel.status).toBe(200);
    const once = await bookkeeping('2026-01-10', '2026-12-31', 'once');
    const ids = [closed.id, cancelled.id, once.id];
    expect(await run('2026-05-01', ids)).toBe(0);
    const count = await t.database.db
      .select({ engagementId: engagementPhases.engagementId, n: sql<number>`count(*)::int` })
      .from(engagementPhases)
      .where(sql`${engagementPhases.engagementId} IN (${sql.join(ids, sql`, `)})`)
      .groupBy(engagementPhases.engagementId);
    expect(count.map((c) => c.n)).toEqual([2, 2, 2]);
  });

  it('the scheduled job on two instances, sent twice: this month once', async () => {
    const today = localDate(new Date(), FIRM_TIME_ZONE);
    const lastMonth = monthStart(today, -1);
    const f = await bookkeeping(lastMonth, monthStart(today, 3));
    const second = await secondInstanceDatabase(t.database);
    const one = await createTestApp({ database: t.database, workers: ['rule.engagement-cycles'] });
    const two = await createTestApp({ database: second.database, workers: ['rule.engagement-cycles'] });
    try {
      const db = t.database.db;
      await t.app.jobs.send(db, 'rule.engagement-cycles', {});
      await t.app.jobs.send(db, 'rule.engagement-cycles', {});
      const waiting = async () =>
        (
          (await db.execute(
            sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'rule.engagement-cycles' AND state IN ('created', 'retry', 'active')`,
          )) as unknown as { rows: { n: number }[] }
        ).rows[0].n;
      await until(async () => (await waiting()) === 0, 20_000, 'both jobs worked off');
      const phases = await db
        .select({ name: engagementPhases.name, startsOn: engagementPhases.startsOn })
        .from(engagementPhases)
        .where(eq(engagementPhases.engagementId, f.id))
        .orderBy(asc(engagementPhases.position));
      const label = today.slice(0, 7);
      expect(phases.map((p) => p.name)).toEqual(['收票', '记账', `收票（${label}）`, `记账（${label}）`]);
      expect(phases[2].startsOn).toBe(monthStart(today, 0));
      const tasks = await db
        .select({ id: engagementTasks.id })
        .from(engagementTasks)
        .where(eq(engagementTasks.engagementId, f.id));
      expect(tasks).toHaveLength(6);
    } finally {
      await one.close();
      await two.close();
      await second.close();
    }
  });
});
