// `npm run screenshots`: the README's pictures, taken from a running `npm run dev` (its two weeks
// of demo history fill the dashboard and the earlier conversations) with headless Chromium:
// the inbox with a conversation open, the same on a phone, the analytics of the last 14 days, and
// the settings' Bots and Agents pages. Writes docs/*.png (--out to write elsewhere).
//
// Before taking them it sets the scene through the public APIs: a few escalations from the demo
// bot, one of them a returning contact whom Alice has claimed and answered. The escalations have
// fixed conversation ids, so running it again reuses them while they are open. The demo bot's
// webhook points at a receiver of this script's own meanwhile (so replies read "Delivered") and
// is put back after.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { pointDemoBot } from "./demo-bot.mjs";
import { HISTORY_DAYS, REGULARS } from "./demo-history.mjs";
import { ROOT } from "./run.mjs";
import { DEMO, DEMO_PASSWORD, DEMO_WEBHOOK_SECRET } from "./seed.mjs";
import { startWebhookReceiver } from "./webhook-receiver.mjs";

const { values: args } = parseArgs({
  options: {
    url: { type: "string", default: process.env.BASE_URL ?? "http://localhost:8787" },
    out: { type: "string", default: join(ROOT, "docs") },
  },
});
const BASE = args.url.replace(/\/$/, "");
const OUT = args.out;
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function api(method, path, body, headers = {}) {
  const res = await fetch(BASE + path, {
    method,
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => null);
  return { status: res.status, data, headers: res.headers };
}
const problem = (r) => `HTTP ${r.status} ${JSON.stringify(r.data?.error ?? r.data)}`;

async function must(method, path, body, headers) {
  const r = await api(method, path, body, headers);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${problem(r)}`);
  return r.data;
}

/** A session cookie for a demo user (one login each: logins are limited per account). */
async function logIn(email) {
  const r = await api("POST", "/api/auth/login", { email, password: DEMO_PASSWORD });
  if (r.status !== 200) throw new Error(`login ${email}: ${problem(r)}`);
  return r.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

const bot = (path, body) =>
  must("POST", path, body, { authorization: `Bearer ${DEMO.tenants[0].apiKey}` });

const maria = REGULARS[0];
const minutesAgo = (m) => new Date(Date.now() - m * 60_000).toISOString();

/** The open queue in the pictures: who is waiting and why. */
const SCENE = [
  {
    conversation_id: "screenshot-maria",
    channel: maria.channel,
    contact: { id: maria.id, name: maria.name, phone: maria.phone },
    reason: "Refund not received",
    summary:
      "Returned the jacket from order DC-48213 on the 18th; the return was logged as received but no refund has arrived. Second contact about it.",
    tags: ["returns", "refund"],
    priority: "high",
    history: [
      { from: "contact", text: "Hi, I still haven't got my refund for the jacket", at: 6 },
      { from: "bot", text: "Refunds take 5–7 working days after we receive the return.", at: 5 },
      { from: "contact", text: "It's been 12 days. I'd like to talk to someone please", at: 4 },
    ],
  },
  {
    conversation_id: "screenshot-kenji",
    channel: "web",
    contact: { id: "screenshot-v-kenji", name: "Kenji Ito", email: "kenji@example.com" },
    reason: "Wants a bulk order quote",
    summary: "Office of 40 people; asks about volume pricing for the desk chairs.",
    tags: ["sales"],
    priority: "normal",
    history: [{ from: "contact", text: "Do you do discounts for 40 chairs?", at: 3 }],
  },
  {
    conversation_id: "screenshot-elif",
    channel: "telegram",
    contact: { id: "tg-7730418", name: "Elif Kaya" },
    reason: "Parcel marked delivered, not received",
    summary:
      "Tracking says delivered yesterday; not with neighbours or in the building's mailroom.",
    tags: ["delivery"],
    priority: "high",
    history: [{ from: "contact", text: "Tracking says delivered but I have nothing", at: 2 }],
  },
  {
    conversation_id: "screenshot-paula",
    channel: "whatsapp",
    contact: { id: "wa-34612000777", name: "Paula Costa", phone: "+34612000777" },
    reason: "Change delivery address",
    summary: "Moving on Friday; order DC-50177 should go to the new flat.",
    tags: ["delivery", "order-change"],
    priority: "normal",
    history: [{ from: "contact", text: "Can I still change the address on my order?", at: 1 }],
  },
  {
    conversation_id: "screenshot-theo",
    channel: "other",
    contact: { id: "mail-theo-dubois", name: "Theo Dubois", email: "theo@example.com" },
    reason: "Invoice with VAT number",
    summary: "Needs the March invoices reissued with the company's VAT number.",
    tags: ["billing", "invoice"],
    priority: "low",
    history: [{ from: "contact", text: "I need our invoices with the VAT number on them", at: 1 }],
  },
];

/** Escalates the scene (reusing whatever is still open) and plays Alice's conversation. */
async function setScene(cookies) {
  const ids = [];
  for (const { history, ...item } of SCENE) {
    const answer = await bot("/api/v1/handoffs", {
      ...item,
      history: history.map((h) => ({ from: h.from, text: h.text, at: minutesAgo(h.at) })),
    });
    ids.push({ id: answer.handoff.id, created: answer.created });
  }
  const [mine, bobs] = ids;
  if (mine.created) {
    const alice = { cookie: cookies.alice };
    const path = `/api/handoffs/${mine.id}`;
    await must("POST", `${path}/claim`, undefined, alice);
    await must(
      "POST",
      `${path}/messages`,
      { text: "Hi Maria, I'm sorry about the wait. Let me look at the return for DC-48213." },
      alice,
    );
    await sleep(1500);
    await bot("/api/v1/messages", {
      conversation_id: SCENE[0].conversation_id,
      id: "screenshot-maria-1",
      text: "Thank you. The courier said it was delivered to you on the 18th",
    });
    await sleep(1500);
    await must(
      "POST",
      `${path}/messages`,
      {
        text: "Found it: the return reached us but was never matched to your order. I've refunded €89.00 to your card just now; you'll see it in 2–3 days.",
      },
      alice,
    );
  }
  if (bobs.created) {
    const bob = DEMO.users.find((u) => u.email === "bob@demo.test");
    await must(
      "POST",
      `/api/handoffs/${bobs.id}/assign`,
      { agent_id: bob.id },
      { cookie: cookies.admin },
    );
  }
  return mine.id;
}

/** A browser page signed in with `cookie`, at `path`, once the app says it is live. */
async function open(browser, cookie, path, viewport, deviceScaleFactor = 1) {
  const context = await browser.newContext({ viewport, deviceScaleFactor, baseURL: BASE });
  await context.addCookies(
    cookie.split("; ").map((pair) => {
      const at = pair.indexOf("=");
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: BASE };
    }),
  );
  const page = await context.newPage();
  await page.goto(path);
  return page;
}

async function shoot(page, name) {
  // Animations and the caret settled; toasts gone.
  await page.addStyleTag({ content: "*{caret-color:transparent!important}" });
  await sleep(800);
  const path = join(OUT, name);
  await page.screenshot({ path, animations: "disabled" });
  await page.context().close();
  console.log(`  wrote ${path}`);
}

const live = (page) => page.getByText("Live", { exact: true }).first().waitFor();

const today = new Date().toISOString().slice(0, 10);
const from = new Date(Date.now() - (HISTORY_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);

mkdirSync(OUT, { recursive: true });
console.log(`Screenshots of ${BASE} into ${OUT}`);
const cookies = { admin: await logIn("admin@demo.test"), alice: await logIn("alice@demo.test") };
const receiver = await startWebhookReceiver({ secret: DEMO_WEBHOOK_SECRET });
const demoBot = await pointDemoBot(api, cookies.admin, `${receiver.url}/hook`, problem);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  const conversation = await setScene(cookies);
  await sleep(2000); // the webhooks delivered: Alice's replies read "Delivered"

  // As the admin, so the header has Analytics and Settings too.
  let page = await open(browser, cookies.admin, `/handoffs/${conversation}`, DESKTOP);
  await live(page);
  await page
    .getByRole("region", { name: "Earlier conversations" })
    .getByRole("link")
    .first()
    .waitFor();
  await shoot(page, "inbox.png");

  page = await open(browser, cookies.alice, "/", PHONE, 2);
  await live(page);
  await page.getByText(maria.name).first().waitFor();
  await shoot(page, "inbox-phone.png");

  page = await open(
    browser,
    cookies.admin,
    `/analytics?range=custom&from=${from}&to=${today}&tz=UTC`,
    DESKTOP,
  );
  await page.locator("svg").first().waitFor();
  await page.getByText("Alice").first().waitFor();
  await shoot(page, "analytics.png");

  page = await open(browser, cookies.admin, "/settings/bots", DESKTOP);
  await page.getByRole("button", { name: /save/i }).first().waitFor();
  await shoot(page, "settings-bots.png");

  page = await open(browser, cookies.admin, "/settings/agents", DESKTOP);
  await page.getByText("bob@demo.test").first().waitFor();
  await shoot(page, "settings-agents.png");
} finally {
  await browser.close();
  const restored = await demoBot.restore();
  if (restored) console.log(restored);
  await receiver.close();
}
