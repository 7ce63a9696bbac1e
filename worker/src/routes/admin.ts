// Admin JSON endpoints: agents (with their capacity and teams), bots (handoff settings, webhook) and API keys of one's tenant.
// Viewers may read every one of them (no answer carries a secret); only admins change anything.
import { Hono } from "hono";
import {
  botSettingsInput,
  createAgentInput,
  createApiKeyInput,
  createBotInput,
  updateAgentInput,
} from "../../../schema/api";
import { hashPassword } from "../auth/crypto";
import {
  createAgent,
  deleteUserSessions,
  emailTaken,
  findAgent,
  listAgents,
  updateAgent,
  type AgentRouting,
} from "../db/accounts";
import { setAgentTeams, unknownTeams, type TeamCopy } from "../db/teams";
import {
  createApiKey,
  createBot,
  findBot,
  listApiKeys,
  listBots,
  newWebhookSecret,
  publicBot,
  revokeApiKey,
  updateBot,
} from "../db/bots";
import { tenantHub, type AppEnv } from "../http/context";
import { ApiError, notFound } from "../http/errors";
import { jsonBody } from "../http/input";
import { adminsWriteViewersRead, requireSession } from "../http/middleware";
import type { BotSettings } from "../tenant/types";
import type { Role } from "../../../schema/shapes";
import type { Context } from "hono";

/** Team ids must be the tenant's teams (another tenant's read as unknown), and viewers join none. */
async function checkAgentTeams(c: Context<AppEnv>, role: Role, teamIds: string[]): Promise<void> {
  const issue = (message: string) =>
    new ApiError("invalid_request", `Invalid team_ids: ${message}.`, {
      issues: [{ path: "team_ids", message }],
    });
  if (role === "viewer" && teamIds.length > 0) throw issue("viewers cannot be members of a team");
  const unknown = await unknownTeams(c.env.DB, c.var.session.tenant.id, teamIds);
  if (unknown.length > 0) throw issue(`no such team: ${unknown.join(", ")}`);
}

/** The tenant object routes from its copy of each agent's capacity and each team's members. */
async function syncAgentRouting(
  c: Context<AppEnv>,
  agent: AgentRouting,
  teams: TeamCopy[],
): Promise<void> {
  const { tenant } = c.var.session;
  await tenantHub(c.env, tenant.id).syncAgent(tenant, agent, teams);
}

/** The tenant object keeps a copy of each bot's settings; keep it current. */
async function syncBot(c: Context<AppEnv>, bot: BotSettings): Promise<void> {
  const { tenant } = c.var.session;
  await tenantHub(c.env, tenant.id).syncBot(tenant, bot);
}

