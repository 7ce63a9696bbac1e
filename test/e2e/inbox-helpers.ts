// Shared pieces of the inbox browser tests: unique handoffs through the bot API, locators
// scoped to them, webhook polling, and the contexts each test opens (closed after it).
import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Locator, Page, WebSocketRoute } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { HandoffWithMetadata } from "../../schema/shapes";
import type {
  BotHandoffAnswer,
  ContactMessageResult,
  EscalateResult,
  WebhookEvent,
} from "../worker/answers";
import { baseUrl, bot, launch, PASSWORD, webhooks, type ReceivedWebhook } from "./browser";

/** How long a locator or poll may wait before the test fails with a readable message. */
export const WAIT_MS = 15_000;

export const uid = () => randomUUID().slice(0, 8);

export interface Escalated {
  id: string;
  name: string;
  conversationId: string;
}

/** Escalates a fresh conversation whose contact is called `${label} ${uid}`. */
export async function escalate(
  label: string,
  extra: Record<string, unknown> = {},
): Promise<Escalated> {
  const tag = uid();
  const name = `${label} ${tag}`;
  const conversationId = `e2e-${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${tag}`;
  const res = await bot<EscalateResult>("/api/v1/handoffs", {
    conversation_id: conversationId,
    channel: "web",
    contact: { id: `contact-${tag}`, name },
    reason: `e2e ${label}`,
    ...extra,
  });
  expect(res.created).toBe(true);
  return { id: res.handoff.id, name, conversationId };
}

/** The contact writes on the channel; the gateway forwards it. */
export async function contactSays(
  conversationId: string,
  text: string,
): Promise<ContactMessageResult> {
  return bot<ContactMessageResult>("/api/v1/messages", {
    conversation_id: conversationId,
    id: `msg-${uid()}`,
    text,
    at: new Date().toISOString(),
  });
}

