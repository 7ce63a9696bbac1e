// A CPU profile of a `wrangler dev` isolate through its inspector (the Chrome DevTools protocol),
// with every sample's self time put in a group: the library or part of our code it ran in, read
// from the `// path` comments the bundler leaves before each module, or the runtime's own work.

/** Groups for bundled code, by the module path the bundle names; first match wins. */
const MODULE_GROUPS = [
  [/^(node_modules\/wrangler|\.wrangler)\//, "wrangler dev's own middleware"],
  [/^node_modules\/hono\//, "Hono (routing, middleware)"],
  [/^node_modules\/zod\//, "zod (validation)"],
  [/^node_modules\/drizzle-orm\//, "drizzle (D1 statements)"],
  [/^node_modules\//, "other libraries"],
  [/^worker\/src\/tenant\/(mirror|mirror-statements)\.ts$/, "D1 mirror (our code)"],
  [/^worker\/src\/tenant\/sql\.ts$/, "SQLite (object storage)"],
  [/^worker\/src\/tenant\//, "tenant object (our code)"],
];

/** Groups for the runtime's own functions (no script), by name. */
const NATIVE_GROUPS = {
  exec: "SQLite (object storage)",
  transactionSync: "SQLite (object storage)",
  send: "WebSocket send",
  getWebSockets: "WebSocket send",
  deserializeAttachment: "WebSocket send",
  serializeAttachment: "WebSocket send",
  parse: "JSON",
  stringify: "JSON",
  digest: "crypto",
  "(garbage collector)": "garbage collection",
  "(program)": "runtime (program)",
};

/** For a bundle's source: the module a line belongs to, from the comments before each module. */
export function moduleLines(source) {
  const starts = [];
  source.split("\n").forEach((line, i) => {
    const m = /^\/\/ (\S+\.(?:[cm]?js|ts))$/.exec(line);
    if (m) starts.push({ line: i, path: m[1] });
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid].line <= line) ((found = starts[mid].path), (lo = mid + 1));
      else hi = mid - 1;
    }
    return found;
  };
}

function groupOf(frame, moduleAt) {
  if (frame.url.startsWith("cloudflare-internal:d1")) return "D1 client (runtime)";
  if (frame.url.startsWith("cloudflare-internal:")) return "runtime (internal)";
  if (frame.url === "") return NATIVE_GROUPS[frame.functionName] ?? "runtime (I/O, streams)";
  const path = moduleAt.get(frame.scriptId)?.(frame.lineNumber) ?? null;
  if (!path) return "bundler helpers";
  // Anything else bundled is ours (the floor's entry is named relative to its own config).
  return MODULE_GROUPS.find(([re]) => re.test(path))?.[1] ?? "Worker (our code)";
}

/**
 * A profile's CPU milliseconds by group, idle left out. `moduleAt` maps a script id to
 * `moduleLines` of its source.
 */
export function cpuByGroup(profile, moduleAt) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const groups = {};
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id).callFrame;
    if (frame.functionName === "(idle)" || frame.functionName === "(root)") return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const group = groupOf(frame, moduleAt);
    groups[group] = (groups[group] ?? 0) + ms;
    busy += ms;
  });
  return { busy, groups };
}

/** Connects to the inspector of a `wrangler dev` started with `--inspector-port`. */
export async function inspector(port) {
  // The inspector proxy only takes DevTools' origin.
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
    headers: { origin: "https://devtools.devprod.cloudflare.dev" },
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", () => reject(new Error(`no inspector on ${port}`)), {
      once: true,
    });
  });
  let next = 0;
  const pending = new Map();
  const scripts = new Map();
  ws.addEventListener("message", (e) => {
    const m = JSON.parse(e.data);
    if (m.id !== undefined) (pending.get(m.id)?.(m), pending.delete(m.id));
    else if (m.method === "Debugger.scriptParsed") scripts.set(m.params.scriptId, m.params.url);
  });
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, (m) => (m.error ? reject(new Error(m.error.message)) : resolve(m.result)));
      ws.send(JSON.stringify({ id, method, params }));
    });

  // The bundle's source, for the module comments; the debugger is off again before measuring.
  await call("Debugger.enable");
  await new Promise((r) => setTimeout(r, 200));
  const moduleAt = new Map();
  for (const [scriptId, url] of scripts) {
    if (!url.endsWith(".js")) continue;
    const { scriptSource } = await call("Debugger.getScriptSource", { scriptId });
    moduleAt.set(scriptId, moduleLines(scriptSource));
  }
  await call("Debugger.disable");
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 200 });

  return {
    /** Runs `work` under the profiler; answers CPU ms by group (idle left out) and the total. */
    async profile(work) {
      await call("Profiler.start");
      await work();
      const { profile } = await call("Profiler.stop");
      return cpuByGroup(profile, moduleAt);
    },
    close: () => ws.close(),
  };
}
