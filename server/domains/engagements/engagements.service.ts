import {
  aliasedTable,
  and,
  asc,
  count,
  desc,
  eq,
  exists,
  ilike,
  inArray,
  notInArray,
  or,
  sql,
  type SQL,
} from 'drizzle-orm';
import type { z } from 'zod';
import type { Page } from '../../../common/schemas/common';
import type { InstanceStatus } from '../../../common/schemas/workflows';
import type {
  Engagement,
  EngagementCreate,
  EngagementListQuery,
  EngagementRole,
  EngagementStatus,
  EngagementSummary,
  EngagementUpdate,
  MembersInput,
  Phase,
  PhaseStatus,
  Qualification,
  StaffingQuery,
  StaffingSuggestions,
  Task,
  TemplatePhase,
} from '../../../common/schemas/engagements';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, invalidInput, isUniqueViolation, notFound, type InputIssue } from '../../errors';
import { containsPattern, offsetOf, orderFrom, outer, pageWithTotal } from '../../lib/listing';
import { addDays } from '../../lib/time';
import type { Actor } from '../../policy';
import { recordAudit } from '../audit/audit.service';
import { lockedForChange, today } from '../contracts/contracts.service';
import { visibleOrders } from '../contracts/contracts.policy';
import { contracts, orderLines, orders } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { notify } from '../notifications/notifications.service';
import { fromHundredths, toHundredths } from '../opportunities/quotes.service';
import { businessLines, departments, userBusinessLines, users } from '../staff/staff.tables';
import { holdsValidQualification, validQualificationsOf } from '../people/people.service';
import { latestApprovals } from '../workflows/engine.service';
import { reviewableEngagements, visibleEngagements, writableEngagements } from './engagements.policy';
import { activeTemplateFor } from './templates.service';
import {
  engagementLines,
  engagementMembers,
  engagementPhases,
  engagements,
  engagementTaskNotes,
  engagementTasks,
  engagementTemplates,
} from './engagements.tables';

/**
 * 业务项目: the work of one or more lines of a confirmed order, made from the business line's template 业务模板 —
 * its phases follow one another from the start date, its tasks (工单 once assigned) copied with the phase's dates,
 * role and planned hours. The lead 项目负责人 is on the team as 项目经理, and the engagement belongs to the lead's
 * department (who sees and plans it: engagements.policy.ts). in-progress → in-review → reported → closed 结项, or
 * cancelled with a reason.
 */

export type EngagementRow = typeof engagements.$inferSelect;

const leadUsers = aliasedTable(users, 'lead_users');
const salesOwners = aliasedTable(users, 'sales_owners');

const money = (value: string) => fromHundredths(toHundredths(value));

/** Hours as the API writes them: exact, without trailing zeros ("6.5", "8", "0.25"). */
export function hoursText(value: string | null): string | null {
  return value === null ? null : hoursOf(toHundredths(value));
}
const hoursOf = (hundredths: bigint) => fromHundredths(hundredths).replace(/\.?0+$/, '');

export const engagementStatusError = (status: EngagementStatus) =>
  new AppError('ENGAGEMENT_STATUS_INVALID', { statusKey: `engagementStatus.${status}` });

/** Closed and cancelled engagements are history: no more planning, staffing or notes. */
export const ENDED: EngagementStatus[] = ['closed', 'cancelled'];

/**
 * Whether an engagement's review 复核 passed, from its status and its newest review's (workflow kind
 * `engagement-review`): in review with no approval waiting — approved, or sent while no flow applied (a rejected,
 * withdrawn or returned review puts it back in progress, so an older one ended so is no hindrance) —, or past it.
 */
export function reviewPassed(status: EngagementStatus, latest: InstanceStatus | null | undefined): boolean {
  if (status === 'reported' || status === 'closed') return true;
  return status === 'in-review' && latest !== 'running' && latest !== 'returned';
}

// ——— Reading ———

/** Done tasks in per cent of all (rounded down; 0 without tasks), per engagement row of the statement. */
const progressOf =
  sql<number>`(SELECT coalesce((count(*) FILTER (WHERE t.status = 'done') * 100 / nullif(count(*), 0))::int, 0)
  FROM ${engagementTasks} t WHERE t.engagement_id = ${outer(engagements.id)})`.mapWith(Number);

/** The first phase not done: one with a task not done, or one without tasks. */
const currentPhaseOf = sql<string | null>`(SELECT p.name FROM ${engagementPhases} p
  WHERE p.engagement_id = ${outer(engagements.id)}
    AND (NOT EXISTS (SELECT 1 FROM ${engagementTasks} t WHERE t.phase_id = p.id)
      OR EXISTS (SELECT 1 FROM ${engagementTasks} t WHERE t.phase_id = p.id AND t.status <> 'done'))
  ORDER BY p.position LIMIT 1)`;

