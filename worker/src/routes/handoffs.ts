// The agents' API over handoffs: list, detail, and the commands (claim, reply, resolve, ...).
import { Hono } from "hono";
import { assignInput, listQuery, replyInput, resolveInput } from "../../../schema/api";
import type { HandoffStatus } from "../../../schema/shapes";
import { HANDOFF_STATUSES, OPEN_STATUSES } from "../../../schema/vocabulary";
import { findAgent } from "../db/accounts";
import { historyDetail } from "../db/history";
import { tenantHub, unwrap, type AppEnv } from "../http/context";
import { ApiError, notFound } from "../http/errors";
import { jsonBody, queryParams } from "../http/input";
import { requireRole, requireSession, sessionCookie } from "../http/middleware";
import type { Command } from "../tenant/commands";
import type { ListFilter } from "../tenant/queries";
import type { Context } from "hono";

const ALL: HandoffStatus[] = [...HANDOFF_STATUSES];

/** One call to the tenant object: it checks the session and runs the command together. */
async function run(c: Context<AppEnv>, command: Command) {
  const { credential } = c.var;
  return unwrap(await tenantHub(c.env, credential.tenantId).command(credential, command));
}

export const handoffRoutes = new Hono<AppEnv>()
  .use(sessionCookie)
  .get("/", requireSession, async (c) => {
    const query = queryParams(c, listQuery);
    const statuses: HandoffStatus[] = !query.status
      ? [...OPEN_STATUSES]
      : query.status.includes("all")
        ? ALL
        : query.status.filter((s): s is HandoffStatus => s !== "all");
    const { user, tenant } = c.var.session;
    const assignee: ListFilter["assignee"] =
      query.assignee === "me"
        ? { kind: "user", id: user.id }
        : query.assignee === "unassigned"
          ? { kind: "unassigned" }
          : { kind: "any" };
    const filter: ListFilter = {
      statuses,
      assignee,
      q: query.q || undefined,
      teamId: query.team,
      limit: query.limit,
      after: query.cursor,
    };
    return c.json(await tenantHub(c.env, tenant.id).list(filter));
  })
  .get("/:id", requireSession, async (c) => {
    const tenantId = c.var.session.tenant.id;
    const id = c.req.param("id");
    // A closed handoff that has left the tenant object is still in D1.
    const detail =
      (await tenantHub(c.env, tenantId).detail(id)) ??
      (await historyDetail(c.env.DB, tenantId, id));
    if (!detail) throw notFound("No such handoff.");
    return c.json(detail);
  })
  .post("/:id/claim", async (c) =>
    c.json(await run(c, { type: "claim", handoff_id: c.req.param("id") })),
  )
  .post("/:id/release", async (c) =>
    c.json(await run(c, { type: "release", handoff_id: c.req.param("id") })),
  )
  .post("/:id/messages", async (c) => {
    const { text, client_id } = await jsonBody(c, replyInput);
    return c.json(
      await run(c, { type: "reply", handoff_id: c.req.param("id"), text, client_id }),
      201,
    );
  })
  .post("/:id/resolve", async (c) => {
    const input = await jsonBody(c, resolveInput);
    return c.json(await run(c, { type: "resolve", handoff_id: c.req.param("id"), ...input }));
  })
  .post("/:id/assign", requireSession, requireRole("admin"), async (c) => {
    const { agent_id } = await jsonBody(c, assignInput);
    const agent = await findAgent(c.env.DB, c.var.session.tenant.id, agent_id);
    if (!agent || agent.disabled) throw notFound("No such agent.");
    if (agent.role === "viewer")
      throw new ApiError("invalid_request", "Viewers cannot be assigned conversations.", {
        issues: [{ path: "agent_id", message: "is a viewer" }],
      });
    return c.json(
      await run(c, {
        type: "assign",
        handoff_id: c.req.param("id"),
        agent: { id: agent.id, name: agent.name },
      }),
    );
  });

export const statsRoutes = new Hono<AppEnv>()
  .use(requireSession)
  .get("/", async (c) => c.json(await tenantHub(c.env, c.var.session.tenant.id).stats()));
