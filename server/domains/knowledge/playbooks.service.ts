import { randomBytes } from 'node:crypto';
import { aliasedTable, and, asc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { LeadStatus } from '../../../common/schemas/leads';
import type {
  Guide,
  GuideTick,
  Playbook,
  PlaybookActivity,
  PlaybookCreate,
  PlaybookListQuery,
  PlaybookUpdate,
} from '../../../common/schemas/playbooks';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, inactiveReference, isUniqueViolation, notFound } from '../../errors';
import { addDays, FIRM_TIME_ZONE, localDate, zonedInstant } from '../../lib/time';
import { visibleActivities } from '../activities/activities.policy';
import { schedulePlannedActivity } from '../activities/activities.service';
import { activities, activityCategories } from '../activities/activities.tables';
import { recordAudit } from '../audit/audit.service';
import { visibleLeads, writableLeads } from '../leads/leads.policy';
import { leads } from '../leads/leads.tables';
import { onLeadStatusEntered, type LeadStatusEntry } from '../leads/status-entry';
import { visibleOpportunities, writableOpportunities } from '../opportunities/opportunities.policy';
import { opportunities, pipelineStages } from '../opportunities/opportunities.tables';
import { lineExists, pipelineOf } from '../opportunities/pipeline.service';
import { onStageEntered, type StageEntry } from '../opportunities/stage-entry';
import { businessLines, departments, users } from '../staff/staff.tables';
import { visibleArticles } from './knowledge.policy';
import { knowledgeArticles } from './knowledge.tables';
import { playbookSchedules, playbooks, playbookTicks } from './playbooks.tables';

/*
 * Guided selling 销售指引: playbooks per business line × stage (and × lead status), written by managers and
 * administrators (knowledge:manage), read by everyone with knowledge:read; entering a stage or a lead status
 * schedules the playbook's activities in the same transaction; the record's guide shows its checklist with
 * what was ticked, the activities scheduled, and the templates and articles the reader may see.
 */

const editors = aliasedTable(users, 'playbook_editors');

function selectPlaybooks(db: Db) {
  return db
    .select({
      row: playbooks,
      businessLineName: businessLines.name,
      stageNameZh: pipelineStages.nameZh,
      stageNameEn: pipelineStages.nameEn,
      stagePosition: pipelineStages.position,
      updatedByName: editors.displayName,
    })
    .from(playbooks)
    .leftJoin(businessLines, eq(businessLines.id, playbooks.businessLineId))
    .leftJoin(pipelineStages, eq(pipelineStages.id, playbooks.stageId))
    .leftJoin(editors, eq(editors.id, sql`coalesce(${playbooks.updatedBy}, ${playbooks.createdBy})`))
    .$dynamic();
}

type Joined = Awaited<ReturnType<ReturnType<typeof selectPlaybooks>['execute']>>[number];

function present(r: Joined): Playbook {
  const p = r.row;
  return {
    id: p.id,
    kind: p.kind,
    businessLineId: p.businessLineId,
    businessLineName: r.businessLineName,
    stageId: p.stageId,
    stageNameZh: r.stageNameZh,
    stageNameEn: r.stageNameEn,
    stagePosition: r.stagePosition,
    leadStatus: p.leadStatus,
    activities: p.activities,
    checklist: p.checklist,
    templateIds: p.templateIds,
    articleIds: p.articleIds,
    active: p.active,
    updatedAt: p.updatedAt.toISOString(),
    updatedBy: p.updatedBy ?? p.createdBy,
    updatedByName: r.updatedByName,
  };
}

export async function findPlaybooks(ctx: Ctx, query: PlaybookListQuery): Promise<Playbook[]> {
  const rows = await selectPlaybooks(ctx.db)
    .where(
      and(
        query.kind ? eq(playbooks.kind, query.kind) : undefined,
        query.businessLineId ? eq(playbooks.businessLineId, query.businessLineId) : undefined,
      ),
    )
    .orderBy(
      asc(playbooks.kind),
      sql`${businessLines.name} asc nulls first`,
      asc(pipelineStages.position),
      asc(playbooks.leadStatus),
      asc(playbooks.id),
    );
  return rows.map(present);
}