const summaryFields = {
  e: engagements,
  customerName: customers.name,
  businessLineName: businessLines.name,
  leadName: leadUsers.displayName,
  orderNumber: orders.number,
  progress: progressOf,
  currentPhase: currentPhaseOf,
};

function selectSummaries(db: Db) {
  return db
    .select(summaryFields)
    .from(engagements)
    .innerJoin(customers, eq(customers.id, engagements.customerId))
    .innerJoin(businessLines, eq(businessLines.id, engagements.businessLineId))
    .innerJoin(leadUsers, eq(leadUsers.id, engagements.leadId))
    .innerJoin(orders, eq(orders.id, engagements.orderId));
}

type SummaryRow = {
  e: EngagementRow;
  customerName: string;
  businessLineName: string;
  leadName: string;
  orderNumber: string | null;
  progress: number;
  currentPhase: string | null;
};

function presentSummary(r: SummaryRow): EngagementSummary {
  return {
    id: r.e.id,
    title: r.e.title,
    status: r.e.status,
    customerId: r.e.customerId,
    customerName: r.customerName,
    orderId: r.e.orderId,
    orderNumber: r.orderNumber,
    businessLineId: r.e.businessLineId,
    businessLineName: r.businessLineName,
    leadId: r.e.leadId,
    leadName: r.leadName,
    amount: money(r.e.amount),
    startsOn: r.e.startsOn,
    dueOn: r.e.dueOn,
    progress: r.progress,
    currentPhase: r.currentPhase,
    createdAt: r.e.createdAt.toISOString(),
  };
}

/** The actor leads the engagement or is on its team. */
const mineOf = (actor: Actor) =>
  or(
    eq(engagements.leadId, actor.id),
    exists(
      sql`(SELECT 1 FROM ${engagementMembers} WHERE ${and(eq(engagementMembers.engagementId, outer(engagements.id)), eq(engagementMembers.userId, actor.id))})`,
    ),
  )!;

/** Engagements the reader may see, filtered; `q` searches the title and the customer's name. */
export async function findEngagements(ctx: Ctx, query: EngagementListQuery): Promise<Page<EngagementSummary>> {
  const filters: SQL[] = [visibleEngagements(ctx.actor)];
  if (query.status) filters.push(eq(engagements.status, query.status));
  if (query.businessLineId) filters.push(eq(engagements.businessLineId, query.businessLineId));
  if (query.customerId) filters.push(eq(engagements.customerId, query.customerId));
  if (query.orderId) filters.push(eq(engagements.orderId, query.orderId));
  if (query.leadId) filters.push(eq(engagements.leadId, query.leadId));
  if (query.mine === 'true') filters.push(mineOf(ctx.actor));
  if (query.q) {
    const pattern = containsPattern(query.q);
    filters.push(or(ilike(engagements.title, pattern), ilike(customers.name, pattern))!);
  }
  const where = and(...filters);
  const { rows, total } = await pageWithTotal(
    query,
    selectSummaries(ctx.db)
      .where(where)
      .orderBy(
        ...orderFrom(
          query.sort,
          {
            createdAt: engagements.createdAt,
            startsOn: engagements.startsOn,
            dueOn: engagements.dueOn,
            title: engagements.title,
          },
          '-createdAt',
          engagements.id,
        ),
      )
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () =>
      (query.q
        ? ctx.db
            .select({ total: count() })
            .from(engagements)
            .innerJoin(customers, eq(customers.id, engagements.customerId))
        : ctx.db.select({ total: count() }).from(engagements)
      ).where(where),
  );
  return { items: rows.map(presentSummary), total, page: query.page, pageSize: query.pageSize };
}

/** Tasks with their assignee's name and how many notes they have (one statement for any number of them). */
export function selectTasks(db: Db) {
  return db
    .select({
      t: engagementTasks,
      assigneeName: users.displayName,
      notes:
        sql<number>`(SELECT count(*)::int FROM ${engagementTaskNotes} n WHERE n.task_id = ${outer(engagementTasks.id)})`.mapWith(
          Number,
        ),
    })
    .from(engagementTasks)
    .leftJoin(users, eq(users.id, engagementTasks.assigneeId));
}

export function presentTask(r: {
  t: typeof engagementTasks.$inferSelect;
  assigneeName: string | null;
  notes: number;
}): Task {
  const t = r.t;
  return {
    id: t.id,
    engagementId: t.engagementId,
    phaseId: t.phaseId,
    position: t.position,
    title: t.title,
    role: t.role,
    assigneeId: t.assigneeId,
    assigneeName: t.assigneeId ? r.assigneeName : null,
    startsOn: t.startsOn,
    dueOn: t.dueOn,
    plannedHours: hoursText(t.plannedHours),
    status: t.status,
    startedAt: t.startedAt?.toISOString() ?? null,
    doneAt: t.doneAt?.toISOString() ?? null,
    notes: r.notes,
  };
}

