// What a channel provider tells us, in the provider-neutral shape the routing works with. Each
// provider module (telegram.ts, whatsapp.ts) turns one webhook delivery into a list of these and
// never throws: a delivery we cannot read becomes an `ignored` event the caller records.
import { LIMITS } from "../../../schema/limits";

export interface InboundContact {
  /** The provider's id for the person (Telegram user id, WhatsApp wa_id). */
  id: string;
  name: string | null;
  /** E.164 with a leading "+", when the provider tells it. */
  phone: string | null;
}

export type DeliveryState = "sent" | "delivered" | "read" | "failed";

export type InboundEvent =
  | {
      kind: "message";
      /** Unique per channel; the dedupe key for provider redeliveries. */
      providerMessageId: string;
      /** The provider's conversation with this contact (the second half of a conversation id). */
      chatId: string;
      contact: InboundContact;
      /** Plain text; non-text messages arrive as a bracketed placeholder naming the kind. */
      text: string;
      /** Milliseconds since the epoch, as the provider dated it. */
      at: number;
    }
  | {
      kind: "status";
      /** The id the provider gave our outbound message. */
      providerMessageId: string;
      delivery: DeliveryState;
      /** Why a message failed, in words an agent can act on; null unless failed. */
      error: string | null;
      at: number;
    }
  | { kind: "ignored"; reason: string };

export const ignored = (reason: string): InboundEvent => ({ kind: "ignored", reason });

/** "[kind] caption", or "[kind]" alone when there is no caption. */
export function placeholder(kind: string, caption?: string | null): string {
  const words = caption?.trim();
  return words ? `[${kind}] ${words}` : `[${kind}]`;
}

/** Degrees to five decimals (about a metre), without trailing zeros. */
export function coordinates(latitude: number, longitude: number): string {
  const round = (n: number) => String(Number(n.toFixed(5)));
  return `${round(latitude)}, ${round(longitude)}`;
}

/** "[location 41.40363, 2.17436] Sagrada Família, Carrer de Mallorca 401". */
export function locationText(
  latitude: number,
  longitude: number,
  name?: string | null,
  address?: string | null,
): string {
  const place = [name, address].map((part) => part?.trim()).filter(Boolean);
  return placeholder(`location ${coordinates(latitude, longitude)}`, place.join(", "));
}

/** Cut to the longest message text we store, never inside a surrogate pair. */
export function clampText(text: string): string {
  if (text.length <= LIMITS.messageText) return text;
  let kept = "";
  for (const char of text) {
    if (kept.length + char.length > LIMITS.messageText) break;
    kept += char;
  }
  return kept;
}

export const reactionText = (emoji: string): string => `[reacted ${emoji} to a message]`;

export const unsupportedText = (type: string): string => `[unsupported message: ${type}]`;

/** Seconds since the epoch (a number or a string of digits, as providers send it) to ms. */
export function epochSecondsToMs(value: number | string): number | null {
  const seconds =
    typeof value === "number" ? value : /^\d{1,12}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 0) return null;
  const ms = seconds * 1000;
  // Beyond the year 275760 a Date cannot represent it: not a real timestamp.
  return Number.isNaN(new Date(ms).getTime()) ? null : ms;
}

const encoder = new TextEncoder();

/**
 * Whether a secret a provider sent equals ours, in time that does not depend on where they
 * differ (only the length can show). An empty secret never matches.
 */
export function secretsEqual(given: string | null, expected: string): boolean {
  if (given === null || expected === "") return false;
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  if (a.byteLength !== b.byteLength) return false;
  return crypto.subtle.timingSafeEqual(a, b);
}
