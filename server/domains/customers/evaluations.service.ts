import { desc, eq, max } from 'drizzle-orm';
import type { Evaluation, EvaluationSheet, EvaluationSheetInput, ValueTier } from '../../../common/schemas/customers';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { users } from '../staff/staff.tables';
import { assertCustomerWritable, getCustomer } from './customers.service';
import { customerEvaluations, customers, evaluationSheets } from './customers.tables';

function presentSheet(row: typeof evaluationSheets.$inferSelect): EvaluationSheet {
  return {
    id: row.id,
    version: row.version,
    factors: row.factors,
    tiers: row.tiers,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The sheet in force (the newest version), or null before an administrator sets one up. */
export async function getCurrentSheet(db: Db): Promise<EvaluationSheet | null> {
  const [row] = await db.select().from(evaluationSheets).orderBy(desc(evaluationSheets.version)).limit(1);
  return row ? presentSheet(row) : null;
}

/** Saves a new version of the sheet; evaluations already made keep the version they used. */
export async function saveSheet(ctx: Ctx, input: EvaluationSheetInput): Promise<EvaluationSheet> {
  return inTransaction(ctx, async (tx) => {
    const [{ latest }] = await tx.db.select({ latest: max(evaluationSheets.version) }).from(evaluationSheets);
    const [row] = await tx.db
      .insert(evaluationSheets)
      .values({ version: (latest ?? 0) + 1, factors: input.factors, tiers: input.tiers, createdBy: ctx.actor.id })
      .returning();
    const sheet = presentSheet(row);
    await recordAudit(tx, { action: 'create', entityType: 'evaluation-sheet', entityId: row.id, after: sheet });
    return sheet;
  });
}

/**
 * The value score, exactly: weights are kept in hundredths of a percent and option scores
 * are whole points (0–100), so Σ weight × score is an integer in 1/10,000 of a point; the
 * score is that, rounded half up to two decimals, as a string.
 */
export function scoreOf(sheet: Pick<EvaluationSheet, 'factors'>, answers: Record<string, number>): string {
  let total = 0; // in 1/10,000 points
  for (const factor of sheet.factors)
    total += Math.round(factor.weight * 100) * factor.options[answers[factor.key]].score;
  const hundredths = Math.floor((total + 50) / 100);
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

export function tierOf(sheet: Pick<EvaluationSheet, 'tiers'>, score: string): ValueTier {
  const value = Number(score);
  if (value >= sheet.tiers.A) return 'A';
  if (value >= sheet.tiers.B) return 'B';
  if (value >= sheet.tiers.C) return 'C';
  return 'D';
}

function selectEvaluations(db: Db) {
  return db
    .select({ evaluation: customerEvaluations, version: evaluationSheets.version, byName: users.displayName })
    .from(customerEvaluations)
    .innerJoin(evaluationSheets, eq(evaluationSheets.id, customerEvaluations.sheetId))
    .innerJoin(users, eq(users.id, customerEvaluations.evaluatedBy))
    .$dynamic();
}

function present(r: {
  evaluation: typeof customerEvaluations.$inferSelect;
  version: number;
  byName: string;
}): Evaluation {
  const e = r.evaluation;
  return {
    id: e.id,
    customerId: e.customerId,
    sheetId: e.sheetId,
    sheetVersion: r.version,
    answers: e.answers,
    score: e.score,
    tier: e.tier,
    notes: e.notes,
    evaluatedBy: e.evaluatedBy,
    evaluatedByName: r.byName,
    evaluatedAt: e.evaluatedAt.toISOString(),
  };
}

/** Scores a customer against the sheet in force; the customer's value score and tier become this one's. */
export async function evaluateCustomer(
  ctx: Ctx,
  customerId: string,
  input: { answers: Record<string, number>; notes?: string | null },
): Promise<Evaluation> {
  return inTransaction(ctx, async (tx) => {
    await assertCustomerWritable(tx, customerId);
    const sheet = await getCurrentSheet(tx.db);
    if (!sheet) throw new AppError('EVALUATION_SHEET_MISSING');
    const wrong = sheet.factors.filter((f) => !(input.answers[f.key] in f.options)).map((f) => f.name);
    const unknown = Object.keys(input.answers).filter((k) => !sheet.factors.some((f) => f.key === k));
    if (wrong.length || unknown.length) {
      throw new AppError(
        'EVALUATION_INCOMPLETE',
        { keys: [...wrong, ...unknown].join('、') },
        { missing: wrong, unknown },
      );
    }
    const score = scoreOf(sheet, input.answers);
    const tier = tierOf(sheet, score);
    const [row] = await tx.db
      .insert(customerEvaluations)
      .values({
        customerId,
        sheetId: sheet.id,
        answers: input.answers,
        score,
        tier,
        notes: input.notes ?? null,
        evaluatedBy: ctx.actor.id,
      })
      .returning({ id: customerEvaluations.id });
    const [before] = await tx.db
      .select({ valueScore: customers.valueScore, valueTier: customers.valueTier })
      .from(customers)
      .where(eq(customers.id, customerId));
    await tx.db.update(customers).set({ valueScore: score, valueTier: tier }).where(eq(customers.id, customerId));
    await recordAudit(tx, {
      action: 'update',
      entityType: 'customer',
      entityId: customerId,
      before,
      after: { valueScore: score, valueTier: tier, sheetVersion: sheet.version, answers: input.answers },
    });
    const [created] = await selectEvaluations(tx.db).where(eq(customerEvaluations.id, row.id));
    return present(created);
  });
}

export async function findEvaluations(ctx: Ctx, customerId: string): Promise<Evaluation[]> {
  await getCustomer(ctx, customerId);
  const rows = await selectEvaluations(ctx.db)
    .where(eq(customerEvaluations.customerId, customerId))
    .orderBy(desc(customerEvaluations.evaluatedAt), desc(customerEvaluations.id));
  return rows.map(present);
}
