import type { Db } from '../../db/client';
import { revenueSummary } from './revenue.summary';
import { catchUp, type Summary } from './summaries';

/** Every report summary (summaries.ts), brought up to date by the `rule.report-summaries` job. */
export const SUMMARIES: Summary[] = [revenueSummary];

/** Brings every summary up to date, one after another. */
export async function catchUpAll(db: Db): Promise<void> {
  for (const summary of SUMMARIES) await catchUp(db, summary);
}
