// Global setup for the browser tests: a fresh local state, migrated and seeded, served by
// `wrangler dev` on a free port, with a webhook receiver standing in for the demo bots.
// Everything started here is stopped here.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, offlineEnv, ROOT, run } from "../../scripts/run.mjs";
import { DEMO_WEBHOOK_SECRET, seed } from "../../scripts/seed.mjs";
import { startWebhookReceiver } from "../../scripts/webhook-receiver.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    webhookUrl: string;
  }
}

async function waitForServer(url: string, server: ChildProcess): Promise<void> {
  for (let i = 0; i < 480; i++) {
    if (server.exitCode !== null) throw new Error(`wrangler dev exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${url}/api/openapi.json`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev did not answer on ${url}`);
}

export default async function setup(project: TestProject) {
  const state = mkdtempSync(join(tmpdir(), "handoff-e2e-"));
  const receiver = await startWebhookReceiver({ secret: DEMO_WEBHOOK_SECRET });
  await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
    quiet: true,
    env: { CI: "true" },
  });
  await seed({ webhookUrl: `${receiver.url}/hook`, persistTo: state });
  const port = await freePort();
  let log = "";
  const server = spawn(
    "wrangler",
    [
      "dev",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      state,
      "--show-interactive-dev-session=false",
      // Channels (the website widget's among them) seal their settings under this run's key.
      "--var",
      `CHANNEL_SECRET_KEY:${randomBytes(32).toString("base64")}`,
    ],
    {
      cwd: ROOT,
      env: offlineEnv(),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group: stopping it stops its workerd children too
    },
  );
  server.stdout?.on("data", (d) => (log += d));
  server.stderr?.on("data", (d) => (log += d));
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      if (server.pid) process.kill(-server.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 300));
    await receiver.close();
    rmSync(state, { recursive: true, force: true });
  };
  try {
    await waitForServer(baseUrl, server);
  } catch (error) {
    await stop();
    throw new Error(`${String(error)}\n${log}`);
  }
  project.provide("baseUrl", baseUrl);
  project.provide("webhookUrl", receiver.url);
  return stop;
}
