// `npm run simulate`: plays a chatbot against the running app (`npm run dev` in another terminal)
// so the inbox comes alive. It escalates conversations from several channels, sends contact
// messages at a human pace, and prints what the agents send back through the demo bot's webhook.
// Options: --url <base> (or BASE_URL), --fast, --max <open at once>, --duration <seconds>.
// Only talks to the app and to its own webhook receiver on 127.0.0.1 (WEBHOOK_PORT, default 8788).
import { createServer } from "node:net";
import { parseArgs, styleText } from "node:util";
import { DEMO_BOT_ID, pointDemoBot } from "./demo-bot.mjs";
import { DEMO, DEMO_PASSWORD, DEMO_WEBHOOK_SECRET } from "./seed.mjs";
import { startWebhookReceiver } from "./webhook-receiver.mjs";

const USAGE =
  "Usage: npm run simulate -- [--url http://localhost:8787] [--fast] [--max 8] [--duration 60]";
let opts;
try {
  opts = parseArgs({
    options: {
      url: { type: "string" },
      fast: { type: "boolean" },
      max: { type: "string" },
      duration: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  }).values;
} catch (e) {
  console.error(`${e.message}\n${USAGE}`);
  process.exit(2);
}
if (opts.help) (console.log(USAGE), process.exit(0));
const BASE = (opts.url ?? process.env.BASE_URL ?? "http://localhost:8787").replace(/\/+$/, "");
const MAX_OPEN = Number(opts.max ?? 8);
const DURATION = opts.duration === undefined ? null : Number(opts.duration);
const HOOK_PORT = Number(process.env.WEBHOOK_PORT ?? 8788);
const FAST = Boolean(opts.fast);
if (!(MAX_OPEN >= 1) || (DURATION !== null && !(DURATION > 0)) || !(HOOK_PORT > 0))
  (console.error(`Bad --max, --duration or WEBHOOK_PORT.\n${USAGE}`), process.exit(2));
const BOT_ID = DEMO_BOT_ID;
const BOT_AUTH = { authorization: `Bearer ${DEMO.tenants.find((t) => t.id === "demo").apiKey}` };
const RUN = Date.now().toString(36).slice(-5); // makes conversation and message ids unique per run
const DOWN = `Is \`npm run dev\` running on ${BASE}?`;

// ── the people and their problems ───────────────────────────────────────────────────────────
const CHANNELS = ["whatsapp", "telegram", "web", "slack", "messenger", "email"];
const PEOPLE = [
  ["Maria Lopez", "+34 600 111 222", "maria.lopez@example.com"],
  ["Tomasz Nowak", "+48 501 234 567", "tomasz.nowak@example.pl"],
  ["Aiko Tanaka", "+81 90 1234 5678", "aiko.tanaka@example.jp"],
  ["James O'Connor", "+353 87 555 0142", "james.oconnor@example.ie"],
  ["Fatima Benali", "+33 6 12 34 56 78", "fatima.benali@example.fr"],
  ["Lukas Schmidt", "+49 151 2345 6789", "lukas.schmidt@example.de"],
  ["Priya Sharma", "+91 98765 43210", "priya.sharma@example.in"],
  ["Chen Wei", "+86 138 0013 8000", "chen.wei@example.cn"],
  ["Sofia Rossi", "+39 347 123 4567", "sofia.rossi@example.it"],
  ["Ana Souza", "+55 11 91234 5678", "ana.souza@example.com.br"],
];
// history alternates contact, bot, contact, bot…; `wait` is said while queued, `more` to the agent.
const SCENARIOS = [
  {
    reason: "Charged twice for one order",
    tags: ["billing", "refund"],
    priority: "high",
    summary: (n) =>
      `${n} was charged twice (2 × €49.90) for order #4821 on the same card and wants the duplicate refunded. The bot could not see payment details.`,
    history: [
      "Hi, I see two charges of 49.90 on my card for the same order",
      "Sorry about that! Can you share your order number?",
      "#4821",
      "Thanks. I can't check payments myself — let me get you a person.",
    ],
    wait: [
      "Hello? I'd like this sorted today please",
      "I can send a screenshot of the bank statement if it helps",
    ],
    more: [
      "Yes, both on the 19th, same card ending 4417",
      "How long does the refund take?",
      "Great, thank you so much!",
    ],
  },
  {
    reason: "Wants to change the delivery address",
    tags: ["orders", "shipping"],
    priority: "normal",
    summary: (n) =>
      `${n} moved last week and needs order #5530 sent to the new address; the order is already packed, so the bot could not edit it.`,
    history: [
      "I need to change the address on my order",
      "I can help with that. Which order?",
      "5530, I moved last week",
      "That order is already packed, so a colleague needs to change it.",
    ],
    wait: [
      "The new address is 12 Harbour Street, flat 3B",
      "Is it still possible? It ships tomorrow I think",
    ],
    more: [
      "12 Harbour Street, flat 3B — same city",
      "Will the delivery date change?",
      "Perfect, thanks!",
    ],
  },
  {
    reason: "Locked out after losing 2FA phone",
    tags: ["account", "security"],
    priority: "urgent",
    summary: (n) =>
      `${n} lost the phone used for two-factor login and is locked out; backup codes are not available. Needs identity check and 2FA reset.`,
    history: [
      "I can't log in, my phone with the authenticator was stolen",
      "I'm sorry! Do you have your backup codes?",
      "No, never saved them",
      "For your security, a person has to verify you. Transferring now.",
    ],
    wait: ["Please hurry, I need to pay invoices today", "I can verify with my ID if needed"],
    more: [
      "The last invoice was 1,240 euros on the 3rd",
      "Ok, I got the reset email",
      "I'm back in, thanks a lot!",
    ],
  },
  {
    reason: "Cancel subscription and refund last month",
    tags: ["billing", "cancellation"],
    priority: "normal",
    summary: (n) =>
      `${n} wants to cancel the Pro plan and asks for a refund of this month's renewal, charged two days ago without use. Bot offered a discount; declined.`,
    history: [
      "I want to cancel my subscription",
      "Sorry to see you go! Can I offer you 30% off the next 3 months?",
      "No thanks, and I want the renewal refunded",
      "Understood — refunds need a person. One moment.",
    ],
    wait: ["It renewed two days ago and I haven't used it", "Hello?"],
    more: [
      "Yes, please cancel it right away",
      "Will I keep access until the end of the month?",
      "Thanks for understanding",
    ],
  },
  {
    reason: "Parcel marked delivered but never arrived",
    tags: ["shipping", "claim"],
    priority: "high",
    summary: (n) =>
      `${n}'s parcel (tracking 1Z999AA10123456784) shows "delivered" since Monday but nothing arrived; neighbours checked. Wants a resend or refund.`,
    history: [
      "The tracking says delivered but I have nothing",
      "Sorry! Did you check with your neighbours or a safe place?",
      "Yes, nothing anywhere",
      "Let me connect you with our team to open a claim.",
    ],
    wait: ["It was a birthday present, it's quite urgent", "Tracking number is 1Z999AA10123456784"],
    more: [
      "No, no photo of the delivery",
      "A resend would be best",
      "Thanks, I'll watch for the new tracking number",
    ],
  },
  {
    reason: "Asks for an enterprise quote (200 seats)",
    tags: ["sales", "enterprise"],
    priority: "low",
    summary: (n) =>
      `${n} evaluates us for a 200-seat team; asks about SSO, volume pricing and an invoice-based annual contract. Hot lead.`,
    history: [
      "Do you have pricing for 200 users?",
      "Our Business plan is €12/user/month. For larger teams our sales team can help!",
      "We need SSO and yearly invoicing",
      "I'll bring in a colleague from sales.",
    ],
    wait: [
      "No rush, but we decide next week",
      "We currently use a competitor, contract ends in March",
    ],
    more: ["Okta for SSO", "Can we get a 30-day pilot?", "Sounds good, send me the proposal"],
  },
  {
    reason: "Integration broken since last update",
    tags: ["bug", "integrations"],
    priority: "high",
    summary: (n) =>
      `${n}'s Shopify sync fails since yesterday's update with "401 invalid token"; reconnecting did not help. Orders are not importing.`,
    history: [
      "Our Shopify sync stopped working",
      "Sorry! Have you tried reconnecting the integration?",
      "Yes twice, still '401 invalid token'",
      "That needs our technical team. Transferring you.",
    ],
    wait: ["We're missing about 40 orders already", "Started right after yesterday's update"],
    more: [
      "Store is example-shop.myshopify.com",
      "Reconnected again, it's importing now!",
      "Thanks, will it backfill the missing ones?",
    ],
  },
  {
    reason: "Wants all personal data deleted (GDPR)",
    tags: ["privacy", "gdpr"],
    priority: "normal",
    summary: (n) =>
      `${n} asks for deletion of the account and all personal data under GDPR Art. 17 and wants written confirmation.`,
    history: [
      "I want you to delete all my data",
      "I can help close your account. Do you also want your data erased?",
      "Yes everything, GDPR",
      "Data erasure is handled by our team — connecting you.",
    ],
    wait: ["I'd like a written confirmation too", "Hello, is someone there?"],
    more: ["Yes, the email on the account is this one", "How long will it take?", "Ok, thank you"],
  },
];
const GENERIC_WAIT = ["Hello?", "Is anyone there?", "Still waiting…"];
const GENERIC_ANSWER = [
  "Ok, thanks!",
  "Great, that works for me.",
  "Perfect 👍",
  "Sure, one sec",
  "Alright, got it",
  "Thank you!",
];

// ── helpers ─────────────────────────────────────────────────────────────────────────────────
const pick = (list) => list[Math.floor(Math.random() * list.length)];
const rnd = (min, max) => min + Math.random() * (max - min);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const c = (format, text) => styleText(format, String(text));
const say = (icon, color, label, text) =>
  console.log(
    `${c("gray", new Date().toTimeString().slice(0, 8))} ${c(color, `${icon} ${label}`.padEnd(20))} ${text}`,
  );
const quote = (text) =>
  c(
    "italic",
    `"${String(text ?? "")
      .replace(/\s+/g, " ")
      .slice(0, 160)}"`,
  );
const timers = new Set();
const later = (seconds, fn) => {
  const t = setTimeout(() => (timers.delete(t), fn()), seconds * 1000);
  timers.add(t);
};

class Down extends Error {}
async function api(method, path, body, headers = {}) {
  let res;
  try {
    res = await fetch(BASE + path, {
      method,
      headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers },
      body: body && JSON.stringify(body),
    });
  } catch (e) {
    throw new Down(`Cannot reach the app at ${BASE} (${e.cause?.code ?? e.message}). ${DOWN}`);
  }
  const data = await res.json().catch(() => null);
  return { status: res.status, data, headers: res.headers };
}
const problem = (r) =>
  `HTTP ${r.status} ${r.data?.error ? `${r.data.error.code}: ${r.data.error.message}` : ""}${r.status >= 500 ? " (the `npm run dev` terminal shows the server's error)" : ""}`;

