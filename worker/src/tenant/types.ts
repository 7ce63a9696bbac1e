// What the Worker hands the tenant object: already authenticated, already validated.
import type { ApiErrorBody } from "../../../schema/errors";
import type { Role } from "../../../schema/shapes";

export interface Actor {
  id: string;
  name: string;
  role: Role;
}

export interface TenantInfo {
  id: string;
  name: string;
}

/** A bot's handoff settings as the object needs them to time and word its messages. */
export interface BotSettings {
  id: string;
  name: string;
  webhook_url: string | null;
  webhook_secret: string;
  handoff_message: string;
  accept_message: string;
  resolve_message: string;
  expiry_message: string;
  max_wait_minutes: number;
  reminder_delay_seconds: number;
  /** Increases with every change in D1; the object keeps the newest copy it has seen. */
  version: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: ApiErrorBody): Result<T> => ({ ok: false, error });
