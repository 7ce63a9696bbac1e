// Checks that run before a route: cross-site protection, sessions, roles, bot keys, rate limits.
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { Role } from "../../../schema/shapes";
import type { Context } from "hono";
import { keyCredential, sessionCredential, type Credential } from "../auth/credentials";
import { tenantHub, type AppEnv } from "./context";
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

/**
 * A state-changing request or WebSocket upgrade from a foreign Origin is refused. The website
 * widget's API is meant for other sites: it checks each channel's own origins (routes/widget.ts).
 */
export const sameOrigin = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.path.startsWith("/api/widget/")) return next();
  const upgrade = c.req.header("upgrade")?.toLowerCase() === "websocket";
  if (
    (upgrade || !SAFE_METHODS.has(c.req.method)) &&
    !allowedOrigin(c.req.raw, c.env.ALLOWED_ORIGINS)
  ) {
    throw new ApiError("forbidden", "Cross-site requests are not allowed.");
  }
  await next();
});

const loggedOut = () => new ApiError("unauthorized", "Log in to continue.");

async function cookieCredential(c: Context<AppEnv>): Promise<Credential> {
  const token = getCookie(c, SESSION_COOKIE);
  const credential = token ? await sessionCredential(c.env.DB, token) : null;
  if (!credential) throw loggedOut();
  return credential;
}

/**
 * Reads the session cookie into a credential without asking anyone yet: hot routes hand it to
 * the tenant object, which checks it in the same call that does the work.
 */
export const sessionCookie = createMiddleware<AppEnv>(async (c, next) => {
  c.set("credential", await cookieCredential(c));
  await next();
});

/** The signed-in user and tenant, checked by the tenant object (no D1 round trip). */
export const requireSession = createMiddleware<AppEnv>(async (c, next) => {
  const credential = await cookieCredential(c);
  const session = await tenantHub(c.env, credential.tenantId).authenticate(credential);
  if (!session) throw loggedOut();
  c.set("credential", credential);
  c.set("session", session);
  await next();
});

export const requireRole = (...roles: Role[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!roles.includes(c.var.session.user.role))
      throw new ApiError("forbidden", "Your role does not allow this.");
    await next();
  });

/** /api/admin: admins read and write, viewers may only read, agents get nothing. */
export const adminsWriteViewersRead = createMiddleware<AppEnv>(async (c, next) => {
  const { role } = c.var.session.user;
  if (role === "viewer" && !SAFE_METHODS.has(c.req.method)) {
    throw new ApiError("forbidden", "Viewers can read the settings but not change them.");
  }
  if (role !== "admin" && role !== "viewer")
    throw new ApiError("forbidden", "Your role does not allow this.");
  await next();
});

/** A bot's API key, read into a credential; the tenant object decides whether it is live and within its budget. */
export const requireBot = createMiddleware<AppEnv>(async (c, next) => {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
  const key = match?.[1] ? await keyCredential(c.env.DB, match[1]) : null;
  if (!key)
    throw new ApiError(
      "unauthorized",
      "A valid API key is required (Authorization: Bearer <key>).",
    );
  c.set("key", key);
  await next();
});
