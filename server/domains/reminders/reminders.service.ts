import {
  aliasedTable,
  and,
  asc,
  eq,
  exists,
  gt,
  gte,
  inArray,
  isNotNull,
  isNull,
  ne,
  notExists,
  notInArray,
  or,
  sql,
  type SQL,
} from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { actorKey, type Actor } from '../../policy';
import { loadActor } from '../staff/actors';
import type { Reminder, ReminderCreate, ReminderListQuery } from '../../../common/schemas/reminders';
import { inTransaction, type Ctx, type JobsTx } from '../../context';
import { fixedLimit, preparedOnce, type Db } from '../../db/client';
import { AppError, invalidInput, notFound } from '../../errors';
import { FIRM_TIME_ZONE, localDate, zonedInstant } from '../../lib/time';
import { activities, activityAssignees } from '../activities/activities.tables';
import { visibleActivities } from '../activities/activities.policy';
import { visibleCustomers } from '../customers/customers.policy';
import { customers } from '../customers/customers.tables';
import { visibleLeads } from '../leads/leads.policy';
import { leads } from '../leads/leads.tables';
import { notify, preferencesOf, type NewNotification } from '../notifications/notifications.service';
import { visibleOpportunities } from '../opportunities/opportunities.policy';
import { opportunities } from '../opportunities/opportunities.tables';
import { userPreferences } from '../notifications/notifications.tables';
import { reminders } from './reminders.tables';

/**
 * Reminders I set on a record show (and fire) only while I may see that record; activity-due
 * and next-contact reminders follow their activity's people and the customer's owner instead.
 */
function targetVisibleTo(actor: Actor): SQL {
  // OFFSET 0 keeps each check a probe of the one record by its key: without it PostgreSQL may instead
  // hash the reader's whole visible set (a scan of every customer) for a page of reminders.
  const on = <T extends PgTable>(table: T, id: PgColumn, target: PgColumn, visible: SQL) =>
    and(isNotNull(target), exists(sql`(SELECT 1 FROM ${table} WHERE ${id} = ${target} AND ${visible} OFFSET 0)`));
  return or(
    ne(reminders.kind, 'custom'),
    on(customers, customers.id, reminders.customerId, visibleCustomers(actor)),
    on(leads, leads.id, reminders.leadId, visibleLeads(actor)),
    on(opportunities, opportunities.id, reminders.opportunityId, visibleOpportunities(actor)),
    on(activities, activities.id, reminders.activityId, visibleActivities(actor)),
  )!;
}

/** Next-contact reminders come at this local time of the day. */
const NEXT_CONTACT_HOUR = 9;

/** Asks the reminder job to fire `reminderId` at `remindAt` (or at once when that has passed). */
async function scheduleFiring(tx: JobsTx, reminderId: string, remindAt: Date) {
  await tx.jobs.send(
    tx.db,
    'reminder.fire',
    { reminderId, remindAt: remindAt.toISOString() },
    { startAfter: remindAt },
  );
}

/**
 * Keeps an activity's reminders in step with it: while it is planned, each person it is
 * assigned to (the owner and the further assignees) is reminded their lead time before it is
 * due; a new due time moves the reminders (and fires them again); done, cancelled or unassigned
 * — the unfired ones go.
 */
