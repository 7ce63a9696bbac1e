// The OpenAPI paths of analytics (api.md "Analytics"): the figures and the CSV export.
import { analyticsQuery, ANALYTICS_CSV_COLUMNS } from "../../../schema/analytics";
import { agent, errors, queryParams } from "./openapi-helpers";

const seconds = { type: ["number", "null"], minimum: 0 };
const percentiles = {
  type: "object",
  required: ["p50", "p90"],
  properties: { p50: seconds, p90: seconds },
};
const count = { type: "integer", minimum: 0 };
const rating = {
  type: "object",
  required: ["count", "average"],
  description:
    'The website visitors\' ratings of the handoffs that have one: how many, and their average with "up" = 1 and "down" = 0 (the share rated helpful), null with none.',
  properties: { count, average: { type: ["number", "null"], minimum: 0, maximum: 1 } },
};
const counts = (...names: string[]) => Object.fromEntries(names.map((n) => [n, count]));

const analyticsSchema = {
  type: "object",
  required: ["from", "to", "tz", "summary", "by_day", "by_agent", "by_channel"],
  properties: {
    from: { type: "string", format: "date" },
    to: { type: "string", format: "date" },
    tz: { type: "string" },
    summary: {
      type: "object",
      properties: {
        ...counts("handoffs", "claimed", "resolved", "expired"),
        expiry_rate: { type: ["number", "null"], minimum: 0, maximum: 1 },
        time_to_claim_seconds: percentiles,
        first_response_seconds: percentiles,
        resolution_seconds: percentiles,
        rating,
      },
    },
    by_day: {
      type: "array",
      items: {
        type: "object",
        properties: {
          date: { type: "string", format: "date" },
          ...counts("handoffs", "claimed", "expired", "resolved"),
          time_to_claim_seconds: percentiles,
          first_response_seconds: percentiles,
        },
      },
    },
    by_agent: {
      type: "array",
      items: {
        type: "object",
        properties: {
          agent: {
            type: "object",
            properties: { id: { type: "string" }, name: { type: "string" } },
          },
          ...counts("claimed", "resolved"),
          first_response_seconds: { type: "object", properties: { p50: seconds } },
        },
      },
    },
    by_channel: {
      type: "array",
      items: {
        type: "object",
        properties: { channel: { type: "string" }, ...counts("handoffs", "expired"), rating },
      },
    },
  },
};

const RANGE =
  "`from`/`to` are inclusive dates (YYYY-MM-DD) in `tz` (an IANA zone, default UTC), at most 366 days; without `to`, today in `tz`; without `from`, the 7 days ending with `to`. A handoff counts on the day, in `tz`, it was escalated.";

export function analyticsPaths() {
  return {
    "/api/analytics": {
      get: {
        summary: "How the team is doing over a range of days (admins and viewers)",
        description: `${RANGE} Time to claim: escalation to the first claim or assignment; first response: that first claim to the first agent reply after it; resolution: escalation to resolve. Percentiles (p50, p90) by nearest rank, in seconds, null without data; each by_day row has time to claim and first response over that day's handoffs. summary.rating and each by_channel row's rating count the website visitors' ratings (only the widget asks for them). by_agent counts the handoffs an agent got (claimed or was assigned) and those resolved while they held them, and their median time from getting a handoff to their own first reply in it.`,
        security: agent,
        parameters: queryParams(analyticsQuery),
        responses: {
          200: {
            description: "The figures",
            content: { "application/json": { schema: analyticsSchema } },
          },
          ...errors("invalid_request", "unauthorized", "forbidden"),
        },
      },
    },
    "/api/analytics.csv": {
      get: {
        summary: "One CSV row per handoff escalated in the range (admins and viewers)",
        description: `${RANGE} Columns: ${ANALYTICS_CSV_COLUMNS.join(", ")}; times are ISO-8601 UTC, claimed_at is the first claim or assignment. A cell starting with = + - or @ gets a leading apostrophe so spreadsheets never run it.`,
        security: agent,
        parameters: queryParams(analyticsQuery),
        responses: {
          200: {
            description: "The CSV file (attachment handoffs-<from>-<to>.csv)",
            content: { "text/csv": { schema: { type: "string" } } },
          },
          ...errors("invalid_request", "unauthorized", "forbidden"),
        },
      },
    },
  };
}
