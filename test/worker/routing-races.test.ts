// Auto-routing racing people: manual claims sent all at once while escalations arrive and
// agents come online (each of which may assign the same handoffs), and two agents at capacity
// resolving at the same moment. Whatever the interleaving, every handoff ends with exactly one
// assignee, each answer agrees with the final state, the audit records each handoff taken once
// and auto-routing keeps capacity and the serving order.
import { afterEach, describe, expect, it } from "vitest";
import type { ApiError } from "./answers";
import { AgentSocket, call, escalate, hubRows, json, login } from "./client";
import { makeTenant, type TestTenant } from "./fixtures";

interface Row {
  id: string;
  status: string;
  assignee_id: string | null;
}

interface Taken {
  seq: number;
  handoff_id: string;
  type: string;
  actor_id: string | null;
  data: string;
}

const handoffs = (t: TestTenant) =>
  hubRows<Row>(t, `SELECT id, status, assignee_id FROM handoffs ORDER BY id`);
/** Claims, assignments and resolves, in the order the object wrote them. */
const takings = (t: TestTenant) =>
  hubRows<Taken>(
    t,
    `SELECT rowid AS seq, handoff_id, type, actor_id, data FROM audit
     WHERE type IN ('claimed', 'assigned', 'resolved') ORDER BY rowid`,
  );
const assignedTo = (entry: Taken): string =>
  (JSON.parse(entry.data) as { agent: { id: string } }).agent.id;

async function autoRouting(admin: string): Promise<void> {
  await json("/api/admin/settings", {
    method: "PATCH",
    cookie: admin,
    body: { routing: "auto", offline_grace_seconds: 0 },
    status: 200,
  });
}

async function setCapacity(admin: string, agentId: string, capacity: number): Promise<void> {
  await json(`/api/admin/agents/${agentId}`, {
    method: "PATCH",
    cookie: admin,
    body: { capacity },
    status: 200,
  });
}

afterEach(() => AgentSocket.closeAll());

