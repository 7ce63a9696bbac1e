// The app as `npm run standin` talks to it: JSON requests (to the API, or to a channel's absolute
// webhook URL) whose answer is read whatever it is, and the demo admin's session.
import { DEMO_PASSWORD } from "./seed.mjs";

/** The app could not be reached at all. */
export class Down extends Error {}

/** `api(method, path or URL, body?, headers?)` → `{ status, data (JSON or null), text, headers }`. */
export function appClient(base) {
  return async function api(method, path, body, headers = {}) {
    let res;
    try {
      res = await fetch(path.startsWith("http") ? path : base + path, {
        method,
        headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers },
        body: typeof body === "string" ? body : body && JSON.stringify(body),
      });
    } catch (e) {
      throw new Down(`Cannot reach the app at ${base} (${e.cause?.code ?? e.message}).`);
    }
    const text = await res.text();
    let data = null;
    try {
      data = JSON.parse(text);
    } catch {
      // not JSON (the handshake answers plain text)
    }
    return { status: res.status, data, text, headers: res.headers };
  };
}

/** An answer that went wrong, in a few words. */
export const problem = (r) =>
  `HTTP ${r.status}${r.data?.error ? ` ${r.data.error.code}: ${r.data.error.message}` : ""}`;

/** Logs in as the demo admin; resolves to the session cookie. */
export async function adminLogin(api) {
  const r = await api("POST", "/api/auth/login", {
    email: "admin@demo.test",
    password: DEMO_PASSWORD,
  });
  if (r.status !== 200)
    throw new Error(`Logging in as admin@demo.test failed (${problem(r)}). Was the demo seeded?`);
  return r.headers
    .getSetCookie()
    .map((s) => s.split(";")[0])
    .join("; ");
}
