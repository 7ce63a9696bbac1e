import { afterEach, describe, expect, it, vi } from "vitest";
import type { AgentPresence, AgentStatus } from "#schema/shapes";
import { Notifier } from "./notifications.svelte";
import { countByStatus, loadText, sortAgents } from "./presence";
import { Presence } from "./presence.svelte";

const me = { id: "u_alice", name: "Alice", email: "alice@demo.test", role: "agent" as const };
const here = (id: string, name: string, status: AgentStatus, active_count = 0): AgentPresence => ({
  id,
  name,
  status,
  active_count,
  capacity: 3,
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("who is here", () => {
  it("lists online agents first, then by name, with their load", () => {
    const agents = [
      here("u_zed", "Zed", "online", 1),
      here("u_bob", "Bob", "away"),
      here("u_alice", "Alice", "online", 2),
    ];
    expect(sortAgents(agents).map((a) => `${a.name} ${a.status} ${loadText(a)}`)).toEqual([
      "Alice online 2/3 active",
      "Zed online 1/3 active",
      "Bob away 0/3 active",
    ]);
    expect(countByStatus(agents)).toEqual({ online: 2, away: 1 });
  });
});

/** PUT /api/me/status answered by `answer`; the bodies sent are recorded. */
function statusEndpoint(answer: (status: AgentStatus) => Response | Promise<Response>) {
  const sent: unknown[] = [];
  vi.stubGlobal("fetch", async (input: string, init: RequestInit) => {
    expect(String(input)).toBe("/api/me/status");
    expect(init.method).toBe("PUT");
    const body = JSON.parse(String(init.body)) as { status: AgentStatus };
    sent.push(body);
    return answer(body.status);
  });
  return sent;
}

const ok = (status: AgentStatus) => Response.json({ user: { ...me, status } });

describe("the online/away switch", () => {
  it("starts from the session and follows hello and presence frames", () => {
    const presence = new Presence({ ...me, status: "away" }, new Notifier());
    expect(presence.status).toBe("away");
    presence.greet({ ...me, status: "online" }, [here(me.id, me.name, "online")]);
    expect(presence.status).toBe("online");
    // Switched in another tab: the presence frame says so.
    presence.update([here(me.id, me.name, "away"), here("u_bob", "Bob", "online")]);
    expect(presence.status).toBe("away");
    expect(presence.agents.map((a) => a.name)).toEqual(["Bob", "Alice"]);
  });

  it("shows the new status at once and keeps it when the server agrees", async () => {
    let answer: (r: Response) => void = () => {};
    const sent = statusEndpoint(() => new Promise<Response>((resolve) => (answer = resolve)));
    const presence = new Presence({ ...me, status: "online" }, new Notifier());
    const done = presence.toggle();
    expect(presence.status).toBe("away");
    // A presence frame sent before the answer does not flip the switch back.
    presence.update([here(me.id, me.name, "online")]);
    expect(presence.status).toBe("away");
    answer(ok("away"));
    await done;
    expect(presence.status).toBe("away");
    expect(sent).toEqual([{ status: "away" }]);
  });

  it("goes back and says why when the server refuses", async () => {
    statusEndpoint(() =>
      Response.json({ error: { code: "forbidden", message: "Not allowed." } }, { status: 403 }),
    );
    const notifier = new Notifier();
    const presence = new Presence({ ...me, status: "online" }, notifier);
    await presence.setStatus("away");
    expect(presence.status).toBe("online");
    expect(notifier.toasts.map((t) => [t.text, t.tone])).toEqual([
      ["Could not switch to Away: Not allowed.", "error"],
    ]);
  });

  it("goes back to what the server last confirmed when only the later of two changes fails", async () => {
    const sent = statusEndpoint((status) =>
      status === "away"
        ? ok("away")
        : Response.json({ error: { code: "internal_error", message: "Boom." } }, { status: 500 }),
    );
    const presence = new Presence({ ...me, status: "online" }, new Notifier());
    await presence.setStatus("away");
    await presence.setStatus("online");
    expect(sent).toEqual([{ status: "away" }, { status: "online" }]);
    expect(presence.status).toBe("away");
  });
});
