// The stats bar as counters: queued and active totals, escalations and resolves per UTC day.
// They move in the same synchronous step as the status change that moves them, so reading the
// stats never scans handoffs, and "today" and "resolved this week" outlive closed handoffs
// leaving the object.
import type { LiveStats } from "../../../schema/shapes";
import type { Sql } from "./sql";

/** Day rows kept: the current week and then some. */
const KEEP_DAYS = 14;
const DAY_MS = 86_400_000;

/** The UTC day a time falls on, as stored: `YYYY-MM-DD` (sorts as it reads). */
export const utcDay = (at: number): string => new Date(at).toISOString().slice(0, 10);

/** Monday of the current UTC week. */
export function utcWeekStart(now: number): string {
  const weekday = (new Date(now).getUTCDay() + 6) % 7;
  return utcDay(now - weekday * DAY_MS);
}

const OPEN = new Set(["queued", "active"]);

export class Counters {
  /** Set when a counter moved, cleared when the new numbers are sent. */
  private moved = false;

  constructor(private readonly sql: Sql) {}

  /** A new handoff: one more queued, one more escalation today. */
  escalated(now: number): void {
    this.addStatus("queued", 1);
    this.addDay(utcDay(now), "escalated");
    this.moved = true;
  }

  /** A handoff changed status (claim, release, resolve, expiry, …). */
  statusChanged(from: string, to: string, now: number): void {
    if (from === to) return;
    if (OPEN.has(from)) this.addStatus(from, -1);
    if (OPEN.has(to)) this.addStatus(to, 1);
    if (to === "resolved") this.addDay(utcDay(now), "resolved");
    this.moved = true;
  }

  /** Whether a counter moved since the last call (so the new numbers should be sent). */
  takeMoved(): boolean {
    const moved = this.moved;
    this.moved = false;
    return moved;
  }

  stats(agentsOnline: number, now: number): LiveStats {
    const totals = this.sql.all<{ status: string; n: number }>(
      `SELECT status, n FROM status_counts`,
    );
    const count = (status: string) => totals.find((t) => t.status === status)?.n ?? 0;
    // The (status, created_at) index answers this without a scan.
    const oldest =
      this.sql.first<{ at: number | null }>(
        `SELECT MIN(created_at) AS at FROM handoffs WHERE status = 'queued'`,
      )?.at ?? null;
    const today =
      this.sql.first<{ n: number }>(
        `SELECT escalated AS n FROM daily_counts WHERE day = ?`,
        utcDay(now),
      )?.n ?? 0;
    const week =
      this.sql.first<{ n: number | null }>(
        `SELECT SUM(resolved) AS n FROM daily_counts WHERE day >= ?`,
        utcWeekStart(now),
      )?.n ?? 0;
    return {
      queued: count("queued"),
      active: count("active"),
      agents_online: agentsOnline,
      oldest_waiting_seconds:
        oldest === null ? null : Math.max(0, Math.floor((now - oldest) / 1000)),
      oldest_waiting_since: oldest === null ? null : new Date(oldest).toISOString(),
      today,
      resolved_this_week: week,
    };
  }

  /** Drops day rows older than any stat reads. */
  prune(now: number): void {
    this.sql.run(`DELETE FROM daily_counts WHERE day < ?`, utcDay(now - KEEP_DAYS * DAY_MS));
  }

  private addStatus(status: string, delta: number): void {
    this.sql.run(
      `INSERT INTO status_counts (status, n) VALUES (?, ?) ON CONFLICT (status) DO UPDATE SET n = n + excluded.n`,
      status,
      delta,
    );
  }

  private addDay(day: string, column: "escalated" | "resolved"): void {
    this.sql.run(
      `INSERT INTO daily_counts (day, ${column}) VALUES (?, 1) ON CONFLICT (day) DO UPDATE SET ${column} = ${column} + 1`,
      day,
    );
  }
}
