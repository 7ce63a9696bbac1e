import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

/** The only addresses the tests' mail binding delivers to (test/worker/email-reminders.test.ts). */
const ALLOWED_EMAIL_RECIPIENTS = [
  "admin@reminders.test",
  "alice@reminders.test",
  "bob@reminders.test",
  "viewer@reminders.test",
];

export default defineConfig(async () => {
  const migrations = await readD1Migrations("schema/migrations");
  return {
    test: {
      projects: [
        {
          // The Worker and its Durable Object, inside workerd with real D1, alarms and sockets.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                // Extra origins the Worker trusts besides its own (ALLOWED_ORIGINS), as a deployment would list them.
                // A lower flood limit (BOT_REQUESTS_PER_10_SECONDS) so the per-key budget can be exercised in a test.
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  ALLOWED_ORIGINS: "https://dev.inbox.test, http://localhost:5173",
                  BOT_REQUESTS_PER_10_SECONDS: "60",
                  // Changes reach D1 at the next alarm, so tests that run it read them at once.
                  MIRROR_DELAY_MS: "0",
                  // Channel credentials sealed under a test key; providers answered by the sink.
                  CHANNEL_SECRET_KEY: "dGVzdC1vbmx5LWNoYW5uZWwtc2VjcmV0LWtleS0zMmI=",
                  TELEGRAM_API_BASE: "https://api.telegram.test",
                  WHATSAPP_API_BASE: "https://graph.whatsapp.test/v21.0",
                },
                // Every outbound fetch (the bots' webhooks) goes to the recording sink.
                outboundService: "webhook-sink",
                // The local send_email binding (as `wrangler dev` runs it), refusing every address but
                // these, as the mail service refuses an unverified one: a reminder to any other fails.
                email: {
                  send_email: [
                    { name: "SEND_EMAIL", allowed_destination_addresses: ALLOWED_EMAIL_RECIPIENTS },
                  ],
                },
                serviceBindings: { SINK: "webhook-sink" },
                workers: [
                  {
                    name: "webhook-sink",
                    modules: true,
                    scriptPath: "./test/support/webhook-sink.js",
                    compatibilityDate: "2026-11-01",
                  },
                ],
              },
            }),
          ],
          test: {
            name: "worker",
            include: ["test/worker/**/*.test.ts"],
            setupFiles: ["./test/worker/setup.ts"],
            testTimeout: 30_000,
          },
        },
        {
          // The inbox's client state, compiled by Svelte, in Node.
          plugins: [svelte()],
          // Runes need Svelte's client runtime (the server one does not track $derived).
          resolve: { conditions: ["browser"] },
          test: {
            name: "web",
            // The inbox's client state, and the website widget's (plain TypeScript).
            include: ["web/src/**/*.test.ts", "widget/src/**/*.test.ts"],
            environment: "node",
          },
        },
        {
          // The Node scripts (seed, create-tenant) run against a throwaway local D1 state.
          test: {
            name: "scripts",
            include: ["test/scripts/**/*.test.ts"],
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 120_000,
          },
        },
        {
          // The inbox in headless Chromium against `wrangler dev` (started and stopped by the setup).
          test: {
            name: "e2e",
            include: ["test/e2e/**/*.test.ts"],
            globalSetup: ["./test/e2e/server.ts"],
            fileParallelism: false,
            testTimeout: 60_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  };
});
