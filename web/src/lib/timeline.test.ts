import { describe, expect, it } from "vitest";
import type { HandoffEvent } from "#schema/shapes";
import { eventText } from "./timeline";

const alice = { id: "u_alice", name: "Alice" };
const ada = { id: "u_ada", name: "Ada Admin" };

function entry(type: HandoffEvent["type"], over: Partial<HandoffEvent> = {}): HandoffEvent {
  return {
    id: "ev_1",
    handoff_id: "ho_1",
    type,
    actor: null,
    data: {},
    at: "2026-11-22T10:00:00.000Z",
    ...over,
  };
}

describe("timeline texts", () => {
  it("names who auto-routing assigned it to", () => {
    expect(eventText(entry("assigned", { data: { agent: alice, auto: true } }))).toBe(
      "Assigned to Alice automatically",
    );
  });

  it("names the admin who assigned it by hand", () => {
    expect(eventText(entry("assigned", { actor: ada, data: { agent: alice } }))).toBe(
      "Assigned to Alice by Ada Admin",
    );
  });

  it.each([
    [600, "10 min"],
    [45, "45 s"],
    [90, "1 min 30 s"],
    [7200, "2 h"],
  ])("says an agent did not answer for %i s as %s", (after, text) => {
    const data = { reason: "no_reply", previous_assignee: alice, after_seconds: after };
    expect(eventText(entry("unassigned", { data }))).toBe(
      `Back to the queue: Alice did not answer for ${text}`,
    );
  });

  it("says an agent went offline", () => {
    const data = { reason: "offline", previous_assignee: alice, after_seconds: 120 };
    expect(eventText(entry("unassigned", { data }))).toBe("Back to the queue: Alice went offline");
  });

  it("still reads when the entry's data is not what it should be", () => {
    expect(eventText(entry("assigned", { data: { agent: "Alice" } }))).toBe(
      "Assigned to an agent automatically",
    );
    expect(eventText(entry("unassigned", { data: { reason: "no_reply" } }))).toBe(
      "Back to the queue: The agent did not answer in time",
    );
    expect(eventText(entry("unassigned", { data: { previous_assignee: alice } }))).toBe(
      "Back to the queue",
    );
  });

  it("keeps the other steps as they were", () => {
    expect(eventText(entry("claimed", { actor: alice }))).toBe("Claimed by Alice");
    expect(eventText(entry("resolved", { actor: alice, data: { outcome: "close" } }))).toBe(
      "Resolved by Alice — closed",
    );
  });
});
