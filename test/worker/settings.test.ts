// Tenant settings over HTTP: defaults, who may read and write, bad input changing nothing, one
// tenant's settings invisible to another, and the tenant object's copy following the newest change.
import { describe, expect, it } from "vitest";
import { SETTINGS_DEFAULTS } from "../../schema/settings";
import { call, expectError, hub, hubRows, json, login } from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import type { OpenApiDocument } from "./answers";

const SETTINGS = "/api/admin/settings";

/** The tenant object's copy of its settings (what its own jobs work from), or null before any change. */
async function objectCopy(t: TestTenant): Promise<unknown> {
  const [row] = await hubRows<{ value: string }>(
    t,
    `SELECT value FROM meta WHERE key = 'settings'`,
  );
  return row ? JSON.parse(row.value) : null;
}

describe("tenant settings", () => {
  it("start at the defaults and an admin's change is kept and read back", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    expect(await json(SETTINGS, { cookie: admin, status: 200 })).toEqual({
      settings: { ...SETTINGS_DEFAULTS, retention_days: 365 },
    });
    expect(SETTINGS_DEFAULTS.retention_days).toBe(365);

    expect(
      await json(SETTINGS, {
        method: "PATCH",
        cookie: admin,
        body: { retention_days: 30 },
        status: 200,
      }),
    ).toEqual({ settings: { ...SETTINGS_DEFAULTS, retention_days: 30 } });
    expect(await json(SETTINGS, { cookie: admin, status: 200 })).toEqual({
      settings: { ...SETTINGS_DEFAULTS, retention_days: 30 },
    });
    expect(
      await json(SETTINGS, {
        method: "PATCH",
        cookie: admin,
        body: { retention_days: 3650 },
        status: 200,
      }),
    ).toEqual({ settings: { ...SETTINGS_DEFAULTS, retention_days: 3650 } });
    expect(
      await json(SETTINGS, {
        method: "PATCH",
        cookie: admin,
        body: { retention_days: 1 },
        status: 200,
      }),
    ).toEqual({ settings: { ...SETTINGS_DEFAULTS, retention_days: 1 } });
  });

  it("viewers read them, only admins write them, agents and strangers get nothing", async () => {
    const t = await makeTenant();
    const [admin, viewer, agent] = await Promise.all([
      login(t.admin),
      login(t.viewer),
      login(t.alice),
    ]);
    await json(SETTINGS, {
      method: "PATCH",
      cookie: admin,
      body: { retention_days: 90 },
      status: 200,
    });

    expect(await json(SETTINGS, { cookie: viewer, status: 200 })).toEqual({
      settings: { ...SETTINGS_DEFAULTS, retention_days: 90 },
    });
    await expectError(
      call(SETTINGS, { method: "PATCH", cookie: viewer, body: { retention_days: 10 } }),
      403,
      "forbidden",
    );
    await expectError(call(SETTINGS, { cookie: agent }), 403, "forbidden");
    await expectError(
      call(SETTINGS, { method: "PATCH", cookie: agent, body: { retention_days: 10 } }),
      403,
      "forbidden",
    );
    await expectError(call(SETTINGS), 401, "unauthorized");
    // The rest of /admin stays admins-only.
    await expectError(call("/api/admin/agents", { cookie: agent }), 403, "forbidden");
    expect(await json(SETTINGS, { cookie: admin, status: 200 })).toEqual({
      settings: { ...SETTINGS_DEFAULTS, retention_days: 90 },
    });
  });

  it("bad input is 400 invalid_request naming the field, and changes nothing", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    await json(SETTINGS, {
      method: "PATCH",
      cookie: admin,
      body: { retention_days: 45 },
      status: 200,
    });
    const bad: [unknown, string][] = [
      [{ retention_days: 0 }, "retention_days"],
      [{ retention_days: 3651 }, "retention_days"],
      [{ retention_days: 1.5 }, "retention_days"],
      [{ retention_days: "30" }, "retention_days"],
      [{ retention_days: null }, "retention_days"],
      [{ retention_days: 30, colour: "blue" }, ""],
      [{}, ""],
      [[], ""],
    ];
    for (const [body, path] of bad) {
      const error = await expectError(
        call(SETTINGS, { method: "PATCH", cookie: admin, body }),
        400,
        "invalid_request",
      );
      expect(
        error.issues!.map((i: { path: string }) => i.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    await expectError(
      call(SETTINGS, { method: "PATCH", cookie: admin, rawBody: "{not json" }),
      400,
      "invalid_json",
    );
    expect(await json(SETTINGS, { cookie: admin, status: 200 })).toEqual({
      settings: { ...SETTINGS_DEFAULTS, retention_days: 45 },
    });
    expect(await objectCopy(t)).toMatchObject({
      settings: { ...SETTINGS_DEFAULTS, retention_days: 45 },
    });
  });

  it("are per tenant: one tenant's change is not another's", async () => {
    const [a, b] = await Promise.all([makeTenant(), makeTenant()]);
    const [aAdmin, bAdmin] = await Promise.all([login(a.admin), login(b.admin)]);
    await json(SETTINGS, {
      method: "PATCH",
      cookie: aAdmin,
      body: { retention_days: 7 },
      status: 200,
    });
    expect(await json(SETTINGS, { cookie: bAdmin, status: 200 })).toEqual({
      settings: { ...SETTINGS_DEFAULTS, retention_days: 365 },
    });
    expect(await objectCopy(b)).toBeNull();
    expect(await objectCopy(a)).toMatchObject({
      settings: { ...SETTINGS_DEFAULTS, retention_days: 7 },
      version: 1,
    });
  });

  it("routing settings start at their defaults, round-trip, reach the object's copy, and refuse values out of bounds", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    expect(await json(SETTINGS, { cookie: admin, status: 200 })).toEqual({
      settings: {
        retention_days: 365,
        routing: "claim",
        reply_timeout_minutes: 0,
        offline_grace_seconds: 120,
        email_reminders: true,
      },
    });
    const routing = {
      routing: "auto",
      reply_timeout_minutes: 10,
      offline_grace_seconds: 0,
      email_reminders: false,
    };
    const expected = { settings: { retention_days: 365, ...routing } };
    expect(
      await json(SETTINGS, { method: "PATCH", cookie: admin, body: routing, status: 200 }),
    ).toEqual(expected);
    expect(await json(SETTINGS, { cookie: admin, status: 200 })).toEqual(expected);
    expect(await objectCopy(t)).toEqual({ ...expected, version: 1 });

    // One field at a time keeps the others; the bounds are inclusive.
    await json(SETTINGS, {
      method: "PATCH",
      cookie: admin,
      body: { reply_timeout_minutes: 1440, offline_grace_seconds: 3600 },
      status: 200,
    });
    await json(SETTINGS, {
      method: "PATCH",
      cookie: admin,
      body: { routing: "claim" },
      status: 200,
    });
    const kept = {
      settings: {
        retention_days: 365,
        routing: "claim",
        reply_timeout_minutes: 1440,
        offline_grace_seconds: 3600,
        email_reminders: false,
      },
    };
    expect(await json(SETTINGS, { cookie: admin, status: 200 })).toEqual(kept);

    const bad: [unknown, string][] = [
      [{ routing: "round_robin" }, "routing"],
      [{ routing: null }, "routing"],
      [{ reply_timeout_minutes: -1 }, "reply_timeout_minutes"],
      [{ reply_timeout_minutes: 1441 }, "reply_timeout_minutes"],
      [{ reply_timeout_minutes: 2.5 }, "reply_timeout_minutes"],
      [{ offline_grace_seconds: 3601 }, "offline_grace_seconds"],
      [{ offline_grace_seconds: "60" }, "offline_grace_seconds"],
      [{ email_reminders: "yes" }, "email_reminders"],
      [{ email_reminders: 1 }, "email_reminders"],
      [{ routing: "auto", reply_timeout_minutes: 5000 }, "reply_timeout_minutes"],
    ];
    for (const [body, path] of bad) {
      const error = await expectError(
        call(SETTINGS, { method: "PATCH", cookie: admin, body }),
        400,
        "invalid_request",
      );
      expect(
        error.issues!.map((i) => i.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    expect(await json(SETTINGS, { cookie: admin, status: 200 })).toEqual(kept);
    expect(await objectCopy(t)).toEqual({ ...kept, version: 3 });
  });

  it("are described in the OpenAPI document with their bounds", async () => {
    const doc = await json<OpenApiDocument>("/api/openapi.json", { status: 200 });
    const item = doc.paths["/api/admin/settings"]!;
    expect(Object.keys(item).sort()).toEqual(["get", "patch"]);
    const patch = item.patch!.requestBody!.content["application/json"]!.schema;
    expect(patch.properties!.retention_days).toMatchObject({
      type: "integer",
      minimum: 1,
      maximum: 3650,
    });
    expect(patch.properties!.routing).toMatchObject({ enum: ["claim", "auto"] });
    expect(patch.properties!.reply_timeout_minutes).toMatchObject({
      type: "integer",
      minimum: 0,
      maximum: 1440,
    });
    expect(patch.properties!.offline_grace_seconds).toMatchObject({
      type: "integer",
      minimum: 0,
      maximum: 3600,
    });
    expect(patch.properties!.email_reminders).toMatchObject({ type: "boolean" });
    expect(patch.additionalProperties).toBe(false);
  });

  it("the tenant object keeps the newest copy: an older version arriving late does not replace it", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    await json(SETTINGS, {
      method: "PATCH",
      cookie: admin,
      body: { retention_days: 20 },
      status: 200,
    });
    await json(SETTINGS, {
      method: "PATCH",
      cookie: admin,
      body: { retention_days: 10 },
      status: 200,
    });
    expect(await objectCopy(t)).toEqual({
      settings: { ...SETTINGS_DEFAULTS, retention_days: 10 },
      version: 2,
    });

    const tenant = { id: t.id, name: t.name };
    await hub(t).syncSettings(tenant, {
      settings: { ...SETTINGS_DEFAULTS, retention_days: 20 },
      version: 1,
    });
    expect(await objectCopy(t)).toEqual({
      settings: { ...SETTINGS_DEFAULTS, retention_days: 10 },
      version: 2,
    });
    await hub(t).syncSettings(tenant, {
      settings: { ...SETTINGS_DEFAULTS, retention_days: 5 },
      version: 3,
    });
    expect(await objectCopy(t)).toEqual({
      settings: { ...SETTINGS_DEFAULTS, retention_days: 5 },
      version: 3,
    });
  });
});
