// Applies tenant events exactly once and in seq order. After a reconnect, live events can arrive
// before the replayed ones that precede them; those wait here until the gap is filled.
import type { EventFrame } from "#schema/realtime";

export type PushResult = "applied" | "duplicate" | "buffered";

export class EventSequence {
  last = 0;
  private buffer = new Map<number, EventFrame>();

  constructor(private readonly apply: (frame: EventFrame) => void) {}

  /** Starts counting from a known state (a fresh snapshot at `seq`). */
  reset(seq: number): void {
    this.last = seq;
    this.buffer.clear();
  }

  get waiting(): number {
    return this.buffer.size;
  }

  push(frame: EventFrame): PushResult {
    if (frame.seq <= this.last) return "duplicate";
    if (frame.seq > this.last + 1) {
      this.buffer.set(frame.seq, frame);
      return "buffered";
    }
    this.apply(frame);
    this.last = frame.seq;
    for (let next = this.buffer.get(this.last + 1); next; next = this.buffer.get(this.last + 1)) {
      this.buffer.delete(next.seq);
      this.apply(next);
      this.last = next.seq;
    }
    return "applied";
  }
}