export async function getPlaybook(ctx: Ctx, id: string): Promise<Playbook> {
  const [row] = await selectPlaybooks(ctx.db).where(eq(playbooks.id, id));
  if (!row) throw notFound();
  return present(row);
}

const newItemId = () => randomBytes(6).toString('base64url');

/** Checklist items keep their ids (ticks refer to them); new ones get one; two with one id are refused. */
function checklistOf(items: { id?: string; text: string }[]) {
  const seen = new Set<string>();
  return items.map((item, i) => {
    const id = item.id ?? newItemId();
    if (seen.has(id))
      throw new AppError('VALIDATION_FAILED', {}, { issues: [{ path: `body.checklist.${i}.id`, code: 'custom' }] });
    seen.add(id);
    return { id, text: item.text };
  });
}

/** The activities' categories active, named colleagues active; the templates and articles ones the writer sees. */
async function assertContent(
  ctx: Ctx,
  input: { activities?: PlaybookActivity[]; templateIds?: string[]; articleIds?: string[] },
) {
  const acts = input.activities ?? [];
  const categories = [...new Set(acts.map((a) => a.category))];
  if (categories.length) {
    const found = await ctx.db
      .select({ code: activityCategories.code })
      .from(activityCategories)
      .where(and(inArray(activityCategories.code, categories), eq(activityCategories.active, true)));
    if (found.length !== categories.length) throw inactiveReference('field.category');
  }
  const named = [...new Set(acts.map((a) => a.assignee).filter((a) => a !== 'owner' && a !== 'owner-manager'))];
  if (named.length) {
    const found = await ctx.db
      .select({ id: users.id })
      .from(users)
      .where(and(inArray(users.id, named), eq(users.active, true)));
    if (found.length !== named.length) throw inactiveReference('field.assignee');
  }
  for (const [ids, field, templatesOnly] of [
    [input.templateIds ?? [], 'field.template', true],
    [input.articleIds ?? [], 'field.article', false],
  ] as const) {
    const wanted = [...new Set(ids)];
    if (!wanted.length) continue;
    const found = await ctx.db
      .select({ id: knowledgeArticles.id })
      .from(knowledgeArticles)
      .where(
        and(
          inArray(knowledgeArticles.id, wanted),
          isNull(knowledgeArticles.archivedAt),
          templatesOnly ? eq(knowledgeArticles.kind, 'template') : undefined,
          visibleArticles(ctx.actor),
        ),
      );
    if (found.length !== wanted.length) throw inactiveReference(field);
  }
}

/** What the playbook is for: an opportunity stage of the line's pipeline, or a lead status (a line or every line). */
async function assertTarget(ctx: Ctx, input: PlaybookCreate) {
  if (input.kind === 'opportunity') {
    if (!input.businessLineId || !input.stageId || input.leadStatus) throw new AppError('PLAYBOOK_TARGET_INVALID');
  } else if (!input.leadStatus || input.stageId) throw new AppError('PLAYBOOK_TARGET_INVALID');
  if (input.businessLineId && !(await lineExists(ctx.db, input.businessLineId)))
    throw inactiveReference('field.businessLine');
  if (input.kind === 'opportunity') {
    const [stage] = await ctx.db
      .select({ id: pipelineStages.id, active: pipelineStages.active })
      .from(pipelineStages)
      .where(eq(pipelineStages.id, input.stageId!));
    if (!stage?.active) throw inactiveReference('field.stage');
    const { stages } = await pipelineOf(ctx.db, input.businessLineId);
    if (!stages.some((s) => s.id === stage.id))
      throw new AppError('STAGE_NOT_IN_PIPELINE', {}, { stageId: input.stageId });
  }
}

