// `npm run standin -- telegram|whatsapp`: plays a channel provider against the running app, so a
// whole channel conversation can be tried without a Telegram or Meta account. It serves the
// provider's API on 127.0.0.1 (the app must be started with TELEGRAM_API_BASE / WHATSAPP_API_BASE
// pointing at it), connects a channel of its own as admin@demo.test, and then every line typed is
// sent to the Worker as the contact; every text the Worker sends to the contact is printed.
// With --bot (the default) it also plays the demo bot: it answers message.received through the
// conversations API and says welcome back when a handoff is resolved.
// Options: --url <app> (or BASE_URL), --port <own port, 8790>, --no-bot, --say "text" (repeatable:
// send these instead of reading the terminal, then exit once the answers have settled).
import { clearLine, createInterface, cursorTo } from "node:readline";
import { parseArgs, styleText } from "node:util";
import { DEMO_BOT_ID, pointDemoBot } from "./demo-bot.mjs";
import { DEMO, DEMO_PASSWORD, DEMO_WEBHOOK_SECRET } from "./seed.mjs";
import { adminLogin, appClient, Down, problem } from "./standin-app.mjs";
import {
  madeUpCredentials,
  signWhatsApp,
  startProviderServer,
  telegramUpdate,
  whatsAppStatus,
  whatsAppText,
} from "./standin-provider.mjs";
import { verifySignature } from "./webhook-receiver.mjs";

const USAGE = `Usage: npm run standin -- telegram|whatsapp [--url http://localhost:8787] [--port 8790]
                        [--no-bot] [--say "text" …]`;