/** pending: nothing started; done: every task done (at least one); in progress otherwise. */
function phaseStatus(tasks: Task[]): PhaseStatus {
  if (tasks.length > 0 && tasks.every((t) => t.status === 'done')) return 'done';
  return tasks.some((t) => t.status !== 'todo') ? 'in-progress' : 'pending';
}

/** Engagements in full, in the order of `ids` (the caller has checked that the reader may see them). */
async function presentEngagements(ctx: Ctx, ids: string[]): Promise<Engagement[]> {
  if (ids.length === 0) return [];
  const [rows, lines, members, phases, tasks, writable, reviews] = await Promise.all([
    ctx.db
      .select({
        ...summaryFields,
        contractNumber: contracts.number,
        templateName: engagementTemplates.name,
        departmentName: departments.name,
        salesOwnerName: salesOwners.displayName,
      })
      .from(engagements)
      .innerJoin(customers, eq(customers.id, engagements.customerId))
      .innerJoin(businessLines, eq(businessLines.id, engagements.businessLineId))
      .innerJoin(leadUsers, eq(leadUsers.id, engagements.leadId))
      .innerJoin(orders, eq(orders.id, engagements.orderId))
      .innerJoin(departments, eq(departments.id, engagements.departmentId))
      .innerJoin(salesOwners, eq(salesOwners.id, engagements.salesOwnerId))
      .leftJoin(contracts, eq(contracts.id, engagements.contractId))
      .leftJoin(engagementTemplates, eq(engagementTemplates.id, engagements.templateId))
      .where(inArray(engagements.id, ids)),
    ctx.db
      .select({
        engagementId: engagementLines.engagementId,
        orderLineId: orderLines.id,
        description: orderLines.description,
        amount: orderLines.amount,
      })
      .from(engagementLines)
      .innerJoin(orderLines, eq(orderLines.id, engagementLines.orderLineId))
      .where(inArray(engagementLines.engagementId, ids))
      .orderBy(asc(orderLines.position)),
    ctx.db
      .select({
        engagementId: engagementMembers.engagementId,
        userId: engagementMembers.userId,
        roles: engagementMembers.roles,
        name: users.displayName,
        departmentName: departments.name,
        isPracticingCpa: users.isPracticingCpa,
      })
      .from(engagementMembers)
      .innerJoin(users, eq(users.id, engagementMembers.userId))
      .leftJoin(departments, eq(departments.id, users.departmentId))
      .where(inArray(engagementMembers.engagementId, ids))
      .orderBy(asc(users.displayName), asc(users.id)),
    ctx.db
      .select()
      .from(engagementPhases)
      .where(inArray(engagementPhases.engagementId, ids))
      .orderBy(asc(engagementPhases.position)),
    selectTasks(ctx.db)
      .where(inArray(engagementTasks.engagementId, ids))
      .orderBy(asc(engagementTasks.position), asc(engagementTasks.createdAt), asc(engagementTasks.id)),
    ctx.db
      .select({ id: engagements.id, plans: sql<boolean>`${writableEngagements(ctx.actor)}` })
      .from(engagements)
      .where(and(inArray(engagements.id, ids), reviewableEngagements(ctx.actor))),
    latestApprovals(ctx.db, 'engagement-review', ids),
  ]);
  const byId = new Map(rows.map((r) => [r.e.id, r]));
  const mayChange = new Set(writable.filter((w) => w.plans).map((w) => w.id));
  const mayReview = new Set(writable.map((w) => w.id));
  const presentedTasks = tasks.map(presentTask);
  return ids.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    const e = r.e;
    const team = members.filter((m) => m.engagementId === id);
    return [
      {
        ...presentSummary(r),
        contractId: e.contractId,
        contractNumber: r.contractNumber,
        templateId: e.templateId,
        templateName: r.templateName,
        cycle: e.cycle,
        departmentId: e.departmentId,
        departmentName: r.departmentName,
        salesOwnerId: e.salesOwnerId,
        salesOwnerName: r.salesOwnerName,
        statusReason: e.statusReason,
        closedOn: e.closedOn,
        plannedHours: hoursText(e.plannedHours),
        reportNumber: e.reportNumber,
        reportIssuedOn: e.reportIssuedOn,
        // The signing CPAs of an issued report: the members holding the role (issuing it leaves only the two).
        reportSigners: e.reportNumber
          ? team.filter((m) => m.roles.includes('signing-cpa')).map((m) => ({ userId: m.userId, name: m.name }))
          : [],
        reviewStatus: reviews.get(id)?.status ?? null,
        reviewPassed: reviewPassed(e.status, reviews.get(id)?.status),
        lines: lines
          .filter((l) => l.engagementId === id)
          .map((l) => ({ orderLineId: l.orderLineId, description: l.description, amount: money(l.amount) })),
        // The lead first, then by name.
        members: [...team.filter((m) => m.userId === e.leadId), ...team.filter((m) => m.userId !== e.leadId)].map(
          (m) => ({
            userId: m.userId,
            name: m.name,
            departmentName: m.departmentName,
            roles: m.roles,
            isPracticingCpa: m.isPracticingCpa,
          }),
        ),
        phases: phases
          .filter((p) => p.engagementId === id)
          .map((p): Phase => {
            const own = presentedTasks.filter((t) => t.phaseId === p.id);
            return {
              id: p.id,
              position: p.position,
              name: p.name,
              kind: p.kind,
              status: phaseStatus(own),
              roles: p.roles,
              qualification: p.qualification,
              startsOn: p.startsOn,
              dueOn: p.dueOn,
              plannedHours: hoursText(p.plannedHours),
              tasks: own,
            };
          }),
        mayChange: mayChange.has(id),
        mayReview: mayReview.has(id),
        updatedAt: e.updatedAt.toISOString(),
      },
    ];
  });
}

