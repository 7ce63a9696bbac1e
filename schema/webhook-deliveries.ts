// A bot's recent webhooks as admins see them (GET /api/admin/bots/{id}/deliveries): what was sent,
// how each attempt went, and when the next one is due. Shared by the Worker and the settings page.
export const WEBHOOK_DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** The most deliveries one list shows, newest first. */
export const DELIVERIES_LISTED = 50;

export interface WebhookDelivery {
  /** Also the `webhook-id` header of every attempt. */
  id: string;
  /** `handoff.claimed`, `message.created`, …, or `webhook.test`. */
  type: string;
  /** null for a webhook about no handoff (a test event, a channel conversation's message). */
  handoff_id: string | null;
  status: WebhookDeliveryStatus;
  attempts: number;
  /** The HTTP status the bot's endpoint gave the last attempt; null before any, or with no answer. */
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  /** When the next attempt is due (pending only). */
  next_attempt_at: string | null;
}
