// Teams of one's tenant: admins create, rename, change members and delete them; viewers read.
// Every change is copied to the tenant object, which routes team handoffs from its copy.
import { Hono, type Context } from "hono";
import { createTeamInput, updateTeamInput } from "../../../schema/api";
import {
  renameOrClearTeamInHistory,
  createTeam,
  deleteTeam,
  findTeam,
  listTeams,
  notMembers,
  publicTeam,
  teamNameTaken,
  updateTeam,
  type TeamCopy,
} from "../db/teams";
import { tenantHub, type AppEnv } from "../http/context";
import { ApiError, notFound } from "../http/errors";
import { jsonBody } from "../http/input";
import { adminsWriteViewersRead, requireSession } from "../http/middleware";

const invalid = (path: string, message: string) =>
  new ApiError("invalid_request", `Invalid ${path}: ${message}.`, { issues: [{ path, message }] });

/** Names are unique per tenant whatever their case; members are agents or admins of the tenant. */
async function checkTeam(
  c: Context<AppEnv>,
  input: { name?: string; member_ids?: string[] },
  exceptId?: string,
): Promise<void> {
  const tenantId = c.var.session.tenant.id;
  if (input.name !== undefined && (await teamNameTaken(c.env.DB, tenantId, input.name, exceptId))) {
    throw invalid("name", "another team already has this name");
  }
  // An id of another tenant's user reads exactly like an id nobody has.
  const strangers = input.member_ids ? await notMembers(c.env.DB, tenantId, input.member_ids) : [];
  if (strangers.length > 0)
    throw invalid("member_ids", `not an agent or admin of this tenant: ${strangers.join(", ")}`);
}

/** Two admins naming teams alike at once: the database's unique index answers for the loser. */
async function uniqueName<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (String(error).includes("UNIQUE constraint failed: teams"))
      throw invalid("name", "another team already has this name");
    throw error;
  }
}

async function sync(c: Context<AppEnv>, team: TeamCopy): Promise<void> {
  const { tenant } = c.var.session;
  await tenantHub(c.env, tenant.id).syncTeam(tenant, team);
}

export const teamRoutes = new Hono<AppEnv>()
  .use(requireSession, adminsWriteViewersRead)
  .get("/", async (c) =>
    c.json({ teams: (await listTeams(c.env.DB, c.var.session.tenant.id)).map(publicTeam) }),
  )
  .post("/", async (c) => {
    const input = await jsonBody(c, createTeamInput);
    await checkTeam(c, input);
    const team = await uniqueName(createTeam(c.env.DB, c.var.session.tenant.id, input, Date.now()));
    await sync(c, team);
    return c.json({ team: publicTeam(team) }, 201);
  })
  .get("/:id", async (c) => {
    const team = await findTeam(c.env.DB, c.var.session.tenant.id, c.req.param("id"));
    if (!team) throw notFound("No such team.");
    return c.json({ team: publicTeam(team) });
  })
  .patch("/:id", async (c) => {
    const input = await jsonBody(c, updateTeamInput);
    const id = c.req.param("id");
    await checkTeam(c, input, id);
    const team = await uniqueName(updateTeam(c.env.DB, c.var.session.tenant.id, id, input));
    if (!team) throw notFound("No such team.");
    await sync(c, team);
    // Closed handoffs only D1 holds follow the new name too (the object updates those it holds).
    if (input.name !== undefined)
      await renameOrClearTeamInHistory(c.env.DB, c.var.session.tenant.id, team.id, team.name);
    return c.json({ team: publicTeam(team) });
  })
  .delete("/:id", async (c) => {
    const tenantId = c.var.session.tenant.id;
    const team = await deleteTeam(c.env.DB, tenantId, c.req.param("id"));
    if (!team) throw notFound("No such team.");
    await sync(c, team);
    // Its handoffs stay, without a team.
    await renameOrClearTeamInHistory(c.env.DB, tenantId, team.id, null);
    return c.json({ team: publicTeam(team) });
  });