export async function syncActivityReminders(tx: JobsTx, activityId: string): Promise<void> {
  const [activity] = await tx.db
    .select({ status: activities.status, dueAt: activities.dueAt, ownerId: activities.ownerId })
    .from(activities)
    .where(eq(activities.id, activityId));
  const recipients =
    activity?.status === 'planned' && activity.dueAt
      ? [
          activity.ownerId,
          ...(
            await tx.db
              .select({ userId: activityAssignees.userId })
              .from(activityAssignees)
              .where(eq(activityAssignees.activityId, activityId))
          ).map((a) => a.userId),
        ]
      : [];
  const unique = [...new Set(recipients)];
  // Reminders of people no longer on it (or of an activity no longer planned): fired ones are done, the rest go.
  const gone = and(
    eq(reminders.activityId, activityId),
    eq(reminders.kind, 'activity-due'),
    unique.length ? notInArray(reminders.userId, unique) : undefined,
  );
  await tx.db.delete(reminders).where(and(gone, isNull(reminders.firedAt)));
  await tx.db
    .update(reminders)
    .set({ doneAt: new Date() })
    .where(and(gone, isNull(reminders.doneAt)));
  if (!activity?.dueAt || unique.length === 0) return;
  const leads = await tx.db
    .select({ userId: userPreferences.userId, minutes: userPreferences.reminderLeadMinutes })
    .from(userPreferences)
    .where(inArray(userPreferences.userId, unique));
  const leadOf = new Map(leads.map((l) => [l.userId, l.minutes]));
  for (const userId of unique) {
    const remindAt = new Date(activity.dueAt.getTime() - (leadOf.get(userId) ?? 15) * 60_000);
    await upsertReminder(tx, {
      kind: 'activity-due',
      userId,
      activityId,
      remindAt,
      customerId: null,
      forDate: null,
      basisAt: activity.dueAt,
    });
  }
}

/**
 * Keeps a customer's next-contact reminder in step with its next contact date: its owner is
 * reminded at 09:00 (their time zone) that day. A new date moves it; no date or no owner removes it.
 */
export async function syncNextContactReminder(tx: JobsTx, customerId: string): Promise<void> {
  const [customer] = await tx.db
    .select({ ownerId: customers.ownerId, nextContactOn: customers.nextContactOn })
    .from(customers)
    .where(eq(customers.id, customerId));
  const mine = and(eq(reminders.customerId, customerId), eq(reminders.kind, 'next-contact'));
  if (!customer?.ownerId || !customer.nextContactOn) {
    await tx.db.delete(reminders).where(mine);
    return;
  }
  const [existing] = await tx.db
    .select({ forDate: reminders.forDate, userId: reminders.userId })
    .from(reminders)
    .where(mine);
  if (existing && existing.forDate === customer.nextContactOn && existing.userId === customer.ownerId) return;
  const { timeZone } = await preferencesOf(tx.db, customer.ownerId);
  const remindAt = zonedInstant(customer.nextContactOn, { hour: NEXT_CONTACT_HOUR }, timeZone);
  await upsertReminder(tx, {
    kind: 'next-contact',
    userId: customer.ownerId,
    customerId,
    activityId: null,
    remindAt,
    forDate: customer.nextContactOn,
    basisAt: null,
  });
}

/**
 * After a user changed their time zone or reminder lead time: their reminders still to come are
 * moved to the new times (activity-due: the lead time before the due time; next-contact: 09:00 in
 * the new zone). Fired, dismissed and snoozed-away ones stay as they are.
 */
export async function resyncRemindersOf(tx: JobsTx, userId: string): Promise<void> {
  const { timeZone, reminderLeadMinutes } = await preferencesOf(tx.db, userId);
  const pending = await tx.db
    .select({
      id: reminders.id,
      kind: reminders.kind,
      remindAt: reminders.remindAt,
      basisAt: reminders.basisAt,
      forDate: reminders.forDate,
    })
    .from(reminders)
    .where(
      and(
        eq(reminders.userId, userId),
        isNull(reminders.firedAt),
        isNull(reminders.doneAt),
        inArray(reminders.kind, ['activity-due', 'next-contact']),
      ),
    );
  for (const r of pending) {
    const at =
      r.kind === 'activity-due' && r.basisAt
        ? new Date(r.basisAt.getTime() - reminderLeadMinutes * 60_000)
        : r.kind === 'next-contact' && r.forDate
          ? zonedInstant(r.forDate, { hour: NEXT_CONTACT_HOUR }, timeZone)
          : null;
    if (!at || at.getTime() === r.remindAt.getTime()) continue;
    await tx.db.update(reminders).set({ remindAt: at }).where(eq(reminders.id, r.id));
    await scheduleFiring(tx, r.id, at);
  }
}

