// Two weeks of closed handoffs for the demo tenant, for `npm run dev` only: what a team's history
// looks like (the analytics dashboard, the inbox's Resolved and Expired views, a returning
// contact's earlier conversations) written straight into D1, where closed handoffs live once
// the tenant object lets them go.
//
// Deterministic: each UTC day's handoffs come from a PRNG seeded by its date, with ids derived
// from the date too, and are written with INSERT … ON CONFLICT DO NOTHING. Seeding again writes
// nothing new for days already there; a later start adds the days (and the hours of today) that
// have passed since, so the history stays recent. Only handoffs whose every step is already in
// the past are written: none of them is open.
import { createHash } from "node:crypto";
import {
  DEFAULT_MAX_WAIT_MINUTES,
  DEFAULT_MESSAGES,
  DEFAULT_REMINDER_DELAY_SECONDS,
  q,
} from "./d1.mjs";
import { TOPICS } from "./demo-history-topics.mjs";

/** How many UTC days, today included, the history covers. */
export const HISTORY_DAYS = 14;

const TENANT = "demo";
const ORG_NAME = "Demo Co";
const BOT = "bot_demo";
/** The seeded website widget channel: its conversations' handoffs belong to it (it has no bot). */
const WEB_CHANNEL = "ch_demo_web";
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
const MAX_WAIT = DEFAULT_MAX_WAIT_MINUTES * MINUTE;
const REMINDER_DELAY = DEFAULT_REMINDER_DELAY_SECONDS * SECOND;

/** The demo people who work the queue (scripts/seed.mjs), and how much of it each takes. */
export const HISTORY_AGENTS = [
  { id: "u_demo_alice", name: "Alice", weight: 42 },
  { id: "u_demo_bob", name: "Bob", weight: 38 },
  { id: "u_demo_admin", name: "Ada Admin", weight: 20 },
];
const ADMIN = HISTORY_AGENTS[2];

/** Contacts who come back: each has several conversations over the two weeks. */
export const REGULARS = [
  { id: "wa-447700900123", channel: "whatsapp", name: "Maria Gonzalez", phone: "+447700900123" },
  { id: "tg-5120734", channel: "telegram", name: "Tomás Ferreira" },
  { id: "wa-447700900456", channel: "whatsapp", name: "Priya Natarajan", phone: "+447700900456" },
  { id: "tg-6602211", channel: "telegram", name: "Jonas Berg" },
  { id: "mail-lena-okafor", channel: "other", name: "Lena Okafor", email: "lena@example.com" },
];

const CHANNEL_WEIGHTS = [
  ["web", 35],
  ["whatsapp", 30],
  ["telegram", 25],
  ["other", 10],
];

const FIRST = [
  "Amara", "Ben", "Chloé", "Daniel", "Elif", "Farah", "George", "Hana", "Ivan", "Julia",
  "Kenji", "Laura", "Mateo", "Nadia", "Oscar", "Paula", "Rafael", "Sofia", "Theo", "Yusuf",
]; // prettier-ignore
const LAST = [
  "Andersen", "Bianchi", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ito",
  "Kowalski", "Lindqvist", "Moreau", "Novak", "O'Brien", "Petrov", "Rossi", "Schmidt", "Tanaka",
]; // prettier-ignore

