// The website widget in real headless Chromium: a customer's page on another origin than the
// app embeds it; the visitor opens it by keyboard and asks for a person; they see their place in
// the queue move up, then the agent (in a second browser context) claim, type and reply; a reload
// keeps the conversation; after the resolve they rate it. The page's own styles stay as they
// were, and the page's careless CSS does not reach the widget.
import type { Page } from "playwright-core";
import { describe, expect, it, onTestFinished } from "vitest";
import type { SettingsAnswer } from "../worker/answers";
import {
  escalate,
  hasText,
  loggedIn,
  track,
  transcript,
  useBrowser,
  WAIT_MS,
} from "./inbox-helpers";
import { apiOf, closeHandoff, closeOpenHandoffs } from "./routing-helpers";
import {
  ACCENT_RGB,
  composer,
  GREETING,
  launcher,
  panel,
  styleOf,
  useHostSite,
  visitorConversation,
  widgetLog,
  widgetStatus,
} from "./widget-helpers";

const chromium = useBrowser();
const host = useHostSite();

const PAGE_STYLE = [
  "font-size",
  "font-family",
  "color",
  "line-height",
  "letter-spacing",
  "text-transform",
  "position",
  "display",
];

/** The aria-label (or tag) of what has the focus inside the widget, or null. */
function focusedInWidget(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    interface El {
      tagName: string;
      getAttribute(name: string): string | null;
      shadowRoot: { activeElement: El | null } | null;
    }
    const active = (globalThis as unknown as { document: { activeElement: El | null } }).document
      .activeElement;
    if (active?.tagName.toLowerCase() !== "handoff-chat-widget") return null;
    const inner = active.shadowRoot?.activeElement;
    return inner ? (inner.getAttribute("aria-label") ?? inner.tagName) : null;
  });
}

async function statusMatches(page: Page, pattern: RegExp): Promise<void> {
  await expect
    .poll(async () => (await widgetStatus(page).textContent())?.trim(), { timeout: WAIT_MS })
    .toMatch(pattern);
}

