import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { reportQuery, type ReportRow } from '../../../common/schemas/reports';
import type { Ctx } from '../../context';
import { say } from '../../lib/label';
import { scopeOf } from '../../policy';
import { engagements } from '../engagements/engagements.tables';
import { readablePeople } from '../engagements/timesheets.service';
import { timeEntries, timesheetWeeks } from '../engagements/timesheets.tables';
import { toHundredths } from '../opportunities/quotes.service';
import { weeklyCapacityOf } from '../people/people.service';
import { businessLines, departments, roles, users } from '../staff/staff.tables';
import { average, percent, type Cells } from './cells';
import { firmToday, inDepartment, type Resolved, resolveFilters, when, wholeMonths } from './filters';
import { catchUp } from './summaries';
import { workloadSummary } from './workload.summary';
import { workloadSummary as workloadSummaryTable } from './workload.summary.tables';
import { defineReport } from './registry';

export const WorkloadReportQuery = reportQuery({
  /** A row per person, per department (the person's) or per business line (the engagement's). */
  by: z.enum(['person', 'department', 'businessLine']).default('person'),
});

const L = {
  title: { zh: '工作量与利用率', en: 'Workload and utilisation' },
  description: {
    zh: '已提交和已审批的工时，按人员、部门或业务类型：总工时、可计费工时及占比、产能与利用率',
    en: 'Submitted and approved hours by person, department or business line: hours, billable hours and share, capacity and utilisation',
  },
  person: { zh: '人员', en: 'Person' },
  department: { zh: '部门', en: 'Department' },
  businessLine: { zh: '业务类型', en: 'Business line' },
  hours: { zh: '总工时', en: 'Hours' },
  billable: { zh: '可计费工时', en: 'Billable hours' },
  billableShare: { zh: '可计费占比', en: 'Billable share' },
  capacity: { zh: '产能（小时）', en: 'Capacity (hours)' },
  utilisation: { zh: '利用率', en: 'Utilisation' },
  total: { zh: '合计', en: 'Total' },
  noDepartment: { zh: '未分配部门', en: 'No department' },
  noLine: { zh: '非项目工时', en: 'Not on an engagement' },
  headline: {
    zh: '期间工时 {hours} 小时，可计费占 {share}%，利用率 {utilisation}%',
    en: '{hours} hours in the period, {share}% billable, {utilisation}% utilisation',
  },
};

/*
 * What is counted (decided for issue 16):
 * - hours: time entries dated in the period (work_date, a local date) of weeks the person has handed in — submitted
 *   or approved; open and returned weeks are still being written and are left out (approved alone would leave out
 *   every week still waiting for its approver, which is most of the current month);
 * - billable: those entries marked billable; billable share = billable ÷ hours;
 * - capacity: each person's weekly capacity (their people record's, 40 h without one) × the period's days up to
 *   today (a period reaching into the future counts only its days so far) ÷ 7, to
 *   the hundredth of an hour; utilisation = hours ÷ capacity (what the 工作负荷 page shows per week). By business line
 *   a person's capacity is not split, so that grouping has neither;
 * - people: those whose time the reader sees (the timesheets' readablePeople: themselves; their department subtree's as a
 *   manager; everyone with scope all), who do engagement work (active, their role writes their own or their
 *   department's engagements: staff and managers — not administrators and partners, whose scope is the firm's, unless
 *   they log time) or have hours counted; the person's department (subtree), branch and region, and the owner filter as the person; the business
 *   line filter keeps the hours of that line's engagements.
 * - a period of whole months (every preset) reads the summary (workload.summary.ts, caught up first); any other
 *   range reads the entries and their weeks, with the same rules (a week across the period's edge counts its days
 *   inside).
 * No drill-down for hours: /workload counts every week (drafts too) by Monday-weeks, /timesheet is one person's week —
 * neither lists exactly these entries.
 */

type By = z.output<typeof WorkloadReportQuery>['by'];

/** The people of the report: readable, within the person filters. */
function peopleWhere(ctx: Ctx, f: Resolved): SQL {
  return sql`${readablePeople(ctx.actor)}
    AND ${when(f.branchId, (id) => sql`${users.branchId} = ${id}`)}
    AND ${when(f.regionId, (id) => sql`${users.regionId} = ${id}`)}
    AND ${when(f.ownerId, (id) => sql`${users.id} = ${id}`)}
    AND ${inDepartment(f, sql`${users.departmentId}`)}`;
}

/** Entries counted: in the period, of a submitted or approved week, of the business line if one is chosen. */
function counted(f: Resolved): SQL {
  return sql`${timeEntries.workDate} BETWEEN ${f.from} AND ${f.to}
    AND EXISTS (SELECT 1 FROM ${timesheetWeeks} w WHERE w.user_id = ${timeEntries.userId}
      AND w.week_start = date_trunc('week', ${timeEntries.workDate}::timestamp)::date
      AND w.status IN ('submitted', 'approved'))
    AND ${when(f.businessLineId, (id) => sql`${engagements.businessLineId} = ${id}`)}`;
}