/** An engagement the reader may see (404 otherwise), in full. */
export async function getEngagement(ctx: Ctx, id: string): Promise<Engagement> {
  const [row] = await ctx.db
    .select({ id: engagements.id })
    .from(engagements)
    .where(and(eq(engagements.id, id), visibleEngagements(ctx.actor)));
  if (!row) throw notFound();
  return (await presentEngagements(ctx, [id]))[0];
}

// ——— Writing ———

/** An engagement locked for planning by someone who may plan it; 403 if they only see it, 404 otherwise. */
export const lockEngagement = (
  tx: Ctx,
  id: string,
  rule: (actor: Actor) => SQL = writableEngagements,
): Promise<EngagementRow> =>
  lockedForChange(
    tx.db
      .select()
      .from(engagements)
      .where(and(eq(engagements.id, id), rule(tx.actor)))
      .for('update'),
    () =>
      tx.db
        .select({ id: engagements.id })
        .from(engagements)
        .where(and(eq(engagements.id, id), visibleEngagements(tx.actor))),
  );

/** The engagements (by id) the actor may plan, after a change of lead or department inside the transaction. */
async function assertStillWritable(tx: Ctx, ids: string[]): Promise<void> {
  const rows = await tx.db
    .select({ id: engagements.id })
    .from(engagements)
    .where(and(inArray(engagements.id, ids), writableEngagements(tx.actor)));
  if (rows.length !== ids.length)
    throw invalidInput(tx.actor.locale, [{ path: 'leadId', key: 'validation.engagementLeadScope' }]);
}

/** An active user, with their department (what an engagement led by them belongs to). */
async function leadOf(tx: Ctx, userId: string, path = 'leadId') {
  const [lead] = await tx.db
    .select({ id: users.id, departmentId: users.departmentId, active: users.active })
    .from(users)
    .where(eq(users.id, userId));
  if (!lead?.active) throw invalidInput(tx.actor.locale, [{ path, key: 'validation.memberInactive' }]);
  if (!lead.departmentId) throw invalidInput(tx.actor.locale, [{ path, key: 'validation.engagementLeadDepartment' }]);
  return { id: lead.id, departmentId: lead.departmentId };
}

type TemplateRow = typeof engagementTemplates.$inferSelect;

type PlannedTask = { title: string; role: EngagementRole; plannedHours: string | null };
type PlannedPhase = Omit<TemplatePhase, 'tasks'> & {
  startsOn: string;
  dueOn: string;
  plannedHours: bigint | null;
  tasks: PlannedTask[];
};

/** The template's phases one after another from `startsOn`: phase i starts when phase i−1 is due. */
export function planPhases(phases: TemplatePhase[], startsOn: string): PlannedPhase[] {
  let start = startsOn;
  return phases.map((p) => {
    const dueOn = addDays(start, p.durationDays);
    // Read defensively: the JSON document may leave out what has a default.
    const tasks = (p.tasks ?? []).map((t) => ({ title: t.title, role: t.role, plannedHours: t.plannedHours ?? null }));
    const hours = tasks.flatMap((t) => (t.plannedHours === null ? [] : [toHundredths(t.plannedHours)]));
    const planned: PlannedPhase = {
      name: p.name,
      kind: p.kind ?? 'work',
      durationDays: p.durationDays,
      roles: p.roles ?? [],
      qualification: p.qualification ?? null,
      tasks,
      startsOn: start,
      dueOn,
      plannedHours: hours.length ? hours.reduce((a, b) => a + b, 0n) : null,
    };
    start = dueOn;
    return planned;
  });
}

