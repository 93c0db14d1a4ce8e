import type { PeriodPreset, ReportKind } from '../../../common/reports';
import type { WebMessageKey } from '../../i18n';

/**
 * Each report's own options beside the common filters (the server's query schema names them): a choice of values,
 * the first the default. Labels: `report.option.<key>` and `report.option.<key>.<value>`.
 */
export type ReportOption = { key: string; values: readonly string[] };

export const REPORT_OPTIONS: Partial<Record<ReportKind, readonly ReportOption[]>> = {
  'branch-comparison': [{ key: 'by', values: ['branch', 'month'] }],
  'lead-conversion': [{ key: 'by', values: ['month', 'region', 'source', 'campaign', 'businessLine'] }],
  'sales-cycle': [{ key: 'by', values: ['businessLine', 'owner', 'department'] }],
  revenue: [{ key: 'by', values: ['month', 'businessLine', 'branch'] }],
  workload: [{ key: 'by', values: ['person', 'department', 'businessLine'] }],
  commissions: [{ key: 'by', values: ['person', 'department', 'businessLine', 'month'] }],
  renewals: [{ key: 'by', values: ['businessLine', 'owner', 'branch'] }],
};

/** The period a report opens with (this year unless it looks ahead). */
export const DEFAULT_PERIOD: Partial<Record<ReportKind, PeriodPreset>> = { 'pipeline-forecast': 'next-12-months' };

export const optionLabel = (key: string, value?: string) =>
  (value ? `report.option.${key}.${value}` : `report.option.${key}`) as WebMessageKey;
