// Every settings page at a phone's, a tablet's, a laptop's and a wide screen's width in real
// headless Chromium, as the admin: no sideways scrolling, no label, heading or button cut short,
// the header whole above the page (its wrapped rows once lay over the page's heading), and each
// page framed the same way (a heading, a line on what it is for, its blocks in cards). Then the
// channels' Connect steps by keyboard alone: the focus follows the steps in, and Cancel brings
// it back to the button; editing a channel and saving a bot's settings keep the focus in their
// form; and the dashboard's header leads to the settings and logs out. What is saved is put back.
import type { Page } from "playwright-core";
import { describe, expect, it, onTestFinished } from "vitest";
import { loggedIn, useBrowser, WAIT_MS } from "./inbox-helpers";
import { apiSession } from "./routing-helpers";

const chromium = useBrowser();

const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 768, height: 1024 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
];

const PAGES = [
  { path: "/settings", title: "Routing and data" },
  { path: "/settings/agents", title: "Agents" },
  { path: "/settings/teams", title: "Teams" },
  { path: "/settings/bots", title: "Bots" },
  { path: "/settings/channels", title: "Channels" },
  { path: "/settings/api-keys", title: "API keys" },
  { path: "/settings/notifications", title: "Notifications" },
];

interface Layout {
  sideways: boolean;
  /** Labels, headings, legends, column headers and buttons whose text does not fit their box. */
  cut: string[];
  /** Controls of the app's header that stick out below it (over the page). */
  outOfHeader: string[];
  /** The header's height: one row from a tablet's width up (its tools go in a menu there). */
  headerHeight: number;
  /** The page's frame: its heading followed by its lead line, and how many cards it holds. */
  frame: { lead: boolean; cards: number };
}

// Runs in the page (the tests' TypeScript has no DOM library, so it is sent as source).
const MEASURE = `(() => {
  const name = (e) => e.tagName.toLowerCase() + ' "' + (e.textContent ?? "").trim() + '"';
  // Visually hidden text (1 px, clipped) is for screen readers: it is meant not to fit.
  const shown = (e) => {
    const box = e.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && getComputedStyle(e).display !== "inline";
  };
  const main = document.querySelector("main");
  const cut = [...main.querySelectorAll("label, legend, th, h1, h2, h3, button, summary")]
    .filter((e) => shown(e) && e.scrollWidth > e.clientWidth + 1)
    .map(name);
  const header = document.querySelector("header");
  const bottom = header.getBoundingClientRect().bottom;
  const outOfHeader = [...header.querySelectorAll("button, a, summary")]
    .filter((e) => {
      // A closed menu's items are not shown, wherever their boxes are.
      return e.checkVisibility() && e.getBoundingClientRect().bottom > bottom + 0.5;
    })
    .map(name);
  const page = main.querySelector(".settings-page");
  const root = document.documentElement;
  return {
    sideways: root.scrollWidth > root.clientWidth,
    cut,
    outOfHeader,
    headerHeight: header.getBoundingClientRect().height,
    frame: {
      lead: page?.querySelector(":scope > header > h2 + p.lead") != null,
      cards: page?.querySelectorAll(".settings-card").length ?? 0,
    },
  };
})()`;

async function openSettingsPage(page: Page, path: string, title: string): Promise<void> {
  await page.goto(path);
  await page.getByRole("heading", { level: 2, name: title, exact: true }).waitFor();
  await expect
    .poll(() => page.getByText("Loading…", { exact: true }).count(), { timeout: WAIT_MS })
    .toBe(0);
}

