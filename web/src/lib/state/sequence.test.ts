import { describe, expect, it } from "vitest";
import type { EventFrame } from "#schema/realtime";
import { EventSequence } from "./sequence";

const frame = (seq: number): EventFrame => ({
  type: "presence",
  seq,
  data: { agents_online: seq, agents: [] },
});

describe("EventSequence", () => {
  it("applies each event once, in order", () => {
    const applied: number[] = [];
    const s = new EventSequence((f) => applied.push(f.seq));
    s.reset(10);
    expect(s.push(frame(11))).toBe("applied");
    expect(s.push(frame(11))).toBe("duplicate");
    expect(s.push(frame(9))).toBe("duplicate");
    expect(applied).toEqual([11]);
  });

  it("holds events after a gap until the gap is filled (a live event overtaking a resume)", () => {
    const applied: number[] = [];
    const s = new EventSequence((f) => applied.push(f.seq));
    s.reset(5);
    expect(s.push(frame(9))).toBe("buffered");
    expect(s.waiting).toBe(1);
    for (const seq of [6, 7, 8, 9]) s.push(frame(seq));
    expect(applied).toEqual([6, 7, 8, 9]);
    expect(s.waiting).toBe(0);
    expect(s.last).toBe(9);
  });
});
