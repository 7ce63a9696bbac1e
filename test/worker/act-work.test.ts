// What one act costs the tenant object in SQL and frames, counted, for the bench's "floor doing
// the app's work" (bench/floor/app-work.json): a contact message on a queued handoff with agents
// online, and a claim on the socket by an online agent. When a change makes an act do more or
// less, this fails until the bench's copy of the figures is brought up to date with it.
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import appWork from "../../bench/floor/app-work.json";
import type { SqlWork } from "../../worker/src/tenant/sql";
import { AgentSocket, contactSays, escalate, hub, login, type ReceivedFrame } from "./client";
import { makeTenant, type TestTenant } from "./fixtures";

afterEach(() => AgentSocket.closeAll());

const sqlWork = (t: TestTenant) =>
  runInDurableObject(hub(t), (instance) => ({
    ...(instance as unknown as { core: { sql: { work: SqlWork } } }).core.sql.work,
  }));

/** The SQL an act ran (reads are the statements that changed nothing) and the frames it sent. */
async function measure(t: TestTenant, watcher: AgentSocket, act: () => Promise<unknown>) {
  const before = await sqlWork(t);
  const seen = watcher.frames.length;
  await act();
  const after = await sqlWork(t);
  await watcher.sync();
  const frames = watcher.frames
    .slice(seen)
    .filter((f): f is Extract<ReceivedFrame, { seq: number }> => "seq" in f);
  return {
    work: {
      reads: after.statements - after.writes - (before.statements - before.writes),
      writes: after.writes - before.writes,
      rows_written: after.rowsWritten - before.rowsWritten,
    },
    frames: frames.map((f) => JSON.stringify(f).length),
  };
}

/** Within a quarter of the recorded sizes: names and ids differ in length between runs. */
function closeTo(actual: number[], recorded: number[]) {
  expect(actual.length).toBe(recorded.length);
  actual.forEach((bytes, i) =>
    expect(Math.abs(bytes - recorded[i]!)).toBeLessThan(recorded[i]! / 4),
  );
}

describe("work per act, as the bench's floor repeats it", () => {
  it("a contact message on a queued handoff", async () => {
    const t = await makeTenant();
    const watcher = await AgentSocket.open(await login(t.bob));
    const { handoff } = await escalate(t);
    await contactSays(t, handoff.conversation_id, "warm up");
    const { work, frames } = await measure(t, watcher, () =>
      contactSays(t, handoff.conversation_id, "Is anyone there?"),
    );
    expect(work).toEqual(appWork.message.work);
    closeTo(frames, appWork.message.frame_bytes);
  });

  it("a claim on the socket by an online agent", async () => {
    const t = await makeTenant();
    const alice = await AgentSocket.open(await login(t.alice));
    const watcher = await AgentSocket.open(await login(t.bob));
    await escalate(t);
    const { handoff } = await escalate(t);
    const { work, frames } = await measure(t, watcher, async () => {
      const ack = await alice.command({ type: "claim", ref: "c1", handoff_id: handoff.id });
      expect(ack.ok).toBe(true);
    });
    expect(work).toEqual(appWork.claim.work);
    closeTo(frames, appWork.claim.frame_bytes);
  });
});
