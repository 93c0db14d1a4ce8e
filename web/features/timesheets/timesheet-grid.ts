import type { TimeCategory, TimesheetInput, TimesheetWeek } from '../../../common/schemas/timesheets';

/**
 * The weekly grid's arithmetic, apart from React: hours typed as text ("6.5", "6,5", ""), kept exact as whole
 * hundredths (quarter hours only), the totals per row and per day, and the body the server saves.
 */

/** A row of the grid as it is being edited. */
export type GridRow = {
  key: string;
  engagementId: string | null;
  engagementTitle: string | null;
  customerName: string | null;
  /** The engagement is closed or cancelled: its time stays as it is. */
  closed: boolean;
  taskId: string | null;
  taskTitle: string | null;
  category: TimeCategory;
  billable: boolean;
  note: string;
  /** Date → the text typed. */
  hours: Record<string, string>;
};

const QUARTERS = /^(0|[1-9]\d{0,3})([.,](0|00|25|5|50|75))?$/;

/** Hundredths of the text typed in a cell: 0 when empty, null when it is not in quarter hours. */
export function hundredthsOf(text: string | undefined): number | null {
  const value = (text ?? '').trim();
  if (value === '') return 0;
  if (!QUARTERS.test(value)) return null;
  const [whole, fraction = ''] = value.replace(',', '.').split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** Hundredths as the server writes hours: "6.5", "8", "0.25", "0". */
export function hoursText(hundredths: number): string {
  const whole = Math.floor(hundredths / 100);
  const fraction = String(hundredths % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** The hundredths of a day's cells (bad cells count as nothing). */
export function dayTotal(rows: GridRow[], date: string): number {
  return rows.reduce((sum, row) => sum + (hundredthsOf(row.hours[date]) ?? 0), 0);
}

export function rowTotal(row: GridRow): number {
  return Object.values(row.hours).reduce((sum, text) => sum + (hundredthsOf(text) ?? 0), 0);
}

let counter = 0;
export const newKey = () => `row-${++counter}`;

/** The week's rows as the grid edits them. */
export function gridOf(week: TimesheetWeek): GridRow[] {
  return week.rows.map((row) => ({
    key: newKey(),
    engagementId: row.engagementId,
    engagementTitle: row.engagementTitle,
    customerName: row.customerName,
    closed: row.engagementStatus === 'closed' || row.engagementStatus === 'cancelled',
    taskId: row.taskId,
    taskTitle: row.taskTitle,
    category: row.category,
    billable: row.billable,
    note: row.note ?? '',
    hours: { ...row.hours },
  }));
}

/** What PUT /timesheets/:weekStart takes: every row, the cells with hours (normalised: "6,5" → "6.5"). */
export function bodyOf(rows: GridRow[]): TimesheetInput {
  return {
    rows: rows.map((row) => ({
      engagementId: row.engagementId,
      taskId: row.taskId,
      category: row.category,
      billable: row.engagementId ? row.billable : false,
      note: row.note.trim() || null,
      hours: Object.fromEntries(
        Object.entries(row.hours).flatMap(([date, text]) => {
          const h = hundredthsOf(text);
          return h === null ? [[date, text.trim()]] : h === 0 ? [] : [[date, hoursText(h)]];
        }),
      ),
    })),
  };
}