describe("settings layout", () => {
  for (const viewport of VIEWPORTS) {
    it(`at ${viewport.width} px every settings page fits: nothing sideways, cut or under the header`, async () => {
      // A webhook delivery, so the bot's deliveries table is drawn (it once widened the page).
      const admin = await apiSession("admin@demo.test");
      const { bots } = await admin<{ bots: { id: string }[] }>("GET", "/api/admin/bots");
      for (const bot of bots) await admin("POST", `/api/admin/bots/${bot.id}/test-event`);
      const { page } = await loggedIn(chromium.browser, "admin@demo.test", { viewport });
      for (const { path, title } of PAGES) {
        await openSettingsPage(page, path, title);
        const layout = await page.evaluate<Layout>(MEASURE);
        expect({ path, ...layout }).toEqual({
          path,
          sideways: false,
          cut: [],
          outOfHeader: [],
          headerHeight: expect.any(Number) as number,
          frame: { lead: true, cards: expect.any(Number) as number },
        });
        if (viewport.width >= 768) expect(layout.headerHeight, path).toBeLessThan(64);
        expect(layout.frame.cards, path).toBeGreaterThan(0);
      }
    });
  }

  it("connecting a channel by keyboard: the focus goes into the steps and back on Cancel", async () => {
    const { page } = await loggedIn(chromium.browser, "admin@demo.test");
    await openSettingsPage(page, "/settings/channels", "Channels");
    const connect = page.getByRole("button", { name: "Connect a channel" });
    await connect.focus();
    await page.keyboard.press("Enter");

    const steps = page.getByRole("heading", { name: "Connect a channel" });
    await expect.poll(() => steps.evaluate((h) => h.matches(":focus"))).toBe(true);
    await page.keyboard.press("Tab");
    expect(
      await page.getByRole("radio", { name: "Telegram" }).evaluate((r) => r.matches(":focus")),
    ).toBe(true);

    // Nothing chosen yet, and still a way out.
    await page.getByRole("button", { name: "Cancel" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => connect.evaluate((b) => b.matches(":focus"))).toBe(true);
    expect(await steps.count()).toBe(0);
  });

  it("from the analytics dashboard a viewer reaches the settings, and can log out there", async () => {
    const { page } = await loggedIn(chromium.browser, "viewer@demo.test");
    await page.goto("/analytics");
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await page.getByRole("heading", { level: 2, name: "Routing and data" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/settings");

    await page.goto("/analytics");
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    await page.goto("/analytics");
    await page.waitForURL((url) => url.pathname === "/login");
  });

  it("saving by keyboard keeps the focus in the form, on its Saved confirmation", async () => {
    const admin = await apiSession("admin@demo.test");
    const { bots } = await admin<{ bots: { id: string; max_wait_minutes: number }[] }>(
      "GET",
      "/api/admin/bots",
    );
    const bot = bots[0];
    if (!bot) throw new Error("the demo tenant has no bot");
    onTestFinished(async () => {
      await admin("PATCH", `/api/admin/bots/${bot.id}`, { max_wait_minutes: bot.max_wait_minutes });
    });
    const { page } = await loggedIn(chromium.browser, "admin@demo.test");
    await openSettingsPage(page, "/settings/bots", "Bots");

    const maxWait = page.getByLabel("Max wait");
    const other = bot.max_wait_minutes === 60 ? "30" : "60";
    await maxWait.selectOption(other);
    const save = page.getByRole("button", { name: "Save", exact: true });
    await save.focus();
    await page.keyboard.press("Enter");
    const saved = page.getByRole("status").filter({ hasText: "Saved" });
    await saved.waitFor();
    // The Save button is disabled now: the focus went to the confirmation, not to the page.
    await expect.poll(() => saved.evaluate((s) => s.matches(":focus"))).toBe(true);
    expect(await save.isDisabled()).toBe(true);
  });

  it("editing a channel by keyboard: the form takes the focus, and Cancel gives it back", async () => {
    const { page } = await loggedIn(chromium.browser, "admin@demo.test");
    await openSettingsPage(page, "/settings/channels", "Channels");
    const edit = page.getByRole("button", { name: /^Edit / }).first();
    await edit.focus();
    await page.keyboard.press("Enter");
    const form = page.getByRole("form", { name: /^Edit / }).first();
    await form.waitFor();
    await expect
      .poll(() =>
        form.evaluate((f) => f.querySelector(":focus")?.matches("input, select, textarea")),
      )
      .toBe(true);
    await form.getByRole("button", { name: "Cancel" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => edit.evaluate((b) => b.matches(":focus"))).toBe(true);
  });
});