function contactFor(channel, n) {
  const busy = new Set(open().map((v) => v.person)),
    free = PEOPLE.filter(([name]) => !busy.has(name));
  const [name, phone, email] = pick(free.length ? free : PEOPLE); // one open conversation per person
  const digits = phone.replace(/\D/g, "");
  const contact = {
    whatsapp: Math.random() < 0.4 ? { id: digits, phone } : { id: digits, name, phone }, // some only have a number
    telegram: { id: `tg${digits.slice(-9)}`, name, ...(Math.random() < 0.5 ? { phone } : {}) },
    web: { id: `visitor-${RUN}-${n}`, name, email },
    slack: { id: `U0${RUN.toUpperCase()}${n}`, name, email },
    messenger: { id: `psid-${digits}${n}`, name },
    email: { id: email, name, email },
  }[channel];
  return { contact, person: name };
}

// ── state ───────────────────────────────────────────────────────────────────────────────────
const convs = new Map(); // conversation_id → {id, who, sc, status: queued|active|closed, seq, waitIdx, moreIdx, typing}
const open = () => [...convs.values()].filter((v) => v.status !== "closed");
const stats = {
  escalations: 0,
  toAgents: 0,
  toBot: 0,
  webhooks: 0,
  unverified: 0,
  claimed: 0,
  replies: 0,
  resolved: 0,
  expired: 0,
};
const seenHooks = new Set();
let running = true,
  escalated = 0,
  receiver = null,
  demoBot = null, // the demo bot's webhook, pointed at this simulator while it runs
  cookie = null;
