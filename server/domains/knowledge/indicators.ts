import { sql } from 'drizzle-orm';
import type { Ctx } from '../../context';
import { visibleOpportunities } from '../opportunities/opportunities.policy';
import { activities } from '../activities/activities.tables';
import { opportunities } from '../opportunities/opportunities.tables';
import { users } from '../staff/staff.tables';
import { visibleArticles } from './knowledge.policy';
import { knowledgeArticles, knowledgeLinks, knowledgeMarks, knowledgeReads } from './knowledge.tables';
import { playbookSchedules, playbookTicks } from './playbooks.tables';

/**
 * The knowledge base's figures for the partner's start page (issue 17, item 6), over the articles the reader sees and
 * the period [start, end) — this year so far on the dashboard:
 * - written: articles created in the period, not archived, templates not counted (a saved copy of a document is not
 *   knowledge written; its use is counted on the template);
 * - closedDeals / lessons: opportunities (the reader sees) won or lost in the period, and those of them with a lesson
 *   复盘 — an article of kind lesson, not archived, linked to the opportunity;
 * - reads: distinct reader × article pairs read in the period (the last read in it);
 * - usefulMarks: "useful" marks given in the period;
 * - stale: articles not archived whose review date is before `today` (待复审, whenever written);
 * - staffReads / staffWritten: of reads and written, those by active staff (员工发展, averaged by the caller);
 * - staffPlaybookSteps: playbook steps 销售指引 completed in the period by active staff — checklist items ticked and
 *   activities a playbook scheduled that were done (whatever the reader sees: a figure of the firm's people, as CPE).
 * One statement, each table read once per figure.
 */
export async function knowledgeFigures(ctx: Ctx, range: { start: Date; end: Date; today: string }) {
  const A = knowledgeArticles;
  const visible = visibleArticles(ctx.actor);
  const start = range.start.toISOString();
  const end = range.end.toISOString();
  const inPeriod = (column: unknown) => sql`${column} >= ${start}::timestamptz AND ${column} < ${end}::timestamptz`;
  const activeUser = (column: unknown) => sql`${column} IN (SELECT u.id FROM ${users} u WHERE u.active)`;
  const hasLesson = sql`EXISTS (SELECT 1 FROM ${knowledgeLinks} l JOIN ${A} ON ${A.id} = l.article_id
    WHERE l.target_type = 'opportunity' AND l.target_id = ${opportunities.id}
      AND ${A.kind} = 'lesson' AND ${A.archivedAt} IS NULL AND ${visible})`;
  const steps = sql`(SELECT count(*) FROM ${playbookTicks}
      WHERE ${inPeriod(playbookTicks.tickedAt)} AND ${activeUser(playbookTicks.tickedBy)})
    + (SELECT count(*) FROM ${playbookSchedules} JOIN ${activities} ON ${activities.id} = ${playbookSchedules.activityId}
      WHERE ${activities.status} = 'done' AND ${inPeriod(activities.doneAt)} AND ${activeUser(activities.ownerId)})`;
  const result = await ctx.db.execute(sql`SELECT w.written, w.staff_written, w.stale, r.reads, r.staff_reads, m.marks,
      d.closed, d.lessons, (${steps})::int AS staff_steps
    FROM (SELECT count(*) FILTER (WHERE ${A.kind} <> 'template' AND ${inPeriod(A.createdAt)})::int AS written,
        count(*) FILTER (WHERE ${A.kind} <> 'template' AND ${inPeriod(A.createdAt)}
          AND ${activeUser(A.createdBy)})::int AS staff_written,
        count(*) FILTER (WHERE ${A.reviewOn} < ${range.today}::date)::int AS stale
      FROM ${A} WHERE ${A.archivedAt} IS NULL AND ${visible}) w,
    (SELECT count(*)::int AS reads, count(*) FILTER (WHERE ${activeUser(knowledgeReads.userId)})::int AS staff_reads
      FROM ${knowledgeReads} JOIN ${A} ON ${A.id} = ${knowledgeReads.articleId}
      WHERE ${inPeriod(knowledgeReads.lastReadAt)} AND ${visible}) r,
    (SELECT count(*)::int AS marks FROM ${knowledgeMarks} JOIN ${A} ON ${A.id} = ${knowledgeMarks.articleId}
      WHERE ${inPeriod(knowledgeMarks.createdAt)} AND ${visible}) m,
    (SELECT count(*)::int AS closed, count(*) FILTER (WHERE ${hasLesson})::int AS lessons
      FROM ${opportunities} WHERE ${opportunities.status} IN ('won', 'lost') AND ${inPeriod(opportunities.closedAt)}
        AND ${visibleOpportunities(ctx.actor)}) d`);
  const [row] = (result as unknown as { rows: Record<string, number>[] }).rows;
  return {
    written: Number(row.written),
    closedDeals: Number(row.closed),
    lessons: Number(row.lessons),
    reads: Number(row.reads),
    usefulMarks: Number(row.marks),
    stale: Number(row.stale),
    staffReads: Number(row.staff_reads),
    staffWritten: Number(row.staff_written),
    staffPlaybookSteps: Number(row.staff_steps),
  };
}
