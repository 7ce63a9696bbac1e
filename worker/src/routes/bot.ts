// The bot / channel API: escalate, forward contact messages, read a handoff. Bearer API key.
import { Hono } from "hono";
import { contactMessageInput, escalateInput } from "../../../schema/api";
import { historyDetail } from "../db/history";
import { tenantHub, type AppEnv } from "../http/context";
import { notFound } from "../http/errors";
import { jsonBody } from "../http/input";
import { requireBot } from "../http/middleware";

export const botRoutes = new Hono<AppEnv>()
  .use(requireBot)
  .post("/handoffs", async (c) => {
    const input = await jsonBody(c, escalateInput);
    const { bot, tenant } = c.var.bot;
    const record = { ...input, metadata: JSON.stringify(input.metadata) };
    const result = await tenantHub(c.env, tenant.id).escalate(tenant, bot, record);
    return c.json(result, result.created ? 201 : 200);
  })
  .post("/messages", async (c) => {
    const input = await jsonBody(c, contactMessageInput);
    const { bot, tenant } = c.var.bot;
    const result = await tenantHub(c.env, tenant.id).contactMessage(tenant, bot.id, input);
    return result.route === "agent" ? c.json(result, 202) : c.json(result, 200);
  })
  .get("/handoffs/:id", async (c) => {
    const { bot, tenant } = c.var.bot;
    const id = c.req.param("id");
    const handoff = (await tenantHub(c.env, tenant.id).botHandoff(bot.id, id)) ?? (await historyDetail(c.env.DB, tenant.id, id, bot.id))?.handoff;
    if (!handoff) throw notFound("No such handoff.");
    return c.json({ handoff });
  });
