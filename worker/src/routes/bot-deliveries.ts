// A bot's webhooks for its admins: the recent deliveries (admins and viewers), sending one again
// and a signed test event (admins). The tenant object holds the outbox; D1 says whose bot it is.
import { Hono, type Context } from "hono";
import { findBot } from "../db/bots";
import { tenantHub, unwrap, type AppEnv } from "../http/context";
import { ApiError, notFound } from "../http/errors";
import { adminsWriteViewersRead, requireSession } from "../http/middleware";
import type { BotSettings } from "../tenant/types";

/** The session's tenant's bot named in the path; another tenant's reads as unknown. */
async function tenantBot(c: Context<AppEnv>): Promise<BotSettings> {
  const bot = await findBot(c.env.DB, c.var.session.tenant.id, c.req.param("id") ?? "");
  if (!bot) throw notFound("No such bot.");
  return bot;
}

/** Nothing can be sent to a bot without a webhook URL. */
const noWebhookUrl = () =>
  new ApiError("invalid_request", "The bot has no webhook URL: set one first.", {
    issues: [{ path: "webhook_url", message: "not set" }],
  });

// Guarded route by route: the rest of /admin/bots is admin.ts's, which runs its own guard.
export const botDeliveryRoutes = new Hono<AppEnv>()
  .get("/:id/deliveries", requireSession, adminsWriteViewersRead, async (c) => {
    const bot = await tenantBot(c);
    const hub = tenantHub(c.env, c.var.session.tenant.id);
    return c.json({ deliveries: await hub.webhookDeliveries(bot.id) });
  })
  .post(
    "/:id/deliveries/:delivery_id/redeliver",
    requireSession,
    adminsWriteViewersRead,
    async (c) => {
      const bot = await tenantBot(c);
      if (!bot.webhook_url) throw noWebhookUrl();
      const { tenant } = c.var.session;
      const delivery = unwrap(
        await tenantHub(c.env, tenant.id).redeliverWebhook(tenant, bot, c.req.param("delivery_id")),
      );
      if (!delivery) throw notFound("No such delivery.");
      return c.json({ delivery }, 202);
    },
  )
  .post("/:id/test-event", requireSession, adminsWriteViewersRead, async (c) => {
    const bot = await tenantBot(c);
    if (!bot.webhook_url) throw noWebhookUrl();
    const { tenant } = c.var.session;
    const delivery = unwrap(await tenantHub(c.env, tenant.id).sendTestEvent(tenant, bot));
    if (!delivery) throw noWebhookUrl();
    return c.json({ delivery }, 202);
  });
