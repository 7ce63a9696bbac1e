// The bot / channel API: escalate, forward contact messages, read a handoff. Bearer API key,
// checked by the tenant object in the same call that does the work.
import { Hono } from "hono";
import {
  contactMessageBatchInput,
  contactMessageInput,
  conversationMessageInput,
  escalateInput,
  isContactMessageBatch,
} from "../../../schema/api";
import { tenantHub, unwrap, type AppEnv } from "../http/context";
import { notFound } from "../http/errors";
import { jsonBody, readJson, validated } from "../http/input";
import { requireBot } from "../http/middleware";

export const botRoutes = new Hono<AppEnv>()
  .use(requireBot)
  .post("/handoffs", async (c) => {
    const input = await jsonBody(c, escalateInput);
    const { key } = c.var;
    const record = { ...input, metadata: JSON.stringify(input.metadata) };
    const result = unwrap(await tenantHub(c.env, key.tenantId).escalate(key, record));
    return c.json(result, result.created ? 201 : 200);
  })
  .post("/messages", async (c) => {
    const body = await readJson(c);
    const { key } = c.var;
    if (isContactMessageBatch(body)) {
      // Validated whole before the object is reached: one bad item and nothing is stored.
      const { messages } = validated(contactMessageBatchInput, body);
      return c.json(
        { results: unwrap(await tenantHub(c.env, key.tenantId).contactMessages(key, messages)) },
        200,
      );
    }
    const input = validated(contactMessageInput, body);
    const result = unwrap(await tenantHub(c.env, key.tenantId).contactMessage(key, input));
    return result.route === "agent" ? c.json(result, 202) : c.json(result, 200);
  })
  // A channel conversation the bot owns: its answer goes out through the channel.
  .post("/conversations/:id/messages", async (c) => {
    const { text } = await jsonBody(c, conversationMessageInput);
    const { key } = c.var;
    const hub = tenantHub(c.env, key.tenantId);
    return c.json(unwrap(await hub.conversationMessage(key, c.req.param("id"), text)), 201);
  })
  .get("/handoffs/:id", async (c) => {
    const { key } = c.var;
    const handoff = unwrap(await tenantHub(c.env, key.tenantId).botHandoff(key, c.req.param("id")));
    if (!handoff) throw notFound("No such handoff.");
    return c.json({ handoff });
  });
