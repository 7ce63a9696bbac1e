// The inbox's layout at a phone's, a tablet's, a laptop's and a wide screen's width, in real
// headless Chromium: no sideways scrolling, no stats label cut short, the open conversation's
// reply box at the bottom of the screen, and a toast that covers neither the Send button nor the
// conversation's own actions.
import type { Locator, Page } from "playwright-core";
import { describe, expect, it, onTestFinished } from "vitest";
import {
  escalate,
  hasText,
  loggedIn,
  openFromList,
  useBrowser,
  WAIT_MS,
  type Escalated,
} from "./inbox-helpers";
import { apiSession, closeHandoff } from "./routing-helpers";

const chromium = useBrowser();

const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 768, height: 1024 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
];

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function boxOf(locator: Locator): Promise<Box> {
  const box = await locator.boundingBox();
  if (!box) throw new Error("not rendered");
  return box;
}

/** The stats labels whose text does not fit their box (cut or ellipsed). */
const cutLabels = (page: Page) =>
  page
    .getByRole("term")
    .evaluateAll((terms) =>
      terms.filter((t) => t.scrollWidth > t.clientWidth).map((t) => t.textContent),
    );

describe("inbox layout", () => {
  for (const viewport of VIEWPORTS) {
    it(`at ${viewport.width} px: nothing cut or covered`, async () => {
      const alice = await apiSession("alice@demo.test");
      const admin = await apiSession("admin@demo.test");
      const mine: Escalated = await escalate(`Layout ${viewport.width}`);
      await alice("POST", `/api/handoffs/${mine.id}/claim`);
      onTestFinished(() => closeHandoff(alice, mine.id, false));
      const { page } = await loggedIn(chromium.browser, "alice@demo.test", { viewport });

      expect(await cutLabels(page)).toEqual([]);
      await openFromList(page, mine);
      const send = page.getByRole("button", { name: "Send", exact: true });
      await send.waitFor();
      expect(
        await page.evaluate(
          "document.documentElement.scrollWidth <= document.documentElement.clientWidth",
        ),
      ).toBe(true);
      // The conversation fills the screen: its reply box sits at the bottom, not mid-page.
      const sendBox = await boxOf(send);
      expect(viewport.height - (sendBox.y + sendBox.height)).toBeLessThan(48);

      // A new escalation while the conversation is open: its toast keeps clear of the controls.
      const other = await escalate(`Layout toast ${viewport.width}`);
      onTestFinished(() => closeHandoff(admin, other.id, true));
      const toast = page.locator(".toast").filter({ hasText: other.name });
      await hasText(
        toast.getByRole("link"),
        `New escalation: ${other.name} — e2e Layout toast ${viewport.width}`,
      );
      const toastBox = await boxOf(toast);
      const actions = page.getByRole("article").getByRole("button", { name: "Resolve" });
      await actions.waitFor({ timeout: WAIT_MS });
      expect(overlaps(toastBox, await boxOf(send))).toBe(false);
      expect(overlaps(toastBox, await boxOf(actions))).toBe(false);
      expect(overlaps(toastBox, await boxOf(page.getByLabel("Reply to the contact")))).toBe(false);
    });
  }
});
