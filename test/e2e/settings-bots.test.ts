// The bots' settings page in real headless Chromium: an admin changes the demo bot's accept message
// (its preview follows as they type) and the next claim sends the new text to the bot's webhook;
// a test event shows in the deliveries table and is delivered again under the same webhook-id; a
// refused webhook URL shows the API's message beside the field; a viewer reads it all and can
// change nothing. The demo tenant is shared by the run: what is changed here is put back.
import type { Page } from "playwright-core";
import { describe, expect, it, onTestFinished } from "vitest";
import type { WebhookDelivery } from "../../schema/webhook-deliveries";
import type { HandoffAnswer } from "../worker/answers";
import { webhooks } from "./browser";
import {
  escalate,
  hasText,
  loggedIn,
  uid,
  useBrowser,
  waitForWebhook,
  WAIT_MS,
} from "./inbox-helpers";
import { apiSession, type ApiCall } from "./routing-helpers";

const chromium = useBrowser();

interface DemoBot {
  id: string;
  name: string;
  accept_message: string;
  webhook_url: string | null;
}

async function demoBot(admin: ApiCall): Promise<DemoBot> {
  const { bots } = await admin<{ bots: DemoBot[] }>("GET", "/api/admin/bots");
  const bot = bots.find((b) => b.name === "Demo bot");
  if (!bot) throw new Error("the demo tenant has no Demo bot");
  return bot;
}

async function openBots(page: Page): Promise<void> {
  await page.getByRole("link", { name: "Settings", exact: true }).click();
  await page.getByRole("link", { name: "Bots", exact: true }).click();
  await page.waitForURL((url) => url.pathname === "/settings/bots");
  await page.getByLabel("Accept message").waitFor();
}

const saveButton = (page: Page) => page.getByRole("button", { name: "Save", exact: true });
const deliveryRow = (page: Page, id: string) => page.locator(`tr[data-delivery="${id}"]`);

describe("bots settings", () => {
  it("an admin changes the accept message, and the next claim sends the new text", async () => {
    const admin = await apiSession("admin@demo.test");
    const alice = await apiSession("alice@demo.test");
    const bot = await demoBot(admin);
    onTestFinished(async () => {
      await admin("PATCH", `/api/admin/bots/${bot.id}`, { accept_message: bot.accept_message });
    });
    const { page } = await loggedIn(chromium.browser, "admin@demo.test");
    await openBots(page);

    const tag = uid();
    const accept = page.getByLabel("Accept message");
    expect(await accept.inputValue()).toBe(bot.accept_message);
    await accept.fill(`Hi, {agent_name} of {org_name} here <b>${tag}</b>.`);
    // The preview is the text the contact would read, with the admin's own name: markup as typed.
    await hasText(
      page.locator("#accept_message-preview"),
      `Hi, Ada Admin of Demo Co here <b>${tag}</b>.`,
    );
    expect(await page.locator("#accept_message-preview b").count()).toBe(0);
    await saveButton(page).click();
    await hasText(page.getByRole("status").filter({ hasText: "Saved" }), "Saved");
    expect((await demoBot(admin)).accept_message).toBe(
      `Hi, {agent_name} of {org_name} here <b>${tag}</b>.`,
    );

    const handoff = await escalate("Accept text");
    const { handoff: claimed } = await alice<HandoffAnswer>(
      "POST",
      `/api/handoffs/${handoff.id}/claim`,
    );
    onTestFinished(async () => {
      await alice("POST", `/api/handoffs/${handoff.id}/resolve`, { outcome: "close" });
    });
    const [greeting] = await waitForWebhook(handoff.id, "handoff.claimed");
    expect(greeting!.verified).toBe(true);
    expect(greeting!.event.data.message.text).toBe(
      `Hi, ${claimed.assignee!.name} of Demo Co here <b>${tag}</b>.`,
    );
  });

  it("a test event shows in the deliveries table, delivered, and is delivered again under the same id", async () => {
    const { page } = await loggedIn(chromium.browser, "admin@demo.test");
    await openBots(page);
    const [sent] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/test-event") && r.status() === 202),
      page.getByRole("button", { name: "Send a test event" }).click(),
    ]);
    const { delivery } = (await sent.json()) as { delivery: WebhookDelivery };
    const row = deliveryRow(page, delivery.id);
    await expect.poll(() => row.textContent(), { timeout: WAIT_MS }).toContain("webhook.test");
    // Pending rows are looked at again until they settle.
    await expect.poll(() => row.textContent(), { timeout: WAIT_MS }).toContain("Delivered");
    expect(await row.locator("td").nth(2).textContent()).toBe("200");
    const received = async () => (await webhooks()).filter((w) => w.id === delivery.id);
    expect((await received()).map((w) => w.verified)).toEqual([true]);

    await row.getByRole("button", { name: /^Deliver webhook\.test of .* again$/ }).click();
    await expect.poll(async () => (await received()).length, { timeout: WAIT_MS }).toBe(2);
    await expect.poll(() => row.locator("td").nth(3).textContent(), { timeout: WAIT_MS }).toBe("2");
  });

  it("a refused webhook URL shows the API's message beside it, nothing is saved, and leaving asks first", async () => {
    const admin = await apiSession("admin@demo.test");
    const before = await demoBot(admin);
    const { page } = await loggedIn(chromium.browser, "admin@demo.test");
    await openBots(page);
    const url = page.getByLabel("Webhook URL");
    await url.fill("http://bot.example.com/hook");
    await url.press("Enter");
    await expect
      .poll(() => page.locator("#webhook_url-error").textContent(), { timeout: WAIT_MS })
      .toContain("https://");
    expect(await url.getAttribute("aria-invalid")).toBe("true");
    expect(await demoBot(admin)).toEqual(before);

    const asked: string[] = [];
    page.once("dialog", (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole("link", { name: "API keys" }).click();
    await expect
      .poll(() => asked, { timeout: WAIT_MS })
      .toEqual(["You have unsaved changes. Leave without saving them?"]);
    expect(new URL(page.url()).pathname).toBe("/settings/bots");
    await page.getByRole("button", { name: "Discard" }).click();
    expect(await url.inputValue()).toBe(before.webhook_url ?? "");
  });

  it("a viewer reads the bot's settings and deliveries but can change nothing", async () => {
    const { page } = await loggedIn(chromium.browser, "viewer@demo.test");
    await openBots(page);
    expect(await page.getByLabel("Accept message").isDisabled()).toBe(true);
    expect(await page.getByLabel("Max wait").isDisabled()).toBe(true);
    expect(await page.getByLabel("Webhook URL").isDisabled()).toBe(true);
    const deliveries = page.getByRole("region", { name: "Webhook deliveries" });
    await deliveries.getByRole("button", { name: "Refresh deliveries" }).waitFor();
    // The test event of the test before is listed for them too.
    await deliveries.getByRole("cell", { name: "webhook.test" }).first().waitFor();
    expect(await saveButton(page).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Send a test event" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /^Deliver .* again$/ }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Rotate signing secret" }).count()).toBe(0);
  });
});