type Person = { id: string; name: string; department_id: string | null; department: string | null; capacity: string };
type Hours = { user_id: string; line: string | null; hours: string; billable: string | null };

/** Where the counted hours come from: the summary's months, or the time entries with their weeks and engagements. */
type Source = {
  /** Some counted hours of the person (`users` row) exist. */
  hasHours: SQL;
  /** The hours of everyone readable (people joined only when `who` is set), by person and line (or NULL). */
  hours: (byLine: boolean, who: SQL | null) => SQL;
};

function fromSummary(f: Resolved): Source {
  const inPeriod = sql`s.month BETWEEN ${f.from} AND ${f.to}
    AND ${when(f.businessLineId, (id) => sql`s.business_line_id = ${id}`)}`;
  return {
    hasHours: sql`EXISTS (SELECT 1 FROM ${workloadSummaryTable} s WHERE s.user_id = ${users.id} AND ${inPeriod})`,
    hours: (byLine, who) => sql`SELECT s.user_id, ${byLine ? sql`s.business_line_id` : sql`NULL::uuid`} AS line,
        sum(s.hours)::text AS hours, sum(s.billable)::text AS billable
      FROM ${workloadSummaryTable} s ${who ? sql`JOIN ${users} ON ${users.id} = s.user_id` : sql``}
      WHERE ${inPeriod} AND ${who ?? sql`true`}
      GROUP BY 1, 2`,
  };
}

function fromEntries(f: Resolved): Source {
  return {
    hasHours: sql`EXISTS (SELECT 1 FROM ${timeEntries} LEFT JOIN ${engagements} ON ${engagements.id} = ${timeEntries.engagementId}
      WHERE ${timeEntries.userId} = ${users.id} AND ${counted(f)})`,
    // The engagement's row is joined only for its business line (grouped or filtered by it).
    hours: (byLine, who) => sql`SELECT ${timeEntries.userId} AS user_id,
        ${byLine ? sql`${engagements.businessLineId}` : sql`NULL::uuid`} AS line,
        sum(${timeEntries.hours})::text AS hours,
        (sum(${timeEntries.hours}) FILTER (WHERE ${timeEntries.billable}))::text AS billable
      FROM ${timeEntries}
      ${who ? sql`JOIN ${users} ON ${users.id} = ${timeEntries.userId}` : sql``}
      ${byLine || f.businessLineId ? sql`LEFT JOIN ${engagements} ON ${engagements.id} = ${timeEntries.engagementId}` : sql``}
      WHERE ${who ?? sql`true`} AND ${counted(f)}
      GROUP BY 1, 2`,
  };
}

async function load(ctx: Ctx, f: Resolved, byLine: boolean) {
  const everyone =
    scopeOf(ctx.actor, 'engagements:read') === 'all' && !f.branchId && !f.regionId && !f.ownerId && !f.departmentPath;
  // A whole-month period reads the summary, brought up to date first (it never answers from an older state).
  const summarised = wholeMonths(f);
  if (summarised) await catchUp(ctx.db, workloadSummary);
  const source = summarised ? fromSummary(f) : fromEntries(f);
  const [people, hours] = await Promise.all([
    ctx.db.execute(sql`SELECT ${users.id} AS id, ${users.displayName} AS name, ${users.departmentId} AS department_id,
        ${departments.name} AS department, ${weeklyCapacityOf} AS capacity
      FROM ${users} JOIN ${roles} ON ${roles.id} = ${users.roleId}
      LEFT JOIN ${departments} ON ${departments.id} = ${users.departmentId}
      WHERE ${peopleWhere(ctx, f)} AND (
        (${users.active} AND ${roles.grants} ->> 'engagements:write' IN ('own', 'department'))
        OR ${source.hasHours})
      ORDER BY ${users.displayName}, ${users.id}`),
    // The hours of everyone readable: the people's row joined only when a condition reads it.
    ctx.db.execute(source.hours(byLine, everyone ? null : peopleWhere(ctx, f))),
  ]);
  return {
    people: (people as unknown as { rows: Person[] }).rows,
    hours: (hours as unknown as { rows: Hours[] }).rows,
  };
}

const h = (value: string | null | undefined) => (value ? toHundredths(value) : 0n);
/** Hours with one decimal from hundredths. */
const hoursCell = (hundredths: bigint) => average(hundredths, 100n)!;

type Sums = { hours: bigint; billable: bigint; capacity: bigint | null };

function cellsOf(sums: Sums): Cells {
  return {
    hours: hoursCell(sums.hours),
    billable: hoursCell(sums.billable),
    billableShare: percent(sums.billable, sums.hours),
    capacity: sums.capacity === null ? null : hoursCell(sums.capacity),
    utilisation: sums.capacity === null ? null : percent(sums.hours, sums.capacity),
  };
}

