import { sql, type SQL } from 'drizzle-orm';
import type { PeriodPreset, ReportFilters } from '../../../common/schemas/reports';
import type { Ctx } from '../../context';
import { invalidInput } from '../../errors';
import { say, type Label } from '../../lib/label';
import { addDays, FIRM_TIME_ZONE, localDate, zonedInstant } from '../../lib/time';
import { departments, users } from '../staff/staff.tables';
import { branches, businessLines, regions } from '../staff/staff.tables';

/**
 * A report's filters made concrete: the period's local dates (both ends included) and the instants that bound it in
 * the firm's time zone (`start` included, `end` excluded: midnight Asia/Shanghai after `to`), the dimensions' ids,
 * the department's path for its subtree, and the whole in words.
 */
export type Resolved = {
  from: string;
  to: string;
  start: Date;
  end: Date;
  businessLineId?: string;
  branchId?: string;
  regionId?: string;
  departmentId?: string;
  /** The department's materialised path (`/a/b/`): the subtree is every path starting with it. */
  departmentPath?: string;
  ownerId?: string;
  text: string;
};

/** The longest period a report runs over (three years of days, and a day's slack for a leap year). */
const MAX_DAYS = 3 * 366;

const firstOfMonth = (date: string) => `${date.slice(0, 7)}-01`;
/** The last day of the month of `date` (YYYY-MM-DD or YYYY-MM). */
export const lastOfMonth = (date: string) => {
  const [y, m] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

/** The period is whole months (its first day a 1st, the day after its last a 1st; every preset is): the summaries answer it. */
export const wholeMonths = (f: { from: string; to: string }) =>
  f.from.endsWith('-01') && addDays(f.to, 1).endsWith('-01');

/** A preset's first and last day, on the firm's today. */
export function presetRange(preset: PeriodPreset, today: string): { from: string; to: string } {
  const year = Number(today.slice(0, 4));
  switch (preset) {
    case 'this-month':
      return { from: firstOfMonth(today), to: lastOfMonth(today) };
    case 'last-month': {
      const last = addDays(firstOfMonth(today), -1);
      return { from: firstOfMonth(last), to: last };
    }
    case 'this-quarter': {
      const month = Number(today.slice(5, 7));
      const first = month - ((month - 1) % 3);
      const from = `${year}-${String(first).padStart(2, '0')}-01`;
      return { from, to: lastOfMonth(`${year}-${String(first + 2).padStart(2, '0')}-01`) };
    }
    case 'this-year':
      return { from: `${year}-01-01`, to: `${year}-12-31` };
    case 'last-year':
      return { from: `${year - 1}-01-01`, to: `${year - 1}-12-31` };
    case 'next-12-months': {
      const month = Number(today.slice(5, 7)) + 11;
      const last = `${year + Math.floor((month - 1) / 12)}-${String(((month - 1) % 12) + 1).padStart(2, '0')}-01`;
      return { from: firstOfMonth(today), to: lastOfMonth(last) };
    }
  }
}

/** The firm's today (YYYY-MM-DD in Asia/Shanghai). */
export const firmToday = () => localDate(new Date(), FIRM_TIME_ZONE);

/** The instant local midnight begins a date in the firm's zone. */
export const midnight = (date: string) => zonedInstant(date, { hour: 0 }, FIRM_TIME_ZONE);

const L = {
  period: { zh: '期间 {from} 至 {to}', en: 'Period {from} to {to}' },
  businessLine: { zh: '业务类型：{name}', en: 'Business line: {name}' },
  branch: { zh: '分所：{name}', en: 'Branch: {name}' },
  region: { zh: '区域：{name}', en: 'Region: {name}' },
  department: { zh: '部门：{name}（含下级）', en: 'Department: {name} (and below)' },
  owner: { zh: '负责人：{name}', en: 'Owner: {name}' },
} satisfies Record<string, Label>;

/** Checks and resolves the filters; an unknown id is a validation error on its field (nothing to report on). */
export async function resolveFilters(ctx: Ctx, query: ReportFilters): Promise<Resolved> {
  const locale = ctx.actor.locale;
  if (query.period && (query.from || query.to)) {
    throw invalidInput(locale, [{ path: 'period', key: 'validation.periodAndRange' }]);
  }
  const today = firmToday();
  const range = query.period
    ? presetRange(query.period, today)
    : query.from || query.to
      ? { from: query.from ?? firstOfMonth(query.to!), to: query.to ?? today }
      : presetRange('this-year', today);
  if (range.from > range.to) throw invalidInput(locale, [{ path: 'to', key: 'validation.dateOrder' }]);
  const days = (Date.parse(range.to) - Date.parse(range.from)) / 86_400_000;
  if (days > MAX_DAYS) throw invalidInput(locale, [{ path: 'from', key: 'validation.reportRangeTooLong' }]);

  const names = await namesOf(ctx, query);
  const missing = DIMENSIONS.filter((field) => query[field] && !names[field]);
  if (missing.length) {
    throw invalidInput(
      locale,
      missing.map((path) => ({ path, key: 'validation.unknownRecord' as const })),
    );
  }
  const parts = [say(L.period, locale, range)];
  if (names.businessLineId) parts.push(say(L.businessLine, locale, { name: names.businessLineId.name }));
  if (names.branchId) parts.push(say(L.branch, locale, { name: names.branchId.name }));
  if (names.regionId) parts.push(say(L.region, locale, { name: names.regionId.name }));
  if (names.departmentId) parts.push(say(L.department, locale, { name: names.departmentId.name }));
  if (names.ownerId) parts.push(say(L.owner, locale, { name: names.ownerId.name }));
  return {
    ...range,
    start: midnight(range.from),
    end: midnight(addDays(range.to, 1)),
    businessLineId: query.businessLineId,
    branchId: query.branchId,
    regionId: query.regionId,
    departmentId: query.departmentId,
    departmentPath: names.departmentId?.path ?? undefined,
    ownerId: query.ownerId,
    text: parts.join(locale === 'en-US' ? '; ' : '；'),
  };
}

type Named = { name: string; path?: string | null };
const DIMENSIONS = ['businessLineId', 'branchId', 'regionId', 'departmentId', 'ownerId'] as const;

/** The chosen dimensions' names (and the department's path), in one statement; a field is absent when its id is unknown. */
async function namesOf(ctx: Ctx, query: ReportFilters): Promise<Partial<Record<keyof ReportFilters, Named>>> {
  if (!DIMENSIONS.some((field) => query[field])) return {};
  const name = (table: SQL, column: SQL, id: string | undefined) =>
    sql`(SELECT ${column} FROM ${table} WHERE id = ${id ?? null}::uuid)`;
  const result = await ctx.db.execute(sql`SELECT
      ${name(sql`${businessLines}`, sql`name`, query.businessLineId)} AS "businessLineId",
      ${name(sql`${branches}`, sql`name`, query.branchId)} AS "branchId",
      ${name(sql`${regions}`, sql`name`, query.regionId)} AS "regionId",
      ${name(sql`${departments}`, sql`name`, query.departmentId)} AS "departmentId",
      ${name(sql`${departments}`, sql`path`, query.departmentId)} AS "departmentPath",
      ${name(sql`${users}`, sql`display_name`, query.ownerId)} AS "ownerId"`);
  const [row] = (result as unknown as { rows: Record<string, string | null>[] }).rows;
  const out: Partial<Record<keyof ReportFilters, Named>> = {};
  for (const field of DIMENSIONS) {
    const found = row[field];
    if (found !== null) out[field] = { name: found, path: field === 'departmentId' ? row.departmentPath : null };
  }
  return out;
}

/** `column` is in the department subtree of the filter (a condition on a department id column). */
export function inDepartment(filters: Resolved, column: SQL): SQL {
  return filters.departmentPath
    ? sql`${column} IN (SELECT id FROM ${departments} WHERE path LIKE ${`${filters.departmentPath}%`})`
    : sql`true`;
}

/** A condition when the filter is set, `true` otherwise. */
export const when = (value: string | undefined, condition: (value: string) => SQL): SQL =>
  value ? condition(value) : sql`true`;

/** The period's months (YYYY-MM), first to last. */
export function monthsOf(filters: { from: string; to: string }): string[] {
  const months: string[] = [];
  let [y, m] = filters.from.split('-').map(Number);
  const last = filters.to.slice(0, 7);
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    months.push(month);
    if (month >= last) return months;
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
}

/** The same period a year earlier (29 February → 28 February). */
export function yearBefore(filters: { from: string; to: string }): {
  from: string;
  to: string;
  start: Date;
  end: Date;
} {
  const back = (date: string) => {
    const [y, m, d] = date.split('-').map(Number);
    const last = new Date(Date.UTC(y - 1, m, 0)).getUTCDate();
    return `${y - 1}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
  };
  const from = back(filters.from);
  const to = back(filters.to);
  return { from, to, start: midnight(from), end: midnight(addDays(to, 1)) };
}
