import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("schema/migrations");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: { TEST_MIGRATIONS: migrations },
          // A lower flood limit so the bot limiter can be exercised in a test.
          ratelimits: { BOT_LIMITER: { namespace_id: "1002", simple: { limit: 60, period: 10 } } },
          // Every outbound fetch (the bots' webhooks) goes to the recording sink.
          outboundService: "webhook-sink",
          serviceBindings: { SINK: "webhook-sink" },
          workers: [{ name: "webhook-sink", modules: true, scriptPath: "./test/support/webhook-sink.js", compatibilityDate: "2026-11-01" }],
        },
      }),
    ],
    test: {
      include: ["test/worker/**/*.test.ts"],
      setupFiles: ["./test/worker/setup.ts"],
      testTimeout: 30_000,
    },
  };
});
