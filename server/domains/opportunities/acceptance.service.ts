import { and, eq, inArray, ne, or, sql } from 'drizzle-orm';
import type {
  Acceptance,
  AcceptanceItem,
  IndependenceConflict,
  OpportunityStatus,
} from '../../../common/schemas/opportunities';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, forbidden, inactiveReference, invalidInput, notFound } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { customerServices, customers } from '../customers/customers.tables';
import { businessLines, users } from '../staff/staff.tables';
import { getUserNames } from '../staff/actors';
import { visibleOpportunities, writableOpportunities } from './opportunities.policy';
import {
  acceptanceChecklists,
  businessLineConflicts,
  opportunities,
  opportunityAcceptance,
} from './opportunities.tables';

// ---------- shared by the opportunity extras (quotes, projects, acceptance) ----------

export type OpportunityRef = { id: string; customerId: string; businessLineId: string; status: OpportunityStatus };

/**
 * The opportunity behind a quote, project or acceptance call, through the policy: NOT_FOUND when
 * the actor cannot see it, FORBIDDEN when they see it but may not change it (`write`). `lock`
 * holds the row until the transaction ends (serialises moves from one state, quote versions, milestone positions …).
 */
export async function opportunityFor(
  ctx: Ctx,
  id: string,
  options: { write?: boolean; lock?: boolean } = {},
): Promise<typeof opportunities.$inferSelect> {
  const query = ctx.db
    .select({ row: opportunities, writable: sql<boolean>`${writableOpportunities(ctx.actor)}` })
    .from(opportunities)
    .where(and(eq(opportunities.id, id), visibleOpportunities(ctx.actor)))
    .$dynamic();
  const [found] = await (options.lock ? query.for('update') : query);
  if (!found) throw notFound();
  if (options.write && !found.writable) throw forbidden();
  return found.row;
}

/** Won and lost opportunities take no new quotes or acceptance answers: reopen first. */
export function assertOpen(opportunity: OpportunityRef): void {
  if (opportunity.status !== 'open') {
    throw new AppError(
      'OPPORTUNITY_CLOSED',
      { statusKey: `opportunityStatus.${opportunity.status}` },
      { status: opportunity.status },
    );
  }
}

// ---------- acceptance checklists (per business line) ----------

async function assertBusinessLineExists(db: Db, businessLineId: string) {
  const [line] = await db
    .select({ id: businessLines.id })
    .from(businessLines)
    .where(eq(businessLines.id, businessLineId));
  if (!line) throw notFound();
}

async function checklistItems(db: Db, businessLineId: string): Promise<AcceptanceItem[]> {
  const [row] = await db
    .select({ items: acceptanceChecklists.items })
    .from(acceptanceChecklists)
    .where(eq(acceptanceChecklists.businessLineId, businessLineId));
  return row?.items ?? [];
}

export async function getAcceptanceChecklist(
  ctx: Ctx,
  businessLineId: string,
): Promise<{ businessLineId: string; items: AcceptanceItem[] }> {
  await assertBusinessLineExists(ctx.db, businessLineId);
  return { businessLineId, items: await checklistItems(ctx.db, businessLineId) };
}

/** Replaces a line's checklist. Answers already given stay keyed by item; completion is always judged against the list in force. */
export async function saveAcceptanceChecklist(ctx: Ctx, businessLineId: string, input: { items: AcceptanceItem[] }) {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const item of input.items) (seen.has(item.key) ? duplicates : seen).add(item.key);
  if (duplicates.size)
    throw invalidInput(ctx.actor.locale, [
      { path: 'body.items', key: 'validation.duplicateItemKeys', params: { keys: [...duplicates].join(', ') } },
    ]);
  return inTransaction(ctx, async (tx) => {
    await assertBusinessLineExists(tx.db, businessLineId);
    const before = await getAcceptanceChecklist(tx, businessLineId);
    const items = input.items.map(({ key, labelZh, labelEn }) => ({ key, labelZh, labelEn }));
    await tx.db
      .insert(acceptanceChecklists)
      .values({ businessLineId, items, updatedBy: ctx.actor.id })
      .onConflictDoUpdate({
        target: acceptanceChecklists.businessLineId,
        set: { items, updatedBy: ctx.actor.id, updatedAt: new Date() },
      });
    const after = { businessLineId, items };
    await recordAudit(tx, {
      action: 'update',
      entityType: 'acceptance-checklist',
      entityId: businessLineId,
      before,
      after,
    });
    return after;
  });
}

// ---------- an opportunity's acceptance ----------

type Answers = (typeof opportunityAcceptance.$inferSelect)['answers'];

function uncheckedKeys(items: AcceptanceItem[], answers: Answers): string[] {
  return items.filter((item) => !answers[item.key]?.checked).map((item) => item.key);
}

/**
 * Before an opportunity is won: when its business line has a checklist, every item must be
 * confirmed, else ACCEPTANCE_INCOMPLETE with how many are left.
 */
