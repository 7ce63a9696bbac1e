// The inbox in real headless Chromium: several agents at once on the same queue, realtime
// updates without reload, the claim race, replies and their delivery, resolving, and a dropped
// socket that resumes. Every test makes its own handoffs (the demo tenant is shared by the run).
import { describe, expect, it } from "vitest";
import type { HandoffDetail } from "../worker/answers";
import { webhooks } from "./browser";
import {
  botHandoff,
  claimButton,
  useBrowser,
  contactSays,
  detailTitle,
  escalate,
  hasText,
  indicator,
  loggedIn,
  openFromList,
  rowOf,
  socketRelay,
  stillSameDocument,
  transcript,
  uid,
  waitForWebhook,
  WAIT_MS,
  webhooksFor,
} from "./inbox-helpers";

const ALICE = "alice@demo.test";
const BOB = "bob@demo.test";

const chromium = useBrowser();

describe("inbox, two agents in real time", () => {
  it("an escalation through the bot API appears in both agents' lists without reload", async () => {
    const [alice, bob] = await Promise.all([
      loggedIn(chromium.browser, ALICE),
      loggedIn(chromium.browser, BOB),
    ]);
    const h = await escalate("Both see");

    for (const { page } of [alice, bob]) {
      const row = rowOf(page, h.name);
      await row.waitFor();
      expect(await row.count()).toBe(1);
      await hasText(row.locator(".assignee"), "Unassigned");
      await claimButton(page, h.name).waitFor();
      await stillSameDocument(page);
    }
  });

  it("both click Claim at once: exactly one wins, the other is told who and sees the winner", async () => {
    // Both sockets go through a relay that can hold what the server says, as a slow network
    // would: while held, neither page hears of the other's claim, so both clicks send a claim
    // and the two commands really race in the tenant object.
    const relay = socketRelay();
    const [alice, bob] = await Promise.all([
      loggedIn(chromium.browser, ALICE, { beforeOpen: relay.attach }),
      loggedIn(chromium.browser, BOB, { beforeOpen: relay.attach }),
    ]);
    const h = await escalate("Race");
    const buttons = [claimButton(alice.page, h.name), claimButton(bob.page, h.name)];
    await Promise.all(buttons.map((b) => b.waitFor()));
    for (const b of buttons) expect(await b.isEnabled()).toBe(true);

    relay.holding = true;
    await Promise.all(buttons.map((b) => b.click()));
    await expect.poll(() => relay.held.filter((m) => m.ack).length, { timeout: WAIT_MS }).toBe(2);
    relay.release();

    // The server's answer: one assignee, one claimed event.
    await expect
      .poll(async () => (await botHandoff(h.id)).assignee?.name ?? null, { timeout: WAIT_MS })
      .toMatch(/^(Alice|Bob)$/);
    const winner = (await botHandoff(h.id)).assignee!.name as "Alice" | "Bob";
    const [winnerPage, loserPage] =
      winner === "Alice" ? [alice.page, bob.page] : [bob.page, alice.page];
    const detail = (await (
      await alice.context.request.get(`/api/handoffs/${h.id}`)
    ).json()) as HandoffDetail;
    expect(detail.events.filter((e) => e.type === "claimed")).toHaveLength(1);

    // The loser: an inline error naming the winner, and the row now shows the winner.
    await hasText(rowOf(loserPage, h.name).getByRole("alert"), `Claimed by ${winner}`);
    await hasText(rowOf(loserPage, h.name).locator(".assignee"), winner);
    expect(await claimButton(loserPage, h.name).count()).toBe(0);

    // The winner: no error, assigned to them.
    await hasText(rowOf(winnerPage, h.name).locator(".assignee"), winner);
    expect(await rowOf(winnerPage, h.name).getByRole("alert").count()).toBe(0);
    expect(await claimButton(winnerPage, h.name).count()).toBe(0);

    await stillSameDocument(alice.page);
    await stillSameDocument(bob.page);
  });

  it("a reply sent with Enter shows at once, reaches the bot's webhook signed, and becomes Delivered", async () => {
    const { page } = await loggedIn(chromium.browser, ALICE);
    const h = await escalate("Reply");
    await claimButton(page, h.name).click();
    await hasText(rowOf(page, h.name).locator(".assignee"), "Alice");
    await openFromList(page, h);

    const box = page.getByLabel("Reply to the contact");
    await expect.poll(() => box.isEnabled(), { timeout: WAIT_MS }).toBe(true);
    const text = `Hello from Alice ${uid()}`;
    await box.fill(text);
    await box.press("Enter");

    const reply = transcript(page).locator("li").filter({ hasText: text });
    await reply.first().waitFor();
    expect(await box.inputValue()).toBe("");

    const [hook] = await waitForWebhook(
      h.id,
      "message.created",
      (e) => e.data.message.text === text,
    );
    expect(hook!.verified).toBe(true);
    expect(hook!.event.data.message.agent.name).toBe("Alice");

    await hasText(reply.locator(".delivery"), "Delivered");
    expect(await reply.count()).toBe(1);
    await stillSameDocument(page);
  });

  it("a contact message through the bot API appears in every open transcript without reload", async () => {
    const [alice, bob] = await Promise.all([
      loggedIn(chromium.browser, ALICE),
      loggedIn(chromium.browser, BOB),
    ]);
    const h = await escalate("Contact writes");
    await claimButton(alice.page, h.name).click();
    await hasText(rowOf(bob.page, h.name).locator(".assignee"), "Alice");
    await Promise.all([openFromList(alice.page, h), openFromList(bob.page, h)]);

    const text = `Are you still there? ${uid()}`;
    const res = await contactSays(h.conversationId, text);
    expect(res.route).toBe("agent");
    expect(res.route === "agent" ? res.handoff_id : undefined).toBe(h.id);

    for (const page of [alice.page, bob.page]) {
      const message = transcript(page).locator("li.msg.from-contact").filter({ hasText: text });
      await hasText(message.locator(".bubble"), text);
      await hasText(rowOf(page, h.name).locator(".preview"), text);
      await stillSameDocument(page);
    }
  });

  it("resolving asks for the outcome and a note; the note never reaches the bot", async () => {
    const { page } = await loggedIn(chromium.browser, ALICE);
    const h = await escalate("Resolve");
    await claimButton(page, h.name).click();
    await hasText(rowOf(page, h.name).locator(".assignee"), "Alice");
    await openFromList(page, h);

    await page.getByRole("button", { name: "Resolve", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Resolve this conversation?" });
    await dialog.waitFor();
    const toBot = dialog.getByRole("radio", { name: /^Return to bot/ });
    const close = dialog.getByRole("radio", { name: /^Close/ });
    expect(await toBot.isChecked()).toBe(true);
    expect(await close.isChecked()).toBe(false);
    await close.check();
    const note = `internal-note-${uid()} customer was rude`;
    await dialog.getByLabel(/Internal note/).fill(note);
    await dialog.getByRole("button", { name: "Resolve" }).click();
    await dialog.waitFor({ state: "hidden" });

    await hasText(page.locator("article.detail .badge.status"), "Resolved");
    await transcript(page).getByText("Resolved by Alice — closed").waitFor();
    expect(await page.getByRole("button", { name: "Resolve", exact: true }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Release" }).count()).toBe(0);
    expect((await botHandoff(h.id)).status).toBe("resolved");

    const [hook] = await waitForWebhook(h.id, "handoff.resolved");
    expect(hook!.verified).toBe(true);
    expect(hook!.event.data.outcome).toBe("close");
    expect(hook!.event.data.handoff.status).toBe("resolved");
    expect(JSON.stringify(await webhooks())).not.toContain(note);
    expect((await webhooksFor(h.id)).map((w) => w.event.type)).toEqual(
      expect.arrayContaining(["handoff.claimed", "handoff.resolved"]),
    );
    await stillSameDocument(page);
  });

  it("a reply shows Sending… until the server answers, then its delivery", async () => {
    const relay = socketRelay();
    const { page } = await loggedIn(chromium.browser, ALICE, { beforeOpen: relay.attach });
    const h = await escalate("Sending");
    await claimButton(page, h.name).click();
    await hasText(rowOf(page, h.name).locator(".assignee"), "Alice");
    await openFromList(page, h);
    const box = page.getByLabel("Reply to the contact");
    await expect.poll(() => box.isEnabled(), { timeout: WAIT_MS }).toBe(true);

    relay.holding = true;
    const text = `Held reply ${uid()}`;
    await box.fill(text);
    await box.press("Enter");
    const reply = transcript(page).locator("li").filter({ hasText: text });
    await hasText(reply.locator(".delivery"), "Sending…");
    await expect.poll(() => relay.held.filter((m) => m.ack).length, { timeout: WAIT_MS }).toBe(1);
    expect(await reply.count()).toBe(1);
    relay.release();
    await hasText(reply.locator(".delivery"), "Delivered");
    expect(await reply.count()).toBe(1);
  });

  it("a dropped socket reconnects, resumes from the last event it had, and shows what happened meanwhile, without reload", async () => {
    // Chromium's offline emulation leaves open WebSockets alone, so the socket is routed through
    // a relay: while "offline" the current socket is closed and every new one is refused.
    const relay = socketRelay();
    const { context, page } = await loggedIn(chromium.browser, ALICE, { beforeOpen: relay.attach });
    const lists: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/api/handoffs") lists.push(request.url());
    });
    const h = await escalate("Resume");
    await claimButton(page, h.name).click();
    await hasText(rowOf(page, h.name).locator(".assignee"), "Alice");
    await openFromList(page, h);
    // The seq of the last event the page has: the claim it just saw, read from the server's head.
    const head = await page.evaluate(async () => {
      const origin = (globalThis as unknown as { location: { origin: string } }).location.origin;
      const ws = new WebSocket(`${origin.replace("http", "ws")}/api/ws`);
      return new Promise<number>((resolve) =>
        ws.addEventListener(
          "message",
          (e) => (resolve(JSON.parse(String(e.data)).seq), ws.close()),
        ),
      );
    });
    expect(relay.sockets).toHaveLength(2); // the page's own, and the probe just closed

    relay.refuse = true;
    await context.setOffline(true);
    await relay.sockets[0]!.route.close({ code: 4000, reason: "network down" });
    await indicator(page)
      .filter({ hasText: /Reconnecting…|Offline/ })
      .waitFor();

    const meanwhile = await escalate("Meanwhile");
    const text = `Sent while you were away ${uid()}`;
    expect((await contactSays(h.conversationId, text)).route).toBe("agent");
    expect(await rowOf(page, meanwhile.name).count()).toBe(0);
    expect(await transcript(page).locator("li").filter({ hasText: text }).count()).toBe(0);
    const listsBefore = lists.length;

    relay.refuse = false;
    await context.setOffline(false);
    await indicator(page).filter({ hasText: "Live" }).waitFor();
    await rowOf(page, meanwhile.name).waitFor();
    await claimButton(page, meanwhile.name).waitFor();
    await hasText(
      transcript(page).locator("li.msg.from-contact").filter({ hasText: text }).locator(".bubble"),
      text,
    );
    await hasText(detailTitle(page), h.name);

    // It was a resume, not a reload: the new socket asked for what came after the last event
    // the page had, and the list was not fetched again.
    const reconnected = relay.sockets.at(-1)!;
    expect(relay.sockets).toHaveLength(3);
    expect(reconnected.sent.filter((f) => f !== "ping")).toEqual([{ type: "resume", since: head }]);
    expect(lists.length).toBe(listsBefore);
    await stillSameDocument(page);
  });
});
