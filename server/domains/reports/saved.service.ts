import { and, asc, count, eq, sql } from 'drizzle-orm';
import {
  MAX_REPORT_PINS,
  MAX_REPORT_SUBSCRIPTIONS,
  type ReportPin,
  type ReportPinCreate,
  type ReportSubscription,
  type ReportSubscriptionCreate,
  type ReportSubscriptionUpdate,
} from '../../../common/schemas/dashboard';
import { REPORT_PERMISSION, type ReportKind } from '../../../common/schemas/reports';
import { inTransaction, type Ctx } from '../../context';
import { AppError, forbidden, notFound } from '../../errors';
import { issueMessage } from '../../lib/issues';
import { say } from '../../lib/label';
import { addDays, FIRM_TIME_ZONE, localDate, zonedInstant } from '../../lib/time';
import { can } from '../../policy';
import { recordAudit } from '../audit/audit.service';
import { users } from '../staff/staff.tables';
import { reportOf } from './reports';
import { reportPins, reportSubscriptions } from './reports.tables';

/**
 * What a reader keeps of the reports: pins 固定到首页 (a report with its filters as a card on their start page, at most
 * MAX_REPORT_PINS) and subscriptions 定期报表 (the report e-mailed weekly or monthly, see subscriptions.job.ts). Each is
 * its owner's alone: another user's is 404. A report is kept only if the reader may open it, with a query its
 * schema accepts (the same check as opening it), so what is kept always runs.
 */

/** The query as the report's own schema reads it; a query it refuses is 400 with the issues under `query.`. */
function checkQuery(ctx: Ctx, kind: ReportKind, query: Record<string, string>) {
  if (!can(ctx.actor, REPORT_PERMISSION[kind])) throw forbidden();
  const report = reportOf(kind);
  // A report not written yet cannot be kept: nothing would run.
  if (!report) throw notFound();
  const parsed = report.query.safeParse(query);
  if (!parsed.success) {
    throw new AppError(
      'VALIDATION_FAILED',
      {},
      {
        issues: parsed.error.issues.map((issue) => ({
          path: ['query', ...issue.path].join('.'),
          code: issue.code,
          message: issueMessage(ctx.actor.locale, issue as never),
        })),
      },
    );
  }
}

/** One user's rows at a time (the cap holds with two requests at once): their user row, locked. */
const lockUser = (ctx: Ctx) =>
  ctx.db.select({ id: users.id }).from(users).where(eq(users.id, ctx.actor.id)).for('update');

const presentPin = (row: typeof reportPins.$inferSelect): ReportPin => ({
  id: row.id,
  kind: row.kind,
  title: row.title,
  query: row.query,
  position: row.position,
  createdAt: row.createdAt.toISOString(),
});

/** My pins in their order (those of reports I may no longer open included: the start page leaves them out). */
export async function findMyPins(ctx: Ctx): Promise<ReportPin[]> {
  const rows = await ctx.db
    .select()
    .from(reportPins)
    .where(eq(reportPins.userId, ctx.actor.id))
    .orderBy(asc(reportPins.position), asc(reportPins.createdAt));
  return rows.map(presentPin);
}

export async function createPin(ctx: Ctx, input: ReportPinCreate): Promise<ReportPin> {
  checkQuery(ctx, input.kind, input.query);
  return inTransaction(ctx, async (tx) => {
    await lockUser(tx);
    const [{ pins, last }] = await tx.db
      .select({ pins: count(), last: sql<number | null>`max(${reportPins.position})` })
      .from(reportPins)
      .where(eq(reportPins.userId, tx.actor.id));
    if (pins >= MAX_REPORT_PINS) throw new AppError('REPORT_PINS_FULL', { max: MAX_REPORT_PINS });
    const [row] = await tx.db
      .insert(reportPins)
      .values({
        userId: tx.actor.id,
        kind: input.kind,
        query: input.query,
        title: input.title ?? null,
        position: last === null ? 0 : Number(last) + 1,
        createdBy: tx.actor.id,
      })
      .returning();
    const pin = presentPin(row);
    await recordAudit(tx, { action: 'create', entityType: 'report-pin', entityId: row.id, after: pin });
    return pin;
  });
}

export async function deletePin(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .delete(reportPins)
      .where(and(eq(reportPins.id, id), eq(reportPins.userId, tx.actor.id)))
      .returning();
    if (!row) throw notFound();
    await recordAudit(tx, { action: 'delete', entityType: 'report-pin', entityId: id, before: presentPin(row) });
  });
}

