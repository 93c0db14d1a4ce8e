import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { Money } from '../../../common/schemas/common';
import {
  WORKFLOW_SUBJECTS,
  WorkflowInput,
  type Workflow,
  type WorkflowCondition,
  type WorkflowVersion,
} from '../../../common/schemas/workflows';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { invalidInput, notFound, type InputIssue } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { getUserNames } from '../staff/actors';
import { businessLines, departments, roles, users } from '../staff/staff.tables';
import { workflowInstances, workflowVersions, workflows } from './workflows.tables';

type Input = z.output<typeof WorkflowInput>;

const NUMBER_OPS = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte']);
const ID_OPS = new Set(['eq', 'ne', 'in']);
const Percent = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,2})?$/)
  .refine((v) => Number(v) <= 100);

/**
 * The checks a flow must pass before it is saved, each reported on its field: at least one step; every
 * condition on a field of its kind with a value of the field's type (and an operator that fits it); every
 * step decidable by someone — a named person who is active, a role that exists, an active department, a
 * relation the kind knows —; "return to" only to earlier steps (a later one would make a cycle); an active
 * fallback person.
 */
async function checkDefinition(ctx: Ctx, input: Input): Promise<void> {
  const issues: InputIssue[] = [];
  const issue = (path: string, key: InputIssue['key']) => {
    if (!issues.some((i) => i.path === path)) issues.push({ path, key });
  };
  const kind = WORKFLOW_SUBJECTS[input.subjectKind];
  if (input.steps.length === 0) issues.push({ path: 'steps', key: 'validation.workflowNoSteps' });

  const ids = {
    users: new Set<string>([input.fallbackUserId]),
    departments: new Set<string>(),
    lines: new Set<string>(),
  };
  const roleCodes = new Set<string>();
  input.conditions.forEach((c, i) => {
    const type = kind.fields[c.field];
    if (!type) {
      issues.push({ path: `conditions.${i}.field`, key: 'validation.workflowUnknownField' });
      return;
    }
    const numeric = type === 'money' || type === 'percent';
    const values = Array.isArray(c.value) ? c.value : [c.value];
    const fits =
      (numeric ? NUMBER_OPS.has(c.op) : ID_OPS.has(c.op)) &&
      (c.op === 'in') === Array.isArray(c.value) &&
      values.every((v) =>
        type === 'money'
          ? Money.safeParse(v).success
          : type === 'percent'
            ? Percent.safeParse(v).success
            : z.uuid().safeParse(v).success,
      );
    if (!fits) issue(`conditions.${i}.value`, 'validation.workflowConditionValue');
    else if (type === 'businessLine') values.forEach((v) => ids.lines.add(v));
    else if (type === 'department') values.forEach((v) => ids.departments.add(v));
  });
  input.steps.forEach((step, i) => {
    const a = step.assignee;
    if (a.kind === 'user') ids.users.add(a.userId);
    if (a.kind === 'role' || a.kind === 'role-in-department') roleCodes.add(a.roleCode);
    if (a.kind === 'department') {
      ids.departments.add(a.departmentId);
      if (a.roleCode) roleCodes.add(a.roleCode);
    }
    if (a.kind === 'relation' && !kind.relations.includes(a.relation))
      issues.push({ path: `steps.${i}.assignee`, key: 'validation.workflowUnsatisfiable' });
    if (step.returnTo.some((target) => target >= i + 1))
      issues.push({ path: `steps.${i}.returnTo`, key: 'validation.workflowReturnCycle' });
  });

  const [activeUsers, activeDepartments, lines, knownRoles] = await Promise.all([
    ctx.db
      .select({ id: users.id })
      .from(users)
      .where(and(inArray(users.id, [...ids.users]), eq(users.active, true))),
    ids.departments.size
      ? ctx.db
          .select({ id: departments.id })
          .from(departments)
          .where(and(inArray(departments.id, [...ids.departments]), eq(departments.active, true)))
      : [],
    ids.lines.size
      ? ctx.db
          .select({ id: businessLines.id })
          .from(businessLines)
          .where(inArray(businessLines.id, [...ids.lines]))
      : [],
    roleCodes.size
      ? ctx.db
          .select({ code: roles.code })
          .from(roles)
          .where(inArray(roles.code, [...roleCodes]))
      : [],
  ]);
  const has = (rows: { id: string }[], id: string) => rows.some((r) => r.id === id);
  const hasRole = (code: string) => knownRoles.some((r) => r.code === code);
  if (!has(activeUsers, input.fallbackUserId))
    issues.push({ path: 'fallbackUserId', key: 'validation.workflowInactivePerson' });
  input.conditions.forEach((c, i) => {
    const type = kind.fields[c.field];
    const values = Array.isArray(c.value) ? c.value : [c.value];
    if (type === 'businessLine' && values.some((v) => z.uuid().safeParse(v).success && !has(lines, v)))
      issue(`conditions.${i}.value`, 'validation.workflowConditionValue');
    if (type === 'department' && values.some((v) => z.uuid().safeParse(v).success && !has(activeDepartments, v)))
      issue(`conditions.${i}.value`, 'validation.workflowConditionValue');
  });
  input.steps.forEach((step, i) => {
    const a = step.assignee;
    const decidable =
      a.kind === 'user'
        ? has(activeUsers, a.userId)
        : a.kind === 'role' || a.kind === 'role-in-department'
          ? hasRole(a.roleCode)
          : a.kind === 'department'
            ? has(activeDepartments, a.departmentId) && (!a.roleCode || hasRole(a.roleCode))
            : true;
    if (!decidable) issues.push({ path: `steps.${i}.assignee`, key: 'validation.workflowUnsatisfiable' });
  });
  if (issues.length > 0) throw invalidInput(ctx.actor.locale, issues);
}

