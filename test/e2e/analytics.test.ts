// The analytics dashboard in headless Chromium: after a few handoffs are escalated, claimed,
// answered and resolved through the API, an admin's dashboard shows the figures
// GET /api/analytics gives for the same range; an agent has no link and is told the page is not
// for their role. The demo tenant is shared by the run, so the test compares with the API's
// answer rather than with absolute counts, once the history it made has reached the figures.
import type { Page } from "playwright-core";
import { describe, expect, it, onTestFinished } from "vitest";
import type { Analytics } from "../../schema/analytics";
import { durationOrNone, ratingOrNone, summaryFigures } from "../../web/src/lib/analytics/figures";
import { botHandoff, escalate, hasText, loggedIn, useBrowser, WAIT_MS } from "./inbox-helpers";
import { apiSession, closeHandoff, type ApiCall } from "./routing-helpers";

const chromium = useBrowser();
const RANGE = "range=7d&tz=UTC";

/** The dashboard's summary, as "label: value" lines in order. */
async function shownFigures(page: Page): Promise<string[]> {
  return page
    .locator("dl.figures .figure")
    .evaluateAll((nodes) =>
      nodes.map(
        (n) =>
          `${n.querySelector("dt")?.textContent?.trim()}: ${n.querySelector("dd")?.textContent?.trim()}`,
      ),
    );
}

/** Rows of a table (header cells and data cells), as text. */
async function tableRows(page: Page, name: string): Promise<string[][]> {
  return page
    .getByRole("table", { name })
    .locator("tbody tr")
    .evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll("th, td")].map((c) => c.textContent?.trim() ?? "")),
    );
}

/** The seconds behind each cell of a table's rows (data-seconds; "" where nothing was measured). */
async function tableSeconds(page: Page, name: string): Promise<string[][]> {
  return page
    .getByRole("table", { name })
    .locator("tbody tr")
    .evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].map((c) => c.dataset.seconds ?? "missing")),
    );
}

/** Polls the API until `ready` holds for two answers in a row that are the same. */
async function settledAnalytics(
  admin: ApiCall,
  path: string,
  ready: (a: Analytics) => boolean,
): Promise<Analytics> {
  let last = "";
  await expect
    .poll(
      async () => {
        const answer = await admin<Analytics>("GET", path);
        const text = JSON.stringify(answer);
        const settled = ready(answer) && text === last;
        last = text;
        return settled;
      },
      { timeout: WAIT_MS, interval: 300 },
    )
    .toBe(true);
  return JSON.parse(last) as Analytics;
}

