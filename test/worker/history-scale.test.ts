// A tenant through thousands of handoffs: escalate → claim → resolve, or escalate → expire, with
// contact messages and webhooks to the bot. Round after round, housekeeping keeps every table of
// the tenant object bounded while D1 holds everything, and paging through history returns each
// handoff exactly once. Each round is driven inside the object (the same domain steps its entry points
// runs) for speed; expiry, webhooks and the D1 mirror run through the alarm.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { escalateInput } from "../../schema/api";
import { runCommand, type Command } from "../../worker/src/tenant/commands";
import { armHousekeeping } from "../../worker/src/tenant/housekeeping";
import { contactMessage, escalate } from "../../worker/src/tenant/lifecycle";
import { escalate as escalateOverHttp, escalation, hub, json, login } from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import { DAY_MS, d1Counts, drain, housekeepAt, objectCounts } from "./history-helpers";
import type { ListPage } from "./answers";

const ROUNDS = 4;
const PER_ROUND = 500;
/** Handoffs left waiting at the end of each round (claimed and resolved in the next one). */
const LEFT_OPEN = 5;

interface RoundResult {
  closed: string[];
  open: string[];
}

/**
 * One round inside the object: the previous round's open handoffs are resolved; of this round's,
 * every fifth expires unclaimed, the rest are claimed and resolved (after a contact message every
 * third), and the last few stay queued.
 */
async function round(t: TestTenant, previouslyOpen: string[], index: number): Promise<RoundResult> {
  const agent = { id: t.alice.id, name: t.alice.name, role: t.alice.role };
  return runInDurableObject(hub(t), async (instance) => {
    const core = instance["core"];
    const bot = core.bot(t.botId)!;
    // The same domain steps the object's entry points run, each as one transaction.
    const ok = (command: Command) => {
      const result = core.atomically(() => runCommand(core, agent, command, Date.now()));
      if (!result.ok)
        throw new Error(`${command.type} ${command.handoff_id}: ${result.error.message}`);
    };
    const closed: string[] = [];
    const open: string[] = [];
    const expiring: string[] = [];
    for (const id of previouslyOpen) {
      ok({ type: "claim", handoff_id: id });
      ok({ type: "resolve", handoff_id: id, outcome: "return_to_bot" });
      closed.push(id);
    }
    for (let i = 0; i < PER_ROUND; i++) {
      const conversation = `scale-${index}-${i}`;
      const stays = i >= PER_ROUND - LEFT_OPEN;
      const expires = !stays && i % 5 === 0;
      const input = escalateInput.parse(
        escalation({ conversation_id: conversation, ...(expires ? { max_wait_seconds: 10 } : {}) }),
      );
      const escalated = core.atomically(() =>
        escalate(core, bot, { ...input, metadata: JSON.stringify(input.metadata) }, Date.now()),
      );
      if (!escalated.ok) throw new Error(escalated.error.message);
      const { handoff } = escalated.value;
      if (i % 3 === 0 && !stays) {
        core.atomically(() =>
          contactMessage(
            core,
            bot.id,
            { conversation_id: conversation, id: `in-${index}-${i}`, text: "any news?" },
            Date.now(),
          ),
        );
        armHousekeeping(core, Date.now());
      }
      if (stays) open.push(handoff.id);
      else if (expires) expiring.push(handoff.id);
      else {
        ok({ type: "claim", handoff_id: handoff.id });
        ok({ type: "resolve", handoff_id: handoff.id, outcome: "close" });
        closed.push(handoff.id);
      }
    }
    // Their max wait is up (a minute ago, so they come before this round's webhooks): the alarm expires them.
    const sql = instance["core"].sql;
    sql.run(
      `UPDATE timers SET due_at = ? WHERE kind = 'expire' AND ref IN (SELECT value FROM json_each(?))`,
      Date.now() - 60_000,
      JSON.stringify(expiring),
    );
    await instance.alarm();
    const expired = sql.all<{ n: number }>(
      `SELECT COUNT(*) AS n FROM handoffs WHERE status = 'expired' AND id IN (SELECT value FROM json_each(?))`,
      JSON.stringify(expiring),
    );
    expect(expired[0]!.n).toBe(expiring.length);
    return { closed: [...closed, ...expiring], open };
  });
}

