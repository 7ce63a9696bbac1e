// Security headers: on every API answer (the Worker's middleware) and on the inbox's static
// pages (web/static/_headers, applied by static assets, and the page's own CSP <meta> from
// kit.csp). The pages are read from web/build: `npm test` builds it first (`npm run build:web`).
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { AgentSocket, call, expectError, login, ORIGIN } from "./client";
import { makeTenant } from "./fixtures";

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const HSTS = "max-age=31536000; includeSubDomains";

function expectCommonHeaders(res: Response): void {
  expect(res.headers.get("x-content-type-options"), res.url).toBe("nosniff");
  expect(res.headers.get("referrer-policy"), res.url).toBe("same-origin");
  expect(res.headers.get("x-frame-options"), res.url).toBe("DENY");
}

afterEach(() => AgentSocket.closeAll());

describe("API answers", () => {
  it("carry a no-framing CSP, nosniff, a referrer policy and HSTS over https, on success and on every kind of error", async () => {
    const responses = [
      await call("/api/openapi.json"),
      await call("/api/me"),
      await call("/api/nope"),
      await call("/api/auth/login", { rawBody: "{" }),
      await call("/api/auth/logout", { method: "POST", origin: "https://evil.test" }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 401, 404, 400, 403]);
    for (const res of responses) {
      expectCommonHeaders(res);
      expect(res.headers.get("content-security-policy"), res.url).toBe(API_CSP);
      expect(res.headers.get("strict-transport-security"), res.url).toBe(HSTS);
    }
    await expectError(responses[1]!, 401, "unauthorized");
  });

  it("over plain http (local development) carry the same headers but no HSTS", async () => {
    const res = await exports.default.fetch("http://localhost:8787/api/me");
    await expectError(res.clone(), 401, "unauthorized");
    expectCommonHeaders(res);
    expect(res.headers.get("content-security-policy")).toBe(API_CSP);
    expect(res.headers.has("strict-transport-security")).toBe(false);
  });

  it("leave the WebSocket handshake alone: the socket opens and works", async () => {
    const t = await makeTenant();
    const socket = await AgentSocket.open(await login(t.alice));
    await socket.sync();
    expect(socket.closed).toBe(false);
  });
});

async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  );
  return btoa(String.fromCharCode(...digest));
}

describe("the inbox's pages", () => {
  it.each(["/", "/login", "/handoffs/ho_123"])(
    "%s: no framing, nosniff, a referrer policy and HSTS",
    async (path) => {
      const res = await env.ASSETS.fetch(`${ORIGIN}${path}`, {
        headers: { "sec-fetch-mode": "navigate" },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/html");
      expectCommonHeaders(res);
      expect(res.headers.get("content-security-policy")).toBe(
        "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'",
      );
      expect(res.headers.get("strict-transport-security")).toBe(HSTS);
    },
  );

  it("the page's own policy allows its inline start-up script by hash and nothing else inline", async () => {
    const html = await (await env.ASSETS.fetch(`${ORIGIN}/`)).text();
    const policy = /<meta http-equiv="content-security-policy" content="([^"]+)">/.exec(html)?.[1];
    expect(policy, "no CSP <meta> in index.html").toBeDefined();
    const directives = new Map(
      policy!.split(";").map((directive) => {
        const [name, ...values] = directive.trim().split(/\s+/);
        return [name!, values];
      }),
    );
    expect(directives.get("default-src")).toEqual(["'self'"]);
    expect(directives.get("object-src")).toEqual(["'none'"]);
    expect(directives.get("base-uri")).toEqual(["'none'"]);
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(inline).toHaveLength(1);
    const hashes = await Promise.all(
      inline.map(async (script) => `'sha256-${await sha256Base64(script)}'`),
    );
    expect(directives.get("script-src")).toEqual(["'self'", ...hashes]);
  });

  it("the _headers file itself is not served", async () => {
    const res = await env.ASSETS.fetch(`${ORIGIN}/_headers`);
    expect(await res.text()).not.toContain("Content-Security-Policy");
  });
});
