// GET /api/openapi.json: the machine-readable description of the contract.
import { describe, expect, it } from "vitest";
import { call } from "./client";
import type { OpenApiDocument } from "./answers";

describe("the OpenAPI document", () => {
  it("is an OpenAPI 3.1 document with the contract's paths and request schemas", async () => {
    const res = await call("/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const doc = (await res.json()) as OpenApiDocument;
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    for (const path of [
      "/api/v1/handoffs",
      "/api/v1/messages",
      "/api/v1/handoffs/{id}",
      "/api/handoffs",
      "/api/handoffs/{id}",
      "/api/handoffs/{id}/claim",
      "/api/handoffs/{id}/messages",
      "/api/handoffs/{id}/resolve",
      "/api/handoffs/{id}/release",
      "/api/handoffs/{id}/assign",
      "/api/stats",
      "/api/auth/login",
      "/api/me",
      "/api/widget/config",
      "/api/widget/sessions",
      "/api/widget/messages",
      "/api/widget/conversation",
      "/api/widget/rating",
      "/api/widget/ws",
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(Object.keys(doc.paths["/api/v1/handoffs"]!)).toContain("post");
    expect(Object.keys(doc.paths["/api/handoffs/{id}/claim"]!)).toContain("post");
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(["get", "post", "put", "patch", "delete"], `${method} ${path}`).toContain(method);
        expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
        // Path templates declare their parameters.
        for (const name of path.match(/\{(\w+)\}/g) ?? []) {
          expect(
            op.parameters?.some((p) => p.in === "path" && `{${p.name}}` === name && p.required),
            `${method} ${path} ${name}`,
          ).toBe(true);
        }
      }
    }

    const escalate =
      doc.paths["/api/v1/handoffs"]!.post!.requestBody!.content["application/json"]!.schema;
    const fields = escalate.properties!;
    expect(escalate.type).toBe("object");
    // The contact may be left out for a channel conversation (the Worker knows it).
    expect(escalate.required).toEqual(expect.arrayContaining(["conversation_id"]));
    expect(fields.contact!.required).toEqual(["id"]);
    expect(fields.channel!.enum).toEqual([
      "whatsapp",
      "telegram",
      "web",
      "slack",
      "discord",
      "messenger",
      "email",
      "other",
    ]);
    expect(fields.history!.maxItems).toBe(500);
    expect(fields.max_wait_seconds).toMatchObject({ minimum: 10, maximum: 86400 });
    // A contact message is sent alone or in a batch of 1..100.
    const [message, batch] =
      doc.paths["/api/v1/messages"]!.post!.requestBody!.content["application/json"]!.schema.oneOf!;
    expect(message!.required).toEqual(expect.arrayContaining(["conversation_id", "id", "text"]));
    expect(message!.properties!.text).toMatchObject({ minLength: 1, maxLength: 4096 });
    expect(batch!.required).toEqual(["messages"]);
    expect(batch!.properties!.messages).toMatchObject({
      type: "array",
      minItems: 1,
      maxItems: 100,
    });
    expect(batch!.properties!.messages!.items!.required).toEqual(
      expect.arrayContaining(["conversation_id", "id", "text"]),
    );
    // Metadata's caps are stated where a bot reads them.
    expect(fields.metadata).toMatchObject({
      type: "object",
      description: expect.stringContaining("16 KiB"),
    });

    // The 409 of a claim is described, and errors point at a schema that exists.
    expect(doc.paths["/api/handoffs/{id}/claim"]!.post!.responses).toHaveProperty(["409"]);
    expect(doc.components.schemas.Error!.properties!.error!.required).toEqual(["code", "message"]);
    expect(doc.components.securitySchemes).toEqual(
      expect.objectContaining({ apiKey: expect.objectContaining({ scheme: "bearer" }) }),
    );
  });

  it("describes the routing additions: teams, agents' capacity and teams, the escalation's team and the list's team filter", async () => {
    const doc = (await (await call("/api/openapi.json")).json()) as OpenApiDocument;
    /** The JSON body schema an operation takes, with its fields. */
    const body = (path: string, method: string) =>
      doc.paths[path]![method]!.requestBody!.content["application/json"]!.schema;
    const field = (path: string, method: string, name: string) =>
      body(path, method).properties![name];
    expect(Object.keys(doc.paths["/api/admin/teams"]!).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/api/admin/teams/{id}"]!).sort()).toEqual([
      "delete",
      "get",
      "patch",
    ]);
    expect(body("/api/admin/teams", "post").required).toEqual(["name"]);
    expect(field("/api/admin/teams", "post", "member_ids")).toMatchObject({ type: "array" });
    expect(field("/api/admin/agents", "post", "capacity")).toMatchObject({
      type: "integer",
      minimum: 1,
      maximum: 100,
      default: 3,
    });
    expect(field("/api/admin/agents", "post", "team_ids")).toMatchObject({ type: "array" });
    expect(field("/api/admin/agents/{id}", "patch", "capacity")).toMatchObject({
      minimum: 1,
      maximum: 100,
    });
    expect(field("/api/v1/handoffs", "post", "team")).toMatchObject({
      type: "string",
      minLength: 1,
    });
    expect(body("/api/v1/handoffs", "post").required).not.toContain("team");
    expect(doc.paths["/api/handoffs"]!.get!.parameters!.map((p) => p.name)).toContain("team");

    // Availability, the queue place and the presence roster.
    expect(field("/api/me/status", "put", "status")).toMatchObject({ enum: ["online", "away"] });
    expect(body("/api/me/status", "put").required).toEqual(["status"]);
    const { QueuePlace, AgentPresence, Handoff } = doc.components.schemas;
    expect(QueuePlace!.required).toEqual(["position", "estimated_wait_seconds"]);
    expect(Handoff!.properties!.queue).toEqual({ $ref: "#/components/schemas/QueuePlace" });
    expect(AgentPresence!.required).toEqual(["id", "name", "status", "active_count", "capacity"]);
  });

  it("describes the channels: the admin API, the providers' webhooks and the bot's answers", async () => {
    const doc = (await (await call("/api/openapi.json")).json()) as OpenApiDocument;
    expect(Object.keys(doc.paths["/api/admin/channels"]!).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/api/admin/channels/{id}"]!).sort()).toEqual([
      "delete",
      "get",
      "patch",
    ]);
    expect(Object.keys(doc.paths["/api/channels/whatsapp/{id}"]!).sort()).toEqual(["get", "post"]);
    expect(doc.paths).toHaveProperty(["/api/channels/telegram/{id}"]);
    expect(doc.paths).toHaveProperty(["/api/admin/channels/{id}/register"]);
    const create =
      doc.paths["/api/admin/channels"]!.post!.requestBody!.content["application/json"]!.schema;
    // One shape per type of channel, each naming its credentials.
    expect(create.oneOf!.map((s) => s.properties!.type!)).toHaveLength(3);
    const answer = doc.paths["/api/v1/conversations/{conversation_id}/messages"]!.post!;
    expect(answer.requestBody!.content["application/json"]!.schema.required).toEqual(["text"]);
  });

  it("describes analytics: the query's fields, the figures and the CSV export", async () => {
    const doc = (await (await call("/api/openapi.json")).json()) as OpenApiDocument;
    for (const path of ["/api/analytics", "/api/analytics.csv"]) {
      const op = doc.paths[path]!.get!;
      expect(op.parameters!.map((p) => [p.name, p.in])).toEqual([
        ["from", "query"],
        ["to", "query"],
        ["tz", "query"],
      ]);
      expect(Object.keys(op.responses!).sort()).toEqual(["200", "400", "401", "403"]);
    }
    const figures =
      doc.paths["/api/analytics"]!.get!.responses!["200"]!.content!["application/json"]!.schema;
    expect(figures.required).toEqual(
      expect.arrayContaining(["summary", "by_day", "by_agent", "by_channel"]),
    );
    const percentiles = { p50: expect.anything(), p90: expect.anything() };
    expect(figures.properties!.by_day!.items!.properties).toMatchObject({
      time_to_claim_seconds: { properties: percentiles },
      first_response_seconds: { properties: percentiles },
    });
    const rating = { required: ["count", "average"] };
    expect(figures.properties!.summary!.properties!.rating).toMatchObject(rating);
    expect(figures.properties!.by_channel!.items!.properties!.rating).toMatchObject(rating);
    expect(doc.paths["/api/analytics.csv"]!.get!.responses!["200"]!.content).toHaveProperty([
      "text/csv",
    ]);
  });
});
