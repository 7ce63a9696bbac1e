// The local demo seed of api.md: tenants demo and globex, their people, bots and API keys, and
// the demo tenant's website widget channel (tried on the local demo page `npm run dev` serves).
// Idempotent (safe to run on every start) and local only: it writes to the local D1 through
// `wrangler d1 execute --local`, never to a deployed database.
import { createHash } from "node:crypto";
import {
  DEFAULT_MAX_WAIT_MINUTES,
  DEFAULT_MESSAGES,
  DEFAULT_REMINDER_DELAY_SECONDS,
  executeSql,
  hashPassword,
  q,
} from "./d1.mjs";
import { demoHistory, demoHistorySql } from "./demo-history.mjs";

export const DEMO_PASSWORD = "handoff-demo";
export const DEMO_WEBHOOK_SECRET = "whsec_ZGVtby1sb2NhbC13ZWJob29rLXNlY3JldA==";
export const DEMO = {
  tenants: [
    { id: "demo", name: "Demo Co", apiKey: "hk_demo_local_key" },
    { id: "globex", name: "Globex", apiKey: "hk_globex_local_key" },
  ],
  users: [
    {
      id: "u_demo_admin",
      tenant: "demo",
      email: "admin@demo.test",
      name: "Ada Admin",
      role: "admin",
    },
    { id: "u_demo_alice", tenant: "demo", email: "alice@demo.test", name: "Alice", role: "agent" },
    { id: "u_demo_bob", tenant: "demo", email: "bob@demo.test", name: "Bob", role: "agent" },
    {
      id: "u_demo_viewer",
      tenant: "demo",
      email: "viewer@demo.test",
      name: "Victor Viewer",
      role: "viewer",
    },
    {
      id: "u_globex_dana",
      tenant: "globex",
      email: "dana@globex.test",
      name: "Dana",
      role: "agent",
    },
  ],
};

/** Where `npm run dev` serves the demo page that embeds the widget (DEMO_SITE_PORT, default 8789). */
export const DEMO_SITE_PORT = Number(process.env.DEMO_SITE_PORT) || 8789;

/**
 * The demo tenant's web channel, with a fixed id the demo page names. It has no bot: every
 * visitor's first message opens a handoff. A website widget has no credentials to seal, so its
 * sealed secrets are empty (the Worker reads an empty value as none).
 */
export const DEMO_WEB_CHANNEL = {
  id: "ch_demo_web",
  tenant: "demo",
  name: "Demo Co website",
  allowed_origins: [`http://localhost:${DEMO_SITE_PORT}`, `http://127.0.0.1:${DEMO_SITE_PORT}`],
  accent_color: "#0f766e",
  greeting: "Hi! Ask us anything — a person from Demo Co will answer.",
};

export function seedSql(webhookUrl) {
  const now = Date.now();
  const lines = [];
  for (const t of DEMO.tenants) {
    lines.push(
      `INSERT INTO tenants (id, name, created_at) VALUES (${q(t.id)}, ${q(t.name)}, ${now}) ON CONFLICT (id) DO UPDATE SET name = excluded.name;`,
    );
  }
  const hash = hashPassword(DEMO_PASSWORD);
  for (const u of DEMO.users) {
    lines.push(
      `INSERT INTO users (id, tenant_id, email, name, role, password_hash, created_at) VALUES (${q(u.id)}, ${q(u.tenant)}, ${q(u.email)}, ${q(u.name)}, ${q(u.role)}, ${q(hash)}, ${now}) ON CONFLICT (id) DO NOTHING;`,
    );
  }
  for (const t of DEMO.tenants) {
    const botId = `bot_${t.id}`;
    lines.push(
      `INSERT INTO bots (id, tenant_id, name, webhook_url, webhook_secret, handoff_message, accept_message, resolve_message, expiry_message, max_wait_minutes, reminder_delay_seconds, created_at)
       VALUES (${q(botId)}, ${q(t.id)}, 'Demo bot', ${q(webhookUrl)}, ${q(DEMO_WEBHOOK_SECRET)}, ${q(DEFAULT_MESSAGES.handoff_message)}, ${q(DEFAULT_MESSAGES.accept_message)}, ${q(DEFAULT_MESSAGES.resolve_message)}, ${q(DEFAULT_MESSAGES.expiry_message)}, ${DEFAULT_MAX_WAIT_MINUTES}, ${DEFAULT_REMINDER_DELAY_SECONDS}, ${now})
       ON CONFLICT (id) DO UPDATE SET webhook_url = excluded.webhook_url, webhook_secret = excluded.webhook_secret, version = bots.version + 1;`,
    );
    const keyHash = createHash("sha256").update(t.apiKey).digest("hex");
    lines.push(
      `INSERT INTO api_keys (id, tenant_id, bot_id, name, key_hash, prefix, created_at) VALUES (${q(`key_${t.id}_local`)}, ${q(t.id)}, ${q(botId)}, 'Local demo key', ${q(keyHash)}, ${q(t.apiKey.slice(0, 7))}, ${now}) ON CONFLICT (id) DO UPDATE SET revoked_at = NULL;`,
    );
  }
  const web = DEMO_WEB_CHANNEL;
  const config = JSON.stringify({
    allowed_origins: web.allowed_origins,
    accent_color: web.accent_color,
    greeting: web.greeting,
  });
  // A changed set-up (another demo port) bumps the version, so the tenant object takes it.
  lines.push(
    `INSERT INTO channels (id, tenant_id, type, name, bot_id, handoff_keywords, config, secrets, version, created_at)
     VALUES (${q(web.id)}, ${q(web.tenant)}, 'web', ${q(web.name)}, NULL, ${q(JSON.stringify(["human", "agent", "person"]))}, ${q(config)}, '', 1, ${now})
     ON CONFLICT (id) DO UPDATE SET config = excluded.config, deleted_at = NULL, version = channels.version + 1
     WHERE channels.config != excluded.config OR channels.deleted_at IS NOT NULL;`,
  );
  return lines.join("\n") + "\n";
}

/**
 * Seeds the demo, in one `wrangler d1 execute`. With `history` (`npm run dev` only, never the
 * tests' tenant), also two weeks of the demo tenant's closed handoffs up to `now`
 * (scripts/demo-history.mjs); resolves with that history, as the generator tallied it.
 * @param {{ webhookUrl?: string | null, persistTo?: string, history?: boolean, now?: number }} [options]
 */
export async function seed({
  webhookUrl = process.env.DEMO_WEBHOOK_URL || null,
  persistTo,
  history = false,
  now = Date.now(),
} = {}) {
  const past = history ? demoHistory(now) : null;
  await executeSql(seedSql(webhookUrl) + (past ? demoHistorySql(past) + "\n" : ""), { persistTo });
  return past;
}

if (import.meta.url === `file://${process.argv[1]}`) await seed();
