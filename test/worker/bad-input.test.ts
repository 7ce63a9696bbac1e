// Bad input, table-driven: each request gets its documented status and error code (with the
// offending field named for invalid_request), and leaves the tenant exactly as it was.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  call,
  type CallOptions,
  claim,
  detail,
  json,
  login,
  newApiKey,
  ORIGIN,
  escalate,
  escalation,
  expectError,
} from "./client";
import { makeTenant, PASSWORD, type TestTenant } from "./fixtures";
import type { EscalateResult, ListPage, MessageAnswer, Stats } from "./answers";

const KIB = 1024;
const big = (n: number) => "x".repeat(n);
/** `{"a": {"a": … 1}}`, `levels` objects deep. */
const nested = (levels: number): unknown =>
  Array.from({ length: levels - 1 }).reduce<unknown>((inner) => ({ a: inner }), { a: 1 });

type Auth = "bot" | "alice" | "admin" | "none";
interface Case {
  name: string;
  path: string; // {queued} and {active} are replaced by the fixture handoffs' ids
  method?: string;
  body?: unknown;
  rawBody?: string;
  auth: Auth;
  status: number;
  code: string;
  /** For invalid_request: the field an issue must name. */
  field?: string;
}

const ESC = "/api/v1/handoffs";
const MSG = "/api/v1/messages";
const esc = (name: string, overrides: Record<string, unknown>, field: string): Case => ({
  name: `escalate: ${name}`,
  path: ESC,
  body: escalation(overrides),
  auth: "bot",
  status: 400,
  code: "invalid_request",
  field,
});
const without = (key: string, value: Record<string, unknown> = escalation()) =>
  Object.fromEntries(Object.entries(value).filter(([k]) => k !== key));
const msg = (over: Record<string, unknown>) => ({
  conversation_id: "open-conv",
  id: `m-${Math.random()}`,
  text: "hello",
  ...over,
});
const msgCase = (name: string, body: unknown, field: string): Case => ({
  name: `message: ${name}`,
  path: MSG,
  body,
  auth: "bot",
  status: 400,
  code: "invalid_request",
  field,
});
const reply = (name: string, body: unknown, field: string): Case => ({
  name: `reply: ${name}`,
  path: "/api/handoffs/{active}/messages",
  body,
  auth: "alice",
  status: 400,
  code: "invalid_request",
  field,
});
const resolve = (name: string, body: unknown, field: string): Case => ({
  name: `resolve: ${name}`,
  path: "/api/handoffs/{active}/resolve",
  body,
  auth: "alice",
  status: 400,
  code: "invalid_request",
  field,
});
const query = (q: string, field: string): Case => ({
  name: `list ?${q}`,
  path: `/api/handoffs?${q}`,
  auth: "alice",
  status: 400,
  code: "invalid_request",
  field,
});
const json400 = (name: string, path: string, auth: Auth, rawBody: string): Case => ({
  name,
  path,
  rawBody,
  auth,
  status: 400,
  code: "invalid_json",
});
const tooLarge = (
  name: string,
  path: string,
  auth: Auth,
  filler: Record<string, unknown>,
): Case => ({
  name,
  path,
  rawBody: JSON.stringify({ ...filler, padding: big(256 * KIB) }),
  auth,
  status: 413,
  code: "payload_too_large",
});
const missing = (
  name: string,
  path: string,
  auth: Auth,
  method = "POST",
  body?: unknown,
): Case => ({ name, path, method, body, auth, status: 404, code: "not_found" });

