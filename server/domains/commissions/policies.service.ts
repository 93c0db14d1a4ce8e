import { and, desc, eq, gte, lte, max, ne, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Policy, PolicyInput, RuleInput } from '../../../common/schemas/commissions';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, invalidInput, isUniqueViolation, notFound, type InputIssue } from '../../errors';
import { can } from '../../policy';
import { recordAudit } from '../audit/audit.service';
import { users } from '../staff/staff.tables';
import { commissionPolicies, commissionSheets } from './commissions.tables';
import { checkRules, type Rule } from './compute';

/**
 * The commission policy 佣金政策 (commissions:configure), in versions: a draft is edited freely and may be tried on a
 * past period (the what-if 模拟); adopting it puts it in force from its effective date — no month from then on may
 * have a sheet yet — and freezes it. The version in force for a month is the adopted one with the latest effective
 * date on or before the month's first day (of two on one date, the later version). Every save checks the rules as a whole (compute.ts checkRules): the
 * numbers, each role on its side, and no two rules equally specific that one person could meet.
 */

type PolicyRow = typeof commissionPolicies.$inferSelect;
type Input = z.output<typeof PolicyInput>;

const PROBLEM_PATH = {
  tiers: (i: number) => `rules.${i}.tiers`,
  percent: (i: number) => `rules.${i}`,
  rate: (i: number) => `rules.${i}.hourlyRate`,
  side: (i: number) => `rules.${i}.match.role`,
} as const;

/** The rules as the arithmetic reads them (the stored document is the schema's output: every match field present). */
export const asRules = (rules: readonly RuleInput[]): Rule[] => rules as unknown as Rule[];

/** Keys once each, then the arithmetic's own checks, as field errors on the rules (VALIDATION_FAILED, nothing saved). */
function checkInput(ctx: Ctx, input: Input): void {
  const issues: InputIssue[] = [];
  const index = new Map<string, number>();
  input.rules.forEach((rule, i) => {
    if (index.has(rule.key)) issues.push({ path: `rules.${i}.key`, key: 'validation.ruleKeyTwice' });
    else index.set(rule.key, i);
  });
  if (issues.length === 0)
    for (const problem of checkRules(asRules(input.rules))) {
      if (problem.problem === 'ambiguous') {
        const [a, b] = problem.keys;
        issues.push({ path: `rules.${index.get(b)}.match`, key: 'validation.ruleAmbiguous', params: { a, b } });
      } else {
        const at = index.get(problem.key)!;
        const key =
          problem.problem === 'tiers'
            ? 'validation.ruleTiers'
            : problem.problem === 'side'
              ? 'validation.ruleSide'
              : problem.problem === 'rate'
                ? 'validation.money'
                : 'validation.percent';
        issues.push({ path: PROBLEM_PATH[problem.problem](at), key });
      }
    }
  if (issues.length) throw invalidInput(ctx.actor.locale, issues);
}

function selectPolicies(db: Db) {
  return db
    .select({ p: commissionPolicies, adoptedByName: users.displayName })
    .from(commissionPolicies)
    .leftJoin(users, eq(users.id, commissionPolicies.adoptedBy));
}

function present(row: { p: PolicyRow; adoptedByName: string | null }): Policy {
  const p = row.p;
  return {
    id: p.id,
    version: p.version,
    name: p.name,
    effectiveFrom: p.effectiveFrom,
    status: p.status,
    note: p.note,
    rules: p.rules as Policy['rules'],
    adoptedAt: p.adoptedAt?.toISOString() ?? null,
    adoptedByName: row.adoptedByName,
    createdAt: p.createdAt.toISOString(),
  };
}

/** Drafts are for those who keep the policy; the adopted versions are read by everyone they apply to. */
const readable = (ctx: Ctx) =>
  can(ctx.actor, 'commissions:configure') ? undefined : eq(commissionPolicies.status, 'adopted');

/** Every version the reader may see, the newest first (a firm has a handful). */
export async function findPolicies(ctx: Ctx): Promise<{ items: Policy[] }> {
  const rows = await selectPolicies(ctx.db).where(readable(ctx)).orderBy(desc(commissionPolicies.version));
  return { items: rows.map(present) };
}

export async function getPolicy(ctx: Ctx, id: string): Promise<Policy> {
  const [row] = await selectPolicies(ctx.db).where(and(eq(commissionPolicies.id, id), readable(ctx)));
  if (!row) throw notFound();
  return present(row);
}

