import { z } from 'zod';
import { DateOnly, Id, Timestamp } from './common';
import { STAGE_KINDS } from './opportunities';

/*
 * Sales-cycle timing: how long an opportunity spent in each stage (from its stage history) and
 * what work was done there, and per stage over a team's opportunities (input for reports).
 * Durations are whole seconds: each visit's time is rounded down to the second, and every sum
 * or average is taken over those whole seconds, so the numbers always add up.
 */

/** Done activities counted in a stage: how many, and how many of each category (only categories that occur). */
export const ActivityCounts = z.object({
  total: z.int(),
  byCategory: z.record(z.string(), z.int()),
});
export type ActivityCounts = z.infer<typeof ActivityCounts>;

const stageFields = {
  stageId: Id,
  stageNameZh: z.string(),
  stageNameEn: z.string(),
  /** open, or the pipeline's end (won / lost): time in an end stage is time since closing. */
  stageKind: z.enum(STAGE_KINDS),
};

/**
 * One stay in a stage, from the history entry that moved the opportunity there (its creation,
 * a move, winning, losing, reopening) to the next one. The done activities of the opportunity
 * recorded in this stage with doneAt in [enteredAt, leftAt) count here.
 */
export const StageVisit = z.object({
  ...stageFields,
  enteredAt: Timestamp,
  /** null while the opportunity is still in the stage. */
  leftAt: Timestamp.nullable(),
  /** Whole seconds until leftAt, or until `asOf` for the current stage. */
  seconds: z.int(),
  activities: ActivityCounts,
});
export type StageVisit = z.infer<typeof StageVisit>;

/** Every visit to one stage added up. */
export const StageTimeTotal = z.object({
  ...stageFields,
  /** How many times the opportunity entered the stage. */
  visits: z.int(),
  /** Sum of the visits' seconds. */
  seconds: z.int(),
  /** The opportunity is in this stage now. */
  current: z.boolean(),
  activities: ActivityCounts,
});
export type StageTimeTotal = z.infer<typeof StageTimeTotal>;

export const StageTimes = z.object({
  opportunityId: Id,
  /** The instant current stays are measured to. */
  asOf: Timestamp,
  /** Oldest first. */
  visits: z.array(StageVisit),
  /** One per stage visited, in pipeline order. */
  stages: z.array(StageTimeTotal),
  /** Sum of all visits' seconds: from the first history entry to leftAt of the last, or to asOf. */
  seconds: z.int(),
  /**
   * Done activities of the opportunity that fall in no visit of the stage they recorded (e.g. logged
   * later with an earlier doneAt, from before the opportunity entered that stage).
   */
  activitiesOutsideVisits: ActivityCounts,
});
export type StageTimes = z.infer<typeof StageTimes>;

// ---------- the per-stage summary of a team ----------

/**
 * Which opportunities: those the caller sees, optionally of one business line, of one department
 * and the departments below it (the owner's department on the opportunity), and created in
 * [from, to) — calendar dates in the firm's time zone (Asia/Shanghai), `to` exclusive.
 */
export const StageDurationsQuery = z
  .strictObject({
    businessLineId: Id.optional(),
    departmentId: Id.optional(),
    from: DateOnly.optional(),
    to: DateOnly.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'validation.endBeforeStart', path: ['to'] });
export type StageDurationsQuery = z.infer<typeof StageDurationsQuery>;

/**
 * One open stage of a pipeline involved. Each opportunity that entered the stage counts once, with
 * the total of its visits to it (an ongoing visit until `asOf`); its activities are the done ones
 * recorded in the stage during those visits. Averages and the median are over those opportunities.
 */
export const StageDuration = z.object({
  stageId: Id,
  /** The pipeline the stage belongs to: its business line, null for the default pipeline. */
  pipelineBusinessLineId: Id.nullable(),
  stageNameZh: z.string(),
  stageNameEn: z.string(),
  position: z.int(),
  /** Still a stage of its pipeline (a removed stage is listed while the data has visits to it). */
  active: z.boolean(),
  /** Opportunities that entered the stage at least once. */
  opportunities: z.int(),
  /** Of those, the ones in the stage now (their time so far is counted). */
  current: z.int(),
  /** Σ per-opportunity seconds. */
  totalSeconds: z.int(),
  /** Mean seconds per opportunity, rounded to the nearest second; null without opportunities. */
  averageSeconds: z.int().nullable(),
  /** Median seconds per opportunity (mean of the two middle ones for an even count), rounded; null without opportunities. */
  medianSeconds: z.int().nullable(),
  /** Σ done activities. */
  totalActivities: z.int(),
  /** Mean done activities per opportunity, rounded to two decimals; null without opportunities. */
  averageActivities: z.number().nullable(),
});
export type StageDuration = z.infer<typeof StageDuration>;

export const StageDurations = z.object({
  asOf: Timestamp,
  /** How many opportunities matched the filters (whether or not they have stage history). */
  opportunities: z.int(),
  /** Open stages only (time in won / lost is not part of the sales cycle), by pipeline, then in pipeline order. */
  stages: z.array(StageDuration),
});
export type StageDurations = z.infer<typeof StageDurations>;