describe("the website widget", () => {
  it("a visitor waits in the queue, then talks with the agent who claims; a reload keeps it", async () => {
    const { site } = host;
    const admin = site.admin;
    const before = (await admin<SettingsAnswer>("GET", "/api/admin/settings")).settings;
    const ours: string[] = [];
    onTestFinished(async () => {
      await admin("PATCH", "/api/admin/settings", { routing: before.routing });
      for (const id of ours) {
        const { handoff } = await admin<{ handoff: { status: string } }>(
          "GET",
          `/api/handoffs/${id}`,
        );
        if (handoff.status === "queued" || handoff.status === "active")
          await closeHandoff(admin, id, handoff.status === "queued");
      }
    });
    // Agents claim by hand, and one conversation waits before the visitor's.
    await admin("PATCH", "/api/admin/settings", { routing: "claim" });
    await closeOpenHandoffs(admin);
    const ahead = await escalate("Ahead");
    ours.push(ahead.id);

    const context = track(
      await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } }),
    );
    // The customer's page as it looks without the widget.
    const bare = await context.newPage();
    await bare.route("**/widget.js", (route) => route.abort());
    await bare.goto(site.url);
    const headline = await styleOf(bare, "#headline", PAGE_STYLE);
    const intro = await styleOf(bare, "#intro", PAGE_STYLE);
    expect(headline).toMatchObject({ "font-size": "30px", color: "rgb(255, 0, 0)" });
    await bare.close();

    const page = await context.newPage();
    await page.goto(site.url);
    await launcher(page).waitFor();
    // The page is untouched; the launcher shows despite `button { display: none }` on the page.
    expect(await styleOf(page, "#headline", PAGE_STYLE)).toEqual(headline);
    expect(await styleOf(page, "#intro", PAGE_STYLE)).toEqual(intro);
    const look = await styleOf(
      page,
      ".launcher",
      ["display", "background-color", "position"],
      true,
    );
    expect(look["display"]).not.toBe("none");
    expect(look).toMatchObject({ "background-color": ACCENT_RGB, position: "fixed" });
    // Bottom right, 20 px from the edges of the viewport (whatever its scrollbar takes).
    const viewport = await page.evaluate(() => {
      const d = (
        globalThis as unknown as {
          document: { documentElement: { clientWidth: number; clientHeight: number } };
        }
      ).document.documentElement;
      return { width: d.clientWidth, height: d.clientHeight };
    });
    expect(await launcher(page).boundingBox()).toEqual({
      x: viewport.width - 76,
      y: viewport.height - 76,
      width: 56,
      height: 56,
    });

    // Opened by keyboard: the focus moves into the panel, Escape gives it back to the launcher.
    await page.keyboard.press("Tab");
    expect(await focusedInWidget(page)).toMatch(/^Open chat/);
    await page.keyboard.press("Enter");
    await panel(page).waitFor();
    expect(await focusedInWidget(page)).toBe("Message");
    await hasText(panel(page).getByRole("heading"), site.channelName);
    await widgetLog(page).getByText(GREETING).waitFor();
    // Nothing of the page's `*` rule is inherited through the widget's host element.
    const title = await styleOf(
      page,
      "h2",
      ["font-size", "font-family", "letter-spacing", "text-transform", "cursor"],
      true,
    );
    expect(title).toMatchObject({
      "font-size": "17px",
      "letter-spacing": "normal",
      "text-transform": "none",
      cursor: "auto",
    });
    expect(title["font-family"]).not.toBe("serif");
    await page.keyboard.press("Escape");
    await panel(page).waitFor({ state: "hidden" });
    expect(await focusedInWidget(page)).toMatch(/^Open chat/);
    await page.keyboard.press("Enter");
    await panel(page).waitFor();

    // The visitor asks for a person: their message settles, and they are second in the queue.
    await page.keyboard.type("Can I talk to a human?");
    await page.keyboard.press("Enter");
    await widgetLog(page).getByText("Can I talk to a human?").waitFor();
    await statusMatches(
      page,
      /^Waiting for a person — you are number 2 in the queue( \(about \d+ min\))?$/,
    );
    const visitor = (await visitorConversation(page, site.channelId)).handoff;
    expect(visitor?.status).toBe("queued");
    ours.push(visitor!.id);

    // The one ahead is taken: the visitor moves up, live.
    await closeHandoff(admin, ahead.id, true);
    await statusMatches(page, /^Waiting for a person — you are number 1 in the queue/);

    // Alice claims it in the inbox; the visitor sees her name.
    const alice = await loggedIn(chromium.browser, "alice@demo.test");
    await alice.page.goto(`/handoffs/${visitor!.id}`);
    await alice.page.getByRole("button", { name: "Claim", exact: true }).click();
    await statusMatches(page, /^Alice joined the conversation$/);

    // Each side sees the other typing.
    await composer(page).pressSequentially("Hello Alice");
    await transcript(alice.page)
      .getByText(/is typing…$/)
      .waitFor();
    await page.keyboard.press("Enter");
    await transcript(alice.page).getByText("Hello Alice").waitFor();
    const reply = alice.page.getByLabel("Reply to the contact");
    await reply.pressSequentially("Hi, I am Alice. Which order is it about?");
    await panel(page).getByText("Alice is typing…").waitFor();
    await reply.press("Enter");
    const answer = widgetLog(page)
      .getByRole("listitem")
      .filter({ hasText: "Which order is it about?" });
    await answer.waitFor();
    expect(await answer.textContent()).toContain("Alice");
    await panel(page).getByText("Alice is typing…").waitFor({ state: "hidden" });

    // A reload keeps the conversation (and the panel open).
    await page.reload();
    await panel(page).waitFor();
    await widgetLog(page).getByText("Can I talk to a human?").waitFor();
    await widgetLog(page).getByText("Hi, I am Alice. Which order is it about?").waitFor();
    await statusMatches(page, /^Alice joined the conversation$/);

    // Alice resolves; the visitor rates the conversation with one click.
    const aliceApi = await apiOf(alice.context);
    await aliceApi("POST", `/api/handoffs/${visitor!.id}/resolve`, { outcome: "return_to_bot" });
    await panel(page).getByRole("button", { name: "Helpful", exact: true }).click();
    await panel(page).getByText("Thanks for your feedback.").waitFor();
    await expect
      .poll(
        async () =>
          (
            await admin<{ handoff: { rating: string | null } }>(
              "GET",
              `/api/handoffs/${visitor!.id}`,
            )
          ).handoff.rating,
        { timeout: WAIT_MS },
      )
      .toBe("up");
  });

  it("fills a 360 px wide screen, and the page behind it keeps its layout", async () => {
    const { site } = host;
    const context = track(
      await chromium.browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true }),
    );
    const page = await context.newPage();
    await page.goto(site.url);
    await launcher(page).click();
    await panel(page).waitFor();
    expect(await panel(page).boundingBox()).toEqual({ x: 0, y: 0, width: 360, height: 740 });
    expect(await composer(page).isVisible()).toBe(true);
    expect(
      await page.evaluate(() => {
        const d = (
          globalThis as unknown as {
            document: { documentElement: { scrollWidth: number; clientWidth: number } };
          }
        ).document.documentElement;
        return d.scrollWidth <= d.clientWidth;
      }),
    ).toBe(true);
    await panel(page).getByRole("button", { name: "Close chat" }).click();
    await panel(page).waitFor({ state: "hidden" });
    expect(await launcher(page).isVisible()).toBe(true);
  });
});
