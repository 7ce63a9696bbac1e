// GET /api/analytics on hand-built histories: every figure below was worked out by hand from the
// timeline in the comments, not recomputed by the same logic.
import { beforeAll, describe, expect, it } from "vitest";
import type { Analytics } from "../../schema/analytics";
import type { ErrorAnswer } from "./answers";
import { call, json, login } from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import { writeHandoff } from "./analytics-history";

const analytics = (cookie: string, query: string) =>
  json<Analytics>(`/api/analytics?${query}`, { cookie, status: 200 });
/** No visitor rated any handoff of this history (ratings: analytics-ratings.test.ts). */
const unrated = { count: 0, average: null };

describe("analytics over a hand-built history", () => {
  let t: TestTenant;
  let admin: string;

  beforeAll(async () => {
    t = await makeTenant();
    admin = await login(t.admin);
    const { alice, bob } = t;
    // H0 telegram, 06-09 16:00Z (Tokyo 06-10 01:00): Alice claims at +900 s, never replies,
    // resolves at +1800 s.
    await writeHandoff(t, {
      created: "2026-06-09T16:00:00Z",
      channel: "telegram",
      steps: [
        { after: 900, do: { claim: alice } },
        { after: 1800, do: { resolve: alice } },
      ],
    });
    // H1 whatsapp, 06-10 10:00Z: Alice claims at +60 s (the accept text is a system message),
    // the contact writes, Alice replies at +180 s (120 s after the claim), resolves at +1200 s.
    await writeHandoff(t, {
      created: "2026-06-10T10:00:00Z",
      steps: [
        { after: 60, do: { claim: alice } },
        { after: 60, do: { system: "Alice is here" } },
        { after: 90, do: { contact: "hello?" } },
        { after: 180, do: { reply: alice } },
        { after: 1200, do: { resolve: alice } },
      ],
    });
    // H2 telegram, 06-10 20:00Z (Tokyo 06-11): Alice claims at +300 s and releases at +360 s
    // without replying; Bob claims at +600 s, replies at +720 s, resolves at +3600 s. Time to
    // claim 300 s (the first claim), first response 720 - 300 = 420 s; Bob's own: 120 s.
    await writeHandoff(t, {
      created: "2026-06-10T20:00:00Z",
      channel: "telegram",
      steps: [
        { after: 300, do: { claim: alice } },
        { after: 360, do: { release: alice } },
        { after: 600, do: { claim: bob } },
        { after: 720, do: { reply: bob } },
        { after: 3600, do: { resolve: bob } },
      ],
    });
    // H3 whatsapp, 06-10 23:30Z (Tokyo 06-11): nobody claims; expires at +1800 s.
    await writeHandoff(t, {
      created: "2026-06-10T23:30:00Z",
      steps: [{ after: 1800, do: { expire: true } }],
    });
    // H4 web, 06-11 02:00Z: the admin assigns Bob at +30 s; Bob replies at +90 s (60 s later);
    // still active.
    await writeHandoff(t, {
      created: "2026-06-11T02:00:00Z",
      channel: "web",
      steps: [
        { after: 30, do: { assign: bob, by: t.admin } },
        { after: 90, do: { reply: bob } },
      ],
    });
    // H5 whatsapp, 06-11 16:00Z (Tokyo 06-12): expires at +900 s.
    await writeHandoff(t, {
      created: "2026-06-11T16:00:00Z",
      steps: [{ after: 900, do: { expire: true } }],
    });
    // H6 whatsapp, 06-12 01:00Z: in neither range.
    await writeHandoff(t, {
      created: "2026-06-12T01:00:00Z",
      steps: [{ after: 10, do: { claim: bob } }],
    });
    // Another tenant's handoff in the same hours is never counted.
    const other = await makeTenant();
    await writeHandoff(other, {
      created: "2026-06-10T12:00:00Z",
      steps: [
        { after: 5, do: { claim: other.alice } },
        { after: 6, do: { reply: other.alice } },
        { after: 7, do: { resolve: other.alice } },
      ],
    });
  });

  it("counts days in UTC: H1-H5, with nearest-rank percentiles", async () => {
    const a = await analytics(admin, "from=2026-06-10&to=2026-06-11&tz=UTC");
    expect(a.summary).toEqual({
      handoffs: 5,
      claimed: 3,
      resolved: 2,
      expired: 2,
      expiry_rate: 0.4,
      // claims 30, 60, 300: ranks ceil(1.5) = 2 and ceil(2.7) = 3
      time_to_claim_seconds: { p50: 60, p90: 300 },
      // replies 60, 120, 420
      first_response_seconds: { p50: 120, p90: 420 },
      // resolutions 1200, 3600: ranks ceil(1) = 1 and ceil(1.8) = 2
      resolution_seconds: { p50: 1200, p90: 3600 },
      rating: unrated,
    });
    expect(a.by_day).toEqual([
      {
        ...{ date: "2026-06-10", handoffs: 3, claimed: 2, expired: 1, resolved: 2 },
        // H1 and H2: claims 60, 300 (ranks ceil(1) = 1 and ceil(1.8) = 2); replies 120, 420
        time_to_claim_seconds: { p50: 60, p90: 300 },
        first_response_seconds: { p50: 120, p90: 420 },
      },
      {
        ...{ date: "2026-06-11", handoffs: 2, claimed: 1, expired: 1, resolved: 0 },
        // H4 alone (H5 expired unclaimed): claim 30, reply 60
        time_to_claim_seconds: { p50: 30, p90: 30 },
        first_response_seconds: { p50: 60, p90: 60 },
      },
    ]);
    expect(a.by_agent).toEqual([
      {
        agent: { id: t.alice.id, name: "Alice" },
        claimed: 2,
        resolved: 1,
        first_response_seconds: { p50: 120 },
      },
      // Bob's own replies: 120 s in H2, 60 s in H4; the median of two is the first.
      {
        agent: { id: t.bob.id, name: "Bob" },
        claimed: 2,
        resolved: 1,
        first_response_seconds: { p50: 60 },
      },
    ]);
    expect(a.by_channel).toEqual([
      { channel: "whatsapp", handoffs: 3, expired: 2, rating: unrated },
      { channel: "telegram", handoffs: 1, expired: 0, rating: unrated },
      { channel: "web", handoffs: 1, expired: 0, rating: unrated },
    ]);
    expect(a).toMatchObject({ from: "2026-06-10", to: "2026-06-11", tz: "UTC" });
  });

  it("counts days in Asia/Tokyo: H0-H4, shifted across the day boundary", async () => {
    const a = await analytics(admin, "from=2026-06-10&to=2026-06-11&tz=Asia/Tokyo");
    expect(a.summary).toEqual({
      handoffs: 5,
      claimed: 4,
      resolved: 3,
      expired: 1,
      expiry_rate: 0.2,
      // claims 30, 60, 300, 900: ranks 2 and ceil(3.6) = 4
      time_to_claim_seconds: { p50: 60, p90: 900 },
      first_response_seconds: { p50: 120, p90: 420 },
      // resolutions 1200, 1800, 3600
      resolution_seconds: { p50: 1800, p90: 3600 },
      rating: unrated,
    });
    expect(a.by_day).toEqual([
      {
        ...{ date: "2026-06-10", handoffs: 2, claimed: 2, expired: 0, resolved: 2 },
        // H0 and H1: claims 60, 900; only H1 was answered (120 s)
        time_to_claim_seconds: { p50: 60, p90: 900 },
        first_response_seconds: { p50: 120, p90: 120 },
      },
      {
        ...{ date: "2026-06-11", handoffs: 3, claimed: 2, expired: 1, resolved: 1 },
        // H2, H3 and H4 (H2 was the UTC 06-10's): claims 30, 300; replies 60, 420
        time_to_claim_seconds: { p50: 30, p90: 300 },
        first_response_seconds: { p50: 60, p90: 420 },
      },
    ]);
    expect(a.by_agent).toEqual([
      {
        agent: { id: t.alice.id, name: "Alice" },
        claimed: 3,
        resolved: 2,
        first_response_seconds: { p50: 120 },
      },
      {
        agent: { id: t.bob.id, name: "Bob" },
        claimed: 2,
        resolved: 1,
        first_response_seconds: { p50: 60 },
      },
    ]);
    expect(a.by_channel).toEqual([
      { channel: "telegram", handoffs: 2, expired: 0, rating: unrated },
      { channel: "whatsapp", handoffs: 2, expired: 1, rating: unrated },
      { channel: "web", handoffs: 1, expired: 0, rating: unrated },
    ]);
  });

  it("one day alone: 06-11 in UTC holds H4 and H5", async () => {
    const a = await analytics(admin, "from=2026-06-11&to=2026-06-11");
    expect(a.summary).toMatchObject({
      handoffs: 2,
      claimed: 1,
      resolved: 0,
      expired: 1,
      expiry_rate: 0.5,
      time_to_claim_seconds: { p50: 30, p90: 30 },
      first_response_seconds: { p50: 60, p90: 60 },
      resolution_seconds: { p50: null, p90: null },
    });
    expect(a.by_agent.map((r) => [r.agent.name, r.claimed, r.resolved])).toEqual([["Bob", 1, 0]]);
  });

  it("gives a day claimed but never answered a null first response (06-12 in Asia/Tokyo)", async () => {
    // Tokyo 06-12 is 06-11 15:00Z to 06-12 15:00Z: H5 (expired unclaimed) and H6 (claimed at
    // +10 s, no reply).
    const a = await analytics(admin, "from=2026-06-12&to=2026-06-12&tz=Asia/Tokyo");
    expect(a.by_day).toEqual([
      {
        ...{ date: "2026-06-12", handoffs: 2, claimed: 1, expired: 1, resolved: 0 },
        time_to_claim_seconds: { p50: 10, p90: 10 },
        first_response_seconds: { p50: null, p90: null },
      },
    ]);
    expect(a.summary.first_response_seconds).toEqual({ p50: null, p90: null });
  });

  it("answers nulls and zeros for a range with no handoffs, one row per day", async () => {
    const a = await analytics(admin, "from=2026-05-01&to=2026-05-03&tz=Asia/Tokyo");
    expect(a.summary).toEqual({
      handoffs: 0,
      claimed: 0,
      resolved: 0,
      expired: 0,
      expiry_rate: null,
      time_to_claim_seconds: { p50: null, p90: null },
      first_response_seconds: { p50: null, p90: null },
      resolution_seconds: { p50: null, p90: null },
      rating: { count: 0, average: null },
    });
    expect(a.by_day).toEqual(
      ["2026-05-01", "2026-05-02", "2026-05-03"].map((date) => ({
        date,
        handoffs: 0,
        claimed: 0,
        expired: 0,
        resolved: 0,
        time_to_claim_seconds: { p50: null, p90: null },
        first_response_seconds: { p50: null, p90: null },
      })),
    );
    expect(a.by_agent).toEqual([]);
    expect(a.by_channel).toEqual([]);
  });

  it("lets viewers read; agents get 403 and strangers 401", async () => {
    const viewer = await login(t.viewer);
    const seen = await analytics(viewer, "from=2026-06-10&to=2026-06-11");
    expect(seen.summary.handoffs).toBe(5);
    const agent = await login(t.alice);
    for (const path of ["/api/analytics", "/api/analytics.csv"]) {
      const refused = await json<ErrorAnswer>(path, { cookie: agent, status: 403 });
      expect(refused.error.code).toBe("forbidden");
      expect((await call(path)).status).toBe(401);
    }
  });

  it("defaults to the 7 days ending today in the zone", async () => {
    const a = await analytics(admin, "tz=UTC");
    const today = new Date().toISOString().slice(0, 10);
    const weekAgo = new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
    expect([a.from, a.to, a.tz]).toEqual([weekAgo, today, "UTC"]);
    expect(a.by_day).toHaveLength(7);
    expect((await analytics(admin, "to=2026-06-11")).by_day.map((d) => d.date)).toEqual([
      "2026-06-05",
      "2026-06-06",
      "2026-06-07",
      "2026-06-08",
      "2026-06-09",
      "2026-06-10",
      "2026-06-11",
    ]);
  });

  it.each([
    ["from=2026-02-30&to=2026-03-01", "from"],
    ["from=2026-6-1&to=2026-06-02", "from"],
    ["from=2026-06-01&to=tomorrow", "to"],
    ["from=2026-06-10&to=2026-06-09", "to"],
    ["from=2025-01-01&to=2026-01-02", "to"],
    ["from=2026-06-01&to=2026-06-02&tz=Mars/Olympus", "tz"],
    ["from=2026-06-01&to=2026-06-02&tz=", "tz"],
  ])("refuses %s naming %s", async (query, field) => {
    for (const path of ["/api/analytics", "/api/analytics.csv"]) {
      const refused = await json<ErrorAnswer>(`${path}?${query}`, { cookie: admin, status: 400 });
      expect(refused.error.code).toBe("invalid_request");
      expect(refused.error.issues?.map((i) => i.path)).toEqual([field]);
    }
  });

  it("takes a whole leap year (366 days) at most", async () => {
    const a = await analytics(admin, "from=2024-01-01&to=2024-12-31&tz=Europe/Madrid");
    expect(a.by_day).toHaveLength(366);
    expect(a.summary.handoffs).toBe(0);
  });
});

