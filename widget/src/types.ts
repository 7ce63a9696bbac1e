// What the widget reads from /api/widget/* and its socket (api.md "Website widget"; the shapes
// are the contract's, schema/widget.ts). The widget ships alone on other people's pages, so it
// checks them lightly at the edge instead of bundling a validation library.

import type {
  Rating,
  WidgetConfig as ConfigAnswer,
  WidgetConversation,
  WidgetHandoff,
  WidgetMessage,
} from "../../schema/widget";

export type { Rating, WidgetConversation, WidgetHandoff, WidgetMessage };
export type Sender = WidgetMessage["from"];
export type WidgetConfig = ConfigAnswer["channel"];

/** What the widget acts on of the socket's frames (schema/widget.ts VisitorFrame), as parsed. */
export type ServerFrame =
  | { type: "hello"; seq: number }
  | { type: "message.created"; seq: number; data: { message: WidgetMessage } }
  | { type: "handoff.updated"; seq: number; data: { handoff: WidgetHandoff } }
  | { type: "typing"; data: { from: string; name?: string } }
  | { type: "resync" };

type Loose = Record<string, unknown>;
const isObject = (v: unknown): v is Loose => typeof v === "object" && v !== null;
const isString = (v: unknown): v is string => typeof v === "string";
const SENDERS: readonly string[] = ["contact", "bot", "agent", "system"];
const STATUSES: readonly string[] = ["queued", "active", "resolved", "expired"];

function named(v: unknown): { name: string } | null {
  return isObject(v) && isString(v.name) ? { name: v.name } : null;
}

export function toMessage(v: unknown): WidgetMessage | null {
  if (!isObject(v) || !isString(v.id) || !isString(v.text) || !isString(v.from)) return null;
  if (!SENDERS.includes(v.from)) return null;
  return {
    id: v.id,
    from: v.from as Sender,
    text: v.text,
    at: isString(v.at) ? v.at : "",
    agent: named(v.agent),
  };
}

export function toHandoff(v: unknown): WidgetHandoff | null {
  if (!isObject(v) || !isString(v.id) || !isString(v.status) || !STATUSES.includes(v.status))
    return null;
  const q = v.queue;
  const queue =
    isObject(q) && typeof q.position === "number"
      ? {
          position: q.position,
          estimated_wait_seconds:
            typeof q.estimated_wait_seconds === "number" ? q.estimated_wait_seconds : null,
        }
      : null;
  const rating = v.rating === "up" || v.rating === "down" ? v.rating : null;
  return {
    id: v.id,
    status: v.status as WidgetHandoff["status"],
    queue,
    agent: named(v.agent),
    rating,
  };
}

export function toConfig(v: unknown): WidgetConfig | null {
  const c = isObject(v) ? v.channel : null;
  if (!isObject(c) || !isString(c.id) || !isString(c.name)) return null;
  const accent = isString(c.accent_color) && /^#[0-9a-f]{6}$/i.test(c.accent_color);
  return {
    id: c.id,
    name: c.name,
    accent_color: accent ? (c.accent_color as string) : null,
    greeting: isString(c.greeting) && c.greeting.trim() ? c.greeting : null,
  };
}

export function toConversation(v: unknown): WidgetConversation | null {
  if (!isObject(v) || !Array.isArray(v.messages)) return null;
  return {
    conversation_id: isString(v.conversation_id) ? v.conversation_id : "",
    messages: v.messages.map(toMessage).filter((m): m is WidgetMessage => m !== null),
    handoff: toHandoff(v.handoff),
    seq: typeof v.seq === "number" ? v.seq : 0,
  };
}

/** A frame from the socket, or null for anything the widget does not know. */
export function toFrame(raw: string): ServerFrame | null {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObject(v) || !isString(v.type)) return null;
  const seq = typeof v.seq === "number" ? v.seq : 0;
  const data = isObject(v.data) ? v.data : {};
  switch (v.type) {
    case "hello":
    case "resync":
      return v.type === "hello" ? { type: "hello", seq } : { type: "resync" };
    case "message.created": {
      const message = toMessage(data.message);
      return message ? { type: v.type, seq, data: { message } } : null;
    }
    case "handoff.updated": {
      const handoff = toHandoff(data.handoff);
      return handoff ? { type: v.type, seq, data: { handoff } } : null;
    }
    case "typing":
      return isString(data.from)
        ? { type: "typing", data: { from: data.from, name: isString(data.name) ? data.name : "" } }
        : null;
    default:
      return null;
  }
}
