// The website widget's API (api.md "Website widget"): what a visitor's browser sends to
// /api/widget/… and the shapes it gets back. Nothing of the agents' side is in these shapes: no
// user ids, emails, notes or metadata, and nothing of another conversation.
import { z } from "zod";
import { LIMITS } from "./limits";

export const RATINGS = ["up", "down"] as const;
export type Rating = (typeof RATINGS)[number];

const id = z.string().trim().min(1).max(LIMITS.idLength);

export const widgetSessionInput = z.strictObject({ channel_id: id });
export const widgetMessageInput = z.strictObject({
  text: z.string().trim().min(1).max(LIMITS.messageText),
});
export const widgetRatingInput = z.strictObject({ handoff_id: id, rating: z.enum(RATINGS) });

export interface WidgetMessage {
  id: string;
  from: "contact" | "bot" | "agent" | "system";
  text: string;
  at: string;
  agent: { name: string } | null;
}

export interface WidgetHandoff {
  id: string;
  status: "queued" | "active" | "resolved" | "expired";
  queue: { position: number; estimated_wait_seconds: number | null } | null;
  agent: { name: string } | null;
  rating: Rating | null;
}

export interface WidgetConfig {
  channel: { id: string; name: string; accent_color: string | null; greeting: string | null };
}

export interface WidgetConversation {
  conversation_id: string;
  messages: WidgetMessage[];
  handoff: WidgetHandoff | null;
  seq: number;
}

/** Numbered per conversation and kept for `resume`. */
export type VisitorEvent =
  | { type: "message.created"; data: { message: WidgetMessage } }
  | { type: "handoff.updated"; data: { handoff: WidgetHandoff } };

export type VisitorFrame =
  | (VisitorEvent & { seq: number })
  | { type: "hello"; seq: number; data: { conversation_id: string } }
  | { type: "resync"; seq: number }
  // Not numbered, never replayed: an agent is typing in this conversation's handoff.
  | { type: "typing"; data: { handoff_id: string; from: "agent"; name: string } };

/** What a visitor's socket may send. */
export const visitorClientFrame = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("resume"), since: z.int().min(0) }),
  z.strictObject({ type: z.literal("typing") }),
]);
