// Runs the project's own tools (from node_modules/.bin, on the project's Node) offline.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "node_modules", ".bin");

/**
 * A port free on 127.0.0.1 right now, for a server started next (wrangler dev in tests, bench).
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
    server.on("error", reject);
  });
}

/** Environment for wrangler and workerd with nothing waiting on the network. */
export function offlineEnv(extra = {}) {
  return {
    ...process.env,
    PATH: `${BIN}:${process.env.PATH}`,
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
    ...extra,
  };
}

/**
 * Runs a command to completion; rejects with its output when it fails.
 * @param {string} command
 * @param {string[]} args
 * @param {{ quiet?: boolean, cwd?: string, env?: Record<string, string> }} [options]
 * @returns {Promise<string>}
 */
export function run(command, args, { quiet = false, cwd = ROOT, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: offlineEnv(env),
      stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    let output = "";
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${command} ${args.join(" ")} exited ${code}\n${output}`)),
    );
  });
}

/**
 * `wrangler dev` on a free port of 127.0.0.1, on its own local state, for tests and the bench:
 * resolves once `healthPath` answers, with `stop` ending its whole process group (workerd too).
 * `onSpawn` gets `stop` at once, for a caller that must be able to stop it while it starts.
 * @param {{ state: string, name?: string, args?: string[], vars?: string[], healthPath?: string, onSpawn?: (stop: () => Promise<void>) => void }} options
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function serveLocal({
  state,
  name = "wrangler dev",
  args = [],
  vars = [],
  healthPath = "/api/openapi.json",
  onSpawn = () => {},
}) {
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
      ...vars.flatMap((v) => ["--var", v]),
    ],
    // Its own process group, so stopping it stops its workerd children too.
    { cwd: ROOT, env: offlineEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  let stopped = false;
  const stop = async () => {
    if (stopped || child.exitCode !== null) return;
    stopped = true;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      return; // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
  };
  onSpawn(stop);
  for (let i = 0; i < 480 && child.exitCode === null; i++) {
    try {
      if ((await fetch(url + healthPath)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`${name} did not answer on ${url}\n${log}`);
}
