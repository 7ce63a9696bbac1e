// One conversation's data never takes the inbox down: odd untrusted content renders, a
// conversation that cannot be rendered is contained to its row or its pane (and reported to the
// console), and an unknown address shows the app's error page with a way back.
import type { BrowserContext, ConsoleMessage, Page, Route } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  claimButton,
  escalate,
  hasText,
  loggedIn,
  openFromList,
  rowOf,
  stillSameDocument,
  uid,
  useBrowser,
  type Escalated,
} from "./inbox-helpers";

const chromium = useBrowser();
const FAILED = "This conversation could not be shown.";

/** Every console.error the page (or every page of the context) writes, from now on. */
function consoleErrors(target: Page | BrowserContext): string[] {
  const errors: string[] = [];
  target.on("console", (message: ConsoleMessage) => {
    if (message.type() === "error") errors.push(message.text());
  });
  return errors;
}

/**
 * Answers the inbox's requests for one conversation with what the server really sent, changed
 * by `edit`: data the server could have stored before a fix (repeated tags) or shapes that break
 * rendering. Only the browser's view is changed; the server is the real one.
 */
async function serveEdited<Body>(
  target: Page | BrowserContext,
  matches: (url: URL) => boolean,
  edit: (body: Body) => void,
): Promise<void> {
  await target.route(
    (url) => matches(url),
    async (route: Route) => {
      const response = await route.fetch();
      const body = (await response.json()) as Body;
      edit(body);
      await route.fulfill({ response, json: body });
    },
  );
}
const detailOf = (h: Escalated) => (url: URL) => url.pathname === `/api/handoffs/${h.id}`;
const theList = (url: URL) => url.pathname === "/api/handoffs";
type Fields = Record<string, unknown>;
const tagsShown = (page: Page) => page.locator("#detail-side .tag").allTextContents();

describe("one conversation's data never takes the inbox down", () => {
  it("duplicate-looking tags and odd untrusted content render, and the rest of the inbox keeps working", async () => {
    const odd = `\u202Ereversed\u202C zero\u200Bwidth 🙂 {#each tags as tag (tag)} {@html "<b>x</b>"} ${"W".repeat(400)}`;
    const h = await escalate("Odd content", {
      tags: ["vip", "vip ", " vip", "VIP", odd.slice(0, 50)],
      reason: odd,
      summary: odd,
      history: [{ id: `odd-${uid()}`, from: "contact", text: odd, at: new Date().toISOString() }],
      metadata: { nested: { deeper: { still: [1, { x: odd }] } } },
    });
    const other = await escalate("Next in line");
    const { page } = await loggedIn(chromium.browser, "alice@demo.test");
    await openFromList(page, h);
    expect(await tagsShown(page)).toEqual(["vip", "VIP", odd.slice(0, 50).trim()]);
    await hasText(page.locator(".summary"), `Summary ${odd}`);
    expect(await page.getByText(FAILED).count()).toBe(0);

    await openFromList(page, other);
    await claimButton(page, other.name).click();
    await hasText(rowOf(page, other.name).locator(".assignee"), "Alice");
    await stillSameDocument(page);
  });

  it("a conversation stored with repeated tags (before they were deduplicated) still shows them all", async () => {
    const h = await escalate("Legacy tags", { tags: ["vip"] });
    const { page } = await loggedIn(chromium.browser, "alice@demo.test");
    await serveEdited<{ handoff: Fields }>(
      page,
      detailOf(h),
      (body) => (body.handoff.tags = ["vip", "vip", "billing", "vip"]),
    );
    await openFromList(page, h);
    await expect.poll(() => tagsShown(page)).toEqual(["vip", "vip", "billing", "vip"]);
    expect(await page.getByText(FAILED).count()).toBe(0);
    await stillSameDocument(page);
  });

  it("a conversation that cannot be rendered says so in its pane, with a way back; the list and the next conversation work", async () => {
    const broken = await escalate("Unrenderable detail");
    const fine = await escalate("Renders fine");
    const { page } = await loggedIn(chromium.browser, "alice@demo.test");
    const errors = consoleErrors(page);
    await serveEdited<{ handoff: Fields }>(
      page,
      detailOf(broken),
      (body) => (body.handoff.contact = null),
    );

    await rowOf(page, broken.name).getByRole("link").click();
    await page.waitForURL((url) => url.pathname === `/handoffs/${broken.id}`);
    const pane = page.getByRole("region", { name: "Conversation", exact: true });
    await pane.getByRole("alert").filter({ hasText: FAILED }).waitFor();
    expect(errors.some((e) => e.includes("(detail) could not be shown"))).toBe(true);
    // The header, the list and its controls are still there and live.
    await page.getByRole("button", { name: "Log out" }).first().waitFor();
    await claimButton(page, fine.name).waitFor();

    // The next conversation opens normally: the failure stayed with the broken one.
    await openFromList(page, fine);
    expect(await page.getByText(FAILED).count()).toBe(0);
    await rowOf(page, broken.name).getByRole("link").click();
    await pane.getByRole("link", { name: "Back to the inbox" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await claimButton(page, fine.name).click();
    await hasText(rowOf(page, fine.name).locator(".assignee"), "Alice");
    await stillSameDocument(page);
  });

  it("a list row that cannot be rendered is replaced by a notice; the other rows keep working", async () => {
    const broken = await escalate("Unrenderable row");
    const fine = await escalate("Row renders fine");
    let errors: string[] = [];
    const { page } = await loggedIn(chromium.browser, "bob@demo.test", {
      beforeOpen: async (context) => {
        errors = consoleErrors(context);
        await serveEdited<{ handoffs: Fields[] }>(context, theList, (body) => {
          for (const h of body.handoffs) if (h.id === broken.id) h.contact = null;
        });
      },
    });
    await page.getByRole("listitem").filter({ hasText: FAILED }).waitFor();
    expect(await rowOf(page, broken.name).count()).toBe(0);
    expect(errors.some((e) => e.includes("(row) could not be shown"))).toBe(true);
    await claimButton(page, fine.name).click();
    await hasText(rowOf(page, fine.name).locator(".assignee"), "Bob");
    await stillSameDocument(page);
  });

  it("an unknown address shows the app's error page with the header and a way back to the inbox", async () => {
    const { page } = await loggedIn(chromium.browser, "alice@demo.test");
    const errors = consoleErrors(page);
    await page.goto("/no/such/page");
    await page.getByRole("heading", { name: "This page does not exist" }).waitFor();
    await page.getByRole("banner").getByText("Handoff Inbox").waitFor();
    expect(errors.some((e) => e.includes("/no/such/page") && e.includes("404"))).toBe(true);
    await page.getByRole("link", { name: "Back to the inbox" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await page.getByRole("region", { name: "Conversations" }).waitFor();
  });
});
