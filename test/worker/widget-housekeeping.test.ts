// A returning website visitor keeps their conversation for as long as their token lives, though
// channel conversation lines otherwise age out after a week.
import { describe, expect, it } from "vitest";
import { hubRows, login } from "./client";
import { makeTenant } from "./fixtures";
import { housekeepAt } from "./history-helpers";
import { connectWeb, conversationOf, newVisitor, visitorSays } from "./widget-helpers";

const DAY = 24 * 60 * 60 * 1000;

describe("a visitor's conversation and housekeeping", () => {
  it("survives a week while the token lives, and goes once the token has expired", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const channel = await connectWeb(admin);
    const [kept, lapsed] = [await newVisitor(channel.id), await newVisitor(channel.id)];
    await visitorSays(kept.visitor_token, "Do you ship to Portugal?");
    await visitorSays(lapsed.visitor_token, "Hello?");
    // The second visitor's token ran out a while ago.
    await hubRows(
      t,
      `UPDATE visitors SET expires_at = ? WHERE conversation_id = ?`,
      Date.now() - 1,
      lapsed.conversation_id,
    );

    await housekeepAt(t, Date.now() + 8 * DAY);
    const lines = async (conversation: string) =>
      (
        await hubRows<{ text: string }>(
          t,
          `SELECT text FROM conversation_log WHERE conversation_id = ?`,
          conversation,
        )
      ).map((r) => r.text);
    expect(await lines(kept.conversation_id)).toContain("Do you ship to Portugal?");
    expect(await lines(lapsed.conversation_id)).toEqual([]);
    const back = await conversationOf(kept.visitor_token);
    expect(back.messages.map((m) => m.text)).toContain("Do you ship to Portugal?");

    // Past the token's own lifetime, nothing is kept.
    await housekeepAt(t, Date.now() + 31 * DAY);
    expect(await lines(kept.conversation_id)).toEqual([]);
  });
});
