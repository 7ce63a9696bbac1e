// The visitor's live connection: reconnects with exponential backoff, resumes from the last
// numbered frame it applied, and notices a silent drop with a ping it expects answered.
import { toFrame, type ServerFrame } from "./types";

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
const PING_EVERY_MS = 25_000;
const PONG_WITHIN_MS = 10_000;
/** The server ended the visitor's session: check the token (a new session if it is refused). */
const TOKEN_EXPIRED = 4001;
/** The visitor has too many tabs open and this one is the oldest: it stays quiet. */
const TOO_MANY_SOCKETS = 4008;

export interface SocketHandlers {
  /** The address to connect to (it may make a session first). */
  url(): Promise<string>;
  /** The last numbered frame applied, to resume after. */
  seq(): number;
  frame(frame: ServerFrame): void;
  /** The socket was refused or its session ended: the token may be refused. */
  refused(): Promise<void>;
}

export class LiveSocket {
  private ws: WebSocket | null = null;
  private failures = 0;
  private opened = false;
  private stopped = true;
  private retry: number | undefined;
  private ping: number | undefined;
  private pong: number | undefined;
  /** Bumped by stop(): callbacks of an earlier connection find it changed and do nothing. */
  private generation = 0;

  constructor(private readonly on: SocketHandlers) {}

  get running(): boolean {
    return !this.stopped;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.open();
  }

  /** Drops the socket and connects again at once (a new session, say). */
  restart(): void {
    this.stop();
    this.failures = 0;
    this.start();
  }

  stop(): void {
    this.stopped = true;
    this.generation += 1;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
  }

  /** Sends when connected; false when not (nothing is queued). */
  send(frame: object): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  private async open(): Promise<void> {
    const generation = this.generation;
    let url: string;
    try {
      url = await this.on.url();
    } catch {
      if (generation === this.generation) this.lost();
      return;
    }
    if (this.stopped || generation !== this.generation) return;
    const ws = new WebSocket(url);
    this.ws = ws;
    this.opened = false;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      this.opened = true;
      ws.send(JSON.stringify({ type: "resume", since: this.on.seq() }));
      this.ping = window.setInterval(() => {
        ws.send("ping");
        this.pong ??= window.setTimeout(() => ws.close(4002), PONG_WITHIN_MS);
      }, PING_EVERY_MS);
    };
    ws.onmessage = (event) => {
      if (ws !== this.ws || typeof event.data !== "string") return;
      // The server spoke, so the connection works: the next drop starts the backoff over.
      this.failures = 0;
      if (event.data === "pong") {
        window.clearTimeout(this.pong);
        this.pong = undefined;
        return;
      }
      const frame = toFrame(event.data);
      if (frame) this.on.frame(frame);
    };
    ws.onclose = (event) => {
      if (ws !== this.ws) return;
      this.ws = null;
      // Reconnecting would only close another tab's socket, which would do the same.
      if (event.code === TOO_MANY_SOCKETS) return this.stop();
      this.lost(!this.opened || event.code === TOKEN_EXPIRED);
    };
  }

  /** `checkToken`: the upgrade was refused or the session ended, so the token may be stale. */
  private lost(checkToken = true): void {
    this.clearTimers();
    if (this.stopped) return;
    this.failures += 1;
    const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (this.failures - 1));
    const generation = this.generation;
    this.retry = window.setTimeout(
      async () => {
        if (checkToken) await this.on.refused().catch(() => undefined);
        if (generation === this.generation) void this.open();
      },
      delay * (0.8 + Math.random() * 0.4),
    );
  }

  private clearTimers(): void {
    window.clearTimeout(this.retry);
    window.clearInterval(this.ping);
    window.clearTimeout(this.pong);
    this.retry = this.ping = this.pong = undefined;
  }
}
