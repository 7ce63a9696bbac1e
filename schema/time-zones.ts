// Calendar days in an IANA time zone, with Intl only (SQLite knows no time zones): the date a
// moment falls on, and the UTC instant a day starts at, correct across daylight-saving changes.

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is a zone Intl knows (it throws a RangeError on any other). */
export function isTimeZone(timeZone: string): boolean {
  if (timeZone.length === 0 || timeZone.length > 64) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time at `ms` in `timeZone`, read as if it were UTC (milliseconds). */
function wallClock(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** The calendar date (YYYY-MM-DD) that `ms` falls on in `timeZone`. */
export function dateIn(ms: number, timeZone: string): string {
  return new Date(wallClock(ms, timeZone)).toISOString().slice(0, 10);
}

/** Whether `date` is YYYY-MM-DD and a real calendar day (no 2026-02-30). */
export function isCalendarDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === date;
}

/** The date `days` after (or before, when negative) `date`. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (0 when they are the same day). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/**
 * The first instant (UTC ms) whose date in `timeZone` is `date`: local midnight, or the first
 * moment after it where a zone skips midnight for daylight saving.
 */
export function dayStart(date: string, timeZone: string): number {
  const midnightAsUtc = Date.parse(`${date}T00:00:00Z`);
  // Two rounds of "subtract the offset in force there" land on local midnight when it exists.
  const first = midnightAsUtc - (wallClock(midnightAsUtc, timeZone) - midnightAsUtc);
  const guess = midnightAsUtc - (wallClock(first, timeZone) - first);
  if (dateIn(guess, timeZone) === date && dateIn(guess - MINUTE_MS, timeZone) < date) return guess;
  // Midnight does not exist or is ambiguous there: search the minutes where the day can begin
  // (offsets lie within -12 h and +14 h).
  let low = midnightAsUtc - 15 * 60 * MINUTE_MS;
  let high = midnightAsUtc + 13 * 60 * MINUTE_MS;
  while (high - low > MINUTE_MS) {
    const mid = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
    if (dateIn(mid, timeZone) >= date) high = mid;
    else low = mid;
  }
  return high;
}
