import { aliasedTable, and, asc, count, eq, gte, inArray, isNull, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Page } from '../../../common/schemas/common';
import {
  convertedOpportunityName,
  LEAD_TRANSITIONS,
  type Lead,
  type LeadAssign,
  type LeadConvert,
  type LeadConverted,
  type LeadCreate,
  type LeadHistory,
  type LeadListQuery,
  type LeadStatus,
  type LeadStatusChange,
  type LeadUpdate,
} from '../../../common/schemas/leads';
import { inTransaction, type Ctx } from '../../context';
import { leadStatusEntered } from './status-entry';
import type { Db } from '../../db/client';
import { AppError, forbidden, inactiveReference, invalidInput, notFound } from '../../errors';
import { offsetOf, orderFrom, outer, pageWithTotal } from '../../lib/listing';
import { textMatches } from '../../lib/search';
import { addDays, FIRM_TIME_ZONE, zonedInstant } from '../../lib/time';
import { searchTextOf } from '../../lib/search-text';
import { can, departmentSubtree } from '../../policy';
import { recordAudit } from '../audit/audit.service';
import { assertCampaignOpen } from '../campaigns/campaigns.service';
import { campaigns } from '../campaigns/campaigns.tables';
import { createContact } from '../customers/contacts.service';
import { visibleCustomers } from '../customers/customers.policy';
import { createCustomer } from '../customers/customers.service';
import { contacts, customers } from '../customers/customers.tables';
import { findDuplicates, recordDisclosures, type Disclosure } from '../customers/duplicates.service';
import { notify } from '../notifications/notifications.service';
import { insertOpportunity } from '../opportunities/opportunities.service';
import { opportunities } from '../opportunities/opportunities.tables';
import { assertActiveReferences } from '../staff/reference.service';
import { businessLines, departments, regions, users } from '../staff/staff.tables';
import { chooseAssignee } from './assignment-rules.service';
import { assignableLeads, visibleLeads, writableLeads } from './leads.policy';
import { leadAssignments, leadStatusChanges, leads } from './leads.tables';

const owners = aliasedTable(users, 'owners');
const queues = aliasedTable(departments, 'queues');

function selectLeads(db: Db) {
  return db
    .select({
      lead: leads,
      campaignName: campaigns.name,
      businessLineName: businessLines.name,
      regionName: regions.name,
      ownerName: owners.displayName,
      queueDepartmentName: queues.name,
      assignedByRule: sql<
        string | null
      >`(SELECT ${leadAssignments.ruleName} FROM ${leadAssignments} WHERE ${leadAssignments.leadId} = ${outer(leads.id)} ORDER BY ${leadAssignments.at} DESC, ${leadAssignments.id} DESC LIMIT 1)`,
    })
    .from(leads)
    .leftJoin(campaigns, eq(campaigns.id, leads.campaignId))
    .leftJoin(businessLines, eq(businessLines.id, leads.businessLineId))
    .leftJoin(regions, eq(regions.id, leads.regionId))
    .leftJoin(owners, eq(owners.id, leads.ownerId))
    .leftJoin(queues, eq(queues.id, leads.queueDepartmentId))
    .$dynamic();
}
type Joined = Awaited<ReturnType<ReturnType<typeof selectLeads>['execute']>>[number];

function present(r: Joined): Lead {
  const l = r.lead;
  return {
    id: l.id,
    companyName: l.companyName,
    contactName: l.contactName,
    contactTitle: l.contactTitle,
    phone: l.phone,
    email: l.email,
    wechat: l.wechat,
    campaignId: l.campaignId,
    campaignName: r.campaignName,
    businessLineId: l.businessLineId,
    businessLineName: r.businessLineName,
    regionId: l.regionId,
    regionName: r.regionName,
    source: l.source,
    status: l.status,
    disqualifyReason: l.disqualifyReason,
    notes: l.notes,
    ownerId: l.ownerId,
    ownerName: r.ownerName,
    queueDepartmentId: l.queueDepartmentId,
    queueDepartmentName: r.queueDepartmentName,
    assignedAt: l.assignedAt?.toISOString() ?? null,
    assignedByRule: r.assignedByRule,
    customerId: l.customerId,
    opportunityId: l.opportunityId,
    convertedAt: l.convertedAt?.toISOString() ?? null,
    createdAt: l.createdAt.toISOString(),
    updatedAt: l.updatedAt.toISOString(),
  };
}