/**
 * Engagements from a confirmed order the actor may see: the chosen lines (default: every line not yet in an
 * engagement), one per line or one for all (merge). Each is made from the template given or its business line's
 * active one, led by `leadId` (on the team as 项目经理) and belonging to the lead's department — which the actor
 * must be able to plan (else 400 on leadId). A line already in an engagement is ORDER_LINE_TAKEN, also when two
 * people make it at once (the unique index on the line decides).
 */
export async function createEngagements(
  ctx: Ctx,
  input: z.output<typeof EngagementCreate>,
): Promise<{ items: Engagement[] }> {
  let ids: string[];
  try {
    ids = await inTransaction(ctx, (tx) => makeEngagements(tx, input));
  } catch (error) {
    if (isUniqueViolation(error, 'engagement_lines_line_key')) throw new AppError('ORDER_LINE_TAKEN');
    throw error;
  }
  return { items: await presentEngagements(ctx, ids) };
}

/**
 * When an engagement is due: a run-once one when its last phase is; a monthly one (代理记账) runs for the term of the
 * service — to its contract's end date, else a year from its start — so the daily job adds its months until then.
 */
function dueOnOf(cycle: string, lastPhaseDue: string, startsOn: string, contractEndOn: string | null): string {
  if (cycle !== 'monthly') return lastPhaseDue;
  if (contractEndOn && contractEndOn >= lastPhaseDue) return contractEndOn;
  const [y, m, d] = startsOn.split('-').map(Number);
  return addDays(new Date(Date.UTC(y + 1, m - 1, d)).toISOString().slice(0, 10), -1);
}

