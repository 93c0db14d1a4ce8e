/**
 * Wall-clock arithmetic in a time zone (the firm's default is Asia/Shanghai), with nothing but
 * Intl: what day it is somewhere, and the instant of a local date and time there.
 */
export const FIRM_TIME_ZONE = 'Asia/Shanghai';

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local calendar date and time of an instant in a zone. */
export function localParts(at: Date, timeZone: string) {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: +parts.year,
    month: +parts.month,
    day: +parts.day,
    hour: +parts.hour,
    minute: +parts.minute,
    second: +parts.second,
  };
}

/** YYYY-MM-DD of an instant in a zone. */
export function localDate(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function offsetAt(at: Date, timeZone: string): number {
  const p = localParts(at, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The instant of a local date (YYYY-MM-DD) and time in a zone. A time the clocks skip (a DST gap,
 * e.g. midnight in America/Santiago in September) moves forward by the gap, as the clocks do.
 */
export function zonedInstant(date: string, time: { hour: number; minute?: number }, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d, time.hour, time.minute ?? 0);
  let at = new Date(wall - offsetAt(new Date(wall), timeZone));
  at = new Date(wall - offsetAt(at, timeZone));
  const p = localParts(at, timeZone);
  const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  // In a gap the wall time read back is earlier than asked: move forward by the difference.
  if (shown < wall) at = new Date(at.getTime() + (wall - shown));
  return at;
}

/** Adds days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
