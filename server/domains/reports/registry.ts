import type { z } from 'zod';
import type { ReportAnswer, ReportKind } from '../../../common/schemas/reports';
import type { Ctx } from '../../context';
import type { Label } from '../../lib/label';

/**
 * A report: its query (the common filters and its own options), its name, and how it runs — under the visibility
 * of its permission (REPORT_PERMISSION: the reader sees figures of the records they could list). The routes, the export, the catalogue and the subscriptions read the list in reports.ts.
 */
export type ReportDefinition<Q extends z.ZodType = z.ZodType> = {
  kind: ReportKind;
  title: Label;
  description: Label;
  query: Q;
  run: (ctx: Ctx, query: z.output<Q>) => Promise<ReportAnswer>;
};

export const defineReport = <Q extends z.ZodType>(definition: ReportDefinition<Q>) =>
  definition as unknown as ReportDefinition;