async function upsertReminder(
  tx: JobsTx,
  r: {
    kind: 'activity-due' | 'next-contact';
    userId: string;
    remindAt: Date;
    activityId: string | null;
    customerId: string | null;
    forDate: string | null;
    basisAt: Date | null;
  },
) {
  const target = r.kind === 'activity-due' ? [reminders.activityId, reminders.userId] : [reminders.customerId];
  const [row] = await tx.db
    .insert(reminders)
    .values(r)
    .onConflictDoUpdate({
      target,
      targetWhere: sql`${reminders.kind} = ${sql.raw(`'${r.kind}'`)}`, // a literal: the partial unique index must be inferable
      set: {
        remindAt: r.remindAt,
        userId: r.userId,
        forDate: r.forDate,
        basisAt: r.basisAt,
        firedAt: null,
        doneAt: null,
      },
      // Only a new due time, date or person moves a reminder: otherwise it keeps its state (fired, snoozed, dismissed).
      setWhere: or(
        sql`${reminders.basisAt} IS DISTINCT FROM ${r.basisAt?.toISOString() ?? null}::timestamptz`,
        sql`${reminders.forDate} IS DISTINCT FROM ${r.forDate}::date`,
        ne(reminders.userId, r.userId),
      ),
    })
    .returning({ id: reminders.id, remindAt: reminders.remindAt, firedAt: reminders.firedAt });
  if (row && !row.firedAt) await scheduleFiring(tx, row.id, row.remindAt);
}

/**
 * The reminder job. Firing is a conditional update (still due at this time, not fired yet), in
 * one transaction with the notification: however often the job runs — retries, two instances —
 * a reminder notifies once. Reminders whose record was deleted are gone (nothing to do); one for
 * work that is no longer planned, or a customer that changed hands, is dropped quietly.
 */
export async function fireReminder(tx: JobsTx, reminderId: string, remindAt: string): Promise<boolean> {
  const [r] = await tx.db
    .update(reminders)
    .set({ firedAt: new Date() })
    .where(
      and(
        eq(reminders.id, reminderId),
        eq(reminders.remindAt, new Date(remindAt)),
        isNull(reminders.firedAt),
        isNull(reminders.doneAt),
      ),
    )
    .returning();
  if (!r) return false;
  const notice = await noticeOf(tx.db, r);
  if (!notice) {
    await tx.db.update(reminders).set({ doneAt: new Date() }).where(eq(reminders.id, r.id));
    return false;
  }
  await notify(tx, [notice]);
  return true;
}

async function noticeOf(db: Db, r: typeof reminders.$inferSelect): Promise<NewNotification | null> {
  if (r.kind === 'activity-due') {
    const [a] = await db
      .select({ subject: activities.subject, status: activities.status, dueAt: activities.dueAt })
      .from(activities)
      .where(eq(activities.id, r.activityId!));
    if (!a || a.status !== 'planned') return null;
    return {
      userId: r.userId,
      kind: 'activity-due',
      params: { subject: a.subject, due: a.dueAt?.toISOString() ?? null },
      entityType: 'activity',
      entityId: r.activityId!,
    };
  }
  if (r.kind === 'next-contact') {
    const [c] = await db
      .select({ name: customers.name, ownerId: customers.ownerId, nextContactOn: customers.nextContactOn })
      .from(customers)
      .where(eq(customers.id, r.customerId!));
    if (!c || c.ownerId !== r.userId || c.nextContactOn !== r.forDate) return null;
    return {
      userId: r.userId,
      kind: 'next-contact',
      params: { customer: c.name, date: c.nextContactOn },
      entityType: 'customer',
      entityId: r.customerId!,
    };
  }
  // A reminder of my own on a record I may no longer see (reassigned, shared no more): it says nothing.
  const reader = await loadActor(db, r.userId);
  if (!reader) return null;
  const [visible] = await selectReminders(db).where(and(eq(reminders.id, r.id), targetVisibleTo(reader)));
  if (!visible) return null;
  const entity = r.customerId
    ? ['customer', r.customerId]
    : r.leadId
      ? ['lead', r.leadId]
      : r.opportunityId
        ? ['opportunity', r.opportunityId]
        : ['activity', r.activityId];
  return {
    userId: r.userId,
    kind: 'custom-reminder',
    params: { title: visible.title, note: r.note },
    entityType: entity[0]!,
    entityId: entity[1]!,
  };
}

