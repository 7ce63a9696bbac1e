// Settings → Channels and Notifications in real headless Chromium: an admin connects a website
// widget (its embed snippet names the channel the API created) and deletes it; connects WhatsApp
// with a generated verify token that the callback's handshake then accepts, sees a refused
// delivery as the channel's last problem, and edits it; connects Telegram and registers its
// webhook with the stand-in provider; a viewer reads channels with no controls and no secret;
// the notifications log lists a reminder email. Everything made here is removed again.
import { createHmac } from "node:crypto";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { describe, expect, it, onTestFinished } from "vitest";
import type { Channel } from "../../schema/channels";
import type { Notification } from "../../schema/notifications";
import type { BotList, EscalateResult, SettingsAnswer } from "../worker/answers";
import { baseUrl, bot, webhookUrl } from "./browser";
import { hasText, loggedIn, uid, useBrowser, WAIT_MS } from "./inbox-helpers";
import { apiSession, closeHandoff, type ApiCall } from "./routing-helpers";

const chromium = useBrowser();

const allowClipboard = (context: BrowserContext) =>
  context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl() });

const card = (page: Page, name: string) => page.getByRole("article", { name });

async function channelNamed(admin: ApiCall, name: string): Promise<Channel | undefined> {
  const { channels } = await admin<{ channels: Channel[] }>("GET", "/api/admin/channels");
  return channels.find((c) => c.name === name);
}

/** Deletes the channel called `name` after the test, if it is still there. */
function removeAfter(admin: ApiCall, name: string) {
  onTestFinished(async () => {
    const channel = await channelNamed(admin, name);
    if (channel) await admin("DELETE", `/api/admin/channels/${channel.id}`);
  });
}

async function openConnect(page: Page, type: "Telegram" | "WhatsApp" | "Website widget") {
  await page.goto("/settings/channels");
  await page.getByRole("button", { name: "Connect a channel" }).click();
  await page.getByRole("radio", { name: type }).check();
}

async function invalid(page: Page, input: Locator, errorId: string, message: RegExp) {
  await expect
    .poll(() => page.locator(`#${errorId}`).textContent(), { timeout: WAIT_MS })
    .toMatch(message);
  expect(await input.getAttribute("aria-invalid")).toBe("true");
}