const leadSearchText = (l: {
  companyName: string;
  contactName?: string | null;
  email?: string | null;
  wechat?: string | null;
  phone?: string | null;
}) => searchTextOf([l.companyName, l.contactName, l.email, l.wechat], l.phone ? [l.phone] : []);

export async function findLeads(ctx: Ctx, query: LeadListQuery): Promise<Page<Lead>> {
  const filters: (SQL | undefined)[] = [visibleLeads(ctx.actor)];
  if (query.view === 'mine') filters.push(eq(leads.ownerId, ctx.actor.id));
  if (query.view === 'team') {
    const subtree = ctx.actor.departmentPath ? departmentSubtree(ctx.actor.departmentPath) : null;
    filters.push(
      subtree
        ? or(
            inArray(leads.ownerId, sql`(SELECT ${users.id} FROM ${users} WHERE ${users.departmentId} IN ${subtree})`),
            inArray(leads.queueDepartmentId, subtree),
          )
        : eq(leads.ownerId, ctx.actor.id),
    );
  }
  if (query.view === 'queue')
    filters.push(isNull(leads.ownerId), inArray(leads.status, ['new', 'contacting', 'qualified']));
  if (query.q) filters.push(textMatches(leads, query.q));
  if (query.status) filters.push(eq(leads.status, query.status));
  if (query.campaignId) filters.push(eq(leads.campaignId, query.campaignId));
  if (query.businessLineId) filters.push(eq(leads.businessLineId, query.businessLineId));
  if (query.regionId) filters.push(eq(leads.regionId, query.regionId));
  if (query.ownerId) filters.push(eq(leads.ownerId, query.ownerId));
  filters.push(...reportFilters(query));
  const where = and(...filters);
  const order = orderFrom(
    query.sort,
    { createdAt: leads.createdAt, companyName: leads.companyName, assignedAt: leads.assignedAt },
    '-createdAt',
    leads.id,
  );
  const { rows, total } = await pageWithTotal(
    query,
    selectLeads(ctx.db)
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () => ctx.db.select({ total: count() }).from(leads).where(where),
  );
  return { items: rows.map(present), total, page: query.page, pageSize: query.pageSize };
}

// ---------- the reports' drill-down (lead conversion) ----------

/** A lead's branch: its assignee's (none while it waits in a queue). */
export const leadBranchId = sql`(SELECT ${users.branchId} FROM ${users} WHERE ${users.id} = ${outer(leads.ownerId)})`;
/** A lead's department: its assignee's, or the queue's while it waits in one (as its visibility reads it). */
export const leadDepartmentId = sql`coalesce((SELECT ${users.departmentId} FROM ${users} WHERE ${users.id} = ${outer(leads.ownerId)}), ${outer(leads.queueDepartmentId)})`;
/** The lead became an opportunity, and that opportunity is won. */
export const leadWon = sql`EXISTS (SELECT 1 FROM ${opportunities} WHERE ${opportunities.id} = ${outer(leads.opportunityId)} AND ${opportunities.status} = 'won')`;

/** Created in a range of the firm's local dates (both included); source; branch; department subtree; converted; won. */
function reportFilters(query: LeadListQuery): SQL[] {
  const filters: SQL[] = [];
  if (query.createdFrom)
    filters.push(gte(leads.createdAt, zonedInstant(query.createdFrom, { hour: 0 }, FIRM_TIME_ZONE)));
  if (query.createdTo)
    filters.push(lt(leads.createdAt, zonedInstant(addDays(query.createdTo, 1), { hour: 0 }, FIRM_TIME_ZONE)));
  if (query.source) filters.push(eq(leads.source, query.source));
  if (query.branchId) filters.push(sql`${leadBranchId} = ${query.branchId}`);
  if (query.departmentId)
    filters.push(sql`${leadDepartmentId} IN (SELECT ${departments.id} FROM ${departments} WHERE ${departments.path} LIKE
      (SELECT d.path || '%' FROM ${departments} d WHERE d.id = ${query.departmentId}))`);
  if (query.converted)
    filters.push(query.converted === 'true' ? eq(leads.status, 'converted') : ne(leads.status, 'converted'));
  if (query.won) filters.push(query.won === 'true' ? leadWon : sql`NOT ${leadWon}`);
  return filters;
}

