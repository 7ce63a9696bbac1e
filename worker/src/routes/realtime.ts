// The WebSocket upgrade: Origin-checked here (app middleware), then handed to the tenant object,
// which checks the session itself and accepts the socket.
import { Hono } from "hono";
import { tenantHub, type AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { sessionCookie } from "../http/middleware";
import { CREDENTIAL_HEADER } from "../tenant/hub";

export const realtimeRoutes = new Hono<AppEnv>().get("/ws", sessionCookie, async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError("invalid_request", "This endpoint expects a WebSocket upgrade.", {
      issues: [{ path: "Upgrade", message: "must be websocket" }],
    });
  }
  const { credential } = c.var;
  const headers = new Headers(c.req.raw.headers);
  headers.set(CREDENTIAL_HEADER, JSON.stringify(credential));
  return tenantHub(c.env, credential.tenantId).fetch(new Request(c.req.raw.url, { headers }));
});
