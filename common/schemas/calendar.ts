import { z } from 'zod';
import { Activity } from './activities';

/** mine: what I own or am assigned to; team: every activity I may see (a manager: the department's). */
export const CALENDAR_SCOPES = ['mine', 'team'] as const;
export type CalendarScope = (typeof CALENDAR_SCOPES)[number];

/** The longest range one calendar query may span. */
export const CALENDAR_MAX_DAYS = 100;
const DAY_MS = 24 * 3600_000;
const Instant = z.iso.datetime({ offset: true });

/**
 * A calendar range [from, to): instants with an offset (e.g. 2026-12-01T00:00:00+08:00), `to`
 * after `from`, at most CALENDAR_MAX_DAYS apart.
 */
export const CalendarQuery = z
  .strictObject({
    from: Instant,
    to: Instant,
    scope: z.enum(CALENDAR_SCOPES).default('mine'),
  })
  .superRefine((q, ctx) => {
    // Zod refines the object even when a field failed; a time without offset is only reported as such.
    if (!Instant.safeParse(q.from).success || !Instant.safeParse(q.to).success) return;
    const span = Date.parse(q.to) - Date.parse(q.from);
    if (span <= 0) ctx.addIssue({ code: 'custom', message: 'validation.rangeEmpty', path: ['to'], input: q.to });
    else if (span > CALENDAR_MAX_DAYS * DAY_MS)
      ctx.addIssue({ code: 'custom', message: 'validation.rangeTooLong', path: ['to'], input: q.to });
  });
export type CalendarQuery = z.infer<typeof CalendarQuery>;

/**
 * The activities placed in the range, by the time they are placed at: planned ones at their due
 * time, done ones when they were done (cancelled ones are not on the calendar).
 */
/** A work order 工单 on the calendar: all day on its due date (mine: given to me; team: of the engagements I see). */
export const CalendarWorkOrder = z.object({
  id: z.uuid(),
  title: z.string(),
  dueOn: z.string(),
  status: z.enum(['todo', 'in-progress', 'done']),
  engagementId: z.uuid(),
  engagementTitle: z.string(),
  assigneeName: z.string().nullable(),
});
export type CalendarWorkOrder = z.infer<typeof CalendarWorkOrder>;

export const CalendarItems = z.object({ items: z.array(Activity), workOrders: z.array(CalendarWorkOrder) });
export type CalendarItems = z.infer<typeof CalendarItems>;

/** My iCalendar feed's secret address (shown once: only its hash is kept). */
export const CalendarFeed = z.object({ url: z.string() });
export type CalendarFeed = z.infer<typeof CalendarFeed>;