describe("analytics across daylight-saving changes (America/Los_Angeles)", () => {
  it("gives the spring-forward day 23 hours and the fall-back day 25", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    for (const created of [
      "2026-03-08T07:59:59Z", // 03-07 23:59:59 PST
      "2026-03-08T08:00:00Z", // 03-08 00:00 PST
      "2026-03-09T06:59:59Z", // 03-08 23:59:59 PDT: a 24-hour day from midnight would miss it
      "2026-03-09T07:00:00Z", // 03-09 00:00 PDT: a 24-hour day would count it on 03-08
      "2026-11-01T06:59:59Z", // 10-31 23:59:59 PDT
      "2026-11-01T07:00:00Z", // 11-01 00:00 PDT
      "2026-11-02T07:30:00Z", // 11-01 23:30 PST, the 25th hour of 11-01
      "2026-11-02T08:00:00Z", // 11-02 00:00 PST
    ]) {
      await writeHandoff(t, { created });
    }
    const spring = await analytics(admin, "from=2026-03-07&to=2026-03-09&tz=America/Los_Angeles");
    expect(spring.by_day.map((d) => [d.date, d.handoffs])).toEqual([
      ["2026-03-07", 1],
      ["2026-03-08", 2],
      ["2026-03-09", 1],
    ]);
    const fall = await analytics(admin, "from=2026-10-31&to=2026-11-02&tz=America/Los_Angeles");
    expect(fall.by_day.map((d) => [d.date, d.handoffs])).toEqual([
      ["2026-10-31", 1],
      ["2026-11-01", 2],
      ["2026-11-02", 1],
    ]);
    const utc = await analytics(admin, "from=2026-03-08&to=2026-03-08&tz=UTC");
    expect(utc.summary.handoffs).toBe(2);
  });

  it("starts a day where midnight is skipped or repeated (America/Santiago)", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    for (const created of [
      "2026-04-05T03:30:00Z", // 04-04 23:30, the repeated hour after clocks went back at midnight
      "2026-04-05T04:00:00Z", // 04-05 00:00 -04: the day starts here, not at 00:00 -03
      "2026-09-06T03:59:59Z", // 09-05 23:59:59 -04
      "2026-09-06T04:00:00Z", // 09-06 01:00 -03: midnight never happened, the day starts here
    ]) {
      await writeHandoff(t, { created });
    }
    const repeated = await analytics(admin, "from=2026-04-04&to=2026-04-05&tz=America/Santiago");
    expect(repeated.by_day.map((d) => [d.date, d.handoffs])).toEqual([
      ["2026-04-04", 1],
      ["2026-04-05", 1],
    ]);
    const skipped = await analytics(admin, "from=2026-09-05&to=2026-09-06&tz=America/Santiago");
    expect(skipped.by_day.map((d) => [d.date, d.handoffs])).toEqual([
      ["2026-09-05", 1],
      ["2026-09-06", 1],
    ]);
  });
});
