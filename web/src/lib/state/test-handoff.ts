// A complete Handoff for tests, with only what a test cares about overridden.
import type { Handoff } from "#schema/shapes";

export function testHandoff(id: string, over: Partial<Handoff> = {}): Handoff {
  return {
    id,
    status: "queued",
    conversation_id: `c-${id}`,
    bot_id: "bot_demo",
    channel: "web",
    contact: { id: `x-${id}`, name: `Contact ${id}`, phone: null, email: null },
    reason: "wants a person",
    summary: null,
    tags: [],
    priority: "normal",
    assignee: null,
    team: null,
    outcome: null,
    rating: null,
    created_at: "2026-11-22T10:00:00.000Z",
    claimed_at: null,
    resolved_at: null,
    expires_at: null,
    message_count: 0,
    last_message: null,
    ...over,
  };
}
