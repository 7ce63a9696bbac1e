// CORS for the website widget's API, which other sites call from their pages. Preflights are
// answered for any Origin (they carry no data; the real request is checked); a real request
// must carry an Origin, and its channel must allow it (checked by the route, 403 otherwise).
// Every other answer, errors included, names the Origin so the widget can read it. No cookies.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

export const CORS_MAX_AGE_SECONDS = 600;

export const originRefused = () =>
  new ApiError("forbidden", "This site is not one of the chat's allowed origins.");

export const widgetCors = createMiddleware<AppEnv>(async (c, next) => {
  const origin = c.req.header("origin") ?? null;
  if (c.req.method === "OPTIONS") {
    const headers = new Headers({
      "Access-Control-Allow-Methods": "GET, POST",
      "Access-Control-Allow-Headers": "authorization, content-type",
      "Access-Control-Max-Age": String(CORS_MAX_AGE_SECONDS),
      Vary: "Origin",
    });
    if (origin) headers.set("Access-Control-Allow-Origin", origin);
    return new Response(null, { status: 204, headers });
  }
  if (origin === null) throw originRefused();
  await next();
  if (c.res.status === 101) return;
  // The tenant object's own answers (a refused socket) come with immutable headers.
  c.res = new Response(c.res.body, c.res);
  c.res.headers.append("Vary", "Origin");
  // Answers to other sites' pages: readable cross-origin, and only by the allowed ones.
  c.res.headers.set("Cross-Origin-Resource-Policy", "cross-origin");
  if (c.res.status !== 403) c.res.headers.set("Access-Control-Allow-Origin", origin);
});
