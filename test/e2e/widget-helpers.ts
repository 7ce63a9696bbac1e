// The website widget's browser tests: a customer's page on another origin than the app (the
// demo page's server, on a free port), a web channel allowing just that origin, and locators
// into the widget's shadow DOM (Playwright's role locators pierce open shadow roots).
import type { Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { startDemoSite } from "../../scripts/demo-site.mjs";
import { freePort } from "../../scripts/run.mjs";
import { baseUrl } from "./browser";
import { uid } from "./inbox-helpers";
import { apiSession, type ApiCall } from "./routing-helpers";

export const ACCENT = "#0f766e";
export const ACCENT_RGB = "rgb(15, 118, 110)";
export const GREETING = "Hi! Ask us anything — write “human” for a person.";

export interface HostSite {
  /** The customer's page, e.g. http://localhost:41234 (the app is on 127.0.0.1). */
  url: string;
  channelId: string;
  channelName: string;
  admin: ApiCall;
}

/**
 * Starts the customer's page and connects a web channel (the demo bot, the keyword "human")
 * that allows its origin; both are removed after the file.
 */
export function useHostSite(): { readonly site: HostSite } {
  let site: HostSite | null = null;
  let close: (() => Promise<unknown>) | null = null;
  beforeAll(async () => {
    const admin = await apiSession("admin@demo.test");
    const port = await freePort();
    const channelName = `Demo shop ${uid()}`;
    const { channel } = await admin<{ channel: { id: string } }>("POST", "/api/admin/channels", {
      type: "web",
      name: channelName,
      bot_id: "bot_demo",
      handoff_keywords: ["human"],
      allowed_origins: [`http://localhost:${port}`],
      accent_color: ACCENT,
      greeting: GREETING,
    });
    const server = await startDemoSite({
      appUrl: baseUrl(),
      channelId: channel.id,
      port,
      host: "localhost",
    });
    close = server.close;
    site = { url: server.url, channelId: channel.id, channelName, admin };
  });
  afterAll(async () => {
    await close?.();
    if (site) await site.admin("DELETE", `/api/admin/channels/${site.channelId}`);
  });
  return {
    get site(): HostSite {
      if (!site) throw new Error("the host site is not started yet");
      return site;
    },
  };
}

export const launcher = (page: Page) => page.getByRole("button", { name: /^Open chat/ });
export const panel = (page: Page) => page.getByRole("dialog");
export const widgetLog = (page: Page) => page.getByRole("log", { name: "Conversation" });
export const widgetStatus = (page: Page) => panel(page).getByRole("status");
export const composer = (page: Page) => panel(page).getByRole("textbox", { name: "Message" });

/** Computed styles of an element of the page (or of the widget's shadow root, by selector). */
export function styleOf(
  page: Page,
  selector: string,
  properties: string[],
  inWidget = false,
): Promise<Record<string, string>> {
  return page.evaluate(
    ({ selector, properties, inWidget }) => {
      interface Styled {
        getPropertyValue(name: string): string;
      }
      interface Scope {
        querySelector(selector: string): object | null;
      }
      const g = globalThis as unknown as {
        document: Scope;
        getComputedStyle(el: object): Styled;
      };
      const host = g.document.querySelector("handoff-chat-widget") as {
        shadowRoot: Scope | null;
      } | null;
      const scope = inWidget ? host?.shadowRoot : g.document;
      const el = scope?.querySelector(selector);
      if (!el) throw new Error(`no ${selector}`);
      const style = g.getComputedStyle(el);
      return Object.fromEntries(properties.map((p) => [p, style.getPropertyValue(p)]));
    },
    { selector, properties, inWidget },
  );
}

/** The visitor's own conversation, read as the widget reads it (from the customer's page). */
export function visitorConversation(
  page: Page,
  channelId: string,
): Promise<{ handoff: { id: string; status: string } | null }> {
  return page.evaluate(
    async ({ app, key }) => {
      const g = globalThis as unknown as { localStorage: { getItem(k: string): string | null } };
      const res = await fetch(`${app}/api/widget/conversation`, {
        headers: { authorization: `Bearer ${g.localStorage.getItem(key)}` },
      });
      if (!res.ok) throw new Error(`conversation: ${res.status}`);
      return (await res.json()) as { handoff: { id: string; status: string } | null };
    },
    { app: baseUrl(), key: `handoff-widget:${channelId}` },
  );
}
