// D1 queries for bots (their handoff settings and webhook secret) and their API keys.
import { and, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { apiKeys, bots } from "../../../schema/tables";
import type { BotSettingsInput } from "../../../schema/api";
import { newApiKey } from "../auth/credentials";
import { sha256 } from "../auth/crypto";
import { newId } from "../ids";
import type { BotSettings } from "../tenant/types";
import {
  DEFAULT_MAX_WAIT_MINUTES,
  DEFAULT_MESSAGES,
  DEFAULT_REMINDER_DELAY_SECONDS,
} from "../tenant/templates";

type BotRow = typeof bots.$inferSelect;

export const toBotSettings = (b: BotRow): BotSettings => ({
  id: b.id,
  name: b.name,
  webhook_url: b.webhookUrl,
  webhook_secret: b.webhookSecret,
  handoff_message: b.handoffMessage,
  accept_message: b.acceptMessage,
  resolve_message: b.resolveMessage,
  expiry_message: b.expiryMessage,
  max_wait_minutes: b.maxWaitMinutes,
  reminder_delay_seconds: b.reminderDelaySeconds,
  version: b.version,
});

/** What admins see of a bot: everything but the secret, which is shown only when it is made. */
export function publicBot(b: BotSettings): Omit<BotSettings, "webhook_secret"> {
  const { webhook_secret: _secret, ...rest } = b;
  return rest;
}

export function newWebhookSecret(): string {
  return `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24))))}`;
}

/** The bot and tenant of an API key, by the key's hash (revoked ones too: the object remembers). */
export async function botByKeyHash(d1: D1Database, hash: string) {
  const [row] = await drizzle(d1)
    .select({
      keyId: apiKeys.id,
      botId: apiKeys.botId,
      tenantId: apiKeys.tenantId,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.keyHash, hash))
    .limit(1);
  return row ?? null;
}

export async function listBots(d1: D1Database, tenantId: string): Promise<BotSettings[]> {
  const rows = await drizzle(d1)
    .select()
    .from(bots)
    .where(eq(bots.tenantId, tenantId))
    .orderBy(bots.name);
  return rows.map(toBotSettings);
}

export async function findBot(
  d1: D1Database,
  tenantId: string,
  id: string,
): Promise<BotSettings | null> {
  const [row] = await drizzle(d1)
    .select()
    .from(bots)
    .where(and(eq(bots.tenantId, tenantId), eq(bots.id, id)))
    .limit(1);
  return row ? toBotSettings(row) : null;
}

const settingsColumns = (input: BotSettingsInput) => ({
  name: input.name,
  webhookUrl: input.webhook_url,
  handoffMessage: input.handoff_message,
  acceptMessage: input.accept_message,
  resolveMessage: input.resolve_message,
  expiryMessage: input.expiry_message,
  maxWaitMinutes: input.max_wait_minutes,
  reminderDelaySeconds: input.reminder_delay_seconds,
});

export async function createBot(
  d1: D1Database,
  tenantId: string,
  input: BotSettingsInput & { name: string },
  now: number,
) {
  const columns = settingsColumns(input);
  const row: BotRow = {
    id: newId("bot"),
    tenantId,
    name: input.name,
    webhookUrl: columns.webhookUrl ?? null,
    webhookSecret: newWebhookSecret(),
    handoffMessage: columns.handoffMessage ?? DEFAULT_MESSAGES.handoff_message,
    acceptMessage: columns.acceptMessage ?? DEFAULT_MESSAGES.accept_message,
    resolveMessage: columns.resolveMessage ?? DEFAULT_MESSAGES.resolve_message,
    expiryMessage: columns.expiryMessage ?? DEFAULT_MESSAGES.expiry_message,
    maxWaitMinutes: columns.maxWaitMinutes ?? DEFAULT_MAX_WAIT_MINUTES,
    reminderDelaySeconds: columns.reminderDelaySeconds ?? DEFAULT_REMINDER_DELAY_SECONDS,
    version: 1,
    createdAt: now,
  };
  await drizzle(d1).insert(bots).values(row);
  return toBotSettings(row);
}

export async function updateBot(
  d1: D1Database,
  tenantId: string,
  id: string,
  changes: BotSettingsInput & { webhookSecret?: string },
): Promise<BotSettings | null> {
  const { webhookSecret, ...input } = changes;
  const [row] = await drizzle(d1)
    .update(bots)
    .set({ ...settingsColumns(input), webhookSecret, version: sql`${bots.version} + 1` })
    .where(and(eq(bots.tenantId, tenantId), eq(bots.id, id)))
    .returning();
  return row ? toBotSettings(row) : null;
}

export interface ApiKeyRecord {
  id: string;
  bot_id: string;
  name: string;
  prefix: string;
  created_at: string;
  revoked_at: string | null;
}

const toKey = (k: typeof apiKeys.$inferSelect): ApiKeyRecord => ({
  id: k.id,
  bot_id: k.botId,
  name: k.name,
  prefix: k.prefix,
  created_at: new Date(k.createdAt).toISOString(),
  revoked_at: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
});

export async function listApiKeys(d1: D1Database, tenantId: string): Promise<ApiKeyRecord[]> {
  const rows = await drizzle(d1)
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.tenantId, tenantId))
    .orderBy(apiKeys.createdAt);
  return rows.map(toKey);
}

/** Creates a key; the key itself is returned this once and only its hash is kept. */
export async function createApiKey(
  d1: D1Database,
  tenantId: string,
  botId: string,
  name: string,
  now: number,
) {
  const key = newApiKey(tenantId);
  const row = {
    id: newId("key"),
    tenantId,
    botId,
    name,
    keyHash: await sha256(key),
    prefix: key.slice(0, key.lastIndexOf(".") + 5),
    createdAt: now,
    revokedAt: null,
  };
  await drizzle(d1).insert(apiKeys).values(row);
  return { key, api_key: toKey(row), keyHash: row.keyHash };
}

export async function revokeApiKey(
  d1: D1Database,
  tenantId: string,
  id: string,
  now: number,
): Promise<{ api_key: ApiKeyRecord; keyHash: string } | null> {
  const [row] = await drizzle(d1)
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id)))
    .returning();
  return row ? { api_key: toKey(row), keyHash: row.keyHash } : null;
}
