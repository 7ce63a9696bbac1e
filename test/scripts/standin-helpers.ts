// For the stand-in's test: one `wrangler dev` on a throwaway local state whose provider API bases
// point at the stand-in's port, the stand-in run as the user runs it (its terminal read and
// written through pipes), and the app's API as an agent or admin.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, offlineEnv, ROOT, run, serveLocal } from "../../scripts/run.mjs";
import { DEMO_PASSWORD, seed } from "../../scripts/seed.mjs";
import type { Handoff, Message } from "../../schema/shapes";

export const BOT_ANSWER = "I am the demo bot. Say 'human' to talk to a person.";
export const WELCOME_BACK = "Welcome back! The demo bot again: ask me anything, or say 'human'.";
export const HANDOFF_MESSAGE = "One moment — a person from our team will take over shortly.";
export const ACCEPT_MESSAGE = "Hello, this is Alice from Demo Co. How can I help?";
export const RESOLVE_MESSAGE = "Thanks for your patience — the assistant is back with you now.";

export interface Detail {
  handoff: Handoff;
  messages: Message[];
}

/** Polls `check` until it answers something other than undefined or false (30 s at most). */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>) {
  for (let i = 0; i < 300; i++) {
    const found = await check();
    if (found !== undefined && found !== false) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Gave up waiting for ${what}`);
}

export interface App {
  base: string;
  standinPort: number;
  stop(): Promise<void>;
}

/** A fresh local state, migrated and seeded, served by `wrangler dev` sending to the stand-in. */
export async function startApp(): Promise<App> {
  const state = mkdtempSync(join(tmpdir(), "handoff-standin-"));
  await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
    quiet: true,
    env: { CI: "true" },
  });
  await seed({ persistTo: state, webhookUrl: null });
  const standinPort = await freePort();
  let server: { url: string; stop: () => Promise<void> };
  try {
    server = await serveLocal({
      state,
      vars: [
        `CHANNEL_SECRET_KEY:${randomBytes(32).toString("base64")}`,
        `TELEGRAM_API_BASE:http://127.0.0.1:${standinPort}`,
        `WHATSAPP_API_BASE:http://127.0.0.1:${standinPort}/v21.0`,
      ],
    });
  } catch (error) {
    rmSync(state, { recursive: true, force: true });
    throw error;
  }
  const base = server.url;
  const stop = async () => {
    await server.stop();
    rmSync(state, { recursive: true, force: true });
  };
  return { base, standinPort, stop };
}

/** `npm run standin` as a user runs it: what it prints is read, lines typed are written. */
export class StandIn {
  output = "";
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(app: App, args: string[]) {
    this.child = spawn(
      "node",
      ["scripts/standin.mjs", ...args, "--url", app.base, "--port", String(app.standinPort)],
      { cwd: ROOT, env: offlineEnv(), stdio: ["pipe", "pipe", "pipe"] },
    );
    this.child.stdout?.on("data", (d) => (this.output += d));
    this.child.stderr?.on("data", (d) => (this.output += d));
    this.exited = new Promise((r) => this.child.on("exit", (code) => r(code)));
  }

  /** The contact types a line. */
  say(text: string): void {
    this.child.stdin?.write(`${text}\n`);
  }

  /** What the Worker sent to the contact, in order. */
  received(): string[] {
    return this.output
      .split("\n")
      .filter((line) => line.startsWith("← Support: "))
      .map((line) => line.slice("← Support: ".length));
  }

  /** Waits until the contact has received `count` texts; answers them all. */
  async receivedAtLeast(count: number): Promise<string[]> {
    await until(`${count} texts to the contact\n${this.output}`, async () =>
      this.received().length >= count ? true : undefined,
    );
    return this.received();
  }

  async printed(pattern: RegExp): Promise<RegExpExecArray> {
    return until(`${pattern}\n${this.output}`, async () => pattern.exec(this.output) ?? undefined);
  }

  /** The end of the typed input (Ctrl+D): resolves with the exit code. */
  async end(): Promise<number | null> {
    this.child.stdin?.end();
    return this.exited;
  }

  async exitCode(): Promise<number | null> {
    return this.exited;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGTERM");
  }
}

/** The app's API with a session cookie (or none). */
export async function api<T>(
  app: App,
  method: string,
  path: string,
  options: { cookie?: string; body?: unknown; status?: number } = {},
): Promise<T> {
  const res = await fetch(app.base + path, {
    method,
    headers: {
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(options.body ? { "content-type": "application/json" } : {}),
    },
    body: options.body ? JSON.stringify(options.body) : undefined,
  });
  const text = await res.text();
  if (res.status !== (options.status ?? 200))
    throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

export async function login(app: App, email: string): Promise<string> {
  const res = await fetch(`${app.base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status}`);
  return res.headers
    .getSetCookie()
    .map((s) => s.split(";")[0])
    .join("; ");
}

/** The open handoff of the stand-in's conversation, once the inbox has it. */
export async function openHandoffOf(app: App, cookie: string, channelId: string) {
  return until(`a handoff for ${channelId}`, async () => {
    const list = await api<{ handoffs: Handoff[] }>(
      app,
      "GET",
      "/api/handoffs?status=queued,active",
      { cookie },
    );
    return list.handoffs.find((h) => h.conversation_id.startsWith(`${channelId}:`));
  });
}
