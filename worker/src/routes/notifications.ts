// GET /api/admin/notifications: the emails the tenant's object sent on its own (reminders), with
// the failed ones and why. Admins and viewers may read it (viewers read every GET /api/admin/…).
import { Hono } from "hono";
import { tenantHub, type AppEnv } from "../http/context";
import { requireRole, requireSession } from "../http/middleware";

export const notificationRoutes = new Hono<AppEnv>()
  .use(requireSession, requireRole("admin", "viewer"))
  .get("/", async (c) =>
    c.json({ notifications: await tenantHub(c.env, c.var.session.tenant.id).notifications() }),
  );