const started = Date.now();

async function escalate() {
  const n = ++escalated,
    channel = pick(CHANNELS),
    sc = pick(SCENARIOS),
    { contact, person } = contactFor(channel, n);
  const conv = {
    id: `sim-${RUN}-${n}`,
    who: contact.name ?? contact.phone,
    person,
    sc,
    status: "queued",
    seq: 0,
    waitIdx: 0,
    moreIdx: 0,
    typing: false,
  };
  const first = Date.now() - (sc.history.length * 45 + 30) * 1000;
  const history = sc.history.map((text, i) => ({
    id: `${conv.id}-h${i}`,
    from: i % 2 ? "bot" : "contact",
    text,
    at: new Date(first + i * 45_000).toISOString(),
  }));
  const shortWait =
    Math.random() < 0.25 ? Math.round(FAST ? rnd(60, 120) : rnd(180, 300)) : undefined; // some expire soon if unclaimed
  const r = await api(
    "POST",
    "/api/v1/handoffs",
    {
      conversation_id: conv.id,
      channel,
      contact,
      reason: sc.reason,
      summary: sc.summary((contact.name ?? "The contact").split(" ")[0]),
      tags: sc.tags,
      priority: sc.priority,
      history,
      max_wait_seconds: shortWait,
      metadata: { simulator: RUN },
    },
    BOT_AUTH,
  );
  if (r.status === 401)
    throw new Down(
      `The demo API key was refused (401). Was the demo seeded? (\`npm run dev\` does it.)`,
    );
  if (r.status !== 201 && r.status !== 200) return say("!", "red", "escalate failed", problem(r));
  convs.set(conv.id, conv);
  stats.escalations++;
  const prio =
    sc.priority === "urgent" || sc.priority === "high" ? c("red", sc.priority) : sc.priority;
  say(
    "⇢",
    "cyan",
    "escalated",
    `${c("bold", conv.who)} via ${channel} [${prio}] ${sc.reason} ${c("gray", `(${r.data.handoff.id}${shortWait ? `, expires in ${shortWait}s if unclaimed` : ""})`)}`,
  );
}

