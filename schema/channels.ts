// Channels (api.md "Channels"): what an admin sends to connect one, and what the API shows of it.
// Provider tokens and secrets go in and never come back out.
import { z } from "zod";
import { LIMITS } from "./limits";
import type { ChannelType } from "./vocabulary";

export const DEFAULT_HANDOFF_KEYWORDS = ["human", "agent", "person"];

const name = z.string().trim().min(1).max(LIMITS.nameLength);
const botId = z.string().trim().min(1).max(LIMITS.idLength).nullable();
const keywords = z
  .array(z.string().trim().min(1).max(50))
  .max(20)
  .transform((list) => [...new Set(list.map((k) => k.toLowerCase()))]);
const secret = z.string().trim().min(1).max(1024);
/** A website's origin: scheme, host and port only (the browser's Origin header). */
const origin = z
  .url({ protocol: /^https?$/ })
  .max(300)
  .refine((value) => URL.parse(value)?.origin === value.replace(/\/$/, ""), "must be an origin")
  .transform((value) => value.replace(/\/$/, ""));

/** The widget's look: a "#RRGGBB" accent colour and a short greeting (web channels only). */
const accentColor = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, "must be a #RRGGBB colour")
  .nullable();
const greeting = z.string().trim().max(300).nullable();

const common = { name, bot_id: botId.optional(), handoff_keywords: keywords.optional() };

export const createChannelInput = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("telegram"), ...common, bot_token: secret }),
  z.strictObject({
    type: z.literal("whatsapp"),
    ...common,
    phone_number_id: z
      .string()
      .trim()
      .regex(/^\d{1,32}$/, "digits only"),
    access_token: secret,
    app_secret: secret,
    verify_token: z.string().trim().min(8).max(200),
  }),
  z.strictObject({
    type: z.literal("web"),
    ...common,
    allowed_origins: z.array(origin).min(1).max(20),
    accent_color: accentColor.optional(),
    greeting: greeting.optional(),
  }),
]);
export type CreateChannelInput = z.infer<typeof createChannelInput>;

/** Any subset; provider credentials may be replaced (rotated), never read. */
export const updateChannelInput = z
  .strictObject({
    name: name.optional(),
    bot_id: botId.optional(),
    handoff_keywords: keywords.optional(),
    bot_token: secret.optional(),
    access_token: secret.optional(),
    app_secret: secret.optional(),
    verify_token: z.string().trim().min(8).max(200).optional(),
    allowed_origins: z.array(origin).min(1).max(20).optional(),
    accent_color: accentColor.optional(),
    greeting: greeting.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "nothing to change");
export type UpdateChannelInput = z.infer<typeof updateChannelInput>;

/** What may be shown of a channel's set-up (never a token or a secret). */
export interface ChannelConfig {
  phone_number_id?: string;
  verify_token?: string;
  allowed_origins?: string[];
  accent_color?: string | null;
  greeting?: string | null;
}

/** Sealed at rest; only the Worker and the tenant object open them. */
export interface ChannelSecrets {
  bot_token?: string;
  secret_token?: string;
  access_token?: string;
  app_secret?: string;
}

export interface Channel extends ChannelConfig {
  id: string;
  type: ChannelType;
  name: string;
  bot_id: string | null;
  handoff_keywords: string[];
  /** Where the provider must send its webhooks (none for the website widget). */
  webhook_url: string | null;
  created_at: string;
  /** When the provider last delivered something, and the last delivery we could not use. */
  last_inbound_at?: string | null;
  last_error?: string | null;
  last_error_at?: string | null;
}
