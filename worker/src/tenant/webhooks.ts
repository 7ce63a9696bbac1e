// Outbound webhooks to the bot: a durable outbox, signed per Standard Webhooks, retried with
// backoff under the same webhook-id until a 2xx or three days have passed.
import { newId } from "../ids";
import type { Sql } from "./sql";
import type { Timers } from "./timers";
import type { BotSettings } from "./types";

export type WebhookType =
  | "handoff.claimed"
  | "message.created"
  | "handoff.resolved"
  | "handoff.expired"
  | "message.received"
  /** Sent from the settings page to check the bot's endpoint; about no handoff. */
  | "webhook.test";

/** Delay before each retry: about 5 s, 30 s, 2 min, 10 min, 1 h, then hourly. */
const RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000, 3_600_000];
const HOURLY_MS = 3_600_000;
/** While a bot has webhooks pending, one of them is retried at least this often, to notice it is back. */
const PROBE_EVERY_MS = 600_000;
const GIVE_UP_AFTER_MS = 3 * 24 * 3_600_000;
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * A failing webhook holds back its conversation's later ones for this many attempts (about a
 * quarter of an hour, then its next try is an hour away); after that they go out on their own,
 * so a resolve or an expiry is not stuck behind it for days.
 */
export const BLOCKING_ATTEMPTS = RETRY_DELAYS_MS.length;

export function retryDelay(failedAttempts: number): number {
  return RETRY_DELAYS_MS[failedAttempts - 1] ?? HOURLY_MS;
}

interface WebhookRow extends Record<string, SqlStorageValue> {
  id: string;
  bot_id: string;
  handoff_id: string;
  type: string;
  body: string;
  message_id: string | null;
  attempts: number;
  created_at: number;
  /** Sent again by hand at this time: its time to give up counts from then. */
  requeued_at: number | null;
}

/** A pending webhook with its place in the outbox and its conversation. */
type QueuedWebhook = WebhookRow & { seq: number; conversation_id: string | null };

export interface DeliveryOutcome {
  messageId: string | null;
  /** null: still pending, retried later. */
  delivery: "delivered" | "failed" | null;
  /** Attempts made so far, this one included. */
  attempts: number;
}

export class WebhookOutbox {
  /**
   * Webhooks taken by a delivery still running in this instance. Their timers hold a lease
   * meanwhile; this keeps a timer pulled forward (or a lease running out) from starting a second
   * attempt of the same webhook alongside the first. Lost with the instance, as the attempts are.
   */
  private readonly taken = new Set<string>();

  constructor(
    private readonly sql: Sql,
    private readonly timers: Timers,
  ) {}

  /** Queues a webhook for the bot (none when it has no URL); the first attempt is due at once. */
  enqueue(
    bot: BotSettings,
    handoffId: string,
    type: WebhookType,
    data: unknown,
    now: number,
    messageId: string | null = null,
  ): string | null {
    if (!bot.webhook_url) return null;
    const id = newId("msg");
    // Through a channel the Worker delivers every text itself: the bot must not send it again.
    const channelled = this.sql.first<{ channel_id: string | null }>(
      `SELECT channel_id FROM handoffs WHERE id = ?`,
      handoffId,
    )?.channel_id;
    const payload =
      channelled && typeof data === "object" && data !== null
        ? { ...data, delivered_by: "channel" }
        : data;
    const body = JSON.stringify({ type, timestamp: new Date(now).toISOString(), data: payload });
    this.sql.insert("webhooks", {
      id,
      bot_id: bot.id,
      handoff_id: handoffId,
      type,
      body,
      message_id: messageId,
      status: "pending",
      attempts: 0,
      created_at: now,
    });
    this.timers.set("webhook", id, now);
    return id;
  }

  /** Whether an attempt of this webhook is running in this instance right now. */
  inFlight(id: string): boolean {
    return this.taken.has(id);
  }

