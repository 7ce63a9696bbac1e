// The inbox's WebSocket: reconnects with backoff, resumes from the last seq, notices silent drops
// with a ping watchdog, and carries agents' commands (acked) with HTTP as the fallback.
import { ERROR_STATUS } from "#schema/errors";
import type { AgentAction, CommandData, EventFrame, ServerFrame } from "#schema/realtime";
import type { LiveStats } from "#schema/shapes";
import { ApiFailure, api } from "../api/client";

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "offline";

export type Hello = Extract<ServerFrame, { type: "hello" }>;

export interface ConnectionHandlers {
  /** The server greeted us (first connect or reconnect): its current seq, stats and presence. */
  hello(seq: number, data: Hello["data"]): void;
  event(frame: EventFrame): void;
  /** The stats bar's current numbers (not numbered: each one replaces the last). */
  stats(stats: LiveStats): void;
  /** A contact is typing (not numbered, never replayed). */
  typing(data: Extract<ServerFrame, { type: "typing" }>["data"]): void;
  resync(): void;
  /** The session is over (logged out elsewhere, expired, disabled): stop and log in again. */
  signedOut(): void;
}

/** The server closes with this code when the socket's session has ended. */
const SESSION_ENDED = 4001;

const BACKOFF_MS = [250, 1_000, 2_000, 5_000, 10_000, 15_000];
/** After this many failed attempts in a row we say "offline" (and keep trying). */
const OFFLINE_AFTER = 4;
const PING_EVERY_MS = 25_000;
const PONG_WITHIN_MS = 10_000;
const ACK_WITHIN_MS = 10_000;

interface PendingAck {
  resolve: (data: CommandData) => void;
  reject: (error: ApiFailure) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class Connection {
  status = $state<ConnectionStatus>("connecting");
  private ws: WebSocket | null = null;
  private failures = 0;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private pongTimer: ReturnType<typeof setTimeout> | null = null;
  private pending = new Map<string, PendingAck>();
  private nextRef = 0;

  constructor(
    private readonly url: string,
    private readonly handlers: ConnectionHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.ws?.close(1000, "bye");
    this.ws = null;
  }

  /** Manual refresh: drop the socket and connect again at once. */
  reconnectNow(): void {
    this.failures = 0;
    this.clearTimers();
    const old = this.ws;
    this.ws = null;
    old?.close(4000, "reconnect");
    this.open();
  }

  send(frame: object): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN || this.status !== "connected") return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Runs a command over the socket when it is up, else over HTTP: same rules, same errors. */
  command(action: AgentAction): Promise<CommandData> {
    const ref = `c${++this.nextRef}`;
    if (!this.send({ ...action, ref })) return viaHttp(action);
    return new Promise<CommandData>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(
          new ApiFailure(0, {
            code: "internal_error",
            message: "The server did not answer in time. Try again.",
          }),
        );
      }, ACK_WITHIN_MS);
      this.pending.set(ref, { resolve, reject, timer });
    });
  }

  private open(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onmessage = (e) => {
      if (ws !== this.ws) return;
      if (e.data === "pong") return this.clearPong();
      if (typeof e.data !== "string") return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(e.data) as ServerFrame;
      } catch {
        return;
      }
      this.receive(frame);
    };
    ws.onclose = (event) => {
      if (ws !== this.ws) return;
      this.ws = null;
      if (event.code === SESSION_ENDED) return this.sessionEnded();
      this.lost();
    };
  }

  private receive(frame: ServerFrame): void {
    switch (frame.type) {
      case "hello":
        this.failures = 0;
        this.status = "connected";
        this.startPing();
        this.handlers.hello(frame.seq, frame.data);
        return;
      case "stats":
        this.handlers.stats(frame.data);
        return;
      case "resync":
        this.handlers.resync();
        return;
      case "ack": {
        const waiting = this.pending.get(frame.ref);
        if (!waiting) return;
        this.pending.delete(frame.ref);
        clearTimeout(waiting.timer);
        if (frame.ok) waiting.resolve(frame.data);
        else waiting.reject(new ApiFailure(ERROR_STATUS[frame.error.code] ?? 400, frame.error));
        return;
      }
      case "typing":
        // A website visitor typing: shown by the conversation view, never numbered.
        this.handlers.typing(frame.data);
        return;
      default:
        this.handlers.event(frame);
    }
  }

  private lost(): void {
    this.clearTimers();
    for (const [ref, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(
        new ApiFailure(0, {
          code: "internal_error",
          message: "The connection dropped before the server answered.",
        }),
      );
      this.pending.delete(ref);
    }
    if (this.stopped) return;
    this.failures += 1;
    this.status = this.failures > OFFLINE_AFTER ? "offline" : "reconnecting";
    // A refused upgrade looks like any drop; ask whether the session is still good.
    if (this.failures % OFFLINE_AFTER === 0) void this.checkSession();
    const delay = BACKOFF_MS[Math.min(this.failures - 1, BACKOFF_MS.length - 1)]!;
    this.retryTimer = setTimeout(() => this.open(), delay * (0.8 + Math.random() * 0.4));
  }

  private sessionEnded(): void {
    this.stop();
    this.handlers.signedOut();
  }

  private async checkSession(): Promise<void> {
    try {
      await api.me();
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 401 && !this.stopped) this.sessionEnded();
    }
  }

  private startPing(): void {
    this.pingTimer = setInterval(() => {
      if (this.ws?.readyState !== WebSocket.OPEN) return;
      this.ws.send("ping");
      this.pongTimer ??= setTimeout(() => this.ws?.close(4002, "no pong"), PONG_WITHIN_MS);
    }, PING_EVERY_MS);
  }

  private clearPong(): void {
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pongTimer = null;
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
    this.clearPong();
  }
}

function viaHttp(action: AgentAction): Promise<CommandData> {
  switch (action.type) {
    case "claim":
      return api.claim(action.handoff_id);
    case "release":
      return api.release(action.handoff_id);
    case "reply":
      return api.reply(action.handoff_id, action.text, action.client_id);
    case "resolve":
      return api.resolve(action.handoff_id, action.outcome, action.note);
  }
}