async function contactSays(conv, text) {
  const r = await api(
    "POST",
    "/api/v1/messages",
    {
      conversation_id: conv.id,
      id: `${conv.id}-m${++conv.seq}`,
      text,
      at: new Date().toISOString(),
    },
    BOT_AUTH,
  );
  if (r.status === 202)
    return (
      stats.toAgents++,
      say("✉", "blue", "contact", `${c("bold", conv.who)}: ${quote(text)}`)
    );
  if (r.status === 200 && r.data?.route === "bot") {
    stats.toBot++;
    conv.status = "closed";
    return say(
      "↩",
      "yellow",
      "route: bot",
      `${c("bold", conv.who)}: ${quote(text)} went to the bot — no open handoff owns this conversation any more`,
    );
  }
  say("!", "red", "message failed", `${conv.who}: ${problem(r)}`);
}

function nextLine(conv) {
  if (conv.status === "queued")
    return (
      conv.sc.wait[conv.waitIdx++] ??
      (conv.waitIdx <= conv.sc.wait.length + 1 ? pick(GENERIC_WAIT) : null)
    );
  return conv.sc.more[conv.moreIdx++] ?? null;
}

// ── what the agents send back ───────────────────────────────────────────────────────────────
function onWebhook({ id, verified, event }) {
  const retry = seenHooks.has(id);
  seenHooks.add(id);
  stats.webhooks++;
  if (!verified) stats.unverified++;
  const d = event?.data ?? {},
    conv = convs.get(d.handoff?.conversation_id);
  const who = c(
    "bold",
    conv?.who ??
      d.handoff?.contact?.name ??
      d.handoff?.contact?.phone ??
      d.handoff?.contact?.id ??
      "?",
  );
  const text = quote(d.message?.text);
  let line = `${who} ${c("gray", JSON.stringify(d).slice(0, 120))}`;
  if (event?.type === "handoff.claimed")
    line = `${c("magenta", d.agent?.name)} claimed ${who} → ${text}`;
  if (event?.type === "message.created")
    line = `${c("magenta", d.message?.agent?.name)} → ${who}: ${text}`;
  if (event?.type === "handoff.resolved") line = `${who} handed back (${d.outcome}) → ${text}`;
  if (event?.type === "handoff.expired") line = `${who}: nobody claimed in time → ${text}`;
  say(
    verified ? "✓" : "✗",
    verified ? "green" : "red",
    event?.type ?? "(unparsable)",
    `${line}${verified ? "" : c("red", " — signature NOT verified")}${retry ? c("gray", " (retry)") : ""}`,
  );
  if (retry || !running) return;
  const key = {
    "handoff.claimed": "claimed",
    "message.created": "replies",
    "handoff.resolved": "resolved",
    "handoff.expired": "expired",
  }[event?.type];
  if (key) stats[key]++;
  if (!conv || conv.status === "closed") return;
  if (key === "resolved" || key === "expired") conv.status = "closed"; // stop writing to it
  if (key === "claimed") conv.status = "active";
  if (key === "replies" && !conv.typing && Math.random() < 0.75) {
    conv.typing = true;
    later(FAST ? rnd(1, 2.5) : rnd(2, 6), () =>
      say("…", "gray", "typing", `${conv.who} is typing…`),
    );
    later(FAST ? rnd(3, 4.5) : rnd(7, 12), () => {
      conv.typing = false;
      if (running && conv.status !== "closed")
        guard(contactSays(conv, nextLine(conv) ?? pick(GENERIC_ANSWER)));
    });
  }
}

