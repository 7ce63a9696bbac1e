// GET /api/openapi.json: the bot and agents' APIs, described from the same zod schemas that
// validate them.
import { Hono } from "hono";
import * as api from "../../../schema/api";
import { ERROR_STATUS } from "../../../schema/errors";
import { analyticsPaths } from "./openapi-analytics";
import { botDeliveryPaths } from "./openapi-bots";
import { channelPaths } from "./openapi-channels";
import { visitorTokenScheme, widgetPaths, widgetSchemas } from "./openapi-widget";
import { agent, body, bot, errors, idParam, ok, queryParams, schema } from "./openapi-helpers";
import { tenantSettingsPatch } from "../../../schema/settings";
import type { AppEnv } from "../http/context";

function document(origin: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Handoff Inbox API",
      version: "1.0.0",
      description: "Bots escalate conversations; agents claim, reply and resolve them.",
    },
    servers: [{ url: origin }],
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "A bot's API key" },
        session: { type: "apiKey", in: "cookie", name: "hi_session" },
        visitorToken: visitorTokenScheme,
      },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: {
                code: { type: "string", enum: Object.keys(ERROR_STATUS) },
                message: { type: "string" },
              },
            },
          },
        },
        Handoff: {
          type: "object",
          description:
            'See the Handoff shape in the API contract. While queued it carries `queue` (QueuePlace); its `team` is {id, name} or null; `rating` is the website visitor\'s "up", "down" or null.',
          properties: {
            queue: { $ref: "#/components/schemas/QueuePlace" },
          },
        },
        QueuePlace: {
          type: "object",
          description:
            "Where a queued handoff stands in its queue (its team's, or the tenant's): position 1 is served next (priority, then age); the estimate comes from the queue's recent claims, null when there are none.",
          required: ["position", "estimated_wait_seconds"],
          properties: {
            position: { type: "integer", minimum: 1 },
            estimated_wait_seconds: { type: ["integer", "null"], minimum: 0 },
          },
        },
        AgentPresence: {
          type: "object",
          description:
            "An agent or admin with the inbox open, as the realtime `presence` and `hello` frames list them. Available for auto-routing when status is online.",
          required: ["id", "name", "status", "active_count", "capacity"],
          properties: {
            id: { type: "string" },
            name: { type: "string" },
            status: { type: "string", enum: ["online", "away"] },
            active_count: { type: "integer", minimum: 0 },
            capacity: { type: "integer", minimum: 1 },
          },
        },
        Message: { type: "object", description: "See the Message shape in the API contract." },
        ...widgetSchemas,
      },
    },
    paths: {
      "/api/v1/handoffs": {
        post: {
          summary: "Escalate a conversation to humans",
          security: bot,
          requestBody: body(api.escalateInput),
          responses: {
            201: ok("Created"),
            200: ok("An open handoff already exists"),
            ...errors(
              "invalid_json",
              "invalid_request",
              "unauthorized",
              "payload_too_large",
              "rate_limited",
            ),
          },
        },
      },
      "/api/v1/messages": {
        post: {
          summary:
            "Forward a contact's message, or a batch of up to 100 ({messages: [...]}) applied whole",
          security: bot,
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  oneOf: [schema(api.contactMessageInput), schema(api.contactMessageBatchInput)],
                },
              },
            },
          },
          responses: {
            202: ok("Routed to agents"),
            200: ok("Routed to the bot; for a batch, {results} with each item's answer in order"),
            ...errors(
              "invalid_json",
              "invalid_request",
              "unauthorized",
              "payload_too_large",
              "rate_limited",
            ),
          },
        },
      },
      "/api/v1/handoffs/{id}": {
        get: {
          summary: "Read a handoff (with its queue place while queued, to tell the contact)",
          security: bot,
          parameters: idParam,
          responses: { 200: ok("The handoff"), ...errors("unauthorized", "not_found") },
        },
      },
      "/api/auth/login": {
        post: {
          summary: "Log in",
          requestBody: body(api.loginInput),
          responses: {
            200: ok("Logged in; sets the session cookie"),
            ...errors("invalid_request", "unauthorized", "rate_limited"),
          },
        },
      },
      "/api/auth/logout": { post: { summary: "Log out", responses: { 200: ok("Logged out") } } },
      "/api/me": {
        get: {
          summary: "Who am I: user (with their availability status) and tenant",
          security: agent,
          responses: { 200: ok("User and tenant"), ...errors("unauthorized") },
        },
      },
      "/api/me/status": {
        put: {
          summary:
            "Switch online or away; auto-routing gives work only to agents online with the inbox open",
          security: agent,
          requestBody: body(api.agentStatusInput),
          responses: {
            200: ok("{user} with its status"),
            ...errors("invalid_request", "unauthorized"),
          },
        },
      },
      "/api/handoffs": {
        get: {
          summary:
            "List handoffs: the queue oldest first, history (resolved/expired in `status`) newest first, back to the first",
          description:
            "Answers `{handoffs, has_more, next_cursor}`. Pass `cursor=<next_cursor>` with the same filters for the next page; `next_cursor` is null on the last page.",
          security: agent,
          parameters: queryParams(api.listQuery),
          responses: { 200: ok("Handoffs"), ...errors("invalid_request", "unauthorized") },
        },
      },
      "/api/contacts/{contact_id}/handoffs": {
        get: {
          summary: "A contact's handoffs, newest first (optionally of one bot)",
          description: "Answers `{handoffs}`, including closed handoffs kept only in history.",
          security: agent,
          parameters: [
            { name: "contact_id", in: "path", required: true, schema: { type: "string" } },
            ...queryParams(api.contactHandoffsQuery.omit({ contact_id: true })),
          ],
          responses: { 200: ok("Handoffs"), ...errors("invalid_request", "unauthorized") },
        },
      },
      "/api/handoffs/{id}": {
        get: {
          summary: "Handoff detail with messages and audit events",
          security: agent,
          parameters: idParam,
          responses: { 200: ok("Detail"), ...errors("unauthorized", "not_found") },
        },
      },
      "/api/handoffs/{id}/claim": {
        post: {
          summary: "Claim",
          security: agent,
          parameters: idParam,
          responses: {
            200: ok("Claimed"),
            ...errors("forbidden", "not_found", "already_claimed", "invalid_state"),
          },
        },
      },
      "/api/handoffs/{id}/messages": {
        post: {
          summary: "Reply to the contact",
          security: agent,
          parameters: idParam,
          requestBody: body(api.replyInput),
          responses: {
            201: ok("Sent"),
            ...errors("invalid_request", "forbidden", "not_assignee", "not_found", "invalid_state"),
          },
        },
      },
      "/api/handoffs/{id}/resolve": {
        post: {
          summary: "Resolve",
          security: agent,
          parameters: idParam,
          requestBody: body(api.resolveInput),
          responses: {
            200: ok("Resolved"),
            ...errors("invalid_request", "forbidden", "not_assignee", "not_found", "invalid_state"),
          },
        },
      },
      "/api/handoffs/{id}/release": {
        post: {
          summary: "Release back to the queue",
          security: agent,
          parameters: idParam,
          responses: {
            200: ok("Released"),
            ...errors("forbidden", "not_assignee", "not_found", "invalid_state"),
          },
        },
      },
      "/api/handoffs/{id}/assign": {
        post: {
          summary: "Assign to an agent (admins)",
          security: agent,
          parameters: idParam,
          requestBody: body(api.assignInput),
          responses: {
            200: ok("Assigned"),
            ...errors("invalid_request", "forbidden", "not_found", "invalid_state"),
          },
        },
      },
      "/api/stats": {
        get: {
          summary: "Inbox stats",
          security: agent,
          responses: { 200: ok("Stats"), ...errors("unauthorized") },
        },
      },
      "/api/ws": {
        get: {
          summary: "Realtime WebSocket (see the realtime protocol)",
          security: agent,
          responses: {
            101: { description: "Switching protocols" },
            ...errors("unauthorized", "forbidden"),
          },
        },
      },
      "/api/admin/agents": {
        get: {
          summary: "List agents",
          security: agent,
          responses: { 200: ok("Agents"), ...errors("forbidden") },
        },
        post: {
          summary: "Create an agent (capacity 1..100, default 3; team_ids)",
          security: agent,
          requestBody: body(api.createAgentInput),
          responses: { 201: ok("Created"), ...errors("invalid_request", "forbidden") },
        },
      },
      "/api/admin/agents/{id}": {
        patch: {
          summary:
            "Change an agent's name, role, password, capacity or teams (team_ids: exactly these), or disable them",
          security: agent,
          parameters: idParam,
          requestBody: body(api.updateAgentInput),
          responses: { 200: ok("Updated"), ...errors("invalid_request", "forbidden", "not_found") },
        },
      },
      "/api/admin/teams": {
        get: {
          summary: "List teams: {teams: [{id, name, member_ids}]} (admins and viewers)",
          security: agent,
          responses: { 200: ok("Teams"), ...errors("unauthorized", "forbidden") },
        },
        post: {
          summary:
            "Create a team (admins); names are unique per tenant whatever their case, members are agents or admins of the tenant",
          security: agent,
          requestBody: body(api.createTeamInput),
          responses: {
            201: ok("Created: {team}"),
            ...errors("invalid_json", "invalid_request", "unauthorized", "forbidden"),
          },
        },
      },
      "/api/admin/teams/{id}": {
        get: {
          summary: "A team (admins and viewers)",
          security: agent,
          parameters: idParam,
          responses: { 200: ok("Team"), ...errors("unauthorized", "forbidden", "not_found") },
        },
        patch: {
          summary: "Rename a team or replace its members (admins)",
          security: agent,
          parameters: idParam,
          requestBody: body(api.updateTeamInput),
          responses: {
            200: ok("Updated: {team}"),
            ...errors("invalid_json", "invalid_request", "unauthorized", "forbidden", "not_found"),
          },
        },
        delete: {
          summary: "Delete a team (admins); its handoffs stay, without a team",
          security: agent,
          parameters: idParam,
          responses: {
            200: ok("Deleted: {team}"),
            ...errors("unauthorized", "forbidden", "not_found"),
          },
        },
      },
      "/api/admin/bots": {
        get: { summary: "List bots", security: agent, responses: { 200: ok("Bots") } },
        post: {
          summary: "Create a bot (returns its webhook secret once)",
          security: agent,
          requestBody: body(api.createBotInput),
          responses: { 201: ok("Created"), ...errors("invalid_request", "forbidden") },
        },
      },
      "/api/admin/bots/{id}": {
        get: {
          summary: "A bot's settings",
          security: agent,
          parameters: idParam,
          responses: { 200: ok("Bot"), ...errors("forbidden", "not_found") },
        },
        patch: {
          summary: "Change a bot's handoff settings",
          security: agent,
          parameters: idParam,
          requestBody: body(api.botSettingsInput),
          responses: { 200: ok("Updated"), ...errors("invalid_request", "forbidden", "not_found") },
        },
      },
      "/api/admin/bots/{id}/rotate-secret": {
        post: {
          summary: "Rotate the webhook secret",
          security: agent,
          parameters: idParam,
          responses: { 200: ok("New secret"), ...errors("forbidden", "not_found") },
        },
      },
      ...botDeliveryPaths(),
      "/api/admin/api-keys": {
        get: { summary: "List API keys", security: agent, responses: { 200: ok("Keys") } },
        post: {
          summary: "Create an API key (shown once)",
          security: agent,
          requestBody: body(api.createApiKeyInput),
          responses: { 201: ok("Created"), ...errors("invalid_request", "forbidden", "not_found") },
        },
      },
      "/api/admin/settings": {
        get: {
          summary:
            "The tenant's settings: retention_days, routing, reply_timeout_minutes, offline_grace_seconds, email_reminders (admins and viewers)",
          security: agent,
          responses: { 200: ok("Settings"), ...errors("unauthorized", "forbidden") },
        },
        patch: {
          summary:
            "Change the tenant's settings (admins); history older than retention_days is deleted everywhere",
          security: agent,
          requestBody: body(tenantSettingsPatch),
          responses: {
            200: ok("Updated settings"),
            ...errors("invalid_json", "invalid_request", "unauthorized", "forbidden"),
          },
        },
      },
      "/api/admin/sync-failures": {
        get: {
          summary:
            "Rows D1 kept refusing, set aside so later rows keep flowing (admins and viewers)",
          security: agent,
          responses: { 200: ok("Failures"), ...errors("unauthorized", "forbidden") },
        },
      },
      "/api/admin/notifications": {
        get: {
          summary:
            "Emails sent on the tenant's behalf, newest first: one reminder_email per recipient and reminder, status sent or failed (with its error), never retried (admins and viewers)",
          security: agent,
          responses: { 200: ok("Notifications"), ...errors("unauthorized", "forbidden") },
        },
      },
      "/api/admin/api-keys/{id}": {
        delete: {
          summary: "Revoke an API key",
          security: agent,
          parameters: idParam,
          responses: { 200: ok("Revoked"), ...errors("forbidden", "not_found") },
        },
      },
      ...channelPaths(),
      ...widgetPaths(),
      ...analyticsPaths(),
    },
  };
}

export const openapiRoutes = new Hono<AppEnv>().get("/openapi.json", (c) =>
  c.json(document(new URL(c.req.url).origin)),
);
