import { and, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type {
  ActivityCounts,
  StageDuration,
  StageDurations,
  StageDurationsQuery,
  StageTimeTotal,
  StageTimes,
  StageVisit,
} from '../../../common/schemas/stage-times';
import type { Ctx } from '../../context';
import { invalidInput, notFound, type InputIssue } from '../../errors';
import { isoText, outer } from '../../lib/listing';
import { FIRM_TIME_ZONE, zonedInstant } from '../../lib/time';
import { departmentSubtree } from '../../policy';
import { activities } from '../activities/activities.tables';
import { businessLines, departments } from '../staff/staff.tables';
import { visibleOpportunities } from './opportunities.policy';
import { opportunities, opportunityStageChanges, pipelineStages } from './opportunities.tables';
import { pipelineOf } from './pipeline.service';

/*
 * Sales-cycle timing, computed from the stage history (opportunity_stage_changes, never
 * rewritten): every entry — the first stage at creation, each move, won, lost, reopen — starts a
 * visit of its `to_stage_id`, which lasts until the opportunity's next entry (ordered by time,
 * then id, as the history is shown) or, for the last one, until now. A visit's time is rounded
 * down to whole seconds once; every total, average and median is taken over those whole seconds.
 *
 * The done activities of a visit are the opportunity's done activities that recorded the
 * visit's stage (activities.stage_id, set when the activity is done) with done_at in
 * [entered, left). Everything that needs comparing timestamps happens in SQL, to the microsecond.
 */

/**
 * The visits of the opportunities whose ids `ids` selects: (opportunity_id, stage_id, entered_at,
 * left_at, n) with n the visit's number within its opportunity (from 1).
 */
export const visitsOf = (ids: SQL) => sql`SELECT c.opportunity_id, c.to_stage_id AS stage_id, c.at AS entered_at,
    lead(c.at) OVER w AS left_at, row_number() OVER w AS n
  FROM ${opportunityStageChanges} c
  WHERE c.opportunity_id IN (${ids})
  WINDOW w AS (PARTITION BY c.opportunity_id ORDER BY c.at, c.id)`;

/** Whole seconds of visit `v` (never negative: "now" may trail an entry committed a moment ago). */
export const secondsOf = sql`greatest(0, floor(extract(epoch FROM coalesce(v.left_at, now()) - v.entered_at)))::bigint`;

/** The condition that done activity `a` belongs to visit `v`. */
const inVisit = sql`a.opportunity_id = v.opportunity_id AND a.stage_id = v.stage_id
  AND a.done_at >= v.entered_at AND (v.left_at IS NULL OR a.done_at < v.left_at)`;

/** Done activities `a` matching `condition`, as { category: count } JSON ('{}' when none). */
const countsByCategory = (condition: SQL) => sql`coalesce((SELECT json_object_agg(x.category, x.n) FROM (
    SELECT a.category, count(*)::int AS n FROM ${activities} a WHERE a.status = 'done' AND ${condition} GROUP BY a.category
  ) x), '{}'::json)`;

const countsOf = (byCategory: Record<string, number>): ActivityCounts => ({
  total: Object.values(byCategory).reduce((sum, n) => sum + n, 0),
  byCategory,
});

function addCounts(into: Record<string, number>, more: Record<string, number>) {
  for (const [category, n] of Object.entries(more)) into[category] = (into[category] ?? 0) + n;
}

type VisitRow = {
  n: number;
  stageId: string;
  nameZh: string;
  nameEn: string;
  kind: StageVisit['stageKind'];
  position: number;
  pipeline: string | null;
  enteredAt: string;
  leftAt: string | null;
  seconds: number;
  byCategory: Record<string, number>;
};

type Rows<T> = { rows: T[] };

/** One opportunity's stays in its stages, oldest first, with the work done in each; per stage totals. 404 when the caller cannot see it. */
export async function getStageTimes(ctx: Ctx, id: string): Promise<StageTimes> {
  const [opportunity] = await ctx.db
    .select({ id: opportunities.id })
    .from(opportunities)
    .where(and(eq(opportunities.id, id), visibleOpportunities(ctx.actor)));
  if (!opportunity) throw notFound();

  // One statement, so every current stay is measured to the same "now" (asOf).
  const result = (await ctx.db.execute(sql`WITH v AS (${visitsOf(sql`${id}::uuid`)})
    SELECT ${isoText(sql`now()`)} AS "asOf",
      coalesce((SELECT json_agg(json_build_object(
          'n', v.n, 'stageId', s.id, 'nameZh', s.name_zh, 'nameEn', s.name_en, 'kind', s.kind, 'position', s.position, 'pipeline', s.business_line_id,
          'enteredAt', ${isoText(sql`v.entered_at`)}, 'leftAt', ${isoText(sql`v.left_at`)}, 'seconds', ${secondsOf},
          'byCategory', ${countsByCategory(inVisit)}
        ) ORDER BY v.n)
        FROM v JOIN ${pipelineStages} s ON s.id = v.stage_id), '[]'::json) AS visits,
      ${countsByCategory(sql`a.opportunity_id = ${id}::uuid AND NOT EXISTS (SELECT 1 FROM v WHERE ${inVisit})`)} AS outside`)) as unknown as Rows<{
    asOf: string;
    visits: VisitRow[];
    outside: Record<string, number>;
  }>;
  const { asOf, visits: rows, outside } = result.rows[0];

  const visits: StageVisit[] = rows.map((r) => ({
    stageId: r.stageId,
    stageNameZh: r.nameZh,
    stageNameEn: r.nameEn,
    stageKind: r.kind,
    enteredAt: r.enteredAt,
    leftAt: r.leftAt,
    seconds: r.seconds,
    activities: countsOf(r.byCategory),
  }));

  const totals = new Map<string, { first: VisitRow; total: StageTimeTotal; byCategory: Record<string, number> }>();
  for (const r of rows) {
    let entry = totals.get(r.stageId);
    if (!entry) {
      const byCategory: Record<string, number> = {};
      entry = {
        first: r,
        byCategory,
        total: {
          stageId: r.stageId,
          stageNameZh: r.nameZh,
          stageNameEn: r.nameEn,
          stageKind: r.kind,
          visits: 0,
          seconds: 0,
          current: false,
          activities: countsOf(byCategory),
        },
      };
      totals.set(r.stageId, entry);
    }
    entry.total.visits += 1;
    entry.total.seconds += r.seconds;
    entry.total.current ||= r.leftAt === null;
    addCounts(entry.byCategory, r.byCategory);
  }
  // Pipeline order: the default pipeline's stages before a line's own, then by position; ties by first visit.
  const stages = [...totals.values()]
    .sort(
      (a, b) =>
        Number(a.first.pipeline !== null) - Number(b.first.pipeline !== null) ||
        a.first.position - b.first.position ||
        a.first.n - b.first.n,
    )
    .map(({ total, byCategory }) => ({ ...total, activities: countsOf(byCategory) }));

  return {
    opportunityId: id,
    asOf,
    visits,
    stages,
    seconds: visits.reduce((sum, v) => sum + v.seconds, 0),
    activitiesOutsideVisits: countsOf(outside),
  };
}

type StageDurationRow = {
  stageId: string;
  opportunities: number;
  current: number;
  totalSeconds: number;
  averageSeconds: number;
  medianSeconds: number;
  totalActivities: number;
  averageActivities: number;
};

/**
 * Per open stage of the pipelines involved, over the opportunities the caller sees (and the
 * filters): how many entered it, how long each stayed in total (all its visits to the stage added
 * up, so an opportunity counts once), the mean and median of those totals, and the done activities.
 * Unknown business line or department: 400, worded like the schema's own issues.
 */
export async function getStageDurations(ctx: Ctx, query: StageDurationsQuery): Promise<StageDurations> {
  const conditions: SQL[] = [visibleOpportunities(ctx.actor)];
  const issues: InputIssue[] = [];
  if (query.businessLineId) {
    const [line] = await ctx.db
      .select({ id: businessLines.id })
      .from(businessLines)
      .where(eq(businessLines.id, query.businessLineId));
    if (!line) issues.push({ path: 'querystring.businessLineId', key: 'validation.invalid' });
    conditions.push(eq(opportunities.businessLineId, query.businessLineId));
  }
  if (query.departmentId) {
    const [department] = await ctx.db
      .select({ path: departments.path })
      .from(departments)
      .where(eq(departments.id, query.departmentId));
    if (!department) issues.push({ path: 'querystring.departmentId', key: 'validation.invalid' });
    else conditions.push(inArray(opportunities.departmentId, departmentSubtree(department.path)));
  }
  if (issues.length) throw invalidInput(ctx.actor.locale, issues);
  if (query.from) conditions.push(gte(opportunities.createdAt, zonedInstant(query.from, { hour: 0 }, FIRM_TIME_ZONE)));
  if (query.to) conditions.push(lt(opportunities.createdAt, zonedInstant(query.to, { hour: 0 }, FIRM_TIME_ZONE)));
  const where = and(...conditions)!;

  const result = (await ctx.db
    .execute(sql`WITH opps AS (SELECT ${opportunities.id} AS id FROM ${opportunities} WHERE ${where}),
    v AS (${visitsOf(sql`SELECT id FROM opps`)}),
    per_visit AS (
      SELECT v.opportunity_id, v.stage_id, v.left_at, ${secondsOf} AS seconds,
        (SELECT count(*) FROM ${activities} a WHERE a.status = 'done' AND ${inVisit}) AS acts
      FROM v
    ),
    per_opportunity AS (
      SELECT p.opportunity_id, p.stage_id, sum(p.seconds) AS seconds, sum(p.acts) AS acts, bool_or(p.left_at IS NULL) AS current
      FROM per_visit p GROUP BY p.opportunity_id, p.stage_id
    ),
    per_stage AS (
      SELECT o.stage_id AS "stageId",
        count(*)::int AS opportunities,
        (count(*) FILTER (WHERE o.current))::int AS current,
        sum(o.seconds) AS "totalSeconds",
        round(avg(o.seconds)) AS "averageSeconds",
        round((percentile_cont(0.5) WITHIN GROUP (ORDER BY o.seconds::float8))::numeric) AS "medianSeconds",
        sum(o.acts) AS "totalActivities",
        round(avg(o.acts), 2) AS "averageActivities"
      FROM per_opportunity o GROUP BY o.stage_id
    )
    SELECT ${isoText(sql`now()`)} AS "asOf",
      (SELECT count(*)::int FROM opps) AS matched,
      coalesce((SELECT json_agg(per_stage) FROM per_stage), '[]'::json) AS stages`)) as unknown as Rows<{
    asOf: string;
    matched: number;
    stages: StageDurationRow[];
  }>;
  const { asOf, matched, stages: measured } = result.rows[0];
  const byStage = new Map(measured.map((m) => [m.stageId, m]));

  // The pipelines involved: those of the stages visited, and the chosen line's pipeline in force.
  const visited = measured.map((m) => m.stageId);
  const pipelines: SQL[] = [];
  if (visited.length) {
    pipelines.push(
      sql`EXISTS (SELECT 1 FROM ${pipelineStages} vs WHERE ${inArray(sql`vs.id`, visited)} AND vs.business_line_id IS NOT DISTINCT FROM ${outer(pipelineStages.businessLineId)})`,
    );
  }
  if (query.businessLineId) {
    const { own } = await pipelineOf(ctx.db, query.businessLineId);
    pipelines.push(
      own
        ? sql`${pipelineStages.businessLineId} = ${query.businessLineId}`
        : sql`${pipelineStages.businessLineId} IS NULL`,
    );
  }
  if (!pipelines.length) return { asOf, opportunities: matched, stages: [] };
  const candidates = sql.join(
    pipelines.map((p) => sql`(${p})`),
    sql` OR `,
  );
  const stageRows = await ctx.db
    .select({ stage: pipelineStages })
    .from(pipelineStages)
    .leftJoin(businessLines, eq(businessLines.id, pipelineStages.businessLineId))
    .where(
      and(
        eq(pipelineStages.kind, 'open'),
        visited.length
          ? sql`(${inArray(pipelineStages.id, visited)} OR (${pipelineStages.active} AND (${candidates})))`
          : sql`(${pipelineStages.active} AND (${candidates}))`,
      ),
    )
    .orderBy(
      sql`${pipelineStages.businessLineId} IS NOT NULL`,
      businessLines.sortOrder,
      businessLines.name,
      pipelineStages.position,
      pipelineStages.id,
    );

  const stages: StageDuration[] = stageRows.map(({ stage }) => {
    const m = byStage.get(stage.id);
    return {
      stageId: stage.id,
      pipelineBusinessLineId: stage.businessLineId,
      stageNameZh: stage.nameZh,
      stageNameEn: stage.nameEn,
      position: stage.position,
      active: stage.active,
      opportunities: m?.opportunities ?? 0,
      current: m?.current ?? 0,
      totalSeconds: Number(m?.totalSeconds ?? 0),
      averageSeconds: m ? Number(m.averageSeconds) : null,
      medianSeconds: m ? Number(m.medianSeconds) : null,
      totalActivities: Number(m?.totalActivities ?? 0),
      averageActivities: m ? Number(m.averageActivities) : null,
    };
  });
  return { asOf, opportunities: matched, stages };
}
