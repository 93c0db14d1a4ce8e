import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import type { AssignmentRule, AssignmentRuleCreate, AssignmentRuleUpdate } from '../../../common/schemas/leads';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, inactiveReference, notFound } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { assertActiveReferences } from '../staff/reference.service';
import { businessLines, departments, regions, users } from '../staff/staff.tables';
import { matchRule, pickMember, type LeadCriteria } from './assignment';
import { OPEN_LEAD_STATUSES } from './leads.constants';
import { assignmentRuleMembers, assignmentRules, leads } from './leads.tables';

type RuleRow = typeof assignmentRules.$inferSelect;

async function membersOf(db: Db, ruleIds: string[]) {
  const map = new Map<string, { id: string; name: string; active: boolean; position: number }[]>(
    ruleIds.map((id) => [id, []]),
  );
  if (ruleIds.length === 0) return map;
  const rows = await db
    .select({
      ruleId: assignmentRuleMembers.ruleId,
      id: users.id,
      name: users.displayName,
      active: users.active,
      position: assignmentRuleMembers.position,
    })
    .from(assignmentRuleMembers)
    .innerJoin(users, eq(users.id, assignmentRuleMembers.userId))
    .where(inArray(assignmentRuleMembers.ruleId, ruleIds))
    .orderBy(asc(assignmentRuleMembers.position));
  for (const r of rows) map.get(r.ruleId)!.push(r);
  return map;
}

async function presentRules(db: Db, where = sql`true`): Promise<AssignmentRule[]> {
  const rows = await db
    .select({
      rule: assignmentRules,
      businessLineName: businessLines.name,
      regionName: regions.name,
      queueDepartmentName: departments.name,
    })
    .from(assignmentRules)
    .leftJoin(businessLines, eq(businessLines.id, assignmentRules.businessLineId))
    .leftJoin(regions, eq(regions.id, assignmentRules.regionId))
    .leftJoin(departments, eq(departments.id, assignmentRules.queueDepartmentId))
    .where(where)
    .orderBy(asc(assignmentRules.position), asc(assignmentRules.createdAt));
  const members = await membersOf(
    db,
    rows.map((r) => r.rule.id),
  );
  return rows.map(({ rule: r, businessLineName, regionName, queueDepartmentName }) => ({
    id: r.id,
    name: r.name,
    position: r.position,
    businessLineId: r.businessLineId,
    businessLineName,
    regionId: r.regionId,
    regionName,
    source: r.source,
    strategy: r.strategy,
    queueDepartmentId: r.queueDepartmentId,
    queueDepartmentName,
    active: r.active,
    members: members.get(r.id)!.map(({ id, name, active }) => ({ id, name, active })),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  }));
}

export function findAssignmentRules(ctx: Ctx): Promise<AssignmentRule[]> {
  return presentRules(ctx.db);
}

async function getRule(db: Db, id: string): Promise<AssignmentRule> {
  const [rule] = await presentRules(db, sql`${assignmentRules.id} = ${id}`);
  if (!rule) throw notFound();
  return rule;
}

/** References must be active, and at least one member must be an active user (an unassignable rule is a mistake). */
async function assertRuleReferences(db: Db, input: Partial<AssignmentRuleCreate>) {
  await assertActiveReferences(db, 'businessLine', [input.businessLineId]);
  await assertActiveReferences(db, 'region', [input.regionId]);
  if (input.queueDepartmentId) {
    const [d] = await db
      .select({ active: departments.active })
      .from(departments)
      .where(eq(departments.id, input.queueDepartmentId));
    if (!d?.active) throw inactiveReference('field.department');
  }
  if (input.memberIds) {
    const ids = [...new Set(input.memberIds)];
    const found = ids.length
      ? await db.select({ id: users.id, active: users.active }).from(users).where(inArray(users.id, ids))
      : [];
    if (found.length !== ids.length) throw inactiveReference('field.assignee');
    if (!found.some((u) => u.active)) throw new AppError('ASSIGNMENT_RULE_NO_MEMBERS');
  }
}

async function setMembers(db: Db, ruleId: string, memberIds: string[]) {
  await db.delete(assignmentRuleMembers).where(eq(assignmentRuleMembers.ruleId, ruleId));
  const ids = [...new Set(memberIds)];
  if (ids.length)
    await db.insert(assignmentRuleMembers).values(ids.map((userId, position) => ({ ruleId, userId, position })));
}

