// Changes wait MIRROR_DELAY_MS for others to share their D1 batch: the mirror's timer is due that
// long after the first change of a moment, a later change does not push it back, and a backlog
// bigger than a batch is written at once. (The test Worker runs with no delay, so other tests read
// D1 right after running the alarm; here a mirror with a delay works on a real object's storage.)
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Mirror, mirrorDelayFrom } from "../../worker/src/tenant/mirror";
import type { Sql } from "../../worker/src/tenant/sql";
import type { Timers } from "../../worker/src/tenant/timers";
import { escalate, hub } from "./client";
import { makeTenant } from "./fixtures";

interface CoreParts {
  core: { sql: Sql; timers: Timers };
}

const mirrorDue = (sql: Sql) =>
  sql.first<{ due_at: number }>(`SELECT due_at FROM timers WHERE kind = 'mirror'`)?.due_at ?? null;

describe("the D1 mirror's batching delay", () => {
  it("is read from MIRROR_DELAY_MS, a second when unset or not a whole number of ms up to a minute", () => {
    expect(mirrorDelayFrom("0")).toBe(0);
    expect(mirrorDelayFrom("250")).toBe(250);
    expect(mirrorDelayFrom(undefined)).toBe(1000);
    expect(mirrorDelayFrom("")).toBe(1000);
    expect(mirrorDelayFrom("-5")).toBe(1000);
    expect(mirrorDelayFrom("1.5")).toBe(1000);
    expect(mirrorDelayFrom("61000")).toBe(1000);
    expect(mirrorDelayFrom("soon")).toBe(1000);
  });

  it("makes the first change of a moment wait the delay, and later ones join it", async () => {
    const t = await makeTenant();
    await escalate(t); // the object exists, with its tables
    await runInDurableObject(hub(t), async (instance) => {
      const { sql, timers } = (instance as unknown as CoreParts).core;
      sql.run(`DELETE FROM mirror`);
      sql.run(`DELETE FROM timers WHERE kind = 'mirror'`);
      const mirror = new Mirror(sql, timers, 1000);
      const now = Date.now();
      mirror.mark("message", "m-1", now);
      expect(mirrorDue(sql)).toBe(now + 1000);
      mirror.mark("message", "m-2", now + 400);
      expect(mirrorDue(sql)).toBe(now + 1000);
      // After a flush wrote the batch (no marks left), the next change starts a new wait.
      sql.run(`DELETE FROM mirror`);
      sql.run(`DELETE FROM timers WHERE kind = 'mirror'`);
      mirror.mark("handoff", "h-1", now + 2000);
      expect(mirrorDue(sql)).toBe(now + 3000);
    });
  });

  it("writes what is due and comes straight back for a backlog bigger than one batch", async () => {
    const t = await makeTenant();
    for (let i = 0; i < 3; i++) await escalate(t);
    await runInDurableObject(hub(t), async (instance) => {
      const { sql, timers } = (instance as unknown as CoreParts).core;
      const mirror = new Mirror(sql, timers, 1000);
      const pending = sql.first<{ n: number }>(`SELECT COUNT(*) AS n FROM mirror`)!.n;
      expect(pending).toBeGreaterThan(0);
      const before = Date.now();
      await mirror.flush(env.DB, t.id);
      expect(sql.first<{ n: number }>(`SELECT COUNT(*) AS n FROM mirror`)!.n).toBe(0);
      expect(mirrorDue(sql)).toBeNull();
      // A backlog: more marks than one batch takes; the flush leaves the rest due at once.
      for (let i = 0; i < 120; i++) mirror.mark("audit", `missing-${i}`, before);
      await mirror.flush(env.DB, t.id);
      const left = sql.first<{ n: number }>(`SELECT COUNT(*) AS n FROM mirror`)!.n;
      expect(left).toBeGreaterThan(0);
      expect(mirrorDue(sql)).toBeLessThanOrEqual(Date.now());
    });
  });
});