const cases: Case[] = [
  // POST /api/v1/handoffs
  json400("escalate: truncated JSON", ESC, "bot", '{"conversation_id": "c1", '),
  json400("escalate: not JSON at all", ESC, "bot", "conversation_id=c1"),
  {
    name: "escalate: a JSON array",
    path: ESC,
    rawBody: "[]",
    auth: "bot",
    status: 400,
    code: "invalid_request",
    field: "",
  },
  {
    name: "escalate: JSON null",
    path: ESC,
    rawBody: "null",
    auth: "bot",
    status: 400,
    code: "invalid_request",
    field: "",
  },
  {
    name: "escalate: empty body",
    path: ESC,
    rawBody: "",
    auth: "bot",
    status: 400,
    code: "invalid_request",
    field: "conversation_id",
  },
  {
    name: "escalate: no conversation_id",
    path: ESC,
    body: without("conversation_id"),
    auth: "bot",
    status: 400,
    code: "invalid_request",
    field: "conversation_id",
  },
  esc("conversation_id empty", { conversation_id: "" }, "conversation_id"),
  esc("conversation_id blank", { conversation_id: "   " }, "conversation_id"),
  esc("conversation_id a number", { conversation_id: 42 }, "conversation_id"),
  esc("conversation_id too long", { conversation_id: big(201) }, "conversation_id"),
  esc("team no tenant's team has", { team: "Nobody here" }, "team"),
  esc("team empty", { team: "" }, "team"),
  esc("team a number", { team: 3 }, "team"),
  {
    name: "escalate: no contact",
    path: ESC,
    body: without("contact"),
    auth: "bot",
    status: 400,
    code: "invalid_request",
    field: "contact",
  },
  esc("contact without id", { contact: { name: "Maria" } }, "contact.id"),
  esc("contact.id a number", { contact: { id: 5 } }, "contact.id"),
  esc("contact a string", { contact: "Maria" }, "contact"),
  esc("unknown contact field", { contact: { id: "c", age: 40 } }, "contact.age"),
  esc("unknown top-level field", { urgent: true }, "urgent"),
  esc("channel not in the list", { channel: "sms" }, "channel"),
  esc("priority not in the list", { priority: "critical" }, "priority"),
  esc("tags a string", { tags: "billing" }, "tags"),
  esc("history an object", { history: {} }, "history"),
  esc("history text empty", { history: [{ from: "contact", text: "" }] }, "history.0.text"),
  esc(
    "history text of 4097",
    { history: [{ from: "contact", text: big(4097) }] },
    "history.0.text",
  ),
  esc("history from an agent", { history: [{ from: "agent", text: "hi" }] }, "history.0.from"),
  esc(
    "history time not a time",
    { history: [{ from: "bot", text: "hi", at: "yesterday" }] },
    "history.0.at",
  ),
  esc(
    "history of 501 items",
    { history: Array.from({ length: 501 }, (_, i) => ({ from: "contact", text: `m${i}` })) },
    "history",
  ),
  esc("max_wait_seconds 5", { max_wait_seconds: 5 }, "max_wait_seconds"),
  esc("max_wait_seconds 9", { max_wait_seconds: 9 }, "max_wait_seconds"),
  esc("max_wait_seconds 86401", { max_wait_seconds: 86_401 }, "max_wait_seconds"),
  esc("max_wait_seconds 100000", { max_wait_seconds: 100_000 }, "max_wait_seconds"),
  esc("max_wait_seconds 60.5", { max_wait_seconds: 60.5 }, "max_wait_seconds"),
  esc("max_wait_seconds a string", { max_wait_seconds: "900" }, "max_wait_seconds"),
  esc("metadata an array", { metadata: [] }, "metadata"),
  esc("metadata a string", { metadata: "{}" }, "metadata"),
  esc("metadata nested 1,900 levels deep", { metadata: nested(1900) }, "metadata"),
  esc("metadata nested 9 levels deep", { metadata: nested(9) }, "metadata"),
  esc(
    "metadata an array 9 levels deep",
    { metadata: { list: [[[[[[[["deep"]]]]]]]] } },
    "metadata",
  ),
  esc("metadata over 16 KiB", { metadata: { pad: big(16 * KIB) } }, "metadata"),
  tooLarge("escalate: body over 256 KiB", ESC, "bot", escalation()),
  // POST /api/v1/messages (for a conversation with an open handoff)
  json400("message: truncated JSON", MSG, "bot", '{"conversation_id": "open-conv"'),
  msgCase("no id", without("id", msg({})), "id"),
  msgCase("id empty", msg({ id: "" }), "id"),
  msgCase("id a number", msg({ id: 7 }), "id"),
  msgCase("no conversation_id", without("conversation_id", msg({})), "conversation_id"),
  msgCase("no text", without("text", msg({})), "text"),
  msgCase("text empty", msg({ text: "" }), "text"),
  msgCase("text blank", msg({ text: "   \n " }), "text"),
  msgCase("text of 4097", msg({ text: big(4097) }), "text"),
  msgCase("text a number", msg({ text: 123 }), "text"),
  msgCase("unknown field", msg({ from: "contact" }), "from"),
  msgCase("time not a time", msg({ at: "10 o'clock" }), "at"),
  tooLarge("message: body over 256 KiB", MSG, "bot", msg({})),
  // POST /api/v1/messages, batched: one bad item fails the whole batch
  msgCase(
    "batch: item 3 with empty text",
    { messages: [msg({}), msg({}), msg({}), msg({ text: "" })] },
    "messages.3.text",
  ),
  msgCase(
    "batch: an item without id",
    { messages: [msg({}), without("id", msg({}))] },
    "messages.1.id",
  ),
  msgCase("batch: an item a string", { messages: [msg({}), "hello"] }, "messages.1"),
  msgCase("batch: 101 items", { messages: Array.from({ length: 101 }, () => msg({})) }, "messages"),
  msgCase("batch: no items", { messages: [] }, "messages"),
  msgCase("batch: messages an object", { messages: msg({}) }, "messages"),
  msgCase(
    "batch: a single message's field beside messages",
    { messages: [msg({})], conversation_id: "open-conv" },
    "conversation_id",
  ),
  // Agents' commands
  json400("reply: truncated JSON", "/api/handoffs/{active}/messages", "alice", '{"text": "hi'),
  reply("no text", {}, "text"),
  reply("text empty", { text: "" }, "text"),
  reply("text blank", { text: "  " }, "text"),
  reply("text of 4097", { text: big(4097) }, "text"),
  reply("unknown field", { text: "hi", internal: true }, "internal"),
  tooLarge("reply: body over 256 KiB", "/api/handoffs/{active}/messages", "alice", { text: "hi" }),
  json400("resolve: truncated JSON", "/api/handoffs/{active}/resolve", "alice", '{"outcome"'),
  resolve("bad outcome", { outcome: "done" }, "outcome"),
  resolve("no outcome", { note: "fixed" }, "outcome"),
  resolve("note a number", { outcome: "close", note: 5 }, "note"),
  resolve("note of 4097", { outcome: "close", note: big(4097) }, "note"),
  {
    name: "assign: no agent_id",
    path: "/api/handoffs/{queued}/assign",
    body: {},
    auth: "admin",
    status: 400,
    code: "invalid_request",
    field: "agent_id",
  },
  {
    name: "assign: agent_id a number",
    path: "/api/handoffs/{queued}/assign",
    body: { agent_id: 5 },
    auth: "admin",
    status: 400,
    code: "invalid_request",
    field: "agent_id",
  },
  json400("assign: truncated JSON", "/api/handoffs/{queued}/assign", "admin", "{"),
  json400("login: truncated JSON", "/api/auth/login", "none", '{"email":'),
  {
    name: "login: no password",
    path: "/api/auth/login",
    body: { email: "someone@example.test" },
    auth: "none",
    status: 400,
    code: "invalid_request",
    field: "password",
  },
  // The list's query
  query("status=nope", "status"),
  query("status=queued,nope", "status"),
  query("assignee=x", "assignee"),
  query("team=", "team"),
  query("limit=0", "limit"),
  query("limit=abc", "limit"),
  // Unknown handoffs
  missing(
    "detail of an unknown handoff",
    "/api/handoffs/ho_000000000000000000000000",
    "alice",
    "GET",
  ),
  missing("claim an unknown handoff", "/api/handoffs/ho_nope/claim", "alice"),
  missing("reply to an unknown handoff", "/api/handoffs/ho_nope/messages", "alice", "POST", {
    text: "hi",
  }),
  missing("resolve an unknown handoff", "/api/handoffs/ho_nope/resolve", "alice", "POST", {
    outcome: "close",
  }),
  missing("release an unknown handoff", "/api/handoffs/ho_nope/release", "alice"),
  missing("assign an unknown handoff", "/api/handoffs/ho_nope/assign", "admin", "POST", {
    agent_id: "{alice}",
  }),
  missing("bot reads an unknown handoff", "/api/v1/handoffs/ho_nope", "bot", "GET"),
  // Unknown endpoints
  missing("unknown endpoint, logged out", "/api/nope", "none", "GET"),
  missing("unknown endpoint, POST", "/api/nope", "none", "POST", {}),
  missing("unknown bot endpoint", "/api/v1/nope", "bot", "GET"),
  missing("unknown method on the bot API", "/api/v1/handoffs", "bot", "PUT", escalation()),
  missing("unknown handoff sub-resource", "/api/handoffs/{queued}/nope", "alice", "POST"),
  missing("DELETE a handoff", "/api/handoffs/{queued}", "admin", "DELETE"),
  missing("unknown admin endpoint", "/api/admin/nope", "admin", "GET"),
];

