// `npm run dev`: build the inbox, apply local D1 migrations, seed the demo, serve everything
// with `wrangler dev` (offline), and print where to go. Ctrl+C stops the server it started.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { offlineEnv, ROOT, run } from "./run.mjs";
import { startDemoSite } from "./demo-site.mjs";
import { DEMO, DEMO_PASSWORD, DEMO_SITE_PORT, DEMO_WEB_CHANNEL, seed } from "./seed.mjs";

const port = Number(process.env.PORT ?? 8787);
const url = `http://localhost:${port}`;

console.log("Building the inbox and the website widget…");
await run("vite", ["build", "--logLevel", "warn"], { cwd: join(ROOT, "web") });
await run("vite", ["build", "--logLevel", "warn", "--config", join(ROOT, "widget/vite.config.ts")]);
console.log("Applying D1 migrations (local)…");
await run("wrangler", ["d1", "migrations", "apply", "DB", "--local"], {
  quiet: true,
  env: { CI: "true" },
});
console.log("Seeding the demo, with two weeks of history…");
// The history (scripts/demo-history.mjs) is for this local demo only: the tests seed without it.
await seed({ history: true });

// Channel credentials are sealed with CHANNEL_SECRET_KEY; locally, a key made once for this
// checkout (kept with wrangler's local state, never committed) so local channels keep working.
const keyFile = join(ROOT, ".wrangler", "channel-secret-key");
if (!existsSync(keyFile)) {
  mkdirSync(dirname(keyFile), { recursive: true });
  writeFileSync(keyFile, randomBytes(32).toString("base64"), { mode: 0o600 });
}
const vars = [`CHANNEL_SECRET_KEY:${readFileSync(keyFile, "utf8").trim()}`];
// A local stand-in may play the providers (README "Channels"), like PORT and DEMO_WEBHOOK_URL.
for (const name of ["TELEGRAM_API_BASE", "WHATSAPP_API_BASE"])
  if (process.env[name]) vars.push(`${name}:${process.env[name]}`);

const server = spawn(
  "wrangler",
  [
    "dev",
    "--port",
    String(port),
    "--show-interactive-dev-session=false",
    // Another local server may hold the debugger's default port (9229).
    ...(process.env.INSPECTOR_PORT ? ["--inspector-port", process.env.INSPECTOR_PORT] : []),
    ...vars.flatMap((v) => ["--var", v]),
  ],
  {
    cwd: ROOT,
    env: offlineEnv(),
    stdio: ["ignore", "inherit", "inherit"],
    detached: true, // its own process group, so stopping it stops workerd too
  },
);

let stopping = false;
/** @type {{ url: string, close: () => Promise<unknown> } | null} */
let demoSite = null;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  void demoSite?.close();
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {
    // already gone
  }
  setTimeout(() => process.exit(code), 500).unref();
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
server.on("exit", (code) => {
  if (!stopping) process.exit(code ?? 1);
});

async function waitUntilReady() {
  for (let i = 0; i < 600; i++) {
    try {
      const res = await fetch(`${url}/api/openapi.json`);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

if (await waitUntilReady()) {
  try {
    // The page that embeds the website widget (the seeded web channel allows its origin).
    demoSite = await startDemoSite({ appUrl: url, port: DEMO_SITE_PORT });
  } catch (error) {
    console.error(`The widget's demo page could not start on port ${DEMO_SITE_PORT}: ${error}`);
  }
  const people = DEMO.users
    .map((u) => `    ${u.email.padEnd(20)} ${u.role.padEnd(7)} (${u.tenant})`)
    .join("\n");
  const keys = DEMO.tenants.map((t) => `    ${t.apiKey.padEnd(20)} bot of "${t.name}"`).join("\n");
  console.log(`
  Handoff Inbox is running at ${url}

  Log in (password for all: ${DEMO_PASSWORD}):
${people}

  Bot API keys:
${keys}

  Try: curl -s -X POST ${url}/api/v1/handoffs -H 'authorization: Bearer hk_demo_local_key' \\
         -H 'content-type: application/json' -d '{"conversation_id":"c1","contact":{"id":"u1","name":"Maria"}}'

${
  demoSite
    ? `  Website widget demo page (web channel ${DEMO_WEB_CHANNEL.id}): ${demoSite.url}\n\n`
    : ""
}  Press Ctrl+C to stop.
`);
} else {
  console.error(`The server did not answer on ${url}.`);
  stop(1);
}