export async function getLead(ctx: Ctx, id: string): Promise<Lead> {
  const [row] = await selectLeads(ctx.db).where(and(eq(leads.id, id), visibleLeads(ctx.actor)));
  if (!row) throw notFound();
  return present(row);
}

/** The lead row locked for a change the actor may make (NOT_FOUND when invisible, FORBIDDEN when visible but not in scope). */
async function lockLead(ctx: Ctx, id: string, scope: (actor: Ctx['actor']) => SQL) {
  const [found] = await ctx.db
    .select({ row: leads, allowed: sql<boolean>`${scope(ctx.actor)}` })
    .from(leads)
    .where(and(eq(leads.id, id), visibleLeads(ctx.actor)))
    .for('update');
  if (!found) throw notFound();
  if (!found.allowed) throw forbidden();
  return found.row;
}

async function assertLeadReferences(
  db: Db,
  input: { campaignId?: string | null; businessLineId?: string | null; regionId?: string | null },
) {
  await assertActiveReferences(db, 'businessLine', [input.businessLineId]);
  await assertActiveReferences(db, 'region', [input.regionId]);
  await assertCampaignOpen(db, input.campaignId);
}

/** May the actor give a lead to `userId`? Themselves always (with leads:write); others with leads:assign over that person's department. */
async function assertCanAssignTo(ctx: Ctx, userId: string) {
  const [target] = await ctx.db
    .select({ active: users.active, departmentId: users.departmentId, path: departments.path })
    .from(users)
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .where(eq(users.id, userId));
  if (!target?.active) throw inactiveReference('field.owner');
  if (userId === ctx.actor.id) return;
  if (can(ctx.actor, 'leads:assign', 'all')) return;
  if (
    can(ctx.actor, 'leads:assign', 'department') &&
    ctx.actor.departmentPath &&
    target.path?.startsWith(ctx.actor.departmentPath)
  )
    return;
  throw forbidden();
}

type Assignment = {
  toUserId: string | null;
  queueDepartmentId: string | null;
  rule?: { id: string; name: string; strategy: 'round-robin' | 'least-open' } | null;
  reason?: string | null;
  fromUserId?: string | null;
  byUserId: string | null;
};

async function recordAssignment(ctx: Ctx, lead: { id: string; companyName: string }, a: Assignment) {
  await ctx.db.insert(leadAssignments).values({
    leadId: lead.id,
    fromUserId: a.fromUserId ?? null,
    toUserId: a.toUserId,
    queueDepartmentId: a.toUserId ? null : a.queueDepartmentId,
    ruleId: a.rule?.id ?? null,
    ruleName: a.rule?.name ?? null,
    strategy: a.rule?.strategy ?? null,
    reason: a.reason ?? null,
    byUserId: a.byUserId,
    at: sql`clock_timestamp()`,
  });
  if (a.toUserId && a.toUserId !== ctx.actor.id) {
    await notify(ctx, [
      {
        userId: a.toUserId,
        kind: 'lead-assigned',
        params: { company: lead.companyName, rule: a.rule?.name ?? null },
        entityType: 'lead',
        entityId: lead.id,
      },
    ]);
  }
  // A lead waiting in a queue: its department's manager is told, to hand it out.
  if (!a.toUserId && a.queueDepartmentId) {
    const [queue] = await ctx.db
      .select({ managerId: departments.managerId, name: departments.name })
      .from(departments)
      .where(eq(departments.id, a.queueDepartmentId));
    if (queue?.managerId && queue.managerId !== ctx.actor.id) {
      await notify(ctx, [
        {
          userId: queue.managerId,
          kind: 'lead-queued',
          params: { company: lead.companyName, queue: queue.name },
          entityType: 'lead',
          entityId: lead.id,
        },
      ]);
    }
  }
}

async function recordStatus(ctx: Ctx, leadId: string, from: LeadStatus | null, to: LeadStatus, reason?: string | null) {
  const [entry] = await ctx.db
    .insert(leadStatusChanges)
    .values({
      leadId,
      fromStatus: from,
      toStatus: to,
      reason: reason ?? null,
      byUserId: ctx.actor.id,
      at: sql`clock_timestamp()`,
    })
    .returning({ id: leadStatusChanges.id });
  // A status entered: what other domains do then (playbooks schedule their activities), in this transaction.
  await leadStatusEntered(ctx, { leadId, status: to, entryId: entry.id });
}

