/**
 * Calendar dates and IANA time-zone helpers built on Intl.DateTimeFormat.
 * Calendar dates are plain { year, month, day } values (month 1-12), never
 * Date objects, so no accidental UTC/local shifts happen.
 */

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

export interface LocalDateTime extends CalendarDate {
  hour: number;
  minute: number;
  second: number;
}

const DAY_MS = 86_400_000;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses a real calendar date 'YYYY-MM-DD' (years 0001-9999); null when malformed or not a real date. */
export function parseIsoDate(s: string): CalendarDate | null {
  const m = typeof s === 'string' ? ISO_DATE_RE.exec(s) : null;
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Formats { year: 2026, month: 3, day: 5 } as '2026-03-05'. */
export function formatIsoDate(d: CalendarDate): string {
  return `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
}

/** Adds (or with a negative number subtracts) calendar days: 2024-02-28 + 1 = 2024-02-29. */
export function addDays(d: CalendarDate, days: number): CalendarDate {
  const t = new Date(utcMs({ ...d, hour: 0, minute: 0, second: 0 }) + days * DAY_MS);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone name (or 'UTC') this runtime knows. */
export function isValidTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== 'string' || timeZone === '') return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock fields of `instant` in `timeZone` (seconds precision). Throws RangeError for an unknown zone. */
export function zonedParts(instant: Date, timeZone: string): LocalDateTime {
  const out: LocalDateTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type in out) out[part.type as keyof LocalDateTime] = Number(part.value);
  }
  return out;
}

function utcMs(t: LocalDateTime): number {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  d.setUTCHours(t.hour, t.minute, t.second, 0);
  return d.getTime();
}

function offsetAt(ms: number, timeZone: string): number {
  const floored = ms - (((ms % 1000) + 1000) % 1000);
  return utcMs(zonedParts(new Date(floored), timeZone)) - floored;
}

/**
 * The instant at which the wall clock in `timeZone` shows `local`. Ambiguous
 * times (clocks going back) resolve to the earlier instant; non-existent times
 * (clocks jumping forward) are moved forward by the gap, e.g. 02:30 -> 03:30.
 */
export function zonedTimeToInstant(
  local: CalendarDate & Partial<Pick<LocalDateTime, 'hour' | 'minute' | 'second'>>,
  timeZone: string,
): Date {
  const { year, month, day } = local;
  const wall = utcMs({ year, month, day, hour: local.hour ?? 0, minute: local.minute ?? 0, second: local.second ?? 0 });
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const valid = [wall - before, wall - after].filter((t) => offsetAt(t, timeZone) === wall - t);
  if (valid.length > 0) return new Date(Math.min(...valid));
  return new Date(wall - before);
}

/** Calendar year of `now` in `timeZone`. */
export function yearInTimeZone(now: Date, timeZone: string): number {
  return zonedParts(now, timeZone).year;
}

/** Local calendar date of `now` in `timeZone` as 'YYYY-MM-DD'. */
export function localDateInTimeZone(now: Date, timeZone: string): string {
  return formatIsoDate(zonedParts(now, timeZone));
}

const MONTH_DAY_RE = /^(\d{2})-(\d{2})$/;

/** Parses 'MM-DD' (Feb 29 allowed); null when not a real month/day. */
export function parseMonthDay(s: string): { month: number; day: number } | null {
  const m = typeof s === 'string' ? MONTH_DAY_RE.exec(s) : null;
  if (!m) return null;
  const month = Number(m[1]);
  const day = Number(m[2]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(2000, month)) return null;
  return { month, day };
}

/**
 * Whether `today` ('YYYY-MM-DD', the organization's local date) is an
 * anniversary of `date` ('YYYY-MM-DD' or 'MM-DD'). Feb 29 is celebrated on
 * Feb 28 in non-leap years. A full date needs at least one whole year to have
 * passed (the date itself is not its own anniversary). Invalid `date` -> false;
 * invalid `today` throws RangeError.
 */
export function isAnniversaryToday(date: string, today: string): boolean {
  const t = parseIsoDate(today);
  if (!t) throw new RangeError(`today must be a real 'YYYY-MM-DD' date, got '${String(today)}'`);
  const full = parseIsoDate(date);
  const md = full ?? parseMonthDay(date);
  if (!md) return false;
  if (full && full.year >= t.year) return false;
  if (md.month === 2 && md.day === 29 && !isLeapYear(t.year)) return t.month === 2 && t.day === 28;
  return t.month === md.month && t.day === md.day;
}
