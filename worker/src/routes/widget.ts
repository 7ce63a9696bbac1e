// The website widget's API (api.md "Website widget"): a visitor's session, messages,
// conversation, rating and socket. Called from other sites' pages: each call's Origin must be
// one of the channel's allowed origins (for a token, the channel the token is bound to). The
// token carries its tenant, so after the session is made no D1 read is needed.
import { Hono, type Context } from "hono";
import {
  widgetMessageInput,
  widgetRatingInput,
  widgetSessionInput,
  type WidgetConfig,
} from "../../../schema/widget";
import { clientKey, CLIENT_IP_HEADER } from "../auth/login-limits";
import { newVisitorToken, visitorCredential } from "../auth/credentials";
import { sha256 } from "../auth/crypto";
import type { Credential } from "../auth/credentials";
import { channelById, toCopy } from "../db/channels";
import { tenantHub, unwrap, type AppEnv } from "../http/context";
import { originRefused, widgetCors } from "../http/cors";
import { ApiError, notFound } from "../http/errors";
import { jsonBody } from "../http/input";
import { VISITOR_HEADER } from "../tenant/hub";

const origin = (c: Context<AppEnv>) => c.req.header("origin") ?? null;

/** A live web channel that allows the caller's Origin (D1: only config and new sessions). */
async function webChannel(c: Context<AppEnv>, channelId: string) {
  const row = await channelById(c.env.DB, channelId);
  if (!row || row.type !== "web") throw notFound("No such chat.");
  const config = toCopy(row).config;
  if (!config.allowed_origins?.includes(origin(c) ?? "")) throw originRefused();
  return row;
}

/** New chats and messages per client address. */
async function countClient(c: Context<AppEnv>): Promise<void> {
  const key = clientKey(c.req.header(CLIENT_IP_HEADER));
  const { success } = await c.env.WIDGET_IP_LIMITER.limit({ key });
  if (!success) throw new ApiError("rate_limited", "Too many chat requests from your network.");
}

const unknownVisitor = () =>
  new ApiError("unauthorized", "Unknown or expired visitor token; start a new chat.");

async function bearer(c: Context<AppEnv>): Promise<Credential> {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
  const credential = match?.[1] ? await visitorCredential(match[1]) : null;
  if (!credential) throw unknownVisitor();
  return credential;
}

export const widgetRoutes = new Hono<AppEnv>()
  .use(widgetCors)
  .get("/config", async (c) => {
    const row = await webChannel(c, c.req.query("channel_id") ?? "");
    const { config } = toCopy(row);
    const body: WidgetConfig = {
      channel: {
        id: row.id,
        name: row.name,
        accent_color: config.accent_color ?? null,
        greeting: config.greeting ?? null,
      },
    };
    return c.json(body);
  })
  .post("/sessions", async (c) => {
    const input = await jsonBody(c, widgetSessionInput);
    const row = await webChannel(c, input.channel_id);
    await countClient(c);
    const token = newVisitorToken(row.tenantId);
    const made = unwrap(
      await tenantHub(c.env, row.tenantId).widgetSession(
        row.tenantId,
        toCopy(row),
        await sha256(token),
      ),
    );
    return c.json({ visitor_token: token, conversation_id: made.conversation_id }, 201);
  })
  .post("/messages", async (c) => {
    const key = await bearer(c);
    const input = await jsonBody(c, widgetMessageInput);
    await countClient(c);
    const hub = tenantHub(c.env, key.tenantId);
    return c.json(unwrap(await hub.widgetMessage(key, origin(c), input.text)), 201);
  })
  .get("/conversation", async (c) => {
    const key = await bearer(c);
    return c.json(unwrap(await tenantHub(c.env, key.tenantId).widgetConversation(key, origin(c))));
  })
  .post("/rating", async (c) => {
    const key = await bearer(c);
    const input = await jsonBody(c, widgetRatingInput);
    const hub = tenantHub(c.env, key.tenantId);
    return c.json(unwrap(await hub.widgetRating(key, origin(c), input.handoff_id, input.rating)));
  })
  .get("/ws", async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
      throw new ApiError("invalid_request", "This endpoint expects a WebSocket upgrade.", {
        issues: [{ path: "Upgrade", message: "must be websocket" }],
      });
    const key = await visitorCredential(c.req.query("token") ?? "");
    if (!key) throw unknownVisitor();
    const headers = new Headers({ upgrade: "websocket" });
    headers.set(VISITOR_HEADER, JSON.stringify({ credential: key, origin: origin(c) }));
    return tenantHub(c.env, key.tenantId).fetch(new Request(c.req.raw.url, { headers }));
  });
