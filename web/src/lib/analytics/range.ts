// The dashboard's range as the URL keeps it (so a view can be bookmarked): a preset relative to
// today in the chosen time zone, or two fixed dates; and the API query it stands for.
import { addDays, dateIn, daysBetween, isCalendarDate, isTimeZone } from "#schema/time-zones";

/**
 * The API's longest range (MAX_ANALYTICS_DAYS in schema/analytics.ts, which a test holds this
 * to); copied, so the dashboard does not bundle the schema's validators.
 */
export const MAX_RANGE_DAYS = 366;

export const PRESETS = ["today", "7d", "30d", "custom"] as const;
export type Preset = (typeof PRESETS)[number];

export const PRESET_LABELS: Record<Preset, string> = {
  today: "Today",
  "7d": "7 days",
  "30d": "30 days",
  custom: "Custom",
};

export interface RangeState {
  preset: Preset;
  /** Only read with the custom preset. */
  from: string;
  to: string;
  tz: string;
}

/** The resolved query: inclusive dates in `tz`. */
export interface RangeQuery {
  from: string;
  to: string;
  tz: string;
}

/** The browser's zone, else UTC. */
export function browserTimeZone(): string {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return tz && isTimeZone(tz) ? tz : "UTC";
}

/** Reads the URL's query; anything missing or malformed falls back to 7 days in `defaultTz`. */
export function readRange(
  params: { get(name: string): string | null },
  now: number,
  defaultTz: string,
): RangeState {
  const tzParam = params.get("tz");
  const tz = tzParam && isTimeZone(tzParam) ? tzParam : defaultTz;
  const rangeParam = params.get("range");
  const preset = PRESETS.find((p) => p === rangeParam) ?? "7d";
  const from = params.get("from") ?? "";
  const to = params.get("to") ?? "";
  if (preset === "custom") {
    if (isCalendarDate(from) && isCalendarDate(to)) return { preset, from, to, tz };
    // A custom range without its dates: the last 7 days, as dates the inputs can show.
    return { preset, ...resolveRange({ preset: "7d", from, to, tz }, now) };
  }
  return { preset, ...resolveRange({ preset, from, to, tz }, now) };
}

/** The dates a state stands for, today being `now` in its zone. */
export function resolveRange(state: RangeState, now: number): RangeQuery {
  const today = dateIn(now, state.tz);
  switch (state.preset) {
    case "today":
      return { from: today, to: today, tz: state.tz };
    case "7d":
      return { from: addDays(today, -6), to: today, tz: state.tz };
    case "30d":
      return { from: addDays(today, -29), to: today, tz: state.tz };
    case "custom":
      return { from: state.from, to: state.to, tz: state.tz };
  }
}

/** Why a custom range cannot be asked for, or null when it can. */
export function rangeProblem(query: RangeQuery): string | null {
  if (!isCalendarDate(query.from) || !isCalendarDate(query.to)) return "Choose both dates.";
  const span = daysBetween(query.from, query.to) + 1;
  if (span < 1) return "The end date is before the start date.";
  if (span > MAX_RANGE_DAYS) return `A range can cover at most ${MAX_RANGE_DAYS} days.`;
  if (!isTimeZone(query.tz)) return "Choose a time zone such as Europe/Madrid.";
  return null;
}

/** The page's own query string for a state (what a bookmark keeps). */
export function rangeSearch(state: RangeState): string {
  const params = new URLSearchParams({ range: state.preset });
  if (state.preset === "custom") {
    params.set("from", state.from);
    params.set("to", state.to);
  }
  params.set("tz", state.tz);
  return `?${params}`;
}

/** The API's query string (for /api/analytics and /api/analytics.csv). */
export function apiSearch(query: RangeQuery): string {
  return `?${new URLSearchParams({ from: query.from, to: query.to, tz: query.tz })}`;
}
