// Creates a tenant with its first admin, a bot and an API key, in the local D1 or (with
// --remote) the deployed one. Everything else is managed through the admin API afterwards.
//   npm run create-tenant -- --remote --id acme --name "Acme Inc" --admin-email ops@acme.com --admin-name "Olga Ops"
// Locally, --persist-to <dir> writes to that local state instead of the default one.
// The admin password and API key are generated and printed once; only their hashes are stored.
import { createHash, randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import {
  DEFAULT_MAX_WAIT_MINUTES,
  DEFAULT_MESSAGES,
  DEFAULT_REMINDER_DELAY_SECONDS,
  executeSql,
  hashPassword,
  q,
} from "./d1.mjs";

const { values: o } = parseArgs({
  options: {
    id: { type: "string" },
    name: { type: "string" },
    "admin-email": { type: "string" },
    "admin-name": { type: "string" },
    "bot-name": { type: "string", default: "Support bot" },
    "webhook-url": { type: "string" },
    remote: { type: "boolean", default: false },
    "persist-to": { type: "string" },
  },
});
if (!o.id || !/^[a-z0-9-]{2,40}$/.test(o.id) || !o.name || !o["admin-email"]?.includes("@")) {
  console.error(
    'Usage: npm run create-tenant -- [--remote] --id acme --name "Acme Inc" --admin-email ops@acme.com [--admin-name "Olga Ops"] [--bot-name "Support bot"] [--webhook-url https://…]',
  );
  process.exit(2);
}
// The same rule as the admin API: https, or plain http only to this machine (local development).
if (o["webhook-url"] !== undefined) {
  let url = null;
  try {
    url = new URL(o["webhook-url"]);
  } catch {
    // reported below
  }
  const local = url && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (!url || !(url.protocol === "https:" || (url.protocol === "http:" && local))) {
    console.error(
      "--webhook-url must be an https:// URL (plain http:// only to localhost, 127.0.0.1 or [::1])",
    );
    process.exit(2);
  }
}

const token = (bytes) => randomBytes(bytes).toString("base64url");
const now = Date.now();
const password = token(15);
// The key names its tenant, so the Worker knows which tenant object checks it.
const apiKey = `hk_${o.id}.${token(24)}`;
const secret = `whsec_${randomBytes(24).toString("base64")}`;
const userId = `u_${token(9)}`;
const botId = `bot_${token(9)}`;
const sql = [
  `INSERT INTO tenants (id, name, created_at) VALUES (${q(o.id)}, ${q(o.name)}, ${now});`,
  `INSERT INTO users (id, tenant_id, email, name, role, password_hash, created_at) VALUES (${q(userId)}, ${q(o.id)}, ${q(o["admin-email"].toLowerCase())}, ${q(o["admin-name"] ?? "Admin")}, 'admin', ${q(hashPassword(password))}, ${now});`,
  `INSERT INTO bots (id, tenant_id, name, webhook_url, webhook_secret, handoff_message, accept_message, resolve_message, expiry_message, max_wait_minutes, reminder_delay_seconds, created_at)
   VALUES (${q(botId)}, ${q(o.id)}, ${q(o["bot-name"])}, ${q(o["webhook-url"] ?? null)}, ${q(secret)}, ${q(DEFAULT_MESSAGES.handoff_message)}, ${q(DEFAULT_MESSAGES.accept_message)}, ${q(DEFAULT_MESSAGES.resolve_message)}, ${q(DEFAULT_MESSAGES.expiry_message)}, ${DEFAULT_MAX_WAIT_MINUTES}, ${DEFAULT_REMINDER_DELAY_SECONDS}, ${now});`,
  `INSERT INTO api_keys (id, tenant_id, bot_id, name, key_hash, prefix, created_at) VALUES (${q(`key_${token(9)}`)}, ${q(o.id)}, ${q(botId)}, 'First key', ${q(createHash("sha256").update(apiKey).digest("hex"))}, ${q(apiKey.slice(0, apiKey.lastIndexOf(".") + 5))}, ${now});`,
].join("\n");

try {
  await executeSql(sql, { remote: o.remote, persistTo: o["persist-to"] });
} catch (error) {
  console.error(
    `Could not create the tenant (does the id or email already exist?)\n${error.message}`,
  );
  process.exit(1);
}
console.log(`Tenant "${o.name}" (${o.id}) created${o.remote ? " in the deployed database" : " locally"}. Shown once — keep them safe:
  admin login      ${o["admin-email"]} / ${password}
  bot API key      ${apiKey}   (bot ${botId})
  webhook secret   ${secret}`);
