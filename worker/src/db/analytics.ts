// Analytics over the history the tenant objects mirror to D1, computed in SQL: the Worker sends
// the range's days as [date, start, end) in UTC milliseconds (SQLite knows no time zones) and
// reads back one row of aggregates, never the handoffs themselves.
import { sql, type SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import type {
  Analytics,
  AnalyticsAgent,
  AnalyticsChannel,
  AnalyticsDay,
  AnalyticsQuery,
  Percentiles,
  Rating,
} from "../../../schema/analytics";
import { addDays, daysBetween, dayStart } from "../../../schema/time-zones";

/** One calendar day of the range: its date in the zone and its [start, end) in UTC ms. */
export interface RangeDay {
  date: string;
  start: number;
  end: number;
}

/** The days of the query's range, each bounded by Intl in its zone (23 or 25 hours on a DST change). */
export function rangeDays(query: AnalyticsQuery): RangeDay[] {
  const count = daysBetween(query.from, query.to) + 1;
  const starts = Array.from({ length: count + 1 }, (_, i) =>
    dayStart(addDays(query.from, i), query.tz),
  );
  return Array.from({ length: count }, (_, i) => ({
    date: addDays(query.from, i),
    start: starts[i]!,
    end: starts[i + 1]!,
  }));
}

/**
 * Every handoff escalated in the range, tagged with its day, its first claim or assignment (from
 * the audit trail: a release resets handoffs.claimed_at) and the first agent reply after that.
 * The days drive the join (CROSS JOIN keeps them outer) so each day is one range scan of
 * handoffs_tenant_created; the first claim and reply are index lookups per handoff
 * (handoff_events_handoff, messages_handoff).
 */
function facts(tenantId: string, days: RangeDay[]): SQL {
  const json = JSON.stringify(days.map((d) => [d.date, d.start, d.end]));
  return sql`WITH days(date, start_ms, end_ms) AS (
      SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
      FROM json_each(${json})
    ),
    claims AS MATERIALIZED (
      SELECT h.id, h.channel, h.status, h.assignee_id, h.created_at, h.resolved_at, h.rating,
        d.date,
        (SELECT MIN(e.at) FROM handoff_events e
          WHERE e.handoff_id = h.id AND e.tenant_id = ${tenantId}
            AND e.type IN ('claimed', 'assigned')) AS claimed_at
      FROM days d CROSS JOIN handoffs h
      WHERE h.tenant_id = ${tenantId} AND h.created_at >= d.start_ms AND h.created_at < d.end_ms
    ),
    facts AS MATERIALIZED (
      SELECT c.*,
        (SELECT MIN(m.at) FROM messages m
          WHERE m.handoff_id = c.id AND m.at >= c.claimed_at AND m.tenant_id = ${tenantId}
            AND m.sender = 'agent') AS first_reply_at
      FROM claims c
    )`;
}

const count = z.number().int().nonnegative();
const millis = z.number().nullable();
const dayRow = z.object({
  date: z.string(),
  handoffs: count,
  claimed: count,
  expired: count,
  resolved: count,
  claim_p50: millis,
  claim_p90: millis,
  response_p50: millis,
  response_p90: millis,
});
const percentileRow = z.object({
  metric: z.enum(["claim", "response", "resolution"]),
  p50: millis,
  p90: millis,
});
const ratingColumns = { rated: count, helpful: z.number().nullable() };
const ratingRow = z.object(ratingColumns);
const agentRow = z.object({
  agent_id: z.string(),
  name: z.string(),
  claimed: count,
  resolved: count,
  p50: millis,
});
const channelRow = z.object({
  channel: z.string(),
  handoffs: count,
  expired: count,
  ...ratingColumns,
});

// Nearest rank: the k-th smallest of n values, k = ceil(n * p / 100), in integer arithmetic.
const rank = (p: number) => sql.raw(`(n * ${p} + 99) / 100`);

// A visitor's rating as a number: "up" (helpful) 1, "down" 0; NULL when not rated, so AVG and
// COUNT skip it and the average is the share of ratings that were "up".
const score = sql.raw(`CASE rating WHEN 'up' THEN 1.0 WHEN 'down' THEN 0.0 END`);
const ratingAggregates = sql`COUNT(${score}) AS rated, AVG(${score}) AS helpful`;

/**
 * Each day's counts, and its time to claim and first response at p50/p90 (the day's own handoffs,
 * ranked within the day).
 */
const byDay = sql`(SELECT json_group_array(json_object('date', c.date, 'handoffs', c.handoffs,
    'claimed', c.claimed, 'expired', c.expired, 'resolved', c.resolved,
    'claim_p50', cp.p50, 'claim_p90', cp.p90, 'response_p50', rp.p50, 'response_p90', rp.p90))
  FROM (SELECT date, COUNT(*) AS handoffs, COUNT(claimed_at) AS claimed,
      SUM(status = 'expired') AS expired, SUM(status = 'resolved') AS resolved
    FROM facts GROUP BY date) c
    LEFT JOIN day_percentiles cp ON cp.date = c.date AND cp.metric = 'claim'
    LEFT JOIN day_percentiles rp ON rp.date = c.date AND rp.metric = 'response')`;

/**
 * The three durations of the summary, in ms, each with its handoff's day: ranked within each
 * metric over the range, and time to claim and first response also within each day. Only the
 * rows at a percentile's rank reach the days' GROUP BY; the days' figures are read twice, so
 * they are worked out once (MATERIALIZED).
 */
const samples = sql`samples(metric, date, value) AS (
    SELECT 'claim', date, claimed_at - created_at FROM facts WHERE claimed_at IS NOT NULL
    UNION ALL
    SELECT 'response', date, first_reply_at - claimed_at FROM facts
      WHERE first_reply_at IS NOT NULL
    UNION ALL
    SELECT 'resolution', date, resolved_at - created_at FROM facts
      WHERE status = 'resolved' AND resolved_at IS NOT NULL
  ),
  ranked_samples AS (
    SELECT metric, value,
      ROW_NUMBER() OVER (PARTITION BY metric ORDER BY value) AS rn,
      COUNT(*) OVER (PARTITION BY metric) AS n
    FROM samples
  ),
  day_samples AS (
    SELECT metric, date, value,
      ROW_NUMBER() OVER (PARTITION BY metric, date ORDER BY value) AS rn,
      COUNT(*) OVER (PARTITION BY metric, date) AS n
    FROM samples WHERE metric IN ('claim', 'response')
  ),
  day_percentiles AS MATERIALIZED (
    SELECT metric, date,
      MAX(CASE WHEN rn = ${rank(50)} THEN value END) AS p50,
      MAX(CASE WHEN rn = ${rank(90)} THEN value END) AS p90
    FROM day_samples WHERE rn IN (${rank(50)}, ${rank(90)}) GROUP BY metric, date
  )`;

/** The visitors' ratings of the range's handoffs. */
const ratings = sql`(SELECT json_object('rated', rated, 'helpful', helpful)
  FROM (SELECT ${ratingAggregates} FROM facts))`;

const percentiles = sql`(SELECT json_group_array(json_object('metric', metric, 'p50', p50,
    'p90', p90))
  FROM (SELECT metric,
      MAX(CASE WHEN rn = ${rank(50)} THEN value END) AS p50,
      MAX(CASE WHEN rn = ${rank(90)} THEN value END) AS p90
    FROM ranked_samples GROUP BY metric))`;

/**
 * Per agent: the handoffs they got (claimed, or assigned to them), those resolved while they held
 * them, and the median time from getting a handoff to their own first reply in it.
 */
function agentTables(tenantId: string): SQL {
  // CROSS JOIN keeps the range's handoffs outer: each one's audit trail is an index lookup, never
  // a scan of every tenant's events.
  return sql`takes AS MATERIALIZED (
    SELECT e.handoff_id,
      CASE e.type WHEN 'claimed' THEN e.actor_id ELSE json_extract(e.data, '$.agent.id') END
        AS agent_id,
      MAX(CASE e.type WHEN 'claimed' THEN e.actor_name
        ELSE json_extract(e.data, '$.agent.name') END) AS agent_name,
      MIN(e.at) AS got_at
    FROM facts f CROSS JOIN handoff_events e
      ON e.handoff_id = f.id AND e.tenant_id = ${tenantId} AND e.type IN ('claimed', 'assigned')
    GROUP BY 1, 2
  ),
  responses AS MATERIALIZED (
    SELECT t.agent_id,
      (SELECT MIN(m.at) FROM messages m
        WHERE m.handoff_id = t.handoff_id AND m.at >= t.got_at AND m.tenant_id = ${tenantId}
          AND m.sender = 'agent' AND m.agent_id = t.agent_id) - t.got_at AS value
    FROM takes t WHERE t.agent_id IS NOT NULL
  ),
  ranked_responses AS (
    SELECT agent_id, value,
      ROW_NUMBER() OVER (PARTITION BY agent_id ORDER BY value) AS rn,
      COUNT(*) OVER (PARTITION BY agent_id) AS n
    FROM responses WHERE value IS NOT NULL
  ),
  medians AS (
    SELECT agent_id, MAX(CASE WHEN rn = ${rank(50)} THEN value END) AS p50
    FROM ranked_responses GROUP BY agent_id
  ),
  got AS (
    SELECT agent_id, COUNT(*) AS claimed, MAX(agent_name) AS agent_name
    FROM takes WHERE agent_id IS NOT NULL GROUP BY agent_id
  ),
  resolves AS (
    SELECT assignee_id AS agent_id, COUNT(*) AS resolved FROM facts
    WHERE status = 'resolved' AND assignee_id IS NOT NULL GROUP BY assignee_id
  ),
  agents AS (SELECT agent_id FROM got UNION SELECT agent_id FROM resolves)`;
}

function byAgent(tenantId: string): SQL {
  return sql`(SELECT json_group_array(json_object('agent_id', agent_id, 'name', name,
      'claimed', claimed, 'resolved', resolved, 'p50', p50) ORDER BY claimed DESC, name, agent_id)
    FROM (SELECT a.agent_id, COALESCE(u.name, g.agent_name, a.agent_id) AS name,
        COALESCE(g.claimed, 0) AS claimed, COALESCE(r.resolved, 0) AS resolved, md.p50
      FROM agents a
        LEFT JOIN got g ON g.agent_id = a.agent_id
        LEFT JOIN resolves r ON r.agent_id = a.agent_id
        LEFT JOIN medians md ON md.agent_id = a.agent_id
        LEFT JOIN users u ON u.id = a.agent_id AND u.tenant_id = ${tenantId}))`;
}

const byChannel = sql`(SELECT json_group_array(json_object('channel', channel,
    'handoffs', handoffs, 'expired', expired, 'rated', rated, 'helpful', helpful)
    ORDER BY handoffs DESC, channel)
  FROM (SELECT channel, COUNT(*) AS handoffs, SUM(status = 'expired') AS expired,
      ${ratingAggregates}
    FROM facts GROUP BY channel))`;

/**
 * The whole answer in one statement, so the range's facts are gathered once (MATERIALIZED) and
 * shared by the parts, each read back as JSON.
 */
export function analyticsStatement(tenantId: string, days: RangeDay[]): SQL {
  return sql`${facts(tenantId, days)}, ${samples}, ${agentTables(tenantId)}
    SELECT ${byDay} AS by_day, ${percentiles} AS percentiles, ${byAgent(tenantId)} AS by_agent,
      ${byChannel} AS by_channel, ${ratings} AS rating`;
}

const answerRow = z.object({
  by_day: z.string(),
  percentiles: z.string(),
  by_agent: z.string(),
  by_channel: z.string(),
  rating: z.string(),
});
const jsonArray = <T extends z.ZodType>(item: T) =>
  z.string().transform((text) => z.array(item).parse(JSON.parse(text)));

const seconds = (ms: number | null | undefined) => (ms == null ? null : ms / 1000);
const inSeconds = (p50: number | null | undefined, p90: number | null | undefined) => ({
  p50: seconds(p50),
  p90: seconds(p90),
});
const toRating = (r: { rated: number; helpful: number | null }): Rating => ({
  count: r.rated,
  average: r.rated === 0 ? null : r.helpful,
});

// Written by drizzle's dialect, run with D1's own API: the answer is one row of JSON columns.
const dialect = new SQLiteAsyncDialect();

/** The analytics of one tenant over the query's range, in one D1 statement. */
export async function analytics(
  d1: D1Database,
  tenantId: string,
  query: AnalyticsQuery,
): Promise<Analytics> {
  const days = rangeDays(query);
  const { sql: text, params } = dialect.sqlToQuery(analyticsStatement(tenantId, days));
  const row = answerRow.parse(
    await d1
      .prepare(text)
      .bind(...params)
      .first(),
  );
  const dayRows = jsonArray(dayRow).parse(row.by_day);
  const percentileRows = jsonArray(percentileRow).parse(row.percentiles);
  const agentRows = jsonArray(agentRow).parse(row.by_agent);
  const channelRows = jsonArray(channelRow).parse(row.by_channel);
  const counted = new Map(dayRows.map((d) => [d.date, d]));
  const by_day: AnalyticsDay[] = days.map(({ date }) => {
    const d = counted.get(date);
    return {
      date,
      handoffs: d?.handoffs ?? 0,
      claimed: d?.claimed ?? 0,
      expired: d?.expired ?? 0,
      resolved: d?.resolved ?? 0,
      time_to_claim_seconds: inSeconds(d?.claim_p50, d?.claim_p90),
      first_response_seconds: inSeconds(d?.response_p50, d?.response_p90),
    };
  });
  const metric = new Map(percentileRows.map((p) => [p.metric, p]));
  const pair = (name: "claim" | "response" | "resolution"): Percentiles =>
    inSeconds(metric.get(name)?.p50, metric.get(name)?.p90);
  const total = (field: "handoffs" | "claimed" | "expired" | "resolved") =>
    by_day.reduce((sum, d) => sum + d[field], 0);
  const handoffs = total("handoffs");
  const expired = total("expired");
  const by_agent: AnalyticsAgent[] = agentRows.map((a) => ({
    agent: { id: a.agent_id, name: a.name },
    claimed: a.claimed,
    resolved: a.resolved,
    first_response_seconds: { p50: seconds(a.p50) },
  }));
  const by_channel: AnalyticsChannel[] = channelRows.map(({ rated, helpful, ...c }) => ({
    ...c,
    rating: toRating({ rated, helpful }),
  }));
  return {
    ...query,
    summary: {
      handoffs,
      claimed: total("claimed"),
      resolved: total("resolved"),
      expired,
      expiry_rate: handoffs === 0 ? null : expired / handoffs,
      time_to_claim_seconds: pair("claim"),
      first_response_seconds: pair("response"),
      resolution_seconds: pair("resolution"),
      rating: toRating(ratingRow.parse(JSON.parse(row.rating))),
    },
    by_day,
    by_agent,
    by_channel,
  };
}