let args;
try {
  args = parseArgs({
    allowPositionals: true,
    allowNegative: true,
    options: {
      url: { type: "string" },
      port: { type: "string" },
      bot: { type: "boolean", default: true },
      say: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
} catch (e) {
  console.error(`${e.message}\n${USAGE}`);
  process.exit(2);
}
const opts = args.values;
if (opts.help) (console.log(USAGE), process.exit(0));
const TYPE = args.positionals[0];
const PORT = Number(opts.port ?? 8790);
if ((TYPE !== "telegram" && TYPE !== "whatsapp") || args.positionals.length !== 1)
  (console.error(`Say which provider to play.\n${USAGE}`), process.exit(2));
if (!Number.isInteger(PORT) || PORT < 1 || PORT > 65535)
  (console.error(`Bad --port.\n${USAGE}`), process.exit(2));

const BASE = (opts.url ?? process.env.BASE_URL ?? "http://localhost:8787").replace(/\/+$/, "");
const WITH_BOT = opts.bot;
const SAY = opts.say ?? [];
const NAME = TYPE === "telegram" ? "Stand-in Telegram" : "Stand-in WhatsApp";
const PROVIDER = TYPE === "telegram" ? "Telegram" : "WhatsApp";
const BOT_ID = DEMO_BOT_ID;
const BOT_KEY = DEMO.tenants.find((t) => t.id === "demo").apiKey;
const CONTACT = { name: "Maria Lopez", chatId: 700100200, waId: "34600111222" };
const BOT_ANSWER = "I am the demo bot. Say 'human' to talk to a person.";
const WELCOME_BACK = "Welcome back! The demo bot again: ask me anything, or say 'human'.";
const ENV_LINE = `TELEGRAM_API_BASE=http://127.0.0.1:${PORT} WHATSAPP_API_BASE=http://127.0.0.1:${PORT}/v21.0 npm run dev`;

// ── output ──────────────────────────────────────────────────────────────────────────────────
const c = (format, text) => styleText(format, String(text));
let rl = null;
/** Prints a line without trampling what the user is typing at the prompt. */
function out(line) {
  if (rl && process.stdout.isTTY) (clearLine(process.stdout, 0), cursorTo(process.stdout, 0));
  console.log(line);
  if (rl && process.stdout.isTTY) rl.prompt(true);
}
/** Text from the app as plain characters: control codes (terminal escapes) shown, not obeyed. */
const plain = (text) =>
  String(text).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (ch) =>
    ch === "\u001b" ? "^[" : "\ufffd",
  );
const note = (text) => out(c("gray", `  ${text}`));
const warn = (text) => out(c("yellow", text));
const fail = (text) => out(c("red", text));

const api = appClient(BASE);

// ── state ───────────────────────────────────────────────────────────────────────────────────
const credentials = madeUpCredentials(TYPE);
let channel = null; // as the admin API shows it
let secretToken = null; // Telegram's, returned once when the channel is created
let registered = null; // what setWebhook told the stand-in
let cookie = null;
let demoBot; // the demo bot's webhook, pointed here while this runs
let server = null;
let lastActivity = 0; // when the Worker last sent anything (a text or a webhook)
let texts = 0; // texts the Worker sent to the contact so far
let spoke = false; // whether the contact has written yet
let warned = false; // whether NOTHING_BACK was said
const seenHooks = new Set();
const pending = new Set(); // requests and scheduled status reports not finished yet
const timers = new Map(); // timeout → what cancelling it must finish

const ours = (conversationId) =>
  typeof conversationId === "string" && conversationId.startsWith(`${channel?.id}:`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function track(promise) {
  pending.add(promise);
  promise
    .catch((e) => fail(e instanceof Down ? e.message : `Error: ${e.message}`))
    .finally(() => pending.delete(promise));
  return promise;
}
/** Runs `fn` in `ms`; a tracked one counts as work pending until then (see settle). */
function later(ms, fn, tracked = true) {
  let done = () => {};
  const waiting = tracked ? new Promise((r) => (done = r)) : null;
  if (waiting) pending.add(waiting);
  const finish = () => (timers.delete(t), pending.delete(waiting), done());
  const t = setTimeout(() => (finish(), fn()), ms);
  timers.set(t, finish);
}
const activity = () => (lastActivity = Date.now());
const NOTHING_BACK = `Nothing came back to the contact. Was the app started with\n  ${ENV_LINE} ?`;

// ── the provider's side ─────────────────────────────────────────────────────────────────────
const handlers = {
  onText({ text }) {
    activity();
    texts++;
    out(`${c("green", "← Support:")} ${plain(text).replace(/\n/g, "\n           ")}`);
  },
  onSetWebhook(call) {
    registered = call;
  },
  // WhatsApp reports what became of each message: sent, then delivered, then read.
  onSent({ id, to }) {
    [
      ["sent", 400],
      ["delivered", 1200],
      ["read", 2500],
    ].forEach(([status, ms]) =>
      later(ms, () => {
        const body = JSON.stringify(whatsAppStatus(credentials.phone_number_id, id, status, to));
        track(
          api("POST", channel.webhook_url, body, {
            "content-type": "application/json",
            "x-hub-signature-256": signWhatsApp(body, credentials.app_secret),
          }).then(
            (r) => r.status === 200 || fail(`The ${status} status was refused: ${problem(r)}`),
          ),
        );
      }),
    );
  },
  onHook(headers, body) {
    if (!verifySignature(DEMO_WEBHOOK_SECRET, headers, body)) {
      fail("A webhook for the demo bot did not carry a valid signature: refused.");
      return false;
    }
    const id = headers["webhook-id"];
    if (seenHooks.has(id)) return true; // a retry of one already handled
    seenHooks.add(id);
    let event = null;
    try {
      event = JSON.parse(body);
    } catch {
      return true;
    }
    if (WITH_BOT) playBot(event);
    return true;
  },
  onStray(method, url) {
    note(`(the stand-in does not know ${method} ${url}; answered 404)`);
  },
};

// ── the demo bot ────────────────────────────────────────────────────────────────────────────
function botSays(conversationId, text) {
  return track(
    api(
      "POST",
      `/api/v1/conversations/${encodeURIComponent(conversationId)}/messages`,
      { text },
      { authorization: `Bearer ${BOT_KEY}` },
    ).then((r) => r.status === 201 || fail(`The bot's answer was refused: ${problem(r)}`)),
  );
}

function playBot(event) {
  const d = event?.data ?? {};
  const conversationId = d.conversation_id ?? d.handoff?.conversation_id;
  if (!ours(conversationId)) return; // the demo bot's other conversations
  activity();
  const by = d.delivered_by === "channel" ? " (delivered_by: channel, not sent again)" : "";
  if (event.type === "message.received") {
    note(
      `bot ⇠ message.received "${plain(d.message?.text)}" → answers through the conversations API`,
    );
    botSays(conversationId, BOT_ANSWER);
  } else if (event.type === "handoff.claimed") {
    note(`bot ⇠ handoff.claimed by ${plain(d.agent?.name)}${by}`);
  } else if (event.type === "message.created") {
    note(`bot ⇠ message.created from ${plain(d.message?.agent?.name ?? "an agent")}${by}`);
  } else if (event.type === "handoff.resolved") {
    note(`bot ⇠ handoff.resolved (${plain(d.outcome)})${by} → the bot has the conversation again`);
    if (d.outcome === "return_to_bot") botSays(conversationId, WELCOME_BACK);
  } else if (event.type === "handoff.expired") {
    note(`bot ⇠ handoff.expired: nobody claimed in time${by}`);
  }
}

// ── the contact's side ──────────────────────────────────────────────────────────────────────
async function contactSays(text) {
  if (!process.stdin.isTTY || SAY.length) out(`${c("cyan", `→ ${CONTACT.name}:`)} ${text}`);
  const body =
    TYPE === "telegram"
      ? JSON.stringify(telegramUpdate(CONTACT, text))
      : JSON.stringify(whatsAppText(credentials.phone_number_id, CONTACT, text));
  const headers =
    TYPE === "telegram"
      ? { "content-type": "application/json", "x-telegram-bot-api-secret-token": secretToken }
      : {
          "content-type": "application/json",
          "x-hub-signature-256": signWhatsApp(body, credentials.app_secret),
        };
  const r = await api("POST", channel.webhook_url, body, headers);
  if (r.status !== 200) return fail(`The Worker refused the delivery: ${problem(r)}`);
  if (!spoke) later(10_000, () => texts || ((warned = true), warn(NOTHING_BACK)), false);
  spoke = true;
}

/** Waits until the Worker has gone quiet after `since` (or said nothing for 10 s). */
async function settle(since, quietMs = 2500) {
  const start = Date.now();
  for (;;) {
    const heard = lastActivity >= since;
    const quiet = Date.now() - lastActivity >= quietMs && pending.size === 0;
    if ((heard && quiet) || (!heard && Date.now() - start >= 10_000) || Date.now() - start > 30_000)
      return;
    await sleep(150);
  }
}

// ── set-up and tear-down ────────────────────────────────────────────────────────────────────
/** Its own channel from an earlier run is replaced: the secret token is only shown at creation. */
async function connectChannel() {
  const list = await api("GET", "/api/admin/channels", null, { cookie });
  if (list.status !== 200) throw new Error(`Could not list the channels: ${problem(list)}`);
  for (const old of list.data.channels.filter((ch) => ch.name === NAME && ch.type === TYPE)) {
    const r = await api("DELETE", `/api/admin/channels/${old.id}`, null, { cookie });
    if (r.status !== 200) throw new Error(`Could not remove ${old.id}: ${problem(r)}`);
  }
  const r = await api(
    "POST",
    "/api/admin/channels",
    { type: TYPE, name: NAME, ...(WITH_BOT ? { bot_id: BOT_ID } : {}), ...credentials },
    { cookie },
  );
  if (r.status !== 201) {
    const keyHint = /CHANNEL_SECRET_KEY/.test(r.data?.error?.message ?? "")
      ? " The app has no CHANNEL_SECRET_KEY: start it with `npm run dev` (it makes a local one)."
      : "";
    throw new Error(`Could not connect the channel: ${problem(r)}.${keyHint}`);
  }
  channel = r.data.channel;
  secretToken = r.data.secret_token ?? null;
  out(
    `Connected channel ${c("bold", channel.id)} "${NAME}"${WITH_BOT ? ` with the demo bot` : " (no bot: every message goes to the agents)"}; webhook URL ${channel.webhook_url}`,
  );
}

/** Telegram: the app calls setWebhook, which the stand-in answers: proof the app talks to it. */
async function registerTelegram() {
  const r = await api("POST", `/api/admin/channels/${channel.id}/register`, null, { cookie });
  if (r.status !== 200 || !registered)
    throw new Error(
      `The app did not call the stand-in's setWebhook (${problem(r)}): it sends Telegram's calls elsewhere.\nStart the app with:\n  ${ENV_LINE}`,
    );
  const same = registered.url === channel.webhook_url && registered.secret_token === secretToken;
  out(
    same
      ? `${c("green", "✓")} setWebhook received: ${registered.url}, with the secret token the app returned once`
      : c("red", `setWebhook named ${registered.url} with another secret token than the app's`),
  );
}

/** WhatsApp: Meta's subscription handshake, and the refusal of a wrong verify token. */
async function handshakeWhatsApp() {
  const challenge = String(Math.floor(Math.random() * 1e9));
  const query = (token) =>
    `${channel.webhook_url}?${new URLSearchParams({ "hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": challenge })}`;
  const right = await api("GET", query(credentials.verify_token));
  const wrong = await api("GET", query("not-the-verify-token"));
  if (right.status !== 200 || right.text !== challenge)
    throw new Error(`The verification handshake failed: ${problem(right)} ${right.text}`);
  out(
    `${c("green", "✓")} verification handshake: the app echoed hub.challenge ${challenge}; a wrong verify token got HTTP ${wrong.status}`,
  );
}

async function pointBotHere() {
  const hookUrl = `${server.url}/hook`;
  demoBot = await pointDemoBot(api, cookie, hookUrl, problem);
  out(`The demo bot's webhook now points at ${hookUrl} (restored on exit).`);
}

let stopping = false;
async function stop(why, code = 0) {
  if (stopping) return;
  stopping = true;
  for (const [t, finish] of timers) (clearTimeout(t), finish());
  rl?.close();
  await Promise.race([Promise.allSettled([...pending]), sleep(3000)]);
  if (why) console.log(`\n${why}`);
  if (code === 0 && spoke && texts === 0 && !warned) console.log(c("yellow", NOTHING_BACK));
  const restored = await demoBot?.restore();
  if (restored) console.log(restored);
  if (server) await Promise.race([server.close(), sleep(1500)]);
  process.exit(code);
}
process.on("SIGINT", () => stop("Stopping (Ctrl+C)…"));
process.on("SIGTERM", () => stop("Stopping (SIGTERM)…"));

// ── start ───────────────────────────────────────────────────────────────────────────────────
const app = await fetch(`${BASE}/api/openapi.json`).catch((e) => e);
if (app instanceof Error || !app.ok)
  (console.error(
    `Cannot reach Handoff Inbox at ${BASE} (${app instanceof Error ? (app.cause?.code ?? app.message) : `HTTP ${app.status}`}).\nStart it in another terminal with:\n  ${ENV_LINE}\nor pass --url / BASE_URL.`,
  ),
    process.exit(1));
try {
  server = await startProviderServer({ type: TYPE, port: PORT, credentials, handlers });
} catch (e) {
  console.error(
    e.code === "EADDRINUSE"
      ? `Port ${PORT} is busy: choose another with --port (and start the app with the same port in TELEGRAM_API_BASE / WHATSAPP_API_BASE).`
      : `Could not listen on 127.0.0.1:${PORT}: ${e.message}`,
  );
  process.exit(1);
}
console.log(`${c("bold", `${PROVIDER} stand-in`)} on ${server.url}, against ${BASE}`);
console.log(c("yellow", `The app must send to it. Start the app with:\n  ${ENV_LINE}`));
try {
  cookie = await adminLogin(api);
  await connectChannel();
  if (TYPE === "telegram") await registerTelegram();
  else await handshakeWhatsApp();
  if (WITH_BOT) await pointBotHere();
} catch (e) {
  fail(e.message);
  await stop(null, 1);
}
console.log(
  `Open ${BASE} as alice@demo.test (password ${DEMO_PASSWORD}) to claim, reply and resolve. ${
    WITH_BOT ? `Say "human" to be handed to a person. ` : ""
  }Ctrl+C stops.`,
);

if (SAY.length > 0) {
  for (const text of SAY) {
    const since = Date.now();
    await track(contactSays(text));
    await settle(since);
  }
  await stop(null, 0);
} else {
  console.log(`Ready: type as ${CONTACT.name} (${PROVIDER}); each line is sent to the app.`);
  rl = createInterface({ input: process.stdin, output: process.stdout, terminal: undefined });
  rl.setPrompt(c("cyan", `${CONTACT.name}> `));
  if (process.stdout.isTTY) rl.prompt();
  let queue = Promise.resolve(); // lines go out one after another, in order
  let lastSent = Date.now();
  rl.on("line", (line) => {
    const text = line.trim();
    if (text)
      queue = queue.then(() => ((lastSent = Date.now()), track(contactSays(text)).catch(() => {})));
    if (process.stdout.isTTY) rl.prompt();
  });
  rl.on("SIGINT", () => stop("Stopping (Ctrl+C)…"));
  rl.on("close", async () => {
    if (stopping) return;
    await queue;
    await settle(lastSent);
    await stop(process.stdin.isTTY ? "Bye." : null, 0);
  });
}