export async function createPlaybook(ctx: Ctx, input: PlaybookCreate): Promise<Playbook> {
  return inTransaction(ctx, async (tx) => {
    await assertTarget(tx, input);
    await assertContent(tx, input);
    let id: string;
    try {
      // A savepoint, so a duplicate answers 409 with the transaction still usable on PostgreSQL.
      id = await tx.db.transaction(async (db) => {
        const [row] = await db
          .insert(playbooks)
          .values({
            kind: input.kind,
            businessLineId: input.businessLineId,
            stageId: input.kind === 'opportunity' ? input.stageId : null,
            leadStatus: input.kind === 'lead' ? input.leadStatus : null,
            activities: input.activities,
            checklist: checklistOf(input.checklist),
            templateIds: [...new Set(input.templateIds)],
            articleIds: [...new Set(input.articleIds)],
            active: input.active,
            createdBy: tx.actor.id,
            updatedBy: tx.actor.id,
          })
          .returning({ id: playbooks.id });
        return row.id;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'playbooks_key')) throw new AppError('PLAYBOOK_EXISTS');
      throw error;
    }
    const after = await getPlaybook(tx, id);
    await recordAudit(tx, { action: 'create', entityType: 'playbook', entityId: id, after });
    return after;
  });
}

export async function updatePlaybook(ctx: Ctx, id: string, patch: PlaybookUpdate): Promise<Playbook> {
  return inTransaction(ctx, async (tx) => {
    const [locked] = await tx.db.select({ id: playbooks.id }).from(playbooks).where(eq(playbooks.id, id)).for('update');
    if (!locked) throw notFound();
    const before = await getPlaybook(tx, id);
    await assertContent(tx, patch);
    const set: Partial<typeof playbooks.$inferInsert> = { updatedAt: new Date(), updatedBy: tx.actor.id };
    if (patch.activities !== undefined) set.activities = patch.activities;
    if (patch.checklist !== undefined) set.checklist = checklistOf(patch.checklist);
    if (patch.templateIds !== undefined) set.templateIds = [...new Set(patch.templateIds)];
    if (patch.articleIds !== undefined) set.articleIds = [...new Set(patch.articleIds)];
    if (patch.active !== undefined) set.active = patch.active;
    await tx.db.update(playbooks).set(set).where(eq(playbooks.id, id));
    const after = await getPlaybook(tx, id);
    await recordAudit(tx, { action: 'update', entityType: 'playbook', entityId: id, before, after });
    return after;
  });
}

/** Deleting a playbook keeps the activities it scheduled (they are ordinary activities); its ticks go with it. */
export async function deletePlaybook(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const before = await getPlaybook(tx, id);
    await tx.db.delete(playbooks).where(eq(playbooks.id, id));
    await recordAudit(tx, { action: 'delete', entityType: 'playbook', entityId: id, before });
  });
}

// ---------- scheduling ----------

/** The instant a step is due: the firm's today plus the offset, at 18:00 there (the end of that working day). */
export function dueAtFor(offsetDays: number, now = new Date()): Date {
  return zonedInstant(addDays(localDate(now, FIRM_TIME_ZONE), offsetDays), { hour: 18 }, FIRM_TIME_ZONE);
}

/** The manager of the owner's department (the owner when there is none, or when it is the owner). */
async function managerOf(db: Db, ownerId: string): Promise<string> {
  const [row] = await db
    .select({ managerId: departments.managerId, active: sql<boolean>`m.active` })
    .from(users)
    .innerJoin(departments, eq(departments.id, users.departmentId))
    .leftJoin(sql`${users} m`, sql`m.id = ${departments.managerId}`)
    .where(eq(users.id, ownerId));
  return row?.managerId && row.active ? row.managerId : ownerId;
}

type Target = {
  playbook: typeof playbooks.$inferSelect;
  entryId: string;
  ownerId: string;
  customerId: string | null;
  opportunityId: string | null;
  leadId: string | null;
};

/**
 * Plans the playbook's activities for one entry, each once: the entry and the step are recorded first
 * (ON CONFLICT DO NOTHING), so a repeated event for the same entry schedules nothing more.
 */
