// The durable outbox from the tenant object to D1. A change is marked in the same synchronous
// write that makes it; the alarm flushes marks in batches and retries until D1 takes them, so
// an acknowledged message survives D1 being down. A row D1 keeps refusing (while it takes the
// others) is found by halving the batch, retried on its own backoff and, after MAX_ATTEMPTS,
// set aside in mirror_failures for admins to see, so it never holds back the rows after it.
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { SYNC_KINDS, type SyncFailure } from "../../../schema/sync-failures";
import { contacts, handoffEvents, handoffs, messages } from "../../../schema/tables";
import { statementsFor, type MirrorDb, type MirrorKind } from "./mirror-statements";
import { iso } from "./records";
import type { Sql } from "./sql";
import type { Timers } from "./timers";

export type { MirrorKind };

interface Mark extends Record<string, SqlStorageValue> {
  kind: MirrorKind;
  id: string;
  gen: number;
  attempts: number;
}

interface FailureRow extends Record<string, SqlStorageValue> {
  kind: string;
  id: string;
  attempts: number;
  last_error: string;
  at: number;
}

interface Outcome {
  written: Mark[];
  refused: { mark: Mark; error: string }[];
}

const BATCH = 80;
/** Backoff while D1 is unreachable (the whole outbox waits). */
const OUTAGE_RETRY_MS = [1_000, 5_000, 15_000, 60_000];
/** Backoff of one refused row, per attempt (about 12 min in all); the fifth refusal sets it aside. */
const ROW_RETRY_MS = [5_000, 30_000, 120_000, 600_000];
export const MAX_ATTEMPTS = ROW_RETRY_MS.length + 1;

/** MIRROR_DELAY_MS as a whole number of milliseconds from 0 to a minute; 1 s when unset or wrong. */
export function mirrorDelayFrom(value: string | undefined): number {
  const ms = Number(value);
  return value !== undefined && value !== "" && Number.isInteger(ms) && ms >= 0 && ms <= 60_000
    ? ms
    : 1000;
}

export class Mirror {
  private outages = 0;
  /** One flush at a time: a change marked mid-flush may make the timer due again meanwhile. */
  private flushing = false;

  constructor(
    private readonly sql: Sql,
    private readonly timers: Timers,
    /** How long a change waits for others to share its D1 batch (MIRROR_DELAY_MS). */
    private readonly delayMs = 0,
  ) {}

  mark(kind: MirrorKind, id: string, now: number): void {
    this.sql.run(
      `INSERT INTO mirror (kind, id, gen) VALUES (?, ?, 1) ON CONFLICT (kind, id) DO UPDATE SET gen = gen + 1`,
      kind,
      id,
    );
    // While D1 is down the outbox waits out its backoff; otherwise a new change does not wait
    // behind a refused row's retry. Either way a flush already due sooner takes this change too.
    if (this.outages > 0) this.timers.setIfAbsent("mirror", "", now + this.delayMs);
    else this.timers.setEarlier("mirror", "", now + this.delayMs);
  }

  pending(): number {
    return this.sql.first<{ n: number }>(`SELECT COUNT(*) AS n FROM mirror`)?.n ?? 0;
  }

  /** Rows set aside after D1 refused them MAX_ATTEMPTS times, most recent first. */
  failures(): SyncFailure[] {
    return this.sql
      .all<FailureRow>(
        `SELECT kind, id, attempts, last_error, at FROM mirror_failures ORDER BY at DESC, id LIMIT 500`,
      )
      .map((row) => ({
        kind: z.enum(SYNC_KINDS).parse(row.kind),
        id: row.id,
        attempts: row.attempts,
        last_error: row.last_error,
        at: iso(row.at),
      }));
  }

  /** Writes one batch of due marks to D1, then re-arms itself for whatever is left. */
  async flush(d1: D1Database, tenantId: string): Promise<void> {
    if (this.flushing) return; // The running flush re-arms when it ends.
    this.flushing = true;
    try {
      await this.flushBatch(d1, tenantId);
    } finally {
      this.flushing = false;
    }
  }

