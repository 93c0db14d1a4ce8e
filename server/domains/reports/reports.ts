import { REPORT_PERMISSION, type ReportCatalogue, type ReportKind } from '../../../common/schemas/reports';
import type { Ctx } from '../../context';
import { say } from '../../lib/label';
import { can } from '../../policy';
import { branchComparison } from './branch-comparison.report';
import { funnelLoss } from './funnel-loss.report';
import { pipelineForecast } from './pipeline-forecast.report';
import { leadConversion } from './lead-conversion.report';
import type { ReportDefinition } from './registry';
import { revenue } from './revenue.report';
import { salesCycle } from './sales-cycle.report';
import { workloadReport } from './workload.report';
import { commissionsReport } from './commissions.report';
import { renewalsReport } from './renewals.report';

/** Every report, in the menu's order. */
export const REPORTS: ReportDefinition[] = [
  funnelLoss,
  leadConversion,
  salesCycle,
  pipelineForecast,
  branchComparison,
  revenue,
  workloadReport,
  commissionsReport,
  renewalsReport,
];

export function reportOf(kind: ReportKind): ReportDefinition | undefined {
  return REPORTS.find((r) => r.kind === kind);
}

/** The reports the reader may open (those whose records they may read). */
export function reportCatalogue(ctx: Ctx): ReportCatalogue {
  return {
    items: REPORTS.filter((r) => can(ctx.actor, REPORT_PERMISSION[r.kind])).map((r) => ({
      kind: r.kind,
      title: say(r.title, ctx.actor.locale),
      description: say(r.description, ctx.actor.locale),
    })),
  };
}
