// Every timer of a tenant in one table, driven by the object's single alarm.
import type { Sql } from "./sql";

export type TimerKind =
  | "expire"
  | "remind"
  | "noreply"
  | "offline"
  | "webhook"
  | "send"
  | "mirror"
  | "session"
  | "retention"
  | "housekeeping"
  | "email";

export interface DueTimer extends Record<string, SqlStorageValue> {
  kind: TimerKind;
  ref: string;
  due_at: number;
}

export class Timers {
  constructor(private readonly sql: Sql) {}

  set(kind: TimerKind, ref: string, dueAt: number): void {
    this.sql.run(
      `INSERT INTO timers (kind, ref, due_at) VALUES (?, ?, ?) ON CONFLICT (kind, ref) DO UPDATE SET due_at = excluded.due_at`,
      kind,
      ref,
      dueAt,
    );
  }

  /** Sets the timer unless one is already pending (an earlier one wins). */
  setIfAbsent(kind: TimerKind, ref: string, dueAt: number): void {
    this.sql.run(
      `INSERT OR IGNORE INTO timers (kind, ref, due_at) VALUES (?, ?, ?)`,
      kind,
      ref,
      dueAt,
    );
  }

  /** Sets the timer, or moves a pending one earlier (never later). */
  setEarlier(kind: TimerKind, ref: string, dueAt: number): void {
    this.sql.run(
      `INSERT INTO timers (kind, ref, due_at) VALUES (?, ?, ?) ON CONFLICT (kind, ref) DO UPDATE SET due_at = MIN(due_at, excluded.due_at)`,
      kind,
      ref,
      dueAt,
    );
  }

  clear(kind: TimerKind, ref: string): void {
    this.sql.run(`DELETE FROM timers WHERE kind = ? AND ref = ?`, kind, ref);
  }

  due(now: number): DueTimer[] {
    return this.sql.all<DueTimer>(
      `SELECT kind, ref, due_at FROM timers WHERE due_at <= ? ORDER BY due_at LIMIT 500`,
      now,
    );
  }

  earliest(): number | null {
    return (
      this.sql.first<{ next: number | null }>(`SELECT MIN(due_at) AS next FROM timers`)?.next ??
      null
    );
  }
}
