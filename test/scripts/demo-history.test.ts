// The demo tenant's two weeks of history (`npm run dev` only): seeding it again writes nothing
// twice, a later start keeps what was written and adds only the time since, and the app, served
// on that database, answers with the generator's own figures: analytics per day, the inbox's
// closed views, a returning contact's earlier conversations and their transcripts.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Analytics } from "../../schema/analytics";
import type { Handoff } from "../../schema/shapes";
import {
  demoHistory,
  HISTORY_AGENTS,
  HISTORY_DAYS,
  REGULARS,
} from "../../scripts/demo-history.mjs";
import { run, serveLocal } from "../../scripts/run.mjs";
import { DEMO, DEMO_PASSWORD, seed } from "../../scripts/seed.mjs";
import type { HandoffDetail, HandoffList } from "../worker/answers";

const NOW = Date.now();
const DAY = 86_400_000;
let state = "";
let stopServer: (() => Promise<void>) | null = null;
type History = ReturnType<typeof demoHistory>;

async function counts(): Promise<Record<string, number>> {
  const out = await run(
    "wrangler",
    [
      "d1",
      "execute",
      "DB",
      "--local",
      "--persist-to",
      state,
      "--json",
      "--command",
      `SELECT (SELECT COUNT(*) FROM tenants) AS tenants, (SELECT COUNT(*) FROM users) AS users,
        (SELECT COUNT(*) FROM handoffs) AS handoffs, (SELECT COUNT(*) FROM messages) AS messages,
        (SELECT COUNT(*) FROM handoff_events) AS events, (SELECT COUNT(*) FROM contacts) AS contacts`,
    ],
    { quiet: true },
  );
  const [first] = JSON.parse(out.slice(out.indexOf("["))) as {
    results: Record<string, number>[];
  }[];
  return first!.results[0]!;
}

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), "handoff-history-"));
  await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
    quiet: true,
    env: { CI: "true" },
  });
});

afterAll(async () => {
  await stopServer?.();
  if (state) rmSync(state, { recursive: true, force: true });
});

describe("the demo history generator", () => {
  it("is the same history at a later start, with only the time since added", () => {
    const first = demoHistory(NOW);
    const later = demoHistory(NOW + DAY + 3_600_000);
    const byId = new Map(later.handoffs.map((h) => [h.id, h]));
    const stillCovered = first.handoffs.filter((h) => h.created_at >= later.tally[0]!.dateStart);
    expect(stillCovered.length).toBeGreaterThan(0);
    for (const h of stillCovered) expect(byId.get(h.id)).toEqual(h);
    const laterMessages = new Set(later.messages.map((m) => JSON.stringify(m)));
    for (const m of first.messages.filter((m) => byId.has(m.handoff_id)))
      expect(laterMessages.has(JSON.stringify(m))).toBe(true);
  });

  it("writes two weeks of closed handoffs, weekday-heavy, by the demo agents, with returning contacts", () => {
    const history = demoHistory(NOW);
    expect(history.tally.map((d) => d.date)).toEqual(
      Array.from({ length: HISTORY_DAYS }, (_, i) =>
        new Date(NOW - (HISTORY_DAYS - 1 - i) * DAY).toISOString().slice(0, 10),
      ),
    );
    const ended = history.tally.slice(0, -1); // today's is only the hours so far
    for (const d of ended) {
      const weekend = [0, 6].includes(new Date(d.dateStart).getUTCDay());
      expect(d.handoffs, d.date).toBeGreaterThanOrEqual(weekend ? 5 : 12);
      expect(d.handoffs, d.date).toBeLessThanOrEqual(weekend ? 10 : 25);
    }
    for (const h of history.handoffs) {
      expect(["resolved", "expired"]).toContain(h.status);
      expect(h.created_at).toBeLessThanOrEqual(NOW);
      expect(h.updated_at).toBeLessThanOrEqual(NOW);
    }
    const agents = new Set(history.handoffs.map((h) => h.assignee_id).filter(Boolean));
    const people = new Map(DEMO.users.map((u) => [u.id, u.name]));
    for (const a of HISTORY_AGENTS) expect(people.get(a.id)).toBe(a.name);
    expect([...agents].sort()).toEqual(HISTORY_AGENTS.map((a) => a.id).sort());
    expect(new Set(history.handoffs.map((h) => h.channel))).toEqual(
      new Set(["web", "whatsapp", "telegram", "other"]),
    );
    const returning = REGULARS.filter(
      (r) => history.handoffs.filter((h) => h.contact_id === r.id).length > 1,
    );
    expect(returning.length).toBeGreaterThan(0);
  });
});