describe("the analytics dashboard", () => {
  it("shows an admin the figures the API gives for the same range", async () => {
    const admin = await apiSession("admin@demo.test");
    const { from, to } = await admin<Analytics>("GET", "/api/analytics?tz=UTC");
    const path = `/api/analytics?from=${from}&to=${to}&tz=UTC`;
    const before = (await admin<Analytics>("GET", path)).summary;

    // Three handoffs: one resolved after a reply, one claimed and left open, one waiting.
    const [done, open] = [await escalate("Analytics done"), await escalate("Analytics open")];
    const waiting = await escalate("Analytics waiting");
    // The tenant is shared: leave nothing open for the other files.
    onTestFinished(async () => {
      for (const h of [done, open, waiting]) {
        const { status } = await botHandoff(h.id);
        if (status === "queued" || status === "active")
          await closeHandoff(admin, h.id, status === "queued");
      }
    });
    const at = (id: string) => `/api/handoffs/${encodeURIComponent(id)}`;
    await admin("POST", `${at(done.id)}/claim`);
    await admin("POST", `${at(done.id)}/messages`, { text: "On it." });
    await admin("POST", `${at(done.id)}/resolve`, { outcome: "close" });
    await admin("POST", `${at(open.id)}/claim`);

    const expected = await settledAnalytics(
      admin,
      path,
      (a) =>
        a.summary.handoffs >= before.handoffs + 3 &&
        a.summary.claimed >= before.claimed + 2 &&
        a.summary.resolved >= before.resolved + 1,
    );

    const { page } = await loggedIn(chromium.browser, "admin@demo.test");
    await page.getByRole("link", { name: "Analytics", exact: true }).first().click();
    await page.waitForURL((url) => url.pathname === "/analytics");
    // The 7 days are the default, in the browser's zone; UTC from the URL here.
    await page.goto(`/analytics?${RANGE}`);
    await hasText(page.locator(".range-read"), `${from} to ${to}, UTC`);

    expect(await shownFigures(page)).toEqual(
      summaryFigures(expected).map((f) => `${f.label}: ${f.value}`),
    );
    expect(await shownFigures(page)).toContain(`Handoffs: ${expected.summary.handoffs}`);

    // The chart's table: one row per day of the range, with the API's counts.
    await page.getByText("Table: handoffs per day").click();
    const days = await tableRows(page, "Handoffs per day");
    expect(days).toEqual(
      expected.by_day.map((d) =>
        [d.date, d.handoffs, d.claimed, d.resolved, d.expired].map(String),
      ),
    );
    const agents = await tableRows(page, "By agent");
    expect(agents.map((r) => r.slice(0, 3))).toEqual(
      expected.by_agent.map((a) => [a.agent.name, String(a.claimed), String(a.resolved)]),
    );
    expect(agents.some((r) => r[0] === "Ada Admin")).toBe(true);
    const channels = await tableRows(page, "By channel");
    expect(channels).toEqual(
      expected.by_channel.map((c) => [
        c.channel,
        String(c.handoffs),
        String(c.expired),
        ratingOrNone(c.rating),
      ]),
    );

    // Time to claim and first response per day: the chart's table holds the API's by_day
    // percentiles, shown as durations and kept in seconds.
    const PER_DAY = "Time to claim and first response per day";
    await page.getByText("Table: time to claim and first response per day").click();
    const perDay = (d: Analytics["by_day"][number]) => [
      d.time_to_claim_seconds.p50,
      d.time_to_claim_seconds.p90,
      d.first_response_seconds.p50,
      d.first_response_seconds.p90,
    ];
    expect(await tableRows(page, PER_DAY)).toEqual(
      expected.by_day.map((d) => [d.date, ...perDay(d).map(durationOrNone)]),
    );
    expect(await tableSeconds(page, PER_DAY)).toEqual(
      expected.by_day.map((d) => perDay(d).map((v) => (v === null ? "" : String(v)))),
    );
    // Today has the claim and the reply made above, so the chart is drawn: a marker per measured
    // day and series (circles for time to claim, squares for first response), p90 dashed.
    const chart = page.getByRole("img", { name: "Time to claim and first response" });
    const measured = (pick: (d: Analytics["by_day"][number]) => (number | null)[]) =>
      expected.by_day.flatMap(pick).filter((v) => v !== null).length;
    expect(await chart.locator("circle").count()).toBe(measured((d) => perDay(d).slice(0, 2)));
    expect(await chart.locator("rect").count()).toBe(measured((d) => perDay(d).slice(2)));
    const dashes = await chart.locator("g.series > path").evaluateAll((paths) =>
      paths.map((p) => ({
        p90: p.parentElement?.classList.contains("p90") ?? false,
        dash: p.ownerDocument.defaultView?.getComputedStyle(p).strokeDasharray ?? "missing",
      })),
    );
    expect(dashes.map((d) => d.p90)).toEqual([false, true, false, true]);
    for (const { p90, dash } of dashes) expect(dash === "none", dash).toBe(!p90);

    // The export asks for the same range.
    expect(await page.getByRole("link", { name: "Export CSV" }).getAttribute("href")).toBe(
      `/api/analytics.csv?from=${from}&to=${to}&tz=UTC`,
    );
  });

  it("changing the range is a new URL and new figures", async () => {
    const { page } = await loggedIn(chromium.browser, "viewer@demo.test");
    await page.goto(`/analytics?${RANGE}`);
    await page.getByRole("button", { name: "Today" }).click();
    await page.waitForURL((url) => url.searchParams.get("range") === "today");
    const admin = await apiSession("admin@demo.test");
    const { to } = await admin<Analytics>("GET", "/api/analytics?tz=UTC");
    await hasText(page.locator(".range-read"), `${to}, UTC`);
    await page.getByText("Table: handoffs per day").click();
    expect(await tableRows(page, "Handoffs per day")).toHaveLength(1);
  });

  it("gives an agent no link, and tells them the page is not for their role", async () => {
    const { page } = await loggedIn(chromium.browser, "alice@demo.test");
    await page.getByRole("button", { name: "Log out" }).waitFor();
    await expect
      .poll(() => page.getByRole("link", { name: "Analytics", exact: true }).count())
      .toBe(0);
    await page.goto("/analytics");
    const notice = page.getByRole("alert");
    await hasText(notice.locator("p"), "Analytics is not available for your role.");
    await notice.getByRole("link", { name: "Back to the inbox" }).waitFor();
    expect(await page.locator("dl.figures").count()).toBe(0);
  });
});
