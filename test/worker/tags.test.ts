// Tags are unique after trimming (api.md "Limits"): repeats are dropped silently, first seen kept.
import { describe, expect, it } from "vitest";
import { escalation, json, login } from "./client";
import { makeTenant } from "./fixtures";
import type { EscalateResult, HandoffDetail, ListPage } from "./answers";

describe("tags on escalation", () => {
  it("are trimmed and deduplicated in first-seen order, everywhere the handoff is read", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const made = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: escalation({ tags: ["vip", "vip ", " billing", "VIP", "billing", "\tvip\n"] }),
      status: 201,
    });
    const expected = ["vip", "billing", "VIP"];
    expect(made.handoff.tags).toEqual(expected);
    expect(
      (
        await json<HandoffDetail>(`/api/handoffs/${made.handoff.id}`, {
          cookie: alice,
          status: 200,
        })
      ).handoff.tags,
    ).toEqual(expected);
    const { handoffs } = await json<ListPage>("/api/handoffs", { cookie: alice, status: 200 });
    expect(handoffs.map((h: { tags: string[] }) => h.tags)).toEqual([expected]);
  });
});
