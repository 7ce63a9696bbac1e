// Checks that run before a route: cross-site protection, sessions, roles, bot keys, rate limits.
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { Role } from "../../../schema/shapes";
import { sessionByToken } from "../db/accounts";
import { botByApiKey } from "../db/bots";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

export const SESSION_COOKIE = "hi_session";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function allowedOrigin(request: Request, allowed: string): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  if (origin === new URL(request.url).origin) return true;
  return allowed
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean)
    .includes(origin);
}

/** A state-changing request or WebSocket upgrade from a foreign Origin is refused. */
export const sameOrigin = createMiddleware<AppEnv>(async (c, next) => {
  const upgrade = c.req.header("upgrade")?.toLowerCase() === "websocket";
  if ((upgrade || !SAFE_METHODS.has(c.req.method)) && !allowedOrigin(c.req.raw, c.env.ALLOWED_ORIGINS)) {
    throw new ApiError("forbidden", "Cross-site requests are not allowed.");
  }
  await next();
});

export const requireSession = createMiddleware<AppEnv>(async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  const session = token ? await sessionByToken(c.env.DB, token, Date.now()) : null;
  if (!session) throw new ApiError("unauthorized", "Log in to continue.");
  c.set("session", session);
  await next();
});

export const requireRole = (...roles: Role[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!roles.includes(c.var.session.user.role)) throw new ApiError("forbidden", "Your role does not allow this.");
    await next();
  });

/** Viewers may read; every write they attempt is forbidden. */
export const writersOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!SAFE_METHODS.has(c.req.method) && c.var.session.user.role === "viewer") {
    throw new ApiError("forbidden", "Viewers can read conversations but not act on them.");
  }
  await next();
});

/** /api/admin: admins read and write, viewers may only read, agents get nothing. */
export const adminsWriteViewersRead = createMiddleware<AppEnv>(async (c, next) => {
  const { role } = c.var.session.user;
  if (role === "viewer" && !SAFE_METHODS.has(c.req.method)) {
    throw new ApiError("forbidden", "Viewers can read the settings but not change them.");
  }
  if (role !== "admin" && role !== "viewer") throw new ApiError("forbidden", "Your role does not allow this.");
  await next();
});

export const requireBot = createMiddleware<AppEnv>(async (c, next) => {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
  const bot = match?.[1] ? await botByApiKey(c.env.DB, match[1]) : null;
  if (!bot) throw new ApiError("unauthorized", "A valid API key is required (Authorization: Bearer <key>).");
  const { success } = await c.env.BOT_LIMITER.limit({ key: bot.keyId });
  if (!success) throw new ApiError("rate_limited", "Too many requests for this API key; slow down and retry.");
  c.set("bot", bot);
  await next();
});
