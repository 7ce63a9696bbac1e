import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { agentPage, bot, launch } from "./browser";

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe("inbox smoke", () => {
  it("an escalation appears in the list without reload", async () => {
    const { page, context } = await agentPage(browser, "alice@demo.test");
    const name = `Smoke ${Date.now()}`;
    await bot("/api/v1/handoffs", { conversation_id: `smoke-${Date.now()}`, channel: "web", contact: { id: "s1", name }, reason: "smoke test" });
    await page.getByRole("region", { name: "Conversations" }).getByRole("link", { name: new RegExp(name) }).waitFor();
    expect(await page.locator(".row").filter({ hasText: name }).count()).toBe(1);
    await context.close();
  });
});
