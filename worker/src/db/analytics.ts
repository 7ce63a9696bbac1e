// Analytics over the history the tenant objects mirror to D1, computed in SQL: the Worker sends
// the range's days as [date, start, end) in UTC milliseconds (SQLite knows no time zones) and
// reads back a few aggregate rows, never the handoffs themselves.
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
      SELECT h.id, h.channel, h.status, h.assignee_id, h.created_at, h.resolved_at, d.date,
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
});
const percentileRow = z.object({
  metric: z.enum(["claim", "response", "resolution"]),
  p50: millis,
  p90: millis,
});
const agentRow = z.object({
  agent_id: z.string(),
  name: z.string(),
  claimed: count,
  resolved: count,
  p50: millis,
});
const channelRow = z.object({ channel: z.string(), handoffs: count, expired: count });

// Nearest rank: the k-th smallest of n values, k = ceil(n * p / 100), in integer arithmetic.
const rank = (p: number) => sql.raw(`(n * ${p} + 99) / 100`);

function byDay(base: SQL): SQL {
  return sql`${base}
    SELECT date, COUNT(*) AS handoffs, COUNT(claimed_at) AS claimed,
      SUM(status = 'expired') AS expired, SUM(status = 'resolved') AS resolved
    FROM facts GROUP BY date`;
}

function percentiles(base: SQL): SQL {
  return sql`${base},
    samples(metric, value) AS (
      SELECT 'claim', claimed_at - created_at FROM facts WHERE claimed_at IS NOT NULL
      UNION ALL
      SELECT 'response', first_reply_at - claimed_at FROM facts WHERE first_reply_at IS NOT NULL
      UNION ALL
      SELECT 'resolution', resolved_at - created_at FROM facts
        WHERE status = 'resolved' AND resolved_at IS NOT NULL
    ),
    ranked AS (
      SELECT metric, value,
        ROW_NUMBER() OVER (PARTITION BY metric ORDER BY value) AS rn,
        COUNT(*) OVER (PARTITION BY metric) AS n
      FROM samples
    )
    SELECT metric,
      MAX(CASE WHEN rn = ${rank(50)} THEN value END) AS p50,
      MAX(CASE WHEN rn = ${rank(90)} THEN value END) AS p90
    FROM ranked GROUP BY metric`;
}

/**
 * Per agent: the handoffs they got (claimed, or assigned to them), those resolved while they held
 * them, and the median time from getting a handoff to their own first reply in it.
 */
function byAgent(base: SQL, tenantId: string): SQL {
  return sql`${base},
    takes AS MATERIALIZED (
      SELECT e.handoff_id,
        CASE e.type WHEN 'claimed' THEN e.actor_id ELSE json_extract(e.data, '$.agent.id') END
          AS agent_id,
        MAX(CASE e.type WHEN 'claimed' THEN e.actor_name ELSE json_extract(e.data, '$.agent.name') END)
          AS agent_name,
        MIN(e.at) AS got_at
      FROM facts f JOIN handoff_events e
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
    ranked AS (
      SELECT agent_id, value,
        ROW_NUMBER() OVER (PARTITION BY agent_id ORDER BY value) AS rn,
        COUNT(*) OVER (PARTITION BY agent_id) AS n
      FROM responses WHERE value IS NOT NULL
    ),
    medians AS (
      SELECT agent_id, MAX(CASE WHEN rn = ${rank(50)} THEN value END) AS p50
      FROM ranked GROUP BY agent_id
    ),
    got AS (
      SELECT agent_id, COUNT(*) AS claimed, MAX(agent_name) AS agent_name
      FROM takes WHERE agent_id IS NOT NULL GROUP BY agent_id
    ),
    resolves AS (
      SELECT assignee_id AS agent_id, COUNT(*) AS resolved FROM facts
      WHERE status = 'resolved' AND assignee_id IS NOT NULL GROUP BY assignee_id
    ),
    agents AS (SELECT agent_id FROM got UNION SELECT agent_id FROM resolves)
    SELECT a.agent_id, COALESCE(u.name, g.agent_name, a.agent_id) AS name,
      COALESCE(g.claimed, 0) AS claimed, COALESCE(r.resolved, 0) AS resolved, md.p50
    FROM agents a
      LEFT JOIN got g ON g.agent_id = a.agent_id
      LEFT JOIN resolves r ON r.agent_id = a.agent_id
      LEFT JOIN medians md ON md.agent_id = a.agent_id
      LEFT JOIN users u ON u.id = a.agent_id AND u.tenant_id = ${tenantId}
    ORDER BY claimed DESC, name, a.agent_id`;
}

function byChannel(base: SQL): SQL {
  return sql`${base}
    SELECT channel, COUNT(*) AS handoffs, SUM(status = 'expired') AS expired
    FROM facts GROUP BY channel ORDER BY handoffs DESC, channel`;
}

/** The four statements of one analytics answer, sharing the range's facts. */
export function analyticsStatements(tenantId: string, days: RangeDay[]) {
  const base = facts(tenantId, days);
  return {
    byDay: byDay(base),
    percentiles: percentiles(base),
    byAgent: byAgent(base, tenantId),
    byChannel: byChannel(base),
  };
}

// drizzle's D1 batch cannot bind a raw query's values (db.all(sql) in db.batch), so the
// statements are written by its dialect and batched with D1's own API.
const dialect = new SQLiteAsyncDialect();
function prepare(d1: D1Database, query: SQL): D1PreparedStatement {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return d1.prepare(text).bind(...params);
}

const seconds = (ms: number | null | undefined) => (ms == null ? null : ms / 1000);

/** The analytics of one tenant over the query's range, in one D1 batch of four statements. */
export async function analytics(
  d1: D1Database,
  tenantId: string,
  query: AnalyticsQuery,
): Promise<Analytics> {
  const days = rangeDays(query);
  const statements = analyticsStatements(tenantId, days);
  const answers = await d1.batch([
    prepare(d1, statements.byDay),
    prepare(d1, statements.percentiles),
    prepare(d1, statements.byAgent),
    prepare(d1, statements.byChannel),
  ]);
  const [dayRows, percentileRows, agentRows, channelRows] = answers.map((a) => a.results);
  const counted = new Map(
    z
      .array(dayRow)
      .parse(dayRows)
      .map((d) => [d.date, d]),
  );
  const by_day: AnalyticsDay[] = days.map(({ date }) => {
    const d = counted.get(date);
    return {
      date,
      handoffs: d?.handoffs ?? 0,
      claimed: d?.claimed ?? 0,
      expired: d?.expired ?? 0,
      resolved: d?.resolved ?? 0,
    };
  });
  const metric = new Map(
    z
      .array(percentileRow)
      .parse(percentileRows)
      .map((p) => [p.metric, p]),
  );
  const pair = (name: "claim" | "response" | "resolution"): Percentiles => ({
    p50: seconds(metric.get(name)?.p50),
    p90: seconds(metric.get(name)?.p90),
  });
  const total = (field: "handoffs" | "claimed" | "expired" | "resolved") =>
    by_day.reduce((sum, d) => sum + d[field], 0);
  const handoffs = total("handoffs");
  const expired = total("expired");
  const by_agent: AnalyticsAgent[] = z
    .array(agentRow)
    .parse(agentRows)
    .map((a) => ({
      agent: { id: a.agent_id, name: a.name },
      claimed: a.claimed,
      resolved: a.resolved,
      first_response_seconds: { p50: seconds(a.p50) },
    }));
  const by_channel: AnalyticsChannel[] = z.array(channelRow).parse(channelRows);
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
    },
    by_day,
    by_agent,
    by_channel,
  };
}