/**
 * A reminder of my own on a record I can see, at a time still to come: NOT_FOUND for a record
 * that does not exist (or was deleted) or that I cannot see; VALIDATION_FAILED for a past time.
 */
export async function createReminder(ctx: Ctx, input: ReminderCreate): Promise<Reminder> {
  const targets = [input.customerId, input.leadId, input.opportunityId, input.activityId].filter(Boolean);
  if (targets.length !== 1)
    throw invalidInput(ctx.actor.locale, [{ path: 'customerId', key: 'validation.reminderTarget' }]);
  const remindAt = new Date(input.remindAt);
  if (remindAt.getTime() <= Date.now()) throw new AppError('REMINDER_IN_PAST');
  const visible = input.customerId
    ? await ctx.db
        .select({ id: customers.id })
        .from(customers)
        .where(and(eq(customers.id, input.customerId), visibleCustomers(ctx.actor)))
    : input.leadId
      ? await ctx.db
          .select({ id: leads.id })
          .from(leads)
          .where(and(eq(leads.id, input.leadId), visibleLeads(ctx.actor)))
      : input.opportunityId
        ? await ctx.db
            .select({ id: opportunities.id })
            .from(opportunities)
            .where(and(eq(opportunities.id, input.opportunityId), visibleOpportunities(ctx.actor)))
        : await ctx.db
            .select({ id: activities.id })
            .from(activities)
            .where(and(eq(activities.id, input.activityId!), visibleActivities(ctx.actor)));
  if (visible.length === 0) throw notFound();
  const id = await inTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .insert(reminders)
      .values({
        userId: ctx.actor.id,
        kind: 'custom',
        remindAt,
        note: input.note ?? null,
        customerId: input.customerId ?? null,
        leadId: input.leadId ?? null,
        opportunityId: input.opportunityId ?? null,
        activityId: input.activityId ?? null,
        createdBy: ctx.actor.id,
      })
      .returning({ id: reminders.id });
    await scheduleFiring(tx, row.id, remindAt);
    return row.id;
  });
  return getMyReminder(ctx, id);
}

const reminderCustomers = aliasedTable(customers, 'reminder_customers');

function selectReminders(db: Db) {
  return db
    .select({
      row: reminders,
      customerName: reminderCustomers.name,
      title: sql<string>`coalesce(${activities.subject}, ${opportunities.name}, ${leads.companyName}, ${reminderCustomers.name}, '')`,
    })
    .from(reminders)
    .leftJoin(activities, eq(activities.id, reminders.activityId))
    .leftJoin(opportunities, eq(opportunities.id, reminders.opportunityId))
    .leftJoin(leads, eq(leads.id, reminders.leadId))
    .leftJoin(
      reminderCustomers,
      eq(
        reminderCustomers.id,
        sql`coalesce(${reminders.customerId}, ${activities.customerId}, ${opportunities.customerId})`,
      ),
    )
    .$dynamic();
}

function present(r: { row: typeof reminders.$inferSelect; customerName: string | null; title: string }): Reminder {
  return {
    id: r.row.id,
    kind: r.row.kind,
    remindAt: r.row.remindAt.toISOString(),
    firedAt: r.row.firedAt?.toISOString() ?? null,
    doneAt: r.row.doneAt?.toISOString() ?? null,
    note: r.row.note,
    activityId: r.row.activityId,
    customerId: r.row.customerId ?? null,
    leadId: r.row.leadId,
    opportunityId: r.row.opportunityId,
    title: r.title,
    customerName: r.customerName,
    forDate: r.row.forDate,
  };
}

async function getMyReminder(ctx: Ctx, id: string): Promise<Reminder> {
  const [row] = await selectReminders(ctx.db).where(and(eq(reminders.id, id), eq(reminders.userId, ctx.actor.id)));
  if (!row) throw notFound();
  return present(row);
}

