// The website widget's connection and session: when the socket drops (the network goes away,
// the server is not told), what the agent says meanwhile reaches the visitor once it is back, by
// resume and not by a reload, and exactly once; a token the server no longer knows is replaced
// by a new conversation without the visitor noticing.
import type { WebSocketRoute } from "playwright-core";
import { describe, expect, it, onTestFinished } from "vitest";
import type { SettingsAnswer } from "../worker/answers";
import { track, useBrowser, WAIT_MS } from "./inbox-helpers";
import { apiSession, closeHandoff } from "./routing-helpers";
import {
  composer,
  launcher,
  panel,
  useHostSite,
  visitorConversation,
  widgetLog,
  widgetStatus,
} from "./widget-helpers";

const chromium = useBrowser();
const host = useHostSite();

interface Relayed {
  route: WebSocketRoute;
  server: WebSocketRoute;
  sent: unknown[];
}

describe("the website widget's connection", () => {
  it("comes back after a drop and resumes: what was said meanwhile arrives once", async () => {
    const { site } = host;
    const admin = site.admin;
    const before = (await admin<SettingsAnswer>("GET", "/api/admin/settings")).settings;
    let handoffId: string | null = null;
    onTestFinished(async () => {
      await admin("PATCH", "/api/admin/settings", { routing: before.routing });
      if (!handoffId) return;
      const { handoff } = await admin<{ handoff: { status: string } }>(
        "GET",
        `/api/handoffs/${handoffId}`,
      );
      if (handoff.status === "queued" || handoff.status === "active")
        await closeHandoff(admin, handoffId, handoff.status === "queued");
    });
    await admin("PATCH", "/api/admin/settings", { routing: "claim" });

    // Every widget socket goes through a relay that can play a dead network.
    const sockets: Relayed[] = [];
    let offline = false;
    const context = track(await chromium.browser.newContext());
    await context.routeWebSocket(/\/api\/widget\/ws/, (route) => {
      if (offline) return void route.close({ code: 4000, reason: "offline" });
      const server = route.connectToServer();
      const socket: Relayed = { route, server, sent: [] };
      sockets.push(socket);
      route.onMessage((message) => {
        socket.sent.push(message === "ping" ? message : JSON.parse(String(message)));
        server.send(message);
      });
      server.onMessage((message) => route.send(message));
    });
    const page = await context.newPage();
    await page.goto(site.url);
    await launcher(page).click();
    await composer(page).fill("A human, please");
    await composer(page).press("Enter");
    await expect
      .poll(async () => (await widgetStatus(page).textContent())?.trim(), { timeout: WAIT_MS })
      .toMatch(/^Waiting for a person — you are number \d+ in the queue/);
    handoffId = (await visitorConversation(page, site.channelId)).handoff!.id;
    expect(sockets).toHaveLength(1);

    // The network goes away; meanwhile Alice claims and answers.
    offline = true;
    await sockets[0]!.server.close();
    await sockets[0]!.route.close({ code: 4000, reason: "offline" });
    const alice = await apiSession("alice@demo.test");
    await alice("POST", `/api/handoffs/${handoffId}/claim`);
    await alice("POST", `/api/handoffs/${handoffId}/messages`, {
      text: "Sorry for the wait, I am here now.",
    });
    expect(await widgetLog(page).getByText("I am here now.").count()).toBe(0);

    // Back online: the widget reconnects by itself and resumes after the last frame it had.
    offline = false;
    const reply = widgetLog(page).getByText("Sorry for the wait, I am here now.");
    await reply.waitFor();
    await panel(page).getByText("Alice joined the conversation").waitFor();
    expect(await reply.count()).toBe(1);
    const resumed = sockets
      .at(-1)!
      .sent.find(
        (f): f is { type: "resume"; since: number } =>
          typeof f === "object" && f !== null && "type" in f && f.type === "resume",
      );
    expect(sockets.length).toBeGreaterThan(1);
    expect(resumed?.since).toBeGreaterThan(0);
  });
});

describe("the website widget's session", () => {
  it("starts a new conversation when the server no longer knows the visitor's token", async () => {
    const { site } = host;
    const context = track(await chromium.browser.newContext());
    const page = await context.newPage();
    const key = `handoff-widget:${site.channelId}`;
    await page.goto(site.url);
    // A token the server never issued (or has forgotten), as a months-old visit would leave.
    await page.evaluate(
      ({ key }) =>
        (
          globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }
        ).localStorage.setItem(key, "wv_demo.forgotten-long-ago"),
      { key },
    );
    await page.reload();
    await launcher(page).click();
    await composer(page).fill("Hello again, I need a human");
    await composer(page).press("Enter");
    await widgetLog(page).getByText("Hello again, I need a human").waitFor();
    await panel(page)
      .getByText(/^Waiting for a person/)
      .waitFor();
    const token = await page.evaluate(
      ({ key }) =>
        (
          globalThis as unknown as { localStorage: { getItem(k: string): string | null } }
        ).localStorage.getItem(key),
      { key },
    );
    expect(token).toMatch(/^wv_demo\./);
    expect(token).not.toBe("wv_demo.forgotten-long-ago");
    const { handoff } = await visitorConversation(page, site.channelId);
    expect(handoff).not.toBeNull();
    await closeHandoff(site.admin, handoff!.id, handoff!.status === "queued");
  });
});

describe("a returning visitor", () => {
  it("with the panel closed, still gets the agent's reply live, marked as new", async () => {
    const { site } = host;
    const context = track(await chromium.browser.newContext());
    const page = await context.newPage();
    await page.goto(site.url);
    await launcher(page).click();
    await composer(page).fill("Is a human around?");
    await composer(page).press("Enter");
    await panel(page)
      .getByText(/^Waiting for a person/)
      .waitFor();
    const id = (await visitorConversation(page, site.channelId)).handoff!.id;
    onTestFinished(async () => {
      const { handoff } = await site.admin<{ handoff: { status: string } }>(
        "GET",
        `/api/handoffs/${id}`,
      );
      if (handoff.status === "queued" || handoff.status === "active")
        await closeHandoff(site.admin, id, handoff.status === "queued");
    });
    await page.keyboard.press("Escape");
    await panel(page).waitFor({ state: "hidden" });

    // Another page of the site: the panel stays closed, and the conversation waits for a person.
    await page.reload();
    await launcher(page).waitFor();
    expect(await panel(page).isVisible()).toBe(false);
    const alice = await apiSession("alice@demo.test");
    await alice("POST", `/api/handoffs/${id}/claim`);
    await alice("POST", `/api/handoffs/${id}/messages`, { text: "Yes, I am here." });
    await page.getByRole("button", { name: /^Open chat: .+ \(new message\)$/ }).click();
    await widgetLog(page).getByText("Yes, I am here.").waitFor();
    await launcher(page)
      .and(page.getByRole("button", { name: /\(new message\)$/ }))
      .waitFor({
        state: "detached",
      });
  });
});
