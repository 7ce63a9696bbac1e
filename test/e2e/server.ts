// Global setup for the browser tests: a fresh local state, migrated and seeded, served by
// `wrangler dev` on a free port, with a webhook receiver standing in for the demo bots (and for
// Telegram's Bot API, so registering a channel's webhook has someone to answer it).
// Everything started here is stopped here.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { run, serveLocal } from "../../scripts/run.mjs";
import { DEMO_PASSWORD, DEMO_WEBHOOK_SECRET, seed } from "../../scripts/seed.mjs";
import { startWebhookReceiver } from "../../scripts/webhook-receiver.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    webhookUrl: string;
    /** Cookie headers of API sessions opened once for the run (login limits count per account). */
    apiSessions: Record<string, string>;
  }
}

/** Logs the demo users in over the API once, for every test file's side-door calls. */
async function apiLogins(baseUrl: string, emails: string[]): Promise<Record<string, string>> {
  const sessions: Record<string, string> = {};
  for (const email of emails) {
    const res = await fetch(`${baseUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: DEMO_PASSWORD }),
    });
    if (!res.ok) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
    sessions[email] = res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
  }
  return sessions;
}

export default async function setup(project: TestProject) {
  const state = mkdtempSync(join(tmpdir(), "handoff-e2e-"));
  const receiver = await startWebhookReceiver({ secret: DEMO_WEBHOOK_SECRET });
  await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
    quiet: true,
    env: { CI: "true" },
  });
  await seed({ webhookUrl: `${receiver.url}/hook`, persistTo: state });
  let server: { url: string; stop: () => Promise<void> };
  const cleanUp = async () => {
    await receiver.close();
    rmSync(state, { recursive: true, force: true });
  };
  try {
    server = await serveLocal({
      state,
      // Channels (the website widget's among them) seal their settings under this run's key.
      vars: [
        `CHANNEL_SECRET_KEY:${randomBytes(32).toString("base64")}`,
        `TELEGRAM_API_BASE:${receiver.url}/telegram`,
      ],
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const baseUrl = server.url;
  const stop = async () => {
    await server.stop();
    await cleanUp();
  };
  project.provide("apiSessions", await apiLogins(baseUrl, ["admin@demo.test", "alice@demo.test"]));
  project.provide("baseUrl", baseUrl);
  project.provide("webhookUrl", receiver.url);
  return stop;
}
