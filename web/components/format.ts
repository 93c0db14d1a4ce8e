import type { Locale } from '../../common/i18n';

/** The firm's time zone: every date and time is shown in it, wherever the browser is. */
export const TIME_ZONE = 'Asia/Shanghai';

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: Locale, withTime: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${withTime}`;
  let f = dateTimeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone: TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
    });
    dateTimeFormats.set(key, f);
  }
  return f;
}

export function formatDateTime(iso: string | null | undefined, locale: Locale): string {
  return iso ? formatter(locale, true).format(new Date(iso)) : '';
}

export function formatDate(iso: string | null | undefined, locale: Locale): string {
  return iso ? formatter(locale, false).format(new Date(iso)) : '';
}

/** Hour of the day in the firm's time zone (for the greeting). */
export function hourInFirmZone(date = new Date()): number {
  return Number(
    new Intl.DateTimeFormat('en-US', { timeZone: TIME_ZONE, hour: '2-digit', hourCycle: 'h23' }).format(date),
  );
}

/** Start of a calendar day `YYYY-MM-DD` in the firm's time zone, as an ISO instant (UTC+8, no DST). */
export function firmDayStart(day: string): string {
  return new Date(`${day}T00:00:00+08:00`).toISOString();
}
export function firmDayEnd(day: string): string {
  return new Date(`${day}T23:59:59.999+08:00`).toISOString();
}

/** Today's calendar date `YYYY-MM-DD` in the firm's time zone (business dates are compared as strings). */
export function firmToday(date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);
}