async function makeEngagements(tx: Ctx, input: z.output<typeof EngagementCreate>): Promise<string[]> {
  const locale = tx.actor.locale;
  // Shared: the order cannot be cancelled or completed meanwhile; two makers at once meet at the line's unique index.
  const [found] = await tx.db
    .select({ o: orders, customerName: customers.name, contractEndOn: contracts.endOn })
    .from(orders)
    .innerJoin(customers, eq(customers.id, orders.customerId))
    .leftJoin(contracts, eq(contracts.id, orders.contractId))
    .where(and(eq(orders.id, input.orderId), visibleOrders(tx.actor)))
    .for('share', { of: orders });
  if (!found) throw notFound();
  const order = found.o;
  if (order.status !== 'confirmed') throw new AppError('ORDER_NOT_CONFIRMED');

  const lines = await tx.db
    .select({
      id: orderLines.id,
      businessLineId: orderLines.businessLineId,
      businessLineName: businessLines.name,
      description: orderLines.description,
      amount: orderLines.amount,
    })
    .from(orderLines)
    .innerJoin(businessLines, eq(businessLines.id, orderLines.businessLineId))
    .where(eq(orderLines.orderId, order.id))
    .orderBy(asc(orderLines.position));
  const taken = new Set(
    lines.length
      ? (
          await tx.db
            .select({ id: engagementLines.orderLineId })
            .from(engagementLines)
            .where(
              inArray(
                engagementLines.orderLineId,
                lines.map((l) => l.id),
              ),
            )
        ).map((r) => r.id)
      : [],
  );
  let chosen: typeof lines;
  if (input.lineIds) {
    const issues: InputIssue[] = input.lineIds.flatMap((id, i) =>
      lines.some((l) => l.id === id) ? [] : [{ path: `lineIds.${i}`, key: 'validation.orderLineUnknown' as const }],
    );
    if (issues.length) throw invalidInput(locale, issues);
    const wanted = new Set(input.lineIds);
    chosen = lines.filter((l) => wanted.has(l.id));
    if (chosen.some((l) => taken.has(l.id))) throw new AppError('ORDER_LINE_TAKEN');
  } else {
    chosen = lines.filter((l) => !taken.has(l.id));
    if (chosen.length === 0) throw new AppError('ORDER_LINE_TAKEN');
  }

  const lead = await leadOf(tx, input.leadId);
  const startsOn = input.startsOn ?? today();
  const groups = input.merge ? [chosen] : chosen.map((l) => [l]);

  // The template of each engagement: the one given (active, of its business line) or the line's active one.
  const given = input.templateId
    ? (await tx.db.select().from(engagementTemplates).where(eq(engagementTemplates.id, input.templateId)))[0]
    : undefined;
  const activeByLine = new Map<string, TemplateRow | undefined>();
  const templates: TemplateRow[] = [];
  for (const group of groups) {
    const line = group[0];
    if (input.templateId) {
      if (!given || !given.active || given.businessLineId !== line.businessLineId)
        throw invalidInput(locale, [{ path: 'templateId', key: 'validation.templateOtherLine' }]);
      templates.push(given);
      continue;
    }
    if (!activeByLine.has(line.businessLineId))
      activeByLine.set(line.businessLineId, (await activeTemplateFor(tx.db, line.businessLineId)) ?? undefined);
    const template = activeByLine.get(line.businessLineId);
    if (!template) throw new AppError('ENGAGEMENT_TEMPLATE_REQUIRED', { line: line.businessLineName });
    templates.push(template);
  }

  const ids: string[] = [];
  for (const [i, group] of groups.entries()) {
    const template = templates[i];
    const what = group.length > 1 ? order.title : group[0].description;
    const title = `${found.customerName} · ${what}`.slice(0, 200);
    const amount = fromHundredths(group.reduce((sum, l) => sum + toHundredths(l.amount), 0n));
    const phases = planPhases(template.phases, startsOn);
    const taskHours = phases.flatMap((p) => (p.plannedHours === null ? [] : [p.plannedHours]));
    const [row] = await tx.db
      .insert(engagements)
      .values({
        title,
        customerId: order.customerId,
        contractId: order.contractId,
        orderId: order.id,
        businessLineId: group[0].businessLineId,
        templateId: template.id,
        cycle: template.cycle,
        amount,
        leadId: lead.id,
        departmentId: lead.departmentId,
        salesOwnerId: order.ownerId,
        startsOn,
        dueOn: dueOnOf(template.cycle, phases.at(-1)?.dueOn ?? startsOn, startsOn, found.contractEndOn),
        plannedHours: taskHours.length ? fromHundredths(taskHours.reduce((a, b) => a + b, 0n)) : null,
        createdBy: tx.actor.id,
        updatedBy: tx.actor.id,
      })
      .returning();
    // The lead's department is the engagement's: the actor must be able to plan it (their own, or a department
    // they manage, or any with scope all).
    if (i === 0) await assertStillWritable(tx, [row.id]);
    await tx.db.insert(engagementLines).values(group.map((l) => ({ engagementId: row.id, orderLineId: l.id })));
    await tx.db.insert(engagementMembers).values({ engagementId: row.id, userId: lead.id, roles: ['manager'] });
    // A monthly cycle (代理记账) starts with the phases of its first month; later months come from cycles.service.ts.
    const phaseRows = phases.length
      ? await tx.db
          .insert(engagementPhases)
          .values(
            phases.map((p, position) => ({
              engagementId: row.id,
              position: position + 1,
              name: p.name,
              kind: p.kind,
              roles: p.roles,
              qualification: p.qualification,
              startsOn: p.startsOn,
              dueOn: p.dueOn,
              plannedHours: p.plannedHours === null ? null : fromHundredths(p.plannedHours),
            })),
          )
          .returning({ id: engagementPhases.id, position: engagementPhases.position })
      : [];
    const phaseIdAt = new Map(phaseRows.map((p) => [p.position, p.id]));
    const tasks = phases.flatMap((p, index) =>
      p.tasks.map((t, position) => ({
        engagementId: row.id,
        phaseId: phaseIdAt.get(index + 1)!,
        position: position + 1,
        title: t.title,
        role: t.role,
        startsOn: p.startsOn,
        dueOn: p.dueOn,
        plannedHours: t.plannedHours,
        createdBy: tx.actor.id,
        updatedBy: tx.actor.id,
      })),
    );
    if (tasks.length) await tx.db.insert(engagementTasks).values(tasks);
    await recordAudit(tx, {
      action: 'create',
      entityType: 'engagement',
      entityId: row.id,
      after: {
        ...row,
        orderLineIds: group.map((l) => l.id),
        templateName: template.name,
        phases: phases.map((p) => ({ name: p.name, startsOn: p.startsOn, dueOn: p.dueOn, tasks: p.tasks.length })),
      },
    });
    if (lead.id !== tx.actor.id)
      await notify(tx, [
        {
          userId: lead.id,
          kind: 'engagement-lead',
          params: { title },
          entityType: 'engagement',
          entityId: row.id,
        },
      ]);
    ids.push(row.id);
  }
  return ids;
}

