import { z } from 'zod';
import { Id, Timestamp, text } from './common';

/**
 * Number series 编号规则: contract, order and report numbers 报告文号 given by the system, unique and gapless
 * (server/domains/numbering). A pattern holds literal text and tokens: {yyyy} / {yy} the year of the
 * date the number is given on (the firm's time zone), {seq:N} the sequence zero-padded to N figures
 * (1–9). With a year token the sequence restarts every year; without one it runs on.
 */
export const NUMBERED_KINDS = ['contract', 'order', 'report'] as const;
export type NumberedKind = (typeof NUMBERED_KINDS)[number];

export const NumberPattern = text(60);

export const NumberSeries = z.object({
  id: Id,
  kind: z.enum(NUMBERED_KINDS),
  /** Null: the series of every business line that has none of its own. */
  businessLineId: Id.nullable(),
  businessLineName: z.string().nullable(),
  name: z.string(),
  pattern: z.string(),
  /** What the next number would be if it were given today (nothing is reserved). */
  nextPreview: z.string(),
  active: z.boolean(),
  updatedAt: Timestamp,
});
export type NumberSeries = z.infer<typeof NumberSeries>;

export const NumberSeriesCreate = z.strictObject({
  kind: z.enum(NUMBERED_KINDS),
  businessLineId: Id.nullable().default(null),
  name: text(100),
  pattern: NumberPattern,
});
export const NumberSeriesUpdate = z.strictObject({
  name: text(100).optional(),
  pattern: NumberPattern.optional(),
  active: z.boolean().optional(),
});

/** One number of a series' register 登记簿, in order, with what it was given to and where that stands. */
export const IssuedNumber = z.object({
  seq: z.int(),
  number: z.string(),
  subjectKind: z.enum(NUMBERED_KINDS),
  subjectId: Id,
  /** The subject's status (a voided contract keeps its number: 作废). */
  status: z.string(),
  title: z.string(),
  issuedAt: Timestamp,
  issuedByName: z.string().nullable(),
});
export const NumberRegister = z.object({
  seriesId: Id,
  period: z.string(),
  /** Numbers given in the period, in order. */
  items: z.array(IssuedNumber),
  /** Sequence values between 1 and the last one given that no number holds: always empty. */
  gaps: z.array(z.int()),
  lastSeq: z.int(),
});
export const NumberRegisterQuery = z.strictObject({
  /** The year (or `all` for a series without a year token); default: this year. */
  period: z
    .string()
    .regex(/^(\d{4}|all)$/)
    .optional(),
});
