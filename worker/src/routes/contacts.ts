// A contact's handoffs, newest first, so an agent sees what happened before. Any signed-in role.
import { Hono } from "hono";
import { contactHandoffsQuery } from "../../../schema/api";
import { tenantHub, type AppEnv } from "../http/context";
import { queryParams } from "../http/input";
import { requireSession } from "../http/middleware";

export const contactRoutes = new Hono<AppEnv>()
  .use(requireSession)
  .get("/:contact_id/handoffs", async (c) => {
    const { contact_id, bot_id, limit } = queryParams(c, contactHandoffsQuery, {
      contact_id: c.req.param("contact_id"),
    });
    const handoffs = await tenantHub(c.env, c.var.session.tenant.id).contactHandoffs(
      contact_id,
      bot_id,
      limit,
    );
    return c.json({ handoffs });
  });