async function schedule(ctx: Ctx, t: Target) {
  const now = new Date();
  for (const [index, step] of t.playbook.activities.entries()) {
    const claimed = await ctx.db
      .insert(playbookSchedules)
      .values({
        playbookId: t.playbook.id,
        entryId: t.entryId,
        activityIndex: index,
        opportunityId: t.opportunityId,
        leadId: t.leadId,
      })
      .onConflictDoNothing()
      .returning({ id: playbookSchedules.id });
    if (!claimed.length) continue;
    let ownerId = t.ownerId;
    if (step.assignee === 'owner-manager') ownerId = await managerOf(ctx.db, t.ownerId);
    else if (step.assignee !== 'owner') {
      const [named] = await ctx.db
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.id, step.assignee), eq(users.active, true)));
      // A colleague who has left since: the owner does it.
      if (named) ownerId = named.id;
    }
    const [category] = await ctx.db
      .select({ code: activityCategories.code })
      .from(activityCategories)
      .where(and(eq(activityCategories.code, step.category), eq(activityCategories.active, true)));
    const activity = await schedulePlannedActivity(ctx, {
      // A category switched off since the playbook was written: planned as 其他.
      category: category ? step.category : 'other',
      subject: step.subject,
      notes: step.notes ?? null,
      dueAt: dueAtFor(step.dueOffsetDays, now),
      ownerId,
      customerId: t.customerId,
      leadId: t.leadId,
      opportunityId: t.opportunityId,
    });
    await ctx.db
      .update(playbookSchedules)
      .set({ activityId: activity.id })
      .where(eq(playbookSchedules.id, claimed[0].id));
  }
}

async function opportunityPlaybook(db: Db, businessLineId: string, stageId: string) {
  const [row] = await db
    .select()
    .from(playbooks)
    .where(
      and(
        eq(playbooks.kind, 'opportunity'),
        eq(playbooks.businessLineId, businessLineId),
        eq(playbooks.stageId, stageId),
      ),
    );
  return row;
}

/** A lead's playbook: its line's for the status, else the one for every line. */
async function leadPlaybook(db: Db, businessLineId: string | null, status: LeadStatus) {
  const rows = await db
    .select()
    .from(playbooks)
    .where(
      and(
        eq(playbooks.kind, 'lead'),
        eq(playbooks.leadStatus, status),
        businessLineId
          ? or(eq(playbooks.businessLineId, businessLineId), isNull(playbooks.businessLineId))
          : isNull(playbooks.businessLineId),
      ),
    )
    .orderBy(sql`${playbooks.businessLineId} IS NULL`);
  return rows[0];
}

export async function onOpportunityStageEntered(ctx: Ctx, entry: StageEntry): Promise<void> {
  const [opp] = await ctx.db
    .select({
      ownerId: opportunities.ownerId,
      customerId: opportunities.customerId,
      businessLineId: opportunities.businessLineId,
    })
    .from(opportunities)
    .where(eq(opportunities.id, entry.opportunityId));
  if (!opp) return;
  const playbook = await opportunityPlaybook(ctx.db, opp.businessLineId, entry.stageId);
  if (!playbook?.active || !playbook.activities.length) return;
  await schedule(ctx, {
    playbook,
    entryId: entry.entryId,
    ownerId: opp.ownerId,
    customerId: opp.customerId,
    opportunityId: entry.opportunityId,
    leadId: null,
  });
}

export async function onLeadStatus(ctx: Ctx, entry: LeadStatusEntry): Promise<void> {
  const [lead] = await ctx.db
    .select({ ownerId: leads.ownerId, customerId: leads.customerId, businessLineId: leads.businessLineId })
    .from(leads)
    .where(eq(leads.id, entry.leadId));
  if (!lead) return;
  const playbook = await leadPlaybook(ctx.db, lead.businessLineId, entry.status);
  if (!playbook?.active || !playbook.activities.length) return;
  await schedule(ctx, {
    playbook,
    entryId: entry.entryId,
    // A lead waiting in a queue: whoever moved it does the work.
    ownerId: lead.ownerId ?? ctx.actor.id,
    customerId: lead.customerId,
    opportunityId: null,
    leadId: entry.leadId,
  });
}

/** Registers the scheduling with the opportunities and leads domains (idempotent; done when the routes are). */
export function registerPlaybookHooks(): void {
  onStageEntered('playbooks', onOpportunityStageEntered);
  onLeadStatusEntered('playbooks', onLeadStatus);
}

// ---------- the guide on a record ----------