/** The adopted version in force on a day (null: none yet). */
export async function policyInForce(db: Db, onDay: string): Promise<PolicyRow | null> {
  const [row] = await db
    .select()
    .from(commissionPolicies)
    .where(and(eq(commissionPolicies.status, 'adopted'), lte(commissionPolicies.effectiveFrom, onDay)))
    .orderBy(desc(commissionPolicies.effectiveFrom), desc(commissionPolicies.version))
    .limit(1);
  return row ?? null;
}

/** A new draft version, numbered after the last (two saved at once: the version's unique index, then once more). */
export async function createPolicy(ctx: Ctx, input: Input): Promise<Policy> {
  checkInput(ctx, input);
  for (let attempt = 0; ; attempt++) {
    try {
      const id = await inTransaction(ctx, async (tx) => {
        const [{ last }] = await tx.db.select({ last: max(commissionPolicies.version) }).from(commissionPolicies);
        const [row] = await tx.db
          .insert(commissionPolicies)
          .values({
            version: (last ?? 0) + 1,
            name: input.name,
            effectiveFrom: input.effectiveFrom,
            note: input.note ?? null,
            rules: input.rules,
            createdBy: tx.actor.id,
          })
          .returning();
        await recordAudit(tx, { action: 'create', entityType: 'commission-policy', entityId: row.id, after: row });
        return row.id;
      });
      return getPolicy(ctx, id);
    } catch (error) {
      if (attempt === 0 && isUniqueViolation(error, 'commission_policies_version_key')) continue;
      throw error;
    }
  }
}

async function lockDraft(tx: Ctx, id: string): Promise<PolicyRow> {
  const [row] = await tx.db.select().from(commissionPolicies).where(eq(commissionPolicies.id, id)).for('update');
  if (!row) throw notFound();
  if (row.status !== 'draft') throw new AppError('COMMISSION_POLICY_ADOPTED', { version: row.version });
  return row;
}

/** A draft replaced whole (an adopted version is frozen: COMMISSION_POLICY_ADOPTED). */
export async function updatePolicy(ctx: Ctx, id: string, input: Input): Promise<Policy> {
  checkInput(ctx, input);
  await inTransaction(ctx, async (tx) => {
    const before = await lockDraft(tx, id);
    const [after] = await tx.db
      .update(commissionPolicies)
      .set({
        name: input.name,
        effectiveFrom: input.effectiveFrom,
        note: input.note ?? null,
        rules: input.rules,
        updatedAt: new Date(),
      })
      .where(eq(commissionPolicies.id, id))
      .returning();
    await recordAudit(tx, { action: 'update', entityType: 'commission-policy', entityId: id, before, after });
  });
  return getPolicy(ctx, id);
}

/** Adopting a version and drafting a sheet exclude each other (a sheet reads the version in force once). */
export const POLICY_LOCK = 7245003;

/**
 * Adopts a draft: in force from its effective date, frozen. Refused when a month from that date on already has a
 * sheet (COMMISSION_POLICY_DATE): a month counted under one version is never recounted under another. Drafting
 * sheets holds the policy lock shared, adopting holds it alone, so neither slips past the other.
 */
export async function adoptPolicy(ctx: Ctx, id: string): Promise<Policy> {
  await inTransaction(ctx, async (tx) => {
    await tx.db.execute(sql`SELECT pg_advisory_xact_lock(${POLICY_LOCK})`);
    const before = await lockDraft(tx, id);
    const from = before.effectiveFrom.slice(0, 7);
    const [counted] = await tx.db
      .select({ period: commissionSheets.period })
      .from(commissionSheets)
      .where(and(ne(commissionSheets.status, 'cancelled'), gte(commissionSheets.period, from)))
      .orderBy(desc(commissionSheets.period))
      .limit(1);
    if (counted) throw new AppError('COMMISSION_POLICY_DATE', { period: counted.period });
    const adoptedAt = new Date();
    await tx.db
      .update(commissionPolicies)
      .set({ status: 'adopted', adoptedAt, adoptedBy: tx.actor.id, updatedAt: adoptedAt })
      .where(eq(commissionPolicies.id, id));
    await recordAudit(tx, {
      action: 'adopt',
      entityType: 'commission-policy',
      entityId: id,
      before: { status: 'draft' },
      after: { status: 'adopted', effectiveFrom: before.effectiveFrom },
    });
  });
  return getPolicy(ctx, id);
}

/** Deletes a draft (an adopted version stays: COMMISSION_POLICY_ADOPTED). */
export async function deletePolicy(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockDraft(tx, id);
    await tx.db.delete(commissionPolicies).where(eq(commissionPolicies.id, id));
    await recordAudit(tx, { action: 'delete', entityType: 'commission-policy', entityId: id, before });
  });
}
