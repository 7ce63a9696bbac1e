// Starts the two servers the bench compares, each with `wrangler dev` on a free port, offline,
// in its own process group and on its own temporary state: the app as a fresh clone's
// `npm run dev` would (inbox built if missing, D1 migrated, demo seeded), and the bare floor.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, run, serveLocal } from "../scripts/run.mjs";
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

/** One `wrangler dev` (scripts/run.mjs), stoppable from the moment it starts. */
async function serve(name, args, state, healthPath) {
  const server = await serveLocal({
    name,
    args,
    state,
    healthPath,
    onSpawn: (stop) => servers.add(stop),
  });
  return { ...server, state };
}

/** A temporary state directory, removed at the end even if its server never started. */
function tempState(prefix) {
  const state = mkdtempSync(join(tmpdir(), prefix));
  states.add(state);
  return state;
}

export async function startApp({ log, args = [] }) {
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
  return serve("the app", args, state, "/api/openapi.json");
}

export async function startFloor({ args = [] } = {}) {
  const state = tempState("handoff-bench-floor-");
  return serve("the floor", ["--config", FLOOR_CONFIG, ...args], state, "/health");
}