/**
 * A new lead: given to `ownerId` when the creator chose someone, otherwise to whoever the
 * assignment rules pick (recording which rule) or to a queue. The assignee is notified.
 */
export async function createLead(ctx: Ctx, input: LeadCreate): Promise<Lead> {
  if (!can(ctx.actor, 'leads:write')) throw forbidden();
  return inTransaction(ctx, async (tx) => {
    await assertLeadReferences(tx.db, input);
    const { ownerId: chosen, ...fields } = input;
    let assignment: Assignment;
    if (chosen) {
      await assertCanAssignTo(tx, chosen);
      assignment = { toUserId: chosen, queueDepartmentId: null, byUserId: tx.actor.id };
    } else {
      const auto = await chooseAssignee(
        tx.db,
        {
          businessLineId: input.businessLineId ?? null,
          regionId: input.regionId ?? null,
          source: input.source ?? null,
        },
        tx.actor.departmentId,
      );
      assignment = {
        toUserId: auto.ownerId,
        queueDepartmentId: auto.queueDepartmentId,
        rule: auto.rule,
        byUserId: null,
      };
    }
    const [row] = await tx.db
      .insert(leads)
      .values({
        ...fields,
        ownerId: assignment.toUserId,
        queueDepartmentId: assignment.toUserId ? null : assignment.queueDepartmentId,
        assignedAt: assignment.toUserId ? sql`clock_timestamp()` : null,
        searchText: leadSearchText(input),
        createdBy: tx.actor.id,
      })
      .returning();
    await recordStatus(tx, row.id, null, 'new');
    await recordAssignment(tx, row, assignment);
    const [joined] = await selectLeads(tx.db).where(eq(leads.id, row.id));
    const after = present(joined);
    await recordAudit(tx, { action: 'create', entityType: 'lead', entityId: row.id, after });
    return after;
  });
}

export async function updateLead(ctx: Ctx, id: string, patch: LeadUpdate): Promise<Lead> {
  return inTransaction(ctx, async (tx) => {
    const before = await lockLead(tx, id, writableLeads);
    if (before.status === 'converted') throw new AppError('LEAD_ALREADY_CONVERTED');
    await assertLeadReferences(tx.db, patch);
    const merged = { ...before, ...patch };
    await tx.db
      .update(leads)
      .set({ ...patch, searchText: leadSearchText(merged), updatedAt: new Date() })
      .where(eq(leads.id, id));
    const after = await getLead(tx, id);
    await recordAudit(tx, { action: 'update', entityType: 'lead', entityId: id, before, after });
    return after;
  });
}

/** new → contacting → qualified / disqualified (with a reason); a disqualified lead can be picked up again. Every change is history. */
export async function changeLeadStatus(ctx: Ctx, id: string, input: LeadStatusChange): Promise<Lead> {
  return inTransaction(ctx, async (tx) => {
    const before = await lockLead(tx, id, writableLeads);
    if (before.status === input.status) return getLead(tx, id);
    if (before.status === 'converted') throw new AppError('LEAD_ALREADY_CONVERTED');
    if (!LEAD_TRANSITIONS[before.status].includes(input.status)) {
      throw new AppError(
        'LEAD_STATUS_INVALID',
        { fromKey: `leadStatus.${before.status}`, toKey: `leadStatus.${input.status}` },
        { from: before.status, to: input.status },
      );
    }
    const reason = input.reason ?? null;
    if (input.status === 'disqualified' && !reason) throw new AppError('REASON_REQUIRED', {}, { field: 'reason' });
    await tx.db
      .update(leads)
      .set({
        status: input.status,
        disqualifyReason: input.status === 'disqualified' ? reason : null,
        updatedAt: new Date(),
      })
      .where(eq(leads.id, id));
    await recordStatus(tx, id, before.status, input.status, reason);
    const after = await getLead(tx, id);
    await recordAudit(tx, {
      action: 'status',
      entityType: 'lead',
      entityId: id,
      before: { status: before.status },
      after: { status: after.status, reason },
    });
    return after;
  });
}

