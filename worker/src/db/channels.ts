// D1 queries for channels. Credentials are stored sealed (auth/secret-box.ts); every write bumps
// the version and reads the row back, so the copy handed to the tenant object is that version's.
// A deleted channel stays as a tombstone (deleted_at) so an older copy cannot bring it back.
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type {
  Channel,
  ChannelConfig,
  ChannelSecrets,
  CreateChannelInput,
} from "../../../schema/channels";
import { DEFAULT_HANDOFF_KEYWORDS } from "../../../schema/channels";
import { channels } from "../../../schema/tables";
import type { ChannelType } from "../../../schema/vocabulary";
import { open, seal } from "../auth/secret-box";
import { newId } from "../ids";

type ChannelRow = typeof channels.$inferSelect;

/** What the tenant object keeps of a channel: everything, credentials still sealed. */
export interface ChannelCopy {
  id: string;
  type: ChannelType;
  name: string;
  bot_id: string | null;
  handoff_keywords: string[];
  config: ChannelConfig;
  /** Sealed with CHANNEL_SECRET_KEY, bound to the channel id. */
  secrets: string;
  version: number;
  deleted: boolean;
}

export const toCopy = (row: ChannelRow): ChannelCopy => ({
  id: row.id,
  type: row.type,
  name: row.name,
  bot_id: row.botId,
  handoff_keywords: JSON.parse(row.handoffKeywords) as string[],
  config: JSON.parse(row.config) as ChannelConfig,
  secrets: row.secrets,
  version: row.version,
  deleted: row.deletedAt !== null,
});

/** The webhook URL to register with the provider, on the origin the admin API was called on. */
export function webhookUrl(origin: string, channel: { id: string; type: ChannelType }) {
  return channel.type === "web" ? null : `${origin}/api/channels/${channel.type}/${channel.id}`;
}

export function publicChannel(row: ChannelRow, origin: string): Channel {
  const copy = toCopy(row);
  return {
    id: copy.id,
    type: copy.type,
    name: copy.name,
    bot_id: copy.bot_id,
    handoff_keywords: copy.handoff_keywords,
    ...copy.config,
    webhook_url: webhookUrl(origin, copy),
    created_at: new Date(row.createdAt).toISOString(),
  };
}

export async function openSecrets(key: string | undefined, copy: { id: string; secrets: string }) {
  // A website widget has no credentials: the demo seed stores none at all.
  if (copy.secrets === "") return {};
  return (await open(key, copy.id, copy.secrets)) as ChannelSecrets;
}

/** Splits what an admin sent into what may be shown and what is sealed. */
export function splitInput(input: Partial<CreateChannelInput> & Record<string, unknown>): {
  config: ChannelConfig;
  secrets: ChannelSecrets;
} {
  const pick = <K extends string>(keys: K[]) =>
    Object.fromEntries(keys.filter((k) => input[k] !== undefined).map((k) => [k, input[k]]));
  return {
    config: pick([
      "phone_number_id",
      "verify_token",
      "allowed_origins",
      "accent_color",
      "greeting",
    ]) as ChannelConfig,
    secrets: pick(["bot_token", "access_token", "app_secret"]) as ChannelSecrets,
  };
}

export async function createChannel(
  d1: D1Database,
  key: string | undefined,
  tenantId: string,
  input: CreateChannelInput,
  extraSecrets: ChannelSecrets,
  now: number,
): Promise<ChannelRow> {
  const id = newId("ch", 10);
  const { config, secrets } = splitInput(input);
  const row: ChannelRow = {
    id,
    tenantId,
    type: input.type,
    name: input.name,
    botId: input.bot_id ?? null,
    handoffKeywords: JSON.stringify(input.handoff_keywords ?? DEFAULT_HANDOFF_KEYWORDS),
    config: JSON.stringify(config),
    secrets: await seal(key, id, { ...secrets, ...extraSecrets }),
    version: 1,
    createdAt: now,
    deletedAt: null,
  };
  await drizzle(d1).insert(channels).values(row);
  return row;
}

export async function listChannels(d1: D1Database, tenantId: string): Promise<ChannelRow[]> {
  return drizzle(d1)
    .select()
    .from(channels)
    .where(and(eq(channels.tenantId, tenantId), isNull(channels.deletedAt)))
    .orderBy(asc(channels.createdAt), asc(channels.id));
}

/** A live channel of the tenant. */
export async function findChannel(d1: D1Database, tenantId: string, id: string) {
  const [row] = await drizzle(d1)
    .select()
    .from(channels)
    .where(and(eq(channels.tenantId, tenantId), eq(channels.id, id), isNull(channels.deletedAt)));
  return row;
}

/** A live channel by id alone: the provider's webhook names only the channel. */
export async function channelById(d1: D1Database, id: string) {
  const [row] = await drizzle(d1)
    .select()
    .from(channels)
    .where(and(eq(channels.id, id), isNull(channels.deletedAt)));
  return row;
}

/** Applies changes (credentials merged into the sealed ones) and bumps the version. */
export async function updateChannel(
  d1: D1Database,
  key: string | undefined,
  row: ChannelRow,
  changes: {
    name?: string;
    bot_id?: string | null;
    handoff_keywords?: string[];
    config?: ChannelConfig;
    secrets?: ChannelSecrets;
  },
): Promise<ChannelRow | undefined> {
  const sealed =
    changes.secrets && Object.keys(changes.secrets).length > 0
      ? await seal(key, row.id, { ...(await openSecrets(key, row)), ...changes.secrets })
      : row.secrets;
  const [updated] = await drizzle(d1)
    .update(channels)
    .set({
      name: changes.name ?? row.name,
      botId: changes.bot_id === undefined ? row.botId : changes.bot_id,
      handoffKeywords: changes.handoff_keywords
        ? JSON.stringify(changes.handoff_keywords)
        : row.handoffKeywords,
      config: JSON.stringify({ ...(JSON.parse(row.config) as ChannelConfig), ...changes.config }),
      secrets: sealed,
      version: sql`${channels.version} + 1`,
    })
    .where(and(eq(channels.id, row.id), isNull(channels.deletedAt)))
    .returning();
  return updated;
}

export async function deleteChannel(d1: D1Database, row: ChannelRow, now: number) {
  const [deleted] = await drizzle(d1)
    .update(channels)
    .set({ deletedAt: now, version: sql`${channels.version} + 1` })
    .where(and(eq(channels.id, row.id), isNull(channels.deletedAt)))
    .returning();
  return deleted;
}