let t: TestTenant;
let admin: string;
let alice: string;
let ids: Record<string, string>;

beforeAll(async () => {
  t = await makeTenant();
  [admin, alice] = await Promise.all([login(t.admin), login(t.alice)]);
  const queued = (await escalate(t, { conversation_id: "queued-conv" })).handoff;
  const active = (await escalate(t, { conversation_id: "open-conv" })).handoff;
  await claim(alice, active.id);
  ids = { queued: queued.id, active: active.id, alice: t.alice.id };
});

/** Everything a request could have changed: every handoff with its transcript and events, and the counts. */
async function snapshot() {
  const { handoffs } = await json<ListPage>("/api/handoffs?status=all", {
    cookie: admin,
    status: 200,
  });
  const details = await Promise.all(handoffs.map((h) => detail(admin, h.id)));
  const { queued, active, today, resolved_this_week } = await json<Stats>("/api/stats", {
    cookie: admin,
    status: 200,
  });
  return { details, stats: { queued, active, today, resolved_this_week } };
}

function namesField(issues: { path: string; message: string }[], field: string): boolean {
  const dot = field.lastIndexOf(".");
  const parent = dot < 0 ? "" : field.slice(0, dot);
  const key = field.slice(dot + 1);
  // A bad value is named by its path; an unknown key by its parent's path and the key in the message.
  return issues.some(
    (i) =>
      i.path === field ||
      i.path.startsWith(`${field}.`) ||
      (field !== "" && i.path === parent && i.message.includes(`"${key}"`)),
  );
}

