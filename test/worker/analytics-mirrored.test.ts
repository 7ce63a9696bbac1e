// Analytics over a history the tenant object itself mirrored to D1 (not hand-built): the audit
// trail and transcript it writes are what the figures read.
import { expect, it } from "vitest";
import type { Analytics } from "../../schema/analytics";
import type { HandoffAnswer } from "./answers";
import { call, claim, detail, escalate, json, login, resolve, settle } from "./client";
import { makeTenant } from "./fixtures";

const DAY_MS = 86_400_000;
const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

it("reads claims, a release, an assignment, replies and resolves as the tenant object wrote them", async () => {
  const t = await makeTenant();
  const [admin, alice, bob] = await Promise.all([login(t.admin), login(t.alice), login(t.bob)]);
  const reply = (cookie: string, id: string) =>
    json(`/api/handoffs/${id}/messages`, { cookie, body: { text: "On it." }, status: 201 });

  // First: Alice claims and lets go; the admin gives it to Bob, who replies and resolves.
  const first = (await escalate(t)).handoff;
  await claim(alice, first.id);
  await json<HandoffAnswer>(`/api/handoffs/${first.id}/release`, {
    method: "POST",
    cookie: alice,
    status: 200,
  });
  await json<HandoffAnswer>(`/api/handoffs/${first.id}/assign`, {
    cookie: admin,
    body: { agent_id: t.bob.id },
    status: 200,
  });
  await reply(bob, first.id);
  await resolve(bob, first.id);
  // Second: Alice claims, replies and resolves.
  const second = (await escalate(t, { channel: "telegram" })).handoff;
  await claim(alice, second.id);
  await reply(alice, second.id);
  await resolve(alice, second.id);
  await settle(t);

  // Yesterday to tomorrow in UTC, so a run across midnight still holds both.
  const from = utcDate(Date.now() - DAY_MS);
  const to = utcDate(Date.now() + DAY_MS);
  const a = await json<Analytics>(`/api/analytics?from=${from}&to=${to}`, {
    cookie: admin,
    status: 200,
  });
  expect(a.summary).toMatchObject({ handoffs: 2, claimed: 2, resolved: 2, expired: 0 });
  expect(a.summary.expiry_rate).toBe(0);
  const figures = [
    "time_to_claim_seconds",
    "first_response_seconds",
    "resolution_seconds",
  ] as const;
  for (const figure of figures) {
    const { p50, p90 } = a.summary[figure];
    expect(p50, figure).toBeGreaterThanOrEqual(0);
    expect(p90, figure).toBeGreaterThanOrEqual(p50 ?? Infinity);
  }
  expect(
    a.by_agent.map((r) => [
      r.agent.name,
      r.claimed,
      r.resolved,
      r.first_response_seconds.p50 !== null,
    ]),
  ).toEqual([
    ["Alice", 2, 1, true],
    ["Bob", 1, 1, true],
  ]);
  expect(a.by_channel).toEqual([
    { channel: "telegram", handoffs: 1, expired: 0, rating: { count: 0, average: null } },
    { channel: "whatsapp", handoffs: 1, expired: 0, rating: { count: 0, average: null } },
  ]);

  // The export's claimed_at is Alice's first claim, not Bob's assignment after the release.
  const events = (await detail(admin, first.id)).events;
  const firstClaim = events.find((e) => e.type === "claimed")!.at;
  const assigned = events.find((e) => e.type === "assigned")!.at;
  const csv = await (
    await call(`/api/analytics.csv?from=${from}&to=${to}`, { cookie: admin })
  ).text();
  const row = csv.split("\r\n").find((line) => line.startsWith(`${first.id},`))!;
  expect(row.split(",")[9]).toBe(firstClaim);
  expect(row).toContain(",Bob,");
  expect(events.map((e) => e.type)).toEqual(
    expect.arrayContaining(["escalated", "claimed", "released", "assigned", "resolved"]),
  );
  expect(Date.parse(assigned)).toBeGreaterThanOrEqual(Date.parse(firstClaim));
});
