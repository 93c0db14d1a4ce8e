import { and, asc, desc, eq, inArray, lte, ne, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { RECEIVABLE_CONTRACT_STATUSES, RECEIVABLE_ORDER_STATUSES } from '../../../common/schemas/receivables';
import {
  SERVICES_DUE_DAYS,
  TODAY_SECTION_LIMIT,
  WORK_ORDERS_DUE_DAYS,
  type Today,
  type TodayQuery,
} from '../../../common/schemas/today';
import type { Ctx } from '../../context';
import { fixedLimit, opaquePlaceholder, pipelined, preparedOnce, type Db } from '../../db/client';
import { outer } from '../../lib/listing';
import { addDays, localDate, zonedInstant } from '../../lib/time';
import { activities, activityAssignees } from '../activities/activities.tables';
import { contracts, orders, paymentTerms } from '../contracts/contracts.tables';
import { present as presentActivity } from '../activities/activities.service';
import { contacts, customerServices, customers } from '../customers/customers.tables';
import { engagementTasks } from '../engagements/engagements.tables';
import { openWorkOrder, presentWorkOrder, selectWorkOrders } from '../engagements/tasks.service';
import { leads } from '../leads/leads.tables';
import { preferencesOf } from '../notifications/notifications.service';
import { findMyReminders } from '../reminders/reminders.service';
import { businessLines, departments, users } from '../staff/staff.tables';
import { queuedLeadsFor } from '../leads/leads.policy';
import { visibleOpportunities } from '../opportunities/opportunities.policy';
import { opportunities, pipelineStages, projectMilestones, projectTasks } from '../opportunities/opportunities.tables';
import { actorKey, can } from '../../policy';
import { findMySuggestions } from '../suggestions/suggestions.service';
import { suggestArticle } from '../knowledge/related.service';
import { mentionsDigest } from '../chat/unread.service';
import { todayRenewals } from '../renewals/renewals.service';
import { todayCrossSell } from '../cross-sell/cross-sell.service';

const LIMIT = fixedLimit(TODAY_SECTION_LIMIT);

/**
 * Today 今日: my planned work that is overdue or due today (as owner or assignee), reminders
 * that went off, my customers due for a call (next contact date today or earlier), those going
 * quiet (with the drafted follow-up), their recurring services (audits …) due within
 * SERVICES_DUE_DAYS, new leads given to me (with leads:read), my open project tasks, my work orders due within
 * WORK_ORDERS_DUE_DAYS (with engagements:read) and the payments due on my contracts and orders (with
 * receivables:read), one unread article to read today (with knowledge:read) and my unread mentions in team chat
 * (with chat:use) — "today" in my time zone.
 */
export function getToday(ctx: Ctx, query: TodayQuery): Promise<Today> {
  // Its 15 small statements go out together on one connection (pipelined), not one by one over the pool.
  return pipelined(ctx.db, () => readToday(ctx, query));
}

async function readToday(ctx: Ctx, query: TodayQuery): Promise<Today> {
  const timeZone = query.tz ?? (await preferencesOf(ctx.db, ctx.actor.id)).timeZone;
  const date = localDate(new Date(), timeZone);
  const startOfDay = zonedInstant(date, { hour: 0 }, timeZone).toISOString();
  const endOfDay = zonedInstant(addDays(date, 1), { hour: 0 }, timeZone).toISOString();
  const me = ctx.actor.id;
  const db = ctx.db;
  // Every statement is built once (per reader where it embeds their visibility) and prepared: the page is
  // opened all day long, and planning these joins cost more than running them.
  const key = actorKey(ctx.actor);
  // Today's suggested reading, read beside the sections (awaited below: no unhandled rejection if a section fails).
  const reading = can(ctx.actor, 'knowledge:read') ? suggestArticle(ctx, new Date(endOfDay)) : Promise.resolve(null);
  reading.catch(() => undefined);
  // My unread mentions in team chat, read beside the sections too.
  const mentions = can(ctx.actor, 'chat:use') ? mentionsDigest(ctx) : Promise.resolve({ count: 0, items: [] });
  mentions.catch(() => undefined);
  const renewalsDue = todayRenewals(ctx);
  renewalsDue.catch(() => undefined);
  const crossSell = todayCrossSell(ctx);
  crossSell.catch(() => undefined);
  const [tasks, reminders, calls, inactive, services, newLeads, queued, projectWork, payments, work] =
    await Promise.all([
      preparedOnce(db, 'today-tasks', () => myTasks(db)).execute({ me, from: startOfDay, to: endOfDay }),
      findMyReminders(ctx, { state: 'due', pageSize: TODAY_SECTION_LIMIT }),
      preparedOnce(db, 'today-calls', () => callsDue(db)).execute({ me, date }),
      findMySuggestions(ctx, { status: 'open', pageSize: TODAY_SECTION_LIMIT }),
      preparedOnce(db, 'today-services', () => servicesDue(db)).execute({
        me,
        until: addDays(date, SERVICES_DUE_DAYS),
      }),
      // Without leads:read the leads page is closed to them: no card of leads they could not open.
      can(ctx.actor, 'leads:read')
        ? preparedOnce(db, 'today-new-leads', () => newLeadsOf(db)).execute({ me })
        : Promise.resolve([]),
      can(ctx.actor, 'leads:assign', 'department')
        ? preparedOnce(db, `today-queued|${key}`, () => queuedLeads(ctx)).execute()
        : Promise.resolve([]),
      preparedOnce(db, `today-project-tasks|${key}`, () => myProjectTasks(ctx)).execute(),
      can(ctx.actor, 'receivables:read')
        ? preparedOnce(db, 'today-payments', () => paymentsDue(db)).execute({ me, date })
        : Promise.resolve([]),
      can(ctx.actor, 'engagements:read')
        ? preparedOnce(db, 'today-work-orders', () => workOrdersDue(db)).execute({
            me,
            until: addDays(date, WORK_ORDERS_DUE_DAYS),
          })
        : Promise.resolve([]),
    ]);
  const dayStarts = new Date(startOfDay).getTime();
  const overdue = tasks.filter((task) => task.row.dueAt!.getTime() < dayStarts);
  return {
    date,
    timeZone,
    overdue: overdue.map(presentActivity),
    today: tasks.slice(overdue.length).map(presentActivity),
    reminders,
    callsDue: calls.map((c) => ({
      ...c,
      nextContactOn: c.nextContactOn!,
      lastContactAt: c.lastContactAt?.toISOString() ?? null,
    })),
    inactive,
    servicesDue: services,
    newLeads: newLeads.map((l) => ({ ...l, assignedAt: l.assignedAt?.toISOString() ?? null })),
    queuedLeads: queued.map((l) => ({ ...l, assignedAt: l.assignedAt?.toISOString() ?? null })),
    projectTasks: projectWork,
    workOrders: work.map(presentWorkOrder),
    paymentsDue: payments.map((p) => ({ ...p, position: Number(p.position), daysOverdue: Number(p.daysOverdue) })),
    knowledgeSuggestion: await reading,
    chatMentions: await mentions,
    renewals: await renewalsDue,
    crossSell: await crossSell,
  };
}

/**
 * My planned work overdue (due before `from`) and due today (from `from` to `to`), as owner or assignee, earliest
 * first — both cards in one statement, told apart by the due time. The first TODAY_SECTION_LIMIT of each card are
 * taken from the index (owner, status, due) and the assignees' before anything is looked up: a salesperson with
 * thousands of overdue activities costs no more than one with ten. The names are looked up one by one (not joined),
 * so the statement costs ~1 ms to plan instead of ~10 ms — what every connection's first custom plans pay.
 */
function myTasks(db: Db) {
  const me = sql.placeholder('me');
  const card = (due: SQL) => sql`(SELECT id FROM (
      (SELECT a.id, a.due_at FROM ${activities} a WHERE a.owner_id = ${me} AND a.status = 'planned' AND ${due}
        ORDER BY a.due_at, a.id LIMIT ${LIMIT})
      UNION
      (SELECT a.id, a.due_at FROM ${activityAssignees} aa JOIN ${activities} a ON a.id = aa.activity_id
        WHERE aa.user_id = ${me} AND a.status = 'planned' AND ${due} ORDER BY a.due_at, a.id LIMIT ${LIMIT})
    ) mine ORDER BY due_at, id LIMIT ${LIMIT})`;
  const from = sql.placeholder('from');
  const first = sql`(${card(sql`a.due_at < ${from}`)} UNION ALL ${card(sql`a.due_at >= ${from} AND a.due_at < ${sql.placeholder('to')}`)})`;
  const name = (table: PgTable, column: string, key: PgColumn) =>
    sql<string | null>`(SELECT x.${sql.identifier(column)} FROM ${table} x WHERE x.id = ${outer(key)})`;
  return db
    .select({
      row: activities,
      ownerName: sql<string>`${name(users, 'display_name', activities.ownerId)}`,
      customerName: name(customers, 'name', activities.customerId),
      contactName: name(contacts, 'name', activities.contactId),
      leadName: name(leads, 'company_name', activities.leadId),
      opportunityName: name(opportunities, 'name', activities.opportunityId),
      stageNameZh: name(pipelineStages, 'name_zh', activities.stageId),
      stageNameEn: name(pipelineStages, 'name_en', activities.stageId),
      assignees: sql<
        { id: string; name: string }[]
      >`coalesce((SELECT json_agg(json_build_object('id', u.id, 'name', u.display_name) ORDER BY u.display_name)
        FROM ${activityAssignees} aa JOIN ${users} u ON u.id = aa.user_id WHERE aa.activity_id = ${outer(activities.id)}), '[]'::json)`,
    })
    .from(activities)
    .where(inArray(activities.id, first))
    .orderBy(asc(activities.dueAt), asc(activities.id))
    .prepare(''); // named by preparedOnce
}

/**
 * My customers due for a call (next contact date today or earlier), with their primary contact's phone: the first
 * ones by date read off the owner's index with the columns shown, then each one's primary contact beside it.
 */
function callsDue(db: Db) {
  const mine = db
    .select({
      id: customers.id,
      name: customers.name,
      nextContactOn: customers.nextContactOn,
      lastContactAt: customers.lastContactAt,
      phone: customers.phone,
    })
    .from(customers)
    .where(
      and(
        eq(customers.ownerId, opaquePlaceholder('me', 'uuid')),
        lte(customers.nextContactOn, opaquePlaceholder('date', 'date')),
      ),
    )
    .orderBy(asc(customers.nextContactOn), asc(customers.name))
    .limit(LIMIT)
    .as('mine');
  const primary = db
    .select({ id: contacts.id, name: contacts.name, phones: contacts.phones })
    .from(contacts)
    .where(eq(contacts.customerId, mine.id))
    .orderBy(desc(contacts.isPrimary), sql`cardinality(${contacts.phones}) > 0 DESC`, asc(contacts.createdAt))
    .limit(fixedLimit(1))
    .as('primary');
  return db
    .select({
      customerId: mine.id,
      customerName: mine.name,
      nextContactOn: mine.nextContactOn,
      lastContactAt: mine.lastContactAt,
      contactId: primary.id,
      contactName: primary.name,
      phone: sql<string | null>`coalesce(${primary.phones}[1], ${mine.phone})`,
    })
    .from(mine)
    .leftJoinLateral(primary, sql`true`)
    .orderBy(asc(mine.nextContactOn), asc(mine.name))
    .prepare(''); // named by preparedOnce
}

/** Recurring services of my customers due by `until` (opaque parameters: planned once, see opaquePlaceholder). */
function servicesDue(db: Db) {
  return db
    .select({
      serviceId: customerServices.id,
      customerId: customers.id,
      customerName: customers.name,
      businessLineName: businessLines.name,
      cycle: customerServices.cycle,
      nextDueOn: customerServices.nextDueOn,
    })
    .from(customerServices)
    .innerJoin(customers, eq(customers.id, customerServices.customerId))
    .innerJoin(businessLines, eq(businessLines.id, customerServices.businessLineId))
    .where(
      and(
        eq(customers.ownerId, opaquePlaceholder('me', 'uuid')),
        eq(customerServices.active, true),
        lte(customerServices.nextDueOn, opaquePlaceholder('until', 'date')),
      ),
    )
    .orderBy(asc(customerServices.nextDueOn), asc(customers.name))
    .limit(LIMIT)
    .prepare(''); // named by preparedOnce
}

/** New leads given to me, newest first. */
function newLeadsOf(db: Db) {
  return db
    .select({
      id: leads.id,
      companyName: leads.companyName,
      contactName: leads.contactName,
      phone: leads.phone,
      source: leads.source,
      assignedAt: leads.assignedAt,
    })
    .from(leads)
    .where(and(eq(leads.ownerId, sql.placeholder('me')), eq(leads.status, 'new')))
    .orderBy(desc(leads.assignedAt), desc(leads.id))
    .limit(LIMIT)
    .prepare(''); // named by preparedOnce
}

/** Open leads waiting in the queues I may assign from. */
function queuedLeads(ctx: Ctx) {
  return (
    ctx.db
      // assignedAt: when it arrived in the queue.
      .select({
        id: leads.id,
        companyName: leads.companyName,
        contactName: leads.contactName,
        phone: leads.phone,
        source: leads.source,
        assignedAt: leads.createdAt,
        queueDepartmentName: departments.name,
      })
      .from(leads)
      .leftJoin(departments, eq(departments.id, leads.queueDepartmentId))
      .where(and(queuedLeadsFor(ctx.actor), inArray(leads.status, ['new', 'contacting', 'qualified'])))
      .orderBy(desc(leads.createdAt), desc(leads.id))
      .limit(LIMIT)
      .prepare('') // named by preparedOnce
  );
}

/**
 * Open tasks assigned to me in projects that are not lost, earliest due first. The task is mine
 * whether or not I may see the opportunity; `opportunityVisible` says whether I may open it.
 */
function myProjectTasks(ctx: Ctx) {
  return ctx.db
    .select({
      id: projectTasks.id,
      opportunityId: opportunities.id,
      opportunityName: opportunities.name,
      opportunityVisible: sql<boolean>`${visibleOpportunities(ctx.actor)}`,
      milestoneName: projectMilestones.name,
      title: projectTasks.title,
      startsOn: projectTasks.startsOn,
      dueOn: projectTasks.dueOn,
      status: projectTasks.status,
    })
    .from(projectTasks)
    .innerJoin(opportunities, eq(opportunities.id, projectTasks.opportunityId))
    .leftJoin(projectMilestones, eq(projectMilestones.id, projectTasks.milestoneId))
    .where(
      and(eq(projectTasks.assigneeId, ctx.actor.id), ne(projectTasks.status, 'done'), ne(opportunities.status, 'lost')),
    )
    .orderBy(sql`${projectTasks.dueOn} asc nulls last`, asc(projectTasks.createdAt), asc(projectTasks.id))
    .limit(LIMIT)
    .prepare(''); // named by preparedOnce
}

/**
 * My open work orders 工单 due by `until` (overdue ones included), earliest due first: assigned to me, whether or
 * not I may open the engagement (its title and customer are all the card shows of it).
 */
function workOrdersDue(db: Db) {
  return selectWorkOrders(db)
    .where(
      and(
        eq(engagementTasks.assigneeId, sql.placeholder('me')),
        lte(engagementTasks.dueOn, sql.placeholder('until')),
        openWorkOrder(),
      ),
    )
    .orderBy(asc(engagementTasks.dueOn), asc(engagementTasks.id))
    .limit(LIMIT)
    .prepare(''); // named by preparedOnce
}

/**
 * Payment terms of my contracts (and of my orders without one) due today or earlier and not paid in full, the
 * longest overdue first — the first ones of each side taken from the owner and term indexes before anything
 * is looked up, as in myTasks.
 */
function paymentsDue(db: Db) {
  const me = sql.placeholder('me');
  const date = sql.placeholder('date');
  const open = sql`t.due_on <= ${date}::date AND t.received < t.amount`;
  const inList = (values: readonly string[]) =>
    sql.join(
      values.map((v) => sql.raw(`'${v}'`)),
      sql`, `,
    );
  const first = sql`(SELECT id FROM (
      (SELECT t.id FROM ${contracts} c JOIN ${paymentTerms} t ON t.contract_id = c.id
        WHERE c.owner_id = ${me} AND c.status IN (${inList(RECEIVABLE_CONTRACT_STATUSES)}) AND ${open}
        ORDER BY t.due_on, t.id LIMIT ${LIMIT})
      UNION ALL
      (SELECT t.id FROM ${orders} o JOIN ${paymentTerms} t ON t.order_id = o.id
        WHERE o.owner_id = ${me} AND o.status IN (${inList(RECEIVABLE_ORDER_STATUSES)}) AND ${open}
        ORDER BY t.due_on, t.id LIMIT ${LIMIT})
    ) mine)`;
  const subject = (column: string) =>
    sql`coalesce((SELECT x.${sql.identifier(column)} FROM ${contracts} x WHERE x.id = ${outer(paymentTerms.contractId)}),
      (SELECT x.${sql.identifier(column)} FROM ${orders} x WHERE x.id = ${outer(paymentTerms.orderId)}))`;
  return db
    .select({
      termId: paymentTerms.id,
      contractId: paymentTerms.contractId,
      orderId: paymentTerms.orderId,
      subjectNumber: sql<string | null>`${subject('number')}`,
      subjectTitle: sql<string>`${subject('title')}`,
      customerId: sql<string>`${subject('customer_id')}`,
      customerName: sql<string>`(SELECT k.name FROM ${customers} k WHERE k.id = ${subject('customer_id')})`,
      position: paymentTerms.position,
      kind: paymentTerms.kind,
      dueOn: sql<string>`${paymentTerms.dueOn}::text`,
      outstanding: sql<string>`(${paymentTerms.amount} - ${paymentTerms.received})::text`,
      daysOverdue: sql<number>`(${date}::date - ${paymentTerms.dueOn})`,
    })
    .from(paymentTerms)
    .where(inArray(paymentTerms.id, first))
    .orderBy(asc(paymentTerms.dueOn), asc(paymentTerms.id))
    .limit(LIMIT)
    .prepare(''); // named by preparedOnce
}
