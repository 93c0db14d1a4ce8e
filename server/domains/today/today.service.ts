import { and, asc, desc, eq, gte, inArray, isNotNull, lt, lte, ne, sql } from 'drizzle-orm';
import {
  SERVICES_DUE_DAYS,
  TODAY_SECTION_LIMIT,
  type MyProjectTask,
  type Today,
  type TodayQuery,
} from '../../../common/schemas/today';
import type { Ctx } from '../../context';
import { addDays, localDate, zonedInstant } from '../../lib/time';
import { activities, activityAssignees } from '../activities/activities.tables';
import { present as presentActivity, selectActivities } from '../activities/activities.service';
import { contacts, customerServices, customers } from '../customers/customers.tables';
import { leads } from '../leads/leads.tables';
import { preferencesOf } from '../notifications/notifications.service';
import { findMyReminders } from '../reminders/reminders.service';
import { businessLines, departments } from '../staff/staff.tables';
import { queuedLeadsFor } from '../leads/leads.policy';
import { visibleOpportunities } from '../opportunities/opportunities.policy';
import { opportunities, projectMilestones, projectTasks } from '../opportunities/opportunities.tables';
import { can } from '../../policy';
import { findMySuggestions } from '../suggestions/suggestions.service';

/**
 * Today 今日: my planned work that is overdue or due today (as owner or assignee), reminders
 * that went off, my customers due for a call (next contact date today or earlier), those going
 * quiet (with the drafted follow-up), their recurring services (audits …) due within
 * SERVICES_DUE_DAYS, new leads given to me (with leads:read) and my open project tasks — "today" in my time zone.
 */
export async function getToday(ctx: Ctx, query: TodayQuery): Promise<Today> {
  const timeZone = query.tz ?? (await preferencesOf(ctx.db, ctx.actor.id)).timeZone;
  const date = localDate(new Date(), timeZone);
  const startOfDay = zonedInstant(date, { hour: 0 }, timeZone);
  const endOfDay = zonedInstant(addDays(date, 1), { hour: 0 }, timeZone);
  const me = ctx.actor.id;
  // Mine = owned or assigned, written as `id IN (… UNION …)` so both sides use their index (an OR with EXISTS does not).
  const mineToDo = and(
    eq(activities.status, 'planned'),
    isNotNull(activities.dueAt),
    sql`${activities.id} IN (SELECT a.id FROM ${activities} a WHERE a.owner_id = ${me} AND a.status = 'planned'
      UNION SELECT aa.activity_id FROM ${activityAssignees} aa WHERE aa.user_id = ${me})`,
  );
  const primary = sql`(SELECT k.id FROM ${contacts} k WHERE k.customer_id = ${customers.id} ORDER BY k.is_primary DESC, cardinality(k.phones) > 0 DESC, k.created_at LIMIT 1)`;
  const tasks = (from: Date | null, to: Date) =>
    selectActivities(ctx.db)
      .where(and(mineToDo, from ? gte(activities.dueAt, from) : undefined, lt(activities.dueAt, to)))
      .orderBy(asc(activities.dueAt), asc(activities.id))
      .limit(TODAY_SECTION_LIMIT);
  const [overdue, dueToday, reminders, calls, inactive, services, newLeads, queued, projectWork] = await Promise.all([
    tasks(null, startOfDay),
    tasks(startOfDay, endOfDay),
    findMyReminders(ctx, { state: 'due', pageSize: TODAY_SECTION_LIMIT }),
    ctx.db
      .select({
        customerId: customers.id,
        customerName: customers.name,
        nextContactOn: customers.nextContactOn,
        lastContactAt: customers.lastContactAt,
        contactId: contacts.id,
        contactName: contacts.name,
        phone: sql<string | null>`coalesce(${contacts.phones}[1], ${customers.phone})`,
      })
      .from(customers)
      .leftJoin(contacts, eq(contacts.id, primary))
      .where(and(eq(customers.ownerId, me), lte(customers.nextContactOn, date)))
      .orderBy(asc(customers.nextContactOn), asc(customers.name))
      .limit(TODAY_SECTION_LIMIT),
    findMySuggestions(ctx, { status: 'open', pageSize: TODAY_SECTION_LIMIT }),
    ctx.db
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
          eq(customers.ownerId, me),
          eq(customerServices.active, true),
          lte(customerServices.nextDueOn, addDays(date, SERVICES_DUE_DAYS)),
        ),
      )
      .orderBy(asc(customerServices.nextDueOn), asc(customers.name))
      .limit(TODAY_SECTION_LIMIT),
    // Without leads:read the leads page is closed to them: no card of leads they could not open.
    can(ctx.actor, 'leads:read')
      ? ctx.db
          .select({
            id: leads.id,
            companyName: leads.companyName,
            contactName: leads.contactName,
            phone: leads.phone,
            source: leads.source,
            assignedAt: leads.assignedAt,
          })
          .from(leads)
          .where(and(eq(leads.ownerId, me), eq(leads.status, 'new')))
          .orderBy(desc(leads.assignedAt), desc(leads.id))
          .limit(TODAY_SECTION_LIMIT)
      : Promise.resolve([]),
    can(ctx.actor, 'leads:assign', 'department')
      ? ctx.db
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
          .limit(TODAY_SECTION_LIMIT)
      : Promise.resolve([]),
    myProjectTasks(ctx),
  ]);
  return {
    date,
    timeZone,
    overdue: overdue.map(presentActivity),
    today: dueToday.map(presentActivity),
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
  };
}

/**
 * Open tasks assigned to me in projects that are not lost, earliest due first. The task is mine
 * whether or not I may see the opportunity; `opportunityVisible` says whether I may open it.
 */
function myProjectTasks(ctx: Ctx): Promise<MyProjectTask[]> {
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
    .limit(TODAY_SECTION_LIMIT);
}
