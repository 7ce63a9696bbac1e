// Starts the two servers the bench compares, each with `wrangler dev` on a free port, offline,
// in its own process group and on its own temporary state: the app as a fresh clone's
// `npm run dev` would (inbox built if missing, D1 migrated, demo seeded), and the bare floor.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, offlineEnv, ROOT, run } from "../scripts/run.mjs";
import { seed } from "../scripts/seed.mjs";

const FLOOR_CONFIG = join(ROOT, "bench", "floor", "wrangler.toml");

/** Everything started here, so a failure or Ctrl+C can stop it all: servers first, then their state. */
const servers = new Set();
const states = new Set();
export async function stopAll() {
  await Promise.all([...servers].map((stop) => stop()));
  servers.clear();
  for (const state of states) rmSync(state, { recursive: true, force: true });
  states.clear();
}

/**
 * One `wrangler dev` in its own process group, so stopping it stops its workerd children too.
 * @returns {Promise<{ url: string, state: string, stop: () => Promise<void> }>}
 */
async function serve(name, args, state, healthPath) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = "";
  const child = spawn(
    "wrangler",
    [
      "dev",
      ...args,
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      state,
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: ROOT,
      env: offlineEnv(),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      return; // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
  };
  servers.add(stop);
  for (let i = 0; i < 480; i++) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(url + healthPath)).ok) return { url, state, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`${name} did not answer on ${url}\n${log}`);
}

/** A temporary state directory, removed at the end even if its server never started. */
function tempState(prefix) {
  const state = mkdtempSync(join(tmpdir(), prefix));
  states.add(state);
  return state;
}

export async function startApp({ log }) {
  if (!existsSync(join(ROOT, "web", "build", "index.html"))) {
    log("Building the inbox…");
    await run("vite", ["build", "--logLevel", "warn"], { cwd: join(ROOT, "web"), quiet: true });
  }
  const state = tempState("handoff-bench-app-");
  log("Applying D1 migrations and seeding the demo (temporary state)…");
  await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
    quiet: true,
    env: { CI: "true" },
  });
  await seed({ webhookUrl: null, persistTo: state });
  return serve("the app", [], state, "/api/openapi.json");
}

export async function startFloor() {
  const state = tempState("handoff-bench-floor-");
  return serve("the floor", ["--config", FLOOR_CONFIG], state, "/health");
}
