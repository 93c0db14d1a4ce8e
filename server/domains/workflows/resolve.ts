import { and, desc, eq, gte, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { WorkflowStep } from '../../../common/schemas/workflows';
import type { Db } from '../../db/client';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { businessLines, departments, roles, users } from '../staff/staff.tables';
import type { SubjectFacts } from './registry';
import { workflowDelegations } from './workflows.tables';

export type ResolvedAssignee = {
  userId: string;
  reason: 'resolved' | 'fallback' | 'standing';
  forUserId: string | null;
};
/** Why a step went to the fallback person (a message key suffix: workflow.note.*). */
export type ResolveNote = 'nobody' | 'only-submitter' | null;

/** The active users among `ids`, in the given order. */
async function activeAmong(db: Db, ids: (string | null | undefined)[]): Promise<string[]> {
  const wanted = ids.filter((id): id is string => !!id);
  if (wanted.length === 0) return [];
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(inArray(users.id, wanted), eq(users.active, true)));
  return wanted.filter((id) => rows.some((r) => r.id === id));
}

/** A department and those above it, nearest first. */
async function departmentChain(
  db: Db,
  departmentId: string | null,
): Promise<{ id: string; managerId: string | null }[]> {
  if (!departmentId) return [];
  const [own] = await db.select({ path: departments.path }).from(departments).where(eq(departments.id, departmentId));
  if (!own) return [];
  return db
    .select({ id: departments.id, managerId: departments.managerId })
    .from(departments)
    .where(sql`${own.path} LIKE ${departments.path} || '%'`)
    .orderBy(desc(sql`length(${departments.path})`));
}

/** The manager of a person's department — or of the nearest one above that has a manager other than the person. */
export async function managerOf(db: Db, userId: string | null): Promise<string | null> {
  if (!userId) return null;
  const [person] = await db.select({ departmentId: users.departmentId }).from(users).where(eq(users.id, userId));
  for (const d of await departmentChain(db, person?.departmentId ?? null)) {
    if (d.managerId && d.managerId !== userId && (await activeAmong(db, [d.managerId])).length) return d.managerId;
  }
  return null;
}

const holding = (roleCode: string) =>
  sql`${users.roleId} IN (SELECT ${roles.id} FROM ${roles} WHERE ${roles.code} = ${roleCode})`;

async function activeWith(db: Db, ...conditions: ReturnType<typeof sql>[]): Promise<string[]> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.active, true), ...conditions))
    .orderBy(users.displayName, users.id);
  return rows.map((r) => r.id);
}

/** The head of a business line, if it has one. */
async function headOf(db: Db, businessLineId: string | null): Promise<string | null> {
  if (!businessLineId) return null;
  const [line] = await db
    .select({ headUserId: businessLines.headUserId })
    .from(businessLines)
    .where(eq(businessLines.id, businessLineId));
  return line?.headUserId ?? null;
}

/** Who a step names, before delegation and the fallback. */
async function named(db: Db, step: WorkflowStep, facts: SubjectFacts, submitterId: string): Promise<string[]> {
  const a = step.assignee;
  switch (a.kind) {
    case 'user':
      return activeAmong(db, [a.userId]);
    case 'role':
      return activeWith(db, holding(a.roleCode));
    case 'department':
      return activeWith(db, eq(users.departmentId, a.departmentId), ...(a.roleCode ? [holding(a.roleCode)] : []));
    case 'role-in-department': {
      for (const d of await departmentChain(db, facts.departmentId)) {
        const found = await activeWith(db, eq(users.departmentId, d.id), holding(a.roleCode));
        if (found.length) return found;
      }
      return [];
    }
    case 'relation': {
      const person =
        a.relation === 'owner-manager'
          ? await managerOf(db, facts.ownerId)
          : a.relation === 'submitter-manager'
            ? await managerOf(db, submitterId)
            : a.relation === 'business-line-head'
              ? await headOf(db, facts.businessLineId)
              : (facts.projectLeadId ?? null);
      return activeAmong(db, [person]);
    }
  }
}

/**
 * Who decides a step, resolved when it starts: the people it names who are active, never the submitter
 * (nobody approves their own request), each replaced by their delegate while a standing delegation covers
 * today; when that leaves nobody, the flow's fallback person, with the reason.
 */
export async function resolveStep(
  db: Db,
  step: WorkflowStep,
  facts: SubjectFacts,
  submitterId: string,
  fallbackUserId: string,
  now = new Date(),
): Promise<{ assignees: ResolvedAssignee[]; note: ResolveNote }> {
  const people = await named(db, step, facts, submitterId);
  const others = people.filter((id) => id !== submitterId);
  if (others.length === 0) {
    const note: ResolveNote = people.length ? 'only-submitter' : 'nobody';
    return { assignees: await withDelegates(db, [fallbackUserId], 'fallback', now), note };
  }
  return { assignees: await withDelegates(db, others, 'resolved', now), note: null };
}

/** The people, each replaced by an active delegate while their standing delegation covers today; no one twice. */
async function withDelegates(
  db: Db,
  ids: string[],
  reason: 'resolved' | 'fallback',
  now: Date,
): Promise<ResolvedAssignee[]> {
  const today = localDate(now, FIRM_TIME_ZONE);
  const delegations = await db
    .select({ userId: workflowDelegations.userId, delegateId: workflowDelegations.delegateId })
    .from(workflowDelegations)
    .innerJoin(users, and(eq(users.id, workflowDelegations.delegateId), eq(users.active, true)))
    .where(
      and(
        inArray(workflowDelegations.userId, ids),
        lte(workflowDelegations.startsOn, today),
        gte(workflowDelegations.endsOn, today),
        isNull(workflowDelegations.revokedAt),
      ),
    )
    .orderBy(desc(workflowDelegations.createdAt));
  const result: ResolvedAssignee[] = [];
  for (const id of ids) {
    const delegate = delegations.find((d) => d.userId === id)?.delegateId;
    const assignee: ResolvedAssignee = delegate
      ? { userId: delegate, reason: 'standing', forUserId: id }
      : { userId: id, reason, forUserId: null };
    if (!result.some((r) => r.userId === assignee.userId)) result.push(assignee);
  }
  return result;
}
