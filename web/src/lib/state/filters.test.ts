import { describe, expect, it } from "vitest";
import type { Handoff } from "#schema/shapes";
import { testHandoff } from "./test-handoff";
import { apiQuery, byAge, DEFAULT_FILTERS, filtersQuery, matches, readFilters } from "./filters";

const handoff = (over: Partial<Handoff> = {}): Handoff =>
  testHandoff("ho_1", {
    contact: { id: "x", name: "Maria", phone: null, email: null },
    reason: "Refund please",
    message_count: 1,
    last_message: { text: "where is my parcel", from: "contact", at: "2026-11-22T10:00:00.000Z" },
    ...over,
  });

describe("filters in the URL", () => {
  it("reads defaults from an empty URL and ignores junk", () => {
    expect(readFilters(new URLSearchParams(""))).toEqual(DEFAULT_FILTERS);
    expect(readFilters(new URLSearchParams("assignee=everyone&status=nope"))).toEqual(
      DEFAULT_FILTERS,
    );
  });

  it("round-trips through the query string, writing only what differs", () => {
    const filters = { assignee: "mine", status: "resolved", q: "refund" } as const;
    expect(filtersQuery(filters)).toBe("?assignee=mine&status=resolved&q=refund");
    expect(readFilters(new URLSearchParams(filtersQuery(filters)))).toEqual(filters);
    expect(filtersQuery(DEFAULT_FILTERS)).toBe("");
  });

  it("maps to the list endpoint's parameters", () => {
    expect(apiQuery(DEFAULT_FILTERS)).toBe("status=queued%2Cactive&assignee=any");
    expect(apiQuery({ assignee: "unassigned", status: "expired", q: " x " })).toBe(
      "status=expired&assignee=unassigned&q=x",
    );
  });
});

describe("matches", () => {
  const me = "u_alice";
  it("applies status, assignee and search like the server", () => {
    const mine = handoff({ status: "active", assignee: { id: me, name: "Alice" } });
    expect(matches(handoff(), DEFAULT_FILTERS, me)).toBe(true);
    expect(matches(handoff({ status: "resolved" }), DEFAULT_FILTERS, me)).toBe(false);
    expect(
      matches(handoff({ status: "resolved" }), { ...DEFAULT_FILTERS, status: "all" }, me),
    ).toBe(true);
    expect(matches(mine, { ...DEFAULT_FILTERS, assignee: "mine" }, me)).toBe(true);
    expect(matches(handoff(), { ...DEFAULT_FILTERS, assignee: "mine" }, me)).toBe(false);
    expect(matches(mine, { ...DEFAULT_FILTERS, assignee: "unassigned" }, me)).toBe(false);
    expect(matches(handoff(), { ...DEFAULT_FILTERS, q: "REFUND" }, me)).toBe(true);
    expect(matches(handoff(), { ...DEFAULT_FILTERS, q: "parcel" }, me)).toBe(true);
    expect(matches(handoff(), { ...DEFAULT_FILTERS, q: "invoice" }, me)).toBe(false);
  });

  it("sorts oldest first", () => {
    const a = handoff({ id: "a", created_at: "2026-11-22T09:00:00.000Z" });
    const b = handoff({ id: "b", created_at: "2026-11-22T10:00:00.000Z" });
    expect([b, a].sort(byAge).map((h) => h.id)).toEqual(["a", "b"]);
  });
});