describe("the demo history in D1 and through the API", () => {
  let history: History;

  it("seeding twice leaves the same rows", async () => {
    history = (await seed({ persistTo: state, history: true, now: NOW }))!;
    const first = await counts();
    expect(first).toEqual({
      tenants: 2,
      users: DEMO.users.length,
      handoffs: history.handoffs.length,
      messages: history.messages.length,
      events: history.events.length,
      contacts: history.contacts.length,
    });
    await seed({ persistTo: state, history: true, now: NOW });
    expect(await counts()).toEqual(first);
  });

  it("is what the served app reports: analytics per day, closed views, earlier conversations", async () => {
    const server = await serveLocal({
      state,
      name: "the app on the demo history",
      vars: [`CHANNEL_SECRET_KEY:${randomBytes(32).toString("base64")}`],
    });
    stopServer = server.stop;
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@demo.test", password: DEMO_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const get = async <T>(path: string): Promise<T> => {
      const res = await fetch(`${server.url}${path}`, { headers: { cookie } });
      expect(res.status, path).toBe(200);
      return (await res.json()) as T;
    };

    const from = history.tally[0]!.date;
    const to = history.tally[history.tally.length - 1]!.date;
    const analytics = await get<Analytics>(`/api/analytics?from=${from}&to=${to}&tz=UTC`);
    expect(
      analytics.by_day.map((d) => ({
        date: d.date,
        handoffs: d.handoffs,
        claimed: d.claimed,
        expired: d.expired,
        resolved: d.resolved,
      })),
    ).toEqual(history.tally.map(({ dateStart: _, ...d }) => d));
    const total = history.handoffs.length;
    const rated = history.handoffs.filter((h) => h.rating !== null).length;
    expect(analytics.summary.handoffs).toBe(total);
    expect(analytics.summary.handoffs).toBeGreaterThan(100);
    expect(analytics.summary.expired).toBeGreaterThan(0);
    expect(analytics.summary.rating.count).toBe(rated);
    expect(rated).toBeGreaterThan(0);
    expect(analytics.summary.time_to_claim_seconds.p50).toBeGreaterThan(0);
    expect(analytics.summary.first_response_seconds.p50).toBeGreaterThan(0);
    expect(analytics.by_agent.map((a) => a.agent.name).sort()).toEqual(
      HISTORY_AGENTS.map((a) => a.name).sort(),
    );

    // The inbox's closed views read them from D1; none is open.
    const closed = await get<HandoffList>(
      `/api/handoffs?status=resolved,expired&assignee=any&limit=500`,
    );
    expect(closed.handoffs.map((h) => h.id).sort()).toEqual(
      history.handoffs.map((h) => h.id).sort(),
    );
    const open = await get<HandoffList>(`/api/handoffs?status=queued,active&assignee=any`);
    expect(open.handoffs).toEqual([]);

    // The most frequent returning contact's conversations, newest first, each one opening.
    const regular = [...REGULARS].sort(
      (a, b) =>
        history.handoffs.filter((h) => h.contact_id === b.id).length -
        history.handoffs.filter((h) => h.contact_id === a.id).length,
    )[0]!;
    const theirs = history.handoffs
      .filter((h) => h.contact_id === regular.id)
      .sort((a, b) => b.created_at - a.created_at);
    expect(theirs.length).toBeGreaterThan(1);
    const listed = await get<{ handoffs: Handoff[] }>(
      `/api/contacts/${encodeURIComponent(regular.id)}/handoffs?bot_id=${theirs[0]!.bot_id}`,
    );
    expect(listed.handoffs.map((h) => h.id)).toEqual(theirs.map((h) => h.id));
    expect(listed.handoffs[0]!.contact.name).toBe(regular.name);
    const detail = await get<HandoffDetail>(`/api/handoffs/${theirs[1]!.id}`);
    const transcript = history.messages.filter((m) => m.handoff_id === theirs[1]!.id);
    expect(detail.messages.map((m) => [m.from, m.text])).toEqual(
      transcript.map((m) => [m.sender, m.text]),
    );
    expect(detail.events.map((e) => e.type)[0]).toBe("escalated");
  });
});