// ── loops, start, stop ──────────────────────────────────────────────────────────────────────
const pending = new Set();
function guard(promise) {
  pending.add(promise);
  promise
    .finally(() => pending.delete(promise))
    .catch((e) => (e instanceof Down ? stop(e.message, 1) : say("!", "red", "error", e.message)));
}
function escalationLoop() {
  if (!running) return;
  if (open().length < MAX_OPEN) guard(escalate());
  later(FAST ? rnd(1.5, 3) : rnd(4, 10), escalationLoop);
}
function contactLoop() {
  if (!running) return;
  const candidates = open().filter((v) => !v.typing);
  const conv = candidates.length ? pick(candidates) : null;
  const text = conv && nextLine(conv);
  if (text) guard(contactSays(conv, text));
  later(FAST ? rnd(1.5, 4) : rnd(4, 9), contactLoop);
}

async function pointBotAtReceiver(hookUrl) {
  const login = await api("POST", "/api/auth/login", {
    email: "admin@demo.test",
    password: DEMO_PASSWORD,
  });
  if (login.status !== 200) throw new Error(`admin login failed: ${problem(login)}`);
  cookie = login.headers
    .getSetCookie()
    .map((s) => s.split(";")[0])
    .join("; ");
  demoBot = await pointDemoBot(api, cookie, hookUrl, problem);
}

