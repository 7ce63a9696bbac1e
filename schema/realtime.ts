// The WebSocket protocol: one union sent by the tenant object, one validated for commands.
import { z } from "zod";
import { clientId, messageText } from "./api";
import { OUTCOMES } from "./vocabulary";
import { LIMITS } from "./limits";
import type { ApiErrorBody } from "./errors";
import type { AgentPresence, Handoff, LiveStats, Message, Person, User } from "./shapes";

/** `assigned` with a null actor is auto-routing; `unassigned` is a timer giving it back (no reply, offline). */
export type HandoffChange =
  "claimed" | "released" | "assigned" | "unassigned" | "resolved" | "expired" | "rated";

/** Tenant events: each one carries the next `seq` and is kept for `resume`. */
export type TenantEvent =
  | { type: "handoff.created"; data: { handoff: Handoff } }
  | {
      type: "handoff.updated";
      data: { handoff: Handoff; change: HandoffChange; actor: Person | null };
    }
  | { type: "handoff.reminder"; data: { handoff: Handoff; waiting_seconds: number } }
  | { type: "message.created"; data: { message: Message; handoff: Handoff } }
  | { type: "message.updated"; data: { message: Message } }
  | { type: "presence"; data: { agents_online: number; agents: AgentPresence[] } };

/** What a successful command answers with (HTTP body and socket ack alike). */
export type CommandData = { handoff: Handoff } | { message: Message };

export type EventFrame = TenantEvent & { seq: number };

export type ServerFrame =
  | EventFrame
  | {
      type: "hello";
      seq: number;
      data: { user: User; agents_online: number; agents: AgentPresence[]; stats: LiveStats };
    }
  // Not numbered: the current numbers, sent after each change that moved one (never replayed).
  | { type: "stats"; data: LiveStats }
  | { type: "resync"; seq: number }
  // Not numbered, never replayed: a website visitor is typing in this handoff's conversation.
  | { type: "typing"; data: { handoff_id: string; from: "contact" } }
  | { type: "ack"; ref: string; ok: true; data: CommandData }
  | { type: "ack"; ref: string; ok: false; error: ApiErrorBody };

const ref = z.string().min(1).max(100);
const handoffId = z.string().min(1).max(LIMITS.idLength);

export const clientFrame = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("resume"), since: z.int().min(0) }),
  // The agent is typing a reply: a website visitor sees an indicator (no ack).
  z.strictObject({ type: z.literal("typing"), handoff_id: handoffId }),
  z.strictObject({ type: z.literal("claim"), ref, handoff_id: handoffId }),
  z.strictObject({ type: z.literal("release"), ref, handoff_id: handoffId }),
  z.strictObject({
    type: z.literal("reply"),
    ref,
    handoff_id: handoffId,
    text: messageText,
    client_id: clientId.optional(),
  }),
  z.strictObject({
    type: z.literal("resolve"),
    ref,
    handoff_id: handoffId,
    outcome: z.enum(OUTCOMES),
    note: z.string().max(LIMITS.noteLength).optional(),
  }),
]);
export type ClientFrame = z.infer<typeof clientFrame>;
export type AgentCommand = Exclude<ClientFrame, { type: "resume" } | { type: "typing" }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A command as the tenant object runs it, whichever way it arrived. */
export type AgentAction = DistributiveOmit<AgentCommand, "ref">;
