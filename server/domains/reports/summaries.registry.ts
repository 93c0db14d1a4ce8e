import type { Db } from '../../db/client';
import { funnelSummary } from './funnel.summary';
import { leadConversionSummary } from './lead-conversion.summary';
import { revenueSummary } from './revenue.summary';
import { catchUp, type Summary } from './summaries';
import { salesCycleSummary } from './sales-cycle.summary';
import { workloadSummary } from './workload.summary';

/** Every report summary (summaries.ts), brought up to date by the `rule.report-summaries` job. */
export const SUMMARIES: Summary[] = [
  workloadSummary,
  funnelSummary,
  leadConversionSummary,
  revenueSummary,
  salesCycleSummary,
];

/** Brings every summary up to date, one after another. */
export async function catchUpAll(db: Db): Promise<void> {
  for (const summary of SUMMARIES) await catchUp(db, summary);
}
