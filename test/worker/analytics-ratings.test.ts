// The website visitors' ratings in GET /api/analytics, on a hand-built history: how many handoffs
// of the range were rated and the average with up = 1 and down = 0, over the range and per
// channel, in UTC and in Asia/Tokyo across a day boundary. Figures worked out by hand.
import { beforeAll, describe, expect, it } from "vitest";
import type { Analytics } from "../../schema/analytics";
import { json, login } from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import { writeHandoff, type HistoryStep } from "./analytics-history";

const analytics = (cookie: string, query: string) =>
  json<Analytics>(`/api/analytics?${query}`, { cookie, status: 200 });

describe("visitors' ratings in analytics", () => {
  let t: TestTenant;
  let admin: string;

  beforeAll(async () => {
    t = await makeTenant();
    admin = await login(t.admin);
    const done: HistoryStep[] = [
      { after: 30, do: { claim: t.alice } },
      { after: 60, do: { reply: t.alice } },
      { after: 600, do: { resolve: t.alice } },
    ];
    // R1 web, 07-01 10:00Z (Tokyo 07-01 19:00): rated up.
    await writeHandoff(t, {
      created: "2026-07-01T10:00:00Z",
      channel: "web",
      steps: done,
      rating: "up",
    });
    // R2 web, 07-01 20:00Z (Tokyo 07-02 05:00): rated down.
    await writeHandoff(t, {
      created: "2026-07-01T20:00:00Z",
      channel: "web",
      steps: done,
      rating: "down",
    });
    // R3 web, 07-02 09:00Z (Tokyo 07-02 18:00): rated up.
    await writeHandoff(t, {
      created: "2026-07-02T09:00:00Z",
      channel: "web",
      steps: done,
      rating: "up",
    });
    // R4 web, 07-02 12:00Z (Tokyo 07-02 21:00): resolved, the visitor did not rate it.
    await writeHandoff(t, { created: "2026-07-02T12:00:00Z", channel: "web", steps: done });
    // R5 telegram, 07-01 12:00Z (Tokyo 07-01 21:00): other channels are never rated.
    await writeHandoff(t, { created: "2026-07-01T12:00:00Z", channel: "telegram", steps: done });
    // R6 web, 07-02 16:00Z (Tokyo 07-03 01:00): rated down.
    await writeHandoff(t, {
      created: "2026-07-02T16:00:00Z",
      channel: "web",
      steps: done,
      rating: "down",
    });
  });

  it("counts in UTC: R1-R6, four rated, two of them up", async () => {
    const a = await analytics(admin, "from=2026-07-01&to=2026-07-02&tz=UTC");
    expect(a.summary.handoffs).toBe(6);
    expect(a.summary.rating).toEqual({ count: 4, average: 0.5 });
    expect(a.by_channel).toEqual([
      // R1 up, R2 down, R3 up, R6 down; R4 unrated
      { channel: "web", handoffs: 5, expired: 0, rating: { count: 4, average: 0.5 } },
      { channel: "telegram", handoffs: 1, expired: 0, rating: { count: 0, average: null } },
    ]);
  });

  it("counts in Asia/Tokyo: R6 falls on 07-03, so three rated, two of them up", async () => {
    const a = await analytics(admin, "from=2026-07-01&to=2026-07-02&tz=Asia/Tokyo");
    expect(a.summary.handoffs).toBe(5);
    expect(a.summary.rating).toEqual({ count: 3, average: 2 / 3 });
    expect(a.by_channel).toEqual([
      { channel: "web", handoffs: 4, expired: 0, rating: { count: 3, average: 2 / 3 } },
      { channel: "telegram", handoffs: 1, expired: 0, rating: { count: 0, average: null } },
    ]);
  });

  it("gives an average of 0 when every rating is down, and null with none", async () => {
    const down = await analytics(admin, "from=2026-07-03&to=2026-07-03&tz=Asia/Tokyo");
    expect(down.summary.rating).toEqual({ count: 1, average: 0 });
    // Tokyo 07-01: R1 (up) and R5 (telegram).
    const up = await analytics(admin, "from=2026-07-01&to=2026-07-01&tz=Asia/Tokyo");
    expect(up.summary.rating).toEqual({ count: 1, average: 1 });
    const none = await analytics(admin, "from=2026-07-04&to=2026-07-05");
    expect(none.summary.rating).toEqual({ count: 0, average: null });
    expect(none.by_channel).toEqual([]);
  });
});
