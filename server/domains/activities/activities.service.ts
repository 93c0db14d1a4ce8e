import { aliasedTable, and, count, eq, gte, ilike, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type {
  Activity,
  ActivityComplete,
  ActivityCompleted,
  ActivityCreate,
  ActivityListQuery,
  ActivityUpdate,
} from '../../../common/schemas/activities';
import type { Page } from '../../../common/schemas/common';
import type { MessageKey } from '../../../common/i18n';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, forbidden, invalidInput, notFound } from '../../errors';
import { containsPattern, offsetOf, orderFrom, outer, pageWithTotal } from '../../lib/listing';
import { recordAudit } from '../audit/audit.service';
import { assertCustomerWritable } from '../customers/customers.service';
import { contacts, customers } from '../customers/customers.tables';
import { visibleLeads, writableLeads } from '../leads/leads.policy';
import { leads } from '../leads/leads.tables';
import { visibleOpportunities, writableOpportunities } from '../opportunities/opportunities.policy';
import { opportunities, pipelineStages } from '../opportunities/opportunities.tables';
import { users } from '../staff/staff.tables';
import { visibleActivities, writableActivities } from './activities.policy';
import { activities, activityAssignees } from './activities.tables';
import { syncActivityReminders } from '../reminders/reminders.service';
import { assertCategoryActive } from './categories.service';

/*
 * Activities 活动: planned or done customer work on a lead, an opportunity or a customer.
 * The names shown with an activity come from aliased tables, so the policy's EXISTS
 * subqueries (on the plain tables) can never bind to the wrong row.
 */
const owners = aliasedTable(users, 'activity_owners');
const parentCustomers = aliasedTable(customers, 'activity_customers');
const parentContacts = aliasedTable(contacts, 'activity_contacts');
const parentLeads = aliasedTable(leads, 'activity_leads');
const parentOpportunities = aliasedTable(opportunities, 'activity_opportunities');
const stages = aliasedTable(pipelineStages, 'activity_stages');

/** Times are checked against the server clock with this much slack (clocks and forms drift). */
const CLOCK_SLACK_MS = 5 * 60 * 1000;

export function selectActivities(db: Db) {
  return db
    .select({
      row: activities,
      ownerName: owners.displayName,
      customerName: parentCustomers.name,
      contactName: parentContacts.name,
      leadName: parentLeads.companyName,
      opportunityName: parentOpportunities.name,
      stageNameZh: stages.nameZh,
      stageNameEn: stages.nameEn,
      assignees: sql<
        { id: string; name: string }[]
      >`coalesce((SELECT json_agg(json_build_object('id', u.id, 'name', u.display_name) ORDER BY u.display_name)
        FROM ${activityAssignees} aa JOIN ${users} u ON u.id = aa.user_id WHERE aa.activity_id = ${outer(activities.id)}), '[]'::json)`,
    })
    .from(activities)
    .innerJoin(owners, eq(owners.id, activities.ownerId))
    .leftJoin(parentCustomers, eq(parentCustomers.id, activities.customerId))
    .leftJoin(parentContacts, eq(parentContacts.id, activities.contactId))
    .leftJoin(parentLeads, eq(parentLeads.id, activities.leadId))
    .leftJoin(parentOpportunities, eq(parentOpportunities.id, activities.opportunityId))
    .leftJoin(stages, eq(stages.id, activities.stageId))
    .$dynamic();
}

type Joined = Awaited<ReturnType<ReturnType<typeof selectActivities>['execute']>>[number];

