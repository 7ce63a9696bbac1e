// The settings pages in real headless Chromium: an admin switches routing to automatic (it holds
// after a reload) and sees the API's message next to a refused field; creates an API key, uses
// it, revokes it; a viewer reads the settings but cannot save; an agent has no way in. The demo
// tenant is shared by the run, so everything changed here is put back.
import type { Page } from "playwright-core";
import { describe, expect, it, onTestFinished } from "vitest";
import type { AgentList, EscalateResult, SettingsAnswer } from "../worker/answers";
import { baseUrl } from "./browser";
import { hasText, loggedIn, uid, useBrowser, WAIT_MS } from "./inbox-helpers";
import { apiSession, closeHandoff } from "./routing-helpers";

const chromium = useBrowser();

const settingsLink = (page: Page) => page.getByRole("link", { name: "Settings", exact: true });
const saveButton = (page: Page) => page.getByRole("button", { name: "Save", exact: true });
const automatic = (page: Page) => page.getByRole("radio", { name: "Assign automatically" });

async function escalateWith(key: string): Promise<Response> {
  return fetch(`${baseUrl()}/api/v1/handoffs`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({
      conversation_id: `e2e-settings-${uid()}`,
      channel: "web",
      contact: { id: `contact-${uid()}`, name: "Key check" },
      reason: "e2e settings",
    }),
  });
}

describe("settings", () => {
  it("an admin switches routing to automatic and it holds after a reload", async () => {
    const admin = await apiSession("admin@demo.test");
    const before = (await admin<SettingsAnswer>("GET", "/api/admin/settings")).settings;
    onTestFinished(async () => {
      await admin("PATCH", "/api/admin/settings", { routing: before.routing });
    });
    await admin("PATCH", "/api/admin/settings", { routing: "claim" });

    const { page } = await loggedIn(chromium.browser, "admin@demo.test");
    await settingsLink(page).click();
    await page.waitForURL((url) => url.pathname === "/settings");
    expect(await automatic(page).isChecked()).toBe(false);
    expect(await saveButton(page).isDisabled()).toBe(true);

    // A refused value: the API's message shows next to the field, and nothing is saved.
    const retention = page.getByLabel("Keep history (days)");
    await retention.fill("0");
    await saveButton(page).click();
    await expect
      .poll(() => page.locator("#retention_days-error").textContent(), { timeout: WAIT_MS })
      .toMatch(/>=\s*1/);
    expect(await retention.getAttribute("aria-invalid")).toBe("true");
    expect((await admin<SettingsAnswer>("GET", "/api/admin/settings")).settings).toEqual({
      ...before,
      routing: "claim",
    });
    // Leaving with the unsaved edit asks first; declining stays on the page with the edit.
    const asked: string[] = [];
    page.once("dialog", (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole("link", { name: "API keys" }).click();
    await expect
      .poll(() => asked, { timeout: WAIT_MS })
      .toEqual(["You have unsaved changes. Leave without saving them?"]);
    expect(new URL(page.url()).pathname).toBe("/settings");
    expect(await retention.inputValue()).toBe("0");
    await page.getByRole("button", { name: "Discard" }).click();
    expect(await retention.inputValue()).toBe(String(before.retention_days));

    // By keyboard: the radio, then Enter submits the form.
    await automatic(page).focus();
    await page.keyboard.press("Space");
    expect(await automatic(page).isChecked()).toBe(true);
    await retention.focus();
    await page.keyboard.press("Enter");
    await hasText(page.getByRole("status").filter({ hasText: "Saved" }), "Saved");
    expect((await admin<SettingsAnswer>("GET", "/api/admin/settings")).settings.routing).toBe(
      "auto",
    );

    await page.reload();
    await automatic(page).waitFor();
    expect(await automatic(page).isChecked()).toBe(true);
  });

  it("an admin creates an API key, the bot API takes it, and refuses it once revoked", async () => {
    const admin = await apiSession("admin@demo.test");
    const created: string[] = [];
    onTestFinished(async () => {
      for (const id of created) await closeHandoff(admin, id, true);
    });
    const { page } = await loggedIn(chromium.browser, "admin@demo.test");
    await page.goto("/settings/api-keys");
    const name = `E2E key ${uid()}`;
    await page.getByLabel("Name").fill(name);
    await page.getByRole("button", { name: "Create key" }).click();
    const shown = page.getByTestId("new-api-key");
    await shown.waitFor();
    const key = ((await shown.textContent()) ?? "").trim();
    expect(key).toMatch(/^hk_/);
    expect(await page.getByRole("button", { name: "Copy" }).count()).toBe(1);

    const first = await escalateWith(key);
    expect(first.status).toBe(201);
    created.push(((await first.json()) as EscalateResult).handoff.id);

    await page.getByRole("button", { name: new RegExp(`^Revoke ${name}`) }).click();
    await page.getByRole("button", { name: "Revoke key" }).click();
    await expect
      .poll(() => page.getByRole("row").filter({ hasText: name }).textContent(), {
        timeout: WAIT_MS,
      })
      .toContain("Revoked");
    expect((await escalateWith(key)).status).toBe(401);
  });

  it("an admin changes an agent's capacity inline", async () => {
    const admin = await apiSession("admin@demo.test");
    const bob = (await admin<AgentList>("GET", "/api/admin/agents")).agents.find(
      (a) => a.email === "bob@demo.test",
    )!;
    onTestFinished(async () => {
      await admin("PATCH", `/api/admin/agents/${bob.id}`, { capacity: bob.capacity });
    });
    const { page } = await loggedIn(chromium.browser, "admin@demo.test");
    await page.goto("/settings/agents");
    const capacity = page.getByLabel("Capacity of Bob");
    await capacity.fill(String(bob.capacity + 2));
    await capacity.press("Tab");
    await expect
      .poll(
        async () =>
          (await admin<AgentList>("GET", "/api/admin/agents")).agents.find((a) => a.id === bob.id)
            ?.capacity,
        { timeout: WAIT_MS },
      )
      .toBe(bob.capacity + 2);
  });

  it("a viewer reads the settings but cannot save them", async () => {
    const { page } = await loggedIn(chromium.browser, "viewer@demo.test");
    await settingsLink(page).click();
    await page.waitForURL((url) => url.pathname === "/settings");
    await automatic(page).waitFor();
    expect(await automatic(page).isDisabled()).toBe(true);
    expect(await page.getByLabel("Keep history (days)").isDisabled()).toBe(true);
    expect(await saveButton(page).count()).toBe(0);
    await page.getByRole("link", { name: "API keys" }).click();
    await page.getByRole("heading", { name: "API keys" }).waitFor();
    expect(await page.getByRole("button", { name: "Create key" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /^Revoke / }).count()).toBe(0);
  });

  it("an agent has no settings link and the page says it is not for them", async () => {
    const { page } = await loggedIn(chromium.browser, "alice@demo.test");
    expect(await settingsLink(page).count()).toBe(0);
    await page.goto("/settings");
    await page.getByText("Settings are not available for your role.").waitFor();
    expect(await page.getByRole("radio").count()).toBe(0);
  });
});