/** A PRNG (mulberry32) seeded from a text, with the draws the generator needs. */
class Draws {
  constructor(key) {
    this.state = createHash("sha256").update(`demo-history:${key}`).digest().readUInt32LE(0);
  }
  /** A float in [0, 1). */
  next() {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi]. */
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p) {
    return this.next() < p;
  }
  pick(items) {
    return items[Math.floor(this.next() * items.length)];
  }
  /** One of [value, weight] pairs, by weight. */
  weighted(pairs) {
    const total = pairs.reduce((sum, [, w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [value, w] of pairs) if ((r -= w) < 0) return value;
    return pairs[pairs.length - 1][0];
  }
  /** Exponentially distributed, with this mean. */
  exp(mean) {
    return -Math.log(1 - this.next()) * mean;
  }
  /** `seconds` plus an exponential number of seconds (mean `mean`), in whole ms. */
  delay(seconds, mean) {
    return Math.round((seconds + this.exp(mean)) * SECOND);
  }
}

const hashed = (prefix, key) =>
  `${prefix}_${createHash("sha256").update(`demo-history:${key}`).digest("hex").slice(0, 24)}`;
const fill = (template, agentName = "") =>
  template.replaceAll("{org_name}", ORG_NAME).replaceAll("{agent_name}", agentName);
const isoDate = (ms) => new Date(ms).toISOString().slice(0, 10);

/** A first-time contact on a channel. */
function newContact(draw, channel, key) {
  const name = `${draw.pick(FIRST)} ${draw.pick(LAST)}`;
  if (channel === "web") return { id: hashed("v", key), channel, name: "Website visitor" };
  if (channel === "whatsapp") {
    const phone = `+4477009${String(draw.int(10000, 99999))}`;
    return { id: `wa-${phone.slice(1)}`, channel, name, phone };
  }
  if (channel === "telegram") return { id: `tg-${draw.int(1000000, 9999999)}`, channel, name };
  const email = `${name.split(" ")[0].toLowerCase()}.${draw.int(10, 99)}@example.com`;
  return { id: `mail-${hashed("c", key).slice(2, 14)}`, channel, name, email };
}

/** When in the UTC day a contact asks for a person: office hours mostly, a few at night. */
function timeOfDay(draw) {
  if (draw.chance(0.12)) return Math.floor(draw.next() * DAY);
  return Math.floor((7 + 6 * (draw.next() + draw.next())) * 60 * MINUTE);
}

/**
 * One handoff with its transcript and audit trail: escalated, then claimed (or assigned), replied
 * to and resolved, or expired with nobody claiming it.
 */
function makeHandoff(key, createdAt, { expiryChance }) {
  const draw = new Draws(key);
  const regular = draw.chance(0.1) ? draw.pick(REGULARS) : null;
  const contact = regular ?? newContact(draw, draw.weighted(CHANNEL_WEIGHTS), key);
  const topic = draw.pick(TOPICS);
  const orderNo = `DC-${draw.int(10000, 99999)}`;
  const text = (line) => line.replaceAll("{order}", orderNo);
  const web = contact.channel === "web";
  const id = hashed("ho", key);
  const messages = [];
  const events = [];
  const say = (sender, line, at, agent = null) =>
    messages.push({
      id: hashed("m", `${key}:${messages.length}`),
      handoff_id: id,
      sender,
      text: sender === "system" ? line : text(line),
      agent_id: agent?.id ?? null,
      agent_name: agent?.name ?? null,
      delivery: sender === "agent" ? (web || draw.chance(0.6) ? "read" : "delivered") : null,
      at,
    });
  const log = (type, actor, data, at) =>
    events.push({
      id: hashed("ev", `${key}:${events.length}`),
      handoff_id: id,
      type,
      actor_id: actor?.id ?? null,
      actor_name: actor?.name ?? null,
      data: JSON.stringify(data),
      at,
    });

  const priority = draw.weighted([
    ["normal", 80],
    ["high", 15],
    ["urgent", 5],
  ]);
  // The lines before the handoff, counted back from it.
  const asked = createdAt - draw.delay(2, 5);
  const answered = asked - draw.delay(15, 10);
  say("contact", topic.opening, answered - draw.delay(20, 30));
  say("bot", topic.bot, answered);
  say("contact", draw.pick(ASKS), asked);
  say("system", fill(DEFAULT_MESSAGES.handoff_message), createdAt);
  log("escalated", null, { reason: topic.reason, priority, channel: contact.channel }, createdAt);

  const row = {
    id,
    tenant_id: TENANT,
    bot_id: web ? WEB_CHANNEL : BOT,
    conversation_id: web ? `${WEB_CHANNEL}:${contact.id}` : `conv-${contact.id}`,
    status: "resolved",
    channel: contact.channel,
    contact_id: contact.id,
    contact_name: contact.name ?? null,
    contact_phone: contact.phone ?? null,
    contact_email: contact.email ?? null,
    reason: topic.reason,
    summary: text(topic.summary),
    tags: JSON.stringify(topic.tags),
    priority,
    metadata: JSON.stringify(topic.order ? { order_id: orderNo } : {}),
    assignee_id: null,
    assignee_name: null,
    team_id: null,
    team_name: null,
    outcome: null,
    note: null,
    rating: null,
    message_count: 0,
    created_at: createdAt,
    claimed_at: null,
    resolved_at: null,
    expires_at: createdAt + MAX_WAIT,
    updated_at: createdAt,
  };

  // Slow claims happen: a fifth wait minutes rather than seconds (and get the team's reminder).
  const claimAfter = Math.min(
    draw.delay(4, 45) + (draw.chance(0.2) ? draw.delay(30, 240) : 0),
    MAX_WAIT - MINUTE,
  );
  const expires = draw.chance(expiryChance);
  if (expires || claimAfter >= REMINDER_DELAY)
    log("reminded", null, { waiting_seconds: REMINDER_DELAY / SECOND }, createdAt + REMINDER_DELAY);
  if (expires) {
    const at = createdAt + MAX_WAIT;
    log("expired", null, { waited_seconds: MAX_WAIT / SECOND }, at);
    say("system", fill(DEFAULT_MESSAGES.expiry_message), at);
    Object.assign(row, { status: "expired", updated_at: at });
  } else {
    const agent = draw.weighted(HISTORY_AGENTS.map((a) => [a, a.weight]));
    let at = createdAt + claimAfter;
    // Now and then the admin hands a waiting conversation to someone instead.
    if (agent !== ADMIN && draw.chance(0.1))
      log("assigned", ADMIN, { agent: { id: agent.id, name: agent.name } }, at);
    else log("claimed", agent, {}, at);
    Object.assign(row, { assignee_id: agent.id, assignee_name: agent.name, claimed_at: at });
    say("system", fill(DEFAULT_MESSAGES.accept_message, agent.name), at);
    at += draw.delay(8, 40);
    say("agent", topic.agent[0], at, agent);
    at += draw.delay(20, 60);
    say("contact", topic.contact[0], at);
    at += draw.delay(15, 50);
    say("agent", topic.agent[1], at, agent);
    at += draw.delay(10, 30);
    say("contact", draw.pick(THANKS), at);
    at += draw.delay(20, 90);
    const outcome = draw.chance(0.65) ? "return_to_bot" : "close";
    const note = draw.chance(0.3) ? text(topic.note) : null;
    log("resolved", agent, { outcome, note }, at);
    say("system", fill(DEFAULT_MESSAGES.resolve_message), at);
    Object.assign(row, { outcome, note, resolved_at: at, updated_at: at });
    // Website visitors may rate the conversation once it is over.
    if (web && draw.chance(0.55)) {
      const rating = draw.chance(0.8) ? "up" : "down";
      at += draw.delay(5, 40);
      log("rated", null, { rating }, at);
      Object.assign(row, { rating, updated_at: at });
    }
  }
  row.message_count = messages.filter((m) => m.sender !== "system").length;
  const endsAt = Math.max(row.updated_at, ...messages.map((m) => m.at));
  return { row, messages, events, contact, endsAt };
}

const ASKS = [
  "Can I talk to a person please?",
  "human",
  "I'd like to speak to someone",
  "agent please",
  "This isn't helping, is there a real person?",
];
const THANKS = [
  "Great, thank you!",
  "Perfect, thanks a lot",
  "Thanks, that's all I needed",
  "ok thanks",
  "Brilliant, cheers",
];

/** One UTC day's handoffs, whole (some may still lie in the future). */
function dayOfHistory(dayStart) {
  const date = isoDate(dayStart);
  const draw = new Draws(date);
  const weekday = new Date(dayStart).getUTCDay();
  const weekend = weekday === 0 || weekday === 6;
  const count = weekend ? draw.int(5, 10) : draw.int(12, 25);
  const times = Array.from({ length: count }, () => dayStart + timeOfDay(draw)).sort(
    (a, b) => a - b,
  );
  return times.map((createdAt, n) => {
    const night = createdAt - dayStart < 7 * 60 * MINUTE || createdAt - dayStart > 20 * 60 * MINUTE;
    const expiryChance = night ? 0.35 : weekend ? 0.15 : 0.06;
    return makeHandoff(`${date}:${n}`, createdAt, { expiryChance });
  });
}

/**
 * The history of the HISTORY_DAYS UTC days up to `now` (today included, up to `now`): its rows
 * and, per day, the figures the analytics should show for it.
 */
export function demoHistory(now = Date.now(), days = HISTORY_DAYS) {
  const today = Math.floor(now / DAY) * DAY;
  const handoffs = [];
  const messages = [];
  const events = [];
  const contacts = new Map();
  const tally = [];
  for (let i = days - 1; i >= 0; i--) {
    const dayStart = today - i * DAY;
    const date = isoDate(dayStart);
    const figures = { date, dateStart: dayStart, handoffs: 0, claimed: 0, expired: 0, resolved: 0 };
    for (const h of dayOfHistory(dayStart)) {
      if (h.endsAt > now) continue;
      handoffs.push(h.row);
      messages.push(...h.messages);
      events.push(...h.events);
      const contactKey = `${h.row.bot_id}|${h.contact.channel}|${h.contact.id}`;
      const seen = contacts.get(contactKey);
      if (!seen || seen.updated_at < h.row.updated_at)
        contacts.set(contactKey, {
          ...h.contact,
          bot_id: h.row.bot_id,
          updated_at: h.row.updated_at,
        });
      figures.handoffs++;
      if (h.row.claimed_at !== null) figures.claimed++;
      if (h.row.status === "expired") figures.expired++;
      if (h.row.status === "resolved") figures.resolved++;
    }
    tally.push(figures);
  }
  return { handoffs, messages, events, contacts: [...contacts.values()], tally };
}

/** Multi-row INSERTs of `rows` into `table`, each statement kept well under D1's size limit. */
function inserts(table, columns, rows, conflict) {
  const statements = [];
  let values = [];
  let size = 0;
  const flush = () => {
    if (values.length === 0) return;
    statements.push(
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES\n${values.join(",\n")}\n${conflict};`,
    );
    values = [];
    size = 0;
  };
  for (const row of rows) {
    const tuple = `(${columns.map((c) => (typeof row[c] === "number" ? row[c] : q(row[c]))).join(", ")})`;
    if (size + tuple.length > 50_000) flush();
    values.push(tuple);
    size += tuple.length;
  }
  flush();
  return statements;
}

const HANDOFF_COLUMNS = [
  "id", "tenant_id", "bot_id", "conversation_id", "status", "channel", "contact_id",
  "contact_name", "contact_phone", "contact_email", "reason", "summary", "tags", "priority",
  "metadata", "assignee_id", "assignee_name", "team_id", "team_name", "outcome", "note", "rating",
  "message_count", "created_at", "claimed_at", "resolved_at", "expires_at", "updated_at",
]; // prettier-ignore
const MESSAGE_COLUMNS = [
  "id", "tenant_id", "handoff_id", "sender", "text", "agent_id", "agent_name", "delivery", "at",
]; // prettier-ignore
const EVENT_COLUMNS = [
  "id", "tenant_id", "handoff_id", "type", "actor_id", "actor_name", "data", "at",
]; // prettier-ignore
const CONTACT_COLUMNS = [
  "tenant_id", "bot_id", "channel", "external_id", "name", "phone", "email", "updated_at",
]; // prettier-ignore

/** The SQL that writes the history (and changes nothing already written). */
export function demoHistorySql(history) {
  const withTenant = (rows) => rows.map((r) => ({ ...r, tenant_id: TENANT }));
  const contacts = history.contacts.map((c) => ({
    tenant_id: TENANT,
    bot_id: c.bot_id,
    channel: c.channel,
    external_id: c.id,
    name: c.name ?? null,
    phone: c.phone ?? null,
    email: c.email ?? null,
    updated_at: c.updated_at,
  }));
  const nothing = "ON CONFLICT DO NOTHING";
  return [
    ...inserts("handoffs", HANDOFF_COLUMNS, history.handoffs, nothing),
    ...inserts("messages", MESSAGE_COLUMNS, withTenant(history.messages), nothing),
    ...inserts("handoff_events", EVENT_COLUMNS, withTenant(history.events), nothing),
    ...inserts("contacts", CONTACT_COLUMNS, contacts, nothing),
  ].join("\n");
}
