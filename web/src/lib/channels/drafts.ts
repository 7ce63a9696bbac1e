// The channel forms' drafts (plain strings, so the settings form can tell what changed) and the
// API bodies made from them. Secret fields start empty and are sent only when something is typed:
// the API never gives a secret back, and an empty field means "keep the one you have".
import type { Channel, CreateChannelInput, UpdateChannelInput } from "#schema/channels";
import type { ChannelType } from "#schema/vocabulary";
import { parseList } from "./setup";

export interface ChannelDraft {
  name: string;
  /** "" for no bot: every conversation of the channel waits for a person. */
  bot_id: string;
  /** Comma-separated. */
  handoff_keywords: string;
  /** One per line. */
  allowed_origins: string;
  accent_color: string;
  greeting: string;
  phone_number_id: string;
  verify_token: string;
  bot_token: string;
  access_token: string;
  app_secret: string;
}

export const SECRET_FIELDS = ["bot_token", "access_token", "app_secret"] as const;

/** The fields an admin may change afterwards, by channel type (besides the common ones). */
const EDITABLE: Record<ChannelType, (keyof ChannelDraft)[]> = {
  telegram: ["bot_token"],
  whatsapp: ["access_token", "app_secret", "verify_token"],
  web: ["allowed_origins", "accent_color", "greeting"],
};
const COMMON: (keyof ChannelDraft)[] = ["name", "bot_id", "handoff_keywords"];

export function emptyDraft(): ChannelDraft {
  return {
    name: "",
    bot_id: "",
    handoff_keywords: "",
    allowed_origins: "",
    accent_color: "",
    greeting: "",
    phone_number_id: "",
    verify_token: "",
    bot_token: "",
    access_token: "",
    app_secret: "",
  };
}

/** A channel as its edit form starts: what the API shows, secrets empty. */
export function draftOf(channel: Channel): ChannelDraft {
  return {
    ...emptyDraft(),
    name: channel.name,
    bot_id: channel.bot_id ?? "",
    handoff_keywords: channel.handoff_keywords.join(", "),
    allowed_origins: (channel.allowed_origins ?? []).join("\n"),
    accent_color: channel.accent_color ?? "",
    greeting: channel.greeting ?? "",
    phone_number_id: channel.phone_number_id ?? "",
    verify_token: channel.verify_token ?? "",
  };
}

/** The PATCH body for the changed fields a channel of this type has. */
export function updateBody(type: ChannelType, changes: Partial<ChannelDraft>): UpdateChannelInput {
  const body: UpdateChannelInput = {};
  const allowed = [...COMMON, ...EDITABLE[type]];
  for (const [key, value] of Object.entries(changes) as [keyof ChannelDraft, string][]) {
    if (!allowed.includes(key)) continue;
    if (key === "bot_id") body.bot_id = value === "" ? null : value;
    else if (key === "handoff_keywords") body.handoff_keywords = parseList(value);
    else if (key === "allowed_origins") body.allowed_origins = parseList(value);
    else if (key === "accent_color" || key === "greeting")
      body[key] = value.trim() === "" ? null : value.trim();
    else if ((SECRET_FIELDS as readonly string[]).includes(key)) {
      if (value.trim() !== "") body[key as (typeof SECRET_FIELDS)[number]] = value;
    } else if (key === "name" || key === "verify_token") body[key] = value;
  }
  return body;
}

/** The POST body that connects a channel of this type from the connect form's draft. */
export function createBody(type: ChannelType, draft: ChannelDraft): CreateChannelInput {
  const common = { name: draft.name, ...(draft.bot_id ? { bot_id: draft.bot_id } : {}) };
  if (type === "telegram") return { type, ...common, bot_token: draft.bot_token };
  if (type === "whatsapp")
    return {
      type,
      ...common,
      phone_number_id: draft.phone_number_id,
      access_token: draft.access_token,
      app_secret: draft.app_secret,
      verify_token: draft.verify_token,
    };
  return { type, ...common, allowed_origins: parseList(draft.allowed_origins) };
}