const fill = (s: string) => s.replace(/\{(queued|active|alice)\}/g, (_, k: string) => ids[k]!);

describe("bad input is refused with its documented error and changes nothing", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const before = await snapshot();
    const options: CallOptions = { method: c.method, rawBody: c.rawBody };
    if (c.body !== undefined) options.body = JSON.parse(fill(JSON.stringify(c.body)));
    if (c.auth === "bot") options.key = (await newApiKey(admin, t.botId)).key; // its own rate-limit bucket
    if (c.auth === "alice") options.cookie = alice;
    if (c.auth === "admin") options.cookie = admin;
    const error = await expectError(call(fill(c.path), options), c.status, c.code);
    if (c.code === "invalid_request") {
      expect(Array.isArray(error.issues), JSON.stringify(error)).toBe(true);
      expect(error.issues!.length).toBeGreaterThan(0);
      for (const issue of error.issues!)
        expect(issue).toEqual(
          expect.objectContaining({ path: expect.any(String), message: expect.any(String) }),
        );
      expect(
        namesField(error.issues!, c.field!),
        `${c.field} in ${JSON.stringify(error.issues)}`,
      ).toBe(true);
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe("the limits themselves are accepted", () => {
  it("text of 4096, 500 history items, max_wait_seconds 10 and 86400, a body of exactly 256 KiB", async () => {
    const key = (await newApiKey(admin, t.botId)).key;
    const longest = await json<EscalateResult>(ESC, {
      key,
      body: escalation({ history: [{ from: "contact", text: big(4096) }] }),
      status: 201,
    });
    expect(longest.handoff.last_message!.text).toHaveLength(4096);
    const history = Array.from({ length: 500 }, (_, i) => ({
      id: `h${i}`,
      from: "contact",
      text: `${i} ${big(400)}`,
    }));
    const many = await json<EscalateResult>(ESC, {
      key,
      body: escalation({ history }),
      status: 201,
    });
    expect(many.handoff.message_count).toBe(500);
    for (const seconds of [10, 86_400]) {
      const { handoff } = await json<EscalateResult>(ESC, {
        key,
        body: escalation({ max_wait_seconds: seconds }),
        status: 201,
      });
      expect(Date.parse(handoff.expires_at!) - Date.parse(handoff.created_at)).toBe(seconds * 1000);
    }
    await json(MSG, {
      key,
      body: { conversation_id: "open-conv", id: "longest", text: big(4096) },
      status: 202,
    });
    await json<MessageAnswer>(`/api/handoffs/${ids.active}/messages`, {
      cookie: alice,
      body: { text: big(4096) },
      status: 201,
    });

    // A body of exactly 256 KiB, made of history (metadata has its own, smaller cap).
    const shape = escalation();
    const full = Array.from({ length: 64 }, () => ({ from: "contact", text: big(4000) }));
    const withLast = (chars: number) =>
      JSON.stringify({ ...shape, history: [...full, { from: "contact", text: big(chars) }] });
    const last = 256 * KIB - withLast(0).length;
    expect(last).toBeGreaterThan(0);
    expect(last).toBeLessThan(4096);
    expect(new TextEncoder().encode(withLast(last)).byteLength).toBe(256 * KIB);
    await json(ESC, { key, rawBody: withLast(last), status: 201 });
    await expectError(call(ESC, { key, rawBody: withLast(last + 1) }), 413, "payload_too_large");
  });

  it("a streamed body over 256 KiB (no Content-Length) is 413 and stores nothing", async () => {
    const key = (await newApiKey(admin, t.botId)).key;
    const before = await snapshot();
    const text = JSON.stringify({ ...escalation(), metadata: { pad: big(300 * KIB) } });
    const bytes = new TextEncoder().encode(text);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 16 * KIB)
          controller.enqueue(bytes.slice(i, i + 16 * KIB));
        controller.close();
      },
    });
    const res = await exports.default.fetch(`${ORIGIN}${ESC}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: stream,
    });
    await expectError(res, 413, "payload_too_large");
    expect(await snapshot()).toEqual(before);
  });

  it("a failed login with bad input does not sign anyone in", async () => {
    const res = await call("/api/auth/login", {
      body: { email: t.alice.email, password: PASSWORD, remember: true },
    });
    expect(res.headers.get("set-cookie")).toBeNull();
    const error = await expectError(res, 400, "invalid_request");
    expect(namesField(error.issues!, "remember")).toBe(true);
  });
});
