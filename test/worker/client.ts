// Talking to the Worker as bots, browsers and sockets do.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { EventFrame, ServerFrame } from "../../schema/realtime";
import { Webhook } from "standardwebhooks";
import type {
  ApiError,
  ApiKeyAnswer,
  BotAnswer,
  ContactMessageResult,
  EscalateResult,
  HandoffAnswer,
  HandoffDetail,
  RoutedToAgent,
  WebhookEvent,
} from "./answers";
import { PASSWORD, WEBHOOK_SECRET, type TestTenant, type TestUser } from "./fixtures";
import type { TimerKind } from "../../worker/src/tenant/timers";
import { FrameSocket } from "./frame-socket";

export const ORIGIN = "https://inbox.test";

/** What a socket receives: the server's frames, and `pong` answering a `ping`. */
export type ReceivedFrame = ServerFrame | { type: "pong" };

/** The server frame of one type. */
export type FrameOf<K extends ServerFrame["type"]> = Extract<ServerFrame, { type: K }>;

export interface CallOptions {
  method?: string;
  body?: unknown;
  rawBody?: string;
  cookie?: string;
  key?: string;
  origin?: string | null;
  headers?: Record<string, string>;
}

export async function call(path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.body !== undefined || options.rawBody !== undefined)
    headers.set("content-type", "application/json");
  if (options.cookie) headers.set("cookie", options.cookie);
  if (options.key) headers.set("authorization", `Bearer ${options.key}`);
  const method =
    options.method ??
    (options.body !== undefined || options.rawBody !== undefined ? "POST" : "GET");
  if (options.origin !== null && method !== "GET") headers.set("origin", options.origin ?? ORIGIN);
  return exports.default.fetch(`${ORIGIN}${path}`, {
    method,
    headers,
    body:
      options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
}

/** Calls and parses, asserting the status so a failure shows the body. */
export async function json<T = unknown>(
  path: string,
  options: CallOptions & { status?: number } = {},
): Promise<T> {
  const res = await call(path, options);
  const text = await res.text();
  if (options.status !== undefined) expect(res.status, `${path}: ${text}`).toBe(options.status);
  return JSON.parse(text) as T;
}

/** A random address in 10/8, for a client of its own (login limits count per client address). */
export function freshIp(): string {
  const [a, b, c] = crypto.getRandomValues(new Uint8Array(3));
  return `10.${a}.${b}.${c}`;
}

/** Each person logs in from their own desk, so logins in tests never share a client's allowance. */
const desks = new Map<string, string>();
export function deskOf(user: TestUser): string {
  if (!desks.has(user.id)) desks.set(user.id, freshIp());
  return desks.get(user.id)!;
}

export async function login(user: TestUser): Promise<string> {
  const res = await call("/api/auth/login", {
    body: { email: user.email, password: PASSWORD },
    headers: { "cf-connecting-ip": deskOf(user) },
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.get("set-cookie") ?? "";
  return cookie.split(";")[0]!;
}

let conversation = 0;
const FIRST_NAMES = ["Maria", "Kenji", "Amara", "Lars", "Priya", "Tomasz", "Fatima", "Diego"];
const LAST_NAMES = ["Lopez", "Sato", "Okafor", "Nilsson", "Raman", "Nowak", "Haddad", "Ferreira"];

/** A distinct contact name per escalation (64 before they repeat), so searches can tell them apart. */
export function contactName(n: number): string {
  return `${FIRST_NAMES[n % FIRST_NAMES.length]} ${LAST_NAMES[Math.floor(n / FIRST_NAMES.length) % LAST_NAMES.length]}`;
}

export function escalation(overrides: Record<string, unknown> = {}) {
  conversation += 1;
  return {
    conversation_id: `conv-${Date.now()}-${conversation}`,
    channel: "whatsapp",
    contact: {
      id: `contact-${conversation}`,
      name: contactName(conversation),
      phone: "+34 600 000 000",
    },
    reason: "asked for a human",
    summary: "Wants to change the delivery address of order 1042.",
    tags: ["orders"],
    priority: "normal",
    history: [
      {
        id: "h1",
        from: "contact",
        text: "Hi, I need to change my address",
        at: "2026-11-21T10:00:00Z",
      },
      {
        id: "h2",
        from: "bot",
        text: "I can't do that, let me get a person.",
        at: "2026-11-21T10:00:05Z",
      },
    ],
    ...overrides,
  };
}

export async function escalate(
  tenant: TestTenant,
  overrides: Record<string, unknown> = {},
): Promise<EscalateResult> {
  return json<EscalateResult>("/api/v1/handoffs", {
    key: tenant.apiKey,
    body: escalation(overrides),
    status: 201,
  });
}

let contactIds = 0;
/** The contact writes in an open conversation (through the bot); asserts it reached the agents. */
export async function contactSays(
  tenant: TestTenant,
  conversationId: string,
  text: string,
): Promise<RoutedToAgent> {
  contactIds += 1;
  return json<RoutedToAgent>("/api/v1/messages", {
    key: tenant.apiKey,
    body: { conversation_id: conversationId, id: `said-${contactIds}`, text },
    status: 202,
  });
}

/** An agent claims a handoff over HTTP; asserts 200 and returns the answer. */
export async function claim(cookie: string, handoffId: string): Promise<HandoffAnswer> {
  return json<HandoffAnswer>(`/api/handoffs/${handoffId}/claim`, {
    method: "POST",
    cookie,
    status: 200,
  });
}

/** Resolves a handoff as the agent (closing it unless told otherwise); asserts 200. */
export async function resolve(
  cookie: string,
  handoffId: string,
  outcome: "close" | "return_to_bot" = "close",
): Promise<HandoffAnswer> {
  return json<HandoffAnswer>(`/api/handoffs/${handoffId}/resolve`, {
    cookie,
    body: { outcome },
    status: 200,
  });
}

/** A handoff in full (handoff, messages, events) as an agent reads it; asserts 200. */
export async function detail(cookie: string, handoffId: string): Promise<HandoffDetail> {
  return json<HandoffDetail>(`/api/handoffs/${handoffId}`, { cookie, status: 200 });
}

/** A contact message's answer that must have gone to the agent holding its conversation; throws when it went to the bot. */
export function routedToAgent(result: ContactMessageResult): RoutedToAgent {
  if (result.route !== "agent")
    throw new Error(`expected the message to reach an agent, got ${JSON.stringify(result)}`);
  return result;
}

/** Another bot of the tenant, made by its admin, with an API key of its own. */
export async function secondBot(
  adminCookie: string,
  name = "Second bot",
): Promise<{ botId: string; key: string }> {
  const made = await json<BotAnswer>("/api/admin/bots", {
    cookie: adminCookie,
    body: { name },
    status: 201,
  });
  return { botId: made.bot.id, key: (await newApiKey(adminCookie, made.bot.id)).key };
}

export function hub(tenant: TestTenant) {
  return env.TENANT.get(env.TENANT.idFromName(tenant.id));
}

/** Makes every pending timer of the tenant due now, as if the time had passed. */
export async function fastForward(
  tenant: TestTenant,
  kinds: string[] = ["expire", "remind"],
): Promise<void> {
  await runInDurableObject(hub(tenant), (_instance, state) => {
    for (const kind of kinds)
      state.storage.sql.exec(`UPDATE timers SET due_at = ? WHERE kind = ?`, Date.now() - 1, kind);
  });
}

export async function runAlarm(tenant: TestTenant): Promise<boolean> {
  return runDurableObjectAlarm(hub(tenant));
}

export interface WebhookDelivery {
  headers: Record<string, string>;
  /** The raw body, as signed. */
  body: string;
  status: number;
  /** When the request arrived (ms). */
  at: number;
  /** The body parsed. */
  event: WebhookEvent;
}

/** Asserts a webhook's type and returns it as that type's payload. */
export function webhookOf<K extends WebhookEvent["type"]>(
  event: WebhookEvent,
  type: K,
): Extract<WebhookEvent, { type: K }> {
  expect(event.type).toBe(type);
  return event as Extract<WebhookEvent, { type: K }>;
}

/** Every request the tenant's bot endpoint received, in order (failed attempts included). */
export async function webhooksReceived(tenant: TestTenant): Promise<WebhookDelivery[]> {
  const res = await env.SINK.fetch(
    `https://sink.control/?path=${encodeURIComponent(tenant.webhookPath)}`,
  );
  const { requests } = (await res.json()) as { requests: Omit<WebhookDelivery, "event">[] };
  return requests.map((r) => ({ ...r, event: JSON.parse(r.body) as WebhookDelivery["event"] }));
}

/** Every webhook the bot received, its signature verified (with the bot's secret unless given): throws on a bad one. */
export async function verifiedWebhooks(
  tenant: TestTenant,
  secret = WEBHOOK_SECRET,
): Promise<(WebhookDelivery & { id: string })[]> {
  const verifier = new Webhook(secret);
  return (await webhooksReceived(tenant)).map((d) => {
    verifier.verify(d.body, d.headers);
    return { ...d, id: d.headers["webhook-id"]! };
  });
}

export async function failWebhooks(tenant: TestTenant, times: number): Promise<void> {
  await env.SINK.fetch(
    `https://sink.control/?path=${encodeURIComponent(tenant.webhookPath)}&fail=${times}`,
    { method: "POST" },
  );
}

/**
 * Waits for a specific state the tenant object reaches in the background (the alarm's work).
 * The condition is a question, not an assertion: nothing is retried; the test asserts exact
 * counts once it holds. Fails, naming what it waited for, when it does not come.
 */
export async function waitUntil(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** When the tenant object's one alarm is armed (ms), or null. */
export async function alarmAt(tenant: TestTenant): Promise<number | null> {
  return runInDurableObject(hub(tenant), (_instance, state) => state.storage.getAlarm());
}

/** The due time of one of the tenant object's timers, or undefined when none is armed. */
export async function timerDue(
  tenant: TestTenant,
  kind: TimerKind,
  ref: string,
): Promise<number | undefined> {
  const rows = await hubRows<{ due_at: number }>(
    tenant,
    `SELECT due_at FROM timers WHERE kind = ? AND ref = ?`,
    kind,
    ref,
  );
  return rows[0]?.due_at;
}

/** The raw WebSocket upgrade request to /api/ws (for asserting refusals); `cookie` omitted = logged out. */
export async function upgrade(cookie?: string, origin: string | null = ORIGIN): Promise<Response> {
  const headers: Record<string, string> = { upgrade: "websocket" };
  if (cookie) headers.cookie = cookie;
  if (origin) headers.origin = origin;
  return exports.default.fetch(`${ORIGIN}/api/ws`, { headers });
}

let syncs = 0;

/** Asserts a frame's type and returns it as a frame of that type. */
export function frameOf<K extends ReceivedFrame["type"]>(
  frame: ReceivedFrame | undefined,
  type: K,
): Extract<ReceivedFrame, { type: K }> {
  expect(frame?.type).toBe(type);
  return frame as Extract<ReceivedFrame, { type: K }>;
}

/** A connected agent socket that collects frames and lets a test wait for one. */
export class AgentSocket extends FrameSocket<ReceivedFrame> {
  /** Every socket opened and not yet closed by the test, for `closeAll` in an afterEach. */
  private static readonly open_ = new Set<FrameSocket<ReceivedFrame>>();

  private constructor(ws: WebSocket) {
    super(ws, AgentSocket.open_);
  }

  protected override read(data: string): ReceivedFrame {
    return data === "pong" ? { type: "pong" } : (JSON.parse(data) as ServerFrame);
  }

  static async open(cookie: string, origin: string | null = ORIGIN): Promise<AgentSocket> {
    const res = await upgrade(cookie, origin);
    const ws = res.webSocket;
    if (!ws) throw new Error(`WebSocket upgrade refused: ${res.status} ${await res.text()}`);
    ws.accept();
    const socket = new AgentSocket(ws);
    await socket.next((f) => f.type === "hello");
    return socket;
  }

  /** Closes every socket still open (use in afterEach so no test leaks a connection). */
  static closeAll(): void {
    for (const socket of AgentSocket.open_) socket.close();
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** Sends a command and waits for its ack. */
  async command(
    frame: Record<string, unknown> & { ref: string },
  ): Promise<Extract<ServerFrame, { type: "ack" }>> {
    this.send(frame);
    return this.next<FrameOf<"ack">>((f) => f.type === "ack" && f.ref === frame.ref);
  }

  /**
   * A round trip through the tenant object: a frame it must answer (an unknown type with a ref)
   * is sent and its ack awaited, so every frame the object sent this socket before is in `frames`.
   */
  async sync(): Promise<void> {
    syncs += 1;
    await this.command({ type: "sync", ref: `sync-${syncs}` });
  }

  /** The numbered tenant events received so far, of one type when given. */
  events<K extends EventFrame["type"]>(type?: K): FrameOf<K>[] {
    return this.frames.filter(
      (f): f is FrameOf<K> =>
        "seq" in f && f.type !== "hello" && f.type !== "resync" && (!type || f.type === type),
    );
  }
}

/** Asserts a documented error: the status, the code and the `{"error": {"code", "message"}}` shape; returns the error. */
export async function expectError(
  res: Response | Promise<Response>,
  status: number,
  code: string,
): Promise<ApiError> {
  const response = await res;
  const text = await response.text();
  expect(response.status, `${response.url}: ${text}`).toBe(status);
  expect(response.headers.get("content-type") ?? "", text).toContain("application/json");
  const body = JSON.parse(text) as { error: ApiError };
  expect(Object.keys(body), text).toEqual(["error"]);
  expect(body.error, text).toMatchObject({ code, message: expect.any(String) });
  expect(body.error.message.length, text).toBeGreaterThan(0);
  return body.error;
}

/** Makes a new API key for a bot through the admin API (a fresh rate-limit bucket, too). */
export async function newApiKey(
  adminCookie: string,
  botId: string,
): Promise<{ key: string; id: string }> {
  const made = await json<ApiKeyAnswer>("/api/admin/api-keys", {
    cookie: adminCookie,
    body: { bot_id: botId, name: "extra" },
    status: 201,
  });
  return { key: made.key, id: made.api_key.id };
}

/**
 * Rate limiters count in fixed windows aligned to the clock; waits out the end of the current
 * window when fewer than `marginMs` are left, so a short burst falls within one window.
 */
export async function withinOneWindow(periodSeconds: number, marginMs: number): Promise<void> {
  const left = periodSeconds * 1000 - (Date.now() % (periodSeconds * 1000));
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 50));
}

/** Runs one SQL statement in the tenant object's own SQLite (timers, webhooks, mirror...) and returns its rows. */
export async function hubRows<T = Record<string, SqlStorageValue>>(
  tenant: TestTenant,
  query: string,
  ...args: SqlStorageValue[]
): Promise<T[]> {
  return runInDurableObject(
    hub(tenant),
    (_instance, state) => state.storage.sql.exec(query, ...args).toArray() as T[],
  );
}

/**
 * The settle point: waits until the tenant object has no webhook or D1-mirror work left (every
 * webhook delivered, every change written to D1), running the alarm for work already due, so
 * the alarm is armed only for expiry/reminder timers. Nothing can arrive at the sink after it.
 * Only for tests where the webhook sink and D1 both work: a retry in backoff makes it fail.
 */
export async function settle(tenant: TestTenant, timeoutMs = 5_000): Promise<void> {
  const pending = () =>
    hubRows<{ kind: string; ref: string; due_at: number }>(
      tenant,
      `SELECT kind, ref, due_at FROM timers WHERE kind IN ('webhook', 'mirror', 'send')`,
    );
  const deadline = Date.now() + timeoutMs;
  for (let busy = await pending(); busy.length > 0; busy = await pending()) {
    if (Date.now() > deadline)
      throw new Error(`webhook / mirror work still pending: ${JSON.stringify(busy)}`);
    // Work due now is run here; a timer due later is leased by an alarm run already in flight.
    if (busy.some((b) => b.due_at <= Date.now())) await runAlarm(tenant);
    else await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until the tenant's bot endpoint has received `count` requests, then returns exactly those received. */
export async function webhooksArrived(
  tenant: TestTenant,
  count: number,
): Promise<WebhookDelivery[]> {
  await waitUntil(
    `${count} webhooks arrived`,
    async () => (await webhooksReceived(tenant)).length >= count,
  );
  return webhooksReceived(tenant);
}
