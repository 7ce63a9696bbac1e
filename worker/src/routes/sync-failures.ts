// GET /api/admin/sync-failures: the rows D1 kept refusing, set aside by the tenant's object so
// later rows keep flowing. Admins and viewers may read it (viewers read every GET /api/admin/…).
import { Hono } from "hono";
import { tenantHub, type AppEnv } from "../http/context";
import { requireRole, requireSession } from "../http/middleware";

export const syncFailureRoutes = new Hono<AppEnv>()
  .use(requireSession, requireRole("admin", "viewer"))
  .get("/", async (c) =>
    c.json({ failures: await tenantHub(c.env, c.var.session.tenant.id).syncFailures() }),
  );
