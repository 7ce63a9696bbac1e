// What the agent is told when routing moves a handoff to them or away from them.
import type { HandoffChange } from "#schema/realtime";
import type { Handoff, Person } from "#schema/shapes";
import { contactLabel } from "../format";

export interface Notice {
  title: string;
  body: string;
  href: string;
  /** Needs attention (desktop notification and chime), not only a toast. */
  alert: boolean;
}

/**
 * Auto-routing gave it to me (assigned by no one): an alert. Routing took it back from me (no
 * reply, gone offline): a toast. `before` is the row as the inbox held it until this change.
 */
export function routingNotice(
  update: { handoff: Handoff; change: HandoffChange; actor: Person | null },
  myId: string,
  before: Handoff | undefined,
): Notice | null {
  const { handoff, change, actor } = update;
  if (actor !== null) return null;
  const href = `/handoffs/${handoff.id}`;
  const body = contactLabel(handoff.contact);
  if (change === "assigned" && handoff.assignee?.id === myId)
    return { title: "Assigned to you", body, href, alert: true };
  if (change === "unassigned" && before?.assignee?.id === myId)
    return { title: "Back to the queue", body, href, alert: false };
  return null;
}
