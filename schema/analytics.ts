// GET /api/analytics and /api/analytics.csv: the query (a range of calendar days in a time zone)
// and the answer's shape, shared by the Worker and the dashboard.
import { z } from "zod";
import { addDays, dateIn, daysBetween, isCalendarDate, isTimeZone } from "./time-zones";

/** The longest range one query may cover, in days (a leap year). */
export const MAX_ANALYTICS_DAYS = 366;
/** Without `from`, the range is this many days ending with `to`. */
export const DEFAULT_ANALYTICS_DAYS = 7;

const calendarDate = z
  .string()
  .refine(isCalendarDate, "must be a real date written YYYY-MM-DD")
  .optional();

/**
 * `from`/`to` are inclusive dates in `tz` (an IANA zone, default UTC). Without `to`, today in
 * `tz`; without `from`, the 7 days ending with `to`.
 */
export const analyticsQuery = z
  .strictObject({
    from: calendarDate,
    to: calendarDate,
    tz: z
      .string()
      .refine(isTimeZone, "must be an IANA time zone such as Europe/Madrid")
      .default("UTC"),
  })
  .transform((q, ctx) => {
    const to = q.to ?? dateIn(Date.now(), q.tz);
    const from = q.from ?? addDays(to, 1 - DEFAULT_ANALYTICS_DAYS);
    const span = daysBetween(from, to) + 1;
    if (span < 1) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "must not be before from" });
      return z.NEVER;
    }
    if (span > MAX_ANALYTICS_DAYS) {
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `must be at most ${MAX_ANALYTICS_DAYS} days after from (inclusive)`,
      });
      return z.NEVER;
    }
    return { from, to, tz: q.tz };
  });
export type AnalyticsQuery = z.output<typeof analyticsQuery>;

/** Nearest-rank percentiles in seconds; null when nothing was measured. */
export interface Percentiles {
  p50: number | null;
  p90: number | null;
}

/**
 * The website visitors' ratings ("up" or "down", api.md "Website widget") of the handoffs that
 * have one: how many, and their average with up = 1 and down = 0 (the share rated helpful, 0..1;
 * null with none).
 */
export interface Rating {
  count: number;
  average: number | null;
}

export interface AnalyticsSummary {
  handoffs: number;
  claimed: number;
  resolved: number;
  expired: number;
  /** expired / handoffs, 0..1; null with no handoffs. */
  expiry_rate: number | null;
  time_to_claim_seconds: Percentiles;
  first_response_seconds: Percentiles;
  resolution_seconds: Percentiles;
  rating: Rating;
}

export interface AnalyticsDay {
  date: string;
  handoffs: number;
  claimed: number;
  expired: number;
  resolved: number;
  /** As in the summary, over the handoffs escalated this day. */
  time_to_claim_seconds: Percentiles;
  first_response_seconds: Percentiles;
}

export interface AnalyticsAgent {
  agent: { id: string; name: string };
  /** Handoffs of the range this agent claimed or was assigned, at least once. */
  claimed: number;
  /** Handoffs of the range resolved while this agent held them. */
  resolved: number;
  /** From the agent getting a handoff to their first reply in it. */
  first_response_seconds: { p50: number | null };
}

export interface AnalyticsChannel {
  channel: string;
  handoffs: number;
  expired: number;
  /** Only the website widget asks for ratings: other channels have count 0. */
  rating: Rating;
}

export interface Analytics {
  from: string;
  to: string;
  tz: string;
  summary: AnalyticsSummary;
  by_day: AnalyticsDay[];
  by_agent: AnalyticsAgent[];
  by_channel: AnalyticsChannel[];
}

/** The CSV export's columns, in order: one row per handoff escalated in the range. */
export const ANALYTICS_CSV_COLUMNS = [
  "id",
  "conversation_id",
  "channel",
  "contact_id",
  "contact_name",
  "status",
  "team",
  "assignee",
  "created_at",
  "claimed_at",
  "first_response_at",
  "resolved_at",
  "outcome",
] as const;