describe("settings: channels", () => {
  it("an admin connects a website widget, copies its embed snippet and deletes it", async () => {
    const admin = await apiSession("admin@demo.test");
    const name = `E2E widget ${uid()}`;
    removeAfter(admin, name);
    const { page } = await loggedIn(chromium.browser, "admin@demo.test", {
      beforeOpen: allowClipboard,
    });
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await page.getByRole("link", { name: "Channels", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/settings/channels");
    await page.getByRole("button", { name: "Connect a channel" }).click();
    await page.getByRole("radio", { name: "Website widget" }).check();
    await page.getByLabel("Name", { exact: true }).fill(name);

    // A refused origin: the API's message beside the field, and nothing created.
    const origins = page.getByLabel("Allowed origins");
    await origins.fill("shop.example");
    await page.getByRole("button", { name: "Create channel" }).click();
    await invalid(page, origins, "allowed_origins-error", /.+/);
    expect(await channelNamed(admin, name)).toBeUndefined();

    await origins.fill("https://shop.example\nhttps://www.shop.example");
    await page.getByRole("button", { name: "Create channel" }).click();
    const created = card(page, name);
    await created.waitFor();
    const channel = (await channelNamed(admin, name))!;
    expect(channel).toMatchObject({
      type: "web",
      allowed_origins: ["https://shop.example", "https://www.shop.example"],
    });
    const snippet = `<script src="${new URL(page.url()).origin}/widget.js" data-channel="${channel.id}" async></script>`;
    await hasText(created.getByTestId("embed-snippet"), snippet);
    await created.getByRole("button", { name: "Copy embed snippet" }).click();
    await hasText(created.getByRole("status").filter({ hasText: "Copied" }), "Copied");
    const clipboard = () =>
      (
        globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
      ).navigator.clipboard.readText();
    expect(await page.evaluate(clipboard)).toBe(snippet);
    // The snippet's widget.js is served by the app.
    expect((await fetch(`${baseUrl()}/widget.js`)).status).toBe(200);

    await created.getByRole("button", { name: `Delete ${name}` }).click();
    await page.getByRole("button", { name: "Delete channel" }).click();
    await created.waitFor({ state: "detached" });
    expect(await channelNamed(admin, name)).toBeUndefined();
  });

  it("an admin connects WhatsApp with a generated verify token the handshake accepts", async () => {
    const admin = await apiSession("admin@demo.test");
    const name = `E2E WhatsApp ${uid()}`;
    const appSecret = `secret-${uid()}`;
    const accessToken = `EAA-e2e-${uid()}`;
    removeAfter(admin, name);
    const { page } = await loggedIn(chromium.browser, "admin@demo.test");
    await openConnect(page, "WhatsApp");
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Phone number ID").fill("100200300");
    const access = page.getByLabel("Access token");
    expect(await access.getAttribute("type")).toBe("password");
    await access.fill(accessToken);
    await page.getByLabel("App secret").fill(appSecret);
    const verify = page.getByLabel("Verify token");
    await page.getByRole("button", { name: "Generate" }).click();
    const token = await verify.inputValue();
    expect(token).toMatch(/^verify-[0-9a-f]{32}$/);
    await page.getByRole("button", { name: "Create channel" }).click();

    const created = card(page, name);
    await created.waitFor();
    const channel = (await channelNamed(admin, name))!;
    expect(channel.verify_token).toBe(token);
    await hasText(created.getByTestId("verify-token"), token);
    await created.getByText(channel.webhook_url!, { exact: true }).waitFor();
    const waiting = created.getByTestId("channel-state");
    await hasText(waiting.locator("strong"), "Waiting for the first message");
    expect(await waiting.textContent()).toContain(
      "Paste the callback URL and verify token into Meta's app dashboard.",
    );

    // Meta's handshake with what the page showed: the token is accepted, another one is not.
    const handshake = (verifyToken: string) =>
      fetch(
        `${channel.webhook_url}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(verifyToken)}&hub.challenge=1158201444`,
      );
    const accepted = await handshake(token);
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toBe("1158201444");
    expect((await handshake(`${token}x`)).status).toBe(403);

    // A genuine delivery that cannot be read becomes the channel's last problem, in words.
    const body = "not json";
    const signature = `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`;
    const delivery = await fetch(channel.webhook_url!, {
      method: "POST",
      headers: { "x-hub-signature-256": signature, "content-type": "application/json" },
      body,
    });
    expect(delivery.status).toBe(200);
    await page.reload();
    const state = card(page, name).getByTestId("channel-state");
    await expect
      .poll(() => state.textContent(), { timeout: WAIT_MS })
      .toContain("A delivery was not JSON; it was ignored.");
    expect(await state.textContent()).toContain("Needs attention");
    // No secret is ever shown back.
    const html = await page.content();
    expect(html).not.toContain(appSecret);
    expect(html).not.toContain(accessToken);

    // Edit: a refused verify token shows the API's message; a rename is saved.
    await card(page, name)
      .getByRole("button", { name: `Edit ${name}` })
      .click();
    const edit = page.getByRole("form", { name: `Edit ${name}` });
    const verifyField = edit.getByLabel("Verify token");
    await verifyField.fill("short");
    await edit.getByRole("button", { name: "Save" }).click();
    await invalid(page, verifyField, `${channel.id}-verify_token-error`, />=\s*8|8 char/);

    // Leaving with the unsaved edit asks first; declining keeps it.
    const asked: string[] = [];
    page.once("dialog", (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole("link", { name: "Notifications", exact: true }).click();
    await expect
      .poll(() => asked, { timeout: WAIT_MS })
      .toEqual(["You have unsaved changes. Leave without saving them?"]);
    expect(new URL(page.url()).pathname).toBe("/settings/channels");

    const renamed = `${name} renamed`;
    removeAfter(admin, renamed);
    await verifyField.fill(token);
    await edit.getByLabel("Name", { exact: true }).fill(renamed);
    await edit.getByLabel("Name", { exact: true }).press("Enter");
    await card(page, renamed).waitFor();
    await hasText(card(page, renamed).getByRole("status").filter({ hasText: "Saved" }), "Saved");
    expect((await channelNamed(admin, renamed))?.id).toBe(channel.id);
  });

  it("an admin connects Telegram and registers its webhook with the provider", async () => {
    const admin = await apiSession("admin@demo.test");
    const name = `E2E Telegram ${uid()}`;
    const botToken = `7000${Date.now() % 1_000_000}:AAe2e-${uid()}`;
    removeAfter(admin, name);
    const { page } = await loggedIn(chromium.browser, "admin@demo.test");
    await openConnect(page, "Telegram");
    await page.getByLabel("Name", { exact: true }).fill(name);
    const token = page.getByLabel("Bot token");
    expect(await token.getAttribute("type")).toBe("password");
    // A missing token is refused beside its field.
    await page.getByRole("button", { name: "Create channel" }).click();
    await invalid(page, token, "bot_token-error", /.+/);
    await token.fill(botToken);
    await page.getByRole("button", { name: "Create channel" }).click();

    const created = card(page, name);
    await created.waitFor();
    const channel = (await channelNamed(admin, name))!;
    expect(channel.webhook_url).toBe(`${baseUrl()}/api/channels/telegram/${channel.id}`);
    await created.getByText(channel.webhook_url!, { exact: true }).waitFor();
    expect(await created.getByTestId("channel-state").textContent()).toContain(
      "Register the webhook, then write to the bot.",
    );
    expect(await page.content()).not.toContain(botToken);

    await created.getByRole("button", { name: "Register webhook" }).click();
    await hasText(
      created.getByRole("status").filter({ hasText: "Webhook registered" }),
      `Webhook registered: Telegram now sends to ${channel.webhook_url}`,
    );
    // The provider was asked to send to that URL, with a secret token to echo.
    const { received } = (await (await fetch(`${webhookUrl()}/received`)).json()) as {
      received: { event: { url?: string; secret_token?: string } | null }[];
    };
    const registration = received.find((r) => r.event?.url === channel.webhook_url);
    expect(registration?.event?.secret_token).toMatch(/^[A-Za-z0-9_-]{32,256}$/);
  });

  it("a viewer reads the channels with no controls and no secret", async () => {
    const admin = await apiSession("admin@demo.test");
    const name = `E2E viewer check ${uid()}`;
    const secrets = {
      access_token: `EAA-viewer-${uid()}`,
      app_secret: `secret-viewer-${uid()}`,
      verify_token: `verify-viewer-${uid()}`,
    };
    removeAfter(admin, name);
    await admin("POST", "/api/admin/channels", {
      type: "whatsapp",
      name,
      phone_number_id: "100200301",
      ...secrets,
    });
    const { page } = await loggedIn(chromium.browser, "viewer@demo.test");
    await page.goto("/settings/channels");
    const shown = card(page, name);
    await shown.waitFor();
    await shown.getByText("The verify token is shown to admins only.").waitFor();
    for (const control of ["Connect a channel", "Register webhook", /^Edit /, /^Delete /])
      expect(await page.getByRole("button", { name: control }).count()).toBe(0);
    const section = page.getByRole("region", { name: "Channels" });
    expect(await section.locator("input, textarea, select").count()).toBe(0);
    const html = await page.content();
    for (const secret of Object.values(secrets)) expect(html).not.toContain(secret);
  });
});

describe("settings: notifications", () => {
  it("lists a reminder email with a link to its handoff", async () => {
    const admin = await apiSession("admin@demo.test");
    const { bots } = await admin<BotList>("GET", "/api/admin/bots");
    const demoBot = bots.find((b) => b.id === "bot_demo")!;
    const { settings } = await admin<SettingsAnswer>("GET", "/api/admin/settings");
    onTestFinished(async () => {
      await admin("PATCH", "/api/admin/bots/bot_demo", {
        reminder_delay_seconds: demoBot.reminder_delay_seconds,
      });
      await admin("PATCH", "/api/admin/settings", {
        email_reminders: settings.email_reminders,
        routing: settings.routing,
      });
    });
    // The shortest reminder delay the API allows, reminders on, and nobody assigned by routing.
    await admin("PATCH", "/api/admin/bots/bot_demo", { reminder_delay_seconds: 30 });
    await admin("PATCH", "/api/admin/settings", { email_reminders: true, routing: "claim" });
    const contact = `Reminder ${uid()}`;
    const { handoff } = await bot<EscalateResult>("/api/v1/handoffs", {
      conversation_id: `e2e-reminder-${uid()}`,
      channel: "web",
      contact: { id: `contact-${uid()}`, name: contact },
      reason: "e2e reminder",
    });
    onTestFinished(() => closeHandoff(admin, handoff.id, true));

    const mine = async () =>
      (
        await admin<{ notifications: Notification[] }>("GET", "/api/admin/notifications")
      ).notifications.filter((n) => n.handoff_id === handoff.id);
    await expect.poll(async () => (await mine()).length, { timeout: 50_000 }).toBeGreaterThan(0);
    const [email] = await mine();

    const { page } = await loggedIn(chromium.browser, "admin@demo.test");
    await page.goto("/settings/notifications");
    const row = page
      .getByRole("row")
      .filter({ hasText: email!.to })
      .filter({
        has: page.getByRole("link", { name: handoff.id }),
      });
    await row.first().waitFor();
    expect(await row.first().textContent()).toContain(email!.subject);
    expect(await row.first().textContent()).toContain(email!.status === "sent" ? "Sent" : "Failed");
    await row.first().getByRole("link", { name: handoff.id }).click();
    await page.waitForURL((url) => url.pathname === `/handoffs/${handoff.id}`);
  }, 90_000);
});
