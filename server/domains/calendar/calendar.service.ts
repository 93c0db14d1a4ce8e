import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import ical, { ICalEventStatus } from 'ical-generator';
import type { CalendarFeed, CalendarItems, CalendarQuery } from '../../../common/schemas/calendar';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError } from '../../errors';
import { visibleActivities } from '../activities/activities.policy';
import { findCategories } from '../activities/categories.service';
import { present as presentActivity, selectActivities } from '../activities/activities.service';
import { activities, activityAssignees } from '../activities/activities.tables';
import { recordAudit } from '../audit/audit.service';
import { userPreferences } from '../notifications/notifications.tables';
import { visibleEngagements } from '../engagements/engagements.policy';
import { engagements, engagementTasks } from '../engagements/engagements.tables';
import { openWorkOrder, presentWorkOrder, selectWorkOrders } from '../engagements/tasks.service';
import { users } from '../staff/staff.tables';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';

/*
 * The calendar 日历: activities placed on a time line (planned ones at their due time, done ones
 * when they were done; cancelled ones nowhere), in the app and as a per-user iCalendar feed at a
 * secret address. Only a SHA-256 of the feed's secret is kept, as for sessions and API tokens.
 */

const DAY_MS = 24 * 3600_000;
/** The feed covers what was done or due this far back and what is planned this far ahead. */
const FEED_PAST_DAYS = 90;
const FEED_AHEAD_DAYS = 365;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** The instant an activity is placed at on the calendar. */
const placedAt = sql`CASE WHEN ${activities.status} = 'planned' THEN ${activities.dueAt} ELSE ${activities.doneAt} END`;

/** Activities placed in [from, to): planned ones by due time, done ones by done time. */
function placedIn(from: Date, to: Date): SQL {
  return or(
    and(eq(activities.status, 'planned'), gte(activities.dueAt, from), lt(activities.dueAt, to)),
    and(eq(activities.status, 'done'), gte(activities.doneAt, from), lt(activities.doneAt, to)),
  )!;
}

/** Activities a user owns or is assigned to. */
function ownedOrAssigned(userId: string): SQL {
  return or(
    eq(activities.ownerId, userId),
    inArray(
      activities.id,
      sql`(SELECT ${activityAssignees.activityId} FROM ${activityAssignees} WHERE ${eq(activityAssignees.userId, userId)})`,
    ),
  )!;
}

/** The calendar of a range: mine (owner or assignee) or everything I may see (`visibleActivities`). */
export async function findCalendar(ctx: Ctx, query: CalendarQuery): Promise<CalendarItems> {
  const who = query.scope === 'mine' ? ownedOrAssigned(ctx.actor.id) : visibleActivities(ctx.actor);
  const rows = await selectActivities(ctx.db)
    .where(and(who, placedIn(new Date(query.from), new Date(query.to))))
    .orderBy(asc(placedAt), asc(activities.id));
  return { items: rows.map(presentActivity), workOrders: await workOrdersIn(ctx, query) };
}

/**
 * Work orders due in the range's days (the firm's calendar days from `from` up to the day holding `to`, exclusive):
 * mine — given to me, whatever engagement —; team — every assigned one of the engagements I may see. Not those of a
 * cancelled engagement.
 */
async function workOrdersIn(ctx: Ctx, query: CalendarQuery) {
  const from = localDate(new Date(query.from), FIRM_TIME_ZONE);
  const to = localDate(new Date(Date.parse(query.to) - 1), FIRM_TIME_ZONE);
  const who = query.scope === 'mine' ? eq(engagementTasks.assigneeId, ctx.actor.id) : visibleEngagements(ctx.actor);
  const rows = await ctx.db
    .select({
      id: engagementTasks.id,
      title: engagementTasks.title,
      dueOn: engagementTasks.dueOn,
      status: engagementTasks.status,
      engagementId: engagements.id,
      engagementTitle: engagements.title,
      assigneeName: users.displayName,
    })
    .from(engagementTasks)
    .innerJoin(engagements, eq(engagements.id, engagementTasks.engagementId))
    .innerJoin(users, eq(users.id, engagementTasks.assigneeId))
    .where(
      and(
        who,
        sql`${engagements.status} <> 'cancelled'`,
        gte(engagementTasks.dueOn, from),
        sql`${engagementTasks.dueOn} <= ${to}`,
      ),
    )
    .orderBy(asc(engagementTasks.dueOn), asc(engagementTasks.id));
  return rows.map((r) => ({ ...r, dueOn: r.dueOn! }));
}

