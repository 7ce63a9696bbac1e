// The bot / channel API: escalate, forward contact messages, read a handoff. Bearer API key.
import { Hono } from "hono";
import { contactMessageBatchInput, contactMessageInput, escalateInput, isContactMessageBatch } from "../../../schema/api";
import { tenantHub, type AppEnv } from "../http/context";
import { notFound } from "../http/errors";
import { jsonBody, readJson, validated } from "../http/input";
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
    const body = await readJson(c);
    const { bot, tenant } = c.var.bot;
    if (isContactMessageBatch(body)) {
      // Validated whole before the object is reached: one bad item and nothing is stored.
      const { messages } = validated(contactMessageBatchInput, body);
      return c.json({ results: await tenantHub(c.env, tenant.id).contactMessages(tenant, bot.id, messages) }, 200);
    }
    const input = validated(contactMessageInput, body);
    const result = await tenantHub(c.env, tenant.id).contactMessage(tenant, bot.id, input);
    return result.route === "agent" ? c.json(result, 202) : c.json(result, 200);
  })
  .get("/handoffs/:id", async (c) => {
    const { bot, tenant } = c.var.bot;
    const handoff = await tenantHub(c.env, tenant.id).botHandoff(bot.id, c.req.param("id"));
    if (!handoff) throw notFound("No such handoff.");
    return c.json({ handoff });
  });
