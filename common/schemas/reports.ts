import { z } from 'zod';
import { PERIOD_PRESETS, REPORT_KINDS } from '../reports';
import { DateOnly, Id } from './common';

/**
 * 销售报表 (issue 16): every report is a typed query with the same filters and one answer shape — tables of
 * labelled, typed cells the server has already put in the reader's language, a chart over the first table, and a
 * drill-down address per figure — so the web app draws any report with one page, and the .xlsx export and the
 * scheduled e-mail carry exactly what the page shows.
 */
export { PERIOD_PRESETS, REPORT_KINDS, REPORT_PERMISSION, type PeriodPreset, type ReportKind } from '../reports';

/**
 * The filters every report takes. The period is a preset or a range of local dates (both ends included); neither
 * means this year. Each report says how a dimension applies to its records (e.g. a contract's branch, or its
 * owner's when it has none).
 */
export const reportFilterShape = {
  period: z.enum(PERIOD_PRESETS).optional(),
  from: DateOnly.optional(),
  to: DateOnly.optional(),
  businessLineId: Id.optional(),
  branchId: Id.optional(),
  regionId: Id.optional(),
  /** This department and those below it. */
  departmentId: Id.optional(),
  ownerId: Id.optional(),
};
export const ReportFilters = z.strictObject(reportFilterShape);
export type ReportFilters = z.infer<typeof ReportFilters>;

/** A report's query: the common filters and the report's own options. */
export function reportQuery<S extends z.ZodRawShape>(options: S) {
  return z.strictObject({ ...reportFilterShape, ...options });
}

/**
 * How a cell is written: text; count (an integer); money (CNY, exact decimal string with two decimals); percent (a
 * decimal string with one decimal, "37.5"); days and hours (decimal strings with one decimal).
 */
export const REPORT_CELL_KINDS = ['text', 'count', 'money', 'percent', 'days', 'hours'] as const;
export type ReportCellKind = (typeof REPORT_CELL_KINDS)[number];

export const ReportColumn = z.object({
  key: z.string(),
  label: z.string(),
  kind: z.enum(REPORT_CELL_KINDS),
});
export type ReportColumn = z.infer<typeof ReportColumn>;

/** Where a figure leads: a page of the web app and its filters (the list shows the records behind the figure). */
export const ReportDrill = z.object({ path: z.string(), query: z.record(z.string(), z.string()) });
export type ReportDrill = z.infer<typeof ReportDrill>;

export const ReportCell = z.union([z.string(), z.number(), z.null()]);
export type ReportCell = z.infer<typeof ReportCell>;

export const ReportRow = z.object({
  key: z.string(),
  cells: z.record(z.string(), ReportCell),
  /** Drill-down per column key; the row's own (its label, its bars) under the category column's key. */
  drill: z.record(z.string(), ReportDrill).optional(),
});
export type ReportRow = z.infer<typeof ReportRow>;

export const ReportTable = z.object({
  title: z.string().nullable(),
  columns: z.array(ReportColumn),
  rows: z.array(ReportRow),
  total: ReportRow.nullable(),
});
export type ReportTable = z.infer<typeof ReportTable>;

export const REPORT_CHART_TYPES = ['bar', 'stacked-bar', 'line'] as const;
export const REPORT_TONES = ['good', 'loss', 'open', 'target'] as const;
/** The chart over the first table: the category column along one axis, a series per listed column. */
export const ReportChart = z.object({
  type: z.enum(REPORT_CHART_TYPES),
  category: z.string(),
  series: z.array(z.string()),
  /** Bars along the vertical axis (long category names: stages, people). */
  horizontal: z.boolean(),
  /**
   * What each series means, for its colour (aligned with `series`): good news, a loss, what is still undecided, a
   * target to measure against; without it the theme's colours in turn.
   */
  tones: z.array(z.enum(REPORT_TONES)).optional(),
});
export type ReportChart = z.infer<typeof ReportChart>;

export const ReportAnswer = z.object({
  kind: z.enum(REPORT_KINDS),
  title: z.string(),
  /** The period as run (a preset resolved), both ends included. */
  from: DateOnly,
  to: DateOnly,
  /** The filters in words (the period, named business line, branch …), for the page, the export and the e-mail. */
  filtersText: z.string(),
  /** The answer in one sentence, e.g. the stage where most opportunities are lost; null when there is nothing to say. */
  headline: z.string().nullable(),
  tables: z.array(ReportTable).min(1),
  chart: ReportChart.nullable(),
});
export type ReportAnswer = z.infer<typeof ReportAnswer>;

/** The reports the reader may open, in the menu's order. */
export const ReportCatalogue = z.object({
  items: z.array(z.object({ kind: z.enum(REPORT_KINDS), title: z.string(), description: z.string() })),
});
export type ReportCatalogue = z.infer<typeof ReportCatalogue>;
