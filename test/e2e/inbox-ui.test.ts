// The inbox in real headless Chromium: what a viewer may do, the login error, keyboard
// shortcuts, filters in the URL, the narrow (phone) layout, and untrusted text shown as text.
import { describe, expect, it } from "vitest";
import { baseUrl } from "./browser";
import {
  claimButton,
  useBrowser,
  contactSays,
  detailTitle,
  escalate,
  hasText,
  loggedIn,
  openFromList,
  rowOf,
  stillSameDocument,
  track,
  transcript,
  uid,
} from "./inbox-helpers";

/** The page is no wider than the viewport (no sideways scrolling). */
const NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth";

const chromium = useBrowser();

describe("inbox permissions and usability", () => {
  it("a viewer sees the list and a conversation but no write controls", async () => {
    const queued = await escalate("Viewer queued");
    const active = await escalate("Viewer active");
    const [alice, viewer] = await Promise.all([loggedIn(chromium.browser, "alice@demo.test"), loggedIn(chromium.browser, "viewer@demo.test")]);
    await claimButton(alice.page, active.name).click();
    await hasText(rowOf(viewer.page, active.name).locator(".assignee"), "Alice");

    // The same locators find the controls for an agent…
    await claimButton(alice.page, queued.name).waitFor();
    await openFromList(alice.page, active);
    for (const name of ["Resolve", "Release"]) await alice.page.getByRole("button", { name, exact: true }).waitFor();
    expect(await alice.page.getByLabel("Reply to the contact").isEnabled()).toBe(true);

    // …and none for the viewer, who still reads everything.
    const { page } = viewer;
    await rowOf(page, queued.name).waitFor();
    await hasText(rowOf(page, queued.name).locator(".assignee"), "Unassigned");
    expect(await page.getByRole("button", { name: /^Claim/ }).count()).toBe(0);

    await openFromList(page, queued);
    await transcript(page).getByText("Escalated by the bot").waitFor();
    expect(await page.getByRole("button", { name: /^Claim/ }).count()).toBe(0);
    expect(await page.getByLabel("Reply to the contact").count()).toBe(0);

    await openFromList(page, active);
    await transcript(page).getByText("Claimed by Alice").waitFor();
    for (const name of ["Claim", "Resolve", "Release", "Send"]) expect(await page.getByRole("button", { name, exact: true }).count()).toBe(0);
    expect(await page.getByLabel("Reply to the contact").count()).toBe(0);
    expect(await page.locator("textarea").filter({ visible: true }).count()).toBe(0);
  });

  it("logging in with a wrong password shows an error and stays on the login page", async () => {
    const context = track(await chromium.browser.newContext({ baseURL: baseUrl() }));
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("Email").fill("admin@demo.test");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Log in" }).click();
    await hasText(page.getByRole("alert"), "Wrong email or password.");
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await page.getByRole("region", { name: "Conversations" }).count()).toBe(0);
  });

  it("a conversation link opened while logged out lands on that conversation after logging in", async () => {
    const h = await escalate("Deep link");
    const context = track(await chromium.browser.newContext({ baseURL: baseUrl() }));
    const page = await context.newPage();
    await page.goto(`/handoffs/${h.id}`);
    await page.getByRole("button", { name: "Log in" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.getByLabel("Email").fill("bob@demo.test");
    await page.getByLabel("Password").fill("handoff-demo");
    await page.getByRole("button", { name: "Log in" }).click();
    await hasText(detailTitle(page), h.name);
    expect(new URL(page.url()).pathname).toBe(`/handoffs/${h.id}`);
  });

  it("keyboard: j opens the oldest waiting conversation and ? opens the shortcuts", async () => {
    const { page, context } = await loggedIn(chromium.browser, "alice@demo.test");
    const h = await escalate("Keys");
    await rowOf(page, h.name).waitFor();

    const { handoffs } = (await (await context.request.get("/api/handoffs?status=queued,active&assignee=any")).json()) as { handoffs: { id: string }[] };
    const oldest = handoffs[0]!.id;
    const first = page.locator("li.row").first();
    expect(await first.getByRole("link").getAttribute("href")).toBe(`/handoffs/${oldest}`);
    const firstName = (await first.locator(".contact").textContent())!.trim();

    await page.keyboard.press("j");
    await page.waitForURL((url) => url.pathname === `/handoffs/${oldest}`);
    await hasText(detailTitle(page), firstName);
    expect(await first.getByRole("link").getAttribute("aria-current")).toBe("page");

    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await help.waitFor();
    await help.getByText("Next / previous conversation").waitFor();
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "hidden" });
    await stillSameDocument(page);
  });

  it("filters live in the URL and Back returns to the previous filter", async () => {
    const { page } = await loggedIn(chromium.browser, "alice@demo.test");
    const h = await escalate("Filters");
    await rowOf(page, h.name).waitFor();
    const chips = page.getByRole("group", { name: "Whose conversations" });
    const chip = (name: string) => chips.getByRole("button", { name, exact: true });

    await chip("Unassigned").click();
    await page.waitForURL((url) => url.pathname === "/" && url.search === "?assignee=unassigned");
    expect(await chip("Unassigned").getAttribute("aria-pressed")).toBe("true");
    await rowOf(page, h.name).waitFor();

    await chip("Mine").click();
    await page.waitForURL((url) => url.search === "?assignee=mine");
    expect(await chip("Mine").getAttribute("aria-pressed")).toBe("true");
    await rowOf(page, h.name).waitFor({ state: "detached" });

    await page.goBack();
    await page.waitForURL((url) => url.search === "?assignee=unassigned");
    await expect.poll(() => chip("Unassigned").getAttribute("aria-pressed")).toBe("true");
    expect(await chip("Mine").getAttribute("aria-pressed")).toBe("false");
    await rowOf(page, h.name).waitFor();
    await stillSameDocument(page);
  });

  it("at 390 px the list shows, a conversation opens full width with a back link", async () => {
    const { page } = await loggedIn(chromium.browser, "alice@demo.test", { viewport: { width: 390, height: 844 } });
    const h = await escalate("Narrow");
    const list = page.getByRole("region", { name: "Conversations" });
    await rowOf(page, h.name).waitFor();
    expect(await list.isVisible()).toBe(true);
    expect(await page.evaluate(NO_SIDEWAYS_SCROLL)).toBe(true);

    await openFromList(page, h);
    await list.waitFor({ state: "hidden" });
    expect(await detailTitle(page).isVisible()).toBe(true);
    const back = page.getByRole("link", { name: "Back to the list" });
    expect(await back.isVisible()).toBe(true);
    expect(await page.evaluate(NO_SIDEWAYS_SCROLL)).toBe(true);

    await back.click();
    await page.waitForURL((url) => url.pathname === "/");
    await rowOf(page, h.name).waitFor();
    await detailTitle(page).waitFor({ state: "detached" });
    await stillSameDocument(page);
  });

  it("untrusted text from the bot and the contact is shown as text, never run", async () => {
    const payload = `<img src=x onerror="window.__xss=1">`;
    const { page } = await loggedIn(chromium.browser, "alice@demo.test");
    const h = await escalate(payload, {
      reason: payload,
      summary: payload,
      tags: [payload],
      history: [{ id: `x-${uid()}`, from: "contact", text: payload, at: new Date().toISOString() }],
    });
    const row = rowOf(page, h.name);
    await row.waitFor();
    await hasText(row.locator(".contact"), h.name);
    await hasText(row.locator(".reason"), payload);

    await openFromList(page, h);
    const later = `${payload} again ${uid()}`;
    await contactSays(h.conversationId, later);
    await hasText(transcript(page).locator("li.msg").filter({ hasText: later }).locator(".bubble"), later);
    await hasText(transcript(page).locator("li.msg").filter({ hasText: payload }).first().locator(".bubble"), payload);
    await page.getByText(`Summary ${payload}`).waitFor();

    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  });
});