/**
 * Creates my feed's secret, or replaces it (the old address stops working at once). The secret
 * is in the answer only; `base` is where users reach the app (PUBLIC_URL or the request's origin).
 */
export async function createCalendarFeed(ctx: Ctx, base: string): Promise<CalendarFeed> {
  const token = randomBytes(24).toString('base64url');
  await inTransaction(ctx, async (tx) => {
    const [before] = await tx.db
      .select({ hash: userPreferences.calendarTokenHash })
      .from(userPreferences)
      .where(eq(userPreferences.userId, ctx.actor.id));
    await tx.db
      .insert(userPreferences)
      .values({ userId: ctx.actor.id, calendarTokenHash: sha256(token) })
      .onConflictDoUpdate({
        target: userPreferences.userId,
        set: { calendarTokenHash: sha256(token), updatedAt: new Date() },
      });
    // Rotating an active feed is an update; the log never holds the secret or its hash.
    await recordAudit(tx, {
      action: before?.hash ? 'update' : 'create',
      entityType: 'calendar-feed',
      entityId: ctx.actor.id,
      after: { active: true },
    });
  });
  return { url: `${base}/api/v1/calendar/feed/${token}.ics` };
}

/** Revokes my feed (its address answers CALENDAR_FEED_NOT_FOUND from now on); nothing to do without one. */
export async function revokeCalendarFeed(ctx: Ctx): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const revoked = await tx.db
      .update(userPreferences)
      .set({ calendarTokenHash: null, updatedAt: new Date() })
      .where(and(eq(userPreferences.userId, ctx.actor.id), sql`${userPreferences.calendarTokenHash} IS NOT NULL`))
      .returning({ userId: userPreferences.userId });
    if (revoked.length)
      await recordAudit(tx, {
        action: 'delete',
        entityType: 'calendar-feed',
        entityId: ctx.actor.id,
        before: { active: true },
        after: { active: false },
      });
  });
}

/** Visits and meetings take an hour on the calendar, everything else half an hour. */
const durationMinutes = (category: string) => (category === 'visit' || category === 'meeting' ? 60 : 30);

/** A date (YYYY-MM-DD) as the instant ical-generator writes as that all-day date (it reads a Date's UTC fields). */
const allDay = (date: string) => new Date(`${date}T00:00:00Z`);
const dayAfter = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS);

/**
 * The open work orders 工单 of a user (as the calendar's `mine` scope: given to them, whatever engagement; not done,
 * in an engagement not over) due from FEED_PAST_DAYS ago (the overdue ones) to FEED_AHEAD_DAYS ahead.
 */
async function openWorkOrdersOf(db: Db, userId: string, now: number) {
  const rows = await selectWorkOrders(db)
    .where(
      and(
        eq(engagementTasks.assigneeId, userId),
        openWorkOrder(),
        gte(engagementTasks.dueOn, localDate(new Date(now - FEED_PAST_DAYS * DAY_MS), FIRM_TIME_ZONE)),
        sql`${engagementTasks.dueOn} <= ${localDate(new Date(now + FEED_AHEAD_DAYS * DAY_MS), FIRM_TIME_ZONE)}`,
      ),
    )
    .orderBy(asc(engagementTasks.dueOn), asc(engagementTasks.id));
  return rows.map((r) => ({ ...presentWorkOrder(r), updatedAt: r.t.updatedAt }));
}