/** My reminders: those that went off and are not dealt with yet (oldest first), or those still to come. */
export async function findMyReminders(ctx: Ctx, query: ReminderListQuery): Promise<Reminder[]> {
  // Built once per reader (it embeds their visibility) and prepared: Today asks for it on every visit.
  const rows = await preparedOnce(
    ctx.db,
    `my-reminders|${query.state}|${query.pageSize}|${actorKey(ctx.actor)}`,
    () => {
      const mine = and(eq(reminders.userId, ctx.actor.id), isNull(reminders.doneAt), targetVisibleTo(ctx.actor));
      const where =
        query.state === 'due'
          ? and(mine, isNotNull(reminders.firedAt))
          : and(mine, isNull(reminders.firedAt), gt(reminders.remindAt, sql`now() - interval '1 minute'`));
      return selectReminders(ctx.db)
        .where(where)
        .orderBy(asc(reminders.remindAt), asc(reminders.id))
        .limit(fixedLimit(query.pageSize))
        .prepare(''); // named by preparedOnce
    },
  ).execute();
  return rows.map(present);
}

/** Reminds me again later: the reminder is due again at `until` (a time still to come). */
export async function snoozeReminder(ctx: Ctx, id: string, until: string): Promise<Reminder> {
  const at = new Date(until);
  if (at.getTime() <= Date.now()) throw new AppError('REMINDER_IN_PAST');
  await getMyReminder(ctx, id);
  await inTransaction(ctx, async (tx) => {
    await tx.db.update(reminders).set({ remindAt: at, firedAt: null, doneAt: null }).where(eq(reminders.id, id));
    await scheduleFiring(tx, id, at);
  });
  return getMyReminder(ctx, id);
}

/** Marks one of my reminders dealt with. */
export async function dismissReminder(ctx: Ctx, id: string): Promise<Reminder> {
  await getMyReminder(ctx, id);
  await ctx.db
    .update(reminders)
    .set({ doneAt: new Date() })
    .where(and(eq(reminders.id, id), isNull(reminders.doneAt)));
  return getMyReminder(ctx, id);
}

/** How many records a backfill step schedules in one transaction before letting other work in. */
const BACKFILL_STEP = 200;

/**
 * Reminders for what was planned before reminders existed (an upgrade) or while jobs could not be
 * sent: planned activities still to come and next contact dates from today on that have none.
 * Idempotent; `serve` runs it at start. Past ones are left alone (no flood of stale reminders). Runs in short transactions of BACKFILL_STEP records with a turn of the event loop between them, so an
 * upgraded install with 100,000 customers keeps answering (on PGlite one long transaction held the only
 * connection for minutes).
 */
export async function backfillReminders(system: JobsTx, now = new Date()): Promise<number> {
  const planned = await system.db
    .select({ id: activities.id })
    .from(activities)
    .where(
      and(
        eq(activities.status, 'planned'),
        gt(activities.dueAt, now),
        notExists(
          sql`(SELECT 1 FROM ${reminders} r WHERE r.activity_id = ${activities.id} AND r.kind = 'activity-due')`,
        ),
      ),
    );
  const due = await system.db
    .select({ id: customers.id })
    .from(customers)
    .where(
      and(
        isNotNull(customers.ownerId),
        gte(customers.nextContactOn, localDate(now, FIRM_TIME_ZONE)),
        notExists(
          sql`(SELECT 1 FROM ${reminders} r WHERE r.customer_id = ${customers.id} AND r.kind = 'next-contact')`,
        ),
      ),
    );
  const work: [string[], (tx: JobsTx, id: string) => Promise<void>][] = [
    [planned.map((p) => p.id), syncActivityReminders],
    [due.map((d) => d.id), syncNextContactReminder],
  ];
  for (const [ids, sync] of work)
    for (let start = 0; start < ids.length; start += BACKFILL_STEP) {
      await inTransaction(system, async (tx) => {
        for (const id of ids.slice(start, start + BACKFILL_STEP)) await sync(tx, id);
      });
      await new Promise((resolve) => setImmediate(resolve));
    }
  return planned.length + due.length;
}
