// The admin endpoints of the bots' settings page: a bot's texts, timers and webhook, its recent
// webhook deliveries, a test event and a new signing secret (viewers read, admins write).
import type { WebhookDelivery } from "#schema/webhook-deliveries";
import { request } from "./client";

export type { WebhookDelivery };

/** A bot as the admin API shows it (never its signing secret). */
export interface AdminBot {
  id: string;
  name: string;
  webhook_url: string | null;
  handoff_message: string;
  accept_message: string;
  resolve_message: string;
  expiry_message: string;
  max_wait_minutes: number;
  reminder_delay_seconds: number;
  version: number;
}

/** What PATCH /api/admin/bots/{id} takes: any of these. */
export type BotPatch = Partial<Omit<AdminBot, "id" | "version">>;

const send = <T>(method: string, path: string, body?: unknown) =>
  request<T>(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
const botPath = (id: string, rest = "") => `/api/admin/bots/${encodeURIComponent(id)}${rest}`;

export const botsApi = {
  list: () => request<{ bots: AdminBot[] }>("/api/admin/bots"),
  update: (id: string, patch: BotPatch) => send<{ bot: AdminBot }>("PATCH", botPath(id), patch),
  /** The new secret is in this answer only. */
  rotateSecret: (id: string) =>
    send<{ bot: AdminBot; webhook_secret: string }>("POST", botPath(id, "/rotate-secret")),
  deliveries: (id: string) =>
    request<{ deliveries: WebhookDelivery[] }>(botPath(id, "/deliveries")),
  redeliver: (id: string, deliveryId: string) =>
    send<{ delivery: WebhookDelivery }>(
      "POST",
      botPath(id, `/deliveries/${encodeURIComponent(deliveryId)}/redeliver`),
    ),
  testEvent: (id: string) =>
    send<{ delivery: WebhookDelivery }>("POST", botPath(id, "/test-event")),
};
