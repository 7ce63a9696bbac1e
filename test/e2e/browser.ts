// Debian's Chromium, headless, driven by playwright-core (no browser download).
import { chromium, type Browser } from "playwright-core";
import { inject } from "vitest";
import type { WebhookEvent } from "../worker/answers";

export const PASSWORD = "handoff-demo";
export const baseUrl = () => inject("baseUrl");
export const webhookUrl = () => inject("webhookUrl");

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** The bot API, as the demo bot of tenant demo; `T` is the answer the call documents. */
export async function bot<T>(path: string, body: unknown, key = "hk_demo_local_key"): Promise<T> {
  const res = await fetch(`${baseUrl()}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A webhook the receiver got: its id, whether its signature held, and its body (null when it was not JSON). */
export interface ReceivedWebhook {
  id: string;
  verified: boolean;
  event: WebhookEvent | null;
}

export async function webhooks(): Promise<ReceivedWebhook[]> {
  return (
    (await (await fetch(`${webhookUrl()}/received`)).json()) as { received: ReceivedWebhook[] }
  ).received;
}