async function articlesFor(ctx: Ctx, ids: string[]): Promise<Guide['articles']> {
  if (!ids.length) return [];
  const seen = await ctx.db
    .select({ id: knowledgeArticles.id, title: knowledgeArticles.title, kind: knowledgeArticles.kind })
    .from(knowledgeArticles)
    .where(and(inArray(knowledgeArticles.id, ids), isNull(knowledgeArticles.archivedAt), visibleArticles(ctx.actor)));
  const byId = new Map(seen.map((a) => [a.id, a]));
  // An article the reader may not see is "not available", with no title.
  return ids.map((id) => {
    const a = byId.get(id);
    return a
      ? { id, available: true, title: a.title, kind: a.kind }
      : { id, available: false, title: null, kind: null };
  });
}

const owners = aliasedTable(users, 'guide_activity_owners');
const tickers = aliasedTable(users, 'guide_tickers');

async function guideOf(
  ctx: Ctx,
  playbook: typeof playbooks.$inferSelect | undefined,
  record: { opportunityId: string | null; leadId: string | null; writable: boolean },
  where: { stageId: string | null; leadStatus: LeadStatus | null },
): Promise<Guide> {
  const empty: Guide = {
    playbookId: null,
    ...where,
    writable: record.writable,
    checklist: [],
    activities: [],
    templates: [],
    articles: [],
  };
  if (!playbook?.active) return empty;
  const onRecord = record.opportunityId
    ? eq(playbookTicks.opportunityId, record.opportunityId)
    : eq(playbookTicks.leadId, record.leadId!);
  const ticks = await ctx.db
    .select({ itemId: playbookTicks.itemId, at: playbookTicks.tickedAt, by: tickers.displayName })
    .from(playbookTicks)
    .innerJoin(tickers, eq(tickers.id, playbookTicks.tickedBy))
    .where(and(eq(playbookTicks.playbookId, playbook.id), onRecord));
  const ticked = new Map(ticks.map((t) => [t.itemId, t]));
  // The activities of the latest entry into this stage (or status).
  const scheduledOn = record.opportunityId
    ? eq(playbookSchedules.opportunityId, record.opportunityId)
    : eq(playbookSchedules.leadId, record.leadId!);
  const latest = sql`(SELECT s.entry_id FROM ${playbookSchedules} s WHERE s.playbook_id = ${playbook.id} AND ${
    record.opportunityId ? sql`s.opportunity_id = ${record.opportunityId}` : sql`s.lead_id = ${record.leadId}`
  } ORDER BY s.scheduled_at DESC, s.id LIMIT 1)`;
  const scheduled = await ctx.db
    .select({
      id: activities.id,
      subject: activities.subject,
      category: activities.category,
      status: activities.status,
      dueAt: activities.dueAt,
      doneAt: activities.doneAt,
      ownerId: activities.ownerId,
      ownerName: owners.displayName,
    })
    .from(playbookSchedules)
    .innerJoin(activities, eq(activities.id, playbookSchedules.activityId))
    .innerJoin(owners, eq(owners.id, activities.ownerId))
    .where(
      and(
        eq(playbookSchedules.playbookId, playbook.id),
        scheduledOn,
        sql`${playbookSchedules.entryId} = ${latest}`,
        visibleActivities(ctx.actor),
      ),
    )
    .orderBy(asc(playbookSchedules.activityIndex));
  return {
    ...empty,
    playbookId: playbook.id,
    checklist: playbook.checklist.map((item) => {
      const t = ticked.get(item.id);
      return { id: item.id, text: item.text, done: !!t, doneBy: t?.by ?? null, doneAt: t?.at.toISOString() ?? null };
    }),
    activities: scheduled.map((a) => ({
      ...a,
      dueAt: a.dueAt?.toISOString() ?? null,
      doneAt: a.doneAt?.toISOString() ?? null,
    })),
    templates: await articlesFor(ctx, playbook.templateIds),
    articles: await articlesFor(ctx, playbook.articleIds),
  };
}

async function opportunityOf(ctx: Ctx, id: string) {
  const [opp] = await ctx.db
    .select({
      businessLineId: opportunities.businessLineId,
      stageId: opportunities.stageId,
      writable: sql<boolean>`${writableOpportunities(ctx.actor)}`,
    })
    .from(opportunities)
    .where(and(eq(opportunities.id, id), visibleOpportunities(ctx.actor)));
  if (!opp) throw notFound();
  return opp;
}

