import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Typing, TYPING_EVERY_MS, TYPING_SHOWN_MS } from "./typing.svelte";

describe("typing indicators", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("shows a contact typing and turns itself off without another frame", () => {
    const typing = new Typing(() => true);
    typing.contactTyping("h1");
    expect(typing.contacts.has("h1")).toBe(true);
    vi.advanceTimersByTime(TYPING_SHOWN_MS - 1);
    expect(typing.contacts.has("h1")).toBe(true);
    vi.advanceTimersByTime(1);
    expect(typing.contacts.has("h1")).toBe(false);
  });

  it("keeps the indicator on while frames keep coming, and off when the message arrives", () => {
    const typing = new Typing(() => true);
    typing.contactTyping("h1");
    vi.advanceTimersByTime(TYPING_SHOWN_MS - 500);
    typing.contactTyping("h1");
    vi.advanceTimersByTime(TYPING_SHOWN_MS - 500);
    expect(typing.contacts.has("h1")).toBe(true);
    typing.contactStopped("h1");
    expect(typing.contacts.has("h1")).toBe(false);
  });

  it("sends the agent's typing at most once every two seconds per conversation", () => {
    let now = 10_000;
    const sent: string[] = [];
    const typing = new Typing(
      (id) => (sent.push(id), true),
      () => now,
    );
    typing.agentTyping("h1");
    typing.agentTyping("h1");
    typing.agentTyping("h2");
    now += TYPING_EVERY_MS - 1;
    typing.agentTyping("h1");
    now += 1;
    typing.agentTyping("h1");
    expect(sent).toEqual(["h1", "h2", "h1"]);
  });

  it("says it again at once after the agent's reply went out", () => {
    const sent: string[] = [];
    const typing = new Typing(
      (id) => (sent.push(id), true),
      () => 0,
    );
    typing.agentTyping("h1");
    typing.replied("h1");
    typing.agentTyping("h1");
    expect(sent).toEqual(["h1", "h1"]);
  });

  it("tries again at once when the socket was not up", () => {
    let up = false;
    const sent: string[] = [];
    const typing = new Typing(
      (id) => up && (sent.push(id), true),
      () => 0,
    );
    typing.agentTyping("h1");
    up = true;
    typing.agentTyping("h1");
    expect(sent).toEqual(["h1"]);
  });
});
