import { and, asc, count, eq, ilike, ne, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { Page } from '../../../common/schemas/common';
import type {
  EngagementTemplate,
  EngagementTemplateInput,
  EngagementTemplateListQuery,
  PhaseKind,
  TemplatePhase,
} from '../../../common/schemas/engagements';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { duplicate, inactiveReference, invalidInput, isUniqueViolation, notFound, type InputIssue } from '../../errors';
import { containsPattern, offsetOf, orderFrom, outer, pageWithTotal } from '../../lib/listing';
import { recordAudit } from '../audit/audit.service';
import { businessLines } from '../staff/staff.tables';
import { engagements, engagementTemplates } from './engagements.tables';

/**
 * Engagement templates 业务模板 (engagements:configure): per business line, the ordered phases an engagement is made
 * of, each with its default tasks (role, planned hours), length in days, the roles it needs and the qualification.
 * The phases are one JSON document, replaced as a whole (PUT); an engagement copies it into rows when it is made,
 * so changing a template never changes the engagements made from it.
 */

type TemplateRow = typeof engagementTemplates.$inferSelect;
type TemplateInput = z.infer<typeof EngagementTemplateInput>;
type ListQuery = z.infer<typeof EngagementTemplateListQuery>;

/** Kinds a template has at most once: the review 复核, the report 出具报告 and the archiving 归档. */
const SINGLE_KINDS: readonly PhaseKind[] = ['review', 'report', 'archive'];

/** Quarter hours as hundredths, exactly ("6.5" → 650n). */
function hundredths(hours: string): bigint {
  const [whole, fraction = ''] = hours.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
}

/** Hundredths as the shortest hours text: 12050n → "120.5", 800n → "8", 25n → "0.25". */
function hoursText(value: bigint): string {
  const whole = value / 100n;
  const fraction = String(value % 100n)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** The sum of every task's planned hours, exactly. */
export function templatePlannedHours(phases: readonly TemplatePhase[]): string {
  let total = 0n;
  for (const phase of phases)
    for (const task of phase.tasks) if (task.plannedHours !== null) total += hundredths(task.plannedHours);
  return hoursText(total);
}

/** The document as stored: defaults filled, hours in their shortest form ("6.50" → "6.5"), each role once. */
function normalisedPhases(input: TemplateInput['phases']): TemplatePhase[] {
  return input.map((phase) => ({
    name: phase.name,
    kind: phase.kind,
    durationDays: phase.durationDays,
    roles: [...new Set(phase.roles)],
    qualification: phase.qualification,
    tasks: phase.tasks.map((task) => ({
      title: task.title,
      role: task.role,
      plannedHours: task.plannedHours === undefined ? null : hoursText(hundredths(task.plannedHours)),
    })),
  }));
}

/** Review, report and archive at most once each, and the archiving last (VALIDATION_FAILED on the phase's kind). */
function checkPhases(ctx: Ctx, phases: TemplatePhase[]): void {
  const issues: InputIssue[] = [];
  const seen = new Set<PhaseKind>();
  phases.forEach((phase, i) => {
    const path = `phases.${i}.kind`;
    if (SINGLE_KINDS.includes(phase.kind)) {
      if (seen.has(phase.kind)) issues.push({ path, key: 'validation.phaseKindOnce' });
      seen.add(phase.kind);
    }
    if (phase.kind === 'archive' && i !== phases.length - 1) issues.push({ path, key: 'validation.archiveLast' });
  });
  if (issues.length) throw invalidInput(ctx.actor.locale, issues);
}

const engagementCount = () =>
  sql<number>`(SELECT count(*) FROM ${engagements} WHERE ${engagements.templateId} = ${outer(engagementTemplates.id)})`.mapWith(
    Number,
  );

function selectTemplates(db: Db) {
  return db
    .select({ template: engagementTemplates, businessLineName: businessLines.name, engagements: engagementCount() })
    .from(engagementTemplates)
    .innerJoin(businessLines, eq(businessLines.id, engagementTemplates.businessLineId));
}

function present(row: { template: TemplateRow; businessLineName: string; engagements: number }): EngagementTemplate {
  const t = row.template;
  return {
    id: t.id,
    businessLineId: t.businessLineId,
    businessLineName: row.businessLineName,
    name: t.name,
    cycle: t.cycle,
    active: t.active,
    note: t.note,
    phases: t.phases,
    plannedHours: templatePlannedHours(t.phases),
    engagements: row.engagements,
    updatedAt: t.updatedAt.toISOString(),
  };
}

/** Templates of a business line (or all), active or not, by name or last change; with the sum of planned hours. */
export async function findTemplates(ctx: Ctx, query: ListQuery): Promise<Page<EngagementTemplate>> {
  const filters: SQL[] = [];
  if (query.businessLineId) filters.push(eq(engagementTemplates.businessLineId, query.businessLineId));
  if (query.active !== 'all') filters.push(eq(engagementTemplates.active, query.active === 'true'));
  if (query.q) filters.push(ilike(engagementTemplates.name, containsPattern(query.q)));
  const where = and(...filters);
  const order = orderFrom(
    query.sort,
    { name: engagementTemplates.name, updatedAt: engagementTemplates.updatedAt },
    'name',
    engagementTemplates.id,
  );
  const { rows, total } = await pageWithTotal(
    query,
    selectTemplates(ctx.db)
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () => ctx.db.select({ total: count() }).from(engagementTemplates).where(where),
  );
  return { items: rows.map(present), total, page: query.page, pageSize: query.pageSize };
}

export async function getTemplate(ctx: Ctx, id: string): Promise<EngagementTemplate> {
  const [row] = await selectTemplates(ctx.db).where(eq(engagementTemplates.id, id));
  if (!row) throw notFound();
  return present(row);
}

/**
 * The business line's active template new engagements are made from by default: the first by name, or null.
 * (The engagement service reads it inside its own transaction.)
 */
export async function activeTemplateFor(db: Db, businessLineId: string): Promise<TemplateRow | null> {
  const [row] = await db
    .select()
    .from(engagementTemplates)
    .where(and(eq(engagementTemplates.businessLineId, businessLineId), eq(engagementTemplates.active, true)))
    .orderBy(asc(engagementTemplates.name), asc(engagementTemplates.id))
    .limit(1);
  return row ?? null;
}

/** The business line exists and is in use (INACTIVE_REFERENCE otherwise). */
async function assertActiveLine(db: Db, businessLineId: string): Promise<void> {
  const [line] = await db
    .select({ id: businessLines.id })
    .from(businessLines)
    .where(and(eq(businessLines.id, businessLineId), eq(businessLines.active, true)));
  if (!line) throw inactiveReference('field.businessLine');
}

/** No other template of the business line has the name (DUPLICATE_VALUE on the name). */
async function assertUniqueName(db: Db, businessLineId: string, name: string, exceptId?: string): Promise<void> {
  const [clash] = await db
    .select({ id: engagementTemplates.id })
    .from(engagementTemplates)
    .where(
      and(
        eq(engagementTemplates.businessLineId, businessLineId),
        eq(engagementTemplates.name, name),
        exceptId ? ne(engagementTemplates.id, exceptId) : undefined,
      ),
    );
  if (clash) throw duplicate('field.name', name);
}

/** What the audit log keeps of a template: the whole document. */
function audited(row: TemplateRow) {
  return {
    businessLineId: row.businessLineId,
    name: row.name,
    cycle: row.cycle,
    active: row.active,
    note: row.note,
    phases: row.phases,
  };
}

/** Writes that a concurrent writer beat this one to the name (the unique index) as the same DUPLICATE_VALUE. */
async function uniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error, 'engagement_templates_name_key')) throw duplicate('field.name', name);
    throw error;
  }
}