/** When a subscription is sent next after `at`: the next Monday (weekly) or 1st (monthly), 08:00 in the firm's zone. */
export function nextRunAfter(frequency: 'weekly' | 'monthly', at: Date): Date {
  const today = localDate(at, FIRM_TIME_ZONE);
  const eight = (date: string) => zonedInstant(date, { hour: 8 }, FIRM_TIME_ZONE);
  if (frequency === 'weekly') {
    const weekday = new Date(`${today}T00:00:00Z`).getUTCDay(); // 0 Sunday … 6 Saturday
    const monday = addDays(today, (8 - weekday) % 7);
    return eight(monday) > at ? eight(monday) : eight(addDays(monday, 7));
  }
  const first = `${today.slice(0, 7)}-01`;
  if (eight(first) > at) return eight(first);
  const [y, m] = today.split('-').map(Number);
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return eight(next);
}

function presentSubscription(ctx: Ctx, row: typeof reportSubscriptions.$inferSelect): ReportSubscription {
  const report = reportOf(row.kind);
  return {
    id: row.id,
    kind: row.kind,
    title: report ? say(report.title, ctx.actor.locale) : row.kind,
    query: row.query,
    frequency: row.frequency,
    active: row.active,
    nextRunAt: row.nextRunAt.toISOString(),
    lastSentAt: row.lastSentAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function findMySubscriptions(ctx: Ctx): Promise<ReportSubscription[]> {
  const rows = await ctx.db
    .select()
    .from(reportSubscriptions)
    .where(eq(reportSubscriptions.userId, ctx.actor.id))
    .orderBy(asc(reportSubscriptions.createdAt), asc(reportSubscriptions.id));
  return rows.map((row) => presentSubscription(ctx, row));
}

export async function createSubscription(ctx: Ctx, input: ReportSubscriptionCreate): Promise<ReportSubscription> {
  checkQuery(ctx, input.kind, input.query);
  return inTransaction(ctx, async (tx) => {
    await lockUser(tx);
    const [{ total }] = await tx.db
      .select({ total: count() })
      .from(reportSubscriptions)
      .where(eq(reportSubscriptions.userId, tx.actor.id));
    if (total >= MAX_REPORT_SUBSCRIPTIONS)
      throw new AppError('REPORT_SUBSCRIPTIONS_FULL', { max: MAX_REPORT_SUBSCRIPTIONS });
    const [row] = await tx.db
      .insert(reportSubscriptions)
      .values({
        userId: tx.actor.id,
        kind: input.kind,
        query: input.query,
        frequency: input.frequency,
        nextRunAt: nextRunAfter(input.frequency, new Date()),
        createdBy: tx.actor.id,
      })
      .returning();
    const after = presentSubscription(tx, row);
    await recordAudit(tx, { action: 'create', entityType: 'report-subscription', entityId: row.id, after });
    return after;
  });
}

async function lockSubscription(ctx: Ctx, id: string) {
  const [row] = await ctx.db
    .select()
    .from(reportSubscriptions)
    .where(and(eq(reportSubscriptions.id, id), eq(reportSubscriptions.userId, ctx.actor.id)))
    .for('update');
  if (!row) throw notFound();
  return row;
}

/** Pauses, resumes or changes the frequency; a resumed or changed one is next due from now. */
export async function updateSubscription(
  ctx: Ctx,
  id: string,
  input: ReportSubscriptionUpdate,
): Promise<ReportSubscription> {
  return inTransaction(ctx, async (tx) => {
    const before = await lockSubscription(tx, id);
    const frequency = input.frequency ?? before.frequency;
    const active = input.active ?? before.active;
    const moved = frequency !== before.frequency || (active && !before.active);
    const [row] = await tx.db
      .update(reportSubscriptions)
      .set({
        frequency,
        active,
        nextRunAt: moved ? nextRunAfter(frequency, new Date()) : before.nextRunAt,
        updatedAt: new Date(),
      })
      .where(eq(reportSubscriptions.id, id))
      .returning();
    const after = presentSubscription(tx, row);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'report-subscription',
      entityId: id,
      before: { frequency: before.frequency, active: before.active },
      after: { frequency, active },
    });
    return after;
  });
}

export async function deleteSubscription(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockSubscription(tx, id);
    await tx.db.delete(reportSubscriptions).where(eq(reportSubscriptions.id, id));
    await recordAudit(tx, {
      action: 'delete',
      entityType: 'report-subscription',
      entityId: id,
      before: presentSubscription(tx, before),
    });
  });
}