async function stop(why, code = 0) {
  if (!running) return;
  running = false;
  for (const t of timers) clearTimeout(t);
  await Promise.race([Promise.allSettled([...pending]), sleep(3000)]); // let requests in flight finish
  console.log(`\n${why}`);
  const restored = await demoBot?.restore();
  if (restored) console.log(restored);
  if (receiver) await Promise.race([receiver.close(), sleep(1500)]);
  const s = stats,
    secs = Math.round((Date.now() - started) / 1000);
  console.log(`
Summary — ${secs}s, run ${RUN}
  escalations created  ${s.escalations} (${open().length} still open)
  contact messages     ${s.toAgents + s.toBot} (${s.toAgents} to agents, ${s.toBot} back to the bot)
  webhooks received    ${s.webhooks} (${s.webhooks - s.unverified} verified ✓, ${s.unverified} not ✗): ${s.claimed} claimed, ${s.replies} agent replies, ${s.resolved} resolved, ${s.expired} expired`);
  process.exit(code);
}
process.on("SIGINT", () => (running ? stop("Stopping (Ctrl+C)…") : process.exit(130)));
process.on("SIGTERM", () => stop("Stopping (SIGTERM)…"));

const app = await fetch(`${BASE}/api/openapi.json`).catch((e) => e);
if (app instanceof Error)
  (console.error(
    `Cannot reach the app at ${BASE} (${app.cause?.code ?? app.message}).\n${DOWN} Start it in another terminal, or pass --url / BASE_URL.`,
  ),
    process.exit(1));
if (!app.ok)
  (console.error(
    `${BASE} answered HTTP ${app.status} to /api/openapi.json — that does not look like Handoff Inbox. ${DOWN}`,
  ),
    process.exit(1));
const portFree = await new Promise((r) => {
  const s = createServer()
    .once("error", () => r(false))
    .listen(HOOK_PORT, "127.0.0.1", () => s.close(() => r(true)));
});
if (!portFree)
  (console.error(
    `Port ${HOOK_PORT} is busy; choose another with WEBHOOK_PORT=8789 npm run simulate.`,
  ),
    process.exit(1));
receiver = await startWebhookReceiver({
  secret: DEMO_WEBHOOK_SECRET,
  port: HOOK_PORT,
  onEvent: onWebhook,
});
const hookUrl = `${receiver.url}/hook`;

console.log(
  `${c("bold", "Handoff Inbox simulator")} — playing the demo bot against ${BASE} (run ${RUN})`,
);
console.log(
  `Webhook receiver listening on ${hookUrl} (agents' messages show as ✓ type when the signature verifies, ✗ when not)`,
);
console.log(
  c("yellow", `Start the app with DEMO_WEBHOOK_URL=${hookUrl} npm run dev to see replies here`),
);
try {
  await pointBotAtReceiver(hookUrl);
  console.log(
    c(
      "green",
      `No restart needed this time: the demo bot's webhook_url now points at ${hookUrl} (set via PATCH /api/admin/bots/${BOT_ID} as admin@demo.test; restored on exit).`,
    ),
  );
} catch (e) {
  if (e instanceof Down) (console.error(e.message), await receiver.close(), process.exit(1));
  console.log(
    c(
      "red",
      `Could not point the demo bot at the receiver (${e.message}); agent replies show here only if the app was started as above.`,
    ),
  );
}
console.log(
  `Open ${BASE} and log in as alice@demo.test / bob@demo.test (password ${DEMO_PASSWORD}). Up to ${MAX_OPEN} open at once${FAST ? ", fast" : ""}${DURATION ? `, for ${DURATION}s` : ""}. Ctrl+C stops.\n`,
);
if (DURATION) later(DURATION, () => stop(`Done: ${DURATION}s elapsed.`));
escalationLoop();
later(FAST ? 2 : 5, contactLoop);
