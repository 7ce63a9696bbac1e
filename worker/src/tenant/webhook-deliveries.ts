// A bot's webhooks as its admins see them: the recent deliveries, sending one again by hand, and
// a signed test event. All synchronous SQL on the outbox (webhooks.ts), whose alarm sends them.
import {
  DELIVERIES_LISTED,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
} from "../../../schema/webhook-deliveries";
import type { TenantCore } from "./core";
import { armHousekeeping } from "./housekeeping";
import type { BotSettings } from "./types";

interface DeliveryRow extends Record<string, SqlStorageValue> {
  id: string;
  type: string;
  handoff_id: string | null;
  status: WebhookDeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
  due_at: number | null;
  message_id: string | null;
}

// The handoff a webhook is about, when it is about one (a test event or a channel conversation's
// message names none), and its next attempt from the outbox's timer.
const SELECT_DELIVERIES = `SELECT w.id, w.type, h.id AS handoff_id, w.status, w.attempts, w.last_status_code,
  w.last_error, w.created_at, w.delivered_at, t.due_at, w.message_id
  FROM webhooks w LEFT JOIN handoffs h ON h.id = w.handoff_id
  LEFT JOIN timers t ON t.kind = 'webhook' AND t.ref = w.id`;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    type: row.type,
    handoff_id: row.handoff_id,
    status: row.status,
    attempts: row.attempts,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    created_at: new Date(row.created_at).toISOString(),
    delivered_at: iso(row.delivered_at),
    next_attempt_at: row.status === "pending" ? iso(row.due_at) : null,
  };
}

function deliveryRow(core: TenantCore, botId: string, id: string): DeliveryRow | undefined {
  return core.sql.first<DeliveryRow>(
    `${SELECT_DELIVERIES} WHERE w.id = ? AND w.bot_id = ?`,
    id,
    botId,
  );
}

/** The bot's webhooks the object still holds (settled ones are kept a day), newest first. */
export function listDeliveries(core: TenantCore, botId: string): WebhookDelivery[] {
  return core.sql
    .all<DeliveryRow>(
      `${SELECT_DELIVERIES} WHERE w.bot_id = ? ORDER BY w.created_at DESC, w.rowid DESC LIMIT ?`,
      botId,
      DELIVERIES_LISTED,
    )
    .map(toDelivery);
}

/**
 * Sends a webhook again, with the same body and webhook-id: a failed one goes back to pending with
 * its attempts reset (and three more days to be taken), a delivered one is queued for one more
 * attempt, a pending one is tried now. A failed or delivered one takes its place at the end of its
 * conversation's queue, as if made now: it waits behind that conversation's webhooks still
 * pending, and the ones made after it wait behind it (webhooks.ts keeps that order by rowid).
 * null: the bot has no such webhook.
 */
export function redeliver(
  core: TenantCore,
  botId: string,
  id: string,
  now: number,
): WebhookDelivery | null {
  const row = deliveryRow(core, botId, id);
  if (!row) return null;
  if (row.status === "pending") {
    // An attempt running now is the redelivery; its lease must not be cut short (a second try alongside).
    if (!core.outbox.inFlight(id)) core.timers.set("webhook", id, now);
  } else {
    core.sql.run(
      `UPDATE webhooks SET rowid = (SELECT MAX(rowid) + 1 FROM webhooks), status = 'pending', requeued_at = ?,
         attempts = CASE WHEN status = 'failed' THEN 0 ELSE attempts END WHERE id = ?`,
      now,
      id,
    );
    if (row.message_id) followMessage(core, row, now);
    core.timers.set("webhook", id, now);
  }
  return toDelivery(deliveryRow(core, botId, id)!);
}

/**
 * An agent's reply whose webhook failed shows "Sending…" again while it is retried. One already
 * delivered stays delivered: the copy sent again no longer changes what its agent sees.
 */
function followMessage(core: TenantCore, row: DeliveryRow, now: number): void {
  if (row.status === "delivered") {
    core.sql.run(`UPDATE webhooks SET message_id = NULL WHERE id = ?`, row.id);
    return;
  }
  if (!core.message(row.message_id!)) return;
  const message = core.setDelivery(row.message_id!, "pending", now);
  if (message) core.emit({ type: "message.updated", data: { message } }, now);
}

/**
 * Queues a signed `webhook.test` event to the bot's webhook URL. It belongs to no conversation,
 * so it neither waits for nor holds back any conversation's webhooks. null: the bot has no URL.
 */
export function sendTestEvent(
  core: TenantCore,
  bot: BotSettings,
  now: number,
): WebhookDelivery | null {
  const id = core.outbox.enqueue(
    bot,
    "",
    "webhook.test",
    { bot: { id: bot.id, name: bot.name } },
    now,
  );
  if (!id) return null;
  armHousekeeping(core, now); // once settled, it is swept like any other webhook
  return toDelivery(deliveryRow(core, bot.id, id)!);
}
