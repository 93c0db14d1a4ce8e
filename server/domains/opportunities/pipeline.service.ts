import { and, asc, count, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { translate, type Locale } from '../../../common/i18n';
import type { z } from 'zod';
import type { Pipeline, PipelineInput, Stage, StageRequirement } from '../../../common/schemas/opportunities';
import { inTransaction, type Ctx } from '../../context';
import { preparedOnce, type Db } from '../../db/client';
import { AppError, forbidden, notFound } from '../../errors';
import { can } from '../../policy';
import { recordAudit } from '../audit/audit.service';
import { assertActiveReferences } from '../staff/reference.service';
import { businessLines } from '../staff/staff.tables';
import { opportunities, pipelineStages } from './opportunities.tables';

export type StageRow = typeof pipelineStages.$inferSelect;

/** The audit entity id of the default pipeline (it belongs to no business line). */
export const DEFAULT_PIPELINE_ENTITY_ID = '00000000-0000-0000-0000-000000000000';

// ---------- words used in error messages (from the catalogues, in the caller's language) ----------

/** A readable list of missing stage requirements, e.g. `报价、联系人` / `a quote, contact`. */
export function requirementList(locale: Locale, missing: StageRequirement[]): string {
  return missing.map((r) => translate(locale, `stageRequirement.${r}`)).join(locale === 'zh-CN' ? '、' : ', ');
}
export function stageName(locale: Locale, stage: { nameZh: string; nameEn: string }): string {
  return locale === 'en-US' ? stage.nameEn : stage.nameZh;
}
type PipelineReason = 'wonLost' | 'duplicateStage' | 'duplicateName' | 'unknownStage';
function pipelineInvalid(locale: Locale, reason: PipelineReason, params: Record<string, string> = {}) {
  return new AppError(
    'PIPELINE_INVALID',
    { reason: translate(locale, `pipelineReason.${reason}`, params) },
    { reason, ...params },
  );
}

// ---------- reading ----------

export function presentStage(row: StageRow): Stage {
  return {
    id: row.id,
    businessLineId: row.businessLineId,
    nameZh: row.nameZh,
    nameEn: row.nameEn,
    position: row.position,
    kind: row.kind,
    probability: row.probability,
    requiredFields: row.requiredFields as StageRequirement[],
    active: row.active,
  };
}

const ofPipeline = (businessLineId: string | null): SQL =>
  businessLineId ? eq(pipelineStages.businessLineId, businessLineId) : isNull(pipelineStages.businessLineId);

/**
 * The pipeline a business line works with: its own active stages when it has any, else the
 * default pipeline's. Stages in order.
 */
export async function pipelineOf(db: Db, businessLineId: string | null): Promise<{ own: boolean; stages: StageRow[] }> {
  // Read on every board and opportunity page: built once and prepared (a named statement on PostgreSQL).
  const rows = businessLineId
    ? await preparedOnce(db, 'pipeline-of-line', () =>
        stagesWhere(
          db,
          sql`(${pipelineStages.businessLineId} = ${sql.placeholder('line')} OR ${pipelineStages.businessLineId} IS NULL)`,
        ),
      ).execute({ line: businessLineId })
    : await preparedOnce(db, 'pipeline-default', () =>
        stagesWhere(db, isNull(pipelineStages.businessLineId)),
      ).execute();
  const own = businessLineId ? rows.filter((r) => r.businessLineId === businessLineId) : [];
  if (own.length) return { own: true, stages: own };
  return { own: false, stages: rows.filter((r) => r.businessLineId === null) };
}

const stagesWhere = (db: Db, line: SQL) =>
  db
    .select()
    .from(pipelineStages)
    .where(and(eq(pipelineStages.active, true), line))
    .orderBy(asc(pipelineStages.position), asc(pipelineStages.id))
    .prepare(''); // named by preparedOnce

/** Whether a business line exists (any reader may name one: lines are reference data). */
export async function lineExists(db: Db, businessLineId: string): Promise<boolean> {
  const found = await preparedOnce(db, 'business-line-exists', () =>
    db
      .select({ id: businessLines.id })
      .from(businessLines)
      .where(eq(businessLines.id, sql.placeholder('line')))
      .prepare(''),
  ).execute({ line: businessLineId });
  return found.length > 0;
}

/** The first open stage of a pipeline: where new opportunities start. */
export function firstOpenStage(stages: StageRow[]): StageRow {
  const first = stages.find((s) => s.kind === 'open');
  if (!first) throw new AppError('PIPELINE_INVALID', { reason: '-' });
  return first;
}

export async function getPipeline(ctx: Ctx, businessLineId?: string): Promise<Pipeline> {
  if (businessLineId && !(await lineExists(ctx.db, businessLineId))) throw notFound();
  const { own, stages } = await pipelineOf(ctx.db, businessLineId ?? null);
  return { businessLineId: businessLineId ?? null, own, stages: stages.map(presentStage) };
}

/** Every active stage of every pipeline (for filters), default pipeline first, then by line and position. */
export async function findStages(ctx: Ctx): Promise<Stage[]> {
  const rows = await ctx.db
    .select()
    .from(pipelineStages)
    .where(eq(pipelineStages.active, true))
    .orderBy(sql`${pipelineStages.businessLineId} NULLS FIRST`, asc(pipelineStages.position), asc(pipelineStages.id));
  return rows.map(presentStage);
}

// ---------- configuring ----------

/**
 * Replaces a business line's pipeline (or the default one): stages matched by id are updated,
 * new ones inserted, those left out deactivated (refused while open opportunities sit in them).
 * A line's first own pipeline may start from the default's stages: their ids are then taken as
 * new stages (the default pipeline stays as it is, and so do opportunities in its stages).
 */
export async function savePipeline(ctx: Ctx, input: z.output<typeof PipelineInput>): Promise<Pipeline> {
  if (!can(ctx.actor, 'sales:configure')) throw forbidden();
  const locale = ctx.actor.locale;
  const lineId = input.businessLineId;

  const kinds = input.stages.map((s) => s.kind);
  if (kinds.filter((k) => k === 'won').length !== 1 || kinds.filter((k) => k === 'lost').length !== 1)
    throw pipelineInvalid(locale, 'wonLost');
  for (const field of ['nameZh', 'nameEn'] as const) {
    const seen = new Set<string>();
    for (const stage of input.stages) {
      const key = stage[field].toLowerCase();
      if (seen.has(key)) throw pipelineInvalid(locale, 'duplicateName', { name: stage[field] });
      seen.add(key);
    }
  }
  const givenIds = input.stages.map((s) => s.id).filter((id): id is string => Boolean(id));
  if (new Set(givenIds).size !== givenIds.length) throw pipelineInvalid(locale, 'duplicateStage');

  return inTransaction(ctx, async (tx) => {
    if (lineId) await assertActiveReferences(tx.db, 'businessLine', [lineId]);
    // One change of a pipeline at a time (two saves of a line's first pipeline would both insert).
    await tx.db.execute(sql`SELECT pg_advisory_xact_lock(7245002, hashtext(${lineId ?? 'default'}))`);
    const existing = await tx.db.select().from(pipelineStages).where(ofPipeline(lineId));
    const byId = new Map(existing.map((s) => [s.id, s]));
    const hadOwn = existing.some((s) => s.active);
    const before = lineId && !hadOwn ? null : await getPipeline(tx, lineId ?? undefined);

    // Ids of the default pipeline's stages, when a line gets its first pipeline from them.
    let copiedIds = new Set<string>();
    const foreign = givenIds.filter((id) => !byId.has(id));
    if (foreign.length) {
      if (lineId && !hadOwn) {
        const defaults = await tx.db
          .select({ id: pipelineStages.id })
          .from(pipelineStages)
          .where(and(isNull(pipelineStages.businessLineId), inArray(pipelineStages.id, foreign)));
        copiedIds = new Set(defaults.map((d) => d.id));
      }
      if (foreign.some((id) => !copiedIds.has(id))) throw pipelineInvalid(locale, 'unknownStage');
    }

    // Stages that stop holding open opportunities: removed ones, and ones whose kind changes.
    const kept = new Map(input.stages.filter((s) => s.id && byId.has(s.id)).map((s) => [s.id!, s]));
    const leaving = existing.filter((s) => s.active && (!kept.has(s.id) || kept.get(s.id)!.kind !== s.kind));
    if (leaving.length) {
      const used = await tx.db
        .select({ stageId: opportunities.stageId, n: count() })
        .from(opportunities)
        .where(
          and(
            inArray(
              opportunities.stageId,
              leaving.map((s) => s.id),
            ),
            eq(opportunities.status, 'open'),
          ),
        )
        .groupBy(opportunities.stageId);
      if (used.length) {
        const stage = byId.get(used[0].stageId)!;
        throw new AppError(
          'PIPELINE_STAGE_IN_USE',
          { stage: stageName(locale, stage), count: used[0].n },
          { stageId: stage.id, count: used[0].n },
        );
      }
    }

    const now = new Date();
    for (const [position, stage] of input.stages.entries()) {
      const fields = {
        nameZh: stage.nameZh,
        nameEn: stage.nameEn,
        kind: stage.kind,
        probability: stage.probability,
        requiredFields: [...new Set(stage.requiredFields)],
        position,
        active: true,
      };
      if (stage.id && byId.has(stage.id)) {
        await tx.db
          .update(pipelineStages)
          .set({ ...fields, updatedAt: now })
          .where(eq(pipelineStages.id, stage.id));
      } else {
        await tx.db.insert(pipelineStages).values({ ...fields, businessLineId: lineId, createdBy: ctx.actor.id });
      }
    }
    const removed = existing.filter((s) => s.active && !kept.has(s.id)).map((s) => s.id);
    if (removed.length)
      await tx.db
        .update(pipelineStages)
        .set({ active: false, updatedAt: now })
        .where(inArray(pipelineStages.id, removed));

    const after = await getPipeline(tx, lineId ?? undefined);
    await recordAudit(tx, {
      action: before ? 'update' : 'create',
      entityType: 'pipeline',
      entityId: lineId ?? DEFAULT_PIPELINE_ENTITY_ID,
      before,
      after,
    });
    return after;
  });
}