export async function assertAcceptanceComplete(
  db: Db,
  opportunity: { id: string; businessLineId: string },
): Promise<void> {
  const items = await checklistItems(db, opportunity.businessLineId);
  if (items.length === 0) return;
  const [row] = await db
    .select({ answers: opportunityAcceptance.answers })
    .from(opportunityAcceptance)
    .where(eq(opportunityAcceptance.opportunityId, opportunity.id));
  const missing = uncheckedKeys(items, row?.answers ?? {});
  if (missing.length) throw new AppError('ACCEPTANCE_INCOMPLETE', { count: missing.length }, { missing });
}

async function presentAcceptance(db: Db, opportunity: OpportunityRef): Promise<Acceptance> {
  const items = await checklistItems(db, opportunity.businessLineId);
  const [row] = await db
    .select()
    .from(opportunityAcceptance)
    .where(eq(opportunityAcceptance.opportunityId, opportunity.id));
  const answers = row?.answers ?? {};
  const names = await getUserNames(
    db,
    items.map((i) => answers[i.key]?.by).filter((id): id is string => Boolean(id)),
  );
  // Judged against the checklist in force: an item added later makes an earlier completion incomplete.
  const complete = uncheckedKeys(items, answers).length === 0;
  return {
    opportunityId: opportunity.id,
    required: items.length > 0,
    items: items.map((item) => {
      const answer = answers[item.key];
      return {
        ...item,
        checked: answer?.checked ?? false,
        note: answer?.note ?? null,
        byUserName: answer ? (names.get(answer.by) ?? null) : null,
        at: answer?.at ?? null,
      };
    }),
    complete,
    completedAt: complete && items.length > 0 ? (row?.completedAt?.toISOString() ?? null) : null,
  };
}

export async function getAcceptance(ctx: Ctx, opportunityId: string): Promise<Acceptance> {
  const opportunity = await opportunityFor(ctx, opportunityId);
  return presentAcceptance(ctx.db, opportunity);
}

/**
 * Records answers to the checklist (only the items given; the others keep theirs). Who and when
 * change only when an answer changes. All checked → completedAt; one unchecked later clears it.
 */
export async function saveAcceptance(
  ctx: Ctx,
  opportunityId: string,
  input: { answers: Record<string, { checked: boolean; note?: string | null }> },
): Promise<Acceptance> {
  return inTransaction(ctx, async (tx) => {
    const opportunity = await opportunityFor(tx, opportunityId, { write: true, lock: true });
    assertOpen(opportunity);
    const items = await checklistItems(tx.db, opportunity.businessLineId);
    const unknown = Object.keys(input.answers).filter((key) => !items.some((item) => item.key === key));
    if (unknown.length)
      throw invalidInput(
        tx.actor.locale,
        unknown.map((key) => ({ path: `body.answers.${key}`, key: 'validation.notOnChecklist' })),
      );
    if (Object.keys(input.answers).length === 0) return presentAcceptance(tx.db, opportunity);
    const [row] = await tx.db
      .select()
      .from(opportunityAcceptance)
      .where(eq(opportunityAcceptance.opportunityId, opportunity.id));
    const before: Answers = row?.answers ?? {};
    const answers: Answers = { ...before };
    const now = new Date();
    for (const [key, given] of Object.entries(input.answers)) {
      const note = given.note ?? null;
      const previous = before[key];
      if (previous && previous.checked === given.checked && previous.note === note) continue;
      answers[key] = { checked: given.checked, note, by: ctx.actor.id, at: now.toISOString() };
    }
    const complete = items.length > 0 && uncheckedKeys(items, answers).length === 0;
    const completedAt = complete ? (row?.completedAt ?? now) : null;
    await tx.db
      .insert(opportunityAcceptance)
      .values({ opportunityId: opportunity.id, answers, completedAt, updatedAt: now })
      .onConflictDoUpdate({
        target: opportunityAcceptance.opportunityId,
        set: { answers, completedAt, updatedAt: now },
      });
    const after = await presentAcceptance(tx.db, opportunity);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'opportunity',
      entityId: opportunity.id,
      before: { acceptance: before, acceptanceCompletedAt: row?.completedAt?.toISOString() ?? null },
      after: { acceptance: answers, acceptanceCompletedAt: after.completedAt },
    });
    return after;
  });
}

// ---------- conflicting business lines and the independence check ----------

/** The audit entity id of the firm's one set of conflicting pairs. */
export const BUSINESS_LINE_CONFLICTS_ID = '5e771465-c0a5-4c57-8e7d-0000000000c1';

export async function findConflictPairs(db: Db) {
  const a = businessLines;
  const rows = await db
    .select({
      lineA: businessLineConflicts.lineA,
      lineAName: sql<string>`(SELECT ${a.name} FROM ${a} WHERE ${a.id} = ${businessLineConflicts.lineA})`,
      lineB: businessLineConflicts.lineB,
      lineBName: sql<string>`(SELECT ${a.name} FROM ${a} WHERE ${a.id} = ${businessLineConflicts.lineB})`,
    })
    .from(businessLineConflicts);
  return rows.sort(
    (x, y) => x.lineAName.localeCompare(y.lineAName, 'zh-CN') || x.lineBName.localeCompare(y.lineBName, 'zh-CN'),
  );
}