/** A manager gives a lead to someone (or back to a queue); recorded with who did it and why, and the new assignee is notified. */
export async function assignLead(ctx: Ctx, id: string, input: LeadAssign): Promise<Lead> {
  return inTransaction(ctx, async (tx) => {
    const before = await lockLead(tx, id, assignableLeads);
    if (before.status === 'converted') throw new AppError('LEAD_ALREADY_CONVERTED');
    let queueDepartmentId: string | null = null;
    if (input.ownerId) {
      if (input.ownerId === before.ownerId) return getLead(tx, id);
      await assertCanAssignTo(tx, input.ownerId);
    } else {
      queueDepartmentId = input.queueDepartmentId ?? before.queueDepartmentId ?? tx.actor.departmentId;
      if (queueDepartmentId) {
        const [d] = await tx.db
          .select({ active: departments.active, path: departments.path })
          .from(departments)
          .where(eq(departments.id, queueDepartmentId));
        if (!d?.active) throw inactiveReference('field.department');
        if (
          !can(tx.actor, 'leads:assign', 'all') &&
          !(tx.actor.departmentPath && d.path.startsWith(tx.actor.departmentPath))
        )
          throw forbidden();
      }
    }
    await tx.db
      .update(leads)
      .set({
        ownerId: input.ownerId,
        queueDepartmentId,
        assignedAt: input.ownerId ? sql`clock_timestamp()` : null,
        updatedAt: new Date(),
      })
      .where(eq(leads.id, id));
    await recordAssignment(tx, before, {
      fromUserId: before.ownerId,
      toUserId: input.ownerId,
      queueDepartmentId,
      reason: input.reason,
      byUserId: tx.actor.id,
    });
    const after = await getLead(tx, id);
    await recordAudit(tx, {
      action: 'assign',
      entityType: 'lead',
      entityId: id,
      before: { ownerId: before.ownerId, queueDepartmentId: before.queueDepartmentId },
      after: { ownerId: after.ownerId, queueDepartmentId: after.queueDepartmentId, reason: input.reason ?? null },
    });
    return after;
  });
}

/**
 * A qualified lead becomes an opportunity, atomically: the lead row is locked first, so a second
 * conversion (another browser, a double click) waits and then fails with LEAD_ALREADY_CONVERTED.
 * The customer is linked (if visible) or created from the lead after the duplicate check; the
 * contact is linked or created; the opportunity keeps the lead and its campaign.
 */
export async function convertLead(ctx: Ctx, id: string, input: LeadConvert): Promise<LeadConverted> {
  if (!can(ctx.actor, 'opportunities:write')) throw forbidden();
  // Customers the caller cannot see that the duplicate check names: audited even though the conversion rolls back.
  const disclosed: Disclosure[] = [];
  let asked = '';
  return inTransaction(ctx, async (tx) => {
    const lead = await lockLead(tx, id, writableLeads);
    if (lead.status === 'converted') throw new AppError('LEAD_ALREADY_CONVERTED');
    if (lead.status !== 'qualified') throw new AppError('LEAD_NOT_QUALIFIED');

    let customerId: string;
    let customerCreated = false;
    if (input.customerId) {
      const [visible] = await tx.db
        .select({ id: customers.id })
        .from(customers)
        .where(and(eq(customers.id, input.customerId), visibleCustomers(tx.actor)));
      if (!visible) throw notFound();
      customerId = visible.id;
    } else {
      if (!input.ignoreDuplicates) {
        asked = lead.companyName;
        const candidates = await findDuplicates(tx, { name: asked }, disclosed);
        if (candidates.length) {
          throw new AppError(
            'CUSTOMER_DUPLICATE_SUSPECTED',
            { names: candidates.map((c) => c.name).join('、') },
            { candidates },
          );
        }
      }
      const created = await createCustomer(tx, {
        name: lead.companyName,
        phone: lead.phone,
        email: lead.email,
        regionId: lead.regionId,
        status: 'prospect',
        source: lead.source,
        tags: [],
      } as Parameters<typeof createCustomer>[1]);
      customerId = created.id;
      customerCreated = true;
    }

    let contactId: string | null = null;
    if (input.contactId) {
      const [contact] = await tx.db
        .select({ id: contacts.id })
        .from(contacts)
        .where(and(eq(contacts.id, input.contactId), eq(contacts.customerId, customerId)));
      if (!contact) throw inactiveReference('field.contact');
      contactId = contact.id;
    } else if (lead.contactName) {
      const created = await createContact(tx, {
        customerId,
        name: lead.contactName,
        title: lead.contactTitle,
        phones: lead.phone ? [lead.phone] : [],
        emails: lead.email ? [lead.email] : [],
        wechat: lead.wechat,
        isPrimary: customerCreated,
      } as Parameters<typeof createContact>[1]);
      contactId = created.id;
    }

    const businessLineId = input.opportunity.businessLineId ?? lead.businessLineId;
    if (!businessLineId)
      throw invalidInput(tx.actor.locale, [{ path: 'body.opportunity.businessLineId', key: 'validation.required' }]);
    const name =
      input.opportunity.name ??
      convertedOpportunityName(
        lead.companyName,
        (
          await tx.db
            .select({ name: businessLines.name })
            .from(businessLines)
            .where(eq(businessLines.id, businessLineId))
        )[0]?.name,
      );
    const opportunity = await insertOpportunity(
      tx,
      {
        name,
        customerId,
        contactId,
        businessLineId,
        expectedAmount: input.opportunity.expectedAmount ?? null,
        expectedCloseOn: input.opportunity.expectedCloseOn ?? null,
        ownerId: lead.ownerId ?? tx.actor.id,
      },
      // The lead's attribution is kept as it is, even if its campaign has ended since.
      { leadId: lead.id, campaignId: lead.campaignId },
    );
    await tx.db
      .update(leads)
      .set({
        status: 'converted',
        customerId,
        contactId,
        opportunityId: opportunity.id,
        convertedAt: sql`clock_timestamp()`,
        ownerId: lead.ownerId ?? tx.actor.id,
        queueDepartmentId: null,
        updatedAt: new Date(),
      })
      .where(eq(leads.id, id));
    await recordStatus(tx, id, lead.status, 'converted');
    await recordAudit(tx, {
      action: 'convert',
      entityType: 'lead',
      entityId: id,
      before: { status: lead.status },
      after: { status: 'converted', customerId, contactId, opportunityId: opportunity.id, customerCreated },
    });
    return { leadId: id, customerId, contactId, opportunityId: opportunity.id, customerCreated };
  }).catch(async (error: unknown) => {
    if (disclosed.length) await recordDisclosures(ctx, { name: asked }, disclosed);
    throw error;
  });
}

