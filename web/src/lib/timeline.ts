// How each step of a handoff's audit trail reads in the conversation's timeline.
import type { HandoffEvent, JsonObject, Person } from "#schema/shapes";
import { formatDuration } from "./format";

/** A person named in an entry's data ({id, name}), if it is one. */
function personIn(data: JsonObject, key: string): Person | null {
  const value = data[key];
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  if (!("id" in value) || !("name" in value)) return null;
  const { id, name } = value;
  return typeof id === "string" && typeof name === "string" ? { id, name } : null;
}

function numberIn(data: JsonObject, key: string): number | null {
  const value = data[key];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function backToQueue(e: HandoffEvent): string {
  const who = personIn(e.data, "previous_assignee")?.name ?? "The agent";
  switch (e.data.reason) {
    case "no_reply": {
      const after = numberIn(e.data, "after_seconds");
      return `Back to the queue: ${who} did not answer ${after === null ? "in time" : `for ${formatDuration(after)}`}`;
    }
    case "offline":
      return `Back to the queue: ${who} went offline`;
    default:
      return "Back to the queue";
  }
}

const TEXTS: Record<HandoffEvent["type"], (e: HandoffEvent) => string> = {
  escalated: () => "Escalated by the bot",
  claimed: (e) => `Claimed by ${e.actor?.name ?? "an agent"}`,
  released: (e) => `Released to the queue by ${e.actor?.name ?? "an agent"}`,
  assigned: (e) => {
    const agent = personIn(e.data, "agent")?.name ?? "an agent";
    // No actor: the tenant's auto-routing gave it out.
    return e.data.auto === true || e.actor === null
      ? `Assigned to ${agent} automatically`
      : `Assigned to ${agent} by ${e.actor.name}`;
  },
  resolved: (e) =>
    `Resolved by ${e.actor?.name ?? "an agent"} — ${e.data.outcome === "close" ? "closed" : "returned to the bot"}`,
  expired: () => "Expired: nobody claimed in time",
  reminded: () => "Reminder sent to the team",
  unassigned: backToQueue,
  rated: (e) => `Rated by the visitor: ${e.data.rating === "up" ? "thumbs up" : "thumbs down"}`,
};

export function eventText(e: HandoffEvent): string {
  return TEXTS[e.type](e);
}