  private async flushBatch(d1: D1Database, tenantId: string): Promise<void> {
    const now = Date.now();
    const marks = this.sql.all<Mark>(
      `SELECT kind, id, gen, attempts FROM mirror WHERE retry_at <= ? ORDER BY rowid LIMIT ?`,
      now,
      BATCH,
    );
    if (marks.length === 0) return this.rearm();
    const db = drizzle(d1);
    const error = await this.write(db, marks, tenantId);
    if (error !== null) {
      const unreachable = await whyUnreachable(db);
      if (unreachable !== null) {
        this.outages += 1;
        const delay = OUTAGE_RETRY_MS[Math.min(this.outages - 1, OUTAGE_RETRY_MS.length - 1)]!;
        console.warn(
          `D1 mirror write failed (${marks.length} pending, retry in ${delay} ms):`,
          unreachable,
        );
        this.timers.set("mirror", "", Date.now() + delay);
        return;
      }
    }
    this.outages = 0;
    const outcome =
      error === null
        ? { written: marks, refused: [] }
        : await this.isolate(db, marks, tenantId, error);
    this.record(outcome, Date.now());
    this.rearm();
  }

  /** Writes the marks in one D1 batch (atomic: all or none); returns why it failed, or null. */
  private async write(db: MirrorDb, marks: Mark[], tenantId: string): Promise<string | null> {
    const [first, ...rest] = marks.flatMap((mark) => statementsFor(this.sql, db, mark, tenantId));
    if (!first) return null;
    try {
      await db.batch([first, ...rest]);
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }

  /** D1 is up but refused the batch: halves it until every refused row is alone. */
  private async isolate(
    db: MirrorDb,
    marks: Mark[],
    tenantId: string,
    error: string,
  ): Promise<Outcome> {
    if (marks.length === 1) return { written: [], refused: [{ mark: marks[0]!, error }] };
    const middle = Math.ceil(marks.length / 2);
    const outcome: Outcome = { written: [], refused: [] };
    for (const half of [marks.slice(0, middle), marks.slice(middle)]) {
      const halfError = await this.write(db, half, tenantId);
      const part =
        halfError === null
          ? { written: half, refused: [] }
          : await this.isolate(db, half, tenantId, halfError);
      outcome.written.push(...part.written);
      outcome.refused.push(...part.refused);
    }
    return outcome;
  }

  private record({ written, refused }: Outcome, now: number): void {
    for (const mark of written) {
      this.sql.run(
        `DELETE FROM mirror WHERE kind = ? AND id = ? AND gen = ?`,
        mark.kind,
        mark.id,
        mark.gen,
      );
      this.sql.run(`DELETE FROM mirror_failures WHERE kind = ? AND id = ?`, mark.kind, mark.id);
    }
    for (const { mark, error } of refused) {
      const attempts = mark.attempts + 1;
      if (attempts < MAX_ATTEMPTS) {
        const retryAt = now + ROW_RETRY_MS[attempts - 1]!;
        this.sql.run(
          `UPDATE mirror SET attempts = ?, last_error = ?, retry_at = ? WHERE kind = ? AND id = ?`,
          attempts,
          error,
          retryAt,
          mark.kind,
          mark.id,
        );
        continue;
      }
      console.error(`D1 refused ${mark.kind} ${mark.id} ${attempts} times; set aside:`, error);
      this.sql.run(
        `INSERT INTO mirror_failures (kind, id, attempts, last_error, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (kind, id) DO UPDATE SET attempts = excluded.attempts, last_error = excluded.last_error, at = excluded.at`,
        mark.kind,
        mark.id,
        attempts,
        error,
        now,
      );
      // Changed again meanwhile: the newer version gets its own attempts.
      if (
        this.sql.run(
          `DELETE FROM mirror WHERE kind = ? AND id = ? AND gen = ?`,
          mark.kind,
          mark.id,
          mark.gen,
        ) === 0
      ) {
        this.sql.run(
          `UPDATE mirror SET attempts = 0, last_error = NULL, retry_at = 0 WHERE kind = ? AND id = ?`,
          mark.kind,
          mark.id,
        );
      }
    }
  }

  /** Due now while marks are due, else at the earliest row retry, else cleared. */
  private rearm(): void {
    const next =
      this.sql.first<{ at: number | null }>(`SELECT MIN(retry_at) AS at FROM mirror`)?.at ?? null;
    if (next === null) this.timers.clear("mirror", "");
    else this.timers.set("mirror", "", Math.max(next, Date.now()));
  }
}

/** Null when D1 answers a read of every mirrored table (so a refused batch is the rows' fault); else why not. */
async function whyUnreachable(db: MirrorDb): Promise<string | null> {
  try {
    await db.batch([
      db.select({ id: handoffs.id }).from(handoffs).limit(1),
      db.select({ id: contacts.externalId }).from(contacts).limit(1),
      db.select({ id: messages.id }).from(messages).limit(1),
      db.select({ id: handoffEvents.id }).from(handoffEvents).limit(1),
    ]);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