/** GET /api/v1/handoffs/{id} as the demo bot. */
export async function botHandoff(id: string): Promise<HandoffWithMetadata> {
  const res = await fetch(`${baseUrl()}/api/v1/handoffs/${encodeURIComponent(id)}`, {
    headers: { authorization: "Bearer hk_demo_local_key" },
  });
  if (!res.ok) throw new Error(`GET handoff ${id}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as BotHandoffAnswer).handoff;
}

/** A received webhook of one type. */
export type WebhookOf<K extends WebhookEvent["type"]> = ReceivedWebhook & {
  event: Extract<WebhookEvent, { type: K }>;
};

/** Webhooks the receiver got about one handoff (of one type, when given). */
export async function webhooksFor<K extends WebhookEvent["type"]>(
  handoffId: string,
  type?: K,
): Promise<WebhookOf<K>[]> {
  // The receiver also records what is not about a handoff (a bot's test event, provider calls).
  const about = (w: ReceivedWebhook) =>
    (w.event?.data as { handoff?: { id?: string } } | undefined)?.handoff?.id === handoffId;
  return (await webhooks()).filter(
    (w): w is WebhookOf<K> => about(w) && (!type || w.event?.type === type),
  );
}

/** Polls the receiver until a webhook about `handoffId` of `type` matches. */
export async function waitForWebhook<K extends WebhookEvent["type"]>(
  handoffId: string,
  type: K,
  match: (event: WebhookOf<K>["event"]) => boolean = () => true,
) {
  await expect
    .poll(async () => (await webhooksFor(handoffId, type)).some((w) => match(w.event)), {
      timeout: WAIT_MS,
      interval: 100,
    })
    .toBe(true);
  return (await webhooksFor(handoffId, type)).filter((w) => match(w.event));
}

// --- locators -----------------------------------------------------------------------------

export const rowOf = (page: Page, name: string) => page.locator("li.row").filter({ hasText: name });
export const claimButton = (page: Page, name: string) =>
  rowOf(page, name).getByRole("button", { name: `Claim conversation with ${name}` });
/** The connection indicator (the toasts region is a status too). */
export const indicator = (page: Page) =>
  page.getByRole("status").filter({ has: page.getByRole("button", { name: "Refresh" }) });
export const transcript = (page: Page) => page.getByRole("log", { name: "Transcript" });
export const detailTitle = (page: Page) => page.locator("#detail-title");

/** Waits until the locator's text is exactly `text` (whitespace trimmed). */
export async function hasText(locator: Locator, text: string): Promise<void> {
  await expect
    .poll(
      async () =>
        (await locator.count()) === 1
          ? (await locator.textContent())?.trim()
          : `<${await locator.count()} elements>`,
      { timeout: WAIT_MS },
    )
    .toBe(text);
}

/** Opens a conversation from its row in the list (a client-side navigation, no reload). */
export async function openFromList(page: Page, h: Escalated): Promise<void> {
  await rowOf(page, h.name).getByRole("link").click();
  await page.waitForURL((url) => url.pathname === `/handoffs/${h.id}`);
  await hasText(detailTitle(page), h.name);
}

/** Marks the document; `stillSameDocument` fails if the page was reloaded since. */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => ((globalThis as unknown as { __e2eMark: boolean }).__e2eMark = true));
}
export async function stillSameDocument(page: Page): Promise<void> {
  expect(
    await page.evaluate(() => (globalThis as unknown as { __e2eMark?: boolean }).__e2eMark),
  ).toBe(true);
}

/** Fills and sends the login form. */
export async function logIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/**
 * A relay for the inbox's sockets that can hold what the server says, as a slow network would,
 * and records what each page sent. Attach it with `loggedIn(..., { beforeOpen: relay.attach })`.
 */
export function socketRelay() {
  const held: { ack: boolean; deliver: () => void }[] = [];
  /** Every socket opened through the relay, with the frames its page sent. */
  const sockets: { route: WebSocketRoute; sent: unknown[] }[] = [];
  const relay = {
    holding: false,
    held,
    sockets,
    refuse: false,
    attach: (context: BrowserContext) =>
      context.routeWebSocket(/\/api\/ws$/, (route) => {
        if (relay.refuse) return void route.close({ code: 4000, reason: "offline" });
        const server = route.connectToServer();
        const socket = { route, sent: [] as unknown[] };
        sockets.push(socket);
        route.onMessage((message) => {
          socket.sent.push(message === "ping" ? message : JSON.parse(String(message)));
          server.send(message);
        });
        server.onMessage((message) => {
          const deliver = () => route.send(message);
          if (relay.holding) held.push({ ack: String(message).includes('"type":"ack"'), deliver });
          else deliver();
        });
      }),
    /** Delivers everything held, in order, and stops holding. */
    release() {
      relay.holding = false;
      for (const m of held.splice(0)) m.deliver();
    },
  };
  return relay;
}

// --- contexts -----------------------------------------------------------------------------

const open = new Set<BrowserContext>();
type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;
/** One login per user per file: the login limiter allows 10 attempts a minute per account. */
const sessions = new Map<string, StorageState>();

/** Uncaught exceptions in any page of the test; `closeContexts` fails the test on any. */
const pageErrors: string[] = [];

export function track(context: BrowserContext): BrowserContext {
  open.add(context);
  context.setDefaultTimeout(WAIT_MS);
  context.on("page", (page) =>
    page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`)),
  );
  return context;
}

/**
 * A new browser context on the inbox as the given demo user (closed by `closeContexts`, even when
 * the test fails). The first time for a user it logs in through the login form; later contexts
 * reuse that session. `beforeOpen` runs before the page (and its socket).
 */
export async function loggedIn(
  browser: Browser,
  email: string,
  {
    viewport = { width: 1440, height: 900 },
    beforeOpen,
  }: {
    viewport?: { width: number; height: number };
    beforeOpen?: (context: BrowserContext) => Promise<void>;
  } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const saved = sessions.get(email);
  const context = track(
    await browser.newContext({ viewport, baseURL: baseUrl(), storageState: saved }),
  );
  await beforeOpen?.(context);
  const page = await context.newPage();
  if (saved) {
    await page.goto("/");
  } else {
    await page.goto("/login");
    await logIn(page, email);
  }
  await indicator(page).filter({ hasText: "Live" }).waitFor();
  if (!saved) sessions.set(email, await context.storageState());
  await markDocument(page);
  return { context, page };
}

export async function closeContexts(): Promise<void> {
  const contexts = [...open];
  open.clear();
  await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
  expect(pageErrors.splice(0), "uncaught errors in the inbox pages").toEqual([]);
}

/**
 * One Chromium for the file, its contexts closed after each test and the browser after all.
 * Returns the browser (a live binding: read it inside tests, after beforeAll has run).
 */
export function useBrowser(): { readonly browser: Browser } {
  const holder: { browser: Browser | null } = { browser: null };
  beforeAll(async () => {
    holder.browser = await launch();
  });
  afterEach(closeContexts);
  afterAll(async () => {
    await holder.browser?.close();
  });
  return {
    get browser(): Browser {
      if (!holder.browser) throw new Error("the browser is not started yet");
      return holder.browser;
    },
  };
}
