import type { Permission } from './permissions';

/**
 * The reports 销售报表 (issue 16) by name, without their schemas: what the web app's first load needs to build its
 * menu (common/schemas/reports.ts has the query and answer shapes).
 */
export const REPORT_KINDS = [
  'funnel-loss',
  'lead-conversion',
  'sales-cycle',
  'branch-comparison',
  'revenue',
  'workload',
  'commissions',
  'pipeline-forecast',
  'renewals',
] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/**
 * The permission each report is read under: the reader needs it to open the report, and sees the figures of the
 * records it lets them list (a manager his department's, a salesperson his own, partners and finance the firm's).
 */
export const REPORT_PERMISSION: Record<ReportKind, Permission> = {
  'funnel-loss': 'opportunities:read',
  'lead-conversion': 'leads:read',
  'sales-cycle': 'opportunities:read',
  'branch-comparison': 'contracts:read',
  revenue: 'receivables:read',
  workload: 'engagements:read',
  commissions: 'commissions:read',
  'pipeline-forecast': 'opportunities:read',
  renewals: 'opportunities:read',
};

/** Period presets, resolved in the firm's time zone on the day the report runs (a subscription keeps the preset). */
export const PERIOD_PRESETS = [
  'this-month',
  'last-month',
  'this-quarter',
  'this-year',
  'last-year',
  /** This month and the eleven after it: what a forecast looks at. */
  'next-12-months',
] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];
