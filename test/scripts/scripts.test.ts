// The operator's scripts against a throwaway local D1: the demo seed can run again without
// changing anything, and create-tenant makes a working tenant (its printed password and key
// match what is stored) and refuses to make the same one twice.
import { createHash, pbkdf2Sync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../scripts/run.mjs";
import { DEMO, DEMO_PASSWORD, seed } from "../../scripts/seed.mjs";

let state = "";
type Row = Record<string, string | number | null>;

/** Runs statements on the throwaway local D1 (one wrangler run) and returns each one's rows. */
async function results(sql: string): Promise<Row[][]> {
  const out = await run(
    "wrangler",
    ["d1", "execute", "DB", "--local", "--persist-to", state, "--json", "--command", sql],
    { quiet: true },
  );
  return (JSON.parse(out.slice(out.indexOf("["))) as { results: Row[] }[]).map((p) => p.results);
}

/** Runs statements on the throwaway local D1 and returns all their rows. */
async function rows<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  return (await results(sql)).flat() as T[];
}

/** Runs create-tenant on the throwaway state; resolves with its exit code and output. */
function createTenant(args: string[]): Promise<{ code: number; output: string }> {
  return run("node", ["scripts/create-tenant.mjs", ...args, "--persist-to", state], {
    quiet: true,
  }).then(
    (output) => ({ code: 0, output }),
    (error: Error) => ({
      code: Number(/exited (\d+)/.exec(error.message)?.[1] ?? -1),
      output: error.message,
    }),
  );
}

/** Does `password` match a stored pbkdf2-sha256$iterations$salt$hash? */
function passwordMatches(stored: string, password: string): boolean {
  const [, iterations, salt, hash] = stored.split("$");
  return (
    pbkdf2Sync(password, Buffer.from(salt!, "hex"), Number(iterations), 32, "sha256").toString(
      "hex",
    ) === hash
  );
}

const COUNTS = `SELECT (SELECT COUNT(*) FROM tenants) AS tenants, (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM bots) AS bots, (SELECT COUNT(*) FROM api_keys) AS api_keys`;

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), "handoff-scripts-"));
  await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
    quiet: true,
    env: { CI: "true" },
  });
});

afterAll(() => {
  if (state) rmSync(state, { recursive: true, force: true });
});

describe("the demo seed", () => {
  it("makes the demo tenants once: seeding again changes nothing but the demo bots' webhook URL", async () => {
    const snapshot = `${COUNTS}; SELECT id, tenant_id, email, role, password_hash FROM users ORDER BY email; SELECT id, key_hash, revoked_at FROM api_keys ORDER BY id`;
    await seed({ persistTo: state, webhookUrl: "http://localhost:9999/hook" });
    const first = await rows(snapshot);
    const [counts, ...rest] = first as [Record<string, number>, ...Record<string, string | null>[]];
    expect(counts).toEqual({ tenants: 2, users: 5, bots: 2, api_keys: 2 });
    const users = rest.filter((r) => "email" in r);
    expect(users.map((u) => `${u.email}:${u.role}:${u.tenant_id}`)).toEqual(
      [...DEMO.users]
        .sort((a, b) => a.email.localeCompare(b.email))
        .map((u) => `${u.email}:${u.role}:${u.tenant}`),
    );
    for (const u of users)
      expect(passwordMatches(u.password_hash!, DEMO_PASSWORD), u.email!).toBe(true);

    await seed({ persistTo: state, webhookUrl: "http://localhost:9998/elsewhere" });
    expect(await rows(snapshot)).toEqual(first);
    const bots = await rows<{ id: string; webhook_url: string }>(
      `SELECT id, webhook_url FROM bots ORDER BY id`,
    );
    expect(bots).toEqual([
      { id: "bot_demo", webhook_url: "http://localhost:9998/elsewhere" },
      { id: "bot_globex", webhook_url: "http://localhost:9998/elsewhere" },
    ]);
    // The demo website widget channel, made once (seeding again does not bump its version).
    const channels = await rows<{
      id: string;
      tenant_id: string;
      type: string;
      version: number;
      config: string;
    }>(`SELECT id, tenant_id, type, version, config FROM channels`);
    expect(channels).toMatchObject([
      { id: "ch_demo_web", tenant_id: "demo", type: "web", version: 1 },
    ]);
    expect(JSON.parse(channels[0]!.config)).toMatchObject({
      allowed_origins: expect.arrayContaining(["http://localhost:8789"]),
    });
  });
});

describe("create-tenant", () => {
  it("creates the tenant, its admin, a bot and an API key, printing the secrets once; the same id again is refused", async () => {
    const before = (await rows<Record<string, number>>(COUNTS))[0]!;
    const made = await createTenant([
      "--id",
      "acme-test",
      "--name",
      "Acme Test",
      "--admin-email",
      "Ops@Acme.test",
      "--admin-name",
      "Olga Ops",
      "--webhook-url",
      "https://bot.acme.test/hooks",
    ]);
    expect(made.code, made.output).toBe(0);
    const password = /admin login\s+ops@acme\.test \/ (\S+)/i.exec(made.output)?.[1];
    const apiKey = /bot API key\s+(hk_\S+)/.exec(made.output)?.[1];
    const secret = /webhook secret\s+(whsec_\S+)/.exec(made.output)?.[1];
    expect([password, apiKey, secret].every(Boolean), made.output).toBe(true);

    const [tenants, users, bots, keys, counts] = await results(
      `SELECT id, name FROM tenants WHERE id = 'acme-test';
       SELECT email, name, role, password_hash FROM users WHERE tenant_id = 'acme-test';
       SELECT id, webhook_url, webhook_secret FROM bots WHERE tenant_id = 'acme-test';
       SELECT bot_id, key_hash, prefix FROM api_keys WHERE tenant_id = 'acme-test';
       ${COUNTS}`,
    );
    const after = counts![0]!;
    expect(tenants).toEqual([{ id: "acme-test", name: "Acme Test" }]);
    expect(users).toHaveLength(1);
    expect(users![0]).toMatchObject({ email: "ops@acme.test", name: "Olga Ops", role: "admin" });
    expect(passwordMatches(String(users![0]!.password_hash), password!)).toBe(true);
    expect(String(users![0]!.password_hash)).not.toContain(password!);
    expect(bots).toEqual([
      {
        id: expect.any(String),
        webhook_url: "https://bot.acme.test/hooks",
        webhook_secret: secret,
      },
    ]);
    expect(keys).toEqual([
      {
        bot_id: bots![0]!.id,
        key_hash: createHash("sha256").update(apiKey!).digest("hex"),
        prefix: apiKey!.slice(0, apiKey!.lastIndexOf(".") + 5),
      },
    ]);
    // The key names its tenant, so the Worker knows which tenant object checks it.
    expect(apiKey!.startsWith("hk_acme-test.")).toBe(true);
    expect(after).toEqual({
      tenants: before.tenants! + 1,
      users: before.users! + 1,
      bots: before.bots! + 1,
      api_keys: before.api_keys! + 1,
    });

    // The same id again fails and adds nothing; so does a call without the required options.
    const again = await createTenant([
      "--id",
      "acme-test",
      "--name",
      "Acme Again",
      "--admin-email",
      "other@acme.test",
    ]);
    expect(again.code).toBe(1);
    expect(again.output).toContain("Could not create the tenant");
    const usage = await createTenant(["--id", "acme-2"]);
    expect(usage.code).toBe(2);
    expect((await rows<Record<string, number>>(COUNTS))[0]).toEqual(after);
  });
});
