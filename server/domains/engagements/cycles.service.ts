import { and, asc, between, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { inTransaction, type JobsTx } from '../../context';
import { isUniqueViolation } from '../../errors';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { recordAudits } from '../audit/audit.service';
import { notify, type NewNotification } from '../notifications/notifications.service';
import { fromHundredths } from '../opportunities/quotes.service';
import { customers } from '../customers/customers.tables';
import { users } from '../staff/staff.tables';
import { planPhases } from './engagements.service';
import {
  engagementMembers,
  engagementPhases,
  engagements,
  engagementTasks,
  engagementTemplates,
} from './engagements.tables';

/**
 * The monthly cycles of an engagement made from a monthly template (代理记账: 收票 → 记账 → 报税 → 装订). Making the
 * engagement plans its first month; the daily job (server/jobs/workers.ts, ENGAGEMENT_CYCLES_CRON) adds each later
 * month's phases and tasks once that month has started, up to the engagement's due date (no due date: no end), while
 * the engagement is in progress. A month's phases follow the template's (as it is now: a changed template changes the
 * months still to come, never those made) one after another from the month's first day, none past its last; each
 * task keeps the assignee of the previous month's same task (same phase of the template, same title) if that person
 * is still an active member of the team, who is told of it (work-order-assigned).
 *
 * Which month a phase belongs to, without a column for it: its position. The phases of month k (k = 0 for the month
 * the engagement starts in) are at positions 100·k + 1 … 100·k + 99 (a template has at most 30 phases), so the first
 * month made with the engagement (positions 1 … n) is month 0 as it stands, the order by position is the order by
 * month, and the unique index on (engagement, position) refuses a second copy of a month outright. A month is added
 * under a row lock on the engagement, after re-reading which months exist: a second run of the job, or one on
 * another instance at the same moment, waits for the lock, then finds the month there and adds nothing. Later
 * months' phase names carry the month: 记账（2026-02）.
 *
 * Recommended when a migration is next due: `engagement_phases.cycle_month date` (the first day of the cycle's month;
 * null for engagements that run once) with a unique index on (engagement_id, cycle_month, template_position) — or a
 * table `engagement_cycles (engagement_id, month, PRIMARY KEY (engagement_id, month))` inserted ON CONFLICT DO NOTHING
 * as the claim — instead of the position arithmetic and the name suffix.
 */

/** Positions per month: month k's phases are at CYCLE_SPAN·k + 1 … CYCLE_SPAN·k + (CYCLE_SPAN − 1). */
export const CYCLE_SPAN = 100;

/** The month (0, 1, …) a phase at this position belongs to. */
export const cycleOf = (position: number) => Math.floor((position - 1) / CYCLE_SPAN);

/** The first day (YYYY-MM-DD) of the k-th month after the month of `date`. */
export function monthStart(date: string, k: number): string {
  const [year, month] = date.split('-').map(Number);
  const index = year * 12 + (month - 1) + k;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

/** The last day (YYYY-MM-DD) of the month of `first` (a first day). */
function monthEnd(first: string): string {
  const next = monthStart(first, 1);
  return new Date(Date.parse(`${next}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/** The months to add: those after the last one made that have started by `today` and start by `dueOn`. */
function missingMonths(startsOn: string, lastCycle: number, dueOn: string | null, today: string): number[] {
  const months: number[] = [];
  for (let k = Math.max(lastCycle, 0) + 1; ; k++) {
    const first = monthStart(startsOn, k);
    if (first > today || (dueOn !== null && first > dueOn)) return months;
    months.push(k);
  }
}

const monthly = and(
  eq(engagements.cycle, 'monthly'),
  eq(engagements.status, 'in-progress'),
  isNotNull(engagements.templateId),
  isNotNull(engagements.startsOn),
);

/**
 * The daily job: every in-progress monthly engagement whose next month has started gets it (and any month the job
 * missed), each engagement in a transaction of its own; returns how many months were added. `today` defaults to
 * the firm's; `engagementIds` keeps to those (tests).
 */
export async function addMonthlyCycles(
  jobs: JobsTx,
  options: { today?: string; engagementIds?: string[] } = {},
): Promise<number> {
  const today = options.today ?? localDate(new Date(), FIRM_TIME_ZONE);
  const candidates = await jobs.db
    .select({
      id: engagements.id,
      startsOn: engagements.startsOn,
      dueOn: engagements.dueOn,
      last: sql<number>`(SELECT coalesce(max(p.position), 0) FROM ${engagementPhases} p WHERE p.engagement_id = ${engagements.id})`.mapWith(
        Number,
      ),
    })
    .from(engagements)
    .where(and(monthly, options.engagementIds ? inArray(engagements.id, options.engagementIds) : undefined))
    .orderBy(asc(engagements.id));
  let added = 0;
  for (const e of candidates) {
    if (missingMonths(e.startsOn!, cycleOf(e.last), e.dueOn, today).length === 0) continue;
    try {
      added += await inTransaction(jobs, (tx) => addCyclesOf(tx, e.id, today));
    } catch (error) {
      // Only if another writer got there without the lock: the month is there, which is what was wanted.
      if (!isUniqueViolation(error, 'engagement_phases_position_key')) throw error;
    }
  }
  return added;
}

/** Adds the engagement's missing months under a lock on it (re-read there); returns how many. */
export async function addCyclesOf(tx: JobsTx, engagementId: string, today: string): Promise<number> {
  const [e] = await tx.db
    .select({
      id: engagements.id,
      title: engagements.title,
      startsOn: engagements.startsOn,
      dueOn: engagements.dueOn,
      customerName: customers.name,
      phases: engagementTemplates.phases,
    })
    .from(engagements)
    .innerJoin(customers, eq(customers.id, engagements.customerId))
    .innerJoin(engagementTemplates, eq(engagementTemplates.id, engagements.templateId))
    .where(and(eq(engagements.id, engagementId), monthly))
    .for('update', { of: engagements });
  if (!e || e.phases.length === 0) return 0;
  const [{ last }] = await tx.db
    .select({ last: sql<number>`coalesce(max(${engagementPhases.position}), 0)`.mapWith(Number) })
    .from(engagementPhases)
    .where(eq(engagementPhases.engagementId, e.id));
  const months = missingMonths(e.startsOn!, cycleOf(last), e.dueOn, today);
  if (months.length === 0) return 0;

  // Who may carry a work order over: the team's active members.
  const team = new Set(
    (
      await tx.db
        .select({ userId: engagementMembers.userId })
        .from(engagementMembers)
        .innerJoin(users, eq(users.id, engagementMembers.userId))
        .where(and(eq(engagementMembers.engagementId, e.id), eq(users.active, true)))
    ).map((m) => m.userId),
  );
  const told: NewNotification[] = [];
  const audits = [];
  for (const k of months) {
    const first = monthStart(e.startsOn!, k);
    const last = monthEnd(first);
    const within = (date: string) => (date > last ? last : date);
    const phases = planPhases(e.phases, first);

    // The previous month's assignees, by the template phase (its place in the month) and the task's title.
    const previous = await tx.db
      .select({
        position: engagementPhases.position,
        title: engagementTasks.title,
        assigneeId: engagementTasks.assigneeId,
      })
      .from(engagementTasks)
      .innerJoin(engagementPhases, eq(engagementPhases.id, engagementTasks.phaseId))
      .where(
        and(
          eq(engagementTasks.engagementId, e.id),
          between(engagementPhases.position, CYCLE_SPAN * (k - 1) + 1, CYCLE_SPAN * k - 1),
        ),
      )
      .orderBy(asc(engagementPhases.position), asc(engagementTasks.position));
    const assigneeOf = new Map<string, string>();
    for (const p of previous) {
      const key = `${(p.position - 1) % CYCLE_SPAN}\u0000${p.title}`;
      if (p.assigneeId && team.has(p.assigneeId) && !assigneeOf.has(key)) assigneeOf.set(key, p.assigneeId);
    }

    const label = first.slice(0, 7);
    const phaseRows = await tx.db
      .insert(engagementPhases)
      .values(
        phases.map((p, i) => ({
          engagementId: e.id,
          position: CYCLE_SPAN * k + i + 1,
          name: `${p.name}（${label}）`,
          kind: p.kind,
          roles: p.roles,
          qualification: p.qualification,
          startsOn: within(p.startsOn),
          dueOn: within(p.dueOn),
          plannedHours: p.plannedHours === null ? null : fromHundredths(p.plannedHours),
        })),
      )
      .returning({ id: engagementPhases.id, position: engagementPhases.position });
    const phaseIdAt = new Map(phaseRows.map((p) => [p.position, p.id]));
    const tasks = phases.flatMap((p, i) =>
      p.tasks.map((t, position) => ({
        engagementId: e.id,
        phaseId: phaseIdAt.get(CYCLE_SPAN * k + i + 1)!,
        position: position + 1,
        title: t.title,
        role: t.role,
        assigneeId: assigneeOf.get(`${i}\u0000${t.title}`) ?? null,
        startsOn: within(p.startsOn),
        dueOn: within(p.dueOn),
        plannedHours: t.plannedHours,
      })),
    );
    const made = tasks.length ? await tx.db.insert(engagementTasks).values(tasks).returning() : [];
    for (const task of made)
      if (task.assigneeId)
        told.push({
          userId: task.assigneeId,
          kind: 'work-order-assigned',
          params: { task: task.title, engagement: e.title, customer: e.customerName, due: task.dueOn ?? '—' },
          entityType: 'engagement-task',
          entityId: task.id,
        });
    audits.push({
      action: 'update' as const,
      entityType: 'engagement' as const,
      entityId: e.id,
      after: {
        month: label,
        phases: phases.map((p, i) => ({
          name: p.name,
          startsOn: within(p.startsOn),
          dueOn: within(p.dueOn),
          position: CYCLE_SPAN * k + i + 1,
        })),
        tasks: made.map((t) => ({ id: t.id, title: t.title, assigneeId: t.assigneeId })),
      },
    });
  }
  await tx.db.update(engagements).set({ updatedAt: new Date() }).where(eq(engagements.id, e.id));
  await recordAudits(tx.db, { actorId: null, requestId: null }, audits);
  await notify(tx, told);
  return months.length;
}
