// A contact's earlier conversations in the detail sidebar, in real headless Chromium: an agent
// opening the contact's new handoff sees the earlier one (its date, status and reason) and can
// open it; a contact with no history says so.
import { describe, expect, it } from "vitest";
import type { EscalateResult } from "../worker/answers";
import { bot } from "./browser";
import { detailTitle, hasText, loggedIn, uid, useBrowser, WAIT_MS } from "./inbox-helpers";
import { apiSession, closeHandoff } from "./routing-helpers";

const chromium = useBrowser();

async function escalateFor(contact: { id: string; name: string }, reason: string) {
  const res = await bot<EscalateResult>("/api/v1/handoffs", {
    conversation_id: `e2e-history-${uid()}`,
    channel: "web",
    contact,
    reason,
  });
  return res.handoff.id;
}

describe("a contact's earlier conversations", () => {
  it("lists the earlier handoff in the sidebar and opens it", async () => {
    const admin = await apiSession("admin@demo.test");
    const contact = { id: `contact-history-${uid()}`, name: `Returning ${uid()}` };
    const first = await escalateFor(contact, "card declined");
    await closeHandoff(admin, first, true);
    const second = await escalateFor(contact, "still declined");

    const { page } = await loggedIn(chromium.browser, "alice@demo.test");
    await page.goto(`/handoffs/${second}`);
    await hasText(detailTitle(page), contact.name);
    const section = page.getByRole("region", { name: "Earlier conversations" });
    const link = section.getByRole("link");
    await link.first().waitFor({ timeout: WAIT_MS });
    expect(await link.count()).toBe(1);
    expect(await section.textContent()).toContain("Resolved");
    expect(await section.textContent()).toContain("card declined");
    await link.first().click();
    await page.waitForURL((url) => url.pathname === `/handoffs/${first}`);
    await hasText(detailTitle(page), contact.name);
    // From the earlier one, the later one is listed in turn; the page was not reloaded.
    await section.getByRole("link").first().waitFor({ timeout: WAIT_MS });
    expect(await section.textContent()).toContain("still declined");
    await closeHandoff(admin, second, true);
  });

  it("says so when there is nothing earlier", async () => {
    const contact = { id: `contact-new-${uid()}`, name: `First timer ${uid()}` };
    const id = await escalateFor(contact, "first time here");
    const admin = await apiSession("admin@demo.test");
    const { page } = await loggedIn(chromium.browser, "alice@demo.test");
    await page.goto(`/handoffs/${id}`);
    const section = page.getByRole("region", { name: "Earlier conversations" });
    await hasText(section.locator("p"), "None: this is the first.");
    await closeHandoff(admin, id, true);
  });
});