export const workloadReport = defineReport({
  kind: 'workload',
  title: L.title,
  description: L.description,
  query: WorkloadReportQuery,
  async run(ctx, query) {
    const locale = ctx.actor.locale;
    const f = await resolveFilters(ctx, query);
    const by: By = query.by;
    const { people, hours } = await load(ctx, f, by === 'businessLine');
    // Capacity runs to today at the latest: the rest of a period still ahead has no hours yet to set against it.
    const last = f.to < firmToday() ? f.to : firmToday();
    const days = last < f.from ? 0n : BigInt((Date.parse(last) - Date.parse(f.from)) / 86_400_000 + 1);
    /** A person's capacity over the period in hundredths, rounded half up. */
    const capacityOf = (p: Person) => (h(p.capacity) * days * 2n + 7n) / 14n;
    const listed = new Set(people.map((p) => p.id));
    const counts = hours.filter((r) => listed.has(r.user_id));

    const groups: { key: string; name: string; sums: Sums }[] = [];
    const add = (key: string, name: string, sums: Partial<Sums>) => {
      let g = groups.find((x) => x.key === key);
      if (!g) {
        g = { key, name, sums: { hours: 0n, billable: 0n, capacity: by === 'businessLine' ? null : 0n } };
        groups.push(g);
      }
      g.sums.hours += sums.hours ?? 0n;
      g.sums.billable += sums.billable ?? 0n;
      if (g.sums.capacity !== null && sums.capacity !== undefined && sums.capacity !== null)
        g.sums.capacity += sums.capacity;
    };
    if (by === 'businessLine') {
      const lines = await ctx.db
        .select({ id: businessLines.id, name: businessLines.name, active: businessLines.active })
        .from(businessLines)
        .orderBy(businessLines.sortOrder, businessLines.name);
      const seen = new Set(counts.map((r) => r.line));
      for (const l of lines.filter((x) => (f.businessLineId ? x.id === f.businessLineId : x.active || seen.has(x.id))))
        add(l.id, l.name, {});
      for (const r of counts)
        add(r.line ?? 'none', say(L.noLine, locale), { hours: h(r.hours), billable: h(r.billable) });
    } else {
      for (const p of people) {
        const key = by === 'person' ? p.id : (p.department_id ?? 'none');
        const name = by === 'person' ? p.name : (p.department ?? say(L.noDepartment, locale));
        const mine = counts.filter((r) => r.user_id === p.id);
        add(key, name, {
          hours: mine.reduce((s, r) => s + h(r.hours), 0n),
          billable: mine.reduce((s, r) => s + h(r.billable), 0n),
          capacity: capacityOf(p),
        });
      }
      // Most hours first (names, already in order, otherwise).
      groups.sort((a, b) => (a.sums.hours === b.sums.hours ? 0 : a.sums.hours > b.sums.hours ? -1 : 1));
    }

    const rows: ReportRow[] = groups.map((g) => ({ key: g.key, cells: { [by]: g.name, ...cellsOf(g.sums) } }));
    const all: Sums = {
      hours: groups.reduce((s, g) => s + g.sums.hours, 0n),
      billable: groups.reduce((s, g) => s + g.sums.billable, 0n),
      capacity: by === 'businessLine' ? null : groups.reduce((s, g) => s + (g.sums.capacity ?? 0n), 0n),
    };
    const total = { key: 'total', cells: { [by]: say(L.total, locale), ...cellsOf(all) } };
    const headline =
      all.hours > 0n && by !== 'businessLine'
        ? say(L.headline, locale, {
            hours: hoursCell(all.hours),
            share: percent(all.billable, all.hours)!,
            utilisation: percent(all.hours, all.capacity!) ?? '—',
          })
        : null;
    const columns = [
      { key: by, label: say(L[by], locale), kind: 'text' as const },
      { key: 'hours', label: say(L.hours, locale), kind: 'hours' as const },
      { key: 'billable', label: say(L.billable, locale), kind: 'hours' as const },
      { key: 'billableShare', label: say(L.billableShare, locale), kind: 'percent' as const },
      ...(by === 'businessLine'
        ? []
        : [
            { key: 'capacity', label: say(L.capacity, locale), kind: 'hours' as const },
            { key: 'utilisation', label: say(L.utilisation, locale), kind: 'percent' as const },
          ]),
    ];
    return {
      kind: 'workload',
      title: say(L.title, locale),
      from: f.from,
      to: f.to,
      filtersText: f.text,
      headline,
      tables: [{ title: null, columns, rows, total }],
      chart: { type: 'bar', category: by, series: ['hours', 'billable'], horizontal: by !== 'businessLine' },
    };
  },
});