/**
 * Replaces the set of conflicting pairs. Each pair is stored once, the smaller id (as text) first;
 * a pair given twice or in both orders counts once; a line cannot conflict with itself.
 */
export async function saveConflictPairs(ctx: Ctx, input: { pairs: { lineA: string; lineB: string }[] }) {
  const self = input.pairs.flatMap((p, i) => (p.lineA.toLowerCase() === p.lineB.toLowerCase() ? [i] : []));
  if (self.length)
    throw invalidInput(
      ctx.actor.locale,
      self.map((i) => ({ path: `body.pairs.${i}.lineB`, key: 'validation.conflictWithItself' })),
    );
  const pairs = new Map<string, { lineA: string; lineB: string }>();
  for (const p of input.pairs) {
    const [lineA, lineB] = [p.lineA.toLowerCase(), p.lineB.toLowerCase()].sort();
    pairs.set(`${lineA}/${lineB}`, { lineA, lineB });
  }
  const ids = [...new Set([...pairs.values()].flatMap((p) => [p.lineA, p.lineB]))];
  return inTransaction(ctx, async (tx) => {
    if (ids.length) {
      const found = await tx.db
        .select({ id: businessLines.id })
        .from(businessLines)
        .where(inArray(businessLines.id, ids));
      if (found.length !== ids.length) throw inactiveReference('field.businessLine');
    }
    const before = await findConflictPairs(tx.db);
    await tx.db.delete(businessLineConflicts);
    if (pairs.size) await tx.db.insert(businessLineConflicts).values([...pairs.values()]);
    const after = await findConflictPairs(tx.db);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'business-line-conflicts',
      entityId: BUSINESS_LINE_CONFLICTS_ID,
      before: { pairs: before.map((p) => `${p.lineAName} × ${p.lineBName}`) },
      after: { pairs: after.map((p) => `${p.lineAName} × ${p.lineBName}`) },
    });
    return after;
  });
}

/**
 * Work of the same customer in a business line that conflicts with this opportunity's: other open
 * or won opportunities and active recurring services (with the customer's salesperson as owner). Firm-wide on purpose (independence does not
 * depend on who is looking); callers check that the actor may see `opportunity` itself.
 */
export async function findIndependenceConflicts(
  db: Db,
  opportunity: { id: string; customerId: string; businessLineId: string },
): Promise<IndependenceConflict[]> {
  const line = opportunity.businessLineId;
  const conflicting = sql`(SELECT CASE WHEN ${businessLineConflicts.lineA} = ${line} THEN ${businessLineConflicts.lineB} ELSE ${businessLineConflicts.lineA} END
    FROM ${businessLineConflicts} WHERE ${or(eq(businessLineConflicts.lineA, line), eq(businessLineConflicts.lineB, line))})`;
  const deals = await db
    .select({
      id: opportunities.id,
      name: opportunities.name,
      businessLineId: opportunities.businessLineId,
      businessLineName: businessLines.name,
      ownerName: users.displayName,
    })
    .from(opportunities)
    .innerJoin(businessLines, eq(businessLines.id, opportunities.businessLineId))
    .leftJoin(users, eq(users.id, opportunities.ownerId))
    .where(
      and(
        eq(opportunities.customerId, opportunity.customerId),
        ne(opportunities.id, opportunity.id),
        inArray(opportunities.status, ['open', 'won']),
        sql`${opportunities.businessLineId} IN ${conflicting}`,
      ),
    )
    .orderBy(opportunities.createdAt, opportunities.id);
  const services = await db
    .select({
      id: customerServices.id,
      businessLineId: customerServices.businessLineId,
      businessLineName: businessLines.name,
      ownerName: users.displayName,
    })
    .from(customerServices)
    .innerJoin(businessLines, eq(businessLines.id, customerServices.businessLineId))
    .innerJoin(customers, eq(customers.id, customerServices.customerId))
    .leftJoin(users, eq(users.id, customers.ownerId))
    .where(
      and(
        eq(customerServices.customerId, opportunity.customerId),
        eq(customerServices.active, true),
        sql`${customerServices.businessLineId} IN ${conflicting}`,
      ),
    )
    .orderBy(customerServices.createdAt, customerServices.id);
  return [
    ...services.map((s) => ({
      kind: 'service' as const,
      id: s.id,
      name: s.businessLineName,
      businessLineId: s.businessLineId,
      businessLineName: s.businessLineName,
      ownerName: s.ownerName,
    })),
    ...deals.map((d) => ({ kind: 'opportunity' as const, ...d })),
  ];
}

export async function getIndependence(ctx: Ctx, opportunityId: string): Promise<{ conflicts: IndependenceConflict[] }> {
  const opportunity = await opportunityFor(ctx, opportunityId);
  return { conflicts: await findIndependenceConflicts(ctx.db, opportunity) };
}
