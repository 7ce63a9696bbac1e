// The routing browser tests' side doors: a signed-in API session in Node (an admin's settings,
// an agent's status after their page is closed) and a queue emptied before a test counts on it.
import type { BrowserContext } from "playwright-core";
import type { HandoffList } from "../worker/answers";
import { inject } from "vitest";
import { baseUrl, PASSWORD } from "./browser";

export type ApiCall = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** Calls the API with the given Cookie header; a non-2xx answer throws with its body. */
export function apiWith(cookie: string): ApiCall {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: {
        cookie,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
}

/**
 * An API session (no browser, so no socket: never counted as present): the run's own for the
 * users the setup logged in once (login limits count per account), else a fresh login.
 */
export async function apiSession(email: string): Promise<ApiCall> {
  const opened = inject("apiSessions")[email];
  if (opened) return apiWith(opened);
  const res = await fetch(`${baseUrl()}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  return apiWith(
    res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; "),
  );
}

/** The session of a browser context, usable after the context is closed. */
export async function apiOf(context: BrowserContext): Promise<ApiCall> {
  const cookies = await context.cookies();
  return apiWith(cookies.map((c) => `${c.name}=${c.value}`).join("; "));
}

/** Claims (when queued) and closes every open handoff of the tenant, as an admin. */
export async function closeOpenHandoffs(admin: ApiCall): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const { handoffs } = await admin<HandoffList>(
      "GET",
      "/api/handoffs?status=queued,active&assignee=any&limit=500",
    );
    if (handoffs.length === 0) return;
    for (const h of handoffs) await closeHandoff(admin, h.id, h.status === "queued");
  }
  throw new Error("the queue did not empty");
}

export async function closeHandoff(admin: ApiCall, id: string, claimFirst: boolean) {
  const path = `/api/handoffs/${encodeURIComponent(id)}`;
  if (claimFirst) await admin("POST", `${path}/claim`);
  await admin("POST", `${path}/resolve`, { outcome: "close" });
}
