// Channels of one's tenant (admins; viewers read): connect Telegram, WhatsApp or the website
// widget, change or rotate their credentials, register Telegram's webhook, disconnect. Every
// change is copied to the tenant object, which routes the channel's conversations.
import { Hono, type Context } from "hono";
import { createChannelInput, updateChannelInput, type Channel } from "../../../schema/channels";
import type { ChannelState } from "../tenant/channel-conversations";
import { SecretKeyMissing } from "../auth/secret-box";
import { newTelegramSecretToken, telegramSetWebhookRequest } from "../channels/telegram";
import { findBot } from "../db/bots";
import {
  createChannel,
  deleteChannel,
  findChannel,
  listChannels,
  openSecrets,
  publicChannel,
  splitInput,
  toCopy,
  updateChannel,
  webhookUrl,
} from "../db/channels";
import { tenantHub, type AppEnv } from "../http/context";
import { ApiError, notFound } from "../http/errors";
import { jsonBody } from "../http/input";
import { adminsWriteViewersRead, requireSession } from "../http/middleware";

const origin = (c: Context<AppEnv>) => new URL(c.req.url).origin;

/** A channel with its health as the tenant object saw it (never heard from: all null). */
function withState(channel: Channel, states: ChannelState[]): Channel {
  const state = states.find((s) => s.channel_id === channel.id);
  return {
    ...channel,
    last_inbound_at: state?.last_inbound_at ?? null,
    last_error: state?.last_error ?? null,
    last_error_at: state?.last_error_at ?? null,
  };
}

/** Without the sealing key nothing can be stored safely: say so plainly. */
function secretKey(c: Context<AppEnv>): string {
  if (!c.env.CHANNEL_SECRET_KEY)
    throw new ApiError("internal_error", new SecretKeyMissing().message);
  return c.env.CHANNEL_SECRET_KEY;
}

async function checkBot(c: Context<AppEnv>, botId: string | null | undefined): Promise<void> {
  if (!botId) return;
  if (!(await findBot(c.env.DB, c.var.session.tenant.id, botId)))
    throw new ApiError("invalid_request", "Invalid bot_id: no such bot.", {
      issues: [{ path: "bot_id", message: "no such bot" }],
    });
}

async function sync(c: Context<AppEnv>, row: Parameters<typeof toCopy>[0]): Promise<void> {
  const { tenant } = c.var.session;
  await tenantHub(c.env, tenant.id).syncChannel(tenant, toCopy(row));
}

async function channelOf(c: Context<AppEnv>) {
  const row = await findChannel(c.env.DB, c.var.session.tenant.id, c.req.param("id") ?? "");
  if (!row) throw notFound("No such channel.");
  return row;
}

export const channelRoutes = new Hono<AppEnv>()
  .use(requireSession, adminsWriteViewersRead)
  .get("/", async (c) => {
    const { tenant } = c.var.session;
    const [rows, states] = await Promise.all([
      listChannels(c.env.DB, tenant.id),
      tenantHub(c.env, tenant.id).channelStates(),
    ]);
    return c.json({
      channels: rows.map((row) => withState(publicChannel(row, origin(c)), states)),
    });
  })
  .post("/", async (c) => {
    const input = await jsonBody(c, createChannelInput);
    const key = secretKey(c);
    await checkBot(c, input.bot_id);
    // Telegram echoes this in a header on every update: how we know the update is genuine.
    const secretToken = input.type === "telegram" ? newTelegramSecretToken() : undefined;
    const row = await createChannel(
      c.env.DB,
      key,
      c.var.session.tenant.id,
      input,
      secretToken ? { secret_token: secretToken } : {},
      Date.now(),
    );
    await sync(c, row);
    const channel = publicChannel(row, origin(c));
    return c.json(secretToken ? { channel, secret_token: secretToken } : { channel }, 201);
  })
  .get("/:id", async (c) => {
    const row = await channelOf(c);
    const states = await tenantHub(c.env, c.var.session.tenant.id).channelStates();
    return c.json({ channel: withState(publicChannel(row, origin(c)), states) });
  })
  .patch("/:id", async (c) => {
    const input = await jsonBody(c, updateChannelInput);
    const row = await channelOf(c);
    await checkBot(c, input.bot_id);
    const { config, secrets } = splitInput(input);
    const misplaced = Object.keys({ ...config, ...secrets }).filter(
      (field) => !FIELDS_OF[row.type]?.includes(field),
    );
    if (misplaced.length > 0)
      throw new ApiError("invalid_request", `A ${row.type} channel has no ${misplaced[0]}.`, {
        issues: misplaced.map((path) => ({
          path,
          message: `not a field of a ${row.type} channel`,
        })),
      });
    const updated = await updateChannel(c.env.DB, secretKey(c), row, {
      name: input.name,
      bot_id: input.bot_id,
      handoff_keywords: input.handoff_keywords,
      config,
      secrets,
    });
    if (!updated) throw notFound("No such channel.");
    await sync(c, updated);
    return c.json({ channel: publicChannel(updated, origin(c)) });
  })
  .delete("/:id", async (c) => {
    const row = await channelOf(c);
    const deleted = await deleteChannel(c.env.DB, row, Date.now());
    if (!deleted) throw notFound("No such channel.");
    await sync(c, deleted);
    return c.json({ channel: publicChannel(row, origin(c)) });
  })
  // Telegram: point the bot's webhook at us, with the secret token it will echo back.
  .post("/:id/register", async (c) => {
    const row = await channelOf(c);
    if (row.type !== "telegram")
      throw new ApiError("invalid_request", "Only Telegram channels are registered this way.");
    const secrets = await openSecrets(secretKey(c), row);
    const url = webhookUrl(origin(c), row)!;
    const request = telegramSetWebhookRequest(
      c.env.TELEGRAM_API_BASE,
      secrets.bot_token ?? "",
      url,
      secrets.secret_token ?? "",
    );
    const answer = await fetch(request).catch((error: unknown) => error);
    if (answer instanceof Response && answer.ok) {
      return c.json({ channel: publicChannel(row, origin(c)) });
    }
    const detail =
      answer instanceof Response
        ? `${answer.status} ${await answer.text().then((t) => t.slice(0, 300))}`
        : String(answer);
    throw new ApiError("provider_error", `Telegram refused setWebhook: ${detail}`);
  });

/** Which credential and set-up fields each type of channel has. */
const FIELDS_OF: Record<string, string[]> = {
  telegram: ["bot_token"],
  whatsapp: ["phone_number_id", "access_token", "app_secret", "verify_token"],
  web: ["allowed_origins", "accent_color", "greeting"],
};
