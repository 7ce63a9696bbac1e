// The inbox in real headless Chromium: what a viewer may do, the login error, keyboard
// shortcuts, filters in the URL, the narrow (phone) layout, and untrusted text shown as text.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { baseUrl } from "./browser";
import {
  claimButton,
  useBrowser,
  contactSays,
  detailTitle,
  escalate,
  hasText,
  logIn,
  loggedIn,
  openFromList,
  rowOf,
  stillSameDocument,
  track,
  transcript,
  uid,
  WAIT_MS,
} from "./inbox-helpers";

/** What has the keyboard focus in the page: its id and, for inputs, its type. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = (
      globalThis as unknown as { document: { activeElement: { id: string; type?: string } | null } }
    ).document.activeElement;
    return el ? `${el.id}:${el.type ?? ""}` : null;
  });

/** The page is no wider than the viewport (no sideways scrolling). */
const NO_SIDEWAYS_SCROLL =
  "document.documentElement.scrollWidth <= document.documentElement.clientWidth";

const chromium = useBrowser();

describe("inbox permissions and usability", () => {
  it("a viewer sees the list and a conversation but no write controls", async () => {
    const queued = await escalate("Viewer queued");
    const active = await escalate("Viewer active");
    const [alice, viewer] = await Promise.all([
      loggedIn(chromium.browser, "alice@demo.test"),
      loggedIn(chromium.browser, "viewer@demo.test"),
    ]);
    await claimButton(alice.page, active.name).click();
    await hasText(rowOf(viewer.page, active.name).locator(".assignee"), "Alice");

    // The same locators find the controls for an agent…
    await claimButton(alice.page, queued.name).waitFor();
    await openFromList(alice.page, active);
    for (const name of ["Resolve", "Release"])
      await alice.page.getByRole("button", { name, exact: true }).waitFor();
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
    for (const name of ["Claim", "Resolve", "Release", "Send"])
      expect(await page.getByRole("button", { name, exact: true }).count()).toBe(0);
    expect(await page.getByLabel("Reply to the contact").count()).toBe(0);
    expect(await page.locator("textarea").filter({ visible: true }).count()).toBe(0);
  });

  it("logging in with a wrong password shows an error and stays on the login page", async () => {
    const context = track(await chromium.browser.newContext({ baseURL: baseUrl() }));
    const page = await context.newPage();
    await page.goto("/login");
    await logIn(page, "admin@demo.test", "not-the-password");
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
    await logIn(page, "bob@demo.test");
    await hasText(detailTitle(page), h.name);
    expect(new URL(page.url()).pathname).toBe(`/handoffs/${h.id}`);
  });

  it("keyboard: j opens the oldest waiting conversation and ? opens the shortcuts", async () => {
    const { page, context } = await loggedIn(chromium.browser, "alice@demo.test");
    const h = await escalate("Keys");
    await rowOf(page, h.name).waitFor();

    const { handoffs } = (await (
      await context.request.get("/api/handoffs?status=queued,active&assignee=any")
    ).json()) as { handoffs: { id: string }[] };
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

  it("keyboard: k goes back a conversation, Enter opens the focused one, c claims, r writes, e resolves, / searches", async () => {
    const { page } = await loggedIn(chromium.browser, "alice@demo.test");
    const first = await escalate("Key one");
    const second = await escalate("Key two");
    await rowOf(page, second.name).waitFor();
    await openFromList(page, second);

    // k: the conversation before it in the queue (oldest first).
    await page.keyboard.press("k");
    await page.waitForURL((url) => url.pathname === `/handoffs/${first.id}`);
    await hasText(detailTitle(page), first.name);

    // Enter on a focused row opens it.
    await rowOf(page, second.name).getByRole("link").focus();
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === `/handoffs/${second.id}`);
    await hasText(detailTitle(page), second.name);

    // c claims the open conversation.
    await page.locator("body").focus();
    await page.keyboard.press("c");
    await hasText(rowOf(page, second.name).locator(".assignee"), "Alice");
    await page.getByText("Assigned to Alice", { exact: true }).waitFor();

    // r puts the cursor in the reply box; Enter sends.
    const box = page.getByLabel("Reply to the contact");
    await expect.poll(() => box.isEnabled(), { timeout: WAIT_MS }).toBe(true);
    await page.keyboard.press("r");
    await expect.poll(() => focused(page), { timeout: WAIT_MS }).toBe("reply-text:textarea");
    const text = `Typed after r ${uid()}`;
    await page.keyboard.type(text);
    await page.keyboard.press("Enter");
    await hasText(
      transcript(page).locator("li.msg").filter({ hasText: text }).locator(".bubble"),
      text,
    );

    // e opens the resolve dialog (once out of the reply box).
    await page.keyboard.press("Escape");
    await page.keyboard.press("e");
    const dialog = page.getByRole("dialog", { name: "Resolve this conversation?" });
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });

    // / goes to the search box; what is typed there filters the list, in the URL.
    await page.keyboard.press("/");
    const search = page.getByRole("searchbox", { name: "Search messages or reasons" });
    await expect.poll(() => focused(page), { timeout: WAIT_MS }).toMatch(/:search$/);
    await page.keyboard.type(first.name);
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.searchParams.get("q") === first.name);
    await rowOf(page, second.name).waitFor({ state: "detached" });
    expect(await page.locator("li.row").count()).toBe(1);
    await hasText(page.locator("li.row .contact"), first.name);
    await stillSameDocument(page);
  });

  it("the status filter and the search box ask the server, and the URL keeps them", async () => {
    const { page } = await loggedIn(chromium.browser, "alice@demo.test");
    const open = await escalate("Status open");
    const closed = await escalate("Status closed");
    await claimButton(page, closed.name).click();
    await hasText(rowOf(page, closed.name).locator(".assignee"), "Alice");
    await openFromList(page, closed);
    await page.getByRole("button", { name: "Resolve", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Resolve this conversation?" });
    await dialog.getByRole("button", { name: "Resolve" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.goto("/");
    await rowOf(page, open.name).waitFor();
    expect(await rowOf(page, closed.name).count()).toBe(0);

    await page.getByRole("combobox", { name: /^Status/ }).selectOption("resolved");
    await page.waitForURL((url) => url.searchParams.get("status") === "resolved");
    await rowOf(page, closed.name).waitFor();
    expect(await rowOf(page, open.name).count()).toBe(0);

    const search = page.getByRole("searchbox", { name: "Search messages or reasons" });
    await search.fill(closed.name);
    await page.waitForURL(
      (url) =>
        url.searchParams.get("q") === closed.name && url.searchParams.get("status") === "resolved",
    );
    await expect.poll(() => page.locator("li.row").count(), { timeout: WAIT_MS }).toBe(1);
    await hasText(page.locator("li.row .contact"), closed.name);
    await search.fill(open.name);
    await page.waitForURL((url) => url.searchParams.get("q") === open.name);
    await expect.poll(() => page.locator("li.row").count(), { timeout: WAIT_MS }).toBe(0);

    await page.getByRole("combobox", { name: /^Status/ }).selectOption("all");
    await page.waitForURL(
      (url) => url.searchParams.get("status") === "all" && url.searchParams.get("q") === open.name,
    );
    await expect.poll(() => page.locator("li.row").count(), { timeout: WAIT_MS }).toBe(1);
    await hasText(page.locator("li.row .contact"), open.name);
  });

  it("claim from the open conversation, Release back to the queue, and an admin's Reassign", async () => {
    const h = await escalate("Reassign");
    const [alice, bob, admin] = await Promise.all([
      loggedIn(chromium.browser, "alice@demo.test"),
      loggedIn(chromium.browser, "bob@demo.test"),
      loggedIn(chromium.browser, "admin@demo.test"),
    ]);
    await openFromList(alice.page, h);
    await alice.page
      .getByRole("article")
      .getByRole("button", { name: "Claim", exact: true })
      .click();
    await alice.page.getByText("Assigned to Alice", { exact: true }).waitFor();
    await hasText(rowOf(bob.page, h.name).locator(".assignee"), "Alice");

    await alice.page.getByRole("button", { name: "Release", exact: true }).click();
    await alice.page.getByRole("article").getByText("Unassigned", { exact: true }).waitFor();
    await transcript(alice.page).getByText("Released to the queue by Alice").waitFor();
    await hasText(rowOf(bob.page, h.name).locator(".assignee"), "Unassigned");

    await openFromList(admin.page, h);
    const reassign = admin.page.getByLabel("Reassign to");
    await reassign.focus();
    await expect
      .poll(() => reassign.locator("option", { hasText: "Bob" }).count(), { timeout: WAIT_MS })
      .toBe(1);
    await reassign.selectOption({ label: "Bob" });
    await admin.page.getByText("Assigned to Bob", { exact: true }).waitFor();
    await hasText(rowOf(bob.page, h.name).locator(".assignee"), "Bob");
    await hasText(rowOf(alice.page, h.name).locator(".assignee"), "Bob");
    // Alice no longer holds it.
    expect(await alice.page.getByRole("button", { name: "Release", exact: true }).count()).toBe(0);
  });

  it("a new escalation shows a toast and counts in the tab title", async () => {
    const { page, context } = await loggedIn(chromium.browser, "alice@demo.test");
    const queued = async () =>
      ((await (await context.request.get("/api/stats")).json()) as { queued: number }).queued;
    const before = await queued();
    await expect
      .poll(() => page.title(), { timeout: WAIT_MS })
      .toBe(before > 0 ? `(${before}) Handoff Inbox · Demo Co` : "Handoff Inbox · Demo Co");

    const h = await escalate("Toast");
    const toast = page.locator(".toast").filter({ hasText: h.name });
    await hasText(toast.getByRole("link"), `New escalation: ${h.name} — e2e Toast`);
    expect(await toast.getByRole("link").getAttribute("href")).toBe(`/handoffs/${h.id}`);
    expect(await queued()).toBe(before + 1);
    await expect
      .poll(() => page.title(), { timeout: WAIT_MS })
      .toBe(`(${before + 1}) Handoff Inbox · Demo Co`);

    await toast.getByRole("button", { name: "Dismiss" }).click();
    await toast.waitFor({ state: "detached" });
    await claimButton(page, h.name).click();
    await expect
      .poll(() => page.title(), { timeout: WAIT_MS })
      .toBe(before > 0 ? `(${before}) Handoff Inbox · Demo Co` : "Handoff Inbox · Demo Co");
  });

  it("the stats bar shows the server's counts, and waiting times tick on the page's own clock", async () => {
    const { page, context } = await loggedIn(chromium.browser, "alice@demo.test", {
      beforeOpen: (c) => c.clock.install(),
    });
    const h = await escalate("Ticking");
    const row = rowOf(page, h.name);
    await hasText(row.locator(".wait"), "just now");
    const stats = page.getByRole("definition");
    const stat = (label: string) =>
      page
        .getByLabel("Inbox stats")
        .locator("div.stat")
        .filter({ has: page.getByRole("term").filter({ hasText: new RegExp(`^${label}$`) }) })
        .locator("dd");
    const server = (await (await context.request.get("/api/stats")).json()) as Record<
      string,
      number
    >;
    await expect
      .poll(async () => Number((await stat("Queued").textContent())?.trim()), { timeout: WAIT_MS })
      .toBe(server.queued);
    expect(Number((await stat("Active").textContent())?.trim())).toBe(server.active);
    expect(Number((await stat("Today").textContent())?.trim())).toBe(server.today);
    expect(await stats.count()).toBe(6);

    await page.clock.fastForward("01:05");
    await hasText(row.locator(".wait"), "1m");
    await page.clock.fastForward(60 * 60_000);
    await hasText(row.locator(".wait"), "1h 1m");
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
    await expect
      .poll(() => chip("Unassigned").getAttribute("aria-pressed"), { timeout: WAIT_MS })
      .toBe("true");
    expect(await chip("Mine").getAttribute("aria-pressed")).toBe("false");
    await rowOf(page, h.name).waitFor();
    await stillSameDocument(page);
  });

  it("at 390 px the list shows, a conversation opens full width with a back link", async () => {
    const { page } = await loggedIn(chromium.browser, "alice@demo.test", {
      viewport: { width: 390, height: 844 },
    });
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
    await hasText(
      transcript(page).locator("li.msg").filter({ hasText: later }).locator(".bubble"),
      later,
    );
    await hasText(
      transcript(page).locator("li.msg").filter({ hasText: payload }).first().locator(".bubble"),
      payload,
    );
    await page.getByText(`Summary ${payload}`).waitFor();

    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(
      await page.evaluate(() => (globalThis as unknown as { __xss?: unknown }).__xss),
    ).toBeUndefined();
  });
});
