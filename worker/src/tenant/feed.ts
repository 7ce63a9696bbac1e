// The tenant's event sequence: every event is numbered, kept for `resume`, and sent once-serialized.
import type { TenantEvent } from "../../../schema/realtime";
import type { Sql } from "./sql";

/** Events kept for replay: at least this many, and at least this recent. */
const KEEP_EVENTS = 1000;
const KEEP_MS = 10 * 60_000;

export class Feed {
  private seq: number;
  /** Frames (and other sends) of the transaction under way: sent only once it commits. */
  private held: (string | (() => void))[] | null = null;

  constructor(
    private readonly sql: Sql,
    private readonly sockets: () => WebSocket[],
  ) {
    this.seq = sql.first<{ head: number | null }>(`SELECT MAX(seq) AS head FROM feed`)?.head ?? 0;
  }

  get head(): number {
    return this.seq;
  }

  emit(event: TenantEvent, now: number): void {
    this.seq += 1;
    const frame = JSON.stringify({ ...event, seq: this.seq });
    this.sql.run(`INSERT INTO feed (seq, frame, at) VALUES (?, ?, ?)`, this.seq, frame, now);
    this.push(frame);
    if (this.seq % 100 === 0) this.prune(now);
  }

  /** Sends a frame to every socket, once the transaction under way (if any) commits. */
  push(frame: string): void {
    if (this.held) this.held.push(frame);
    else this.broadcast(frame);
  }

  /** Runs a send (to other sockets than the agents') once the transaction under way commits. */
  afterCommit(send: () => void): void {
    if (this.held) this.held.push(send);
    else send();
  }

  /**
   * Runs a transaction's work with its frames held back: they go out when it commits, and a
   * rolled-back one tells nobody about changes that never happened.
   */
  hold<T>(work: () => T): T {
    if (this.held) return work();
    const seq = this.seq;
    this.held = [];
    try {
      const result = work();
      const frames = this.held;
      this.held = null;
      for (const frame of frames) {
        if (typeof frame === "string") this.broadcast(frame);
        else frame();
      }
      return result;
    } catch (error) {
      this.held = null;
      this.seq = seq;
      throw error;
    }
  }

  /** To the agents' sockets only (never a visitor's), serialized once by the caller; the output
   * gate holds each send until the write is durable. */
  broadcast(frame: string, except?: WebSocket): void {
    for (const ws of this.sockets()) {
      if (ws === except) continue;
      try {
        ws.send(frame);
      } catch {
        // A socket closing under us is cleaned up by webSocketClose.
      }
    }
  }

  /**
   * Frames after `since`, or null when the client must resync: some are no longer kept, or it
   * claims a seq this tenant never reached (its state came from elsewhere).
   */
  since(since: number): string[] | null {
    if (since > this.seq) return null;
    if (since === this.seq) return [];
    const oldest = this.sql.first<{ oldest: number | null }>(
      `SELECT MIN(seq) AS oldest FROM feed`,
    )?.oldest;
    if (oldest == null || since + 1 < oldest) return null;
    return this.sql
      .all<{ frame: string }>(`SELECT frame FROM feed WHERE seq > ? ORDER BY seq`, since)
      .map((r) => r.frame);
  }

  /** Drops frames past the replay window (also run by housekeeping, for a tenant gone quiet). */
  prune(now: number): void {
    this.sql.run(
      `DELETE FROM feed WHERE seq <= ? AND at < ?`,
      this.seq - KEEP_EVENTS,
      now - KEEP_MS,
    );
  }
}
