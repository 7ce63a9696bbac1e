import { describe, expect, it } from "vitest";
import type { Handoff } from "#schema/shapes";
import { byQueueOrder, queuePlaces } from "./queue";
import { testHandoff } from "./test-handoff";

const at = (minute: number) => `2026-11-22T10:${String(minute).padStart(2, "0")}:00.000Z`;
const sales = { id: "t_sales", name: "Sales" };
const support = { id: "t_support", name: "Support" };

/** A queued handoff as the server sent it, with the place it had then. */
function queued(id: string, minute: number, position: number, over: Partial<Handoff> = {}) {
  return testHandoff(id, {
    created_at: at(minute),
    queue: { position, estimated_wait_seconds: position * 120 },
    ...over,
  });
}

const positions = (places: ReturnType<typeof queuePlaces>) =>
  Object.fromEntries([...places].map(([id, p]) => [id, p.position]));

describe("the queue order", () => {
  it("serves urgent, high, normal, low, then oldest, then by id", () => {
    const list = [
      testHandoff("e", { priority: "low", created_at: at(0) }),
      testHandoff("d", { priority: "normal", created_at: at(5) }),
      testHandoff("c", { priority: "normal", created_at: at(5) }),
      testHandoff("b", { priority: "normal", created_at: at(1) }),
      testHandoff("a", { priority: "high", created_at: at(9) }),
      testHandoff("z", { priority: "urgent", created_at: at(9) }),
    ];
    expect(list.sort(byQueueOrder).map((h) => h.id)).toEqual(["z", "a", "b", "c", "d", "e"]);
  });
});

describe("queue places", () => {
  it("moves everyone behind up when a handoff ahead is claimed, scaling the estimate", () => {
    const a = queued("a", 1, 1);
    const b = queued("b", 2, 2);
    const c = queued("c", 3, 3);
    expect(positions(queuePlaces([a, b, c], true))).toEqual({ a: 1, b: 2, c: 3 });

    const claimed = { ...a, status: "active" as const, queue: undefined };
    const places = queuePlaces([claimed, b, c], true);
    expect(positions(places)).toEqual({ b: 1, c: 2 });
    // 240 s for place 2 is 120 s a place; 360 s for place 3 likewise.
    expect(places.get("b")?.estimated_wait_seconds).toBe(120);
    expect(places.get("c")?.estimated_wait_seconds).toBe(240);
  });

  it("puts a new urgent handoff ahead of older normal ones", () => {
    const places = queuePlaces(
      [queued("a", 1, 1), queued("b", 2, 2), queued("u", 9, 1, { priority: "urgent" })],
      true,
    );
    expect(positions(places)).toEqual({ u: 1, a: 2, b: 3 });
  });

  it("counts a team's handoff among its team only, and one without a team among all queued", () => {
    const places = queuePlaces(
      [
        queued("s1", 1, 1, { team: sales }),
        queued("p1", 2, 1, { team: support }),
        queued("s2", 3, 2, { team: sales }),
        queued("t1", 4, 4),
      ],
      true,
    );
    expect(positions(places)).toEqual({ s1: 1, p1: 1, s2: 2, t1: 4 });
  });

  it("keeps a null estimate null and the server's figure when the place did not change", () => {
    const places = queuePlaces(
      [
        queued("a", 1, 1),
        queued("b", 2, 5, { queue: { position: 5, estimated_wait_seconds: null } }),
      ],
      true,
    );
    expect(places.get("a")).toEqual({ position: 1, estimated_wait_seconds: 120 });
    expect(places.get("b")).toEqual({ position: 2, estimated_wait_seconds: null });
  });

  it("leaves out rows that are not queued or came without a place, but counts them ahead", () => {
    const noPlace = testHandoff("n", { created_at: at(0) });
    const active = testHandoff("x", { status: "active", created_at: at(0) });
    const places = queuePlaces([noPlace, active, queued("a", 1, 2)], true);
    expect(positions(places)).toEqual({ a: 2 });
  });

  it("keeps the server's places when the rows held are not the whole queue", () => {
    const places = queuePlaces([queued("b", 2, 7), queued("c", 3, 9)], false);
    expect(places.get("b")).toEqual({ position: 7, estimated_wait_seconds: 840 });
    expect(positions(places)).toEqual({ b: 7, c: 9 });
  });
});