export function present(r: Joined): Activity {
  const a = r.row;
  return {
    id: a.id,
    category: a.category,
    subject: a.subject,
    notes: a.notes,
    status: a.status,
    dueAt: a.dueAt?.toISOString() ?? null,
    doneAt: a.doneAt?.toISOString() ?? null,
    ownerId: a.ownerId,
    ownerName: r.ownerName,
    assignees: r.assignees,
    customerId: a.customerId,
    customerName: r.customerName,
    contactId: a.contactId,
    contactName: r.contactName,
    leadId: a.leadId,
    leadName: r.leadName,
    opportunityId: a.opportunityId,
    opportunityName: r.opportunityName,
    stageId: a.stageId,
    stageNameZh: r.stageNameZh,
    stageNameEn: r.stageNameEn,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

/** A validation failure found by the service, worded and shaped like the schema's (`body.<field>`). */
const invalid = (ctx: Ctx, field: string, key: MessageKey) =>
  invalidInput(ctx.actor.locale, [{ path: `body.${field}`, key }]);

/** A new due time: not in the past (reminders will fire on it). */
function assertDueAhead(ctx: Ctx, field: string, dueAt: string): Date {
  const due = new Date(dueAt);
  if (due.getTime() < Date.now() - CLOCK_SLACK_MS) throw invalid(ctx, field, 'validation.dueInPast');
  return due;
}

/** A time something was done: not in the future. */
function assertDoneBefore(ctx: Ctx, field: string, doneAt: string | undefined | null): Date {
  const done = doneAt ? new Date(doneAt) : new Date();
  if (done.getTime() > Date.now() + CLOCK_SLACK_MS) throw invalid(ctx, field, 'validation.doneInFuture');
  return done;
}

export async function findActivities(ctx: Ctx, query: ActivityListQuery): Promise<Page<Activity>> {
  const filters: (SQL | undefined)[] = [visibleActivities(ctx.actor)];
  if (query.leadId) filters.push(eq(activities.leadId, query.leadId));
  if (query.opportunityId) filters.push(eq(activities.opportunityId, query.opportunityId));
  if (query.customerId) {
    // With the customer directly, or on its opportunities and on leads converted into it.
    filters.push(
      or(
        eq(activities.customerId, query.customerId),
        inArray(
          activities.opportunityId,
          sql`(SELECT ${opportunities.id} FROM ${opportunities} WHERE ${eq(opportunities.customerId, query.customerId)})`,
        ),
        inArray(
          activities.leadId,
          sql`(SELECT ${leads.id} FROM ${leads} WHERE ${eq(leads.customerId, query.customerId)})`,
        ),
      ),
    );
  }
  if (query.status) filters.push(eq(activities.status, query.status));
  if (query.ownerId) filters.push(eq(activities.ownerId, query.ownerId));
  if (query.dueFrom) filters.push(gte(activities.dueAt, new Date(query.dueFrom)));
  if (query.dueTo) filters.push(lte(activities.dueAt, new Date(query.dueTo)));
  if (query.q) filters.push(ilike(activities.subject, containsPattern(query.q)));
  const where = and(...filters);
  const order = query.sort
    ? orderFrom(
        query.sort,
        { dueAt: activities.dueAt, doneAt: activities.doneAt, createdAt: activities.createdAt },
        '-createdAt',
        activities.id,
      )
    : // The agenda: what is planned, soonest first; then what happened, newest first.
      [
        sql`(${activities.status} <> 'planned') asc`,
        sql`(CASE WHEN ${activities.status} = 'planned' THEN ${activities.dueAt} END) asc nulls last`,
        sql`coalesce(${activities.doneAt}, ${activities.updatedAt}) desc`,
        sql`${activities.id} asc`,
      ];
  const { rows, total } = await pageWithTotal(
    query,
    selectActivities(ctx.db)
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () => ctx.db.select({ total: count() }).from(activities).where(where),
  );
  return { items: rows.map(present), total, page: query.page, pageSize: query.pageSize };
}

export async function getActivity(ctx: Ctx, id: string): Promise<Activity> {
  const [row] = await selectActivities(ctx.db).where(and(eq(activities.id, id), visibleActivities(ctx.actor)));
  if (!row) throw notFound();
  return present(row);
}

/**
 * For writes: NOT_FOUND when invisible, FORBIDDEN when visible but its parent is outside the write
 * scope (`assignees`: the people it is assigned to may too — completing and rescheduling).
 */
async function assertActivityWritable(ctx: Ctx, id: string, options: { assignees?: boolean } = {}): Promise<void> {
  const [row] = await ctx.db
    .select({ writable: sql<boolean>`${writableActivities(ctx.actor, options)}` })
    .from(activities)
    .where(and(eq(activities.id, id), visibleActivities(ctx.actor)));
  if (!row) throw notFound();
  if (!row.writable) throw forbidden();
}

type Parent = {
  leadId: string | null;
  opportunityId: string | null;
  customerId: string | null;
  stageId: string | null;
};

/**
 * The parent an activity is created on, checked like the parent's own writes (404 when the
 * actor cannot see it, 403 when they may not work on it). An activity on an opportunity (or on
 * a converted lead) is also with its customer; naming another customer is refused.
 */
async function resolveParent(
  ctx: Ctx,
  input: { leadId?: string | null; opportunityId?: string | null; customerId?: string | null },
): Promise<Parent> {
  const { leadId, opportunityId, customerId } = input;
  if (!leadId && !opportunityId && !customerId) throw invalid(ctx, 'customerId', 'validation.activityParent');
  if (leadId && opportunityId) throw invalid(ctx, 'leadId', 'validation.activityParent');
  if (opportunityId) {
    const [opp] = await ctx.db
      .select({
        customerId: opportunities.customerId,
        stageId: opportunities.stageId,
        writable: sql<boolean>`${writableOpportunities(ctx.actor)}`,
      })
      .from(opportunities)
      .where(and(eq(opportunities.id, opportunityId), visibleOpportunities(ctx.actor)));
    if (!opp) throw notFound();
    if (!opp.writable) throw forbidden();
    if (customerId && customerId !== opp.customerId) throw invalid(ctx, 'customerId', 'validation.invalid');
    return { leadId: null, opportunityId, customerId: opp.customerId, stageId: opp.stageId };
  }
  if (leadId) {
    const [lead] = await ctx.db
      .select({ customerId: leads.customerId, writable: sql<boolean>`${writableLeads(ctx.actor)}` })
      .from(leads)
      .where(and(eq(leads.id, leadId), visibleLeads(ctx.actor)));
    if (!lead) throw notFound();
    if (!lead.writable) throw forbidden();
    if (customerId && customerId !== lead.customerId) throw invalid(ctx, 'customerId', 'validation.invalid');
    return { leadId, opportunityId: null, customerId: lead.customerId, stageId: null };
  }
  await assertCustomerWritable(ctx, customerId!);
  return { leadId: null, opportunityId: null, customerId: customerId!, stageId: null };
}

/** A contact must be one of the activity's customer's. */
async function assertContactOf(db: Db, customerId: string | null, contactId: string | null | undefined) {
  if (!contactId) return;
  const [contact] = await db
    .select({ customerId: contacts.customerId })
    .from(contacts)
    .where(eq(contacts.id, contactId));
  if (!customerId || contact?.customerId !== customerId)
    throw new AppError('INACTIVE_REFERENCE', { fieldKey: 'field.contact' }, { field: 'contactId' });
}

/** The stage an opportunity is in now (what a completed activity records). */
async function currentStageOf(db: Db, opportunityId: string | null): Promise<string | null> {
  if (!opportunityId) return null;
  const [opp] = await db
    .select({ stageId: opportunities.stageId })
    .from(opportunities)
    .where(eq(opportunities.id, opportunityId));
  return opp?.stageId ?? null;
}

type NewActivity = z.output<typeof ActivityCreate>;

export async function createActivity(ctx: Ctx, input: NewActivity): Promise<Activity> {
  const planned = input.status === 'planned';
  let dueAt: Date | null = null;
  let doneAt: Date | null = null;
  if (planned) {
    if (!input.dueAt) throw invalid(ctx, 'dueAt', 'validation.dueRequired');
    if (input.doneAt) throw invalid(ctx, 'doneAt', 'validation.invalid');
    dueAt = assertDueAhead(ctx, 'dueAt', input.dueAt);
  } else {
    doneAt = assertDoneBefore(ctx, 'doneAt', input.doneAt);
    dueAt = input.dueAt ? new Date(input.dueAt) : null;
  }
  return inTransaction(ctx, async (tx) => {
    await assertCategoryActive(tx.db, input.category);
    const parent = await resolveParent(tx, input);
    await assertContactOf(tx.db, parent.customerId, input.contactId);
    const [row] = await tx.db
      .insert(activities)
      .values({
        category: input.category,
        subject: input.subject,
        notes: input.notes ?? null,
        status: input.status,
        dueAt,
        doneAt,
        ownerId: ctx.actor.id,
        customerId: parent.customerId,
        contactId: input.contactId ?? null,
        leadId: parent.leadId,
        opportunityId: parent.opportunityId,
        // Work done on an opportunity is counted in the stage it is in.
        stageId: planned ? null : parent.stageId,
        createdBy: ctx.actor.id,
      })
      .returning({ id: activities.id });
    await setAssignees(tx, row.id, input.assigneeIds ?? []);
    await syncActivityReminders(tx, row.id);
    const after = await getActivity(tx, row.id);
    await recordAudit(tx, { action: 'create', entityType: 'activity', entityId: row.id, after });
    return after;
  });
}

/** Replaces the further assignees: active colleagues only (the owner is always on it). */
async function setAssignees(tx: Ctx, activityId: string, userIds: string[]) {
  const wanted = [...new Set(userIds)];
  if (wanted.length) {
    const active = await tx.db
      .select({ id: users.id })
      .from(users)
      .where(and(inArray(users.id, wanted), eq(users.active, true)));
    if (active.length !== wanted.length)
      throw new AppError('INACTIVE_REFERENCE', { fieldKey: 'field.assignee' }, { field: 'assigneeIds' });
  }
  await tx.db.delete(activityAssignees).where(eq(activityAssignees.activityId, activityId));
  if (wanted.length) await tx.db.insert(activityAssignees).values(wanted.map((userId) => ({ activityId, userId })));
}

export async function updateActivity(ctx: Ctx, id: string, patch: ActivityUpdate): Promise<Activity> {
  return inTransaction(ctx, async (tx) => {
    const before = await getActivity(tx, id);
    // Who is on it is for those who work on the record; an assignee may reschedule and note.
    await assertActivityWritable(tx, id, { assignees: patch.assigneeIds === undefined });
    const set: Partial<typeof activities.$inferInsert> = { updatedAt: new Date() };
    if (patch.category !== undefined && patch.category !== before.category) {
      await assertCategoryActive(tx.db, patch.category);
      set.category = patch.category;
    }
    if (patch.subject !== undefined) set.subject = patch.subject;
    if (patch.notes !== undefined) set.notes = patch.notes;
    if (patch.dueAt !== undefined && Date.parse(patch.dueAt) !== (before.dueAt ? Date.parse(before.dueAt) : null)) {
      // Rescheduling is for planned work; done work keeps the time it was due.
      if (before.status !== 'planned') throw invalid(ctx, 'dueAt', 'validation.invalid');
      set.dueAt = assertDueAhead(ctx, 'dueAt', patch.dueAt);
    }
    if (patch.doneAt !== undefined) {
      if (before.status !== 'done') throw invalid(ctx, 'doneAt', 'validation.invalid');
      set.doneAt = assertDoneBefore(ctx, 'doneAt', patch.doneAt);
    }
    if (patch.contactId !== undefined) {
      await assertContactOf(tx.db, before.customerId, patch.contactId);
      set.contactId = patch.contactId;
    }
    await tx.db.update(activities).set(set).where(eq(activities.id, id));
    if (patch.assigneeIds !== undefined) await setAssignees(tx, id, patch.assigneeIds);
    if (set.dueAt !== undefined || patch.assigneeIds !== undefined) await syncActivityReminders(tx, id);
    const after = await getActivity(tx, id);
    await recordAudit(tx, { action: 'update', entityType: 'activity', entityId: id, before, after });
    return after;
  });
}

/**
 * Marks a planned activity done (now, or when given), with what came of it, and plans the next
 * one on the same record in the same transaction. On an opportunity, the activity records the
 * stage the opportunity is in now. Of two completing at once, one gets ACTIVITY_NOT_PLANNED.
 */
export async function completeActivity(ctx: Ctx, id: string, input: ActivityComplete): Promise<ActivityCompleted> {
  const doneAt = assertDoneBefore(ctx, 'doneAt', input.doneAt);
  const nextDue = input.next ? assertDueAhead(ctx, 'next.dueAt', input.next.dueAt) : null;
  return inTransaction(ctx, async (tx) => {
    const before = await getActivity(tx, id);
    await assertActivityWritable(tx, id, { assignees: true });
    if (before.status !== 'planned') throw new AppError('ACTIVITY_NOT_PLANNED');
    const stageId = await currentStageOf(tx.db, before.opportunityId);
    const done = await tx.db
      .update(activities)
      .set({
        status: 'done',
        doneAt,
        stageId,
        ...(input.notes !== undefined ? { notes: input.notes } : {}),
        updatedAt: new Date(),
      })
      .where(and(eq(activities.id, id), eq(activities.status, 'planned')))
      .returning({ id: activities.id });
    if (done.length === 0) throw new AppError('ACTIVITY_NOT_PLANNED');
    await syncActivityReminders(tx, id);
    const completed = await getActivity(tx, id);
    await recordAudit(tx, {
      action: 'status',
      entityType: 'activity',
      entityId: id,
      before: { status: before.status, doneAt: before.doneAt, notes: before.notes },
      after: { status: completed.status, doneAt: completed.doneAt, notes: completed.notes, stageId: completed.stageId },
    });
    let next: Activity | null = null;
    if (input.next && nextDue) {
      await assertCategoryActive(tx.db, input.next.category);
      const contactId = input.next.contactId === undefined ? before.contactId : input.next.contactId;
      await assertContactOf(tx.db, before.customerId, contactId);
      const [row] = await tx.db
        .insert(activities)
        .values({
          category: input.next.category,
          subject: input.next.subject,
          notes: input.next.notes ?? null,
          status: 'planned',
          dueAt: nextDue,
          ownerId: ctx.actor.id,
          customerId: before.customerId,
          contactId: contactId ?? null,
          leadId: before.leadId,
          opportunityId: before.opportunityId,
          createdBy: ctx.actor.id,
        })
        .returning({ id: activities.id });
      await syncActivityReminders(tx, row.id);
      next = await getActivity(tx, row.id);
      await recordAudit(tx, { action: 'create', entityType: 'activity', entityId: row.id, after: next });
    }
    return { completed, next };
  });
}

export async function deleteActivity(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const before = await getActivity(tx, id);
    await assertActivityWritable(tx, id);
    await tx.db.delete(activities).where(eq(activities.id, id));
    await recordAudit(tx, { action: 'delete', entityType: 'activity', entityId: id, before });
  });
}

/**
 * Plans an activity on behalf of the firm inside the caller's transaction (a playbook's step when a stage or a
 * lead status is entered): for `ownerId`, on the record given, due when given (even earlier than now: the
 * playbook's offset decides). Reminders and the audit entry are those of any new activity.
 */
export async function schedulePlannedActivity(
  tx: Ctx,
  input: {
    category: string;
    subject: string;
    notes: string | null;
    dueAt: Date;
    ownerId: string;
    customerId: string | null;
    leadId: string | null;
    opportunityId: string | null;
  },
): Promise<Activity> {
  await assertCategoryActive(tx.db, input.category);
  const [row] = await tx.db
    .insert(activities)
    .values({ ...input, status: 'planned', createdBy: tx.actor.id })
    .returning({ id: activities.id });
  await syncActivityReminders(tx, row.id);
  const [joined] = await selectActivities(tx.db).where(eq(activities.id, row.id));
  const after = present(joined);
  await recordAudit(tx, { action: 'create', entityType: 'activity', entityId: row.id, after });
  return after;
}