  /**
   * Attempts the given webhooks, calling `settled` after each attempt. One bot conversation's
   * webhooks go out in the order they were made, across its handoffs — a reply never overtakes
   * the greeting of its claim, a new claim never overtakes the previous handoff's resolve — while
   * the earlier one is in its first BLOCKING_ATTEMPTS attempts; different conversations go side
   * by side.
   */
  async deliver(
    ids: string[],
    bots: (id: string) => BotSettings | undefined,
    settled: (outcome: DeliveryOutcome) => Promise<void>,
  ): Promise<void> {
    const rows = ids
      .filter((id) => !this.taken.has(id))
      .map((id) =>
        this.sql.first<QueuedWebhook>(
          `SELECT w.rowid AS seq, w.*, h.conversation_id AS conversation_id FROM webhooks w
           LEFT JOIN handoffs h ON h.id = w.handoff_id WHERE w.id = ? AND w.status = 'pending'`,
          id,
        ),
      )
      .filter((row): row is QueuedWebhook => row !== undefined)
      .sort((a, b) => a.seq - b.seq);
    const byConversation = new Map<string, QueuedWebhook[]>();
    for (const row of rows) {
      this.taken.add(row.id);
      const key = row.conversation_id === null ? row.id : `${row.bot_id}\n${row.conversation_id}`;
      byConversation.set(key, [...(byConversation.get(key) ?? []), row]);
    }
    await Promise.all(
      [...byConversation.values()].map(async (queue) => {
        for (const row of queue) {
          try {
            const blocker = this.earlierPending(row);
            if (blocker) {
              // Wait behind it: due when it is next due.
              this.timers.set("webhook", row.id, blocker.due_at ?? Date.now() + retryDelay(1));
              continue;
            }
            const outcome = await this.attempt(row, bots(row.bot_id));
            this.releaseWaiters(row, outcome);
            await settled(outcome);
          } finally {
            this.taken.delete(row.id);
          }
        }
      }),
    );
  }

  /** The earliest webhook of the conversation that is still pending and still holds later ones back. */
  private earlierPending(row: QueuedWebhook): { due_at: number | null } | undefined {
    if (row.conversation_id === null) return undefined;
    return this.sql.first<{ due_at: number | null }>(
      `SELECT t.due_at AS due_at FROM handoffs h
       JOIN webhooks w ON w.handoff_id = h.id AND w.status = 'pending' AND w.rowid < ? AND w.attempts < ?
       LEFT JOIN timers t ON t.kind = 'webhook' AND t.ref = w.id
       WHERE h.bot_id = ? AND h.conversation_id = ? ORDER BY w.rowid LIMIT 1`,
      row.seq,
      BLOCKING_ATTEMPTS,
      row.bot_id,
      row.conversation_id,
    );
  }

  /**
   * After an attempt: a bot that took a webhook is up again, so its other pending webhooks are
   * due at once instead of at their next (up to hourly) retry; a webhook that stopped holding its
   * conversation back (given up, or past its blocking attempts) lets the ones behind it go now.
   */
  private releaseWaiters(row: QueuedWebhook, outcome: DeliveryOutcome): void {
    const now = Date.now();
    // Only timers still in the future, and never a webhook a running delivery has taken.
    const release = (waiting: string, ...args: SqlStorageValue[]) =>
      this.sql.run(
        `UPDATE timers SET due_at = ? WHERE kind = 'webhook' AND due_at > ? AND ref IN (${waiting})
         AND ref NOT IN (SELECT value FROM json_each(?))`,
        now,
        now,
        ...args,
        JSON.stringify([...this.taken]),
      );
    if (outcome.delivery === "delivered") {
      release(`SELECT id FROM webhooks WHERE bot_id = ? AND status = 'pending'`, row.bot_id);
    } else if (
      (outcome.delivery === "failed" || outcome.attempts >= BLOCKING_ATTEMPTS) &&
      row.conversation_id !== null
    ) {
      release(
        `SELECT w.id FROM handoffs h JOIN webhooks w ON w.handoff_id = h.id AND w.status = 'pending' AND w.rowid > ?
         WHERE h.bot_id = ? AND h.conversation_id = ?`,
        row.seq,
        row.bot_id,
        row.conversation_id,
      );
    }
  }

