// Providers calling the Worker (api.md "Channels"): Telegram's updates, checked by the secret
// token it echoes; WhatsApp's verification handshake and its signed deliveries. A verified
// delivery is always answered 200 (providers retry anything else for days): what cannot be used
// is recorded as the channel's last trouble, never a crash.
import { Hono, type Context } from "hono";
import type { ChannelType } from "../../../schema/vocabulary";
import type { InboundEvent } from "../channels/inbound";
import { parseTelegramUpdate, verifyTelegramSecret } from "../channels/telegram";
import {
  parseWhatsAppWebhook,
  verifyWhatsAppSignature,
  whatsAppChallenge,
} from "../channels/whatsapp";
import { channelById, openSecrets } from "../db/channels";
import { tenantHub, type AppEnv } from "../http/context";
import { ApiError, notFound } from "../http/errors";

/** Provider bodies are small; anything bigger is not theirs. */
const MAX_BODY_BYTES = 1_000_000;

async function channelOf(c: Context<AppEnv>, type: ChannelType) {
  const row = await channelById(c.env.DB, c.req.param("id") ?? "");
  if (!row || row.type !== type) throw notFound("No such channel.");
  return { row, secrets: await openSecrets(c.env.CHANNEL_SECRET_KEY, row) };
}

async function rawBody(c: Context<AppEnv>): Promise<string> {
  const body = await c.req.text();
  if (body.length > MAX_BODY_BYTES)
    throw new ApiError("payload_too_large", "This is not a provider delivery.");
  return body;
}

/** Hands verified, parsed events to the tenant object; records what could not be read. */
async function deliver(
  c: Context<AppEnv>,
  row: { id: string; tenantId: string },
  raw: string,
  parse: (body: unknown) => InboundEvent[],
) {
  const hub = tenantHub(c.env, row.tenantId);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    await hub.channelTrouble(row.tenantId, row.id, "A delivery was not JSON; it was ignored.");
    return c.json({ ok: true });
  }
  const events = parse(body);
  const ignored = events.filter((e) => e.kind === "ignored");
  if (events.length === 0 || ignored.length === events.length) {
    const reason = ignored[0]?.reason ?? "nothing we could read";
    await hub.channelTrouble(row.tenantId, row.id, `A delivery was ignored: ${reason}.`);
  }
  const useful = events.filter((e) => e.kind !== "ignored");
  if (useful.length > 0) await hub.channelInbound(row.tenantId, row.id, useful);
  return c.json({ ok: true });
}

export const channelWebhookRoutes = new Hono<AppEnv>()
  .post("/telegram/:id", async (c) => {
    const { row, secrets } = await channelOf(c, "telegram");
    const header = c.req.header("x-telegram-bot-api-secret-token") ?? null;
    if (!secrets.secret_token || !verifyTelegramSecret(header, secrets.secret_token))
      throw new ApiError("unauthorized", "Wrong or missing secret token.");
    return deliver(c, row, await rawBody(c), parseTelegramUpdate);
  })
  .get("/whatsapp/:id", async (c) => {
    const { row } = await channelOf(c, "whatsapp");
    const config = JSON.parse(row.config) as { verify_token?: string };
    const challenge = whatsAppChallenge(new URL(c.req.url).searchParams, config.verify_token ?? "");
    if (challenge === null) throw new ApiError("forbidden", "Wrong verify token.");
    return c.text(challenge);
  })
  .post("/whatsapp/:id", async (c) => {
    const { row, secrets } = await channelOf(c, "whatsapp");
    const raw = await rawBody(c);
    const signature = c.req.header("x-hub-signature-256") ?? null;
    if (!secrets.app_secret || !(await verifyWhatsAppSignature(raw, signature, secrets.app_secret)))
      throw new ApiError("unauthorized", "Bad or missing signature.");
    return deliver(c, row, raw, parseWhatsAppWebhook);
  });
