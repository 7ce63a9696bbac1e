// How the dashboard reads the API's numbers: durations, rates, and the stacked daily bars' scale.
import type { Analytics, AnalyticsDay, Rating } from "#schema/analytics";
import { formatDuration } from "../format";

/** An em dash stands for "nothing measured". */
export const NONE = "—";

/** Seconds as "45 s", "2 min 5 s", "1 h 10 min"; null as "—". */
export function durationOrNone(seconds: number | null): string {
  return seconds === null ? NONE : formatDuration(seconds);
}

/** A fraction 0..1 as a percentage with at most one decimal: "12.5%"; null as "—". */
export function percentOrNone(fraction: number | null): string {
  if (fraction === null) return NONE;
  const tenths = Math.round(fraction * 1000) / 10;
  return `${Number.isInteger(tenths) ? tenths.toFixed(0) : tenths.toFixed(1)}%`;
}

/** Visitors' ratings as "75% of 4" (the share rated helpful, of how many); none as "—". */
export function ratingOrNone(rating: Rating): string {
  return rating.count === 0 ? NONE : `${percentOrNone(rating.average)} of ${rating.count}`;
}

export interface Figure {
  label: string;
  value: string;
}

/** The summary as labelled figures, in the order the dashboard shows them. */
export function summaryFigures(data: Analytics): Figure[] {
  const s = data.summary;
  return [
    { label: "Handoffs", value: String(s.handoffs) },
    { label: "Claimed", value: String(s.claimed) },
    { label: "Resolved", value: String(s.resolved) },
    { label: "Expired", value: String(s.expired) },
    { label: "Expiry rate", value: percentOrNone(s.expiry_rate) },
    { label: "Time to claim p50", value: durationOrNone(s.time_to_claim_seconds.p50) },
    { label: "Time to claim p90", value: durationOrNone(s.time_to_claim_seconds.p90) },
    { label: "First response p50", value: durationOrNone(s.first_response_seconds.p50) },
    { label: "First response p90", value: durationOrNone(s.first_response_seconds.p90) },
    { label: "Resolution p50", value: durationOrNone(s.resolution_seconds.p50) },
    { label: "Resolution p90", value: durationOrNone(s.resolution_seconds.p90) },
    { label: "Rated helpful", value: ratingOrNone(s.rating) },
  ];
}

/**
 * A "nice" top for a count axis (1, 2, 5 × 10ⁿ, at least 1) and its ticks, evenly spaced from 0.
 */
export function countAxis(max: number, tickCount = 4): { top: number; ticks: number[] } {
  const rough = Math.max(1, max) / tickCount;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(
    1,
    [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough)!,
  );
  const top = Math.ceil(Math.max(1, max) / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += step) ticks.push(t);
  return { top, ticks };
}

/** One day's bar: the expired part at the bottom, the rest of the handoffs above it. */
export interface DayBar {
  date: string;
  expired: number;
  other: number;
  total: number;
}

export function dayBars(days: AnalyticsDay[]): DayBar[] {
  return days.map((d) => ({
    date: d.date,
    expired: d.expired,
    other: Math.max(0, d.handoffs - d.expired),
    total: d.handoffs,
  }));
}

/** Show every n-th day's label so labels stay about 56 px apart on a plot this wide. */
export function labelEvery(days: number, width: number): number {
  return Math.max(1, Math.ceil(days / Math.max(1, width / 56)));
}

/** A day's short label on the axis: "3 Dec" (the date is a calendar date, read in UTC). */
export function dayLabel(date: string): string {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });
}
