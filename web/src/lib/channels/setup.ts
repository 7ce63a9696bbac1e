// What the channels page tells an admin about each channel: its type in words, how it is doing
// (from the last delivery and the last problem the server recorded), and what to paste where.
import type { Channel } from "#schema/channels";
import type { ChannelType } from "#schema/vocabulary";

export const CHANNEL_LABELS: Record<ChannelType, string> = {
  telegram: "Telegram",
  whatsapp: "WhatsApp",
  web: "Website widget",
};

/** The one script tag a site adds to show the widget (README "The website widget"). */
export function embedSnippet(appOrigin: string, channelId: string): string {
  return `<script src="${appOrigin}/widget.js" data-channel="${channelId}" async></script>`;
}

/** A verify token for WhatsApp's handshake: 32 random hex digits, prefixed so it reads as ours. */
export function newVerifyToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `verify-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export type HealthTone = "ok" | "waiting" | "error";

export interface ChannelHealth {
  tone: HealthTone;
  /** A few words: "Receiving messages", "Needs attention", "Waiting for the first message". */
  summary: string;
  /** When the summary's event happened (absent while waiting). */
  at: string | null;
  /** The last problem in the server's words, while it is newer than the last good delivery. */
  problem: string | null;
  /** While waiting: what is left to do. */
  hint: string | null;
}

const WAITING: Record<ChannelType, { summary: string; hint: string }> = {
  telegram: {
    summary: "Waiting for the first message",
    hint: "Register the webhook, then write to the bot.",
  },
  whatsapp: {
    summary: "Waiting for the first message",
    hint: "Paste the callback URL and verify token into Meta's app dashboard.",
  },
  web: { summary: "Waiting for the first visitor", hint: "Add the snippet to your site." },
};

/** A problem counts until a later delivery worked; with no deliveries yet, the channel waits. */
export function channelHealth(channel: Channel): ChannelHealth {
  const inbound = channel.last_inbound_at ?? null;
  const error = channel.last_error ?? null;
  const errorAt = channel.last_error_at ?? null;
  if (error && (!inbound || !errorAt || Date.parse(errorAt) >= Date.parse(inbound)))
    return { tone: "error", summary: "Needs attention", at: errorAt, problem: error, hint: null };
  if (inbound)
    return { tone: "ok", summary: "Receiving messages", at: inbound, problem: null, hint: null };
  return { tone: "waiting", at: null, problem: null, ...WAITING[channel.type] };
}

/** Origins typed one per line (commas and spaces also separate them). */
export function parseList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item !== "");
}