async function present(db: Db, rows: (typeof workflows.$inferSelect)[]): Promise<Workflow[]> {
  if (rows.length === 0) return [];
  const [names, running] = await Promise.all([
    getUserNames(
      db,
      rows.flatMap((r) => [r.fallbackUserId, r.updatedBy ?? r.createdBy].filter((x): x is string => !!x)),
    ),
    db
      .select({ workflowId: workflowInstances.workflowId, n: count() })
      .from(workflowInstances)
      .where(
        and(
          inArray(
            workflowInstances.workflowId,
            rows.map((r) => r.id),
          ),
          inArray(workflowInstances.status, ['running', 'returned']),
        ),
      )
      .groupBy(workflowInstances.workflowId),
  ]);
  return rows.map((r) => ({
    id: r.id,
    subjectKind: r.subjectKind,
    nameZh: r.nameZh,
    nameEn: r.nameEn,
    priority: r.priority,
    active: r.active,
    version: r.version,
    conditions: r.conditions,
    steps: r.steps,
    fallbackUserId: r.fallbackUserId,
    fallbackUserName: names.get(r.fallbackUserId) ?? null,
    runningCount: running.find((x) => x.workflowId === r.id)?.n ?? 0,
    updatedAt: r.updatedAt.toISOString(),
    updatedByName: names.get(r.updatedBy ?? r.createdBy ?? '') ?? null,
  }));
}

export async function listWorkflows(
  ctx: Ctx,
  query: { subjectKind?: Workflow['subjectKind']; active: 'true' | 'false' | 'all' },
): Promise<Workflow[]> {
  const rows = await ctx.db
    .select()
    .from(workflows)
    .where(
      and(
        query.subjectKind ? eq(workflows.subjectKind, query.subjectKind) : undefined,
        query.active === 'all' ? undefined : eq(workflows.active, query.active === 'true'),
      ),
    )
    .orderBy(asc(workflows.subjectKind), asc(workflows.priority), asc(workflows.nameZh), asc(workflows.id));
  return present(ctx.db, rows);
}

export async function getWorkflow(ctx: Ctx, id: string): Promise<Workflow> {
  const [row] = await ctx.db.select().from(workflows).where(eq(workflows.id, id));
  if (!row) throw notFound();
  return (await present(ctx.db, [row]))[0];
}

export async function listWorkflowVersions(ctx: Ctx, id: string): Promise<WorkflowVersion[]> {
  await getWorkflow(ctx, id);
  const rows = await ctx.db
    .select()
    .from(workflowVersions)
    .where(eq(workflowVersions.workflowId, id))
    .orderBy(desc(workflowVersions.version));
  const names = await getUserNames(
    ctx.db,
    rows.map((r) => r.createdBy).filter((x): x is string => !!x),
  );
  return rows.map((r) => ({
    version: r.version,
    nameZh: r.nameZh,
    nameEn: r.nameEn,
    conditions: r.conditions,
    steps: r.steps,
    fallbackUserId: r.fallbackUserId,
    createdAt: r.createdAt.toISOString(),
    createdByName: names.get(r.createdBy ?? '') ?? null,
  }));
}

