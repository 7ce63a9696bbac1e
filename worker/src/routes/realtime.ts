// The WebSocket upgrade: authenticated and Origin-checked here, then handed to the tenant object.
import { Hono } from "hono";
import { tenantHub, type AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { requireSession } from "../http/middleware";
import { IDENTITY_HEADER } from "../tenant/hub";

export const realtimeRoutes = new Hono<AppEnv>().get("/ws", requireSession, async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError("invalid_request", "This endpoint expects a WebSocket upgrade.", { issues: [{ path: "Upgrade", message: "must be websocket" }] });
  }
  const { user, tenant, session } = c.var.session;
  const headers = new Headers(c.req.raw.headers);
  headers.set(IDENTITY_HEADER, JSON.stringify({ user, tenant, session }));
  return tenantHub(c.env, tenant.id).fetch(new Request(c.req.raw.url, { headers }));
});