async function leadOf(ctx: Ctx, id: string) {
  const [lead] = await ctx.db
    .select({
      businessLineId: leads.businessLineId,
      status: leads.status,
      writable: sql<boolean>`${writableLeads(ctx.actor)}`,
    })
    .from(leads)
    .where(and(eq(leads.id, id), visibleLeads(ctx.actor)));
  if (!lead) throw notFound();
  return lead;
}

/** The guide of an opportunity the reader sees (404 otherwise): its line's playbook for its current stage. */
export async function getOpportunityGuide(ctx: Ctx, id: string): Promise<Guide> {
  const opp = await opportunityOf(ctx, id);
  const playbook = await opportunityPlaybook(ctx.db, opp.businessLineId, opp.stageId);
  return guideOf(
    ctx,
    playbook,
    { opportunityId: id, leadId: null, writable: opp.writable },
    { stageId: opp.stageId, leadStatus: null },
  );
}

export async function getLeadGuide(ctx: Ctx, id: string): Promise<Guide> {
  const lead = await leadOf(ctx, id);
  const playbook = await leadPlaybook(ctx.db, lead.businessLineId, lead.status);
  return guideOf(
    ctx,
    playbook,
    { opportunityId: null, leadId: id, writable: lead.writable },
    { stageId: null, leadStatus: lead.status },
  );
}

/**
 * Ticks (or unticks) an item of the record's current checklist: for those who may work on the record — anyone
 * else gets 404, as for a record they cannot see. An item not in the checklist is NOT_FOUND too.
 */
async function tick(
  ctx: Ctx,
  record: { opportunityId: string | null; leadId: string | null; writable: boolean },
  playbook: typeof playbooks.$inferSelect | undefined,
  input: GuideTick,
) {
  if (!record.writable) throw notFound();
  if (!playbook?.active || !playbook.checklist.some((i) => i.id === input.itemId)) throw notFound();
  const entityType = record.opportunityId ? 'opportunity' : 'lead';
  const entityId = (record.opportunityId ?? record.leadId)!;
  const onRecord = record.opportunityId
    ? eq(playbookTicks.opportunityId, record.opportunityId)
    : eq(playbookTicks.leadId, record.leadId!);
  if (input.done) {
    const inserted = await ctx.db
      .insert(playbookTicks)
      .values({
        playbookId: playbook.id,
        itemId: input.itemId,
        opportunityId: record.opportunityId,
        leadId: record.leadId,
        tickedBy: ctx.actor.id,
      })
      .onConflictDoNothing()
      .returning({ id: playbookTicks.id });
    if (!inserted.length) return;
  } else {
    const deleted = await ctx.db
      .delete(playbookTicks)
      .where(and(eq(playbookTicks.playbookId, playbook.id), eq(playbookTicks.itemId, input.itemId), onRecord))
      .returning({ id: playbookTicks.id });
    if (!deleted.length) return;
  }
  const item = playbook.checklist.find((i) => i.id === input.itemId)!;
  // The record's audit trail: which item of which playbook, ticked or unticked (who and when are the entry's).
  await recordAudit(ctx, {
    action: 'update',
    entityType,
    entityId,
    before: { checklist: { playbookId: playbook.id, itemId: item.id, text: item.text, done: !input.done } },
    after: { checklist: { playbookId: playbook.id, itemId: item.id, text: item.text, done: input.done } },
  });
}

export async function tickOpportunityGuide(ctx: Ctx, id: string, input: GuideTick): Promise<Guide> {
  await inTransaction(ctx, async (tx) => {
    const opp = await opportunityOf(tx, id);
    const playbook = await opportunityPlaybook(tx.db, opp.businessLineId, opp.stageId);
    await tick(tx, { opportunityId: id, leadId: null, writable: opp.writable }, playbook, input);
  });
  return getOpportunityGuide(ctx, id);
}

export async function tickLeadGuide(ctx: Ctx, id: string, input: GuideTick): Promise<Guide> {
  await inTransaction(ctx, async (tx) => {
    const lead = await leadOf(tx, id);
    const playbook = await leadPlaybook(tx.db, lead.businessLineId, lead.status);
    await tick(tx, { opportunityId: null, leadId: id, writable: lead.writable }, playbook, input);
  });
  return getLeadGuide(ctx, id);
}