const content = (input: Input) => ({
  nameZh: input.nameZh,
  nameEn: input.nameEn,
  conditions: input.conditions as WorkflowCondition[],
  steps: input.steps,
  fallbackUserId: input.fallbackUserId,
});

export async function createWorkflow(ctx: Ctx, body: WorkflowInput): Promise<Workflow> {
  const input = WorkflowInput.parse(body);
  await checkDefinition(ctx, input);
  const id = await inTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .insert(workflows)
      .values({
        ...content(input),
        subjectKind: input.subjectKind,
        priority: input.priority,
        active: input.active,
        version: 1,
        createdBy: ctx.actor.id,
        updatedBy: ctx.actor.id,
      })
      .returning();
    await tx.db
      .insert(workflowVersions)
      .values({ ...content(input), workflowId: row.id, version: 1, createdBy: ctx.actor.id });
    await recordAudit(tx, { action: 'create', entityType: 'workflow', entityId: row.id, after: row });
    return row.id;
  });
  return getWorkflow(ctx, id);
}

/** Saves a new version (running instances keep theirs); priority and active are the flow's own, not versioned. */
export async function updateWorkflow(ctx: Ctx, id: string, body: WorkflowInput): Promise<Workflow> {
  const input = WorkflowInput.parse(body);
  await inTransaction(ctx, async (tx) => {
    const [before] = await tx.db.select().from(workflows).where(eq(workflows.id, id)).for('update');
    if (!before) throw notFound();
    if (before.subjectKind !== input.subjectKind)
      throw invalidInput(ctx.actor.locale, [{ path: 'subjectKind', key: 'validation.workflowKindFixed' }]);
    await checkDefinition(tx, input);
    const version = before.version + 1;
    const [after] = await tx.db
      .update(workflows)
      .set({
        ...content(input),
        priority: input.priority,
        active: input.active,
        version,
        updatedBy: ctx.actor.id,
        updatedAt: sql`now()`,
      })
      .where(eq(workflows.id, id))
      .returning();
    await tx.db
      .insert(workflowVersions)
      .values({ ...content(input), workflowId: id, version, createdBy: ctx.actor.id });
    await recordAudit(tx, { action: 'update', entityType: 'workflow', entityId: id, before, after });
  });
  return getWorkflow(ctx, id);
}

/**
 * The flow that applies to a subject: the first active one of its kind, by priority, whose conditions all
 * hold (its current version) — or null, when the subject needs no approval.
 */
export async function applicableWorkflow(db: Db, kind: Workflow['subjectKind'], fields: Record<string, string | null>) {
  const candidates = await db
    .select({ id: workflows.id, conditions: workflows.conditions, version: workflows.version })
    .from(workflows)
    .where(and(eq(workflows.subjectKind, kind), eq(workflows.active, true)))
    .orderBy(asc(workflows.priority), asc(workflows.createdAt), asc(workflows.id));
  const chosen = candidates.find((w) => w.conditions.every((c) => holds(c, fields[c.field] ?? null, kind)));
  if (!chosen) return null;
  const [version] = await db
    .select()
    .from(workflowVersions)
    .where(and(eq(workflowVersions.workflowId, chosen.id), eq(workflowVersions.version, chosen.version)));
  return version;
}

/** Hundredths of a decimal string, exactly (money and percentages have at most two decimals). */
function hundredths(value: string): bigint {
  const [whole, fraction = ''] = value.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
}

/** Does a condition hold for a subject's value? A missing value satisfies only `ne`. */
export function holds(c: WorkflowCondition, value: string | null, kind: Workflow['subjectKind']): boolean {
  if (value === null) return c.op === 'ne';
  const type = WORKFLOW_SUBJECTS[kind].fields[c.field];
  if (type === 'money' || type === 'percent') {
    const a = hundredths(value);
    const b = hundredths(c.value as string);
    switch (c.op) {
      case 'eq':
        return a === b;
      case 'ne':
        return a !== b;
      case 'gt':
        return a > b;
      case 'gte':
        return a >= b;
      case 'lt':
        return a < b;
      case 'lte':
        return a <= b;
      default:
        return false;
    }
  }
  if (c.op === 'in') return (c.value as string[]).includes(value);
  return c.op === 'eq' ? value === c.value : c.op === 'ne' ? value !== c.value : false;
}
