// The bench profile's attribution: a sample counts for the module the bundle's comments place its
// line in (a library, our tenant object, the rest of our Worker) or for the runtime's own work.
import { describe, expect, it } from "vitest";
import { cpuByGroup, moduleLines } from "../../bench/cpu-profile.mjs";

const BUNDLE = [
  "var __name = (f) => f;", // 0: before any module
  "// node_modules/hono/dist/hono.js",
  "function route() {}", // 2
  "// worker/src/tenant/lifecycle.ts",
  "function claim() {}", // 4
  "// worker/src/routes/handoffs.ts",
  "function handler() {}", // 6
  "// node_modules/zod/v4/core/schemas.js",
  "function parse() {}", // 8
].join("\n");

const frame = (functionName: string, url: string, lineNumber = 0) => ({
  functionName,
  url,
  scriptId: "1",
  lineNumber,
});

describe("bench profile attribution", () => {
  it("reads which module a line of the bundle is in", () => {
    const at = moduleLines(BUNDLE);
    expect(at(0)).toBeNull();
    expect(at(2)).toBe("node_modules/hono/dist/hono.js");
    expect(at(4)).toBe("worker/src/tenant/lifecycle.ts");
    expect(at(8)).toBe("node_modules/zod/v4/core/schemas.js");
  });

  it("sums self time per group and leaves idle out", () => {
    const nodes = [
      { id: 1, callFrame: frame("(idle)", "") },
      { id: 2, callFrame: frame("route", "index.js", 2) },
      { id: 3, callFrame: frame("claim", "index.js", 4) },
      { id: 4, callFrame: frame("handler", "index.js", 6) },
      { id: 5, callFrame: frame("parse", "index.js", 8) },
      { id: 6, callFrame: frame("exec", "") },
      { id: 7, callFrame: frame("transactionSync", "") },
      { id: 8, callFrame: frame("run", "cloudflare-internal:d1-api") },
    ];
    // Microseconds per sample: idle 5000, Hono 100, tenant 200, Worker 300, zod 400, SQLite 500+600.
    const samples = [1, 2, 3, 4, 5, 6, 7, 8];
    const timeDeltas = [5000, 100, 200, 300, 400, 500, 600, 700];
    const { busy, groups } = cpuByGroup(
      { nodes, samples, timeDeltas },
      new Map([["1", moduleLines(BUNDLE)]]),
    );
    expect(groups).toEqual({
      "Hono (routing, middleware)": 0.1,
      "tenant object (our code)": 0.2,
      "Worker (our code)": 0.3,
      "zod (validation)": 0.4,
      "SQLite (object storage)": 1.1,
      "D1 client (runtime)": 0.7,
    });
    expect(busy).toBeCloseTo(2.8);
  });
});