describe("a tenant through thousands of handoffs", () => {
  it(
    "keeps the object's tables bounded while D1 keeps everything, and pages through all of history once",
    { timeout: 240_000 },
    async () => {
      const t = await makeTenant();
      const alice = await login(t.alice);
      // One over HTTP first, so the object has the tenant and the bot as the Worker gives them.
      const first = (await escalateOverHttp(t)).handoff.id;
      let open = [first];
      const closed: string[] = [];
      const removed = { handoffs: 0, messages: 0, audit: 0 };

      for (let r = 0; r < ROUNDS; r++) {
        const result = await round(t, open, r);
        closed.push(...result.closed);
        open = result.open;
        await drain(t);
        const before = await objectCounts(t);
        expect(before.handoffs).toBeGreaterThanOrEqual(PER_ROUND);

        // Eight days on: every closed handoff, inbound id and settled webhook has aged out.
        const report = await housekeepAt(t, Date.now() + 8 * DAY_MS);
        expect(report.handoffs).toBe(result.closed.length);
        const after = await objectCounts(t);
        for (const table of ["handoffs", "messages", "audit"] as const)
          removed[table] += before[table] - after[table];

        // Bounded: only the open handoffs and what they need, whatever the round.
        expect(after).toMatchObject({ handoffs: LEFT_OPEN, webhooks: 0, inbound: 0, mirror: 0 });
        expect(after.messages).toBe(LEFT_OPEN * 3);
        expect(after.audit).toBe(LEFT_OPEN);
        expect(after.feed).toBeLessThanOrEqual(1_000);
        expect(after.timers).toBeLessThanOrEqual(2 * LEFT_OPEN + 1);

        // D1 has every row the object ever held: what left it plus what it still holds.
        const d1 = await d1Counts(t);
        expect(d1).toEqual({
          handoffs: removed.handoffs + after.handoffs,
          messages: removed.messages + after.messages,
          audit: removed.audit + after.audit,
        });
      }
      expect(closed.length).toBeGreaterThan(1_900);
      expect(new Set(closed).size).toBe(closed.length);

      // History, page by page, from D1 and the object: each closed handoff exactly once, newest first.
      const seen: { id: string; created_at: string }[] = [];
      let cursor: string | null = null;
      do {
        const page: { handoffs: { id: string; created_at: string }[]; next_cursor: string | null } =
          await json<ListPage>(
            `/api/handoffs?status=resolved,expired&limit=500${cursor ? `&cursor=${cursor}` : ""}`,
            { cookie: alice, status: 200 },
          );
        seen.push(...page.handoffs);
        cursor = page.next_cursor;
      } while (cursor);
      expect(seen.length).toBe(closed.length);
      expect(new Set(seen.map((h) => h.id))).toEqual(new Set(closed));
      for (let i = 1; i < seen.length; i++) {
        const [a, b] = [seen[i - 1]!, seen[i]!];
        const newerFirst =
          Date.parse(a.created_at) > Date.parse(b.created_at) ||
          (a.created_at === b.created_at && a.id > b.id);
        expect(newerFirst, `${a.id} before ${b.id}`).toBe(true);
      }
      // The queue still holds the last round's waiting handoffs.
      const queue = await json<ListPage>("/api/handoffs", { cookie: alice, status: 200 });
      expect(queue.handoffs).toHaveLength(LEFT_OPEN);
      expect(new Set(queue.handoffs.map((h: { id: string }) => h.id))).toEqual(new Set(open));
    },
  );
});