/** Title, lead (a member of the team), due date and planned hours, while the engagement is not over. */
export async function updateEngagement(
  ctx: Ctx,
  id: string,
  p: z.output<typeof EngagementUpdate>,
): Promise<Engagement> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockEngagement(tx, id);
    if (ENDED.includes(before.status)) throw engagementStatusError(before.status);
    let departmentId = before.departmentId;
    if (p.leadId && p.leadId !== before.leadId) {
      const [member] = await tx.db
        .select({ userId: engagementMembers.userId })
        .from(engagementMembers)
        .where(and(eq(engagementMembers.engagementId, id), eq(engagementMembers.userId, p.leadId)));
      if (!member) throw invalidInput(tx.actor.locale, [{ path: 'leadId', key: 'validation.engagementLead' }]);
      departmentId = (await leadOf(tx, p.leadId)).departmentId;
    }
    const dueOn = p.dueOn === undefined ? before.dueOn : p.dueOn;
    if (dueOn && before.startsOn && dueOn < before.startsOn)
      throw invalidInput(tx.actor.locale, [{ path: 'dueOn', key: 'validation.dueBeforeStart' }]);
    const [after] = await tx.db
      .update(engagements)
      .set({
        title: p.title ?? before.title,
        leadId: p.leadId ?? before.leadId,
        departmentId,
        dueOn,
        plannedHours: p.plannedHours === undefined ? before.plannedHours : p.plannedHours,
        updatedAt: new Date(),
        updatedBy: tx.actor.id,
      })
      .where(eq(engagements.id, id))
      .returning();
    if (after.leadId !== before.leadId) {
      // Handing over: the actor must still be able to plan it (as when making one).
      await assertStillWritable(tx, [id]);
      if (after.leadId !== tx.actor.id)
        await notify(tx, [
          {
            userId: after.leadId,
            kind: 'engagement-lead',
            params: { title: after.title },
            entityType: 'engagement',
            entityId: id,
          },
        ]);
    }
    await recordAudit(tx, { action: 'update', entityType: 'engagement', entityId: id, before, after });
  });
  return getEngagement(ctx, id);
}

/** Cancels an engagement in progress, with a reason (its order lines stay with it). */
export async function cancelEngagement(ctx: Ctx, id: string, reason: string): Promise<Engagement> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockEngagement(tx, id);
    if (before.status !== 'in-progress') throw engagementStatusError(before.status);
    await tx.db
      .update(engagements)
      .set({ status: 'cancelled', statusReason: reason, updatedAt: new Date(), updatedBy: tx.actor.id })
      .where(eq(engagements.id, id));
    await recordAudit(tx, {
      action: 'cancel',
      entityType: 'engagement',
      entityId: id,
      before,
      after: { status: 'cancelled', statusReason: reason },
    });
  });
  return getEngagement(ctx, id);
}

/**
 * The whole team at once (人员安排): active people, each with their roles; the lead stays on it; someone still
 * assigned an open work order cannot be taken off (reassign first). The newly added hear of it.
 */
export async function setMembers(ctx: Ctx, id: string, input: z.output<typeof MembersInput>): Promise<Engagement> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockEngagement(tx, id);
    if (ENDED.includes(before.status)) throw engagementStatusError(before.status);
    const locale = tx.actor.locale;
    // One entry per person (roles of repeated entries joined), in the order given.
    const team = new Map<string, Set<EngagementRole>>();
    for (const m of input.members) {
      const roles = team.get(m.userId) ?? new Set<EngagementRole>();
      for (const role of m.roles) roles.add(role);
      team.set(m.userId, roles);
    }
    if (!team.has(before.leadId)) throw invalidInput(locale, [{ path: 'members', key: 'validation.engagementLead' }]);
    const userIds = [...team.keys()];
    const active = new Set(
      (
        await tx.db
          .select({ id: users.id })
          .from(users)
          .where(and(inArray(users.id, userIds), eq(users.active, true)))
      ).map((u) => u.id),
    );
    const inactive: InputIssue[] = input.members.flatMap((m, i) =>
      active.has(m.userId) ? [] : [{ path: `members.${i}.userId`, key: 'validation.memberInactive' as const }],
    );
    if (inactive.length) throw invalidInput(locale, inactive);

    const previous = await tx.db
      .select({ userId: engagementMembers.userId, roles: engagementMembers.roles })
      .from(engagementMembers)
      .where(eq(engagementMembers.engagementId, id));
    const removed = previous.map((m) => m.userId).filter((u) => !team.has(u));
    if (removed.length) {
      const [busy] = await tx.db
        .select({ name: users.displayName })
        .from(engagementTasks)
        .innerJoin(users, eq(users.id, engagementTasks.assigneeId))
        .where(
          and(
            eq(engagementTasks.engagementId, id),
            inArray(engagementTasks.assigneeId, removed),
            notInArray(engagementTasks.status, ['done']),
          ),
        )
        .orderBy(asc(users.displayName))
        .limit(1);
      if (busy)
        throw invalidInput(locale, [
          { path: 'members', key: 'validation.memberHasOpenTasks', params: { name: busy.name } },
        ]);
    }
    // The report's two signing CPAs are who hold the role once it is issued: they stay, and no one else is added.
    if (before.reportNumber) {
      const signers = (list: { userId: string; roles: EngagementRole[] }[]) =>
        list
          .filter((m) => m.roles.includes('signing-cpa'))
          .map((m) => m.userId)
          .sort()
          .join();
      const now = [...team].map(([userId, roles]) => ({ userId, roles: [...roles] }));
      if (signers(previous) !== signers(now))
        throw invalidInput(locale, [{ path: 'members', key: 'validation.reportSignersFixed' }]);
    }
    await tx.db.delete(engagementMembers).where(eq(engagementMembers.engagementId, id));
    const after = userIds.map((userId) => ({ engagementId: id, userId, roles: [...team.get(userId)!] }));
    await tx.db.insert(engagementMembers).values(after);
    await tx.db
      .update(engagements)
      .set({ updatedAt: new Date(), updatedBy: tx.actor.id })
      .where(eq(engagements.id, id));
    await recordAudit(tx, {
      action: 'update',
      entityType: 'engagement',
      entityId: id,
      before: { members: previous },
      after: { members: after.map(({ userId, roles }) => ({ userId, roles })) },
    });
    const added = userIds.filter((u) => u !== tx.actor.id && !previous.some((m) => m.userId === u));
    await notify(
      tx,
      added.map((userId) => ({
        userId,
        kind: 'engagement-member' as const,
        params: { title: before.title },
        entityType: 'engagement',
        entityId: id,
      })),
    );
  });
  return getEngagement(ctx, id);
}

