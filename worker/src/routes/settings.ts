// The tenant's settings: admins change them, viewers (and admins) read them, agents get 403.
import { Hono } from "hono";
import { tenantSettingsPatch } from "../../../schema/settings";
import { readSettings, updateSettings } from "../db/settings";
import { tenantHub, type AppEnv } from "../http/context";
import { jsonBody } from "../http/input";
import { requireRole, requireSession } from "../http/middleware";

export const settingsRoutes = new Hono<AppEnv>()
  .use(requireSession, requireRole("admin", "viewer"))
  .get("/", async (c) =>
    c.json({ settings: (await readSettings(c.env.DB, c.var.session.tenant.id)).settings }),
  )
  .patch("/", requireRole("admin"), async (c) => {
    const input = await jsonBody(c, tenantSettingsPatch);
    const { tenant } = c.var.session;
    const stored = await updateSettings(c.env.DB, tenant.id, input, Date.now());
    // The tenant object works from its own copy (the retention sweep also refreshes it from D1).
    await tenantHub(c.env, tenant.id).syncSettings(tenant, stored);
    return c.json({ settings: stored.settings });
  });
