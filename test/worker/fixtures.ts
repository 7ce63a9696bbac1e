// Test fixtures: each call makes a fresh tenant (users, bot, API key) so tests never share state.
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { apiKeys, bots, tenants, users } from "../../schema/tables";
import { hashPassword, sha256 } from "../../worker/src/auth/crypto";
import { newId } from "../../worker/src/ids";
import { DEFAULT_MESSAGES } from "../../worker/src/tenant/templates";
import type { Role } from "../../schema/shapes";

export const PASSWORD = "correct horse battery";
const passwordHash = hashPassword(PASSWORD);
export const WEBHOOK_SECRET = "whsec_dGVzdC13ZWJob29rLXNlY3JldC0xMjM0NTY3ODk=";

export interface TestUser {
  id: string;
  name: string;
  email: string;
  role: Role;
}

export interface TestTenant {
  id: string;
  name: string;
  botId: string;
  apiKey: string;
  /** Path on the webhook sink where this tenant's bot receives its webhooks. */
  webhookPath: string;
  admin: TestUser;
  alice: TestUser;
  bob: TestUser;
  viewer: TestUser;
  /** More agents, for races. */
  agents: TestUser[];
}

export async function makeTenant(
  options: {
    agents?: number;
    maxWaitMinutes?: number;
    reminderSeconds?: number;
    webhook?: boolean;
  } = {},
): Promise<TestTenant> {
  const db = drizzle(env.DB);
  const id = newId("t", 6);
  const name = `Org ${id.slice(-4)}`;
  const now = Date.now();
  await db.insert(tenants).values({ id, name, createdAt: now });
  const hash = await passwordHash;
  const person = (label: string, role: Role): TestUser => ({
    id: newId("u"),
    name: label,
    email: `${label.toLowerCase().replace(/\s+/g, "")}@${id}.test`,
    role,
  });
  const admin = person("Admin", "admin");
  const alice = person("Alice", "agent");
  const bob = person("Bob", "agent");
  const viewer = person("Viewer", "viewer");
  const agents = Array.from({ length: options.agents ?? 0 }, (_, i) =>
    person(`Agent ${i + 1}`, "agent"),
  );
  const everyone = [admin, alice, bob, viewer, ...agents];
  for (const u of everyone) {
    await db.insert(users).values({
      id: u.id,
      tenantId: id,
      email: u.email,
      name: u.name,
      role: u.role,
      passwordHash: hash,
      createdAt: now,
    });
  }
  const botId = newId("bot");
  const webhookPath = `/hooks/${id}`;
  await db.insert(bots).values({
    id: botId,
    tenantId: id,
    name: "Test bot",
    webhookUrl: options.webhook === false ? null : `https://bot.test${webhookPath}`,
    webhookSecret: WEBHOOK_SECRET,
    ...{
      handoffMessage: DEFAULT_MESSAGES.handoff_message,
      acceptMessage: DEFAULT_MESSAGES.accept_message,
      resolveMessage: DEFAULT_MESSAGES.resolve_message,
      expiryMessage: DEFAULT_MESSAGES.expiry_message,
    },
    maxWaitMinutes: options.maxWaitMinutes ?? 30,
    reminderDelaySeconds: options.reminderSeconds ?? 180,
    createdAt: now,
  });
  const apiKey = `hk_test_${id}`;
  await db.insert(apiKeys).values({
    id: newId("key"),
    tenantId: id,
    botId,
    name: "test",
    keyHash: await sha256(apiKey),
    prefix: apiKey.slice(0, 7),
    createdAt: now,
  });
  return { id, name, botId, apiKey, webhookPath, admin, alice, bob, viewer, agents };
}
