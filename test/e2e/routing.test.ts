// Auto-routing in real headless Chromium: an agent who is away gets nothing; back online, they
// get the oldest waiting handoff (a toast, their Mine view, its timeline), the rows behind it move
// up the queue, and who is here shows their load. The demo tenant is shared by the run, so the
// test empties the queue first and puts routing, capacity and status back as they were.
import type { Page } from "playwright-core";
import { describe, expect, it, onTestFinished } from "vitest";
import type { TenantSettings } from "../../schema/settings";
import type { AgentList, Me, SettingsAnswer } from "../worker/answers";
import {
  botHandoff,
  escalate,
  hasText,
  loggedIn,
  openFromList,
  rowOf,
  stillSameDocument,
  transcript,
  useBrowser,
  WAIT_MS,
} from "./inbox-helpers";
import { apiOf, apiSession, closeHandoff, closeOpenHandoffs } from "./routing-helpers";

const chromium = useBrowser();

const availability = (page: Page) =>
  page.getByRole("switch", { name: "Available for new conversations" });
/** The header's disclosure of who is here ("2 online"). */
const whoIsHere = (page: Page) => page.locator("summary").filter({ hasText: "online" });
const toast = (page: Page, text: string) => page.locator(".toast").filter({ hasText: text });
const presenceOf = (page: Page, name: string) =>
  page
    .getByRole("list", { name: "Agents with the inbox open" })
    .getByRole("listitem")
    .filter({ hasText: name });

const NO_SIDEWAYS_SCROLL =
  "document.documentElement.scrollWidth <= document.documentElement.clientWidth";

describe("auto-routing in the inbox", () => {
  it("an away agent gets nothing; back online they get the oldest waiting handoff", async () => {
    const admin = await apiSession("admin@demo.test");
    const before = (await admin<SettingsAnswer>("GET", "/api/admin/settings")).settings;
    const { page, context } = await loggedIn(chromium.browser, "alice@demo.test");
    const alice = await apiOf(context);
    const me = (await alice<Me>("GET", "/api/me")).user;
    const capacity = (await admin<AgentList>("GET", "/api/admin/agents")).agents.find(
      (a) => a.id === me.id,
    )!.capacity;
    const ours: { id: string }[] = [];
    onTestFinished(async () => {
      const restore: Partial<TenantSettings> = { routing: before.routing };
      await admin("PATCH", "/api/admin/settings", restore);
      await admin("PATCH", `/api/admin/agents/${me.id}`, { capacity });
      await alice("PUT", "/api/me/status", { status: "online" });
      for (const h of ours) {
        const { status } = await botHandoff(h.id);
        if (status === "queued" || status === "active")
          await closeHandoff(admin, h.id, status === "queued");
      }
    });

    // Nothing else waiting, auto-routing on, and Alice takes one conversation at a time.
    await closeOpenHandoffs(admin);
    await admin("PATCH", "/api/admin/settings", { routing: "auto" });
    expect((await admin<SettingsAnswer>("GET", "/api/admin/settings")).settings.routing).toBe(
      "auto",
    );
    await admin("PATCH", `/api/admin/agents/${me.id}`, { capacity: 1 });

    // Alice steps away from the header's switch (by keyboard, as a switch should allow).
    const toggle = availability(page);
    expect(await toggle.getAttribute("aria-checked")).toBe("true");
    await toggle.focus();
    await page.keyboard.press("Space");
    await expect
      .poll(() => toggle.getAttribute("aria-checked"), { timeout: WAIT_MS })
      .toBe("false");
    await hasText(toggle, "Away");
    await expect
      .poll(async () => (await alice<Me>("GET", "/api/me")).user.status, { timeout: WAIT_MS })
      .toBe("away");

    // The presence list says she is away, with her load against her capacity.
    await whoIsHere(page).click();
    await expect
      .poll(async () => (await presenceOf(page, "Alice").textContent()) ?? "", {
        timeout: WAIT_MS,
      })
      .toMatch(/Alice\s*\(you\)\s*Away\s*0\/1 active/);

    // Two escalations while she is away: both wait in the queue, in order, and she gets none.
    const oldest = await escalate("Oldest waiting");
    const newer = await escalate("Newer waiting");
    ours.push(oldest, newer);
    await hasText(rowOf(page, oldest.name).locator(".assignee"), "Unassigned");
    await hasText(rowOf(page, newer.name).locator(".assignee"), "Unassigned");
    await expect
      .poll(() => rowOf(page, oldest.name).locator(".queue").textContent(), { timeout: WAIT_MS })
      .toMatch(/^#1 in queue( · ~\d+ (min|h)( \d+ min)?)?$/);
    await expect
      .poll(() => rowOf(page, newer.name).locator(".queue").textContent(), { timeout: WAIT_MS })
      .toMatch(/^#2 in queue/);
    for (const h of [oldest, newer]) {
      const now = await botHandoff(h.id);
      expect([now.status, now.assignee]).toEqual(["queued", null]);
    }
    expect(await toast(page, "Assigned to you").count()).toBe(0);

    // Back online: the oldest is hers at once, with a toast; the newer one moves up to #1.
    await availability(page).click();
    await hasText(availability(page), "Online");
    await toast(page, `Assigned to you: ${oldest.name}`).waitFor();
    await expect
      .poll(async () => (await botHandoff(oldest.id)).assignee?.name ?? null, { timeout: WAIT_MS })
      .toBe("Alice");
    expect((await botHandoff(newer.id)).status).toBe("queued");
    await expect
      .poll(() => rowOf(page, newer.name).locator(".queue").textContent(), { timeout: WAIT_MS })
      .toMatch(/^#1 in queue/);

    // Who is here: Alice online, at her capacity.
    await expect
      .poll(async () => (await presenceOf(page, "Alice").textContent()) ?? "", {
        timeout: WAIT_MS,
      })
      .toMatch(/Alice\s*\(you\)\s*Online\s*1\/1 active/);

    // Her Mine view holds it, and its timeline says the system assigned it.
    await page
      .getByRole("group", { name: "Whose conversations" })
      .getByRole("button", { name: "Mine" })
      .click();
    await page.waitForURL((url) => url.search === "?assignee=mine");
    await hasText(rowOf(page, oldest.name).locator(".assignee"), "Alice");
    expect(await rowOf(page, newer.name).count()).toBe(0);
    await openFromList(page, oldest);
    await transcript(page).getByText("Assigned to Alice automatically").waitFor();
    await stillSameDocument(page);
  });

  it("at 390 px the switch and who is here stay on screen and readable", async () => {
    const { page } = await loggedIn(chromium.browser, "alice@demo.test", {
      viewport: { width: 390, height: 844 },
    });
    const toggle = availability(page);
    expect(await toggle.isVisible()).toBe(true);
    await whoIsHere(page).click();
    const alice = presenceOf(page, "Alice");
    await alice.waitFor();
    const box = await alice.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    expect(await alice.textContent()).toMatch(/Alice\s*\(you\)\s*(Online|Away)\s*\d+\/\d+ active/);
    expect(await page.evaluate(NO_SIDEWAYS_SCROLL)).toBe(true);
  });
});