describe("auto-routing races", () => {
  it("claims sent at once with escalations and agents coming online: one assignee each, answers that agree", async () => {
    for (let round = 0; round < 4; round += 1) {
      const t = await makeTenant({ agents: 6 });
      const [admin, alice, bob] = await Promise.all([login(t.admin), login(t.alice), login(t.bob)]);
      const claimers = await Promise.all(t.agents.map(login));
      await autoRouting(admin);
      await Promise.all([setCapacity(admin, t.alice.id, 2), setCapacity(admin, t.bob.id, 2)]);
      // Bob has the inbox open but is away; Alice is not there yet: everything waits.
      await json("/api/me/status", {
        method: "PUT",
        cookie: bob,
        body: { status: "away" },
        status: 200,
      });
      await AgentSocket.open(bob);
      const waiting: string[] = [];
      for (let i = 0; i < 6; i += 1) waiting.push((await escalate(t)).handoff.id);

      // Three agents claim each waiting handoff while Alice comes online, Bob switches back
      // online and four more conversations are escalated: all sent at once.
      const claims = waiting.flatMap((id, i) =>
        [0, 1, 2].map((k) => {
          const claimer = (i + k) % claimers.length;
          // Some handoffs are claimed at once, others only a moment later (auto-routing may
          // have given them out by then), and one claim of each comes late.
          const late = (i + round) % 2 === 1 || k === 2;
          return { id, late, agent: t.agents[claimer]!.id, cookie: claimers[claimer]! };
        }),
      );
      const [answers, escalated] = await Promise.all([
        Promise.all(
          claims.map(async (c, i) => {
            // The interleaving with the auto-assignments varies; the checks hold for any.
            if (c.late)
              await new Promise((r) => setTimeout(r, (i * 7 + round * 5) % (1 + round * 4)));
            const res = await call(`/api/handoffs/${c.id}/claim`, {
              method: "POST",
              cookie: c.cookie,
            });
            return { ...c, status: res.status, body: await res.text() };
          }),
        ),
        Promise.all([1, 2, 3, 4].map(() => escalate(t))),
        AgentSocket.open(alice),
        json("/api/me/status", {
          method: "PUT",
          cookie: bob,
          body: { status: "online" },
          status: 200,
        }),
      ]);

      const rows = new Map((await handoffs(t)).map((r) => [r.id, r]));
      const taken = await takings(t);
      // Every claim is answered 200 exactly when the claimer holds the handoff now, else 409
      // naming who does.
      for (const answer of answers) {
        const holder = rows.get(answer.id)!.assignee_id;
        const what = `round ${round}: ${answer.agent} claiming ${answer.id}: ${answer.body}`;
        if (holder === answer.agent) {
          expect(answer.status, what).toBe(200);
        } else {
          expect(answer.status, what).toBe(409);
          const error = (JSON.parse(answer.body) as { error: ApiError }).error;
          expect(error, what).toMatchObject({ code: "already_claimed", assignee: { id: holder } });
        }
      }
      // The waiting handoffs all went to someone; each handoff was taken at most once, by its holder.
      for (const id of waiting) expect(rows.get(id)!.status, `round ${round}`).toBe("active");
      for (const row of rows.values()) {
        const entries = taken.filter((e) => e.handoff_id === row.id);
        expect(entries, `round ${round}: ${row.id} taken once`).toHaveLength(
          row.status === "active" ? 1 : 0,
        );
        const [entry] = entries;
        if (row.status === "queued") expect(row.assignee_id).toBeNull();
        if (!entry) continue;
        const holder = entry.type === "claimed" ? entry.actor_id : assignedTo(entry);
        expect(holder, `round ${round}: ${row.id}`).toBe(row.assignee_id);
        // Auto-assignments go only to the two who came online, the claims only to claimers.
        if (entry.type === "assigned") expect([t.alice.id, t.bob.id]).toContain(holder);
        else expect(t.agents.map((a) => a.id)).toContain(holder);
      }
      // Alice and Bob got no more than their capacity, and nothing waits while one has room.
      const load = (id: string) =>
        [...rows.values()].filter((r) => r.status === "active" && r.assignee_id === id).length;
      expect(load(t.alice.id)).toBeLessThanOrEqual(2);
      expect(load(t.bob.id)).toBeLessThanOrEqual(2);
      const stillQueued = [...rows.values()].filter((r) => r.status === "queued");
      if (stillQueued.length > 0) expect(load(t.alice.id) + load(t.bob.id)).toBe(4);
      for (const e of escalated) expect(rows.has(e.handoff.id)).toBe(true);
      console.log(
        round,
        taken.map((e) => e.type).join(","),
        answers.map((a) => a.status).join(","),
      );
      AgentSocket.closeAll();
    }
  });

  it("two agents at capacity resolving at once: the two waiting handoffs go out one each, in serving order", async () => {
    for (let round = 0; round < 4; round += 1) {
      const t = await makeTenant();
      const [admin, alice, bob] = await Promise.all([login(t.admin), login(t.alice), login(t.bob)]);
      await autoRouting(admin);
      await Promise.all([setCapacity(admin, t.alice.id, 1), setCapacity(admin, t.bob.id, 1)]);
      await AgentSocket.open(alice);
      await AgentSocket.open(bob);
      const first = (await escalate(t)).handoff;
      const second = (await escalate(t)).handoff;
      expect([first.status, second.status]).toEqual(["active", "active"]);
      // Both are full: these wait. The later one is urgent, so it is served first.
      const normal = (await escalate(t, { priority: "normal" })).handoff;
      const urgent = (await escalate(t, { priority: "urgent" })).handoff;
      expect([normal.status, urgent.status]).toEqual(["queued", "queued"]);

      const holders = new Map([
        [first.assignee!.id, { cookie: first.assignee!.id === t.alice.id ? alice : bob }],
        [second.assignee!.id, { cookie: second.assignee!.id === t.alice.id ? alice : bob }],
      ]);
      expect(holders.size, `round ${round}: one each`).toBe(2);
      const resolved = await Promise.all(
        [first, second].map((h) =>
          call(`/api/handoffs/${h.id}/resolve`, {
            cookie: holders.get(h.assignee!.id)!.cookie,
            body: { outcome: "close" },
          }),
        ),
      );
      expect(resolved.map((r) => r.status)).toEqual([200, 200]);

      const rows = new Map((await handoffs(t)).map((r) => [r.id, r]));
      expect(rows.get(urgent.id)!.status).toBe("active");
      expect(rows.get(normal.id)!.status).toBe("active");
      expect(
        new Set([rows.get(urgent.id)!.assignee_id, rows.get(normal.id)!.assignee_id]),
        `round ${round}: one each, nobody over capacity`,
      ).toEqual(new Set([t.alice.id, t.bob.id]));
      // Whoever's resolve the object ran first was free first and got the urgent one.
      const taken = await takings(t);
      const firstFree = taken.find((e) => e.type === "resolved")!.actor_id;
      expect(rows.get(urgent.id)!.assignee_id, `round ${round}`).toBe(firstFree);
      for (const id of [urgent.id, normal.id]) {
        const entries = taken.filter((e) => e.handoff_id === id && e.type !== "resolved");
        expect(entries, `round ${round}: ${id} assigned once`).toHaveLength(1);
        expect(entries[0]).toMatchObject({ type: "assigned", actor_id: null });
        expect(assignedTo(entries[0]!)).toBe(rows.get(id)!.assignee_id);
      }
      AgentSocket.closeAll();
    }
  });
});
