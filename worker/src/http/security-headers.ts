// Security headers on every API answer. The inbox's pages are static assets served before the
// Worker, so theirs come from web/static/_headers (and the scripts' policy from kit.csp).
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./context";

/** A JSON API loads nothing and may be framed by no one. */
export const API_CONTENT_SECURITY_POLICY =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** Browsers ignore HSTS over http, so it is only sent over https (local dev stays plain http). */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains";

const ALWAYS: [string, string][] = [
  ["Content-Security-Policy", API_CONTENT_SECURITY_POLICY],
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "DENY"],
  // Not no-referrer: with it browsers send `Origin: null` on same-origin POSTs, which the
  // cross-site check refuses.
  ["Referrer-Policy", "same-origin"],
];

export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  // A WebSocket handshake (101) is the tenant object's own answer, with immutable headers.
  if (c.res.status === 101) return;
  for (const [name, value] of ALWAYS) c.res.headers.set(name, value);
  if (new URL(c.req.url).protocol === "https:")
    c.res.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
});