  private async attempt(row: WebhookRow, bot: BotSettings | undefined): Promise<DeliveryOutcome> {
    let error: string | null = null;
    let statusCode: number | null = null;
    if (!bot?.webhook_url) {
      error = "bot has no webhook_url";
    } else {
      try {
        const response = await send(bot.webhook_url, bot.webhook_secret, row.id, row.body);
        statusCode = response.status;
        error = responseError(response);
        await response.body?.cancel();
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
    }
    const now = Date.now();
    const attempts = row.attempts + 1;
    if (error === null) {
      this.sql.run(
        `UPDATE webhooks SET status = 'delivered', attempts = ?, delivered_at = ?, last_error = NULL, last_status_code = ? WHERE id = ?`,
        attempts,
        now,
        statusCode,
        row.id,
      );
      this.timers.clear("webhook", row.id);
      return { messageId: row.message_id, delivery: "delivered", attempts };
    }
    if (now - (row.requeued_at ?? row.created_at) >= GIVE_UP_AFTER_MS || !bot?.webhook_url) {
      this.sql.run(
        `UPDATE webhooks SET status = 'failed', attempts = ?, last_error = ?, last_status_code = ? WHERE id = ?`,
        attempts,
        error,
        statusCode,
        row.id,
      );
      this.timers.clear("webhook", row.id);
      return { messageId: row.message_id, delivery: "failed", attempts };
    }
    this.sql.run(
      `UPDATE webhooks SET attempts = ?, last_error = ?, last_status_code = ? WHERE id = ?`,
      attempts,
      error,
      statusCode,
      row.id,
    );
    this.timers.set("webhook", row.id, now + this.nextRetryIn(row, attempts, now));
    return { messageId: row.message_id, delivery: null, attempts };
  }

  /**
   * The backoff, but a bot with webhooks pending is not left alone for an hour: unless another
   * of its webhooks is due within PROBE_EVERY_MS, this one is, so a recovered bot takes one within
   * minutes, and then gets the rest at once (releaseWaiters).
   */
  private nextRetryIn(row: WebhookRow, attempts: number, now: number): number {
    const delay = retryDelay(attempts);
    if (delay <= PROBE_EVERY_MS) return delay;
    const probe = this.sql.first<{ id: string }>(
      `SELECT w.id AS id FROM webhooks w JOIN timers t ON t.kind = 'webhook' AND t.ref = w.id
       WHERE w.bot_id = ? AND w.status = 'pending' AND w.id != ? AND t.due_at <= ? LIMIT 1`,
      row.bot_id,
      row.id,
      now + PROBE_EVERY_MS,
    );
    return probe ? delay : PROBE_EVERY_MS;
  }
}

/** Why a response does not count as delivered: only a 2xx does, and redirects are not followed. */
function responseError(response: Response): string | null {
  if (response.ok) return null;
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get("location");
    return `HTTP ${response.status} redirect${location ? ` to ${location}` : ""} not followed: point the webhook URL at its final address`;
  }
  return `HTTP ${response.status}`;
}

export async function sign(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const keyBytes = Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey(
    "raw",
    keyBytes,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    new TextEncoder().encode(`${id}.${timestamp}.${body}`),
  );
  return `v1,${btoa(String.fromCharCode(...new Uint8Array(mac)))}`;
}

async function send(url: string, secret: string, id: string, body: string): Promise<Response> {
  const timestamp = Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "HandoffInbox-Webhooks/1",
      "webhook-id": id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": await sign(secret, id, timestamp, body),
    },
    body,
    // A redirect could carry the signed payload to another host; the bot must give its final URL.
    redirect: "manual",
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}
