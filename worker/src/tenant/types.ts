// What the Worker hands the tenant object: already authenticated, already validated.
import { z } from "zod";
import type { ApiErrorBody } from "../../../schema/errors";
import type { Role } from "../../../schema/shapes";

export interface Actor {
  id: string;
  name: string;
  role: Role;
}

export const tenantInfo = z.object({ id: z.string(), name: z.string() });
export type TenantInfo = z.infer<typeof tenantInfo>;

/** A bot's handoff settings as the object needs them to time and word its messages. */
export const botSettings = z.object({
  id: z.string(),
  name: z.string(),
  webhook_url: z.string().nullable(),
  webhook_secret: z.string(),
  handoff_message: z.string(),
  accept_message: z.string(),
  resolve_message: z.string(),
  expiry_message: z.string(),
  max_wait_minutes: z.number(),
  reminder_delay_seconds: z.number(),
  /** Increases with every change in D1; the object keeps the newest copy it has seen. */
  version: z.number().default(0),
});
export type BotSettings = z.infer<typeof botSettings>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: ApiErrorBody): Result<T> => ({ ok: false, error });
