import { describe, expect, it } from "vitest";
import { contactLabel, formatDuration, formatWaiting, queueLabel, secondsSince } from "./format";

describe("formatWaiting", () => {
  it.each([
    [0, "just now"],
    [59, "just now"],
    [60, "1m"],
    [15 * 60 + 59, "15m"],
    [59 * 60, "59m"],
    [3600, "1h"],
    [2 * 3600 + 10 * 60, "2h 10m"],
    [23 * 3600 + 59 * 60, "23h 59m"],
    [86_400, "1d"],
    [86_400 + 4 * 3600 + 30 * 60, "1d 4h"],
    [9 * 86_400 + 3600, "9d 1h"],
  ])("%i s reads %s", (seconds, text) => {
    expect(formatWaiting(seconds)).toBe(text);
  });

  it("counts from an ISO time and never goes negative", () => {
    const now = Date.parse("2026-11-22T10:00:00Z");
    expect(secondsSince("2026-11-22T09:45:00Z", now)).toBe(900);
    expect(secondsSince("2026-11-22T10:00:05Z", now)).toBe(0);
  });
});

describe("contactLabel", () => {
  it("prefers the name, then the phone, then a short id", () => {
    expect(contactLabel({ id: "1", name: " Maria ", phone: "+34 600", email: null })).toBe("Maria");
    expect(contactLabel({ id: "1", name: "", phone: "+34 600", email: null })).toBe("+34 600");
    expect(
      contactLabel({ id: "wa-1234567890123", name: null, phone: null, email: "m@x.test" }),
    ).toBe("#67890123");
    expect(contactLabel({ id: "u7", name: null, phone: null, email: null })).toBe("#u7");
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0 s"],
    [45, "45 s"],
    [60, "1 min"],
    [90, "1 min 30 s"],
    [600, "10 min"],
    [3600, "1 h"],
    [3900, "1 h 5 min"],
    [86_400, "24 h"],
  ])("%i s reads %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe("queueLabel", () => {
  it("says the place and a rough wait in whole minutes", () => {
    expect(queueLabel({ position: 2, estimated_wait_seconds: 240 })).toBe("#2 in queue · ~4 min");
    expect(queueLabel({ position: 1, estimated_wait_seconds: 20 })).toBe("#1 in queue · ~1 min");
    expect(queueLabel({ position: 3, estimated_wait_seconds: 150 })).toBe("#3 in queue · ~3 min");
    expect(queueLabel({ position: 9, estimated_wait_seconds: 4000 })).toBe(
      "#9 in queue · ~1 h 7 min",
    );
  });

  it("says only the place when there is no estimate", () => {
    expect(queueLabel({ position: 2, estimated_wait_seconds: null })).toBe("#2 in queue");
  });
});