/** The qualification a role itself needs: a signing CPA 签字注册会计师, an appraiser 评估师, a cost engineer 造价工程师. */
const ROLE_QUALIFICATION: Partial<Record<EngagementRole, Qualification>> = {
  'signing-cpa': 'cpa',
  appraiser: 'asset-appraiser',
  'cost-engineer': 'cost-engineer',
};

/**
 * Whether a person is qualified for the role and the phase's qualification: holding a valid (not expired today)
 * qualification of each kind asked for — the people records 人员档案 (server/domains/people) —, a CPA also
 * practising 执业 (the staff record's flag). `held`: the kinds asked for that the person holds so. null: nothing is
 * asked, everyone is.
 */
function qualifiedFor(
  role: EngagementRole,
  qualification: Qualification | null,
): { qualified: SQL<boolean>; held: SQL<Qualification[]> } | null {
  const needed = [...new Set([ROLE_QUALIFICATION[role], qualification])].filter((k): k is Qualification => !!k);
  if (needed.length === 0) return null;
  const day = today();
  return {
    qualified: sql<boolean>`(${and(...needed.map((kind) => holdsValidQualification(kind, day)))})`,
    held: validQualificationsOf(needed, day),
  };
}

/** Open work orders of a person across engagements not over. */
const openTasksOf = sql<number>`(SELECT count(*)::int FROM ${engagementTasks} t
  JOIN ${engagements} x ON x.id = t.engagement_id
  WHERE t.assignee_id = ${outer(users.id)} AND t.status <> 'done' AND x.status NOT IN ('closed', 'cancelled'))`.mapWith(
  Number,
);

/**
 * Who could fill a role on the engagement (for those who may staff it): active people, the qualified first, then
 * those with the engagement's business line, then the least loaded, by name; twenty of them.
 */
export async function staffingSuggestions(
  ctx: Ctx,
  id: string,
  query: z.output<typeof StaffingQuery>,
): Promise<z.infer<typeof StaffingSuggestions>> {
  const engagement = await lockedForChange(
    ctx.db
      .select({ id: engagements.id, businessLineId: engagements.businessLineId })
      .from(engagements)
      .where(and(eq(engagements.id, id), writableEngagements(ctx.actor))),
    () =>
      ctx.db
        .select({ id: engagements.id })
        .from(engagements)
        .where(and(eq(engagements.id, id), visibleEngagements(ctx.actor))),
  );
  let qualification: Qualification | null = null;
  if (query.phaseId) {
    const [phase] = await ctx.db
      .select({ qualification: engagementPhases.qualification })
      .from(engagementPhases)
      .where(and(eq(engagementPhases.id, query.phaseId), eq(engagementPhases.engagementId, id)));
    if (!phase) throw invalidInput(ctx.actor.locale, [{ path: 'phaseId', key: 'validation.invalid' }]);
    qualification = phase.qualification;
  }
  const needs = qualifiedFor(query.role, qualification);
  const qualified = needs?.qualified ?? null;
  const sameLine = exists(
    sql`(SELECT 1 FROM ${userBusinessLines} WHERE ${and(eq(userBusinessLines.userId, outer(users.id)), eq(userBusinessLines.businessLineId, engagement.businessLineId))})`,
  );
  const rows = await ctx.db
    .select({
      userId: users.id,
      name: users.displayName,
      departmentName: departments.name,
      isPracticingCpa: users.isPracticingCpa,
      sameLine: sql<boolean>`${sameLine}`,
      openTasks: openTasksOf,
      qualified: qualified ?? sql<boolean>`true`,
      qualifications: needs?.held ?? sql<Qualification[]>`ARRAY[]::text[]`,
    })
    .from(users)
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .where(eq(users.active, true))
    .orderBy(
      ...(qualified ? [desc(qualified)] : []),
      desc(sameLine),
      asc(openTasksOf),
      asc(users.displayName),
      asc(users.id),
    )
    .limit(20);
  return { items: rows };
}