/**
 * The iCalendar feed of the token's user (who must still be active): the activities they own or
 * are assigned to, done or due from FEED_PAST_DAYS ago to FEED_AHEAD_DAYS ahead. Times are written
 * in UTC (`…Z`): exact instants every client shows in its own zone, with no VTIMEZONE to generate.
 * Their open work orders are all-day events on their due date (UID `work-order-<id>@gongdan`), linking to the
 * engagement's page under `base` (where users reach the app).
 * An unknown, rotated-away or revoked token is CALENDAR_FEED_NOT_FOUND.
 */
export async function calendarFeedOf(db: Db, token: string, base: string): Promise<string> {
  const [owner] = await db
    .select({ id: users.id, displayName: users.displayName })
    .from(userPreferences)
    .innerJoin(users, eq(users.id, userPreferences.userId))
    .where(and(eq(userPreferences.calendarTokenHash, sha256(token)), eq(users.active, true)));
  if (!owner) throw new AppError('CALENDAR_FEED_NOT_FOUND');
  const now = Date.now();
  const rows = await selectActivities(db)
    .where(
      and(
        ownedOrAssigned(owner.id),
        placedIn(new Date(now - FEED_PAST_DAYS * DAY_MS), new Date(now + FEED_AHEAD_DAYS * DAY_MS)),
      ),
    )
    .orderBy(asc(placedAt), asc(activities.id));

  const names = new Map((await findCategories(db)).map((c) => [c.code, c.nameZh]));
  const categoryLabel = (code: string) => names.get(code) ?? code;
  const calendar = ical({
    name: `Gongdan 工单 · ${owner.displayName}`,
    prodId: { company: 'Gongdan', product: 'calendar', language: 'ZH' },
    ttl: 3600,
  });
  for (const a of rows.map(presentActivity)) {
    const start = new Date((a.status === 'planned' ? a.dueAt : a.doneAt)!);
    const description = [
      a.status === 'done' ? '已完成' : null,
      a.customerName ? `客户：${a.customerName}` : null,
      a.opportunityName ? `商机：${a.opportunityName}` : null,
      a.leadName ? `线索：${a.leadName}` : null,
      a.contactName ? `联系人：${a.contactName}` : null,
      a.notes ? `\n${a.notes}` : null,
    ].filter((line) => line !== null);
    calendar.createEvent({
      id: `${a.id}@gongdan`,
      summary: `${categoryLabel(a.category)} · ${a.subject}`,
      description: description.join('\n') || null,
      start,
      end: new Date(start.getTime() + durationMinutes(a.category) * 60_000),
      stamp: new Date(a.updatedAt),
      lastModified: new Date(a.updatedAt),
      // VEVENT has no "completed" status (RFC 5545: TENTATIVE, CONFIRMED, CANCELLED): done ones say so in a category.
      status: a.status === 'planned' ? ICalEventStatus.CONFIRMED : null,
      categories: [{ name: categoryLabel(a.category) }, ...(a.status === 'done' ? [{ name: '已完成' }] : [])],
    });
  }
  for (const w of await openWorkOrdersOf(db, owner.id, now)) {
    const dueOn = w.dueOn!;
    calendar.createEvent({
      id: `work-order-${w.id}@gongdan`,
      summary: `工单 · ${w.title} · ${w.customerName}`,
      description: [
        `客户：${w.customerName}`,
        `业务项目：${w.engagementTitle}`,
        `阶段：${w.phaseName}`,
        w.status === 'in-progress' ? '进行中' : null,
      ]
        .filter((line) => line !== null)
        .join('\n'),
      start: allDay(dueOn),
      end: dayAfter(dueOn),
      allDay: true,
      url: `${base}/engagements/${w.engagementId}`,
      stamp: w.updatedAt,
      lastModified: w.updatedAt,
      status: ICalEventStatus.CONFIRMED,
      categories: [{ name: '工单' }, ...(w.status === 'in-progress' ? [{ name: '进行中' }] : [])],
    });
  }
  return calendar.toString();
}
