// The Worker's HTTP surface: one Hono app, one sub-app per resource, one error handler.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./http/context";
import { ApiError } from "./http/errors";
import { sameOrigin } from "./http/middleware";
import { securityHeaders } from "./http/security-headers";
import { adminRoutes } from "./routes/admin";
import { analyticsRoutes } from "./routes/analytics";
import { authRoutes } from "./routes/auth";
import { botDeliveryRoutes } from "./routes/bot-deliveries";
import { botRoutes } from "./routes/bot";
import { channelRoutes } from "./routes/channels";
import { channelWebhookRoutes } from "./routes/channel-webhooks";
import { contactRoutes } from "./routes/contacts";
import { handoffRoutes, statsRoutes } from "./routes/handoffs";
import { notificationRoutes } from "./routes/notifications";
import { openapiRoutes } from "./routes/openapi";
import { realtimeRoutes } from "./routes/realtime";
import { settingsRoutes } from "./routes/settings";
import { syncFailureRoutes } from "./routes/sync-failures";
import { teamRoutes } from "./routes/teams";
import { widgetRoutes } from "./routes/widget";

export const app = new Hono<AppEnv>()
  .basePath("/api")
  .use(securityHeaders)
  .use(sameOrigin)
  .route("/", authRoutes)
  .route("/", openapiRoutes)
  .route("/", realtimeRoutes)
  .route("/v1", botRoutes)
  // Providers calling in: verified by their own secrets, not a session or an API key.
  .route("/channels", channelWebhookRoutes)
  // Other sites' pages (the website widget): each channel's own origins and CORS.
  .route("/widget", widgetRoutes)
  .route("/handoffs", handoffRoutes)
  .route("/stats", statsRoutes)
  .route("/", analyticsRoutes)
  .route("/contacts", contactRoutes)
  // Before /admin: viewers may read the settings, and admins-only guards the rest of /admin.
  .route("/admin/settings", settingsRoutes)
  // Before /admin, whose middleware admits admins only: viewers may read this one too.
  .route("/admin/sync-failures", syncFailureRoutes)
  .route("/admin/notifications", notificationRoutes)
  .route("/admin/teams", teamRoutes)
  .route("/admin/channels", channelRoutes)
  .route("/admin/bots", botDeliveryRoutes)
  .route("/admin", adminRoutes);

app.notFound((c) => c.json(new ApiError("not_found", "No such endpoint.").toJSON(), 404));

app.onError((err, c) => {
  if (err instanceof ApiError) return c.json(err.toJSON(), err.status);
  if (err instanceof HTTPException && err.status < 500) {
    return c.json(
      { error: { code: "invalid_request", message: err.message || "Bad request.", issues: [] } },
      400,
    );
  }
  console.error("Unhandled error", err);
  return c.json(
    { error: { code: "internal_error", message: "Something went wrong on our side." } },
    500,
  );
});

export type App = typeof app;
