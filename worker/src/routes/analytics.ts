// GET /api/analytics and /api/analytics.csv: how the team is doing over a range of days, for
// admins and viewers. Mounted at the root: Hono cannot tell "analytics" from "analytics.csv" by a
// sub-app's prefix, so both paths are declared here in full.
import { Hono } from "hono";
import { analyticsQuery } from "../../../schema/analytics";
import { analytics } from "../db/analytics";
import { exportCsv } from "../db/analytics-export";
import type { AppEnv } from "../http/context";
import { queryParams } from "../http/input";
import { requireRole, requireSession } from "../http/middleware";

const readers = [requireSession, requireRole("admin", "viewer")] as const;

export const analyticsRoutes = new Hono<AppEnv>()
  .get("/analytics", ...readers, async (c) => {
    const query = queryParams(c, analyticsQuery);
    return c.json(await analytics(c.env.DB, c.var.session.tenant.id, query));
  })
  .get("/analytics.csv", ...readers, async (c) => {
    const query = queryParams(c, analyticsQuery);
    const body = await exportCsv(c.env.DB, c.var.session.tenant.id, query);
    return c.body(body, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="handoffs-${query.from}-${query.to}.csv"`,
      "cache-control": "no-store",
    });
  });