export const adminRoutes = new Hono<AppEnv>()
  .use(requireSession, adminsWriteViewersRead)
  .get("/agents", async (c) =>
    c.json({ agents: await listAgents(c.env.DB, c.var.session.tenant.id) }),
  )
  .post("/agents", async (c) => {
    const input = await jsonBody(c, createAgentInput);
    if (await emailTaken(c.env.DB, input.email.toLowerCase())) {
      throw new ApiError("invalid_request", "That email is already in use.", {
        issues: [{ path: "email", message: "already in use" }],
      });
    }
    const { tenant } = c.var.session;
    const { password, team_ids, ...rest } = input;
    if (team_ids) await checkAgentTeams(c, rest.role, team_ids);
    const created = await createAgent(
      c.env.DB,
      tenant.id,
      { ...rest, passwordHash: await hashPassword(password) },
      Date.now(),
    );
    await syncAgentRouting(
      c,
      created.routing,
      team_ids ? await setAgentTeams(c.env.DB, tenant.id, created.agent.id, team_ids) : [],
    );
    return c.json({ agent: { ...created.agent, team_ids: [...(team_ids ?? [])].sort() } }, 201);
  })
  .patch("/agents/:id", async (c) => {
    const input = await jsonBody(c, updateAgentInput);
    const { tenant, user } = c.var.session;
    const id = c.req.param("id");
    if (id === user.id && (input.disabled || (input.role && input.role !== "admin"))) {
      throw new ApiError(
        "invalid_request",
        "You cannot disable yourself or give up your own admin role.",
        { issues: [{ path: "", message: "self" }] },
      );
    }
    const existing = await findAgent(c.env.DB, tenant.id, id);
    if (!existing) throw notFound("No such agent.");
    const role = input.role ?? existing.role;
    const teamIds = input.team_ids ?? (role === "viewer" ? [] : undefined);
    if (teamIds) await checkAgentTeams(c, role, teamIds);
    const updated = await updateAgent(c.env.DB, tenant.id, id, {
      name: input.name,
      role: input.role,
      disabledAt: input.disabled === undefined ? undefined : input.disabled ? Date.now() : null,
      passwordHash: input.password ? await hashPassword(input.password) : undefined,
      capacity: input.capacity,
    });
    if (!updated) throw notFound("No such agent.");
    await syncAgentRouting(
      c,
      updated.routing,
      teamIds ? await setAgentTeams(c.env.DB, tenant.id, id, teamIds) : [],
    );
    const agent = {
      ...updated.agent,
      team_ids: teamIds ? [...teamIds].sort() : updated.agent.team_ids,
    };
    // Open sessions and sockets carry the old identity: end them (a new name just follows).
    const hub = tenantHub(c.env, tenant.id);
    if (input.disabled || input.role || input.password) {
      await deleteUserSessions(c.env.DB, agent.id);
      await hub.endUserSessions(agent.id);
    } else if (input.name) {
      await hub.renameUser(agent.id, agent.name);
    }
    return c.json({ agent });
  })
  .get("/bots", async (c) =>
    c.json({ bots: (await listBots(c.env.DB, c.var.session.tenant.id)).map(publicBot) }),
  )
  .post("/bots", async (c) => {
    const input = await jsonBody(c, createBotInput);
    const bot = await createBot(c.env.DB, c.var.session.tenant.id, input, Date.now());
    await syncBot(c, bot);
    return c.json({ bot: publicBot(bot), webhook_secret: bot.webhook_secret }, 201);
  })
  .get("/bots/:id", async (c) => {
    const bot = await findBot(c.env.DB, c.var.session.tenant.id, c.req.param("id"));
    if (!bot) throw notFound("No such bot.");
    return c.json({ bot: publicBot(bot) });
  })
  .patch("/bots/:id", async (c) => {
    const input = await jsonBody(c, botSettingsInput);
    const bot = await updateBot(c.env.DB, c.var.session.tenant.id, c.req.param("id"), input);
    if (!bot) throw notFound("No such bot.");
    await syncBot(c, bot);
    return c.json({ bot: publicBot(bot) });
  })
  .post("/bots/:id/rotate-secret", async (c) => {
    const bot = await updateBot(c.env.DB, c.var.session.tenant.id, c.req.param("id"), {
      webhookSecret: newWebhookSecret(),
    });
    if (!bot) throw notFound("No such bot.");
    await syncBot(c, bot);
    return c.json({ bot: publicBot(bot), webhook_secret: bot.webhook_secret });
  })
  .get("/api-keys", async (c) =>
    c.json({ api_keys: await listApiKeys(c.env.DB, c.var.session.tenant.id) }),
  )
  .post("/api-keys", async (c) => {
    const input = await jsonBody(c, createApiKeyInput);
    const { tenant } = c.var.session;
    if (!(await findBot(c.env.DB, tenant.id, input.bot_id))) throw notFound("No such bot.");
    const { key, api_key, keyHash } = await createApiKey(
      c.env.DB,
      tenant.id,
      input.bot_id,
      input.name,
      Date.now(),
    );
    await tenantHub(c.env, tenant.id).addApiKey(keyHash, api_key.id, api_key.bot_id);
    return c.json({ key, api_key }, 201);
  })
  .delete("/api-keys/:id", async (c) => {
    const { tenant } = c.var.session;
    const revoked = await revokeApiKey(c.env.DB, tenant.id, c.req.param("id"), Date.now());
    if (!revoked) throw notFound("No such API key.");
    const key = revoked.api_key;
    // The tenant object answers for keys: from now on it refuses this one.
    await tenantHub(c.env, tenant.id).revokeApiKey(key.id, revoked.keyHash, key.bot_id);
    return c.json({ api_key: key });
  });