export async function createTemplate(ctx: Ctx, input: TemplateInput): Promise<EngagementTemplate> {
  const phases = normalisedPhases(input.phases);
  checkPhases(ctx, phases);
  const id = await inTransaction(ctx, async (tx) => {
    await assertActiveLine(tx.db, input.businessLineId);
    await assertUniqueName(tx.db, input.businessLineId, input.name);
    const [row] = await uniqueName(input.name, () =>
      tx.db
        .insert(engagementTemplates)
        .values({
          businessLineId: input.businessLineId,
          name: input.name,
          cycle: input.cycle,
          active: input.active,
          note: input.note ?? null,
          phases,
          createdBy: ctx.actor.id,
          updatedBy: ctx.actor.id,
        })
        .returning(),
    );
    await recordAudit(tx, {
      action: 'create',
      entityType: 'engagement-template',
      entityId: row.id,
      after: audited(row),
    });
    return row.id;
  });
  return getTemplate(ctx, id);
}

/**
 * Replaces the whole template (PUT). Engagements already made from it keep their phases. The business line must be
 * in use when it is chosen; a template may stay on a line that has since been switched off.
 */
export async function replaceTemplate(ctx: Ctx, id: string, input: TemplateInput): Promise<EngagementTemplate> {
  const phases = normalisedPhases(input.phases);
  checkPhases(ctx, phases);
  await inTransaction(ctx, async (tx) => {
    const [before] = await tx.db.select().from(engagementTemplates).where(eq(engagementTemplates.id, id)).for('update');
    if (!before) throw notFound();
    if (before.businessLineId !== input.businessLineId) await assertActiveLine(tx.db, input.businessLineId);
    await assertUniqueName(tx.db, input.businessLineId, input.name, id);
    const [after] = await uniqueName(input.name, () =>
      tx.db
        .update(engagementTemplates)
        .set({
          businessLineId: input.businessLineId,
          name: input.name,
          cycle: input.cycle,
          active: input.active,
          note: input.note ?? null,
          phases,
          updatedAt: new Date(),
          updatedBy: ctx.actor.id,
        })
        .where(eq(engagementTemplates.id, id))
        .returning(),
    );
    await recordAudit(tx, {
      action: 'update',
      entityType: 'engagement-template',
      entityId: id,
      before: audited(before),
      after: audited(after),
    });
  });
  return getTemplate(ctx, id);
}