const byUsers = aliasedTable(users, 'by_users');
const fromUsers = aliasedTable(users, 'from_users');
const toUsers = aliasedTable(users, 'to_users');

export async function findLeadHistory(ctx: Ctx, id: string): Promise<LeadHistory> {
  await getLead(ctx, id);
  const statuses = await ctx.db
    .select({ s: leadStatusChanges, byUserName: byUsers.displayName })
    .from(leadStatusChanges)
    .leftJoin(byUsers, eq(byUsers.id, leadStatusChanges.byUserId))
    .where(eq(leadStatusChanges.leadId, id))
    .orderBy(asc(leadStatusChanges.at), asc(leadStatusChanges.id));
  const assignments = await ctx.db
    .select({
      a: leadAssignments,
      byUserName: byUsers.displayName,
      fromUserName: fromUsers.displayName,
      toUserName: toUsers.displayName,
      queueDepartmentName: departments.name,
    })
    .from(leadAssignments)
    .leftJoin(byUsers, eq(byUsers.id, leadAssignments.byUserId))
    .leftJoin(fromUsers, eq(fromUsers.id, leadAssignments.fromUserId))
    .leftJoin(toUsers, eq(toUsers.id, leadAssignments.toUserId))
    .leftJoin(departments, eq(departments.id, leadAssignments.queueDepartmentId))
    .where(eq(leadAssignments.leadId, id))
    .orderBy(asc(leadAssignments.at), asc(leadAssignments.id));
  return {
    statuses: statuses.map(({ s, byUserName }) => ({
      id: s.id,
      fromStatus: s.fromStatus,
      toStatus: s.toStatus,
      reason: s.reason,
      at: s.at.toISOString(),
      byUserId: s.byUserId,
      byUserName,
    })),
    assignments: assignments.map(({ a, byUserName, fromUserName, toUserName, queueDepartmentName }) => ({
      id: a.id,
      fromUserId: a.fromUserId,
      fromUserName,
      toUserId: a.toUserId,
      toUserName,
      queueDepartmentId: a.queueDepartmentId,
      queueDepartmentName,
      ruleId: a.ruleId,
      ruleName: a.ruleName,
      strategy: a.strategy,
      reason: a.reason,
      at: a.at.toISOString(),
      byUserId: a.byUserId,
      byUserName,
    })),
  };
}