export async function createAssignmentRule(ctx: Ctx, input: AssignmentRuleCreate): Promise<AssignmentRule> {
  return inTransaction(ctx, async (tx) => {
    await assertRuleReferences(tx.db, input);
    const { memberIds, ...fields } = input;
    let position = fields.position;
    if (position === undefined) {
      const [{ max }] = await tx.db
        .select({ max: sql<number | null>`max(${assignmentRules.position})` })
        .from(assignmentRules);
      position = (max ?? -1) + 1;
    }
    const [row] = await tx.db
      .insert(assignmentRules)
      .values({ ...fields, position, createdBy: tx.actor.id })
      .returning();
    await setMembers(tx.db, row.id, memberIds);
    const rule = await getRule(tx.db, row.id);
    await recordAudit(tx, { action: 'create', entityType: 'assignment-rule', entityId: row.id, after: rule });
    return rule;
  });
}

export async function updateAssignmentRule(ctx: Ctx, id: string, patch: AssignmentRuleUpdate): Promise<AssignmentRule> {
  return inTransaction(ctx, async (tx) => {
    const before = await getRule(tx.db, id);
    await assertRuleReferences(tx.db, patch);
    const { memberIds, ...fields } = patch;
    if (Object.keys(fields).length)
      await tx.db
        .update(assignmentRules)
        .set({ ...fields, updatedAt: new Date() })
        .where(eq(assignmentRules.id, id));
    if (memberIds) {
      await setMembers(tx.db, id, memberIds);
      // The round-robin turn starts over with a new member list.
      await tx.db.update(assignmentRules).set({ cursor: -1 }).where(eq(assignmentRules.id, id));
    }
    const after = await getRule(tx.db, id);
    await recordAudit(tx, { action: 'update', entityType: 'assignment-rule', entityId: id, before, after });
    return after;
  });
}

/** Deleting a rule keeps the history of what it assigned (lead_assignments keep its name). */
export async function deleteAssignmentRule(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const before = await getRule(tx.db, id);
    await tx.db.delete(assignmentRules).where(eq(assignmentRules.id, id));
    await recordAudit(tx, { action: 'delete', entityType: 'assignment-rule', entityId: id, before });
  });
}

export type AutoAssignment = {
  ownerId: string | null;
  queueDepartmentId: string | null;
  rule: Pick<RuleRow, 'id' | 'name' | 'strategy'> | null;
};

/**
 * Chooses who gets a new lead by the rules: the first matching active rule's strategy among its
 * active members. The rule row is locked while choosing, so concurrent leads take turns and the
 * round-robin cursor never skips or repeats. No matching rule, or nobody eligible → the queue of
 * the rule's department, else `fallbackQueue` (the department that took the lead in).
 */
export async function chooseAssignee(
  db: Db,
  lead: LeadCriteria,
  fallbackQueue: string | null,
): Promise<AutoAssignment> {
  const rules = await db
    .select({
      id: assignmentRules.id,
      name: assignmentRules.name,
      strategy: assignmentRules.strategy,
      businessLineId: assignmentRules.businessLineId,
      regionId: assignmentRules.regionId,
      source: assignmentRules.source,
      active: assignmentRules.active,
    })
    .from(assignmentRules)
    .where(eq(assignmentRules.active, true))
    .orderBy(asc(assignmentRules.position), asc(assignmentRules.createdAt));
  const matched = matchRule(rules, lead);
  if (!matched) return { ownerId: null, queueDepartmentId: fallbackQueue, rule: null };
  const [locked] = await db.select().from(assignmentRules).where(eq(assignmentRules.id, matched.id)).for('update');
  const rule = { id: locked.id, name: locked.name, strategy: locked.strategy };
  const members = (await membersOf(db, [locked.id])).get(locked.id)!;
  const open = members.length
    ? await db
        .select({ ownerId: leads.ownerId, n: count() })
        .from(leads)
        .where(
          and(
            inArray(
              leads.ownerId,
              members.map((m) => m.id),
            ),
            inArray(leads.status, OPEN_LEAD_STATUSES),
          ),
        )
        .groupBy(leads.ownerId)
    : [];
  const openOf = new Map(open.map((o) => [o.ownerId, o.n]));
  const picked = pickMember(
    locked.strategy,
    members.map((m) => ({ userId: m.id, position: m.position, eligible: m.active, openLeads: openOf.get(m.id) ?? 0 })),
    locked.cursor,
  );
  if (!picked) return { ownerId: null, queueDepartmentId: locked.queueDepartmentId ?? fallbackQueue, rule };
  await db.update(assignmentRules).set({ cursor: picked.cursor }).where(eq(assignmentRules.id, locked.id));
  return { ownerId: picked.userId, queueDepartmentId: null, rule };
}
